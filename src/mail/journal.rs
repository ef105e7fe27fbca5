//! The mail journal: one JSON line per message a server accepted (kind,
//! State, account, what was sent, bundle hash, Message-ID, time, the
//! server's reply), written and flushed to disk as soon as the server says
//! yes. Sending skips every Message-ID already in it, so a run cut short by
//! a crash, a network error or a refusal is resumed by running the same
//! command again, and nothing goes twice.
//!
//! The file is locked while a run uses it: two runs at once (two staff
//! members on one checkout) cannot interleave. The lock is the operating
//! system's, so a crashed run leaves none behind.
//!
//! One gap cannot be closed from the sender's side: a crash between the
//! server's acceptance and the journal write would send that one message
//! again. Its Message-ID is the same, so mail clients show it once.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::MailError;

/// The default journal, relative to the directory's root.
pub const JOURNAL_FILE: &str = "log/mail.jsonl";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub message_id: String,
    pub kind: String,
    pub state: String,
    pub account: String,
    pub reference: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle_sha256: Option<String>,
    /// RFC 3339, UTC.
    pub sent_at: String,
    /// The server's reply to the message's data, e.g. "250 2.0.0 Ok".
    pub reply: String,
}

pub struct Journal {
    path: PathBuf,
    /// `None` for a read-only view (a dry run).
    file: Option<File>,
    sent: BTreeSet<String>,
    entries: Vec<Entry>,
    /// The file ends without a newline (a write cut short).
    needs_newline: bool,
}

fn err(path: &Path, m: impl std::fmt::Display) -> MailError {
    MailError::Journal(format!("{}: {m}", path.display()))
}

/// How the file ends.
enum Tail {
    Clean,
    /// A whole entry whose newline was not written.
    MissingNewline,
    /// A line cut short by a crash, starting at this byte: that message's
    /// server reply never reached the journal (see the module's doc).
    Torn(usize),
}

fn parse(path: &Path, text: &str) -> Result<(Vec<Entry>, Tail), MailError> {
    let mut entries = Vec::new();
    let mut offset = 0;
    let mut lines = text.split_inclusive('\n').enumerate().peekable();
    while let Some((i, line)) = lines.next() {
        let start = offset;
        offset += line.len();
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Entry>(line) {
            Ok(e) if line.ends_with('\n') => entries.push(e),
            Ok(e) => {
                entries.push(e);
                return Ok((entries, Tail::MissingNewline));
            }
            Err(_) if lines.peek().is_none() && !line.ends_with('\n') => {
                return Ok((entries, Tail::Torn(start)));
            }
            Err(e) => return Err(err(path, format!("line {}: {e}", i + 1))),
        }
    }
    Ok((entries, Tail::Clean))
}

impl Journal {
    /// Open (creating it and its folder if needed) and lock the journal.
    pub fn open(path: &Path) -> Result<Journal, MailError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| err(parent, e))?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(|e| err(path, e))?;
        file.try_lock().map_err(|_| {
            err(
                path,
                "another pocdir run is using this journal; wait for it to finish",
            )
        })?;
        let mut text = String::new();
        file.read_to_string(&mut text).map_err(|e| err(path, e))?;
        let (entries, torn) = parse(path, &text)?;
        let mut needs_newline = false;
        match torn {
            Tail::MissingNewline => needs_newline = true,
            // Drop the torn line, so that the next entry starts clean.
            Tail::Torn(start) => file.set_len(start as u64).map_err(|e| err(path, e))?,
            Tail::Clean => {}
        }
        Ok(Journal {
            path: path.to_path_buf(),
            file: Some(file),
            sent: entries.iter().map(|e| e.message_id.clone()).collect(),
            entries,
            needs_newline,
        })
    }

    /// Read the journal without creating or locking it (a dry run).
    pub fn read_only(path: &Path) -> Result<Journal, MailError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(err(path, e)),
        };
        let (entries, _) = parse(path, &text)?;
        Ok(Journal {
            path: path.to_path_buf(),
            file: None,
            sent: entries.iter().map(|e| e.message_id.clone()).collect(),
            entries,
            needs_newline: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn contains(&self, message_id: &str) -> bool {
        self.sent.contains(message_id)
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Append one entry and flush it to disk before returning.
    pub fn record(&mut self, e: Entry) -> Result<(), MailError> {
        let Some(file) = self.file.as_mut() else {
            return Err(err(&self.path, "opened read-only"));
        };
        let mut line = serde_json::to_string(&e).map_err(|x| err(&self.path, x))?;
        line.push('\n');
        if self.needs_newline {
            line.insert(0, '\n');
        }
        file.write_all(line.as_bytes())
            .and_then(|()| file.sync_data())
            .map_err(|x| err(&self.path, x))?;
        self.needs_newline = false;
        self.sent.insert(e.message_id.clone());
        self.entries.push(e);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str) -> Entry {
        Entry {
            message_id: id.into(),
            kind: "bundle".into(),
            state: "FRA".into(),
            account: "a@b.example".into(),
            reference: "seq 1".into(),
            bundle_sha256: None,
            sent_at: "2026-11-22T00:00:00Z".into(),
            reply: "250 Ok".into(),
        }
    }

    #[test]
    fn entries_survive_reopening_and_a_torn_last_line_is_dropped() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("log/mail.jsonl");
        {
            let mut j = Journal::open(&p).unwrap();
            j.record(entry("<1@x>")).unwrap();
        }
        // A crash in the middle of the next write.
        let mut f = OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(b"{\"message_id\":\"<2@x").unwrap();
        drop(f);
        let mut j = Journal::open(&p).unwrap();
        assert!(j.contains("<1@x>"));
        assert!(!j.contains("<2@x>"));
        j.record(entry("<3@x>")).unwrap();
        drop(j);
        let j = Journal::read_only(&p).unwrap();
        assert_eq!(j.entries().len(), 2);
        assert!(j.contains("<3@x>"));
    }

    #[test]
    fn a_damaged_line_in_the_middle_is_an_error_naming_it() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("mail.jsonl");
        std::fs::write(&p, "garbage\n{}\n").unwrap();
        let e = Journal::open(&p).err().unwrap().to_string();
        assert!(e.contains("line 1"), "{e}");
    }

    #[test]
    fn a_second_run_cannot_use_a_locked_journal() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("mail.jsonl");
        let _first = Journal::open(&p).unwrap();
        let e = Journal::open(&p).err().unwrap().to_string();
        assert!(e.contains("another pocdir run"), "{e}");
    }
}
