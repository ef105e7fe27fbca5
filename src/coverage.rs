//! Participation (`pocdir coverage` and the site's participation page):
//! of the 193 Member States and 2 observer States of the reference data,
//! which have nominated PoCs (an entry, with its PoC types), which have a
//! nomination in progress (`content/nominations.yaml`), and which never
//! answered; and the same counts per regional group. Entries of synthetic
//! (demo) States are not UN States and are not counted.

use serde::Serialize;

use crate::directory::model::Directory;
use crate::directory::refdata::{self, Group};

/// One State and where it stands.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct StateRow {
    pub state: String,
    /// English name.
    pub name: String,
    pub group: Group,
    pub member: bool,
    /// PoC types of the entry (`diplomatic`, `technical`), sorted; empty
    /// unless nominated.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub poc_types: Vec<String>,
    /// For a pending nomination: the day it was announced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// For a pending nomination: where it stands.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// Counts for one regional group (or for all).
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub states: usize,
    pub nominated: usize,
    /// Nominated with both a diplomatic and a technical PoC.
    pub both_types: usize,
    pub pending: usize,
    pub never_answered: usize,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct GroupCounts {
    pub group: Group,
    #[serde(flatten)]
    pub counts: Counts,
}

/// The participation figures of a directory.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Coverage {
    pub as_of: String,
    pub total: Counts,
    pub groups: Vec<GroupCounts>,
    pub nominated: Vec<StateRow>,
    pub pending: Vec<StateRow>,
    pub never_answered: Vec<StateRow>,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.states += o.states;
        self.nominated += o.nominated;
        self.both_types += o.both_types;
        self.pending += o.pending;
        self.never_answered += o.never_answered;
    }

    /// Share of nominated States, in whole percent (rounded down).
    pub fn percent_nominated(&self) -> usize {
        (self.nominated * 100).checked_div(self.states).unwrap_or(0)
    }
}

/// Where each UN Member and observer State stands in `dir`.
pub fn coverage(dir: &Directory) -> Coverage {
    let mut groups: Vec<GroupCounts> = Group::ALL
        .iter()
        .map(|g| GroupCounts {
            group: *g,
            counts: Counts::default(),
        })
        .collect();
    let (mut nominated, mut pending, mut never_answered) = (Vec::new(), Vec::new(), Vec::new());
    for info in refdata::un_states() {
        let mut row = StateRow {
            state: info.alpha3.clone(),
            name: info.name("en").to_string(),
            group: info.group,
            member: info.member,
            poc_types: Vec::new(),
            since: None,
            status: None,
        };
        let mut c = Counts {
            states: 1,
            ..Counts::default()
        };
        if let Some(s) = dir.states.iter().find(|s| s.code.as_str() == info.alpha3) {
            let mut types: Vec<String> = s
                .points_of_contact
                .iter()
                .map(|p| p.kind.as_str().to_string())
                .collect();
            types.sort();
            types.dedup();
            c.nominated = 1;
            c.both_types = usize::from(types.len() >= 2);
            row.poc_types = types;
            nominated.push(row);
        } else if let Some(n) = dir.nominations.iter().find(|n| n.state == info.alpha3) {
            c.pending = 1;
            row.since = Some(n.date.to_string());
            row.status = Some(n.status.clone());
            pending.push(row);
        } else {
            c.never_answered = 1;
            never_answered.push(row);
        }
        if let Some(g) = groups.iter_mut().find(|g| g.group == info.group) {
            g.counts.add(&c);
        }
    }
    let mut total = Counts::default();
    for g in &groups {
        total.add(&g.counts);
    }
    Coverage {
        as_of: dir.as_of.to_string(),
        total,
        groups,
        nominated,
        pending,
        never_answered,
    }
}

/// A row of the participation page's table.
#[derive(Clone, Debug, Serialize)]
pub struct PageRow {
    pub label: String,
    #[serde(flatten)]
    pub counts: Counts,
}

/// A State named on the participation page.
#[derive(Clone, Debug, Serialize)]
pub struct PageState {
    pub code: String,
    pub name: String,
    pub since: Option<String>,
}

/// The participation page in one language: the figures, and the names of
/// the States without an entry only when `site.list_non_participants`.
#[derive(Clone, Debug, Serialize)]
pub struct Page {
    pub intro: String,
    pub as_of: String,
    pub groups: Vec<PageRow>,
    pub total: PageRow,
    pub list_names: bool,
    pub pending: Vec<PageState>,
    pub never_answered: Vec<PageState>,
}

/// [`Page`] for `t`'s language.
pub fn page(t: &crate::i18n::Strings, dir: &Directory) -> Page {
    let c = coverage(dir);
    let collation = crate::site::order::Collation::new(t.lang);
    let names = |rows: &[StateRow], with_since: bool| -> Vec<PageState> {
        let mut out: Vec<PageState> = rows
            .iter()
            .map(|r| PageState {
                code: r.state.clone(),
                name: refdata::un_state(&r.state)
                    .map_or(r.name.clone(), |i| i.name(t.lang).to_string()),
                since: r.since.as_deref().filter(|_| with_since).map(|d| t.date(d)),
            })
            .collect();
        out.sort_by(|a, b| collation.compare(&a.name, &b.name));
        out
    };
    let list_names = dir.settings.list_non_participants;
    Page {
        intro: t.fmt(
            "participation_intro",
            &[
                ("total", &c.total.states.to_string()),
                ("nominated", &c.total.nominated.to_string()),
                ("percent", &c.total.percent_nominated().to_string()),
                ("pending", &c.total.pending.to_string()),
                ("never", &c.total.never_answered.to_string()),
            ],
        ),
        as_of: t.fmt("participation_as_of", &[("date", &t.day(dir.as_of))]),
        groups: c
            .groups
            .iter()
            .map(|g| PageRow {
                label: t.get(&format!("group_{}", g.group.key())).to_string(),
                counts: g.counts,
            })
            .collect(),
        total: PageRow {
            label: t.get("participation_total").to_string(),
            counts: c.total,
        },
        list_names,
        pending: if list_names {
            names(&c.pending, true)
        } else {
            Vec::new()
        },
        never_answered: if list_names {
            names(&c.never_answered, false)
        } else {
            Vec::new()
        },
    }
}
