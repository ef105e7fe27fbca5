//! Key rotation statements: signed by the old secretariat key, they move
//! recipients to a new one; `follow_rotations` walks a chain of them from
//! a key to a given key (the build's version log), `KeyHistory` the whole
//! chain from a reader's first key, as far as it goes (`pocdir open`:
//! every key it shows superseded is retired).

use std::collections::BTreeSet;
use std::fmt;

use crate::sign::keygen::KeyGenError;
use crate::sign::{PublicKey, SigningKey, VerifyError, key_id};

/// The largest statement (and signature file) `verify_rotation` accepts.
pub const MAX_STATEMENT_BYTES: usize = 4096;

/// The most rotations `follow_rotations` follows from the trusted key.
pub const MAX_ROTATION_STEPS: usize = 16;

/// The first line of a key rotation statement (and of its trusted comment).
pub const ROTATION_HEADER: &str = "pocdir-key-rotation/1";

/// How far (in days) a newly followed rotation's date may be ahead of the
/// reader's UTC date: the statement's date is a UTC day, and a clock a few
/// hours off must not refuse one made today.
pub const DATE_SKEW_DAYS: i8 = 1;

/// Why a key rotation statement (or a chain of them) is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotationError {
    /// The signature does not verify (the statement, the signature or its
    /// trusted comment was altered, or it is not a prehashed signature).
    BadSignature,
    /// The signature was made by another key than the trusted one (its id).
    OtherKey(String),
    /// The statement or its signature file is not well-formed.
    Malformed(&'static str),
    /// A well-formed, correctly signed statement that contradicts itself,
    /// its trusted comment or the trusted key.
    Mismatch(&'static str),
    /// No chain of statements leads from the trusted key to this key id.
    NoPath(String),
    /// The chain comes back to a key it already went through (its id).
    Cycle(String),
    /// The target is more than `MAX_ROTATION_STEPS` rotations away.
    TooLong,
    /// This key signed rotations to more than one key: which is meant?
    Ambiguous(String),
    /// A rotation dated before the rotation that precedes it in the chain.
    OutOfOrder {
        old_key_id: String,
        new_key_id: String,
        date: String,
        previous_date: String,
    },
    /// A rotation dated later than the reader's date (beyond
    /// `DATE_SKEW_DAYS`).
    Future {
        old_key_id: String,
        new_key_id: String,
        date: String,
        today: String,
    },
}

impl fmt::Display for RotationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RotationError::BadSignature => f.write_str(
                "the key rotation statement's signature does not verify: it was altered",
            ),
            RotationError::OtherKey(id) => write!(
                f,
                "the key rotation statement is signed by key {id}, not by the trusted key"
            ),
            RotationError::Malformed(why) => write!(f, "malformed key rotation statement: {why}"),
            RotationError::Mismatch(why) => write!(f, "inconsistent key rotation statement: {why}"),
            RotationError::NoPath(id) => write!(
                f,
                "no chain of signed key rotation statements leads from the trusted key to key {id}"
            ),
            RotationError::Cycle(id) => write!(
                f,
                "the key rotation statements go round in a circle (key {id} comes back)"
            ),
            RotationError::TooLong => {
                write!(f, "more than {MAX_ROTATION_STEPS} key rotations: refused")
            }
            RotationError::Ambiguous(id) => {
                write!(f, "key {id} signed rotations to more than one key")
            }
            RotationError::OutOfOrder {
                old_key_id,
                new_key_id,
                date,
                previous_date,
            } => write!(
                f,
                "the rotation from key {old_key_id} to key {new_key_id} is dated {date}, before the rotation that precedes it ({previous_date})"
            ),
            RotationError::Future {
                old_key_id,
                new_key_id,
                date,
                today,
            } => write!(
                f,
                "the rotation from key {old_key_id} to key {new_key_id} is dated {date}, later than today on this computer's clock ({today}, UTC): a statement from the future is refused (if this computer's date is wrong, correct it)"
            ),
        }
    }
}

impl std::error::Error for RotationError {}

/// A verified key rotation: `old_key_id` (the trusted key) handed over to
/// `new_key` on `date` (`YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    pub old_key_id: String,
    pub new_key_id: String,
    pub new_key: PublicKey,
    pub date: String,
}

