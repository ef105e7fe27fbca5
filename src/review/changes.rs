//! `pocdir review`: what a pull request changes in the directory, and the
//! signals a reviewer must weigh (UNIDIR study 3.5, 3.6, 5.2: verify every
//! update through the Permanent Mission or the MFA; suspicious updates come
//! from unusual senders or channels).
//!
//! Compares two checked directories (models); reading git revisions is
//! done by `main` through [`crate::review::git`]. Pure: no printing.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::directory::model::{Directory, Poc, State, StateCode};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warn,
    Block,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Signal {
    /// Stable id (acknowledged with a `Pocdir-Acknowledge: <id>` trailer).
    pub id: String,
    pub severity: Severity,
    pub kind: &'static str,
    pub state: Option<String>,
    pub reason: String,
    /// Acknowledged by a commit trailer: does not fail the review.
    pub acknowledged: bool,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct StateChanges {
    pub state: String,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// (PoC, field, before, after)
    pub changed: Vec<(String, String, String, String)>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Review {
    pub signals: Vec<Signal>,
    pub states: Vec<StateChanges>,
}

impl Review {
    /// Whether an unacknowledged block signal remains.
    pub fn blocked(&self) -> bool {
        self.signals
            .iter()
            .any(|s| s.severity == Severity::Block && !s.acknowledged)
    }
}

fn poc_key(p: &Poc) -> String {
    format!("{} / {}", p.kind, p.entity)
}

fn emails(s: &State) -> BTreeSet<String> {
    s.points_of_contact
        .iter()
        .flat_map(|p| p.emails.iter().map(|e| e.value.to_lowercase()))
        .collect()
}

fn domain(e: &str) -> String {
    e.rsplit('@').next().unwrap_or("").to_lowercase()
}

/// The registrable domain by the Public Suffix List (`x.mofa.go.jp` and
/// `mofa.go.jp` are one domain; `cert.gov.uk` and `ncsc.gov.uk` are two),
/// to compare a State's addresses with each other. A name the list cannot
/// place is compared whole.
fn base_domain(d: &str) -> String {
    let d = d.trim_end_matches('.').to_lowercase();
    psl::domain_str(&d).map(str::to_string).unwrap_or(d)
}

/// Contact data: everything of the PoCs but their free-text notes, the
/// Mission, the regional networks.
fn contact_data(s: &State) -> serde_json::Value {
    let pocs: Vec<Poc> = s
        .points_of_contact
        .iter()
        .map(|p| Poc {
            notes: None,
            ..p.clone()
        })
        .collect();
    serde_json::to_value((&pocs, &s.mission, &s.regional_networks)).unwrap_or_default()
}

fn field_changes(name: &str, a: &Poc, b: &Poc, out: &mut Vec<(String, String, String, String)>) {
    let (va, vb) = (
        serde_json::to_value(a).unwrap_or_default(),
        serde_json::to_value(b).unwrap_or_default(),
    );
    if let (Some(ma), Some(mb)) = (va.as_object(), vb.as_object()) {
        for (k, x) in ma {
            let y = &mb[k];
            if x != y {
                out.push((name.to_string(), k.clone(), x.to_string(), y.to_string()));
            }
        }
    }
}

/// Compare `base` with `head`; `acks` are the acknowledged signal ids.
pub fn review(base: &Directory, head: &Directory, acks: &BTreeSet<String>) -> Review {
    let mut signals: Vec<Signal> = Vec::new();
    let mut push = |severity, kind: &'static str, state: Option<&str>, reason: String| {
        let id = crate::util::hash::sha256_hex(
            format!("{kind}|{}|{reason}", state.unwrap_or("")).as_bytes(),
        )[..12]
            .to_string();
        signals.push(Signal {
            acknowledged: acks.contains(&id),
            id,
            severity,
            kind,
            state: state.map(str::to_string),
            reason,
        });
    };
    if base.secretariat_key.public_key != head.secretariat_key.public_key {
        push(
            Severity::Block,
            "secretariat-key",
            None,
            format!(
                "the secretariat signing key changes from {} to {}",
                base.secretariat_key.key_id, head.secretariat_key.key_id
            ),
        );
    }
    let policy = |d: &Directory| {
        (
            d.settings.notify_change_within_days,
            d.settings.reverify_within_days,
            d.settings.bundle_validity_days,
            d.settings.demo,
        )
    };
    if policy(base) != policy(head) {
        push(
            Severity::Warn,
            "policy",
            None,
            "the update policy, bundle validity or demo setting changes".into(),
        );
    }
    let b: BTreeMap<&str, &State> = base.states.iter().map(|s| (s.code.as_str(), s)).collect();
    let h: BTreeMap<&str, &State> = head.states.iter().map(|s| (s.code.as_str(), s)).collect();
    let mut states = Vec::new();
    let mut touched = 0;
    for code in b.keys().chain(h.keys()).collect::<BTreeSet<_>>() {
        let code: &str = code;
        match (b.get(code), h.get(code)) {
            (None, Some(_)) => {
                touched += 1;
                push(
                    Severity::Warn,
                    "state-added",
                    Some(code),
                    format!("{code} is added to the directory"),
                );
            }
            (Some(_), None) => {
                touched += 1;
                push(
                    Severity::Warn,
                    "state-removed",
                    Some(code),
                    format!("{code} is removed from the directory"),
                );
            }
            (Some(x), Some(y)) => {
                let mut ch = StateChanges {
                    state: code.to_string(),
                    ..Default::default()
                };
                let xp: BTreeMap<String, &Poc> = x
                    .points_of_contact
                    .iter()
                    .map(|p| (poc_key(p), p))
                    .collect();
                let yp: BTreeMap<String, &Poc> = y
                    .points_of_contact
                    .iter()
                    .map(|p| (poc_key(p), p))
                    .collect();
                for (k, p) in &xp {
                    match yp.get(k) {
                        None => ch.removed.push(k.clone()),
                        Some(q) => field_changes(k, p, q, &mut ch.changed),
                    }
                }
                for k in yp.keys() {
                    if !xp.contains_key(k) {
                        ch.added.push(k.clone());
                    }
                }
                let accounts_changed = x.accounts != y.accounts;
                let contact_changed = contact_data(x) != contact_data(y);
                if accounts_changed || contact_changed || x.provenance != y.provenance {
                    touched += 1;
                }
                if accounts_changed {
                    // Who receives the directory: the highest risk.
                    let new_or_changed: Vec<_> = y
                        .accounts
                        .iter()
                        .filter(|a| !x.accounts.contains(a))
                        .collect();
                    let verified = !new_or_changed.is_empty()
                        && new_or_changed.iter().all(|a| {
                            !a.reference.trim().is_empty()
                                && x.accounts.iter().all(|old| {
                                    old.reference != a.reference || old.verified != a.verified
                                })
                        });
                    if verified {
                        push(
                            Severity::Warn,
                            "accounts",
                            Some(code),
                            format!(
                                "verified accounts or age recipients of {code} change, with a new verification record"
                            ),
                        );
                    } else {
                        push(
                            Severity::Block,
                            "accounts",
                            Some(code),
                            format!(
                                "verified accounts or age recipients of {code} change without a new verification record with a reference: whoever adds a key receives the directory"
                            ),
                        );
                    }
                }
                if contact_changed {
                    let new_prov = y.provenance.len() > x.provenance.len();
                    if !new_prov {
                        push(
                            Severity::Warn,
                            "no-provenance",
                            Some(code),
                            format!(
                                "contact data of {code} changes without a new provenance entry"
                            ),
                        );
                    } else if let Some(last) = y
                        .provenance
                        .iter()
                        .max_by(|a, b| a.verified.cmp(&b.verified))
                        && last.channel != "permanent_mission"
                        && last.channel != "mfa"
                    {
                        push(
                            Severity::Warn,
                            "channel",
                            Some(code),
                            format!(
                                "the update of {code} was verified through `{}`, not the Permanent Mission or the MFA",
                                last.channel
                            ),
                        );
                    }
                    if !x.points_of_contact.is_empty()
                        && ch.removed.len() == x.points_of_contact.len()
                        && !ch.added.is_empty()
                    {
                        push(
                            Severity::Warn,
                            "all-replaced",
                            Some(code),
                            format!("every PoC of {code} is replaced at once"),
                        );
                    }
                    let old_domains: BTreeSet<String> =
                        emails(x).iter().map(|e| base_domain(&domain(e))).collect();
                    for e in emails(y).difference(&emails(x)) {
                        let d = domain(e);
                        if crate::directory::refdata::is_freemail(&d) {
                            push(
                                Severity::Warn,
                                "email-domain",
                                Some(code),
                                format!("{e} is on a free-mail provider"),
                            );
                        } else if !old_domains.is_empty() && !old_domains.contains(&base_domain(&d))
                        {
                            push(
                                Severity::Warn,
                                "email-domain",
                                Some(code),
                                format!("{e} is on a domain {code} did not use before"),
                            );
                        }
                    }
                }
                if !(ch.added.is_empty() && ch.removed.is_empty() && ch.changed.is_empty()) {
                    states.push(ch);
                }
            }
            (None, None) => {}
        }
    }
    if touched >= 5 {
        push(
            Severity::Warn,
            "many-states",
            None,
            format!("one change touches {touched} States"),
        );
    }
    signals.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.state.cmp(&b.state))
            .then(a.kind.cmp(b.kind))
    });
    Review { signals, states }
}

