//! `pocdir open` is safe for the recipient's own files (issue #13, part 5):
//! it never deletes or overwrites what is there, stages in folders nobody
//! else can prepare, writes plaintext 0600 in 0700 folders, caps the bytes
//! it reads, extracts by default into a new `<ISO3>-<seq>` folder beside
//! the bundle, shows a version's changes again on a re-run, keeps its
//! state in the platform's folder (or refuses), and every command shown to
//! a recipient — on the verify page, in the mail, in README.txt — works as
//! written.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::build::example;
use crate::peers;
use crate::support;

/// The example built once (root and output), shared by the tests that
/// only read it.
struct Built {
    root: support::Root,
    out: tempfile::TempDir,
}

fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let root = example();
        let out = tempfile::Builder::new()
            .prefix("open-safety-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap();
        let r = support::build(root.path(), out.path(), &[]);
        assert_eq!(r.code, 0, "pocdir build failed:\n{}", r.stderr);
        Built { root, out }
    })
}

/// France's bundle in `bundles` (whatever its format's extension).
fn bundle_in(bundles: &Path, code: &str) -> PathBuf {
    let mut found: Vec<PathBuf> = fs::read_dir(bundles)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with(&format!("{code}.")) && n.ends_with(".age")
        })
        .collect();
    assert_eq!(found.len(), 1, "one {code} bundle in {}", bundles.display());
    found.remove(0)
}

fn sig_of(bundle: &Path) -> PathBuf {
    PathBuf::from(format!("{}.minisig", bundle.display()))
}

/// The `key=value` fields of a signature's trusted comment.
fn comment(sig: &Path) -> BTreeMap<String, String> {
    let text = fs::read_to_string(sig).unwrap();
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("trusted comment: "))
        .expect("a trusted comment");
    line.split(' ')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// One hour after the bundle's issue (the example's version log may be
/// old when the tests run).
fn now_for(bundle: &Path) -> String {
    let issued: jiff::Timestamp = comment(&sig_of(bundle))["issued"].parse().unwrap();
    (issued + jiff::SignedDuration::from_hours(1)).to_string()
}

/// A recipient's mail folder: France's bundle and signature as received,
/// and the secretariat key downloaded from the site.
struct Mail {
    dir: tempfile::TempDir,
    bundle: PathBuf,
    trust: PathBuf,
    identity: PathBuf,
    now: String,
}

fn mail() -> Mail {
    let b = built();
    let dir = tempfile::tempdir().unwrap();
    let src = bundle_in(&b.out.path().join("bundles"), "FRA");
    let bundle = dir.path().join(src.file_name().unwrap());
    fs::copy(&src, &bundle).unwrap();
    fs::copy(sig_of(&src), sig_of(&bundle)).unwrap();
    let trust = dir.path().join("secretariat.pub");
    fs::copy(b.out.path().join("site/secretariat.pub"), &trust).unwrap();
    let identity = dir.path().join("FRA.key");
    fs::copy(b.root.path().join("keys/demo/states/FRA.key"), &identity).unwrap();
    let now = now_for(&bundle);
    Mail {
        dir,
        bundle,
        trust,
        identity,
        now,
    }
}

impl Mail {
    fn seq(&self) -> String {
        comment(&sig_of(&self.bundle))["seq"].clone()
    }

    /// `pocdir open BUNDLE --identity ID --now NOW` plus `extra`.
    fn args(&self, extra: &[&OsStr]) -> Vec<OsString> {
        let mut a: Vec<OsString> = vec![
            "open".into(),
            self.bundle.clone().into(),
            "--identity".into(),
            self.identity.clone().into(),
            "--now".into(),
            self.now.clone().into(),
        ];
        a.extend(extra.iter().map(|s| s.to_os_string()));
        a
    }

    fn open(&self, state: &Path, extra: &[&OsStr]) -> support::Output {
        let mut more: Vec<&OsStr> = vec!["--state-dir".as_ref(), state.as_os_str()];
        more.extend_from_slice(extra);
        support::pocdir(self.args(&more))
    }
}

