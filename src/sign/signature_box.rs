//! A minisign signature file, parsed and verified:
//!
//! ```text
//! untrusted comment: <anything>
//! <base64: algorithm (2) · key id (8) · Ed25519 signature (64)>
//! trusted comment: <the comment>
//! <base64: the global signature (64)>
//! ```
//!
//! The algorithm is `ED` (the signature is over the BLAKE2b-512 hash of the
//! data: prehashed) or the legacy `Ed` (over the data itself). The global
//! signature is over the signature (64 bytes) followed by the trusted
//! comment, which binds the comment. Both are verified with
//! `ed25519_dalek::VerifyingKey::verify_strict`.
//!
//! Read as the `minisign` tool reads it: the first four lines (LF or CRLF
//! endings; any further line is ignored), the base64 lines may carry spaces
//! around them, the trusted comment is taken exactly as written (its
//! spaces are signed). pocdir's policy: legacy signatures are parsed (their
//! key id can be read) but never verified.

use base64::Engine;

use super::public_key::PublicKey;

const UNTRUSTED_PREFIX: &str = "untrusted comment: ";
const TRUSTED_PREFIX: &str = "trusted comment: ";

/// The signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// `ED`: Ed25519 over the BLAKE2b-512 hash of the data.
    Prehashed,
    /// `Ed`: Ed25519 over the data itself (minisign before 0.8).
    Legacy,
}

/// Why a signature file is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// Fewer than four lines, or a comment line without its prefix.
    Layout(&'static str),
    /// The signature or global signature line is not base64.
    Base64,
    /// The signature line is not 74 bytes, or the global signature not 64.
    Length,
    /// The algorithm is neither `ED` nor `Ed`.
    Algorithm,
    /// Made with another key (its stored key id).
    OtherKey([u8; 8]),
    /// A legacy (`Ed`) signature: pocdir verifies prehashed ones only.
    Legacy,
    /// The signature of the data does not verify.
    BadSignature,
    /// The global signature does not verify: the trusted comment (or the
    /// signature) was altered.
    BadGlobalSignature,
}

impl SignatureError {
    /// Whether the file itself cannot be read as a signature (as opposed
    /// to a well-formed signature that does not verify).
    pub fn is_malformed(&self) -> bool {
        matches!(
            self,
            SignatureError::Layout(_)
                | SignatureError::Base64
                | SignatureError::Length
                | SignatureError::Algorithm
        )
    }
}

impl std::fmt::Display for SignatureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignatureError::Layout(why) => f.write_str(why),
            SignatureError::Base64 => f.write_str("a signature line is not base64"),
            SignatureError::Length => f.write_str("a signature line has the wrong length"),
            SignatureError::Algorithm => f.write_str("unsupported signature algorithm"),
            SignatureError::OtherKey(k) => {
                write!(f, "made with key {}", super::public_key::key_id_hex(&k[..]))
            }
            SignatureError::Legacy => {
                f.write_str("a legacy (not prehashed) signature: not accepted")
            }
            SignatureError::BadSignature => f.write_str("the signature does not verify"),
            SignatureError::BadGlobalSignature => {
                f.write_str("the trusted comment's signature does not verify")
            }
        }
    }
}

impl std::error::Error for SignatureError {}

/// A parsed (not yet verified) signature file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureBox {
    pub algorithm: Algorithm,
    pub keynum: [u8; 8],
    signature: [u8; 64],
    pub untrusted_comment: String,
    trusted_comment: String,
    global_signature: [u8; 64],
}

fn decode(line: &str) -> Result<Vec<u8>, SignatureError> {
    base64::engine::general_purpose::STANDARD
        .decode(line.trim())
        .map_err(|_| SignatureError::Base64)
}

