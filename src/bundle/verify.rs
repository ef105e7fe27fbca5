//! The checks every reader of a bundle makes before trusting it, in one
//! pure function shared by `pocdir open` (a State's PoC) and `pocdir mail`
//! (the secretariat, before sending): the signature over the exact bytes,
//! then, only once it verified, the trusted comment — its format, the
//! State it was made for, its expiry. Nothing here reads a file or keeps
//! state; pinning, rotations, rollback and fork detection are `open`'s.

use super::manifest::Trusted;
use crate::sign;

/// What the reader expects of the bundle.
#[derive(Clone, Copy, Debug)]
pub struct Expect<'a> {
    /// The State the bundle must be made for, when the reader knows it
    /// (the file's name, the recipient's State).
    pub state: Option<&'a str>,
    /// Judge expiry at this time.
    pub now: jiff::Timestamp,
}

/// Why a bundle is not to be trusted, in the order the checks run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Signed by another key (its id).
    OtherKey(String),
    /// The signature does not verify, or is not a signature.
    BadSignature,
    /// Signed, but the trusted comment is not a pocdir bundle's.
    Malformed(String),
    /// Made for another State.
    Misdirected {
        expected: String,
        signed_for: String,
    },
    /// Past its expiry (the verified comment is kept: `open
    /// --allow-expired` may still read it).
    Expired(Box<Trusted>),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::OtherKey(id) => write!(f, "signed by another key, {id}"),
            Refused::BadSignature => f.write_str(
                "the signature does not verify: the bundle, its signature or the signed comment was altered",
            ),
            Refused::Malformed(m) => write!(f, "not a pocdir bundle signature: {m}"),
            Refused::Misdirected {
                expected,
                signed_for,
            } => write!(f, "made for {signed_for}, not {expected}"),
            Refused::Expired(t) => write!(
                f,
                "expired on {} (issued {})",
                crate::util::time::fmt_ts(t.expires),
                crate::util::time::fmt_ts(t.issued)
            ),
        }
    }
}

impl std::error::Error for Refused {}

/// Verify `data` against `sig_text` with `key`, then check the trusted
/// comment against `expect`. The comment is parsed only after the
/// signature over it verified.
pub fn verify(
    key: &sign::PublicKey,
    sig_text: &str,
    data: &[u8],
    expect: &Expect,
) -> Result<Trusted, Refused> {
    let comment = sign::verify(key, sig_text, data).map_err(|e| match e {
        sign::VerifyError::OtherKey(id) => Refused::OtherKey(id),
        _ => Refused::BadSignature,
    })?;
    judge(&comment, expect)
}

/// The trusted comment of signatures that verified (one, or the key
/// set's threshold of them: `sign::threshold`), checked against
/// `expect`: its format, the State, the expiry.
pub fn judge(comment: &str, expect: &Expect) -> Result<Trusted, Refused> {
    let t = Trusted::parse(comment).map_err(|e| Refused::Malformed(e.to_string()))?;
    if let Some(state) = expect.state
        && state != t.state
    {
        return Err(Refused::Misdirected {
            expected: state.to_string(),
            signed_for: t.state,
        });
    }
    if t.expires <= expect.now {
        return Err(Refused::Expired(Box::new(t)));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A throw-away key: (signing key, its public key).
    fn key() -> (sign::SigningKey, sign::PublicKey) {
        let (sk, pk_text) = crate::sign::keygen::signing_keypair(None, "test").unwrap();
        let pk = crate::directory::validate::fields::minisign_public_key(&pk_text).unwrap();
        (sign::load_secret_key(&sk, None, &pk).unwrap(), pk)
    }

    fn trusted(state: &str, expires: &str) -> Trusted {
        Trusted {
            format: 2,
            state: state.into(),
            seq: 3,
            issued: "2026-11-22T17:00:00Z".parse().unwrap(),
            expires: expires.parse().unwrap(),
            root: "ab".repeat(32),
        }
    }

    fn at(s: &str) -> jiff::Timestamp {
        s.parse().unwrap()
    }

    const DATA: &[u8] = b"the encrypted bundle";

    #[test]
    fn a_good_bundle_gives_its_signed_facts() {
        let (sk, pk) = key();
        let t = trusted("FRA", "2027-01-21T17:00:00Z");
        let sig = sk.sign(DATA, &t.to_comment(), "sig").unwrap();
        let expect = Expect {
            state: Some("FRA"),
            now: at("2026-12-01T00:00:00Z"),
        };
        assert_eq!(verify(&pk, &sig, DATA, &expect), Ok(t.clone()));
        let any_state = Expect {
            state: None,
            ..expect
        };
        assert_eq!(verify(&pk, &sig, DATA, &any_state), Ok(t));
    }

    #[test]
    fn each_failure_has_its_class() {
        let (sk, pk) = key();
        let (_, other_pk) = key();
        let t = trusted("FRA", "2027-01-21T17:00:00Z");
        let sig = sk.sign(DATA, &t.to_comment(), "sig").unwrap();
        let now = at("2026-12-01T00:00:00Z");
        let fra = Expect {
            state: Some("FRA"),
            now,
        };
        // Altered bytes.
        assert_eq!(
            verify(&pk, &sig, b"another bundle", &fra),
            Err(Refused::BadSignature)
        );
        // Not a signature at all.
        assert_eq!(
            verify(&pk, "untrusted comment: x\nnot base64\n", DATA, &fra),
            Err(Refused::BadSignature)
        );
        // Another key.
        assert!(matches!(
            verify(&other_pk, &sig, DATA, &fra),
            Err(Refused::OtherKey(id)) if id == sign::key_id(&pk)
        ));
        // A signed comment that is not a bundle's.
        let sig2 = sk.sign(DATA, "pocdir-log/1 seq=3", "sig").unwrap();
        assert!(matches!(
            verify(&pk, &sig2, DATA, &fra),
            Err(Refused::Malformed(_))
        ));
        // Made for another State.
        let deu = Expect {
            state: Some("DEU"),
            now,
        };
        assert_eq!(
            verify(&pk, &sig, DATA, &deu),
            Err(Refused::Misdirected {
                expected: "DEU".into(),
                signed_for: "FRA".into()
            })
        );
        // Expired: at the very second of expiry already.
        let late = Expect {
            state: Some("FRA"),
            now: at("2027-01-21T17:00:00Z"),
        };
        assert_eq!(
            verify(&pk, &sig, DATA, &late),
            Err(Refused::Expired(Box::new(t)))
        );
    }
}
