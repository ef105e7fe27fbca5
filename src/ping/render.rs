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
        ]);
    }
    String::from_utf8_lossy(&w.into_inner().unwrap_or_default()).into_owned()
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
    let _ = writeln!(o, "{} ({}), started {}", r.name, r.campaign, r.started);
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
            "\nreplies from other addresses (not counted; if genuine, pocdir ping record):"
        );
        for x in flagged {
            let _ = writeln!(
                o,
                "  {} {:<10} {:<40} from {}",
                x.state,
                x.kind,
                x.to,
                x.flagged_from.join(", ")
            );
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
