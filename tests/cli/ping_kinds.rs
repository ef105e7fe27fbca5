//! Campaigns after their window (issue #15): the follow-up of failed
//! checks to the Permanent Missions, sent once per campaign and State
//! through the real SMTP test server (a second run sends nothing; the
//! journal and the campaign file prove it).

use std::path::{Path, PathBuf};

use crate::build::example;
use crate::smtp_server::SmtpServer;
use crate::support;

fn fixture() -> PathBuf {
    support::fixtures().join("ping")
}

fn ping(root: &Path, args: &[&str]) -> support::Output {
    let mut a: Vec<std::ffi::OsString> = vec!["ping".into(), args[0].into(), "--root".into()];
    a.push(root.into());
    a.extend(args[1..].iter().map(|s| s.into()));
    support::pocdir(a)
}

/// The example with the fixture campaign, its replies collected: ARG
/// technical flagged (a stranger), DEU and SGP diplomatic silent, KEN
/// diplomatic bounced.
fn collected() -> support::Root {
    let root = example();
    let dir = root.path().join("content/pings");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(fixture().join("campaign.yaml"), dir.join("2026-11-q4.yaml")).unwrap();
    let mbox = fixture().join("replies.mbox");
    let o = ping(root.path(), &["collect", "--mbox", mbox.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    root
}

const KEN_BODY: &str = "To the Permanent Mission of Kenya:

On 2 November 2026, the secretariat of the global intergovernmental directory of cyber Points of Contact sent a communication check (Q4 2026 communication check) to the Points of Contact of Kenya. The Points of Contact below did not answer within 72 hours, or the message could not be delivered to them:

- Diplomatic / Ministry of Foreign Affairs, Directorate of Multilateral Affairs, cyber desk (example) <cyber@mfa.ken.example>: the message could not be delivered

Please verify these contacts and confirm them, or send the corrections, through the Permanent Mission or the Ministry of Foreign Affairs (for example by note verbale).

This message is sent only once for this communication check, to the Permanent Mission and not to the Points of Contact themselves.
";

#[test]
fn failed_checks_are_followed_up_once_per_state_through_smtp() {
    let root = collected();
    let server = SmtpServer::start(&[]);
    let url = server.url("smtp");
    let follow = |now: &str, extra: &[&str]| {
        let mut a = vec!["follow-up", "--campaign", "2026-11-q4", "--now", now];
        a.extend_from_slice(extra);
        ping(root.path(), &a)
    };
    let file = root.path().join("content/pings/2026-11-q4.yaml");
    let before = std::fs::read(&file).unwrap();

    // Inside the window (the last ping went out at 09:05, 72 hours).
    let o = follow("2026-11-05T09:04:59Z", &["--smtp", &url]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr
            .contains("its window closes at 2026-11-05T09:05:00Z; follow up after it"),
        "{}",
        o.stderr
    );
    // A dry run sends and records nothing.
    let o = follow("2026-11-22T00:00:00Z", &["--dry-run"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(server.received().len(), 0);
    assert_eq!(std::fs::read(&file).unwrap(), before);

    let o = follow("2026-11-22T00:00:00Z", &["--smtp", &url]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    let got = server.received();
    let mut to: Vec<String> = got.iter().flat_map(|r| r.rcpt_tos.clone()).collect();
    to.sort();
    assert_eq!(
        to,
        [
            "cyber.mission@arg-mission.example",
            "cyber.mission@deu-mission.example",
            "cyber.mission@ken-mission.example",
            "cyber.mission@sgp-mission.example",
        ],
        "the Missions of the four States that failed, never a PoC"
    );
    let x = tempfile::tempdir().unwrap();
    let emls: Vec<&Path> = got.iter().map(|r| r.eml.as_path()).collect();
    let parsed = crate::smtp_server::parse_messages(&emls, x.path());
    let of = |iso: &str| {
        parsed
            .iter()
            .find(|m| {
                m["message_id"].as_str().unwrap()
                    == format!("<followup.2026-11-q4.{iso}@secretariat.example>")
            })
            .unwrap_or_else(|| panic!("{iso}: {parsed:?}"))
    };
    // The body as written (SMTP's CRLF line ends, and the final one, aside).
    let body = |iso: &str| {
        of(iso)["body"]
            .as_str()
            .unwrap()
            .replace("\r\n", "\n")
            .trim_end()
            .to_string()
    };
    assert_eq!(body("KEN"), KEN_BODY.trim_end());
    // Subjects unfolded (a long one is folded on the wire).
    let subject = |iso: &str| of(iso)["subject"].as_str().unwrap().replace("\r\n ", " ");
    assert_eq!(
        subject("KEN"),
        "Communication check \"Q4 2026 communication check\": follow-up for Kenya"
    );
    // Argentina: Spanish first, then English; its CERT's "answer" came
    // from a stranger, so it failed.
    let arg = body("ARG");
    assert!(
        arg.starts_with("A la Misión Permanente: Argentina\n"),
        "{arg}"
    );
    assert!(
        arg.contains("sin respuesta en el plazo establecido")
            && arg.contains("<cert@cert.arg.example>: no answer within the time allowed"),
        "{arg}"
    );
    assert!(subject("ARG").starts_with(
        "Prueba de comunicación «Q4 2026 communication check»: seguimiento (Argentina) / "
    ));
    // Germany: its diplomatic PoC failed, its CERT answered: one line.
    let deu = body("DEU");
    assert_eq!(
        deu.matches("<cyber-policy@diplo.deu.example>: no answer")
            .count(),
        1,
        "{deu}"
    );
    assert!(
        !deu.contains("cert@cert.deu.example"),
        "its CERT answered: {deu}"
    );

    let journal = std::fs::read_to_string(root.path().join("log/mail.jsonl")).unwrap();
    assert_eq!(
        journal.matches("\"kind\":\"follow-up\"").count(),
        4,
        "{journal}"
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.matches("message_id: <followup.").count(), 4, "{text}");

    // Again, later: nothing new goes out, nothing changes.
    let after = std::fs::read(&file).unwrap();
    let o = follow("2026-11-30T00:00:00Z", &["--smtp", &url]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stderr.contains("followed up already: ARG, DEU, KEN, SGP")
            && o.stderr.contains("no follow-up to send"),
        "{}",
        o.stderr
    );
    assert_eq!(server.received().len(), 4, "a second run sends nothing");
    assert_eq!(std::fs::read(&file).unwrap(), after);
    let journal2 = std::fs::read_to_string(root.path().join("log/mail.jsonl")).unwrap();
    assert_eq!(journal2, journal);
    let c = support::pocdir(["check".as_ref(), "--root".as_ref(), root.path().as_os_str()]);
    assert_eq!(c.code, 0, "{}", c.stderr);
}

#[test]
fn a_follow_up_cut_short_is_finished_without_sending_twice() {
    // The campaign file lost its record (say, not committed): the journal
    // still knows the Message-IDs, so nothing goes twice.
    let root = collected();
    let server = SmtpServer::start(&[]);
    let url = server.url("smtp");
    let file = root.path().join("content/pings/2026-11-q4.yaml");
    let before = std::fs::read(&file).unwrap();
    let args = [
        "follow-up",
        "--campaign",
        "2026-11-q4",
        "--now",
        "2026-11-22T00:00:00Z",
        "--smtp",
        &url,
    ];
    assert_eq!(ping(root.path(), &args).code, 0);
    assert_eq!(server.received().len(), 4);
    std::fs::write(&file, &before).unwrap();
    let o = ping(root.path(), &args);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(server.received().len(), 4, "the journal held them");
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.matches("message_id: <followup.").count(), 4, "{text}");
}
