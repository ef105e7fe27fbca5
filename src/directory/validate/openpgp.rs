//! A PoC's armored OpenPGP public key (`public_key:` beside an `openpgp`
//! key's fingerprint), checked with rPGP (the `pgp` crate, pure Rust): it
//! parses as one public key whose self-signatures verify, its fingerprint
//! is the recorded one, and it has not expired as of the check day.

use jiff::civil::Date;

use crate::directory::validate::fields::FieldError;

/// Largest armored key accepted (a key with many signatures is a few KB).
pub const MAX_ARMORED_BYTES: usize = 64 * 1024;

/// What a valid key says of itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyFacts {
    /// The day (UTC) its primary key expires, if it does.
    pub expires: Option<Date>,
}

fn err(msg: impl Into<String>, hint: impl Into<String>) -> FieldError {
    (msg.into(), hint.into())
}

/// The fingerprint as upper-case hex without spaces.
pub fn normalise_fingerprint(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// Parse `armored`, verify its self-signatures, compare its fingerprint
/// with `fingerprint` (as recorded in `value:`). Expiry is judged by the
/// caller (an error when past, a warning when near).
pub fn check(armored: &str, fingerprint: &str) -> Result<KeyFacts, FieldError> {
    use pgp::composed::{Deserializable, SignedPublicKey};
    use pgp::types::KeyDetails;
    if armored.len() > MAX_ARMORED_BYTES {
        return Err(err(
            format!(
                "the public key is {} bytes, more than the {MAX_ARMORED_BYTES} accepted",
                armored.len()
            ),
            "export the key without its third-party signatures (gpg --export-options export-minimal --armor --export FINGERPRINT)",
        ));
    }
    let hint_export = "paste the output of `gpg --armor --export FINGERPRINT` (a block starting -----BEGIN PGP PUBLIC KEY BLOCK-----)";
    if !armored
        .trim_start()
        .starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----")
    {
        return Err(err(
            "the public key is not an armored OpenPGP public key block",
            hint_export,
        ));
    }
    let key = match SignedPublicKey::from_string(armored) {
        Ok((key, _headers)) => key,
        Err(e) => {
            return Err(err(
                format!("the armored OpenPGP public key does not parse: {e}"),
                hint_export,
            ));
        }
    };
    if let Err(e) = key.verify() {
        return Err(err(
            format!("the OpenPGP public key's self-signatures do not verify: {e}"),
            "ask the PoC for its key again: this one was damaged or altered",
        ));
    }
    let actual: String = key
        .fingerprint()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    let recorded = normalise_fingerprint(fingerprint);
    if actual != recorded {
        return Err(err(
            format!("the public key's fingerprint is {actual}, not the recorded {recorded}"),
            "check with the PoC which key is right: record its fingerprint in `value`, or its key in `public_key`",
        ));
    }
    let expires = key.expires_at().map(|t| {
        jiff::Timestamp::from_second(t.timestamp())
            .map(|ts| ts.to_zoned(jiff::tz::TimeZone::UTC).date())
            .unwrap_or(Date::MAX)
    });
    Ok(KeyFacts { expires })
}
