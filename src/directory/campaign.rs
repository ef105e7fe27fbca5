//! The checked model of a communication check (`content/pings/<ID>.yaml`):
//! a campaign, one ping per Point of Contact, answers, bounces and flagged
//! replies; and the formats of campaign ids and tokens, which validation
//! checks. Making, sending and collecting pings is `crate::ping`'s.

use serde::Serialize;

use crate::directory::schema;
use crate::directory::span::At;
use crate::directory::types::{PocType, StateCode};

/// Crockford base32, the alphabet of ping tokens.
pub(crate) const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn is_sym(b: u8) -> bool {
    ALPHABET.contains(&b.to_ascii_uppercase())
}

/// A well-formed token (upper case).
pub fn is_token(s: &str) -> bool {
    s.len() == 24
        && s.is_ascii()
        && s.starts_with("PING-")
        && s == s.to_ascii_uppercase()
        && matches_at(s.as_bytes(), 0)
}

/// Whether a token starts at byte `i` (case-insensitive).
pub(crate) fn matches_at(b: &[u8], i: usize) -> bool {
    if b.len() < i + 24 || !b[i..i + 5].eq_ignore_ascii_case(b"PING-") {
        return false;
    }
    (0..4).all(|g| {
        let start = i + 5 + g * 5;
        b[start..start + 4].iter().all(|&c| is_sym(c)) && (g == 3 || b[start + 4] == b'-')
    }) && b.get(i + 24).is_none_or(|c| !c.is_ascii_alphanumeric())
}

#[derive(Clone, Debug)]
pub struct Campaign {
    pub id: String,
    pub name: String,
    /// `routine`, `emergency` or `exercise` (`KINDS`).
    pub kind: String,
    /// An exercise's scenario page.
    pub scenario: Option<String>,
    pub started: jiff::Timestamp,
    pub respond_within_hours: u32,
    pub pings: Vec<Ping>,
    /// Messages claiming a ping of this campaign that match none (a
    /// guessed Message-ID or token, a bounce naming no real ping).
    pub flagged: Vec<Flagged>,
    /// Follow-ups sent to Permanent Missions, one per State at most.
    pub follow_ups: Vec<FollowUp>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUp {
    pub state: StateCode,
    pub sent: jiff::Timestamp,
    pub message_id: String,
}

#[derive(Clone, Debug)]
pub struct Ping {
    pub state: StateCode,
    pub kind: PocType,
    pub to: String,
    pub token: String,
    pub message_id: String,
    /// The PoC's id, when the campaign recorded it.
    pub poc: Option<String>,
    /// This ping's own window in minutes (a 24/7 PoC in an emergency
    /// check or an exercise); else the campaign's.
    pub window_minutes: Option<u32>,
    pub sent: Option<jiff::Timestamp>,
    pub response: Option<Response>,
    pub bounced: Option<jiff::Timestamp>,
    pub flagged: Vec<Flagged>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub at: jiff::Timestamp,
    /// `email` or `phone`.
    pub via: String,
    pub from: Option<String>,
    pub note: Option<String>,
    /// Where `at` comes from (`received`, `mbox`, `maildir`, `phone`;
    /// `None` in campaigns collected before issue #15: the reply's Date).
    pub timed_by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flagged {
    pub at: jiff::Timestamp,
    pub from: String,
    /// Why it is not counted (`None`: a reply from another address).
    pub reason: Option<String>,
}

/// The kinds of campaign: `routine` (general addresses, the campaign's
/// window), `emergency` (emergency addresses; 24/7 PoCs within a short
/// window), `exercise` (a scenario to every PoC; 24/7 PoCs within the
/// short window).
pub const KINDS: &[&str] = &["routine", "emergency", "exercise"];

/// The sources a reply's time may come from, in `Response::timed_by`.
pub const TIME_SOURCES: &[&str] = &["received", "mbox", "maildir", "phone", "date"];

/// How a ping ended, as of a moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Answered; seconds from sending (0 when the clocks disagree).
    Answered { seconds: i64, via: String },
    /// The message came back undelivered (and no answer came).
    Bounced,
    /// No answer within the window.
    NoAnswer,
    /// No answer yet, still within the window.
    Pending,
    /// The message has not gone out.
    NotSent,
}

impl Outcome {
    /// A PoC that failed the check (for `stale` and the State pages).
    pub fn failed(&self) -> bool {
        matches!(self, Outcome::Bounced | Outcome::NoAnswer)
    }
}

impl Ping {
    /// The outcome as of `now`. A ping with its own (short) window — a
    /// 24/7 PoC in an emergency check or an exercise — that was answered
    /// only after it did not answer in time.
    pub fn outcome(&self, window_hours: u32, now: jiff::Timestamp) -> Outcome {
        let Some(sent) = self.sent else {
            return Outcome::NotSent;
        };
        let window = self
            .window_minutes
            .map_or(i64::from(window_hours) * 3600, |m| i64::from(m) * 60);
        if let Some(r) = &self.response {
            let seconds = (r.at.as_second() - sent.as_second()).max(0);
            if self.window_minutes.is_none() || seconds <= window {
                return Outcome::Answered {
                    seconds,
                    via: r.via.clone(),
                };
            }
        }
        if self.bounced.is_some() {
            return Outcome::Bounced;
        }
        if now.as_second() - sent.as_second() > window {
            Outcome::NoAnswer
        } else {
            Outcome::Pending
        }
    }
}

/// A campaign id: lower-case letters, digits and hyphens, 1 to 64.
pub fn is_campaign_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
}

