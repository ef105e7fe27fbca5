//! Signing with the secretariat's key, in minisign's formats.
//!
//! The minisign crate reads and writes the key and signature files
//! (interoperable with the `minisign` tool); pocdir keeps what it owns
//! in `Zeroizing` buffers (passphrase, key file text) and never puts
//! secret material in an error message.

use std::io::Cursor;

use zeroize::Zeroizing;

/// A loaded signing key. The secret is never printed; `Debug` shows the
/// key id only.
pub struct SigningKey {
    sk: minisign::SecretKey,
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

/// The decoded bytes of an unencrypted minisign secret key (KDF "\0\0"),
/// `None` for an encrypted one.
fn unencrypted_bytes(text: &str) -> Result<Option<Zeroizing<Vec<u8>>>, KeyError> {
    use base64::Engine;
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
    if raw.len() != 158 || &raw[0..2] != b"Ed" || &raw[4..6] != b"B2" {
        return Err(KeyError::Format);
    }
    match &raw[2..4] {
        [0, 0] => Ok(Some(raw)),
        b"Sc" => Ok(None),
        _ => Err(KeyError::Format),
    }
}

/// Whether a secret key file is encrypted (needs a passphrase).
pub fn is_encrypted(text: &str) -> bool {
    matches!(unencrypted_bytes(text), Ok(None))
}

/// Decrypt a secret key file with `passphrase` (ignored for an unencrypted
/// key) and check it against the expected public key.
pub fn load_secret_key(
    text: &Zeroizing<String>,
    passphrase: Option<&Zeroizing<String>>,
    expected: &minisign::PublicKey,
) -> Result<SigningKey, KeyError> {
    let sk = if let Some(raw) = unencrypted_bytes(text)? {
        // minisign -W writes unencrypted keys with no checksum, which the
        // crate's box reader rejects: read the bytes directly. The probe
        // signature below proves the key.
        minisign::SecretKey::from_bytes(&raw).map_err(|_| KeyError::Format)?
    } else {
        let sk_box = minisign::SecretKeyBox::from_string(text).map_err(|_| KeyError::Format)?;
        // Never `None`: the crate would prompt on the terminal itself.
        let pass = passphrase
            .map(|p| p.to_string())
            .ok_or(KeyError::Passphrase)?;
        sk_box
            .into_secret_key(Some(pass))
            .map_err(|_| KeyError::Passphrase)?
    };
    if sk.keynum() != expected.keynum() {
        return Err(KeyError::Mismatch {
            file: key_id_bytes(sk.keynum()),
            expected: key_id(expected),
        });
    }
    // Prove the pair: sign and verify a probe with the expected key.
    let probe = minisign::sign(
        Some(expected),
        &sk,
        Cursor::new(b"pocdir key check"),
        Some("probe"),
        None,
    )
    .map_err(|_| KeyError::Mismatch {
        file: key_id_bytes(sk.keynum()),
        expected: key_id(expected),
    })?;
    drop(probe);
    Ok(SigningKey {
        sk,
        pk: expected.clone(),
    })
}

impl SigningKey {
    /// A prehashed (`ED`) minisign signature of `data` with `trusted`
    /// comment; the signature file's text.
    pub fn sign(&self, data: &[u8], trusted: &str, untrusted: &str) -> Result<String, String> {
        minisign::sign(
            Some(&self.pk),
            &self.sk,
            Cursor::new(data),
            Some(trusted),
            Some(untrusted),
        )
        .map(|b| b.into_string())
        .map_err(|e| format!("signing failed: {e}"))
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
