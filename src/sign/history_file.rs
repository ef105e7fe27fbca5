//! The key history as one JSON file (issue #18): where it starts and the
//! statements with their signature files. The same format travels beside
//! every bundle and in every delivery mail (`key-history.json`), inside
//! every bundle, on the site, and in a reader's state folder (the record
//! `pocdir open` verifies again on every run). Reading it verifies it.

use serde::{Deserialize, Serialize};

use crate::sign::PublicKey;
use crate::sign::rotation::{KeyHistory, KeySet, MAX_ROTATION_STEPS, Statement};

/// The format tag.
pub const FORMAT: &str = "pocdir-key-history/2";
/// The format of state folders written before numbered statements: read
/// only when it records no rotation.
pub const FORMAT_1: &str = "pocdir-key-history/1";
/// The file's name beside bundles, in mail and inside bundles.
pub const FILE_NAME: &str = "key-history.json";
/// The largest file read.
pub const MAX_BYTES: u64 = 1024 * 1024;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct HistoryFile {
    /// `pocdir-key-history/2`.
    pub format: String,
    /// The set the history starts from.
    pub start: StartSet,
    /// The statements followed from it, in order.
    pub statements: Vec<StatementEntry>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct StartSet {
    /// 1 for the anchor; 0 for a reader's pin of unknown version.
    pub version: u64,
    /// minisign's base64 lines.
    pub keys: Vec<String>,
    pub threshold: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct StatementEntry {
    pub statement: String,
    pub signatures: Vec<String>,
}

/// The record of earlier state folders.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryFile1 {
    format: String,
    first_key: String,
    rotations: Vec<serde_json::Value>,
}

fn b64_key(s: &str) -> Result<PublicKey, String> {
    PublicKey::from_base64(s)
        .ok()
        .filter(|k| k.to_base64() == s)
        .ok_or_else(|| "a key is not a minisign public key".to_string())
}

impl HistoryFile {
    /// The file of a history.
    pub fn of(h: &KeyHistory) -> HistoryFile {
        let s = h.start();
        HistoryFile {
            format: FORMAT.into(),
            start: StartSet {
                version: s.version,
                keys: s.keys.iter().map(PublicKey::to_base64).collect(),
                threshold: s.threshold,
                date: s.date.clone(),
                expires: s.expires.clone(),
            },
            statements: h
                .statements()
                .iter()
                .map(|st| StatementEntry {
                    statement: String::from_utf8_lossy(&st.text).into_owned(),
                    signatures: st.signatures.clone(),
                })
                .collect(),
        }
    }

    /// Parse a file's text (this format, or an earlier state folder's with
    /// no rotation).
    pub fn parse(text: &str) -> Result<HistoryFile, String> {
        if let Ok(f) = serde_json::from_str::<HistoryFile>(text) {
            if f.format != FORMAT {
                return Err(format!("its format is not {FORMAT}"));
            }
            return Ok(f);
        }
        let old: HistoryFile1 = serde_json::from_str(text)
            .map_err(|_| "it is not the JSON pocdir writes there".to_string())?;
        if old.format != FORMAT_1 {
            return Err(format!("its format is not {FORMAT}"));
        }
        if !old.rotations.is_empty() {
            return Err(format!(
                "it records rotations in the format of an earlier pocdir ({FORMAT_1}), which this one no longer follows"
            ));
        }
        b64_key(&old.first_key)?;
        Ok(HistoryFile {
            format: FORMAT.into(),
            start: StartSet {
                version: 0,
                keys: vec![old.first_key],
                threshold: 1,
                date: None,
                expires: None,
            },
            statements: Vec::new(),
        })
    }

    /// The statements it carries.
    pub fn statements(&self) -> Vec<Statement> {
        self.statements
            .iter()
            .map(|e| Statement {
                text: e.statement.clone().into_bytes(),
                signatures: e.signatures.clone(),
            })
            .collect()
    }

    /// The history it records, verified from its start (for a reader's own
    /// record, whose start it trusts).
    pub fn history(&self) -> Result<KeyHistory, String> {
        if self.statements.len() > MAX_ROTATION_STEPS {
            return Err("too many statements".into());
        }
        let keys = self
            .start
            .keys
            .iter()
            .map(|k| b64_key(k))
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() || self.start.threshold == 0 || self.start.threshold > keys.len() {
            return Err("its start is not a key set".into());
        }
        let start = KeySet {
            version: self.start.version,
            keys,
            threshold: self.start.threshold,
            date: self.start.date.clone(),
            expires: self.start.expires.clone(),
        };
        KeyHistory::from_record(start, self.statements()).map_err(|e| e.to_string())
    }

    /// The file's text.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }
}
