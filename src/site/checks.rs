//! The "Communication checks" page (the latest campaign of each kind —
//! routine, emergency, exercise — with its figures and bar charts: each
//! chart a table, its figures text and each row's bar a static SVG, with
//! no script and no inline style, so the page works under the site's CSP,
//! with JavaScript off, in a screen reader, zoomed, on a phone and in
//! forced colours) and the last check shown on each State page. Only figures and outcomes: the tokens never reach the site.

use serde::Serialize;

use super::view::escape;

use crate::directory::model::{Directory, State};
use crate::i18n::Strings;
use crate::ping::Outcome;
use crate::ping::report::{Figures, Report, report};

/// One bar: a label, a rate between 0 and 1, and the text beside it.
pub struct Bar {
    pub label: String,
    pub rate: f64,
    pub value: String,
}

/// One bar of a chart, drawn in its table row beside the figure it
/// shows: a decorative SVG (hidden from assistive technology: the row's
/// text says it all) stretched to the cell, its length the rate. The
/// colours come from the style sheet (system colours in forced-colours
/// mode); `rtl` makes the bar grow from the right, as Arabic reads.
pub fn bar_svg(rate: f64, rtl: bool) -> String {
    let len = (rate.clamp(0.0, 1.0) * 100.0 * 10.0).round() / 10.0;
    let x = if rtl { 100.0 - len } else { 0.0 };
    format!(
        "<svg class=\"chart-svg\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 100 20\" \
         preserveAspectRatio=\"none\" aria-hidden=\"true\" focusable=\"false\">\
         <rect class=\"chart-track\" x=\"0\" y=\"0\" width=\"100\" height=\"20\"/>\
         <rect class=\"chart-bar\" x=\"{x}\" y=\"0\" width=\"{len}\" height=\"20\"/></svg>"
    )
}

/// `key` as escaped HTML with its placeholders filled: `args` escaped,
/// then `free` (text someone wrote: a campaign's name) escaped and
/// isolated in `<bdi>`, so an English name keeps its punctuation in an
/// Arabic sentence and the reverse. `free` is filled last: a name that
/// reads `{date}` stays text.
fn fmt_html(t: &Strings, key: &str, args: &[(&str, &str)], free: (&str, &str)) -> String {
    let mut h = escape(t.get(key));
    for (k, v) in args {
        h = h.replace(&format!("{{{k}}}"), &escape(v));
    }
    h.replace(
        &format!("{{{}}}", free.0),
        &format!("<bdi>{}</bdi>", escape(free.1)),
    )
}

/// A duration in seconds, in whole minutes, in the language
/// ("3 h 57 min", "3 ساعات و5 دقائق").
pub fn duration(t: &Strings, secs: f64) -> String {
    t.duration(secs.max(0.0).round() as u64 / 60)
}

fn percent(t: &Strings, rate: f64) -> String {
    t.percent((rate * 100.0).round().max(0.0) as u64)
}

/// "67% (4/6)" in the language.
fn rate_counts(t: &Strings, rate: f64, answered: usize, sent: usize) -> String {
    t.fmt(
        "rate_counts",
        &[
            ("rate", &percent(t, rate)),
            ("answered", &answered.to_string()),
            ("sent", &sent.to_string()),
        ],
    )
}

#[derive(Serialize)]
pub struct FigureView {
    pub label: String,
    pub value: String,
}

/// One row of a chart's table: the label, the figure, and its bar.
#[derive(Serialize)]
pub struct ChartRow {
    pub label: String,
    pub value: String,
    /// The bar's SVG (markup built here from a number only).
    pub bar: String,
}

/// A chart: a table whose rows carry their bars, so the figures are
/// text in the page's units (they follow zoom, wrap on a phone and take
/// the system colours in forced-colours mode) and a screen reader reads
/// the table.
#[derive(Serialize)]
pub struct ChartView {
    pub title: String,
    /// The chart's name with its campaign ("… (routine)"), as HTML (the
    /// campaign's name in `<bdi>`).
    pub label: String,
    pub rows: Vec<ChartRow>,
}

#[derive(Serialize)]
pub struct SectionView {
    /// The kind of check, in the language ("Emergency checks").
    pub kind: String,
    /// "Latest check: NAME, started DATE", as HTML (the name in `<bdi>`).
    pub heading: String,
    pub figures: Vec<FigureView>,
    pub charts: Vec<ChartView>,
}

#[derive(Serialize)]
pub struct ChecksView {
    /// The latest campaign of each kind, routine first; empty without
    /// campaigns.
    pub sections: Vec<SectionView>,
}

fn bars_of<'a>(
    t: &Strings,
    items: impl Iterator<Item = (&'a String, &'a Figures)>,
    prefix: &str,
) -> Vec<Bar> {
    items
        .map(|(k, f)| Bar {
            label: t.get(&format!("{prefix}{k}")).to_string(),
            rate: f.response_rate,
            value: rate_counts(t, f.response_rate, f.responded, f.sent),
        })
        .collect()
}

