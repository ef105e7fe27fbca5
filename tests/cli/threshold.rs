//! Issue 18, threshold signing (k of n) end to end: a directory whose
//! key set needs two of two officers. The build is prepared with one
//! key and says so; nothing it made is accepted (`open`, `mail`, the next
//! `build`) until the second officer signs it with `pocdir sign` on the
//! prepared build; each signature is a stock minisign signature the real
//! `minisign` verifies; `open` names both signers and checks a published
//! log's two signatures.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

use crate::build::example;
use crate::bundle::{now_for, open};
use crate::peers::minisign_keypair;
use crate::renewal::mail;
use crate::support;

struct Officer {
    public: PathBuf,
    secret: PathBuf,
    id: String,
    _dir: tempfile::TempDir,
}

fn officer() -> Officer {
    let dir = tempfile::tempdir().unwrap();
    let (public, secret) = minisign_keypair(dir.path());
    let id = key_id_of_sig(&public);
    Officer {
        public,
        secret,
        id,
        _dir: dir,
    }
}

/// The example's key history moved to {A, B}, 2 of 2 (signed by the demo
/// key it replaces and by A and B), with A's key in keys/secretariat.pub.
fn two_of_two(root: &Path, a: &Officer, b: &Officer) {
    let demo = root.join("keys/demo/secretariat.key");
    let r = support::pocdir([
        "keygen".as_ref(),
        "rotate".as_ref(),
        "--root".as_ref(),
        root.as_os_str(),
        "--secret-key".as_ref(),
        demo.as_os_str(),
        "--secret-key".as_ref(),
        a.secret.as_os_str(),
        "--secret-key".as_ref(),
        b.secret.as_os_str(),
        "--new-public-key".as_ref(),
        a.public.as_os_str(),
        "--new-public-key".as_ref(),
        b.public.as_os_str(),
        "--threshold".as_ref(),
        "2".as_ref(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    fs::copy(&a.public, root.join("keys/secretariat.pub")).unwrap();
}

fn build_with(root: &Path, out: &Path, key: &Path) -> support::Output {
    support::build(root, out, &["--signing-key", key.to_str().unwrap()])
}

fn sign(root: &Path, who: &Officer, what: &[&OsStr]) -> support::Output {
    let mut args: Vec<&OsStr> = vec![
        "sign".as_ref(),
        "--root".as_ref(),
        root.as_os_str(),
        "--secret-key".as_ref(),
        who.secret.as_os_str(),
    ];
    args.extend_from_slice(what);
    support::pocdir(args)
}

fn key_id_of_sig(path: &Path) -> String {
    use base64::Engine;
    let text = fs::read_to_string(path).unwrap();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(text.lines().nth(1).unwrap().trim())
        .unwrap();
    raw[2..10]
        .iter()
        .rev()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// The real minisign verifies `file` against `sig` with `public`.
fn minisign_verifies(public: &Path, file: &Path, sig: &Path) -> bool {
    support::peer("minisign")
        .args(["-V", "-q", "-p"])
        .arg(public)
        .arg("-m")
        .arg(file)
        .arg("-x")
        .arg(sig)
        .status()
        .unwrap()
        .success()
}

#[test]
fn two_officers_must_sign_every_bundle_and_the_log() {
    let root = example();
    let (a, b) = (officer(), officer());
    two_of_two(root.path(), &a, &b);
    let fra_key = root.path().join("keys/demo/states/FRA.key");

    // 1. Officer A prepares the build: it says a second signature is due.
    let out = tempfile::tempdir().unwrap();
    let r = build_with(root.path(), out.path(), &a.secret);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("needs 2 signatures, and this build carries 1")
            && r.stderr.contains("pocdir sign --root"),
        "{}",
        r.stderr
    );
    let bundles = out.path().join("bundles");
    let bundle = bundles.join("FRA.tar.gz.age");
    let sig1 = bundles.join("FRA.tar.gz.age.minisig");
    assert_eq!(key_id_of_sig(&sig1), a.id);
    assert!(!bundles.join("FRA.tar.gz.age.minisig.2").exists());
    let log_sig2 = root.path().join("log/versions.jsonl.minisig.2");
    assert!(!log_sig2.exists());

    // Nothing is accepted with one signature: open, mail, the next build.
    let state = tempfile::tempdir().unwrap();
    let now = now_for(&sig1);
    let trust = ["--trust".as_ref(), a.public.as_os_str()];
    let r = open(&bundle, &fra_key, state.path(), &now, &trust);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(
        r.stderr.contains("1 signature(s)") && r.stderr.contains("2 are needed"),
        "{}",
        r.stderr
    );
    let r = mail(root.path(), &bundles, &now, &["--dry-run"]);
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("2 needed"), "{}", r.stderr);
    let again = tempfile::tempdir().unwrap();
    let r = build_with(root.path(), again.path(), &a.secret);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("carries 1 signature(s) by the secretariat's current keys")
            && r.stderr.contains("pocdir sign --log"),
        "{}",
        r.stderr
    );
    // A signature by a key outside the set counts for nothing.
    let c = officer();
    let r = sign(root.path(), &c, &["--log".as_ref()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!log_sig2.exists());

    // 2. Officer B signs the prepared build (on another machine: only the
    // build's folder and the directory are needed).
    let r = sign(root.path(), &b, &["--out".as_ref(), out.path().as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for (file, sig) in [
        (bundle.clone(), bundles.join("FRA.tar.gz.age.minisig.2")),
        (
            bundles.join("versions.jsonl"),
            bundles.join("versions.jsonl.minisig.2"),
        ),
        (
            out.path().join("site/versions.jsonl"),
            out.path().join("site/versions.jsonl.minisig.2"),
        ),
        (root.path().join("log/versions.jsonl"), log_sig2.clone()),
    ] {
        assert_eq!(key_id_of_sig(&sig), b.id, "{}", sig.display());
        // Stock minisign: B's signature with B's key, A's with A's.
        assert!(
            minisign_verifies(&b.public, &file, &sig),
            "{}",
            sig.display()
        );
        let first = PathBuf::from(format!("{}.minisig", file.display()));
        assert!(
            minisign_verifies(&a.public, &file, &first),
            "{}",
            first.display()
        );
        assert!(!minisign_verifies(&a.public, &file, &sig));
    }
    // Signing twice adds nothing.
    let r = sign(root.path(), &b, &["--out".as_ref(), out.path().as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!bundles.join("FRA.tar.gz.age.minisig.3").exists());

    // 3. Now France opens it; both signers are named; the published log
    // with its two signatures vouches for it.
    let r = open(
        &bundle,
        &fra_key,
        state.path(),
        &now,
        &[
            "--trust".as_ref(),
            a.public.as_os_str(),
            "--log".as_ref(),
            bundles.join("versions.jsonl").as_os_str(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (x, y) = if a.id < b.id {
        (&a.id, &b.id)
    } else {
        (&b.id, &a.id)
    };
    assert!(
        r.stdout.contains(&format!(
            "signed by the secretariat keys {}, {}",
            a.id, b.id
        )) || r
            .stdout
            .contains(&format!("signed by the secretariat keys {x}, {y}")),
        "{}",
        r.stdout
    );
    // The published log with one of its two signatures is refused.
    let log_copy = tempfile::tempdir().unwrap();
    let one = log_copy.path().join("versions.jsonl");
    fs::copy(bundles.join("versions.jsonl"), &one).unwrap();
    fs::copy(
        bundles.join("versions.jsonl.minisig"),
        log_copy.path().join("versions.jsonl.minisig"),
    )
    .unwrap();
    let state2 = tempfile::tempdir().unwrap();
    let r = open(
        &bundle,
        &fra_key,
        state2.path(),
        &now,
        &[
            "--trust".as_ref(),
            a.public.as_os_str(),
            "--log".as_ref(),
            one.as_os_str(),
        ],
    );
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("2 needed"), "{}", r.stderr);

    // Mail sends it, with both signatures attached.
    let outbox = tempfile::tempdir().unwrap();
    let r = mail(
        root.path(),
        &bundles,
        &now,
        &["--only", "FRA", "--outbox", outbox.path().to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let eml = fs::read_dir(outbox.path())
        .unwrap()
        .flatten()
        .map(|e| fs::read_to_string(e.path()).unwrap_or_default())
        .find(|t| t.contains("FRA.tar.gz.age.minisig.2"));
    assert!(
        eml.is_some(),
        "no message attaches FRA.tar.gz.age.minisig.2"
    );

    // 4. The countersigned log: the next build continues it, and keeps
    // both signatures while the content is unchanged. Into a new folder
    // its bundles are sealed again, by A alone: it says a signature is due.
    let r = build_with(root.path(), again.path(), &a.secret);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("this build carries 1"), "{}", r.stderr);
    assert_eq!(key_id_of_sig(&log_sig2), b.id);
    assert!(
        again
            .path()
            .join("bundles/versions.jsonl.minisig.2")
            .is_file()
    );
    assert!(
        !again
            .path()
            .join("bundles/FRA.tar.gz.age.minisig.2")
            .exists()
    );
    // Over the countersigned build itself: its bundles are kept as they
    // are, with B's signatures beside them, and nothing is due.
    use std::os::unix::fs::MetadataExt;
    let inode = fs::metadata(&bundle).unwrap().ino();
    let sig2 = bundles.join("FRA.tar.gz.age.minisig.2");
    let r = build_with(root.path(), out.path(), &a.secret);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("needs 2 signatures"), "{}", r.stderr);
    assert_eq!(fs::metadata(&bundle).unwrap().ino(), inode);
    assert!(minisign_verifies(&b.public, &bundle, &sig2));
    assert!(minisign_verifies(
        &b.public,
        &bundles.join("versions.jsonl"),
        &bundles.join("versions.jsonl.minisig.2")
    ));
    let r = mail(root.path(), &bundles, &now, &["--only", "FRA", "--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A second signature that no longer verifies (another bundle's, put
    // in its place) is dropped, and the build says so and what is due.
    let other = fs::read_dir(&bundles)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.ends_with(".tar.gz.age.minisig.2") && !n.starts_with("FRA")
        })
        .unwrap();
    fs::copy(&other, &sig2).unwrap();
    let r = build_with(root.path(), out.path(), &a.secret);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("dropped signature file(s)")
            && r.stderr.contains("FRA.tar.gz.age.minisig.2")
            && r.stderr.contains("this build carries 1"),
        "{}",
        r.stderr
    );
    assert!(!sig2.exists());
    assert!(other.is_file(), "a valid second signature was dropped");
    let other_bundle = PathBuf::from(other.to_string_lossy().trim_end_matches(".minisig.2"));
    assert!(minisign_verifies(&b.public, &other_bundle, &other));
    // A link in its place, even to a valid signature, is never followed.
    let elsewhere = tempfile::tempdir().unwrap();
    let valid = elsewhere.path().join("valid.minisig");
    fs::copy(&other, &valid).unwrap();
    fs::remove_file(&other).unwrap();
    std::os::unix::fs::symlink(&valid, &other).unwrap();
    let r = build_with(root.path(), out.path(), &a.secret);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let name = other.file_name().unwrap().to_string_lossy().into_owned();
    assert!(r.stderr.contains(&name), "{}", r.stderr);
    assert!(fs::symlink_metadata(&other).is_err(), "the link was kept");

    // 5. A change: a new version, signed by A alone again; the stale
    // second signature of the earlier text is removed, not left to fail.
    let fra = root.path().join("content/states/FRA.yaml");
    let text = fs::read_to_string(&fra).unwrap();
    fs::write(
        &fra,
        text.replacen("the duty officer answers", "the duty officer replies", 1),
    )
    .unwrap();
    let third = tempfile::tempdir().unwrap();
    let r = build_with(root.path(), third.path(), &a.secret);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("this build carries 1"), "{}", r.stderr);
    assert!(
        !log_sig2.exists(),
        "the earlier text's second signature was left"
    );
    // Officer B signs the directory's log alone (`--log`): the next build
    // goes on.
    let r = sign(root.path(), &b, &["--log".as_ref()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(minisign_verifies(
        &b.public,
        &root.path().join("log/versions.jsonl"),
        &log_sig2
    ));
    let fourth = tempfile::tempdir().unwrap();
    let r = build_with(root.path(), fourth.path(), &b.secret);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// The attack threshold signing stops: a thief with officer A's key alone
/// appends a version of their own to the log and signs it with A; the
/// next build (by either officer) refuses it.
#[test]
fn one_stolen_key_cannot_make_a_log_that_build_continues() {
    let root = example();
    let (a, b) = (officer(), officer());
    two_of_two(root.path(), &a, &b);
    let out = tempfile::tempdir().unwrap();
    assert_eq!(build_with(root.path(), out.path(), &a.secret).code, 0);
    assert_eq!(
        sign(root.path(), &b, &["--out".as_ref(), out.path().as_os_str()]).code,
        0
    );
    // The thief's entry, then the log signed with A alone.
    let log = root.path().join("log/versions.jsonl");
    let text = fs::read_to_string(&log).unwrap();
    let last = text.lines().last().unwrap();
    let v: serde_json::Value = serde_json::from_str(last).unwrap();
    let seq = v["seq"].as_u64().unwrap() + 1;
    let prev = {
        use sha2::{Digest, Sha256};
        Sha256::digest(last.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    fs::write(
        &log,
        format!(
            "{text}{{\"seq\":{seq},\"root\":\"{}\",\"issued\":\"{}\",\"prev\":\"{prev}\"}}\n",
            "f".repeat(64),
            (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1))
                .round(jiff::Unit::Second)
                .unwrap()
        ),
    )
    .unwrap();
    fs::remove_file(root.path().join("log/versions.jsonl.minisig.2")).unwrap();
    crate::peers::minisign_sign(
        &a.secret,
        &log,
        &root.path().join("log/versions.jsonl.minisig"),
        &format!("pocdir-log/1 seq={seq} root={}", "f".repeat(64)),
    );
    for who in [&a, &b] {
        let o = tempfile::tempdir().unwrap();
        let r = build_with(root.path(), o.path(), &who.secret);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(
            r.stderr.contains("needs 2") && r.stderr.contains("not countersigned"),
            "{}",
            r.stderr
        );
        assert!(!o.path().join("bundles").exists());
    }
}

fn git(dir: &Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@secretariat.example",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

fn commit(dir: &Path) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", "change"]);
}

/// `pocdir review` of the branch against main: exit code and the
/// version-log signal's severity.
fn review_log(dir: &Path) -> (i32, String, String) {
    let r = support::pocdir([
        "review",
        "--root",
        dir.to_str().unwrap(),
        "--base",
        "main",
        "--head",
        "HEAD",
        "--as-of",
        support::AS_OF,
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr));
    let signal = v["signals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "version-log")
        .cloned()
        .unwrap_or_default();
    (
        r.code,
        signal["severity"].as_str().unwrap_or_default().to_string(),
        signal["reason"].as_str().unwrap_or_default().to_string(),
    )
}

/// Review holds the log to the base's threshold: a pull request bringing
/// a version signed by one officer of a 2-of-2 set is blocked until the
/// second signature is added.
#[test]
fn review_blocks_a_log_one_officer_signed_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ex");
    let o = support::pocdir(["init".as_ref(), dir.as_os_str(), "--example".as_ref()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let (a, b) = (officer(), officer());
    two_of_two(&dir, &a, &b);
    let out = tmp.path().join("dist");
    assert_eq!(build_with(&dir, &out, &a.secret).code, 0);
    assert_eq!(sign(&dir, &b, &["--log".as_ref()]).code, 0);
    git(&dir, &["init", "-q", "-b", "main"]);
    commit(&dir);
    git(&dir, &["checkout", "-q", "-b", "pr"]);

    let fra = dir.join("content/states/FRA.yaml");
    let text = fs::read_to_string(&fra).unwrap();
    fs::write(
        &fra,
        text.replacen("the duty officer answers", "the duty officer replies", 1),
    )
    .unwrap();
    let r = build_with(&dir, &out, &a.secret);
    assert_eq!(r.code, 0, "{}", r.stderr);
    commit(&dir);
    let (code, severity, reason) = review_log(&dir);
    assert_eq!((code, severity.as_str()), (1, "block"), "{reason}");
    assert!(
        reason.contains("1 valid signature(s)") && reason.contains("2 needed"),
        "{reason}"
    );

    assert_eq!(sign(&dir, &b, &["--log".as_ref()]).code, 0);
    commit(&dir);
    let (code, severity, reason) = review_log(&dir);
    assert_eq!(severity, "info", "{reason}");
    assert_eq!(code, 0, "{reason}");
}

/// A second officer joins the current key (the demo key → {demo key, B},
/// 2 of 2): the log the demo key signed alone under the set before is
/// continued by the first build after the rotation, which then asks for
/// B's signature; the build after that needs it.
#[test]
fn a_second_officer_joins_the_current_key() {
    let root = example();
    let b = officer();
    let demo = root.path().join("keys/demo/secretariat.key");
    let demo_pub = root.path().join("keys/secretariat.pub");
    let r = support::pocdir([
        "keygen".as_ref(),
        "rotate".as_ref(),
        "--root".as_ref(),
        root.path().as_os_str(),
        "--secret-key".as_ref(),
        demo.as_os_str(),
        "--secret-key".as_ref(),
        b.secret.as_os_str(),
        "--new-public-key".as_ref(),
        demo_pub.as_os_str(),
        "--new-public-key".as_ref(),
        b.public.as_os_str(),
        "--threshold".as_ref(),
        "2".as_ref(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = tempfile::tempdir().unwrap();
    let r = support::build(root.path(), out.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("this build carries 1"), "{}", r.stderr);
    // A new version, issued after the rotation, signed by the demo key
    // alone: the next build needs B's signature first.
    let fra = root.path().join("content/states/FRA.yaml");
    let text = fs::read_to_string(&fra).unwrap();
    fs::write(
        &fra,
        text.replacen("the duty officer answers", "the duty officer replies", 1),
    )
    .unwrap();
    let later = (jiff::Zoned::now().date() + jiff::Span::new().days(2)).to_string();
    let build_later = |out: &Path| {
        support::pocdir([
            "build".as_ref(),
            "--root".as_ref(),
            root.path().as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
            "--as-of".as_ref(),
            OsStr::new(&later),
        ])
    };
    let r = build_later(out.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let again = tempfile::tempdir().unwrap();
    let r = build_later(again.path());
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("not countersigned"), "{}", r.stderr);
    assert_eq!(sign(root.path(), &b, &["--log".as_ref()]).code, 0);
    let r = build_later(again.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
}
