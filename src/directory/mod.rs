//! The directory as input: read (`load`, the only code that opens the
//! directory's files), check (`validate`, diagnostics), and the checked
//! model (`model`) that every later stage consumes.
//!
//! [`load`] is the one entry every command uses: it reads, validates and
//! models, and gives either a [`Checked`] directory or the [`Rejected`]
//! report. What was read (`load::Loaded`) stays inside this module.

pub mod campaign;
pub mod diagnostic;
pub mod load;
pub mod model;
pub mod read;
pub mod refdata;
pub mod schema;
pub mod secrets;
pub mod span;
pub mod theme;
pub mod types;
pub mod validate;
pub mod yaml;

use std::collections::BTreeMap;
use std::path::Path;

use diagnostic::{Code, Report, Severity};
pub use load::I18nFile;
pub use model::Directory;

/// How to judge the directory.
#[derive(Clone, Copy, Debug)]
pub struct Options<'a> {
    /// The day dates are judged on (future dates, expired keys, staleness).
    pub today: jiff::civil::Date,
    /// Diagnostic codes downgraded to warnings (`stale` lists expired keys
    /// instead of failing on them), by name: write them as
    /// `Code::KeyExpired.as_str()` so a misspelt code cannot compile.
    pub tolerate: &'a [&'a str],
}

impl Options<'_> {
    pub fn new(today: jiff::civil::Date) -> Options<'static> {
        Options {
            today,
            tolerate: &[],
        }
    }

    /// Whether diagnostics of `code` are downgraded to warnings.
    pub fn tolerates(&self, code: Code) -> bool {
        self.tolerate.contains(&code.as_str())
    }
}

/// The text of every file read, by path relative to the root (for the
/// snippets of diagnostics).
pub type Sources = BTreeMap<String, String>;

/// A directory with no error: the model, and what rendering, sealing and
/// review need besides it.
#[derive(Debug)]
pub struct Checked {
    pub directory: Directory,
    /// Warnings (and tolerated errors).
    pub report: Report,
    pub sources: Sources,
    /// The effective theme (built-in default plus the directory's overrides).
    pub theme: theme::Theme,
    /// UI strings by language.
    pub i18n: BTreeMap<String, I18nFile>,
    /// `log/versions.jsonl` and its signatures (`.minisig`, `.minisig.2`
    /// ...), when present.
    pub version_log: Option<String>,
    pub version_log_sigs: Vec<String>,
    /// The log's versions, parsed and checked once (none without a log).
    pub version_entries: Vec<crate::bundle::log::Entry>,
    /// Key rotation statements, `keys/rotations/*` (file name, bytes).
    pub rotations: Vec<(String, Vec<u8>)>,
    /// The secretariat key's verified history (issue 18): from the anchor
    /// (`keys/anchor.pub`, version 1) to the current set, which holds
    /// `keys/secretariat.pub`. Only its keys may have signed the version
    /// log; only the current set's may sign now. `None` only when
    /// `keys/secretariat.pub` is missing or malformed (an error already).
    pub key_history: Option<crate::sign::rotation::KeyHistory>,
    /// For each State that registered an update-signing key: whether its
    /// file carries a good signature.
    pub state_signatures: BTreeMap<String, StateSignature>,
    /// The update-signing key each State registered, by State code.
    pub update_signing_keys: BTreeMap<String, crate::sign::PublicKey>,
    /// `content/states/<ISO3>.yaml.minisig` texts, by State code.
    pub state_signature_texts: BTreeMap<String, String>,
    /// Who may acknowledge a block signal of `pocdir review`
    /// (`keys/reviewers/<login>.pub`), by login.
    pub reviewers: Vec<Reviewer>,
}

/// A reviewer: a login on the forge and the minisign key they sign
/// acknowledgements with.
#[derive(Clone, Debug)]
pub struct Reviewer {
    pub login: String,
    pub key: crate::sign::PublicKey,
}

/// A State's own signature on `content/states/<ISO3>.yaml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StateSignature {
    /// Verified with the key the State registered (its key id).
    Good { key_id: String },
    /// The State registered a key but the file has no `.minisig`.
    Missing,
    /// The signature does not verify with the registered key.
    Bad,
}

/// A directory with at least one error: every diagnostic, and the text of
/// the files they point into.
#[derive(Debug)]
pub struct Rejected {
    pub report: Report,
    pub sources: Sources,
}

