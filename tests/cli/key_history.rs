//! Issue 18, point 1: the secretariat key's history is anchored in
//! `keys/anchor.pub` and verified in full by `check`, `review` and `build`.
//! The attack: whoever can commit makes a key X, writes into
//! `keys/rotations/` X's public key and a statement "X → the current key"
//! signed by X itself, appends to the version log an entry issued in 2036
//! and signs the log with X. Before, `build` trusted X (its own statement
//! led to the current key), accepted the log and signed it with the real
//! key; now nothing the history does not account for is trusted.

use std::fs;
use std::path::Path;

use crate::build::example;
use crate::peers::{minisign_keypair, minisign_sign};
use crate::support;

fn check(root: &Path) -> support::Output {
    support::pocdir([
        "check".as_ref(),
        "--root".as_ref(),
        root.as_os_str(),
        "--as-of".as_ref(),
        support::AS_OF.as_ref(),
    ])
}

/// The attack of the issue, on a copy of the example.
fn forged(root: &Path) {
    let keys = tempfile::tempdir().unwrap();
    let (x_pub, x_key) = minisign_keypair(keys.path());
    let current = root.join("keys/secretariat.pub");
    let rotations = root.join("keys/rotations");
    fs::create_dir_all(&rotations).unwrap();
    let current_id = fs::read_to_string(&current)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .split_whitespace()
        .last()
        .unwrap()
        .to_string();
    // Version 2 of the history naming X, signed by X alone (`keygen
    // rotate` writes what it is given, and says it is not complete).
    let r = support::pocdir([
        "keygen".as_ref(),
        "rotate".as_ref(),
        "--root".as_ref(),
        root.as_os_str(),
        "--secret-key".as_ref(),
        x_key.as_os_str(),
        "--new-public-key".as_ref(),
        x_pub.as_os_str(),
        "--new-public-key".as_ref(),
        current.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("not complete yet"), "{}", r.stderr);
    let _ = &current_id;
    // An entry issued in 2036, the log signed by X.
    let log = root.join("log/versions.jsonl");
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
    let entry = format!(
        "{{\"seq\":{seq},\"root\":\"{}\",\"issued\":\"2036-01-01T00:00:00Z\",\"prev\":\"{prev}\"}}\n",
        "f".repeat(64)
    );
    fs::write(&log, format!("{text}{entry}")).unwrap();
    minisign_sign(
        &x_key,
        &log,
        &root.join("log/versions.jsonl.minisig"),
        &format!("pocdir-log/1 seq={seq} root={}", "f".repeat(64)),
    );
}

#[test]
fn a_key_slipped_into_keys_rotations_is_refused_by_check_and_build() {
    let root = example();
    // The example is whole: its history is its one key.
    assert_eq!(check(root.path()).code, 0);
    forged(root.path());
    let r = check(root.path());
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("error[key-history]"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("keys/rotations/2.txt is not a version of the secretariat key's history"),
        "{}",
        r.stderr
    );
    let log_before = fs::read(root.path().join("log/versions.jsonl")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let b = support::build(root.path(), out.path(), &[]);
    assert_eq!(b.code, 1, "{}", b.stderr);
    assert!(!out.path().join("bundles").exists(), "no bundle sealed");
    assert_eq!(
        fs::read(root.path().join("log/versions.jsonl")).unwrap(),
        log_before,
        "the forged log is not signed again"
    );
}

#[test]
fn a_junk_file_in_keys_rotations_or_a_changed_anchor_is_an_error() {
    let root = example();
    let rotations = root.path().join("keys/rotations");
    fs::create_dir_all(&rotations).unwrap();
    fs::write(rotations.join("0123456789ABCDEF.pub"), "junk\n").unwrap();
    let r = check(root.path());
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "keys/rotations/0123456789ABCDEF.pub is not part of the secretariat key's history"
        ),
        "{}",
        r.stderr
    );
    fs::remove_dir_all(&rotations).unwrap();
    assert_eq!(check(root.path()).code, 0);
    // Another anchor: no history leads from it to the current key.
    let keys = tempfile::tempdir().unwrap();
    let (other, _) = minisign_keypair(keys.path());
    fs::copy(&other, root.path().join("keys/anchor.pub")).unwrap();
    let r = check(root.path());
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("not a key of the history's current set"),
        "{}",
        r.stderr
    );
}

