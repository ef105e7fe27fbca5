//! The command line: one file per command or command group (as mdBook's
//! `cmd/`), and here what they share: the directory root (found like git
//! or Zola find theirs), the one "as of" time flag, output formats, exit
//! codes, terminal helpers. The only code that prints or exits.

mod build;
mod check;
mod coverage;
mod delivery;
mod docs;
mod init;

mod keygen;
mod mail;
mod open;
mod ping;
mod receipts;
mod remind;
mod review;
mod serve;
mod sign;
mod stale;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Print to stdout, ignoring a closed pipe (`pocdir open ... | head`)
/// instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

pub(crate) use {out, outln};

/// `pocdir --version`: the package version and the commit it was built
/// from (set by `build.rs`).
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("POCDIR_COMMIT"),
    ")"
);

#[derive(Parser)]
#[command(
    name = "pocdir",
    version = VERSION,
    about = "The global intergovernmental directory of cyber Points of Contact",
    long_about = "The global intergovernmental directory of cyber Points of Contact: \
        check the directory's YAML, build the restricted site and each State's signed, \
        encrypted bundle, mail the bundles, open one, review a pull request, keep the \
        directory fresh.\n\nCommands that read a directory find its root like git: the \
        current folder or the nearest parent holding content/directory.yaml, unless \
        --root says otherwise.",
    after_help = EXIT_CODES,
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The exit codes every command shares (commands list their own too).
pub const EXIT_CODES: &str = "Exit codes: 0 success, 1 failure (see the message), 2 usage error.";

#[derive(Subcommand)]
enum Command {
    Check(check::Args),
    Build(build::Args),
    Serve(serve::Args),
    Stale(stale::Args),
    Coverage(coverage::Args),
    Remind(remind::Args),
    Review(review::Args),
    Mail(mail::Args),
    Ping(ping::Args),
    Receipts(receipts::Args),
    Open(open::Args),
    Keygen(keygen::Args),
    /// Add a second officer's signature to a prepared build or a key statement.
    Sign(sign::Args),
    Init(init::Args),

    Completions(docs::CompletionsArgs),
    Man(docs::ManArgs),
}

pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_error(&e),
    };
    let result = match cli.command {
        Command::Check(a) => check::run(a),
        Command::Build(a) => build::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Stale(a) => stale::run(a),
        Command::Coverage(a) => coverage::run(a),
        Command::Remind(a) => remind::run(a),
        Command::Review(a) => review::run(a),
        Command::Mail(a) => mail::run(a),
        Command::Ping(a) => ping::run(a),
        Command::Receipts(a) => receipts::run(a),
        Command::Open(a) => open::run(a),
        Command::Keygen(a) => keygen::run(a),
        Command::Sign(a) => sign::run(a),
        Command::Init(a) => init::run(a),

        Command::Completions(a) => docs::completions(a),
        Command::Man(a) => docs::man(a),
    };
    result.unwrap_or_else(|code| code)
}

/// Print clap's message and exit with its code. Help and version go out
/// as they are (to stdout); an error goes to stderr as plain text with no
/// control or bidi character, whatever the command line held (clap
/// quotes the invalid value back).
fn clap_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    let text = e.render().to_string();
    let safe: String = text
        .split('\n')
        .map(pocdir::util::text::printable)
        .collect::<Vec<_>>()
        .join("\n");
    eprint!("{safe}");
    ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2))
}

/// Exit 0 when `ok`, else 1.
pub fn exit(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Exit 2: the command line cannot be acted on.
pub fn usage_error(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(2)
}

/// Exit 1: the command ran and failed.
pub fn failure(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(1)
}

/// `--root`, shared by every command that reads a directory.
#[derive(clap::Args, Clone, Debug)]
pub struct Root {
    /// The directory's root (holding content/directory.yaml); default: the
    /// current folder or its nearest parent holding one.
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
}

impl Root {
    /// The root given, or found walking up from the current folder. A
    /// usage error (exit 2) when there is none.
    pub fn resolve(&self) -> Result<PathBuf, ExitCode> {
        match &self.root {
            Some(r) if r.is_dir() => Ok(r.clone()),
            Some(r) => Err(usage_error(format!(
                "--root {}: no such folder",
                r.display()
            ))),
            None => {
                let cwd = std::env::current_dir()
                    .map_err(|e| usage_error(format!("the current folder: {e}")))?;
                find_root(&cwd).ok_or_else(|| {
                    usage_error(format!(
                        "no pocdir directory here: neither {} nor a parent holds {}; \
                         give --root DIR, or start one with `pocdir init`",
                        cwd.display(),
                        pocdir::directory::load::DIRECTORY_FILE
                    ))
                })
            }
        }
    }
}

/// The nearest folder, from `start` up, holding `content/directory.yaml`.
fn find_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|d| d.join(pocdir::directory::load::DIRECTORY_FILE).is_file())
        .map(Path::to_path_buf)
}

