//! Rules for the communication checks of `content/pings/`: the file is
//! named after its id; every ping names a State of the directory, a PoC
//! type, an address, a well-formed token unique across every campaign, and
//! times in RFC 3339.

use std::collections::{BTreeMap, BTreeSet};

use crate::directory::diagnostic::{Code, Diagnostic};
use crate::directory::schema::CampaignFile;
use crate::directory::span::At;
use crate::util::text::quote;

pub fn validate(
    campaigns: &BTreeMap<String, CampaignFile>,
    state_files: &BTreeSet<String>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut tokens: BTreeMap<String, String> = BTreeMap::new();
    for (file, c) in campaigns {
        let mut bad = |v: &At<String>, code: Code, msg: String, hint: &str| {
            out.push(Diagnostic::error(code, file.clone(), v.pos, msg).hint(hint.to_string()));
        };
        let stem = file
            .rsplit('/')
            .next()
            .and_then(|n| n.strip_suffix(".yaml"))
            .unwrap_or("");
        if !crate::directory::campaign::is_campaign_id(&c.id) {
            bad(
                &c.id,
                Code::PingId,
                format!("{} is not a campaign id", quote(&c.id)),
                "use lower-case letters, digits and hyphens, e.g. 2026-11-q4",
            );
        } else if c.id.value != stem {
            bad(
                &c.id,
                Code::PingId,
                format!("the id {} does not match the file name", quote(&c.id)),
                "name the file <id>.yaml",
            );
        }
        let ts_hint = "write an RFC 3339 time such as 2026-11-02T09:00:00Z";
        let ts = |v: &At<String>, out: &mut Vec<Diagnostic>| {
            if v.value.parse::<jiff::Timestamp>().is_err() {
                out.push(
                    Diagnostic::error(
                        Code::PingTime,
                        file.clone(),
                        v.pos,
                        format!("{} is not a time", quote(v)),
                    )
                    .hint(ts_hint),
                );
            }
        };
        ts(&c.started, &mut out);
        if !(1..=24 * 30).contains(&c.respond_within_hours.value) {
            out.push(
                Diagnostic::error(
                    Code::PingWindow,
                    file.clone(),
                    c.respond_within_hours.pos,
                    "respond_within_hours must be between 1 and 720",
                )
                .hint("72 hours is usual"),
            );
        }
        if let Some(k) = &c.kind
            && let Err((m, h)) = crate::directory::validate::fields::one_of(
                k,
                "campaign kind",
                crate::directory::campaign::KINDS,
            )
        {
            out.push(Diagnostic::error(Code::PingType, file.clone(), k.pos, m).hint(h));
        }
        let mut seen = BTreeSet::new();
        for p in &c.pings {
            if let Some(w) = &p.window_minutes
                && !(1..=30 * 24 * 60).contains(&w.value)
            {
                out.push(
                    Diagnostic::error(
                        Code::PingWindow,
                        file.clone(),
                        w.pos,
                        "window_minutes must be between 1 and 43200",
                    )
                    .hint("60 minutes is usual for a 24/7 PoC in an emergency check"),
                );
            }
            let mut e = |v: &At<String>, code: Code, msg: String, hint: &str| {
                out.push(Diagnostic::error(code, file.clone(), v.pos, msg).hint(hint.to_string()));
            };
            if !state_files.contains(&p.state.value) {
                e(
                    &p.state,
                    Code::PingState,
                    format!("{} is not a State of the directory", quote(&p.state)),
                    "use the ISO3 code of a file in content/states/",
                );
            }
            if let Err((m, h)) = crate::directory::validate::fields::one_of(
                &p.kind,
                "PoC type",
                crate::directory::validate::POC_TYPES,
            ) {
                e(&p.kind, Code::PingType, m, &h);
            }
            if let Err((m, h)) = crate::directory::validate::fields::email(&p.to) {
                e(&p.to, Code::PingAddress, m, &h);
            }
            if !seen.insert((p.state.value.clone(), p.to.value.to_lowercase())) {
                e(
                    &p.to,
                    Code::PingDuplicate,
                    format!("{} is pinged twice for {}", quote(&p.to), p.state.value),
                    "one ping per PoC address in a campaign",
                );
            }
            if !crate::directory::campaign::is_token(&p.token) {
                e(
                    &p.token,
                    Code::PingToken,
                    format!("{} is not a ping token", quote(&p.token)),
                    "tokens are made by `pocdir ping start`: PING- then four groups of four",
                );
            } else if let Some(other) = tokens.insert(p.token.value.clone(), file.clone()) {
                e(
                    &p.token,
                    Code::PingToken,
                    format!("token {} is also used in {other}", p.token.value),
                    "every PoC of every campaign gets its own token",
                );
            }
            let mid = &p.message_id.value;
            if !(mid.starts_with('<')
                && mid.ends_with('>')
                && mid.contains('@')
                && !mid.chars().any(|c| c.is_whitespace() || c.is_control()))
            {
                e(
                    &p.message_id,
                    Code::PingMessageId,
                    format!("{} is not a Message-ID", quote(mid)),
                    "a Message-ID looks like <ping.ID@secretariat.example>",
                );
            }
            for t in [p.sent.as_ref(), p.bounced.as_ref()].into_iter().flatten() {
                ts(t, &mut out);
            }
            if let Some(r) = &p.response {
                ts(&r.at, &mut out);
                if let Err((m, h)) = crate::directory::validate::fields::one_of(
                    &r.via,
                    "answer channel",
                    &["email", "phone"],
                ) {
                    out.push(Diagnostic::error(Code::PingVia, file.clone(), r.via.pos, m).hint(h));
                }
                if let Some(t) = &r.timed_by
                    && let Err((m, h)) = crate::directory::validate::fields::one_of(
                        t,
                        "time source",
                        crate::directory::campaign::TIME_SOURCES,
                    )
                {
                    out.push(Diagnostic::error(Code::PingVia, file.clone(), t.pos, m).hint(h));
                }
                if let Some(f) = &r.from
                    && let Err((m, h)) = crate::directory::validate::fields::email(f)
                {
                    out.push(Diagnostic::error(Code::PingAddress, file.clone(), f.pos, m).hint(h));
                }
            }
            for f in &p.flagged {
                ts(&f.at, &mut out);
            }
        }
        for f in &c.flagged {
            ts(&f.at, &mut out);
        }
        let mut followed = BTreeSet::new();
        for f in &c.follow_ups {
            ts(&f.sent, &mut out);
            if !state_files.contains(&f.state.value) {
                out.push(
                    Diagnostic::error(
                        Code::PingState,
                        file.clone(),
                        f.state.pos,
                        format!("{} is not a State of the directory", quote(&f.state)),
                    )
                    .hint("use the ISO3 code of a file in content/states/"),
                );
            } else if !followed.insert(f.state.value.clone()) {
                out.push(
                    Diagnostic::error(
                        Code::PingDuplicate,
                        file.clone(),
                        f.state.pos,
                        format!("{} is followed up twice", f.state.value),
                    )
                    .hint("one follow-up per State and campaign"),
                );
            }
        }
    }
    out
}
