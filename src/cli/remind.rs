//! `pocdir remind`: reminders to the Permanent Missions of stale States.

use pocdir::directory::diagnostic::Code;
use std::process::ExitCode;

use super::delivery::Delivery;
use super::{AsOf, Root};

/// Remind the Permanent Mission of each State whose entry is stale, in its
/// UN language and English (never the PoCs): to an outbox, or through SMTP.
#[derive(clap::Args)]
#[command(
    after_help = "Exit codes: 0 every reminder went out (now or before), 1 one was not \
    sent or the directory has errors, 2 usage error."
)]
pub struct Args {
    #[command(flatten)]
    root: Root,
    #[command(flatten)]
    delivery: Delivery,
    #[command(flatten)]
    as_of: AsOf,
}

pub fn run(a: Args) -> Result<ExitCode, ExitCode> {
    a.delivery.check()?;
    let root = a.root.resolve()?;
    let as_of = a.as_of.date();
    let checked = super::load(&root, as_of, &[Code::KeyExpired.as_str()])?;
    let due: Vec<_> = pocdir::review::stale::items(&checked.directory, as_of)
        .into_iter()
        .filter(|i| i.kind == "stale")
        .map(|i| i.state)
        .collect();
    let when = std::time::SystemTime::UNIX_EPOCH
        + std::time::Duration::from_secs(
            as_of
                .to_zoned(jiff::tz::TimeZone::UTC)
                .map(|z| z.timestamp().as_second().max(0) as u64)
                .unwrap_or(0),
        );
    let msgs = pocdir::review::remind::reminders(&checked.directory, &checked.i18n, &due, when)
        .map_err(|e| super::failure(&e.0))?;
    Ok(a.delivery.dispatch(&msgs, &root))
}
