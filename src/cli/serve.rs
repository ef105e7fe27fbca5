//! `pocdir serve`: preview the site on 127.0.0.1.

use std::process::ExitCode;

use super::{AsOf, Root};

/// Preview the site on 127.0.0.1, rebuilt when a file changes (open pages
/// reload; errors show in the terminal and in the page).
#[derive(clap::Args)]
#[command(
    after_help = "Exit codes: 1 the port cannot be used, 2 usage error; runs until \
    interrupted."
)]
pub struct Args {
    #[command(flatten)]
    root: Root,
    /// The port on 127.0.0.1.
    #[arg(long, default_value_t = 1111)]
    port: u16,
    #[command(flatten)]
    as_of: AsOf,
    /// The site secret of a sealed site (default: $POCDIR_SITE_SECRET; a
    /// demo directory uses keys/demo/site.secret). Its passphrase comes
    /// from $POCDIR_SITE_PASSPHRASE or is asked once.
    #[arg(long, value_name = "FILE")]
    site_secret: Option<std::path::PathBuf>,
}

pub fn run(a: Args) -> Result<ExitCode, ExitCode> {
    let root = a.root.resolve()?;
    let port = a.port;
    let on = |e: pocdir::serve::Event| match e {
        pocdir::serve::Event::Listening(url) => {
            eprintln!("serving the preview at {url} (Ctrl-C to stop)")
        }
        pocdir::serve::Event::Built { files, warnings } => {
            eprint!("{warnings}");
            eprintln!("rebuilt: {files} files");
        }
        pocdir::serve::Event::Failed(text) => {
            eprint!("{text}");
            eprintln!("build failed: the error is shown in the browser too");
        }
    };
    let secret_path = a
        .site_secret
        .or_else(|| std::env::var_os("POCDIR_SITE_SECRET").map(std::path::PathBuf::from));
    // Asked once, not at every rebuild.
    let pass = std::sync::OnceLock::new();
    let passphrase = || pass.get_or_init(super::site_passphrase).clone();
    let secret_root = root.clone();
    let secret = |d: &pocdir::directory::Directory| {
        pocdir::build::site_secret(&secret_root, secret_path.as_deref(), &passphrase, d)
    };
    pocdir::serve::serve(root, port, a.as_of.date(), &secret, &on)
        .map(|()| ExitCode::SUCCESS)
        .map_err(|e| super::failure(format!("cannot serve on 127.0.0.1:{port}: {e}")))
}
