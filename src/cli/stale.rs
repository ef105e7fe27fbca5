//! `pocdir stale`: what needs attention as of a day.

use pocdir::directory::diagnostic::Code;
use std::process::ExitCode;

use super::{AsOf, Format, Root, outln};

/// List what needs attention: stale entries, missing PoC types, expired or
/// expiring encryption keys, States without verified accounts, PoCs that
/// failed their last communication check.
#[derive(clap::Args)]
#[command(
    after_help = "Exit codes: 0 nothing overdue, 1 something overdue (stale entry, \
    expired key, bounced address; for a scheduled CI job) or the directory has errors, \
    2 usage error."
)]
pub struct Args {
    #[command(flatten)]
    root: Root,
    #[command(flatten)]
    as_of: AsOf,
    #[arg(long, value_enum, default_value = "text")]
    format: super::Format,
}

pub fn run(a: Args) -> Result<ExitCode, ExitCode> {
    let root = a.root.resolve()?;
    let as_of = a.as_of.date();
    let checked = super::load(&root, as_of, &[Code::KeyExpired.as_str()])?;
    let items = pocdir::review::stale::items(&checked.directory, as_of);
    let overdue = items.iter().filter(|i| i.overdue).count();
    match a.format {
        Format::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&items).unwrap_or_default()
        ),
        Format::Text => {
            for i in &items {
                outln!(
                    "{} {:<17} {}{}",
                    i.state,
                    i.kind,
                    i.detail,
                    if i.overdue { "  [overdue]" } else { "" }
                );
            }
            outln!(
                "{} item(s), {} overdue, as of {}",
                items.len(),
                overdue,
                as_of
            );
        }
    }
    Ok(super::exit(overdue == 0))
}
