//! The secretariat key's history (issue #18), as TUF's chain of root
//! documents: version 1 is the anchor (the key a directory was created
//! with, `keys/anchor.pub`); each later version is a numbered statement
//! naming the new key set (its keys, how many of them must sign, until
//! when it holds), signed by at least the threshold of the **previous**
//! set and by **every** key of the new set (so no key is put in a set
//! without its holder's signature). One walker, [`KeyHistory::extend`],
//! serves `check`, `review` and `build` (from the anchor) and `open` (from
//! the key a reader pinned).
//!
//! A statement (`keys/rotations/<N>.txt`, LF line endings):
//! ```text
//! pocdir-keys/2
//! version: <N, 2 or more>
//! date: <YYYY-MM-DD>
//! expires: <YYYY-MM-DD>
//! threshold: <k>
//! key: <minisign public key, base64>     (n lines, in key-id order)
//! ```
//! and one stock minisign (prehashed) signature per signer,
//! `keys/rotations/<N>.txt.<KEYID>.minisig`, whose trusted comment
//! repeats it: `pocdir-keys/2 version=N date=D expires=E threshold=k
//! keys=ID,ID`. The signatures of the previous set are verified before the
//! statement is parsed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::sign::keygen::KeyGenError;
use crate::sign::{PublicKey, SigningKey, VerifyError, key_id};

/// The largest statement (and signature file) accepted.
pub const MAX_STATEMENT_BYTES: usize = 4096;

/// The most versions a history may have past its start, and the most keys
/// in a set.
pub const MAX_ROTATION_STEPS: usize = 64;
pub const MAX_KEYS: usize = 16;

/// The first line of a statement (and of its signatures' trusted comment).
pub const HISTORY_HEADER: &str = "pocdir-keys/2";

/// How far (in days) a newly followed statement's date may be ahead of the
/// reader's UTC date.
pub const DATE_SKEW_DAYS: i8 = 1;

/// How long a new key set holds by default.
pub const DEFAULT_VALIDITY_DAYS: i64 = 730;

/// Why a statement (or a chain of them) is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotationError {
    /// Fewer valid signatures by keys of the previous set than its
    /// threshold (`version`, found, needed).
    Threshold {
        version: String,
        found: usize,
        needed: usize,
    },
    /// A key of the new set did not sign the statement (its id).
    Unsigned { version: u64, key_id: String },
    /// The statement or a signature file is not well-formed.
    Malformed(&'static str),
    /// A well-formed, correctly signed statement that contradicts itself
    /// or its signatures' trusted comments.
    Mismatch(&'static str),
    /// More than `MAX_ROTATION_STEPS` versions.
    TooLong,
    /// Two different statements of the same version, each signed by the
    /// previous set: a fork (the version, and the ids of that set).
    Ambiguous(String),
    /// A version dated before the version before it.
    OutOfOrder {
        version: u64,
        date: String,
        previous_date: String,
    },
    /// A version dated later than the reader's date (beyond
    /// `DATE_SKEW_DAYS`).
    Future {
        version: u64,
        date: String,
        today: String,
    },
}

impl fmt::Display for RotationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RotationError::Threshold {
                version,
                found,
                needed,
            } => write!(
                f,
                "the key statement {version} has {found} valid signature(s) by the keys it replaces, {needed} needed: it was altered, or not made by the secretariat"
            ),
            RotationError::Unsigned { version, key_id } => write!(
                f,
                "key {key_id} of the key statement {version} did not sign it (every new key signs the statement that names it)"
            ),
            RotationError::Malformed(why) => write!(f, "malformed key statement: {why}"),
            RotationError::Mismatch(why) => write!(f, "inconsistent key statement: {why}"),
            RotationError::TooLong => {
                write!(
                    f,
                    "more than {MAX_ROTATION_STEPS} versions of the key history: refused"
                )
            }
            RotationError::Ambiguous(what) => {
                write!(
                    f,
                    "two different key statements {what} are both signed by the keys they replace"
                )
            }
            RotationError::OutOfOrder {
                version,
                date,
                previous_date,
            } => write!(
                f,
                "the key statement {version} is dated {date}, before the version that precedes it ({previous_date})"
            ),
            RotationError::Future {
                version,
                date,
                today,
            } => write!(
                f,
                "the key statement {version} is dated {date}, later than today on this computer's clock ({today}, UTC): a statement from the future is refused (if this computer's date is wrong, correct it)"
            ),
        }
    }
}

