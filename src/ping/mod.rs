//! Communication checks (ping tests): the secretariat emails each Point of
//! Contact a unique token and measures how long it takes to answer. One
//! job per file:
//!
//! - `token.rs`: making tokens, finding them in replies;
//! - `start.rs`: a new campaign (one ping per PoC) and its messages;
//! - `collect.rs`: reading the replies (mbox or Maildir, with mail-parser):
//!   genuine answers, auto-replies, bounces, strangers;
//! - `report.rs`: the figures (rate, median, 90th percentile, by group and
//!   type, trend) for the terminal, CSV, JSON and the site.
//!
//! A campaign lives in `content/pings/<ID>.yaml` (schema in
//! `directory::schema`, checked model in `directory::campaign`, re-exported
//! here); this module writes it back.

pub mod collect;
pub mod follow_up;
pub mod render;
pub mod report;
pub mod sending;
pub mod start;
pub mod token;

use crate::directory::model::StateCode;

pub use crate::directory::campaign::{
    Campaign, Flagged, FollowUp, Outcome, Ping, Response, from_file, is_campaign_id,
};
use crate::directory::schema;
use crate::directory::span::At;

/// Why a communication check could not go on.
#[derive(Debug)]
pub enum PingError {
    /// The mailbox cannot be opened or read to its end.
    Mailbox(String),
    /// No Point of Contact matches the campaign's filters.
    NothingToPing,
    /// A ping names a State the directory does not hold.
    UnknownState(StateCode),
    /// A message cannot be built (an address or a header).
    Message(String),
    /// No random source for the tokens.
    Random(String),
    /// The campaign cannot be written as YAML.
    Yaml(String),
}

impl std::fmt::Display for PingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PingError::Mailbox(m) | PingError::Message(m) | PingError::Yaml(m) => f.write_str(m),
            PingError::NothingToPing => f.write_str("no Point of Contact matches: nothing to ping"),
            PingError::UnknownState(code) => write!(f, "{code}: not in the directory"),
            PingError::Random(m) => write!(f, "no random source: {m}"),
        }
    }
}

impl std::error::Error for PingError {}

fn fmt(t: jiff::Timestamp) -> At<String> {
    At::bare(crate::util::time::fmt_ts(t))
}

fn flagged(list: &[Flagged]) -> Vec<schema::FlaggedEntry> {
    list.iter()
        .map(|x| schema::FlaggedEntry {
            at: fmt(x.at),
            from: At::bare(x.from.clone()),
            reason: x.reason.clone().map(At::bare),
        })
        .collect()
}

/// The campaign file's text (YAML, by serde-saphyr's serialiser: user text
/// such as a note is quoted as YAML needs).
pub fn to_yaml(c: &Campaign) -> Result<String, PingError> {
    let f = schema::CampaignFile {
        id: At::bare(c.id.clone()),
        name: At::bare(c.name.clone()),
        kind: (c.kind != "routine").then(|| At::bare(c.kind.clone())),
        scenario: c.scenario.clone().map(At::bare),
        started: fmt(c.started),
        respond_within_hours: At::bare(c.respond_within_hours),
        pings: c
            .pings
            .iter()
            .map(|p| schema::PingEntry {
                state: At::bare(p.state.to_string()),
                kind: At::bare(p.kind.to_string()),
                to: At::bare(p.to.clone()),
                token: At::bare(p.token.clone()),
                message_id: At::bare(p.message_id.clone()),
                poc: p.poc.clone().map(At::bare),
                window_minutes: p.window_minutes.map(At::bare),
                sent: p.sent.map(fmt),
                response: p.response.as_ref().map(|r| schema::ResponseEntry {
                    at: fmt(r.at),
                    via: At::bare(r.via.clone()),
                    from: r.from.clone().map(At::bare),
                    note: r.note.clone().map(At::bare),
                    timed_by: r.timed_by.clone().map(At::bare),
                }),
                bounced: p.bounced.map(fmt),
                flagged: flagged(&p.flagged),
            })
            .collect(),
        flagged: flagged(&c.flagged),
        follow_ups: c
            .follow_ups
            .iter()
            .map(|x| schema::FollowUpEntry {
                state: At::bare(x.state.to_string()),
                sent: fmt(x.sent),
                message_id: At::bare(x.message_id.clone()),
            })
            .collect(),
    };
    let body = serde_saphyr::to_string(&f).map_err(|e| PingError::Yaml(e.to_string()))?;
    Ok(format!(
        "# Communication check: written by `pocdir ping start`, filled in by\n\
         # `pocdir ping collect` and `pocdir ping record`. Tokens are secret: this\n\
         # file never reaches the site or a bundle.\n{body}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::model::PocType;

    fn fixture() -> schema::CampaignFile {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/ping/campaign.yaml"),
        )
        .unwrap();
        crate::directory::yaml::parse(&text, 0).unwrap()
    }

    #[test]
    fn a_campaign_is_typed_and_written_back_as_read() {
        let f = fixture();
        let c = from_file(&f).expect("the fixture models");
        assert_eq!(c.pings[0].state, "FRA");
        assert_eq!(c.pings[0].kind, PocType::Diplomatic);
        assert!(c.pings.iter().any(|p| p.kind == PocType::Technical));
        let again =
            from_file(&crate::directory::yaml::parse(&to_yaml(&c).unwrap(), 0).unwrap()).unwrap();
        assert_eq!(to_yaml(&again).unwrap(), to_yaml(&c).unwrap());
        assert!(to_yaml(&c).unwrap().contains("state: FRA\n"));
    }

    #[test]
    fn a_ping_validation_would_refuse_gives_no_campaign() {
        let mut f = fixture();
        f.pings[0].state.value = "fr".into();
        assert!(from_file(&f).is_none());
        let mut f = fixture();
        f.pings[0].kind.value = "military".into();
        assert!(from_file(&f).is_none());
    }

    #[test]
    fn errors_say_what_they_said_before() {
        let code = StateCode::parse("FRA").unwrap();
        assert_eq!(
            PingError::UnknownState(code).to_string(),
            "FRA: not in the directory"
        );
        assert_eq!(
            PingError::NothingToPing.to_string(),
            "no Point of Contact matches: nothing to ping"
        );
        assert_eq!(
            PingError::Random("x".into()).to_string(),
            "no random source: x"
        );
    }
}
