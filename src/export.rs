//! Exports of the directory, shared by the site and the bundles:
//! JSON (the published view), CSV (one row per PoC) and vCard 3.0 (one card
//! per PoC, importable by phones and mail clients).
//!
//! Everything published goes through [`Published`] / [`PublishedState`]: the
//! contact data States agreed to share, with the dates of last update and
//! verification, and nothing else. The secretariat's internal records —
//! the accounts and age recipients that receive bundles, provenance
//! (references, channels, the officers who verified), account verification
//! records — stay in the model and never reach the site or another State's
//! bundle. A State's own bundle lists its own accounts ([`own_accounts`]).

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

use crate::directory::model::{
    Contact, Directory, Poc, SecretariatKey, Settings, State, StateCode,
};
use crate::directory::refdata::Group;
use crate::directory::types::iso_date;
use crate::i18n::Strings;

/// Format tag of `directory.json`.
pub const JSON_FORMAT: &str = "pocdir-directory/1";

/// The published directory: settings, the secretariat's public key and
/// every State's published view. `as_of` and each State's `stale` flag
/// are there on the site (judged as of the build) and left out of the
/// canonical form, which depends on the content only.
#[derive(Serialize)]
pub struct Published<'a> {
    pub settings: &'a Settings,
    pub states: Vec<PublishedState<'a>>,
    pub secretariat_key: &'a SecretariatKey,
    #[serde(with = "iso_date::option", skip_serializing_if = "Option::is_none")]
    pub as_of: Option<Date>,
}

impl<'a> Published<'a> {
    /// The published view of `dir`, judged as of `dir.as_of`.
    pub fn of(dir: &'a Directory) -> Published<'a> {
        Published {
            settings: &dir.settings,
            states: dir.states.iter().map(PublishedState::of).collect(),
            secretariat_key: &dir.secretariat_key,
            as_of: Some(dir.as_of),
        }
    }

    /// The same without anything that depends on the day it is judged.
    fn content_only(mut self) -> Published<'a> {
        self.as_of = None;
        for s in &mut self.states {
            s.stale = None;
        }
        self
    }
}

/// What every participating State sees of a State: its code and names, the
/// Permanent Mission's public contact, regional networks, Points of
/// Contact, the dates of last update and verification, and whether it is
/// overdue for re-verification. An allow-list: a field added to the
/// model is published only once it is added here.
#[derive(Clone, Serialize)]
pub struct PublishedState<'a> {
    pub code: StateCode,
    pub alpha2: &'a str,
    pub m49: &'a str,
    pub member: bool,
    pub group: Group,
    pub names: &'a BTreeMap<&'static str, String>,
    pub mission: &'a Contact,
    pub regional_networks: &'a [String],
    pub points_of_contact: &'a [Poc],
    #[serde(with = "iso_date")]
    pub last_updated: Date,
    #[serde(with = "iso_date")]
    pub last_verified: Date,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale: Option<bool>,
}

impl<'a> PublishedState<'a> {
    pub fn of(s: &'a State) -> PublishedState<'a> {
        PublishedState {
            code: s.code,
            alpha2: &s.alpha2,
            m49: &s.m49,
            member: s.member,
            group: s.group,
            names: &s.names,
            mission: &s.mission,
            regional_networks: &s.regional_networks,
            points_of_contact: &s.points_of_contact,
            last_updated: s.last_updated,
            last_verified: s.last_verified,
            stale: Some(s.stale),
        }
    }

    pub fn name(&self, lang: &str) -> &str {
        self.names
            .get(lang)
            .or_else(|| self.names.get("en"))
            .map(String::as_str)
            .unwrap_or(self.code.as_str())
    }

    pub fn is_stale(&self) -> bool {
        self.stale.unwrap_or(false)
    }
}

/// Where the site publishes a PoC's armored OpenPGP public key, relative
/// to the site's root: `openpgp/<FINGERPRINT>.asc` (one file per key,
/// however many PoCs share it).
pub fn openpgp_key_path(fingerprint: &str) -> String {
    let fpr = crate::directory::validate::openpgp::normalise_fingerprint(fingerprint);
    format!("openpgp/{fpr}.asc")
}

/// Every armored OpenPGP public key of the directory, as a file of the
/// site (issue 15); the bundle carries them in `directory.json`.
pub fn openpgp_keys(dir: &Directory) -> Vec<(String, Vec<u8>)> {
    let mut out = BTreeMap::new();
    for s in &dir.states {
        for p in &s.points_of_contact {
            for k in &p.encryption_keys {
                if let Some(pk) = &k.public_key {
                    let mut text = pk.trim_end().to_string();
                    text.push('\n');
                    out.entry(openpgp_key_path(&k.value))
                        .or_insert_with(|| text.into_bytes());
                }
            }
        }
    }
    out.into_iter().collect()
}

/// The site's `directory.json`: the published view as of the build.
pub fn json(dir: &Directory) -> Vec<u8> {
    #[derive(Serialize)]
    struct Out<'a> {
        format: &'static str,
        #[serde(flatten)]
        dir: Published<'a>,
    }
    let mut v = serde_json::to_vec_pretty(&Out {
        format: JSON_FORMAT,
        dir: Published::of(dir),
    })
    .unwrap_or_default();
    v.push(b'\n');
    v
}

