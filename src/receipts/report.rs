//! `receipts report`: the figures, from the records (`log/receipts.jsonl`),
//! the version log and the mail journal (when each bundle was sent to
//! whom). Only `confirmed` records count.

use std::collections::BTreeMap;

use serde::Serialize;

use super::record::{Records, Status};
use crate::bundle::log::Entry;
use crate::mail::journal;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StateLine {
    pub state: String,
    /// The latest version the State confirmed, and when it was received.
    pub latest_confirmed: Option<u64>,
    pub received_at: Option<String>,
    /// It holds the current content: its latest confirmed version has the
    /// current version's root (the current version, or one it renews).
    pub holds_current: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VersionLine {
    pub seq: u64,
    pub issued: String,
    /// States the journal says the bundle was sent to.
    pub sent_to: usize,
    /// States that confirmed this version.
    pub confirmed: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    pub current: Option<u64>,
    /// States with a bundle (a receiving account).
    pub states: usize,
    pub holding_current: usize,
    /// Median seconds from the first sending of a bundle to a State (mail
    /// journal) to the secretariat's receipt of its confirmation, over
    /// confirmations whose sending is in the journal.
    pub median_seconds_to_receipt: Option<i64>,
    /// How many confirmations that median is over.
    pub timed: usize,
    pub flagged: usize,
    pub per_state: Vec<StateLine>,
    pub per_version: Vec<VersionLine>,
}

fn parse(t: &str) -> Option<jiff::Timestamp> {
    t.parse().ok()
}

/// The figures. `states`: the States with a bundle, by code.
pub fn report(
    records: &Records,
    versions: &[Entry],
    sent: &[journal::Entry],
    states: &[String],
) -> Report {
    let current = versions.last();
    let root_of: BTreeMap<u64, &str> = versions.iter().map(|v| (v.seq, v.root.as_str())).collect();
    // (State, seq) -> receipt time.
    let confirmed: BTreeMap<(String, u64), String> = records
        .values()
        .filter(|r| r.status == Status::Confirmed)
        .filter_map(|r| Some(((r.state.clone()?, r.seq?), r.received_at.clone()?)))
        .collect();
    // (State, seq) -> first sending.
    let mut first_sent: BTreeMap<(String, u64), jiff::Timestamp> = BTreeMap::new();
    for e in sent.iter().filter(|e| e.kind == "bundle") {
        let (Some(seq), Some(at)) = (
            e.reference
                .strip_prefix("seq ")
                .and_then(|s| s.parse::<u64>().ok()),
            parse(&e.sent_at),
        ) else {
            continue;
        };
        let k = (e.state.clone(), seq);
        let slot = first_sent.entry(k).or_insert(at);
        if at < *slot {
            *slot = at;
        }
    }
    let mut per_state = Vec::new();
    for s in states {
        let latest = confirmed
            .iter()
            .filter(|((st, _), _)| st == s)
            .max_by_key(|((_, q), _)| *q);
        let holds = match (latest, current) {
            (Some(((_, q), _)), Some(c)) => root_of.get(q) == Some(&c.root.as_str()),
            _ => false,
        };
        per_state.push(StateLine {
            state: s.clone(),
            latest_confirmed: latest.map(|((_, q), _)| *q),
            received_at: latest.map(|(_, at)| at.clone()),
            holds_current: holds,
        });
    }
    let mut delays: Vec<i64> = confirmed
        .iter()
        .filter_map(|(k, at)| {
            let sent = first_sent.get(k)?;
            let at = parse(at)?;
            Some(at.as_second() - sent.as_second()).filter(|d| *d >= 0)
        })
        .collect();
    delays.sort_unstable();
    let median = match delays.len() {
        0 => None,
        n if n % 2 == 1 => Some(delays[n / 2]),
        n => Some((delays[n / 2 - 1] + delays[n / 2]) / 2),
    };
    // Counted once per (State, version) key, not once per version: the
    // log may hold 100,000 versions (issue #18).
    let mut sent_to: BTreeMap<u64, usize> = BTreeMap::new();
    for (_, q) in first_sent.keys() {
        *sent_to.entry(*q).or_default() += 1;
    }
    let mut confirmed_by: BTreeMap<u64, usize> = BTreeMap::new();
    for (_, q) in confirmed.keys() {
        *confirmed_by.entry(*q).or_default() += 1;
    }
    let per_version = versions
        .iter()
        .map(|v| VersionLine {
            seq: v.seq,
            issued: v.issued.clone(),
            sent_to: sent_to.get(&v.seq).copied().unwrap_or(0),
            confirmed: confirmed_by.get(&v.seq).copied().unwrap_or(0),
        })
        .collect();
    Report {
        current: current.map(|c| c.seq),
        states: states.len(),
        holding_current: per_state.iter().filter(|l| l.holds_current).count(),
        median_seconds_to_receipt: median,
        timed: delays.len(),
        flagged: records
            .values()
            .filter(|r| r.status == Status::Flagged)
            .count(),
        per_state,
        per_version,
    }
}

/// A duration for people: `2 h 05 min`, `3 d 4 h`.
pub fn human_duration(secs: i64) -> String {
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3_600, secs % 3_600 / 60);
    if d > 0 {
        format!("{d} d {h} h")
    } else {
        format!("{h} h {m:02} min")
    }
}