fn rotation_trusted_comment(old_id: &str, new_id: &str, date: &str) -> String {
    format!("{ROTATION_HEADER} old={old_id} new={new_id} date={date}")
}

/// Write and sign the statement "the secretariat's key `old` is replaced by
/// `new_pk` as of `date`".
///
/// The statement (LF line endings):
/// ```text
/// pocdir-key-rotation/1
/// old-key-id: <OLDID, 16 upper-case hex>
/// new-key-id: <NEWID>
/// new-public-key: <the new key's base64 line>
/// date: <YYYY-MM-DD>
/// ```
/// signed by the OLD key (a prehashed minisign signature, which
/// `minisign -V` verifies) with the trusted comment
/// `pocdir-key-rotation/1 old=<OLDID> new=<NEWID> date=<DATE>`. The pair is
/// checked with `verify_rotation` before being returned. Returns the
/// statement and the signature file's text.
pub fn rotation_statement(
    old: &SigningKey,
    new_pk: &PublicKey,
    date: jiff::civil::Date,
) -> Result<(String, String), KeyGenError> {
    let old_id = key_id(&old.pk);
    let new_id = key_id(new_pk);
    if old_id == new_id || old.pk.key_bytes() == new_pk.key_bytes() {
        return Err(KeyGenError::SameKey);
    }
    let date = date.to_string();
    if date.len() != 10 || !date.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(KeyGenError::BadDate);
    }
    let statement = format!(
        "{ROTATION_HEADER}\nold-key-id: {old_id}\nnew-key-id: {new_id}\nnew-public-key: {}\ndate: {date}\n",
        new_pk.to_base64()
    );
    let trusted = rotation_trusted_comment(&old_id, &new_id, &date);
    let untrusted = format!("pocdir key rotation {old_id} -> {new_id}, signed by the old key");
    let sig = old
        .sign(statement.as_bytes(), &trusted, &untrusted)
        .map_err(|_| KeyGenError::Sign)?;
    verify_rotation(&old.pk, statement.as_bytes(), &sig).map_err(|_| KeyGenError::Sign)?;
    Ok((statement, sig))
}

