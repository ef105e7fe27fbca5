//! Browser tests of the site and of a bundle's offline page (real headless
//! Chromium driven by Playwright).
//!
//! Builds the example directory with the real `pocdir` binary, then runs the
//! JavaScript tests of `tests/browser/` (node's test runner, playwright-core
//! with the system's Chromium, axe-core) over the built `site/` folder, the
//! offline page of one bundle and the site of a synthetic directory of 193
//! States; `audit.test.mjs` is the accessibility audit of issue 19 (every
//! page, six languages, three widths). They
//! need Node.js 20 or later, Chromium (`apt-get install chromium
//! fonts-noto-cjk fonts-noto-core`) and `npm ci --prefix tests/browser`, all
//! of which `tests/run` installs: a missing one fails the test with the
//! command to install it, it is never skipped.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::support;

/// The whole browser suite taking longer than this is a hang. It took
/// about 9 minutes on a busy 2-core machine, 4 of them the accessibility
/// audit (`audit.test.mjs`: axe at three widths on every page of the
/// example site and some of the 193-State site, four pages at a time);
/// the limit leaves room for a busier one.
const NODE_TIME_LIMIT: Duration = Duration::from_secs(1500);

/// The test files that must be there: a missing one would pass unseen.
const REQUIRED_FILES: &[&str] = &[
    "audit.test.mjs",
    "home.test.mjs",
    "now.test.mjs",
    "offline.test.mjs",
    "sealed.test.mjs",
    "site.test.mjs",
];

fn browser_dir() -> PathBuf {
    support::repo_root().join("tests").join("browser")
}

/// Fail, with the fix, when something the browser tests need is missing.
fn check_prerequisites() {
    let node = Command::new("node")
        .args(["-p", "process.versions.node"])
        .stdin(Stdio::null())
        .output();
    let version = match node {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        _ => panic!(
            "{} (the browser tests run Node.js 20 or later)",
            support::install_hint("node")
        ),
    };
    let major: u32 = version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    assert!(
        major >= 20,
        "Node.js {version} is too old: the browser tests need Node.js 20 or later \
         (Debian 13 and Ubuntu 24.10 ship it: `sudo apt-get install -y nodejs npm`; \
         elsewhere NodeSource's packages or nvm)"
    );
    let modules = browser_dir().join("node_modules");
    for package in ["playwright-core", "axe-core"] {
        assert!(
            modules.join(package).join("package.json").is_file(),
            "{} has no {package}: run `{}` (or `tests/run`, which does) first",
            modules.display(),
            support::NPM_HINT
        );
    }
    let chromium = support::chromium();
    assert!(
        chromium.is_file(),
        "{} is missing: the browser tests drive the system's Chromium: `{}`, \
         or run `tests/run` as root",
        chromium.display(),
        support::CHROMIUM_HINT
    );
}

/// The test files of `tests/browser/` (`*.test.mjs`), sorted. Passed to
/// node one by one: how `node --test DIR` finds files differs between
/// Node.js versions.
fn test_files() -> Vec<PathBuf> {
    let dir = browser_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".test.mjs"))
        })
        .collect();
    files.sort();
    for name in REQUIRED_FILES {
        assert!(
            files
                .iter()
                .any(|f| f.file_name().is_some_and(|n| n == *name)),
            "{name} is missing from {}",
            dir.display()
        );
    }
    files
}

