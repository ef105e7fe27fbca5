//! `pocdir open`: what a State's PoC runs on a bundle received by email.
//!
//! Order (nothing unverified is parsed further or written):
//! 0. the state folder's records against each other (the pinned key,
//!    `accepted.json`'s key, `key-history.json`: a lost pin with a record
//!    of earlier bundles is not a first use), then the whole verified chain
//!    of rotation statements from the pinned (or first `--trust`) key:
//!    recorded, given and beside the bundle;
//! 1. the signature's key id against the chain's last key (a key the chain
//!    shows superseded is retired: refused);
//! 2. the signature over the exact bytes of the encrypted file;
//! 3. the trusted comment: the State (and the file's name), the expiry,
//!    the sequence against the last accepted one (rollback, fork);
//! 4. only then decryption, and the manifest against the trusted comment
//!    and every file's hash;
//! 5. then the summary and changes, the extraction, and the record of the
//!    accepted version (each written atomically).
//!
//! Nothing the recipient has is ever deleted or overwritten: files are
//! extracted into a folder that does not exist yet (or is empty), by
//! default a new `<ISO3>-<seq>` beside the bundle, staged in a private
//! folder with an unpredictable name. Plaintext is written 0600 in 0700
//! folders (extracted files and the state folder), whatever the umask.
//! Every input is read through a cap on the bytes actually read.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::bundle::manifest::{self, Manifest, Trusted};
use crate::bundle::verify::{Expect, Refused, judge};
use crate::bundle::{FILES, tarball};
use crate::sign;
use crate::sign::history_file::{self, HistoryFile};
use crate::sign::rotation::{KeyHistory, RotationError, Statement};
use crate::sign::threshold::ThresholdError;

/// Largest bundle accepted (the directory of 195 States is a few MB).
pub const MAX_BUNDLE: u64 = 64 * 1024 * 1024;

pub struct OpenOptions {
    pub bundle: PathBuf,
    pub signature: Option<PathBuf>,
    pub identity: PathBuf,
    /// The secretariat public key to trust on first use (or to pin again
    /// when the pin was lost: only the key the state folder's records name).
    pub trust: Option<PathBuf>,
    pub state_dir: PathBuf,
    pub extract: Extract,
    pub allow_expired: bool,
    /// Key history files (`key-history.json`, as `build` writes beside the
    /// bundles and `mail` attaches); the one beside the bundle is read too.
    pub rotations: Vec<PathBuf>,
    /// Judge expiry as of this time (`--as-of`, or the reader's clock).
    pub now: jiff::Timestamp,
    /// The reader's clock, whatever `now` says: a rotation statement dated
    /// later (beyond a day) is refused.
    pub clock: jiff::Timestamp,
    /// `--log FILE`: the secretariat's published log (`versions.jsonl`,
    /// its `.minisig` beside it) that must hold this bundle's version.
    pub log: Option<PathBuf>,
}

/// Where the verified files go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Extract {
    /// `--extract DIR`: a folder that does not exist yet, or is empty.
    Into(PathBuf),
    /// The default: a new folder `<ISO3>-<seq>` beside the bundle (or
    /// `<ISO3>-<seq>-2`, ... if that name is taken by other files; one
    /// already holding exactly these files is reused).
    Beside,
    /// `--no-extract`: verify and record only.
    No,
}

/// Each failure class, with its own exit code (see [`OpenError::exit_code`]).
#[derive(Debug)]
pub enum OpenError {
    Usage(String),
    /// No trusted key yet, or the key is not the pinned one and no rotation
    /// statement leads to it.
    UnknownKey(String),
    /// The signature does not verify: the file, the signature or its
    /// trusted comment was altered, or it is not a signature.
    BadSignature(String),
    /// Signed, but not a pocdir bundle comment.
    Malformed(String),
    Expired(String),
    /// Lower sequence than the last accepted one.
    Rollback(String),
    /// Same sequence, different content: someone is shown another
    /// directory.
    Fork(String),
    /// Made for another State.
    Misdirected(String),
    /// The identity opens no recipient stanza of this file.
    Decrypt(String),
    /// Decrypted content disagrees with what was signed.
    Tampered(String),
    Io(String),
    /// Signed by a key the verified chain of rotations shows superseded
    /// (retired keys are not trusted, even to re-open an old version).
    RetiredKey(String),
    /// The rotation statements available do not form one valid chain: a
    /// fork (one key rotated to two), a date in the future or before the
    /// previous rotation, a statement that does not verify.
    Rotation(String),
    /// The state folder's records are missing or disagree: a lost pin with
    /// a record of earlier bundles, a pin or an accepted key the recorded
    /// history does not pass through, a damaged key history.
    State(String),
    /// The version log the bundle carries disagrees with the one this
    /// state folder accepted (another root or another line for a version
    /// accepted), or a bundle carries none after bundles that did: two
    /// directories under one version number (`checkpoint`).
    SplitView(String),
}

impl OpenError {
    pub fn exit_code(&self) -> u8 {
        match self {
            OpenError::Usage(_) => 2,
            OpenError::UnknownKey(_) => 3,
            OpenError::BadSignature(_) => 4,
            OpenError::Malformed(_) => 5,
            OpenError::Expired(_) => 6,
            OpenError::Rollback(_) => 7,
            OpenError::Fork(_) => 8,
            OpenError::Misdirected(_) => 9,
            OpenError::Decrypt(_) => 10,
            OpenError::Tampered(_) => 11,
            OpenError::Io(_) => 12,
            OpenError::RetiredKey(_) => 13,
            OpenError::Rotation(_) => 14,
            OpenError::State(_) => 15,
            OpenError::SplitView(_) => 16,
        }
    }