impl SignatureBox {
    /// Parse a signature file's text.
    pub fn parse(text: &str) -> Result<SignatureBox, SignatureError> {
        let mut lines = text.lines();
        let mut next = |what| lines.next().ok_or(SignatureError::Layout(what));
        let untrusted = next("no untrusted comment line")?;
        let sig_line = next("no signature line")?;
        let trusted = next("no trusted comment line")?;
        let global_line = next("no global signature line")?;
        let untrusted = untrusted
            .strip_prefix(UNTRUSTED_PREFIX)
            .ok_or(SignatureError::Layout(
                "the first line does not start with `untrusted comment: `",
            ))?;
        let raw = decode(sig_line)?;
        if raw.len() != 74 {
            return Err(SignatureError::Length);
        }
        let algorithm = match &raw[..2] {
            b"ED" => Algorithm::Prehashed,
            b"Ed" => Algorithm::Legacy,
            _ => return Err(SignatureError::Algorithm),
        };
        let trusted = trusted
            .strip_prefix(TRUSTED_PREFIX)
            .ok_or(SignatureError::Layout(
                "the third line does not start with `trusted comment: `",
            ))?;
        let global = decode(global_line)?;
        let mut keynum = [0u8; 8];
        let mut signature = [0u8; 64];
        keynum.copy_from_slice(&raw[2..10]);
        signature.copy_from_slice(&raw[10..]);
        Ok(SignatureBox {
            algorithm,
            keynum,
            signature,
            untrusted_comment: untrusted.to_string(),
            trusted_comment: trusted.to_string(),
            global_signature: global[..].try_into().map_err(|_| SignatureError::Length)?,
        })
    }

    /// The key id as minisign prints it.
    pub fn key_id(&self) -> String {
        super::public_key::key_id_hex(&self.keynum)
    }

    /// The trusted comment, NOT verified: only `verify`'s answer is.
    pub fn unverified_trusted_comment(&self) -> &str {
        &self.trusted_comment
    }

