//! `receipts collect`: the secretariat's mailbox (mbox or Maildir) read,
//! each message carrying a receipt line judged against the code sealed
//! into that State's bundle of that version.
//!
//! Time is the secretariat's own: the mbox `From_` line's date, or the
//! Maildir delivery time (the seconds that start the file's unique name,
//! as the Maildir specification writes them; the file's modification time
//! when the name has none). The sender's `Date` header is never used.
//!
//! A receipt counts (`confirmed`) only when its code is the State's code
//! of that version, received after the version was issued and before the
//! next one was; otherwise it is `flagged`, with the reason: a code that
//! matches no bundle (forged or mistyped), the code of another State's
//! bundle, the code of another version, an old version's code received
//! after a newer version was issued (a replay), a malformed receipt line,
//! no delivery time. A later receipt for a version already confirmed is a
//! `duplicate`.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use mail_parser::{MessageParser, PartType};

use super::record::{Record, Records, Status};
use super::{Receipt, ReceiptError, ReceiptKey};
use crate::bundle::log::Entry;

/// A message larger than this is skipped: a receipt is a few lines.
pub const MAX_MESSAGE_BYTES: usize = 1024 * 1024;
/// Most bytes read from one mbox: a mailbox of receipts is small; a
/// device or an endless stream given as `--mbox` ends with an error.
pub const MAX_MBOX_BYTES: u64 = 4 * 1024 * 1024 * 1024;
/// Most files read from a Maildir.
pub const MAX_MAILDIR_FILES: usize = 100_000;

/// One raw message and when the secretariat's system received it.
pub struct Raw {
    pub bytes: Vec<u8>,
    /// Too large: `bytes` holds only the first bytes.
    pub truncated: bool,
    pub received: Option<jiff::Timestamp>,
    pub received_by: &'static str,
    /// Where it was read (for messages), e.g. the Maildir file name.
    pub place: String,
}

/// What a collection found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub messages: usize,
    pub confirmed: usize,
    pub duplicates: usize,
    pub flagged: usize,
    /// Messages with no receipt line.
    pub unrelated: usize,
    /// Messages recorded by an earlier run.
    pub known: usize,
    /// Messages that could not be used, and why.
    pub skipped: Vec<String>,
}

fn ts(secs: u64) -> Option<jiff::Timestamp> {
    i64::try_from(secs)
        .ok()
        .filter(|s| *s > 0)
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
}

/// Raw messages, one at a time, or why the mailbox could not be read.
pub type Messages = Box<dyn Iterator<Item = Result<Raw, ReceiptError>>>;

/// Longest line read at once from an mbox (a longer one is read in
/// pieces): no line, however long, is held whole.
const MAX_LINE: u64 = 64 * 1024;

