//! The version log: one JSON line per directory version (sequence number,
//! root hash, issue time), each line holding the SHA-256 of the previous
//! one, the whole file signed by the secretariat. A renewal (the same
//! root issued again, so bundles do not expire while nothing changes) is
//! a version of its own, marked `"renews": <seq of the version it
//! renews>`. Committed in the
//! directory repository (`log/versions.jsonl`), so the sequence never
//! goes backwards whichever machine builds, and published on the site so
//! that States can compare the versions they were shown.
//!
//! Its own rules (issue #18): read under [`MAX_LOG_BYTES`] (some 300,000
//! versions, not the 256 KiB of a State file), parsed line by line with
//! each line hashed once; and no version issued in the future: a version
//! later than the clock that judges the log by more than [`CLOCK_SKEW`] is
//! refused ([`issued_in_future`]), so a fast clock's time is never carried
//! onto the next version.

use serde::{Deserialize, Serialize};

use crate::util::error::message_error;
use crate::util::hash::sha256_hex;

message_error!(
    /// The version log is malformed: which line, and why.
    LogError
);

pub use crate::directory::load::{LOG_FILE, LOG_SIG};
pub use crate::directory::read::MAX_LOG_BYTES;

/// How far ahead of the clock judging it a version's issue time may be
/// (two computers' clocks are never quite the same): beyond it, the
/// version is issued in the future, and refused by `build`, `check` and
/// `open`.
pub const CLOCK_SKEW: jiff::SignedDuration = jiff::SignedDuration::from_mins(5);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub seq: u64,
    /// SHA-256 (hex) of the directory version's canonical JSON.
    pub root: String,
    /// RFC 3339, UTC, whole seconds.
    pub issued: String,
    /// A renewal: the same root as the version `renews` (the one before),
    /// issued again with a new expiry. Absent from ordinary versions (and
    /// from every line of logs written before renewals existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renews: Option<u64>,
    /// SHA-256 (hex) of the previous line (without its newline); 64 zeros
    /// for the first.
    pub prev: String,
}

const ZERO: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Parse and check a log: sequence numbers 1, 2, 3... each line chained
/// to the one before, issue times not going backwards; a renewal renews
/// the version just before it and has its root, and only a renewal
/// repeats the root before it. One pass: each line is parsed and hashed
/// once.
pub fn parse(text: &str) -> Result<Vec<Entry>, LogError> {
    parse_lines(text).map_err(|(line, why)| format!("line {line}: {why}").into())
}

/// [`parse`], the error as (line number, reason).
pub(crate) fn parse_lines(text: &str) -> Result<Vec<Entry>, (usize, String)> {
    parse_chain(text, Start::First, |_| {})
}

/// Where a chain of log lines starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Start {
    /// At the log's first line: sequence 1, chained to 64 zeros.
    First,
    /// Anywhere (an excerpt of the log, as a bundle carries it): the first
    /// line's own sequence, its `prev` and what it renews cannot be checked
    /// against a line before it (only their form is); every line after it
    /// follows the same rules as in the whole log.
    Anywhere,
}