/// The directory version's published content, without anything that
/// depends on the day it is built (staleness, `as_of`): its SHA-256 is the
/// version's root hash, and it is the `directory.json` of every bundle.
/// The root covers what States see; the receiving accounts are not in it
/// (every build encrypts to the accounts as they stand).
pub fn canonical(dir: &Directory) -> Vec<u8> {
    let mut v = serde_json::to_value(Published::of(dir).content_only()).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert("format".into(), JSON_FORMAT.into());
    }
    // serde_json's maps are sorted: the text is canonical.
    let mut out = serde_json::to_vec_pretty(&v).unwrap_or_default();
    out.push(b'\n');
    out
}

/// What only `state`'s own bundle adds (in its README.txt): the State's
/// accounts that receive the directory — address, name, age recipients —
/// so that it sees who in its government gets it. No verification record.
pub fn own_accounts(state: &State) -> String {
    let mut out = String::from("\n[accounts]\n");
    for a in &state.accounts {
        match &a.name {
            Some(n) => out.push_str(&format!("  {} <{}>\n", n, a.email)),
            None => out.push_str(&format!("  {}\n", a.email)),
        }
        for r in &a.recipients {
            out.push_str(&format!("    {r}\n"));
        }
    }
    out
}

/// A cell made safe for spreadsheets (OWASP's CSV injection guidance): a
/// cell whose first character could start a formula (`=`, `+`, `-`, `@`,
/// tab, carriage return) is prefixed with `'`, except when it is a number
/// written for people — a sign, then only digits, spaces and `( ) . - /`,
/// such as the phone "+33 1 99 00 12 34": with no letter, reference,
/// function or `|` it cannot call anything or reach another cell, so it is
/// left as written. Every other cell is left alone.
pub fn cell(s: &str) -> String {
    let risky = match s.chars().next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !is_plain_number(&s[1..]),
        _ => false,
    };
    if risky {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// Digits, spaces and `( ) . - /` only, with at least one digit.
fn is_plain_number(rest: &str) -> bool {
    rest.chars().any(|c| c.is_ascii_digit())
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '(' | ')' | '.' | '-' | '/'))
}

/// English, the CSV's default language: the default theme's strings as
/// compiled into pocdir (so the CSV of the site and of every bundle is
/// the same whatever a directory's theme overrides).
fn builtin_english() -> BTreeMap<String, String> {
    crate::directory::theme::EMBEDDED
        .iter()
        .find(|(p, _)| *p == "i18n/en.yaml")
        .and_then(|(_, b)| std::str::from_utf8(b).ok())
        .and_then(|t| serde_saphyr::from_str::<BTreeMap<String, String>>(t).ok())
        .unwrap_or_default()
}

/// `directory.csv`: one row per PoC, with headers and values in English
/// (the site's and every bundle's copy).
pub fn csv(dir: &Directory) -> Vec<u8> {
    let english = builtin_english();
    csv_in(dir, &Strings::new("en", &english, &english))
}

