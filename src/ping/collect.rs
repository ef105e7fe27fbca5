//! Reading the replies to a campaign from the secretariat's mailbox (mbox
//! or Maildir), with mail-parser (MIME, encodings, HTML, time zones).
//!
//! A message belongs to a ping when it carries the ping's token (subject,
//! text or HTML body, quoted or not, or an attached original) or answers
//! its Message-ID (`In-Reply-To`, `References`): both are random and known
//! only to the campaign file, so a stranger cannot guess them. Then:
//!
//! - a delivery failure (a `multipart/report` delivery-status with a
//!   failed action, or a mailer daemon's notice) marks the ping bounced;
//! - an automatic reply (`Auto-Submitted` other than `no`, `X-Autoreply`,
//!   `Precedence: auto_reply`, an out-of-office subject) is ignored;
//! - a reply from one of the PoC's own addresses is an answer; the
//!   earliest one counts;
//! - a reply from any other address, or received before the ping was
//!   sent, is recorded as flagged, not counted;
//! - a message that claims a ping but names none (a Message-ID of the
//!   form `<ping.…>` or a token that no campaign holds: a guess, or a
//!   forged bounce) is recorded as flagged on the campaign, not counted.
//!
//! An answer is timed by when the **secretariat** received it, never by
//! the sender's `Date`: the topmost `Received` header added by the
//! secretariat's own server (`received_by`, its host name) when one is
//! given and present; else the mailbox's own record, the mbox `From `
//! line or the Maildir delivery time (the seconds that begin the file's
//! unique name, else the file's modification time). Each answer records
//! which (`timed_by`).

use std::collections::BTreeSet;
use std::path::Path;

use mail_parser::{Message, MessageParser, PartType};

use super::{Campaign, Flagged, PingError, Response};
use crate::directory::model::Directory;
use crate::directory::model::Poc;

/// What a collection found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub messages: usize,
    /// New or earlier answers recorded.
    pub answers: usize,
    /// Later answers from a PoC that had answered already.
    pub duplicates: usize,
    pub auto_replies: usize,
    pub bounces: usize,
    pub flagged: usize,
    /// Messages that belong to no ping.
    pub unrelated: usize,
    /// Messages that could not be used, and why.
    pub skipped: Vec<String>,
}

/// A message larger than this is skipped (with a warning): replies to a
/// ping are small, and the parser must not be handed anything huge.
pub const MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;
/// Largest mbox read (a quarter of replies is a few megabytes).
pub const MAX_MBOX_BYTES: u64 = 1024 * 1024 * 1024;

/// One message of a mailbox, and when the mailbox says the secretariat
/// received it.
#[derive(Clone, Debug)]
pub struct Raw {
    pub bytes: Vec<u8>,
    /// The mbox `From ` line's time, or the Maildir delivery time.
    pub delivered: Option<jiff::Timestamp>,
    /// `mbox` or `maildir`.
    pub source: &'static str,
}

/// Raw messages, one at a time, or why the mailbox could not be read.
pub type Messages = Box<dyn Iterator<Item = Result<Raw, PingError>>>;

/// A mailbox's time, if it is a plausible one (a `From ` line without a
/// readable date gives nonsense, and 0 is "none").
fn plausible(secs: i64) -> Option<jiff::Timestamp> {
    // 1990-01-01 to 2200-01-01.
    (631_152_000..7_258_118_400)
        .contains(&secs)
        .then(|| jiff::Timestamp::from_second(secs).ok())
        .flatten()
}

/// The delivery time of a Maildir file: the seconds that begin its unique
/// name (`1793610007.M1P4101.host:2,S`), as every Maildir writer names
/// files, else its modification time.
fn maildir_time(path: &Path, mtime: u64) -> Option<jiff::Timestamp> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
    let from_name = (name[digits.len()..].starts_with('.'))
        .then(|| digits.parse::<i64>().ok())
        .flatten()
        .and_then(plausible);
    from_name.or_else(|| i64::try_from(mtime).ok().and_then(plausible))
}

