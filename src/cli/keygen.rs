//! `pocdir keygen signing|age|rotate`: make keys and rotation statements.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;

use super::{NewKey, out, outln};

/// Make keys: the secretariat's signing key pair, an age identity for a
/// State's account, or a key rotation statement. Files are never
/// overwritten; secret ones are written with mode 0600.
#[derive(clap::Args)]
#[command(after_help = "Exit codes: 0 written, 1 failed (nothing written), 2 usage error.")]
pub struct Args {
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Subcommand)]
enum Mode {
    /// An Ed25519 signing key pair in minisign's formats (the secretariat's
    /// key). The passphrase comes from $POCDIR_PASSPHRASE or is asked
    /// twice; the public key is printed.
    Signing {
        /// Where the secret key goes (keep it out of the repository).
        #[arg(long, value_name = "FILE")]
        secret_key: PathBuf,
        /// Where the public key goes (keys/secretariat.pub).
        #[arg(long, value_name = "FILE")]
        public_key: PathBuf,
        #[command(flatten)]
        key: NewKey,
    },
    /// An age identity (X25519) for a State's verified account; its
    /// recipient (for keys/states/<ISO3>.yaml) is printed.
    Age {
        /// Where the identity (secret) goes.
        #[arg(long, value_name = "FILE")]
        identity: PathBuf,
    },
    /// A statement, signed by the old secretariat key, that moves
    /// recipients to a new key (its .minisig beside it; the old public key
    /// is written beside it too).
    Rotate {
        /// The OLD secret key.
        #[arg(long, value_name = "FILE")]
        secret_key: PathBuf,
        /// The OLD public key (keys/secretariat.pub).
        #[arg(long, value_name = "FILE")]
        public_key: PathBuf,
        /// The NEW public key.
        #[arg(long, value_name = "FILE")]
        new_public_key: PathBuf,
        /// Where the statement goes (keys/rotations/<NEW-KEY-ID>.txt).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

pub fn run(a: Args) -> Result<ExitCode, ExitCode> {
    Ok(match a.mode {
        Mode::Signing {
            secret_key,
            public_key,
            key,
        } => signing(&secret_key, &public_key, &key)?,
        Mode::Age { identity } => age(&identity),
        Mode::Rotate {
            secret_key,
            public_key,
            new_public_key,
            out,
        } => rotate(&secret_key, &public_key, &new_public_key, &out),
    })
}

fn signing(sk_path: &Path, pk_path: &Path, key: &NewKey) -> Result<ExitCode, ExitCode> {
    let pass = key.passphrase()?;
    let comment = if key.unencrypted {
        "pocdir UNENCRYPTED secret key"
    } else {
        "pocdir encrypted secret key"
    };
    let (sk, pk) = match pocdir::sign::keygen::signing_keypair_with(
        pass.as_ref(),
        key.kdf.limits(),
        comment,
    ) {
        Ok(x) => x,
        Err(e) => return Err(super::failure(e)),
    };
    pocdir::output::new_file(sk_path, sk.as_bytes(), true)
        .map_err(|e| super::failure(format!("{}: {e}", sk_path.display())))?;
    pocdir::output::new_file(pk_path, pk.as_bytes(), false)
        .map_err(|e| super::failure(format!("{}: {e}", pk_path.display())))?;
    eprintln!(
        "wrote the secret key to {} and the public key to {}",
        sk_path.display(),
        pk_path.display()
    );
    out!("{pk}");
    Ok(ExitCode::SUCCESS)
}

fn age(path: &Path) -> ExitCode {
    let (id, recipient) = pocdir::sign::keygen::age_identity();
    if let Err(e) = pocdir::output::new_file(path, id.as_bytes(), true) {
        return super::failure(format!("{}: {e}", path.display()));
    }
    eprintln!(
        "wrote the identity to {}; its recipient (public key) for keys/states/<ISO3>.yaml is:",
        path.display()
    );
    outln!("{recipient}");
    ExitCode::SUCCESS
}

fn rotate(sk_path: &Path, old_pk_path: &Path, new_pk: &Path, out: &Path) -> ExitCode {
    let sk_text = match pocdir::directory::read::read_secret_key(sk_path) {
        Ok(t) => t,
        Err(e) => return super::failure(e),
    };
    let Some(old_pk) = std::fs::read_to_string(old_pk_path)
        .ok()
        .and_then(|t| pocdir::directory::validate::fields::minisign_public_key(&t).ok())
    else {
        return super::failure(format!(
            "--public-key {}: not a minisign public key (give the OLD public key, keys/secretariat.pub)",
            old_pk_path.display()
        ));
    };
    let new_pk = match std::fs::read_to_string(new_pk)
        .ok()
        .and_then(|t| pocdir::directory::validate::fields::minisign_public_key(&t).ok())
    {
        Some(k) => k,
        None => {
            return super::failure(format!("{} is not a minisign public key", new_pk.display()));
        }
    };
    let pass = if pocdir::sign::is_encrypted(&sk_text) {
        super::passphrase()
    } else {
        None
    };
    let key = match pocdir::sign::load_secret_key(&sk_text, pass.as_ref(), &old_pk) {
        Ok(k) => k,
        Err(e) => return super::failure(e),
    };
    let today = super::utc_date(jiff::Timestamp::now());
    let (stmt, sig) = match pocdir::sign::rotation::rotation_statement(&key, &new_pk, today) {
        Ok(x) => x,
        Err(e) => return super::failure(e),
    };
    let sig_path = PathBuf::from(format!("{}.minisig", out.display()));
    if let Err(e) = pocdir::output::new_file(out, stmt.as_bytes(), false)
        .and_then(|_| pocdir::output::new_file(&sig_path, sig.as_bytes(), false))
    {
        return super::failure(format!("{}: {e}", out.display()));
    }
    // The old public key goes beside the statement: builds verify the
    // version log it signed with it.
    let old_pub = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join(format!("{}.pub", pocdir::sign::key_id(&old_pk)));
    match pocdir::output::new_file(
        &old_pub,
        pocdir::sign::keygen::public_key_text(&old_pk).as_bytes(),
        false,
    ) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return super::failure(format!("{}: {e}", old_pub.display())),
    }
    eprintln!(
        "wrote the rotation statement {} and its signature {}, and the old public key {}",
        out.display(),
        sig_path.display(),
        old_pub.display()
    );
    ExitCode::SUCCESS
}
