//! Email: what pocdir sends (bundles, reminders, communication checks) and
//! how it goes out. Each file has one job:
//!
//! - `address.rs`: names and addresses that are safe for a header, with
//!   internationalised domains turned to their ASCII form;
//! - `bundles.rs`: one message per verified account, with the bundle and
//!   its signature attached, after the signature has been verified;
//! - `smtp.rs`: the `--smtp URL` (TLS rules, credentials) and the lettre
//!   transport;
//! - `journal.rs`: the record of every message a server accepted, which
//!   makes sending resumable and never twice;
//! - `deliver.rs`: the sending loop (journal first, pace, one outcome per
//!   recipient).
//!
//! Messages are built with lettre's builder: no hand-written MIME.

pub mod address;
pub mod bundles;
pub mod deliver;
pub mod dispatch;
pub mod journal;
pub mod smtp;

pub use address::{ascii_address, mailbox};
pub use bundles::{messages, verification_expired};

/// A State's account (or a State) that gets no message, and why: shown
/// as NOT SENT in the closing table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub state: StateCode,
    /// `None`: the State has no account at all.
    pub account: Option<String>,
    pub reason: String,
}

use crate::directory::model::StateCode;

/// What a message is, for the journal and the closing table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Bundle,
    Reminder,
    Ping,
    /// A follow-up of failed communication checks to a Permanent Mission.
    FollowUp,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Bundle => "bundle",
            Kind::Reminder => "reminder",
            Kind::Ping => "ping",
            Kind::FollowUp => "follow-up",
        }
    }
}

/// A message ready to go.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub kind: Kind,
    pub state: StateCode,
    /// The recipient as the directory holds it.
    pub account: String,
    /// Envelope sender and recipient (ASCII: domains in their IDNA form).
    pub envelope_from: String,
    pub envelope_to: String,
    /// What version of what was sent: "seq 3", a reminder's day, a ping's
    /// campaign and token.
    pub reference: String,
    /// SHA-256 of the attached bundle, for bundle messages.
    pub bundle_hash: Option<String>,
    /// Made from what the message is for (not from when it is built): the
    /// journal's key, so the same message is never sent twice.
    pub message_id: String,
    /// A file name for the outbox.
    pub file_name: String,
    pub eml: Vec<u8>,
}

#[derive(Debug)]
pub enum MailError {
    /// A bundle is missing, unsigned, or its signature does not verify.
    Bundle(String),
    /// An address or name cannot go into a header.
    Header(String),
    /// The SMTP URL, credentials or TLS settings are unusable.
    Config(String),
    /// The journal cannot be read, locked or written.
    Journal(String),
    /// The server or the network did not take one message (that recipient
    /// fails; the others go on).
    Send(String),
    /// The `--rate` value is not N/s, N/min or N/h.
    Rate(String),
}

impl std::fmt::Display for MailError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MailError::Bundle(m)
            | MailError::Header(m)
            | MailError::Config(m)
            | MailError::Journal(m)
            | MailError::Send(m)
            | MailError::Rate(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for MailError {}

/// The domain of the secretariat's address (ASCII), for Message-IDs.
pub fn id_domain(secretariat_email: &str) -> String {
    ascii_address(secretariat_email)
        .ok()
        .and_then(|a| a.rsplit_once('@').map(|(_, d)| d.to_string()))
        .unwrap_or_else(|| "secretariat.example".to_string())
}

/// A file name made of the State and the address, safe on every system:
/// `@` becomes `_`; an address with any other character outside letters,
/// digits, `.`, `-` and `_` gets a short hash, so two addresses never
/// share a file.
pub fn file_name(prefix: &str, account: &str) -> String {
    let mut changed = false;
    let safe: String = account
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                changed |= c != '@';
                '_'
            }
        })
        .collect();
    if changed {
        let h = crate::util::hash::sha256_hex(account.as_bytes());
        format!("{prefix}-{safe}-{}.eml", &h[..8])
    } else {
        format!("{prefix}-{safe}.eml")
    }
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn file_names_are_safe_and_never_shared() {
        assert_eq!(file_name("FRA", "poc@x.example"), "FRA-poc_x.example.eml");
        let a = file_name("FRA", "a+b@x.example");
        let b = file_name("FRA", "a_b@x.example");
        assert_ne!(a, b);
        assert!(
            a.starts_with("FRA-a_b_x.example-") && a.ends_with(".eml"),
            "{a}"
        );
        let c = file_name("FRA", "../../etc/passwd@x.example");
        assert!(!c.contains('/'), "{c}");
    }
}