/// The raw messages of an mbox file or a Maildir folder, one at a time (a
/// large mailbox is never held in memory whole).
pub fn mailbox(path: &Path, maildir: bool) -> Result<Messages, PingError> {
    let shown = path.display().to_string();
    let error = move |e: &dyn std::fmt::Display| PingError::Mailbox(format!("{shown}: {e}"));
    if maildir {
        let it =
            mail_parser::mailbox::maildir::MessageIterator::new(path).map_err(|e| error(&e))?;
        Ok(Box::new(it.map(move |m| {
            m.map(|m| Raw {
                delivered: maildir_time(m.path(), m.internal_date()),
                source: "maildir",
                bytes: m.unwrap_contents(),
            })
            .map_err(|e| error(&e))
        })))
    } else {
        let f = std::fs::File::open(path).map_err(|e| error(&e))?;
        // mail-parser holds a message whole until the next `From ` line: a
        // device, a pipe or a huge file would read without end.
        let meta = f.metadata().map_err(|e| error(&e))?;
        if !meta.is_file() {
            return Err(error(&"not a regular file (an mbox is a file)"));
        }
        if meta.len() > MAX_MBOX_BYTES {
            return Err(error(&format!(
                "{} bytes, over the {MAX_MBOX_BYTES}-byte limit for a mailbox of replies",
                meta.len()
            )));
        }
        use std::io::Read;
        let it = mail_parser::mailbox::mbox::MessageIterator::new(std::io::BufReader::new(
            f.take(MAX_MBOX_BYTES),
        ));
        Ok(Box::new(it.map(move |m| {
            m.map(|m| Raw {
                delivered: i64::try_from(m.internal_date()).ok().and_then(plausible),
                source: "mbox",
                bytes: m.unwrap_contents(),
            })
            .map_err(|e| error(&e))
        })))
    }
}

/// A date as written in a header, if it is a real one (no 31 February, no
/// 25:61:61, an offset within ±23:59).
pub fn header_time(d: &mail_parser::DateTime) -> Option<jiff::Timestamp> {
    if d.tz_hour > 23 || d.tz_minute > 59 {
        return None;
    }
    let civil = jiff::civil::DateTime::new(
        i16::try_from(d.year).ok()?,
        i8::try_from(d.month).ok()?,
        i8::try_from(d.day).ok()?,
        i8::try_from(d.hour).ok()?,
        i8::try_from(d.minute).ok()?,
        i8::try_from(d.second).ok()?,
        0,
    )
    .ok()?;
    let utc = civil.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
    let offset = (i64::from(d.tz_hour) * 3600 + i64::from(d.tz_minute) * 60)
        * if d.tz_before_gmt { -1 } else { 1 };
    utc.checked_sub(jiff::SignedDuration::from_secs(offset))
        .ok()
}

/// When the secretariat received a message, and how that is known: the
/// topmost `Received` header whose `by` names `received_by` (headers below
/// it were written by others, so no lower one is read), else the
/// mailbox's own time.
pub fn received_time(
    m: &Message,
    raw: &Raw,
    received_by: Option<&str>,
) -> Option<(jiff::Timestamp, &'static str)> {
    if let Some(host) = received_by
        && let Some(r) = m.received_all().find(
            |r| matches!(r.by(), Some(mail_parser::Host::Name(n)) if n.eq_ignore_ascii_case(host)),
        )
        && let Some(t) = r.date().as_ref().and_then(header_time)
    {
        return Some((t, "received"));
    }
    raw.delivered.map(|t| (t, raw.source))
}

/// Every text of a message where a token may be: subject, text and HTML
/// bodies, attached messages and headers, recursively.
fn texts(m: &Message, out: &mut Vec<String>, depth: usize) {
    if depth > 4 {
        return;
    }
    if let Some(s) = m.subject() {
        out.push(s.to_string());
    }
    for p in &m.parts {
        match &p.body {
            PartType::Text(t) | PartType::Html(t) => out.push(t.to_string()),
            PartType::Binary(b) | PartType::InlineBinary(b) => {
                out.push(String::from_utf8_lossy(b).into_owned())
            }
            PartType::Message(inner) => texts(inner, out, depth + 1),
            PartType::Multipart(_) => {}
        }
    }
}

fn header(m: &Message, name: &str) -> Option<String> {
    m.header_raw(name).map(|v| v.trim().to_ascii_lowercase())
}

