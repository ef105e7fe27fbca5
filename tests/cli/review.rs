//! Tests of `pocdir review` against real git repositories made in
//! temporary folders: each signal fires on its own case, not on a
//! harmless edit; the Markdown is snapshot-tested.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use crate::peers;
use crate::support::{self, Root};

fn git(dir: &Path, args: &[&str]) {
    peers::stdout_of(
        Command::new("git")
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
            .args(args),
    );
}

/// A repository holding the base fixture on `main`, with a branch `pr`
/// checked out.
fn repo() -> Root {
    let root = Root::base();
    commit_on_main_and_branch(&root);
    root
}

/// Commit what `root` holds on `main`, and check out a branch `pr` from it.
fn commit_on_main_and_branch(root: &Root) {
    for args in [
        &["init", "-q", "-b", "main"][..],
        &["add", "-A"],
        &["commit", "-q", "-m", "base"],
        &["checkout", "-q", "-b", "pr"],
    ] {
        git(root.path(), args);
    }
}

fn edit(root: &Root, rel: &str, from: &str, to: &str) {
    let p = root.path().join(rel);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{rel} has no {from:?}");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
}

/// `edit` in France's entry, content/states/FRA.yaml.
fn edit_fra(root: &Root, from: &str, to: &str) {
    edit(root, "content/states/FRA.yaml", from, to);
}

