//! Exports of the directory, shared by the site and the bundles:
//! JSON (the whole model), CSV (one row per PoC) and vCard 3.0 (one card
//! per PoC, importable by phones and mail clients).

use crate::directory::model::{Directory, State};

/// Format tag of `directory.json`.
pub const JSON_FORMAT: &str = "pocdir-directory/1";

pub fn json(dir: &Directory) -> Vec<u8> {
    #[derive(serde::Serialize)]
    struct Out<'a> {
        format: &'static str,
        #[serde(flatten)]
        dir: &'a Directory,
    }
    let mut v = serde_json::to_vec_pretty(&Out {
        format: JSON_FORMAT,
        dir,
    })
    .unwrap_or_default();
    v.push(b'\n');
    v
}

/// The directory version's content, without anything that depends on the
/// day it is built (staleness, `as_of`): its SHA-256 is the version's root
/// hash, and it is the `directory.json` of every bundle.
pub fn canonical(dir: &Directory) -> Vec<u8> {
    let mut v = serde_json::to_value(dir).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.remove("as_of");
        o.insert("format".into(), JSON_FORMAT.into());
        if let Some(states) = o.get_mut("states").and_then(|s| s.as_array_mut()) {
            for s in states {
                if let Some(so) = s.as_object_mut() {
                    so.remove("stale");
                }
            }
        }
    }
    // serde_json's maps are sorted: the text is canonical.
    let mut out = serde_json::to_vec_pretty(&v).unwrap_or_default();
    out.push(b'\n');
    out
}

/// A spreadsheet cell that a spreadsheet program would run as a formula
/// is prefixed with `'` (CSV injection); phone numbers (`+` then digits)
/// are left alone.
pub fn cell(s: &str) -> String {
    let risky = match s.chars().next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !s[1..].chars().all(|c| c.is_ascii_digit() || c == ' '),
        _ => false,
    };
    if risky {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

pub fn csv(dir: &Directory) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "state",
        "state_name",
        "regional_group",
        "type",
        "entity",
        "person",
        "person_title",
        "emails",
        "phones",
        "languages",
        "availability",
        "hours",
        "days",
        "time_zone",
        "functions",
        "regional_networks",
        "last_verified",
        "stale",
    ];
    let _ = w.write_record(header);
    for s in &dir.states {
        for p in &s.points_of_contact {
            let tagged = |v: &[crate::directory::model::Tagged]| {
                v.iter()
                    .map(|t| format!("{} ({})", t.value, t.usage))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let row = [
                s.code.to_string(),
                s.name("en").to_string(),
                s.group.key().to_string(),
                p.kind.to_string(),
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
                p.languages.join(" "),
                p.availability.mode.clone(),
                p.availability.hours.clone().unwrap_or_default(),
                p.availability.days.clone().unwrap_or_default(),
                p.availability.time_zone.clone().unwrap_or_default(),
                p.functions.join(" "),
                s.regional_networks.join(" "),
                s.last_verified.to_string(),
                s.stale.to_string(),
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

/// vCards of the PoCs of `states`.
pub fn vcf<'a>(dir: &Directory, states: impl Iterator<Item = &'a State>) -> Vec<u8> {
    let mut out = String::new();
    for s in states {
        for (i, p) in s.points_of_contact.iter().enumerate() {
            let mut lines = vec!["BEGIN:VCARD".to_string(), "VERSION:3.0".to_string()];
            let fn_ = p
                .person
                .as_ref()
                .map(|x| x.name.clone())
                .unwrap_or_else(|| p.entity.clone());
            lines.push(format!("FN:{}", esc(&fn_)));
            lines.push(format!("N:{};;;;", esc(&fn_)));
            lines.push(format!("ORG:{};{}", esc(&p.entity), esc(s.name("en"))));
            if let Some(t) = p.person.as_ref().and_then(|x| x.title.as_ref()) {
                lines.push(format!("TITLE:{}", esc(t)));
            }
            for e in &p.emails {
                let pref = if e.usage == "emergency" { ",PREF" } else { "" };
                lines.push(format!("EMAIL;TYPE=INTERNET,WORK{pref}:{}", esc(&e.value)));
            }
            for t in &p.phones {
                let kind = match t.usage.as_str() {
                    "fax" => "WORK,FAX",
                    "emergency" => "WORK,VOICE,PREF",
                    _ => "WORK,VOICE",
                };
                lines.push(format!("TEL;TYPE={kind}:{}", esc(&t.value)));
            }
            let avail = if p.availability.mode == "24/7" {
                "24/7".to_string()
            } else {
                format!(
                    "{} {} {}",
                    p.availability.days.as_deref().unwrap_or(""),
                    p.availability.hours.as_deref().unwrap_or(""),
                    p.availability.time_zone.as_deref().unwrap_or("")
                )
            };
            lines.push(format!(
                "NOTE:{}",
                esc(&format!(
                    "{} ({}) - {} point of contact. Availability: {}. Languages: {}. Last verified {}. From: {}",
                    s.name("en"),
                    s.code,
                    p.kind,
                    avail,
                    p.languages.join(", "),
                    s.last_verified,
                    dir.settings.title
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
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("+33199001234"), "+33199001234");
        assert_eq!(cell("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
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
