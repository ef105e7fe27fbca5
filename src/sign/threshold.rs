//! k of n (issue #18): a file signed by a key set — each signature a
//! stock minisign signature file (`X.minisig`, `X.minisig.2` ...) — counts
//! when at least the set's threshold of distinct keys of the set signed
//! it, all with the same trusted comment. One rule for bundles (`open`,
//! `mail`), the version log (`build`, `review`, `open --log`) and the
//! signatures `pocdir sign` adds.

use super::rotation::KeySet;
use super::{VerifyError, key_id};

/// The most signature files read beside one file.
pub const MAX_SIGNATURES: usize = super::rotation::MAX_KEYS;

/// The name of the `n`-th signature file (1-based) of `file`:
/// `file.minisig`, then `file.minisig.2` ...
pub fn signature_name(file: &str, n: usize) -> String {
    if n <= 1 {
        format!("{file}.minisig")
    } else {
        format!("{file}.minisig.{n}")
    }
}

/// Signatures that met the threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The distinct keys of the set that signed, in the order of the
    /// signature files.
    pub signers: Vec<String>,
    /// The trusted comment every one of them carries.
    pub comment: String,
    /// Signature files by keys outside the set (index, key id): skipped,
    /// for the caller to judge.
    pub others: Vec<(usize, String)>,
}

/// Why the signatures do not count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThresholdError {
    /// The signature file at this index (0-based) is not a minisign
    /// signature.
    Malformed { index: usize },
    /// The signature at this index is by a key of the set and does not
    /// verify: the file, the signature or its comment was altered.
    Bad { index: usize, key_id: String },
    /// Valid signatures carry different trusted comments.
    Comments,
    /// Fewer distinct keys of the set signed than its threshold.
    TooFew {
        found: Vec<String>,
        needed: usize,
        others: Vec<(usize, String)>,
    },
}

impl std::fmt::Display for ThresholdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ThresholdError::Malformed { index } => {
                write!(f, "signature {} is not a minisign signature", index + 1)
            }
            ThresholdError::Bad { index, key_id } => write!(
                f,
                "signature {} (key {key_id}) does not verify: the file, its signature or the signed comment was altered",
                index + 1
            ),
            ThresholdError::Comments => {
                f.write_str("its signatures carry different trusted comments")
            }
            ThresholdError::TooFew { found, needed, .. } => write!(
                f,
                "{} valid signature(s) by the secretariat's keys{}, {needed} needed",
                found.len(),
                if found.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", found.join(", "))
                }
            ),
        }
    }
}

impl std::error::Error for ThresholdError {}

/// Verify `data` against the signature files `sigs` (texts, in file
/// order) with the keys of `set`. Each signature by a key of the set must
/// verify; a key counts once; a signature by a key outside the set is
/// skipped (and listed in `others`). Every signature is verified before
/// its trusted comment is compared; nothing else is parsed.
pub fn verify(set: &KeySet, sigs: &[&str], data: &[u8]) -> Result<Signed, ThresholdError> {
    let mut signers: Vec<String> = Vec::new();
    let mut comment: Option<String> = None;
    let mut others = Vec::new();
    for (index, sig) in sigs.iter().enumerate() {
        let id = super::signature_key_id(sig).map_err(|_| ThresholdError::Malformed { index })?;
        let Some(k) = set.key(&id) else {
            others.push((index, id));
            continue;
        };
        let tc = match super::verify(k, sig, data) {
            Ok(tc) => tc,
            Err(VerifyError::Malformed) => return Err(ThresholdError::Malformed { index }),
            Err(_) => return Err(ThresholdError::Bad { index, key_id: id }),
        };
        match &comment {
            Some(c) if *c != tc => return Err(ThresholdError::Comments),
            Some(_) => {}
            None => comment = Some(tc),
        }
        if !signers.contains(&id) {
            signers.push(id);
        }
    }
    match comment {
        Some(comment) if signers.len() >= set.threshold => Ok(Signed {
            signers,
            comment,
            others,
        }),
        _ => Err(ThresholdError::TooFew {
            found: signers,
            needed: set.threshold,
            others,
        }),
    }
}

/// Whether `id` is the key of one of `sigs` (an officer signing twice is
/// one signature).
pub fn signed_by(sigs: &[&str], pk: &super::PublicKey) -> bool {
    let id = key_id(pk);
    sigs.iter()
        .any(|s| super::signature_key_id(s).is_ok_and(|i| i == id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::{PublicKey, SigningKey};

    fn key() -> (SigningKey, PublicKey) {
        let (sk, pk_text) = crate::sign::keygen::signing_keypair(None, "test").unwrap();
        let pk = crate::directory::validate::fields::minisign_public_key(&pk_text).unwrap();
        (crate::sign::load_secret_key(&sk, None, &pk).unwrap(), pk)
    }

    fn set(keys: &[&PublicKey], threshold: usize) -> KeySet {
        let mut keys: Vec<PublicKey> = keys.iter().map(|k| (*k).clone()).collect();
        keys.sort_by_key(key_id);
        KeySet {
            version: 2,
            keys,
            threshold,
            date: None,
            expires: None,
        }
    }

    const DATA: &[u8] = b"a version log";

    #[test]
    fn k_distinct_keys_of_the_set_are_needed() {
        let (a, apk) = key();
        let (b, bpk) = key();
        let (c, _) = key();
        let two = set(&[&apk, &bpk], 2);
        let sa = a.sign(DATA, "tc", "u").unwrap();
        let sb = b.sign(DATA, "tc", "u").unwrap();
        let sc = c.sign(DATA, "tc", "u").unwrap();
        let ok = verify(&two, &[&sa, &sb], DATA).unwrap();
        assert_eq!(ok.signers.len(), 2);
        assert_eq!(ok.comment, "tc");
        // One key twice is one signature.
        let e = verify(&two, &[&sa, &sa], DATA).unwrap_err();
        assert!(
            matches!(e, ThresholdError::TooFew { ref found, needed: 2, .. } if found.len() == 1)
        );
        // A key outside the set does not count, and is named.
        let e = verify(&two, &[&sa, &sc], DATA).unwrap_err();
        assert!(
            matches!(e, ThresholdError::TooFew { ref others, .. } if others.len() == 1 && others[0].0 == 1)
        );
        // Nothing signed.
        assert!(matches!(
            verify(&two, &[], DATA),
            Err(ThresholdError::TooFew { .. })
        ));
        // One of one.
        assert!(verify(&set(&[&apk, &bpk], 1), &[&sb], DATA).is_ok());
    }

    #[test]
    fn an_altered_file_or_comment_is_refused() {
        let (a, apk) = key();
        let (b, bpk) = key();
        let two = set(&[&apk, &bpk], 2);
        let sa = a.sign(DATA, "tc", "u").unwrap();
        let sb = b.sign(b"other bytes", "tc", "u").unwrap();
        assert!(matches!(
            verify(&two, &[&sa, &sb], DATA),
            Err(ThresholdError::Bad { index: 1, .. })
        ));
        let sb2 = b.sign(DATA, "another comment", "u").unwrap();
        assert_eq!(
            verify(&two, &[&sa, &sb2], DATA),
            Err(ThresholdError::Comments)
        );
        assert_eq!(
            verify(&two, &[&sa, "not a signature"], DATA),
            Err(ThresholdError::Malformed { index: 1 })
        );
        assert!(signed_by(&[&sa], &apk) && !signed_by(&[&sa], &bpk));
    }
}
