//! Ping figures a stranger cannot change (issue #15): a mailbox that
//! tries — a forged From with a guessed Message-ID, a guessed token,
//! backdated and impossible Dates, a forged bounce, a reply received
//! before the ping went out, a stranger holding a real token — beside one
//! genuine reply (tests/fixtures/ping/trust/, made by its make.py), read
//! as mbox and as Maildir, every outcome asserted exactly. And `ping
//! record --poc` for a State with two PoCs of a type.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::build::example;
use crate::support;

const NOW: &str = "2026-11-30T00:00:00Z";
const ID: &str = "2026-11-trust";

fn fixture() -> PathBuf {
    support::fixtures().join("ping/trust")
}

fn root_with_campaign() -> support::Root {
    let root = example();
    let dir = root.path().join("content/pings");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        fixture().join("campaign.yaml"),
        dir.join(format!("{ID}.yaml")),
    )
    .unwrap();
    root
}

fn ping(root: &Path, args: &[&str]) -> support::Output {
    let mut a: Vec<std::ffi::OsString> = vec!["ping".into(), args[0].into(), "--root".into()];
    a.push(root.into());
    a.extend(args[1..].iter().map(|s| s.into()));
    support::pocdir(a)
}

fn report(root: &Path) -> Value {
    let o = ping(
        root,
        &["report", "--campaign", ID, "--format", "json", "--now", NOW],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    serde_json::from_str(&o.stdout).unwrap()
}

/// Each ping as (state, type, to, outcome, seconds, timed_by, flagged).
fn rows(r: &Value) -> Vec<Value> {
    r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            json!([
                x["state"],
                x["type"],
                x["to"],
                x["outcome"],
                x["seconds"],
                x["timed_by"],
                x["flagged"]
            ])
        })
        .collect()
}

fn flag(at: &str, from: &str, reason: &str) -> Value {
    json!([{"at": at, "from": from, "reason": reason}])
}

fn expected_rows(fra_seconds: i64, source: &str) -> Vec<Value> {
    vec![
        // The genuine reply: timed by when the secretariat received it.
        json!([
            "FRA",
            "diplomatic",
            "cyber-diplo@diplomatie.fra.example",
            "answered",
            fra_seconds,
            source,
            []
        ]),
        // The forged From with a guessed Message-ID counts for nothing.
        json!([
            "FRA",
            "technical",
            "cert@cert.fra.example",
            "no_answer",
            null,
            null,
            []
        ]),
        // Date 1970: timed by the receipt, not 0 s.
        json!([
            "JPN",
            "diplomatic",
            "cyber-policy@mofa.jpn.example",
            "answered",
            3605,
            source,
            []
        ]),
        // Date "31 Feb 2026 25:61:61 -9999": the same.
        json!([
            "JPN",
            "technical",
            "soc@ncso.jpn.example",
            "answered",
            9000,
            source,
            []
        ]),
        // Received before the ping went out: flagged, not counted.
        json!([
            "DEU",
            "diplomatic",
            "cyber-policy@diplo.deu.example",
            "no_answer",
            null,
            null,
            flag(
                "2026-11-16T08:30:00Z",
                "cyber-policy@diplo.deu.example",
                "before-sent"
            )
        ]),
        // The forged bounce did not bounce it; the stranger did not answer.
        json!([
            "DEU",
            "technical",
            "cert@cert.deu.example",
            "no_answer",
            null,
            null,
            flag(
                "2026-11-16T12:00:00Z",
                "someone@freemail.example",
                "other-address"
            )
        ]),
        json!([
            "DEU",
            "technical",
            "cyber-liaison@polizei.deu.example",
            "no_answer",
            null,
            null,
            []
        ]),
    ]
}

fn expected_unknown() -> Value {
    json!([
        {"at": "2026-11-16T09:05:00Z", "from": "mailer-daemon@mx.secretariat.example", "reason": "unknown-bounce"},
        {"at": "2026-11-16T09:10:04Z", "from": "cert@cert.fra.example", "reason": "unknown-ping"},
        {"at": "2026-11-16T13:00:00Z", "from": "cyber-liaison@polizei.deu.example", "reason": "unknown-ping"},
    ])
}