/// The time of an mbox `From_` line (`From sender Wed Dec  2 09:20:00
/// 2026`, asctime, UTC), or `None`.
fn from_line_time(line: &str) -> Option<jiff::Timestamp> {
    let rest = line.strip_prefix("From ")?;
    let mut w = rest.split_whitespace().skip(1);
    let (_dow, mon, day, time, year) = (w.next()?, w.next()?, w.next()?, w.next()?, w.next()?);
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let m = MONTHS.iter().position(|x| x.eq_ignore_ascii_case(mon))? as i8 + 1;
    let mut t = time.split(':').map(|x| x.parse::<i8>().ok());
    let (h, mi, se) = (t.next()??, t.next()??, t.next().unwrap_or(Some(0))?);
    let dt =
        jiff::civil::DateTime::new(year.parse().ok()?, m, day.parse().ok()?, h, mi, se, 0).ok()?;
    dt.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

/// The messages of an mbox file (mboxrd: `>From ` unescaped), one at a
/// time, each timed by its `From_` line; a message is kept up to
/// [`MAX_MESSAGE_BYTES`] (the rest is read and dropped) and lines are read
/// in pieces of at most 64 KiB, so no input, however large, is held whole.
pub fn mbox(path: &Path) -> Result<Messages, ReceiptError> {
    use std::io::BufRead;
    let shown = path.display().to_string();
    let f = std::fs::File::open(path).map_err(|e| format!("{shown}: {e}"))?;
    let mut reader = std::io::BufReader::new(f);
    let mut current: Option<Raw> = None;
    let mut count = 0usize;
    let mut at_line_start = true;
    let mut done = false;
    let mut read: u64 = 0;
    Ok(Box::new(std::iter::from_fn(move || {
        if done {
            return None;
        }
        loop {
            let mut line = Vec::new();
            match (&mut reader).take(MAX_LINE).read_until(b'\n', &mut line) {
                Ok(0) => {
                    done = true;
                    return current.take().map(Ok);
                }
                Ok(n) => {
                    read += n as u64;
                    if read > MAX_MBOX_BYTES {
                        done = true;
                        return Some(Err(format!(
                            "{shown}: more than {MAX_MBOX_BYTES} bytes: not a mailbox of receipts"
                        )
                        .into()));
                    }
                }
                Err(e) => {
                    done = true;
                    return Some(Err(format!("{shown}: {e}").into()));
                }
            }
            let starts = at_line_start;
            at_line_start = line.ends_with(b"\n");
            if starts && line.starts_with(b"From ") {
                count += 1;
                let next = Raw {
                    bytes: Vec::new(),
                    truncated: false,
                    received: from_line_time(&String::from_utf8_lossy(&line)),
                    received_by: "mbox-from-line",
                    place: format!("{shown}: message {count}"),
                };
                if let Some(done_msg) = current.replace(next) {
                    return Some(Ok(done_msg));
                }
                continue;
            }
            let Some(m) = current.as_mut() else {
                continue;
            };
            let mut piece = &line[..];
            if starts {
                let gt = piece.iter().take_while(|b| **b == b'>').count();
                if gt > 0 && piece[gt..].starts_with(b"From ") {
                    piece = &piece[1..];
                }
            }
            if m.bytes.len() + piece.len() > MAX_MESSAGE_BYTES {
                m.truncated = true;
            } else {
                m.bytes.extend_from_slice(piece);
            }
        }
    })))
}

/// The delivery time a Maildir file name starts with (`1764669600.M…`).
fn delivery_time(name: &str) -> Option<jiff::Timestamp> {
    let digits: &str = name.split('.').next()?;
    if digits.is_empty() || digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    ts(digits.parse().ok()?)
}

/// The messages of a Maildir (`new/` and `cur/`, by file name), one at a
/// time, each read through a cap and timed by its delivery time.
pub fn maildir(path: &Path) -> Result<Messages, ReceiptError> {
    if !path.join("cur").is_dir() && !path.join("new").is_dir() {
        return Err(format!("{}: not a Maildir (no cur/ or new/)", path.display()).into());
    }
    let mut files: Vec<PathBuf> = Vec::new();
    for sub in ["new", "cur"] {
        let d = path.join(sub);
        let rd = match std::fs::read_dir(&d) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("{}: {e}", d.display()).into()),
        };
        for e in rd {
            let e = e.map_err(|e| format!("{}: {e}", d.display()))?;
            if e.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            // Regular files only: no symbolic link is followed.
            if e.file_type().is_ok_and(|t| t.is_file()) {
                files.push(e.path());
            }
            if files.len() > MAX_MAILDIR_FILES {
                return Err(
                    format!("{}: more than {MAX_MAILDIR_FILES} messages", path.display()).into(),
                );
            }
        }
    }
    files.sort();
    Ok(Box::new(files.into_iter().map(|p| {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let f = std::fs::File::open(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        let received = delivery_time(&name).or_else(|| {
            f.metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .and_then(|d| ts(d.as_secs()))
        });
        let mut bytes = Vec::new();
        f.take(MAX_MESSAGE_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{}: {e}", p.display()))?;
        let truncated = bytes.len() > MAX_MESSAGE_BYTES;
        bytes.truncate(MAX_MESSAGE_BYTES);
        let sub = p
            .parent()
            .and_then(|d| d.file_name())
            .map(|d| d.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Raw {
            bytes,
            truncated,
            received,
            received_by: "maildir-delivery",
            place: format!("{sub}/{name}"),
        })
    })))
}

/// What receipts are judged against: the version log and the States with
/// a bundle.
pub struct Judge<'a> {
    pub key: &'a ReceiptKey,
    pub versions: &'a [Entry],
    /// The States whose codes a wrong code is compared with.
    pub states: Vec<String>,
}