/// The day the site is judged on, as a moment (deterministic output).
pub fn as_of_moment(dir: &Directory) -> jiff::Timestamp {
    dir.as_of
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// The latest campaign of `kind`, reported.
fn latest(dir: &Directory, kind: &str) -> Option<Report> {
    let c = dir.campaigns.iter().rev().find(|c| c.kind == kind)?;
    Some(report(dir, c, &dir.campaigns, as_of_moment(dir)))
}

pub fn page(t: &Strings, dir: &Directory) -> ChecksView {
    ChecksView {
        sections: crate::directory::campaign::KINDS
            .iter()
            .filter_map(|k| latest(dir, k))
            .map(|r| section(t, &r))
            .collect(),
    }
}

fn section(t: &Strings, r: &Report) -> SectionView {
    let rtl = crate::i18n::dir(t.lang) == "rtl";
    let f = &r.figures;
    let fig = |k: &str, v: String| FigureView {
        label: t.get(k).to_string(),
        value: v,
    };
    let mut figures = vec![
        fig("checks_sent", f.sent.to_string()),
        fig("checks_responded", f.responded.to_string()),
        fig("checks_rate", percent(t, f.response_rate)),
        fig(
            "checks_median",
            f.median_response_seconds
                .map(|s| duration(t, s))
                .unwrap_or_else(|| "—".into()),
        ),
        fig(
            "checks_p90",
            f.p90_response_seconds
                .map(|s| duration(t, s as f64))
                .unwrap_or_else(|| "—".into()),
        ),
        fig("checks_bounced", f.bounced.to_string()),
    ];
    if let Some(m) = r.short_window_minutes {
        figures.push(fig("ping_checks_window", duration(t, f64::from(m) * 60.0)));
    }
    let trend: Vec<Bar> = r
        .trend
        .iter()
        .map(|p| Bar {
            label: t.date(&p.started[..10]),
            rate: p.response_rate,
            value: rate_counts(t, p.response_rate, p.responded, p.sent),
        })
        .collect();
    let charts = vec![
        (
            t.get("checks_by_group"),
            bars_of(t, r.by_group.iter(), "group_"),
        ),
        (
            t.get("checks_by_type"),
            bars_of(t, r.by_type.iter(), "type_"),
        ),
        (t.get("checks_trend"), trend),
    ]
    .into_iter()
    .map(|(title, bars)| ChartView {
        title: title.to_string(),
        label: fmt_html(
            t,
            "checks_chart_label",
            &[("chart", title)],
            ("campaign", &r.name),
        ),
        rows: bars
            .iter()
            .map(|b| ChartRow {
                label: b.label.clone(),
                value: b.value.clone(),
                bar: bar_svg(b.rate, rtl),
            })
            .collect(),
    })
    .collect();
    SectionView {
        kind: t.get(&format!("ping_checks_kind_{}", r.kind)).to_string(),
        heading: fmt_html(
            t,
            "checks_campaign",
            &[("date", &t.date(&r.started[..10]))],
            ("name", &r.name),
        ),
        figures,
        charts,
    }
}

#[derive(Serialize)]
pub struct LastCheckRow {
    pub kind: String,
    pub text: String,
    pub failed: bool,
}

#[derive(Serialize)]
pub struct LastCheck {
    /// As HTML, the campaign's name in `<bdi>`.
    pub heading: String,
    pub rows: Vec<LastCheckRow>,
}

/// The latest campaign that pinged `s`, and how each of its PoCs did.
pub fn last_check(t: &Strings, dir: &Directory, s: &State) -> Option<LastCheck> {
    let c = dir
        .campaigns
        .iter()
        .rev()
        .find(|c| c.pings.iter().any(|p| p.state == s.code))?;
    let now = as_of_moment(dir);
    let rows = c
        .pings
        .iter()
        .filter(|p| p.state == s.code)
        .map(|p| {
            let o = p.outcome(c.respond_within_hours, now);
            let text = match &o {
                Outcome::Answered { seconds, .. } => t.fmt(
                    "checks_answered_in",
                    &[("duration", &duration(t, *seconds as f64))],
                ),
                Outcome::Bounced => t.get("checks_not_delivered").to_string(),
                Outcome::NoAnswer | Outcome::Pending | Outcome::NotSent => {
                    t.get("checks_not_answered").to_string()
                }
            };
            LastCheckRow {
                kind: t.get(&format!("type_{}", p.kind)).to_string(),
                text,
                failed: o.failed(),
            }
        })
        .collect();
    Some(LastCheck {
        heading: fmt_html(
            t,
            "checks_campaign",
            &[("date", &t.date(&crate::util::time::fmt_ts(c.started)[..10]))],
            ("name", &c.name),
        ),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_grow_from_the_reading_side() {
        let ltr = bar_svg(0.5, false);
        assert!(
            ltr.contains("class=\"chart-bar\" x=\"0\" y=\"0\" width=\"50\""),
            "{ltr}"
        );
        assert!(ltr.contains("aria-hidden=\"true\""), "{ltr}");
        let rtl = bar_svg(0.25, true);
        assert!(
            rtl.contains("class=\"chart-bar\" x=\"75\" y=\"0\" width=\"25\""),
            "{rtl}"
        );
        assert!(bar_svg(7.0, false).contains("width=\"100\""));
        assert!(bar_svg(-1.0, true).contains("x=\"100\" y=\"0\" width=\"0\""));
        assert!(bar_svg(2.0 / 3.0, false).contains("width=\"66.7\""));
    }
}
