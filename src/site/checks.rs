//! The "Communication checks" page (the latest campaign of each kind —
//! routine, emergency, exercise — with its figures and bar charts drawn
//! as static SVG: no script, no inline style, so the page works under the
//! site's CSP and with JavaScript off; each chart's data also as a table
//! for screen readers and text browsers) and the last check shown on each
//! State page. Only figures and outcomes: the tokens never reach the site.

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

/// A horizontal bar chart as an SVG element. Labels and values are
/// escaped; coordinates are numbers. `rtl` mirrors it for Arabic.
pub fn bar_chart(title: &str, bars: &[Bar], rtl: bool) -> String {
    const W: f64 = 680.0;
    const LABEL: f64 = 300.0;
    const VALUE: f64 = 110.0;
    const ROW: f64 = 30.0;
    let plot = W - LABEL - VALUE;
    let h = ROW * bars.len() as f64 + 10.0;
    let mut s = format!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {h}\" \
         width=\"100%\" direction=\"ltr\" role=\"img\" aria-labelledby=\"{id}\"><title id=\"{id}\">{t}</title>",
        id = format!("chart-{:x}", fxhash(title)),
        t = escape(title),
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 5.0 + ROW * i as f64;
        let len = (b.rate.clamp(0.0, 1.0) * plot).round();
        // Left to right: label, bar, value; mirrored in RTL, where a
        // label is right-to-left text starting at the right edge.
        let (label_x, label_dir, bar_x, value_x, value_anchor) = if rtl {
            (
                W - 8.0,
                "rtl",
                W - LABEL - len,
                W - LABEL - len - 6.0,
                "end",
            )
        } else {
            (8.0, "ltr", LABEL, LABEL + len + 6.0, "start")
        };
        let track_x = if rtl { W - LABEL - plot } else { LABEL };
        s.push_str(&format!(
            "<text class=\"chart-label\" x=\"{label_x}\" y=\"{ty}\" direction=\"{label_dir}\" text-anchor=\"start\">{label}</text>\
             <rect class=\"chart-track\" x=\"{track_x}\" y=\"{y}\" width=\"{plot}\" height=\"20\"/>\
             <rect class=\"chart-bar\" x=\"{bar_x}\" y=\"{y}\" width=\"{len}\" height=\"20\"/>\
             <text class=\"chart-value\" x=\"{value_x}\" y=\"{ty}\" text-anchor=\"{value_anchor}\">{value}</text>",
            ty = y + 15.0,
            label = escape(&b.label),
            value = escape(&b.value),
        ));
    }
    s.push_str("</svg>");
    s
}

/// A small stable hash for element ids.
fn fxhash(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
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

#[derive(Serialize)]
pub struct ChartView {
    pub title: String,
    /// The SVG (markup built here, values escaped).
    pub svg: String,
    /// The same data as table rows: label, value.
    pub rows: Vec<FigureView>,
}

#[derive(Serialize)]
pub struct SectionView {
    /// The kind of check, in the language ("Emergency checks").
    pub kind: String,
    /// "Latest check: NAME, started DATE".
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
        svg: bar_chart(
            &t.fmt(
                "checks_chart_label",
                &[("chart", title), ("campaign", &r.name)],
            ),
            &bars,
            rtl,
        ),
        rows: bars
            .iter()
            .map(|b| FigureView {
                label: b.label.clone(),
                value: b.value.clone(),
            })
            .collect(),
    })
    .collect();
    SectionView {
        kind: t.get(&format!("ping_checks_kind_{}", r.kind)).to_string(),
        heading: t.fmt(
            "checks_campaign",
            &[("name", &r.name), ("date", &t.date(&r.started[..10]))],
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
        heading: t.fmt(
            "checks_campaign",
            &[
                ("name", &c.name),
                ("date", &t.date(&crate::util::time::fmt_ts(c.started)[..10])),
            ],
        ),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_labels_and_mirror_in_rtl() {
        let bars = [Bar {
            label: "<script>alert(1)</script>".into(),
            rate: 0.5,
            value: "50% (1/2)".into(),
        }];
        let ltr = bar_chart("t", &bars, false);
        assert!(!ltr.contains("<script>"));
        assert!(ltr.contains("&lt;script&gt;"));
        assert!(ltr.contains("class=\"chart-bar\" x=\"300\" y=\"5\" width=\"135\""));
        let rtl = bar_chart("t", &bars, true);
        assert!(rtl.contains("class=\"chart-bar\" x=\"245\""), "{rtl}");
        assert!(rtl.contains("x=\"672\" y=\"20\" direction=\"rtl\" text-anchor=\"start\""));
    }
}
