//! The figures of a campaign: messages sent, answered, response rate,
//! median and 90th percentile time to answer (nearest rank), bounces and
//! flagged replies — overall, by PoC type and by regional group — the
//! PoCs that did not answer, and the trend across campaigns.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Campaign, Outcome};
use crate::directory::model::{Directory, StateCode};

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Figures {
    /// Messages that went out (bounced ones included).
    pub sent: usize,
    /// Answers from the PoC's own address, or by phone.
    pub responded: usize,
    /// `responded / sent` (0 when nothing was sent).
    pub response_rate: f64,
    /// Median seconds from sending to the answer (the mean of the two
    /// middle values for an even count); none without answers.
    pub median_response_seconds: Option<f64>,
    /// 90th percentile, nearest rank: the value at rank ceil(0.9 n).
    pub p90_response_seconds: Option<i64>,
    pub bounced: usize,
    /// Pings with a reply from a stranger's address and no answer.
    pub flagged: usize,
    /// Still within the window, no answer yet.
    pub pending: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub state: String,
    pub group: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub to: String,
    pub sent: Option<String>,
    #[serde(flatten)]
    pub outcome: Outcome,
    pub answered_at: Option<String>,
    /// Where `answered_at` comes from: `received` (the secretariat's own
    /// server's Received header), `mbox`, `maildir`, `phone`, or `date`
    /// (the sender's Date, in campaigns collected before issue #15).
    pub timed_by: Option<String>,
    pub flagged_from: Vec<String>,
    /// Every flagged reply to this ping: when the secretariat received
    /// it, from whom, why it does not count.
    pub flagged: Vec<FlaggedRow>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FlaggedRow {
    pub at: String,
    pub from: String,
    /// `other-address`, `before-sent`, `unknown-ping`, `unknown-bounce`.
    pub reason: String,
}

fn flagged_rows(list: &[super::Flagged]) -> Vec<FlaggedRow> {
    list.iter()
        .map(|f| FlaggedRow {
            at: crate::util::time::fmt_ts(f.at),
            from: f.from.clone(),
            reason: f
                .reason
                .clone()
                .unwrap_or_else(|| super::collect::reason::OTHER_ADDRESS.into()),
        })
        .collect()
}

#[derive(Clone, Debug, Serialize)]
pub struct TrendPoint {
    pub campaign: String,
    pub started: String,
    pub sent: usize,
    pub responded: usize,
    pub response_rate: f64,
    pub median_response_seconds: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub campaign: String,
    pub name: String,
    /// `routine`, `emergency` or `exercise`: figures and trend are of
    /// this kind only.
    pub kind: String,
    /// The short window of its 24/7 PoCs, in minutes (emergency checks
    /// and exercises).
    pub short_window_minutes: Option<u32>,
    /// An exercise's scenario page.
    pub scenario: Option<String>,
    pub started: String,
    pub respond_within_hours: u32,
    #[serde(flatten)]
    pub figures: Figures,
    pub by_type: BTreeMap<String, Figures>,
    pub by_group: BTreeMap<String, Figures>,
    /// PoCs that failed: no answer in the window, or bounced.
    pub non_responders: Vec<Row>,
    pub rows: Vec<Row>,
    /// Messages that claimed a ping of this campaign but named none (a
    /// guessed Message-ID or token, a forged bounce): never counted.
    pub unknown_pings: Vec<FlaggedRow>,
    /// How many answers were timed by each source (see `Row::timed_by`).
    pub timed_by: BTreeMap<String, usize>,
    /// Every campaign of its kind up to this one, oldest first.
    pub trend: Vec<TrendPoint>,
}

fn figures(rows: impl Iterator<Item = (Outcome, bool)>) -> Figures {
    let mut f = Figures::default();
    let mut times = Vec::new();
    for (o, flagged) in rows {
        if o == Outcome::NotSent {
            continue;
        }
        f.sent += 1;
        match o {
            Outcome::Answered { seconds, .. } => {
                f.responded += 1;
                times.push(seconds);
            }
            Outcome::Bounced => f.bounced += 1,
            Outcome::Pending => f.pending += 1,
            _ => {}
        }
        if flagged && !matches!(o, Outcome::Answered { .. }) {
            f.flagged += 1;
        }
    }
    times.sort_unstable();
    if f.sent > 0 {
        f.response_rate = f.responded as f64 / f.sent as f64;
    }
    let n = times.len();
    if n > 0 {
        f.median_response_seconds = Some(if n % 2 == 1 {
            times[n / 2] as f64
        } else {
            (times[n / 2 - 1] + times[n / 2]) as f64 / 2.0
        });
        let rank = (9 * n).div_ceil(10); // ceil(0.9 n), in integers
        f.p90_response_seconds = Some(times[rank.max(1) - 1]);
    }
    f
}

fn group_of(dir: &Directory, state: StateCode) -> String {
    dir.states
        .iter()
        .find(|s| s.code == state)
        .map(|s| s.group.key().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The report of `c`, as of `now`; `all` gives the trend (campaigns
/// started up to `c`).
pub fn report(dir: &Directory, c: &Campaign, all: &[Campaign], now: jiff::Timestamp) -> Report {
    let fmt = crate::util::time::fmt_ts;
    let rows: Vec<Row> = c
        .pings
        .iter()
        .map(|p| Row {
            state: p.state.to_string(),
            group: group_of(dir, p.state),
            kind: p.kind.to_string(),
            to: p.to.clone(),
            sent: p.sent.map(fmt),
            outcome: p.outcome(c.respond_within_hours, now),
            answered_at: p.response.as_ref().map(|r| fmt(r.at)),
            timed_by: p.response.as_ref().map(|r| {
                r.timed_by
                    .clone()
                    .unwrap_or_else(|| if r.via == "phone" { "phone" } else { "date" }.into())
            }),
            flagged_from: p.flagged.iter().map(|f| f.from.clone()).collect(),
            flagged: flagged_rows(&p.flagged),
        })
        .collect();
    let fig = |filter: &dyn Fn(&Row) -> bool| {
        figures(
            rows.iter()
                .filter(|r| filter(r))
                .map(|r| (r.outcome.clone(), !r.flagged_from.is_empty())),
        )
    };
    let mut by_type = BTreeMap::new();
    let mut by_group = BTreeMap::new();
    for r in &rows {
        by_type
            .entry(r.kind.clone())
            .or_insert_with(|| fig(&|x: &Row| x.kind == r.kind));
        by_group
            .entry(r.group.clone())
            .or_insert_with(|| fig(&|x: &Row| x.group == r.group));
    }
    let mut trend: Vec<TrendPoint> = all
        .iter()
        .filter(|x| x.started <= c.started && x.kind == c.kind)
        .map(|x| {
            let f = figures(x.pings.iter().map(|p| {
                (
                    p.outcome(x.respond_within_hours, now),
                    !p.flagged.is_empty(),
                )
            }));
            TrendPoint {
                campaign: x.id.clone(),
                started: fmt(x.started),
                sent: f.sent,
                responded: f.responded,
                response_rate: f.response_rate,
                median_response_seconds: f.median_response_seconds,
            }
        })
        .collect();
    trend.sort_by(|a, b| a.started.cmp(&b.started));
    let mut timed_by = BTreeMap::new();
    for t in rows.iter().filter_map(|r| r.timed_by.clone()) {
        *timed_by.entry(t).or_insert(0) += 1;
    }
    Report {
        campaign: c.id.clone(),
        name: c.name.clone(),
        kind: c.kind.clone(),
        short_window_minutes: c.pings.iter().filter_map(|p| p.window_minutes).max(),
        scenario: c.scenario.clone(),
        started: fmt(c.started),
        respond_within_hours: c.respond_within_hours,
        figures: fig(&|_| true),
        by_type,
        by_group,
        non_responders: rows
            .iter()
            .filter(|r| r.outcome.failed())
            .cloned()
            .collect(),
        rows,
        unknown_pings: flagged_rows(&c.flagged),
        timed_by,
        trend,
    }
}