impl std::error::Error for RotationError {}

/// One version of the history: a set of keys, how many must sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySet {
    /// 1 for the anchor; 0 for a key a reader pinned without knowing its
    /// place in the history.
    pub version: u64,
    /// In key-id order, distinct.
    pub keys: Vec<PublicKey>,
    pub threshold: usize,
    /// `YYYY-MM-DD`; none for the anchor and a pin.
    pub date: Option<String>,
    pub expires: Option<String>,
}

impl KeySet {
    /// A set of one key (the anchor, version 1, or a pin, version 0).
    pub fn single(key: PublicKey, version: u64) -> KeySet {
        KeySet {
            version,
            keys: vec![key],
            threshold: 1,
            date: None,
            expires: None,
        }
    }

    /// The key of the set with this id (16 hex digits, either case).
    pub fn key(&self, id: &str) -> Option<&PublicKey> {
        let id = id.to_ascii_uppercase();
        self.keys.iter().find(|k| key_id(k) == id)
    }

    /// The ids, `A, B`.
    pub fn ids(&self) -> String {
        self.keys.iter().map(key_id).collect::<Vec<_>>().join(", ")
    }

    /// `version N` (or `the pinned key` for a pin).
    pub fn name(&self) -> String {
        match self.version {
            0 => "of the pinned key".into(),
            v => format!("version {v}"),
        }
    }
}

/// A statement and its signature files, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub text: Vec<u8>,
    /// Signature files (text), in key-id order when pocdir wrote them.
    pub signatures: Vec<String>,
}

fn trusted_comment(version: u64, date: &str, expires: &str, threshold: usize, ids: &str) -> String {
    format!(
        "{HISTORY_HEADER} version={version} date={date} expires={expires} threshold={threshold} keys={ids}"
    )
}

/// The file name of version `n`'s statement in `keys/rotations/`, and of
/// its signature by `id`.
pub fn statement_file(n: u64) -> String {
    format!("{n}.txt")
}
pub fn signature_file(n: u64, id: &str) -> String {
    format!("{n}.txt.{id}.minisig")
}

/// Write and sign version `previous.version + 1`: `keys` (any order),
/// `threshold` of them, from `date` to `expires`. `signers` must hold at
/// least `previous.threshold` keys of `previous` and every key of the new
/// set (one may be both). Checked with [`verify_statement`] before being
/// returned.
pub fn make_statement(
    previous: &KeySet,
    keys: &[PublicKey],
    threshold: usize,
    date: jiff::civil::Date,
    expires: jiff::civil::Date,
    signers: &[&SigningKey],
) -> Result<Statement, KeyGenError> {
    let st = draft_statement(previous, keys, threshold, date, expires, signers)?;
    verify_statement(previous, &st).map_err(KeyGenError::Statement)?;
    Ok(st)
}

/// [`make_statement`] without the final check: a statement some of whose
/// signers are on other machines (`pocdir sign --statement` adds theirs).
pub fn draft_statement(
    previous: &KeySet,
    keys: &[PublicKey],
    threshold: usize,
    date: jiff::civil::Date,
    expires: jiff::civil::Date,
    signers: &[&SigningKey],
) -> Result<Statement, KeyGenError> {
    let mut keys: Vec<PublicKey> = keys.to_vec();
    keys.sort_by_key(key_id);
    keys.dedup_by_key(|k| key_id(k));
    if keys.is_empty() || keys.len() > MAX_KEYS || threshold == 0 || threshold > keys.len() {
        return Err(KeyGenError::Threshold);
    }
    if expires <= date || date.year() < 1000 || expires.year() > 9999 {
        return Err(KeyGenError::BadDate);
    }
    let version = previous.version.max(1) + 1;
    let ids: Vec<String> = keys.iter().map(key_id).collect();
    let mut text = format!(
        "{HISTORY_HEADER}\nversion: {version}\ndate: {date}\nexpires: {expires}\nthreshold: {threshold}\n"
    );
    for k in &keys {
        text.push_str(&format!("key: {}\n", k.to_base64()));
    }
    let trusted = trusted_comment(
        version,
        &date.to_string(),
        &expires.to_string(),
        threshold,
        &ids.join(","),
    );
    let mut by_id: BTreeMap<String, &SigningKey> = BTreeMap::new();
    for s in signers {
        by_id.insert(key_id(&s.pk), s);
    }
    let mut signatures = Vec::new();
    for (id, s) in &by_id {
        let untrusted = format!("pocdir key history version {version}, signed by key {id}");
        signatures.push(
            s.sign(text.as_bytes(), &trusted, &untrusted)
                .map_err(|_| KeyGenError::Sign)?,
        );
    }
    Ok(Statement {
        text: text.into_bytes(),
        signatures,
    })
}

