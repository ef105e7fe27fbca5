//! `pocdir coverage`: which UN Member and observer States have nominated
//! PoCs, which are pending, which never answered, per regional group.

use std::process::ExitCode;

use super::{AsOf, Format, Root, outln};

/// Participation: of the 193 Member States and 2 observer States, which
/// have an entry (with which PoC types), which have a nomination in
/// progress (`content/nominations.yaml`), which never answered; and the
/// counts per regional group.
#[derive(clap::Args)]
#[command(after_help = "Exit codes: 0 figures printed, 1 the directory has errors, 2 usage error.")]
pub struct Args {
    #[command(flatten)]
    root: Root,
    #[command(flatten)]
    as_of: AsOf,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

pub fn run(a: Args) -> Result<ExitCode, ExitCode> {
    let root = a.root.resolve()?;
    let checked = super::load(&root, a.as_of.date(), &[])?;
    let c = pocdir::coverage::coverage(&checked.directory);
    match a.format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&c).unwrap_or_default()),
        Format::Text => {
            outln!(
                "Participation as of {}: {} of {} States nominated PoCs ({}%), {} pending, {} never answered",
                c.as_of,
                c.total.nominated,
                c.total.states,
                c.total.percent_nominated(),
                c.total.pending,
                c.total.never_answered
            );
            outln!();
            outln!(
                "{:<26} {:>6} {:>9} {:>10} {:>7} {:>14}",
                "regional group",
                "States",
                "nominated",
                "both types",
                "pending",
                "never answered"
            );
            let row = |name: &str, n: &pocdir::coverage::Counts| {
                outln!(
                    "{:<26} {:>6} {:>9} {:>10} {:>7} {:>14}",
                    name,
                    n.states,
                    n.nominated,
                    n.both_types,
                    n.pending,
                    n.never_answered
                );
            };
            for g in &c.groups {
                row(g.group.key(), &g.counts);
            }
            row("total", &c.total);
            outln!();
            outln!("nominated ({}):", c.nominated.len());
            for s in &c.nominated {
                outln!("  {} {:<32} {}", s.state, s.name, s.poc_types.join(", "));
            }
            outln!("pending ({}):", c.pending.len());
            for s in &c.pending {
                outln!(
                    "  {} {:<32} since {}: {}",
                    s.state,
                    s.name,
                    s.since.as_deref().unwrap_or(""),
                    s.status.as_deref().unwrap_or("")
                );
            }
            outln!("never answered ({}):", c.never_answered.len());
            for s in &c.never_answered {
                outln!("  {} {}", s.state, s.name);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
