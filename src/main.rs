//! The `pocdir` command line. The only place that prints or exits.
#![forbid(unsafe_code)]

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "pocdir",
    version,
    about = "The global intergovernmental directory of cyber Points of Contact"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Validate the whole directory and report every problem.
    Check {
        /// Root of the directory (holding content/, keys/, themes/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Fail (exit 1) on warnings too.
        #[arg(long)]
        deny_warnings: bool,
        /// Judge dates (future, expired, stale) as of this day, YYYY-MM-DD.
        #[arg(long, value_parser = parse_date_arg)]
        as_of: Option<jiff::civil::Date>,
    },
    /// Preview the site on 127.0.0.1, rebuilt when a file changes.
    Serve {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long, default_value_t = 1111)]
        port: u16,
        #[arg(long, value_parser = parse_date_arg)]
        as_of: Option<jiff::civil::Date>,
    },
    /// Check the directory, then render the restricted site into OUT/site/.
    Build {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder (the site goes to OUT/site/).
        #[arg(long, default_value = "dist")]
        out: PathBuf,
        /// Judge staleness as of this day, YYYY-MM-DD (default: today).
        #[arg(long, value_parser = parse_date_arg)]
        as_of: Option<jiff::civil::Date>,
    },
}

fn parse_date_arg(s: &str) -> Result<jiff::civil::Date, String> {
    pocdir::validate::fields::date(s).map_err(|(m, _)| m)
}

fn today() -> jiff::civil::Date {
    jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::UTC)
        .date()
}

fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { root, port, as_of } => {
            let on = |e: pocdir::serve::Event| match e {
                pocdir::serve::Event::Listening(url) => {
                    eprintln!("serving the preview at {url} (Ctrl-C to stop)")
                }
                pocdir::serve::Event::Built { files, warnings } => {
                    eprint!("{warnings}");
                    eprintln!("rebuilt: {files} files");
                }
                pocdir::serve::Event::Failed(text) => {
                    eprint!("{text}");
                    eprintln!("build failed: the error is shown in the browser too");
                }
            };
            match pocdir::serve::serve(root, port, as_of.unwrap_or_else(today), &on) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: cannot serve on 127.0.0.1:{port}: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Command::Build { root, out, as_of } => {
            let opts = pocdir::build::BuildOptions {
                root: &root,
                out: &out,
                as_of: as_of.unwrap_or_else(today),
            };
            match pocdir::build::build(&opts) {
                Ok(b) => {
                    if !b.report.diagnostics.is_empty() {
                        eprint!("{}", b.report.render_human(&b.sources, color()));
                    }
                    eprintln!(
                        "built the site of {} States: {} files in {}",
                        b.states,
                        b.site_files,
                        out.join("site").display()
                    );
                    ExitCode::SUCCESS
                }
                Err(pocdir::build::BuildError::Invalid { report, sources }) => {
                    eprint!("{}", report.render_human(&sources, color()));
                    eprintln!("error: the directory has errors; nothing was written");
                    ExitCode::from(1)
                }
                Err(pocdir::build::BuildError::Render(e)) => {
                    eprintln!("error: {e}\nnothing was written");
                    ExitCode::from(1)
                }
                Err(pocdir::build::BuildError::Io(e)) => {
                    eprintln!("error: {e}\nthe previous output is untouched");
                    ExitCode::from(1)
                }
            }
        }
        Command::Check {
            root,
            format,
            deny_warnings,
            as_of,
        } => {
            let outcome = pocdir::check(&root, as_of.unwrap_or_else(today));
            let report = &outcome.report;
            match format {
                Format::Json => print!("{}", report.to_json()),
                Format::Human => {
                    let color =
                        std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
                    eprint!("{}", report.render_human(&outcome.sources, color));
                }
            }
            if report.has_errors() || (deny_warnings && report.warnings() > 0) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}