/// The CSV with headers and values for people, in `t`'s language: the
/// regional group's, type's, uses' and functions' names, languages by
/// their own names, "24/7" or "Business hours"; dates stay ISO 8601 (they
/// sort), States in the CSV stay in code order (a stable order for every
/// language), addresses and numbers as written.
pub fn csv_in(dir: &Directory, t: &Strings) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "csv_state",
        "csv_state_name",
        "csv_regional_group",
        "csv_type",
        "csv_entity",
        "csv_person",
        "csv_person_title",
        "csv_emails",
        "csv_phones",
        "csv_languages",
        "csv_availability",
        "csv_hours",
        "csv_days",
        "csv_time_zone",
        "csv_functions",
        "csv_regional_networks",
        "csv_last_verified",
        "csv_stale",
    ];
    let _ = w.write_record(header.iter().map(|k| cell(t.get(k))));
    let sep = "; ";
    // "use: value; use: value": a label first, so the cell never starts
    // with a sign (no quote prefix needed) and reads as it is meant.
    let tagged = |v: &[crate::directory::model::Tagged]| {
        v.iter()
            .map(|x| {
                format!(
                    "{}{}{}",
                    t.get(&format!("use_{}", x.usage)),
                    t.get("colon"),
                    x.value
                )
            })
            .collect::<Vec<_>>()
            .join(sep)
    };
    let days = |d: &str| t.days(d);
    for s in Published::of(dir).states {
        for p in s.points_of_contact {
            let h24 = p.availability.mode == "24/7";
            let row = [
                s.code.to_string(),
                s.name(t.lang).to_string(),
                t.get(&format!("group_{}", s.group.key())).to_string(),
                t.get(&format!("type_{}", p.kind)).to_string(),
                p.entity.clone(),
                p.person
                    .as_ref()
                    .map(|x| x.name.clone())
                    .unwrap_or_default(),
                p.person
                    .as_ref()
                    .and_then(|x| x.title.clone())
                    .unwrap_or_default(),
                tagged(&p.emails),
                tagged(&p.phones),
                p.languages
                    .iter()
                    .map(|l| crate::directory::refdata::language_label(l, t.lang))
                    .collect::<Vec<_>>()
                    .join(sep),
                t.get(if h24 {
                    "csv_availability_24_7"
                } else {
                    "csv_availability_business_hours"
                })
                .to_string(),
                p.availability.hours.clone().unwrap_or_default(),
                p.availability.days.as_deref().map(days).unwrap_or_default(),
                p.availability.time_zone.clone().unwrap_or_default(),
                p.functions
                    .iter()
                    .map(|f| t.get(&format!("func_{f}")).to_string())
                    .collect::<Vec<_>>()
                    .join(sep),
                s.regional_networks
                    .iter()
                    .map(|n| {
                        crate::directory::refdata::network_label(n, t.lang)
                            .map_or(n.as_str(), |(acronym, _)| acronym)
                    })
                    .collect::<Vec<_>>()
                    .join(sep),
                s.last_verified.to_string(),
                t.get(if s.is_stale() { "csv_yes" } else { "csv_no" })
                    .to_string(),
            ];
            let _ = w.write_record(row.iter().map(|c| cell(c)));
        }
    }
    w.into_inner().unwrap_or_default()
}

/// RFC 6350 text escaping (also valid for vCard 3.0).
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            ',' => o.push_str("\\,"),
            ';' => o.push_str("\\;"),
            '\n' => o.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => o.push(c),
        }
    }
    o
}

