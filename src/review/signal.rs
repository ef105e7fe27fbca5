//! A review's signals: what a reviewer must weigh, each bound to the exact
//! change it is about (kind, State, subject, before and after values), so
//! an acknowledgement of one change never covers another.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warn,
    Block,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Signal {
    /// The first 16 hex digits of [`Signal::digest`]: what a reviewer
    /// names in `pocdir review --acknowledge ID`.
    pub id: String,
    /// SHA-256 (hex) of the change: what an acknowledgement signs.
    pub digest: String,
    pub severity: Severity,
    pub kind: &'static str,
    pub state: Option<String>,
    /// What changes: a file, a PoC's field, an account, a setting.
    pub subject: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub reason: String,
    /// Reviewers whose valid acknowledgement lifts this signal.
    pub acknowledged_by: Vec<String>,
}

impl Signal {
    pub fn acknowledged(&self) -> bool {
        !self.acknowledged_by.is_empty()
    }
}

/// The digest of a change: every part length-prefixed, so no two
/// different changes share an encoding.
pub fn digest(
    kind: &str,
    state: Option<&str>,
    subject: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> String {
    let mut enc = String::from("pocdir-signal/1\n");
    for part in [Some(kind), state, Some(subject), before, after] {
        match part {
            Some(p) => enc.push_str(&format!("{}:{p}\n", p.len())),
            None => enc.push_str("-\n"),
        }
    }
    crate::util::hash::sha256_hex(enc.as_bytes())
}

/// Signals as they are found; sorted when done.
#[derive(Default)]
pub struct Signals(pub Vec<Signal>);

impl Signals {
    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        severity: Severity,
        kind: &'static str,
        state: Option<&str>,
        subject: &str,
        before: Option<String>,
        after: Option<String>,
        reason: String,
    ) {
        let digest = digest(kind, state, subject, before.as_deref(), after.as_deref());
        if self.0.iter().any(|s| s.digest == digest) {
            return;
        }
        self.0.push(Signal {
            id: digest[..16].to_string(),
            digest,
            severity,
            kind,
            state: state.map(str::to_string),
            subject: subject.to_string(),
            before,
            after,
            reason,
            acknowledged_by: Vec::new(),
        });
    }

    /// Blocks first, then by State, kind and subject.
    pub fn finish(mut self) -> Vec<Signal> {
        self.0.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.state.cmp(&b.state))
                .then(a.kind.cmp(b.kind))
                .then(a.subject.cmp(&b.subject))
                .then(a.digest.cmp(&b.digest))
        });
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_binds_every_part() {
        let d = digest("accounts", Some("FRA"), "a@x", Some("k1"), Some("k2"));
        assert_ne!(
            d,
            digest("accounts", Some("FRA"), "a@x", Some("k1"), Some("k3"))
        );
        assert_ne!(
            d,
            digest("accounts", Some("DEU"), "a@x", Some("k1"), Some("k2"))
        );
        assert_ne!(d, digest("accounts", Some("FRA"), "a@x", None, Some("k2")));
        // No ambiguity between the parts.
        assert_ne!(
            digest("k", None, "ab", Some("c"), None),
            digest("k", None, "a", Some("bc"), None)
        );
        assert_eq!(d.len(), 64);
    }
}
