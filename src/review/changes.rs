//! What a pull request changes, and the signals a reviewer must weigh
//! (UNIDIR study 3.5, 3.6, 5.2: verify every update through the Permanent
//! Mission or the MFA; suspicious updates come from unusual senders or
//! channels).
//!
//! Compares two checked directories and the two trees they were read
//! from. Pure: git is run by [`crate::review::run`] beforehand.
//!
//! - **block**: who receives the directory or who is trusted changes
//!   (accounts and recipients anywhere, a new State, the secretariat key
//!   or a rotation, a State's update-signing key, reviewer keys, the
//!   version log other than a signed append, a setting weakened (longer
//!   periods, demo mode on, a sealed site unsealed), CI
//!   configuration, a submodule);
//! - **warn**, with before and after: every other change that reaches the
//!   readers (contacts of the Missions and the secretariat, every PoC
//!   field, pages, theme, reference data), domains to look at twice, and
//!   any path pocdir does not know;
//! - listed without a signal: a note reworded without a new address,
//!   link or number; documentation; acknowledgements.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use serde::Serialize;

use crate::directory::Checked;
use crate::directory::model::{Account, Directory, Poc, State};
use crate::review::paths::{Change, Class, FileChange};
use crate::review::signal::{Severity, Signals};
use crate::review::text;
use crate::review::tree::{Mode, Tree};
use crate::util::domain;

/// What the comparison needs beyond the two directories.
pub struct Inputs<'a> {
    pub base: &'a Checked,
    pub head: &'a Checked,
    pub base_tree: &'a Tree,
    pub head_tree: &'a Tree,
    pub files: &'a [FileChange],
    /// The day of the base revision's commit: a verification record is
    /// new only if dated that day or later.
    pub base_day: Date,
    /// Every line the history of the base revision added or removed in
    /// State data and State keys, normalised ([`text::normalize_reference`]).
    pub history: &'a [String],
}