/// Verify a key rotation statement signed by `trusted_old`.
///
/// The signature is checked first (`crate::sign::verify`, prehashed only),
/// before the statement is even parsed; only the sizes (at most
/// `MAX_STATEMENT_BYTES` each) are looked at before. Then the statement is
/// parsed strictly: exactly the five lines of `rotation_statement`, in
/// order, LF endings, ids of 16 upper-case hex digits, a canonical minisign
/// Ed25519 public key whose id is `new-key-id`, `old-key-id` the trusted
/// key's id, a different new key, a `YYYY-MM-DD` date, and a trusted comment
/// that says the same. Error messages never echo the (untrusted) text.
pub fn verify_rotation(
    trusted_old: &PublicKey,
    statement: &[u8],
    sig_text: &str,
) -> Result<Rotation, RotationError> {
    if statement.len() > MAX_STATEMENT_BYTES {
        return Err(RotationError::Malformed(
            "the statement is larger than 4 KiB",
        ));
    }
    if sig_text.len() > MAX_STATEMENT_BYTES {
        return Err(RotationError::Malformed(
            "the signature file is larger than 4 KiB",
        ));
    }
    let trusted_comment =
        crate::sign::verify(trusted_old, sig_text, statement).map_err(|e| match e {
            VerifyError::Malformed => {
                RotationError::Malformed("the signature file is not a minisign signature")
            }
            VerifyError::OtherKey(id) => RotationError::OtherKey(id),
            VerifyError::Bad => RotationError::BadSignature,
        })?;

    let text = std::str::from_utf8(statement)
        .map_err(|_| RotationError::Malformed("the statement is not UTF-8"))?;
    if text.contains('\r') {
        return Err(RotationError::Malformed(
            "carriage return in the statement (LF line endings only)",
        ));
    }
    let body = text.strip_suffix('\n').ok_or(RotationError::Malformed(
        "the statement's last line does not end with a newline",
    ))?;
    let lines: Vec<&str> = body.split('\n').collect();
    let [header, old_line, new_line, key_line, date_line] = lines[..] else {
        return Err(RotationError::Malformed(
            "the statement does not have exactly 5 lines",
        ));
    };
    if header != ROTATION_HEADER {
        return Err(RotationError::Malformed(
            "the first line is not `pocdir-key-rotation/1`",
        ));
    }
    let old_id = match old_line.strip_prefix("old-key-id: ") {
        Some(id) if is_key_id(id) => id,
        _ => {
            return Err(RotationError::Malformed(
                "line 2 is not `old-key-id: <16 upper-case hex digits>`",
            ));
        }
    };
    let new_id = match new_line.strip_prefix("new-key-id: ") {
        Some(id) if is_key_id(id) => id,
        _ => {
            return Err(RotationError::Malformed(
                "line 3 is not `new-key-id: <16 upper-case hex digits>`",
            ));
        }
    };
    let Some(key_b64) = key_line.strip_prefix("new-public-key: ") else {
        return Err(RotationError::Malformed(
            "line 4 is not `new-public-key: <base64>`",
        ));
    };
    let new_key = PublicKey::from_base64(key_b64)
        .ok()
        .filter(|pk| pk.to_base64() == key_b64)
        .ok_or(RotationError::Malformed(
            "new-public-key is not a minisign Ed25519 public key",
        ))?;
    let date = match date_line.strip_prefix("date: ") {
        Some(d)
            if d.len() == 10
                && d.parse::<jiff::civil::Date>()
                    .is_ok_and(|p| p.to_string() == d) =>
        {
            d
        }
        _ => {
            return Err(RotationError::Malformed(
                "line 5 is not `date: <YYYY-MM-DD>`",
            ));
        }
    };

    if key_id(&new_key) != new_id {
        return Err(RotationError::Mismatch(
            "new-key-id is not the id of new-public-key",
        ));
    }
    if old_id != key_id(trusted_old) {
        return Err(RotationError::Mismatch(
            "old-key-id is not the id of the key that signed the statement",
        ));
    }
    if new_id == old_id || new_key.key_bytes() == trusted_old.key_bytes() {
        return Err(RotationError::Mismatch("the new key is the old key"));
    }
    if trusted_comment != rotation_trusted_comment(old_id, new_id, date) {
        return Err(RotationError::Mismatch(
            "the signature's trusted comment does not match the statement",
        ));
    }
    Ok(Rotation {
        old_key_id: old_id.to_string(),
        new_key_id: new_id.to_string(),
        new_key,
        date: date.to_string(),
    })
}

/// 16 upper-case hex digits, as minisign prints key ids.
fn is_key_id(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'A'..=b'F'))
}

/// Follow key rotation statements from the `trusted` key to the key whose
/// id is `target_key_id` (16 hex digits, either case).
///
/// Each step takes the statements whose signature names the current key,
/// verifies every one of them (`verify_rotation` with the current key: any
/// failure refuses the whole chain), and moves to the new key they name.
/// Statements signed by other keys are skipped, in any order; identical
/// duplicates are fine. Refused: a signature file that cannot be parsed
/// (`Malformed`), a key that rotated to two different keys (`Ambiguous`), a
/// chain coming back to a key (`Cycle`), more than `MAX_ROTATION_STEPS`
/// steps (`TooLong`), and a dead end (`NoPath`).
///
/// Returns the rotations in order; empty if `trusted` is the target.
pub fn follow_rotations(
    trusted: &PublicKey,
    target_key_id: &str,
    statements: &[(Vec<u8>, String)],
) -> Result<Vec<Rotation>, RotationError> {
    let target = target_key_id.to_ascii_uppercase();
    if !is_key_id(&target) {
        return Err(RotationError::Malformed(
            "the target key id is not 16 hex digits",
        ));
    }
    let mut current = trusted.clone();
    let mut seen = BTreeSet::from([key_id(trusted)]);
    let mut path: Vec<Rotation> = Vec::new();
    loop {
        let current_id = key_id(&current);
        if current_id == target {
            return Ok(path);
        }
        if path.len() == MAX_ROTATION_STEPS {
            return Err(RotationError::TooLong);
        }
        let mut next: Option<Rotation> = None;
        for (statement, sig) in statements {
            let signer = crate::sign::signature_key_id(sig).map_err(|_| {
                RotationError::Malformed("a signature file is not a minisign signature")
            })?;
            if signer != current_id {
                continue;
            }
            let r = verify_rotation(&current, statement, sig)?;
            match &next {
                Some(n) if n.new_key_id != r.new_key_id || n.new_key != r.new_key => {
                    return Err(RotationError::Ambiguous(current_id));
                }
                Some(_) => {}
                None => next = Some(r),
            }
        }
        let Some(r) = next else {
            return Err(RotationError::NoPath(target));
        };
        if !seen.insert(r.new_key_id.clone()) {
            return Err(RotationError::Cycle(r.new_key_id));
        }
        current = r.new_key.clone();
        path.push(r);
    }
}

