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
    11 tampered, 12 I/O. Nothing is extracted or recorded unless every check passed."
)]
pub struct Args {
    /// The bundle, <ISO3>.tar.gz.age (format 1's <ISO3>.tar.age is read
    /// too; its signature is read from <BUNDLE>.minisig unless --signature
    /// says otherwise).
    bundle: PathBuf,
    /// Your account's age identity (secret key) file.
    #[arg(long, value_name = "FILE")]
    identity: PathBuf,
    /// The secretariat's public key, pinned in the state folder on first
    /// use.
    #[arg(long, value_name = "PUBKEY")]
    trust: Option<PathBuf>,
    /// The bundle's signature (default: BUNDLE.minisig).
    #[arg(long, value_name = "FILE")]
    signature: Option<PathBuf>,
    /// Where accepted versions and the pinned key are kept (default:
    /// $XDG_STATE_HOME/pocdir or ~/.local/state/pocdir).
    #[arg(long, value_name = "DIR")]
    state_dir: Option<PathBuf>,
    /// Write the verified files into this folder.
    #[arg(long, value_name = "DIR")]
    extract: Option<PathBuf>,
    /// Open an expired bundle anyway (with a warning).
    #[arg(long)]
    allow_expired: bool,
    /// A key rotation statement (its .minisig beside it); may be repeated.
    #[arg(long, value_name = "FILE")]
    rotation: Vec<PathBuf>,
    /// Judge expiry as of this time, e.g. to re-read an archived bundle.
    #[command(flatten)]
    as_of: AsOf,
}

fn default_state_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_STATE_HOME")
        .map(|d| PathBuf::from(d).join("pocdir"))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state/pocdir")))
}

pub fn run(a: Args) -> Result<ExitCode, ExitCode> {
    let state_dir = a
        .state_dir
        .or_else(default_state_dir)
        .unwrap_or_else(|| PathBuf::from(".pocdir-state"));
    let opts = pocdir::bundle::open::OpenOptions {
        bundle: a.bundle,
        signature: a.signature,
        identity: a.identity,
        trust: a.trust,
        state_dir,
        extract: a.extract,
        allow_expired: a.allow_expired,
        rotations: a.rotation,
        now: a.as_of.time(),
    };
    let o = pocdir::bundle::open::open(&opts).map_err(|e| {
        eprintln!("error[{}]: {}", e.class(), e.message());
        eprintln!("nothing was extracted or recorded");
        ExitCode::from(e.exit_code())
    })?;
    for w in &o.warnings {
        eprintln!("warning: {w}");
    }
    for (old, new) in &o.rotated {
        outln!(
            "The secretariat key changed from {old} to {new}, through a rotation statement signed by {old}."
        );
    }
    let t = &o.trusted;
    outln!(
        "Verified: {} bundle, sequence {}, issued {}, expires {}, signed by the secretariat key {}.",
        t.state,
        t.seq,
        pocdir::util::time::fmt_ts(t.issued),
        pocdir::util::time::fmt_ts(t.expires),
        o.key_id
    );
    outln!(
        "Directory root {}: {} States, {} points of contact.",
        t.root,
        o.states,
        o.pocs
    );
    if o.already_accepted {
        outln!("This version was accepted before.");
    } else if o.changes.is_empty() {
        outln!("No change since the last accepted version (or none accepted before).");
    } else {
        outln!("Changes since the last accepted version:");
        for c in &o.changes {
            outln!("  {c}");
        }
    }
    if let Some(d) = &opts.extract {
        outln!("Files written to {}.", d.display());
    }
    Ok(ExitCode::SUCCESS)
}