#[test]
fn forged_and_backdated_replies_change_no_figure_in_an_mbox_or_a_maildir() {
    for (flag_, path, source) in [
        ("--mbox", fixture().join("replies.mbox"), "mbox"),
        ("--maildir", fixture().join("maildir"), "maildir"),
    ] {
        let root = root_with_campaign();
        let o = ping(root.path(), &["collect", flag_, path.to_str().unwrap()]);
        assert_eq!(o.code, 0, "{flag_}: {}", o.stderr);
        assert!(
            o.stdout.starts_with(
                "8 message(s): 3 answer(s) recorded, 0 duplicate(s), 0 automatic repl(ies) ignored, 0 bounce(s), 5 flagged"
            ),
            "{flag_}: {}",
            o.stdout
        );
        assert!(o.stdout.trim_end().ends_with("0 unrelated"), "{}", o.stdout);
        let r = report(root.path());
        // The mailbox's own time of receipt (From line, Maildir name): 09:30:07.
        assert_eq!(rows(&r), expected_rows(1807, source), "{flag_}");
        assert_eq!(r["unknown_pings"], expected_unknown(), "{flag_}");
        assert_eq!(r["sent"], 7);
        assert_eq!(r["responded"], 3);
        assert_eq!(r["bounced"], 0, "a forged bounce bounces nothing");
        assert_eq!(r["median_response_seconds"].as_f64().unwrap(), 3605.0);
        assert_eq!(r["timed_by"], json!({ source: 3 }));
        let text = ping(root.path(), &["report", "--campaign", ID, "--now", NOW]);
        let say = match source {
            "mbox" => {
                "answers timed by: the mbox From line 3 (when the secretariat received them, never the sender's Date)"
            }
            _ => {
                "answers timed by: the Maildir delivery time 3 (when the secretariat received them, never the sender's Date)"
            }
        };
        assert!(text.stdout.contains(say), "{}", text.stdout);
        assert!(
            text.stdout.contains(
                "flagged: messages naming no real ping of this campaign (not counted):\n  2026-11-16T09:05:00Z  from mailer-daemon@mx.secretariat.example  a delivery failure naming no real ping\n  2026-11-16T09:10:04Z  from cert@cert.fra.example  a Message-ID or token no ping holds\n"
            ),
            "{}",
            text.stdout
        );
        assert!(
            text.stdout.contains("from someone@freemail.example (not one of the PoC's addresses, received 2026-11-16T12:00:00Z)"),
            "{}",
            text.stdout
        );
        // Again: nothing changes; the file still checks.
        let file = root.path().join(format!("content/pings/{ID}.yaml"));
        let before = std::fs::read(&file).unwrap();
        let o = ping(root.path(), &["collect", flag_, path.to_str().unwrap()]);
        assert_eq!(o.code, 0);
        assert!(o.stdout.contains(": 0 answer(s) recorded"), "{}", o.stdout);
        assert_eq!(std::fs::read(&file).unwrap(), before, "idempotent");
        let c = support::pocdir(["check".as_ref(), "--root".as_ref(), root.path().as_os_str()]);
        assert_eq!(c.code, 0, "{}", c.stderr);
    }
}

