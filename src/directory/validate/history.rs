//! The secretariat key's history (issue 18): anchored in `keys/anchor.pub`
//! (the key the directory was created with, written by `init`), followed
//! through the rotation statements of `keys/rotations/` (each signed by
//! the key it retires) to `keys/secretariat.pub`. Every file of
//! `keys/rotations/` is part of that chain: a statement signed by a key
//! the chain never reaches, or a stray key, is an error, so a pull request
//! cannot slip in a key of its own and have `build` trust a log it signed.

use crate::directory::load::{ANCHOR_PUB, ROTATIONS_DIR, SECRETARIAT_PUB};
use crate::sign::rotation::follow_rotations;
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

/// The keys of the history, oldest (the anchor) first, current last; or
/// every problem found. `anchor` and `current` are the texts of
/// `keys/anchor.pub` and `keys/secretariat.pub` (when present);
/// `rotations` the files of `keys/rotations/` (name, bytes).
pub fn chain(
    anchor: Option<&str>,
    current: Option<&str>,
    rotations: &[(String, Vec<u8>)],
) -> Result<Vec<PublicKey>, Vec<HistoryProblem>> {
    let parse = |t: &str| crate::directory::validate::fields::minisign_public_key(t).ok();
    // keys/secretariat.pub's own problems are reported elsewhere.
    let Some(current) = current.and_then(parse) else {
        return Ok(Vec::new());
    };
    let statements: Vec<(&str, Vec<u8>, String)> = rotations
        .iter()
        .filter(|(n, _)| n.ends_with(".txt"))
        .filter_map(|(n, b)| {
            let sig = rotations
                .iter()
                .find(|(m, _)| *m == format!("{n}.minisig"))?;
            Some((
                n.as_str(),
                b.clone(),
                String::from_utf8_lossy(&sig.1).into_owned(),
            ))
        })
        .collect();
    let anchor = match anchor {
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
                "keys/rotations/ holds rotations but keys/anchor.pub is missing: the history has no start".into(),
                "put back keys/anchor.pub, the public key the directory was created with, from the repository's history",
            )]);
        }
    };
    let pairs: Vec<(Vec<u8>, String)> = statements
        .iter()
        .map(|(_, b, s)| (b.clone(), s.clone()))
        .collect();
    let path = follow_rotations(&anchor, &key_id(&current), &pairs).map_err(|e| {
        vec![problem(
            SECRETARIAT_PUB,
            format!(
                "no verified history leads from the anchor key {} (keys/anchor.pub) to the secretariat key {}: {e}",
                key_id(&anchor),
                key_id(&current)
            ),
            "each change of the secretariat key needs a statement signed by the key it retires (`pocdir keygen rotate`), kept in keys/rotations/; a new directory started from a copy of another (the example) starts its own history: put its key in keys/anchor.pub too, and delete log/versions.jsonl and its .minisig",
        )]
    })?;
    let mut keys = vec![anchor];
    keys.extend(path.iter().map(|r| r.new_key.clone()));
    // Every file is accounted for: the statements of the chain and their
    // signatures, and the public keys of the chain's keys.
    let mut problems = Vec::new();
    for (name, bytes) in rotations {
        let in_chain_statement = |n: &str| {
            statements.iter().any(|(sn, b, s)| {
                *sn == n
                    && path.iter().any(|r| {
                        crate::sign::signature_key_id(s).ok().as_deref() == Some(&r.old_key_id)
                            && String::from_utf8_lossy(b).contains(&r.new_key_id)
                    })
            })
        };
        let ok = if let Some(stmt) = name.strip_suffix(".minisig") {
            in_chain_statement(stmt)
        } else if name.ends_with(".txt") {
            in_chain_statement(name)
        } else if let Some(id) = name.strip_suffix(".pub") {
            keys.iter().any(|k| {
                key_id(k) == id
                    && parse(&String::from_utf8_lossy(bytes))
                        .is_some_and(|p| p.key_bytes() == k.key_bytes())
            })
        } else {
            false
        };
        if !ok {
            problems.push(problem(
                format!("{ROTATIONS_DIR}/{name}"),
                format!(
                    "{ROTATIONS_DIR}/{name} is not part of the secretariat key's history (keys/anchor.pub to keys/secretariat.pub)"
                ),
                "keys/rotations/ holds only the statements of the history, their signatures and the public keys they retire: remove this file",
            ));
        }
    }
    if problems.is_empty() {
        Ok(keys)
    } else {
        Err(problems)
    }
}