/// Every rotation from `first` as far as `statements` go: at each key, the
/// statements whose signature names it are verified (any failure refuses
/// the whole chain) and must all name the same new key (`Ambiguous`
/// otherwise: a fork); the chain moves on until no statement is signed by
/// its last key. Statements signed by keys off the chain are skipped.
/// Refused too: a chain coming back to a key (`Cycle`), more than
/// `MAX_ROTATION_STEPS` steps (`TooLong`), a rotation dated before the one
/// that precedes it (`OutOfOrder`). Returns each rotation with the index of
/// the (first) statement that made it.
fn walk(
    first: &PublicKey,
    statements: &[(Vec<u8>, String)],
) -> Result<Vec<(Rotation, usize)>, RotationError> {
    let mut current = first.clone();
    let mut seen = BTreeSet::from([key_id(first)]);
    let mut path: Vec<(Rotation, usize)> = Vec::new();
    loop {
        let current_id = key_id(&current);
        let mut next: Option<(Rotation, usize)> = None;
        for (i, (statement, sig)) in statements.iter().enumerate() {
            let signer = crate::sign::signature_key_id(sig).map_err(|_| {
                RotationError::Malformed("a signature file is not a minisign signature")
            })?;
            if signer != current_id {
                continue;
            }
            let r = verify_rotation(&current, statement, sig)?;
            match &next {
                Some((n, _)) if n.new_key_id != r.new_key_id || n.new_key != r.new_key => {
                    return Err(RotationError::Ambiguous(current_id));
                }
                Some(_) => {}
                None => next = Some((r, i)),
            }
        }
        let Some((r, i)) = next else {
            return Ok(path);
        };
        if path.len() == MAX_ROTATION_STEPS {
            return Err(RotationError::TooLong);
        }
        if !seen.insert(r.new_key_id.clone()) {
            return Err(RotationError::Cycle(r.new_key_id));
        }
        if let Some((previous, _)) = path.last()
            && r.date < previous.date
        {
            return Err(RotationError::OutOfOrder {
                old_key_id: r.old_key_id,
                new_key_id: r.new_key_id,
                date: r.date,
                previous_date: previous.date.clone(),
            });
        }
        current = r.new_key.clone();
        path.push((r, i));
    }
}

/// The keys a reader has trusted: its first key and the verified chain of
/// rotations it followed from it, with the statements (and signature
/// files) that made each one, kept to be verified again. Its last key is
/// the only one a bundle may be signed by; every earlier key is retired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyHistory {
    first: PublicKey,
    rotations: Vec<Rotation>,
    statements: Vec<(Vec<u8>, String)>,
}

impl KeyHistory {
    /// A history of one key, with no rotation yet.
    pub fn new(first: PublicKey) -> KeyHistory {
        KeyHistory {
            first,
            rotations: Vec::new(),
            statements: Vec::new(),
        }
    }

    /// A history read back from its record: every statement must be one
    /// link of the chain from `first`, in order (as `walk` verifies it).
    pub fn from_record(
        first: PublicKey,
        statements: Vec<(Vec<u8>, String)>,
    ) -> Result<KeyHistory, RotationError> {
        let path = walk(&first, &statements)?;
        if path.iter().map(|(_, i)| *i).ne(0..statements.len()) {
            return Err(RotationError::Mismatch(
                "the recorded statements are not one chain, in order, from the first key",
            ));
        }
        Ok(KeyHistory {
            first,
            rotations: path.into_iter().map(|(r, _)| r).collect(),
            statements,
        })
    }