/// `--as-of WHEN`: judge as of a day (`2026-11-22`, midnight UTC) or a
/// time (RFC 3339, `2026-11-22T17:00:00Z`, or with a zone,
/// `2026-11-22T18:00:00+01:00[Europe/Paris]`). The same flag on every
/// command that looks at the clock; `--now` is an alias.
#[derive(clap::Args, Clone, Copy, Debug)]
pub struct AsOf {
    /// Judge as of this day or time instead of now: YYYY-MM-DD (midnight
    /// UTC) or RFC 3339 (2026-11-22T17:00:00Z).
    #[arg(long, value_name = "WHEN", value_parser = parse_when, alias = "now")]
    as_of: Option<jiff::Timestamp>,
}

impl AsOf {
    /// The time given, or now.
    pub fn time(&self) -> jiff::Timestamp {
        self.as_of.unwrap_or_else(jiff::Timestamp::now)
    }

    /// The day (UTC) of that time.
    pub fn date(&self) -> jiff::civil::Date {
        utc_date(self.time())
    }
}

pub fn utc_date(t: jiff::Timestamp) -> jiff::civil::Date {
    t.to_zoned(jiff::tz::TimeZone::UTC).date()
}

pub fn parse_when(s: &str) -> Result<jiff::Timestamp, String> {
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Ok(t);
    }
    if let Ok(z) = s.parse::<jiff::Zoned>() {
        return Ok(z.timestamp());
    }
    match pocdir::directory::validate::fields::date(s) {
        Ok(d) => d
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp())
            .map_err(|e| e.to_string()),
        Err(_) => Err(format!(
            "{}: give a day (2026-11-22) or an RFC 3339 time (2026-11-22T17:00:00Z)",
            pocdir::util::text::quote(s)
        )),
    }
}

/// `--format` of commands whose output is a report: text for people, JSON
/// for programs.
#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    #[value(alias = "human")]
    Text,
    Json,
}

/// Colour on a terminal, unless NO_COLOR is set.
pub fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Print a rejected directory's report.
pub fn print_rejected(r: &pocdir::directory::Rejected) {
    eprint!("{}", r.report.render_human(&r.sources, color()));
}

/// The checked directory for commands that act on it; the report and a
/// hint on errors (exit 1).
pub fn load(
    root: &Path,
    today: jiff::civil::Date,
    tolerate: &[&str],
) -> Result<pocdir::directory::Checked, ExitCode> {
    let opts = pocdir::directory::Options { today, tolerate };
    pocdir::directory::load(root, &opts).map_err(|r| {
        print_rejected(&r);
        failure(format!(
            "the directory has errors: see `pocdir check --root {}`",
            root.display()
        ))
    })
}

/// The passphrase of a secret key: $POCDIR_PASSPHRASE, else asked on the
/// terminal (not echoed). Never printed.
pub fn passphrase() -> Option<zeroize::Zeroizing<String>> {
    if let Ok(p) = std::env::var("POCDIR_PASSPHRASE") {
        return Some(zeroize::Zeroizing::new(p));
    }
    if !std::io::stdin().is_terminal() {
        return None;
    }
    rpassword::prompt_password("Passphrase of the signing key: ")
        .ok()
        .map(zeroize::Zeroizing::new)
}

