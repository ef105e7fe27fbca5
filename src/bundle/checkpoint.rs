//! The log head in every bundle (issue #18, "a split view is invisible").
//!
//! Every bundle carries `log.jsonl`: the last lines of the version log
//! (`log/versions.jsonl`), up to and including the line of its own
//! version, at most [`MAX_EXCERPT_LINES`]. It is a member like the others:
//! listed with its hash in `manifest.json`, so the bundle's signature
//! covers it; its last line is the bundle's checkpoint, its *log head*
//! (sequence, root, and through the hash chain the whole log up to it).
//!
//! `open` checks the excerpt as a chain ([`crate::bundle::log`]'s rules,
//! starting at any sequence), its last line against the signed comment,
//! then against the log heads the state folder accepted before
//! (`log-heads.json`, the last [`MAX_HEADS`]): the log it has seen may
//! only grow. A version recorded with another root or another line — two
//! directories issued under one version number, one shown to this State
//! and another to others — is refused as a split view
//! ([`OpenError::SplitView`]). The same log, signed, is published on the
//! site (`versions.jsonl`) and beside the bundles, so any State can
//! compare the heads `open` prints with it, and with each other's.
//!
//! The library never prints: warnings are returned to the caller.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::log::{self, Entry, Start};
use super::manifest::Trusted;
use super::open::OpenError;
use crate::util::time::fmt_ts;

/// The name of the excerpt of the version log in a bundle.
pub const LOG_EXCERPT: &str = "log.jsonl";
/// The most lines of the log a bundle carries (some 20 KB compressed at
/// most: a State that opens at least one bundle in this many versions can
/// always check the log it is shown against the one it saw).
pub const MAX_EXCERPT_LINES: usize = 256;
/// The most bytes of an excerpt `open` reads (a line is some 220 bytes).
pub const MAX_EXCERPT_BYTES: usize = 1024 * MAX_EXCERPT_LINES;
/// The state folder's record of the log heads accepted.
pub const LOG_HEADS: &str = "log-heads.json";
/// Its format tag.
pub const LOG_HEADS_FORMAT: &str = "pocdir-log-heads/1";
/// The most log heads the record keeps (the last ones).
pub const MAX_HEADS: usize = 1000;
/// The most bytes of the record `open` reads (a head is some 190 bytes).
const MAX_HEADS_BYTES: u64 = 512 * 1024;

/// A checkpoint of the version log: one version, as one line of the log.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Head {
    pub seq: u64,
    /// The directory's root hash at that version.
    pub root: String,
    /// SHA-256 (hex) of the version's line in the log (without its
    /// newline): through the hash chain, the whole log up to it.
    pub line: String,
}

/// `log-heads.json`: the heads of the bundles accepted, by sequence.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct HeadsRecord {
    /// `pocdir-log-heads/1`.
    pub format: String,
    pub heads: Vec<Head>,
}

// --- build: the excerpt a bundle carries ---

/// The excerpt of `log` a bundle of version `seq` (root `root`) carries:
/// its last lines, at most [`MAX_EXCERPT_LINES`], the last one being the
/// version's. `log` is the log as the build signs it (already checked).
pub fn excerpt(log: &str, seq: u64, root: &str) -> Result<String, String> {
    let lines: Vec<&str> = log.lines().filter(|l| !l.trim().is_empty()).collect();
    let last = lines
        .last()
        .and_then(|l| serde_json::from_str::<Entry>(l).ok())
        .ok_or("the version log is empty")?;
    if last.seq != seq || last.root != root {
        return Err(format!(
            "the version log's last line is version {}, not the version sealed ({seq})",
            last.seq
        ));
    }
    let from = lines.len().saturating_sub(MAX_EXCERPT_LINES);
    let mut out = lines[from..].join("\n");
    out.push('\n');
    Ok(out)
}

// --- open: the excerpt checked ---

/// An excerpt as `open` read it: its entries and each line's hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Excerpt {
    pub entries: Vec<Entry>,
    pub hashes: Vec<String>,
}

