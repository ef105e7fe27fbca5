//! Values of the directory as a reviewer reads them: one line of text per
//! value ("ciber@mrecic.arg.example (general), +5411… (emergency)"), never
//! JSON, every email domain in its Unicode and `xn--` forms.

use crate::directory::model::{Account, Availability, Contact, EncryptionKey, Person, Poc, Tagged};
use crate::util::domain;

/// An email address as a reviewer must see it: a non-ASCII domain also
/// in its `xn--` form.
pub fn email(address: &str) -> String {
    match address.rsplit_once('@') {
        Some((local, d)) => format!("{local}@{}", domain::display(d)),
        None => address.to_string(),
    }
}

/// The domain of an email address, lower-cased.
pub fn email_domain(address: &str) -> String {
    address
        .rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('.').to_lowercase())
        .unwrap_or_default()
}

pub fn tagged_emails(v: &[Tagged]) -> String {
    list(
        v.iter()
            .map(|t| format!("{} ({})", email(&t.value), t.usage)),
    )
}

pub fn tagged_phones(v: &[Tagged]) -> String {
    list(v.iter().map(|t| format!("{} ({})", t.value, t.usage)))
}

pub fn person(p: &Option<Person>) -> String {
    match p {
        None => "none".into(),
        Some(p) => match &p.title {
            Some(t) => format!("{}, {t}", p.name),
            None => p.name.clone(),
        },
    }
}

pub fn availability(a: &Availability) -> String {
    let mut parts = vec![a.mode.clone()];
    parts.extend(a.hours.clone());
    parts.extend(a.days.clone());
    parts.extend(a.time_zone.clone());
    parts.join(" ")
}

pub fn keys(v: &[EncryptionKey]) -> String {
    list(v.iter().map(|k| match k.expires {
        Some(d) => format!("{} {} (expires {d})", k.kind, k.value),
        None => format!("{} {}", k.kind, k.value),
    }))
}

pub fn strings(v: &[String]) -> String {
    list(v.iter().cloned())
}

pub fn optional(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "none".into())
}

fn list(items: impl Iterator<Item = String>) -> String {
    let v: Vec<String> = items.collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

/// Every field of a PoC, by name, as text (the order of the files).
pub fn poc_fields(p: &Poc) -> Vec<(&'static str, String)> {
    vec![
        ("type", p.kind.to_string()),
        ("entity", p.entity.clone()),
        ("person", person(&p.person)),
        ("emails", tagged_emails(&p.emails)),
        ("phones", tagged_phones(&p.phones)),
        ("languages", strings(&p.languages)),
        ("availability", availability(&p.availability)),
        ("functions", strings(&p.functions)),
        ("encryption_keys", keys(&p.encryption_keys)),
        (
            "notes",
            optional(&p.notes.as_deref().map(|n| n.trim_end().to_string())),
        ),
    ]
}

/// A PoC on one line: its contact fields (not its notes).
pub fn poc(p: &Poc) -> String {
    poc_fields(p)
        .into_iter()
        .filter(|(k, v)| *k != "notes" && v != "none")
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Every field of a contact (the Mission, the secretariat), by name.
pub fn contact_fields(c: &Contact) -> Vec<(&'static str, String)> {
    vec![
        ("name", c.name.clone()),
        ("email", email(&c.email)),
        ("phone", optional(&c.phone)),
        ("website", optional(&c.website)),
        ("address", optional(&c.address)),
    ]
}

/// Who receives the directory through an account: its address, name and
/// age recipients.
pub fn account(a: &Account) -> String {
    let name = a
        .name
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    format!(
        "{}{name}, recipients: {}",
        email(&a.email),
        list(a.recipients.iter().cloned())
    )
}

/// An account's verification record.
pub fn verification(a: &Account) -> String {
    format!(
        "{} via {}, {:?}, by {}",
        a.verified, a.channel, a.reference, a.verified_by
    )
}

/// A reference as compared with the history: letters and digits only,
/// lower-cased (so `NV/2026/0387` and `nv 2026 0387` are one reference).
pub fn normalize_reference(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Text that may reach someone: URLs, email addresses and phone-like
/// numbers (7 digits or more) in a note, to tell a reworded note from one
/// that now sends its reader elsewhere.
pub fn contact_tokens(s: &str) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    for word in s.split(|c: char| {
        c.is_whitespace() || matches!(c, '(' | ')' | '<' | '>' | '[' | ']' | '"' | '\'')
    }) {
        let w =
            word.trim_matches(|c: char| matches!(c, '.' | ',' | ';' | ':' | '!' | '?' | '*' | '_'));
        if w.contains("://") || w.contains('@') || w.to_lowercase().starts_with("www.") {
            out.insert(w.to_lowercase());
        }
    }
    // Phone-like runs: digits with spaces, dots, dashes, a leading +.
    let mut run = String::new();
    for c in s.chars().chain(std::iter::once('x')) {
        if c.is_ascii_digit() {
            run.push(c);
        } else if (c == ' ' || c == '-' || c == '.' || c == '+' || c == '/') && !run.is_empty() {
        } else {
            if run.len() >= 7 {
                out.insert(run.clone());
            }
            run.clear();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_contact_tokens() {
        let t =
            contact_tokens("Call +33 1 99 00 12 34 or see https://x.example/p, mail a@b.example.");
        assert!(t.contains("33199001234"), "{t:?}");
        assert!(t.contains("https://x.example/p"), "{t:?}");
        assert!(t.contains("a@b.example"), "{t:?}");
        assert!(contact_tokens("the duty officer answers in French").is_empty());
        assert!(contact_tokens("open 2026 to 2027").is_empty());
    }

    #[test]
    fn references_compare_by_letters_and_digits() {
        assert_eq!(
            normalize_reference("Note verbale NV/2026/0387"),
            "noteverbalenv20260387"
        );
        assert_eq!(normalize_reference(" nv-2026 0387 "), "nv20260387");
    }
}
