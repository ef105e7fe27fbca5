//! A new campaign: one ping per Point of Contact of the chosen types, each
//! with its own token, to the PoC's general address; and the messages,
//! in the PoC's UN language (when it uses one besides English) and
//! English, the token in the subject and the text.

use std::collections::BTreeMap;

use lettre::message::header::ContentType;

use super::{Campaign, Ping, PingError};
use crate::directory::load::I18nFile;
use crate::directory::model::{Directory, Poc};
use crate::i18n::Strings;
use crate::mail::{Kind, Outgoing};

/// The address a PoC is pinged at: its first general address, else its
/// first address.
pub fn address(p: &Poc) -> Option<&str> {
    p.emails
        .iter()
        .find(|e| e.usage == "general")
        .or_else(|| p.emails.first())
        .map(|e| e.value.as_str())
}

/// A campaign id from a name: lower case, hyphens, prefixed by the day.
pub fn campaign_id(name: Option<&str>, started: jiff::Timestamp) -> String {
    let day = started.to_zoned(jiff::tz::TimeZone::UTC).date().to_string();
    let slug: String = name
        .unwrap_or("")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let id = if slug.is_empty() {
        day
    } else {
        format!("{day}-{slug}")
    };
    id.chars()
        .take(64)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}

/// What a new campaign is: its id and name, which PoCs, when, its kind
/// and windows.
pub struct Plan<'a> {
    pub id: &'a str,
    pub name: &'a str,
    /// PoC types (all when empty; an exercise goes to every type).
    pub types: &'a [String],
    /// States (all when empty).
    pub only: &'a [String],
    pub started: jiff::Timestamp,
    pub window_hours: u32,
    /// `routine`, `emergency` or `exercise`.
    pub kind: &'a str,
    /// The window of 24/7 PoCs in an emergency check or an exercise.
    pub short_window_minutes: u32,
    /// An exercise's scenario page.
    pub scenario: Option<&'a str>,
}

/// The address a PoC is pinged at in a campaign of `kind`: for an
/// emergency check its first emergency address (none: not pinged).
pub fn address_for<'a>(p: &'a Poc, kind: &str) -> Option<&'a str> {
    if kind == "emergency" {
        p.emails
            .iter()
            .find(|e| e.usage == "emergency")
            .map(|e| e.value.as_str())
    } else {
        address(p)
    }
}

/// The campaign: every PoC of `types` (all types when empty) in every
/// State, or in `only`.
pub fn plan(dir: &Directory, plan: &Plan) -> Result<Campaign, PingError> {
    let types: &[String] = if plan.kind == "exercise" {
        &[]
    } else {
        plan.types
    };
    let short = plan.kind != "routine";
    let domain = crate::mail::id_domain(&dir.settings.secretariat.email);
    let mut pings = Vec::new();
    for s in dir
        .states
        .iter()
        .filter(|s| plan.only.is_empty() || plan.only.iter().any(|c| *c == s.code))
    {
        for p in s
            .points_of_contact
            .iter()
            .filter(|p| types.is_empty() || types.iter().any(|t| p.kind == *t))
        {
            let Some(to) = address_for(p, plan.kind) else {
                continue;
            };
            if pings
                .iter()
                .any(|x: &Ping| x.state == s.code && x.to.eq_ignore_ascii_case(to))
            {
                continue; // two PoCs sharing an address: one ping
            }
            pings.push(Ping {
                state: s.code,
                kind: p.kind,
                to: to.to_string(),
                token: super::token::new_token()?,
                message_id: super::token::new_message_id(&domain)?,
                poc: Some(p.id.clone()),
                window_minutes: (short && p.availability.mode == "24/7")
                    .then_some(plan.short_window_minutes),
                sent: None,
                response: None,
                bounced: None,
                flagged: Vec::new(),
            });
        }
    }
    if pings.is_empty() {
        return Err(PingError::NothingToPing);
    }
    Ok(Campaign {
        id: plan.id.to_string(),
        name: plan.name.to_string(),
        kind: plan.kind.to_string(),
        scenario: plan.scenario.map(str::to_string),
        started: plan.started,
        respond_within_hours: plan.window_hours,
        pings,
        flagged: Vec::new(),
        follow_ups: Vec::new(),
    })
}

/// The text of an exercise's scenario page in `lang` (else English).
fn scenario_text<'a>(dir: &'a Directory, name: &str, lang: &str) -> Option<&'a str> {
    let of = |l: &str| {
        dir.pages
            .iter()
            .find(|p| p.name == name && p.lang.as_deref().unwrap_or("en") == l)
    };
    of(lang).or_else(|| of("en")).map(|p| p.markdown.as_str())
}

