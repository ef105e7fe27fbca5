//! `pocdir sign`: a second officer's signature on a prepared build or on
//! a key statement (issue #18, threshold signing).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pocdir::sign::{self, SigningKey};

/// Add your signature to a prepared build (each bundle of <OUT>/bundles
/// and the version log — its copies in <OUT>/bundles and <OUT>/site, and
/// the directory's log/versions.jsonl when it is the same — get
/// `.minisig.2`, `.minisig.3` ... beside the build's `.minisig`, each a
/// stock minisign signature with the same trusted comment), to the
/// directory's version log alone (--log), or to a statement of the
/// secretariat key's history (keys/rotations/<N>.txt.<KEYID>.minisig),
/// when the secretariat's key set needs more than one signature. Nothing
/// existing is overwritten.
#[derive(clap::Args)]
#[command(
    after_help = "Exit codes: 0 signed (or already signed by this key), 1 failed, 2 usage error."
)]
pub struct Args {
    /// Your secret key: a key of the secretariat's current set (or, for a
    /// statement, of the set it replaces or names).
    #[arg(long, value_name = "FILE")]
    secret_key: PathBuf,
    /// The directory (default: the current folder).
    #[arg(long, value_name = "DIR", default_value = ".")]
    root: PathBuf,
    /// A build's output folder: sign what is in its bundles/ (and its
    /// site's copy of the version log, and the directory's log when it is
    /// the same).
    #[arg(
        long,
        value_name = "DIR",
        conflicts_with_all = ["statement", "log"],
        required_unless_present_any = ["statement", "log"]
    )]
    out: Option<PathBuf>,
    /// Sign the directory's version log, log/versions.jsonl (a build made
    /// on another machine, committed with one signature).
    #[arg(long, conflicts_with = "statement")]
    log: bool,
    /// A statement of the key history to sign (keys/rotations/<N>.txt).
    #[arg(long, value_name = "FILE")]
    statement: Option<PathBuf>,
}

pub fn run(a: Args) -> Result<ExitCode, ExitCode> {
    match (&a.out, &a.statement, a.log) {
        (Some(out), _, _) => sign_build(&a.root, out, &a.secret_key),
        (None, _, true) => sign_log(&a.root, &a.secret_key),
        (None, Some(st), false) => sign_statement(&a.root, st, &a.secret_key),
        (None, None, false) => Err(super::failure("give --out, --log or --statement")),
    }
}

/// The signature files of `file`: `.minisig`, then `.minisig.2` ...
fn signature_files(file: &Path) -> Vec<PathBuf> {
    let first = PathBuf::from(format!("{}.minisig", file.display()));
    let mut out = Vec::new();
    if first.is_file() {
        out.push(first.clone());
        for n in 2..=pocdir::bundle::open::MAX_SIGNATURES {
            let p = PathBuf::from(format!("{}.{n}", first.display()));
            if !p.is_file() {
                break;
            }
            out.push(p);
        }
    }
    out
}

/// The secretariat's current key set and your key, one of it.
fn current_signer(
    root: &Path,
    sk: &Path,
) -> Result<(pocdir::sign::rotation::KeySet, SigningKey), ExitCode> {
    let (history, _) = pocdir::directory::key_history(root, None).map_err(super::failure)?;
    let set = history.current().clone();
    let key = super::keygen::load_signers(&[sk.to_path_buf()], &set.keys)?.remove(0);
    Ok((set, key))
}

