//! The version log: one JSON line per directory version (sequence number,
//! root hash, issue time), each line holding the SHA-256 of the previous
//! one, the whole file signed by the secretariat. Committed in the
//! directory repository (`log/versions.jsonl`), so the sequence never
//! goes backwards whichever machine builds, and published on the site so
//! that States can compare the versions they were shown.

use serde::{Deserialize, Serialize};

use crate::util::error::message_error;
use crate::util::hash::sha256_hex;

message_error!(
    /// The version log is malformed: which line, and why.
    LogError
);

pub use crate::directory::load::{LOG_FILE, LOG_SIG};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub seq: u64,
    /// SHA-256 (hex) of the directory version's canonical JSON.
    pub root: String,
    /// RFC 3339, UTC, whole seconds.
    pub issued: String,
    /// SHA-256 (hex) of the previous line (without its newline); 64 zeros
    /// for the first.
    pub prev: String,
}

const ZERO: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Parse and check a log: sequence numbers 1, 2, 3... each line chained
/// to the one before, issue times not going backwards.
pub fn parse(text: &str) -> Result<Vec<Entry>, LogError> {
    let mut out: Vec<Entry> = Vec::new();
    let mut prev_line: Option<&str> = None;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let e: Entry = serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1))?;
        let expected_prev = prev_line
            .map(|l| sha256_hex(l.as_bytes()))
            .unwrap_or_else(|| ZERO.to_string());
        if e.prev != expected_prev {
            return Err(format!("line {}: the hash chain is broken", i + 1).into());
        }
        let expected_seq = out.last().map_or(1, |p| p.seq + 1);
        if e.seq != expected_seq {
            return Err(format!(
                "line {}: sequence {} where {} was expected",
                i + 1,
                e.seq,
                expected_seq
            )
            .into());
        }
        let ts: jiff::Timestamp = e
            .issued
            .parse()
            .map_err(|_| format!("line {}: bad time {:?}", i + 1, e.issued))?;
        if let Some(p) = out.last() {
            let pts: jiff::Timestamp = p.issued.parse().map_err(|_| "bad time".to_string())?;
            if ts < pts {
                return Err(format!("line {}: issued before the previous version", i + 1).into());
            }
        }
        if e.root.len() != 64 || !e.root.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("line {}: bad root hash", i + 1).into());
        }
        out.push(e);
        prev_line = Some(line);
    }
    Ok(out)
}

/// The version for `root`: the last entry if it has that root (nothing
/// changed: same sequence, same issue time), else a new entry appended.
/// Returns the entry and the new log text when one was appended.
pub fn next(
    text: &str,
    entries: &[Entry],
    root: &str,
    now: jiff::Timestamp,
) -> (Entry, Option<String>) {
    if let Some(last) = entries.last()
        && last.root == root
    {
        return (last.clone(), None);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_appends_and_detects_tampering() {
        let t0: jiff::Timestamp = "2026-11-01T10:00:00Z".parse().unwrap();
        let (e1, log) = next("", &[], &"a".repeat(64), t0);
        let log = log.unwrap();
        assert_eq!(e1.seq, 1);
        let entries = parse(&log).unwrap();
        // Same root: same version, nothing appended.
        let (same, none) = next(&log, &entries, &"a".repeat(64), t0);
        assert_eq!(same, e1);
        assert!(none.is_none());
        let (e2, log2) = next(
            &log,
            &entries,
            &"b".repeat(64),
            "2026-11-02T10:00:00Z".parse().unwrap(),
        );
        let log2 = log2.unwrap();
        assert_eq!(e2.seq, 2);
        assert_eq!(parse(&log2).unwrap().len(), 2);
        let tampered = log2.replacen(&"a".repeat(64), &"c".repeat(64), 1);
        assert!(parse(&tampered).is_err());
    }
}
