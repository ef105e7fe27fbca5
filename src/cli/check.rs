//! `pocdir check`: validate the whole directory, report every problem.

use std::process::ExitCode;

use super::{AsOf, Format, Root, out};

/// Validate the whole directory and report every problem, each with file,
/// line and column.
#[derive(clap::Args)]
#[command(
    after_help = "Exit codes: 0 no error (warnings allowed), 1 errors (or warnings with \
    --deny-warnings), 2 usage error."
)]
pub struct Args {
    #[command(flatten)]
    root: Root,
    /// text: for people (with source snippets, on stderr); json: for
    /// programs (on stdout).
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    #[command(flatten)]
    as_of: AsOf,
}

pub fn run(a: Args) -> Result<ExitCode, ExitCode> {
    let root = a.root.resolve()?;
    let (report, sources) = pocdir::directory::check(&root, a.as_of.date());
    match a.format {
        Format::Json => out!("{}", report.to_json()),
        Format::Text => eprint!("{}", report.render_human(&sources, super::color())),
    }
    Ok(super::exit(
        !(report.has_errors() || (a.deny_warnings && report.warnings() > 0)),
    ))
}
