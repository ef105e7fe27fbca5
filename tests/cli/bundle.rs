//! Tests of the sealed bundles and `pocdir open`: the committed vectors
//! (tests/vectors/open/, made by `cargo run --example vectors -- --out
//! tests/vectors/open`), interoperability with the real `minisign` and
//! `age` tools, round trips of every example State, versions and changes,
//! key rotation, and the demo key's limits.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::build::example;
use crate::peers::{self, age_decrypt, minisign_keypair, minisign_sign, tool};
use crate::support;

/// The files of every bundle, in tar order (format 2: the per-State part
/// first; the log head, log.jsonl, since issue #18).
pub const BUNDLE_FILES: [&str; 8] = [
    "manifest.json",
    "README.txt",
    "directory.json",
    "contacts.csv",
    "log.jsonl",
    "key-history.json",
    "contacts.vcf",
    "index.html",
];

/// Every vector folder under tests/vectors/open/, sorted. A class whose
/// folder disappears (or appears unlisted) fails
/// `vector_folders_are_the_expected_classes`.
const VECTORS: [&str; 17] = [
    "bitflip-ciphertext",
    "bitflip-key-id",
    "bitflip-signature",
    "bitflip-trusted-comment",
    "expired",
    "lower-sequence",
    "malformed-comment",
    "other-state-renamed",
    "rotated-without-statement",
    "same-sequence-other-root",
    "state-follows-other-state",
    "tampered-content",
    "trailing-garbage",
    "truncated",
    "unknown-key",
    "valid",
    "wrong-identity",
];

/// A vector's `expected.json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    pub description: String,
    /// The file to open, in the vector's folder (its .minisig beside it).
    pub bundle: String,
    pub exit: i32,
    /// The `error[<class>]` of a failure; `null` for success.
    pub class: Option<String>,
    /// Passed as `--now`.
    pub now: String,
}

fn vectors_dir() -> PathBuf {
    support::repo_root().join("tests/vectors/open")
}

fn vector_names() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(vectors_dir())
        .expect("tests/vectors/open exists")
        .map(|e| e.expect("entry"))
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Every file under `dir` by relative path (empty if `dir` is absent).
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    if !dir.exists() {
        return BTreeMap::new();
    }
    peers::tree(dir)
}

fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The fields of a bundle signature's trusted comment
/// (`pocdir-bundle/2 state=FRA seq=N issued=... expires=... root=...`, or
/// `pocdir-bundle/1` for the format 1 vectors).
pub fn trusted_comment(sig_file: &Path) -> BTreeMap<String, String> {
    let text = fs::read_to_string(sig_file).expect("read signature");
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("trusted comment: "))
        .unwrap_or_else(|| panic!("{} has no trusted comment", sig_file.display()));
    let mut parts = line.split(' ');
    assert!(
        matches!(parts.next(), Some("pocdir-bundle/1" | "pocdir-bundle/2")),
        "{line}"
    );
    parts
        .map(|p| {
            let (k, v) = p.split_once('=').expect("key=value");
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn trusted_comment_line(sig_file: &Path) -> String {
    fs::read_to_string(sig_file)
        .expect("read signature")
        .lines()
        .find_map(|l| l.strip_prefix("trusted comment: "))
        .expect("a trusted comment")
        .to_string()
}

/// The key id (as minisign prints it) of a signature or public key file:
/// bytes 2..10 of its base64 line, little-endian.
fn key_id_of(file_text: &str) -> String {
    use base64::Engine;
    let line = file_text
        .lines()
        .filter(|l| !l.starts_with("untrusted comment:") && !l.starts_with("trusted comment:"))
        .find(|l| !l.trim().is_empty())
        .expect("a base64 line");
    let raw = base64::engine::general_purpose::STANDARD
        .decode(line.trim())
        .expect("base64");
    raw[2..10]
        .iter()
        .rev()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// A time one hour after the bundle's issue: bundles built here carry the
/// version log's issue time, which may be long past when the tests run.
pub fn now_for(sig_file: &Path) -> String {
    let issued: jiff::Timestamp = trusted_comment(sig_file)["issued"]
        .parse()
        .expect("issue time");
    (issued + jiff::SignedDuration::from_hours(1)).to_string()
}

/// `pocdir open BUNDLE --identity ID --state-dir STATE --now NOW` and more.
pub fn open(
    bundle: &Path,
    identity: &Path,
    state: &Path,
    now: &str,
    extra: &[&OsStr],
) -> support::Output {
    let mut args: Vec<OsString> = vec![
        "open".into(),
        bundle.into(),
        "--identity".into(),
        identity.into(),
        "--state-dir".into(),
        state.into(),
        "--now".into(),
        now.into(),
    ];
    args.extend(extra.iter().map(|a| a.to_os_string()));
    let out = support::pocdir(&args);
    for text in [&out.stdout, &out.stderr] {
        assert!(
            support::secret_in(text).is_none(),
            "pocdir open printed secret key material:\n{}",
            support::mask_secrets(text)
        );
    }
    out
}

/// The arguments `--trust TRUSTED` of `pocdir open`.
fn trust(trusted: &Path) -> [&OsStr; 2] {
    ["--trust".as_ref(), trusted.as_os_str()]
}

/// The arguments `--trust TRUSTED --extract X` of `pocdir open`.
pub fn trust_and_extract<'a>(trusted: &'a Path, x: &'a Path) -> [&'a OsStr; 4] {
    [
        "--trust".as_ref(),
        trusted.as_os_str(),
        "--extract".as_ref(),
        x.as_os_str(),
    ]
}

/// `pocdir build` (with bundles) of `root` into `out`.
fn seal(root: &Path, out: &Path) -> support::Output {
    support::build(root, out, &[])
}

pub fn sealed(root: &Path, out: &Path) {
    let r = seal(root, out);
    assert_eq!(r.code, 0, "pocdir build failed:\n{}", r.stderr);
}

// --- the vectors ---

#[test]
fn vector_folders_are_the_expected_classes() {
    assert_eq!(
        vector_names(),
        VECTORS,
        "tests/vectors/open/ must hold exactly these vectors (regenerate with `cargo run --example vectors -- --out tests/vectors/open`)"
    );
    for name in VECTORS {
        let dir = vectors_dir().join(name);
        let e = expected(&dir);
        assert!(!e.description.is_empty(), "{name}");
        for f in [
            "identity.key",
            "trusted.pub",
            e.bundle.as_str(),
            &format!("{}.minisig", e.bundle),
        ] {
            assert!(dir.join(f).is_file(), "{name}: no {f}");
        }
        assert_eq!(e.exit == 0, e.class.is_none(), "{name}: exit and class");
    }
}

pub fn expected(dir: &Path) -> Expected {
    let p = dir.join("expected.json");
    serde_json::from_str(&fs::read_to_string(&p).expect("read expected.json"))
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Open one vector as its expected.json says; `Err` says what went wrong.
fn check_vector(name: &str) -> Result<(), String> {
    check_vector_in(&vectors_dir(), name)
}

/// Open the vector `name` of the folder `vectors` (tests/vectors/open/ for
/// format 1, tests/vectors/open2/ for format 2) as its expected.json says.
pub fn check_vector_in(vectors: &Path, name: &str) -> Result<(), String> {
    let dir = vectors.join(name);
    let e = expected(&dir);
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    if dir.join("state").is_dir() {
        fs::create_dir_all(&state).unwrap();
        support::copy_tree(&dir.join("state"), &state);
    }
    let before = snapshot(&state);
    let x = tmp.path().join("x");
    let bundle = dir.join(&e.bundle);
    let r = open(
        &bundle,
        &dir.join("identity.key"),
        &state,
        &e.now,
        &trust_and_extract(&dir.join("trusted.pub"), &x),
    );
    let show = || format!("stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    if r.code != e.exit {
        return Err(format!(
            "exit {} where {} was expected\n{}",
            r.code,
            e.exit,
            show()
        ));
    }
    match &e.class {
        Some(class) => {
            let errors: Vec<&str> = r
                .stderr
                .lines()
                .filter(|l| l.starts_with("error"))
                .collect();
            let want = format!("error[{class}]: ");
            if errors.len() != 1 || !errors[0].starts_with(&want) {
                return Err(format!("no single `{want}` line\n{}", show()));
            }
            if x.exists() {
                return Err("something was extracted".into());
            }
            let left: Vec<_> = fs::read_dir(tmp.path())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .filter(|n| n != "state")
                .collect();
            if !left.is_empty() {
                return Err(format!("files left beside the state folder: {left:?}"));
            }
            if snapshot(&state) != before {
                return Err(format!(
                    "the state folder changed on a failure: {:?} became {:?}",
                    before.keys().collect::<Vec<_>>(),
                    snapshot(&state).keys().collect::<Vec<_>>()
                ));
            }
        }
        None => {
            let c = trusted_comment(&dir.join(format!("{}.minisig", e.bundle)));
            let got: Vec<String> = snapshot(&x).into_keys().collect();
            // Vectors sealed before the log head (and the key history)
            // existed carry none.
            let mut want: Vec<String> = BUNDLE_FILES
                .iter()
                .filter(|f| !matches!(**f, "log.jsonl" | "key-history.json") || x.join(f).exists())
                .map(|s| s.to_string())
                .collect();
            want.sort();
            if got != want {
                return Err(format!("extracted {got:?}\n{}", show()));
            }
            let dir_json = fs::read(x.join("directory.json")).unwrap();
            if sha256_hex(&dir_json) != c["root"] {
                return Err("directory.json does not hash to the signed root".into());
            }
            let acc: serde_json::Value = serde_json::from_slice(
                &fs::read(state.join("accepted.json"))
                    .map_err(|e| format!("no accepted.json: {e}"))?,
            )
            .map_err(|e| e.to_string())?;
            let sig_key =
                key_id_of(&fs::read_to_string(dir.join(format!("{}.minisig", e.bundle))).unwrap());
            if acc["state"] != c["state"].as_str()
                || acc["seq"] != c["seq"].parse::<u64>().unwrap_or(u64::MAX)
                || acc["root"] != c["root"].as_str()
                || acc["key_id"] != sig_key.as_str()
            {
                return Err(format!("accepted.json records {acc} for {c:?}"));
            }
            let pinned = fs::read_to_string(state.join("trusted.pub")).unwrap();
            if key_id_of(&pinned) != sig_key {
                return Err(format!(
                    "trusted.pub pins {}, not {sig_key}",
                    key_id_of(&pinned)
                ));
            }
            if !r
                .stdout
                .contains(&format!("Verified: {} bundle", c["state"]))
            {
                return Err(format!("no verification line\n{}", show()));
            }
        }
    }
    Ok(())
}

#[test]
fn every_vector_gives_its_class() {
    let failures: Vec<String> = vector_names()
        .iter()
        .filter_map(|n| check_vector(n).err().map(|e| format!("{n}: {e}")))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_rotated_vector_says_the_key_changed() {
    let dir = support::repo_root().join("tests/vectors/open2/rotated");
    let e = expected(&dir);
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    fs::create_dir_all(&state).unwrap();
    support::copy_tree(&dir.join("state"), &state);
    let new = key_id_of(&fs::read_to_string(dir.join("FRA.tar.gz.age.minisig")).unwrap());
    let r = open(
        &dir.join(&e.bundle),
        &dir.join("identity.key"),
        &state,
        &e.now,
        &["--no-extract".as_ref()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains(&format!(
            "The secretariat's keys changed (version 2: key {new})"
        )),
        "{}",
        r.stdout
    );
    // The history followed is recorded, from the pinned key.
    let rec = fs::read_to_string(state.join("key-history.json")).unwrap();
    assert!(
        rec.contains("pocdir-key-history/2") && rec.contains("version: 2"),
        "{rec}"
    );
}

/// Open `vector` with its state folder, `file` in it replaced by `damage`
/// and `--trust` passed: it must be refused, nothing extracted, the state
/// folder unchanged.
fn refused_over_damaged_state(vector: &str, file: &str, damage: &[u8], why: &str) {
    let dir = vectors_dir().join(vector);
    let e = expected(&dir);
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    fs::create_dir_all(&state).unwrap();
    if dir.join("state").is_dir() {
        support::copy_tree(&dir.join("state"), &state);
    }
    fs::write(state.join(file), damage).unwrap();
    let before = snapshot(&state);
    let x = tmp.path().join("x");
    let r = open(
        &dir.join(&e.bundle),
        &dir.join("identity.key"),
        &state,
        &e.now,
        &trust_and_extract(&dir.join("trusted.pub"), &x),
    );
    assert_ne!(r.code, 0, "{why}:\n{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("error["), "{}", r.stderr);
    assert!(!x.exists(), "{why}: files were extracted");
    assert_eq!(snapshot(&state), before, "{why}: the state folder changed");
}

/// A damaged accepted.json must not silently switch the rollback and fork
/// checks off (and be overwritten by an older version).
#[test]
fn a_damaged_state_record_is_not_ignored() {
    // Truncated (a crash, a full disk).
    refused_over_damaged_state(
        "lower-sequence",
        "accepted.json",
        b"{\"state\": \"FRA\", \"seq\": 5,",
        "a sequence-1 bundle was accepted over a truncated record of sequence 5",
    );
    // A field this version does not know (written by a newer pocdir).
    refused_over_damaged_state(
        "lower-sequence",
        "accepted.json",
        b"{\"state\": \"FRA\", \"seq\": 5, \"root\": \"00\", \"issued\": \"2026-12-01T12:00:00Z\", \"expires\": \"2027-01-30T12:00:00Z\", \"key_id\": \"A9261A9396AEC7F7\", \"note\": 1}",
        "a sequence-1 bundle was accepted over a record of sequence 5 with one more field",
    );
}

/// A pinned key that cannot be read must not be taken for a first use
/// (and replaced by whatever --trust names).
#[test]
fn a_damaged_pinned_key_is_not_replaced() {
    refused_over_damaged_state(
        "valid",
        "trusted.pub",
        b"untrusted comment: minisign public key \xff\xfe\nRWT\xff\n",
        "a pinned key that is not UTF-8 was replaced by the --trust key",
    );
}

/// An OpenSSH private key as the identity: refused with its own message
/// (SSH recipients and identities are not supported), nothing extracted.
#[test]
fn an_ssh_identity_is_refused() {
    let dir = vectors_dir().join("valid");
    let e = expected(&dir);
    let tmp = tempfile::tempdir().unwrap();
    let identity = tmp.path().join("id_ed25519");
    fs::write(
        &identity,
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n",
    )
    .unwrap();
    let x = tmp.path().join("x");
    let r = open(
        &dir.join(&e.bundle),
        &identity,
        &tmp.path().join("state"),
        &e.now,
        &trust_and_extract(&dir.join("trusted.pub"), &x),
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("SSH identities are not supported"),
        "{}",
        r.stderr
    );
    assert!(!x.exists(), "files were extracted");
}

// --- interoperability with the real tools ---

#[test]
fn real_minisign_and_age_verify_and_decrypt_a_bundle() {
    let root = example();
    let out = tempfile::tempdir().unwrap();
    sealed(root.path(), out.path());
    let bundles = out.path().join("bundles");
    let stdout = peers::minisign_verify(
        &bundles.join("FRA.tar.gz.age"),
        &bundles.join("FRA.tar.gz.age.minisig"),
        &root.path().join("keys/secretariat.pub"),
    );
    assert!(
        stdout.contains("Trusted comment: pocdir-bundle/2 state=FRA seq="),
        "{stdout}"
    );

    // age -d -i FRA.key FRA.tar.gz.age | tar tz
    let mut age = Command::new(tool("age"))
        .args(["-d", "-i"])
        .arg(root.path().join("keys/demo/states/FRA.key"))
        .arg(bundles.join("FRA.tar.gz.age"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start age");
    let tar = Command::new(tool("tar"))
        .arg("tz")
        .stdin(Stdio::from(age.stdout.take().unwrap()))
        .output()
        .expect("run tar");
    let age_out = age.wait_with_output().unwrap();
    assert!(
        age_out.status.success(),
        "age -d failed: {}",
        String::from_utf8_lossy(&age_out.stderr)
    );
    assert!(
        tar.status.success(),
        "{}",
        String::from_utf8_lossy(&tar.stderr)
    );
    let listed: Vec<String> = String::from_utf8_lossy(&tar.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(listed, BUNDLE_FILES);
}

/// The Content-Security-Policy of every bundle's offline page: it loads
/// nothing (its style is inline; it has no script).
const OFFLINE_CSP: &str = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">";

/// The file `name` of a bundle's plaintext (a tar archive).
pub fn file_in_tar(tar: &[u8], name: &str) -> Vec<u8> {
    let mut archive = ::tar::Archive::new(tar);
    for entry in archive.entries().expect("a tar archive") {
        let mut entry = entry.expect("a tar entry");
        if entry.path().expect("a path").as_os_str() == name {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes).expect("read the entry");
            return bytes;
        }
    }
    panic!("no {name} in the bundle");
}

/// Raw HTML in a PoC's notes or in a page (an `<img>` pointing elsewhere)
/// is inert text on the site and in the offline page of a real bundle
/// (decrypted by the real `age`), and that page carries a CSP that lets
/// it load nothing.
#[test]
fn the_offline_page_loads_nothing() {
    let root = example();
    let fra = root.path().join("content/states/FRA.yaml");
    let text = fs::read_to_string(&fra).unwrap();
    let line = "      the duty officer answers in French or English.\n";
    assert!(text.contains(line), "the example's FRA notes changed");
    let img = "<img src=\"https://tracker.example/notes.png\">";
    fs::write(&fra, text.replace(line, &format!("{line}      {img}\n"))).unwrap();
    let about = root.path().join("content/pages/about.md");
    let page_img = "<img src=\"https://tracker.example/page.png\">";
    let mut text = fs::read_to_string(&about).unwrap();
    text.push_str(&format!("\n{page_img}\n"));
    fs::write(&about, text).unwrap();
    let out = tempfile::tempdir().unwrap();
    sealed(root.path(), out.path());

    let inert = |html: &str, img: &str, what: &str| {
        assert!(!html.contains("<img"), "{what} has an <img> element");
        let shown = img.replace('<', "&lt;").replace('>', "&gt;");
        assert!(html.contains(&shown), "{what} does not show {img} as text");
    };
    let site = out.path().join("site");
    let state_page = fs::read_to_string(site.join("en/states/FRA.html")).unwrap();
    inert(&state_page, img, "the site's FRA page");
    let page = fs::read_to_string(site.join("en/pages/about.html")).unwrap();
    inert(&page, page_img, "the site's about page");

    let plain = age_decrypt(
        &root.path().join("keys/demo/states/FRA.key"),
        &out.path().join("bundles/FRA.tar.gz.age"),
    );
    let offline = String::from_utf8(file_in_tar(&plain, "index.html")).unwrap();
    inert(&offline, img, "the offline page");
    let head = &offline[..offline.find("</head>").expect("a head")];
    assert_eq!(
        head.matches(OFFLINE_CSP).count(),
        1,
        "the offline page's head lacks its CSP:\n{head}"
    );
    assert!(
        !offline.contains("<script"),
        "the offline page has a script"
    );
    assert!(
        !offline.contains("<link"),
        "the offline page links a resource"
    );
}

#[test]
fn real_minisign_keys_and_signatures_interoperate() {
    let root = example();
    let out = tempfile::tempdir().unwrap();
    sealed(root.path(), out.path());
    let bundles = out.path().join("bundles");
    let original_sig = bundles.join("FRA.tar.gz.age.minisig");
    let now = now_for(&original_sig);

    // pocdir's signature, named explicitly, verified by minisign.
    peers::minisign_verify(
        &bundles.join("FRA.tar.gz.age"),
        &original_sig,
        &root.path().join("keys/secretariat.pub"),
    );

    // A key made by minisign signs the same bytes with the same trusted
    // comment: pocdir accepts it with that key pinned.
    let keys = tempfile::tempdir().unwrap();
    let (pk, sk) = minisign_keypair(keys.path());
    let mail = tempfile::tempdir().unwrap();
    let bundle = mail.path().join("FRA.tar.gz.age");
    fs::copy(bundles.join("FRA.tar.gz.age"), &bundle).unwrap();
    minisign_sign(
        &sk,
        &bundle,
        &mail.path().join("FRA.tar.gz.age.minisig"),
        &trusted_comment_line(&original_sig),
    );
    let state = tempfile::tempdir().unwrap();
    let x = state.path().join("x");
    let r = open(
        &bundle,
        &root.path().join("keys/demo/states/FRA.key"),
        &state.path().join("s"),
        &now,
        &trust_and_extract(&pk, &x),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let id = key_id_of(&fs::read_to_string(&pk).unwrap());
    assert!(
        r.stdout
            .contains(&format!("signed by the secretariat key {id}")),
        "{}",
        r.stdout
    );
    assert!(x.join("directory.json").is_file());

    // The same signature checked against the secretariat's key instead:
    // another key.
    let r = open(
        &bundle,
        &root.path().join("keys/demo/states/FRA.key"),
        &state.path().join("fresh"),
        &now,
        &trust(&root.path().join("keys/secretariat.pub")),
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("error[unknown-key]"), "{}", r.stderr);
}

// --- round trips, versions, changes ---

#[test]
fn every_example_state_round_trips() {
    let root = example();
    let out = tempfile::tempdir().unwrap();
    sealed(root.path(), out.path());
    let bundles = out.path().join("bundles");
    let mut sealed_states: Vec<String> = fs::read_dir(&bundles)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".tar.gz.age").map(str::to_string))
        .collect();
    sealed_states.sort();
    let mut with_accounts: Vec<String> = fs::read_dir(root.path().join("keys/states"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".yaml").map(str::to_string))
        .collect();
    with_accounts.sort();
    assert_eq!(
        sealed_states, with_accounts,
        "one bundle per State with accounts"
    );
    assert!(sealed_states.len() >= 15);

    // Every demo identity (<ISO3>.key, <ISO3>-liaison.key, ...) opens its
    // State's bundle.
    let ids = root.path().join("keys/demo/states");
    let mut opened = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    for entry in fs::read_dir(&ids).unwrap() {
        let identity = entry.unwrap().path();
        let name = identity.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".key") {
            continue;
        }
        let code: String = name.chars().take(3).collect();
        let bundle = bundles.join(format!("{code}.tar.gz.age"));
        let sig = bundles.join(format!("{code}.tar.gz.age.minisig"));
        let tmp = tempfile::tempdir().unwrap();
        let x = tmp.path().join("x");
        let r = open(
            &bundle,
            &identity,
            &tmp.path().join("state"),
            &now_for(&sig),
            &trust_and_extract(&root.path().join("keys/secretariat.pub"), &x),
        );
        if r.code != 0 {
            failures.push(format!("{name}: exit {}: {}", r.code, r.stderr));
            continue;
        }
        let root_hash = &trusted_comment(&sig)["root"];
        let got = sha256_hex(&fs::read(x.join("directory.json")).unwrap());
        if &got != root_hash {
            failures.push(format!(
                "{name}: directory.json hashes to {got}, not {root_hash}"
            ));
        }
        let manifest: serde_json::Value =
            serde_json::from_slice(&fs::read(x.join("manifest.json")).unwrap()).unwrap();
        if manifest["state"] != code.as_str() {
            failures.push(format!("{name}: the manifest names {}", manifest["state"]));
        }
        opened.insert(code);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        opened.into_iter().collect::<Vec<_>>(),
        sealed_states,
        "every bundle is opened by some demo identity"
    );
}

fn log_lines(root: &Path) -> Vec<String> {
    fs::read_to_string(root.join("log/versions.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn rebuilding_keeps_the_version_and_a_change_makes_a_new_one() {
    let root = example();
    let (out1, out2, out3) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let fra_key = root.path().join("keys/demo/states/FRA.key");
    sealed(root.path(), out1.path());
    let log1 = log_lines(root.path());
    let sig1 = out1.path().join("bundles/FRA.tar.gz.age.minisig");
    let c1 = trusted_comment(&sig1);

    // Unchanged content: same version, same plaintext, log untouched.
    sealed(root.path(), out2.path());
    assert_eq!(
        log_lines(root.path()),
        log1,
        "an unchanged build appended to the log"
    );
    let sig2 = out2.path().join("bundles/FRA.tar.gz.age.minisig");
    assert_eq!(trusted_comment(&sig2), c1);
    let (p1, p2) = (
        age_decrypt(&fra_key, &out1.path().join("bundles/FRA.tar.gz.age")),
        age_decrypt(&fra_key, &out2.path().join("bundles/FRA.tar.gz.age")),
    );
    assert!(!p1.is_empty());
    assert!(
        p1 == p2,
        "two builds of the same version differ in plaintext"
    );

    // France accepts that version.
    let state = tempfile::tempdir().unwrap();
    let st = state.path().join("state");
    let r = open(
        &out2.path().join("bundles/FRA.tar.gz.age"),
        &fra_key,
        &st,
        &now_for(&sig2),
        &trust(&root.path().join("keys/secretariat.pub")),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);

    // Germany's CERT changes its address: a new version.
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
    sealed(root.path(), out3.path());
    let log3 = log_lines(root.path());
    assert_eq!(log3.len(), log1.len() + 1, "one line appended to the log");
    assert_eq!(log3[..log1.len()], log1[..]);
    let sig3 = out3.path().join("bundles/FRA.tar.gz.age.minisig");
    let c3 = trusted_comment(&sig3);
    let seq1: u64 = c1["seq"].parse().unwrap();
    assert_eq!(c3["seq"], (seq1 + 1).to_string());
    assert_ne!(c3["root"], c1["root"]);
    let entry: serde_json::Value = serde_json::from_str(log3.last().unwrap()).unwrap();
    assert_eq!(entry["seq"], seq1 + 1);
    assert_eq!(entry["root"], c3["root"].as_str());

    // Opening the new version after the old one lists the change, email
    // addresses first.
    let r = open(
        &out3.path().join("bundles/FRA.tar.gz.age"),
        &fra_key,
        &st,
        &now_for(&sig3),
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let changes: Vec<&str> = r
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("Changes since the last accepted version"))
        .skip(1)
        .map(str::trim)
        .collect();
    assert_eq!(
        changes.get(..2).unwrap_or(&changes),
        [
            "DEU: email added cert-24x7@cert.deu.example",
            "DEU: email removed cert@cert.deu.example",
        ],
        "{}",
        r.stdout
    );
    // The old version is now a replay.
    let r = open(
        &out2.path().join("bundles/FRA.tar.gz.age"),
        &fra_key,
        &st,
        &now_for(&sig2),
        &[],
    );
    assert_eq!(r.code, 7, "{}", r.stderr);
    assert!(r.stderr.contains("error[rollback]"), "{}", r.stderr);
}

// --- key rotation ---

/// Rotate the example copy's secretariat key to a key made by the real
/// minisign, rebuild, and open with a state folder that pinned the old key.
/// With `resign_log`, the version log is first re-signed with the new key
/// by hand (the work-around for a build that refuses a log signed by the
/// old key).
fn rotation(resign_log: bool) {
    let root = example();
    let old_pub = root.path().join("keys/secretariat.pub");
    let old_id = key_id_of(&fs::read_to_string(&old_pub).unwrap());
    let fra_key = root.path().join("keys/demo/states/FRA.key");

    // France pins the old key.
    let out1 = tempfile::tempdir().unwrap();
    sealed(root.path(), out1.path());
    let sig1 = out1.path().join("bundles/FRA.tar.gz.age.minisig");
    let states = tempfile::tempdir().unwrap();
    let st = states.path().join("explicit");
    let r = open(
        &out1.path().join("bundles/FRA.tar.gz.age"),
        &fra_key,
        &st,
        &now_for(&sig1),
        &trust(&old_pub),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let st_beside = states.path().join("beside");
    fs::create_dir_all(&st_beside).unwrap();
    support::copy_tree(&st, &st_beside);

    // A new key pair (real minisign) and the statement, signed by the old
    // key, outside the directory.
    let keys = tempfile::tempdir().unwrap();
    let (new_pub, new_key) = minisign_keypair(keys.path());
    let new_id = key_id_of(&fs::read_to_string(&new_pub).unwrap());
    // Version 2 of the key history, signed by the old key and the new
    // one, written into keys/rotations/ (issue #18).
    let r = support::pocdir([
        "keygen".as_ref(),
        "rotate".as_ref(),
        "--root".as_ref(),
        root.path().as_os_str(),
        "--secret-key".as_ref(),
        root.path().join("keys/demo/secretariat.key").as_os_str(),
        "--secret-key".as_ref(),
        new_key.as_os_str(),
        "--new-public-key".as_ref(),
        new_pub.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("complete"), "{}", r.stderr);
    let rotations = root.path().join("keys/rotations");
    assert!(rotations.join("2.txt").is_file());
    assert!(rotations.join(format!("2.txt.{old_id}.minisig")).is_file());
    assert!(rotations.join(format!("2.txt.{new_id}.minisig")).is_file());

    // The directory moves to the new key (labelled DEMO, as every file
    // under keys/demo must be) and publishes the statement.
    let base64_line = |p: &Path| {
        fs::read_to_string(p)
            .unwrap()
            .lines()
            .nth(1)
            .unwrap()
            .to_string()
    };
    fs::write(
        &old_pub,
        format!(
            "untrusted comment: DEMO secretariat public key {new_id} of the pocdir example directory (rotated)\n{}\n",
            base64_line(&new_pub)
        ),
    )
    .unwrap();
    fs::write(
        root.path().join("keys/demo/secretariat.key"),
        format!(
            "untrusted comment: DEMO secretariat signing key (rotated) - NOT SECRET\n{}\n",
            base64_line(&new_key)
        ),
    )
    .unwrap();
    if resign_log {
        let log = root.path().join("log/versions.jsonl");
        let log_sig = root.path().join("log/versions.jsonl.minisig");
        let tc = fs::read_to_string(&log_sig)
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix("trusted comment: "))
            .unwrap()
            .to_string();
        minisign_sign(&new_key, &log, &log_sig, &tc);
    }
    let log_before = log_lines(root.path());
    let out2 = tempfile::tempdir().unwrap();
    let r = seal(root.path(), out2.path());
    assert_eq!(
        r.code, 0,
        "the build after a key rotation failed (a version log signed by the old key, with the rotation statement in keys/rotations/, must be accepted):\n{}",
        r.stderr
    );
    let log_after = log_lines(root.path());
    assert_eq!(
        log_after[..log_before.len()],
        log_before[..],
        "the version log kept its history"
    );
    let bundles = out2.path().join("bundles");
    let sig2 = bundles.join("FRA.tar.gz.age.minisig");
    assert_eq!(
        key_id_of(&fs::read_to_string(&sig2).unwrap()),
        new_id,
        "signed with the new key"
    );
    let history = bundles.join("key-history.json");
    assert!(history.is_file());
    let now = now_for(&sig2);

    // Received by email without the statement: unknown key, nothing kept.
    let mail = tempfile::tempdir().unwrap();
    for f in ["FRA.tar.gz.age", "FRA.tar.gz.age.minisig"] {
        fs::copy(bundles.join(f), mail.path().join(f)).unwrap();
    }
    let before = snapshot(&st);
    let r = open(
        &mail.path().join("FRA.tar.gz.age"),
        &fra_key,
        &st,
        &now,
        &[],
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("error[unknown-key]"), "{}", r.stderr);
    assert_eq!(snapshot(&st), before);

    // With the statement: accepted, the change of key said, the new key
    // pinned.
    let changed = format!("The secretariat's keys changed (version 2: key {new_id})");
    let r = open(
        &mail.path().join("FRA.tar.gz.age"),
        &fra_key,
        &st,
        &now,
        &["--key-history".as_ref(), history.as_os_str()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(&changed), "{}", r.stdout);
    let pinned = fs::read_to_string(st.join("trusted.pub")).unwrap();
    assert_eq!(key_id_of(&pinned), new_id);
    assert!(pinned.contains(&base64_line(&new_pub)));

    // The history beside the bundle does the same.
    let r = open(
        &bundles.join("FRA.tar.gz.age"),
        &fra_key,
        &st_beside,
        &now,
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(&changed), "{}", r.stdout);
    assert_eq!(
        key_id_of(&fs::read_to_string(st_beside.join("trusted.pub")).unwrap()),
        new_id
    );
    let acc: serde_json::Value =
        serde_json::from_slice(&fs::read(st_beside.join("accepted.json")).unwrap()).unwrap();
    assert_eq!(acc["key_id"], new_id.as_str());

    // From now on the old key is refused for this state folder, even with
    // --trust naming it and no statement beside the bundle: the state
    // folder recorded the rotation, and the old key is retired (issue #18).
    let r = open(
        &out1.path().join("bundles/FRA.tar.gz.age"),
        &fra_key,
        &st,
        &now_for(&sig1),
        &trust(&out1.path().join("bundles/secretariat.pub")),
    );
    assert_eq!(r.code, 13, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "error[retired-key]: signed by key {old_id}, which was retired by version 2"
        )),
        "{}",
        r.stderr
    );
}

#[test]
fn key_rotation_is_followed_by_open() {
    rotation(true);
}

#[test]
fn key_rotation_rebuild_accepts_the_log_signed_by_the_old_key() {
    rotation(false);
}

// --- the demo key's limits ---

/// Turn the example into a real directory (`demo: false`).
fn make_not_demo(root: &Path) {
    let settings = root.join("content/directory.yaml");
    let text = fs::read_to_string(&settings).unwrap();
    assert!(text.contains("\ndemo: true\n"));
    fs::write(&settings, text.replace("\ndemo: true\n", "\ndemo: false\n")).unwrap();
}

/// The version log of `root`, to compare before and after a build.
fn log_of(root: &Path) -> BTreeMap<String, Vec<u8>> {
    snapshot(&root.join("log"))
}

/// `pocdir build` with `--signing-key KEY`.
fn seal_with_key(root: &Path, out: &Path, key: &Path) -> support::Output {
    support::build(root, out, &["--signing-key", key.to_str().unwrap()])
}

/// A refused build wrote nothing in `out` and left the version log as it
/// was.
fn assert_nothing_written(root: &Path, out: &Path, log_before: &BTreeMap<String, Vec<u8>>) {
    assert!(snapshot(out).is_empty(), "nothing is written");
    assert_eq!(&log_of(root), log_before);
}

#[test]
fn a_directory_that_is_not_demo_needs_a_real_key() {
    let root = example();
    make_not_demo(root.path());
    let log_before = log_of(root.path());

    // With keys/demo still there, even naming the demo key: refused.
    let out = tempfile::tempdir().unwrap();
    let r = seal_with_key(
        root.path(),
        out.path(),
        &root.path().join("keys/demo/secretariat.key"),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("demo"), "{}", r.stderr);
    assert_nothing_written(root.path(), out.path(), &log_before);

    // Without keys/demo and without a key: no signing key, nothing written.
    fs::remove_dir_all(root.path().join("keys/demo")).unwrap();
    let r = seal(root.path(), out.path());
    assert_eq!(r.code, 1, "{}", r.stderr);
    // The example's secretariat key is labelled DEMO: in a directory that
    // is not a demo, check refuses it before any key is looked for.
    assert!(r.stderr.contains("error[demo-key]"), "{}", r.stderr);
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    assert_nothing_written(root.path(), out.path(), &log_before);

    // The site alone needs no key (once the secretariat key is not the
    // DEMO one, which check refuses in a real directory).
    let pub_path = root.path().join("keys/secretariat.pub");
    let relabelled = fs::read_to_string(&pub_path)
        .unwrap()
        .replacen("DEMO ", "", 1);
    fs::write(&pub_path, relabelled).unwrap();
    let r = support::build(root.path(), out.path(), &["--site-only"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(out.path().join("site/en/index.html").is_file());
    assert!(!out.path().join("bundles").exists());
    assert_eq!(log_of(root.path()), log_before);
}

/// The demo key's secret is published: copied out of keys/demo/, it must
/// still not seal a directory that is not `demo: true` (its file and the
/// public key both say DEMO).
#[test]
fn the_demo_key_copied_elsewhere_cannot_seal_a_real_directory() {
    let root = example();
    make_not_demo(root.path());
    let keys = tempfile::tempdir().unwrap();
    let copy = keys.path().join("secretariat.key");
    fs::copy(root.path().join("keys/demo/secretariat.key"), &copy).unwrap();
    fs::remove_dir_all(root.path().join("keys/demo")).unwrap();
    let log_before = log_of(root.path());
    let out = tempfile::tempdir().unwrap();
    let r = seal_with_key(root.path(), out.path(), &copy);
    assert_eq!(
        r.code, 1,
        "a directory that is not `demo: true` was sealed with the published DEMO key:\n{}",
        r.stderr
    );
    assert_nothing_written(root.path(), out.path(), &log_before);
}