impl Excerpt {
    /// Parse `bytes` as a chain of log lines starting at any version, at
    /// most [`MAX_EXCERPT_LINES`], whose last line is the version the
    /// trusted comment `t` signed (sequence, root, issue time).
    pub fn parse(bytes: &[u8], t: &Trusted) -> Result<Excerpt, String> {
        if bytes.len() > MAX_EXCERPT_BYTES {
            return Err(format!("it is larger than {MAX_EXCERPT_BYTES} bytes"));
        }
        let text = std::str::from_utf8(bytes).map_err(|_| "it is not text".to_string())?;
        let mut hashes = Vec::new();
        let entries = log::parse_chain(text, Start::Anywhere, |h| hashes.push(h.to_string()))
            .map_err(|(n, why)| format!("line {n}: {why}"))?;
        if entries.len() > MAX_EXCERPT_LINES {
            return Err(format!("it has more than {MAX_EXCERPT_LINES} lines"));
        }
        let last = entries.last().ok_or("it is empty")?;
        if last.seq != t.seq || last.root != t.root || last.issued != fmt_ts(t.issued) {
            return Err(format!(
                "its last line is version {} (root {}, issued {}), not the version signed: {} (root {}, issued {})",
                last.seq,
                last.root,
                last.issued,
                t.seq,
                t.root,
                fmt_ts(t.issued)
            ));
        }
        Ok(Excerpt { entries, hashes })
    }

    /// The excerpt's last line: the bundle's log head.
    pub fn head(&self) -> Head {
        let (e, h) = (
            self.entries.last().cloned().unwrap_or_else(|| Entry {
                seq: 0,
                root: String::new(),
                issued: String::new(),
                renews: None,
                prev: String::new(),
            }),
            self.hashes.last().cloned().unwrap_or_default(),
        );
        Head {
            seq: e.seq,
            root: e.root,
            line: h,
        }
    }

    /// The first version it holds.
    pub fn first_seq(&self) -> u64 {
        self.entries.first().map_or(0, |e| e.seq)
    }

    /// The line of version `seq`, with its hash, if the excerpt holds it.
    fn line_of(&self, seq: u64) -> Option<(&Entry, &str)> {
        let i = usize::try_from(seq.checked_sub(self.first_seq())?).ok()?;
        Some((self.entries.get(i)?, self.hashes.get(i)?.as_str()))
    }

    /// The hash of the line of version `seq`, if the excerpt shows it: its
    /// own lines, and the line before its first one (its `prev`).
    fn line_hash(&self, seq: u64) -> Option<&str> {
        match self.line_of(seq) {
            Some((_, h)) => Some(h),
            // Before the log's first line there is none (its `prev` is zeros).
            None if seq > 0 && seq.checked_add(1) == Some(self.first_seq()) => {
                self.entries.first().map(|e| e.prev.as_str())
            }
            None => None,
        }
    }
}

/// What the log head check found, to record once the bundle is accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    /// The bundle's log head (`None`: the bundle carries none).
    pub head: Option<Head>,
    /// The record to write (`None`: unchanged).
    record: Option<HeadsRecord>,
}

impl Checked {
    /// Write the state folder's record of log heads (atomically, 0600),
    /// when it changed.
    pub fn record(&self, state_dir: &Path) -> std::io::Result<()> {
        match &self.record {
            Some(r) => crate::output::private_file(
                &state_dir.join(LOG_HEADS),
                (serde_json::to_string_pretty(r).unwrap_or_default() + "\n").as_bytes(),
            ),
            None => Ok(()),
        }
    }
}