    pub fn class(&self) -> &'static str {
        match self {
            OpenError::Usage(_) => "usage",
            OpenError::UnknownKey(_) => "unknown-key",
            OpenError::BadSignature(_) => "bad-signature",
            OpenError::Malformed(_) => "malformed",
            OpenError::Expired(_) => "expired",
            OpenError::Rollback(_) => "rollback",
            OpenError::Fork(_) => "fork",
            OpenError::Misdirected(_) => "misdirected",
            OpenError::Decrypt(_) => "wrong-identity",
            OpenError::Tampered(_) => "tampered",
            OpenError::Io(_) => "io",
            OpenError::RetiredKey(_) => "retired-key",
            OpenError::Rotation(_) => "rotation",
            OpenError::State(_) => "state",
            OpenError::SplitView(_) => "split-view",
        }
    }

    pub fn message(&self) -> &str {
        match self {
            OpenError::Usage(m)
            | OpenError::UnknownKey(m)
            | OpenError::BadSignature(m)
            | OpenError::Malformed(m)
            | OpenError::Expired(m)
            | OpenError::Rollback(m)
            | OpenError::Fork(m)
            | OpenError::Misdirected(m)
            | OpenError::Decrypt(m)
            | OpenError::Tampered(m)
            | OpenError::Io(m)
            | OpenError::RetiredKey(m)
            | OpenError::Rotation(m)
            | OpenError::State(m)
            | OpenError::SplitView(m) => m,
        }
    }
}

/// What the state directory remembers of the last accepted bundle.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Accepted {
    pub state: String,
    pub seq: u64,
    pub root: String,
    pub issued: String,
    pub expires: String,
    pub key_id: String,
}

/// A bundle that passed every check.
pub struct Opened {
    pub trusted: Trusted,
    /// The key that signed first (recorded in `accepted.json`).
    pub key_id: String,
    /// Every key of the current set that signed it (k of n).
    pub signers: Vec<String>,
    /// The key history versions followed on this run, described.
    pub rotated: Vec<String>,
    /// The same version was accepted before.
    pub already_accepted: bool,
    /// A renewal: a later version with the root of the last accepted one
    /// (whose sequence this is): no change to the directory.
    pub renewed: Option<u64>,
    /// Warnings to show (expired but allowed, first use of a key, ...).
    pub warnings: Vec<String>,
    /// What changed since the last accepted version, most important first.
    pub changes: Vec<String>,
    pub states: usize,
    pub pocs: usize,
    pub files: BTreeMap<String, Vec<u8>>,
    /// Where the files are, and whether they were already there (the same
    /// bundle extracted by an earlier run).
    pub extracted: Option<(PathBuf, bool)>,
    /// For a version accepted before: no version had been accepted before
    /// it (so `changes` is empty because there was nothing to compare).
    /// `None` when the record of its changes was not found.
    pub first_accepted: Option<bool>,
    /// The receipt line to send back and the secretariat's address, when
    /// the bundle carries them (issue #15).
    pub receipt: Option<(crate::receipts::Receipt, String)>,
    /// The bundle's log head, checked against the log heads accepted
    /// before (`None`: the bundle carries none).
    pub log_head: Option<crate::bundle::checkpoint::Head>,
}

/// The changes shown when a version was first accepted, kept so that a
/// re-run shows them again.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct ChangesRecord {
    seq: u64,
    root: String,
    /// No version had been accepted before this one.
    first: bool,
    changes: Vec<String>,
}

const TRUSTED_PUB: &str = "trusted.pub";
const ACCEPTED: &str = "accepted.json";
const ACCEPTED_DIR: &str = "accepted-directory.json";
const ACCEPTED_CHANGES: &str = "accepted-changes.json";
/// The record of the keys trusted and the rotations followed.
const KEY_HISTORY: &str = "key-history.json";

/// Caps on what is read from the state folder.
const MAX_KEY_FILE: u64 = 4096;
const MAX_RECORD: u64 = 64 * 1024;

/// Read at most `cap` bytes of `path`: `Ok(None)` if there are more. The
/// cap is on the bytes actually read (`/dev/zero` or a growing file is
/// stopped there), not on what the metadata says.
fn read_at_most(path: &Path, cap: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    fs::File::open(path)?
        .take(cap + 1)
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= cap).then_some(bytes))
}

fn read_capped(path: &Path, cap: u64, what: &str) -> Result<Vec<u8>, OpenError> {
    read_at_most(path, cap)
        .map_err(|e| OpenError::Io(format!("cannot read {what} {}: {e}", path.display())))?
        .ok_or_else(|| {
            OpenError::Malformed(format!(
                "{what} {} is larger than {cap} bytes: not what pocdir expects there",
                path.display()
            ))
        })
}