fn sign_build(root: &Path, out: &Path, sk: &Path) -> Result<ExitCode, ExitCode> {
    let (set, key) = current_signer(root, sk)?;
    let dir = out.join("bundles");
    let rd =
        std::fs::read_dir(&dir).map_err(|e| super::failure(format!("{}: {e}", dir.display())))?;
    let mut files: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".age") || n == "versions.jsonl")
        })
        .collect();
    files.sort();
    // The same log elsewhere: the site's copy, and the directory's own
    // when this build made it (the next build needs it countersigned).
    let log = std::fs::read(dir.join("versions.jsonl")).ok();
    let site_log = out.join("site").join("versions.jsonl");
    if site_log.is_file() {
        files.push(site_log);
    }
    let dir_log = root.join(pocdir::bundle::log::LOG_FILE);
    let same = log.is_some() && std::fs::read(&dir_log).ok() == log;
    if same {
        files.push(dir_log.clone());
    }
    let (mut signed, mut already) = (0, 0);
    for f in &files {
        match add_signature(f, &key, &set)? {
            true => signed += 1,
            false => already += 1,
        }
    }
    eprintln!(
        "signed {signed} file(s) of {} with key {} ({already} already signed by it); the key set needs {} of {}",
        out.display(),
        sign::key_id(&key.pk),
        set.threshold,
        set.keys.len()
    );
    if same {
        eprintln!(
            "the directory's {} is signed too: commit its new signature file",
            dir_log.display()
        );
    } else if log.is_some() {
        eprintln!(
            "note: {} is not this build's log: it was not signed (sign it with `pocdir sign --log` once it is)",
            dir_log.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn sign_log(root: &Path, sk: &Path) -> Result<ExitCode, ExitCode> {
    let (set, key) = current_signer(root, sk)?;
    let file = root.join(pocdir::bundle::log::LOG_FILE);
    if !file.is_file() {
        return Err(super::failure(format!(
            "{}: no version log yet (`pocdir build` makes it)",
            file.display()
        )));
    }
    let done = add_signature(&file, &key, &set)?;
    eprintln!(
        "{} {} with key {}; the key set needs {} of {}: commit the new signature file",
        if done { "signed" } else { "already signed:" },
        file.display(),
        sign::key_id(&key.pk),
        set.threshold,
        set.keys.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// Sign `file` as its first signature says (same trusted comment), once
/// per key. Returns false if this key had signed it already.
fn add_signature(
    file: &Path,
    key: &SigningKey,
    set: &pocdir::sign::rotation::KeySet,
) -> Result<bool, ExitCode> {
    let sigs = signature_files(file);
    let Some(first) = sigs.first() else {
        return Err(super::failure(format!(
            "{} has no signature ({}.minisig): sign a build `pocdir build` made",
            file.display(),
            file.display()
        )));
    };
    let data =
        std::fs::read(file).map_err(|e| super::failure(format!("{}: {e}", file.display())))?;
    let mut trusted = None;
    for p in &sigs {
        let text = std::fs::read_to_string(p)
            .map_err(|e| super::failure(format!("{}: {e}", p.display())))?;
        let id = sign::signature_key_id(&text)
            .map_err(|_| super::failure(format!("{} is not a minisign signature", p.display())))?;
        if id == sign::key_id(&key.pk) {
            return Ok(false);
        }
        let Some(k) = set.key(&id) else {
            return Err(super::failure(format!(
                "{} is signed by key {id}, not a key of the secretariat's current set ({})",
                p.display(),
                set.ids()
            )));
        };
        let tc = sign::verify(k, &text, &data).map_err(|_| {
            super::failure(format!(
                "{} does not verify: the file was altered",
                p.display()
            ))
        })?;
        if p == first {
            trusted = Some(tc);
        }
    }
    let trusted = trusted.unwrap_or_default();
    let untrusted = format!(
        "pocdir: signature {} of {} - verify with the secretariat key {}",
        sigs.len() + 1,
        file.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default(),
        sign::key_id(&key.pk)
    );
    let sig = key
        .sign(&data, &trusted, &untrusted)
        .map_err(super::failure)?;
    let path = PathBuf::from(format!("{}.{}", first.display(), sigs.len() + 1));
    pocdir::output::new_file(&path, sig.as_bytes(), false)
        .map_err(|e| super::failure(format!("{}: {e}", path.display())))?;
    Ok(true)
}

fn sign_statement(root: &Path, path: &Path, sk: &Path) -> Result<ExitCode, ExitCode> {
    let version: u64 = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".txt"))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| {
            super::failure(format!("{} is not keys/rotations/<N>.txt", path.display()))
        })?;
    let (history, target) =
        pocdir::directory::key_history(root, Some(version)).map_err(super::failure)?;
    let Some(st) = target else {
        return Err(super::failure(format!(
            "keys/rotations/{version}.txt is not in {}",
            root.display()
        )));
    };
    let previous = history.current().clone();
    if previous.version + 1 != version {
        return Err(super::failure(format!(
            "the key history of {} is at version {}: version {version} is not the next one",
            root.display(),
            previous.version
        )));
    }
    // Who may sign: the set it replaces and the keys it names (read after
    // the previous set's signatures, like any reader would, only to know
    // the candidates; `check` verifies the whole).
    let mut candidates = previous.keys.clone();
    if let Ok(text) = std::str::from_utf8(&st.text) {
        for line in text.lines() {
            if let Some(k) = line
                .strip_prefix("key: ")
                .and_then(|b| sign::PublicKey::from_base64(b).ok())
            {
                candidates.push(k);
            }
        }
    }
    let key = super::keygen::load_signers(&[sk.to_path_buf()], &candidates)?.remove(0);
    let id = sign::key_id(&key.pk);
    let (v, sig) = pocdir::sign::rotation::sign_statement(&st, &key)
        .map_err(|e| super::failure(format!("{}: {e}", path.display())))?;
    let sig_path = path.with_file_name(pocdir::sign::rotation::signature_file(v, &id));
    pocdir::output::new_file(&sig_path, sig.as_bytes(), false)
        .map_err(|e| super::failure(format!("{}: {e}", sig_path.display())))?;
    let mut full = st.clone();
    full.signatures.push(sig);
    match pocdir::sign::rotation::verify_statement(&previous, &full) {
        Ok(_) => eprintln!("wrote {}: the statement is complete", sig_path.display()),
        Err(e) => eprintln!("wrote {}; not complete yet: {e}", sig_path.display()),
    }
    Ok(ExitCode::SUCCESS)
}
