//! Acknowledgements: a reviewer lifts a block signal by signing the
//! signal's digest with their key (`keys/reviewers/<login>.pub` of the
//! **base** revision), in a file `reviews/<id>.<login>.minisig` that the
//! pull request adds. A minisign signature over
//! `pocdir-acknowledge/1 <digest>\n`, checkable with the stock tool:
//!
//! ```text
//! printf 'pocdir-acknowledge/1 %s\n' DIGEST | minisign -V -p keys/reviewers/LOGIN.pub -x reviews/ID.LOGIN.minisig -m -
//! ```
//!
//! What lifts nothing, and is reported as such: a signature by a key the
//! base does not list (a key the pull request adds included), by the
//! reviewer who proposed the change (two-person rule), over another
//! change (stale: the digest binds kind, State, subject, before and after)
//! or an acknowledgement already in the base.

use serde::Serialize;

use crate::directory::Reviewer;
use crate::review::paths::{Change, FileChange};
use crate::review::signal::{Severity, Signal};
use crate::review::tree::Tree;

/// Where acknowledgements live in the repository.
pub const DIR: &str = "reviews";

/// The bytes a reviewer signs to acknowledge the change with `digest`.
pub fn message(digest: &str) -> Vec<u8> {
    format!("pocdir-acknowledge/1 {digest}\n").into_bytes()
}

/// The file an acknowledgement of signal `id` by `login` is written to.
pub fn path(id: &str, login: &str) -> String {
    format!("{DIR}/{id}.{login}.minisig")
}

/// The trusted comment of an acknowledgement (signed too).
pub fn trusted_comment(s: &Signal, login: &str) -> String {
    format!(
        "pocdir acknowledgement by {login} of {} {} ({}) {}",
        s.kind,
        s.id,
        s.state.as_deref().unwrap_or("directory"),
        s.subject.replace(['\r', '\n'], " ")
    )
}

/// What became of one acknowledgement file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Valid: lifts its signal.
    Valid,
    /// Made by the reviewer who proposed the change: lifts nothing.
    SelfAcknowledged,
    /// No reviewer of that login in the base revision.
    UnknownReviewer,
    /// The signature does not verify with the reviewer's base key over
    /// the signal's digest.
    BadSignature,
    /// No signal of this review has that id: an acknowledgement of
    /// another change.
    Stale,
    /// The name is not `reviews/<id>.<login>.minisig`.
    Malformed,
}

#[derive(Clone, Debug, Serialize)]
pub struct Acknowledgement {
    pub path: String,
    pub login: Option<String>,
    pub id: Option<String>,
    pub status: Status,
}

/// `reviews/<16 hex>.<login>.minisig` → (id, login).
fn parse_name(path: &str) -> Option<(String, String)> {
    let name = path.strip_prefix(DIR)?.strip_prefix('/')?;
    let stem = name.strip_suffix(".minisig")?;
    let (id, login) = stem.split_once('.')?;
    let hex = id.len() == 16 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    (hex && crate::directory::validate::fields::is_login(login))
        .then(|| (id.to_string(), login.to_string()))
}

/// Check the acknowledgements the change adds (files added or changed
/// under `reviews/`) against the base's reviewers, and mark the signals
/// they lift. `proposed_by`: the login of who proposed the change.
pub fn apply(
    signals: &mut [Signal],
    files: &[FileChange],
    head: &Tree,
    reviewers: &[Reviewer],
    proposed_by: Option<&str>,
) -> Vec<Acknowledgement> {
    let mut out = Vec::new();
    for f in files {
        if !f.path.starts_with(&format!("{DIR}/")) || f.change == Change::Removed {
            continue;
        }
        let Some((id, login)) = parse_name(&f.path) else {
            if f.path.ends_with(".minisig") {
                out.push(Acknowledgement {
                    path: f.path.clone(),
                    login: None,
                    id: None,
                    status: Status::Malformed,
                });
            }
            continue;
        };
        let status = (|| {
            let Some(r) = reviewers
                .iter()
                .find(|r| r.login.eq_ignore_ascii_case(&login))
            else {
                return Status::UnknownReviewer;
            };
            let Some(s) = signals.iter_mut().find(|s| s.id == id) else {
                return Status::Stale;
            };
            let Some(sig) = head.text(&f.path) else {
                return Status::BadSignature;
            };
            if crate::sign::verify(&r.key, &sig, &message(&s.digest)).is_err() {
                return Status::BadSignature;
            }
            if proposed_by.is_some_and(|p| p.eq_ignore_ascii_case(&r.login)) {
                return Status::SelfAcknowledged;
            }
            if !s.acknowledged_by.contains(&r.login) {
                s.acknowledged_by.push(r.login.clone());
            }
            Status::Valid
        })();
        out.push(Acknowledgement {
            path: f.path.clone(),
            login: Some(login),
            id: Some(id),
            status,
        });
    }
    out
}

/// Whether an unacknowledged block signal remains.
pub fn blocked(signals: &[Signal]) -> bool {
    signals
        .iter()
        .any(|s| s.severity == Severity::Block && !s.acknowledged())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_id_and_login() {
        assert_eq!(
            parse_name("reviews/0123456789abcdef.alice.minisig"),
            Some(("0123456789abcdef".into(), "alice".into()))
        );
        assert_eq!(
            parse_name("reviews/0123456789abcdef.a.b-c.minisig"),
            Some(("0123456789abcdef".into(), "a.b-c".into()))
        );
        for bad in [
            "reviews/0123456789ABCDEF.alice.minisig",
            "reviews/0123.alice.minisig",
            "reviews/0123456789abcdef.minisig",
            "reviews/0123456789abcdef.al ice.minisig",
            "reviews/x/0123456789abcdef.alice.minisig",
            "other/0123456789abcdef.alice.minisig",
        ] {
            assert_eq!(parse_name(bad), None, "{bad}");
        }
    }
}