/// Send `signal` to the process group `child` leads (node's test runner,
/// its test processes; Playwright then closes the browser it started).
#[cfg(unix)]
fn signal_group(child: &Child, signal: &str) {
    let _ = Command::new("kill")
        .args([signal, "--", &format!("-{}", child.id())])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Stop the whole run: politely first, so Playwright closes Chromium.
fn stop(child: &mut Child) {
    #[cfg(unix)]
    {
        signal_group(child, "-TERM");
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        signal_group(child, "-KILL");
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Run node's test runner over the browser tests with `SITE_DIR=site` and
/// `OFFLINE_PAGE=offline` (a bundle's `index.html`) and `SYNTH_SITE_DIR`
/// (the site of 193 States x 4 PoCs). Gives the exit status
/// and what node printed (stdout then stderr).
/// The sealed sites of `sealed.test.mjs` (issue #16), and the access
/// codes as States receive them: the `site-access.txt` of their bundles,
/// decrypted by the real `age`.
struct SealedSites {
    /// The example, sealed, and FRA's code.
    site: PathBuf,
    code: String,
    /// A later build of it with FRA removed, and DEU's code in it.
    later_site: PathBuf,
    later_code: String,
    /// The synthetic 193 x 4 directory, sealed, and its first State's code.
    synth_site: PathBuf,
    synth_code: String,
}

/// The code in `state`'s bundle under `out/bundles`.
fn access_code(root: &Path, out: &Path, state: &str) -> String {
    let plain = crate::peers::age_decrypt(
        &root.join(format!("keys/demo/states/{state}.key")),
        &out.join(format!("bundles/{state}.tar.gz.age")),
    );
    let text = String::from_utf8(crate::bundle::file_in_tar(&plain, "site-access.txt"))
        .expect("site-access.txt is UTF-8");
    text.lines()
        .last()
        .map(|l| l.trim().to_string())
        .filter(|c| c.len() == 29)
        .unwrap_or_else(|| panic!("{state}'s site-access.txt ends with no code:\n{text}"))
}

fn sealed_sites(out: &Path) -> SealedSites {
    let built = |root: &Path, to: &Path, extra: &[&str]| {
        let b = support::build(root, to, extra);
        assert_eq!(b.code, 0, "pocdir build (sealed) failed:\n{}", b.stderr);
    };
    let root = crate::build::example();
    crate::sealed::seal_setting(root.path());
    let first = out.join("sealed-out");
    built(root.path(), &first, &[]);
    let code = access_code(root.path(), &first, "FRA");

    // FRA leaves the directory: its entry, its accounts and its ping
    // records go; the next build must not open with its old code.
    for f in ["content/states/FRA.yaml", "keys/states/FRA.yaml"] {
        std::fs::remove_file(root.path().join(f)).expect("remove FRA");
    }
    for entry in std::fs::read_dir(root.path().join("content/pings")).expect("pings") {
        let path = entry.expect("a ping file").path();
        let text = std::fs::read_to_string(&path).expect("read a ping file");
        let mut skip = false;
        let kept: Vec<&str> = text
            .split('\n')
            .filter(|line| {
                if let Some(rest) = line.strip_prefix("- state: ") {
                    skip = rest.trim() == "FRA";
                } else if !line.starts_with(' ') {
                    skip = false;
                }
                !skip
            })
            .collect();
        std::fs::write(&path, kept.join("\n")).expect("write a ping file");
    }
    let later = out.join("sealed-later-out");
    built(root.path(), &later, &[]);
    let later_code = access_code(root.path(), &later, "DEU");

    let synth = out.join("sealed-synth");
    pocdir::synth::write(&synth, 193, 4).expect("write the synthetic directory");
    crate::sealed::seal_setting(&synth);
    std::fs::copy(
        support::repo_root().join("keys/demo/site.secret"),
        synth.join("keys/demo/site.secret"),
    )
    .expect("copy the demo site secret");
    let synth_out = out.join("sealed-synth-out");
    built(&synth, &synth_out, &[]);
    let first_state = pocdir::synth::codes(1).remove(0);
    let synth_code = access_code(&synth, &synth_out, &first_state);
    SealedSites {
        site: first.join("site"),
        code,
        later_site: later.join("site"),
        later_code,
        synth_site: synth_out.join("site"),
        synth_code,
    }
}

fn run_node(
    site: &Path,
    offline: &Path,
    synth: &Path,
    sealed: &SealedSites,
) -> (ExitStatus, String) {
    let mut cmd = Command::new("node");
    cmd.arg("--test")
        .arg("--test-reporter=spec")
        .args(test_files())
        .current_dir(support::repo_root())
        .env("SITE_DIR", site)
        .env("OFFLINE_PAGE", offline)
        .env("SYNTH_SITE_DIR", synth)
        .env("SEALED_SITE_DIR", &sealed.site)
        .env("SEALED_CODE", &sealed.code)
        .env("SEALED_LATER_SITE_DIR", &sealed.later_site)
        .env("SEALED_LATER_CODE", &sealed.later_code)
        .env("SEALED_SYNTH_SITE_DIR", &sealed.synth_site)
        .env("SEALED_SYNTH_CODE", &sealed.synth_code)
        .env("NO_COLOR", "1")
        .env_remove("FORCE_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd.spawn().expect("cannot start node");
    let mut out_pipe = child.stdout.take().expect("stdout is piped");
    let mut err_pipe = child.stderr.take().expect("stderr is piped");
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out_pipe.read_to_end(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err_pipe.read_to_end(&mut buf);
        buf
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("cannot wait for node") {
            break status;
        }
        if start.elapsed() > NODE_TIME_LIMIT {
            stop(&mut child);
            let out = String::from_utf8_lossy(&out_reader.join().unwrap_or_default()).into_owned();
            panic!(
                "the browser tests ran for more than {NODE_TIME_LIMIT:?} and were killed:\n{out}"
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = out_reader.join().expect("stdout reader");
    let stderr = err_reader.join().expect("stderr reader");
    let mut text = String::from_utf8_lossy(&stdout).into_owned();
    if !stderr.is_empty() {
        text.push_str("\n--- stderr ---\n");
        text.push_str(&String::from_utf8_lossy(&stderr));
    }
    (status, text)
}

/// The number after `label` in the runner's summary (`ℹ pass 33`).
fn summary(output: &str, label: &str) -> Option<u64> {
    output.lines().find_map(|line| {
        let rest = line.trim_start().strip_prefix("ℹ ")?.strip_prefix(label)?;
        rest.trim().parse().ok()
    })
}

#[test]
fn site_passes_the_browser_tests() {
    check_prerequisites();
    let out = tempfile::Builder::new()
        .prefix("pocdir-browser-")
        .tempdir()
        .expect("cannot create a temporary directory");
    // A copy of the example directory, built with its bundles: the site,
    // and the offline page of FRA's bundle (decrypted by the real `age`).
    let root = crate::build::example();
    let built = support::build(root.path(), out.path(), &[]);
    assert_eq!(
        built.code, 0,
        "pocdir build failed:\n{}\n{}",
        built.stdout, built.stderr
    );
    let site = out.path().join("site");
    assert!(
        site.join("index.html").is_file(),
        "pocdir build wrote no site/index.html"
    );
    let plain = crate::peers::age_decrypt(
        &root.path().join("keys/demo/states/FRA.key"),
        &out.path().join("bundles/FRA.tar.gz.age"),
    );
    let offline = out.path().join("offline").join("index.html");
    std::fs::create_dir_all(out.path().join("offline")).expect("create offline/");
    std::fs::write(&offline, crate::bundle::file_in_tar(&plain, "index.html"))
        .expect("write the offline page");

    // The synthetic directory of 193 States x 4 PoCs, site only: the home
    // page's size and speed (home.test.mjs, SYNTH_SITE_DIR), and the
    // accessibility audit of its home and some State pages (audit.test.mjs).
    let synth = out.path().join("synth");
    pocdir::synth::write(&synth, 193, 4).expect("write the synthetic directory");
    let built = support::build(&synth, &out.path().join("synth-out"), &["--site-only"]);
    assert_eq!(
        built.code, 0,
        "pocdir build (193 x 4) failed:\n{}",
        built.stderr
    );
    let synth_site = out.path().join("synth-out").join("site");

    let sealed = sealed_sites(out.path());

    let started = Instant::now();
    let (status, output) = run_node(&site, &offline, &synth_site, &sealed);
    println!("{output}");
    println!("the browser tests took {:?}", started.elapsed());
    assert!(
        status.success(),
        "the browser tests failed ({status}):\n{output}"
    );
    let passed = summary(&output, "pass").unwrap_or(0);
    assert!(
        passed > 0 && summary(&output, "fail") == Some(0),
        "node's test runner ran no test, or its summary is missing:\n{output}"
    );
}