/// The review as a pull-request comment.
pub fn markdown(r: &Review) -> String {
    let mut o = String::from("## pocdir review\n\n");
    if r.signals.is_empty() {
        o.push_str("No signal.\n\n");
    } else {
        o.push_str("| severity | signal | State | reason | id |\n|---|---|---|---|---|\n");
        for s in &r.signals {
            let sev = match s.severity {
                Severity::Block if s.acknowledged => "block (acknowledged)",
                Severity::Block => "**block**",
                Severity::Warn => "warn",
                Severity::Info => "info",
            };
            o.push_str(&format!(
                "| {sev} | {} | {} | {} | `{}` |\n",
                s.kind,
                s.state.as_deref().unwrap_or("—"),
                md_escape(&s.reason),
                s.id
            ));
        }
        o.push('\n');
        if r.blocked() {
            o.push_str("A block signal stops the merge until a reviewer who checked it with the Permanent Mission or the MFA adds a `Pocdir-Acknowledge: <id>` trailer to a commit of the pull request.\n\n");
        }
    }
    for s in &r.states {
        o.push_str(&format!("### {}\n\n", s.state));
        for a in &s.added {
            o.push_str(&format!("- PoC added: {}\n", md_escape(a)));
        }
        for a in &s.removed {
            o.push_str(&format!("- PoC removed: {}\n", md_escape(a)));
        }
        for (p, f, before, after) in &s.changed {
            o.push_str(&format!(
                "- {} — `{}`: {} → {}\n",
                md_escape(p),
                f,
                md_escape(before),
                md_escape(after)
            ));
        }
        o.push('\n');
    }
    o
}

