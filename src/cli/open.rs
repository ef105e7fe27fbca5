//! `pocdir open`: verify, decrypt and read a bundle received by email.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{AsOf, outln};

/// Verify, decrypt and read a bundle received by email: the signature
/// (key pinned on first use), the trusted comment (State, expiry, no
/// rollback or fork), every file's hash; then what changed since the last
/// accepted version.
#[derive(clap::Args)]
#[command(
    after_help = "Exit codes: 0 verified, 2 usage, 3 unknown key, 4 bad signature, \
    5 malformed, 6 expired, 7 rollback, 8 fork, 9 misdirected, 10 wrong identity, \
    11 tampered, 12 I/O, 13 retired key, 14 key history refused (or the key set had \
    expired when the bundle was issued), 15 state folder records missing or disagreeing. \
    16 split view (the version log the bundle carries disagrees with the one accepted before). Exit 6 also when the bundle was issued in the future. Nothing is extracted or recorded unless every check passed. \
    Nothing is ever deleted or overwritten: without --extract the files go into a new \
    <ISO3>-<seq> folder beside the bundle."
)]
pub struct Args {
    /// The bundle, <ISO3>.tar.gz.age (format 1's <ISO3>.tar.age is read
    /// too; its signature is read from <BUNDLE>.minisig unless --signature
    /// says otherwise).
    bundle: PathBuf,
    /// Your account's age identity (secret key) file.
    #[arg(long, value_name = "FILE")]
    identity: PathBuf,
    /// The secretariat's public key (secretariat.pub from the directory's
    /// site), pinned in the state folder on first use; afterwards it must
    /// be the pinned key (or a key of the set the key history leads to). If
    /// the pinned key file was lost, only the key the state folder's
    /// records name is pinned again.
    #[arg(long, value_name = "PUBKEY")]
    trust: Option<PathBuf>,
    /// The bundle's signature (default: BUNDLE.minisig).
    #[arg(long, value_name = "FILE")]
    signature: Option<PathBuf>,
    /// Where accepted versions and the pinned key are kept (default: the
    /// platform's data folder: $XDG_DATA_HOME/pocdir or
    /// ~/.local/share/pocdir, ~/Library/Application Support/pocdir on
    /// macOS, %APPDATA%\pocdir on Windows).
    #[arg(long, value_name = "DIR")]
    state_dir: Option<PathBuf>,
    /// Write the verified files into this folder, which must not exist
    /// yet or be empty (default: a new <ISO3>-<seq> folder beside the
    /// bundle).
    #[arg(long, value_name = "DIR", conflicts_with = "no_extract")]
    extract: Option<PathBuf>,
    /// Verify and record only: extract nothing.
    #[arg(long)]
    no_extract: bool,
    /// Open an expired bundle anyway (with a warning).
    #[arg(long)]
    allow_expired: bool,
    /// The secretariat key's history (key-history.json, published beside
    /// the bundles and attached to every delivery mail); may be repeated.
    /// The one beside the bundle is read too; the whole history from the
    /// pinned key is followed, and recorded.
    #[arg(long, value_name = "FILE")]
    key_history: Vec<PathBuf>,
    /// The secretariat's published version log (versions.jsonl from the
    /// directory's site, its .minisig beside it): its signature is checked
    /// with the secretariat key, and it must hold this bundle's version
    /// with its root and log line (else a split view: exit 16).
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// Judge expiry as of this time, e.g. to re-read an archived bundle.
    #[command(flatten)]
    as_of: AsOf,
    /// Also write the receipt as a ready email (.eml, a new file) to the
    /// secretariat, to send from your mail client.
    #[arg(long, value_name = "FILE")]
    receipt: Option<PathBuf>,
    /// The receipt's sender (default: your State's first receiving
    /// account, as the bundle lists it).
    #[arg(long, value_name = "ADDRESS", requires = "receipt")]
    receipt_from: Option<String>,
}

/// An absolute path from the environment variable `var` (empty or
/// relative values are ignored, as the XDG specification says).
fn env_dir(var: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
}

/// The platform's data folder for pocdir, if one can be found.
fn platform_state_dir() -> Option<PathBuf> {
    if cfg!(windows) {
        env_dir("APPDATA").map(|d| d.join("pocdir"))
    } else if cfg!(target_os = "macos") {
        env_dir("HOME").map(|h| h.join("Library/Application Support/pocdir"))
    } else {
        env_dir("XDG_DATA_HOME")
            .or_else(|| env_dir("HOME").map(|h| h.join(".local/share")))
            .map(|d| d.join("pocdir"))
    }
}

/// Where versions before this one kept the state by default (when HOME
/// was set): moved to the platform's folder on first use.
fn old_state_dir() -> Option<PathBuf> {
    env_dir("XDG_STATE_HOME")
        .map(|d| d.join("pocdir"))
        .or_else(|| env_dir("HOME").map(|h| h.join(".local/state/pocdir")))
}

/// The state folder: `--state-dir`, or the platform's data folder (an old
/// default one moved there), or a refusal: the rollback protection must
/// not depend on the folder pocdir is run from.
fn state_dir(given: Option<PathBuf>) -> Result<PathBuf, String> {
    if let Some(d) = given {
        return Ok(d);
    }
    let dir = platform_state_dir().ok_or_else(|| {
        let var = if cfg!(windows) { "APPDATA" } else { "HOME" };
        format!(
            "no folder to keep the pinned secretariat key and the accepted versions in: {var} is not set (or not an absolute path); set it, or pass --state-dir DIR (always the same folder: it is what detects an old bundle sent again)"
        )
    })?;
    if let Some(old) = old_state_dir().filter(|o| *o != dir && o.is_dir())
        && std::fs::symlink_metadata(&dir).is_err()
    {
        if let Some(parent) = dir.parent() {
            let _ = pocdir::output::create_dirs(parent, true);
        }
        std::fs::rename(&old, &dir).map_err(|e| {
            format!(
                "cannot move the state folder {} to {}: {e}; move it by hand (or pass --state-dir {})",
                old.display(),
                dir.display(),
                old.display()
            )
        })?;
        eprintln!(
            "note: the state folder moved from {} to {}",
            old.display(),
            dir.display()
        );
    }
    Ok(dir)
}

