//! minisign's secret key file, read and written by pocdir itself so that
//! the key never sits in memory that is not wiped: the Ed25519 key is an
//! `ed25519_dalek::SigningKey` (wiped on drop), every intermediate buffer
//! is `Zeroizing`.
//!
//! Layout (base64 on the line after the untrusted comment), 158 bytes:
//! `"Ed"` · KDF (`"Sc"` scrypt, or two zero bytes) · `"B2"` · salt (32) ·
//! opslimit (8, LE) · memlimit (8, LE) · then, XOR'ed with the scrypt key
//! stream when encrypted: key id (8) · secret key (64: seed, public key) ·
//! checksum (32: BLAKE2b-256 of `"Ed"` · key id · secret key).

use base64::Engine;
use zeroize::Zeroizing;

use super::KeyError;
use super::kdf::{self, Limits};

const LEN: usize = 158;
const KEYNUM: std::ops::Range<usize> = 54..158;

/// A decrypted signing key.
pub struct SecretKey {
    pub key_id: [u8; 8],
    pub signing: ed25519_dalek::SigningKey,
}

fn checksum(key_id: &[u8], sk: &[u8]) -> [u8; 32] {
    let mut h = blake2b_simd::Params::new().hash_length(32).to_state();
    h.update(b"Ed");
    h.update(key_id);
    h.update(sk);
    let mut out = [0u8; 32];
    out.copy_from_slice(h.finalize().as_bytes());
    out
}

/// The key file's decoded bytes.
fn decode(text: &str) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
        .ok_or(KeyError::Format)?;
    let raw = Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(line)
            .map_err(|_| KeyError::Format)?,
    );
    if raw.len() != LEN || &raw[0..2] != b"Ed" || &raw[4..6] != b"B2" {
        return Err(KeyError::Format);
    }
    if &raw[2..4] != b"Sc" && raw[2..4] != [0, 0] {
        return Err(KeyError::Format);
    }
    Ok(raw)
}

/// Whether the key file is encrypted (needs a passphrase).
pub fn is_encrypted(text: &str) -> bool {
    decode(text).is_ok_and(|raw| &raw[2..4] == b"Sc")
}

fn limits(raw: &[u8]) -> Limits {
    let n = |r: std::ops::Range<usize>| u64::from_le_bytes(raw[r].try_into().unwrap_or([0; 8]));
    Limits {
        opslimit: n(38..46),
        memlimit: n(46..54),
    }
}

/// Read (and decrypt, when it is encrypted) a secret key file.
///
/// An encrypted key must carry a valid checksum (else: wrong passphrase).
/// An unencrypted one may not (`minisign -W` leaves it out); either way
/// the Ed25519 seed must give the public key stored beside it.
pub fn read(text: &str, passphrase: Option<&[u8]>) -> Result<SecretKey, KeyError> {
    let raw = decode(text)?;
    let mut keynum = Zeroizing::new(raw[KEYNUM].to_vec());
    let encrypted = &raw[2..4] == b"Sc";
    if encrypted {
        let pass = passphrase.ok_or(KeyError::Passphrase)?;
        let stream =
            kdf::derive(pass, &raw[6..38], limits(&raw), keynum.len()).ok_or(KeyError::Format)?;
        for (b, s) in keynum.iter_mut().zip(stream.iter()) {
            *b ^= s;
        }
    }
    let (key_id, rest) = keynum.split_at(8);
    let (sk, sum) = rest.split_at(64);
    if encrypted && checksum(key_id, sk) != sum {
        return Err(KeyError::Passphrase);
    }
    let seed: Zeroizing<[u8; 32]> =
        Zeroizing::new(sk[..32].try_into().map_err(|_| KeyError::Format)?);
    let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
    if signing.verifying_key().as_bytes() != &sk[32..] {
        return Err(if encrypted {
            KeyError::Passphrase
        } else {
            KeyError::Format
        });
    }
    Ok(SecretKey {
        key_id: key_id.try_into().map_err(|_| KeyError::Format)?,
        signing,
    })
}

/// The key file's text: encrypted with `passphrase` under `limits`, or not
/// encrypted at all (`None`, demo keys only), always with the checksum.
pub fn write(
    key: &SecretKey,
    passphrase: Option<&[u8]>,
    limits: Limits,
    comment: &str,
) -> Result<Zeroizing<String>, String> {
    let mut raw = Zeroizing::new(Vec::with_capacity(LEN));
    raw.extend_from_slice(b"Ed");
    let mut keynum = Zeroizing::new(Vec::with_capacity(104));
    keynum.extend_from_slice(&key.key_id);
    keynum.extend_from_slice(&key.signing.to_keypair_bytes());
    let sum = checksum(&keynum[..8], &keynum[8..72]);
    keynum.extend_from_slice(&sum);
    match passphrase {
        Some(pass) => {
            let mut salt = [0u8; 32];
            getrandom::fill(&mut salt).map_err(|e| format!("no random source: {e}"))?;
            let stream = kdf::derive(pass, &salt, limits, keynum.len())
                .ok_or("bad key derivation limits")?;
            for (b, s) in keynum.iter_mut().zip(stream.iter()) {
                *b ^= s;
            }
            raw.extend_from_slice(b"Sc");
            raw.extend_from_slice(b"B2");
            raw.extend_from_slice(&salt);
            raw.extend_from_slice(&limits.opslimit.to_le_bytes());
            raw.extend_from_slice(&limits.memlimit.to_le_bytes());
        }
        None => {
            raw.extend_from_slice(&[0, 0]);
            raw.extend_from_slice(b"B2");
            raw.extend_from_slice(&[0u8; 48]);
        }
    }
    raw.extend_from_slice(&keynum);
    let b64 = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(&raw[..]));
    Ok(Zeroizing::new(format!(
        "untrusted comment: {comment}\n{}\n",
        b64.as_str()
    )))
}

/// A fresh key from the operating system's random source.
pub fn generate() -> Result<SecretKey, String> {
    let mut seed = Zeroizing::new([0u8; 32]);
    let mut key_id = [0u8; 8];
    getrandom::fill(&mut seed[..]).map_err(|e| format!("no random source: {e}"))?;
    getrandom::fill(&mut key_id).map_err(|e| format!("no random source: {e}"))?;
    Ok(SecretKey {
        key_id,
        signing: ed25519_dalek::SigningKey::from_bytes(&seed),
    })
}

/// The public key file's base64: `"Ed"` · key id · public key.
pub fn public_base64(key: &SecretKey) -> String {
    let mut b = Vec::with_capacity(42);
    b.extend_from_slice(b"Ed");
    b.extend_from_slice(&key.key_id);
    b.extend_from_slice(key.signing.verifying_key().as_bytes());
    base64::engine::general_purpose::STANDARD.encode(b)
}
