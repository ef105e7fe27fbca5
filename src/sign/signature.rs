//! Making a minisign signature (prehashed, algorithm `ED`): the Ed25519
//! signature of the BLAKE2b-512 hash of the data, and the global signature
//! over that signature and the trusted comment, which binds the comment.

use base64::Engine;
use ed25519_dalek::Signer;

use super::secret_key::SecretKey;

/// The signature file's text.
pub fn sign(
    key: &SecretKey,
    data: &[u8],
    trusted: &str,
    untrusted: &str,
) -> Result<String, String> {
    sign_prehashed(key, &super::prehash::prehash(data), trusted, untrusted)
}

/// The same, given the data's prehash ([`super::prehash`]: for data
/// hashed as it was written, never held whole).
pub fn sign_prehashed(
    key: &SecretKey,
    hash: &[u8; 64],
    trusted: &str,
    untrusted: &str,
) -> Result<String, String> {
    if trusted.contains(['\n', '\r']) || untrusted.contains(['\n', '\r']) {
        return Err("a comment holds a line break".into());
    }
    let sig = key.signing.sign(hash).to_bytes();
    let mut sig_line = Vec::with_capacity(74);
    sig_line.extend_from_slice(b"ED");
    sig_line.extend_from_slice(&key.key_id);
    sig_line.extend_from_slice(&sig);
    let mut global = Vec::with_capacity(64 + trusted.len());
    global.extend_from_slice(&sig);
    global.extend_from_slice(trusted.as_bytes());
    let global_sig = key.signing.sign(&global).to_bytes();
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    Ok(format!(
        "untrusted comment: {untrusted}\n{}\ntrusted comment: {trusted}\n{}\n",
        b64(&sig_line),
        b64(&global_sig)
    ))
}
