//! A campaign's report as text (for the terminal) and CSV (one row per
//! ping, formula-safe cells). JSON is the report's serde form.

use std::fmt::Write as _;

use super::Outcome;
use super::report::Report;

fn fmt_duration(secs: f64) -> String {
    let s = secs.round() as i64;
    format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
}

/// One row per ping: state, group, type, address, when it went out, the
/// outcome, the answer's time and delay, how, and strangers' addresses.
pub fn csv(r: &Report) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "campaign",
        "state",
        "group",
        "type",
        "to",
        "sent",
        "outcome",
        "answered_at",
        "response_seconds",
        "via",
        "flagged_from",
        "timed_by",
    ]);
    for row in &r.rows {
        let (outcome, secs, via) = match &row.outcome {
            Outcome::Answered { seconds, via } => ("answered", seconds.to_string(), via.clone()),
            Outcome::Bounced => ("bounced", String::new(), String::new()),
            Outcome::NoAnswer => ("no_answer", String::new(), String::new()),
            Outcome::Pending => ("pending", String::new(), String::new()),
            Outcome::NotSent => ("not_sent", String::new(), String::new()),
        };
        let _ = w.write_record([
            r.campaign.as_str(),
            &row.state,
            &row.group,
            &row.kind,
            &crate::export::cell(&row.to),
            row.sent.as_deref().unwrap_or(""),
            outcome,
            row.answered_at.as_deref().unwrap_or(""),
            &secs,
            &via,
            &crate::export::cell(&row.flagged_from.join(" ")),
            row.timed_by.as_deref().unwrap_or(""),
        ]);
    }
    String::from_utf8_lossy(&w.into_inner().unwrap_or_default()).into_owned()
}

/// A time source in words.
fn time_source(k: &str) -> &str {
    match k {
        "received" => "the secretariat's server (Received header)",
        "mbox" => "the mbox From line",
        "maildir" => "the Maildir delivery time",
        "phone" => "phone calls recorded",
        "date" => "the sender's Date (collected before pocdir checked it)",
        other => other,
    }
}

/// Why a reply was flagged, in words.
fn reason(k: &str) -> &str {
    match k {
        "other-address" => "not one of the PoC's addresses",
        "before-sent" => "received before the ping was sent",
        "unknown-ping" => "a Message-ID or token no ping holds",
        "unknown-bounce" => "a delivery failure naming no real ping",
        other => other,
    }
}

/// The figures, by type and group, who did not answer, replies from other
/// addresses, and the trend, as lines of text.
pub fn text(r: &Report) -> String {
    let mut o = String::new();
    let f = &r.figures;
    let med = f
        .median_response_seconds
        .map(fmt_duration)
        .unwrap_or("-".into());
    let p90 = f
        .p90_response_seconds
        .map(|s| fmt_duration(s as f64))
        .unwrap_or("-".into());
    let _ = writeln!(
        o,
        "{} ({}), {} check, started {}",
        r.name, r.campaign, r.kind, r.started
    );
    if let Some(m) = r.short_window_minutes {
        let _ = writeln!(
            o,
            "24/7 PoCs judged against {m} minute(s), the others against {} hour(s)",
            r.respond_within_hours
        );
    }
    if let Some(s) = &r.scenario {
        let _ = writeln!(o, "scenario: content/pages/{s}");
    }
    let _ = writeln!(
        o,
        "sent {}, answered {} ({:.1}%), median {med}, 90th percentile {p90}, bounced {}, flagged {}, pending {}",
        f.sent,
        f.responded,
        f.response_rate * 100.0,
        f.bounced,
        f.flagged,
        f.pending
    );
    for (title, map) in [("by type", &r.by_type), ("by regional group", &r.by_group)] {
        let _ = writeln!(o, "\n{title}:");
        for (k, g) in map {
            let _ = writeln!(
                o,
                "  {k:<26} {:>3}/{:<3} {:>5.1}%  median {}",
                g.responded,
                g.sent,
                g.response_rate * 100.0,
                g.median_response_seconds
                    .map(fmt_duration)
                    .unwrap_or("-".into())
            );
        }
    }
    if !r.timed_by.is_empty() {
        let _ = writeln!(
            o,
            "answers timed by: {} (when the secretariat received them, never the sender's Date)",
            r.timed_by
                .iter()
                .map(|(k, n)| format!("{} {n}", time_source(k)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let _ = writeln!(o, "\ndid not answer:");
    for n in &r.non_responders {
        let why = if n.outcome == Outcome::Bounced {
            "bounced"
        } else {
            "no answer"
        };
        let _ = writeln!(o, "  {} {:<10} {:<40} {why}", n.state, n.kind, n.to);
    }
    let flagged: Vec<_> = r
        .rows
        .iter()
        .filter(|x| !x.flagged_from.is_empty())
        .collect();
    if !flagged.is_empty() {
        let _ = writeln!(
            o,
            "\nflagged: replies from other addresses, or received before the ping was sent (not counted; if genuine, pocdir ping record):"
        );
        for x in flagged {
            let _ = writeln!(
                o,
                "  {} {:<10} {:<40} from {}",
                x.state,
                x.kind,
                x.to,
                x.flagged
                    .iter()
                    .map(|f| format!("{} ({}, received {})", f.from, reason(&f.reason), f.at))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    if !r.unknown_pings.is_empty() {
        let _ = writeln!(
            o,
            "\nflagged: messages naming no real ping of this campaign (not counted):"
        );
        for f in &r.unknown_pings {
            let _ = writeln!(o, "  {}  from {}  {}", f.at, f.from, reason(&f.reason));
        }
    }
    let _ = writeln!(o, "\ntrend:");
    for t in &r.trend {
        let _ = writeln!(
            o,
            "  {} {:<28} {:>3}/{:<3} {:>5.1}%",
            t.started.get(..10).unwrap_or(&t.started),
            t.campaign,
            t.responded,
            t.sent,
            t.response_rate * 100.0
        );
    }
    o
}
