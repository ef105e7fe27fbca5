//! Tests of `pocdir review` against real git repositories made in
//! temporary folders, one per case: each attack of issue #12 is caught,
//! each rule fires on its own case and not on a harmless edit, only a
//! base reviewer's acknowledgement of the exact change lifts a block. The
//! Markdown of a realistic change is snapshot-tested.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::peers;
use crate::support::{self, Root};

/// When every test commit is made (the base revision's day, before which
/// a verification record is not new).
const COMMIT_DATE: &str = "2026-11-15T12:00:00Z";

fn git_out(dir: &Path, args: &[&str]) -> String {
    String::from_utf8(peers::stdout_of(
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
            .env("GIT_AUTHOR_DATE", COMMIT_DATE)
            .env("GIT_COMMITTER_DATE", COMMIT_DATE)
            .args(args),
    ))
    .unwrap()
}

fn git(dir: &Path, args: &[&str]) {
    git_out(dir, args);
}

/// Commit everything in the working tree.
fn commit(dir: &Path, msg: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", msg]);
}

/// A reviewer: login, public key file text, secret key file (outside the
/// repository).
struct Reviewer {
    login: &'static str,
    public: String,
    secret: PathBuf,
}

fn reviewer(root: &Root, login: &'static str) -> Reviewer {
    let (sk, pk) = pocdir::sign::keygen::signing_keypair_with(
        None,
        pocdir::sign::kdf::INTERACTIVE,
        "reviewer",
    )
    .unwrap();
    let secret = root.outside().join(format!("{login}.key"));
    std::fs::write(&secret, sk.as_bytes()).unwrap();
    Reviewer {
        login,
        public: pk,
        secret,
    }
}

/// A repository holding the base fixture and two reviewers (alice, bob)
/// on `main`, with a branch `pr` checked out.
fn repo() -> (Root, Reviewer, Reviewer) {
    let root = Root::base();
    let (alice, bob) = (reviewer(&root, "alice"), reviewer(&root, "bob"));
    for r in [&alice, &bob] {
        root.write(&format!("keys/reviewers/{}.pub", r.login), &r.public);
    }
    main_and_branch(root.path());
    (root, alice, bob)
}

fn main_and_branch(dir: &Path) {
    git(dir, &["init", "-q", "-b", "main"]);
    commit(dir, "base");
    git(dir, &["checkout", "-q", "-b", "pr"]);
}

fn edit(root: &Path, rel: &str, from: &str, to: &str) {
    let p = root.join(rel);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{rel} has no {from:?}");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
}

fn edit_fra(root: &Root, from: &str, to: &str) {
    edit(root.path(), "content/states/FRA.yaml", from, to);
}

