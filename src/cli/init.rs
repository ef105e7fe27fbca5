//! `pocdir init`: start a new directory, or copy the fictional example.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{NewKey, outln};

/// Start a new directory from nothing: settings, pages in the six UN
/// languages, the secretariat's signing key pair (the secret key outside
/// the directory), empty content/states/ and keys/states/, a .gitignore.
/// `pocdir check` passes on the result.
#[derive(clap::Args)]
#[command(
    after_help = "Exit codes: 0 created, 1 failed (nothing is left half-written; an \
    existing directory is never overwritten), 2 usage error."
)]
pub struct Args {
    /// The folder to create the directory in.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Copy the fictional example directory (DEMO keys) instead.
    #[arg(long, conflicts_with_all = ["secret_key", "unencrypted", "kdf"])]
    example: bool,
    /// Where the secretariat's secret signing key goes: outside the
    /// directory, never committed.
    #[arg(long, value_name = "FILE", required_unless_present = "example")]
    secret_key: Option<PathBuf>,
    #[command(flatten)]
    key: NewKey,
}

pub fn run(a: Args) -> Result<ExitCode, ExitCode> {
    let mut opts = pocdir::init::InitOptions {
        dir: &a.dir,
        example: a.example,
        unencrypted: a.key.unencrypted,
        passphrase: None,
        kdf: a.key.kdf.limits(),
        secret_key: a.secret_key.as_deref(),
    };
    // Refuse before asking for a passphrase.
    pocdir::init::preflight(&opts).map_err(super::failure)?;
    let pass = if a.example { None } else { a.key.passphrase()? };
    opts.passphrase = pass.as_ref();
    let done = pocdir::init::init(&opts).map_err(super::failure)?;
    for f in &done.files {
        outln!("{}", a.dir.join(f).display());
    }
    let dir = a.dir.display();
    if a.example {
        eprintln!(
            "copied the fictional example directory into {dir} ({} files): demo: true, signed with its published DEMO key",
            done.files.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "started a new directory in {dir} ({} files)",
        done.files.len()
    );
    if let (Some(id), Some(sk)) = (&done.public_key_id, &a.secret_key) {
        eprintln!(
            "secretariat signing key {id}: public key in keys/secretariat.pub, SECRET key in {} (keep it and a backup outside the repository)",
            sk.display()
        );
    }
    eprintln!("next: fill in {dir}/content/directory.yaml, then `pocdir check --root {dir}`");
    Ok(ExitCode::SUCCESS)
}
