//! Tests of `pocdir build`: the site's files, determinism, atomicity,
//! escaping, fallbacks, themes and exports.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::peers::{age_decrypt, tree};
use crate::support::{self, AS_OF, Root};

/// `pocdir build --site-only` (no signing key needed).
fn build(root: &Path, out: &Path) -> support::Output {
    support::build(root, out, &["--site-only"])
}

/// A copy of the repository's example directory (so that a build, which
/// may append to the version log, never touches the repository).
pub fn example() -> Root {
    let root = Root::empty();
    for d in ["content", "keys", "themes", "log"] {
        let src = support::repo_root().join(d);
        if src.is_dir() {
            std::fs::create_dir_all(root.path().join(d)).unwrap();
            support::copy_tree(&src, &root.path().join(d));
        }
    }
    root
}

fn text(files: &BTreeMap<String, Vec<u8>>, rel: &str) -> String {
    String::from_utf8(
        files
            .get(rel)
            .unwrap_or_else(|| panic!("no {rel} in the site"))
            .clone(),
    )
    .expect("utf-8")
}

#[test]
fn example_site_is_deterministic() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let repo = example();
    let (ra, rb) = (build(repo.path(), a.path()), build(repo.path(), b.path()));
    assert_eq!(ra.code, 0, "{}", ra.stderr);
    assert_eq!(rb.code, 0, "{}", rb.stderr);
    let (ta, tb) = (tree(&a.path().join("site")), tree(&b.path().join("site")));
    assert!(ta.len() > 100, "only {} files", ta.len());
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (k, v) in &ta {
        assert!(tb[k] == *v, "{k} differs between two builds");
    }
    // Six languages, every State in each, pages, exports.
    for lang in ["en", "fr", "es", "ru", "zh", "ar"] {
        assert!(ta.contains_key(&format!("{lang}/index.html")));
        assert!(ta.contains_key(&format!("{lang}/states/FRA.html")));
        assert!(ta.contains_key(&format!("{lang}/pages/verify.html")));
        let home = text(&ta, &format!("{lang}/index.html"));
        let dir = if lang == "ar" { "rtl" } else { "ltr" };
        assert!(
            home.contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\">")),
            "{lang}"
        );
    }
    for f in [
        "directory.json",
        "directory.csv",
        "directory.vcf",
        "vcf/FRA.vcf",
        "robots.txt",
        "secretariat.pub",
        "index.html",
    ] {
        assert!(ta.contains_key(f), "missing {f}");
    }
}