/// The passphrase of the site secret (issue #16): $POCDIR_SITE_PASSPHRASE,
/// else $POCDIR_PASSPHRASE, else asked on the terminal. Never printed.
pub fn site_passphrase() -> Option<zeroize::Zeroizing<String>> {
    if let Ok(p) = std::env::var("POCDIR_SITE_PASSPHRASE") {
        return Some(zeroize::Zeroizing::new(p));
    }
    if let Ok(p) = std::env::var("POCDIR_PASSPHRASE") {
        return Some(zeroize::Zeroizing::new(p));
    }
    if !std::io::stdin().is_terminal() {
        return None;
    }
    rpassword::prompt_password("Passphrase of the site secret: ")
        .ok()
        .map(zeroize::Zeroizing::new)
}

/// A new passphrase: $POCDIR_PASSPHRASE, or asked twice on the terminal.
pub fn new_passphrase() -> Result<zeroize::Zeroizing<String>, String> {
    if let Ok(p) = std::env::var("POCDIR_PASSPHRASE") {
        return Ok(zeroize::Zeroizing::new(p));
    }
    if !std::io::stdin().is_terminal() {
        return Err("no passphrase: set POCDIR_PASSPHRASE or run on a terminal".into());
    }
    let a = zeroize::Zeroizing::new(
        rpassword::prompt_password("New passphrase: ").map_err(|e| e.to_string())?,
    );
    let b = zeroize::Zeroizing::new(
        rpassword::prompt_password("Repeat it: ").map_err(|e| e.to_string())?,
    );
    if a != b {
        return Err("the two passphrases differ".into());
    }
    Ok(a)
}

/// The flags of a new signing key (`keygen signing`, `init`).
#[derive(clap::Args)]
pub struct NewKey {
    /// Leave the secret key unencrypted (demo keys and tests only).
    /// Otherwise its passphrase comes from $POCDIR_PASSPHRASE or is asked
    /// twice.
    #[arg(long)]
    pub unencrypted: bool,
    /// The passphrase's key derivation: `sensitive` (minisign's default,
    /// 1 GiB per guess) or `interactive` (16 MiB, for small machines).
    #[arg(
        long,
        value_enum,
        default_value = "sensitive",
        conflicts_with = "unencrypted"
    )]
    pub kdf: Kdf,
}

impl NewKey {
    /// The new key's passphrase; none for an unencrypted key.
    pub fn passphrase(&self) -> Result<Option<zeroize::Zeroizing<String>>, ExitCode> {
        if self.unencrypted {
            return Ok(None);
        }
        new_passphrase().map(Some).map_err(failure)
    }
}

/// The passphrase's key derivation for a new signing key.
#[derive(Clone, Copy, ValueEnum)]
pub enum Kdf {
    /// minisign's default: 1 GiB of memory per guess.
    Sensitive,
    /// 16 MiB, for small machines.
    Interactive,
}

impl Kdf {
    pub fn limits(self) -> pocdir::sign::kdf::Limits {
        match self {
            Kdf::Sensitive => pocdir::sign::kdf::SENSITIVE,
            Kdf::Interactive => pocdir::sign::kdf::INTERACTIVE,
        }
    }
}

/// Text a command writes into the directory: no control or bidi control
/// character, which `check` would refuse in the file.
pub fn plain_text(s: &str) -> bool {
    !s.chars()
        .any(|c| c.is_control() || pocdir::util::text::is_bidi_control(c))
}

/// Comma-separated State codes, trimmed and upper-cased.
pub fn state_list(v: Vec<String>) -> Vec<String> {
    v.into_iter()
        .map(|c| c.trim().to_uppercase())
        .filter(|c| !c.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn when_takes_a_day_or_a_time() {
        assert_eq!(
            parse_when("2026-11-22").unwrap().to_string(),
            "2026-11-22T00:00:00Z"
        );
        assert_eq!(
            parse_when("2026-11-22T17:00:00Z").unwrap().to_string(),
            "2026-11-22T17:00:00Z"
        );
        assert_eq!(
            parse_when("2026-11-22T18:00:00+01:00[Europe/Paris]")
                .unwrap()
                .to_string(),
            "2026-11-22T17:00:00Z"
        );
        assert!(parse_when("22/11/2026").is_err());
        assert!(parse_when("2026-02-30").is_err());
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