/// One readable change (listed whether or not it raises a signal).
#[derive(Clone, Debug, Serialize)]
pub struct Line {
    /// The State, or `None` for the directory as a whole.
    pub state: Option<String>,
    pub what: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A text file's change, shown as a short unified diff.
#[derive(Clone, Debug, Serialize)]
pub struct Diff {
    pub path: String,
    pub diff: String,
}

/// The comparison: signals, readable changes, diffs.
pub struct Compared {
    pub signals: Signals,
    pub lines: Vec<Line>,
    pub diffs: Vec<Diff>,
}

/// Compare the two sides.
pub fn compare(i: &Inputs) -> Compared {
    let mut c = Compared {
        signals: Signals::default(),
        lines: Vec::new(),
        diffs: Vec::new(),
    };
    let (b, h) = (&i.base.directory, &i.head.directory);
    settings(&mut c, b, h);
    keys(&mut c, i);
    version_log(&mut c, i);
    let touched = states(&mut c, i);
    if touched >= 5 {
        c.signals.push(
            Severity::Warn,
            "many-states",
            None,
            "states",
            None,
            Some(touched.to_string()),
            format!("one change touches {touched} States"),
        );
    }
    files(&mut c, i);
    c
}

impl Compared {
    fn line(
        &mut self,
        state: Option<&str>,
        what: String,
        before: Option<String>,
        after: Option<String>,
    ) {
        self.lines.push(Line {
            state: state.map(str::to_string),
            what,
            before,
            after,
        });
    }
}

// --- Settings --------------------------------------------------------------

fn settings(c: &mut Compared, b: &Directory, h: &Directory) {
    let (x, y) = (&b.settings, &h.settings);
    // Longer periods weaken the directory: a block. Shorter: a warning.
    for (name, before, after, why) in [
        (
            "bundle.validity_days",
            x.bundle_validity_days,
            y.bundle_validity_days,
            "a bundle stays valid longer, so a stale or replayed one is accepted longer",
        ),
        (
            "policy.reverify_within_days",
            x.reverify_within_days,
            y.reverify_within_days,
            "entries may go unverified longer before they are stale",
        ),
        (
            "policy.notify_change_within_days",
            x.notify_change_within_days,
            y.notify_change_within_days,
            "States may take longer to notify a change",
        ),
    ] {
        if before != after {
            let weaker = after > before;
            c.signals.push(
                if weaker {
                    Severity::Block
                } else {
                    Severity::Warn
                },
                "policy",
                None,
                name,
                Some(before.to_string()),
                Some(after.to_string()),
                if weaker {
                    format!("`{name}` goes from {before} to {after}: {why}")
                } else {
                    format!("`{name}` goes from {before} to {after}")
                },
            );
            c.line(
                None,
                format!("setting `{name}`"),
                Some(before.to_string()),
                Some(after.to_string()),
            );
        }
    }
    if x.demo != y.demo {
        c.signals.push(
            if y.demo {
                Severity::Block
            } else {
                Severity::Warn
            },
            "policy",
            None,
            "demo",
            Some(x.demo.to_string()),
            Some(y.demo.to_string()),
            if y.demo {
                "`demo: true`: the build may sign with the published demo key".into()
            } else {
                "`demo` is turned off".into()
            },
        );
        c.line(
            None,
            "setting `demo`".into(),
            Some(x.demo.to_string()),
            Some(y.demo.to_string()),
        );
    }
    if x.sealed != y.sealed {
        // Unsealing publishes every PoC's email, phone and name in the
        // clear to whoever reaches the host (issue #16): a block.
        c.signals.push(
            if x.sealed {
                Severity::Block
            } else {
                Severity::Warn
            },
            "policy",
            None,
            "site.sealed",
            Some(x.sealed.to_string()),
            Some(y.sealed.to_string()),
            if x.sealed {
                "`site.sealed` is turned off: the next build serves every PoC's contact data \
                 in the clear to whoever reaches the site"
                    .into()
            } else {
                "`site.sealed` is turned on: States need the access code in their bundle to read \
                 the site"
                    .into()
            },
        );
        c.line(
            None,
            "setting `site.sealed`".into(),
            Some(x.sealed.to_string()),
            Some(y.sealed.to_string()),
        );
    }
    for (name, before, after) in [
        ("title", x.title.clone(), y.title.clone()),
        ("languages", x.languages.join(", "), y.languages.join(", ")),
        (
            "default_language",
            x.default_language.clone(),
            y.default_language.clone(),
        ),
        ("theme", text::optional(&x.theme), text::optional(&y.theme)),
        (
            "site.list_non_participants",
            x.list_non_participants.to_string(),
            y.list_non_participants.to_string(),
        ),
        (
            "bundle.renew_within_days",
            x.bundle_renew_within_days.to_string(),
            y.bundle_renew_within_days.to_string(),
        ),
    ] {
        if before != after {
            c.signals.push(
                Severity::Warn,
                "settings",
                None,
                name,
                Some(before.clone()),
                Some(after.clone()),
                format!("setting `{name}`: {} → {}", before, after),
            );
            c.line(None, format!("setting `{name}`"), Some(before), Some(after));
        }
    }
    contact(
        c,
        "secretariat-contact",
        None,
        ("secretariat", "the secretariat's"),
        &x.secretariat,
        &y.secretariat,
    );
    if x.secretariat.email.to_lowercase() != y.secretariat.email.to_lowercase() {
        let known = known_domains(b);
        email_checks(c, None, &y.secretariat.email, &BTreeSet::new(), &known);
    }
}

/// A contact (the secretariat's, a Mission's) field by field: a warning
/// and a readable line per changed field. Returns whether any changed.
fn contact(
    c: &mut Compared,
    kind: &'static str,
    state: Option<&str>,
    (key, label): (&str, &str),
    x: &crate::directory::model::Contact,
    y: &crate::directory::model::Contact,
) -> bool {
    let mut changed = false;
    for ((name, before), (_, after)) in text::contact_fields(x)
        .into_iter()
        .zip(text::contact_fields(y))
    {
        if before != after {
            changed = true;
            c.signals.push(
                Severity::Warn,
                kind,
                state,
                &format!("{key}.{name}"),
                Some(before.clone()),
                Some(after.clone()),
                format!("{label} {name}: {before} → {after}"),
            );
            c.line(state, format!("{label} {name}"), Some(before), Some(after));
        }
    }
    changed
}

// --- Keys: secretariat, rotations, reviewers ---------------------------------

fn keys(c: &mut Compared, i: &Inputs) {
    let (b, h) = (
        &i.base.directory.secretariat_key,
        &i.head.directory.secretariat_key,
    );
    if b.public_key != h.public_key {
        c.signals.push(
            Severity::Block,
            "secretariat-key",
            None,
            "keys/secretariat.pub",
            Some(format!("{} {}", b.key_id, b.public_key)),
            Some(format!("{} {}", h.key_id, h.public_key)),
            format!(
                "the secretariat signing key changes from {} to {}: every State will trust the new key",
                b.key_id, h.key_id
            ),
        );
    }
    let anchor = |x: &Checked| {
        x.key_history.as_ref().map(|h| {
            let k = &h.start().keys[0];
            format!("{} {}", crate::sign::key_id(k), k.to_base64())
        })
    };
    if anchor(i.base) != anchor(i.head) {
        c.signals.push(
            Severity::Block,
            "secretariat-key",
            None,
            "keys/anchor.pub",
            anchor(i.base),
            anchor(i.head),
            "the start of the secretariat key's history (keys/anchor.pub, or its rotations) changes: every key the history accounts for is trusted to have signed the version log".to_string(),
        );
    }
    // The head's history must extend the base's: a version already
    // published is never rewritten.
    if let (Some(hb), Some(hh)) = (&i.base.key_history, &i.head.key_history) {
        let (sb, sh) = (hb.statements(), hh.statements());
        let extends = sh.len() >= sb.len() && sb.iter().zip(sh).all(|(x, y)| x.text == y.text);
        if !extends {
            c.signals.push(
                Severity::Block,
                "rotation",
                None,
                "keys/rotations",
                Some(hb.chain_text()),
                Some(hh.chain_text()),
                "the secretariat key's history is rewritten: a published version of it is changed or removed".to_string(),
            );
        }
        for set in hh.sets().skip(1 + sb.len()) {
            c.signals.push(
                Severity::Block,
                "rotation",
                None,
                &format!("keys/rotations/{}.txt", set.version),
                Some(hb.current().ids()),
                Some(set.ids()),
                format!(
                    "the secretariat's keys change ({}): keys {}, {} of {} must sign, until {}; every State will follow it",
                    set.name(),
                    set.ids(),
                    set.threshold,
                    set.keys.len(),
                    set.expires.as_deref().unwrap_or("?")
                ),
            );
        }
    }
    let rot = |x: &Checked| -> BTreeMap<String, String> {
        x.rotations
            .iter()
            .map(|(n, bytes)| (n.clone(), crate::util::hash::sha256_hex(bytes)))
            .collect()
    };
    let (rb, rh) = (rot(i.base), rot(i.head));
    for name in rb.keys().chain(rh.keys()).collect::<BTreeSet<_>>() {
        let (x, y) = (rb.get(name), rh.get(name));
        if x != y {
            c.signals.push(
                Severity::Block,
                "rotation",
                None,
                &format!("keys/rotations/{name}"),
                x.cloned(),
                y.cloned(),
                format!(
                    "the key rotation statement keys/rotations/{name} is {}",
                    match (x, y) {
                        (None, _) => "added",
                        (_, None) => "removed",
                        _ => "changed",
                    }
                ),
            );
        }
    }
    let revs = |x: &Checked| -> BTreeMap<String, String> {
        x.reviewers
            .iter()
            .map(|r| {
                (
                    r.login.to_lowercase(),
                    format!("{} {}", r.key.key_id(), r.key.to_base64()),
                )
            })
            .collect()
    };
    let (vb, vh) = (revs(i.base), revs(i.head));
    for login in vb.keys().chain(vh.keys()).collect::<BTreeSet<_>>() {
        let (x, y) = (vb.get(login), vh.get(login));
        match (x, y) {
            (x, Some(y)) if x != Some(y) => c.signals.push(
                Severity::Block,
                "reviewer-key",
                None,
                &format!("keys/reviewers/{login}.pub"),
                x.cloned(),
                Some(y.clone()),
                format!(
                    "the reviewer key of {login} is {}: a reviewer key lifts block signals",
                    if x.is_some() { "changed" } else { "added" }
                ),
            ),
            (Some(x), None) => c.signals.push(
                Severity::Warn,
                "reviewer-key",
                None,
                &format!("keys/reviewers/{login}.pub"),
                Some(x.clone()),
                None,
                format!("the reviewer {login} is removed"),
            ),
            _ => {}
        }
    }
}

// --- The version log -----------------------------------------------------------

fn version_log(c: &mut Compared, i: &Inputs) {
    let (bl, bs) = (&i.base.version_log, &i.base.version_log_sigs);
    let (hl, hs) = (&i.head.version_log, &i.head.version_log_sigs);
    if bl == hl && bs == hs {
        return;
    }
    let digest = |t: &Option<String>| {
        t.as_deref()
            .map(|t| crate::util::hash::sha256_hex(t.as_bytes()))
    };
    let digests = |sigs: &[String]| {
        sigs.iter()
            .map(|t| crate::util::hash::sha256_hex(t.as_bytes()))
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut push = |severity, reason: String| {
        c.signals.push(
            severity,
            "version-log",
            None,
            crate::bundle::log::LOG_FILE,
            digest(bl).map(|d| format!("{d} {}", digests(bs))),
            digest(hl).map(|d| format!("{d} {}", digests(hs))),
            reason,
        )
    };
    let Some(head_text) = hl else {
        push(
            Severity::Block,
            "the version log is deleted: the next build would start again at version 1, and every State that accepted a later version would refuse all new bundles".into(),
        );
        return;
    };
    let base_text = bl.as_deref().unwrap_or("");
    if !head_text.starts_with(base_text) {
        push(
            Severity::Block,
            "the version log is rewritten, not appended to (an older copy restored, or lines changed): States that accepted a later version would refuse the next bundles".into(),
        );
        return;
    }
    // Parsed once by `directory::load` (the head's log parses, or the head
    // does not pass check); parsed here only if that found nothing.
    let parsed;
    let entries = if i.head.version_entries.is_empty() {
        parsed = match crate::bundle::log::parse(head_text) {
            Ok(e) => e,
            Err(e) => {
                push(
                    Severity::Block,
                    format!("the version log does not parse: {e}"),
                );
                return;
            }
        };
        &parsed
    } else {
        &i.head.version_entries
    };
    // The threshold of the base's current key set (k of n, issue #18):
    // a pull request cannot bring a log one officer's key signed alone.
    let set = match &i.base.key_history {
        Some(h) => Some(h.current().clone()),
        None => crate::sign::PublicKey::from_base64(&i.base.directory.secretariat_key.public_key)
            .ok()
            .map(|k| crate::sign::rotation::KeySet::single(k, 1)),
    };
    let texts: Vec<&str> = hs.iter().map(String::as_str).collect();
    let signed = set
        .as_ref()
        .map(|set| crate::sign::threshold::verify(set, &texts, head_text.as_bytes()).map(|_| ()));
    match signed {
        Some(Ok(())) => {}
        Some(Err(e)) => {
            push(
                Severity::Block,
                format!(
                    "the version log's signatures do not verify with the base revision's secretariat keys: {e}"
                ),
            );
            return;
        }
        None => {
            push(
                Severity::Block,
                "the version log's signature does not verify with the base revision's secretariat key"
                    .into(),
            );
            return;
        }
    }
    // The base's versions (none when its log is malformed: tolerated).
    let before = i.base.version_entries.len();
    let added: Vec<u64> = entries.iter().skip(before).map(|e| e.seq).collect();
    push(
        Severity::Info,
        match (added.first(), added.last()) {
            (Some(f), Some(l)) if f == l => {
                format!("the version log appends version {f}, signed by the secretariat key")
            }
            (Some(f), Some(l)) => format!(
                "the version log appends versions {f} to {l}, signed by the secretariat key"
            ),
            _ => "the version log is signed again by the secretariat key".into(),
        },
    );
}

// --- States ----------------------------------------------------------------------

/// Every email domain of the base directory (States and secretariat), to
/// find look-alikes of.
fn known_domains(d: &Directory) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = d
        .states
        .iter()
        .flat_map(state_emails)
        .map(|e| text::email_domain(&e))
        .collect();
    out.insert(text::email_domain(&d.settings.secretariat.email));
    out.retain(|d| !d.is_empty());
    out
}

/// Every email address of a State (PoCs, Mission, accounts), lower-cased.
fn state_emails(s: &State) -> BTreeSet<String> {
    s.points_of_contact
        .iter()
        .flat_map(|p| p.emails.iter().map(|e| e.value.to_lowercase()))
        .chain(std::iter::once(s.mission.email.to_lowercase()))
        .chain(s.accounts.iter().map(|a| a.email.to_lowercase()))
        .collect()
}

/// The warnings about a new address: free mail, a domain the owner never
/// used, a domain that mixes scripts or looks like a known one.
fn email_checks(
    c: &mut Compared,
    state: Option<&str>,
    address: &str,
    own_domains: &BTreeSet<String>,
    known: &BTreeSet<String>,
) {
    let d = text::email_domain(address);
    let shown = text::email(address);
    let mut warn = |kind: &'static str, reason: String| {
        c.signals.push(
            Severity::Warn,
            kind,
            state,
            &address.to_lowercase(),
            None,
            Some(shown.clone()),
            reason,
        )
    };
    if crate::directory::refdata::is_freemail(&d) {
        warn(
            "email-domain",
            format!("{shown} is on a free-mail provider"),
        );
    } else if let Some(code) = state
        && !own_domains.is_empty()
        && !own_domains.contains(&domain::registrable(&d))
    {
        warn(
            "email-domain",
            format!("{shown} is on a domain {code} did not use before"),
        );
    }
    if domain::mixed_script(&d) {
        warn(
            "lookalike-domain",
            format!("{shown}: the domain mixes scripts"),
        );
    }
    if let Some(like) = domain::lookalike(&d, known.iter().map(String::as_str)) {
        warn(
            "lookalike-domain",
            format!("{shown}: the domain looks like {}", domain::display(like)),
        );
    }
}