/// The key history every bundle carries (issue #18) is read once the
/// bundle's signatures verified: a retired key that re-signs a genuine
/// bundle of a later version (its own history showing that key retired),
/// sent without the key history beside it to a State still pinned to that
/// key, is refused as signed by a retired key (exit 13), nothing recorded.
/// The example built and opened by France (pinning the demo key), then
/// moved to a new key N (version 2, signed by both) and built again with
/// N: (France's state folder, the second build's folder, N's public key).
struct Rotated {
    _tmp: tempfile::TempDir,
    _keys: tempfile::TempDir,
    root: support::Root,
    state: std::path::PathBuf,
    out2: std::path::PathBuf,
    new_pub: std::path::PathBuf,
}

fn rotated() -> Rotated {
    let root = example();
    let old_key = root.path().join("keys/demo/secretariat.key");
    let old_pub = root.path().join("keys/secretariat.pub");
    let fra_key = root.path().join("keys/demo/states/FRA.key");
    let tmp = tempfile::tempdir().unwrap();
    let out1 = tmp.path().join("out1");
    assert_eq!(support::build(root.path(), &out1, &[]).code, 0);
    let state = tmp.path().join("state");
    let sig1 = out1.join("bundles/FRA.tar.gz.age.minisig");
    let r = crate::bundle::open(
        &out1.join("bundles/FRA.tar.gz.age"),
        &fra_key,
        &state,
        &crate::bundle::now_for(&sig1),
        &[
            "--trust".as_ref(),
            old_pub.as_os_str(),
            "--no-extract".as_ref(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let keys = tempfile::tempdir().unwrap();
    let (new_pub, new_key) = minisign_keypair(keys.path());
    let r = support::pocdir([
        "keygen".as_ref(),
        "rotate".as_ref(),
        "--root".as_ref(),
        root.path().as_os_str(),
        "--secret-key".as_ref(),
        old_key.as_os_str(),
        "--secret-key".as_ref(),
        new_key.as_os_str(),
        "--new-public-key".as_ref(),
        new_pub.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    fs::copy(&new_pub, &old_pub).unwrap();
    let out2 = tmp.path().join("out2");
    let r = support::build(
        root.path(),
        &out2,
        &["--signing-key", new_key.to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    Rotated {
        _tmp: tmp,
        _keys: keys,
        root,
        state,
        out2,
        new_pub,
    }
}

/// The key history every bundle carries (issue #18) is read once the
/// bundle's signatures verified: a retired key that re-signs a genuine
/// bundle of a later version (its own history showing that key retired),
/// sent without the key history beside it to a State still pinned to that
/// key, is refused as signed by a retired key (exit 13), nothing recorded.
#[test]
fn a_bundle_whose_own_history_retired_its_signer_is_refused() {
    let r0 = rotated();
    let old_key = r0.root.path().join("keys/demo/secretariat.key");
    let fra_key = r0.root.path().join("keys/demo/states/FRA.key");
    let mail = r0.out2.parent().unwrap().join("mail");
    fs::create_dir_all(&mail).unwrap();
    let bundle = mail.join("FRA.tar.gz.age");
    fs::copy(r0.out2.join("bundles/FRA.tar.gz.age"), &bundle).unwrap();
    let tc = fs::read_to_string(r0.out2.join("bundles/FRA.tar.gz.age.minisig"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("trusted comment: "))
        .unwrap()
        .to_string();
    // The leaked old key signs that bundle again, same trusted comment.
    let sig = mail.join("FRA.tar.gz.age.minisig");
    minisign_sign(&old_key, &bundle, &sig, &tc);
    let before = crate::bundle::snapshot(&r0.state);
    let r = crate::bundle::open(
        &bundle,
        &fra_key,
        &r0.state,
        &crate::bundle::now_for(&sig),
        &["--no-extract".as_ref()],
    );
    assert_eq!(r.code, 13, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("error[retired-key]"), "{}", r.stderr);
    assert!(
        r.stderr.contains("leads past the keys that signed it"),
        "{}",
        r.stderr
    );
    assert_eq!(
        crate::bundle::snapshot(&r0.state),
        before,
        "nothing recorded"
    );
}

/// A lost pin after a rotation (issue #18): the State's records name the
/// old key; the site now shows the new one. `--trust` with the new key is
/// accepted when the key history beside the bundle leads to it from the
/// recorded key, and refused (nothing pinned) without it.
#[test]
fn a_lost_pin_is_pinned_again_to_a_key_the_history_leads_to() {
    let r0 = rotated();
    let fra_key = r0.root.path().join("keys/demo/states/FRA.key");
    fs::remove_file(r0.state.join("trusted.pub")).unwrap();
    let bundles = r0.out2.join("bundles");
    let sig = bundles.join("FRA.tar.gz.age.minisig");
    let now = crate::bundle::now_for(&sig);
    // Without the history: refused, nothing pinned.
    let mail = r0.out2.parent().unwrap().join("bare");
    fs::create_dir_all(&mail).unwrap();
    for f in ["FRA.tar.gz.age", "FRA.tar.gz.age.minisig"] {
        fs::copy(bundles.join(f), mail.join(f)).unwrap();
    }
    let trust = [
        "--trust".as_ref(),
        r0.new_pub.as_os_str(),
        "--no-extract".as_ref(),
    ];
    let r = crate::bundle::open(
        &mail.join("FRA.tar.gz.age"),
        &fra_key,
        &r0.state,
        &now,
        &trust,
    );
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("a lost pin is not a first use"),
        "{}",
        r.stderr
    );
    assert!(!r0.state.join("trusted.pub").exists());
    // Beside its key history: pinned again to the new key, opened.
    let r = crate::bundle::open(
        &bundles.join("FRA.tar.gz.age"),
        &fra_key,
        &r0.state,
        &now,
        &trust,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("pinned again from --trust, as the key history leads to it"),
        "{}",
        r.stderr
    );
    assert_eq!(
        fs::read_to_string(r0.state.join("trusted.pub"))
            .unwrap()
            .lines()
            .nth(1),
        fs::read_to_string(&r0.new_pub).unwrap().lines().nth(1)
    );
}

/// A rotation delivered by mail (issue #18): two rotations later (the
/// demo key → N → M), the message `pocdir mail` sends France carries the
/// key history beside the bundle; France, still pinned to the demo key,
/// opens the attachments as they arrived and follows both versions to M.
#[test]
fn a_rotation_by_mail_is_followed_by_a_state_pinned_two_keys_back() {
    let r0 = rotated();
    let root = r0.root.path();
    let tmp = r0.out2.parent().unwrap().to_path_buf();
    let keys = tempfile::tempdir().unwrap();
    let (m_pub, m_key) = minisign_keypair(keys.path());
    let n_key = r0.new_pub.with_file_name("minisign.key");
    let r = support::pocdir([
        "keygen".as_ref(),
        "rotate".as_ref(),
        "--root".as_ref(),
        root.as_os_str(),
        "--secret-key".as_ref(),
        n_key.as_os_str(),
        "--secret-key".as_ref(),
        m_key.as_os_str(),
        "--new-public-key".as_ref(),
        m_pub.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    fs::copy(&m_pub, root.join("keys/secretariat.pub")).unwrap();
    let out3 = tmp.join("out3");
    let r = support::build(root, &out3, &["--signing-key", m_key.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let bundles = out3.join("bundles");
    let now = crate::bundle::now_for(&bundles.join("FRA.tar.gz.age.minisig"));
    let outbox = tmp.join("outbox");
    let r = support::pocdir([
        "mail".as_ref(),
        "--root".as_ref(),
        root.as_os_str(),
        "--bundles".as_ref(),
        bundles.as_os_str(),
        "--now".as_ref(),
        now.as_ref(),
        "--only".as_ref(),
        "FRA".as_ref(),
        "--outbox".as_ref(),
        outbox.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let emls: Vec<std::path::PathBuf> = crate::peers::tree(&outbox)
        .into_keys()
        .filter(|p| p.ends_with(".eml"))
        .map(|p| outbox.join(p))
        .collect();
    assert!(!emls.is_empty(), "no message in the outbox");
    let paths: Vec<&Path> = emls.iter().map(|p| p.as_path()).collect();
    let received = tmp.join("received");
    fs::create_dir_all(&received).unwrap();
    let parsed = crate::smtp_server::parse_messages(&paths, &received);
    let d = Path::new(parsed[0]["dir"].as_str().unwrap());
    assert!(d.join("key-history.json").is_file(), "{}", parsed[0]);
    let r = crate::bundle::open(
        &d.join("FRA.tar.gz.age"),
        &root.join("keys/demo/states/FRA.key"),
        &r0.state,
        &now,
        &["--no-extract".as_ref()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let changed = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("The secretariat's keys changed"))
        .count();
    assert_eq!(changed, 2, "{}", r.stdout);
    assert_eq!(
        fs::read_to_string(r0.state.join("trusted.pub"))
            .unwrap()
            .lines()
            .nth(1),
        fs::read_to_string(&m_pub).unwrap().lines().nth(1)
    );
}