fn ids(v: &mail_parser::HeaderValue) -> Vec<String> {
    match v {
        mail_parser::HeaderValue::Text(t) => vec![t.to_string()],
        mail_parser::HeaderValue::TextList(l) => l.iter().map(|t| t.to_string()).collect(),
        _ => Vec::new(),
    }
}

/// The first From address, lower case ("" when there is none).
fn from_address(m: &Message) -> String {
    m.from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap_or("")
        .to_lowercase()
}

fn is_bounce(m: &Message, all_text: &str) -> bool {
    let ctype = header(m, "Content-Type").unwrap_or_default();
    if ctype.contains("multipart/report") && ctype.contains("delivery-status") {
        // A delay notice is not a failure.
        let lower = all_text.to_ascii_lowercase();
        return lower.contains("action: failed") || !lower.contains("action: delayed");
    }
    let from = from_address(m);
    let subject = m.subject().unwrap_or("").to_ascii_lowercase();
    (from.starts_with("mailer-daemon@") || from.starts_with("postmaster@"))
        && [
            "undeliver",
            "delivery status",
            "delivery failure",
            "returned mail",
            "failure notice",
        ]
        .iter()
        .any(|s| subject.contains(s))
}

fn is_auto_reply(m: &Message) -> bool {
    if header(m, "Auto-Submitted").is_some_and(|v| !v.starts_with("no")) {
        return true;
    }
    if header(m, "X-Autoreply").is_some()
        || header(m, "X-Autorespond").is_some()
        || header(m, "X-Autogenerated").is_some_and(|v| v.contains("reply"))
    {
        return true;
    }
    if header(m, "Precedence").is_some_and(|v| matches!(v.as_str(), "auto_reply" | "bulk" | "junk"))
    {
        return true;
    }
    let subject = m.subject().unwrap_or("").to_lowercase();
    [
        "out of office",
        "automatic reply",
        "auto:",
        "autoreply",
        "réponse automatique",
        "respuesta automática",
        "автоответ",
    ]
    .iter()
    .any(|s| subject.contains(s))
}

/// The PoC a ping went to: by the id the campaign recorded, else the
/// State's PoC of that type holding the address, else its first PoC of
/// that type.
pub fn poc_of<'a>(dir: &'a Directory, p: &super::Ping) -> Option<&'a Poc> {
    let s = dir.states.iter().find(|s| s.code == p.state)?;
    let of_type = || s.points_of_contact.iter().filter(|x| x.kind == p.kind);
    if let Some(id) = &p.poc
        && let Some(x) = s.points_of_contact.iter().find(|x| &x.id == id)
    {
        return Some(x);
    }
    of_type()
        .find(|x| x.emails.iter().any(|e| e.value.eq_ignore_ascii_case(&p.to)))
        .or_else(|| of_type().next())
}

/// Every address of the PoC a ping went to (lower case): the ping's own
/// and the PoC's.
fn poc_addresses(dir: &Directory, p: &super::Ping) -> BTreeSet<String> {
    let mut out = BTreeSet::from([p.to.to_lowercase()]);
    if let Some(x) = poc_of(dir, p) {
        out.extend(x.emails.iter().map(|e| e.value.to_lowercase()));
    }
    out
}