/// `pocdir review --root ROOT --base main --head HEAD --as-of AS_OF` plus
/// `extra`.
fn run_review(root: &Path, extra: &[&str]) -> support::Output {
    let mut args: Vec<&OsStr> = vec![
        "review".as_ref(),
        "--root".as_ref(),
        root.as_os_str(),
        "--base".as_ref(),
        "main".as_ref(),
        "--head".as_ref(),
        "HEAD".as_ref(),
        "--as-of".as_ref(),
        support::AS_OF.as_ref(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    support::pocdir(args)
}

/// Commit what the working tree holds, then review it as CI does: exit
/// code, JSON, Markdown.
fn review_with(root: &Path, extra: &[&str]) -> (i32, serde_json::Value, String) {
    commit(root, "change");
    let with = |format: &str| {
        let mut a = extra.to_vec();
        a.extend(["--format", format]);
        run_review(root, &a)
    };
    let json = with("json");
    let md = with("markdown");
    assert_eq!(json.code, md.code, "{}", md.stderr);
    let v = serde_json::from_str(&json.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", json.stdout, json.stderr));
    (json.code, v, md.stdout)
}

fn review(root: &Root) -> (i32, serde_json::Value, String) {
    review_with(root.path(), &[])
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

fn has(v: &serde_json::Value, severity: &str, kind: &str) -> bool {
    signals(v).contains(&(severity.to_string(), kind.to_string()))
}

/// The first signal of `kind`.
fn signal<'a>(v: &'a serde_json::Value, kind: &str) -> &'a serde_json::Value {
    v["signals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} signal: {v}"))
}

fn fra_age_recipient(root: &Root) -> String {
    let keys = std::fs::read_to_string(root.path().join("keys/states/FRA.yaml")).unwrap();
    keys.lines()
        .find(|l| l.trim_start().starts_with("- age1"))
        .unwrap()
        .trim()
        .trim_start_matches("- ")
        .to_string()
}

/// Swap France's recipient for a fresh one.
fn swap_fra_recipient(root: &Root) -> String {
    let old = fra_age_recipient(root);
    let new = pocdir::sign::keygen::age_identity().1;
    edit(root.path(), "keys/states/FRA.yaml", &old, &new);
    new
}

/// `pocdir review --acknowledge ID --secret-key KEY` (no --proposed-by).
fn acknowledge(root: &Root, id: &str, r: &Reviewer) -> support::Output {
    run_review(
        root.path(),
        &[
            "--acknowledge",
            id,
            "--secret-key",
            r.secret.to_str().unwrap(),
        ],
    )
}

fn ack_status(v: &serde_json::Value) -> Vec<String> {
    v["acknowledgements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_str().unwrap().to_string())
        .collect()
}

// --- Harmless edits --------------------------------------------------------------

#[test]
fn a_typo_fix_in_a_note_raises_nothing() {
    let (root, ..) = repo();
    edit_fra(
        &root,
        "the duty officer answers",
        "the duty officer replies",
    );
    let (code, v, md) = review(&root);
    assert_eq!(code, 0);
    assert_eq!(signals(&v), vec![], "{v}");
    assert_eq!(v["files"][0]["path"], "content/states/FRA.yaml");
    assert!(
        md.contains("duty officer replies"),
        "the change is shown: {md}"
    );
}

// --- 1. A new State with its own recipients ----------------------------------------

#[test]
fn a_new_state_with_its_own_recipients_blocks() {
    let (root, ..) = repo();
    add_state(&root, "BEL");
    let (code, v, _) = review(&root);
    assert_eq!(code, 1, "{v}");
    assert!(has(&v, "block", "state-added"), "{v}");
    assert!(
        signal(&v, "state-added")["after"]
            .as_str()
            .unwrap()
            .contains("age1"),
        "the recipients are shown: {v}"
    );
}

fn add_state(root: &Root, code: &str) {
    let fra = std::fs::read_to_string(root.path().join("content/states/FRA.yaml")).unwrap();
    root.write(
        &format!("content/states/{code}.yaml"),
        fra.replace("state: FRA", &format!("state: {code}")),
    );
    let keys = std::fs::read_to_string(root.path().join("keys/states/FRA.yaml")).unwrap();
    root.write(
        &format!("keys/states/{code}.yaml"),
        keys.replace("state: FRA", &format!("state: {code}")),
    );
}

// --- 2. Files hidden from the review -------------------------------------------------

#[test]
fn export_ignore_hides_nothing() {
    // New files marked export-ignore by the pull request itself.
    let (root, ..) = repo();
    add_state(&root, "BEL");
    root.write(
        ".gitattributes",
        "content/states/BEL.yaml export-ignore\nkeys/states/BEL.yaml export-ignore\n",
    );
    let (code, v, _) = review(&root);
    assert_eq!(code, 1, "{v}");
    assert!(has(&v, "block", "state-added"), "{v}");
    assert!(has(&v, "warn", "git-config"), "{v}");

    // An existing State's files hidden while its recipient is swapped.
    let (root, ..) = repo();
    swap_fra_recipient(&root);
    root.write(
        ".gitattributes",
        "content/states/FRA.yaml export-ignore\nkeys/states/FRA.yaml export-ignore\n",
    );
    let (code, v, _) = review(&root);
    assert_eq!(code, 1, "{v}");
    assert!(has(&v, "block", "accounts"), "{v}");
    assert!(!has(&v, "warn", "state-removed"), "{v}");
}

// --- 3. Acknowledgements ------------------------------------------------------------

#[test]
fn a_reviewer_acknowledgement_lifts_exactly_its_own_signal() {
    let (root, alice, bob) = repo();
    swap_fra_recipient(&root);
    edit(
        root.path(),
        "content/directory.yaml",
        "validity_days: 60",
        "validity_days: 90",
    );
    let (code, v, md) = review_with(root.path(), &["--proposed-by", "alice"]);
    assert_eq!(code, 1);
    assert!(md.contains("**2 blocks**"), "{md}");
    let accounts = signal(&v, "accounts");
    let (id, digest) = (
        accounts["id"].as_str().unwrap().to_string(),
        accounts["digest"].as_str().unwrap().to_string(),
    );

    // A commit trailer lifts nothing any more.
    git(
        root.path(),
        &[
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            &format!("ok\n\nPocdir-Acknowledge: {id}"),
        ],
    );
    let (code, v, _) = review_with(root.path(), &["--proposed-by", "alice"]);
    assert_eq!(code, 1);
    assert_eq!(
        signal(&v, "accounts")["acknowledged_by"],
        serde_json::json!([])
    );

    // The author acknowledging their own change lifts nothing.
    let o = acknowledge(&root, &id, &alice);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let (code, v, _) = review_with(root.path(), &["--proposed-by", "alice"]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(ack_status(&v), vec!["self-acknowledged"]);

    // Bob, the other reviewer, acknowledges the key swap: that block is
    // lifted; the policy block is not.
    let o = acknowledge(&root, &id, &bob);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let file = format!("reviews/{id}.bob.minisig");
    assert_eq!(o.stdout.trim(), file);
    let (code, v, md) = review_with(root.path(), &["--proposed-by", "alice"]);
    assert_eq!(code, 1, "the policy block remains: {v}");
    assert_eq!(
        signal(&v, "accounts")["acknowledged_by"],
        serde_json::json!(["bob"])
    );
    assert_eq!(
        signal(&v, "policy")["acknowledged_by"],
        serde_json::json!([])
    );
    assert!(md.contains("block (acknowledged by bob)"), "{md}");

    // The stock minisign agrees the acknowledgement signs that change.
    let msg = root.outside().join("ack-message");
    std::fs::write(&msg, format!("pocdir-acknowledge/1 {digest}\n")).unwrap();
    let pk = root.path().join("keys/reviewers/bob.pub");
    let out = peers::minisign_verify(&msg, &root.path().join(&file), &pk);
    assert!(out.contains("by bob"), "{out}");

    // Bob acknowledges the policy change too: nothing blocks.
    let policy = signal(&v, "policy")["id"].as_str().unwrap().to_string();
    assert_eq!(acknowledge(&root, &policy, &bob).code, 0);
    let (code, v, _) = review_with(root.path(), &["--proposed-by", "alice"]);
    assert_eq!(code, 0, "{v}");
}

#[test]
fn a_stale_acknowledgement_lifts_nothing() {
    let (root, _, bob) = repo();
    swap_fra_recipient(&root);
    let (_, v, _) = review(&root);
    let id = signal(&v, "accounts")["id"].as_str().unwrap().to_string();
    assert_eq!(acknowledge(&root, &id, &bob).code, 0);
    let (code, _, _) = review(&root);
    assert_eq!(code, 0, "acknowledged");
    // The pull request then swaps the key again: a different change.
    swap_fra_recipient(&root);
    let (code, v, md) = review(&root);
    assert_eq!(code, 1, "{v}");
    assert_eq!(ack_status(&v), vec!["stale"]);
    assert!(md.contains("lifts nothing"), "{md}");
}

#[test]
fn an_acknowledgement_by_a_key_the_pull_request_adds_lifts_nothing() {
    let (root, ..) = repo();
    swap_fra_recipient(&root);
    let mallory = reviewer(&root, "mallory");
    root.write("keys/reviewers/mallory.pub", &mallory.public);
    let (code, v, _) = review(&root);
    assert_eq!(code, 1);
    assert!(has(&v, "block", "reviewer-key"), "{v}");
    let id = signal(&v, "accounts")["id"].as_str().unwrap().to_string();
    // pocdir refuses to sign with a key the base does not list...
    let o = acknowledge(&root, &id, &mallory);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("not a reviewer's key"), "{}", o.stderr);
    // ...and a signature made by hand with it lifts nothing.
    let sk = pocdir::sign::load_secret_key(
        &zeroize::Zeroizing::new(std::fs::read_to_string(&mallory.secret).unwrap()),
        None,
        &pocdir::sign::PublicKey::from_file_text(&mallory.public).unwrap(),
    )
    .unwrap();
    let digest = signal(&v, "accounts")["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let sig = sk
        .sign(
            &pocdir::review::acknowledge::message(&digest),
            "forged",
            "forged",
        )
        .unwrap();
    root.write(&format!("reviews/{id}.mallory.minisig"), sig);
    let (code, v, _) = review(&root);
    assert_eq!(code, 1);
    assert_eq!(ack_status(&v), vec!["unknown-reviewer"]);
    // Named after bob, signed by mallory: a bad signature.
    std::fs::rename(
        root.path().join(format!("reviews/{id}.mallory.minisig")),
        root.path().join(format!("reviews/{id}.bob.minisig")),
    )
    .unwrap();
    let (code, v, _) = review(&root);
    assert_eq!(code, 1);
    assert_eq!(ack_status(&v), vec!["bad-signature"]);
}

// --- 4. Changes that were never shown ---------------------------------------------------

#[test]
fn mission_secretariat_notes_pages_and_theme_changes_are_shown() {
    let (root, ..) = repo();
    edit_fra(
        &root,
        "cyber.mission@fra-mission.example",
        "fra.mission@gmail.com",
    );
    edit(
        root.path(),
        "content/directory.yaml",
        "poc-directory@secretariat.example",
        "poc-directory@secretariat-un.example",
    );
    edit_fra(
        &root,
        "the duty officer answers",
        "the duty officer (https://call.attacker.example) answers",
    );
    let page = std::fs::read_to_string(root.path().join("content/pages/verify.md")).unwrap();
    root.write(
        "content/pages/verify.md",
        format!("{page}\nThe key is also at https://keys.attacker.example.\n"),
    );
    root.write(
        "themes/default/templates/poc.html",
        "{# an override #}\n<p>call +1 555 0100 instead</p>\n",
    );
    let (code, v, md) = review(&root);
    assert_eq!(code, 0, "warnings only: {v}");
    for kind in [
        "mission",
        "email-domain",
        "secretariat-contact",
        "poc-notes",
        "page",
        "theme",
    ] {
        assert!(has(&v, "warn", kind), "{kind}: {v}");
    }
    assert!(
        md.contains("cyber.mission@fra-mission.example → fra.mission@gmail.com"),
        "{md}"
    );
    assert!(
        md.contains("+The key is also at https://keys.attacker.example."),
        "{md}"
    );
    assert!(md.contains("+<p>call +1 555 0100 instead</p>"), "{md}");
}

// --- 5. A hidden PoC -------------------------------------------------------------

#[test]
fn a_second_poc_with_the_same_type_and_entity_is_listed() {
    let (root, ..) = repo();
    let fra = std::fs::read_to_string(root.path().join("content/states/FRA.yaml")).unwrap();
    let entity = "entity: National Cybersecurity Agency, CERT (example)";
    assert!(fra.contains(entity));
    let first_poc = fra.find("  - id: ").expect("PoCs have ids");
    let hidden = format!(
        "  - id: cert-duty\n    type: technical\n    {entity}\n    person:\n      name: Duty Officer\n    emails:\n      - address: duty@cert-fra.example\n        use: emergency\n    phones:\n      - number: \"+33199009999\"\n        use: emergency\n    languages: [fr]\n    availability:\n      mode: \"24/7\"\n      time_zone: Europe/Paris\n    functions: [communication]\n"
    );
    root.write(
        "content/states/FRA.yaml",
        format!("{}{hidden}{}", &fra[..first_poc], &fra[first_poc..]),
    );
    let (_, v, md) = review(&root);
    assert!(has(&v, "warn", "poc-added"), "{v}");
    assert!(
        md.contains("duty@cert-fra.example (emergency)") && md.contains("+33199009999 (emergency)"),
        "{md}"
    );
}

// --- 6. A reused verification record ---------------------------------------------------

#[test]
fn a_reused_verification_record_is_not_new() {
    let (root, ..) = repo();
    swap_fra_recipient(&root);
    edit(
        root.path(),
        "keys/states/FRA.yaml",
        "date: \"2026-06-05\"",
        "date: \"2026-06-06\"",
    );
    let (code, v, _) = review(&root);
    assert_eq!(code, 1);
    assert!(has(&v, "block", "accounts"), "{v}");
    assert!(has(&v, "warn", "verification-record"), "{v}");
    assert!(
        signal(&v, "verification-record")["reason"]
            .as_str()
            .unwrap()
            .contains("already used"),
        "{v}"
    );

    // A new reference, dated after the base: a new record (still a block).
    let (root, ..) = repo();
    swap_fra_recipient(&root);
    edit(
        root.path(),
        "keys/states/FRA.yaml",
        "date: \"2026-06-05\"",
        "date: \"2026-11-20\"",
    );
    edit(
        root.path(),
        "keys/states/FRA.yaml",
        "NV/2026/0387",
        "NV/2026/0512",
    );
    let (code, v, _) = review(&root);
    assert_eq!(code, 1);
    assert!(has(&v, "block", "accounts"), "{v}");
    assert!(!has(&v, "warn", "verification-record"), "{v}");
}

// --- 7. A State's signing key read from the pull request --------------------------------

#[test]
fn state_signatures_are_checked_with_the_base_key() {
    let root = Root::base();
    let keys = tempfile::tempdir().unwrap();
    let (pk, sk) = peers::minisign_keypair(keys.path());
    let line = |pk: &Path| {
        std::fs::read_to_string(pk)
            .unwrap()
            .lines()
            .nth(1)
            .unwrap()
            .to_string()
    };
    let k = std::fs::read_to_string(root.path().join("keys/states/FRA.yaml")).unwrap();
    root.write(
        "keys/states/FRA.yaml",
        format!("{k}update_signing_key: \"{}\"\n", line(&pk)),
    );
    main_and_branch(root.path());
    let file = root.path().join("content/states/FRA.yaml");
    let state_signature = |v: &serde_json::Value| signal(v, "state-signature")["severity"].clone();

    // Signed with the registered key: reported.
    edit_fra(
        &root,
        "the duty officer answers",
        "the duty officer replies",
    );
    peers::minisign_sign_as_is(&sk, &file);
    let (code, v, _) = review(&root);
    assert_eq!(code, 0, "{v}");
    assert_eq!(state_signature(&v), "info");

    // The pull request swaps the key and signs with the new one.
    let other = tempfile::tempdir().unwrap();
    let (pk2, sk2) = peers::minisign_keypair(other.path());
    edit(root.path(), "keys/states/FRA.yaml", &line(&pk), &line(&pk2));
    edit_fra(
        &root,
        "the duty officer replies",
        "the duty officer answers at once",
    );
    peers::minisign_sign_as_is(&sk2, &file);
    let (code, v, _) = review(&root);
    assert_eq!(code, 1);
    assert!(has(&v, "block", "update-signing-key"), "{v}");
    assert_eq!(
        state_signature(&v),
        "warn",
        "checked with the base key: {v}"
    );

    // Deleting the key: a block too, and the signature is still expected.
    let k = std::fs::read_to_string(root.path().join("keys/states/FRA.yaml")).unwrap();
    root.write(
        "keys/states/FRA.yaml",
        k.lines()
            .filter(|l| !l.starts_with("update_signing_key"))
            .map(|l| format!("{l}\n"))
            .collect::<String>(),
    );
    std::fs::remove_file(root.path().join("content/states/FRA.yaml.minisig")).unwrap();
    let (code, v, _) = review(&root);
    assert_eq!(code, 1);
    assert!(has(&v, "block", "update-signing-key"), "{v}");
    assert_eq!(state_signature(&v), "warn", "{v}");
}

// --- 8. The version log ---------------------------------------------------------

/// The example directory (demo keys, a version log) in a repository.
fn example_repo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ex");
    let o = support::pocdir(["init".as_ref(), dir.as_os_str(), "--example".as_ref()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    main_and_branch(&dir);
    (tmp, dir)
}

fn build(dir: &Path) {
    let out = dir.parent().unwrap().join("dist");
    let o = support::pocdir([
        "build".as_ref(),
        "--root".as_ref(),
        dir.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--as-of".as_ref(),
        OsStr::new("2026-11-22T10:00:00Z"),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
}

#[test]
fn the_version_log_may_only_grow_by_signed_appends() {
    let (_tmp, dir) = example_repo();
    // A signed append by the build: information only.
    edit(
        &dir,
        "content/states/FRA.yaml",
        "the duty officer answers",
        "the duty officer replies",
    );
    build(&dir);
    let (code, v, _) = review_with(&dir, &[]);
    assert_eq!(code, 0, "{v}");
    assert!(has(&v, "info", "version-log"), "{v}");
    let appended = git_out(&dir, &["rev-parse", "HEAD"]);

    // Deleted: a block.
    std::fs::remove_file(dir.join("log/versions.jsonl")).unwrap();
    std::fs::remove_file(dir.join("log/versions.jsonl.minisig")).unwrap();
    let (code, v, _) = review_with(&dir, &[]);
    assert_eq!(code, 1);
    assert!(has(&v, "block", "version-log"), "{v}");

    // An older signed copy restored over a newer base: a block.
    git(&dir, &["checkout", "-q", "-B", "main", appended.trim()]);
    git(&dir, &["checkout", "-q", "-B", "pr"]);
    git(&dir, &["checkout", "HEAD~1", "--", "log/"]);
    let (code, v, _) = review_with(&dir, &[]);
    assert_eq!(code, 1, "{v}");
    assert!(has(&v, "block", "version-log"), "{v}");
    assert!(
        signal(&v, "version-log")["reason"]
            .as_str()
            .unwrap()
            .contains("not appended to"),
        "{v}"
    );
}

// --- 9. Look-alike domains ----------------------------------------------------------

#[test]
fn a_lookalike_domain_is_shown_in_both_forms() {
    let (root, ..) = repo();
    // "cеrt" with a Cyrillic е.
    edit_fra(
        &root,
        "cert@cert.fra.example",
        "cert@c\u{0435}rt.fra.example",
    );
    let (_, v, md) = review(&root);
    assert!(has(&v, "warn", "lookalike-domain"), "{v}");
    assert!(md.contains("xn--"), "the ASCII form is shown: {md}");
}

// --- Every other rule ---------------------------------------------------------------

#[test]
fn weakened_settings_block_and_strengthened_ones_warn() {
    let (root, ..) = repo();
    edit(
        root.path(),
        "content/directory.yaml",
        "reverify_within_days: 365",
        "reverify_within_days: 900",
    );
    let (code, v, _) = review(&root);
    assert_eq!(code, 1);
    assert_eq!(signals(&v), vec![("block".into(), "policy".into())], "{v}");

    let (root, ..) = repo();
    edit(
        root.path(),
        "content/directory.yaml",
        "reverify_within_days: 365",
        "reverify_within_days: 180",
    );
    let (code, v, _) = review(&root);
    assert_eq!(code, 0);
    assert_eq!(signals(&v), vec![("warn".into(), "policy".into())], "{v}");
}

#[test]
fn ci_configuration_blocks_and_unknown_files_warn() {
    let (root, ..) = repo();
    root.write(".github/workflows/pocdir.yml", "on: push\n");
    root.write("content/extra.txt", "?\n");
    let (code, v, md) = review(&root);
    assert_eq!(code, 1);
    assert!(has(&v, "block", "ci"), "{v}");
    assert!(has(&v, "warn", "unclassified"), "{v}");
    assert!(md.contains("+on: push"), "{md}");
}

#[test]
fn the_secretariat_key_blocks_and_removed_states_warn() {
    let (root, ..) = repo();
    let kp =
        pocdir::sign::keygen::signing_keypair_with(None, pocdir::sign::kdf::INTERACTIVE, "test")
            .unwrap();
    root.write("keys/secretariat.pub", kp.1);
    let (code, v, _) = review(&root);
    assert_eq!(code, 1);
    assert!(has(&v, "block", "secretariat-key"), "{v}");

    let (root, ..) = repo();
    std::fs::remove_file(root.path().join("content/states/FRA.yaml")).unwrap();
    std::fs::remove_file(root.path().join("keys/states/FRA.yaml")).unwrap();
    let (code, v, _) = review(&root);
    assert_eq!(code, 0);
    assert!(has(&v, "warn", "state-removed"), "{v}");
}

#[test]
fn a_head_that_fails_check_blocks() {
    let (root, ..) = repo();
    edit_fra(&root, "cert@cert.fra.example", "not-an-address");
    commit(root.path(), "bad");
    let o = run_review(root.path(), &[]);
    assert_eq!(o.code, 1);
    assert!(
        o.stdout.contains("does not pass `pocdir check`"),
        "{}",
        o.stdout
    );
    assert!(o.stderr.contains("invalid-email"), "{}", o.stderr);
}

#[test]
fn provenance_through_another_channel_warns_about_the_channel() {
    let (root, ..) = repo();
    edit_fra(&root, "cert@cert.fra.example", "cert@cert2.fra.example");
    edit_fra(
        &root,
        "provenance:\n",
        "provenance:\n  - date: \"2026-11-16\"\n    action: update\n    channel: email\n    reference: \"Email of 16 November 2026\"\n    verified: \"2026-11-17\"\n    verified_by: Secretariat (example officer A)\n",
    );
    let (code, v, _) = review(&root);
    assert_eq!(code, 0);
    assert!(has(&v, "warn", "channel"), "{v}");
    assert!(!has(&v, "warn", "no-provenance"), "{v}");
    assert!(!has(&v, "warn", "email-domain"), "same State domain: {v}");
}

#[test]
fn one_change_touching_many_states_warns() {
    let root = Root::base();
    let codes = ["BEL", "DEU", "ITA", "ESP", "NLD"];
    for c in codes {
        add_state(&root, c);
    }
    main_and_branch(root.path());
    for c in codes {
        edit(
            root.path(),
            &format!("content/states/{c}.yaml"),
            "+33199001234",
            "+33199001235",
        );
    }
    let (_, v, _) = review(&root);
    assert!(has(&v, "warn", "many-states"), "{v}");
}

#[test]
fn the_working_tree_is_reviewed_by_default() {
    let (root, ..) = repo();
    edit_fra(&root, "cert@cert.fra.example", "cert@gmail.com");
    // Not committed; the base is the merge base with main.
    let o = support::pocdir([
        "review",
        "--root",
        root.path().to_str().unwrap(),
        "--as-of",
        support::AS_OF,
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert!(has(&v, "warn", "email-domain"), "{v}");
}

#[test]
fn a_realistic_change_reads_well() {
    let (root, ..) = repo();
    swap_fra_recipient(&root);
    edit(
        root.path(),
        "keys/states/FRA.yaml",
        "NV/2026/0387",
        "NV/2026/0512",
    );
    edit(
        root.path(),
        "keys/states/FRA.yaml",
        "date: \"2026-06-05\"",
        "date: \"2026-11-20\"",
    );
    edit_fra(&root, "cert@cert.fra.example", "cert@gmail.com");
    edit_fra(&root, "\"+33199005678\"", "\"+33199005600\"");
    edit_fra(
        &root,
        "provenance:\n",
        "provenance:\n  - date: \"2026-11-18\"\n    action: update\n    channel: permanent_mission\n    reference: \"Note verbale NV/2026/0512 (example)\"\n    verified: \"2026-11-20\"\n    verified_by: Secretariat (example officer B)\n",
    );
    let page = std::fs::read_to_string(root.path().join("content/pages/verify.md")).unwrap();
    root.write(
        "content/pages/verify.md",
        format!("{page}\nUpdated in November.\n"),
    );
    let (code, v, md) = review(&root);
    assert_eq!(code, 1, "{v}");
    // Recipients are random: replace them by a placeholder.
    let md = regex_age(&md);
    let ids: Vec<String> = v["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    let mut md = md;
    for (n, id) in ids.iter().enumerate() {
        md = md.replace(id, &format!("[id {n}]"));
    }
    let base = git_out(root.path(), &["rev-parse", "main"]);
    let md = md.replace(base.trim(), "[base]");
    insta::assert_snapshot!("review__realistic_change", md);
}

/// Replace every age recipient by `age1[recipient]`.
fn regex_age(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("age1") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(tail.len());
        out.push_str("age1[recipient]");
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn every_poc_replaced_at_once_warns() {
    let (root, ..) = repo();
    edit_fra(&root, "- id: mfa-digital", "- id: mfa-digital-new");
    edit_fra(&root, "- id: cert", "- id: cert-new");
    let (_, v, _) = review(&root);
    assert!(has(&v, "warn", "all-replaced"), "{v}");
    assert!(
        has(&v, "warn", "poc-added") && has(&v, "warn", "poc-removed"),
        "{v}"
    );
}

#[test]
fn unsealing_a_sealed_site_blocks_sealing_it_warns() {
    // A sealed base: a pull request that turns the seal off (or drops the
    // `site:` section) would publish every PoC's contact data in the clear.
    for (from, to) in [
        ("site:\n  sealed: true\n", "site:\n  sealed: false\n"),
        ("site:\n  sealed: true\n", ""),
    ] {
        let root = Root::base();
        let yaml = root.path().join("content/directory.yaml");
        let text = std::fs::read_to_string(&yaml).unwrap();
        std::fs::write(&yaml, format!("{text}{from}")).unwrap();
        main_and_branch(root.path());
        std::fs::write(&yaml, format!("{text}{to}")).unwrap();
        let (code, v, md) = review(&root);
        assert_eq!(code, 1, "{v}");
        let s = signal(&v, "policy");
        assert_eq!(s["severity"], "block", "{v}");
        assert_eq!(s["subject"], "site.sealed", "{v}");
        assert!(md.contains("in the clear"), "{md}");
    }
    // The other way round reaches the readers too: a warning, not a block.
    let (root, ..) = repo();
    let yaml = root.path().join("content/directory.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    std::fs::write(&yaml, format!("{text}site:\n  sealed: true\n")).unwrap();
    let (code, v, _) = review(&root);
    assert_eq!(code, 0, "{v}");
    assert!(has(&v, "warn", "policy"), "{v}");
    assert!(!has(&v, "block", "policy"), "{v}");
}

#[test]
fn demo_mode_rotations_and_submodules_block() {
    // Turning demo mode on lets the build sign with the published key.
    let (root, ..) = repo();
    edit(
        root.path(),
        "content/directory.yaml",
        "demo: false",
        "demo: true",
    );
    let (code, v, _) = review(&root);
    assert_eq!(code, 1, "{v}");
    assert!(has(&v, "block", "policy"), "{v}");

    // A file in keys/rotations/ that the key's history does not account
    // for (issue 18): the proposed directory fails check, a block.
    let (root, ..) = repo();
    root.write(
        "keys/rotations/0123456789ABCDEF.pub",
        "untrusted comment: x\nRWQ\n",
    );
    commit(root.path(), "change");
    let o = run_review(root.path(), &["--format", "markdown"]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(o.stdout.contains("**block**"), "{}", o.stdout);
    assert!(
        o.stdout.contains("does not pass `pocdir check`")
            && format!("{}{}", o.stdout, o.stderr).contains("key-history"),
        "{}\n{}",
        o.stdout,
        o.stderr
    );

    // A submodule: content no review shows.
    let (root, ..) = repo();
    let commit = git_out(root.path(), &["rev-parse", "HEAD"]);
    git(
        root.path(),
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{},vendor/data", commit.trim()),
        ],
    );
    git(root.path(), &["commit", "-q", "-m", "a submodule"]);
    let o = run_review(root.path(), &["--format", "json"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert!(has(&v, "block", "submodule"), "{v}");
}

#[test]
fn a_file_name_with_a_line_break_is_listed_once_and_nothing_shifts() {
    let (root, ..) = repo();
    // In the working tree, one file per line would shift every object id
    // after this name if it were hashed in the batch.
    root.write("a\nb.txt", "x\n");
    root.write("zz.txt", "y\n");
    let o = support::pocdir([
        "review",
        "--root",
        root.path().to_str().unwrap(),
        "--as-of",
        support::AS_OF,
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let paths: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["a\nb.txt", "zz.txt"], "{v}");
    assert!(has(&v, "warn", "unclassified"), "{v}");
}

#[test]
fn a_huge_pull_request_still_fits_in_one_comment() {
    let (root, ..) = repo();
    for i in 0..3000 {
        root.write(&format!("junk/{i:04}-{}.txt", "x".repeat(40)), "x\n");
    }
    let (code, v, md) = review(&root);
    assert_eq!(code, 0);
    assert_eq!(v["files"].as_array().unwrap().len(), 3000, "JSON keeps all");
    assert!(md.len() < 65_536, "GitHub's limit: {}", md.len());
    assert!(
        md.contains("left out (the comment is at its size limit"),
        "{md:.2000}"
    );
}