impl Judge<'_> {
    fn version(&self, seq: u64) -> Option<&Entry> {
        self.versions.iter().find(|v| v.seq == seq)
    }

    /// Why a receipt received at `at` does not count, or `None`.
    fn flag(&self, r: &Receipt, at: jiff::Timestamp) -> Option<String> {
        let Some(v) = self.version(r.seq) else {
            return Some(format!("there is no version {}", r.seq));
        };
        if self.key.matches(&r.code, &r.state, r.seq, &v.root) {
            let issued: Option<jiff::Timestamp> = v.issued.parse().ok();
            if issued.is_some_and(|i| at < i) {
                return Some(format!(
                    "received before version {} was issued ({})",
                    r.seq, v.issued
                ));
            }
            if let Some(next) = self.version(r.seq + 1)
                && next
                    .issued
                    .parse::<jiff::Timestamp>()
                    .is_ok_and(|n| n <= at)
            {
                return Some(format!(
                    "replay: the code of version {}, received after version {} was issued ({})",
                    r.seq, next.seq, next.issued
                ));
            }
            return None;
        }
        if let Some(other) = self
            .states
            .iter()
            .find(|s| **s != r.state && self.key.matches(&r.code, s, r.seq, &v.root))
        {
            return Some(format!(
                "the code of {other}'s bundle of version {}, not {}'s",
                r.seq, r.state
            ));
        }
        if let Some(w) = self
            .versions
            .iter()
            .find(|w| w.seq != r.seq && self.key.matches(&r.code, &r.state, w.seq, &w.root))
        {
            return Some(format!(
                "the code of {}'s version {}, sent as version {}",
                r.state, w.seq, r.seq
            ));
        }
        Some("the code matches no bundle (forged or mistyped)".into())
    }
}

/// The text of a message where a receipt line may be: the subject and
/// the text bodies.
fn texts(m: &mail_parser::Message) -> String {
    let mut out = String::new();
    if let Some(s) = m.subject() {
        out.push_str(s);
        out.push('\n');
    }
    for p in &m.parts {
        if let PartType::Text(t) = &p.body {
            out.push_str(t);
            out.push('\n');
        }
    }
    out
}

/// Judge every message and add the new records to `records`. A message
/// recorded before (same Message-ID) is left as it was.
pub fn collect(
    judge: &Judge,
    messages: Messages,
    records: &mut Records,
) -> Result<Summary, ReceiptError> {
    let mut s = Summary::default();
    // (State, seq) -> the earliest confirmation's (time, message id).
    let mut first: BTreeMap<(String, u64), (String, String)> = BTreeMap::new();
    for r in records.values() {
        if let (Status::Confirmed, Some(st), Some(q), Some(at)) =
            (r.status, &r.state, r.seq, &r.received_at)
        {
            first.insert((st.clone(), q), (at.clone(), r.message_id.clone()));
        }
    }
    for raw in messages {
        let raw = raw?;
        s.messages += 1;
        if raw.truncated {
            s.skipped.push(format!(
                "{}: larger than {MAX_MESSAGE_BYTES} bytes",
                raw.place
            ));
            continue;
        }
        let Some(m) = MessageParser::default().parse(&raw.bytes[..]) else {
            s.skipped.push(format!("{}: not a mail message", raw.place));
            continue;
        };
        let text = texts(&m);
        let Some(parsed) = Receipt::find(&text) else {
            s.unrelated += 1;
            continue;
        };
        let message_id = match m.message_id() {
            Some(id) if !id.is_empty() => format!("<{id}>"),
            _ => format!(
                "<sha256.{}>",
                &crate::util::hash::sha256_hex(&raw.bytes)[..32]
            ),
        };
        if records.contains_key(&message_id) {
            s.known += 1;
            continue;
        }
        let from = m
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap_or("")
            .to_lowercase();
        let received_at = raw.received.map(crate::util::time::fmt_ts);
        let mut rec = Record {
            message_id: message_id.clone(),
            received_at: received_at.clone(),
            received_by: raw.received_by.to_string(),
            from,
            state: None,
            seq: None,
            status: Status::Flagged,
            reason: None,
        };
        match (parsed, raw.received) {
            (Err(e), _) => rec.reason = Some(format!("malformed receipt line: {e}")),
            (Ok(r), None) => {
                rec.state = Some(r.state);
                rec.seq = Some(r.seq);
                rec.reason = Some("no delivery time in the mailbox".into());
            }
            (Ok(r), Some(at)) => {
                rec.reason = judge.flag(&r, at);
                if rec.reason.is_none() {
                    let key = (r.state.clone(), r.seq);
                    let at_s = crate::util::time::fmt_ts(at);
                    match first.get(&key) {
                        Some((t, _)) if *t <= at_s => rec.status = Status::Duplicate,
                        other => {
                            // An earlier one than the one recorded: that
                            // one becomes the duplicate.
                            if let Some((_, id)) = other
                                && let Some(old) = records.get_mut(id)
                            {
                                old.status = Status::Duplicate;
                            }
                            rec.status = Status::Confirmed;
                            first.insert(key, (at_s, message_id.clone()));
                        }
                    }
                }
                rec.state = Some(r.state);
                rec.seq = Some(r.seq);
            }
        }
        match rec.status {
            Status::Confirmed => s.confirmed += 1,
            Status::Duplicate => s.duplicates += 1,
            Status::Flagged => s.flagged += 1,
        }
        records.insert(message_id, rec);
    }
    Ok(s)
}

