//! `pocdir remind`: reminders to the Permanent Missions of stale States.

use pocdir::directory::diagnostic::Code;
use std::process::ExitCode;

use super::delivery::Delivery;
use super::{AsOf, Root};

/// Remind the Permanent Mission of each State whose entry is stale, in its
/// UN language and English (never the PoCs): to an outbox, or through SMTP.
/// With --all, ask the Mission of every State to confirm its entry, once
/// per period.
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
    /// Ask the Mission of every State to confirm its entry, stale or not:
    /// once per period (a re-run in the same period sends nothing new).
    #[arg(long)]
    all: bool,
    /// The period of `--all`: the request goes once per month, quarter or
    /// year (named 2026-11, 2026-Q4, 2026 in the message).
    #[arg(long, value_enum, default_value = "quarter", requires = "all")]
    period: Period,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Period {
    Month,
    Quarter,
    Year,
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
    use pocdir::review::remind::{self, Every};
    let msgs = if a.all {
        let every = match a.period {
            Period::Month => Every::Month,
            Period::Quarter => Every::Quarter,
            Period::Year => Every::Year,
        };
        let period = remind::period(every, as_of);
        remind::confirmations(&checked.directory, &checked.i18n, &period, when)
    } else {
        remind::reminders(&checked.directory, &checked.i18n, &due, when)
    }
    .map_err(|e| super::failure(&e.0))?;
    Ok(a.delivery.dispatch(&msgs, &root))
}
