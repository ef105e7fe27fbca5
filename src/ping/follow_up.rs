//! The follow-up of failed checks (issue #15): once a campaign's window
//! has closed, one message to the Permanent Mission of every State whose
//! PoC bounced or did not answer — the second channel, never the PoCs'
//! own addresses — in the State's UN language and English, as `remind`
//! writes them. At most once per campaign and State: the campaign file
//! records each follow-up (`follow_ups`), and its Message-ID,
//! `<followup.CAMPAIGN.ISO3@domain>`, is the same on every run, so the
//! mail journal never lets it go twice either.

use std::collections::BTreeMap;

use lettre::message::header::ContentType;

use super::{Campaign, FollowUp, Outcome, Ping, PingError};
use crate::directory::load::I18nFile;
use crate::directory::model::{Directory, State, StateCode};
use crate::i18n::Strings;
use crate::mail::journal::Journal;
use crate::mail::{Kind, Outgoing};

/// When the campaign's window closes: the last ping's sending (or the
/// start) plus the window.
pub fn window_end(c: &Campaign) -> jiff::Timestamp {
    let last = c
        .pings
        .iter()
        .filter_map(|p| p.sent)
        .max()
        .unwrap_or(c.started)
        .max(c.started);
    last.checked_add(jiff::SignedDuration::from_hours(i64::from(
        c.respond_within_hours,
    )))
    .unwrap_or(last)
}

/// The States to follow up as of `now`, each with its failed pings, in
/// code order; none already followed up. An error while the window is
/// still open.
pub fn due(c: &Campaign, now: jiff::Timestamp) -> Result<Vec<(StateCode, Vec<&Ping>)>, PingError> {
    let end = window_end(c);
    if now < end {
        return Err(PingError::Message(format!(
            "campaign {}: its window closes at {}; follow up after it",
            c.id,
            crate::util::time::fmt_ts(end)
        )));
    }
    let mut by_state: BTreeMap<StateCode, Vec<&Ping>> = BTreeMap::new();
    for p in &c.pings {
        if p.outcome(c.respond_within_hours, now).failed()
            && !c.follow_ups.iter().any(|f| f.state == p.state)
        {
            by_state.entry(p.state).or_default().push(p);
        }
    }
    Ok(by_state.into_iter().collect())
}

/// The follow-up's Message-ID: one per campaign and State.
pub fn message_id(c: &Campaign, state: StateCode, domain: &str) -> String {
    format!("<followup.{}.{state}@{domain}>", c.id)
}

fn part(
    t: &Strings,
    dir: &Directory,
    s: &State,
    c: &Campaign,
    failed: &[&Ping],
    now: jiff::Timestamp,
) -> String {
    let names = s.forms(t.lang);
    let day = t.day(c.started.to_zoned(jiff::tz::TimeZone::UTC).date());
    let mut out = format!(
        "{}\n\n{}\n\n",
        t.fmt_state("ping_followup_greeting", &names, &[]),
        t.fmt_state(
            "ping_followup_intro",
            &names,
            &[
                ("date", &day),
                ("campaign", &c.name),
                ("hours", &c.respond_within_hours.to_string()),
            ]
        ),
    );
    for p in failed {
        let entity = super::collect::poc_of(dir, p)
            .map(|x| x.entity.as_str())
            .unwrap_or("");
        let why = if p.outcome(c.respond_within_hours, now) == Outcome::Bounced {
            t.get("ping_followup_bounced")
        } else {
            t.get("ping_followup_no_answer")
        };
        out.push_str(&format!(
            "- {} <{}>{}{why}\n",
            t.fmt(
                "remind_poc",
                &[
                    ("type", t.get(&format!("type_{}", p.kind))),
                    ("entity", entity)
                ]
            ),
            p.to,
            t.get("colon")
        ));
    }
    out.push_str(&format!(
        "\n{}\n\n{}\n",
        t.get("ping_followup_request"),
        t.get("ping_followup_footer")
    ));
    out
}