fn ts(s: &At<String>) -> Option<jiff::Timestamp> {
    s.value.parse().ok()
}

/// The checked model of a campaign file (validation has passed, so every
/// State code and type parses; `None` if one somehow does not).
pub fn from_file(f: &schema::CampaignFile) -> Option<Campaign> {
    let pings = f
        .pings
        .iter()
        .map(|p| {
            Some(Ping {
                state: StateCode::parse(&p.state.value)?,
                kind: PocType::parse(&p.kind.value)?,
                to: p.to.value.clone(),
                token: p.token.value.clone(),
                message_id: p.message_id.value.clone(),
                poc: p.poc.as_ref().map(|x| x.value.clone()),
                window_minutes: p.window_minutes.as_ref().map(|x| x.value),
                sent: p.sent.as_ref().and_then(ts),
                response: p.response.as_ref().and_then(|r| {
                    Some(Response {
                        at: ts(&r.at)?,
                        via: r.via.value.clone(),
                        from: r.from.as_ref().map(|x| x.value.clone()),
                        note: r.note.as_ref().map(|x| x.value.clone()),
                        timed_by: r.timed_by.as_ref().map(|x| x.value.clone()),
                    })
                }),
                bounced: p.bounced.as_ref().and_then(ts),
                flagged: flagged(&p.flagged),
            })
        })
        .collect::<Option<Vec<Ping>>>()?;
    Some(Campaign {
        id: f.id.value.clone(),
        name: f.name.value.clone(),
        kind: f
            .kind
            .as_ref()
            .map_or_else(|| "routine".to_string(), |k| k.value.clone()),
        scenario: f.scenario.as_ref().map(|x| x.value.clone()),
        started: ts(&f.started)?,
        respond_within_hours: f.respond_within_hours.value,
        pings,
        flagged: flagged(&f.flagged),
        follow_ups: f
            .follow_ups
            .iter()
            .map(|x| {
                Some(FollowUp {
                    state: StateCode::parse(&x.state.value)?,
                    sent: ts(&x.sent)?,
                    message_id: x.message_id.value.clone(),
                })
            })
            .collect::<Option<Vec<_>>>()?,
    })
}

fn flagged(entries: &[schema::FlaggedEntry]) -> Vec<Flagged> {
    entries
        .iter()
        .filter_map(|x| {
            Some(Flagged {
                at: ts(&x.at)?,
                from: x.from.value.clone(),
                reason: x.reason.as_ref().map(|r| r.value.clone()),
            })
        })
        .collect()
}