/// Compare the States; returns how many States the change touches.
fn states(c: &mut Compared, i: &Inputs) -> usize {
    let (bd, hd) = (&i.base.directory, &i.head.directory);
    let b: BTreeMap<&str, &State> = bd.states.iter().map(|s| (s.code.as_str(), s)).collect();
    let h: BTreeMap<&str, &State> = hd.states.iter().map(|s| (s.code.as_str(), s)).collect();
    let known = known_domains(bd);
    let mut touched = 0;
    for code in b
        .keys()
        .chain(h.keys())
        .copied()
        .collect::<BTreeSet<&str>>()
    {
        match (b.get(code), h.get(code)) {
            (None, Some(y)) => {
                touched += 1;
                let accounts: Vec<String> = y.accounts.iter().map(text::account).collect();
                c.signals.push(
                    Severity::Block,
                    "state-added",
                    Some(code),
                    code,
                    None,
                    Some(accounts.join(" | ")),
                    format!(
                        "{code} is added with {} account(s): whoever holds their keys receives the whole directory",
                        y.accounts.len()
                    ),
                );
                c.line(
                    Some(code),
                    "State added".into(),
                    None,
                    Some(format!("Mission: {}", text::email(&y.mission.email))),
                );
                for a in &y.accounts {
                    c.line(
                        Some(code),
                        "account added".into(),
                        None,
                        Some(text::account(a)),
                    );
                }
                for p in &y.points_of_contact {
                    c.line(
                        Some(code),
                        format!("PoC `{}` added", p.id),
                        None,
                        Some(text::poc(p)),
                    );
                }
                for e in state_emails(y) {
                    email_checks(c, Some(code), &e, &BTreeSet::new(), &known);
                }
                update_key(c, i, code);
            }
            (Some(x), None) => {
                touched += 1;
                c.signals.push(
                    Severity::Warn,
                    "state-removed",
                    Some(code),
                    code,
                    Some(x.accounts.iter().map(text::account).collect::<Vec<_>>().join(" | ")),
                    None,
                    format!("{code} is removed from the directory: its accounts receive no further bundle"),
                );
                c.line(Some(code), "State removed".into(), None, None);
                update_key(c, i, code);
            }
            (Some(x), Some(y)) => {
                if state(c, i, code, x, y, &known) {
                    touched += 1;
                }
            }
            (None, None) => {}
        }
    }
    touched
}

