//! The receipts the secretariat collected: `log/receipts.jsonl`, one JSON
//! line per message that carried a receipt line (confirmed, duplicate or
//! flagged), sorted by message id, rewritten whole (atomically) by each
//! `receipts collect`, so collecting the same mailbox twice changes
//! nothing.
//!
//! It lives beside the mail journal (`log/mail.jsonl`), not under
//! `content/`: like the journal it is state the tool records, not content a
//! reviewer writes, and it reaches no page, export or bundle by itself
//! (`receipts report` reads it; the site's page is not made yet).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::ReceiptError;

/// The records, relative to the directory's root.
pub const RECEIPTS_FILE: &str = "log/receipts.jsonl";
/// Largest records file read.
pub const MAX_RECORDS: u64 = 64 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The code is the one sealed into that State's bundle of that
    /// version, received while it was the current version: counted.
    Confirmed,
    /// A later receipt for a State and version already confirmed.
    Duplicate,
    /// Not counted; `reason` says why.
    Flagged,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub message_id: String,
    /// When the secretariat's own system received it (RFC 3339, UTC),
    /// never the sender's Date; `None` when the mailbox says nothing.
    pub received_at: Option<String>,
    /// Where `received_at` came from: `mbox-from-line` or
    /// `maildir-delivery`.
    pub received_by: String,
    /// The From address, as written (not trusted: the code is).
    pub from: String,
    pub state: Option<String>,
    pub seq: Option<u64>,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Records by message id.
pub type Records = BTreeMap<String, Record>;

/// Read the records (none if the file does not exist).
pub fn read(path: &Path) -> Result<Records, ReceiptError> {
    use std::io::Read;
    let f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Records::new()),
        Err(e) => return Err(format!("{}: {e}", path.display()).into()),
    };
    let mut text = String::new();
    f.take(MAX_RECORDS + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if text.len() as u64 > MAX_RECORDS {
        return Err(format!("{} is larger than {MAX_RECORDS} bytes", path.display()).into());
    }
    let mut out = Records::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let r: Record = serde_json::from_str(line)
            .map_err(|e| format!("{} line {}: {e}", path.display(), i + 1))?;
        out.insert(r.message_id.clone(), r);
    }
    Ok(out)
}

/// The file's text: one line per record, by message id.
pub fn text(records: &Records) -> String {
    let mut out = String::new();
    for r in records.values() {
        out.push_str(&serde_json::to_string(r).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// Write the records atomically.
pub fn write(path: &Path, records: &Records) -> Result<(), ReceiptError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    crate::output::file(path, text(records).as_bytes())
        .map_err(|e| ReceiptError(format!("writing {}: {e}", path.display())))
}
