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

const KEN_BODY: &str = "To the Permanent Mission of Kenya to the United Nations:

On 2 November 2026, the secretariat of the global intergovernmental directory of cyber Points of Contact sent a communication check (Q4 2026 communication check) to the Points of Contact of Kenya. The Points of Contact below did not answer within 72 hours, or the message could not be delivered to them:

- Diplomatic: Ministry of Foreign Affairs, Directorate of Multilateral Affairs, cyber desk (example) <cyber@mfa.ken.example>: the message could not be delivered

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
        arg.starts_with("A la Misión Permanente de la Argentina ante las Naciones Unidas:\n"),
        "{arg}"
    );
    assert!(
        arg.contains("sin respuesta en el plazo establecido")
            && arg.contains("<cert@cert.arg.example>: no answer within the time allowed"),
        "{arg}"
    );
    assert!(subject("ARG").starts_with(
        "Prueba de comunicación «Q4 2026 communication check»: seguimiento para la Argentina / "
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

/// The token of the ping to `to` in a campaign file.
fn token_of(text: &str, to: &str) -> String {
    let after = text
        .split(&format!("to: {to}\n"))
        .nth(1)
        .unwrap_or_else(|| panic!("{to}: {text}"));
    after
        .lines()
        .find_map(|l| l.trim().strip_prefix("token: "))
        .unwrap()
        .to_string()
}

#[test]
fn an_emergency_check_judges_24_7_pocs_against_one_hour_across_time_zones() {
    let root = example();
    let outbox = tempfile::tempdir().unwrap();
    let o = ping(
        root.path(),
        &[
            "start",
            "--name",
            "emergency",
            "--kind",
            "emergency",
            "--window",
            "1h",
            "--only",
            "FRA,JPN,DEU,EGY",
            "--now",
            "2026-11-20T09:00:00Z",
            "--outbox",
            outbox.path().to_str().unwrap(),
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let file = root.path().join("content/pings/2026-11-20-emergency.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("kind: emergency\n"), "{text}");
    // Emergency addresses only; 24/7 PoCs get the one-hour window.
    let to: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("to: "))
        .collect();
    let mut to = to;
    to.sort_unstable();
    assert_eq!(
        to,
        [
            "astreinte@diplomatie.fra.example",
            "incident@cert.egy.example",
            "notfall@cert.deu.example",
            "urgent@ncso.jpn.example",
        ],
        "{text}"
    );
    assert_eq!(
        text.matches("window_minutes: 60").count(),
        2,
        "DEU and JPN CERTs: {text}"
    );
    let jpn = std::fs::read_dir(outbox.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("JPN"))
        .map(std::fs::read_to_string)
        .unwrap()
        .unwrap();
    // Quoted-printable: soft line breaks joined.
    let jpn = jpn.replace("=\r\n", "").replace("=\n", "");
    assert!(jpn.contains("emergency channel"), "{jpn}");
    assert!(jpn.contains("within 60 minutes"), "{jpn}");

    // Japan's 24/7 office calls back at 18:40 in Tokyo: 40 minutes.
    let rec = |poc: &str, state: &str, at: &str| {
        ping(
            root.path(),
            &[
                "record",
                "--campaign",
                "2026-11-20-emergency",
                "--state",
                state,
                "--poc",
                poc,
                "--at",
                at,
            ],
        )
    };
    assert_eq!(
        rec(
            "cyber-coordination",
            "JPN",
            "2026-11-20T18:40:00[Asia/Tokyo]"
        )
        .code,
        0
    );
    // France's duty officer (business hours: the campaign's 72 hours)
    // at 11:30 in Paris: 90 minutes, in time.
    assert_eq!(
        rec("mfa-digital", "FRA", "2026-11-20T11:30:00[Europe/Paris]").code,
        0
    );
    // Germany's 24/7 CERT replies by email, received at 10:05Z (65
    // minutes) though its Date says 10:30 +0100 (09:30Z): too late.
    let token = token_of(&text, "notfall@cert.deu.example");
    let mbox = outbox.path().join("inbox.mbox");
    std::fs::write(
        &mbox,
        format!(
            "From notfall@cert.deu.example Fri Nov 20 10:05:00 2026\n\
             From: notfall@cert.deu.example\n\
             To: poc-directory@secretariat.example\n\
             Subject: Re: {token}\n\
             Date: Fri, 20 Nov 2026 10:30:00 +0100\n\
             Message-ID: <late@cert.deu.example>\n\n\
             Erhalten.\n\n"
        ),
    )
    .unwrap();
    let o = ping(root.path(), &["collect", "--mbox", mbox.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.starts_with("1 message(s): 1 answer(s) recorded"),
        "{}",
        o.stdout
    );

    let report = |kind: &str| -> serde_json::Value {
        let o = ping(
            root.path(),
            &[
                "report",
                "--kind",
                kind,
                "--format",
                "json",
                "--now",
                "2026-11-20T12:00:00Z",
            ],
        );
        assert_eq!(o.code, 0, "{}", o.stderr);
        serde_json::from_str(&o.stdout).unwrap()
    };
    let r = report("emergency");
    assert_eq!(r["campaign"], "2026-11-20-emergency");
    assert_eq!(r["kind"], "emergency");
    assert_eq!(r["short_window_minutes"], 60);
    let outcome = |state: &str| {
        let x = r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["state"] == state)
            .unwrap();
        (
            x["outcome"].as_str().unwrap().to_string(),
            x["seconds"].as_i64(),
        )
    };
    assert_eq!(outcome("JPN"), ("answered".into(), Some(2400)));
    assert_eq!(outcome("FRA"), ("answered".into(), Some(5400)));
    assert_eq!(
        outcome("DEU"),
        ("no_answer".into(), None),
        "65 minutes > 1 hour"
    );
    assert_eq!(
        outcome("EGY"),
        ("pending".into(), None),
        "business hours: 72 hours"
    );
    assert_eq!(r["sent"], 4);
    assert_eq!(r["responded"], 2);
    assert_eq!(r["median_response_seconds"].as_f64().unwrap(), 3900.0);
    // `stale` names the window Germany's 24/7 CERT missed: its own hour,
    // not the campaign's 72 hours.
    let o = support::pocdir([
        "stale".as_ref(),
        "--root".as_ref(),
        root.path().as_os_str(),
        "--as-of".as_ref(),
        "2026-11-21".as_ref(),
    ]);
    assert!(
        o.stdout.contains(
            "technical PoC notfall@cert.deu.example did not answer the check 2026-11-20-emergency within 60 minutes (the short window of a 24/7 PoC)"
        ),
        "{}\n{}",
        o.stdout,
        o.stderr
    );
    // Its own kind only: the example's routine checks are not its trend.
    assert_eq!(r["trend"].as_array().unwrap().len(), 1);
    let routine = report("routine");
    assert_eq!(routine["kind"], "routine");
    assert_ne!(routine["campaign"], "2026-11-20-emergency");
    // As text, without --campaign or --kind: each kind's latest in turn.
    let o = ping(root.path(), &["report", "--now", "2026-11-20T12:00:00Z"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let at = |s: &str| {
        o.stdout
            .find(s)
            .unwrap_or_else(|| panic!("{s}: {}", o.stdout))
    };
    assert!(o.stdout.starts_with("== routine ==\n"), "{}", o.stdout);
    assert!(
        at(
            "== emergency ==\nemergency (2026-11-20-emergency), emergency check, started 2026-11-20T09:00:00Z\n24/7 PoCs judged against 60 minute(s), the others against 72 hour(s)\nsent 4, answered 2 (50.0%)"
        ) > at("routine check")
    );
    // The site shows the latest check of each kind, each chart with its
    // data as a table.
    let out = tempfile::tempdir().unwrap();
    let b = support::build(root.path(), &out.path().join("dist"), &["--site-only"]);
    assert_eq!(b.code, 0, "{}", b.stderr);
    let page = std::fs::read_to_string(out.path().join("dist/site/en/checks.html")).unwrap();
    let kinds: Vec<&str> = page
        .match_indices("<h2 id=\"check-kind-")
        .map(|(i, _)| {
            let rest = &page[i..];
            let start = rest.find('>').unwrap() + 1;
            &rest[start..rest.find("</h2>").unwrap()]
        })
        .collect();
    assert_eq!(
        kinds,
        ["Routine checks", "Emergency channel checks"],
        "{page}"
    );
    assert!(
        page.contains(
            "<p class=\"check-campaign\">Latest check: <bdi>emergency</bdi>, started 20 November 2026</p>"
        ),
        "{page}"
    );
    assert!(
        page.contains("<div><dt>Window for 24/7 Points of Contact</dt><dd>1 h</dd></div>"),
        "{page}"
    );
    assert_eq!(
        page.matches("<table class=\"check-table chart\">").count(),
        6,
        "3 charts x 2 kinds"
    );
    let rows = page.matches("<tr class=\"chart-row\">").count();
    assert!(rows >= 6, "{rows} rows in 6 charts");
    assert_eq!(
        page.matches("<svg class=\"chart-svg\"").count(),
        rows,
        "each row of a chart with its bar"
    );
    let o = ping(root.path(), &["report", "--kind", "exercise"]);
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("no exercise campaign"), "{}", o.stderr);
    let c = support::pocdir(["check".as_ref(), "--root".as_ref(), root.path().as_os_str()]);
    assert_eq!(c.code, 0, "{}", c.stderr);
}

#[test]
fn an_exercise_sends_its_scenario_to_every_poc_type() {
    let root = example();
    let outbox = tempfile::tempdir().unwrap();
    let start = |extra: &[&str]| {
        let mut a = vec![
            "start",
            "--name",
            "tabletop",
            "--kind",
            "exercise",
            "--only",
            "FRA",
            "--now",
            "2026-11-20T09:00:00Z",
            "--types",
            "technical",
        ];
        a.extend_from_slice(extra);
        ping(root.path(), &a)
    };
    let o = start(&["--dry-run"]);
    assert_eq!(o.code, 2, "an exercise needs a scenario");
    let o = start(&["--scenario", "nowhere", "--dry-run"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("no such page"), "{}", o.stderr);
    let o = start(&[
        "--scenario",
        "incident-template",
        "--outbox",
        outbox.path().to_str().unwrap(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let text = std::fs::read_to_string(root.path().join("content/pings/2026-11-20-tabletop.yaml"))
        .unwrap();
    assert!(
        text.contains("kind: exercise\nscenario: incident-template\n"),
        "{text}"
    );
    assert!(
        text.contains("type: diplomatic") && text.contains("type: technical"),
        "both types: {text}"
    );
    let mut names: Vec<String> = std::fs::read_dir(outbox.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    let eml = std::fs::read_to_string(outbox.path().join(&names[0])).unwrap();
    let eml = eml.replace("=\r\n", "").replace("=\n", "");
    assert!(eml.contains("This is an EXERCISE."), "{eml}");
    assert!(eml.contains("Exercise scenario:"), "{eml}");
}
