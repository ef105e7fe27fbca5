//! A new campaign: one ping per Point of Contact of the chosen types, each
//! with its own token, to the PoC's general address; and the messages,
//! in the PoC's UN language (when it uses one besides English) and
//! English, the token in the subject and the text.

use std::collections::BTreeMap;

use lettre::message::header::ContentType;

use super::{Campaign, Ping, PingError};
use crate::directory::load::I18nFile;
use crate::directory::model::{Directory, Poc, PocType};
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

/// The campaign: every PoC of `types` (all types when empty) in every
/// State, or in `only`.
pub fn plan(
    dir: &Directory,
    id: &str,
    name: &str,
    types: &[String],
    only: &[String],
    started: jiff::Timestamp,
    window_hours: u32,
) -> Result<Campaign, PingError> {
    let domain = crate::mail::id_domain(&dir.settings.secretariat.email);
    let mut pings = Vec::new();
    for s in dir
        .states
        .iter()
        .filter(|s| only.is_empty() || only.iter().any(|c| *c == s.code))
    {
        for p in s
            .points_of_contact
            .iter()
            .filter(|p| types.is_empty() || types.iter().any(|t| p.kind == *t))
        {
            let Some(to) = address(p) else { continue };
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
        id: id.to_string(),
        name: name.to_string(),
        started,
        respond_within_hours: window_hours,
        pings,
        flagged: Vec::new(),
        follow_ups: Vec::new(),
    })
}

fn part(t: &Strings, state: &str, kind: PocType, token: &str) -> String {
    let type_label = t.get(&format!("type_{kind}"));
    format!(
        "{}\n\n{}\n\n  {token}\n",
        t.fmt("ping_greeting", &[("type", type_label), ("state", state)]),
        t.fmt("ping_body", &[("token", token)]),
    )
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
        let lang = poc.and_then(|x| {
            dir.settings
                .languages
                .iter()
                .find(|l| *l != "en" && x.languages.contains(l))
        });
        let local = lang.map(|l| {
            Strings::new(
                l.as_str(),
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
            body.push_str(&part(t, s.name(t.lang), p.kind, &p.token));
            body.push_str("\n----------------------------------------\n\n");
        }
        body.push_str(&part(&en, s.name("en"), p.kind, &p.token));
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
