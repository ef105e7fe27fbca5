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
    pocdir::serve::serve(root, port, a.as_of.date(), &on)
        .map(|()| ExitCode::SUCCESS)
        .map_err(|e| super::failure(format!("cannot serve on 127.0.0.1:{port}: {e}")))
}
