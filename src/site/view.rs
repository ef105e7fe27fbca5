//! View models: what templates see. Every label is resolved here, in the
//! page's language, so templates stay simple and output deterministic.

use std::collections::BTreeSet;

use serde::Serialize;

use super::markdown;
use super::now;
use crate::directory::model::{Directory, Poc, PocType, StateCode};
use crate::directory::refdata;
use crate::export::PublishedState;
use crate::i18n::Strings;

#[derive(Serialize)]
pub struct Lang {
    pub code: String,
    pub name: String,
    pub dir: &'static str,
    pub choose: String,
    /// The site's name in this language (the root page lists all).
    pub site_name: String,
    /// What separates the name, the language and the invitation.
    pub separator: String,
}

#[derive(Serialize)]
pub struct Labelled {
    /// What a link points to: the address, or the number in E.164.
    pub value: String,
    /// What is read: the number grouped, or the address (plain text).
    pub display: String,
    /// `display` as escaped HTML that wraps only at sensible points (an
    /// email address after `@` and before a dot, never inside a word).
    pub html: String,
    pub label: String,
    /// Its use is `emergency`.
    pub emergency: bool,
}

/// An email address with its use ("emergency", "general"...) in the
/// page's language.
fn email(t: &Strings, e: &crate::directory::model::Tagged) -> Labelled {
    Labelled {
        value: e.value.clone(),
        display: e.value.clone(),
        html: email_html(&e.value),
        label: t.get(&format!("use_{}", e.usage)).to_string(),
        emergency: e.usage == "emergency",
    }
}

/// A phone number with its use, grouped for reading (`tel:` keeps E.164).
fn phone(t: &Strings, e: &crate::directory::model::Tagged) -> Labelled {
    let p = crate::util::phone::phone(&e.value);
    Labelled {
        html: escape(&p.display),
        value: p.tel,
        display: p.display,
        label: t.get(&format!("use_{}", e.usage)).to_string(),
        emergency: e.usage == "emergency",
    }
}

/// An email address as HTML that a narrow screen may wrap only after the
/// `@` and before a dot of the domain: each part is a `nowrap` span (so
/// `cyber-diplo` never breaks at its hyphen) with `<wbr>` between parts.
/// The text (and so what is copied) is the address unchanged.
pub fn email_html(address: &str) -> String {
    let part = |s: &str| format!("<span class=\"nw\">{}</span>", escape(s));
    match address.rsplit_once('@') {
        Some((local, domain)) => {
            let labels: Vec<String> = domain.split('.').map(part).collect();
            format!("{}@<wbr>{}", part(local), labels.join("<wbr>."))
        }
        None => part(address),
    }
}

/// A key's value as HTML: a fingerprint's groups (`8E1A 4C2B ...`) in
/// unbreakable runs of at most five, balanced (ten groups: two runs of
/// five), so a wrapped line never holds a group alone; any other value as
/// it is.
fn key_html(value: &str) -> String {
    let groups: Vec<&str> = value.split_whitespace().collect();
    if groups.len() < 2 || groups.iter().any(|g| g.chars().count() > 8) {
        return escape(value);
    }
    let lines = groups.len().div_ceil(5);
    let per_line = groups.len().div_ceil(lines);
    groups
        .chunks(per_line)
        .map(|c| format!("<span class=\"nw\">{}</span>", escape(&c.join(" "))))
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Serialize)]
pub struct KeyView {
    pub kind: String,
    pub value: String,
    /// `value` as escaped HTML, fingerprint groups kept together.
    pub html: String,
    pub expires: Option<String>,
    /// The armored OpenPGP public key, and its file on the site.
    pub public_key: Option<String>,
    pub asc: Option<String>,
}

/// What `now.js` needs to show a PoC's local time and whether it is within
/// its hours (the `data-` attributes of its `.now` line).
#[derive(Serialize)]
pub struct NowView {
    /// IANA zone.
    pub zone: String,
    /// `HH:MM-HH:MM`, empty for 24/7.
    pub hours: String,
    /// `mon,tue,...` (ranges written out), empty for 24/7.
    pub days: String,
}

