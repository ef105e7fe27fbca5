//! Signing with the secretariat's key, in minisign's formats
//! (interoperable with the `minisign` tool), one concept per file:
//!
//! - `secret_key.rs`: the secret key file, read, decrypted, written;
//! - `kdf.rs`: its scrypt key derivation (libsodium's parameters);
//! - `signature.rs`: making a prehashed signature.
//!
//! Secret material lives only in `Zeroizing` buffers and in
//! `ed25519_dalek::SigningKey` (wiped on drop), and never reaches an error
//! message. Public keys and verification use the minisign crate (nothing
//! secret there).

pub mod kdf;
pub mod keygen;
pub mod rotation;
pub mod secret_key;
pub mod signature;

use std::io::Cursor;

use zeroize::Zeroizing;

/// A loaded signing key. The secret is never printed; `Debug` shows the
/// key id only.
pub struct SigningKey {
    sk: secret_key::SecretKey,
    pub pk: minisign::PublicKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", key_id(&self.pk))
    }
}

/// minisign's key id as it prints it (16 upper-case hex digits).
pub fn key_id(pk: &minisign::PublicKey) -> String {
    key_id_bytes(pk.keynum())
}

pub fn key_id_bytes(keynum: &[u8]) -> String {
    keynum.iter().rev().map(|b| format!("{b:02X}")).collect()
}

#[derive(Debug)]
pub enum KeyError {
    /// The file is not a minisign secret key.
    Format,
    /// Wrong passphrase (or a corrupted key).
    Passphrase,
    /// The key is not the one `keys/secretariat.pub` names.
    Mismatch { file: String, expected: String },
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyError::Format => f.write_str("not a minisign secret key file"),
            KeyError::Passphrase => f.write_str(
                "cannot decrypt the secret key: wrong passphrase, or a damaged key file",
            ),
            KeyError::Mismatch { file, expected } => write!(
                f,
                "the signing key's id is {file}, but keys/secretariat.pub holds {expected}: wrong key"
            ),
        }
    }
}

/// Whether a secret key file is encrypted (needs a passphrase).
pub fn is_encrypted(text: &str) -> bool {
    secret_key::is_encrypted(text)
}

/// Decrypt a secret key file with `passphrase` (ignored for an unencrypted
/// key) and check it against the expected public key.
pub fn load_secret_key(
    text: &Zeroizing<String>,
    passphrase: Option<&Zeroizing<String>>,
    expected: &minisign::PublicKey,
) -> Result<SigningKey, KeyError> {
    let sk = secret_key::read(text, passphrase.map(|p| p.as_bytes()))?;
    if sk.key_id[..] != expected.keynum()[..] {
        return Err(KeyError::Mismatch {
            file: key_id_bytes(&sk.key_id),
            expected: key_id(expected),
        });
    }
    // The public key the file holds must be the expected one too.
    if secret_key::public_base64(&sk) != expected.to_base64() {
        return Err(KeyError::Mismatch {
            file: key_id_bytes(&sk.key_id),
            expected: key_id(expected),
        });
    }
    Ok(SigningKey {
        sk,
        pk: expected.clone(),
    })
}

impl SigningKey {
    /// A prehashed (`ED`) minisign signature of `data` with `trusted`
    /// comment; the signature file's text.
    pub fn sign(&self, data: &[u8], trusted: &str, untrusted: &str) -> Result<String, String> {
        signature::sign(&self.sk, data, trusted, untrusted)
    }
}

/// A verified signature's trusted comment.
#[derive(Debug)]
pub enum VerifyError {
    /// The signature file cannot be parsed.
    Malformed,
    /// Made with another key than `pk` (its id, as minisign prints it).
    OtherKey(String),
    /// The signature or its trusted comment does not verify.
    Bad,
}

/// The signature file's key id, before anything else is checked.
pub fn signature_key_id(sig_text: &str) -> Result<String, VerifyError> {
    let b = minisign::SignatureBox::from_string(sig_text).map_err(|_| VerifyError::Malformed)?;
    Ok(key_id_bytes(b.keynum()))
}

/// Verify `data` against `sig_text` with `pk` (prehashed signatures only)
/// and return the trusted comment.
pub fn verify(
    pk: &minisign::PublicKey,
    sig_text: &str,
    data: &[u8],
) -> Result<String, VerifyError> {
    let b = minisign::SignatureBox::from_string(sig_text).map_err(|_| VerifyError::Malformed)?;
    if b.keynum() != pk.keynum() {
        return Err(VerifyError::OtherKey(key_id_bytes(b.keynum())));
    }
    if !b.is_prehashed() {
        return Err(VerifyError::Bad);
    }
    minisign::verify(pk, &b, Cursor::new(data), true, false, false)
        .map_err(|_| VerifyError::Bad)?;
    b.trusted_comment().map_err(|_| VerifyError::Malformed)
}