/// A State's update-signing key: any change is a block.
fn update_key(c: &mut Compared, i: &Inputs, code: &str) {
    let k = |x: &Checked| {
        x.update_signing_keys
            .get(code)
            .map(|k| format!("{} {}", k.key_id(), k.to_base64()))
    };
    let (x, y) = (k(i.base), k(i.head));
    if x != y {
        c.signals.push(
            Severity::Block,
            "update-signing-key",
            Some(code),
            &format!("keys/states/{code}.yaml update_signing_key"),
            x.clone(),
            y.clone(),
            format!(
                "{code}'s update-signing key is {}: State signatures are checked with the base revision's key",
                match (&x, &y) {
                    (None, _) => "added",
                    (_, None) => "removed",
                    _ => "replaced",
                }
            ),
        );
    }
}

/// Whether a verification record (a reference and a day) is new: a
/// reference never seen in the base's history, dated on or after the
/// base revision's commit. `Err` says why not.
fn new_record(i: &Inputs, reference: &str, day: Date) -> Result<(), String> {
    let r = text::normalize_reference(reference);
    if r.len() < 3 {
        return Err(format!(
            "its reference {reference:?} is too short to tell apart"
        ));
    }
    if i.history.iter().any(|l| l.contains(&r)) {
        return Err(format!(
            "its reference {reference:?} was already used in the repository's history"
        ));
    }
    if day < i.base_day {
        return Err(format!(
            "it is dated {day}, before the base revision ({})",
            i.base_day
        ));
    }
    Ok(())
}