/// Add `signer`'s signature to a statement (a second officer, on another
/// machine): the statement must already verify against `previous` except
/// for missing signatures. Returns the signature file's text.
pub fn sign_statement(st: &Statement, signer: &SigningKey) -> Result<(u64, String), RotationError> {
    let parsed = parse_statement(&st.text)?;
    let id = key_id(&signer.pk);
    let trusted = trusted_comment(
        parsed.version,
        parsed.date.as_deref().unwrap_or_default(),
        parsed.expires.as_deref().unwrap_or_default(),
        parsed.threshold,
        &parsed.ids().replace(", ", ","),
    );
    let untrusted = format!(
        "pocdir key history version {}, signed by key {id}",
        parsed.version
    );
    let sig = signer
        .sign(&st.text, &trusted, &untrusted)
        .map_err(|_| RotationError::Malformed("cannot sign"))?;
    Ok((parsed.version, sig))
}

/// The valid signatures of `st` by keys of `set`: each key's id with the
/// trusted comment its signature carries. A signature by a key not in the
/// set is skipped; one by a key of the set that does not verify is not
/// counted.
fn valid_signatures(
    set: &KeySet,
    st: &Statement,
) -> Result<BTreeMap<String, String>, RotationError> {
    let mut out = BTreeMap::new();
    for sig in &st.signatures {
        if sig.len() > MAX_STATEMENT_BYTES {
            return Err(RotationError::Malformed(
                "a signature file is larger than 4 KiB",
            ));
        }
        let id = crate::sign::signature_key_id(sig).map_err(|_| {
            RotationError::Malformed("a signature file is not a minisign signature")
        })?;
        let Some(k) = set.key(&id) else { continue };
        match crate::sign::verify(k, sig, &st.text) {
            Ok(tc) => {
                out.insert(id, tc);
            }
            Err(VerifyError::Malformed) => {
                return Err(RotationError::Malformed(
                    "a signature file is not a minisign signature",
                ));
            }
            Err(_) => {}
        }
    }
    Ok(out)
}