/// One message per State of `due`, dated `now`.
pub fn messages(
    dir: &Directory,
    i18n: &BTreeMap<String, I18nFile>,
    c: &Campaign,
    due: &[(StateCode, Vec<&Ping>)],
    now: jiff::Timestamp,
) -> Result<Vec<Outgoing>, PingError> {
    let empty = BTreeMap::new();
    let english = i18n.get("en").map(|f| &f.strings).unwrap_or(&empty);
    let en = Strings::new("en", english, english);
    let err = |e: &dyn std::fmt::Display| PingError::Message(e.to_string());
    let from = crate::mail::mailbox(
        Some(&dir.settings.secretariat.name),
        &dir.settings.secretariat.email,
    )
    .map_err(|e| err(&e))?;
    let envelope_from =
        crate::mail::ascii_address(&dir.settings.secretariat.email).map_err(|e| err(&e))?;
    let domain = crate::mail::id_domain(&dir.settings.secretariat.email);
    let date = std::time::SystemTime::UNIX_EPOCH
        + std::time::Duration::from_secs(now.as_second().max(0) as u64);
    let mut out = Vec::new();
    for (code, failed) in due {
        let Some(s) = dir.states.iter().find(|s| s.code == *code) else {
            return Err(PingError::UnknownState(*code));
        };
        let local = dir.un_language(s).map(|l| {
            Strings::new(
                l,
                i18n.get(l).map(|f| &f.strings).unwrap_or(english),
                english,
            )
        });
        let subject_en = en.fmt_state(
            "ping_followup_subject",
            &s.forms("en"),
            &[("campaign", &c.name)],
        );
        let subject = match &local {
            Some(t) => format!(
                "{} / {subject_en}",
                t.fmt_state(
                    "ping_followup_subject",
                    &s.forms(t.lang),
                    &[("campaign", &c.name)]
                )
            ),
            None => subject_en,
        };
        let mut body = String::new();
        if let Some(t) = &local {
            body.push_str(&part(t, dir, s, c, failed, now));
            body.push_str("\n----------------------------------------\n\n");
        }
        body.push_str(&part(&en, dir, s, c, failed, now));
        let to = crate::mail::mailbox(Some(&s.mission.name), &s.mission.email)
            .map_err(|e| PingError::Message(format!("{code}: mission address: {e}")))?;
        let envelope_to = crate::mail::ascii_address(&s.mission.email)
            .map_err(|e| PingError::Message(format!("{code}: mission address: {e}")))?;
        let id = message_id(c, *code, &domain);
        let msg = lettre::Message::builder()
            .from(from.clone())
            .to(to)
            .subject(subject)
            .date(date)
            .message_id(Some(id.clone()))
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| PingError::Message(format!("{code}: {e}")))?;
        out.push(Outgoing {
            kind: Kind::FollowUp,
            state: *code,
            account: s.mission.email.clone(),
            envelope_from: envelope_from.clone(),
            envelope_to,
            reference: format!("follow-up {}", c.id),
            bundle_hash: None,
            message_id: id,
            file_name: format!("followup-{}-{code}.eml", c.id),
            eml: msg.formatted(),
        });
    }
    Ok(out)
}

/// Record the follow-ups that went out: through an outbox, all of `msgs`
/// at `now`; through SMTP, those the journal holds, at its time.
pub fn record(
    c: &mut Campaign,
    msgs: &[Outgoing],
    journal: Option<&Journal>,
    now: jiff::Timestamp,
) {
    for m in msgs {
        if c.follow_ups.iter().any(|f| f.state == m.state) {
            continue;
        }
        let sent = match journal {
            None => Some(now),
            Some(j) => j
                .entries()
                .iter()
                .find(|e| e.message_id == m.message_id)
                .and_then(|e| e.sent_at.parse().ok()),
        };
        if let Some(sent) = sent {
            c.follow_ups.push(FollowUp {
                state: m.state,
                sent,
                message_id: m.message_id.clone(),
            });
        }
    }
    c.follow_ups.sort_by_key(|f| f.state);
}
