//! The home page of a language: every State on one line — name, code,
//! regional group, the types of PoC it has, 24/7 if any PoC is, the
//! languages spoken, the stale badge — in the language's order, with an
//! index of initial letters. The details are on each State's page: at 193
//! States x 4 PoCs the page stays small (issue 14: under 300 KB; issue 19:
//! at most 3,000 elements), and search and filters work on the State's
//! data attributes.

use std::collections::BTreeSet;

use serde::Serialize;

use super::order::{self, Initial};
use super::view::language_label;
use crate::directory::model::{Directory, PocType, StateCode};
use crate::export::PublishedState;
use crate::i18n::Strings;

/// One State's line of the home page.
#[derive(Serialize)]
pub struct HomeState {
    pub code: StateCode,
    pub name: String,
    pub group: &'static str,
    pub group_label: String,
    /// Regional networks' codes, space-separated (the network filter).
    pub networks_attr: String,
    /// The types of PoC present, labelled, in the language.
    pub types: String,
    /// Whether a PoC answers 24/7.
    pub h24: bool,
    /// Languages spoken by its PoCs, by their own names.
    pub languages: String,
    pub stale: bool,
    pub stale_explain: String,
    /// Each PoC as `type:lang,lang:0|1` (24/7), space-separated: the
    /// filters on type, language and 24/7 must hold for one same PoC.
    pub pocs_attr: String,
    /// What search looks in: names in every language, codes, entities,
    /// contact persons, email addresses (a sealed site: names and codes
    /// only, the rest in `contacts`).
    pub search: String,
    /// A sealed site's search terms that are contact data (entities,
    /// persons, emails): rendered in a sealed region only.
    pub contacts: String,
}

/// The home page's view.
#[derive(Serialize)]
pub struct Home {
    pub states: Vec<HomeState>,
    /// The index: a link per initial letter to the first State under it.
    pub initials: Vec<Initial<StateCode>>,
}

fn state(t: &Strings, dir: &Directory, s: &PublishedState, sealed: bool) -> HomeState {
    let pocs = s.points_of_contact;
    let kinds: BTreeSet<PocType> = pocs.iter().map(|p| p.kind).collect();
    let mut langs: Vec<&str> = Vec::new();
    for l in pocs.iter().flat_map(|p| p.languages.iter()) {
        if !langs.contains(&l.as_str()) {
            langs.push(l);
        }
    }
    let sep = t.get("list_separator");
    let mut search: BTreeSet<&str> = s.names.values().map(String::as_str).collect();
    search.insert(s.code.as_str());
    search.insert(s.alpha2);
    let mut contacts: BTreeSet<&str> = BTreeSet::new();
    for p in pocs {
        contacts.insert(&p.entity);
        if let Some(person) = &p.person {
            contacts.insert(&person.name);
        }
        for e in &p.emails {
            contacts.insert(&e.value);
        }
    }
    if !sealed {
        search.append(&mut contacts);
    }
    HomeState {
        code: s.code,
        name: s.name(t.lang).to_string(),
        group: s.group.key(),
        group_label: t.get(&format!("group_{}", s.group.key())).to_string(),
        networks_attr: s.regional_networks.join(" "),
        types: kinds
            .iter()
            .map(|k| t.get(&format!("type_{k}")))
            .collect::<Vec<_>>()
            .join(sep),
        h24: pocs.iter().any(|p| p.availability.mode == "24/7"),
        languages: langs
            .iter()
            .map(|l| language_label(l, t.lang))
            .collect::<Vec<_>>()
            .join(sep),
        stale: s.is_stale(),
        stale_explain: t.fmt(
            "stale_explain",
            &[("days", &dir.settings.reverify_within_days.to_string())],
        ),
        pocs_attr: pocs
            .iter()
            .map(|p| {
                format!(
                    "{}:{}:{}",
                    p.kind,
                    p.languages.join(","),
                    u8::from(p.availability.mode == "24/7")
                )
            })
            .collect::<Vec<_>>()
            .join(" "),
        search: search.into_iter().collect::<Vec<_>>().join(" "),
        contacts: contacts.into_iter().collect::<Vec<_>>().join(" "),
    }
}

/// The home page of `t`'s language: its States in the language's order
/// and their index.
pub fn home(t: &Strings, dir: &Directory) -> Home {
    let sealed = dir.settings.sealed;
    let mut states: Vec<HomeState> = dir
        .states
        .iter()
        .map(|s| state(t, dir, &PublishedState::of(s), sealed))
        .collect();
    order::sort(t.lang, &mut states, |s| &s.name, |s| s.code);
    let initials = order::index(t.lang, &states, |s| &s.name, |s| s.code);
    Home { states, initials }
}