/// Fold a content line at 75 octets (CRLF + space), on char boundaries.
fn fold(line: &str, out: &mut String) {
    let mut len = 0;
    for c in line.chars() {
        if len + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            len = 1;
        }
        out.push(c);
        len += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// vCards of the PoCs of `states`, in the language of `t` (the State's
/// name, and the note saying whose PoC it is, when, in which languages).
pub fn vcf<'a>(t: &Strings, states: impl Iterator<Item = &'a State>) -> Vec<u8> {
    let mut out = String::new();
    for (state, s) in states.map(|s| (s, PublishedState::of(s))) {
        let names = state.forms(t.lang);
        for (i, p) in s.points_of_contact.iter().enumerate() {
            let mut lines = vec!["BEGIN:VCARD".to_string(), "VERSION:3.0".to_string()];
            let fn_ = p
                .person
                .as_ref()
                .map(|x| x.name.clone())
                .unwrap_or_else(|| p.entity.clone());
            lines.push(format!("FN:{}", esc(&fn_)));
            lines.push(format!("N:{};;;;", esc(&fn_)));
            lines.push(format!("ORG:{};{}", esc(&p.entity), esc(s.name(t.lang))));
            if let Some(title) = p.person.as_ref().and_then(|x| x.title.as_ref()) {
                lines.push(format!("TITLE:{}", esc(title)));
            }
            for e in &p.emails {
                let pref = if e.usage == "emergency" { ",PREF" } else { "" };
                lines.push(format!("EMAIL;TYPE=INTERNET,WORK{pref}:{}", esc(&e.value)));
            }
            for ph in &p.phones {
                let kind = match ph.usage.as_str() {
                    "fax" => "WORK,FAX",
                    "emergency" => "WORK,VOICE,PREF",
                    _ => "WORK,VOICE",
                };
                lines.push(format!("TEL;TYPE={kind}:{}", esc(&ph.value)));
            }
            let avail = if p.availability.mode == "24/7" {
                t.get("availability_24_7").to_string()
            } else {
                t.fmt(
                    "availability_business_hours",
                    &[
                        (
                            "days",
                            &t.days(p.availability.days.as_deref().unwrap_or("")),
                        ),
                        ("hours", p.availability.hours.as_deref().unwrap_or("")),
                        ("zone", p.availability.time_zone.as_deref().unwrap_or("")),
                    ],
                )
            };
            let languages: Vec<String> = p
                .languages
                .iter()
                .map(|l| crate::directory::refdata::language_label(l, t.lang))
                .collect();
            lines.push(format!(
                "NOTE:{}",
                esc(&t.fmt_state(
                    &format!("vcard_note_{}", p.kind),
                    &names,
                    &[
                        ("availability", &avail),
                        ("languages", &t.list(&languages)),
                        ("date", &t.day(s.last_verified)),
                    ],
                ))
            ));
            lines.push(format!(
                "CATEGORIES:{},{}",
                esc("PoC directory"),
                esc(s.code.as_str())
            ));
            lines.push(format!("UID:urn:pocdir:{}:{}:{}", s.code, p.kind, i + 1));
            lines.push("END:VCARD".to_string());
            for l in lines {
                fold(&l, &mut out);
            }
        }
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_injection_is_defused_but_phones_are_kept() {
        // OWASP's formula starters are prefixed...
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
        assert_eq!(cell("-2+3+cmd|' /C calc'!A0"), "'-2+3+cmd|' /C calc'!A0");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tx"), "'\tx");
        assert_eq!(cell("\rx"), "'\rx");
        assert_eq!(cell("+A1"), "'+A1");
        assert_eq!(cell("+"), "'+");
        // ...phones in international format and plain numbers are not...
        assert_eq!(cell("+33199001234"), "+33199001234");
        assert_eq!(cell("+33 1 99 00 12 34"), "+33 1 99 00 12 34");
        assert_eq!(cell("+1 (555) 010-0199"), "+1 (555) 010-0199");
        assert_eq!(cell("-12.5"), "-12.5");
        // ...nor is anything else, whatever it holds after its start.
        assert_eq!(cell("voice: +33 1 99 00 12 34"), "voice: +33 1 99 00 12 34");
        assert_eq!(cell("CERT-FR (voice)"), "CERT-FR (voice)");
        assert_eq!(cell("a=b"), "a=b");
    }

    #[test]
    fn vcard_escaping_and_folding() {
        assert_eq!(esc("a,b;c\\d\ne\r"), "a\\,b\\;c\\\\d\\ne");
        let mut out = String::new();
        fold(&"é".repeat(60), &mut out);
        assert!(out.split("\r\n").all(|l| l.len() <= 75), "{out}");
        assert_eq!(out.replace("\r\n ", ""), format!("{}\r\n", "é".repeat(60)));
    }
}