/// The report as text.
pub fn text(r: &Report) -> String {
    let mut out = String::new();
    match r.current {
        Some(c) => out.push_str(&format!(
            "Current version: {c}. States holding it (confirmed): {} of {}.\n",
            r.holding_current, r.states
        )),
        None => out.push_str("No version issued yet.\n"),
    }
    match r.median_seconds_to_receipt {
        Some(m) => out.push_str(&format!(
            "Median time from sending to receipt: {} (over {} confirmation{}).\n",
            human_duration(m),
            r.timed,
            if r.timed == 1 { "" } else { "s" }
        )),
        None => out.push_str(
            "Median time from sending to receipt: no confirmation of a sent bundle yet.\n",
        ),
    }
    out.push_str(&format!(
        "Flagged receipts (not counted): {}.\n\n",
        r.flagged
    ));
    out.push_str("State  latest confirmed  received              current\n");
    for l in &r.per_state {
        out.push_str(&format!(
            "{:<6} {:<17} {:<21} {}\n",
            l.state,
            l.latest_confirmed
                .map_or("-".to_string(), |q| q.to_string()),
            l.received_at.as_deref().unwrap_or("-"),
            if l.holds_current { "yes" } else { "no" }
        ));
    }
    out.push_str("\nVersion  issued                sent to  confirmed\n");
    for v in &r.per_version {
        out.push_str(&format!(
            "{:<8} {:<21} {:<8} {}\n",
            v.seq, v.issued, v.sent_to, v.confirmed
        ));
    }
    out
}

/// The figures of a directory for its site's page: the records and the
/// mail journal as they are in the repository (none yet: empty figures).
/// A records file or journal that cannot be read gives the figures
/// without it (`receipts report` and `mail` say what is wrong with it).
pub fn of_directory(root: &std::path::Path, checked: &crate::directory::Checked) -> Report {
    let records = super::record::read(&root.join(super::record::RECEIPTS_FILE)).unwrap_or_default();
    let journal_path = root.join(journal::JOURNAL_FILE);
    let sent = if journal_path.is_file() {
        journal::Journal::read_only(&journal_path)
            .map(|j| j.entries().to_vec())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let versions = &checked.version_entries;
    let states: Vec<String> = checked
        .directory
        .states
        .iter()
        .filter(|s| !s.accounts.is_empty())
        .map(|s| s.code.to_string())
        .collect();
    report(&records, versions, &sent, &states)
}