/// Parse a statement strictly (after its previous set's signatures
/// verified): exactly the lines of [`make_statement`], in order.
fn parse_statement(text: &[u8]) -> Result<KeySet, RotationError> {
    if text.len() > MAX_STATEMENT_BYTES {
        return Err(RotationError::Malformed(
            "the statement is larger than 4 KiB",
        ));
    }
    let text = std::str::from_utf8(text)
        .map_err(|_| RotationError::Malformed("the statement is not UTF-8"))?;
    if text.contains('\r') {
        return Err(RotationError::Malformed(
            "carriage return in the statement (LF line endings only)",
        ));
    }
    let body = text.strip_suffix('\n').ok_or(RotationError::Malformed(
        "the statement's last line does not end with a newline",
    ))?;
    let mut lines = body.split('\n');
    if lines.next() != Some(HISTORY_HEADER) {
        return Err(RotationError::Malformed(
            "the first line is not `pocdir-keys/2`",
        ));
    }
    let mut field = |name: &str, why: &'static str| -> Result<String, RotationError> {
        lines
            .next()
            .and_then(|l| l.strip_prefix(name))
            .and_then(|l| l.strip_prefix(": "))
            .map(str::to_string)
            .ok_or(RotationError::Malformed(why))
    };
    let version = field("version", "line 2 is not `version: <N>`")?;
    let date = field("date", "line 3 is not `date: <YYYY-MM-DD>`")?;
    let expires = field("expires", "line 4 is not `expires: <YYYY-MM-DD>`")?;
    let threshold = field("threshold", "line 5 is not `threshold: <k>`")?;
    let mut keys = Vec::new();
    for l in lines {
        let b64 = l.strip_prefix("key: ").ok_or(RotationError::Malformed(
            "a line after line 5 is not `key: <base64>`",
        ))?;
        let k = PublicKey::from_base64(b64)
            .ok()
            .filter(|k| k.to_base64() == b64)
            .ok_or(RotationError::Malformed(
                "a key is not a minisign Ed25519 public key",
            ))?;
        keys.push(k);
    }
    let number = |s: &str| {
        (!s.is_empty()
            && s.len() <= 19
            && s.bytes().all(|b| b.is_ascii_digit())
            && !s.starts_with('0'))
        .then(|| s.parse::<u64>().ok())
        .flatten()
    };
    let version = number(&version)
        .filter(|v| *v >= 2)
        .ok_or(RotationError::Malformed(
            "the version is not a number of 2 or more",
        ))?;
    let threshold = number(&threshold)
        .map(|t| t as usize)
        .filter(|t| (1..=keys.len()).contains(t))
        .ok_or(RotationError::Malformed(
            "the threshold is not between 1 and the number of keys",
        ))?;
    let is_date = |d: &str| {
        d.len() == 10
            && d.parse::<jiff::civil::Date>()
                .is_ok_and(|p| p.to_string() == d)
    };
    if !is_date(&date) || !is_date(&expires) {
        return Err(RotationError::Malformed("a date is not YYYY-MM-DD"));
    }
    if expires <= date {
        return Err(RotationError::Mismatch(
            "the key set expires before its date",
        ));
    }
    if keys.is_empty() || keys.len() > MAX_KEYS {
        return Err(RotationError::Malformed("a key set has 1 to 16 keys"));
    }
    let ids: Vec<String> = keys.iter().map(key_id).collect();
    if ids.windows(2).any(|w| w[0] >= w[1]) {
        return Err(RotationError::Malformed(
            "the keys are not distinct and in key-id order",
        ));
    }
    Ok(KeySet {
        version,
        keys,
        threshold,
        date: Some(date),
        expires: Some(expires),
    })
}

/// Verify a statement against the set it replaces: at least its threshold
/// of valid signatures by keys of `previous` first (nothing is parsed
/// before), then the statement, its version (`previous.version + 1`, or
/// any for a pin of unknown version), every new key's signature, and every
/// valid signature's trusted comment. Returns the new set.
pub fn verify_statement(previous: &KeySet, st: &Statement) -> Result<KeySet, RotationError> {
    if st.text.len() > MAX_STATEMENT_BYTES {
        return Err(RotationError::Malformed(
            "the statement is larger than 4 KiB",
        ));
    }
    let by_old = valid_signatures(previous, st)?;
    if by_old.len() < previous.threshold {
        return Err(RotationError::Threshold {
            version: format!("after {}", previous.name()),
            found: by_old.len(),
            needed: previous.threshold,
        });
    }
    let set = parse_statement(&st.text)?;
    if previous.version != 0 && set.version != previous.version + 1 {
        return Err(RotationError::Mismatch(
            "its version does not follow the version it replaces",
        ));
    }
    let by_new = valid_signatures(&set, st)?;
    if let Some(k) = set.keys.iter().find(|k| !by_new.contains_key(&key_id(k))) {
        return Err(RotationError::Unsigned {
            version: set.version,
            key_id: key_id(k),
        });
    }
    let expected = trusted_comment(
        set.version,
        set.date.as_deref().unwrap_or_default(),
        set.expires.as_deref().unwrap_or_default(),
        set.threshold,
        &set.ids().replace(", ", ","),
    );
    if by_old
        .values()
        .chain(by_new.values())
        .any(|tc| *tc != expected)
    {
        return Err(RotationError::Mismatch(
            "a signature's trusted comment does not match the statement",
        ));
    }
    if let (Some(p), Some(d)) = (&previous.date, &set.date)
        && d < p
    {
        return Err(RotationError::OutOfOrder {
            version: set.version,
            date: d.clone(),
            previous_date: p.clone(),
        });
    }
    Ok(set)
}

/// The keys a directory (from its anchor) or a reader (from its pin) has
/// trusted: the set it starts from and every version followed since, with
/// the statements that made them, kept to be verified again. The last
/// set's keys are the only ones that may sign; a key of an earlier set
/// that is not in the last is retired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyHistory {
    start: KeySet,
    sets: Vec<KeySet>,
    statements: Vec<Statement>,
}

