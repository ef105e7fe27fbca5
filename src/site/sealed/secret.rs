//! The site secret's file (issue #16): 32 random bytes from which every
//! key of a sealed site is derived (the States' access codes, each
//! version's data key, the synthetic nonces). Kept like the signing key:
//! encrypted at rest with a passphrase (scrypt, the same derivation as
//! minisign's keys), never in the repository outside `keys/demo/`.
//!
//! Layout (base64 on the line after the untrusted comment), 116 bytes:
//! `"PS"` · KDF (`"Sc"` scrypt, or two zero bytes) · salt (32) ·
//! opslimit (8, LE) · memlimit (8, LE) · then, XOR'ed with the scrypt key
//! stream when encrypted: secret (32) · checksum (32: BLAKE2b-256 of
//! `"PS"` · secret).

use base64::Engine;
use zeroize::Zeroizing;

use crate::sign::kdf::{self, Limits};

const LEN: usize = 116;
const SEALED: std::ops::Range<usize> = 52..116;

/// What is wrong with a site secret file (never its content).
#[derive(Debug, PartialEq, Eq)]
pub enum SecretError {
    /// Not a pocdir site secret file.
    Format,
    /// Encrypted, and no passphrase or the wrong one.
    Passphrase,
}

impl std::fmt::Display for SecretError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SecretError::Format => "not a pocdir site secret file",
            SecretError::Passphrase => {
                "wrong passphrase for the site secret (or the file is corrupted)"
            }
        })
    }
}

/// The site secret, wiped on drop; `Debug` never shows it.
pub struct SiteSecret(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for SiteSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SiteSecret(..)")
    }
}

impl SiteSecret {
    /// A fresh secret from the operating system's random source.
    pub fn generate() -> Result<SiteSecret, String> {
        let mut s = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut s[..]).map_err(|e| format!("no random source: {e}"))?;
        Ok(SiteSecret(s))
    }

    /// A secret from its bytes (tests and derivations).
    pub fn from_bytes(bytes: [u8; 32]) -> SiteSecret {
        SiteSecret(Zeroizing::new(bytes))
    }

    /// HMAC-SHA256 under the secret: every derived key goes through here.
    pub(crate) fn mac(&self, parts: &[&[u8]]) -> Zeroizing<[u8; 32]> {
        super::access::hmac(&self.0[..], parts)
    }
}

fn checksum(secret: &[u8]) -> [u8; 32] {
    let mut h = blake2b_simd::Params::new().hash_length(32).to_state();
    h.update(b"PS");
    h.update(secret);
    let mut out = [0u8; 32];
    out.copy_from_slice(h.finalize().as_bytes());
    out
}

fn decode(text: &str) -> Result<Zeroizing<Vec<u8>>, SecretError> {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
        .ok_or(SecretError::Format)?;
    let raw = Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(line)
            .map_err(|_| SecretError::Format)?,
    );
    if raw.len() != LEN || &raw[0..2] != b"PS" || (&raw[2..4] != b"Sc" && raw[2..4] != [0, 0]) {
        return Err(SecretError::Format);
    }
    Ok(raw)
}

/// Whether the file is encrypted (needs a passphrase).
pub fn is_encrypted(text: &str) -> bool {
    decode(text).is_ok_and(|raw| &raw[2..4] == b"Sc")
}

/// Read (and decrypt) a site secret file. The checksum must hold either
/// way: a wrong passphrase, or a damaged file, is an error, never another
/// secret (which would silently give every State a new code).
pub fn read(text: &str, passphrase: Option<&[u8]>) -> Result<SiteSecret, SecretError> {
    let raw = decode(text)?;
    let mut sealed = Zeroizing::new(raw[SEALED].to_vec());
    let encrypted = &raw[2..4] == b"Sc";
    if encrypted {
        let pass = passphrase.ok_or(SecretError::Passphrase)?;
        let n = |r: std::ops::Range<usize>| u64::from_le_bytes(raw[r].try_into().unwrap_or([0; 8]));
        let limits = Limits {
            opslimit: n(36..44),
            memlimit: n(44..52),
        };
        let stream =
            kdf::derive(pass, &raw[4..36], limits, sealed.len()).ok_or(SecretError::Format)?;
        for (b, s) in sealed.iter_mut().zip(stream.iter()) {
            *b ^= s;
        }
    }
    let (secret, sum) = sealed.split_at(32);
    if checksum(secret) != sum {
        return Err(if encrypted {
            SecretError::Passphrase
        } else {
            SecretError::Format
        });
    }
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(secret);
    Ok(SiteSecret(out))
}

