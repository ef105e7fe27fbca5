//! `pocdir receipts collect|report`: usage receipts (issue #15).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use pocdir::receipts::{self, ReceiptKey, collect, record};
use pocdir::util::text::quote;

use super::{AsOf, Format, Root, out, outln};

const EXIT_CODES: &str = "Exit codes: 0 success, 1 failure (the mailbox or the records \
    cannot be read, the signing key cannot be used, the directory has errors), 2 usage error.";

/// Usage receipts: which State confirmed that it opened which version of
/// its bundle, and when.
#[derive(clap::Args)]
#[command(after_help = EXIT_CODES)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Read receipts from the secretariat's mailbox and record them in
    /// log/receipts.jsonl: a receipt counts only when its code is the one
    /// sealed into that State's bundle of that version (recomputed with
    /// the signing key); anything else is recorded as flagged. Times are
    /// the mailbox's own (mbox From_ line, Maildir delivery time), never
    /// the sender's Date.
    #[command(after_help = EXIT_CODES)]
    Collect {
        #[command(flatten)]
        root: Root,
        /// An mbox file.
        #[arg(
            long,
            value_name = "FILE",
            conflicts_with = "maildir",
            required_unless_present = "maildir"
        )]
        mbox: Option<PathBuf>,
        /// A Maildir folder (with cur/ and new/).
        #[arg(long, value_name = "DIR")]
        maildir: Option<PathBuf>,
        /// The secretariat's secret signing key, as for `build` (default:
        /// $POCDIR_SIGNING_KEY; a demo directory uses
        /// keys/demo/secretariat.key). The receipt codes are derived from
        /// it; it is never printed.
        #[arg(long, value_name = "FILE")]
        signing_key: Option<PathBuf>,
        /// The day the directory is checked as of (default: today).
        #[command(flatten)]
        as_of: AsOf,
    },
    /// The figures: States holding the current version, the latest
    /// version each State confirmed, the median time from sending to
    /// receipt, confirmations per version.
    #[command(after_help = EXIT_CODES)]
    Report {
        #[command(flatten)]
        root: Root,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// The day the directory is checked as of (default: today).
        #[command(flatten)]
        as_of: AsOf,
    },
}

pub fn run(a: Args) -> Result<ExitCode, ExitCode> {
    match a.cmd {
        Cmd::Collect {
            root,
            mbox,
            maildir,
            signing_key,
            as_of,
        } => collect_cmd(root, mbox, maildir, signing_key, as_of),
        Cmd::Report {
            root,
            format,
            as_of,
        } => report_cmd(root, format, as_of),
    }
}

fn fail(e: impl std::fmt::Display) -> ExitCode {
    super::failure(e)
}

/// The directory, its versions and the States with a bundle.
fn load(
    root: &Root,
    as_of: AsOf,
) -> Result<
    (
        PathBuf,
        pocdir::directory::Checked,
        Vec<pocdir::bundle::log::Entry>,
        Vec<String>,
    ),
    ExitCode,
> {
    let root = root.resolve()?;
    let checked = super::load(&root, as_of.date(), &[])?;
    let versions = pocdir::bundle::log::parse(checked.version_log.as_deref().unwrap_or(""))
        .map_err(|e| fail(format!("{}: {e}", pocdir::bundle::log::LOG_FILE)))?;
    let states = checked
        .directory
        .states
        .iter()
        .filter(|s| !s.accounts.is_empty())
        .map(|s| s.code.to_string())
        .collect();
    Ok((root, checked, versions, states))
}

fn collect_cmd(
    root: Root,
    mbox: Option<PathBuf>,
    maildir: Option<PathBuf>,
    signing_key: Option<PathBuf>,
    as_of: AsOf,
) -> Result<ExitCode, ExitCode> {
    let (root, checked, versions, states) = load(&root, as_of)?;
    let signing_key =
        signing_key.or_else(|| std::env::var_os("POCDIR_SIGNING_KEY").map(PathBuf::from));
    let now = as_of.time();
    let opts = pocdir::build::BuildOptions {
        root: &root,
        out: Path::new(""),
        as_of: super::utc_date(now),
        now,
        signing_key,
        passphrase: &super::passphrase,
        site_only: false,
        site_secret: None,
        site_passphrase: &|| None,
    };
    let key = pocdir::build::signing_key(
        &opts,
        &checked.directory,
        checked.key_history.as_ref().map(|h| h.current()),
    )
    .map_err(|e| match e {
        pocdir::build::BuildError::Seal(m)
        | pocdir::build::BuildError::Render(m)
        | pocdir::build::BuildError::Io(m) => fail(m),
        pocdir::build::BuildError::Invalid { .. } => fail("the directory has errors"),
    })?;
    let key = ReceiptKey::from_signing_key(&key);
    let messages = match (&mbox, &maildir) {
        (Some(f), _) => collect::mbox(f),
        (None, Some(d)) => collect::maildir(d),
        (None, None) => return Err(super::usage_error("pass --mbox FILE or --maildir DIR")),
    }
    .map_err(fail)?;
    let path = root.join(record::RECEIPTS_FILE);
    let mut records = record::read(&path).map_err(fail)?;
    let judge = collect::Judge {
        key: &key,
        versions: &versions,
        states,
    };
    let s = collect::collect(&judge, messages, &mut records).map_err(fail)?;
    record::write(&path, &records).map_err(fail)?;
    for m in &s.skipped {
        eprintln!("warning: skipped {}", quote(m));
    }
    outln!(
        "{} messages: {} confirmed, {} duplicates, {} flagged, {} without a receipt, {} recorded before, {} skipped.",
        s.messages,
        s.confirmed,
        s.duplicates,
        s.flagged,
        s.unrelated,
        s.known,
        s.skipped.len()
    );
    for r in records.values().filter(|r| r.reason.is_some()) {
        outln!(
            "flagged {} from {}: {}",
            quote(&r.message_id),
            quote(&r.from),
            quote(r.reason.as_deref().unwrap_or(""))
        );
    }
    outln!("Recorded in {}.", record::RECEIPTS_FILE);
    Ok(ExitCode::SUCCESS)
}

fn report_cmd(root: Root, format: Format, as_of: AsOf) -> Result<ExitCode, ExitCode> {
    let (root, _checked, versions, states) = load(&root, as_of)?;
    let records = record::read(&root.join(record::RECEIPTS_FILE)).map_err(fail)?;
    let journal_path = root.join(pocdir::mail::journal::JOURNAL_FILE);
    let sent = if journal_path.exists() {
        pocdir::mail::journal::Journal::read_only(&journal_path)
            .map_err(fail)?
            .entries()
            .to_vec()
    } else {
        Vec::new()
    };
    let r = receipts::report::report(&records, &versions, &sent, &states);
    match format {
        Format::Text => out!("{}", receipts::report::text(&r)),
        Format::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&r).map_err(|e| fail(e.to_string()))?
        ),
    }
    Ok(ExitCode::SUCCESS)
}
