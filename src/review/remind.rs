//! `pocdir remind`: for each State due (its entry not re-verified within
//! the policy), a reminder email to its Permanent Mission — the second
//! channel, never the PoCs' own addresses — in the State's UN language and
//! English, listing what the directory holds. Messages are built with
//! lettre (no hand-written MIME) and go out like the bundles (`mail`):
//! to an outbox, or through SMTP with the journal.

use std::collections::BTreeMap;

use lettre::message::header::ContentType;

use crate::directory::load::I18nFile;
use crate::directory::model::{Directory, State, StateCode};
use crate::i18n::Strings;
use crate::mail::{Kind, Outgoing};

fn holdings(s: &State) -> String {
    let mut out = String::new();
    for p in &s.points_of_contact {
        out.push_str(&format!("- {} / {}", p.kind, p.entity));
        if let Some(person) = &p.person {
            out.push_str(&format!(" ({})", person.name));
        }
        out.push('\n');
        for e in &p.emails {
            out.push_str(&format!("    {} ({})\n", e.value, e.usage));
        }
        for t in &p.phones {
            out.push_str(&format!("    {} ({})\n", t.value, t.usage));
        }
    }
    out
}

fn part(t: &Strings, s: &State) -> String {
    let name = s.name(t.lang);
    format!(
        "{}\n\n{}\n\n{}\n{}\n{}\n",
        t.fmt("remind_greeting", &[("state", name)]),
        t.fmt(
            "remind_intro",
            &[("state", name), ("date", &t.day(s.last_verified))]
        ),
        t.get("remind_holds"),
        holdings(s),
        t.get("remind_footer"),
    )
}

/// Why the reminders could not be made (an address or a header).
#[derive(Debug)]
pub struct RemindError(pub String);

impl std::fmt::Display for RemindError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RemindError {}

/// One message per State in `due`. `date` is the Date header (the day the
/// reminders are for); the same day and content give the same Message-ID,
/// so the journal never lets a reminder go twice.
pub fn reminders(
    dir: &Directory,
    i18n: &BTreeMap<String, I18nFile>,
    due: &[StateCode],
    date: std::time::SystemTime,
) -> Result<Vec<Outgoing>, RemindError> {
    let empty = BTreeMap::new();
    let english = i18n.get("en").map(|f| &f.strings).unwrap_or(&empty);
    let from = crate::mail::mailbox(
        Some(&dir.settings.secretariat.name),
        &dir.settings.secretariat.email,
    )
    .map_err(|e| RemindError(format!("secretariat address: {e}")))?;
    let envelope_from = crate::mail::ascii_address(&dir.settings.secretariat.email)
        .map_err(|e| RemindError(format!("secretariat address: {e}")))?;
    let domain = crate::mail::id_domain(&dir.settings.secretariat.email);
    let mut out = Vec::new();
    for s in dir.states.iter().filter(|s| due.contains(&s.code)) {
        let en = Strings::new("en", english, english);
        let local = dir.un_language(s).map(|l| {
            Strings::new(
                l,
                i18n.get(l).map(|f| &f.strings).unwrap_or(english),
                english,
            )
        });
        let to = crate::mail::mailbox(Some(&s.mission.name), &s.mission.email)
            .map_err(|e| RemindError(format!("{}: mission address: {e}", s.code)))?;
        let envelope_to = crate::mail::ascii_address(&s.mission.email)
            .map_err(|e| RemindError(format!("{}: mission address: {e}", s.code)))?;
        let subject = match &local {
            Some(t) => format!(
                "{} / {}",
                t.fmt("remind_subject", &[("state", s.name(t.lang))]),
                en.fmt("remind_subject", &[("state", s.name("en"))])
            ),
            None => en.fmt("remind_subject", &[("state", s.name("en"))]),
        };
        let mut body = String::new();
        if let Some(t) = &local {
            body.push_str(&part(t, s));
            body.push_str("\n----------------------------------------\n\n");
        }
        body.push_str(&part(&en, s));
        let id = crate::util::hash::sha256_hex(
            format!("{}{}{}", s.code, s.last_verified, body).as_bytes(),
        );
        let message_id = format!("<remind.{}.{}@{}>", s.code, &id[..16], domain);
        let msg = lettre::Message::builder()
            .from(from.clone())
            .to(to)
            .subject(subject)
            .date(date)
            .message_id(Some(message_id.clone()))
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| RemindError(format!("{}: {e}", s.code)))?;
        out.push(Outgoing {
            kind: Kind::Reminder,
            state: s.code,
            account: s.mission.email.clone(),
            envelope_from: envelope_from.clone(),
            envelope_to,
            reference: format!("last verified {}", s.last_verified),
            bundle_hash: None,
            message_id,
            file_name: format!("remind-{}.eml", s.code),
            eml: msg.formatted(),
        });
    }
    Ok(out)
}
