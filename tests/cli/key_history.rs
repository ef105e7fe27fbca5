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