/// The file's text: encrypted with `passphrase` under `limits`, or in
/// the clear (`None`: demo secrets only).
pub fn write(
    secret: &SiteSecret,
    passphrase: Option<&[u8]>,
    limits: Limits,
    comment: &str,
) -> Result<Zeroizing<String>, String> {
    let mut sealed = Zeroizing::new(Vec::with_capacity(64));
    sealed.extend_from_slice(&secret.0[..]);
    sealed.extend_from_slice(&checksum(&secret.0[..]));
    let mut raw = Zeroizing::new(Vec::with_capacity(LEN));
    raw.extend_from_slice(b"PS");
    match passphrase {
        Some(pass) => {
            let mut salt = [0u8; 32];
            getrandom::fill(&mut salt).map_err(|e| format!("no random source: {e}"))?;
            let stream = kdf::derive(pass, &salt, limits, sealed.len())
                .ok_or("bad key derivation limits")?;
            for (b, s) in sealed.iter_mut().zip(stream.iter()) {
                *b ^= s;
            }
            raw.extend_from_slice(b"Sc");
            raw.extend_from_slice(&salt);
            raw.extend_from_slice(&limits.opslimit.to_le_bytes());
            raw.extend_from_slice(&limits.memlimit.to_le_bytes());
        }
        None => raw.extend_from_slice(&[0u8; 50]),
    }
    raw.extend_from_slice(&sealed);
    let b64 = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(&raw[..]));
    Ok(Zeroizing::new(format!(
        "untrusted comment: {comment}\n{}\n",
        b64.as_str()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clear_secret_reads_back() {
        let s = SiteSecret::from_bytes([7; 32]);
        let text = write(&s, None, kdf::INTERACTIVE, "test").unwrap();
        assert!(!is_encrypted(&text));
        let back = read(&text, None).unwrap();
        assert_eq!(&back.0[..], &[7; 32]);
    }

    #[test]
    fn an_encrypted_secret_needs_its_passphrase() {
        let s = SiteSecret::from_bytes([9; 32]);
        let text = write(&s, Some(b"right"), kdf::INTERACTIVE, "test").unwrap();
        assert!(is_encrypted(&text));
        assert!(!text.contains(&base64::engine::general_purpose::STANDARD.encode([9u8; 32])));
        assert_eq!(read(&text, None).unwrap_err(), SecretError::Passphrase);
        assert_eq!(
            read(&text, Some(b"wrong")).unwrap_err(),
            SecretError::Passphrase
        );
        assert_eq!(&read(&text, Some(b"right")).unwrap().0[..], &[9; 32]);
    }

    #[test]
    fn a_damaged_file_is_refused() {
        let s = SiteSecret::from_bytes([1; 32]);
        let text = write(&s, None, kdf::INTERACTIVE, "test").unwrap();
        let line = text.lines().nth(1).unwrap();
        let mut raw = base64::engine::general_purpose::STANDARD
            .decode(line)
            .unwrap();
        raw[60] ^= 1;
        let bad = format!(
            "untrusted comment: x\n{}\n",
            base64::engine::general_purpose::STANDARD.encode(&raw)
        );
        assert_eq!(read(&bad, None).unwrap_err(), SecretError::Format);
        assert_eq!(
            read("untrusted comment: x\nAAAA\n", None).unwrap_err(),
            SecretError::Format
        );
        // A minisign secret key is not a site secret.
        assert_eq!(
            read(
                &std::fs::read_to_string("keys/demo/secretariat.key").unwrap(),
                None
            )
            .unwrap_err(),
            SecretError::Format
        );
        assert!(!format!("{s:?}").contains('1'));
    }
}
