//! The secretariat key's history (issue 18): anchored in `keys/anchor.pub`
//! (the key the directory was created with, written by `init`: version 1),
//! followed through the numbered statements of `keys/rotations/` (each
//! signed by the threshold of the set it replaces and by every key it
//! names: `sign::rotation`) to the current set, which must hold
//! `keys/secretariat.pub`. Every file of `keys/rotations/` is part of that
//! chain: a statement the chain does not follow, a signature by a key of
//! neither set, or any other file is an error, so a pull request cannot
//! slip in a key of its own and have `build` trust a log it signed.

use crate::directory::load::{ANCHOR_PUB, ROTATIONS_DIR, SECRETARIAT_PUB};
use crate::sign::rotation::{KeyHistory, KeySet, Statement};
use crate::sign::{PublicKey, key_id};

/// What is wrong with the history: the file it concerns, the message and
/// a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryProblem {
    pub file: String,
    pub message: String,
    pub hint: String,
}

fn problem(file: impl Into<String>, message: String, hint: &str) -> HistoryProblem {
    HistoryProblem {
        file: file.into(),
        message,
        hint: hint.to_string(),
    }
}

/// The statements of `keys/rotations/` (`<N>.txt`, with every
/// `<N>.txt.<KEYID>.minisig` beside), by version number, and the names
/// of the files that are neither.
pub fn statements(rotations: &[(String, Vec<u8>)]) -> (Vec<(u64, Statement)>, Vec<String>) {
    let mut out: Vec<(u64, Statement)> = Vec::new();
    let mut stray = Vec::new();
    let number = |s: &str| {
        (!s.is_empty() && s.len() <= 19 && !s.starts_with('0'))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    for (name, bytes) in rotations {
        match name.strip_suffix(".txt").and_then(number) {
            Some(n) => out.push((
                n,
                Statement {
                    text: bytes.clone(),
                    signatures: Vec::new(),
                },
            )),
            None => {
                if !name.ends_with(".minisig") {
                    stray.push(name.clone());
                }
            }
        }
    }
    for (name, bytes) in rotations {
        let Some(rest) = name.strip_suffix(".minisig") else {
            continue;
        };
        let target = rest
            .rsplit_once('.')
            .filter(|(_, id)| id.len() == 16)
            .and_then(|(stmt, _)| stmt.strip_suffix(".txt").and_then(number));
        match target.and_then(|n| out.iter_mut().find(|(m, _)| *m == n)) {
            Some((_, st)) => st
                .signatures
                .push(String::from_utf8_lossy(bytes).into_owned()),
            None => stray.push(name.clone()),
        }
    }
    out.sort_by_key(|(n, _)| *n);
    (out, stray)
}

/// The verified history, or every problem found. `anchor` and `current`
/// are the texts of `keys/anchor.pub` and `keys/secretariat.pub` (when
/// present); `rotations` the files of `keys/rotations/` (name, bytes).
pub fn chain(
    anchor: Option<&str>,
    current: Option<&str>,
    rotations: &[(String, Vec<u8>)],
) -> Result<Option<KeyHistory>, Vec<HistoryProblem>> {
    let parse = |t: &str| crate::directory::validate::fields::minisign_public_key(t).ok();
    // keys/secretariat.pub's own problems are reported elsewhere.
    let Some(current) = current.and_then(parse) else {
        return Ok(None);
    };
    let anchor: PublicKey = match anchor {
        Some(text) => match parse(text) {
            Some(k) => k,
            None => {
                return Err(vec![problem(
                    ANCHOR_PUB,
                    "the anchor key is not a minisign public key".into(),
                    "keys/anchor.pub holds the public key the directory was created with (`pocdir init` writes it); restore it from the repository's history",
                )]);
            }
        },
        // A directory from before the history: with no rotation, its
        // current key is where the history starts.
        None if rotations.is_empty() => current.clone(),
        None => {
            return Err(vec![problem(
                ANCHOR_PUB,
                "keys/rotations/ holds statements but keys/anchor.pub is missing: the history has no start".into(),
                "put back keys/anchor.pub, the public key the directory was created with, from the repository's history",
            )]);
        }
    };
    let (numbered, stray) = statements(rotations);
    let mut problems: Vec<HistoryProblem> = stray
        .iter()
        .map(|name| {
            problem(
                format!("{ROTATIONS_DIR}/{name}"),
                format!(
                    "{ROTATIONS_DIR}/{name} is not part of the secretariat key's history (keys/anchor.pub to keys/secretariat.pub)"
                ),
                "keys/rotations/ holds only the numbered statements of the history (<N>.txt) and their signatures (<N>.txt.<KEYID>.minisig): remove this file",
            )
        })
        .collect();
    let all: Vec<Statement> = numbered.iter().map(|(_, s)| s.clone()).collect();
    let history = match KeyHistory::new(anchor.clone(), 1).extend(&all) {
        Ok((h, _)) => h,
        Err(e) => {
            problems.push(problem(
                ROTATIONS_DIR,
                format!("the secretariat key's history from the anchor key {} (keys/anchor.pub) is refused: {e}", key_id(&anchor)),
                "each change of the secretariat's keys is a numbered statement signed by the keys it replaces and by every new key (`pocdir keygen rotate`), kept in keys/rotations/",
            ));
            return Err(problems);
        }
    };
    // Every statement is one the chain followed, under its own number, and
    // every signature is by a key of the set it replaces or of its own.
    for (n, st) in &numbered {
        let file = format!("{ROTATIONS_DIR}/{n}.txt");
        let Some(i) = history.statements().iter().position(|s| s.text == st.text) else {
            problems.push(problem(
                &file,
                format!("{file} is not a version of the secretariat key's history from keys/anchor.pub: it is not signed by the keys it replaces, or another statement has its number"),
                "keys/rotations/ holds only the numbered statements of the history: remove this file, or sign it with the keys it replaces (`pocdir keygen rotate`, `pocdir sign --statement`)",
            ));
            continue;
        };
        let set: Vec<&KeySet> = history.sets().collect();
        if set[i + 1].version != *n {
            problems.push(problem(
                &file,
                format!("{file} holds version {} of the history", set[i + 1].version),
                "name each statement after its version: keys/rotations/<N>.txt",
            ));
        }
        for sig in &st.signatures {
            let id = crate::sign::signature_key_id(sig).unwrap_or_default();
            let signer = set[i].key(&id).or(set[i + 1].key(&id));
            if signer.is_none_or(|k| crate::sign::verify(k, sig, &st.text).is_err()) {
                problems.push(problem(
                    format!("{file}.{id}.minisig"),
                    format!("a signature of {file} is not a valid signature by a key of the set it replaces or of its own"),
                    "remove the signature file, or make it again with `pocdir sign --statement`",
                ));
            }
        }
    }
    if history.current().key(&key_id(&current)) != Some(&current) {
        problems.push(problem(
            SECRETARIAT_PUB,
            format!(
                "keys/secretariat.pub is key {}, not a key of the history's current set ({}: {})",
                key_id(&current),
                history.current().name(),
                history.current().ids()
            ),
            "each change of the secretariat key needs a numbered statement signed by the keys it replaces and by the new keys (`pocdir keygen rotate`), kept in keys/rotations/; a new directory started from a copy of another (the example) starts its own history: put its key in keys/anchor.pub too, remove keys/rotations/, and delete log/versions.jsonl and log/versions.jsonl.minisig",
        ));
    }
    if problems.is_empty() {
        Ok(Some(history))
    } else {
        Err(problems)
    }
}

/// How many days before the current key set expires `check` warns.
pub const EXPIRY_WARNING_DAYS: i32 = 90;

/// The diagnostics of [`chain`]'s result as of `today`: its problems as
/// errors; the current set expired (an error: `build` would issue bundles
/// every reader refuses) or expiring within [`EXPIRY_WARNING_DAYS`] (a
/// warning).
pub fn diagnostics(
    result: &Result<Option<KeyHistory>, Vec<HistoryProblem>>,
    today: jiff::civil::Date,
) -> Vec<crate::directory::diagnostic::Diagnostic> {
    use crate::directory::diagnostic::{Code, Diagnostic};
    use crate::directory::span::Pos;
    let h = match result {
        Err(problems) => {
            return problems
                .iter()
                .map(|p| {
                    Diagnostic::error(
                        Code::KeyHistory,
                        p.file.clone(),
                        Pos::UNKNOWN,
                        p.message.clone(),
                    )
                    .hint(p.hint.clone())
                })
                .collect();
        }
        Ok(None) => return Vec::new(),
        Ok(Some(h)) => h,
    };
    let set = h.current();
    let Some(expires) = set
        .expires
        .as_deref()
        .and_then(|e| e.parse::<jiff::civil::Date>().ok())
    else {
        return Vec::new();
    };
    let file = format!("{ROTATIONS_DIR}/{}.txt", set.version);
    let hint = "renew the key set before it expires: `pocdir keygen rotate` with the same keys (or new ones) writes the next version with a later expiry";
    if today >= expires {
        vec![
            Diagnostic::error(
                Code::KeyHistory,
                file,
                Pos::UNKNOWN,
                format!(
                    "the secretariat's key set ({}) expired on {expires}: every reader refuses a bundle issued after it",
                    set.name()
                ),
            )
            .hint(hint),
        ]
    } else if (expires - today).get_days() <= EXPIRY_WARNING_DAYS {
        vec![
            Diagnostic::warning(
                Code::KeyHistoryExpiring,
                file,
                Pos::UNKNOWN,
                format!(
                    "the secretariat's key set ({}) expires on {expires}",
                    set.name()
                ),
            )
            .hint(hint),
        ]
    } else {
        Vec::new()
    }
}