/// The rules of the log's lines, one pass: each line parsed, checked
/// against the one before (the hash chain, consecutive sequences, issue
/// times not going backwards, renewals) and hashed once; `hashed` is
/// given each line's SHA-256 (hex), in order.
pub(crate) fn parse_chain(
    text: &str,
    start: Start,
    mut hashed: impl FnMut(&str),
) -> Result<Vec<Entry>, (usize, String)> {
    let mut out: Vec<Entry> = Vec::new();
    // The hash of the last line read, and its issue time.
    let mut prev_hash: Option<String> = None;
    let mut prev_time: Option<jiff::Timestamp> = None;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let n = i + 1;
        let e: Entry = serde_json::from_str(line).map_err(|e| (n, e.to_string()))?;
        // The first line of an excerpt: its own sequence, and a `prev` that
        // is a hash (64 zeros only for the log's first line).
        let anywhere_first = out.is_empty() && start == Start::Anywhere && e.seq > 1;
        if anywhere_first {
            if !is_hex64(&e.prev) || e.prev == ZERO {
                return Err((n, "the hash chain is broken".into()));
            }
        } else if e.prev != prev_hash.as_deref().unwrap_or(ZERO) {
            return Err((n, "the hash chain is broken".into()));
        }
        let expected_seq = match out.last() {
            Some(p) => p.seq.saturating_add(1),
            None if start == Start::Anywhere => e.seq.max(1),
            None => 1,
        };
        if e.seq != expected_seq {
            return Err((
                n,
                format!("sequence {} where {expected_seq} was expected", e.seq),
            ));
        }
        let ts: jiff::Timestamp = e
            .issued
            .parse()
            .map_err(|_| (n, format!("bad time {:?}", e.issued)))?;
        if prev_time.is_some_and(|p| ts < p) {
            return Err((n, "issued before the previous version".into()));
        }
        if !is_hex64(&e.root) {
            return Err((n, "bad root hash".into()));
        }
        match (e.renews, out.last()) {
            (Some(r), Some(p)) if r == p.seq && e.root == p.root => {}
            // The version before the first line of an excerpt is not in
            // it: only its number can be checked.
            (Some(r), None) if anywhere_first && r + 1 == e.seq => {}
            (Some(r), _) => {
                return Err((
                    n,
                    format!(
                        "marked as renewing version {r}, which is not the version before it with the same root"
                    ),
                ));
            }
            (None, Some(p)) if e.root == p.root => {
                return Err((
                    n,
                    format!(
                        "the same root as version {} without being marked as its renewal",
                        p.seq
                    ),
                ));
            }
            (None, _) => {}
        }
        out.push(e);
        let h = sha256_hex(line.as_bytes());
        hashed(&h);
        prev_hash = Some(h);
        prev_time = Some(ts);
    }
    Ok(out)
}

/// 64 hexadecimal digits (a SHA-256 as the log writes it, or in either case).
fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A version issued in the future: later than the clock judging the log
/// by more than [`CLOCK_SKEW`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Future {
    /// The first such version, and the time it says it was issued.
    pub seq: u64,
    pub issued: jiff::Timestamp,
    /// The log's last version: every one from `seq` to it is in the
    /// future (issue times never go backwards).
    pub last: u64,
}

/// The first version of `entries` (as [`parse`] gives them) issued after
/// `clock` + [`CLOCK_SKEW`], if any.
pub fn issued_in_future(entries: &[Entry], clock: jiff::Timestamp) -> Option<Future> {
    let limit = clock.checked_add(CLOCK_SKEW).unwrap_or(clock);
    let time = |e: &Entry| e.issued.parse::<jiff::Timestamp>().ok();
    // Issue times never go backwards: the first late one is found by
    // bisection.
    let i = entries.partition_point(|e| time(e).is_none_or(|t| t <= limit));
    let first = entries.get(i)?;
    Some(Future {
        seq: first.seq,
        issued: time(first)?,
        last: entries.last()?.seq,
    })
}

impl Future {
    /// What is wrong; `clock` names the clock that judged it ("this
    /// computer's clock says 2026-12-02T16:00:00Z").
    pub fn message(&self, clock: &str) -> String {
        let after = match self.last - self.seq {
            0 => String::new(),
            1 => " (and the version after it)".into(),
            n => format!(" (and the {n} versions after it)"),
        };
        format!(
            "version {}{after} is issued at {}, more than {} minutes in the future: {clock}",
            self.seq,
            crate::util::time::fmt_ts(self.issued),
            CLOCK_SKEW.as_mins()
        )
    }

    /// What to do about it.
    pub const HINT: &'static str = "the log was written by a machine whose clock was fast, or it was tampered with: review log/versions.jsonl (git log -p log/versions.jsonl), and check this computer's clock; no new version is issued after a time in the future";
}