/// A state-folder file: `None` only when it does not exist; any other
/// failure is an error (a damaged record must not pass for no record).
fn read_optional(path: &Path, cap: u64) -> Result<Option<String>, OpenError> {
    match read_at_most(path, cap) {
        Ok(Some(b)) => String::from_utf8(b)
            .map(Some)
            .map_err(|_| OpenError::Io(format!("{} is damaged (not text)", path.display()))),
        Ok(None) => Err(OpenError::Io(format!(
            "{} is damaged (larger than {cap} bytes)",
            path.display()
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(OpenError::Io(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

fn parse_pub(text: &str, what: &str) -> Result<crate::sign::PublicKey, OpenError> {
    crate::directory::validate::fields::minisign_public_key(text)
        .map_err(|_| OpenError::Usage(format!("{what} is not a minisign public key")))
}

/// The statements of the key history files available: explicit ones
/// (`--key-history`, which must be readable) and `key-history.json` beside
/// the bundle (skipped when absent), each read through a cap. Nothing in
/// them is trusted until a chain from the reader's keys verifies.
fn given_statements(opts: &OpenOptions) -> Result<Vec<Statement>, OpenError> {
    let read = |p: &Path| -> Result<Vec<Statement>, String> {
        let bytes = read_at_most(p, history_file::MAX_BYTES)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("larger than {} bytes", history_file::MAX_BYTES))?;
        let text = String::from_utf8(bytes).map_err(|_| "not text".to_string())?;
        Ok(HistoryFile::parse(&text)?.statements())
    };
    let mut found = Vec::new();
    for p in &opts.rotations {
        found.extend(read(p).map_err(|why| {
            OpenError::Usage(format!(
                "--key-history {}: {why} (give the key-history.json published beside the bundles)",
                p.display()
            ))
        })?);
    }
    if let Some(p) = opts
        .bundle
        .parent()
        .map(|d| d.join(history_file::FILE_NAME))
        .filter(|p| p.is_file())
    {
        found.extend(
            read(&p).map_err(|why| OpenError::Rotation(format!("{}: {why}", p.display())))?,
        );
    }
    if found.len() > 4 * crate::sign::rotation::MAX_ROTATION_STEPS {
        return Err(OpenError::Rotation(
            "too many key statements given or beside the bundle: refused".into(),
        ));
    }
    Ok(found)
}

/// What the state folder holds, read (each through its cap) before
/// anything is trusted.
struct StateRecords {
    /// `trusted.pub`.
    pin: Option<sign::PublicKey>,
    /// `accepted.json`.
    accepted: Option<Accepted>,
    /// `key-history.json`, verified.
    history: Option<KeyHistory>,
    /// The other records of an earlier bundle that are there.
    others: Vec<&'static str>,
}

fn read_state(dir: &Path) -> Result<StateRecords, OpenError> {
    let pin = read_optional(&dir.join(TRUSTED_PUB), MAX_KEY_FILE)?
        .map(|p| parse_pub(&p, "the pinned key"))
        .transpose()?;
    let accepted = match read_optional(&dir.join(ACCEPTED), MAX_RECORD)? {
        None => None,
        Some(text) => Some(serde_json::from_str(&text).map_err(|_| {
            OpenError::Io(format!(
                "{} is damaged: without it rollbacks cannot be detected; restore it from a backup (or delete it knowingly)",
                dir.join(ACCEPTED).display()
            ))
        })?),
    };
    let history_path = dir.join(KEY_HISTORY);
    let history = match read_optional(&history_path, MAX_RECORD)? {
        None => None,
        Some(text) => Some(
            HistoryFile::parse(&text)
                .and_then(|r| r.history())
                .map_err(|why| {
                    OpenError::State(format!(
                        "{} is damaged ({why}): it records which secretariat keys were retired; restore it from a backup of the state folder",
                        history_path.display()
                    ))
                })?,
        ),
    };
    let others = [ACCEPTED_DIR, ACCEPTED_CHANGES]
        .into_iter()
        .filter(|f| fs::symlink_metadata(dir.join(f)).is_ok())
        .collect();
    Ok(StateRecords {
        pin,
        accepted,
        history,
        others,
    })
}

/// The ids of a history's keys, `A → B → C`.
fn chain_text(h: &KeyHistory) -> String {
    h.chain_text()
}

/// The history to start from: the state folder's records checked against
/// each other (the pinned key, `accepted.json`'s key, `key-history.json`),
/// or, with no record at all, `--trust` on first use. A missing pin with a
/// record of an earlier bundle is not a first use: only the key the
/// records name is pinned again (`--trust` naming it), anything else is
/// refused with the way to recover. A pin or an accepted key ahead of the
/// recorded history (moved by an earlier pocdir, or by a run cut short) is
/// consistent when `statements` lead to it from there. Returns the
/// history and whether the pin is new (first use or pinned again).
fn start_history(
    opts: &OpenOptions,
    st: &StateRecords,
    given: Option<&sign::PublicKey>,
    statements: &[Statement],
    warnings: &mut Vec<String>,
) -> Result<(KeyHistory, bool), OpenError> {
    // The history with the statements available: what the records are
    // checked against (a failure to extend is reported by `open` after).
    let known = |h: &KeyHistory| {
        h.extend(statements)
            .map(|(longer, _)| longer)
            .unwrap_or_else(|_| h.clone())
    };
    let pinned_path = opts.state_dir.join(TRUSTED_PUB);
    let history_path = opts.state_dir.join(KEY_HISTORY);
    let accepted_path = opts.state_dir.join(ACCEPTED);
    let last_resort = "if there is no backup, move the state folder aside and run the command again with --trust: you then lose the record that detects an old bundle sent again";
    // accepted.json's key must be one the history passed through.
    let check_accepted = |h: &KeyHistory, pin_what: String, to: &str| -> Result<(), OpenError> {
        match &st.accepted {
            Some(a) if h.key(&a.key_id).is_none() => Err(OpenError::State(format!(
                "the state folder's records disagree: {pin_what}, but {} records sequence {} signed by key {}, and no rotation recorded in the state folder leads from key {} to {to}: the pinned key may have been replaced. Nothing is trusted until this is resolved: if an earlier pocdir followed a key rotation, give its statements (key-history.json beside the bundle, or --key-history); otherwise compare the key IDs with the secretariat's key on the directory site's verify page, and restore the state folder from a backup; {last_resort}",
                accepted_path.display(),
                a.seq,
                a.key_id,
                a.key_id,
            ))),
            _ => Ok(()),
        }
    };
    if let Some(pin) = &st.pin {
        let history = match &st.history {
            Some(h) => {
                if known(h).key(&sign::key_id(pin)) != Some(pin) {
                    return Err(OpenError::State(format!(
                        "the state folder's records disagree: {} pins key {}, but {} records the keys {}, without it (nor do the rotation statements available lead to it): the pinned key may have been replaced. Nothing is trusted until this is resolved: if an earlier pocdir followed a key rotation, give its statements (key-history.json beside the bundle, or --key-history); otherwise restore the state folder from a backup, or put back in {} key {} (the last one recorded) after checking its key ID on the directory site's verify page; {last_resort}",
                        pinned_path.display(),
                        sign::key_id(pin),
                        history_path.display(),
                        chain_text(h),
                        pinned_path.display(),
                        h.current().ids(),
                    )));
                }
                h.clone()
            }
            None => KeyHistory::new(pin.clone(), 0),
        };
        check_accepted(
            &known(&history),
            format!("{} pins key {}", pinned_path.display(), sign::key_id(pin)),
            "the pinned key",
        )?;
        return Ok((history, false));
    }
    if st.history.is_none() && st.accepted.is_none() && st.others.is_empty() {
        // First use.
        let Some(k) = given else {
            return Err(OpenError::UnknownKey(
                "no trusted secretariat key yet: pass --trust secretariat.pub (from the secretariat's site, checked with its key id) the first time".into(),
            ));
        };
        return Ok((KeyHistory::new(k.clone(), 0), true));
    }
    // The pin is lost, and the state folder recorded earlier bundles.
    if let Some(h) = &st.history {
        check_accepted(
            &known(h),
            format!(
                "{} records the keys {}",
                history_path.display(),
                chain_text(h)
            ),
            "them",
        )?;
    }
    let recorded: Option<(String, Option<&crate::sign::rotation::KeySet>, String)> =
        match (&st.history, &st.accepted) {
            (Some(h), _) => Some((
                h.current().ids(),
                Some(h.current()),
                format!("{} records it", history_path.display()),
            )),
            (None, Some(a)) => Some((
                a.key_id.clone(),
                None,
                format!(
                    "{} records sequence {} of {} signed by it",
                    accepted_path.display(),
                    a.seq,
                    a.state
                ),
            )),
            (None, None) => None,
        };
    if let (Some((id, full, why)), Some(g)) = (&recorded, given)
        && full.map_or(sign::key_id(g) == *id, |set| {
            set.key(&sign::key_id(g)) == Some(g)
        })
    {
        warnings.push(format!(
            "{} was missing: key {id} pinned again from --trust, as the state folder's records name it ({why})",
            pinned_path.display()
        ));
        let history = st
            .history
            .clone()
            .unwrap_or_else(|| KeyHistory::new(g.clone(), 0));
        return Ok((history, true));
    }
    // The secretariat changed its keys since: `--trust` names a key of a
    // later set, which the key history available (beside the bundle,
    // given) leads to from the recorded one, each step signed by the keys
    // it replaced. Pinned again from the recorded start, then followed.
    let from_records: Option<KeyHistory> = match (&st.history, &st.accepted) {
        (Some(h), _) => Some(h.clone()),
        (None, Some(a)) => key_in_statements(statements, &a.key_id).map(|k| KeyHistory::new(k, 0)),
        (None, None) => None,
    };
    if let (Some((id, _, why)), Some(g), Some(start)) = (&recorded, given, from_records)
        && let Ok((reached, _)) = start.extend(statements)
        && reached.current().key(&sign::key_id(g)) == Some(g)
    {
        warnings.push(format!(
            "{} was missing: key {} pinned again from --trust, as the key history leads to it ({}) from key {id}, which the state folder's records name ({why})",
            pinned_path.display(),
            sign::key_id(g),
            reached.chain_text()
        ));
        return Ok((start, true));
    }
    let given_text = match given {
        Some(g) => format!(
            "--trust names key {}, which is not the key recorded; ",
            sign::key_id(g)
        ),
        None => String::new(),
    };
    Err(OpenError::State(match recorded {
        Some((id, full, why)) => format!(
            "the pinned secretariat key {pin} is missing, but this state folder recorded earlier bundles signed by key {id} ({why}): a lost pin is not a first use, and nothing was pinned. {given_text}To recover: download secretariat.pub from the directory's site, check on its verify page that its key ID is {id}, and run this command again with --trust naming that file: pocdir pins it again only if it is key {id}{exact}. If the site now shows another key ID, the secretariat changed its key since: restore {pin} from a backup of the state folder (then the key-history.json beside the bundle moves it on), or ask the secretariat for its key {id}.",
            pin = pinned_path.display(),
            exact = if full.is_some() {
                " (the very key recorded, not only its ID)"
            } else {
                ""
            },
        ),
        None => format!(
            "the pinned secretariat key {pin} is missing, but this state folder holds records of an earlier bundle ({}): a lost pin is not a first use, and nothing was pinned; no record names the key. To recover: restore {pin} from a backup of the state folder; {last_resort}",
            st.others.join(", "),
            pin = pinned_path.display(),
        ),
    }))
}

/// The public key with this id among the keys the statements name (read
/// only to find where a recorded key id sits in the history: the walker
/// verifies every statement from it).
fn key_in_statements(statements: &[Statement], id: &str) -> Option<sign::PublicKey> {
    statements
        .iter()
        .filter_map(|st| std::str::from_utf8(&st.text).ok())
        .flat_map(|t| t.lines())
        .filter_map(|l| l.strip_prefix("key: "))
        .filter_map(|b| sign::PublicKey::from_base64(b).ok())
        .find(|k| sign::key_id(k).eq_ignore_ascii_case(id))
}

/// `keys A, B (2 of 2)`.
fn describe_set(set: &crate::sign::rotation::KeySet) -> String {
    if set.keys.len() == 1 {
        format!("key {}", set.ids())
    } else {
        format!(
            "keys {} ({} of {} must sign)",
            set.ids(),
            set.threshold,
            set.keys.len()
        )
    }
}

/// The most signature files read beside a bundle.
pub const MAX_SIGNATURES: usize = crate::sign::threshold::MAX_SIGNATURES;

/// The signature files: `--signature` (or `<bundle>.minisig`), which must
/// be there, then `<bundle>.minisig.2`, `.minisig.3` ... as long as they
/// exist; each (path, text, key id).
fn signatures(opts: &OpenOptions) -> Result<Vec<(PathBuf, String, String)>, OpenError> {
    let first = opts
        .signature
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.minisig", opts.bundle.display())));
    let mut paths = vec![first.clone()];
    for n in 2..=MAX_SIGNATURES {
        let p = PathBuf::from(format!("{}.{n}", first.display()));
        if !p.is_file() {
            break;
        }
        paths.push(p);
    }
    let mut out = Vec::new();
    for p in paths {
        let text = String::from_utf8(read_capped(&p, 4096, "the signature")?)
            .map_err(|_| OpenError::BadSignature(format!("{} is not text", p.display())))?;
        let id = sign::signature_key_id(&text).map_err(|_| {
            OpenError::BadSignature(format!("{} is not a minisign signature", p.display()))
        })?;
        out.push((p, text, id));
    }
    Ok(out)
}

/// A chain of rotation statements refused.
fn rotation_refused(e: RotationError) -> OpenError {
    match e {
        RotationError::Ambiguous(id) => OpenError::Rotation(format!(
            "ALARM: two different key statements {id} are signed by the secretariat's keys they replace (among the key history given, beside the bundle, or recorded in the state folder): one of them was not made by the secretariat, or its keys leaked. Nothing is trusted; report it to the secretariat through your Permanent Mission."
        )),
        e => OpenError::Rotation(format!(
            "the secretariat's key history (given, beside the bundle, or recorded in the state folder) is refused: {e}"
        )),
    }
}

pub fn open(opts: &OpenOptions) -> Result<Opened, OpenError> {
    let mut warnings = Vec::new();
    if let Extract::Into(dir) = &opts.extract {
        refuse_unless_empty(dir)?;
    }
    crate::output::create_dirs(&opts.state_dir, true).map_err(|e| {
        OpenError::Io(format!(
            "cannot create the state folder {}: {e}",
            opts.state_dir.display()
        ))
    })?;
    let pinned_path = opts.state_dir.join(TRUSTED_PUB);
    let given = match &opts.trust {
        Some(t) => Some(parse_pub(
            &String::from_utf8_lossy(&read_capped(t, MAX_KEY_FILE, "the trusted key")?),
            "--trust",
        )?),
        None => None,
    };

    // 0. The state folder's records, checked against each other, then the
    // whole verified chain of rotation statements from its key: recorded
    // ones, given ones and those beside the bundle. Its last key is the
    // only one a bundle may be signed by.
    let st = read_state(&opts.state_dir)?;
    let statements = given_statements(opts)?;
    let (start, new_pin) = start_history(opts, &st, given.as_ref(), &statements, &mut warnings)?;
    let (history, added) = start.extend(&statements).map_err(rotation_refused)?;
    crate::sign::rotation::check_not_future(
        &added,
        opts.clock.to_zoned(jiff::tz::TimeZone::UTC).date(),
    )
    .map_err(rotation_refused)?;
    let current = history.current().clone();
    let rotated: Vec<String> = added
        .iter()
        .map(|set| format!("{}: {}", set.name(), describe_set(set)))
        .collect();
    if new_pin && st.history.is_none() && st.accepted.is_none() {
        warnings.push(format!(
            "first use: pinning the secretariat key {} in {}",
            current.ids(),
            pinned_path.display()
        ));
    }
    // `--trust` naming another key than the pinned one: accepted only if
    // it is a key of the current set the history leads to (so the command
    // the recipient was given, with the site's current secretariat.pub,
    // still works after a rotation).
    let other_trust = given
        .as_ref()
        .filter(|g| {
            st.pin.as_ref().is_some_and(|p| p.keynum() != g.keynum())
                && current.key(&sign::key_id(g)).is_none()
        })
        .map(|g| {
            format!(
                "--trust names key {}, but the state folder pins key {} in {}: a new secretariat key is accepted only through the key history, signed by the keys it replaces",
                sign::key_id(g),
                st.pin.as_ref().map(sign::key_id).unwrap_or_default(),
                pinned_path.display()
            )
        });

    // 1. Key ids first: the signature files beside the bundle
    // (`.minisig`, then `.minisig.2` ... when the secretariat's key set
    // needs more than one signature).
    let sigs = signatures(opts)?;
    let data = read_capped(&opts.bundle, MAX_BUNDLE, "the bundle")?;
    // A key the history shows superseded, which really signed this file:
    // a retired key may have leaked.
    for (_, text, id) in &sigs {
        if let (Some(r), Some(k)) = (history.retired(id), history.key(id))
            && sign::verify(k, text, &data).is_ok()
        {
            return Err(OpenError::RetiredKey(format!(
                "signed by key {id}, which was retired by {} of the secretariat's key history (dated {}; the current keys are {}): a retired key may have leaked. Do not use this bundle; report it to the secretariat through your Permanent Mission.",
                r.name(),
                r.date.as_deref().unwrap_or("?"),
                current.ids()
            )));
        }
    }
    if !sigs.iter().any(|(_, _, id)| current.key(id).is_some()) {
        let ids: Vec<&str> = sigs.iter().map(|(_, _, id)| id.as_str()).collect();
        return Err(OpenError::UnknownKey(other_trust.unwrap_or_else(|| {
            format!(
                "the bundle is signed by key {}, not by the trusted secretariat key {}, and no valid key history leads from one to the other",
                ids.join(", "),
                current.ids()
            )
        })));
    }
    if let Some(message) = other_trust {
        return Err(OpenError::UnknownKey(message));
    }

    // 2. The signatures over the exact bytes, each with its key: the
    // current set's threshold of them (k of n), one trusted comment.
    let texts: Vec<&str> = sigs.iter().map(|(_, t, _)| t.as_str()).collect();
    let signed = crate::sign::threshold::verify(&current, &texts, &data).map_err(|e| match e {
        ThresholdError::Malformed { index } => OpenError::BadSignature(format!(
            "{} is not a minisign signature",
            sigs[index].0.display()
        )),
        ThresholdError::Bad { .. } => OpenError::BadSignature(
            "the signature does not verify: the bundle, its signature or the signed comment was altered".into(),
        ),
        ThresholdError::Comments => OpenError::Malformed(
            "the bundle's signatures carry different trusted comments".into(),
        ),
        ThresholdError::TooFew { found, needed, .. } => OpenError::BadSignature(format!(
            "the bundle carries {} signature(s) by the secretariat's current keys ({}), and {needed} are needed: the secretariat's second officer has not signed it yet (`pocdir sign`), or a signature file (.minisig.2 ...) was not kept beside the bundle",
            found.len(),
            current.ids(),
        )),
    })?;
    let key = current
        .key(&signed.signers[0])
        .cloned()
        .ok_or_else(|| OpenError::UnknownKey(format!("signed by key {}", signed.signers[0])))?;

    // 3. The trusted comment, parsed once the signatures over it
    // verified: the State (by the file's name), the expiry.
    let file_state = opts
        .bundle
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| {
            n.strip_suffix(".tar.gz.age")
                .or_else(|| n.strip_suffix(".tar.age"))
        })
        .filter(|n| n.len() == 3);
    let expect = Expect {
        state: file_state,
        now: opts.now,
    };
    let (t, expired) = match judge(&signed.comment, &expect) {
        Ok(t) => (t, false),
        Err(Refused::Expired(t)) => (*t, true),
        Err(Refused::OtherKey(id)) => {
            return Err(OpenError::UnknownKey(format!("signed by key {id}")));
        }
        Err(Refused::BadSignature) => {
            return Err(OpenError::BadSignature("the signature does not verify: the bundle, its signature or the signed comment was altered".into()));
        }
        Err(Refused::Malformed(m)) => return Err(OpenError::Malformed(m)),
        Err(Refused::Misdirected {
            expected,
            signed_for,
        }) => {
            return Err(OpenError::Misdirected(format!(
                "the file is named {expected}.tar.gz.age (or .tar.age) but the signed comment says it was made for {signed_for}: a bundle of another State was renamed"
            )));
        }
    };
    // The key set must have held when the bundle was issued (a set past
    // its expiry is TUF's freeze protection: an old key set, perhaps
    // leaked, cannot issue directories for ever).
    if crate::sign::rotation::expired_at(
        &current,
        t.issued.to_zoned(jiff::tz::TimeZone::UTC).date(),
    ) {
        return Err(OpenError::Rotation(format!(
            "the bundle was issued on {}, after the secretariat's key set ({}, keys {}) expired on {}: ask the secretariat for its current key history (key-history.json, published beside the bundles)",
            crate::util::time::fmt_ts(t.issued),
            current.name(),
            current.ids(),
            current.expires.as_deref().unwrap_or("?")
        )));
    }
    // Issued in the future (issue #18): this computer's clock is behind,
    // or the secretariat's was ahead. Refused, --allow-expired or not: a
    // clock that is behind would accept expired bundles too.
    if opts
        .now
        .checked_add(crate::bundle::log::CLOCK_SKEW)
        .is_ok_and(|latest| t.issued > latest)
    {
        return Err(OpenError::Expired(format!(
            "the bundle is issued at {}, but this computer's clock says {}: check this computer's clock; if it is right, report the bundle to the secretariat (it was issued in the future)",
            crate::util::time::fmt_ts(t.issued),
            crate::util::time::fmt_ts(opts.now)
        )));
    }
    let accepted = st.accepted.clone();
    if let Some(a) = &accepted
        && a.state != t.state
    {
        return Err(OpenError::Misdirected(format!(
            "this bundle was made for {}, but this state folder follows {}'s bundles",
            t.state, a.state
        )));
    }
    if expired {
        let msg = format!(
            "the bundle expired on {} (issued {}): ask the secretariat for the current one",
            crate::util::time::fmt_ts(t.expires),
            crate::util::time::fmt_ts(t.issued)
        );
        if !opts.allow_expired {
            return Err(OpenError::Expired(msg));
        }
        warnings.push(format!("{msg} (opened anyway: --allow-expired)"));
    }
    let mut already = false;
    let renewed = accepted
        .as_ref()
        .filter(|a| t.seq > a.seq && t.root == a.root)
        .map(|a| a.seq);
    if let Some(a) = &accepted {
        if t.seq < a.seq {
            return Err(OpenError::Rollback(format!(
                "sequence {} is lower than the last accepted one, {}: an old bundle is being replayed",
                t.seq, a.seq
            )));
        }
        if t.seq == a.seq {
            if t.root != a.root {
                return Err(OpenError::Fork(format!(
                    "ALARM: sequence {} was accepted before with root {}, and this bundle has root {}: two different directories carry the same version. Report it to the secretariat through your Permanent Mission.",
                    t.seq, a.root, t.root
                )));
            }
            already = true;
        }
    }

    // 4. Decrypt, then check the content against what was signed.
    let identity_text = crate::directory::read::read_secret_key(&opts.identity)
        .map_err(|e| OpenError::Usage(e.to_string()))?;
    let identities = identities(&identity_text, &opts.identity)?;
    let decryptor = age::Decryptor::new(&data[..])
        .map_err(|e| OpenError::Tampered(format!("not an age file: {e}")))?;
    let mut reader = decryptor
        .decrypt(identities.iter().map(|i| i.as_ref() as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => OpenError::Decrypt(format!(
                "{} cannot decrypt this bundle: it was not encrypted to this account",
                opts.identity.display()
            )),
            other => OpenError::Tampered(format!("decryption failed: {other}")),
        })?;
    // Format 2 is decompressed as it is decrypted and read, capped on the
    // bytes actually produced; format 1 is a plain tar, capped the same way.
    let files = if t.format == 1 {
        tarball::read_from(&mut reader, tarball::MAX_PLAINTEXT)
            .map_err(|e| OpenError::Tampered(e.to_string()))?
    } else {
        tarball::read_gzip(&mut reader, tarball::MAX_PLAINTEXT).map_err(|e| {
            OpenError::Tampered(format!(
                "the signed bundle does not decrypt and decompress to a format 2 archive: {e}"
            ))
        })?
    };
    let m: Manifest = files
        .get("manifest.json")
        .and_then(|b| serde_json::from_slice(b).ok())
        .ok_or_else(|| OpenError::Tampered("the bundle has no valid manifest.json".into()))?;
    let agrees = m.format == manifest::format_tag(t.format)
        && m.state == t.state
        && m.seq == t.seq
        && m.root == t.root
        && m.issued == crate::util::time::fmt_ts(t.issued)
        && m.expires == crate::util::time::fmt_ts(t.expires);
    if !agrees {
        return Err(OpenError::Tampered(
            "the manifest disagrees with the signed comment".into(),
        ));
    }
    let names: Vec<&str> = files
        .keys()
        .map(String::as_str)
        .filter(|n| *n != "manifest.json")
        .collect();
    let listed: Vec<&str> = m.files.keys().map(String::as_str).collect();
    if names != listed || FILES[1..].iter().any(|f| !m.files.contains_key(*f)) {
        return Err(OpenError::Tampered(
            "the bundle's files are not the ones its manifest lists".into(),
        ));
    }
    for (name, hash) in &m.files {
        if crate::util::hash::sha256_hex(&files[name]) != *hash {
            return Err(OpenError::Tampered(format!(
                "{name} does not match its hash in the manifest"
            )));
        }
    }
    if m.files.get("directory.json") != Some(&t.root) {
        return Err(OpenError::Tampered(
            "directory.json does not match the signed root hash".into(),
        ));
    }
    let new_dir: serde_json::Value = serde_json::from_slice(&files["directory.json"])
        .map_err(|_| OpenError::Tampered("directory.json is not JSON".into()))?;
    // The log head (issue #18): the log the bundle carries, against the
    // heads accepted before (a split view is refused).
    let log_head = crate::bundle::checkpoint::check(
        &t,
        &files,
        crate::bundle::checkpoint::read_heads(&opts.state_dir)?,
        accepted.as_ref().map(|a| (a.seq, a.root.as_str())),
        opts.log
            .as_deref()
            .map(|path| crate::bundle::checkpoint::Published {
                path,
                set: &current,
            }),
        &mut warnings,
    )?;

    // The key history the bundle carries (issue #18), read only now that
    // its signatures verified and its manifest holds its hash: it may not
    // fork from the history followed, nor lead past the set that signed
    // the bundle (that set would be retired).
    if let Some(bytes) = files.get(crate::sign::history_file::FILE_NAME) {
        if bytes.len() as u64 > crate::sign::history_file::MAX_BYTES {
            return Err(OpenError::Malformed(
                "the key history the bundle carries is larger than 1 MiB".into(),
            ));
        }
        let inner = std::str::from_utf8(bytes)
            .map_err(|e| e.to_string())
            .and_then(HistoryFile::parse)
            .map_err(|e| {
                OpenError::Malformed(format!(
                    "the key history the bundle carries is malformed: {e}"
                ))
            })?;
        match history.extend(&inner.statements()) {
            Err(e) => return Err(rotation_refused(e)),
            Ok((_, added)) if !added.is_empty() => {
                return Err(OpenError::RetiredKey(format!(
                    "the bundle's own key history ({}) leads past the keys that signed it ({}): they were retired by {}. Do not use this bundle; report it to the secretariat through your Permanent Mission.",
                    crate::sign::history_file::FILE_NAME,
                    current.ids(),
                    added[0].name()
                )));
            }
            Ok(_) => {}
        }
    }

    // 5. Summary, changes, extraction, record.
    let previous: Option<serde_json::Value> =
        read_at_most(&opts.state_dir.join(ACCEPTED_DIR), tarball::MAX_PLAINTEXT)
            .ok()
            .flatten()
            .and_then(|b| serde_json::from_slice(&b).ok());
    let changes_path = opts.state_dir.join(ACCEPTED_CHANGES);
    // A re-run of the version accepted last shows the changes it showed
    // then (a missing or damaged record only loses that list).
    let shown_before: Option<ChangesRecord> = if already {
        read_at_most(&changes_path, tarball::MAX_PLAINTEXT)
            .ok()
            .flatten()
            .and_then(|b| serde_json::from_slice::<ChangesRecord>(&b).ok())
            .filter(|r| r.seq == t.seq && r.root == t.root)
    } else {
        None
    };
    let (changes, first_accepted) = match (&shown_before, &previous) {
        (Some(r), _) => (r.changes.clone(), Some(r.first)),
        (None, _) if already => (Vec::new(), None),
        (None, Some(p)) => (diff(p, &new_dir), Some(false)),
        (None, None) => (Vec::new(), Some(accepted.is_none())),
    };
    let states = new_dir["states"].as_array().map_or(0, Vec::len);
    let pocs = new_dir["states"].as_array().map_or(0, |s| {
        s.iter()
            .map(|x| x["points_of_contact"].as_array().map_or(0, Vec::len))
            .sum()
    });
    let extracted = match &opts.extract {
        Extract::No => None,
        Extract::Into(dir) => {
            extract_new(dir, &files)?;
            Some((dir.clone(), false))
        }
        Extract::Beside => Some(extract_beside(&opts.bundle, &opts.state_dir, &t, &files)?),
    };
    let key_id = sign::key_id(&key);
    let rec = Accepted {
        state: t.state.clone(),
        seq: t.seq,
        root: t.root.clone(),
        issued: crate::util::time::fmt_ts(t.issued),
        expires: crate::util::time::fmt_ts(t.expires),
        key_id: key_id.clone(),
    };
    let io = |e: std::io::Error| {
        OpenError::Io(format!(
            "cannot record the accepted version in {}: {e}",
            opts.state_dir.display()
        ))
    };
    // The keys first (the rotations followed, then the pin), the accepted
    // version last: a run cut short between two files leaves records that
    // still agree (a pin or an accepted key behind the recorded history).
    if st.history.as_ref() != Some(&history) {
        crate::output::private_file(
            &opts.state_dir.join(KEY_HISTORY),
            HistoryFile::of(&history).to_json().as_bytes(),
        )
        .map_err(io)?;
    }
    if st.pin.as_ref() != Some(&key) {
        let text = format!(
            "untrusted comment: minisign public key {key_id}\n{}\n",
            key.to_base64()
        );
        crate::output::private_file(&pinned_path, text.as_bytes()).map_err(io)?;
    }
    crate::output::private_file(&opts.state_dir.join(ACCEPTED_DIR), &files["directory.json"])
        .map_err(io)?;
    if !already {
        let record = ChangesRecord {
            seq: t.seq,
            root: t.root.clone(),
            first: first_accepted.unwrap_or(false),
            changes: changes.clone(),
        };
        crate::output::private_file(
            &changes_path,
            (serde_json::to_string_pretty(&record).unwrap_or_default() + "\n").as_bytes(),
        )
        .map_err(io)?;
    }
    log_head.record(&opts.state_dir).map_err(io)?;
    crate::output::private_file(
        &opts.state_dir.join(ACCEPTED),
        (serde_json::to_string_pretty(&rec).unwrap_or_default() + "\n").as_bytes(),
    )
    .map_err(io)?;
    // The receipt to send back (issue #15): only one for this State and
    // version (README.txt's hash was checked above).
    let receipt = files
        .get("README.txt")
        .and_then(|b| crate::receipts::from_readme(&String::from_utf8_lossy(b)))
        .filter(|(r, _)| r.state == t.state && r.seq == t.seq);
    Ok(Opened {
        receipt,
        trusted: t,
        key_id,
        signers: signed.signers,
        rotated,
        already_accepted: already,
        renewed,
        warnings,
        changes,
        states,
        pocs,
        files,
        extracted,
        first_accepted,
        log_head: log_head.head,
    })
}

/// The identities of an age identity file (X25519). An OpenSSH private key
/// is refused with its own message: SSH recipients are not supported.
fn identities(text: &str, path: &Path) -> Result<Vec<Box<dyn age::Identity>>, OpenError> {
    if text
        .trim_start()
        .starts_with("-----BEGIN OPENSSH PRIVATE KEY-----")
    {
        return Err(OpenError::Usage(format!(
            "{} is an SSH private key: SSH identities are not supported, give an age identity (age-keygen, or pocdir keygen age --identity FILE)",
            path.display()
        )));
    }
    age::IdentityFile::from_buffer(text.as_bytes())
        .map_err(|_| OpenError::Usage(format!("{} is not an age identity file", path.display())))?
        .into_identities()
        .map_err(|_| {
            OpenError::Usage(format!(
                "{} holds an identity pocdir cannot use",
                path.display()
            ))
        })
}

/// `--extract DIR` must name a folder that does not exist yet, or an empty
/// one: what is there is never deleted or overwritten.
fn refuse_unless_empty(dir: &Path) -> Result<(), OpenError> {
    match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(OpenError::Usage(format!(
            "--extract {}: {e}",
            dir.display()
        ))),
        Ok(m) if m.is_dir() && fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none()) => Ok(()),
        Ok(_) => Err(OpenError::Usage(format!(
            "--extract {} already exists and is not an empty folder: pocdir never deletes or overwrites files; name a new folder (it is created), or leave --extract out to extract into a new <ISO3>-<seq> folder beside the bundle",
            dir.display()
        ))),
    }
}

/// Write the verified files into `dir`, which must not exist yet (or be
/// empty): staged in a private folder beside it, then moved into place.
fn extract_new(dir: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<(), OpenError> {
    refuse_unless_empty(dir)?;
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = dir.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        OpenError::Usage(format!("--extract {} is not a folder name", dir.display()))
    })?;
    let fail =
        |e: std::io::Error| OpenError::Io(format!("cannot extract into {}: {e}", dir.display()));
    let stage = crate::output::Staging::private(parent, name).map_err(fail)?;
    let list: Vec<(String, Vec<u8>)> = files.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    stage.put_all(&list).map_err(fail)?;
    stage.commit_new().map_err(fail)
}

/// Whether a folder is one an earlier run extracted: on Unix, owned by
/// whoever owns the state folder and closed to others (in a shared folder
/// someone else's copy, which they could change later, is not reused).
fn ours(m: &fs::Metadata, state_dir: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        fs::metadata(state_dir).is_ok_and(|s| s.uid() == m.uid()) && m.mode() & 0o077 == 0
    }
    #[cfg(not(unix))]
    {
        let _ = (m, state_dir);
        true
    }
}

/// Whether `dir` holds exactly `files` (and nothing else).
fn holds_exactly(dir: &Path, files: &BTreeMap<String, Vec<u8>>) -> bool {
    let mut found = 0;
    for entry in walkdir::WalkDir::new(dir).min_depth(1).follow_links(false) {
        let Ok(entry) = entry else { return false };
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).ok().map(|r| {
            r.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        });
        let same = entry.file_type().is_file()
            && rel.as_ref().and_then(|r| files.get(r)).is_some_and(|want| {
                read_at_most(entry.path(), want.len() as u64)
                    .ok()
                    .flatten()
                    .as_ref()
                    == Some(want)
            });
        if !same {
            return false;
        }
        found += 1;
    }
    found == files.len()
}

