//! Usage receipts (issue #15): does anyone open the directory?
//!
//! Each bundle carries, inside the encryption, a receipt code for its
//! State and version. `pocdir open` shows it as one line
//! (`pocdir-receipt/1 FRA 7 <code>`) that the recipient sends back to the
//! secretariat; `receipts collect` reads the secretariat's mailbox and
//! records which State confirmed which version and when, counting a
//! receipt only when its code is the one sealed into that State's bundle
//! of that version.
//!
//! The code is not fresh randomness (a bundle's plaintext must be the same
//! bytes for the same version): it is HMAC-SHA256, keyed by a key derived
//! from the secretariat's signing key under its own label
//! ([`KEY_LABEL`]), over the State, the sequence and the root hash,
//! truncated to 128 bits. Strangers cannot compute it; the secretariat
//! recomputes it when collecting (so `collect` needs the signing key,
//! like `build`), and no list of codes is kept anywhere.
//!
//! The code is carried in README.txt (a block whose lines [`from_readme`]
//! reads back), not as a new manifest field: the manifest is read with
//! `deny_unknown_fields`, so a new field would make every earlier pocdir
//! refuse format 2 bundles sealed now; README.txt is an opaque, hashed
//! file to them.
//!
//! `collect.rs`: the mailbox read and judged; `record.rs`: the records
//! (`log/receipts.jsonl`); `report.rs`: the figures; `eml.rs`: the ready
//! message `open --receipt` writes.

pub mod collect;
pub mod eml;
pub mod record;
pub mod report;

use zeroize::Zeroizing;

use crate::util::error::message_error;

message_error!(
    /// Receipts could not be read, judged, recorded or written.
    ReceiptError
);

/// The tag every receipt line starts with.
pub const TAG: &str = "pocdir-receipt/1";
/// The derivation label of the receipt key (never the signing key as is).
pub const KEY_LABEL: &[u8] = b"pocdir receipt codes v1";
/// Hex digits of a code (128 bits).
pub const CODE_LEN: usize = 32;

/// The key receipt codes are made with: derived from the secretariat's
/// signing key, wiped on drop, never printed.
pub struct ReceiptKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for ReceiptKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReceiptKey(..)")
    }
}

impl ReceiptKey {
    pub fn from_signing_key(key: &crate::sign::SigningKey) -> ReceiptKey {
        ReceiptKey(key.derive(KEY_LABEL))
    }

    /// The code of `state`'s bundle of version `seq` with root `root`.
    pub fn code(&self, state: &str, seq: u64, root: &str) -> String {
        let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &self.0[..]);
        let msg = format!("{TAG}\n{state}\n{seq}\n{root}\n");
        let tag = ring::hmac::sign(&k, msg.as_bytes());
        tag.as_ref()[..CODE_LEN / 2]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Whether `given` is the code of (`state`, `seq`, `root`), compared
    /// in constant time.
    pub fn matches(&self, given: &str, state: &str, seq: u64, root: &str) -> bool {
        let want = self.code(state, seq, root);
        want.len() == given.len()
            && want
                .bytes()
                .zip(given.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

/// One receipt: what the recipient sends back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    pub state: String,
    pub seq: u64,
    pub code: String,
}

impl Receipt {
    /// The one line: `pocdir-receipt/1 FRA 7 <code>`.
    pub fn line(&self) -> String {
        format!("{TAG} {} {} {}", self.state, self.seq, self.code)
    }

    /// Parse a receipt line strictly (surrounding blanks allowed): the
    /// tag, a State code, a sequence, a code of 32 lower-case hex digits.
    pub fn parse(line: &str) -> Result<Receipt, ReceiptError> {
        let mut parts = line.split_ascii_whitespace();
        if parts.next() != Some(TAG) {
            return Err(format!("not a {TAG} line").into());
        }
        let state = parts.next().unwrap_or("");
        let seq = parts.next().unwrap_or("");
        let code = parts.next().unwrap_or("");
        if parts.next().is_some() {
            return Err("the receipt line has extra words".into());
        }
        if state.len() != 3 || !state.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err("the receipt line names no State code".into());
        }
        let seq: u64 = seq
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or("the receipt line has no version number")?;
        if code.len() != CODE_LEN || !code.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err("the receipt code is not 32 hexadecimal digits".into());
        }
        Ok(Receipt {
            state: state.to_string(),
            seq,
            code: code.to_string(),
        })
    }