pub fn run(a: Args) -> Result<ExitCode, ExitCode> {
    let state_dir = state_dir(a.state_dir).map_err(|m| {
        eprintln!("error[usage]: {m}");
        eprintln!("nothing was extracted or recorded");
        ExitCode::from(2)
    })?;
    use pocdir::bundle::open::Extract;
    let extract = match (a.extract, a.no_extract) {
        (Some(d), _) => Extract::Into(d),
        (None, true) => Extract::No,
        (None, false) => Extract::Beside,
    };
    let (receipt_file, receipt_from) = (a.receipt, a.receipt_from);
    let opts = pocdir::bundle::open::OpenOptions {
        bundle: a.bundle,
        signature: a.signature,
        identity: a.identity,
        trust: a.trust,
        state_dir,
        extract,
        allow_expired: a.allow_expired,
        rotations: a.key_history,
        now: a.as_of.time(),
        clock: jiff::Timestamp::now(),
        log: a.log,
    };
    let o = pocdir::bundle::open::open(&opts).map_err(|e| {
        eprintln!("error[{}]: {}", e.class(), e.message());
        eprintln!("nothing was extracted or recorded");
        ExitCode::from(e.exit_code())
    })?;
    for w in &o.warnings {
        eprintln!("warning: {w}");
    }
    for step in &o.rotated {
        outln!(
            "The secretariat's keys changed ({step}), through a statement signed by the keys it replaces."
        );
    }
    let t = &o.trusted;
    outln!(
        "Verified: {} bundle, sequence {}, issued {}, expires {}, signed by the secretariat {}.",
        t.state,
        t.seq,
        pocdir::util::time::fmt_ts(t.issued),
        pocdir::util::time::fmt_ts(t.expires),
        match o.signers.as_slice() {
            [one] => format!("key {one}"),
            all => format!("keys {}", all.join(", ")),
        }
    );
    outln!(
        "Directory root {}: {} States, {} points of contact.",
        t.root,
        o.states,
        o.pocs
    );
    if let Some(h) = &o.log_head {
        outln!(
            "Log head: version {}, log line SHA-256 {} (the secretariat's signed log, versions.jsonl on its site, must hold this line; other States can compare theirs).",
            h.seq,
            h.line
        );
    }
    if o.already_accepted {
        match o.first_accepted {
            None => {
                outln!("This version was accepted before (the list of its changes was not kept).")
            }
            Some(_) if !o.changes.is_empty() => {
                outln!(
                    "This version was accepted before. Its changes since the version accepted before it:"
                );
                for c in &o.changes {
                    outln!("  {c}");
                }
            }
            Some(true) => outln!("This version was accepted before (the first one accepted here)."),
            Some(false) => outln!(
                "This version was accepted before (no change since the version accepted before it)."
            ),
        }
    } else if let Some(old) = o.renewed {
        outln!(
            "Renewed, no change to the directory: version {} has the content of version {old}, accepted before, and is valid until {}.",
            t.seq,
            pocdir::util::time::fmt_ts(t.expires)
        );
    } else if o.changes.is_empty() {
        outln!("No change since the last accepted version (or none accepted before).");
    } else {
        outln!("Changes since the last accepted version:");
        for c in &o.changes {
            outln!("  {c}");
        }
    }
    match &o.extracted {
        Some((d, true)) => outln!(
            "The files are already in {} (extracted before).",
            d.display()
        ),
        Some((d, false)) => outln!("Files written to {}.", d.display()),
        None => {}
    }
    receipt(&o, receipt_file, receipt_from, opts.now)
}

/// The receipt line (issue #15) and, with --receipt, the ready message.
fn receipt(
    o: &pocdir::bundle::open::Opened,
    file: Option<PathBuf>,
    from: Option<String>,
    now: jiff::Timestamp,
) -> Result<ExitCode, ExitCode> {
    let Some((r, to)) = &o.receipt else {
        if file.is_some() {
            return Err(super::failure(
                "this bundle carries no receipt code (it was sealed before receipts existed)",
            ));
        }
        return Ok(ExitCode::SUCCESS);
    };
    outln!("Receipt, to send to {to} to confirm that you opened this version:");
    outln!("{}", r.line());
    let Some(file) = file else {
        return Ok(ExitCode::SUCCESS);
    };
    let readme = o
        .files
        .get("README.txt")
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    let from = from
        .or_else(|| pocdir::receipts::eml::first_own_account(&readme))
        .ok_or_else(|| {
            super::usage_error("no sender for the receipt: pass --receipt-from ADDRESS")
        })?;
    let eml = pocdir::receipts::eml::message(r, to, &from, now).map_err(super::failure)?;
    pocdir::output::new_file(&file, &eml, true).map_err(|e| {
        super::failure(format!(
            "cannot write the receipt to {}: {e} (an existing file is never overwritten)",
            file.display()
        ))
    })?;
    outln!(
        "Receipt message written to {} (from {from}).",
        file.display()
    );
    Ok(ExitCode::SUCCESS)
}
