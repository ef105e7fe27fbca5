//! `pocdir mail`: each State's bundle to its verified accounts.

use std::path::PathBuf;
use std::process::ExitCode;

use super::delivery::Delivery;
use super::{AsOf, Root};

/// Email each State's bundle to its verified accounts: to an outbox, or
/// through SMTP (resumable: the journal keeps what went out). Every bundle
/// is verified first.
#[derive(clap::Args)]
#[command(
    after_help = "Exit codes: 0 every message went out (now or before), 1 a bundle \
    failed verification, a message was not sent, an account was skipped (its \
    verification is older than the policy: NOT SENT in the table) or a State has no \
    account, or the directory has errors, 2 usage error."
)]
pub struct Args {
    #[command(flatten)]
    root: Root,
    /// The folder of the sealed bundles.
    #[arg(long, value_name = "DIR", default_value = "dist/bundles")]
    bundles: PathBuf,
    #[command(flatten)]
    delivery: Delivery,
    /// Only these States (comma-separated ISO3 codes).
    #[arg(long, value_name = "ISO3,...", value_delimiter = ',')]
    only: Vec<String>,
    /// Judge expiry and verification age as of this time.
    #[command(flatten)]
    as_of: AsOf,
}

pub fn run(a: Args) -> Result<ExitCode, ExitCode> {
    a.delivery.check()?;
    let root = a.root.resolve()?;
    let now = a.as_of.time();
    let as_of = super::utc_date(now);
    let checked =
        pocdir::directory::load(&root, &pocdir::directory::Options::new(as_of)).map_err(|r| {
            super::print_rejected(&r);
            super::failure("the directory has errors: nothing was prepared")
        })?;
    let only = super::state_list(a.only);
    let (msgs, skipped) = pocdir::mail::messages(
        &checked.directory,
        &checked.i18n,
        &a.bundles,
        &only,
        as_of,
        now,
    )
    .map_err(|e| super::failure(format!("{e}\nnothing was written or sent")))?;
    Ok(a.delivery.dispatch_skipping(&msgs, &skipped, &root))
}
