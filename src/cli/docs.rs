//! `pocdir completions SHELL` and `pocdir man`: shell completions
//! (clap_complete) and man pages (clap_mangen), generated from the command
//! line's own definition so they never drift from it.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::CommandFactory;

use super::{Cli, out};

/// Print the completion script of a shell, e.g.
/// `pocdir completions bash > /etc/bash_completion.d/pocdir`.
#[derive(clap::Args)]
#[command(after_help = "Exit codes: 0 printed, 2 usage error.")]
pub struct CompletionsArgs {
    /// The shell.
    shell: clap_complete::Shell,
}

/// Man pages: pocdir(1) on stdout, or with --out one page per command
/// (pocdir.1, pocdir-check.1, pocdir-ping-start.1...) written into a
/// folder.
#[derive(clap::Args)]
#[command(after_help = "Exit codes: 0 written, 1 a page could not be written, 2 usage error.")]
pub struct ManArgs {
    /// Write every command's page into this folder.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub fn completions(a: CompletionsArgs) -> Result<ExitCode, ExitCode> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "pocdir", &mut buf);
    out!("{}", String::from_utf8_lossy(&buf));
    Ok(ExitCode::SUCCESS)
}

/// Every page: (file name, roff text), the command's and its
/// subcommands', depth first.
fn pages(cmd: clap::Command, prefix: &str) -> Vec<(String, Vec<u8>)> {
    let name = if prefix.is_empty() {
        cmd.get_name().to_string()
    } else {
        format!("{prefix}-{}", cmd.get_name())
    };
    let cmd = cmd.name(name.clone());
    let mut out = Vec::new();
    let mut buf = Vec::new();
    if clap_mangen::Man::new(cmd.clone()).render(&mut buf).is_ok() {
        out.push((format!("{name}.1"), buf));
    }
    for sub in cmd.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        out.extend(pages(sub.clone(), &name));
    }
    out
}

pub fn man(a: ManArgs) -> Result<ExitCode, ExitCode> {
    let mut cmd = Cli::command();
    cmd.build();
    let pages = pages(cmd, "");
    match a.out {
        None => {
            let top = pages.first().map(|(_, b)| b.as_slice()).unwrap_or_default();
            out!("{}", String::from_utf8_lossy(top));
        }
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .map_err(|e| super::failure(format!("{}: {e}", dir.display())))?;
            for (file, roff) in &pages {
                let path = dir.join(file);
                pocdir::output::file(&path, roff)
                    .map_err(|e| super::failure(format!("{}: {e}", path.display())))?;
            }
            eprintln!("wrote {} man pages to {}", pages.len(), dir.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
