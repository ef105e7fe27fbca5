//! `pocdir review`: what a pull request changes, and its signals.

use pocdir::directory::diagnostic::Code;
use std::process::ExitCode;

use clap::ValueEnum;

use super::{AsOf, Root, out, outln};

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// A pull-request comment.
    Markdown,
    Json,
}

/// Summarise what a pull request changes (per State, PoCs added, removed
/// and changed field by field), with the signals a reviewer must weigh.
#[derive(clap::Args)]
#[command(
    after_help = "Exit codes: 0 no unacknowledged block signal, 1 a block signal not \
    acknowledged (trailer `Pocdir-Acknowledge: <id>` in a commit of the pull request) or \
    the proposed directory fails check, 2 usage error (unknown revision, base failing \
    check)."
)]
pub struct Args {
    #[command(flatten)]
    root: Root,
    /// Base revision (default: the merge base with the default branch).
    #[arg(long, value_name = "REV")]
    base: Option<String>,
    /// Head revision (default: the working tree).
    #[arg(long, value_name = "REV")]
    head: Option<String>,
    #[arg(long, value_enum, default_value = "markdown")]
    format: Format,
    #[command(flatten)]
    as_of: AsOf,
}

pub fn run(a: Args) -> Result<ExitCode, ExitCode> {
    let root = a.root.resolve()?;
    let as_of = a.as_of.date();
    let base = match a
        .base
        .map(Ok)
        .unwrap_or_else(|| pocdir::review::git::default_base(&root))
    {
        Ok(b) => b,
        Err(e) => return Err(super::usage_error(e)),
    };
    // An unpredictable private folder, removed when dropped.
    let tmp_dir = tempfile::Builder::new()
        .prefix("pocdir-review-")
        .tempdir()
        .map_err(|e| super::usage_error(format!("cannot create a temporary folder: {e}")))?;
    let tmp = tmp_dir.path().to_path_buf();
    let base_dir = tmp.join("base");
    pocdir::review::git::checkout(&root, &base, &base_dir).map_err(super::usage_error)?;
    let head_dir = match &a.head {
        Some(h) => pocdir::review::git::checkout(&root, h, &tmp.join("head"))
            .map_err(super::usage_error)?,
        None => root.clone(),
    };
    let tolerated = [Code::KeyExpired.as_str(), Code::FutureDate.as_str()];
    let base_model = pocdir::directory::load(
        &base_dir,
        &pocdir::directory::Options {
            today: as_of,
            tolerate: &tolerated,
        },
    )
    .ok()
    .map(|c| c.directory);
    let head_checked = pocdir::directory::load(&head_dir, &pocdir::directory::Options::new(as_of));
    drop(tmp_dir);
    let head_checked = match head_checked {
        Ok(c) => c,
        Err(rejected) => {
            eprint!("{}", rejected.report.render_human(&rejected.sources, false));
            outln!(
                "## pocdir review\n\n**block**: the proposed directory does not pass `pocdir check` ({}).",
                rejected.report.summary()
            );
            return Ok(ExitCode::from(1));
        }
    };
    let Some(b) = base_model else {
        return Err(super::usage_error(format!(
            "the base revision {base} does not pass check: cannot compare"
        )));
    };
    let h = &head_checked.directory;
    let acks =
        pocdir::review::git::acknowledgements(&root, &base, a.head.as_deref()).unwrap_or_default();
    let mut r = pocdir::review::changes::review(&b, h, &acks);
    let changed = pocdir::review::changes::changed_states(&b, h);
    for (code, sev, kind, reason) in
        pocdir::review::changes::state_signatures(&head_checked.state_signatures, &changed)
    {
        r.add(&code, sev, kind, reason, &acks);
    }
    match a.format {
        Format::Markdown => out!("{}", pocdir::review::changes::markdown(&r)),
        Format::Json => outln!("{}", serde_json::to_string_pretty(&r).unwrap_or_default()),
    }
    Ok(super::exit(!r.blocked()))
}