/// The version for `root`: the last entry if it has that root (nothing
/// changed: same sequence, same issue time) unless `renew` says to issue
/// it again (a renewal: next sequence, new issue time, same root), else a
/// new entry appended. Returns the entry and the new log text when one
/// was appended. A new entry is never issued before the last one (a
/// machine with a slow clock); the caller refuses a log issued in the
/// future first ([`issued_in_future`]), so no time later than its clock
/// (beyond [`CLOCK_SKEW`]) is carried onto a new version.
pub fn next(
    text: &str,
    entries: &[Entry],
    root: &str,
    now: jiff::Timestamp,
    renew: bool,
) -> (Entry, Option<String>) {
    let mut renews = None;
    if let Some(last) = entries.last()
        && last.root == root
    {
        if !renew {
            return (last.clone(), None);
        }
        renews = Some(last.seq);
    }
    let prev = text
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .map(|l| sha256_hex(l.as_bytes()))
        .unwrap_or_else(|| ZERO.to_string());
    let mut issued = now.round(jiff::Unit::Second).unwrap_or(now);
    // Never issue before the previous version (a machine with a slow clock).
    if let Some(Ok(last)) = entries.last().map(|l| l.issued.parse::<jiff::Timestamp>())
        && issued < last
    {
        issued = last;
    }
    let e = Entry {
        seq: entries.last().map_or(1, |l| l.seq + 1),
        root: root.to_string(),
        issued: issued.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        renews,
        prev,
    };
    let mut new_text = text.to_string();
    if !new_text.is_empty() && !new_text.ends_with('\n') {
        new_text.push('\n');
    }
    new_text.push_str(&serde_json::to_string(&e).unwrap_or_default());
    new_text.push('\n');
    (e, Some(new_text))
}

/// Where the current version stands on its expiry, as of a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    pub seq: u64,
    pub issued: jiff::Timestamp,
    pub expires: jiff::Timestamp,
    /// From this time on, the next build renews the version.
    pub renew_from: jiff::Timestamp,
    /// The version is itself a renewal of this one.
    pub renews: Option<u64>,
    pub state: Stand,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stand {
    /// Valid, outside the renewal window.
    Current,
    /// Valid, but inside the renewal window: the next build renews it.
    RenewalDue,
    /// Past its expiry: every reader refuses its bundles.
    Expired,
}

/// The expiry of a version issued at `issued`, valid `validity_days`.
pub fn expiry(issued: jiff::Timestamp, validity_days: u32) -> Option<jiff::Timestamp> {
    issued
        .checked_add(jiff::SignedDuration::from_hours(
            24 * i64::from(validity_days),
        ))
        .ok()
}