fn part(
    t: &Strings,
    dir: &Directory,
    c: &Campaign,
    s: &crate::directory::model::State,
    p: &Ping,
) -> String {
    let token = p.token.as_str();
    let mut out = format!(
        "{}\n\n",
        t.fmt_state(&format!("ping_greeting_{}", p.kind), &s.forms(t.lang), &[])
    );
    match c.kind.as_str() {
        "emergency" => {
            out.push_str(t.get("ping_kind_emergency"));
            out.push_str("\n\n");
        }
        "exercise" => {
            out.push_str(t.get("ping_kind_exercise"));
            out.push_str("\n\n");
        }
        _ => {}
    }
    if let Some(m) = p.window_minutes {
        out.push_str(&t.fmt("ping_kind_window", &[("minutes", &m.to_string())]));
        out.push_str("\n\n");
    }
    out.push_str(&format!(
        "{}\n\n  {token}\n",
        t.fmt("ping_body", &[("token", token)])
    ));
    if let Some(text) = c
        .scenario
        .as_deref()
        .and_then(|n| scenario_text(dir, n, t.lang))
    {
        out.push_str(&format!(
            "\n{}\n\n{}\n",
            t.get("ping_kind_scenario"),
            text.trim_end()
        ));
    }
    out
}

/// The messages of a campaign (all its pings; the mail journal keeps any
/// from going twice).
pub fn messages(
    dir: &Directory,
    i18n: &BTreeMap<String, I18nFile>,
    c: &Campaign,
) -> Result<Vec<Outgoing>, PingError> {
    let empty = BTreeMap::new();
    let english = i18n.get("en").map(|f| &f.strings).unwrap_or(&empty);
    let en = Strings::new("en", english, english);
    let from = crate::mail::mailbox(
        Some(&dir.settings.secretariat.name),
        &dir.settings.secretariat.email,
    )
    .map_err(|e| PingError::Message(e.to_string()))?;
    let envelope_from = crate::mail::ascii_address(&dir.settings.secretariat.email)
        .map_err(|e| PingError::Message(e.to_string()))?;
    let date = std::time::SystemTime::UNIX_EPOCH
        + std::time::Duration::from_secs(c.started.as_second().max(0) as u64);
    let mut out = Vec::new();
    for p in &c.pings {
        let Some(s) = dir.states.iter().find(|s| s.code == p.state) else {
            return Err(PingError::UnknownState(p.state));
        };
        let poc = s
            .points_of_contact
            .iter()
            .find(|x| x.kind == p.kind && x.emails.iter().any(|e| e.value == p.to));
        let _ = poc;
        let local = dir.un_language(s).map(|l| {
            Strings::new(
                l,
                i18n.get(l).map(|f| &f.strings).unwrap_or(english),
                english,
            )
        });
        let subject_en = en.fmt("ping_subject", &[("token", &p.token)]);
        let subject = match &local {
            Some(t) => format!(
                "{} / {subject_en}",
                t.fmt("ping_subject", &[("token", &p.token)])
            ),
            None => subject_en,
        };
        let mut body = String::new();
        if let Some(t) = &local {
            body.push_str(&part(t, dir, c, s, p));
            body.push_str("\n----------------------------------------\n\n");
        }
        body.push_str(&part(&en, dir, c, s, p));
        let to = crate::mail::mailbox(poc.map(|x| x.entity.as_str()), &p.to)
            .map_err(|e| PingError::Message(format!("{}: {e}", p.state)))?;
        let msg = lettre::Message::builder()
            .from(from.clone())
            .to(to)
            .subject(subject)
            .date(date)
            .message_id(Some(p.message_id.clone()))
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| PingError::Message(format!("{}: {e}", p.state)))?;
        out.push(Outgoing {
            kind: Kind::Ping,
            state: p.state,
            account: p.to.clone(),
            envelope_from: envelope_from.clone(),
            envelope_to: crate::mail::ascii_address(&p.to)
                .map_err(|e| PingError::Message(e.to_string()))?,
            reference: format!("ping {} {}", c.id, p.kind),
            bundle_hash: None,
            message_id: p.message_id.clone(),
            file_name: crate::mail::file_name(&format!("ping-{}", p.state), &p.to),
            eml: msg.formatted(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_names() {
        let t: jiff::Timestamp = "2026-11-02T09:00:00Z".parse().unwrap();
        assert_eq!(campaign_id(Some("Q4 check!"), t), "2026-11-02-q4-check");
        assert_eq!(campaign_id(None, t), "2026-11-02");
        assert!(super::super::is_campaign_id(&campaign_id(
            Some("Été ☃ 2026"),
            t
        )));
    }
}
