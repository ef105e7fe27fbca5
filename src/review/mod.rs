//! Keeping the directory trustworthy and fresh.
//!
//! `pocdir review` ([`run`]): the whole tree of two revisions read from
//! git objects (`tree`), every changed path classified (`paths`), the two
//! directories compared (`changes`, values as text by `text`), signals
//! bound to their change (`signal`), reviewers' acknowledgements checked
//! against the base's keys (`acknowledge`), shown as Markdown
//! (`markdown`) or JSON. `git` runs git. `stale` (what needs attention)
//! and `remind` (reminders to the Permanent Missions) keep it fresh.

pub mod acknowledge;
pub mod changes;
pub mod git;
pub mod markdown;
pub mod paths;
pub mod remind;
pub mod signal;
pub mod stale;
pub mod text;
pub mod tree;

use std::path::Path;

use serde::Serialize;

use crate::directory::{Checked, Options, Rejected};
use crate::review::acknowledge::Acknowledgement;
use crate::review::changes::{Diff, Line};
use crate::review::git::GitError;
use crate::review::paths::FileChange;
use crate::review::signal::Signal;
use crate::review::tree::Tree;

/// The folders `load` reads, materialised from a revision.
const DIRECTORY_FOLDERS: [&str; 4] = ["content", "keys", "themes", "log"];

/// What to review.
pub struct Request<'a> {
    /// The base revision.
    pub base: &'a str,
    /// The head revision; `None`: the working tree.
    pub head: Option<&'a str>,
    /// The day the directories are checked as of.
    pub today: jiff::civil::Date,
    /// The login of who proposed the change (their own acknowledgements
    /// lift nothing).
    pub proposed_by: Option<&'a str>,
}

/// A review: what changes, the signals, the acknowledgements.
#[derive(Debug, Serialize)]
pub struct Review {
    pub base: String,
    pub head: String,
    pub signals: Vec<Signal>,
    pub acknowledgements: Vec<Acknowledgement>,
    pub files: Vec<FileChange>,
    pub changes: Vec<Line>,
    pub diffs: Vec<Diff>,
    /// The login given as the change's author, if any.
    pub proposed_by: Option<String>,
}

impl Review {
    /// Whether an unacknowledged block signal remains.
    pub fn blocked(&self) -> bool {
        acknowledge::blocked(&self.signals)
    }
}

/// Why a review could not be made.
#[derive(Debug)]
pub enum ReviewError {
    Git(GitError),
    /// The base revision does not pass `check`: nothing to compare with.
    BaseRejected(String),
    /// The proposed directory does not pass `check`: a block in itself.
    HeadRejected(Rejected),
}

impl std::fmt::Display for ReviewError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReviewError::Git(e) => e.fmt(f),
            ReviewError::BaseRejected(rev) => {
                write!(
                    f,
                    "the base revision {rev} does not pass check: cannot compare"
                )
            }
            ReviewError::HeadRejected(r) => write!(
                f,
                "the proposed directory does not pass `pocdir check` ({})",
                r.report.summary()
            ),
        }
    }
}

impl From<GitError> for ReviewError {
    fn from(e: GitError) -> Self {
        ReviewError::Git(e)
    }
}

/// Both sides of a review, read and checked.
pub struct Sides {
    pub base: Checked,
    pub head: Checked,
    pub base_tree: Tree,
    pub head_tree: Tree,
}

/// Read both revisions from git objects and check them. The base is
/// checked tolerating expired keys, dates then in the future, and a
/// version log in the future or malformed.
pub fn read(root: &Path, req: &Request) -> Result<Sides, ReviewError> {
    git::ensure_top_level(root)?;
    let base_tree = Tree::revision(root, req.base)?;
    let head_tree = match req.head {
        Some(h) => Tree::revision(root, h)?,
        None => Tree::working(root)?,
    };
    let tmp = tempfile::Builder::new()
        .prefix("pocdir-review-")
        .tempdir()
        .map_err(|error| GitError::Unpack {
            rev: "a temporary folder".into(),
            error,
        })?;
    let base_dir = tmp.path().join("base");
    base_tree.materialize(&base_dir, &DIRECTORY_FOLDERS)?;
    let head_dir = match req.head {
        Some(_) => {
            let d = tmp.path().join("head");
            head_tree.materialize(&d, &DIRECTORY_FOLDERS)?;
            d
        }
        None => root.to_path_buf(),
    };
    use crate::directory::diagnostic::Code;
    // A version log issued in the future or malformed on the base is the
    // head's to fix: the base is still compared with.
    let tolerated = [
        Code::KeyExpired.as_str(),
        Code::FutureDate.as_str(),
        Code::FutureVersion.as_str(),
        Code::VersionLog.as_str(),
    ];
    let base = crate::directory::load(
        &base_dir,
        &Options {
            today: req.today,
            tolerate: &tolerated,
        },
    )
    .map_err(|_| ReviewError::BaseRejected(req.base.to_string()))?;
    let head = crate::directory::load(&head_dir, &Options::new(req.today))
        .map_err(ReviewError::HeadRejected)?;
    Ok(Sides {
        base,
        head,
        base_tree,
        head_tree,
    })
}

/// Review the change from `req.base` to `req.head` in the repository at
/// `root`.
pub fn run(root: &Path, req: &Request) -> Result<Review, ReviewError> {
    let sides = read(root, req)?;
    let files = paths::changes(&sides.base_tree, &sides.head_tree);
    let base_time = git::commit_time(root, req.base)?;
    let base_day = base_time.to_zoned(jiff::tz::TimeZone::UTC).date();
    let history: Vec<String> = git::history_lines(
        root,
        req.base,
        &[
            crate::directory::load::STATES_DIR,
            crate::directory::load::KEYS_STATES_DIR,
        ],
    )?
    .iter()
    .map(|l| text::normalize_reference(l))
    .filter(|l| !l.is_empty())
    .collect();
    let compared = changes::compare(&changes::Inputs {
        base: &sides.base,
        head: &sides.head,
        base_tree: &sides.base_tree,
        head_tree: &sides.head_tree,
        files: &files,
        base_day,
        history: &history,
    });
    let mut signals = compared.signals.finish();
    let acknowledgements = acknowledge::apply(
        &mut signals,
        &files,
        &sides.head_tree,
        &sides.base.reviewers,
        req.proposed_by,
    );
    Ok(Review {
        base: req.base.to_string(),
        head: req.head.unwrap_or("the working tree").to_string(),
        signals,
        acknowledgements,
        files,
        changes: compared.lines,
        diffs: compared.diffs,
        proposed_by: req.proposed_by.map(str::to_string),
    })
}