/// Run a command (killed after the test time limit).
fn run(mut cmd: Command) -> support::Output {
    let (tx, rx) = std::sync::mpsc::channel();
    let child = cmd
        .stdin(std::process::Stdio::null())
        .env("NO_COLOR", "1")
        .spawn()
        .expect("start the command");
    let id = child.id();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = rx
        .recv_timeout(support::TIME_LIMIT)
        .unwrap_or_else(|_| panic!("process {id} ran for more than {:?}", support::TIME_LIMIT))
        .expect("wait for the command");
    support::Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `pocdir ARGS` in `cwd` with a clean environment but `env`.
fn pocdir_in(cwd: &Path, args: &[OsString], env: &[(&str, &OsStr)]) -> support::Output {
    let mut cmd = Command::new(support::bin());
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env.iter().map(|(k, v)| (*k, *v)))
        .args(args)
        .current_dir(cwd)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    run(cmd)
}

fn names(dir: &Path) -> Vec<String> {
    let mut n: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    n.sort();
    n
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `dir` holds the verified files of `m`'s bundle.
fn assert_extracted(dir: &Path, m: &Mail) {
    let json = fs::read(dir.join("directory.json"))
        .unwrap_or_else(|e| panic!("no directory.json in {}: {e}", dir.display()));
    assert_eq!(
        sha256_hex(&json),
        comment(&sig_of(&m.bundle))["root"],
        "{}",
        dir.display()
    );
    assert!(dir.join("manifest.json").is_file());
}

// --- never delete or overwrite ---

#[test]
fn a_non_empty_extract_folder_is_refused_and_left_intact() {
    let m = mail();
    let state = m.dir.path().join("state");
    let docs = m.dir.path().join("Documents");
    fs::create_dir(&docs).unwrap();
    fs::write(docs.join("letter.txt"), "mine").unwrap();
    fs::write(docs.join("directory.json"), "my own file").unwrap();
    let before = peers::tree(&docs);
    let r = m.open(
        &state,
        &[
            "--trust".as_ref(),
            m.trust.as_os_str(),
            "--extract".as_ref(),
            docs.as_os_str(),
        ],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("not an empty folder"), "{}", r.stderr);
    assert_eq!(peers::tree(&docs), before, "the folder was changed");
    assert!(!state.exists(), "a refused open made the state folder");
    // Nothing staged is left beside it.
    assert_eq!(
        names(m.dir.path()),
        [
            "Documents",
            m.bundle.file_name().unwrap().to_str().unwrap(),
            sig_of(&m.bundle).file_name().unwrap().to_str().unwrap(),
            "FRA.key",
            "secretariat.pub",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
    );

    // A new folder, or an empty one, receives the files.
    for (name, make) in [("new/sub", false), ("empty", true)] {
        let x = m.dir.path().join(name);
        if make {
            fs::create_dir(&x).unwrap();
        }
        let r = m.open(
            &state,
            &[
                "--trust".as_ref(),
                m.trust.as_os_str(),
                "--extract".as_ref(),
                x.as_os_str(),
            ],
        );
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        assert_extracted(&x, &m);
    }
}

#[test]
fn extracting_over_the_state_folder_keeps_the_pinned_key() {
    let m = mail();
    let state = m.dir.path().join("state");
    let r = m.open(
        &state,
        &[
            "--trust".as_ref(),
            m.trust.as_os_str(),
            "--no-extract".as_ref(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let before = peers::tree(&state);
    assert!(before.contains_key("trusted.pub"));
    let r = m.open(&state, &["--extract".as_ref(), state.as_os_str()]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert_eq!(peers::tree(&state), before, "the state folder changed");
    // Still pinned: no --trust needed, no first use.
    let r = m.open(&state, &["--no-extract".as_ref()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("first use"), "{}", r.stderr);
}

// --- staging ---

/// Folders an attacker sharing the parent (say /tmp) prepared under the
/// names the old code used (`.<name>.tmp-<pid>`, for the next few thousand
/// process ids): none is used, none receives a file.
#[test]
fn a_prepared_staging_folder_never_receives_plaintext() {
    let m = mail();
    let state = m.dir.path().join("state");
    let shared = m.dir.path().join("shared");
    fs::create_dir(&shared).unwrap();
    let target = shared.join("x");
    let default_name = format!("FRA-{}", m.seq());
    let first = std::process::id() + 1;
    let mut traps = Vec::new();
    for pid in first..first + 2500 {
        for name in ["x", default_name.as_str()] {
            let trap = shared.join(format!(".{name}.tmp-{pid}"));
            fs::create_dir(&trap).unwrap();
            traps.push(trap);
        }
    }
    let r = m.open(
        &state,
        &[
            "--trust".as_ref(),
            m.trust.as_os_str(),
            "--extract".as_ref(),
            target.as_os_str(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_extracted(&target, &m);
    // The default extraction, beside a bundle in the shared folder.
    let bundle = shared.join(m.bundle.file_name().unwrap());
    fs::copy(&m.bundle, &bundle).unwrap();
    fs::copy(sig_of(&m.bundle), sig_of(&bundle)).unwrap();
    let mut args = m.args(&["--state-dir".as_ref(), state.as_os_str()]);
    args[1] = bundle.clone().into();
    let r = support::pocdir(args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_extracted(&shared.join(&default_name), &m);
    for trap in &traps {
        assert!(trap.is_dir(), "{} was removed", trap.display());
        assert!(
            fs::read_dir(trap).unwrap().next().is_none(),
            "{} received files",
            trap.display()
        );
    }
    // Nothing staged is left behind.
    let left = names(&shared)
        .into_iter()
        .filter(|n| !n.contains(".tmp-"))
        .collect::<Vec<_>>();
    let mut want = vec![
        default_name,
        bundle.file_name().unwrap().to_string_lossy().into_owned(),
        sig_of(&bundle)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned(),
        "x".to_string(),
    ];
    want.sort();
    assert_eq!(left, want);
}

// --- modes ---

#[cfg(unix)]
#[test]
fn plaintext_is_private_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    for umask in ["022", "000"] {
        let m = mail();
        let state = m.dir.path().join("state");
        let args: Vec<OsString> = m.args(&[
            "--trust".as_ref(),
            m.trust.as_os_str(),
            "--state-dir".as_ref(),
            state.as_os_str(),
        ]);
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
            .arg(support::bin())
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let r = run(cmd);
        assert_eq!(r.code, 0, "umask {umask}: {}", r.stderr);
        let x = m.dir.path().join(format!("FRA-{}", m.seq()));
        assert_extracted(&x, &m);
        for dir in [&x, &state] {
            assert_eq!(mode(dir), 0o700, "umask {umask}: {}", dir.display());
            for f in fs::read_dir(dir).unwrap() {
                let p = f.unwrap().path();
                assert_eq!(mode(&p), 0o600, "umask {umask}: {}", p.display());
            }
        }
        assert!(state.join("accepted-directory.json").is_file());
    }
}

// --- caps on what is read ---

#[cfg(unix)]
#[test]
fn endless_inputs_are_refused_quickly() {
    let m = mail();
    let zero = Path::new("/dev/zero");
    let state = m.dir.path().join("state");
    let cases: Vec<(&str, Vec<OsString>, i32)> = vec![
        (
            "--signature /dev/zero",
            m.args(&[
                "--trust".as_ref(),
                m.trust.as_os_str(),
                "--signature".as_ref(),
                zero.as_os_str(),
                "--state-dir".as_ref(),
                state.as_os_str(),
            ]),
            5,
        ),
        (
            "--trust /dev/zero",
            m.args(&[
                "--trust".as_ref(),
                zero.as_os_str(),
                "--state-dir".as_ref(),
                state.as_os_str(),
            ]),
            5,
        ),
        (
            "--identity /dev/zero",
            {
                let mut a = m.args(&[
                    "--trust".as_ref(),
                    m.trust.as_os_str(),
                    "--state-dir".as_ref(),
                    state.as_os_str(),
                ]);
                a[3] = zero.into();
                a
            },
            2,
        ),
    ];
    for (what, args, code) in cases {
        let start = Instant::now();
        let r = support::pocdir(args);
        assert_eq!(r.code, code, "{what}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains("/dev/zero"), "{what}: {}", r.stderr);
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{what}: took {:?}",
            start.elapsed()
        );
        assert!(!state.join("accepted.json").exists(), "{what}");
    }
    // The bundle itself, with a valid signature beside it.
    let sig = m.dir.path().join("zero.minisig");
    fs::copy(sig_of(&m.bundle), &sig).unwrap();
    let mut args = m.args(&[
        "--trust".as_ref(),
        m.trust.as_os_str(),
        "--signature".as_ref(),
        sig.as_os_str(),
        "--state-dir".as_ref(),
        state.as_os_str(),
    ]);
    args[1] = zero.into();
    let start = Instant::now();
    let r = support::pocdir(args);
    assert_eq!(r.code, 5, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("larger than"), "{}", r.stderr);
    assert!(start.elapsed() < Duration::from_secs(20));
    // A state record that never ends.
    fs::create_dir_all(&state).unwrap();
    std::os::unix::fs::symlink(zero, state.join("accepted.json")).unwrap();
    let r = m.open(&state, &["--trust".as_ref(), m.trust.as_os_str()]);
    assert_eq!(r.code, 12, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("damaged"), "{}", r.stderr);
}

// --- plain `pocdir open BUNDLE` ---

#[test]
fn plain_open_extracts_into_a_new_folder_beside_the_bundle() {
    let m = mail();
    let state = m.dir.path().join("state");
    let x = m.dir.path().join(format!("FRA-{}", m.seq()));
    let r = m.open(&state, &["--trust".as_ref(), m.trust.as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_extracted(&x, &m);
    assert!(
        r.stdout
            .contains(&format!("Files written to {}", x.display())),
        "{}",
        r.stdout
    );
    // Again: the same files are there, nothing is written.
    let r = m.open(&state, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("already in"), "{}", r.stdout);
    // A folder of that name holding something else is left alone.
    fs::remove_dir_all(&x).unwrap();
    fs::create_dir(&x).unwrap();
    fs::write(x.join("notes.txt"), "mine").unwrap();
    let r = m.open(&state, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(names(&x), ["notes.txt"]);
    let x2 = m.dir.path().join(format!("FRA-{}-2", m.seq()));
    assert_extracted(&x2, &m);

    // A copy of the same files that others could change (say, prepared in
    // a shared folder) is not taken for an earlier extraction.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let m2 = mail();
        let copy = m2.dir.path().join(format!("FRA-{}", m2.seq()));
        fs::create_dir(&copy).unwrap();
        support::copy_tree(&x2, &copy);
        fs::set_permissions(&copy, fs::Permissions::from_mode(0o777)).unwrap();
        let r = m2.open(
            &m2.dir.path().join("state"),
            &["--trust".as_ref(), m2.trust.as_os_str()],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.contains("Files written to"), "{}", r.stdout);
        assert_extracted(&m2.dir.path().join(format!("FRA-{}-2", m2.seq())), &m2);
    }
}

#[test]
fn a_rerun_shows_the_same_changes() {
    let root = example();
    let fra_key = root.path().join("keys/demo/states/FRA.key");
    let pubkey = root.path().join("keys/secretariat.pub");
    let (out1, out2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let r = support::build(root.path(), out1.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let deu = root.path().join("content/states/DEU.yaml");
    let text = fs::read_to_string(&deu).unwrap();
    assert!(text.contains("address: cert@cert.deu.example"));
    fs::write(
        &deu,
        text.replace(
            "address: cert@cert.deu.example",
            "address: cert-24x7@cert.deu.example",
        ),
    )
    .unwrap();
    let r = support::build(root.path(), out2.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let state = tempfile::tempdir().unwrap();
    let open = |bundle: &Path| {
        support::pocdir([
            "open".as_ref(),
            bundle.as_os_str(),
            "--identity".as_ref(),
            fra_key.as_os_str(),
            "--trust".as_ref(),
            pubkey.as_os_str(),
            "--state-dir".as_ref(),
            state.path().as_os_str(),
            "--no-extract".as_ref(),
            "--now".as_ref(),
            now_for(bundle).as_ref(),
        ])
    };
    let listed = |stdout: &str| -> Vec<String> {
        stdout
            .lines()
            .filter(|l| l.starts_with("  "))
            .map(|l| l.trim().to_string())
            .collect()
    };
    let r = open(&bundle_in(&out1.path().join("bundles"), "FRA"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let b2 = bundle_in(&out2.path().join("bundles"), "FRA");
    let first = open(&b2);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let changes = listed(&first.stdout);
    assert!(
        changes.contains(&"DEU: email added cert-24x7@cert.deu.example".to_string()),
        "{}",
        first.stdout
    );
    let again = open(&b2);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stdout.contains("accepted before"), "{}", again.stdout);
    assert_eq!(listed(&again.stdout), changes, "{}", again.stdout);
}

// --- where the state is kept ---

#[test]
fn without_home_the_platform_folder_or_a_refusal() {
    let m = mail();
    let cwd = tempfile::tempdir().unwrap();
    let trust_args = m.args(&["--trust".as_ref(), m.trust.as_os_str()]);
    // No HOME, no XDG_DATA_HOME: refused, nothing kept in the current
    // folder, nothing extracted.
    let r = pocdir_in(cwd.path(), &trust_args, &[]);
    if cfg!(target_os = "linux") {
        assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains("--state-dir"), "{}", r.stderr);
        assert!(names(cwd.path()).is_empty(), "{:?}", names(cwd.path()));
        assert!(!m.dir.path().join(format!("FRA-{}", m.seq())).exists());
    }
    // XDG_DATA_HOME alone is enough on Linux.
    let data = tempfile::tempdir().unwrap();
    let mut args = trust_args.clone();
    args.push("--no-extract".into());
    let r = pocdir_in(
        cwd.path(),
        &args,
        &[("XDG_DATA_HOME", data.path().as_os_str())],
    );
    if cfg!(target_os = "linux") {
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(data.path().join("pocdir/trusted.pub").is_file());
        assert!(names(cwd.path()).is_empty(), "{:?}", names(cwd.path()));
    }
}

#[test]
fn the_old_default_state_folder_moves_to_the_platform_folder() {
    let m = mail();
    let home = tempfile::tempdir().unwrap();
    let old = home.path().join(".local/state/pocdir");
    let r = m.open(
        &old,
        &[
            "--trust".as_ref(),
            m.trust.as_os_str(),
            "--no-extract".as_ref(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let pinned = fs::read(old.join("trusted.pub")).unwrap();
    // No --trust: the pinned key must be found where the old default was.
    let args = m.args(&["--no-extract".as_ref()]);
    let r = pocdir_in(m.dir.path(), &args, &[("HOME", home.path().as_os_str())]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("accepted before"), "{}", r.stdout);
    let new = if cfg!(target_os = "macos") {
        home.path().join("Library/Application Support/pocdir")
    } else {
        home.path().join(".local/share/pocdir")
    };
    assert_eq!(fs::read(new.join("trusted.pub")).unwrap(), pinned);
    assert!(!old.exists());
}

// --- every command shown to a recipient works as written ---

/// The commands in a text: lines (of `<pre><code>` blocks for HTML, or
/// indented for plain text) that start with a program a recipient runs.
fn commands(text: &str, html: bool) -> Vec<String> {
    const PROGRAMS: [&str; 6] = ["pocdir", "minisign", "age", "tar", "gzip", "gunzip"];
    let mut lines: Vec<String> = Vec::new();
    if html {
        let mut rest = text;
        while let Some(i) = rest.find("<pre><code") {
            rest = &rest[i + "<pre><code".len()..];
            let start = rest.find('>').unwrap() + 1;
            let end = rest.find("</code></pre>").expect("a closed code block");
            let block = rest[start..end]
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&");
            lines.extend(block.lines().map(str::to_string));
            rest = &rest[end..];
        }
    } else {
        lines.extend(
            text.lines()
                .filter(|l| l.starts_with("  "))
                .map(str::to_string),
        );
    }
    lines
        .iter()
        .map(|l| l.trim().to_string())
        .filter(|l| {
            l.split_whitespace()
                .next()
                .is_some_and(|w| PROGRAMS.contains(&w))
        })
        .collect()
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// `cmd` with its placeholders replaced: the State code for `XXX`, the
/// identity after `-i`/`--identity`, the secretariat key (downloaded from
/// the site) after `-p`/`--trust`; pocdir's clock set with `--now` (the
/// example's bundles may be older than their validity when tests run).
fn substituted(cmd: &str, identity: &Path, key: &Path, now: &str) -> String {
    let mut out = Vec::new();
    let mut prev = "";
    let mut program = "";
    for token in cmd.split_whitespace() {
        let word = match prev {
            "-i" | "--identity" => shell_quote(&identity.display().to_string()),
            "-p" | "--trust" => shell_quote(&key.display().to_string()),
            _ => token.replace("XXX", "FRA"),
        };
        if prev.is_empty() || prev == "|" {
            program = token;
        }
        if token == "|" && program == "pocdir" {
            out.push(format!("--now {now}"));
        }
        out.push(word);
        prev = token;
    }
    if program == "pocdir" {
        out.push(format!("--now {now}"));
    }
    out.join(" ")
}

/// Run `cmds` in order, as written (placeholders substituted), in a fresh
/// folder holding the bundle and signature as received, with a fresh home
/// (so pocdir keeps its state there) and the real pocdir first on PATH.
/// Returns the folder.
fn run_as_recipient(
    source: &str,
    cmds: &[String],
    received: &[(String, Vec<u8>)],
    key: &Path,
) -> tempfile::TempDir {
    let b = built();
    assert!(!cmds.is_empty(), "{source}: no command found");
    assert!(
        cmds.iter().any(|c| c.starts_with("pocdir ")),
        "{source}: no pocdir command in {cmds:?}"
    );
    let work = tempfile::tempdir().unwrap();
    let cwd = work.path().join("received");
    fs::create_dir(&cwd).unwrap();
    for (name, bytes) in received {
        fs::write(cwd.join(name), bytes).unwrap();
    }
    let home = work.path().join("home");
    fs::create_dir(&home).unwrap();
    let bin = work.path().join("bin");
    fs::create_dir(&bin).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(support::bin(), bin.join("pocdir")).unwrap();
    let path = std::env::join_paths(std::iter::once(bin.clone()).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let identity = b.root.path().join("keys/demo/states/FRA.key");
    let bundle = received
        .iter()
        .find(|(n, _)| n.ends_with(".age"))
        .map(|(n, _)| cwd.join(n))
        .expect("a bundle received");
    let now = now_for(&bundle);
    for c in cmds {
        let line = substituted(c, &identity, key, &now);
        let mut cmd = Command::new("bash");
        cmd.args(["-c", &format!("set -eo pipefail; {line}")])
            .current_dir(&cwd)
            .env("PATH", &path)
            .env("HOME", &home)
            .env_remove("XDG_DATA_HOME")
            .env_remove("XDG_STATE_HOME")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let r = run(cmd);
        assert_eq!(
            r.code, 0,
            "{source}: `{c}` (run as `{line}`) failed:\n{}{}",
            r.stdout, r.stderr
        );
    }
    // pocdir extracted the bundle beside it and pinned the key in the
    // home's data folder.
    let seq = comment(&sig_of(&bundle))["seq"].clone();
    let x = cwd.join(format!("FRA-{seq}"));
    assert!(
        x.join("directory.json").is_file(),
        "{source}: pocdir extracted nothing into {}: {:?}",
        x.display(),
        names(&cwd)
    );
    assert!(home.join(".local/share/pocdir/trusted.pub").is_file() || !cfg!(target_os = "linux"));
    work
}

/// The mail's commands, run on the bundle taken out of the message; the
/// README.txt pocdir extracted gives the next set.
#[test]
fn every_command_shown_to_a_recipient_works_as_written() {
    for p in ["age", "minisign", "tar"] {
        peers::tool(p);
    }
    let b = built();
    let key = b.out.path().join("site/secretariat.pub");

    // The verify page, in every language of the site.
    let mut pages: Vec<PathBuf> = Vec::new();
    for e in walk(&b.out.path().join("site")) {
        if e.file_name().is_some_and(|n| n == "verify.html") {
            pages.push(e);
        }
    }
    assert!(!pages.is_empty(), "no verify page in the site");
    let bundles = b.out.path().join("bundles");
    let src = bundle_in(&bundles, "FRA");
    let received_from_site = vec![
        (
            src.file_name().unwrap().to_string_lossy().into_owned(),
            fs::read(&src).unwrap(),
        ),
        (
            sig_of(&src)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned(),
            fs::read(sig_of(&src)).unwrap(),
        ),
    ];
    let mut seen = std::collections::BTreeSet::new();
    let mut readme = None;
    for page in &pages {
        let cmds = commands(&fs::read_to_string(page).unwrap(), true);
        if !seen.insert(cmds.clone()) {
            continue;
        }
        let work = run_as_recipient(
            &page.display().to_string(),
            &cmds,
            &received_from_site,
            &key,
        );
        let seq = comment(&sig_of(&src))["seq"].clone();
        readme.get_or_insert_with(|| {
            fs::read_to_string(work.path().join(format!("received/FRA-{seq}/README.txt")))
                .expect("README.txt extracted")
        });
    }

    // The message `pocdir mail --outbox` prepares.
    let outbox = tempfile::tempdir().unwrap();
    let r = support::pocdir([
        "mail".as_ref(),
        "--root".as_ref(),
        b.root.path().as_os_str(),
        "--bundles".as_ref(),
        bundles.as_os_str(),
        "--now".as_ref(),
        format!("{}T20:00:00Z", support::AS_OF).as_ref(),
        "--outbox".as_ref(),
        outbox.path().as_os_str(),
        "--only".as_ref(),
        "FRA".as_ref(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let eml = fs::read_dir(outbox.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "eml"))
        .expect("a message in the outbox");
    let raw = fs::read(&eml).unwrap();
    let msg = mail_parser::MessageParser::default()
        .parse(&raw)
        .expect("a message");
    let body = msg.body_text(0).expect("a text body").into_owned();
    use mail_parser::MimeHeaders;
    let attached: Vec<(String, Vec<u8>)> = msg
        .attachments()
        .map(|a| {
            (
                a.attachment_name().expect("a file name").to_string(),
                a.contents().to_vec(),
            )
        })
        .collect();
    assert_eq!(
        attached.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        [
            "FRA.tar.gz.age",
            "FRA.tar.gz.age.minisig",
            "key-history.json"
        ],
        "the bundle, its signature and the key history"
    );
    let cmds = commands(&body, false);
    // The body repeats the commands in the State's language and English.
    let mut distinct = Vec::new();
    for c in cmds {
        if !distinct.contains(&c) {
            distinct.push(c);
        }
    }
    run_as_recipient("the mail", &distinct, &attached, &key);

    // README.txt inside the bundle (as pocdir extracted it).
    let readme = readme.expect("README.txt");
    run_as_recipient(
        "README.txt",
        &commands(&readme, false),
        &received_from_site,
        &key,
    );
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// The command recipients are given names the site's current
/// `secretariat.pub`: after a key rotation that is the new key, and the
/// command still works (the pinned key leads to it through the rotation
/// statement); a key no statement leads to is still refused.
#[test]
fn the_given_command_works_after_a_key_rotation() {
    let vector = support::repo_root().join("tests/vectors/open2/rotated");
    let tmp = tempfile::tempdir().unwrap();
    support::copy_tree(&vector, tmp.path());
    let history: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(tmp.path().join("key-history.json")).unwrap())
            .unwrap();
    let new_key_line = history["statements"][0]["statement"]
        .as_str()
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("key: "))
        .unwrap()
        .to_string();
    let new_pub = tmp.path().join("secretariat.pub");
    fs::write(
        &new_pub,
        format!("untrusted comment: minisign public key\n{new_key_line}\n"),
    )
    .unwrap();
    let (other_pub, _) = peers::minisign_keypair(tmp.path());
    let expected: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(tmp.path().join("expected.json")).unwrap())
            .unwrap();
    let open = |trust: &Path| {
        support::pocdir([
            "open".as_ref(),
            tmp.path().join("FRA.tar.gz.age").as_os_str(),
            "--identity".as_ref(),
            tmp.path().join("identity.key").as_os_str(),
            "--trust".as_ref(),
            trust.as_os_str(),
            "--state-dir".as_ref(),
            tmp.path().join("state").as_os_str(),
            "--no-extract".as_ref(),
            "--now".as_ref(),
            expected["now"].as_str().unwrap().as_ref(),
        ])
    };
    let before = peers::tree(&tmp.path().join("state"));
    let r = open(&other_pub);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert_eq!(peers::tree(&tmp.path().join("state")), before);
    let r = open(&new_pub);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("The secretariat's keys changed (version 2"),
        "{}",
        r.stdout
    );
    assert_eq!(
        fs::read_to_string(tmp.path().join("state/trusted.pub"))
            .unwrap()
            .lines()
            .nth(1),
        Some(new_key_line.as_str())
    );
}