/// `pocdir review --root ROOT --as-of AS_OF` plus `extra`.
fn run_review(root: &Root, extra: &[&str]) -> support::Output {
    let mut args: Vec<&OsStr> = vec![
        "review".as_ref(),
        "--root".as_ref(),
        root.path().as_os_str(),
        "--as-of".as_ref(),
        support::AS_OF.as_ref(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    support::pocdir(args)
}

/// The review of `root` (exit code, JSON, Markdown).
fn review(root: &Root) -> (i32, serde_json::Value, String) {
    let run = |format: &str| run_review(root, &["--format", format]);
    let json = run("json");
    let md = run("markdown");
    assert_eq!(json.code, md.code);
    let v = serde_json::from_str(&json.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", json.stdout, json.stderr));
    (json.code, v, md.stdout)
}

/// France's first age recipient, in keys/states/FRA.yaml.
fn fra_age_recipient(root: &Root) -> String {
    let keys = std::fs::read_to_string(root.path().join("keys/states/FRA.yaml")).unwrap();
    keys.lines()
        .find(|l| l.trim_start().starts_with("- age1"))
        .unwrap()
        .trim()
        .trim_start_matches("- ")
        .to_string()
}

fn warn(kind: &str) -> (String, String) {
    ("warn".into(), kind.into())
}

fn block(kind: &str) -> (String, String) {
    ("block".into(), kind.into())
}

/// (severity, kind) of every signal of a review.
fn signals(v: &serde_json::Value) -> Vec<(String, String)> {
    v["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["severity"].as_str().unwrap().to_string(),
                s["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_typo_fix_in_a_note_raises_nothing() {
    let root = repo();
    edit_fra(
        &root,
        "the duty officer answers",
        "the duty officer replies",
    );
    let (code, v, _) = review(&root);
    assert_eq!(code, 0);
    assert_eq!(signals(&v), vec![], "{v}");
    assert_eq!(
        v["states"][0]["state"], "FRA",
        "the change itself is listed"
    );
}

#[test]
fn a_new_address_on_free_mail_without_provenance_warns() {
    let root = repo();
    edit_fra(&root, "cert@cert.fra.example", "cert@gmail.com");
    let (code, v, md) = review(&root);
    assert_eq!(code, 0, "warnings do not fail the review");
    assert_eq!(
        signals(&v),
        vec![warn("email-domain"), warn("no-provenance")]
    );
    insta::assert_snapshot!("review__free_mail", md);
}

#[test]
fn an_update_with_provenance_through_another_channel_warns_about_the_channel() {
    let root = repo();
    edit_fra(&root, "cert@cert.fra.example", "cert@cert2.fra.example");
    let (_, v, _) = review(&root);
    assert!(
        !signals(&v).contains(&warn("email-domain")),
        "same State domain: {v}"
    );
    edit_fra(
        &root,
        "provenance:\n",
        "provenance:\n  - date: \"2026-11-10\"\n    action: update\n    channel: email\n    reference: \"Email of 10 November 2026\"\n    verified: \"2026-11-12\"\n    verified_by: Secretariat (example officer A)\n",
    );
    let (code, v, _) = review(&root);
    assert_eq!(code, 0);
    assert_eq!(signals(&v), vec![warn("channel")], "{v}");
}

#[test]
fn a_new_recipient_blocks_until_acknowledged() {
    let root = repo();
    let old = fra_age_recipient(&root);
    let new = pocdir::sign::keygen::age_identity().1;
    edit(&root, "keys/states/FRA.yaml", &old, &new);
    let (code, v, md) = review(&root);
    assert_eq!(code, 1, "a block signal fails the review");
    assert_eq!(signals(&v), vec![block("accounts")]);
    assert!(md.contains("**block**"));
    let id = v["signals"][0]["id"].as_str().unwrap().to_string();
    // The reviewer, having verified with the Permanent Mission, acknowledges.
    git(root.path(), &["add", "-A"]);
    git(
        root.path(),
        &[
            "commit",
            "-q",
            "-m",
            &format!("New key for FRA\n\nPocdir-Acknowledge: {id}"),
        ],
    );
    let (code, v, md) = review(&root);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["signals"][0]["acknowledged"], true);
    assert!(md.contains("block (acknowledged)"));
}

#[test]
fn a_recipient_with_a_new_verification_record_only_warns() {
    let root = repo();
    let old = fra_age_recipient(&root);
    edit(
        &root,
        "keys/states/FRA.yaml",
        &old,
        &pocdir::sign::keygen::age_identity().1,
    );
    edit(
        &root,
        "keys/states/FRA.yaml",
        "reference: \"Note verbale NV/2026/0387 (example)\"",
        "reference: \"Note verbale NV/2026/0512 (example)\"",
    );
    let (code, v, _) = review(&root);
    assert_eq!(code, 0, "{v}");
    assert_eq!(signals(&v), vec![warn("accounts")]);
}

#[test]
fn the_secretariat_key_blocks_and_a_new_state_warns() {
    let root = repo();
    let kp = pocdir::sign::keygen::signing_keypair(None, "test").unwrap();
    root.write("keys/secretariat.pub", kp.1);
    let (code, v, _) = review(&root);
    assert_eq!(code, 1);
    assert_eq!(signals(&v), vec![block("secretariat-key")]);

    let root = repo();
    let fra = std::fs::read_to_string(root.path().join("content/states/FRA.yaml")).unwrap();
    root.write(
        "content/states/BEL.yaml",
        fra.replace("state: FRA", "state: BEL"),
    );
    let keys = std::fs::read_to_string(root.path().join("keys/states/FRA.yaml")).unwrap();
    root.write(
        "keys/states/BEL.yaml",
        keys.replace("state: FRA", "state: BEL"),
    );
    let (code, v, _) = review(&root);
    assert_eq!(code, 0);
    assert_eq!(signals(&v), vec![warn("state-added")]);
}

#[test]
fn a_head_that_fails_check_blocks() {
    let root = repo();
    edit_fra(&root, "cert@cert.fra.example", "not-an-address");
    let o = run_review(&root, &[]);
    assert_eq!(o.code, 1);
    assert!(
        o.stdout.contains("does not pass `pocdir check`"),
        "{}",
        o.stdout
    );
    assert!(o.stderr.contains("invalid-email"), "{}", o.stderr);
}

#[test]
fn an_address_on_a_domain_the_state_never_used_warns() {
    let root = repo();
    edit_fra(&root, "cert@cert.fra.example", "cert@cert-fra.example");
    let (_, v, _) = review(&root);
    assert!(signals(&v).contains(&warn("email-domain")), "{v}");
}

#[test]
fn every_poc_replaced_at_once_warns() {
    let root = repo();
    edit_fra(
        &root,
        "entity: Ministry for Europe and Foreign Affairs, Digital Affairs Division (example)",
        "entity: Another ministry (example)",
    );
    edit_fra(
        &root,
        "entity: National Cybersecurity Agency, CERT (example)",
        "entity: Another agency (example)",
    );
    let (_, v, _) = review(&root);
    assert!(signals(&v).contains(&warn("all-replaced")), "{v}");
}

#[test]
fn a_state_that_signs_its_updates_is_reported_signed_or_flagged() {
    // FRA registers an update-signing key (made by real minisign).
    let root = Root::base();
    let keys = tempfile::tempdir().unwrap();
    let (pk, sk) = peers::minisign_keypair(keys.path());
    let line = std::fs::read_to_string(&pk)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_string();
    let k = std::fs::read_to_string(root.path().join("keys/states/FRA.yaml")).unwrap();
    root.write(
        "keys/states/FRA.yaml",
        format!("{k}update_signing_key: \"{line}\"\n"),
    );
    commit_on_main_and_branch(&root);
    edit_fra(
        &root,
        "the duty officer answers",
        "the duty officer replies",
    );
    let state_signature = |v: &serde_json::Value| -> Vec<String> {
        v["signals"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["kind"] == "state-signature")
            .map(|s| s["severity"].as_str().unwrap().to_string())
            .collect()
    };
    // Unsigned: flagged.
    let (_, v, _) = review(&root);
    assert_eq!(state_signature(&v), vec!["warn"], "{v}");
    // Signed by the State: reported.
    let file = root.path().join("content/states/FRA.yaml");
    peers::minisign_sign_as_is(&sk, &file);
    let (code, v, _) = review(&root);
    assert_eq!(code, 0);
    assert_eq!(state_signature(&v), vec!["info"], "{v}");
    // Changed after signing: flagged.
    edit_fra(
        &root,
        "the duty officer replies",
        "the duty officer answers at once",
    );
    let (_, v, _) = review(&root);
    assert_eq!(state_signature(&v), vec!["warn"], "{v}");
}

#[test]
fn policy_changes_and_removed_states_warn() {
    let root = repo();
    edit(
        &root,
        "content/directory.yaml",
        "reverify_within_days: 365",
        "reverify_within_days: 900",
    );
    let (code, v, _) = review(&root);
    assert_eq!(code, 0);
    assert_eq!(signals(&v), vec![warn("policy")], "{v}");

    let root = repo();
    std::fs::remove_file(root.path().join("content/states/FRA.yaml")).unwrap();
    std::fs::remove_file(root.path().join("keys/states/FRA.yaml")).unwrap();
    let (_, v, _) = review(&root);
    assert_eq!(signals(&v), vec![warn("state-removed")], "{v}");
}

#[test]
fn one_change_touching_many_states_warns() {
    let root = Root::base();
    let fra = std::fs::read_to_string(root.path().join("content/states/FRA.yaml")).unwrap();
    let keys = std::fs::read_to_string(root.path().join("keys/states/FRA.yaml")).unwrap();
    let codes = ["BEL", "DEU", "ITA", "ESP", "NLD"];
    for c in codes {
        root.write(
            &format!("content/states/{c}.yaml"),
            fra.replace("state: FRA", &format!("state: {c}")),
        );
        root.write(
            &format!("keys/states/{c}.yaml"),
            keys.replace("state: FRA", &format!("state: {c}")),
        );
    }
    commit_on_main_and_branch(&root);
    for c in codes {
        edit(
            &root,
            &format!("content/states/{c}.yaml"),
            "+33199001234",
            "+33199001235",
        );
    }
    let (_, v, _) = review(&root);
    assert!(signals(&v).contains(&warn("many-states")), "{v}");
}
