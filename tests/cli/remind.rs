//! Tests of `pocdir remind`: reminders go to the Permanent Mission only,
//! in the State's UN language and English, as RFC 5322 messages that a
//! real parser (Python's `email` package) reads back.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use crate::peers;
use crate::support::{self, Root};

/// (To, From, Subject, decoded body) of an .eml, read by Python's parser.
fn parse(eml: &std::path::Path) -> Vec<String> {
    let script = "import email, email.policy, sys\n\
                  m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)\n\
                  assert not m.defects, m.defects\n\
                  print(m['To']); print(m['From']); print(m['Subject']); print(m['Cc'])\n\
                  print(m.get_content())";
    let out = peers::stdout_of(Command::new("python3").args(["-c", script]).arg(eml));
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// `pocdir remind --root ROOT VIA --as-of AS_OF`, where VIA says where the
/// reminders go.
fn remind(root: &Path, via: &[&OsStr], as_of: &str) -> support::Output {
    let mut args: Vec<&OsStr> = vec!["remind".as_ref(), "--root".as_ref(), root.as_os_str()];
    args.extend_from_slice(via);
    args.extend([OsStr::new("--as-of"), OsStr::new(as_of)]);
    support::pocdir(args)
}

/// `pocdir remind` writing its messages into the folder `outbox`.
fn remind_into(root: &Path, outbox: &Path, as_of: &str) -> support::Output {
    remind(root, &["--outbox".as_ref(), outbox.as_os_str()], as_of)
}

#[test]
fn a_stale_state_gets_a_reminder_at_its_mission_in_french_and_english() {
    let root = Root::base();
    let outbox = tempfile::tempdir().unwrap();
    // Fresh in November 2026: nothing to send.
    let o = remind_into(root.path(), outbox.path(), "2026-11-22");
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(std::fs::read_dir(outbox.path()).unwrap().count(), 0);
    // Stale a year later.
    let o = remind_into(root.path(), outbox.path(), "2027-06-10");
    assert_eq!(o.code, 0, "{}", o.stderr);
    let eml = outbox.path().join("remind-FRA.eml");
    let lines = parse(&eml);
    assert!(
        lines[0].contains("<cyber.mission@fra-mission.example>"),
        "To: {}",
        lines[0]
    );
    assert!(
        lines[1].contains("<poc-directory@secretariat.example>"),
        "From: {}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("Veuillez confirmer") && lines[2].contains("Please confirm"),
        "Subject: {}",
        lines[2]
    );
    assert_eq!(lines[3], "None", "no copy to anyone");
    let body = lines[4..].join("\n");
    assert!(body.contains("À la Mission permanente"), "{body}");
    assert!(
        body.contains("To the Permanent Mission of France"),
        "{body}"
    );
    assert!(
        body.contains("5 juin 2026") && body.contains("5 June 2026"),
        "{body}"
    );
    // The PoCs' addresses are listed for confirmation, never addressed.
    assert!(body.contains("cert@cert.fra.example"));
    assert!(!lines[0].contains("cert@cert.fra.example"));
    // Same input, same message (Date and Message-ID come from the input).
    let first = std::fs::read(&eml).unwrap();
    let o = remind_into(root.path(), outbox.path(), "2027-06-10");
    assert_eq!(o.code, 0);
    assert_eq!(std::fs::read(&eml).unwrap(), first);
}

#[test]
fn reminders_go_through_smtp_once_with_the_mail_journal() {
    use crate::smtp_server::SmtpServer;
    let root = Root::base();
    let server = SmtpServer::start(&[]);
    let send = || {
        remind(
            root.path(),
            &["--smtp".as_ref(), server.url("smtp").as_ref()],
            "2027-06-10",
        )
    };
    let o = send();
    assert_eq!(o.code, 0, "{}", o.stderr);
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].rcpt_tos, vec!["cyber.mission@fra-mission.example"]);
    let lines = parse(&got[0].eml);
    assert!(lines[2].starts_with("Veuillez confirmer"), "{}", lines[2]);
    // Again the same day: the journal holds it, nothing goes.
    let o = send();
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("already sent (journal)"), "{}", o.stdout);
    assert_eq!(server.received().len(), 1);
    let journal = std::fs::read_to_string(root.path().join("log/mail.jsonl")).unwrap();
    assert!(journal.contains("\"kind\":\"reminder\""), "{journal}");
}
