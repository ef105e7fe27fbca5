//! `pocdir stale`: what needs the secretariat's attention, as of a day —
//! entries not re-verified within the policy, PoC types missing,
//! encryption keys expired or about to expire, States without verified
//! accounts or whose every account's verification lapsed (they receive
//! no bundle), PoCs that failed their last communication check; and when
//! the current bundles expire. Built on the model; prints nothing itself.

use jiff::civil::Date;
use serde::Serialize;

use crate::directory::model::{Directory, PocType, StateCode, days_between};
use crate::directory::validate::KEY_EXPIRY_WARNING_DAYS;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Item {
    pub state: StateCode,
    /// `stale`, `key-expired`, `key-expiring`, `missing-poc-type`,
    /// `no-accounts`, `no-bundle` (every account's verification lapsed:
    /// overdue), `account-lapsed` (one account lapsed, another still
    /// receives), `ping-bounced`, `ping-unanswered`.
    pub kind: &'static str,
    /// Overdue items make `pocdir stale` exit 1.
    pub overdue: bool,
    pub detail: String,
}

pub fn items(dir: &Directory, as_of: Date) -> Vec<Item> {
    let mut out = Vec::new();
    let days = dir.settings.reverify_within_days;
    for s in &dir.states {
        let item = |kind, overdue, detail: String| Item {
            state: s.code,
            kind,
            overdue,
            detail,
        };
        let age = days_between(s.last_verified, as_of);
        if age > i64::from(days) {
            out.push(item(
                "stale",
                true,
                format!(
                    "last verified {} ({age} days ago; the policy is {days})",
                    s.last_verified
                ),
            ));
        }
        for t in PocType::ALL {
            if !s.points_of_contact.iter().any(|p| p.kind == t) {
                out.push(item("missing-poc-type", false, format!("no {t} PoC")));
            }
        }
        for p in &s.points_of_contact {
            for k in &p.encryption_keys {
                let Some(exp) = k.effective_expiry() else {
                    continue;
                };
                if exp < as_of {
                    out.push(item(
                        "key-expired",
                        true,
                        format!("{} key of {} expired on {exp}", k.kind, p.entity),
                    ));
                } else if days_between(as_of, exp) <= i64::from(KEY_EXPIRY_WARNING_DAYS) {
                    out.push(item(
                        "key-expiring",
                        false,
                        format!("{} key of {} expires on {exp}", k.kind, p.entity),
                    ));
                }
            }
        }
        // The last communication check that reached this State.
        let now = as_of
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp())
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        if let Some(c) = dir
            .campaigns
            .iter()
            .rev()
            .find(|c| c.started <= now && c.pings.iter().any(|p| p.state == s.code))
        {
            for p in c.pings.iter().filter(|p| p.state == s.code) {
                match p.outcome(c.respond_within_hours, now) {
                    // The address does not work: the entry is wrong.
                    crate::ping::Outcome::Bounced => out.push(item(
                        "ping-bounced",
                        true,
                        format!("{} PoC {}: the check {} bounced", p.kind, p.to, c.id),
                    )),
                    // A 24/7 PoC in an emergency check or an exercise is
                    // judged against its own short window: say which.
                    crate::ping::Outcome::NoAnswer => out.push(item(
                        "ping-unanswered",
                        false,
                        match p.window_minutes {
                            Some(m) => format!(
                                "{} PoC {} did not answer the check {} within {} minutes (the short window of a 24/7 PoC)",
                                p.kind, p.to, c.id, m
                            ),
                            None => format!(
                                "{} PoC {} did not answer the check {} within {} hours",
                                p.kind, p.to, c.id, c.respond_within_hours
                            ),
                        },
                    )),
                    _ => {}
                }
            }
        }
        // Accounts whose verification lapsed: `mail` sends them nothing.
        let policy = dir.settings.reverify_within_days;
        let none_eligible = s.accounts.iter().all(|a| a.lapsed(policy, as_of));
        for a in s.accounts.iter().filter(|a| a.lapsed(policy, as_of)) {
            let on = a.lapses_on(policy);
            out.push(if none_eligible {
                item(
                    "no-bundle",
                    true,
                    format!(
                        "receives no bundle: account verification lapsed on {on} ({}, verified {})",
                        a.email, a.verified
                    ),
                )
            } else {
                item(
                    "account-lapsed",
                    false,
                    format!(
                        "{} gets no bundle: its verification lapsed on {on} (verified {}); another account still receives it",
                        a.email, a.verified
                    ),
                )
            });
        }
        if s.accounts.is_empty() {
            out.push(item(
                "no-accounts",
                false,
                "no verified account: the State gets no bundle".into(),
            ));
        }
    }
    out.sort();
    out
}

/// How the current bundles stand at `now`, from the version log as the
/// directory holds it (`None`: no version yet). Informational: `build`
/// verifies the log's signature before it trusts it.
pub fn bundles(
    dir: &Directory,
    version_log: Option<&str>,
    now: jiff::Timestamp,
) -> Result<Option<crate::bundle::log::Standing>, crate::bundle::log::LogError> {
    let entries = crate::bundle::log::parse(version_log.unwrap_or_default())?;
    entries
        .last()
        .map(|e| {
            crate::bundle::log::standing(
                e,
                dir.settings.bundle_validity_days,
                dir.settings.bundle_renew_within_days,
                now,
            )
        })
        .transpose()
}