/// Read, validate and model the directory at `root`. Every problem of every
/// file is in the report, whichever way it goes.
pub fn load(root: &Path, opts: &Options) -> Result<Checked, Rejected> {
    let loaded = load::load(root);
    let mut report = Report::default();
    report.extend(loaded.diagnostics.iter().cloned());
    report.extend(validate::validate(
        &loaded,
        &validate::Context { today: opts.today },
    ));
    // The key history, verified once (issue 18).
    let key_history = validate::history::chain(
        loaded.anchor_pub.as_deref(),
        loaded.secretariat_pub.as_deref(),
        &loaded.rotations,
    );
    report.extend(validate::history::diagnostics(&key_history, opts.today));
    let (version_entries, log_problems) =
        load::version_log(loaded.version_log.as_deref(), opts.today);
    report.extend(log_problems);
    for d in &mut report.diagnostics {
        if opts.tolerates(d.code) {
            d.severity = Severity::Warning;
        }
    }
    report.finish();
    let directory = if report.has_errors() {
        None
    } else {
        model::from_loaded(&loaded, opts.today)
    };
    let Some(directory) = directory else {
        return Err(Rejected {
            report,
            sources: loaded.sources,
        });
    };
    let state_signatures = state_signatures(&loaded);
    let update_signing_keys = loaded
        .keys
        .values()
        .filter_map(|k| {
            let key = validate::fields::minisign_public_key(k.update_signing_key.as_ref()?).ok()?;
            Some((k.state.value.clone(), key))
        })
        .collect();
    let reviewers = loaded
        .reviewers
        .iter()
        .filter_map(|(rel, text)| {
            let login = rel.rsplit('/').next()?.strip_suffix(".pub")?;
            let key = validate::fields::minisign_public_key(text).ok()?;
            Some(Reviewer {
                login: login.to_string(),
                key,
            })
        })
        .collect();
    Ok(Checked {
        update_signing_keys,
        state_signature_texts: loaded.state_signatures,
        reviewers,
        directory,
        report,
        theme: loaded.theme,
        i18n: loaded.i18n,
        version_log: loaded.version_log,
        version_log_sigs: loaded.version_log_sigs,
        key_history: key_history.ok().flatten(),
        version_entries,
        rotations: loaded.rotations,
        state_signatures,
        sources: loaded.sources,
    })
}

/// The secretariat key's verified history of the directory at `root`
/// (`keys/anchor.pub` followed through `keys/rotations/`), leaving out the
/// statement of version `except` and its signatures (the one `keygen
/// rotate` or `sign --statement` is writing), for those commands; an error
/// names the problem. Also returns the statement files of `except`.
pub fn key_history(
    root: &Path,
    except: Option<u64>,
) -> Result<
    (
        crate::sign::rotation::KeyHistory,
        Option<crate::sign::rotation::Statement>,
    ),
    String,
> {
    let loaded = load::load(root);
    let anchor_text = loaded
        .anchor_pub
        .as_deref()
        .or(loaded.secretariat_pub.as_deref())
        .ok_or_else(|| format!("{}: keys/anchor.pub is missing", root.display()))?;
    let anchor = validate::fields::minisign_public_key(anchor_text).map_err(|_| {
        format!(
            "{}: keys/anchor.pub is not a minisign public key",
            root.display()
        )
    })?;
    let (numbered, _) = validate::history::statements(&loaded.rotations);
    let mut target = None;
    let mut others = Vec::new();
    for (n, st) in numbered {
        if Some(n) == except {
            target = Some(st);
        } else {
            others.push(st);
        }
    }
    let (h, _) = crate::sign::rotation::KeyHistory::new(anchor, 1)
        .extend(&others)
        .map_err(|e| format!("{}: the key history is refused: {e}", root.display()))?;
    Ok((h, target))
}

/// `pocdir check`: the report and the sources, with or without errors.
pub fn check(root: &Path, today: jiff::civil::Date) -> (Report, Sources) {
    match load(root, &Options::new(today)) {
        Ok(c) => (c.report, c.sources),
        Err(r) => (r.report, r.sources),
    }
}

fn state_signatures(l: &load::Loaded) -> BTreeMap<String, StateSignature> {
    let mut out = BTreeMap::new();
    for k in l.keys.values() {
        let code = k.state.value.clone();
        let Some(key) = &k.update_signing_key else {
            continue;
        };
        let Ok(pk) = validate::fields::minisign_public_key(key) else {
            continue;
        };
        let file = format!("{}/{code}.yaml", load::STATES_DIR);
        let Some(text) = l.sources.get(&file) else {
            continue;
        };
        let verdict = match l.state_signatures.get(&code) {
            None => StateSignature::Missing,
            Some(sig) => match crate::sign::verify(&pk, sig, text.as_bytes()) {
                Ok(_) => StateSignature::Good {
                    key_id: crate::sign::key_id(&pk),
                },
                Err(_) => StateSignature::Bad,
            },
        };
        out.insert(code, verdict);
    }
    out
}
