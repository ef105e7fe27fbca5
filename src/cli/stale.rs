//! `pocdir stale`: what needs attention as of a day.

use pocdir::bundle::log::Stand;
use pocdir::directory::diagnostic::Code;
use std::process::ExitCode;

use super::{AsOf, Format, Root, outln};

/// List what needs attention: stale entries, missing PoC types, expired or
/// expiring encryption keys, States without verified accounts or whose
/// accounts' verification lapsed (they receive no bundle), PoCs that
/// failed their last communication check; then when the current bundles
/// expire (text only).
#[derive(clap::Args)]
#[command(
    after_help = "Exit codes: 0 nothing overdue, 1 something overdue (stale entry, \
    expired key, bounced address, a State receiving no bundle, expired bundles; for a \
    scheduled CI job) or the directory has errors, 2 usage error."
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
    let bundles = pocdir::review::stale::bundles(
        &checked.directory,
        checked.version_log.as_deref(),
        a.as_of.time(),
    );
    let expired = matches!(&bundles, Ok(Some(b)) if b.state == Stand::Expired);
    let overdue = items.iter().filter(|i| i.overdue).count() + usize::from(expired);
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
            let ts = pocdir::util::time::fmt_ts;
            match &bundles {
                Ok(None) => outln!("bundles: none built yet (no version in the log)"),
                Ok(Some(b)) => outln!(
                    "bundles: version {}{}, issued {}, {}",
                    b.seq,
                    b.renews
                        .map(|r| format!(" (renews version {r})"))
                        .unwrap_or_default(),
                    ts(b.issued),
                    match b.state {
                        Stand::Current => format!(
                            "expire {}; a build from {} renews them",
                            ts(b.expires),
                            ts(b.renew_from)
                        ),
                        Stand::RenewalDue => format!(
                            "expire {}: inside the renewal window (from {}), the next build renews them",
                            ts(b.expires),
                            ts(b.renew_from)
                        ),
                        Stand::Expired => format!(
                            "EXPIRED on {}: every reader refuses them; build to renew them  [overdue]",
                            ts(b.expires)
                        ),
                    }
                ),
                Err(e) => outln!("bundles: the version log is unreadable: {e}"),
            }
            outln!(
                "{} item(s), {} overdue, as of {}",
                items.len() + usize::from(expired),
                overdue,
                as_of
            );
        }
    }
    Ok(super::exit(overdue == 0))
}