/// Every `<ping.…@…>` in a message's bytes (at most 200 bytes each, no
/// white space), as written.
fn ping_ids(b: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 6 <= b.len() {
        if b[i..i + 6].eq_ignore_ascii_case(b"<ping.") {
            let end = b[i..]
                .iter()
                .take(200)
                .position(|&c| c == b'>' || c.is_ascii_whitespace());
            if let Some(e) = end
                && b[i + e] == b'>'
                && let Ok(id) = std::str::from_utf8(&b[i..=i + e])
                && id.contains('@')
            {
                out.push(id.to_string());
                i += e + 1;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// Why a message is flagged rather than counted (`Flagged::reason`).
pub mod reason {
    /// A reply with the token or Message-ID from an address that is not
    /// the PoC's.
    pub const OTHER_ADDRESS: &str = "other-address";
    /// Received (by the secretariat) before the ping was sent.
    pub const BEFORE_SENT: &str = "before-sent";
    /// Claims a ping (a `<ping.…>` Message-ID, a token) that no campaign
    /// holds: a guess.
    pub const UNKNOWN_PING: &str = "unknown-ping";
    /// A delivery failure that names no real ping.
    pub const UNKNOWN_BOUNCE: &str = "unknown-bounce";
}

/// An address as it may go into a campaign file: only a plain, valid one,
/// never with hidden characters that would make the file unreadable.
fn shown_address(from: &str) -> String {
    if from.is_empty() {
        "(no address)".into()
    } else if crate::directory::validate::fields::email(from).is_err()
        || from.chars().any(crate::util::text::is_bidi_control)
    {
        "(not a valid address)".into()
    } else {
        from.to_string()
    }
}

fn flag(list: &mut Vec<Flagged>, f: Flagged) -> bool {
    if list.contains(&f) {
        return false;
    }
    list.push(f);
    list.sort_by(|a, b| (a.at, &a.from, &a.reason).cmp(&(b.at, &b.from, &b.reason)));
    true
}

/// The campaign a message claiming an unknown ping is filed under: the
/// one its `<ping.CAMPAIGN.…>` id names, else the latest started before it
/// arrived, else the first.
fn claimed_campaign(campaigns: &[Campaign], refs: &BTreeSet<String>, at: jiff::Timestamp) -> usize {
    campaigns
        .iter()
        .position(|c| {
            refs.iter()
                .any(|r| r.starts_with(&format!("<ping.{}.", c.id)))
        })
        .or_else(|| {
            campaigns
                .iter()
                .enumerate()
                .filter(|(_, c)| c.started <= at)
                .max_by_key(|(_, c)| c.started)
                .map(|(i, _)| i)
        })
        .unwrap_or(0)
}

/// How a collection is made.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The host name of the secretariat's receiving server, as it writes
    /// itself in the `by` clause of its `Received` headers.
    pub received_by: Option<String>,
}

/// Read the messages into the campaigns (all of them: tokens are unique
/// across campaigns). Running it again over the same mailbox changes
/// nothing. A mailbox that cannot be read to its end is an error, and the
/// caller writes nothing.
pub fn collect(
    dir: &Directory,
    campaigns: &mut [Campaign],
    raw: impl Iterator<Item = Result<Raw, PingError>>,
    opts: &Options,
) -> Result<Summary, PingError> {
    let parser = MessageParser::default();
    let mut sum = Summary::default();
    for (n, raw) in raw.enumerate() {
        let raw = raw?;
        sum.messages += 1;
        if raw.bytes.len() > MAX_MESSAGE_BYTES {
            sum.skipped.push(format!(
                "message {}: {} bytes, over the {MAX_MESSAGE_BYTES}-byte limit",
                n + 1,
                raw.bytes.len()
            ));
            continue;
        }
        let Some(m) = parser.parse(&raw.bytes) else {
            sum.skipped.push(format!("message {}: not an email", n + 1));
            continue;
        };
        let mut found = Vec::new();
        texts(&m, &mut found, 0);
        let all_text = found.join("\n");
        let tokens: BTreeSet<String> = super::token::find(&all_text).into_iter().collect();
        let mut refs: BTreeSet<String> = ids(m.in_reply_to()).into_iter().collect();
        refs.extend(ids(m.references()));
        let mut refs: BTreeSet<String> = refs
            .into_iter()
            .map(|r| format!("<{}>", r.trim_matches(['<', '>'])))
            .collect();
        // A ping's Message-ID anywhere in the message (an attached
        // original in a bounce, a quote) names it too.
        refs.extend(ping_ids(&raw.bytes));
        let mut targets = Vec::new();
        for (ci, c) in campaigns.iter().enumerate() {
            for (pi, p) in c.pings.iter().enumerate() {
                if tokens.contains(&p.token) || refs.contains(&p.message_id) {
                    targets.push((ci, pi));
                }
            }
        }
        let claims_a_ping = !tokens.is_empty()
            || refs
                .iter()
                .any(|r| r.to_ascii_lowercase().starts_with("<ping."));
        if targets.is_empty() && (!claims_a_ping || campaigns.is_empty()) {
            sum.unrelated += 1;
            continue;
        }
        let Some((at, source)) = received_time(&m, &raw, opts.received_by.as_deref()) else {
            sum.skipped.push(format!(
                "message {}: no time of receipt (no readable mbox From line or Maildir delivery time)",
                n + 1
            ));
            continue;
        };
        let from = from_address(&m);
        let bounce = is_bounce(&m, &all_text);
        if targets.is_empty() {
            // A guessed Message-ID or token, or a forged bounce: for the
            // secretariat to look at, never counted.
            let ci = claimed_campaign(campaigns, &refs, at);
            let f = Flagged {
                at,
                from: shown_address(&from),
                reason: Some(
                    if bounce {
                        reason::UNKNOWN_BOUNCE
                    } else {
                        reason::UNKNOWN_PING
                    }
                    .into(),
                ),
            };
            if flag(&mut campaigns[ci].flagged, f) {
                sum.flagged += 1;
            }
            continue;
        }
        if bounce {
            sum.bounces += 1;
            for (ci, pi) in targets {
                let p = &mut campaigns[ci].pings[pi];
                if p.sent.is_none_or(|s| at < s) {
                    let f = Flagged {
                        at,
                        from: shown_address(&from),
                        reason: Some(reason::BEFORE_SENT.into()),
                    };
                    if flag(&mut p.flagged, f) {
                        sum.flagged += 1;
                    }
                    continue;
                }
                p.bounced = Some(p.bounced.map_or(at, |b| b.min(at)));
            }
            continue;
        }
        if is_auto_reply(&m) {
            sum.auto_replies += 1;
            continue;
        }
        for (ci, pi) in targets {
            let addresses = poc_addresses(dir, &campaigns[ci].pings[pi]);
            let p = &mut campaigns[ci].pings[pi];
            let why = if !addresses.contains(&from) {
                Some(reason::OTHER_ADDRESS)
            } else if p.sent.is_none_or(|s| at < s) {
                Some(reason::BEFORE_SENT)
            } else {
                None
            };
            if let Some(why) = why {
                let f = Flagged {
                    at,
                    from: shown_address(&from),
                    reason: Some(why.into()),
                };
                if flag(&mut p.flagged, f) {
                    sum.flagged += 1;
                }
                continue;
            }
            match &p.response {
                Some(r) if r.at <= at => {
                    if r.at < at || r.from.as_deref() != Some(from.as_str()) {
                        sum.duplicates += 1;
                    }
                }
                existing => {
                    if existing.is_some() {
                        sum.duplicates += 1; // an earlier answer replaces it
                    } else {
                        sum.answers += 1;
                    }
                    p.response = Some(Response {
                        at,
                        via: "email".into(),
                        from: Some(from.clone()),
                        note: None,
                        timed_by: Some(source.into()),
                    });
                }
            }
        }
    }
    Ok(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Option<jiff::Timestamp> {
        let raw = format!("Date: {text}\r\nSubject: x\r\n\r\nx\r\n");
        let m = MessageParser::default().parse(raw.as_bytes()).unwrap();
        m.date().and_then(header_time)
    }

    #[test]
    fn header_times_are_real_ones_or_none() {
        assert_eq!(
            date("Mon, 2 Nov 2026 19:30:00 +0900"),
            Some("2026-11-02T10:30:00Z".parse().unwrap())
        );
        assert_eq!(date("31 Feb 2026 25:61:61 -9999"), None);
        assert_eq!(date("Tue, 31 Feb 2026 10:00:00 +0000"), None);
    }

    #[test]
    fn a_maildir_file_is_timed_by_its_name_else_its_mtime() {
        let t = |s: i64| jiff::Timestamp::from_second(s).ok();
        assert_eq!(
            maildir_time(Path::new("cur/1793610007.M1P4101.test:2,S"), 1_800_000_000),
            t(1_793_610_007)
        );
        assert_eq!(
            maildir_time(Path::new("cur/odd-name:2,S"), 1_800_000_000),
            t(1_800_000_000)
        );
        assert_eq!(
            maildir_time(Path::new("cur/0.M1.x"), 0),
            None,
            "1970 is no delivery time"
        );
    }
}
