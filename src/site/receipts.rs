//! The Usage receipts page (issue #15): which States confirmed that they
//! opened which version of their bundle, from `receipts::report`'s
//! figures (counts, versions and times only: no account, address or
//! code).

use serde::Serialize;

use crate::directory::model::Directory;
use crate::i18n::Strings;
use crate::receipts::report::Report;

use super::checks::{FigureView, duration};

/// Versions shown on the page, the most recent first.
pub const MAX_VERSION_ROWS: usize = 100;

#[derive(Serialize)]
pub struct StateRow {
    pub code: String,
    pub name: String,
    pub latest: String,
    pub received: String,
    pub holds_current: bool,
}

#[derive(Serialize)]
pub struct VersionRow {
    pub seq: u64,
    pub issued: String,
    pub sent_to: usize,
    pub confirmed: usize,
}

#[derive(Serialize)]
pub struct PageView {
    /// Any version issued (else the page says there is nothing yet).
    pub any: bool,
    pub figures: Vec<FigureView>,
    pub states: Vec<StateRow>,
    pub versions: Vec<VersionRow>,
}

pub fn page(t: &Strings, dir: &Directory, r: &Report) -> PageView {
    let mut figures = Vec::new();
    if let Some(c) = r.current {
        figures.push(FigureView {
            label: t.get("receipts_current").to_string(),
            value: c.to_string(),
        });
        figures.push(FigureView {
            label: t.get("receipts_holding").to_string(),
            value: t.fmt(
                "receipts_of",
                &[
                    ("n", &r.holding_current.to_string()),
                    ("total", &r.states.to_string()),
                ],
            ),
        });
        figures.push(FigureView {
            label: t.get("receipts_median").to_string(),
            value: r
                .median_seconds_to_receipt
                .map_or_else(|| "—".to_string(), |s| duration(t, s as f64)),
        });
    }
    let mut states: Vec<StateRow> = r
        .per_state
        .iter()
        .map(|l| StateRow {
            name: dir
                .states
                .iter()
                .find(|s| s.code.as_str() == l.state)
                .map_or_else(|| l.state.clone(), |s| s.name(t.lang).to_string()),
            code: l.state.clone(),
            latest: l
                .latest_confirmed
                .map_or_else(|| "—".to_string(), |q| q.to_string()),
            received: l
                .received_at
                .as_deref()
                .map_or_else(|| "—".to_string(), |at| t.date(at.get(..10).unwrap_or(at))),
            holds_current: l.holds_current,
        })
        .collect();
    // In the language's order of State names, as on the home page.
    super::order::sort(t.lang, &mut states, |s| s.name.as_str(), |s| s.code.clone());
    // The most recent versions only: the page stays small whatever the
    // log's length (issue #18); the site's versions.jsonl has them all.
    let versions = r
        .per_version
        .iter()
        .rev()
        .take(MAX_VERSION_ROWS)
        .map(|v| VersionRow {
            seq: v.seq,
            issued: t.date(v.issued.get(..10).unwrap_or(&v.issued)),
            sent_to: v.sent_to,
            confirmed: v.confirmed,
        })
        .collect();
    PageView {
        any: r.current.is_some(),
        figures,
        states,
        versions,
    }
}
