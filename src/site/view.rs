//! View models: what templates see. Every label is resolved here, in the
//! page's language, so templates stay simple and output deterministic.

use std::collections::BTreeSet;

use serde::Serialize;

use super::markdown;
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
}

#[derive(Serialize)]
pub struct Labelled {
    pub value: String,
    pub display: String,
    pub label: String,
}

/// An address or number with its use ("emergency", "general"...) in the
/// page's language.
fn labelled(t: &Strings, e: &crate::directory::model::Tagged) -> Labelled {
    Labelled {
        value: e.value.clone(),
        display: e.value.clone(),
        label: t.get(&format!("use_{}", e.usage)).to_string(),
    }
}

#[derive(Serialize)]
pub struct KeyView {
    pub kind: String,
    pub value: String,
    pub expires: Option<String>,
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
    pub pocs: Vec<PocView>,
}

/// A language's name in that language.
pub fn autonym(code: &str) -> String {
    isolang::Language::from_639_1(code)
        .and_then(|l| l.to_autonym())
        .map(str::to_string)
        .unwrap_or_else(|| code.to_string())
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

fn days_label(t: &Strings, days: &str) -> String {
    let one = |d: &str| t.get(&format!("day_{d}")).to_string();
    match days.split_once('-') {
        Some((a, b)) => format!("{}–{}", one(a), one(b)),
        None => days
            .split(',')
            .map(one)
            .collect::<Vec<_>>()
            .join(t.get("list_separator")),
    }
}

pub fn poc(t: &Strings, p: &Poc, pages: &BTreeSet<String>) -> PocView {
    let is_247 = p.availability.mode == "24/7";
    // HTML: the translation is escaped, then the placeholders are filled
    // with escaped, direction-isolated values.
    let availability = if is_247 {
        escape(t.get("availability_24_7"))
    } else {
        let mut h = escape(t.get("availability_business_hours"));
        for (k, v) in [
            (
                "days",
                escape(&days_label(t, p.availability.days.as_deref().unwrap_or(""))),
            ),
            ("hours", ltr(p.availability.hours.as_deref().unwrap_or(""))),
            (
                "zone",
                ltr(p.availability.time_zone.as_deref().unwrap_or("")),
            ),
        ] {
            h = h.replace(&format!("{{{k}}}"), &v);
        }
        h
    };
    let sep = t.get("list_separator");
    PocView {
        kind: p.kind,
        kind_label: t.get(&format!("type_{}", p.kind)).to_string(),
        entity: p.entity.clone(),
        person: p.person.clone(),
        emails: p.emails.iter().map(|e| labelled(t, e)).collect(),
        phones: p.phones.iter().map(|e| labelled(t, e)).collect(),
        languages: p
            .languages
            .iter()
            .map(|l| autonym(l))
            .collect::<Vec<_>>()
            .join(sep),
        lang_codes: p.languages.join(" "),
        availability,
        is_247,
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
                expires: k
                    .expires
                    .map(|e| t.fmt("label_expires", &[("date", &t.day(e))])),
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
        networks: s.regional_networks.join(", "),
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
        pocs: s
            .points_of_contact
            .iter()
            .map(|p| poc(t, p, pages))
            .collect(),
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
                label: autonym(l),
                name: autonym(l),
            })
            .collect(),
        networks: nets
            .into_iter()
            .map(|n| Option_ {
                key: n.to_string(),
                code: n.to_string(),
                label: n.to_string(),
                name: refdata::REGIONAL_NETWORKS
                    .iter()
                    .find(|(c, _)| *c == n)
                    .map(|(_, name)| name.to_string())
                    .unwrap_or_default(),
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
        assert_eq!(super::autonym("fr"), "français");
    }
}
