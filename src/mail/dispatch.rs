//! Where prepared messages go, the one way every command (`mail`, `remind`,
//! `ping`) hands them over: `.eml` files in an outbox, a dry run that only
//! lists them (minus what the journal holds), or an SMTP server through
//! the journal. The caller prints the outcome.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::deliver::{self, Event, Sender, Status};
use super::journal::Journal;
use super::smtp::{self, Login};
use super::{MailError, Outgoing};

/// Where the messages go.
pub enum Route {
    /// One `.eml` per message into this folder, for a mail client.
    Outbox(PathBuf),
    /// Build and check every message, send nothing; with a journal, tell
    /// what was sent already.
    DryRun { journal: Option<PathBuf> },
    /// Through an SMTP server, recording each accepted message.
    Smtp(SmtpRoute),
}

pub struct SmtpRoute {
    /// `smtps://HOST[:PORT]` or `smtp://HOST[:PORT]`.
    pub url: String,
    pub login: Option<Login>,
    /// A CA certificate (PEM) to trust besides the usual roots.
    pub ca: Option<Vec<u8>>,
    pub journal: PathBuf,
    /// The pause between two messages (`--rate`).
    pub rate: Option<Duration>,
}

/// What happened to the messages.
pub enum Outcome<'a> {
    /// Each message, and whether the journal holds it already.
    DryRun(Vec<(&'a Outgoing, bool)>),
    /// The files written.
    Outbox(Vec<PathBuf>),
    /// One status per recipient, and the journal that records them.
    Sent {
        rows: Vec<(&'a Outgoing, Status)>,
        journal: PathBuf,
    },
}

impl Outcome<'_> {
    /// Every message went out, now or before (a dry run or an outbox
    /// always succeeds once written).
    pub fn complete(&self) -> bool {
        match self {
            Outcome::Sent { rows, .. } => {
                !rows.iter().any(|(_, s)| matches!(s, Status::Failed { .. }))
            }
            _ => true,
        }
    }
}

/// Stands in for the server when everything is in the journal already.
struct NoSender;

impl Sender for NoSender {
    fn send(&mut self, _: &str, _: &str, _: &[u8]) -> Result<String, MailError> {
        Err(MailError::Send("not connected".into()))
    }
}

/// Hand `msgs` over along `route`. An error means nothing was written or
/// sent (for SMTP: the connection, the journal or the settings failed
/// before the first message); a recipient refused by the server is a
/// `Status::Failed` row, not an error.
pub fn dispatch<'a>(
    msgs: &'a [Outgoing],
    route: Route,
    on: &mut dyn FnMut(Event),
) -> Result<Outcome<'a>, MailError> {
    match route {
        Route::DryRun { journal } => {
            let journal = journal.as_deref().map(Journal::read_only).transpose()?;
            Ok(Outcome::DryRun(
                msgs.iter()
                    .map(|m| {
                        let sent = journal.as_ref().is_some_and(|j| j.contains(&m.message_id));
                        (m, sent)
                    })
                    .collect(),
            ))
        }
        Route::Outbox(dir) => {
            let mut written = Vec::with_capacity(msgs.len());
            for m in msgs {
                let path = dir.join(&m.file_name);
                crate::output::file(&path, &m.eml)
                    .map_err(|e| MailError::Config(format!("writing {}: {e}", path.display())))?;
                written.push(path);
            }
            Ok(Outcome::Outbox(written))
        }
        Route::Smtp(r) => {
            let target = smtp::parse_url(&r.url, r.login.is_some())?;
            let mut journal = Journal::open(&r.journal)?;
            let pending = msgs
                .iter()
                .filter(|m| !journal.contains(&m.message_id))
                .count();
            let mut sender: Box<dyn Sender> = if pending == 0 {
                Box::new(NoSender)
            } else {
                Box::new(smtp::connect(&target, r.login, r.ca.as_deref())?)
            };
            let rows = deliver::deliver(
                msgs,
                sender.as_mut(),
                &mut journal,
                r.rate,
                &jiff::Timestamp::now,
                &mut std::thread::sleep,
                on,
            )?;
            Ok(Outcome::Sent {
                rows,
                journal: journal.path().to_path_buf(),
            })
        }
    }
}

/// The default journal of a directory: `ROOT/log/mail.jsonl`.
pub fn default_journal(root: &Path) -> PathBuf {
    root.join(super::journal::JOURNAL_FILE)
}
