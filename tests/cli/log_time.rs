//! The version log's time and size (issue #18): no version issued in the
//! future is accepted by `check`, `build` or `open`, and a time from a
//! fast clock is never carried onto a new version; the log has its own
//! size cap and works at 100,000 versions.
//!
//! Logs are written here as `build` writes them (JSON lines, each holding
//! the SHA-256 of the line before) and signed with the demo secretariat
//! key the way `build` signs them, then given to the real `pocdir`.

use std::ffi::OsString;
use std::fs;
use std::path::Path;

use sha2::Digest;

use crate::build::example;
use crate::support::{self, AS_OF};

const LOG: &str = "log/versions.jsonl";
const LOG_SIG: &str = "log/versions.jsonl.minisig";
const ZERO: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn sha256(data: &[u8]) -> String {
    sha2::Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One line of the log, as `build` writes it.
fn line(seq: u64, root: &str, issued: &str, prev: &str) -> String {
    format!(r#"{{"seq":{seq},"root":"{root}","issued":"{issued}","prev":"{prev}"}}"#)
}

/// The hash the next line must hold: of the log's last line.
fn last_hash(log: &str) -> String {
    log.lines()
        .last()
        .map_or(ZERO.to_string(), |l| sha256(l.as_bytes()))
}

/// Sign `root`'s log with the directory's demo secretariat key, with the
/// trusted comment `build` gives it.
fn sign_log(root: &Path) {
    let pk_text = fs::read_to_string(root.join("keys/secretariat.pub")).unwrap();
    let pk = pocdir::sign::PublicKey::from_file_text(&pk_text).unwrap();
    let sk =
        pocdir::directory::read::read_secret_key(&root.join("keys/demo/secretariat.key")).unwrap();
    let key = pocdir::sign::load_secret_key(&sk, None, &pk).unwrap();
    let text = fs::read_to_string(root.join(LOG)).unwrap();
    let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    let sig = key
        .sign(
            text.as_bytes(),
            &format!(
                "pocdir-log/1 seq={} root={}",
                last["seq"],
                last["root"].as_str().unwrap()
            ),
            "pocdir version log",
        )
        .unwrap();
    fs::write(root.join(LOG_SIG), sig).unwrap();
}

/// Append to `root`'s signed log a version issued at `issued` (a root no
/// build made), and sign it again: what a fast clock, or someone with the
/// key, leaves in the log.
fn append_signed(root: &Path, issued: &str) {
    let mut log = fs::read_to_string(root.join(LOG)).unwrap();
    let seq = log.lines().count() as u64 + 1;
    let l = line(
        seq,
        &sha256(format!("a version issued at {issued}").as_bytes()),
        issued,
        &last_hash(&log),
    );
    log.push_str(&l);
    log.push('\n');
    fs::write(root.join(LOG), log).unwrap();
    sign_log(root);
}

fn check(root: &Path, as_of: &str) -> support::Output {
    support::pocdir([
        OsString::from("check"),
        "--root".into(),
        root.into(),
        "--as-of".into(),
        as_of.into(),
    ])
}

fn build(root: &Path, out: &Path, as_of: &str) -> support::Output {
    support::pocdir([
        OsString::from("build"),
        "--root".into(),
        root.into(),
        "--out".into(),
        out.into(),
        "--as-of".into(),
        as_of.into(),
    ])
}

fn log_lines(root: &Path) -> Vec<serde_json::Value> {
    fs::read_to_string(root.join(LOG))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The log and its signature, to compare before and after.
fn log_files(root: &Path) -> (Vec<u8>, Vec<u8>) {
    (
        fs::read(root.join(LOG)).unwrap(),
        fs::read(root.join(LOG_SIG)).unwrap(),
    )
}

// --- 4. Times from a fast clock -------------------------------------------------

/// A version issued in 2999 (a fast clock, or a forged entry signed with
/// the key): `check` and `build` refuse the log, naming the version, its
/// time and this computer's clock; nothing is written.
#[test]
fn a_version_issued_in_the_future_is_refused_by_check_and_build() {
    let root = example();
    append_signed(root.path(), "2999-01-01T00:00:00Z");
    let before = log_files(root.path());

    let c = check(root.path(), AS_OF);
    assert_eq!(c.code, 1, "{}", c.stderr);
    assert!(
        c.stderr.contains(
            "error[future-version]: version 7 is issued at 2999-01-01T00:00:00Z, more than 5 minutes in the future: this computer's clock says "
        ),
        "{}",
        c.stderr
    );
    assert!(
        c.stderr.contains("--> log/versions.jsonl:7:1"),
        "{}",
        c.stderr
    );
    assert!(
        c.stderr
            .contains("clock was fast, or it was tampered with: review log/versions.jsonl"),
        "{}",
        c.stderr
    );

    let out = tempfile::tempdir().unwrap();
    let b = build(root.path(), out.path(), AS_OF);
    assert_eq!(b.code, 1, "{}", b.stderr);
    assert!(
        b.stderr
            .contains("error[future-version]: version 7 is issued at 2999-01-01T00:00:00Z"),
        "{}",
        b.stderr
    );
    assert!(b.stderr.contains("nothing was written"), "{}", b.stderr);
    assert_eq!(log_files(root.path()), before, "the log is untouched");
    assert!(!out.path().join("bundles").exists() && !out.path().join("site").exists());

    // Two versions in the future: the first is named, with the count.
    append_signed(root.path(), "2999-01-02T00:00:00Z");
    let c = check(root.path(), AS_OF);
    assert!(
        c.stderr
            .contains("version 7 (and the version after it) is issued at 2999-01-01T00:00:00Z"),
        "{}",
        c.stderr
    );
}

/// A synthetic directory (its keys never expire) built as of a day in
/// 2999: there the build's `--as-of` is later than this computer's clock,
/// and is the clock the log is judged by, to the second.
fn far_future_directory() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    pocdir::synth::write(dir.path(), 3, 1).unwrap();
    dir
}

fn change_content(root: &Path, title: &str) {
    let p = root.join("content/states/AFG.yaml");
    let text = fs::read_to_string(&p).unwrap();
    assert!(text.contains("title: Officer\n"));
    fs::write(
        &p,
        text.replacen("title: Officer\n", &format!("title: {title}\n"), 1),
    )
    .unwrap();
}

/// `build` judges to the second (beyond the 5-minute skew): a log whose
/// last version is later than the build's time is refused, with nothing
/// appended; within the skew the new version takes the last one's time,
/// never a later one.
#[test]
fn build_refuses_a_log_ahead_of_its_clock_and_carries_no_future_time() {
    let dir = far_future_directory();
    let root = dir.path();
    let out = tempfile::tempdir().unwrap();
    let b = build(root, out.path(), "2999-01-01T12:00:00Z");
    assert_eq!(b.code, 0, "{}", b.stderr);
    assert!(
        b.stderr
            .contains("version 1 (new), issued 2999-01-01T12:00:00Z"),
        "{}",
        b.stderr
    );

    // A changed directory built an hour earlier: refused, the log as it was.
    change_content(root, "Senior Officer");
    let before = log_files(root);
    let b = build(root, out.path(), "2999-01-01T11:00:00Z");
    assert_eq!(b.code, 1, "{}", b.stderr);
    assert!(
        b.stderr.contains(
            "log/versions.jsonl: version 1 is issued at 2999-01-01T12:00:00Z, more than 5 minutes in the future: the build's time is 2999-01-01T11:00:00Z (--as-of)"
        ),
        "{}",
        b.stderr
    );
    assert!(
        b.stderr
            .contains("hint: the log was written by a machine whose clock was fast"),
        "{}",
        b.stderr
    );
    assert_eq!(log_files(root), before, "nothing appended");
    // Six minutes earlier: still refused.
    let b = build(root, out.path(), "2999-01-01T11:54:00Z");
    assert_eq!(b.code, 1, "{}", b.stderr);
    assert_eq!(log_files(root), before);

    // Within the skew (four minutes earlier): version 2, issued at version
    // 1's time (never before it), not later.
    let b = build(root, out.path(), "2999-01-01T11:56:00Z");
    assert_eq!(b.code, 0, "{}", b.stderr);
    let log = log_lines(root);
    assert_eq!(log.len(), 2);
    assert_eq!(log[1]["issued"], "2999-01-01T12:00:00Z");

    // `check` judges a later `--as-of` day as a whole: the log is in the
    // future of 2998-12-31, not of 2999-01-01.
    let c = check(root, "2998-12-31");
    assert_eq!(c.code, 1, "{}", c.stderr);
    assert!(
        c.stderr.contains(
            "error[future-version]: version 1 (and the version after it) is issued at 2999-01-01T12:00:00Z, more than 5 minutes in the future: the day checked is 2998-12-31 (--as-of)"
        ),
        "{}",
        c.stderr
    );
    assert_eq!(check(root, "2999-01-01").code, 0);
}

/// The trusted comment's `issued=` time of a bundle's signature.
fn issued_of(sig: &Path) -> jiff::Timestamp {
    let text = fs::read_to_string(sig).unwrap();
    let comment = text
        .lines()
        .find_map(|l| l.strip_prefix("trusted comment: "))
        .unwrap();
    comment
        .split(' ')
        .find_map(|w| w.strip_prefix("issued="))
        .unwrap()
        .parse()
        .unwrap()
}

fn open(bundle: &Path, root: &Path, state: &Path, now: &str, extra: &[&str]) -> support::Output {
    let mut args: Vec<OsString> = vec![
        "open".into(),
        bundle.into(),
        "--identity".into(),
        root.join("keys/demo/states/FRA.key").into(),
        "--trust".into(),
        root.join("keys/secretariat.pub").into(),
        "--state-dir".into(),
        state.into(),
        "--no-extract".into(),
        "--now".into(),
        now.into(),
    ];
    args.extend(extra.iter().map(OsString::from));
    support::pocdir(args)
}

/// `open` on a computer whose clock is behind the bundle's signed issue
/// time by more than the skew refuses it (exit 6, even with
/// `--allow-expired`), naming both times, and records nothing; within the
/// skew it opens.
#[test]
fn open_refuses_a_bundle_issued_after_its_clock() {
    let root = example();
    let out = tempfile::tempdir().unwrap();
    let b = support::build(root.path(), out.path(), &[]);
    assert_eq!(b.code, 0, "{}", b.stderr);
    let bundle = out.path().join("bundles/FRA.tar.gz.age");
    let issued = issued_of(&out.path().join("bundles/FRA.tar.gz.age.minisig"));
    let ts = |minutes: i64| (issued - jiff::SignedDuration::from_mins(minutes)).to_string();
    let state = tempfile::tempdir().unwrap();
    let st = state.path().join("state");

    for extra in [&[][..], &["--allow-expired"][..]] {
        let o = open(&bundle, root.path(), &st, &ts(6), extra);
        assert_eq!(o.code, 6, "{extra:?}: {}", o.stderr);
        assert!(
            o.stderr.contains(&format!(
                "error[expired]: the bundle is issued at {issued}, but this computer's clock says {}: check this computer's clock; if it is right, report the bundle",
                ts(6)
            )),
            "{}",
            o.stderr
        );
        assert!(!st.join("accepted.json").exists(), "nothing recorded");
    }
    // A year behind: the same.
    let o = open(&bundle, root.path(), &st, &ts(365 * 24 * 60), &[]);
    assert_eq!(o.code, 6, "{}", o.stderr);

    let o = open(&bundle, root.path(), &st, &ts(4), &[]);
    assert_eq!(o.code, 0, "within the skew: {}", o.stderr);
    assert!(st.join("accepted.json").exists());
}

// --- 5. The log's size ------------------------------------------------------------

/// Write a chained log of `n` versions into `root`, issued a minute apart
/// from 2026-01-01, each with a root of its own (none the directory's), and
/// sign it as `build` does.
fn write_long_log(root: &Path, n: u64) {
    let start: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    let mut text = String::with_capacity(n as usize * 200);
    let mut prev = ZERO.to_string();
    let mut day = String::new();
    for seq in 1..=n {
        let (d, minute) = (seq / 1440, seq % 1440);
        if minute == 0 || day.is_empty() {
            let t = start + jiff::SignedDuration::from_hours(24 * d as i64);
            day = t.to_string()[..10].to_string();
        }
        let issued = format!("{day}T{:02}:{:02}:00Z", minute / 60, minute % 60);
        let l = line(
            seq,
            &pocdir::util::hash::sha256_hex(&seq.to_le_bytes()),
            &issued,
            &prev,
        );
        prev = pocdir::util::hash::sha256_hex(l.as_bytes());
        text.push_str(&l);
        text.push('\n');
    }
    fs::write(root.join(LOG), text).unwrap();
    sign_log(root);
}

/// 100,000 versions (some 19 MB, far over the 256 KiB of a State file and
/// the 16 MiB `review` reads of other files): `check` passes, and `build`
/// verifies the log, appends version 100,001 chained to the last line,
/// signs it, and publishes it.
#[test]
fn a_log_of_100000_versions_checks_and_builds() {
    let root = example();
    write_long_log(root.path(), 100_000);
    let size = fs::metadata(root.path().join(LOG)).unwrap().len();
    assert!(size > 16 * 1024 * 1024, "{size} bytes");

    let c = check(root.path(), AS_OF);
    assert_eq!(c.code, 0, "{}", c.stderr);

    let out = tempfile::tempdir().unwrap();
    let b = support::build(root.path(), out.path(), &[]);
    assert_eq!(b.code, 0, "{}", b.stderr);
    assert!(b.stderr.contains("version 100001 (new)"), "{}", b.stderr);

    let text = fs::read_to_string(root.path().join(LOG)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 100_001);
    let last: serde_json::Value = serde_json::from_str(lines[100_000]).unwrap();
    assert_eq!(last["seq"], 100_001);
    assert_eq!(last["prev"], sha256(lines[99_999].as_bytes()).as_str());
    let pk = pocdir::sign::PublicKey::from_file_text(
        &fs::read_to_string(root.path().join("keys/secretariat.pub")).unwrap(),
    )
    .unwrap();
    let sig = fs::read_to_string(root.path().join(LOG_SIG)).unwrap();
    let comment = pocdir::sign::verify(&pk, &sig, text.as_bytes()).expect("the new log is signed");
    assert!(
        comment.starts_with("pocdir-log/1 seq=100001 root="),
        "{comment}"
    );
    assert!(
        fs::read_to_string(out.path().join("bundles/FRA.tar.gz.age.minisig"))
            .unwrap()
            .contains(" seq=100001 "),
        "the bundles carry the new version"
    );
    assert_eq!(
        fs::read(out.path().join("site/versions.jsonl")).unwrap(),
        text.as_bytes(),
        "the site publishes the log"
    );
}

/// Over its own cap (64 MiB), the log is refused by name, with the cap.
#[test]
fn a_log_over_its_cap_is_refused_by_name() {
    let root = example();
    let f = fs::OpenOptions::new()
        .write(true)
        .open(root.path().join(LOG))
        .unwrap();
    f.set_len(64 * 1024 * 1024 + 1).unwrap();
    let c = check(root.path(), AS_OF);
    assert_eq!(c.code, 1, "{}", c.stderr);
    assert!(
        c.stderr.contains(
            "error[file-too-large]: file is 67108865 bytes; the limit is 67108864 bytes\n --> log/versions.jsonl\n"
        ),
        "{}",
        c.stderr
    );
    assert!(c.stderr.contains("the version log grows"), "{}", c.stderr);
    assert!(!c.stderr.contains("State's entry"), "{}", c.stderr);
}

/// `git -C DIR ARGS` (a fixed identity and date; the review's base day).
fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
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
        .env("GIT_AUTHOR_DATE", "2026-11-15T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-11-15T12:00:00Z")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `review` reads the log of a revision whole under the log's own cap (it
/// reads other files up to 16 MiB): a signed append to a log of 100,000
/// versions is information, as for a short log.
#[test]
fn review_reads_a_log_of_100000_versions() {
    let root = example();
    let dir = root.path();
    write_long_log(dir, 100_000);
    assert!(fs::metadata(dir.join(LOG)).unwrap().len() > 16 * 1024 * 1024);
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "base"]);
    git(dir, &["checkout", "-q", "-b", "pr"]);
    append_signed(dir, "2026-03-12T00:00:00Z");
    git(dir, &["commit", "-q", "-am", "version 100001"]);
    let r = support::pocdir([
        OsString::from("review"),
        "--root".into(),
        dir.into(),
        "--base".into(),
        "main".into(),
        "--head".into(),
        "HEAD".into(),
        "--as-of".into(),
        AS_OF.into(),
        "--format".into(),
        "json".into(),
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let log: Vec<&serde_json::Value> = v["signals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "version-log")
        .collect();
    assert_eq!(log.len(), 1, "{v}");
    assert_eq!(log[0]["severity"], "info", "{v}");
    assert_eq!(
        log[0]["reason"],
        "the version log appends version 100001, signed by the secretariat key"
    );
}
