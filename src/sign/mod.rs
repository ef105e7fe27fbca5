//! Signing with the secretariat's key, in minisign's formats
//! (interoperable with the `minisign` tool), one concept per file:
//!
//! - `secret_key.rs`: the secret key file, read, decrypted, written;
//! - `kdf.rs`: its scrypt key derivation (libsodium's parameters);
//! - `signature.rs`: making a prehashed signature;
//! - `public_key.rs`: the public key (file and base64 line);
//! - `signature_box.rs`: a signature file parsed and verified (prehashed
//!   `ED` only, legacy `Ed` refused; the global signature binds the
//!   trusted comment);
//! - `keygen.rs`: key generation; `rotation.rs`: key rotation statements;
//! - `threshold.rs`: k of n signatures of one file by a key set.
//!
//! Secret material lives only in `Zeroizing` buffers and in
//! `ed25519_dalek::SigningKey` (wiped on drop), and never reaches an error
//! message.

pub mod history_file;
pub mod kdf;
pub mod keygen;
pub mod prehash;
pub mod public_key;
pub mod rotation;
pub mod secret_key;
pub mod signature;
pub mod signature_box;
pub mod threshold;

use zeroize::Zeroizing;

pub use public_key::PublicKey;
use signature_box::SignatureBox;

/// A loaded signing key. The secret is never printed; `Debug` shows the
/// key id only.
pub struct SigningKey {
    sk: secret_key::SecretKey,
    pub pk: PublicKey,
}

impl SigningKey {
    /// A key for another purpose, derived from the secret key with
    /// HMAC-SHA256 under `label` (never the signing key itself): the
    /// receipt codes' key (issue #15). Wiped on drop.
    pub fn derive(&self, label: &[u8]) -> Zeroizing<[u8; 32]> {
        let seed = Zeroizing::new(self.sk.signing.to_bytes());
        let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &seed[..]);
        let tag = ring::hmac::sign(&k, label);
        let mut out = Zeroizing::new([0u8; 32]);
        out.copy_from_slice(tag.as_ref());
        out
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", key_id(&self.pk))
    }
}

/// minisign's key id as it prints it (16 upper-case hex digits).
pub fn key_id(pk: &PublicKey) -> String {
    pk.key_id()
}

pub fn key_id_bytes(keynum: &[u8]) -> String {
    public_key::key_id_hex(keynum)
}

#[derive(Debug)]
pub enum KeyError {
    /// The file is not a minisign secret key.
    Format,
    /// Wrong passphrase (or a corrupted key).
    Passphrase,
    /// The key is not the one `keys/secretariat.pub` names.
    Mismatch { file: String, expected: String },
    /// The key is none of the keys it could be (a reviewer's key not in
    /// `keys/reviewers/`): its id.
    Unlisted { file: String },
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
            KeyError::Unlisted { file } => write!(
                f,
                "the key {file} is not a reviewer's key of the base revision (keys/reviewers/)"
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
    expected: &PublicKey,
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

/// Decrypt a secret key file and find which of `candidates` it belongs
/// to (a reviewer's key among the reviewers): the key and its index.
pub fn load_secret_key_among(
    text: &Zeroizing<String>,
    passphrase: Option<&Zeroizing<String>>,
    candidates: &[PublicKey],
) -> Result<(SigningKey, usize), KeyError> {
    let sk = secret_key::read(text, passphrase.map(|p| p.as_bytes()))?;
    let public = secret_key::public_base64(&sk);
    let found = candidates
        .iter()
        .position(|pk| pk.keynum()[..] == sk.key_id[..] && pk.to_base64() == public);
    match found {
        Some(i) => Ok((
            SigningKey {
                sk,
                pk: candidates[i].clone(),
            },
            i,
        )),
        None => Err(KeyError::Unlisted {
            file: key_id_bytes(&sk.key_id),
        }),
    }
}

impl SigningKey {
    /// A prehashed (`ED`) minisign signature of `data` with `trusted`
    /// comment; the signature file's text.
    pub fn sign(&self, data: &[u8], trusted: &str, untrusted: &str) -> Result<String, String> {
        signature::sign(&self.sk, data, trusted, untrusted)
    }

    /// The same, given the data's prehash (`prehash::Prehasher`).
    pub fn sign_prehashed(
        &self,
        hash: &[u8; 64],
        trusted: &str,
        untrusted: &str,
    ) -> Result<String, String> {
        signature::sign_prehashed(&self.sk, hash, trusted, untrusted)
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
    let b = SignatureBox::parse(sig_text).map_err(|_| VerifyError::Malformed)?;
    Ok(b.key_id())
}

/// Verify `data` against `sig_text` with `pk` (prehashed signatures only)
/// and return the trusted comment.
pub fn verify(pk: &PublicKey, sig_text: &str, data: &[u8]) -> Result<String, VerifyError> {
    let b = SignatureBox::parse(sig_text).map_err(|_| VerifyError::Malformed)?;
    match b.verify(pk, data) {
        Ok(comment) => Ok(comment.to_string()),
        Err(signature_box::SignatureError::OtherKey(k)) => {
            Err(VerifyError::OtherKey(key_id_bytes(&k)))
        }
        Err(_) => Err(VerifyError::Bad),
    }
}