/// How `entry` stands at `now`: its bundles expire `validity_days` after
/// its issue, and are renewed from `renew_within_days` before that.
pub fn standing(
    entry: &Entry,
    validity_days: u32,
    renew_within_days: u32,
    now: jiff::Timestamp,
) -> Result<Standing, LogError> {
    let issued: jiff::Timestamp = entry
        .issued
        .parse()
        .map_err(|_| format!("version {}: bad time {:?}", entry.seq, entry.issued))?;
    let expires = expiry(issued, validity_days)
        .ok_or_else(|| format!("version {}: expiry out of range", entry.seq))?;
    let renew_from = expires
        .checked_sub(jiff::SignedDuration::from_hours(
            24 * i64::from(renew_within_days),
        ))
        .map_err(|_| format!("version {}: renewal time out of range", entry.seq))?;
    let state = if now >= expires {
        Stand::Expired
    } else if now >= renew_from {
        Stand::RenewalDue
    } else {
        Stand::Current
    };
    Ok(Standing {
        seq: entry.seq,
        issued,
        expires,
        renew_from,
        renews: entry.renews,
        state,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_appends_and_detects_tampering() {
        let t0: jiff::Timestamp = "2026-11-01T10:00:00Z".parse().unwrap();
        let (e1, log) = next("", &[], &"a".repeat(64), t0, false);
        let log = log.unwrap();
        assert_eq!(e1.seq, 1);
        let entries = parse(&log).unwrap();
        // Same root: same version, nothing appended.
        let (same, none) = next(&log, &entries, &"a".repeat(64), t0, false);
        assert_eq!(same, e1);
        assert!(none.is_none());
        let (e2, log2) = next(
            &log,
            &entries,
            &"b".repeat(64),
            "2026-11-02T10:00:00Z".parse().unwrap(),
            false,
        );
        let log2 = log2.unwrap();
        assert_eq!(e2.seq, 2);
        assert_eq!(parse(&log2).unwrap().len(), 2);
        let tampered = log2.replacen(&"a".repeat(64), &"c".repeat(64), 1);
        assert!(parse(&tampered).is_err());
    }

    fn t(s: &str) -> jiff::Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_renewal_is_a_new_marked_version_with_the_same_root() {
        let a = "a".repeat(64);
        let (_, log) = next("", &[], &a, t("2026-11-01T10:00:00Z"), false);
        let log = log.unwrap();
        let entries = parse(&log).unwrap();
        let (e2, log2) = next(&log, &entries, &a, t("2026-12-20T10:00:00Z"), true);
        let log2 = log2.unwrap();
        assert_eq!(
            (e2.seq, e2.renews, e2.root.as_str()),
            (2, Some(1), a.as_str())
        );
        assert_eq!(e2.issued, "2026-12-20T10:00:00Z");
        assert!(
            log2.lines().nth(1).unwrap().contains(r#""renews":1"#),
            "{log2}"
        );
        let parsed = parse(&log2).unwrap();
        assert_eq!(parsed[1], e2);
        // A renewal of a renewal is fine; a change after it is an ordinary version.
        let (e3, log3) = next(&log2, &parsed, &a, t("2027-02-10T10:00:00Z"), true);
        assert_eq!(e3.renews, Some(2));
        let log3 = log3.unwrap();
        let (e4, log4) = next(
            &log3,
            &parse(&log3).unwrap(),
            &"b".repeat(64),
            t("2027-02-11T10:00:00Z"),
            true,
        );
        assert_eq!((e4.seq, e4.renews), (4, None));
        assert_eq!(parse(&log4.unwrap()).unwrap().len(), 4);
    }

    /// Build a log from lines as written (each chained to the one before).
    fn chained(lines: &[&str]) -> String {
        let mut text = String::new();
        let mut prev = ZERO.to_string();
        for l in lines {
            let line = l.replace("PREV", &prev);
            prev = sha256_hex(line.as_bytes());
            text.push_str(&line);
            text.push('\n');
        }
        text
    }

    #[test]
    fn logs_without_renewals_still_parse_and_bad_renewals_are_refused() {
        let (a, b) = ("a".repeat(64), "b".repeat(64));
        let line = |seq: u64, root: &str, day: u32, extra: &str| {
            format!(
                r#"{{"seq":{seq},"root":"{root}","issued":"2026-11-{day:02}T10:00:00Z",{extra}"prev":"PREV"}}"#
            )
        };
        // A log written before renewals existed.
        let old = chained(&[&line(1, &a, 1, ""), &line(2, &b, 2, "")]);
        let entries = parse(&old).unwrap();
        assert!(entries.iter().all(|e| e.renews.is_none()));
        // A renewal line parses.
        let ok = chained(&[&line(1, &a, 1, ""), &line(2, &a, 20, r#""renews":1,"#)]);
        assert_eq!(parse(&ok).unwrap()[1].renews, Some(1));
        for (bad, why) in [
            // Renews a version that is not the one before.
            (
                chained(&[&line(1, &a, 1, ""), &line(2, &a, 20, r#""renews":2,"#)]),
                "renewing version 2",
            ),
            // Renews with another root.
            (
                chained(&[&line(1, &a, 1, ""), &line(2, &b, 20, r#""renews":1,"#)]),
                "renewing version 1",
            ),
            // The first line cannot renew.
            (
                chained(&[&line(1, &a, 1, r#""renews":0,"#)]),
                "renewing version 0",
            ),
            // The same root again, unmarked.
            (
                chained(&[&line(1, &a, 1, ""), &line(2, &a, 20, "")]),
                "without being marked",
            ),
            // Not a number; an unknown field.
            (
                chained(&[&line(1, &a, 1, ""), &line(2, &a, 20, r#""renews":"1","#)]),
                "line 2",
            ),
            (
                chained(&[&line(1, &a, 1, r#""kind":"renewal","#)]),
                "unknown field",
            ),
        ] {
            let e = parse(&bad).unwrap_err().to_string();
            assert!(e.contains(why), "{e} (wanted {why:?}) for\n{bad}");
        }
    }

    #[test]
    fn a_version_issued_in_the_future_is_found_with_those_after_it() {
        let mut log = String::new();
        let mut entries = Vec::new();
        for (i, when) in [
            "2026-11-01T10:00:00Z",
            "2026-11-01T11:00:00Z",
            "2026-11-01T12:00:00Z",
        ]
        .into_iter()
        .enumerate()
        {
            let root = format!("{i}").repeat(64);
            let (_, text) = next(&log, &entries, &root, t(when), false);
            log = text.unwrap();
            entries = parse(&log).unwrap();
        }
        let future = |clock: &str| issued_in_future(&entries, t(clock));
        assert_eq!(future("2026-11-01T12:00:00Z"), None);
        // Up to CLOCK_SKEW ahead is not the future; a second more is.
        assert_eq!(future("2026-11-01T11:55:00Z"), None);
        assert_eq!(
            future("2026-11-01T11:54:59Z"),
            Some(Future {
                seq: 3,
                issued: t("2026-11-01T12:00:00Z"),
                last: 3
            })
        );
        let f = future("2026-11-01T10:30:00Z").unwrap();
        assert_eq!((f.seq, f.last), (2, 3));
        assert_eq!(
            f.message("this computer's clock says 2026-11-01T10:30:00Z"),
            "version 2 (and the version after it) is issued at 2026-11-01T11:00:00Z, more than 5 minutes in the future: this computer's clock says 2026-11-01T10:30:00Z"
        );
        assert_eq!(future("2026-10-01T00:00:00Z").map(|f| f.seq), Some(1));
        assert_eq!(issued_in_future(&[], t("2026-10-01T00:00:00Z")), None);
    }

    #[test]
    fn a_new_version_is_never_issued_before_the_last_one() {
        let (_, log) = next("", &[], &"a".repeat(64), t("2026-11-01T10:03:00Z"), false);
        let log = log.unwrap();
        let entries = parse(&log).unwrap();
        // A build three minutes behind (within the skew): the new version
        // takes the last one's time, not an earlier one.
        let (e, _) = next(
            &log,
            &entries,
            &"b".repeat(64),
            t("2026-11-01T10:00:00Z"),
            false,
        );
        assert_eq!(e.issued, "2026-11-01T10:03:00Z");
    }

    #[test]
    fn a_malformed_line_is_named_by_its_number() {
        let (_, log) = next("", &[], &"a".repeat(64), t("2026-11-01T10:00:00Z"), false);
        let log = log.unwrap();
        let (_, log2) = next(
            &log,
            &parse(&log).unwrap(),
            &"b".repeat(64),
            t("2026-11-02T10:00:00Z"),
            false,
        );
        // A blank line counts in the numbering; the chain still holds.
        let spaced = log2.unwrap().replacen('\n', "\n\n", 1);
        assert_eq!(parse(&spaced).unwrap().len(), 2);
        let broken = spaced.replacen("2026-11-02", "2026-10-02", 1);
        assert_eq!(
            parse_lines(&broken).unwrap_err(),
            (3, "issued before the previous version".to_string())
        );
        assert_eq!(
            parse("{").unwrap_err().to_string(),
            "line 1: EOF while parsing an object at line 1 column 1"
        );
    }

    #[test]
    fn standing_current_then_due_then_expired() {
        let e = Entry {
            seq: 4,
            root: "a".repeat(64),
            issued: "2026-11-01T10:00:00Z".into(),
            renews: None,
            prev: ZERO.into(),
        };
        let at = |s: &str| standing(&e, 60, 20, t(s)).unwrap();
        let s = at("2026-11-26T10:00:00Z");
        assert_eq!(s.state, Stand::Current);
        assert_eq!(s.expires, t("2026-12-31T10:00:00Z"));
        assert_eq!(s.renew_from, t("2026-12-11T10:00:00Z"));
        assert_eq!(at("2026-12-11T10:00:00Z").state, Stand::RenewalDue);
        assert_eq!(at("2026-12-31T09:59:59Z").state, Stand::RenewalDue);
        assert_eq!(at("2026-12-31T10:00:00Z").state, Stand::Expired);
    }
}
