//! Tests of `pocdir mail`: one message per verified account, both
//! attachments intact (checked with the real minisign and age after
//! Python's email parser extracts them), nothing for a bad bundle; and
//! sending through a real SMTP server on 127.0.0.1 (aiosmtpd): exactly once
//! across a refusal and a re-run, TLS and credentials, IDN, header
//! injection, dry runs.

use std::process::Command;

use crate::build::example;
use crate::peers;
use crate::support;

const NOW: &str = "2026-11-22T20:00:00Z";

/// The example's accounts whose verification is older than the policy on
/// `NOW` (BRA's two, JPN's first, KEN's only): NOT SENT rows that make
/// every run over all States exit 1 (issue #13).
const LAPSED: usize = 4;

fn lapsed_rows(stdout: &str) -> usize {
    stdout
        .matches("NOT SENT: account verification lapsed on ")
        .count()
}

fn build(root: &std::path::Path, out: &std::path::Path) {
    let o = support::build(root, out, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
}

/// The example, built with its bundles into a new folder: (root, out).
fn built_example() -> (support::Root, tempfile::TempDir) {
    let root = example();
    let out = tempfile::tempdir().unwrap();
    build(root.path(), out.path());
    (root, out)
}

/// The sequence of the last version in the directory's log (the example's
/// content is unchanged, so its build keeps that version).
fn last_seq(root: &std::path::Path) -> u64 {
    let log = std::fs::read_to_string(root.join("log/versions.jsonl")).unwrap();
    let last: serde_json::Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    last["seq"].as_u64().unwrap()
}

fn mail(root: &std::path::Path, bundles: &std::path::Path, extra: &[&str]) -> support::Output {
    let mut args: Vec<std::ffi::OsString> = vec![
        "mail".into(),
        "--root".into(),
        root.into(),
        "--bundles".into(),
        bundles.into(),
        "--now".into(),
        NOW.into(),
    ];
    args.extend(extra.iter().map(|s| s.into()));
    support::pocdir(args)
}

#[test]
fn every_fresh_account_gets_one_message_with_intact_attachments() {
    let (root, out) = built_example();
    let bundles = out.path().join("bundles");
    let outbox = tempfile::tempdir().unwrap();
    let o = mail(
        root.path(),
        &bundles,
        &[
            "--outbox",
            outbox.path().to_str().unwrap(),
            "--only",
            "FRA,CAN",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let mut names: Vec<String> = std::fs::read_dir(outbox.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            "CAN-cyber-liaison_can-mission.example.eml",
            "CAN-poc-directory_international.can.example.eml",
            "FRA-poc-directory_diplomatie.fra.example.eml"
        ]
    );
    // Extract the attachments with Python's parser, then verify and
    // decrypt them with the real tools.
    let x = tempfile::tempdir().unwrap();
    let script = "import email, email.policy, sys, os\n\
                  m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)\n\
                  assert not m.defects, m.defects\n\
                  print(m['To'])\n\
                  for p in m.iter_attachments():\n\
                  \x20   open(os.path.join(sys.argv[2], p.get_filename()), 'wb').write(p.get_payload(decode=True))\n";
    let eml = outbox
        .path()
        .join("FRA-poc-directory_diplomatie.fra.example.eml");
    let to = peers::stdout_of(
        Command::new("python3")
            .args(["-c", script])
            .arg(eml)
            .arg(x.path()),
    );
    assert!(String::from_utf8_lossy(&to).contains("<poc-directory@diplomatie.fra.example>"));
    peers::minisign_verify(
        &x.path().join("FRA.tar.gz.age"),
        &x.path().join("FRA.tar.gz.age.minisig"),
        &root.path().join("keys/secretariat.pub"),
    );
    peers::age_decrypt(
        &root.path().join("keys/demo/states/FRA.key"),
        &x.path().join("FRA.tar.gz.age"),
    );
    assert_eq!(
        std::fs::read(x.path().join("FRA.tar.gz.age")).unwrap(),
        std::fs::read(bundles.join("FRA.tar.gz.age")).unwrap()
    );
}

#[test]
fn dry_run_writes_nothing_and_stale_accounts_are_skipped() {
    let (root, out) = built_example();
    let o = mail(root.path(), &out.path().join("bundles"), &["--dry-run"]);
    assert_eq!(o.code, 1, "lapsed accounts: {}", o.stderr);
    assert!(
        o.stdout
            .contains("would send FRA to poc-directory@diplomatie.fra.example")
    );
    assert!(
        o.stdout.contains(
            "BRA  diretorio-pdc@mre.bra.example  NOT SENT: account verification lapsed on 2025-07-26"
        ),
        "{}",
        o.stdout
    );
    assert_eq!(lapsed_rows(&o.stdout), LAPSED, "{}", o.stdout);
    assert!(!o.stdout.contains("to diretorio-pdc@mre.bra.example"));
}

#[test]
fn a_bundle_that_does_not_verify_is_never_prepared() {
    let (root, out) = built_example();
    let b = out.path().join("bundles/FRA.tar.gz.age");
    let mut data = std::fs::read(&b).unwrap();
    let n = data.len() / 2;
    data[n] ^= 1;
    std::fs::write(&b, data).unwrap();
    let outbox = tempfile::tempdir().unwrap();
    let o = mail(
        root.path(),
        &out.path().join("bundles"),
        &["--outbox", outbox.path().to_str().unwrap()],
    );
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("does not verify"), "{}", o.stderr);
    assert_eq!(
        std::fs::read_dir(outbox.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

// ---- Sending through a real SMTP server (aiosmtpd on 127.0.0.1) ----

use crate::smtp_server::{SmtpServer, parse_messages};

/// The accounts a dry run plans to send to, as (State, address).
fn planned(root: &std::path::Path, bundles: &std::path::Path) -> Vec<(String, String)> {
    let o = mail(root, bundles, &["--dry-run"]);
    assert_eq!(o.code, 1, "the example's lapsed accounts: {}", o.stderr);
    assert_eq!(lapsed_rows(&o.stdout), LAPSED, "{}", o.stdout);
    let mut v: Vec<(String, String)> = o
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("would send "))
        .map(|l| {
            let (state, rest) = l.split_once(" to ").unwrap();
            (
                state.to_string(),
                rest.split(' ').next().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

fn journal_lines(root: &std::path::Path) -> usize {
    std::fs::read_to_string(root.join("log/mail.jsonl"))
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

#[test]
fn smtp_every_verified_account_receives_exactly_one_message_that_opens() {
    let (root, out) = built_example();
    let bundles = out.path().join("bundles");
    let plan = planned(root.path(), &bundles);
    assert_eq!(plan.len(), 15, "the example's fresh accounts: {plan:?}");
    let server = SmtpServer::start(&[]);
    let o = mail(root.path(), &bundles, &["--smtp", &server.url("smtp")]);
    assert_eq!(o.code, 1, "lapsed accounts: {}\n{}", o.stdout, o.stderr);
    assert_eq!(lapsed_rows(&o.stdout), LAPSED, "{}", o.stdout);
    assert!(
        o.stderr
            .contains("15 sent, 0 already sent before, 0 not sent")
    );
    let got = server.received();
    let mut rcpts: Vec<String> = got.iter().flat_map(|r| r.rcpt_tos.clone()).collect();
    rcpts.sort();
    let mut want: Vec<String> = plan.iter().map(|(_, a)| a.clone()).collect();
    want.sort();
    assert_eq!(
        rcpts, want,
        "each planned account exactly once, no one else"
    );
    assert!(
        got.iter()
            .all(|r| r.mail_from == "poc-directory@secretariat.example")
    );
    assert_eq!(journal_lines(root.path()), 15);

    let x = tempfile::tempdir().unwrap();
    let emls: Vec<&std::path::Path> = got.iter().map(|r| r.eml.as_path()).collect();
    let parsed = parse_messages(&emls, x.path());
    for (r, m) in got.iter().zip(&parsed) {
        let (state, _) = plan
            .iter()
            .find(|(_, a)| *a == r.rcpt_tos[0])
            .expect("planned");
        assert!(m["to"].as_str().unwrap().contains(&r.rcpt_tos[0]), "{m}");
        let bundle = format!("{state}.tar.gz.age");
        assert_eq!(
            m["attachments"],
            serde_json::json!([
                bundle.clone(),
                format!("{bundle}.minisig"),
                "key-history.json"
            ])
        );
        let d = std::path::Path::new(m["dir"].as_str().unwrap());
        assert_eq!(
            std::fs::read(d.join(&bundle)).unwrap(),
            std::fs::read(bundles.join(&bundle)).unwrap(),
            "{bundle} arrives byte for byte"
        );
        let verified = peers::minisign_verify(
            &d.join(&bundle),
            &d.join(format!("{bundle}.minisig")),
            &root.path().join("keys/secretariat.pub"),
        );
        assert!(verified.contains(&format!("state={state}")));
        let plain = peers::age_decrypt(
            &root.path().join(format!("keys/demo/states/{state}.key")),
            &d.join(&bundle),
        );
        assert!(!plain.is_empty());
        // The body: the commands, in English and, for States whose PoCs
        // use another UN language, in that language first.
        let body = m["body"].as_str().unwrap();
        assert!(body.contains(&format!("minisign -Vm {bundle} -p secretariat.pub")));
        assert!(body.contains("A9261A9396AEC7F7"), "the key id");
    }
    let fra = parsed
        .iter()
        .find(|m| m["to"].as_str().unwrap().contains("diplomatie.fra.example"))
        .unwrap();
    let body = fra["body"].as_str().unwrap();
    let (fr, en) = (
        body.find("Pour le vérifier").expect("French part"),
        body.find("To verify and open it").expect("English part"),
    );
    assert!(fr < en, "the State's language first");
    assert!(fra["subject"].as_str().unwrap().ends_with(&format!(
        "PoC directory: bundle for France, sequence {}",
        last_seq(root.path())
    )));
}

#[test]
fn a_server_refusing_after_four_then_a_rerun_delivers_each_message_exactly_once() {
    let (root, out) = built_example();
    let bundles = out.path().join("bundles");
    let plan = planned(root.path(), &bundles);

    let first = SmtpServer::start(&["--refuse-after", "4"]);
    let o = mail(root.path(), &bundles, &["--smtp", &first.url("smtp")]);
    assert_eq!(o.code, 1, "not all went out: {}", o.stderr);
    assert_eq!(
        o.stdout.matches("NOT SENT: transient error (451)").count(),
        plan.len() - 4
    );
    assert!(o.stderr.contains("run the same command again"));
    assert_eq!(first.received().len(), 4);
    assert_eq!(journal_lines(root.path()), 4);
    drop(first);

    let second = SmtpServer::start(&[]);
    let o = mail(root.path(), &bundles, &["--smtp", &second.url("smtp")]);
    assert_eq!(o.code, 1, "lapsed accounts: {}", o.stderr);
    assert_eq!(lapsed_rows(&o.stdout), LAPSED, "{}", o.stdout);
    assert!(!o.stdout.contains("transient"), "{}", o.stdout);
    assert_eq!(o.stdout.matches("already sent (journal)").count(), 4);
    let mut all: Vec<String> = second
        .received()
        .iter()
        .flat_map(|r| r.rcpt_tos.clone())
        .collect();
    assert_eq!(all.len(), plan.len() - 4, "only what was missing");

    // Once more: nothing left, nothing sent.
    let o = mail(root.path(), &bundles, &["--smtp", &second.url("smtp")]);
    assert_eq!(o.code, 1, "lapsed accounts: {}", o.stderr);
    assert_eq!(lapsed_rows(&o.stdout), LAPSED, "{}", o.stdout);
    assert_eq!(second.received().len(), plan.len() - 4);
    assert_eq!(journal_lines(root.path()), plan.len());

    // Across both servers, each account exactly once.
    let journal = std::fs::read_to_string(root.path().join("log/mail.jsonl")).unwrap();
    all.clear();
    for line in journal.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        all.push(v["account"].as_str().unwrap().to_string());
        assert!(
            v["reply"]
                .as_str()
                .unwrap()
                .starts_with("250 2.0.0 Ok: queued as TEST")
        );
        assert_eq!(v["reference"], format!("seq {}", last_seq(root.path())));
        assert_eq!(v["bundle_sha256"].as_str().unwrap().len(), 64);
    }
    all.sort();
    let mut want: Vec<String> = plan.iter().map(|(_, a)| a.clone()).collect();
    want.sort();
    assert_eq!(all, want);
}

#[test]
fn a_dry_run_sends_nothing_and_a_rejected_recipient_fails_alone() {
    let (root, out) = built_example();
    let bundles = out.path().join("bundles");
    let server = SmtpServer::start(&["--reject-rcpt", "poc-directory@mfa.egy.example"]);
    let o = mail(
        root.path(),
        &bundles,
        &["--smtp", &server.url("smtp"), "--dry-run"],
    );
    assert_eq!(o.code, 1, "lapsed accounts: {}", o.stderr);
    assert_eq!(lapsed_rows(&o.stdout), LAPSED, "{}", o.stdout);
    assert!(
        o.stdout
            .contains("would send EGY to poc-directory@mfa.egy.example")
    );
    assert_eq!(server.received().len(), 0);
    assert!(!root.path().join("log/mail.jsonl").exists(), "no journal");

    let o = mail(
        root.path(),
        &bundles,
        &["--smtp", &server.url("smtp"), "--only", "EGY,EST"],
    );
    assert_eq!(o.code, 1);
    let egy = o.stdout.lines().find(|l| l.starts_with("EGY")).unwrap();
    assert!(egy.contains("NOT SENT: permanent error (550)"), "{egy}");
    assert!(
        o.stdout
            .lines()
            .any(|l| l.starts_with("EST") && l.contains(" sent (250"))
    );
    assert_eq!(server.received().len(), 1);
}

fn edit(path: &std::path::Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from:?} in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn an_address_with_a_line_break_is_refused_and_nothing_is_sent() {
    let (root, out) = built_example();
    edit(
        &root.path().join("keys/states/FRA.yaml"),
        "- email: poc-directory@diplomatie.fra.example",
        "- email: \"poc-directory@diplomatie.fra.example\\r\\nBcc: all@evil.example\"",
    );
    let server = SmtpServer::start(&[]);
    let o = mail(
        root.path(),
        &out.path().join("bundles"),
        &["--smtp", &server.url("smtp")],
    );
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("keys/states/FRA.yaml"), "{}", o.stderr);
    assert_eq!(server.received().len(), 0);
}

#[test]
fn an_internationalised_domain_goes_out_in_its_ascii_form() {
    let root = example();
    edit(
        &root.path().join("keys/states/FRA.yaml"),
        "poc-directory@diplomatie.fra.example",
        "poc-directory@ministère.fra.example",
    );
    let out = tempfile::tempdir().unwrap();
    build(root.path(), out.path());
    let server = SmtpServer::start(&[]);
    let o = mail(
        root.path(),
        &out.path().join("bundles"),
        &["--smtp", &server.url("smtp"), "--only", "FRA"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].rcpt_tos,
        vec!["poc-directory@xn--ministre-60a.fra.example"]
    );
    let x = tempfile::tempdir().unwrap();
    let m = &parse_messages(&[got[0].eml.as_path()], x.path())[0];
    assert!(
        m["to"]
            .as_str()
            .unwrap()
            .ends_with("<poc-directory@xn--ministre-60a.fra.example>")
    );
}

#[test]
fn starttls_and_implicit_tls_with_credentials_from_the_environment() {
    let (root, out) = built_example();
    let bundles = out.path().join("bundles");
    let creds = [
        ("POCDIR_SMTP_USER", "secretariat"),
        ("POCDIR_SMTP_PASSWORD", "correct horse"),
    ];
    let run = |url: &str, ca: Option<&std::path::Path>, env: &[(&str, &str)], only: &str| {
        let mut args: Vec<std::ffi::OsString> = vec![
            "mail".into(),
            "--root".into(),
            root.path().into(),
            "--bundles".into(),
            bundles.as_os_str().into(),
            "--now".into(),
            NOW.into(),
            "--smtp".into(),
            url.into(),
            "--only".into(),
            only.into(),
        ];
        if let Some(ca) = ca {
            args.push("--smtp-ca".into());
            args.push(ca.into());
        }
        support::pocdir_env(args, env)
    };
    for (tls, scheme, only) in [("starttls", "smtp", "FRA"), ("implicit", "smtps", "EST")] {
        let server = SmtpServer::start(&["--tls", tls, "--auth", "secretariat:correct horse"]);
        // Without the test CA, the certificate is refused: nothing goes.
        let o = run(&server.url(scheme), None, &creds, only);
        assert_eq!(o.code, 1, "{tls}: {}", o.stderr);
        assert!(o.stderr.contains("nothing was sent"), "{}", o.stderr);
        // A wrong password: refused, and never printed.
        let o = run(
            &server.url(scheme),
            Some(&server.ca()),
            &[
                ("POCDIR_SMTP_USER", "secretariat"),
                ("POCDIR_SMTP_PASSWORD", "wrong pass"),
            ],
            only,
        );
        assert_eq!(o.code, 1, "{tls}: {}", o.stderr);
        assert!(!o.stderr.contains("wrong pass") && !o.stdout.contains("wrong pass"));
        assert_eq!(server.received().len(), 0);
        let o = run(&server.url(scheme), Some(&server.ca()), &creds, only);
        assert_eq!(o.code, 0, "{tls}: {}", o.stderr);
        assert!(!o.stderr.contains("correct horse") && !o.stdout.contains("correct horse"));
        let got = server.received();
        assert_eq!(got.len(), 1, "{tls}");
        assert!(got[0].tls && got[0].authenticated, "{tls}: {got:?}");
    }
    // Credentials never go in clear, even to 127.0.0.1: a server without
    // STARTTLS gets nothing.
    let plain = SmtpServer::start(&["--auth", "secretariat:correct horse"]);
    let o = run(&plain.url("smtp"), None, &creds, "SEN");
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("STARTTLS"), "{}", o.stderr);
    assert_eq!(plain.received().len(), 0);
    // And never in the URL.
    let o = run(
        "smtp://secretariat:correct%20horse@127.0.0.1:25",
        None,
        &[],
        "SEN",
    );
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains("POCDIR_SMTP_USER") && !o.stderr.contains("horse"),
        "{}",
        o.stderr
    );
}

#[test]
fn a_progress_bar_shows_on_a_terminal_and_never_in_a_pipe() {
    let (root, out) = built_example();
    let server = SmtpServer::start(&[]);
    let cmd = format!(
        "{} mail --root {} --bundles {} --now {NOW} --smtp {} --only FRA,CAN",
        support::bin().display(),
        root.path().display(),
        out.path().join("bundles").display(),
        server.url("smtp"),
    );
    // util-linux's `script` gives pocdir a terminal.
    let o = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("NO_COLOR", "1")
        .output()
        .expect("script (util-linux)");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let tty = String::from_utf8_lossy(&o.stdout);
    assert!(tty.contains("3/3") && tty.contains('█'), "{tty}");
    // Through a pipe (a fresh journal, so it sends again): no bar.
    let journal = out.path().join("other-journal.jsonl");
    let o = mail(
        root.path(),
        &out.path().join("bundles"),
        &[
            "--smtp",
            &server.url("smtp"),
            "--only",
            "FRA,CAN",
            "--journal",
            journal.to_str().unwrap(),
        ],
    );
    assert_eq!(o.code, 0);
    assert!(o.stderr.contains("3 sent"), "{}", o.stderr);
    assert!(
        !o.stderr.contains('█') && !o.stderr.contains("3/3"),
        "{}",
        o.stderr
    );
}

#[test]
fn a_file_too_large_for_a_bundle_is_refused_before_it_is_read() {
    let (root, out) = built_example();
    let b = out.path().join("bundles/FRA.tar.gz.age");
    // Sparse: 100 MB on paper, nothing on disk.
    std::fs::OpenOptions::new()
        .write(true)
        .open(&b)
        .unwrap()
        .set_len(100 * 1024 * 1024)
        .unwrap();
    let o = mail(
        root.path(),
        &out.path().join("bundles"),
        &["--dry-run", "--only", "FRA"],
    );
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("too large for a bundle"), "{}", o.stderr);
}