#[derive(Serialize)]
pub struct PocView {
    pub kind: PocType,
    pub kind_label: String,
    pub entity: String,
    pub person: Option<crate::directory::model::Person>,
    pub emails: Vec<Labelled>,
    pub phones: Vec<Labelled>,
    pub languages: String,
    pub lang_codes: String,
    pub availability: String,
    pub is_247: bool,
    /// One of its addresses or numbers is for emergencies.
    pub emergency: bool,
    /// For the reader's browser; `None` without a time zone.
    pub now: Option<NowView>,
    /// The zone and its UTC offset on the as-of day, with the
    /// daylight-saving note (escaped HTML): the fallback without script.
    pub zone_html: Option<String>,
    pub functions: String,
    pub keys: Vec<KeyView>,
    pub notes_html: Option<String>,
}

#[derive(Serialize)]
pub struct StateView {
    pub code: StateCode,
    pub name: String,
    pub member: bool,
    pub group: &'static str,
    pub group_label: String,
    pub networks: String,
    pub networks_attr: String,
    pub stale: bool,
    pub stale_explain: String,
    pub last_verified: String,
    pub last_updated: String,
    /// Names in every language and codes, for the search box.
    pub search: String,
    pub mission: crate::directory::model::Contact,
    /// The Mission's phone, grouped for reading.
    pub mission_phone: Option<Labelled>,
    /// The Mission's email as HTML that wraps at sensible points.
    pub mission_email_html: String,
    /// 24/7 and emergency PoCs first, the directory's order otherwise.
    pub pocs: Vec<PocView>,
}

/// A language's name in the page's language (CLDR with UN usage:
/// "anglais" on a French page, "الإنكليزية" on an Arabic one).
pub fn language_label(code: &str, ui: &str) -> String {
    refdata::language_label(code, ui)
}

/// A regional network in the page's language: its acronym, and its name
/// with the acronym (`network_label`) when they differ.
pub fn network_labels(t: &Strings, code: &str) -> (String, String) {
    match refdata::network_label(code, t.lang) {
        Some((acronym, name)) if acronym != name => (
            acronym.to_string(),
            t.fmt("network_label", &[("name", name), ("acronym", acronym)]),
        ),
        Some((acronym, _)) => (acronym.to_string(), acronym.to_string()),
        None => (code.to_string(), code.to_string()),
    }
}