    /// The first receipt line in `text` (a mail body, quoted or not):
    /// `None` if there is none, the error of the first malformed one.
    pub fn find(text: &str) -> Option<Result<Receipt, ReceiptError>> {
        let mut first_error = None;
        for l in text.lines() {
            let l = l.trim_start_matches(|c: char| c == '>' || c.is_whitespace());
            if l.starts_with(TAG) {
                match Receipt::parse(l) {
                    Ok(r) => return Some(Ok(r)),
                    Err(e) => {
                        first_error.get_or_insert(e);
                    }
                }
            }
        }
        first_error.map(Err)
    }
}

/// The line of README.txt that names where receipts go (a URI: the same
/// in every language). Bundles sealed before issue 17 wrote
/// `LEGACY_TO_PREFIX`, still read.
const TO_PREFIX: &str = "  mailto:";
const LEGACY_TO_PREFIX: &str = "  send to: ";

/// The receipt block of a State's README.txt, the same in every language
/// (README's text explains it): the line to send back and where to send
/// it.
pub fn readme_block(receipt: &Receipt, secretariat_email: &str) -> String {
    format!(
        "\n[receipt]\n\
         \x20 {line}\n\
         {TO_PREFIX}{to}\n",
        line = receipt.line(),
        to = secretariat_email,
    )
}

/// The receipt and the secretariat's address (ASCII form) read back from
/// README.txt (`None` for a bundle sealed before receipts, or without the
/// block, or with an address that is not header-safe).
pub fn from_readme(readme: &str) -> Option<(Receipt, String)> {
    let mut lines = readme.lines();
    while let Some(l) = lines.next() {
        if let Some(rest) = l.strip_prefix("  ")
            && rest.starts_with(TAG)
        {
            let r = Receipt::parse(rest).ok()?;
            let next = lines.next()?;
            let to = next
                .strip_prefix(TO_PREFIX)
                .or_else(|| next.strip_prefix(LEGACY_TO_PREFIX))?
                .trim();
            // The ASCII form (IDNA): header-safe, and nothing but ASCII
            // reaches the terminal.
            let to = crate::mail::ascii_address(to).ok()?;
            return Some((r, to));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_parse_strictly() {
        let r = Receipt {
            state: "FRA".into(),
            seq: 7,
            code: "0123456789abcdef0123456789abcdef".into(),
        };
        assert_eq!(Receipt::parse(&r.line()).unwrap(), r);
        assert!(Receipt::parse(&r.line().replace("FRA", "fra")).is_err());
        assert!(Receipt::parse(&format!("{} x", r.line())).is_err());
        assert!(Receipt::parse(&r.line().replace(" 7 ", " 0 ")).is_err());
        assert!(Receipt::parse(&r.line()[..r.line().len() - 1]).is_err());
        let quoted = format!("Hello,\n> > {}\nthanks", r.line());
        assert_eq!(Receipt::find(&quoted).unwrap().unwrap(), r);
        assert!(Receipt::find("nothing here").is_none());
        let block = readme_block(&r, "poc@secretariat.example");
        assert_eq!(
            from_readme(&format!("intro\n{block}more\n")),
            Some((r, "poc@secretariat.example".into()))
        );
        assert_eq!(from_readme("no block"), None);
        let injected = block.replace(
            "poc@secretariat.example",
            "poc@secretariat.example\rBcc: all@x.example",
        );
        assert_eq!(from_readme(&injected), None);
    }
}