#[test]
fn every_page_is_self_contained_and_restricted() {
    let out = tempfile::tempdir().unwrap();
    let r = build(example().path(), out.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let files = tree(&out.path().join("site"));
    let robots = text(&files, "robots.txt");
    assert!(robots.contains("Disallow: /"));
    let mut pages = 0;
    for (rel, bytes) in &files {
        if !rel.ends_with(".html") {
            continue;
        }
        pages += 1;
        let html = String::from_utf8_lossy(bytes);
        assert!(
            html.contains("<meta name=\"robots\" content=\"noindex, nofollow\">"),
            "{rel}"
        );
        assert!(
            html.contains("http-equiv=\"Content-Security-Policy\""),
            "{rel}"
        );
        assert!(
            !html.contains("<style") && !html.contains(" style="),
            "{rel}: inline style"
        );
        // Scripts and styles come only from the site itself, by relative URL.
        for attr in ["src=\"", "<link rel=\"stylesheet\" href=\""] {
            for part in html.split(attr).skip(1) {
                let url = part.split('"').next().unwrap_or("");
                assert!(
                    !url.contains(':') && !url.starts_with('/'),
                    "{rel}: {attr}{url}"
                );
            }
        }
        for part in html.split("<script").skip(1) {
            assert!(part.starts_with(" src="), "{rel}: inline script");
        }
        // Every link is relative or a mail/phone/web link.
        for part in html.split("href=\"").skip(1) {
            let url = part.split('"').next().unwrap_or("");
            assert!(
                !url.starts_with('/')
                    && (!url.contains(':')
                        || ["mailto:", "tel:", "https:", "http:"]
                            .iter()
                            .any(|s| url.starts_with(s))),
                "{rel}: href {url}"
            );
        }
    }
    assert!(pages > 100);
    // Stale entries carry the badge (BRA and KEN were last verified in 2025).
    let bra = text(&files, "en/states/BRA.html");
    assert!(bra.contains("Needs re-verification"), "BRA should be stale");
    let fra = text(&files, "en/states/FRA.html");
    assert!(!fra.contains("Needs re-verification"), "FRA is fresh");
    assert!(fra.contains("href=\"mailto:cert@cert.fra.example\""));
    assert!(fra.contains("href=\"tel:+33199005678\""));
    // The verify page shows the secretariat key id.
    let pubkey = text(&files, "secretariat.pub");
    let key_id = pubkey
        .lines()
        .next()
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_string();
    assert!(text(&files, "ar/pages/verify.html").contains(&key_id));
}

#[test]
fn failed_build_leaves_previous_output_untouched() {
    let root = Root::base();
    let out = tempfile::tempdir().unwrap();
    let r = build(root.path(), out.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let before = tree(&out.path().join("site"));
    root.write("content/states/FRA.yaml", "state: FRA\nmission: [broken\n");
    let r = build(root.path(), out.path());
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    assert_eq!(tree(&out.path().join("site")), before);
    // No temporary folder is left behind (only the site and the records
    // of what its files were made from: tests/cli/rebuild.rs).
    let mut names: Vec<_> = fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, [".phones.memo", ".site.memo", "site"]);
}

#[test]
fn html_and_script_in_data_are_escaped() {
    let root = Root::base();
    let fra = fs::read_to_string(root.path().join("content/states/FRA.yaml")).unwrap();
    let fra = fra
        .replacen(
            "entity: National Cybersecurity Agency, CERT (example)",
            "entity: \"<script>alert('entity')</script> & CERT\"",
            1,
        )
        .replacen(
            "For urgent matters outside business hours",
            "<img src=x onerror=alert(1)> [click](javascript:alert(2)) <b>bold</b> For urgent matters",
            1,
        );
    root.write("content/states/FRA.yaml", fra);
    let out = tempfile::tempdir().unwrap();
    let r = build(root.path(), out.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let files = tree(&out.path().join("site"));
    for rel in ["en/index.html", "en/states/FRA.html", "ar/states/FRA.html"] {
        let html = text(&files, rel);
        assert!(!html.contains("<script>alert"), "{rel}");
        assert!(
            html.contains("&lt;script&gt;alert(&#39;entity&#39;)&lt;/script&gt; &amp; CERT"),
            "{rel}"
        );
        assert!(!html.contains("<img"), "{rel}");
        assert!(!html.contains("javascript:"), "{rel}");
    }
    let json: serde_json::Value = serde_json::from_slice(&files["directory.json"]).unwrap();
    assert_eq!(
        json["states"][0]["points_of_contact"][1]["entity"],
        "<script>alert('entity')</script> & CERT"
    );
}

#[test]
fn missing_translation_falls_back_to_english_with_a_notice() {
    let root = Root::base();
    let out = tempfile::tempdir().unwrap();
    let r = build(root.path(), out.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let files = tree(&out.path().join("site"));
    // verify.md has no French version: the French page shows the English
    // text, marked as English, with the notice in French.
    let fr_verify = text(&files, "fr/pages/verify.html");
    assert!(
        fr_verify.contains("class=\"notice fallback\""),
        "{fr_verify}"
    );
    assert!(
        fr_verify.contains("pas encore disponible en français"),
        "{fr_verify}"
    );
    assert!(fr_verify.contains("<article class=\"page\" lang=\"en\" dir=\"ltr\">"));
    let fr_about = text(&files, "fr/pages/about.html");
    assert!(!fr_about.contains("class=\"notice fallback\""));
    // Links between pages point at the rendered page.
    assert!(text(&files, "en/pages/about.html").contains("href=\"verify.html\""));
}

#[test]
fn a_theme_overrides_default_files_path_by_path() {
    let root = Root::base();
    let settings = fs::read_to_string(root.path().join("content/directory.yaml")).unwrap();
    root.write(
        "content/directory.yaml",
        format!("{settings}theme: unfccc\n"),
    );
    root.write("themes/unfccc/static/style.css", "/* custom theme */\n");
    root.write(
        "themes/unfccc/templates/page.html",
        "{% extends \"base.html\" %}{% block content %}<div id=\"custom-page\">{{ page.html | safe }}</div>{% endblock content %}",
    );
    let out = tempfile::tempdir().unwrap();
    let r = build(root.path(), out.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let files = tree(&out.path().join("site"));
    assert_eq!(text(&files, "static/style.css"), "/* custom theme */\n");
    assert!(text(&files, "en/pages/about.html").contains("<div id=\"custom-page\">"));
    // Files the theme does not override come from the default theme.
    assert!(text(&files, "static/search.js").contains("filter-group"));
    assert!(text(&files, "en/index.html").contains("id=\"filters\""));
}

#[test]
fn a_ui_string_missing_in_one_language_fails_check() {
    let root = Root::base();
    let en = fs::read_to_string(support::repo_root().join("themes/default/i18n/fr.yaml")).unwrap();
    let without: String = en
        .lines()
        .filter(|l| !l.starts_with("stale_badge:"))
        .map(|l| format!("{l}\n"))
        .collect();
    root.write("themes/default/i18n/fr.yaml", without);
    let r = support::pocdir([
        "check".as_ref(),
        "--root".as_ref(),
        root.path().as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let hit = json["diagnostics"].as_array().unwrap().iter().any(|d| {
        d["code"] == "i18n-missing-key"
            && d["file"] == "themes/default/i18n/fr.yaml"
            && d["message"].as_str().unwrap().contains("stale_badge")
    });
    assert!(hit, "{}", r.stdout);
}

#[test]
fn exports_hold_every_poc() {
    let out = tempfile::tempdir().unwrap();
    let r = build(example().path(), out.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let files = tree(&out.path().join("site"));
    let json: serde_json::Value = serde_json::from_slice(&files["directory.json"]).unwrap();
    assert_eq!(json["format"], "pocdir-directory/1");
    let states = json["states"].as_array().unwrap();
    assert_eq!(states.len(), 15);
    let pocs: usize = states
        .iter()
        .map(|s| s["points_of_contact"].as_array().unwrap().len())
        .sum();
    let csv = text(&files, "directory.csv");
    assert_eq!(
        csv.lines().count(),
        pocs + 1,
        "a header and one row per PoC"
    );
    assert!(csv.starts_with("State code,State,Regional group,Type of Point of Contact,Entity"));
    let vcf = text(&files, "directory.vcf");
    assert_eq!(vcf.matches("BEGIN:VCARD").count(), pocs);
    assert!(
        vcf.split("\r\n").all(|l| l.len() <= 75),
        "vCard lines are folded at 75 octets"
    );
    let fra = text(&files, "vcf/FRA.vcf");
    assert_eq!(fra.matches("BEGIN:VCARD").count(), 2);
    assert!(fra.contains("TEL;TYPE=WORK,VOICE,PREF:+33199005678"));
}

#[test]
fn a_synthetic_directory_builds() {
    let dir = tempfile::tempdir().unwrap();
    pocdir::synth::write(dir.path(), 30, 3).unwrap();
    let out = tempfile::tempdir().unwrap();
    let r = build(dir.path(), out.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(out.path().join("site/zh/states/AFG.html").exists());
}

/// A plain HTTP/1.0 GET on 127.0.0.1: (status, body).
pub fn http_get(addr: &str, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

pub struct Kill(pub std::process::Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `pocdir serve` on `root` (any free port), and the lines it writes on
/// its standard error as they come; stopped when the guard is dropped.
pub fn start_serve(root: &std::path::Path) -> (Kill, std::sync::mpsc::Receiver<String>) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(support::bin())
        .args(["serve", "--port", "0", "--as-of", AS_OF, "--root"])
        .arg(root)
        .env_remove("POCDIR_SITE_SECRET")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start pocdir serve");
    let stderr = child.stderr.take().unwrap();
    let guard = Kill(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    (guard, rx)
}

#[test]
fn serve_previews_rebuilds_and_shows_errors() {
    let root = Root::base();
    let (guard, rx) = start_serve(root.path());
    let wait_for = |pred: &dyn Fn(&str) -> bool| -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(left) {
                Ok(l) if pred(&l) => return l,
                Ok(_) => {}
                Err(_) => panic!("pocdir serve did not say what was expected in time"),
            }
        }
    };
    let line = wait_for(&|l| l.contains("serving the preview at http://127.0.0.1:"));
    // "serving the preview at http://127.0.0.1:PORT/ (Ctrl-C to stop)"
    let addr = line
        .split("http://")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let (status, body) = http_get(&addr, "/en/index.html");
    assert_eq!(status, 200);
    assert!(body.contains("<script src=\"/__pocdir/reload.js\"></script></head>"));
    let (_, v1) = http_get(&addr, "/__pocdir/version");

    // Break the directory: the error shows in the terminal and the page.
    root.write("content/states/FRA.yaml", "state: FRA\nmission: [broken\n");
    wait_for(&|l| l.contains("build failed"));
    let (status, body) = http_get(&addr, "/en/states/FRA.html");
    assert_eq!(status, 500);
    assert!(body.contains("content/states/FRA.yaml"), "{body}");
    let (_, v2) = http_get(&addr, "/__pocdir/version");
    assert_ne!(v1, v2, "the version changes so that open pages reload");

    // Mend it: pages come back.
    fs::copy(
        support::base().join("content/states/FRA.yaml"),
        root.path().join("content/states/FRA.yaml"),
    )
    .unwrap();
    wait_for(&|l| l.starts_with("rebuilt"));
    let (status, _) = http_get(&addr, "/fr/states/FRA.html");
    assert_eq!(status, 200);
    drop(guard);
}

/// The committed golden outputs of the example directory (made before the
/// model became typed, issue #11): the three exports, the SHA-256 of every
/// file of the site, and the SHA-256 of every bundle's plaintext.
/// `POCDIR_UPDATE_GOLDEN=1 cargo test golden` rewrites them (only when an
/// output is meant to change).
fn golden_dir() -> std::path::PathBuf {
    support::fixtures().join("exports")
}

fn sha256_hex(b: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

/// `sha256  path` lines, sorted by path (as `sha256sum` writes them).
fn sums(files: &BTreeMap<String, Vec<u8>>) -> String {
    files
        .iter()
        .map(|(k, v)| format!("{}  {k}\n", sha256_hex(v)))
        .collect()
}

/// Compare `actual` with the golden file `name` (or rewrite it).
fn golden(name: &str, actual: &[u8]) {
    let path = golden_dir().join(name);
    if std::env::var_os("POCDIR_UPDATE_GOLDEN").is_some() {
        fs::create_dir_all(golden_dir()).unwrap();
        fs::write(&path, actual).unwrap();
        return;
    }
    let expected = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if expected != actual {
        let (e, a) = (
            String::from_utf8_lossy(&expected),
            String::from_utf8_lossy(actual),
        );
        let first = e
            .lines()
            .zip(a.lines())
            .position(|(x, y)| x != y)
            .unwrap_or(e.lines().count().min(a.lines().count()));
        panic!(
            "{name} differs from its golden copy at line {}:\n  golden: {:?}\n  now:    {:?}",
            first + 1,
            e.lines().nth(first),
            a.lines().nth(first)
        );
    }
}

#[test]
fn example_exports_site_and_bundles_match_their_golden_copies() {
    let out = tempfile::tempdir().unwrap();
    let root = example();
    // With bundles: the example is a demo directory (keys/demo/).
    let r = support::build(root.path(), out.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let site = tree(&out.path().join("site"));
    for name in ["directory.json", "directory.csv", "directory.vcf"] {
        golden(name, &site[name]);
    }
    golden("site.sha256", sums(&site).as_bytes());
    let mut plain = BTreeMap::new();
    for e in fs::read_dir(out.path().join("bundles")).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(code) = name.strip_suffix(".tar.gz.age") {
            let key = root.path().join(format!("keys/demo/states/{code}.key"));
            plain.insert(format!("{code}.tar"), age_decrypt(&key, &p));
        }
    }
    assert!(plain.len() >= 10, "only {} bundles", plain.len());
    golden("bundles.sha256", sums(&plain).as_bytes());
}

/// The synthetic directory (every State, PoCs of each kind) keeps its site,
/// exports included, byte for byte.
#[test]
fn synthetic_site_matches_its_golden_copy() {
    let dir = tempfile::tempdir().unwrap();
    pocdir::synth::write(dir.path(), 40, 3).unwrap();
    // Its secretariat key is random: the example's public key instead (a
    // site needs no secret key).
    fs::copy(
        support::repo_root().join("keys/secretariat.pub"),
        dir.path().join("keys/secretariat.pub"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let r = build(dir.path(), out.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Its States' age recipients are random too: masked.
    let mut recipients = Vec::new();
    for e in fs::read_dir(dir.path().join("keys/states")).unwrap() {
        let text = fs::read_to_string(e.unwrap().path()).unwrap();
        recipients.extend(
            text.split_whitespace()
                .filter(|w| w.starts_with("age1"))
                .map(str::to_string),
        );
    }
    assert!(!recipients.is_empty());
    let mut site = tree(&out.path().join("site"));
    for bytes in site.values_mut() {
        if let Ok(text) = std::str::from_utf8(bytes) {
            let mut t = text.to_string();
            for r in &recipients {
                t = t.replace(r.as_str(), "age1-synthetic-recipient");
            }
            *bytes = t.into_bytes();
        }
    }
    golden("synth-site.sha256", sums(&site).as_bytes());
}
