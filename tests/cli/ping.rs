//! Tests of `pocdir ping`: a fixture mailbox of real-world shaped replies
//! (tests/fixtures/ping/, its expected figures worked out by hand in
//! EXPECTED.md) read as mbox and as Maildir, with the report's figures
//! asserted exactly; phone answers; a campaign started through a real SMTP
//! server, answered, collected and reported end to end.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::build::example;
use crate::smtp_server::SmtpServer;
use crate::support;

const NOW: &str = "2026-11-22T00:00:00Z";

fn fixture() -> PathBuf {
    support::fixtures().join("ping")
}

/// The example directory with the fixture campaign.
fn root_with_campaign() -> support::Root {
    let root = example();
    let dir = root.path().join("content/pings");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(fixture().join("campaign.yaml"), dir.join("2026-11-q4.yaml")).unwrap();
    root
}

fn ping(root: &Path, args: &[&str]) -> support::Output {
    let mut a: Vec<std::ffi::OsString> = vec!["ping".into(), args[0].into(), "--root".into()];
    a.push(root.into());
    a.extend(args[1..].iter().map(|s| s.into()));
    support::pocdir(a)
}

/// `pocdir ping record` of an answer to a ping of the fixture campaign
/// (2026-11-q4).
fn record(root: &Path, state: &str, kind: &str, at: &str, note: Option<&str>) -> support::Output {
    let mut args = vec![
        "record",
        "--campaign",
        "2026-11-q4",
        "--state",
        state,
        "--type",
        kind,
        "--at",
        at,
    ];
    if let Some(note) = note {
        args.extend(["--note", note]);
    }
    ping(root, &args)
}

/// `pocdir check --root ROOT`.
fn check(root: &Path) -> support::Output {
    support::pocdir(["check".as_ref(), "--root".as_ref(), root.as_os_str()])
}

fn report(root: &Path) -> Value {
    let o = ping(root, &["report", "--format", "json", "--now", NOW]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    serde_json::from_str(&o.stdout).unwrap()
}

fn row<'a>(r: &'a Value, state: &str, kind: &str) -> &'a Value {
    r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["state"] == state && x["type"] == kind)
        .unwrap_or_else(|| panic!("{state} {kind}"))
}