/// Counts of the records by status.
pub fn counts(records: &Records) -> (usize, usize, usize) {
    let mut c = (0, 0, 0);
    for r in records.values() {
        match r.status {
            Status::Confirmed => c.0 += 1,
            Status::Duplicate => c.1 += 1,
            Status::Flagged => c.2 += 1,
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maildir_names_give_the_delivery_time() {
        assert_eq!(
            delivery_time("1764669600.M1P2.mx.secretariat.example:2,S"),
            Some("2025-12-02T10:00:00Z".parse().unwrap())
        );
        assert_eq!(delivery_time("abc.M1"), None);
        assert_eq!(delivery_time("99999999999999999.x"), None);
    }

    #[test]
    fn from_lines_give_the_receipt_time() {
        assert_eq!(
            from_line_time("From a@b.example Wed Dec  2 09:20:00 2026\n"),
            Some("2026-12-02T09:20:00Z".parse().unwrap())
        );
        assert_eq!(from_line_time("From a@b.example\n"), None);
        assert_eq!(from_line_time("From a Wed Feb 31 25:61:61 2026\n"), None);
    }

    /// A device or an endless stream given as the mailbox ends with an
    /// error, not a run that never finishes.
    #[cfg(target_os = "linux")]
    #[test]
    fn an_endless_mbox_ends_with_an_error() {
        let mut m = mbox(std::path::Path::new("/dev/zero")).unwrap();
        let e = m.next().unwrap().err().unwrap().to_string();
        assert!(e.contains("not a mailbox of receipts"), "{e}");
        assert!(m.next().is_none());
    }

    #[test]
    fn an_mbox_is_read_in_capped_pieces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("mbox");
        let mut big = b"From x Wed Dec  2 09:20:00 2026\nSubject: a\n\n".to_vec();
        big.extend(std::iter::repeat_n(b'x', MAX_MESSAGE_BYTES + 10));
        big.extend(b"\nFrom y Wed Dec  2 10:00:00 2026\nSubject: b\n\n>From here\n");
        std::fs::write(&p, &big).unwrap();
        let m: Vec<Raw> = mbox(&p).unwrap().map(Result::unwrap).collect();
        assert_eq!(m.len(), 2);
        assert!(m[0].truncated && m[0].bytes.len() <= MAX_MESSAGE_BYTES);
        assert_eq!(m[1].bytes, b"Subject: b\n\nFrom here\n");
        assert_eq!(m[1].received, Some("2026-12-02T10:00:00Z".parse().unwrap()));
    }
}