    /// This history followed as far as its own statements and `more` go
    /// (a statement forking from any key of the history is `Ambiguous`).
    /// Returns the longer history and the rotations it adds.
    pub fn extend(
        &self,
        more: &[(Vec<u8>, String)],
    ) -> Result<(KeyHistory, Vec<Rotation>), RotationError> {
        let all: Vec<(Vec<u8>, String)> = self.statements.iter().chain(more).cloned().collect();
        let path = walk(&self.first, &all)?;
        let known = self.rotations.len();
        if path.len() < known || path[..known].iter().map(|(r, _)| r).ne(&self.rotations) {
            return Err(RotationError::Mismatch(
                "the statements change the recorded chain of keys",
            ));
        }
        let added: Vec<Rotation> = path[known..].iter().map(|(r, _)| r.clone()).collect();
        let statements = path.iter().map(|(_, i)| all[*i].clone()).collect();
        let longer = KeyHistory {
            first: self.first.clone(),
            rotations: path.into_iter().map(|(r, _)| r).collect(),
            statements,
        };
        Ok((longer, added))
    }

    /// The first key (where the record starts).
    pub fn first(&self) -> &PublicKey {
        &self.first
    }

    /// The current key: the last one the chain leads to.
    pub fn current(&self) -> &PublicKey {
        self.rotations.last().map_or(&self.first, |r| &r.new_key)
    }

    /// The rotations, in order.
    pub fn rotations(&self) -> &[Rotation] {
        &self.rotations
    }

    /// The statement and signature file of each rotation, in order.
    pub fn statements(&self) -> &[(Vec<u8>, String)] {
        &self.statements
    }

    /// Every key of the history, first to current.
    pub fn keys(&self) -> impl Iterator<Item = &PublicKey> {
        std::iter::once(&self.first).chain(self.rotations.iter().map(|r| &r.new_key))
    }

    /// The key of the history with this id (16 hex digits, either case).
    pub fn key(&self, id: &str) -> Option<&PublicKey> {
        let id = id.to_ascii_uppercase();
        self.keys().find(|k| key_id(k) == id)
    }

    /// The rotation that retired the key with this id, if it was.
    pub fn retired(&self, id: &str) -> Option<&Rotation> {
        let id = id.to_ascii_uppercase();
        self.rotations.iter().find(|r| r.old_key_id == id)
    }
}