/// Compare one State; returns whether anything of it changed.
fn state(
    c: &mut Compared,
    i: &Inputs,
    code: &str,
    x: &State,
    y: &State,
    known: &BTreeSet<String>,
) -> bool {
    let mut touched = false;
    let st = Some(code);
    // Accounts: who receives the directory.
    let xa: BTreeMap<String, &Account> = x
        .accounts
        .iter()
        .map(|a| (a.email.to_lowercase(), a))
        .collect();
    let ya: BTreeMap<String, &Account> = y
        .accounts
        .iter()
        .map(|a| (a.email.to_lowercase(), a))
        .collect();
    for email in xa.keys().chain(ya.keys()).collect::<BTreeSet<_>>() {
        let (old, new) = (xa.get(email), ya.get(email));
        if old == new {
            continue;
        }
        touched = true;
        let (before, after) = (old.map(|a| text::account(a)), new.map(|a| text::account(a)));
        match new {
            Some(a) if before.as_ref() != after.as_ref() => {
                c.signals.push(
                    Severity::Block,
                    "accounts",
                    st,
                    email,
                    before.clone(),
                    after.clone(),
                    format!(
                        "{} of {code} {}: whoever holds its keys receives the directory",
                        text::email(&a.email),
                        if old.is_some() { "changes" } else { "is added" }
                    ),
                );
                let record = (text::verification(a), old.map(|o| text::verification(o)));
                if Some(&record.0) == record.1.as_ref() {
                    c.signals.push(
                        Severity::Warn,
                        "verification-record",
                        st,
                        email,
                        record.1.clone(),
                        Some(record.0.clone()),
                        format!(
                            "{} changes without a new verification record",
                            text::email(&a.email)
                        ),
                    );
                } else if let Err(why) = new_record(i, &a.reference, a.verified) {
                    c.signals.push(
                        Severity::Warn,
                        "verification-record",
                        st,
                        email,
                        record.1.clone(),
                        Some(record.0.clone()),
                        format!(
                            "the verification record of {} is not new: {why}",
                            text::email(&a.email)
                        ),
                    );
                }
            }
            Some(a) => {
                // Same address, name and recipients: the record changes.
                c.signals.push(
                    Severity::Warn,
                    "verification-record",
                    st,
                    email,
                    old.map(|o| text::verification(o)),
                    Some(text::verification(a)),
                    format!(
                        "the verification record of {} changes",
                        text::email(&a.email)
                    ),
                );
            }
            None => c.signals.push(
                Severity::Warn,
                "account-removed",
                st,
                email,
                before.clone(),
                None,
                format!("{email} no longer receives {code}'s bundle"),
            ),
        }
        c.line(st, format!("account {}", text::email(email)), before, after);
        let (rb, ra) = (
            old.map(|a| text::verification(a)),
            new.map(|a| text::verification(a)),
        );
        if rb != ra && ra.is_some() {
            c.line(
                st,
                format!("verification record of {}", text::email(email)),
                rb,
                ra,
            );
        }
    }
    update_key(c, i, code);
    if i.base.update_signing_keys.get(code).map(|k| k.key_id())
        != i.head.update_signing_keys.get(code).map(|k| k.key_id())
    {
        touched = true;
    }
    // The Mission: the second channel for verification and reminders.
    if contact(
        c,
        "mission",
        st,
        ("mission", "the Permanent Mission's"),
        &x.mission,
        &y.mission,
    ) {
        touched = true;
    }
    if x.regional_networks != y.regional_networks {
        touched = true;
        let (before, after) = (
            text::strings(&x.regional_networks),
            text::strings(&y.regional_networks),
        );
        c.signals.push(
            Severity::Warn,
            "state-field",
            st,
            "regional_networks",
            Some(before.clone()),
            Some(after.clone()),
            format!("regional networks: {before} → {after}"),
        );
        c.line(st, "regional networks".into(), Some(before), Some(after));
    }
    // PoCs, by id.
    let xp: BTreeMap<&str, &Poc> = x
        .points_of_contact
        .iter()
        .map(|p| (p.id.as_str(), p))
        .collect();
    let yp: BTreeMap<&str, &Poc> = y
        .points_of_contact
        .iter()
        .map(|p| (p.id.as_str(), p))
        .collect();
    let mut contact_changed = false;
    let (mut added, mut removed) = (0, 0);
    for id in xp
        .keys()
        .chain(yp.keys())
        .copied()
        .collect::<BTreeSet<&str>>()
    {
        match (xp.get(id), yp.get(id)) {
            (None, Some(p)) => {
                added += 1;
                contact_changed = true;
                let all = text::poc(p);
                c.signals.push(
                    Severity::Warn,
                    "poc-added",
                    st,
                    &format!("poc {id}"),
                    None,
                    Some(format!("{all}; notes: {}", text::optional(&p.notes))),
                    format!("PoC `{id}` is added: {all}"),
                );
                c.line(st, format!("PoC `{id}` added"), None, Some(all));
            }
            (Some(p), None) => {
                removed += 1;
                contact_changed = true;
                let all = text::poc(p);
                c.signals.push(
                    Severity::Warn,
                    "poc-removed",
                    st,
                    &format!("poc {id}"),
                    Some(format!("{all}; notes: {}", text::optional(&p.notes))),
                    None,
                    format!("PoC `{id}` is removed: {all}"),
                );
                c.line(st, format!("PoC `{id}` removed"), Some(all), None);
            }
            (Some(p), Some(q)) if p != q => {
                for ((field, before), (_, after)) in
                    text::poc_fields(p).into_iter().zip(text::poc_fields(q))
                {
                    if before == after {
                        continue;
                    }
                    c.line(
                        st,
                        format!("PoC `{id}` — {field}"),
                        Some(before.clone()),
                        Some(after.clone()),
                    );
                    if field == "notes" {
                        let (tb, ta) =
                            (text::contact_tokens(&before), text::contact_tokens(&after));
                        let new: Vec<&String> = ta.difference(&tb).collect();
                        if !new.is_empty() {
                            c.signals.push(
                                Severity::Warn,
                                "poc-notes",
                                st,
                                &format!("poc {id} notes"),
                                Some(before),
                                Some(after),
                                format!(
                                    "the notes of PoC `{id}` now send their reader to {}",
                                    new.iter()
                                        .map(|s| s.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                            );
                        }
                        continue;
                    }
                    contact_changed = true;
                    c.signals.push(
                        Severity::Warn,
                        "poc-field",
                        st,
                        &format!("poc {id} {field}"),
                        Some(before.clone()),
                        Some(after.clone()),
                        format!("PoC `{id}` {field}: {before} → {after}"),
                    );
                }
            }
            _ => {}
        }
    }
    if x.points_of_contact != y.points_of_contact {
        touched = true;
    }
    if !x.points_of_contact.is_empty() && removed == x.points_of_contact.len() && added > 0 {
        c.signals.push(
            Severity::Warn,
            "all-replaced",
            st,
            "points_of_contact",
            Some(xp.keys().copied().collect::<Vec<_>>().join(", ")),
            Some(yp.keys().copied().collect::<Vec<_>>().join(", ")),
            format!("every PoC of {code} is replaced at once"),
        );
    }
    let mission_changed = x.mission != y.mission;
    // Provenance: a contact change needs a new, verified record.
    if x.provenance != y.provenance {
        touched = true;
        for p in y.provenance.iter().filter(|p| !x.provenance.contains(p)) {
            c.line(
                st,
                "provenance entry".into(),
                None,
                Some(format!(
                    "{} {} via {}, {:?}, verified {} by {}",
                    p.date, p.action, p.channel, p.reference, p.verified, p.verified_by
                )),
            );
        }
    }
    if contact_changed || mission_changed || x.regional_networks != y.regional_networks {
        let new_entries: Vec<_> = y
            .provenance
            .iter()
            .filter(|p| !x.provenance.contains(p))
            .collect();
        let fresh: Vec<_> = new_entries
            .iter()
            .filter(|p| new_record(i, &p.reference, p.verified).is_ok())
            .collect();
        if fresh.is_empty() {
            let why = new_entries
                .iter()
                .filter_map(|p| new_record(i, &p.reference, p.verified).err())
                .next()
                .map(|w| format!(" (the new entry is not a new record: {w})"))
                .unwrap_or_default();
            c.signals.push(
                Severity::Warn,
                "no-provenance",
                st,
                "provenance",
                None,
                new_entries
                    .last()
                    .map(|p| format!("{:?} {}", p.reference, p.verified)),
                format!("contact data of {code} changes without a new provenance record{why}"),
            );
        } else if let Some(last) = fresh.iter().max_by_key(|p| p.verified)
            && last.channel != "permanent_mission"
            && last.channel != "mfa"
        {
            c.signals.push(
                Severity::Warn,
                "channel",
                st,
                "provenance",
                None,
                Some(format!("{:?} via {}", last.reference, last.channel)),
                format!(
                    "the update of {code} was verified through `{}`, not the Permanent Mission or the MFA",
                    last.channel
                ),
            );
        }
    }
    // Domains of every new address (PoCs, Mission, accounts).
    let own: BTreeSet<String> = state_emails(x)
        .iter()
        .map(|e| domain::registrable(&text::email_domain(e)))
        .collect();
    for e in state_emails(y).difference(&state_emails(x)) {
        email_checks(c, st, e, &own, known);
    }
    // The State's own signature, checked with the base's key.
    let file = format!("{}/{code}.yaml", crate::directory::load::STATES_DIR);
    let file_changed = i
        .files
        .iter()
        .any(|f| f.path == file || f.path == format!("{file}.minisig"));
    if let Some(key) = i.base.update_signing_keys.get(code)
        && (touched || file_changed)
    {
        let sig = i.head.state_signature_texts.get(code);
        let data = i.head.sources.get(&file);
        let verdict = match (sig, data) {
            (Some(sig), Some(data)) => crate::sign::verify(key, sig, data.as_bytes()).is_ok(),
            _ => false,
        };
        let (severity, reason) = match (sig, verdict) {
            (_, true) => (
                Severity::Info,
                format!("{file} is signed by the State ({})", key.key_id()),
            ),
            (None, _) => (
                Severity::Warn,
                format!("{code} signs its updates, but {file}.minisig is missing"),
            ),
            (Some(_), false) => (
                Severity::Warn,
                format!(
                    "{file}.minisig does not verify with the key {code} registered in the base revision ({})",
                    key.key_id()
                ),
            ),
        };
        c.signals.push(
            severity,
            "state-signature",
            st,
            &file,
            None,
            Some(
                data.map(|d| crate::util::hash::sha256_hex(d.as_bytes()))
                    .unwrap_or_default(),
            ),
            reason,
        );
    }
    touched || file_changed
}

// --- Files -----------------------------------------------------------------------

fn files(c: &mut Compared, i: &Inputs) {
    for f in i.files {
        let oid = |t: &Tree| t.entries.get(&f.path).map(|e| e.oid.clone());
        let (before, after) = (oid(i.base_tree), oid(i.head_tree));
        let verb = match f.change {
            Change::Added => "is added",
            Change::Removed => "is removed",
            Change::Modified => "changes",
            Change::Mode => "changes mode",
        };
        let mut push = |severity, kind: &'static str, reason: String| {
            c.signals.push(
                severity,
                kind,
                None,
                &f.path,
                before.clone(),
                after.clone(),
                reason,
            )
        };
        if f.special == Some(Mode::Submodule) {
            push(
                Severity::Block,
                "submodule",
                format!(
                    "{} {verb}: a submodule brings in content no review shows",
                    f.path
                ),
            );
            continue;
        }
        if f.special == Some(Mode::Symlink) {
            push(
                Severity::Warn,
                "symlink",
                format!("{} {verb}: a symbolic link", f.path),
            );
        }
        match f.class {
            Class::Ci => push(
                Severity::Block,
                "ci",
                format!(
                    "{} {verb}: CI configuration is the review's gate itself",
                    f.path
                ),
            ),
            Class::GitConfig => push(Severity::Warn, "git-config", format!("{} {verb}", f.path)),
            Class::Pages => push(
                Severity::Warn,
                "page",
                format!(
                    "the page {} {verb}: it reaches every site and bundle",
                    f.path
                ),
            ),
            Class::Theme => push(
                Severity::Warn,
                "theme",
                format!(
                    "{} {verb}: the theme shapes every page of the site and every bundle's offline page",
                    f.path
                ),
            ),
            Class::ReferenceData => push(
                Severity::Warn,
                "reference-data",
                format!("the reference data {} {verb}", f.path),
            ),
            Class::DemoKeys => push(
                Severity::Warn,
                "demo-keys",
                format!("the published demo key {} {verb}", f.path),
            ),
            Class::Tool => push(
                Severity::Warn,
                "tool",
                format!("pocdir's own source {} {verb}: review it as code", f.path),
            ),
            Class::Other => push(
                Severity::Warn,
                "unclassified",
                format!(
                    "{} {verb}: pocdir does not know what this file is for",
                    f.path
                ),
            ),
            Class::SecretariatKey if f.path == crate::directory::load::SECRETARIAT_PUB => {
                // The key itself is compared above; a comment still shows.
                push(
                    Severity::Warn,
                    "secretariat-key-file",
                    format!("{} {verb}", f.path),
                )
            }
            Class::MailJournal => push(
                Severity::Info,
                "mail-journal",
                format!("the mail journal {verb}"),
            ),
            Class::ReceiptRecords => push(
                Severity::Info,
                "receipt-records",
                format!("the usage receipts {verb}"),
            ),
            Class::Nominations => push(
                Severity::Info,
                "nominations",
                format!("the nominations in progress ({}) {verb}", f.path),
            ),
            Class::PingCampaigns => push(
                Severity::Info,
                "ping-campaign",
                format!("the communication check {} {verb}", f.path),
            ),
            _ => {}
        }
        if f.class.shows_diff() {
            let read = |t: &Tree| t.read(&f.path).ok().flatten();
            let (x, y) = (read(i.base_tree), read(i.head_tree));
            let d = crate::review::paths::unified_diff(&f.path, x.as_deref(), y.as_deref())
                .unwrap_or_else(|| "(binary or too large to show)\n".into());
            c.diffs.push(Diff {
                path: f.path.clone(),
                diff: d,
            });
        }
    }
}