#[test]
fn replies_in_an_mbox_and_a_maildir_give_the_exact_figures() {
    for (flag, path) in [
        ("--mbox", fixture().join("replies.mbox")),
        ("--maildir", fixture().join("maildir")),
    ] {
        let root = root_with_campaign();
        let o = ping(root.path(), &["collect", flag, path.to_str().unwrap()]);
        assert_eq!(o.code, 0, "{flag}: {}", o.stderr);
        assert!(
            o.stdout.starts_with("14 message(s): 8 answer(s) recorded, 1 duplicate(s), 2 automatic repl(ies) ignored, 1 bounce(s), 1 flagged"),
            "{flag}: {}",
            o.stdout
        );
        let r = report(root.path());
        assert_eq!(r["sent"], 12, "{flag}");
        assert_eq!(r["responded"], 8);
        assert_eq!(r["response_rate"].as_f64().unwrap(), 8.0 / 12.0);
        assert_eq!(r["median_response_seconds"].as_f64().unwrap(), 14279.0);
        assert_eq!(r["p90_response_seconds"], 177903);
        assert_eq!(r["bounced"], 1);
        assert_eq!(r["flagged"], 1);
        for (kind, sent, responded) in [("diplomatic", 6, 3), ("technical", 6, 5)] {
            assert_eq!(r["by_type"][kind]["sent"], sent);
            assert_eq!(r["by_type"][kind]["responded"], responded);
        }
        for (group, sent, responded) in [
            ("african", 2, 1),
            ("asia_pacific", 4, 3),
            ("latin_american_caribbean", 2, 1),
            ("western_european_others", 4, 3),
        ] {
            assert_eq!(r["by_group"][group]["sent"], sent, "{group}");
            assert_eq!(r["by_group"][group]["responded"], responded, "{group}");
        }
        // Each measured time, from when the secretariat's mailbox received
        // the reply (the mbox From line, the Maildir file's name), never
        // the sender's Date (issue #15): a few seconds after it.
        for (state, kind, secs) in [
            ("FRA", "diplomatic", 83553), // RFC 2047 subject; auto-reply before it ignored
            ("FRA", "technical", 2832),
            ("JPN", "diplomatic", 5403),  // +0900
            ("JPN", "technical", 50609),  // HTML only, token split by quoted-printable
            ("ARG", "diplomatic", 8102),  // -0300, token only in the quoted text
            ("KEN", "technical", 13331),  // In-Reply-To only
            ("DEU", "technical", 177903), // the earlier of two replies; sent at 09:05
            ("SGP", "technical", 15227),
        ] {
            let x = row(&r, state, kind);
            assert_eq!(x["outcome"], "answered", "{state} {kind}");
            assert_eq!(x["seconds"], secs, "{state} {kind}");
        }
        assert_eq!(row(&r, "KEN", "diplomatic")["outcome"], "bounced");
        let stranger = row(&r, "ARG", "technical");
        assert_eq!(
            stranger["outcome"], "no_answer",
            "a stranger's reply does not count"
        );
        assert_eq!(
            stranger["flagged_from"],
            serde_json::json!(["martin.ejemplo@freemail.example"])
        );
        let mut failed: Vec<String> = r["non_responders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                format!(
                    "{} {}",
                    x["state"].as_str().unwrap(),
                    x["type"].as_str().unwrap()
                )
            })
            .collect();
        failed.sort();
        assert_eq!(
            failed,
            [
                "ARG technical",
                "DEU diplomatic",
                "KEN diplomatic",
                "SGP diplomatic"
            ]
        );
        // The text report names the stranger for the secretariat to judge.
        let t = ping(root.path(), &["report", "--now", NOW]);
        assert!(
            t.stdout.contains("replies from other addresses")
                && t.stdout.contains("ARG technical  cert@cert.arg.example")
                && t.stdout.contains("from martin.ejemplo@freemail.example"),
            "{}",
            t.stdout
        );
        assert!(
            t.stdout
                .contains("sent 12, answered 8 (66.7%), median 3h57m, 90th percentile 49h25m"),
            "{}",
            t.stdout
        );
        // Collecting again changes nothing; the file still checks.
        let file = root.path().join("content/pings/2026-11-q4.yaml");
        let before = std::fs::read(&file).unwrap();
        let o = ping(root.path(), &["collect", flag, path.to_str().unwrap()]);
        assert_eq!(o.code, 0);
        assert!(o.stdout.contains(": 0 answer(s) recorded"), "{}", o.stdout);
        assert_eq!(std::fs::read(&file).unwrap(), before, "idempotent");
        let c = check(root.path());
        assert_eq!(c.code, 0, "{}", c.stderr);
    }
}

#[test]
fn a_phone_answer_is_recorded_with_its_time_zone_and_counts() {
    let root = root_with_campaign();
    let o = record(
        root.path(),
        "SGP",
        "diplomatic",
        "2026-11-02T18:00:00[Asia/Singapore]",
        Some("Duty officer called back: \"received\" # not a comment"),
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let r = report(root.path());
    let x = row(&r, "SGP", "diplomatic");
    assert_eq!(x["outcome"], "answered");
    assert_eq!(x["via"], "phone");
    assert_eq!(x["seconds"], 3600, "18:00 in Singapore is 10:00Z");
    assert_eq!(r["responded"], 1);
    let text = std::fs::read_to_string(root.path().join("content/pings/2026-11-q4.yaml")).unwrap();
    assert!(
        text.contains("not a comment"),
        "the note survives YAML: {text}"
    );
    // A ping that does not exist.
    let o = record(
        root.path(),
        "BRA",
        "technical",
        "2026-11-02T10:00:00Z",
        None,
    );
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains("no \"technical\" ping for \"BRA\""),
        "{}",
        o.stderr
    );
}