    /// Verify `data` with `pk`, in this order: the key id, the algorithm
    /// (prehashed only), the signature of the data, the global signature.
    /// Returns the trusted comment, now verified.
    pub fn verify(&self, pk: &PublicKey, data: &[u8]) -> Result<&str, SignatureError> {
        if self.keynum != *pk.keynum() {
            return Err(SignatureError::OtherKey(self.keynum));
        }
        if self.algorithm != Algorithm::Prehashed {
            return Err(SignatureError::Legacy);
        }
        let vk = pk.verifying_key().ok_or(SignatureError::BadSignature)?;
        let sig = ed25519_dalek::Signature::from_bytes(&self.signature);
        let hash = super::prehash::prehash(data);
        vk.verify_strict(&hash, &sig)
            .map_err(|_| SignatureError::BadSignature)?;
        let mut global = Vec::with_capacity(64 + self.trusted_comment.len());
        global.extend_from_slice(&self.signature);
        global.extend_from_slice(self.trusted_comment.as_bytes());
        let global_sig = ed25519_dalek::Signature::from_bytes(&self.global_signature);
        vk.verify_strict(&global, &global_sig)
            .map_err(|_| SignatureError::BadGlobalSignature)?;
        Ok(&self.trusted_comment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! vector {
        ($name:literal) => {
            include_str!(concat!("../../tests/vectors/minisign/", $name))
        };
    }

    const DATA: &[u8] = include_bytes!("../../tests/vectors/minisign/data.txt");

    fn key() -> PublicKey {
        PublicKey::from_file_text(vector!("key.pub")).unwrap()
    }

    fn other() -> PublicKey {
        PublicKey::from_file_text(vector!("other.pub")).unwrap()
    }

    fn check(sig: &str) -> Result<String, SignatureError> {
        SignatureBox::parse(sig)?
            .verify(&key(), DATA)
            .map(str::to_string)
    }

    #[test]
    fn the_tools_signature_verifies() {
        let b = SignatureBox::parse(vector!("signed.minisig")).unwrap();
        assert_eq!(b.algorithm, Algorithm::Prehashed);
        assert_eq!(b.key_id(), key().key_id());
        assert_eq!(
            b.untrusted_comment,
            "signature from the minisign tool (test vector)"
        );
        assert_eq!(b.verify(&key(), DATA), Ok("pocdir test vector"));
        // The data altered, or another key.
        assert_eq!(
            b.verify(&key(), b"other data"),
            Err(SignatureError::BadSignature)
        );
        assert_eq!(
            b.verify(&other(), DATA),
            Err(SignatureError::OtherKey(*key().keynum()))
        );
        // A key with the right id but another Ed25519 key.
        let impostor = PublicKey::from_parts(*key().keynum(), *other().key_bytes());
        assert_eq!(b.verify(&impostor, DATA), Err(SignatureError::BadSignature));
    }

    #[test]
    fn line_endings_and_spaces_as_the_tool_reads_them() {
        let signed = vector!("signed.minisig");
        // CRLF endings, a missing final newline, a line after the fourth.
        assert_eq!(
            check(&signed.replace('\n', "\r\n")).as_deref(),
            Ok("pocdir test vector")
        );
        assert_eq!(
            check(signed.trim_end()).as_deref(),
            Ok("pocdir test vector")
        );
        assert_eq!(
            check(&format!("{signed}extra line\n")).as_deref(),
            Ok("pocdir test vector")
        );
        // The trusted comment's own spaces are signed and kept, as
        // `minisign -V` keeps them.
        assert_eq!(
            check(vector!("comment-spaces.minisig")).as_deref(),
            Ok("  pocdir test vector, spaces kept  ")
        );
    }

    #[test]
    fn failure_classes() {
        use SignatureError::*;
        assert_eq!(check(vector!("wrong-algorithm.minisig")), Err(Algorithm));
        assert_eq!(check(vector!("bad-base64.minisig")), Err(Base64));
        assert_eq!(check(vector!("wrong-length.minisig")), Err(Length));
        let other_id = *other().keynum();
        assert_eq!(check(vector!("other-key.minisig")), Err(OtherKey(other_id)));
        assert_eq!(
            SignatureBox::parse(vector!("other-key.minisig"))
                .unwrap()
                .key_id(),
            "E214D839B8A024ED"
        );
        assert_eq!(check(vector!("bad-signature.minisig")), Err(BadSignature));
        assert_eq!(
            check(vector!("bad-global-signature.minisig")),
            Err(BadGlobalSignature)
        );
        assert_eq!(
            check(vector!("tampered-trusted-comment.minisig")),
            Err(BadGlobalSignature)
        );
        // Legacy: parsed (the key id is readable), never verified.
        let legacy = SignatureBox::parse(vector!("legacy.minisig")).unwrap();
        assert_eq!(legacy.algorithm, super::Algorithm::Legacy);
        assert_eq!(legacy.keynum, *key().keynum());
        assert_eq!(legacy.verify(&key(), DATA), Err(Legacy));

        for e in [Algorithm, Base64, Length, Layout("x")] {
            assert!(e.is_malformed());
        }
        for e in [OtherKey(other_id), Legacy, BadSignature, BadGlobalSignature] {
            assert!(!e.is_malformed());
        }
    }

    #[test]
    fn layout_failures() {
        use SignatureError::*;
        let signed = vector!("signed.minisig");
        let lines: Vec<&str> = signed.lines().collect();
        let join = |l: &[&str]| l.join("\n") + "\n";
        assert!(matches!(check(""), Err(Layout(_))));
        assert!(matches!(check(&join(&lines[..3])), Err(Layout(_))));
        let mut l = lines.clone();
        l[0] = "untrusted comment:no space";
        assert!(matches!(check(&join(&l)), Err(Layout(_))));
        let mut l = lines.clone();
        l[2] = "trusted comment:pocdir test vector";
        assert!(matches!(check(&join(&l)), Err(Layout(_))));
        // The global signature one byte short, or not base64.
        let b64 = base64::engine::general_purpose::STANDARD;
        let short = b64.encode(&b64.decode(lines[3]).unwrap()[..63]);
        let mut l = lines.clone();
        l[3] = &short;
        assert_eq!(check(&join(&l)), Err(Length));
        let mut l = lines.clone();
        l[3] = "not base64!";
        assert_eq!(check(&join(&l)), Err(Base64));
        // Lines swapped.
        let mut l = lines.clone();
        l.swap(1, 3);
        assert!(check(&join(&l)).is_err());
    }
}
