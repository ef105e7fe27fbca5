//! minisign's public key: the algorithm `Ed`, an 8-byte key id and the
//! 32-byte Ed25519 public key, 42 bytes written as one line of base64
//! (56 characters, no padding) under an untrusted comment:
//!
//! ```text
//! untrusted comment: minisign public key <KEYID>
//! RW...
//! ```
//!
//! Parsing checks the format only (algorithm, base64, length), as the
//! `minisign` tool does when it loads a key: a key that is not a valid
//! Ed25519 point simply verifies nothing.

use base64::Engine;

/// The signature algorithm of every minisign key.
pub const ALGORITHM: [u8; 2] = *b"Ed";

/// Bytes of a decoded public key: algorithm, key id, key.
pub const BYTES: usize = 2 + 8 + 32;

/// Characters of its base64 line.
pub const BASE64_LEN: usize = 56;

/// Why a text is not a minisign public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicKeyError {
    /// No key line in the file.
    Missing,
    /// The line is not base64.
    Base64,
    /// Not 42 bytes once decoded.
    Length,
    /// The algorithm is not `Ed`.
    Algorithm,
}

impl std::fmt::Display for PublicKeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PublicKeyError::Missing => "no public key line",
            PublicKeyError::Base64 => "the public key is not base64",
            PublicKeyError::Length => "the public key is not 42 bytes long",
            PublicKeyError::Algorithm => "the public key's algorithm is not Ed (Ed25519)",
        })
    }
}

impl std::error::Error for PublicKeyError {}

/// A minisign Ed25519 public key (public data: `Debug` shows it all).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PublicKey {
    keynum: [u8; 8],
    key: [u8; 32],
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({} {})", self.key_id(), self.to_base64())
    }
}

impl PublicKey {
    /// From its parts (the key id as stored in the files).
    pub fn from_parts(keynum: [u8; 8], key: [u8; 32]) -> PublicKey {
        PublicKey { keynum, key }
    }

    /// From the 42 decoded bytes.
    pub fn from_bytes(raw: &[u8]) -> Result<PublicKey, PublicKeyError> {
        if raw.len() != BYTES {
            return Err(PublicKeyError::Length);
        }
        if raw[..2] != ALGORITHM {
            return Err(PublicKeyError::Algorithm);
        }
        let mut keynum = [0u8; 8];
        let mut key = [0u8; 32];
        keynum.copy_from_slice(&raw[2..10]);
        key.copy_from_slice(&raw[10..]);
        Ok(PublicKey { keynum, key })
    }

    /// From the base64 line, exactly (no surrounding spaces; canonical
    /// base64, which for 42 bytes means 56 characters and no padding).
    pub fn from_base64(line: &str) -> Result<PublicKey, PublicKeyError> {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(line)
            .map_err(|_| PublicKeyError::Base64)?;
        PublicKey::from_bytes(&raw)
    }

    /// From a public key file: its last line that is neither empty nor an
    /// untrusted comment (so the bare base64 line passes too), trimmed.
    pub fn from_file_text(text: &str) -> Result<PublicKey, PublicKeyError> {
        let line = text
            .lines()
            .map(str::trim)
            .rfind(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
            .ok_or(PublicKeyError::Missing)?;
        PublicKey::from_base64(line)
    }

    /// The key id as stored in the files (little-endian).
    pub fn keynum(&self) -> &[u8; 8] {
        &self.keynum
    }

    /// The key id as minisign prints it: 16 upper-case hex digits.
    pub fn key_id(&self) -> String {
        key_id_hex(&self.keynum)
    }

    /// The raw Ed25519 public key.
    pub fn key_bytes(&self) -> &[u8; 32] {
        &self.key
    }

    /// The 42 bytes: `Ed` · key id · key.
    pub fn to_bytes(&self) -> [u8; BYTES] {
        let mut b = [0u8; BYTES];
        b[..2].copy_from_slice(&ALGORITHM);
        b[2..10].copy_from_slice(&self.keynum);
        b[10..].copy_from_slice(&self.key);
        b
    }

    /// The base64 line (56 characters).
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.to_bytes())
    }

    /// The public key file's text, as `minisign -G` writes it.
    pub fn to_file_text(&self) -> String {
        format!(
            "untrusted comment: minisign public key {}\n{}\n",
            self.key_id(),
            self.to_base64()
        )
    }

    /// The key as an Ed25519 point, `None` if it is not one.
    pub fn verifying_key(&self) -> Option<ed25519_dalek::VerifyingKey> {
        ed25519_dalek::VerifyingKey::from_bytes(&self.key).ok()
    }
}

/// A stored key id (little-endian) as minisign prints it.
pub fn key_id_hex(keynum: &[u8]) -> String {
    keynum.iter().rev().map(|b| format!("{b:02X}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Made once with `minisign -G -W -p k.pub -s k.key` (minisign 0.11).
    const FILE: &str = include_str!("../../tests/vectors/minisign/key.pub");

    fn b64_line() -> &'static str {
        FILE.lines().nth(1).unwrap()
    }

    #[test]
    fn the_tools_file_round_trips() {
        let pk = PublicKey::from_file_text(FILE).unwrap();
        assert_eq!(pk.to_file_text(), FILE);
        assert_eq!(PublicKey::from_base64(b64_line()).unwrap(), pk);
        assert_eq!(pk.to_base64(), b64_line());
        assert_eq!(pk.to_base64().len(), BASE64_LEN);
        let id = FILE
            .lines()
            .next()
            .unwrap()
            .strip_prefix("untrusted comment: minisign public key ")
            .unwrap();
        assert_eq!(pk.key_id(), id);
        assert!(pk.verifying_key().is_some());
        // The bare line, and the line among blank lines, pass too.
        assert_eq!(PublicKey::from_file_text(b64_line()).unwrap(), pk);
        assert_eq!(
            PublicKey::from_file_text(&format!("\n  {}  \n\n", b64_line())).unwrap(),
            pk
        );
    }

    #[test]
    fn failure_classes() {
        let good = b64_line();
        let raw = base64::engine::general_purpose::STANDARD
            .decode(good)
            .unwrap();
        let enc = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        use PublicKeyError::*;

        // Wrong algorithm: `ED` is a signature algorithm, not a key's.
        for alg in [*b"ED", *b"Ec", [0, 0]] {
            let mut r = raw.clone();
            r[..2].copy_from_slice(&alg);
            assert_eq!(PublicKey::from_base64(&enc(&r)), Err(Algorithm));
        }
        // Bad base64.
        for bad in [
            &good.replace(&good[10..11], "*"),
            &format!("{good} "),
            &format!(" {good}"),
            &good[..55],
            &format!("{good}=="),
        ] {
            assert_eq!(PublicKey::from_base64(bad), Err(Base64), "{bad:?}");
        }
        // Wrong length.
        assert_eq!(PublicKey::from_base64(&enc(&raw[..41])), Err(Length));
        let mut longer = raw.clone();
        longer.push(0);
        assert_eq!(PublicKey::from_base64(&enc(&longer)), Err(Length));
        assert_eq!(PublicKey::from_base64(""), Err(Length));
        // No key at all.
        assert_eq!(
            PublicKey::from_file_text("untrusted comment: minisign public key 0\n"),
            Err(Missing)
        );
    }

    #[test]
    fn key_id_is_little_endian_upper_hex() {
        let pk = PublicKey::from_parts([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef], [0; 32]);
        assert_eq!(pk.key_id(), "EFCDAB8967452301");
        assert_eq!(PublicKey::from_bytes(&pk.to_bytes()).unwrap(), pk);
    }
}