/// The default extraction: a new folder `<ISO3>-<seq>` beside the bundle
/// (`-2`, `-3`, ... when the name is taken by other files; one that holds
/// exactly these files already is reused). Returns the folder and whether
/// it was already there.
fn extract_beside(
    bundle: &Path,
    state_dir: &Path,
    t: &Trusted,
    files: &BTreeMap<String, Vec<u8>>,
) -> Result<(PathBuf, bool), OpenError> {
    let parent = bundle
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let base = format!("{}-{}", t.state, t.seq);
    for n in 1..=99 {
        let name = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        let dir = parent.join(&name);
        match fs::symlink_metadata(&dir) {
            Ok(m) if m.is_dir() && ours(&m, state_dir) && holds_exactly(&dir, files) => {
                return Ok((dir, true));
            }
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                extract_new(&dir, files)?;
                return Ok((dir, false));
            }
            Err(e) => {
                return Err(OpenError::Io(format!(
                    "cannot extract into {}: {e}",
                    dir.display()
                )));
            }
        }
    }
    Err(OpenError::Io(format!(
        "{}: {base} to {base}-99 are all taken: pass --extract NEW-FOLDER",
        parent.display()
    )))
}

/// Contact-level changes between two `directory.json`, State by State:
/// email addresses and phone numbers first, then other changes.
pub fn diff(old: &serde_json::Value, new: &serde_json::Value) -> Vec<String> {
    use std::collections::BTreeSet;
    let by_code = |v: &serde_json::Value| -> BTreeMap<String, serde_json::Value> {
        v["states"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|s| (s["code"].as_str().unwrap_or("").to_string(), s.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (o, n) = (by_code(old), by_code(new));
    let collect = |s: &serde_json::Value, field: &str| -> BTreeSet<String> {
        s["points_of_contact"]
            .as_array()
            .map(|p| {
                p.iter()
                    .flat_map(|poc| poc[field].as_array().cloned().unwrap_or_default())
                    .filter_map(|e| e["value"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut important = Vec::new();
    let mut other = Vec::new();
    for code in o.keys().chain(n.keys()).collect::<BTreeSet<_>>() {
        match (o.get(code), n.get(code)) {
            (None, Some(_)) => important.push(format!("{code}: State added")),
            (Some(_), None) => important.push(format!("{code}: State removed")),
            (Some(a), Some(b)) if a != b => {
                for (field, what) in [("emails", "email"), ("phones", "phone")] {
                    let (x, y) = (collect(a, field), collect(b, field));
                    for added in y.difference(&x) {
                        important.push(format!("{code}: {what} added {added}"));
                    }
                    for removed in x.difference(&y) {
                        important.push(format!("{code}: {what} removed {removed}"));
                    }
                }
                // Published fields only (accounts and provenance are no longer
                // published; an older directory.json may
                // still hold them: they are not compared).
                for f in [
                    "points_of_contact",
                    "mission",
                    "regional_networks",
                    "last_updated",
                    "last_verified",
                ] {
                    if a[f] != b[f] {
                        other.push(format!("{code}: {} changed", f.replace('_', " ")));
                    }
                }
            }
            _ => {}
        }
    }
    important.extend(other);
    important
}
