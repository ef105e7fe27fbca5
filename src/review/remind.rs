//! `pocdir remind`: for each State due (its entry not re-verified within
//! the policy), a reminder email to its Permanent Mission — the second
//! channel, never the PoCs' own addresses — in the State's UN language and
//! English, listing what the directory holds. Messages are built with
//! lettre (no hand-written MIME) and go out like the bundles (`mail`):
//! to an outbox, or through SMTP with the journal. `remind --all` sends
//! the same message, as a periodic confirmation request, to the Mission
//! of every State (study, section 5.2), once per period.

use std::collections::BTreeMap;

use lettre::message::header::ContentType;

use crate::directory::load::I18nFile;
use crate::directory::model::{Directory, State, StateCode};
use crate::i18n::Strings;
use crate::mail::{Kind, Outgoing};

/// What the directory holds for the State, in the reader's language:
/// each PoC's type and entity, its person, and every channel with its use.
fn holdings(t: &Strings, s: &State) -> String {
    let mut out = String::new();
    for p in &s.points_of_contact {
        let kind = t.get(&format!("type_{}", p.kind));
        out.push_str("- ");
        out.push_str(&t.fmt("remind_poc", &[("type", kind), ("entity", &p.entity)]));
        if let Some(person) = &p.person {
            out.push(' ');
            out.push_str(&t.paren(&person.name));
        }
        out.push('\n');
        for e in &p.emails {
            let usage = t.get(&format!("use_{}", e.usage));
            out.push_str(&format!("    {} {}\n", e.value, t.paren(usage)));
        }
        for ph in &p.phones {
            let usage = t.get(&format!("use_{}", ph.usage));
            out.push_str(&format!("    {} {}\n", ph.value, t.paren(usage)));
        }
    }
    out
}

fn part(t: &Strings, s: &State, period: Option<&str>) -> String {
    let names = s.forms(t.lang);
    let date = t.day(s.last_verified);
    format!(
        "{}\n\n{}\n\n{}\n{}\n{}\n",
        t.fmt_state("remind_greeting", &names, &[]),
        match period {
            None => t.fmt_state("remind_intro", &names, &[("date", &date)]),
            Some(p) => t.fmt_state(
                "remind_all_intro",
                &names,
                &[("date", &date), ("period", p)]
            ),
        },
        t.get("remind_holds"),
        holdings(t, s),
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
    build(dir, i18n, due, date, None)
}

/// How often `remind --all` asks every Permanent Mission to confirm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Every {
    Month,
    Quarter,
    Year,
}

/// The period holding `day`: `2026-11`, `2026-Q4` or `2026`.
pub fn period(every: Every, day: jiff::civil::Date) -> String {
    match every {
        Every::Month => format!("{:04}-{:02}", day.year(), day.month()),
        Every::Quarter => format!("{:04}-Q{}", day.year(), (day.month() - 1) / 3 + 1),
        Every::Year => format!("{:04}", day.year()),
    }
}

/// `remind --all`: a confirmation request to the Permanent Mission of
/// every State of the directory, stale or not, for `period`. Its
/// Message-ID is made from the State, the period and the Mission's
/// address only (not the day nor the entry), so the journal lets one go
/// per State and period however often it is run.
pub fn confirmations(
    dir: &Directory,
    i18n: &BTreeMap<String, I18nFile>,
    period: &str,
    date: std::time::SystemTime,
) -> Result<Vec<Outgoing>, RemindError> {
    let all: Vec<StateCode> = dir.states.iter().map(|s| s.code).collect();
    build(dir, i18n, &all, date, Some(period))
}

fn build(
    dir: &Directory,
    i18n: &BTreeMap<String, I18nFile>,
    due: &[StateCode],
    date: std::time::SystemTime,
    period: Option<&str>,
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
        let subject_of = |t: &Strings| match period {
            None => t.fmt_state("remind_subject", &s.forms(t.lang), &[]),
            Some(p) => t.fmt_state("remind_all_subject", &s.forms(t.lang), &[("period", p)]),
        };
        let subject = match &local {
            Some(t) => format!("{} / {}", subject_of(t), subject_of(&en)),
            None => subject_of(&en),
        };
        let mut body = String::new();
        if let Some(t) = &local {
            body.push_str(&part(t, s, period));
            body.push_str("\n----------------------------------------\n\n");
        }
        body.push_str(&part(&en, s, period));
        let message_id = match period {
            None => {
                let id = crate::util::hash::sha256_hex(
                    format!("{}{}{}", s.code, s.last_verified, body).as_bytes(),
                );
                format!("<remind.{}.{}@{}>", s.code, &id[..16], domain)
            }
            Some(p) => {
                let id = crate::util::hash::sha256_hex(
                    format!("confirm\n{}\n{p}\n{}", s.code, s.mission.email).as_bytes(),
                );
                format!("<confirm.{}.{p}.{}@{}>", s.code, &id[..16], domain)
            }
        };
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
            reference: match period {
                None => format!("last verified {}", s.last_verified),
                Some(p) => format!("confirmation {p}, last verified {}", s.last_verified),
            },
            bundle_hash: None,
            message_id,
            file_name: match period {
                None => format!("remind-{}.eml", s.code),
                Some(_) => format!("confirm-{}.eml", s.code),
            },
            eml: msg.formatted(),
        });
    }
    Ok(out)
}