/// Read `log-heads.json` through its cap: empty when it does not exist; a
/// damaged record is an error (it must not pass for no record).
pub fn read_heads(state_dir: &Path) -> Result<Vec<Head>, OpenError> {
    use std::io::Read;
    let path = state_dir.join(LOG_HEADS);
    let damaged = |why: &str| {
        OpenError::State(format!(
            "{} is damaged ({why}): it records the versions of the secretariat's log this state folder accepted, to detect a split view; restore it from a backup of the state folder",
            path.display()
        ))
    };
    let mut bytes = Vec::new();
    match std::fs::File::open(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(OpenError::Io(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
        Ok(f) => f
            .take(MAX_HEADS_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| OpenError::Io(format!("cannot read {}: {e}", path.display())))?,
    };
    if bytes.len() as u64 > MAX_HEADS_BYTES {
        return Err(damaged(&format!("larger than {MAX_HEADS_BYTES} bytes")));
    }
    let r: HeadsRecord = serde_json::from_slice(&bytes)
        .map_err(|_| damaged("it is not the JSON pocdir writes there"))?;
    if r.format != LOG_HEADS_FORMAT {
        return Err(damaged(&format!("its format is not {LOG_HEADS_FORMAT}")));
    }
    Ok(r.heads)
}

/// How to compare with the published log, for the messages.
const COMPARE: &str = "the secretariat publishes its signed log as versions.jsonl (with versions.jsonl.minisig) on the directory's site and beside the bundles: compare the versions and roots there, and with other States";

/// A published log to check the bundle against (`open --log FILE`): the
/// file (`versions.jsonl`, its signatures `versions.jsonl.minisig`,
/// `.minisig.2` ... beside it) and the key set whose threshold must have
/// signed it (the one that signed the bundle).
pub struct Published<'a> {
    pub path: &'a Path,
    pub set: &'a crate::sign::rotation::KeySet,
}

/// Read a file through a cap on the bytes actually read.
fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(cap + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if bytes.len() as u64 > cap {
        return Err(format!("{} is larger than {cap} bytes", path.display()));
    }
    Ok(bytes)
}

/// The bundle's version in the published log `p`: its signature verified
/// by the key that signed the bundle before anything is parsed, then the
/// whole log checked as `build` checks it; it must hold the bundle's
/// version with its root and, when the bundle carries a log head, that
/// very line (so the same log before it).
fn check_published(p: &Published, t: &Trusted, head: Option<&Head>) -> Result<(), OpenError> {
    let shown = p.path.display();
    let sig_path = std::path::PathBuf::from(format!("{shown}.minisig"));
    let text = read_capped(p.path, log::MAX_LOG_BYTES)
        .map_err(|e| OpenError::Usage(format!("--log: {e}")))?;
    let mut sigs = vec![read_capped(&sig_path, 4096).map_err(|e| {
        OpenError::Usage(format!("--log: {e} (the log's signature goes beside it)"))
    })?];
    for n in 2..=crate::sign::threshold::MAX_SIGNATURES {
        let more = std::path::PathBuf::from(format!("{}.{n}", sig_path.display()));
        if !more.is_file() {
            break;
        }
        sigs.push(read_capped(&more, 4096).map_err(|e| OpenError::Usage(format!("--log: {e}")))?);
    }
    let sigs: Vec<String> = sigs
        .into_iter()
        .map(|b| String::from_utf8(b).unwrap_or_default())
        .collect();
    let texts: Vec<&str> = sigs.iter().map(String::as_str).collect();
    crate::sign::threshold::verify(p.set, &texts, &text).map_err(|e| {
        OpenError::BadSignature(format!(
            "the log given with --log, {shown}, does not verify against the secretariat's keys {} with its signatures {} ...: {e}; it was altered, or it is not the secretariat's",
            p.set.ids(),
            sig_path.display()
        ))
    })?;
    let text = String::from_utf8(text)
        .map_err(|_| OpenError::Malformed(format!("--log {shown}: the log is not text")))?;
    let entries = log::parse(&text)
        .map_err(|e| OpenError::Malformed(format!("--log {shown}: signed, but malformed: {e}")))?;
    let last = entries.last().map_or(0, |e| e.seq);
    let Some(line) = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .nth(usize::try_from(t.seq.saturating_sub(1)).unwrap_or(usize::MAX))
        .filter(|_| t.seq >= 1 && t.seq <= last)
    else {
        return Err(OpenError::Usage(format!(
            "--log {shown} ends at version {last}, before this bundle's version {}: it cannot vouch for it; download the current versions.jsonl and versions.jsonl.minisig from the directory's site",
            t.seq
        )));
    };
    let e = &entries[(t.seq - 1) as usize];
    let hash = crate::util::hash::sha256_hex(line.as_bytes());
    if e.root != t.root || head.is_some_and(|h| h.line != hash) {
        return Err(OpenError::SplitView(format!(
            "ALARM: the secretariat's signed log ({shown}) has root {} for version {} (log line SHA-256 {hash}), but this bundle is version {} with root {}{}. The log published to all and the bundle sent to this State disagree: a split view. Do not use this bundle; keep it with the log, and report it to the secretariat through your Permanent Mission.",
            e.root,
            e.seq,
            t.seq,
            t.root,
            head.map(|h| format!(" (log line SHA-256 {})", h.line))
                .unwrap_or_default()
        )));
    }
    Ok(())
}

/// Check the bundle's log head: the excerpt `files` carries (if any)
/// against the trusted comment `t`, then against the heads `recorded` in
/// the state folder and the version `accepted` (sequence, root) of
/// `accepted.json`, and against the `published` log when one is given.
/// `files` were checked against the manifest.
pub fn check(
    t: &Trusted,
    files: &BTreeMap<String, Vec<u8>>,
    recorded: Vec<Head>,
    accepted: Option<(u64, &str)>,
    published: Option<Published>,
    warnings: &mut Vec<String>,
) -> Result<Checked, OpenError> {
    let checked = check_excerpt(t, files, recorded, accepted, warnings)?;
    if let Some(p) = &published {
        check_published(p, t, checked.head.as_ref())?;
    }
    Ok(checked)
}

/// [`check`] without a published log.
fn check_excerpt(
    t: &Trusted,
    files: &BTreeMap<String, Vec<u8>>,
    recorded: Vec<Head>,
    accepted: Option<(u64, &str)>,
    warnings: &mut Vec<String>,
) -> Result<Checked, OpenError> {
    let Some(bytes) = files.get(LOG_EXCERPT) else {
        if let Some(last) = recorded.last() {
            return Err(OpenError::SplitView(format!(
                "this bundle (version {}) carries no log head ({LOG_EXCERPT}), but this state folder accepted bundles that did, up to version {}: it cannot be checked against the log they showed, and is refused. It was made by an older pocdir, or the log head was left out on purpose; ask the secretariat, through your Permanent Mission, for the current bundle ({COMPARE}).",
                t.seq, last.seq
            )));
        }
        warnings.push(format!(
            "this bundle carries no log head ({LOG_EXCERPT}; sealed by an older pocdir): it cannot be checked against the versions other States were shown; {COMPARE}"
        ));
        return Ok(Checked {
            head: None,
            record: None,
        });
    };
    let ex = Excerpt::parse(bytes, t).map_err(|why| {
        OpenError::Tampered(format!(
            "{LOG_EXCERPT}, the excerpt of the version log the bundle carries, is refused: {why}"
        ))
    })?;
    let head = ex.head();
    let alarm = "Two different directories were issued under one version number, or the log was rewritten: a split view (this State is not shown what others are). Do not use this bundle; keep it with the one accepted before, and report it to the secretariat through your Permanent Mission";
    // The versions recorded, oldest first: the first disagreement is named.
    for h in &recorded {
        if let Some((e, line)) = ex.line_of(h.seq) {
            if e.root != h.root {
                return Err(OpenError::SplitView(format!(
                    "ALARM: this state folder accepted version {} with root {}; the secretariat's log, as this bundle (version {}) carries it, has root {} for version {}. {alarm}.",
                    h.seq, h.root, t.seq, e.root, h.seq
                )));
            }
            if line != h.line {
                return Err(OpenError::SplitView(format!(
                    "ALARM: this state folder accepted version {} as the log line with SHA-256 {}; the secretariat's log, as this bundle (version {}) carries it, has another line for version {} (SHA-256 {line}; the same root, but another issue time or another log before it). {alarm}.",
                    h.seq, h.line, t.seq, h.seq
                )));
            }
        } else if let Some(line) = ex.line_hash(h.seq)
            && line != h.line
        {
            return Err(OpenError::SplitView(format!(
                "ALARM: this state folder accepted version {} as the log line with SHA-256 {}; the secretariat's log, as this bundle (version {}) carries it, follows another line for version {} (SHA-256 {line}). {alarm}.",
                h.seq, h.line, t.seq, h.seq
            )));
        }
    }
    // accepted.json (a state folder older than the record of heads).
    if let Some((seq, root)) = accepted
        && let Some((e, _)) = ex.line_of(seq)
        && e.root != root
    {
        return Err(OpenError::SplitView(format!(
            "ALARM: this state folder accepted version {seq} with root {root}; the secretariat's log, as this bundle (version {}) carries it, has root {} for version {seq}. {alarm}.",
            t.seq, e.root
        )));
    }
    // The last version seen, when the excerpt does not reach it.
    let last_seen = recorded
        .iter()
        .map(|h| h.seq)
        .chain(accepted.map(|a| a.0))
        .max();
    if let Some(seen) = last_seen
        && seen.saturating_add(1) < ex.first_seq()
    {
        warnings.push(format!(
            "the log this bundle carries starts at version {}, and the last version this state folder accepted is {seen}: versions {} to {} cannot be checked here against the log you saw; {COMPARE}",
            ex.first_seq(),
            seen.saturating_add(1),
            ex.first_seq() - 1
        ));
    }
    let mut heads = recorded;
    let record = if heads.contains(&head) {
        None
    } else {
        heads.retain(|h| h.seq != head.seq);
        heads.push(head.clone());
        heads.sort_by_key(|h| h.seq);
        let over = heads.len().saturating_sub(MAX_HEADS);
        heads.drain(..over);
        Some(HeadsRecord {
            format: LOG_HEADS_FORMAT.into(),
            heads,
        })
    };
    Ok(Checked {
        head: Some(head),
        record,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::hash::sha256_hex;

    const ZERO: &str = "0000000000000000000000000000000000000000000000000000000000000000";

    fn t(s: &str) -> jiff::Timestamp {
        s.parse().unwrap()
    }

    /// A log of `n` versions (roots of `tag` and the number, an hour
    /// apart), made by `log::next`.
    fn log_tagged(n: usize, tag: &str) -> String {
        let mut text = String::new();
        let mut entries = Vec::new();
        for i in 0..n {
            let root = sha256_hex(format!("{tag} {i}").as_bytes());
            let when = t("2026-01-01T00:00:00Z") + jiff::SignedDuration::from_hours(i as i64);
            let (e, next) = log::next(&text, &entries, &root, when, false);
            text = next.unwrap();
            entries.push(e);
        }
        text
    }

    fn log_of(n: usize) -> String {
        log_tagged(n, "root")
    }

    fn trusted_of(line: &str) -> Trusted {
        let e: Entry = serde_json::from_str(line).unwrap();
        Trusted {
            format: 2,
            state: "FRA".into(),
            seq: e.seq,
            issued: e.issued.parse().unwrap(),
            expires: t("2027-01-01T00:00:00Z"),
            root: e.root,
        }
    }

    fn last_line(text: &str) -> &str {
        text.lines().last().unwrap()
    }

    fn head_of(line: &str) -> Head {
        let e: Entry = serde_json::from_str(line).unwrap();
        Head {
            seq: e.seq,
            root: e.root,
            line: sha256_hex(line.as_bytes()),
        }
    }

    #[test]
    fn an_excerpt_is_the_last_lines_up_to_the_version() {
        let log = log_of(300);
        let last: Entry = serde_json::from_str(last_line(&log)).unwrap();
        let ex = excerpt(&log, 300, &last.root).unwrap();
        assert_eq!(ex.lines().count(), MAX_EXCERPT_LINES);
        assert!(log.ends_with(&ex));
        let parsed = Excerpt::parse(ex.as_bytes(), &trusted_of(last_line(&log))).unwrap();
        assert_eq!(parsed.first_seq(), 300 - MAX_EXCERPT_LINES as u64 + 1);
        assert_eq!(parsed.head(), head_of(last_line(&log)));
        // A short log is carried whole (from version 1).
        let short = log_of(3);
        let e3: Entry = serde_json::from_str(last_line(&short)).unwrap();
        assert_eq!(excerpt(&short, 3, &e3.root).unwrap(), short);
        // Not the version's line last: refused (a bug in the caller).
        assert!(excerpt(&short, 2, &e3.root).is_err());
        assert!(excerpt("", 1, &e3.root).is_err());
    }

    #[test]
    fn a_broken_excerpt_is_refused() {
        let log = log_of(10);
        let lines: Vec<&str> = log.lines().collect();
        let join = |ls: &[&str]| ls.join("\n") + "\n";
        let want = trusted_of(lines[9]);
        assert!(Excerpt::parse(join(&lines[4..]).as_bytes(), &want).is_ok());
        let why = |text: &str, t: &Trusted| Excerpt::parse(text.as_bytes(), t).unwrap_err();
        // A line left out: a gap.
        let gap = join(&[lines[4], lines[5], lines[7], lines[8], lines[9]]);
        assert_eq!(why(&gap, &want), "line 3: the hash chain is broken");
        // A line altered (its root): the chain breaks at the next one.
        let root6 = serde_json::from_str::<Entry>(lines[5]).unwrap().root;
        let altered = join(&lines[4..]).replacen(&root6, &"0".repeat(64), 1);
        assert_eq!(why(&altered, &want), "line 3: the hash chain is broken");
        // Lines out of order.
        let swapped = join(&[lines[7], lines[8], lines[6], lines[9]]);
        assert_eq!(why(&swapped, &want), "line 3: the hash chain is broken");
        // Chained, but a sequence number skipped (a line rewritten with
        // its successors): the rule of consecutive sequences.
        let mut skipped = String::new();
        let mut prev = sha256_hex(lines[3].as_bytes());
        for (i, l) in lines[4..].iter().enumerate() {
            let mut e: Entry = serde_json::from_str(l).unwrap();
            e.prev = prev.clone();
            if i >= 2 {
                e.seq += 1;
            }
            let line = serde_json::to_string(&e).unwrap();
            prev = sha256_hex(line.as_bytes());
            skipped.push_str(&line);
            skipped.push('\n');
        }
        assert_eq!(
            why(&skipped, &trusted_of(last_line(&skipped))),
            "line 3: sequence 8 where 7 was expected"
        );
        // The last line is not the version signed.
        let short = join(&lines[4..9]);
        assert!(
            why(&short, &want).starts_with("its last line is version 9 "),
            "{}",
            why(&short, &want)
        );
        let mut later = want.clone();
        later.issued = t("2026-06-01T00:00:00Z");
        assert!(why(&join(&lines[4..]), &later).starts_with("its last line is version 10 "));
        let mut other_root = want.clone();
        other_root.root = "f".repeat(64);
        assert!(why(&join(&lines[4..]), &other_root).starts_with("its last line is version 10 "));
        // A first line claiming to start the log, mid-way.
        let prev5 = serde_json::from_str::<Entry>(lines[4]).unwrap().prev;
        let fake_start = join(&lines[4..]).replacen(&prev5, ZERO, 1);
        assert_eq!(why(&fake_start, &want), "line 1: the hash chain is broken");
        // Empty, not text, too long.
        assert_eq!(why("", &want), "it is empty");
        assert_eq!(
            Excerpt::parse(b"\xff\n", &want).unwrap_err(),
            "it is not text"
        );
        let long = log_of(MAX_EXCERPT_LINES + 1);
        assert_eq!(
            why(&long, &trusted_of(last_line(&long))),
            format!("it has more than {MAX_EXCERPT_LINES} lines")
        );
    }

    #[test]
    fn an_excerpt_may_start_with_a_renewal() {
        let a = "a".repeat(64);
        let (e1, l1) = log::next("", &[], &a, t("2026-01-01T00:00:00Z"), false);
        let l1 = l1.unwrap();
        let (_, l2) = log::next(&l1, &[e1], &a, t("2026-02-01T00:00:00Z"), true);
        let l2 = l2.unwrap();
        let second = last_line(&l2).to_string() + "\n";
        let ex = Excerpt::parse(second.as_bytes(), &trusted_of(last_line(&l2))).unwrap();
        assert_eq!(ex.entries[0].renews, Some(1));
        // Renewing a version that is not the one before: refused.
        let bad = second.replace("\"renews\":1", "\"renews\":0");
        assert!(
            Excerpt::parse(bad.as_bytes(), &trusted_of(bad.trim_end()))
                .unwrap_err()
                .contains("renewing version 0")
        );
    }

    fn files_with(ex: &str) -> BTreeMap<String, Vec<u8>> {
        BTreeMap::from([(LOG_EXCERPT.to_string(), ex.as_bytes().to_vec())])
    }

    /// Check the bundle of version `n` carrying lines `from..n` of `log`.
    fn open_at(
        log: &str,
        n: usize,
        from: usize,
        recorded: Vec<Head>,
        acc: Option<(u64, &str)>,
    ) -> Result<(Checked, Vec<String>), OpenError> {
        let lines: Vec<&str> = log.lines().collect();
        let mut w = Vec::new();
        let ex = lines[from..n].join("\n") + "\n";
        check_excerpt(
            &trusted_of(lines[n - 1]),
            &files_with(&ex),
            recorded,
            acc,
            &mut w,
        )
        .map(|c| (c, w))
    }

    #[test]
    fn the_log_seen_may_only_grow() {
        let log = log_of(12);
        let lines: Vec<&str> = log.lines().collect();
        // The first bundle: its head is recorded.
        let (c5, w) = open_at(&log, 5, 0, Vec::new(), None).unwrap();
        assert!(w.is_empty(), "{w:?}");
        let heads = c5.record.clone().unwrap().heads;
        assert_eq!(heads, vec![head_of(lines[4])]);
        assert_eq!(c5.head, Some(head_of(lines[4])));
        // The next one, the same log grown: recorded beside it.
        let (c9, w) =
            open_at(&log, 9, 3, heads.clone(), Some((5, heads[0].root.as_str()))).unwrap();
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(
            c9.record.unwrap().heads,
            vec![head_of(lines[4]), head_of(lines[8])]
        );
        // The same bundle again: nothing new to record.
        let (again, _) = open_at(&log, 5, 0, heads.clone(), None).unwrap();
        assert_eq!(again.record, None);
        // Just before the excerpt: its first line's `prev` is compared.
        assert!(open_at(&log, 9, 5, heads.clone(), None).is_ok());
        // Too far back to check: a warning naming how far.
        let (_, w) = open_at(&log, 12, 8, heads.clone(), None).unwrap();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].contains("versions 6 to 8 cannot be checked"),
            "{}",
            w[0]
        );
    }

    #[test]
    fn a_split_view_is_refused() {
        let log = log_of(12);
        let heads = vec![head_of(log.lines().nth(4).unwrap())];
        // Another log, the same up to version 4, another root at 5.
        let mut other = log.lines().take(4).collect::<Vec<_>>().join("\n") + "\n";
        let mut entries = log::parse(&other).unwrap();
        for (i, root) in ["f", "e"].iter().enumerate() {
            let when = t("2026-01-01T04:00:00Z") + jiff::SignedDuration::from_hours(i as i64);
            let (e, next) = log::next(&other, &entries, &root.repeat(64), when, false);
            other = next.unwrap();
            entries.push(e);
        }
        let e = open_at(&other, 6, 0, heads.clone(), None).unwrap_err();
        assert_eq!((e.class(), e.exit_code()), ("split-view", 16));
        assert!(
            e.message().starts_with(&format!(
                "ALARM: this state folder accepted version 5 with root {}; the secretariat's log, as this bundle (version 6) carries it, has root {} for version 5.",
                heads[0].root,
                "f".repeat(64)
            )),
            "{}",
            e.message()
        );
        // accepted.json alone (no record of heads yet) is compared too.
        let e = open_at(&other, 6, 0, Vec::new(), Some((5, heads[0].root.as_str()))).unwrap_err();
        assert_eq!(e.class(), "split-view");
        // The same root, another line (another issue time, or another log
        // before it).
        let mut moved = heads.clone();
        moved[0].line = "0".repeat(64);
        let e = open_at(&log, 9, 3, moved.clone(), None).unwrap_err();
        assert!(
            e.message().contains("has another line for version 5"),
            "{}",
            e.message()
        );
        // The version just before the excerpt, by the first line's `prev`.
        let e = open_at(&log, 9, 5, moved, None).unwrap_err();
        assert!(
            e.message().contains("follows another line for version 5"),
            "{}",
            e.message()
        );
        // A version later than the bundle's (a run cut short before
        // accepted.json was written) is not compared.
        assert!(open_at(&log, 3, 0, heads.clone(), None).is_ok());
    }

    #[test]
    fn a_bundle_without_an_excerpt_or_with_a_broken_one() {
        let log = log_of(6);
        let lines: Vec<&str> = log.lines().collect();
        let t6 = trusted_of(lines[5]);
        let mut w = Vec::new();
        // No excerpt: a warning, nothing recorded...
        let none = check_excerpt(&t6, &BTreeMap::new(), Vec::new(), None, &mut w).unwrap();
        assert_eq!((none.head, none.record, w.len()), (None, None, 1));
        assert!(w[0].contains("carries no log head"), "{}", w[0]);
        // ... refused once a log head was recorded.
        let e = check_excerpt(&t6, &BTreeMap::new(), vec![head_of(lines[2])], None, &mut w)
            .unwrap_err();
        assert_eq!(e.class(), "split-view");
        assert!(e.message().contains("up to version 3"), "{}", e.message());
        // A broken excerpt: tampered.
        let e = check_excerpt(
            &t6,
            &files_with(&[lines[1], lines[5]].join("\n")),
            Vec::new(),
            None,
            &mut w,
        )
        .unwrap_err();
        assert_eq!(e.class(), "tampered");
        assert!(
            e.message().contains("line 2: the hash chain is broken"),
            "{}",
            e.message()
        );
    }

    #[test]
    fn the_record_keeps_the_last_heads() {
        let n = MAX_HEADS + 1;
        let log = log_of(n);
        let lines: Vec<&str> = log.lines().collect();
        let recorded: Vec<Head> = lines[..MAX_HEADS].iter().map(|l| head_of(l)).collect();
        let (c, w) = open_at(&log, n, n - MAX_EXCERPT_LINES, recorded, None).unwrap();
        assert!(w.is_empty(), "{w:?}");
        let heads = c.record.unwrap().heads;
        assert_eq!(heads.len(), MAX_HEADS);
        assert_eq!((heads[0].seq, heads[MAX_HEADS - 1].seq), (2, n as u64));
    }

    #[test]
    fn a_damaged_record_is_not_taken_for_none() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_heads(dir.path()).unwrap(), Vec::new());
        for bad in [
            &b"{\"format\":\"pocdir-log-heads/1\",\"heads\":["[..],
            &b"{\"format\":\"pocdir-log-heads/9\",\"heads\":[]}"[..],
            &b"{\"format\":\"pocdir-log-heads/1\",\"heads\":[],\"x\":1}"[..],
        ] {
            std::fs::write(dir.path().join(LOG_HEADS), bad).unwrap();
            assert_eq!(read_heads(dir.path()).unwrap_err().class(), "state");
        }
        let big = vec![b' '; MAX_HEADS_BYTES as usize + 1];
        std::fs::write(dir.path().join(LOG_HEADS), big).unwrap();
        assert!(
            read_heads(dir.path())
                .unwrap_err()
                .message()
                .contains("larger than")
        );
        // What `record` writes is read back.
        let log = log_of(2);
        let (c, _) = open_at(&log, 2, 0, Vec::new(), None).unwrap();
        c.record(dir.path()).unwrap();
        assert_eq!(read_heads(dir.path()).unwrap(), c.record.unwrap().heads);
    }
}