impl KeyHistory {
    /// A history of one key, with no statement yet: the anchor (version 1)
    /// or a reader's pin (version unknown).
    pub fn new(first: PublicKey, version: u64) -> KeyHistory {
        KeyHistory {
            start: KeySet::single(first, version),
            sets: Vec::new(),
            statements: Vec::new(),
        }
    }

    /// A history read back from its record: every statement must be the
    /// next version, in order.
    pub fn from_record(
        start: KeySet,
        statements: Vec<Statement>,
    ) -> Result<KeyHistory, RotationError> {
        let mut h = KeyHistory {
            start,
            sets: Vec::new(),
            statements: Vec::new(),
        };
        for st in statements {
            let next = verify_statement(h.current(), &st)?;
            h.push(next, st)?;
        }
        Ok(h)
    }

    fn push(&mut self, set: KeySet, st: Statement) -> Result<(), RotationError> {
        if self.sets.len() == MAX_ROTATION_STEPS {
            return Err(RotationError::TooLong);
        }
        self.sets.push(set);
        self.statements.push(st);
        Ok(())
    }

    /// This history followed as far as `more` goes. A pin of unknown
    /// version first moves to the latest statement naming (and so signed
    /// by) the pinned key. Then, version after version, the statements
    /// that the current set signed (at least its threshold): two different
    /// ones for a version are a fork (`Ambiguous`), even against a recorded
    /// one; statements of versions already passed are otherwise ignored.
    /// Returns the longer history and the sets it adds.
    pub fn extend(&self, more: &[Statement]) -> Result<(KeyHistory, Vec<KeySet>), RotationError> {
        let mut h = self.clone();
        if h.start.version == 0 && h.sets.is_empty() {
            let pinned = h.start.keys[0].clone();
            let mut best: Option<(KeySet, &Statement)> = None;
            for st in more {
                // Signed by the pinned key, and naming it: verified as a
                // statement replacing the pinned key alone, then only kept
                // if the pinned key is in it.
                let Ok(by_pin) = valid_signatures(&h.start, st) else {
                    continue;
                };
                if by_pin.is_empty() {
                    continue;
                }
                let Ok(set) = parse_statement(&st.text) else {
                    continue;
                };
                if set.key(&key_id(&pinned)).is_none() {
                    continue;
                }
                // Its own keys all signed it too.
                let Ok(by_new) = valid_signatures(&set, st) else {
                    continue;
                };
                if set.keys.iter().any(|k| !by_new.contains_key(&key_id(k))) {
                    continue;
                }
                match &best {
                    Some((b, bst)) if b.version == set.version && bst.text != st.text => {
                        return Err(RotationError::Ambiguous(format!(
                            "of version {}",
                            set.version
                        )));
                    }
                    Some((b, _)) if b.version >= set.version => {}
                    _ => best = Some((set, st)),
                }
            }
            if let Some((set, st)) = best {
                h.start = set;
                h.sets.clear();
                h.statements.clear();
                // The statement is kept as the record's start proof.
                let _ = st;
            }
        }
        let known = h.sets.len();
        // Forks against what is recorded: a statement of a recorded
        // version signed by the set before it, with other text.
        for (i, rec) in h.statements.iter().enumerate() {
            let before = if i == 0 { &h.start } else { &h.sets[i - 1] };
            for st in more {
                if st.text != rec.text
                    && parse_statement(&st.text).is_ok_and(|s| s.version == h.sets[i].version)
                    && verify_statement(before, st).is_ok()
                {
                    return Err(RotationError::Ambiguous(format!(
                        "of version {}",
                        h.sets[i].version
                    )));
                }
            }
        }
        loop {
            let current = h.current().clone();
            let mut next: Option<(KeySet, Statement)> = None;
            for st in more {
                let Ok(sigs) = valid_signatures(&current, st) else {
                    continue;
                };
                if sigs.len() < current.threshold {
                    continue;
                }
                let Ok(set) = parse_statement(&st.text) else {
                    continue;
                };
                if current.version != 0 && set.version != current.version + 1 {
                    continue;
                }
                // Signed by the current set: from here on, it must verify.
                let set2 = verify_statement(&current, st)?;
                debug_assert_eq!(set, set2);
                match &next {
                    Some((_, n)) if n.text != st.text => {
                        return Err(RotationError::Ambiguous(format!(
                            "of version {}",
                            set.version
                        )));
                    }
                    Some(_) => {}
                    None => {
                        // Every statement merged: the signatures of all
                        // copies (a second officer's file may come apart).
                        next = Some((set2, st.clone()));
                    }
                }
                if let Some((_, n)) = &mut next {
                    for s in &st.signatures {
                        if !n.signatures.contains(s) {
                            n.signatures.push(s.clone());
                        }
                    }
                }
            }
            let Some((set, st)) = next else { break };
            h.push(set, st)?;
        }
        let added = h.sets[known..].to_vec();
        Ok((h, added))
    }