/// Escape text for HTML (element content and quoted attributes).
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Text that must read left to right inside any paragraph (times, zones,
/// codes), as escaped HTML.
fn ltr(s: &str) -> String {
    format!("<span dir=\"ltr\">{}</span>", escape(s))
}

/// A zone, its UTC offset on `day` and, when it observes daylight saving
/// time, the other offset: `Europe/Paris, UTC+01:00; UTC+02:00 in summer`,
/// as escaped HTML (values isolated left to right).
fn zone_html(t: &Strings, zone: &str, day: jiff::civil::Date) -> String {
    let mut h = ltr(zone);
    if let Some(o) = now::offsets(zone, day) {
        let offset = ltr(&now::offset_label(o.on_day));
        let text = match o.other {
            Some(other) => {
                let (key, name) = if o.other_is_summer() {
                    ("now_offset_summer", "summer")
                } else {
                    ("now_offset_winter", "winter")
                };
                escape(t.get(key))
                    .replace("{offset}", &offset)
                    .replace(&format!("{{{name}}}"), &ltr(&now::offset_label(other)))
            }
            None => offset,
        };
        h.push_str(&escape(t.get("list_separator")));
        h.push_str(&text);
    }
    h
}

/// A PoC's view; offsets are those of `as_of` (the build's day).
pub fn poc(t: &Strings, p: &Poc, pages: &BTreeSet<String>, as_of: jiff::civil::Date) -> PocView {
    let is_247 = p.availability.mode == "24/7";
    let zone = p.availability.time_zone.as_deref();
    let zone_html = zone.map(|z| zone_html(t, z, as_of));
    // HTML: the translation is escaped, then the placeholders are filled
    // with escaped, direction-isolated values.
    let availability = if is_247 {
        escape(t.get("availability_24_7"))
    } else {
        let mut h = escape(t.get("availability_business_hours"));
        for (k, v) in [
            (
                "days",
                escape(&t.days(p.availability.days.as_deref().unwrap_or(""))),
            ),
            ("hours", ltr(p.availability.hours.as_deref().unwrap_or(""))),
            ("zone", zone_html.clone().unwrap_or_default()),
        ] {
            h = h.replace(&format!("{{{k}}}"), &v);
        }
        h
    };
    let now = zone.map(|z| NowView {
        zone: z.to_string(),
        hours: if is_247 {
            String::new()
        } else {
            p.availability.hours.clone().unwrap_or_default()
        },
        days: if is_247 {
            String::new()
        } else {
            p.availability
                .days
                .as_deref()
                .and_then(now::days)
                .map(now::days_list)
                .unwrap_or_default()
        },
    });
    // Emergency channels first, the directory's order otherwise.
    let mut emails: Vec<Labelled> = p.emails.iter().map(|e| email(t, e)).collect();
    emails.sort_by_key(|e| !e.emergency);
    let mut phones: Vec<Labelled> = p.phones.iter().map(|e| phone(t, e)).collect();
    phones.sort_by_key(|e| !e.emergency);
    let emergency = emails.iter().chain(&phones).any(|e| e.emergency);
    let sep = t.get("list_separator");
    PocView {
        kind: p.kind,
        kind_label: t.get(&format!("type_{}", p.kind)).to_string(),
        entity: p.entity.clone(),
        person: p.person.clone(),
        emails,
        phones,
        languages: p
            .languages
            .iter()
            .map(|l| language_label(l, t.lang))
            .collect::<Vec<_>>()
            .join(sep),
        lang_codes: p.languages.join(" "),
        availability,
        is_247,
        emergency,
        now,
        zone_html: if is_247 { zone_html } else { None },
        functions: p
            .functions
            .iter()
            .map(|f| t.get(&format!("func_{f}")).to_string())
            .collect::<Vec<_>>()
            .join(sep),
        keys: p
            .encryption_keys
            .iter()
            .map(|k| KeyView {
                kind: k.kind.clone(),
                value: k.value.clone(),
                html: key_html(&k.value),
                expires: k
                    .expires
                    .map(|e| t.fmt("label_expires", &[("date", &t.day(e))])),
                public_key: k.public_key.clone(),
                asc: k
                    .public_key
                    .as_ref()
                    .map(|_| crate::export::openpgp_key_path(&k.value)),
            })
            .collect(),
        notes_html: p
            .notes
            .as_ref()
            .map(|n| markdown::to_html(n, pages, "../pages/")),
    }
}

/// A State's view, from its published view only: what the site and the
/// offline page show of a State cannot reach the secretariat's records.
pub fn state(
    t: &Strings,
    dir: &Directory,
    s: &PublishedState,
    pages: &BTreeSet<String>,
) -> StateView {
    let mut search: BTreeSet<&str> = s.names.values().map(String::as_str).collect();
    search.insert(s.code.as_str());
    search.insert(s.alpha2);
    StateView {
        code: s.code,
        name: s.name(t.lang).to_string(),
        member: s.member,
        group: s.group.key(),
        group_label: t.get(&format!("group_{}", s.group.key())).to_string(),
        networks: t.list(
            &s.regional_networks
                .iter()
                .map(|n| network_labels(t, n).0)
                .collect::<Vec<_>>(),
        ),
        networks_attr: s.regional_networks.join(" "),
        stale: s.is_stale(),
        stale_explain: t.fmt(
            "stale_explain",
            &[("days", &dir.settings.reverify_within_days.to_string())],
        ),
        last_verified: t.fmt("state_last_verified", &[("date", &t.day(s.last_verified))]),
        last_updated: t.fmt("state_last_updated", &[("date", &t.day(s.last_updated))]),
        search: search.into_iter().collect::<Vec<_>>().join(" "),
        mission: s.mission.clone(),
        mission_phone: s.mission.phone.as_ref().map(|n| {
            phone(
                t,
                &crate::directory::model::Tagged {
                    value: n.clone(),
                    usage: "voice".into(),
                },
            )
        }),
        mission_email_html: email_html(&s.mission.email),
        pocs: {
            let mut pocs: Vec<PocView> = s
                .points_of_contact
                .iter()
                .map(|p| poc(t, p, pages, dir.as_of))
                .collect();
            // Who can be reached now first: 24/7, then any with an
            // emergency channel; stable, so the directory's order otherwise.
            pocs.sort_by_key(|p| (!p.is_247, !p.emergency));
            pocs
        },
    }
}

#[derive(Serialize)]
pub struct Option_ {
    pub key: String,
    pub code: String,
    pub label: String,
    pub name: String,
}

#[derive(Serialize)]
pub struct Filters {
    pub groups: Vec<Option_>,
    pub languages: Vec<Option_>,
    pub networks: Vec<Option_>,
}

pub fn filters(t: &Strings, dir: &Directory) -> Filters {
    let groups: BTreeSet<refdata::Group> = dir.states.iter().map(|s| s.group).collect();
    let langs: BTreeSet<&str> = dir
        .states
        .iter()
        .flat_map(|s| {
            s.points_of_contact
                .iter()
                .flat_map(|p| p.languages.iter().map(String::as_str))
        })
        .collect();
    let nets: BTreeSet<&str> = dir
        .states
        .iter()
        .flat_map(|s| s.regional_networks.iter().map(String::as_str))
        .collect();
    Filters {
        groups: groups
            .into_iter()
            .map(|g| Option_ {
                key: g.key().to_string(),
                code: g.key().to_string(),
                label: t.get(&format!("group_{}", g.key())).to_string(),
                name: String::new(),
            })
            .collect(),
        languages: langs
            .into_iter()
            .map(|l| Option_ {
                key: l.to_string(),
                code: l.to_string(),
                label: language_label(l, t.lang),
                name: language_label(l, t.lang),
            })
            .collect(),
        networks: nets
            .into_iter()
            .map(|n| {
                let (acronym, label) = network_labels(t, n);
                Option_ {
                    key: n.to_string(),
                    code: acronym,
                    label: label.clone(),
                    name: label,
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn escaping_and_names() {
        assert_eq!(
            super::escape("<a href=\"x\">'&"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;"
        );
        assert_eq!(super::language_label("fr", "fr"), "français");
        assert_eq!(super::language_label("en", "fr"), "anglais");
        assert_eq!(super::language_label("en", "ar"), "الإنكليزية");
    }

    #[test]
    fn emails_wrap_only_after_the_at_sign_and_before_dots() {
        assert_eq!(
            super::email_html("cyber-diplo@diplomatie.fra.example"),
            "<span class=\"nw\">cyber-diplo</span>@<wbr><span class=\"nw\">diplomatie</span>\
             <wbr>.<span class=\"nw\">fra</span><wbr>.<span class=\"nw\">example</span>"
        );
        assert_eq!(
            super::email_html("a<b@x"),
            "<span class=\"nw\">a&lt;b</span>@<wbr><span class=\"nw\">x</span>"
        );
    }

    #[test]
    fn fingerprints_never_leave_a_group_alone() {
        assert_eq!(
            super::key_html("8E1A 4C2B 7D3F 9A05 6B12 C4E8 0F7A 3D91 5E26 B8C0"),
            "<span class=\"nw\">8E1A 4C2B 7D3F 9A05 6B12</span> \
             <span class=\"nw\">C4E8 0F7A 3D91 5E26 B8C0</span>"
        );
        assert_eq!(
            super::key_html("AB12 CD34 EF56"),
            "<span class=\"nw\">AB12 CD34 EF56</span>"
        );
        assert_eq!(
            super::key_html("A1 A2 A3 A4 A5 A6 A7 A8 A9 B1 B2"),
            "<span class=\"nw\">A1 A2 A3 A4</span> <span class=\"nw\">A5 A6 A7 A8</span> \
             <span class=\"nw\">A9 B1 B2</span>"
        );
        assert_eq!(
            super::key_html("age1qyqszqgpqyqszqgp"),
            "age1qyqszqgpqyqszqgp"
        );
    }
}