/// Refuse a rotation dated later than `today` (the reader's UTC date)
/// plus `DATE_SKEW_DAYS`.
pub fn check_not_future(
    rotations: &[Rotation],
    today: jiff::civil::Date,
) -> Result<(), RotationError> {
    let latest = today
        .checked_add(jiff::Span::new().days(DATE_SKEW_DAYS))
        .unwrap_or(today);
    for r in rotations {
        let date: jiff::civil::Date = r
            .date
            .parse()
            .map_err(|_| RotationError::Malformed("line 5 is not `date: <YYYY-MM-DD>`"))?;
        if date > latest {
            return Err(RotationError::Future {
                old_key_id: r.old_key_id.clone(),
                new_key_id: r.new_key_id.clone(),
                date: r.date.clone(),
                today: today.to_string(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SigningKey {
        let (sk, pk_text) = crate::sign::keygen::signing_keypair(None, "test").unwrap();
        let pk = PublicKey::from_file_text(&pk_text).unwrap();
        crate::sign::load_secret_key(&sk, None, &pk).unwrap()
    }

    fn stmt(old: &SigningKey, new: &SigningKey, date: &str) -> (Vec<u8>, String) {
        let (s, sig) = rotation_statement(old, &new.pk, date.parse().unwrap()).unwrap();
        (s.into_bytes(), sig)
    }

    fn ids(h: &KeyHistory) -> Vec<String> {
        h.keys().map(key_id).collect()
    }

    #[test]
    fn a_history_follows_the_whole_chain_and_knows_its_retired_keys() {
        let [a, b, c] = [key(), key(), key()];
        let (ab, bc) = (stmt(&a, &b, "2026-03-01"), stmt(&b, &c, "2026-04-01"));
        let start = KeyHistory::new(a.pk.clone());
        assert_eq!(start.current(), &a.pk);
        // In any order, with a duplicate and a statement off the chain.
        let (x, y) = (key(), key());
        let off = stmt(&x, &y, "2026-01-01");
        let (h, added) = start
            .extend(&[bc.clone(), off, ab.clone(), ab.clone()])
            .unwrap();
        assert_eq!(ids(&h), [key_id(&a.pk), key_id(&b.pk), key_id(&c.pk)]);
        assert_eq!(added.len(), 2);
        assert_eq!(h.current(), &c.pk);
        assert_eq!(h.statements(), [ab.clone(), bc.clone()]);
        let r = h.retired(&key_id(&a.pk)).unwrap();
        assert_eq!(
            (r.new_key_id.as_str(), r.date.as_str()),
            (key_id(&b.pk).as_str(), "2026-03-01")
        );
        assert!(h.retired(&key_id(&c.pk)).is_none());
        assert_eq!(h.key(&key_id(&b.pk).to_lowercase()), Some(&b.pk));
        assert!(h.key(&key_id(&x.pk)).is_none());

        // Read back from its record, then extended with nothing new.
        let back = KeyHistory::from_record(a.pk.clone(), h.statements().to_vec()).unwrap();
        assert_eq!(back, h);
        let (same, none) = back.extend(std::slice::from_ref(&ab)).unwrap();
        assert_eq!((same, none.len()), (h.clone(), 0));

        // A record that is not one chain in order is refused.
        assert!(matches!(
            KeyHistory::from_record(a.pk.clone(), vec![bc.clone(), ab.clone()]),
            Err(RotationError::Mismatch(_))
        ));
        assert!(matches!(
            KeyHistory::from_record(a.pk.clone(), vec![bc.clone()]),
            Err(RotationError::Mismatch(_))
        ));
    }

    #[test]
    fn a_fork_from_any_recorded_key_is_ambiguous() {
        let [a, b, c] = [key(), key(), key()];
        let (h, _) = KeyHistory::new(a.pk.clone())
            .extend(&[stmt(&a, &b, "2026-03-01")])
            .unwrap();
        // The record says A → B; A → C comes later (a leaked A).
        assert_eq!(
            h.extend(&[stmt(&a, &c, "2026-05-01")]),
            Err(RotationError::Ambiguous(key_id(&a.pk)))
        );
        // Both at once.
        assert_eq!(
            KeyHistory::new(a.pk.clone())
                .extend(&[stmt(&a, &b, "2026-03-01"), stmt(&a, &c, "2026-03-01")]),
            Err(RotationError::Ambiguous(key_id(&a.pk)))
        );
    }

    #[test]
    fn rotations_are_dated_in_order_and_not_in_the_future() {
        let [a, b, c] = [key(), key(), key()];
        let start = KeyHistory::new(a.pk.clone());
        let err = start
            .extend(&[stmt(&a, &b, "2026-03-01"), stmt(&b, &c, "2026-02-28")])
            .unwrap_err();
        assert_eq!(
            err,
            RotationError::OutOfOrder {
                old_key_id: key_id(&b.pk),
                new_key_id: key_id(&c.pk),
                date: "2026-02-28".into(),
                previous_date: "2026-03-01".into(),
            }
        );
        // The same day is fine.
        let (_, added) = start
            .extend(&[stmt(&a, &b, "2026-03-01"), stmt(&b, &c, "2026-03-01")])
            .unwrap();
        let today: jiff::civil::Date = "2026-02-28".parse().unwrap();
        // A day ahead is within the skew; two are not.
        assert_eq!(check_not_future(&added, today), Ok(()));
        let early: jiff::civil::Date = "2026-02-27".parse().unwrap();
        assert!(matches!(
            check_not_future(&added, early),
            Err(RotationError::Future { date, today, .. }) if date == "2026-03-01" && today == "2026-02-27"
        ));
    }
}