    /// The set the history starts from.
    pub fn start(&self) -> &KeySet {
        &self.start
    }

    /// The current set: the last one the history leads to.
    pub fn current(&self) -> &KeySet {
        self.sets.last().unwrap_or(&self.start)
    }

    /// Every set, start to current.
    pub fn sets(&self) -> impl Iterator<Item = &KeySet> {
        std::iter::once(&self.start).chain(self.sets.iter())
    }

    /// The statements followed, in order.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// Every key of the history, each once, first seen first.
    pub fn keys(&self) -> Vec<&PublicKey> {
        let mut seen = BTreeSet::new();
        self.sets()
            .flat_map(|s| s.keys.iter())
            .filter(|k| seen.insert(key_id(k)))
            .collect()
    }

    /// The key of the history with this id (16 hex digits, either case).
    pub fn key(&self, id: &str) -> Option<&PublicKey> {
        self.sets().find_map(|s| s.key(id))
    }

    /// The version that retired the key with this id: a key of an earlier
    /// set that is not in the current one.
    pub fn retired(&self, id: &str) -> Option<&KeySet> {
        if self.current().key(id).is_some() {
            return None;
        }
        let mut sets = self.sets().peekable();
        while let Some(s) = sets.next() {
            if s.key(id).is_some()
                && let Some(n) = sets.peek()
                && n.key(id).is_none()
            {
                return Some(n);
            }
        }
        None
    }

    /// `A → B, C (2 of 2)`: the keys of each set, in order.
    pub fn chain_text(&self) -> String {
        self.sets()
            .map(|s| {
                if s.keys.len() == 1 {
                    s.ids()
                } else {
                    format!("{} ({} of {})", s.ids(), s.threshold, s.keys.len())
                }
            })
            .collect::<Vec<_>>()
            .join(" → ")
    }
}

/// Refuse a set dated later than `today` (the reader's UTC date) plus
/// `DATE_SKEW_DAYS`.
pub fn check_not_future(sets: &[KeySet], today: jiff::civil::Date) -> Result<(), RotationError> {
    let latest = today
        .checked_add(jiff::Span::new().days(DATE_SKEW_DAYS))
        .unwrap_or(today);
    for s in sets {
        let Some(d) = &s.date else { continue };
        let date: jiff::civil::Date = d
            .parse()
            .map_err(|_| RotationError::Malformed("a date is not YYYY-MM-DD"))?;
        if date > latest {
            return Err(RotationError::Future {
                version: s.version,
                date: d.clone(),
                today: today.to_string(),
            });
        }
    }
    Ok(())
}