#[test]
fn the_secretariats_own_received_header_times_an_answer_when_named() {
    let root = root_with_campaign();
    let mbox = fixture().join("replies.mbox");
    let o = ping(
        root.path(),
        &[
            "collect",
            "--mbox",
            mbox.to_str().unwrap(),
            "--received-by",
            "MX.secretariat.example",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let r = report(root.path());
    // Its topmost Received by mx.secretariat.example says 09:30:05; the
    // one below it, forged by the sender, 09:00:01: not read.
    assert_eq!(rows(&r), expected_rows(1805, "received"));
    assert_eq!(r["unknown_pings"], expected_unknown());
    // A host name only.
    let bad = ping(
        root.path(),
        &[
            "collect",
            "--mbox",
            mbox.to_str().unwrap(),
            "--received-by",
            "mx\r\nX: y",
        ],
    );
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("--received-by"), "{}", bad.stderr);
}

#[test]
fn a_new_campaign_has_unguessable_message_ids() {
    let root = example();
    let o = ping(
        root.path(),
        &[
            "start",
            "--name",
            "ids",
            "--only",
            "DEU,FRA",
            "--now",
            "2026-11-20T09:00:00Z",
            "--outbox",
        ],
    );
    // --outbox needs a folder.
    assert_ne!(o.code, 0);
    let outbox = tempfile::tempdir().unwrap();
    let o = ping(
        root.path(),
        &[
            "start",
            "--name",
            "ids",
            "--only",
            "DEU,FRA",
            "--now",
            "2026-11-20T09:00:00Z",
            "--outbox",
            outbox.path().to_str().unwrap(),
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let text =
        std::fs::read_to_string(root.path().join("content/pings/2026-11-20-ids.yaml")).unwrap();
    let ids: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("message_id: "))
        .map(|l| l.trim_matches('"'))
        .collect();
    assert_eq!(ids.len(), 5, "{text}"); // FRA 2, DEU 3
    for id in &ids {
        let random = id
            .strip_prefix("<ping.")
            .and_then(|x| x.strip_suffix("@secretariat.example>"))
            .unwrap_or_else(|| panic!("{id}"));
        assert_eq!(random.len(), 26, "{id}");
        assert!(
            !id.contains("DEU") && !id.contains("2026"),
            "{id}: nothing guessable"
        );
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());
    // Each ping names its PoC.
    for poc in ["mfa-digital", "cert", "ffo-cyber", "police-cybercrime"] {
        assert!(text.contains(&format!("poc: {poc}\n")), "{poc}: {text}");
    }
    // The message carries the recorded id.
    let emls: Vec<String> = std::fs::read_dir(outbox.path())
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    for id in &ids {
        assert_eq!(
            emls.iter()
                .filter(|m| m.contains(&format!("Message-ID: {id}")))
                .count(),
            1,
            "{id}"
        );
    }
}

#[test]
fn ping_record_names_the_poc_when_a_state_has_two_of_a_type() {
    let root = root_with_campaign();
    let rec = |which: &[&str], at: &str| {
        let mut a = vec!["record", "--campaign", ID, "--state", "DEU", "--at", at];
        a.extend_from_slice(which);
        ping(root.path(), &a)
    };
    // Two technical PoCs: --type is ambiguous, nothing is recorded.
    let file = root.path().join(format!("content/pings/{ID}.yaml"));
    let before = std::fs::read(&file).unwrap();
    let o = rec(&["--type", "technical"], "2026-11-16T10:00:00Z");
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains(
            "DEU has 2 technical PoCs in campaign 2026-11-trust: name one with --poc (cert, police-cybercrime)"
        ),
        "{}",
        o.stderr
    );
    assert_eq!(std::fs::read(&file).unwrap(), before);
    // By id: the second one, in Berlin time.
    let o = rec(
        &["--poc", "police-cybercrime"],
        "2026-11-16T11:15:00[Europe/Berlin]",
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let r = report(root.path());
    let x = &r["rows"][6];
    assert_eq!(x["to"], "cyber-liaison@polizei.deu.example");
    assert_eq!(x["outcome"], "answered");
    assert_eq!(x["via"], "phone");
    assert_eq!(x["timed_by"], "phone");
    assert_eq!(x["seconds"], 4500, "11:15 in Berlin is 10:15Z");
    assert_eq!(
        r["rows"][5]["outcome"], "no_answer",
        "the CERT is not credited"
    );
    // One of a type: --type still works; an unknown id and a time before
    // the ping are refused.
    let o = rec(&["--type", "diplomatic"], "2026-11-16T09:20:00Z");
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(report(root.path())["rows"][4]["seconds"], 1200);
    let o = rec(&["--poc", "nobody"], "2026-11-16T10:00:00Z");
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains("no ping for PoC \"nobody\" of \"DEU\""),
        "{}",
        o.stderr
    );
    let o = rec(&["--poc", "cert"], "2026-11-16T08:59:59Z");
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("before the ping"), "{}", o.stderr);
    let o = rec(
        &["--poc", "cert", "--type", "technical"],
        "2026-11-16T10:00:00Z",
    );
    assert_eq!(o.code, 2, "--poc or --type, not both");
}

/// A device given as the mailbox is refused at once: mail-parser would
/// otherwise read `/dev/zero` without end, holding it all in memory.
#[cfg(target_os = "linux")]
#[test]
fn a_device_as_the_mbox_is_refused() {
    let root = root_with_campaign();
    let o = ping(root.path(), &["collect", "--mbox", "/dev/zero"]);
    assert_ne!(o.code, 0, "{}", o.stdout);
    assert!(
        o.stderr.contains("/dev/zero: not a regular file"),
        "{}",
        o.stderr
    );
}
