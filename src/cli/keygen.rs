//! `pocdir keygen signing|age|site-secret|rotate`: make keys, the sealed
//! site's secret and rotation statements.

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
    /// The site secret of a sealed site (`site.sealed`, issue #16): every
    /// State's access code and each build's data key derive from it. Keep
    /// it like the signing key (encrypted, out of the repository); a new
    /// secret gives every State a new code (in its next bundle).
    SiteSecret {
        /// Where the secret goes.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
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
    /// The next version of the secretariat key's history: a numbered
    /// statement (keys/rotations/<N>.txt) naming the new key set, signed
    /// by the keys it replaces (at least their threshold) and by every new
    /// key (keys/rotations/<N>.txt.<KEYID>.minisig). Signers on other
    /// machines add theirs with `pocdir sign --statement`. Also renews a
    /// key set before it expires (the same keys, a later expiry).
    Rotate {
        /// The directory (default: the current folder).
        #[arg(long, value_name = "DIR", default_value = ".")]
        root: PathBuf,
        /// A secret key that signs the statement: one of the current set,
        /// or a new key; may be repeated. Passphrases come from
        /// $POCDIR_PASSPHRASE or are asked for each key.
        #[arg(long, value_name = "FILE", required = true)]
        secret_key: Vec<PathBuf>,
        /// A public key of the new set; may be repeated (default: the
        /// current set's keys, to renew it).
        #[arg(long, value_name = "FILE")]
        new_public_key: Vec<PathBuf>,
        /// How many keys of the new set must sign each bundle, log and
        /// next statement (default: the current threshold, at most the
        /// number of keys).
        #[arg(long, value_name = "K")]
        threshold: Option<usize>,
        /// How many days the new set holds (renew it before).
        #[arg(long, value_name = "DAYS", default_value_t = pocdir::sign::rotation::DEFAULT_VALIDITY_DAYS)]
        expires_days: i64,
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
        Mode::SiteSecret { out, key } => site_secret(&out, &key)?,
        Mode::Rotate {
            root,
            secret_key,
            new_public_key,
            threshold,
            expires_days,
        } => rotate(&root, &secret_key, &new_public_key, threshold, expires_days),
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

fn site_secret(path: &Path, key: &NewKey) -> Result<ExitCode, ExitCode> {
    let pass = key.passphrase()?;
    let comment = if key.unencrypted {
        "pocdir UNENCRYPTED site secret"
    } else {
        "pocdir encrypted site secret"
    };
    let secret = pocdir::site::sealed::SiteSecret::generate().map_err(super::failure)?;
    let text = pocdir::site::sealed::secret::write(
        &secret,
        pass.as_ref().map(|p| p.as_bytes()),
        key.kdf.limits(),
        comment,
    )
    .map_err(super::failure)?;
    pocdir::output::new_file(path, text.as_bytes(), true)
        .map_err(|e| super::failure(format!("{}: {e}", path.display())))?;
    eprintln!(
        "wrote the site secret to {}; build with --site-secret {} (or POCDIR_SITE_SECRET)",
        path.display(),
        path.display()
    );
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

fn read_pub(path: &Path) -> Result<pocdir::sign::PublicKey, ExitCode> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| pocdir::directory::validate::fields::minisign_public_key(&t).ok())
        .ok_or_else(|| super::failure(format!("{} is not a minisign public key", path.display())))
}

/// Load each secret key among `candidates` (the keys that may sign).
pub(super) fn load_signers(
    paths: &[PathBuf],
    candidates: &[pocdir::sign::PublicKey],
) -> Result<Vec<pocdir::sign::SigningKey>, ExitCode> {
    let mut out = Vec::new();
    for p in paths {
        let text = pocdir::directory::read::read_secret_key(p).map_err(super::failure)?;
        let pass = if pocdir::sign::is_encrypted(&text) {
            super::passphrase()
        } else {
            None
        };
        let (key, _) = pocdir::sign::load_secret_key_among(&text, pass.as_ref(), candidates)
            .map_err(|e| super::failure(format!("{}: {e}", p.display())))?;
        out.push(key);
    }
    Ok(out)
}

fn rotate(
    root: &Path,
    sk_paths: &[PathBuf],
    new_pks: &[PathBuf],
    threshold: Option<usize>,
    expires_days: i64,
) -> ExitCode {
    let run = || -> Result<ExitCode, ExitCode> {
        let (history, _) = pocdir::directory::key_history(root, None).map_err(super::failure)?;
        let current = history.current().clone();
        let new_keys: Vec<pocdir::sign::PublicKey> = if new_pks.is_empty() {
            current.keys.clone()
        } else {
            new_pks
                .iter()
                .map(|p| read_pub(p))
                .collect::<Result<_, _>>()?
        };
        let threshold = threshold.unwrap_or(current.threshold.min(new_keys.len()));
        let mut candidates = current.keys.clone();
        candidates.extend(new_keys.iter().cloned());
        let signers = load_signers(sk_paths, &candidates)?;
        let today = super::utc_date(jiff::Timestamp::now());
        let expires = today
            .checked_add(jiff::Span::new().days(expires_days))
            .map_err(|_| super::failure("--expires-days is out of range"))?;
        let refs: Vec<&pocdir::sign::SigningKey> = signers.iter().collect();
        let st = pocdir::sign::rotation::draft_statement(
            &current, &new_keys, threshold, today, expires, &refs,
        )
        .map_err(super::failure)?;
        let version = current.version.max(1) + 1;
        let dir = root.join("keys").join("rotations");
        pocdir::output::create_dirs(&dir, false)
            .map_err(|e| super::failure(format!("{}: {e}", dir.display())))?;
        let stmt_path = dir.join(pocdir::sign::rotation::statement_file(version));
        pocdir::output::new_file(&stmt_path, &st.text, false)
            .map_err(|e| super::failure(format!("{}: {e}", stmt_path.display())))?;
        for sig in &st.signatures {
            let id = pocdir::sign::signature_key_id(sig).unwrap_or_default();
            let p = dir.join(pocdir::sign::rotation::signature_file(version, &id));
            pocdir::output::new_file(&p, sig.as_bytes(), false)
                .map_err(|e| super::failure(format!("{}: {e}", p.display())))?;
        }
        eprintln!(
            "wrote {} (version {version} of the secretariat key's history) and {} signature(s)",
            stmt_path.display(),
            st.signatures.len()
        );
        match pocdir::sign::rotation::verify_statement(&current, &st) {
            Ok(set) => {
                eprintln!(
                    "complete: keys {}, {} of {} must sign, until {}",
                    set.ids(),
                    set.threshold,
                    set.keys.len(),
                    set.expires.as_deref().unwrap_or("?")
                );
                if set
                    .key(&pocdir::sign::key_id(&history_secretariat(root)?))
                    .is_none()
                {
                    eprintln!(
                        "next: put the new key in keys/secretariat.pub (the key `build` signs with), then run `pocdir check`"
                    );
                }
            }
            Err(e) => eprintln!(
                "not complete yet ({e}): the other signers add theirs with `pocdir sign --statement {} --secret-key THEIR.key`",
                stmt_path.display()
            ),
        }
        Ok(ExitCode::SUCCESS)
    };
    run().unwrap_or_else(|c| c)
}

fn history_secretariat(root: &Path) -> Result<pocdir::sign::PublicKey, ExitCode> {
    read_pub(&root.join("keys").join("secretariat.pub"))
}