/// Whether the set held at `when`: its `expires` day (UTC) not passed.
pub fn expired_at(set: &KeySet, when: jiff::civil::Date) -> bool {
    set.expires
        .as_deref()
        .and_then(|e| e.parse::<jiff::civil::Date>().ok())
        .is_some_and(|e| when >= e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SigningKey {
        let (sk, pk_text) = crate::sign::keygen::signing_keypair(None, "test").unwrap();
        let pk = PublicKey::from_file_text(&pk_text).unwrap();
        crate::sign::load_secret_key(&sk, None, &pk).unwrap()
    }

    fn d(s: &str) -> jiff::civil::Date {
        s.parse().unwrap()
    }

    fn rotate(
        prev: &KeySet,
        new: &[&SigningKey],
        k: usize,
        date: &str,
        signers: &[&SigningKey],
    ) -> Statement {
        let keys: Vec<PublicKey> = new.iter().map(|s| s.pk.clone()).collect();
        make_statement(prev, &keys, k, d(date), d("2030-01-01"), signers).unwrap()
    }

    fn ids(h: &KeyHistory) -> Vec<String> {
        h.keys().into_iter().map(key_id).collect()
    }

    #[test]
    fn a_history_follows_numbered_statements_signed_by_old_and_new_keys() {
        let [a, b, c] = [key(), key(), key()];
        let h1 = KeyHistory::new(a.pk.clone(), 1);
        let ab = rotate(h1.current(), &[&b], 1, "2026-03-01", &[&a, &b]);
        let (h2, _) = h1.extend(std::slice::from_ref(&ab)).unwrap();
        assert_eq!(h2.current().version, 2);
        let bc = rotate(h2.current(), &[&c], 1, "2026-04-01", &[&b, &c]);
        // In any order, with a duplicate and a statement off the chain.
        let (x, y) = (key(), key());
        let off = rotate(
            &KeySet::single(x.pk.clone(), 1),
            &[&y],
            1,
            "2026-01-01",
            &[&x, &y],
        );
        let (h, added) = h1
            .extend(&[bc.clone(), off, ab.clone(), ab.clone()])
            .unwrap();
        assert_eq!(ids(&h), [key_id(&a.pk), key_id(&b.pk), key_id(&c.pk)]);
        assert_eq!(added.len(), 2);
        assert_eq!(h.current().keys, std::slice::from_ref(&c.pk));
        assert_eq!(h.statements(), [ab.clone(), bc.clone()]);
        assert_eq!(h.retired(&key_id(&a.pk)).unwrap().version, 2);
        assert!(h.retired(&key_id(&c.pk)).is_none());
        // Read back from its record.
        let back = KeyHistory::from_record(h1.start().clone(), h.statements().to_vec()).unwrap();
        assert_eq!(back, h);
        assert!(KeyHistory::from_record(h1.start().clone(), vec![bc.clone()]).is_err());
    }

    #[test]
    fn a_statement_needs_the_old_threshold_and_every_new_key() {
        let [a, b, c] = [key(), key(), key()];
        let anchor = KeySet::single(a.pk.clone(), 1);
        // Signed by the new key only (the attack of issue 18, point 1).
        assert_eq!(
            make_statement(
                &anchor,
                std::slice::from_ref(&b.pk),
                1,
                d("2026-01-01"),
                d("2027-01-01"),
                &[&b]
            )
            .unwrap_err(),
            KeyGenError::Statement(RotationError::Threshold {
                version: "after version 1".into(),
                found: 0,
                needed: 1
            })
        );
        // Signed by the old key only: the new key did not sign.
        assert!(matches!(
            make_statement(
                &anchor,
                std::slice::from_ref(&b.pk),
                1,
                d("2026-01-01"),
                d("2027-01-01"),
                &[&a]
            ),
            Err(KeyGenError::Statement(RotationError::Unsigned {
                version: 2,
                ..
            }))
        ));
        // A set of two, 2 of 2: the next needs both.
        let s2 = rotate(&anchor, &[&b, &c], 2, "2026-02-01", &[&a, &b, &c]);
        let set2 = verify_statement(&anchor, &s2).unwrap();
        assert_eq!((set2.threshold, set2.keys.len()), (2, 2));
        let one = rotate(&anchor, &[&b, &c], 2, "2026-02-01", &[&a, &b, &c]);
        let mut only_b = rotate(&set2, &[&a], 1, "2026-03-01", &[&b, &c, &a]);
        only_b
            .signatures
            .retain(|s| crate::sign::signature_key_id(s).unwrap() != key_id(&c.pk));
        assert!(matches!(
            verify_statement(&set2, &only_b),
            Err(RotationError::Threshold {
                found: 1,
                needed: 2,
                ..
            })
        ));
        let _ = one;
        // A version that skips is refused.
        let mut skip = anchor.clone();
        skip.version = 2;
        let st = rotate(&skip, &[&b], 1, "2026-01-01", &[&a, &b]);
        assert!(matches!(
            verify_statement(&anchor, &st),
            Err(RotationError::Mismatch(_))
        ));
    }

    #[test]
    fn a_fork_from_any_recorded_version_is_ambiguous() {
        let [a, b, c] = [key(), key(), key()];
        let h1 = KeyHistory::new(a.pk.clone(), 1);
        let ab = rotate(h1.current(), &[&b], 1, "2026-03-01", &[&a, &b]);
        let ac = rotate(h1.current(), &[&c], 1, "2026-05-01", &[&a, &c]);
        let (h, _) = h1.extend(std::slice::from_ref(&ab)).unwrap();
        // The record says A → B; A → C comes later (a leaked A).
        assert!(matches!(
            h.extend(std::slice::from_ref(&ac)),
            Err(RotationError::Ambiguous(_))
        ));
        assert!(matches!(
            h1.extend(&[ab, ac]),
            Err(RotationError::Ambiguous(_))
        ));
    }

    #[test]
    fn a_pin_moves_to_the_latest_version_naming_it() {
        let [a, b, c] = [key(), key(), key()];
        let h1 = KeyHistory::new(a.pk.clone(), 1);
        let s2 = rotate(h1.current(), &[&b], 1, "2026-03-01", &[&a, &b]);
        let set2 = verify_statement(h1.current(), &s2).unwrap();
        let s3 = rotate(&set2, &[&c], 1, "2026-04-01", &[&b, &c]);
        // Pinned to B, not knowing its version: moves to version 2, then 3.
        let (h, _) = KeyHistory::new(b.pk.clone(), 0)
            .extend(&[s2.clone(), s3.clone()])
            .unwrap();
        assert_eq!(h.current().version, 3);
        assert_eq!(h.start().version, 2);
        assert!(h.retired(&key_id(&b.pk)).is_some());
        // A statement naming B but not signed by B does not move the pin.
        let (x, y) = (key(), key());
        let forged = make_statement(
            &KeySet::single(x.pk.clone(), 1),
            std::slice::from_ref(&y.pk),
            1,
            d("2026-05-01"),
            d("2027-05-01"),
            &[&x, &y],
        )
        .unwrap();
        let (h, added) = KeyHistory::new(b.pk.clone(), 0).extend(&[forged]).unwrap();
        assert_eq!(
            (h.current().keys.clone(), added.len()),
            (vec![b.pk.clone()], 0)
        );
    }

    #[test]
    fn versions_are_dated_in_order_and_not_in_the_future() {
        let [a, b, c] = [key(), key(), key()];
        let h1 = KeyHistory::new(a.pk.clone(), 1);
        let ab = rotate(h1.current(), &[&b], 1, "2026-03-01", &[&a, &b]);
        let set2 = verify_statement(h1.current(), &ab).unwrap();
        let bc = rotate(
            &KeySet {
                date: None,
                ..set2.clone()
            },
            &[&c],
            1,
            "2026-02-28",
            &[&b, &c],
        );
        assert_eq!(
            h1.extend(&[ab.clone(), bc]).unwrap_err(),
            RotationError::OutOfOrder {
                version: 3,
                date: "2026-02-28".into(),
                previous_date: "2026-03-01".into(),
            }
        );
        let (_, added) = h1.extend(&[ab]).unwrap();
        assert_eq!(check_not_future(&added, d("2026-02-28")), Ok(()));
        assert!(matches!(
            check_not_future(&added, d("2026-02-27")),
            Err(RotationError::Future { version: 2, .. })
        ));
        assert!(!expired_at(&added[0], d("2029-12-31")));
        assert!(expired_at(&added[0], d("2030-01-01")));
    }

    #[test]
    fn minisign_tool_verifies_each_signature_of_a_statement() {
        let (a, b) = (key(), key());
        let st = rotate(
            &KeySet::single(a.pk.clone(), 1),
            &[&b],
            1,
            "2026-03-01",
            &[&a, &b],
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("2.txt"), &st.text).unwrap();
        for (k, sig) in [&a, &b].iter().zip(&st.signatures) {
            let _ = sig;
            let id = key_id(&k.pk);
            let sig = st
                .signatures
                .iter()
                .find(|s| crate::sign::signature_key_id(s).unwrap() == id)
                .unwrap();
            std::fs::write(dir.path().join("s.minisig"), sig).unwrap();
            std::fs::write(
                dir.path().join("k.pub"),
                crate::sign::keygen::public_key_text(&k.pk),
            )
            .unwrap();
            let out = std::process::Command::new("minisign")
                .args(["-V", "-q", "-m"])
                .arg(dir.path().join("2.txt"))
                .arg("-x")
                .arg(dir.path().join("s.minisig"))
                .arg("-p")
                .arg(dir.path().join("k.pub"))
                .output()
                .expect("minisign (apt-get install minisign)");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