/// Text from the directory shown in Markdown: no markup, no table breaks.
fn md_escape(s: &str) -> String {
    let mut o = String::new();
    for c in s.chars() {
        match c {
            '|' | '*' | '_' | '`' | '<' | '>' | '[' | ']' | '\\' | '#' => {
                o.push('\\');
                o.push(c);
            }
            '\n' | '\r' => o.push(' '),
            c if crate::util::text::is_dangerous_char(c) => o.push('\u{FFFD}'),
            c => o.push(c),
        }
    }
    o
}

/// Signatures of States on their own files: for each changed State that
/// registered an update-signing key, "signed by the State" (info) or a
/// bad or missing signature (warn).
pub fn state_signatures(
    head: &BTreeMap<String, crate::directory::StateSignature>,
    changed: &BTreeSet<StateCode>,
) -> Vec<(String, Severity, &'static str, String)> {
    use crate::directory::StateSignature;
    let mut out = Vec::new();
    for (code, verdict) in head {
        if !changed.contains(code.as_str()) {
            continue;
        }
        let file = format!("{}/{code}.yaml", crate::directory::load::STATES_DIR);
        let (severity, reason) = match verdict {
            StateSignature::Missing => (
                Severity::Warn,
                format!("{code} signs its updates, but {file}.minisig is missing"),
            ),
            StateSignature::Good { key_id } => (
                Severity::Info,
                format!("{file} is signed by the State ({key_id})"),
            ),
            StateSignature::Bad => (
                Severity::Warn,
                format!("{file}.minisig does not verify with the key {code} registered"),
            ),
        };
        out.push((code.clone(), severity, "state-signature", reason));
    }
    out
}

/// The States whose model differs between two versions (added, removed or
/// changed in any field).
pub fn changed_states(base: &Directory, head: &Directory) -> BTreeSet<StateCode> {
    base.states
        .iter()
        .chain(head.states.iter())
        .map(|s| s.code)
        .filter(|c| {
            let (x, y) = (
                base.states.iter().find(|s| s.code == *c),
                head.states.iter().find(|s| s.code == *c),
            );
            match (x, y) {
                (Some(x), Some(y)) => serde_json::to_value(x).ok() != serde_json::to_value(y).ok(),
                _ => true,
            }
        })
        .collect()
}
impl Review {
    /// Add signals computed outside [`review`].
    pub fn add(
        &mut self,
        state: &str,
        severity: Severity,
        kind: &'static str,
        reason: String,
        acks: &BTreeSet<String>,
    ) {
        let id = crate::util::hash::sha256_hex(format!("{kind}|{state}|{reason}").as_bytes())[..12]
            .to_string();
        self.signals.push(Signal {
            acknowledged: acks.contains(&id),
            id,
            severity,
            kind,
            state: Some(state.to_string()),
            reason,
        });
        self.signals.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.state.cmp(&b.state))
                .then(a.kind.cmp(b.kind))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::base_domain;

    #[test]
    fn registrable_domains_follow_the_public_suffix_list() {
        assert_eq!(
            base_domain("cert.gov.uk"),
            "cert.gov.uk",
            "gov.uk is a suffix"
        );
        assert_eq!(base_domain("mail.cert.gov.uk"), "cert.gov.uk");
        assert_eq!(base_domain("mofa.go.jp"), "mofa.go.jp");
        assert_eq!(base_domain("x.mofa.go.jp"), "mofa.go.jp");
        assert_eq!(base_domain("diplomatie.fra.example"), "fra.example");
        assert_eq!(base_domain("Mail.Example.COM."), "example.com");
    }
}
