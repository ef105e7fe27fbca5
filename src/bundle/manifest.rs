//! What a bundle says about itself: the manifest inside the tar, and the
//! trusted comment of its signature (readable, and signed, before
//! decryption). Parsing only; no crypto here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::util::error::message_error;
use crate::util::time::fmt_ts;

message_error!(
    /// A trusted comment that is not a pocdir bundle's.
    CommentError
);

/// The format tag of bundles sealed now (format 2: a gzip-compressed tar,
/// `<ISO3>.tar.gz.age`), in the trusted comment and the manifest.
pub const FORMAT: &str = "pocdir-bundle/2";
/// The format tag of format 1 bundles (an uncompressed tar,
/// `<ISO3>.tar.age`), still read by `open`.
pub const FORMAT_1: &str = "pocdir-bundle/1";

/// The format tag of format `n`.
pub fn format_tag(n: u8) -> &'static str {
    if n == 1 { FORMAT_1 } else { FORMAT }
}

/// The file name of `state`'s bundle in format `n`.
pub fn bundle_name(state: &str, n: u8) -> String {
    if n == 1 {
        format!("{state}.tar.age")
    } else {
        format!("{state}.tar.gz.age")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub title: String,
    pub state: String,
    pub seq: u64,
    pub issued: String,
    pub expires: String,
    /// Root hash of the directory version.
    pub root: String,
    /// SHA-256 (hex) of every other file of the bundle.
    pub files: BTreeMap<String, String>,
}

/// The signed facts of the trusted comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trusted {
    /// The bundle format, 1 or 2 (the comment's tag).
    pub format: u8,
    pub state: String,
    pub seq: u64,
    pub issued: jiff::Timestamp,
    pub expires: jiff::Timestamp,
    pub root: String,
}

impl Trusted {
    pub fn to_comment(&self) -> String {
        format!(
            "{} state={} seq={} issued={} expires={} root={}",
            format_tag(self.format),
            self.state,
            self.seq,
            fmt_ts(self.issued),
            fmt_ts(self.expires),
            self.root
        )
    }

    /// Parse a trusted comment strictly: the format tag, then exactly these
    /// five fields in this order.
    pub fn parse(s: &str) -> Result<Trusted, CommentError> {
        let mut parts = s.split(' ');
        let format = match parts.next() {
            Some(FORMAT) => 2,
            Some(FORMAT_1) => 1,
            _ => {
                return Err(format!(
                    "the trusted comment is not a {FORMAT} (or {FORMAT_1}) comment"
                )
                .into());
            }
        };
        let mut field = |name: &str| -> Result<String, String> {
            let p = parts
                .next()
                .ok_or_else(|| format!("the trusted comment lacks `{name}`"))?;
            p.strip_prefix(&format!("{name}="))
                .map(str::to_string)
                .ok_or_else(|| {
                    format!("the trusted comment has {p:?} where `{name}=` was expected")
                })
        };
        let state = field("state")?;
        let seq = field("seq")?;
        let issued = field("issued")?;
        let expires = field("expires")?;
        let root = field("root")?;
        if parts.next().is_some() {
            return Err("the trusted comment has extra fields".into());
        }
        if state.len() != 3 || !state.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(format!("the trusted comment names no State code: {state:?}").into());
        }
        if root.len() != 64 || !root.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err("the trusted comment's root hash is malformed".into());
        }
        Ok(Trusted {
            format,
            state,
            seq: seq
                .parse()
                .map_err(|_| format!("bad sequence number {seq:?}"))?,
            issued: issued
                .parse()
                .map_err(|_| format!("bad issue time {issued:?}"))?,
            expires: expires
                .parse()
                .map_err(|_| format!("bad expiry time {expires:?}"))?,
            root,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_comment_round_trip_and_strictness() {
        let t = Trusted {
            format: 2,
            state: "FRA".into(),
            seq: 7,
            issued: "2026-11-22T10:00:00Z".parse().unwrap(),
            expires: "2027-01-21T10:00:00Z".parse().unwrap(),
            root: "ab".repeat(32),
        };
        let c = t.to_comment();
        assert_eq!(Trusted::parse(&c).unwrap(), t);
        assert!(Trusted::parse(&c.replace("seq=7", "seq=x")).is_err());
        assert!(Trusted::parse(&format!("{c} extra=1")).is_err());
        assert!(Trusted::parse(&c.replace("state=FRA", "state=../")).is_err());
        assert!(Trusted::parse("timestamp:1 file:x").is_err());
        assert!(c.starts_with("pocdir-bundle/2 "));
        let old = c.replacen("pocdir-bundle/2", "pocdir-bundle/1", 1);
        assert_eq!(Trusted::parse(&old).unwrap().format, 1);
        assert_eq!(Trusted::parse(&old).unwrap().to_comment(), old);
        assert!(Trusted::parse(&c.replacen("/2", "/3", 1)).is_err());
    }
}
