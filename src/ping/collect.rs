//! Reading the replies to a campaign from the secretariat's mailbox (mbox
//! or Maildir), with mail-parser (MIME, encodings, HTML, time zones).
//!
//! A message belongs to a ping when it carries the ping's token (subject,
//! text or HTML body, quoted or not, or an attached original) or answers
//! its Message-ID (`In-Reply-To`, `References`). Then:
//!
//! - a delivery failure (a `multipart/report` delivery-status with a
//!   failed action, or a mailer daemon's notice) marks the ping bounced;
//! - an automatic reply (`Auto-Submitted` other than `no`, `X-Autoreply`,
//!   `Precedence: auto_reply`, an out-of-office subject) is ignored;
//! - a reply from one of the PoC's own addresses is an answer, timed by
//!   its own `Date` header (time zones applied); the earliest one counts;
//! - a reply from any other address is recorded as flagged, not counted.

use std::collections::BTreeSet;
use std::path::Path;

use mail_parser::{Message, MessageParser, PartType};

use super::{Campaign, Flagged, PingError, Response};
use crate::directory::model::{Directory, PocType, StateCode};

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

/// Raw messages, one at a time, or why the mailbox could not be read.
pub type Messages = Box<dyn Iterator<Item = Result<Vec<u8>, PingError>>>;

/// The raw messages of an mbox file or a Maildir folder, one at a time (a
/// large mailbox is never held in memory whole).
pub fn mailbox(path: &Path, maildir: bool) -> Result<Messages, PingError> {
    let shown = path.display().to_string();
    let error = move |e: &dyn std::fmt::Display| PingError::Mailbox(format!("{shown}: {e}"));
    if maildir {
        let it =
            mail_parser::mailbox::maildir::MessageIterator::new(path).map_err(|e| error(&e))?;
        Ok(Box::new(it.map(move |m| {
            m.map(|m| m.unwrap_contents()).map_err(|e| error(&e))
        })))
    } else {
        let f = std::fs::File::open(path).map_err(|e| error(&e))?;
        let it = mail_parser::mailbox::mbox::MessageIterator::new(std::io::BufReader::new(f));
        Ok(Box::new(it.map(move |m| {
            m.map(|m| m.unwrap_contents()).map_err(|e| error(&e))
        })))
    }
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

/// Every address of the PoC a ping went to (any case): the ping's own and
/// those of the State's PoCs of that type holding it.
fn poc_addresses(dir: &Directory, state: StateCode, kind: PocType, to: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::from([to.to_lowercase()]);
    if let Some(s) = dir.states.iter().find(|s| s.code == state) {
        let mut pocs: Vec<_> = s
            .points_of_contact
            .iter()
            .filter(|p| p.kind == kind && p.emails.iter().any(|e| e.value.eq_ignore_ascii_case(to)))
            .collect();
        if pocs.is_empty() {
            pocs = s
                .points_of_contact
                .iter()
                .filter(|p| p.kind == kind)
                .take(1)
                .collect();
        }
        for p in pocs {
            out.extend(p.emails.iter().map(|e| e.value.to_lowercase()));
        }
    }
    out
}

/// Read the messages into the campaigns (all of them: tokens are unique
/// across campaigns). Running it again over the same mailbox changes
/// nothing. A mailbox that cannot be read to its end is an error, and the
/// caller writes nothing.
pub fn collect(
    dir: &Directory,
    campaigns: &mut [Campaign],
    raw: impl Iterator<Item = Result<Vec<u8>, PingError>>,
) -> Result<Summary, PingError> {
    let parser = MessageParser::default();
    let mut sum = Summary::default();
    for (n, bytes) in raw.enumerate() {
        let bytes = bytes?;
        sum.messages += 1;
        if bytes.len() > MAX_MESSAGE_BYTES {
            sum.skipped.push(format!(
                "message {}: {} bytes, over the {MAX_MESSAGE_BYTES}-byte limit",
                n + 1,
                bytes.len()
            ));
            continue;
        }
        let Some(m) = parser.parse(&bytes) else {
            sum.skipped.push(format!("message {}: not an email", n + 1));
            continue;
        };
        let mut found = Vec::new();
        texts(&m, &mut found, 0);
        let all_text = found.join("\n");
        let tokens: BTreeSet<String> = super::token::find(&all_text).into_iter().collect();
        let mut refs: BTreeSet<String> = ids(m.in_reply_to()).into_iter().collect();
        refs.extend(ids(m.references()));
        let refs: BTreeSet<String> = refs
            .into_iter()
            .map(|r| format!("<{}>", r.trim_matches(['<', '>'])))
            .collect();
        let mut targets = Vec::new();
        for (ci, c) in campaigns.iter().enumerate() {
            for (pi, p) in c.pings.iter().enumerate() {
                if tokens.contains(&p.token) || refs.contains(&p.message_id) {
                    targets.push((ci, pi));
                }
            }
        }
        if targets.is_empty() {
            sum.unrelated += 1;
            continue;
        }
        let date = m
            .date()
            .map(|d| d.to_timestamp())
            .and_then(|s| jiff::Timestamp::from_second(s).ok());
        let Some(at) = date else {
            sum.skipped
                .push(format!("message {}: no usable Date header", n + 1));
            continue;
        };
        if is_bounce(&m, &all_text) {
            sum.bounces += 1;
            for (ci, pi) in targets {
                let p = &mut campaigns[ci].pings[pi];
                p.bounced = Some(p.bounced.map_or(at, |b| b.min(at)));
            }
            continue;
        }
        if is_auto_reply(&m) {
            sum.auto_replies += 1;
            continue;
        }
        let from = from_address(&m);
        for (ci, pi) in targets {
            let p = &mut campaigns[ci].pings[pi];
            if poc_addresses(dir, p.state, p.kind, &p.to).contains(&from) {
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
                        });
                    }
                }
            } else {
                // A stranger's address goes into the campaign file: only
                // as a plain, valid address, never with hidden characters
                // that would make the file unreadable.
                let f = Flagged {
                    at,
                    from: if from.is_empty() {
                        "(no address)".into()
                    } else if crate::directory::validate::fields::email(&from).is_err()
                        || from.chars().any(crate::util::text::is_bidi_control)
                    {
                        "(not a valid address)".into()
                    } else {
                        from.clone()
                    },
                };
                if !p.flagged.contains(&f) {
                    p.flagged.push(f);
                    p.flagged.sort_by_key(|f| f.at);
                    sum.flagged += 1;
                }
            }
        }
    }
    Ok(sum)
}