#[test]
fn a_campaign_sent_through_smtp_is_answered_collected_and_reported() {
    let root = example();
    let server = SmtpServer::start(&[]);
    let start = |extra: &[&str]| {
        let mut args = vec![
            "start",
            "--name",
            "Q4 check",
            "--types",
            "technical",
            "--only",
            "FRA,JPN,BRA",
            "--now",
            "2026-11-22T09:00:00Z",
        ];
        args.extend_from_slice(extra);
        ping(root.path(), &args)
    };
    let url = server.url("smtp");
    let o = start(&["--dry-run"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let file = root.path().join("content/pings/2026-11-22-q4-check.yaml");
    assert!(!file.exists(), "a dry run writes no campaign");
    assert_eq!(server.received().len(), 0);

    let o = start(&["--smtp", &url]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    assert!(file.exists());
    let again = start(&["--smtp", &url]);
    assert_eq!(again.code, 1, "the same campaign twice");
    assert!(
        again
            .stderr
            .contains("pocdir ping send --campaign 2026-11-22-q4-check")
    );

    let text = std::fs::read_to_string(&file).unwrap();
    let tokens: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("token: "))
        .collect();
    let got = server.received();
    assert_eq!(got.len(), tokens.len(), "one message per technical PoC");
    assert!(tokens.len() >= 3, "{text}");
    let mut unique = tokens.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), tokens.len(), "every token differs");
    assert_eq!(
        text.matches("sent: ").count(),
        tokens.len(),
        "send times recorded"
    );

    // Each PoC answers one hour after its message went out, from its own
    // address, quoting the message; Python writes the mbox.
    let mut sent_of = std::collections::BTreeMap::new();
    let mut last_id = String::new();
    for line in text.lines().map(str::trim) {
        if let Some(id) = line.strip_prefix("message_id: ") {
            last_id = id.trim_matches('"').to_string();
        } else if let Some(t) = line.strip_prefix("sent: ") {
            sent_of.insert(last_id.clone(), t.trim_matches('"').to_string());
        }
    }
    let x = tempfile::tempdir().unwrap();
    let emls: Vec<&Path> = got.iter().map(|r| r.eml.as_path()).collect();
    let parsed = crate::smtp_server::parse_messages(&emls, x.path());
    let mbox = x.path().join("inbox.mbox");
    let script = r#"
import json, mailbox, sys, email.message
box = mailbox.mbox(sys.argv[1])
for line in sys.stdin:
    m = json.loads(line)
    r = email.message.EmailMessage()
    r['From'] = m['rcpt']
    r['To'] = 'poc-directory@secretariat.example'
    r['Subject'] = 'Re: ' + m['subject']
    r['Date'] = m['reply_date']
    r['In-Reply-To'] = m['message_id']
    r.set_unixfrom('From ' + m['rcpt'] + ' ' + m['received'])
    r.set_content('Received, thank you.\n\n> ' + m['body'].replace('\n', '\n> '))
    box.add(r)
box.flush()
"#;
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&mbox)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let stdin = child.stdin.as_mut().unwrap();
        for (m, g) in parsed.iter().zip(&got) {
            let mut m = m.clone();
            m["rcpt"] = g.rcpt_tos[0].clone().into();
            // One hour after the recorded send time, written in +01:00.
            let id = m["message_id"].as_str().unwrap().to_string();
            let sent: jiff::Timestamp = sent_of[&id].parse().unwrap();
            let reply = (sent + jiff::SignedDuration::from_secs(3600))
                .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(1)));
            m["reply_date"] = reply
                .strftime("%a, %d %b %Y %H:%M:%S %z")
                .to_string()
                .into();
            // Received by the secretariat's mailbox then (the mbox From line).
            m["received"] = reply
                .with_time_zone(jiff::tz::TimeZone::UTC)
                .strftime("%a %b %e %H:%M:%S %Y")
                .to_string()
                .into();
            writeln!(stdin, "{m}").unwrap();
        }
    }
    assert!(child.wait().unwrap().success());
    let fra = parsed
        .iter()
        .find(|m| m["to"].as_str().unwrap().contains("cert@cert.fra.example"))
        .expect("FRA's CERT was pinged");
    assert!(fra["subject"].as_str().unwrap().contains("PING-"));
    assert!(
        fra["body"]
            .as_str()
            .unwrap()
            .contains("Au point de contact"),
        "French first: {}",
        fra["body"]
    );

    let o = ping(root.path(), &["collect", "--mbox", mbox.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let o = ping(
        root.path(),
        &[
            "report",
            "--format",
            "json",
            "--now",
            "2026-11-23T00:00:00Z",
        ],
    );
    let r: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(r["sent"], tokens.len());
    assert_eq!(r["responded"], tokens.len(), "{}", o.stdout);
    assert_eq!(r["response_rate"].as_f64().unwrap(), 1.0);
    // Measured in UTC from the +01:00 Date: exactly one hour.
    assert_eq!(r["median_response_seconds"].as_f64().unwrap(), 3600.0);
}

#[test]
fn bad_mailboxes_are_errors_or_warnings_never_a_crash() {
    let root = root_with_campaign();
    let file = root.path().join("content/pings/2026-11-q4.yaml");
    let before = std::fs::read(&file).unwrap();
    // Missing: an error naming it, nothing recorded.
    let o = ping(
        root.path(),
        &["collect", "--mbox", "/nonexistent/inbox.mbox"],
    );
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains("/nonexistent/inbox.mbox") && o.stderr.contains("nothing was recorded"),
        "{}",
        o.stderr
    );
    let x = tempfile::tempdir().unwrap();
    let o = ping(
        root.path(),
        &["collect", "--maildir", x.path().to_str().unwrap()],
    );
    assert_eq!(o.code, 1, "a folder without cur/ and new/: {}", o.stderr);
    // Garbage and a huge message: warnings, no crash, the campaign intact.
    let mbox = x.path().join("junk.mbox");
    let mut junk = b"From junk@x Mon Nov  2 09:00:00 2026\n\xff\xfe\x00\x01 not mail\n\n".to_vec();
    junk.extend_from_slice(
        b"From big@x Mon Nov  2 09:00:00 2026\nSubject: big PING-QGD5-N4WY-C8GH-V6NC\n\n",
    );
    junk.extend(std::iter::repeat_n(b'a', 33 * 1024 * 1024));
    junk.push(b'\n');
    std::fs::write(&mbox, junk).unwrap();
    let o = ping(root.path(), &["collect", "--mbox", mbox.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stderr.contains("over the 33554432-byte limit"),
        "{}",
        o.stderr
    );
    assert!(o.stdout.contains("0 answer(s) recorded"), "{}", o.stdout);
    assert_eq!(std::fs::read(&file).unwrap(), before);
}

#[test]
fn a_campaign_cut_short_by_the_server_is_finished_by_ping_send() {
    let root = example();
    let first = SmtpServer::start(&["--refuse-after", "2"]);
    let o = ping(
        root.path(),
        &[
            "start",
            "--name",
            "resume",
            "--only",
            "FRA,DEU",
            "--smtp",
            &first.url("smtp"),
            "--now",
            "2026-11-22T09:00:00Z",
        ],
    );
    assert_eq!(o.code, 1, "not everything went out: {}", o.stderr);
    let file = root.path().join("content/pings/2026-11-22-resume.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let pings = text.matches("token: ").count();
    assert!(pings > 2, "{text}");
    assert_eq!(
        text.matches("sent: ").count(),
        2,
        "only what the server took"
    );
    drop(first);
    let second = SmtpServer::start(&[]);
    let o = ping(
        root.path(),
        &[
            "send",
            "--campaign",
            "2026-11-22-resume",
            "--smtp",
            &second.url("smtp"),
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(second.received().len(), pings - 2, "only the missing ones");
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        text.matches("sent: ").count(),
        pings,
        "every ping has its time"
    );
}

#[test]
fn hidden_characters_never_reach_a_campaign_file() {
    let root = root_with_campaign();
    // From the command line: refused, nothing written.
    let o = ping(
        root.path(),
        &[
            "start",
            "--name",
            "\u{202E}evil",
            "--outbox",
            "/tmp/unused",
            "--only",
            "FRA",
        ],
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    let o = record(
        root.path(),
        "DEU",
        "diplomatic",
        "2026-11-02T10:00:00Z",
        Some("ok\u{2067}"),
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    // From a stranger's reply: the address is not copied as it is.
    let x = tempfile::tempdir().unwrap();
    let mbox = x.path().join("in.mbox");
    std::fs::write(
        &mbox,
        "From x@y Mon Nov  2 10:00:00 2026\n\
         From: \"Mallory\" <\"evil\u{202E}gnp.exe\"@bad.example>\n\
         To: poc-directory@secretariat.example\n\
         Date: Mon, 02 Nov 2026 10:00:00 +0000\n\
         Subject: Re: PING-BSCH-0K5N-9D7T-SEDV\n\
         Content-Type: text/plain; charset=utf-8\n\n\
         hello\n",
    )
    .unwrap();
    let o = ping(root.path(), &["collect", "--mbox", mbox.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let text = std::fs::read_to_string(root.path().join("content/pings/2026-11-q4.yaml")).unwrap();
    assert!(text.contains("(not a valid address)"), "{text}");
    assert!(!text.contains('\u{202E}'));
    let c = check(root.path());
    assert_eq!(c.code, 0, "the directory still checks: {}", c.stderr);
}
