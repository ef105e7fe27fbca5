//! `pocdir review`: what a pull request changes, and its signals; and a
//! reviewer's acknowledgement of one of them.

use std::process::ExitCode;

use clap::ValueEnum;
use pocdir::review::{Request, ReviewError};

use super::{AsOf, Root, out, outln};

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// A pull-request comment.
    Markdown,
    Json,
}

/// Summarise what a pull request changes: every changed file, every
/// changed value before and after, and the signals a reviewer must weigh.
/// Both revisions are read from git objects, whatever their
/// `.gitattributes` say.
#[derive(clap::Args)]
#[command(after_help = "\
Exit codes: 0 no block signal left, 1 a block signal no reviewer \
acknowledged or the proposed directory fails check, 2 usage error \
(unknown revision, base failing check).

A block is lifted by a reviewer listed in keys/reviewers/<login>.pub of the \
BASE revision, other than the change's author (--proposed-by): \
`pocdir review --base B --head H --acknowledge ID --secret-key FILE` \
writes reviews/<ID>.<login>.minisig, which the reviewer commits to the \
pull request. The acknowledgement signs the exact change: if the change \
moves on, it lifts nothing.")]
pub struct Args {
    #[command(flatten)]
    root: Root,
    /// Base revision (default: the merge base with the default branch).
    #[arg(long, value_name = "REV")]
    base: Option<String>,
    /// Head revision (default: the working tree). CI passes the pull
    /// request's commit.
    #[arg(long, value_name = "REV")]
    head: Option<String>,
    /// The login of who proposed the change (CI passes the pull request's
    /// author): their own acknowledgements lift nothing.
    #[arg(long, value_name = "LOGIN")]
    proposed_by: Option<String>,
    #[arg(long, value_enum, default_value = "markdown")]
    format: Format,
    #[command(flatten)]
    as_of: AsOf,
    /// Acknowledge the signal with this id (as the review shows it),
    /// signing it with --secret-key.
    #[arg(long, value_name = "ID", requires = "secret_key")]
    acknowledge: Option<String>,
    /// The reviewer's minisign secret key (its public half in
    /// keys/reviewers/<login>.pub of the base revision).
    #[arg(long, value_name = "FILE", requires = "acknowledge")]
    secret_key: Option<std::path::PathBuf>,
}

pub fn run(a: Args) -> Result<ExitCode, ExitCode> {
    let root = a.root.resolve()?;
    if let Some(login) = &a.proposed_by
        && !pocdir::directory::validate::fields::is_login(login)
    {
        return Err(super::usage_error(format!(
            "--proposed-by {}: not a login",
            pocdir::util::text::quote(login)
        )));
    }
    let base = match a
        .base
        .clone()
        .map(Ok)
        .unwrap_or_else(|| pocdir::review::git::default_base(&root))
    {
        Ok(b) => b,
        Err(e) => return Err(super::usage_error(e)),
    };
    let req = Request {
        base: &base,
        head: a.head.as_deref(),
        today: a.as_of.date(),
        proposed_by: a.proposed_by.as_deref(),
    };
    let review = match pocdir::review::run(&root, &req) {
        Ok(r) => r,
        Err(ReviewError::HeadRejected(rejected)) => {
            eprint!("{}", rejected.report.render_human(&rejected.sources, false));
            outln!(
                "## pocdir review\n\n**block**: the proposed directory does not pass `pocdir check` ({}).",
                rejected.report.summary()
            );
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(super::usage_error(e)),
    };
    if let (Some(id), Some(key)) = (&a.acknowledge, &a.secret_key) {
        return acknowledge(&root, &req, &review, id, key);
    }
    match a.format {
        Format::Markdown => out!("{}", pocdir::review::markdown::render(&review)),
        Format::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&review).unwrap_or_default()
        ),
    }
    Ok(super::exit(!review.blocked()))
}

/// Sign the signal `id` with the reviewer's key; write it under reviews/.
fn acknowledge(
    root: &std::path::Path,
    req: &Request,
    review: &pocdir::review::Review,
    id: &str,
    key: &std::path::Path,
) -> Result<ExitCode, ExitCode> {
    let Some(signal) = review.signals.iter().find(|s| s.id == id) else {
        return Err(super::failure(format!(
            "this review ({} → {}) has no signal {}: run `pocdir review` with the same --base and --head and copy an id from it",
            review.base,
            review.head,
            pocdir::util::text::quote(id)
        )));
    };
    // The reviewers of the base revision, the only ones that count.
    let sides = pocdir::review::read(root, req).map_err(super::failure)?;
    let reviewers = &sides.base.reviewers;
    let text = pocdir::directory::read::read_secret_key(key).map_err(super::failure)?;
    let pass = if pocdir::sign::is_encrypted(&text) {
        super::passphrase()
    } else {
        None
    };
    let keys: Vec<pocdir::sign::PublicKey> = reviewers.iter().map(|r| r.key.clone()).collect();
    let (sk, i) =
        pocdir::sign::load_secret_key_among(&text, pass.as_ref(), &keys).map_err(super::failure)?;
    let login = &reviewers[i].login;
    if req
        .proposed_by
        .is_some_and(|p| p.eq_ignore_ascii_case(login))
    {
        return Err(super::failure(format!(
            "{login} proposed this change: another reviewer must acknowledge it (two-person rule)"
        )));
    }
    let sig = sk
        .sign(
            &pocdir::review::acknowledge::message(&signal.digest),
            &pocdir::review::acknowledge::trusted_comment(signal, login),
            "pocdir acknowledgement",
        )
        .map_err(super::failure)?;
    let rel = pocdir::review::acknowledge::path(&signal.id, login);
    pocdir::output::file(&root.join(&rel), sig.as_bytes())
        .map_err(|e| super::failure(format!("cannot write {rel}: {e}")))?;
    outln!("{rel}");
    eprintln!(
        "acknowledged {} ({}) as {login}: commit {rel} to the pull request",
        signal.id, signal.kind
    );
    Ok(ExitCode::SUCCESS)
}
