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

pub const FORMAT: &str = "pocdir-bundle/1";

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
    pub state: String,
    pub seq: u64,
    pub issued: jiff::Timestamp,
    pub expires: jiff::Timestamp,
    pub root: String,
}

impl Trusted {
    pub fn to_comment(&self) -> String {
        format!(
            "{FORMAT} state={} seq={} issued={} expires={} root={}",
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
        if parts.next() != Some(FORMAT) {
            return Err(format!("the trusted comment is not a {FORMAT} comment").into());
        }
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
    }
}
