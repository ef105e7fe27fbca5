//! Running git for a review: revisions checked before they reach git, the
//! default base, a revision's commit time, the history of files (to tell a
//! new verification reference from a reused one).

use std::path::Path;
use std::process::Command;

/// Why a revision could not be read.
#[derive(Debug)]
pub enum GitError {
    /// `git` itself could not be started.
    Spawn(std::io::Error),
    /// `git` ran and failed: the command's arguments and what it said.
    Failed { args: String, stderr: String },
    /// Not a revision name pocdir hands to git (empty, an option, too
    /// long, spaces or control characters).
    BadRevision(String),
    /// No default branch to take the merge base with.
    NoDefaultBranch,
    /// The archive of a revision could not be unpacked.
    Unpack { rev: String, error: std::io::Error },
}

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GitError::Spawn(e) => write!(f, "cannot run git: {e}"),
            GitError::Failed { args, stderr } => write!(f, "git {args}: {stderr}"),
            GitError::BadRevision(rev) => write!(f, "{rev:?} is not a revision"),
            GitError::NoDefaultBranch => {
                f.write_str("cannot find the default branch: pass --base REV")
            }
            GitError::Unpack { rev, error } => write!(f, "cannot unpack {rev}: {error}"),
        }
    }
}

impl std::error::Error for GitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            GitError::Spawn(e) | GitError::Unpack { error: e, .. } => Some(e),
            _ => None,
        }
    }
}

pub(crate) fn git(root: &Path, args: &[&str]) -> Result<Vec<u8>, GitError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .map_err(GitError::Spawn)?;
    if !out.status.success() {
        return Err(GitError::Failed {
            args: args.join(" "),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(out.stdout)
}

/// A revision name safe to hand to git (no option injection).
pub(crate) fn check_rev(rev: &str) -> Result<(), GitError> {
    if rev.is_empty()
        || rev.starts_with('-')
        || rev.len() > 200
        || rev.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(GitError::BadRevision(rev.to_string()));
    }
    Ok(())
}

/// The default base: the merge base of HEAD with the default branch
/// (`origin/HEAD`, else `main`, else `master`).
pub fn default_base(root: &Path) -> Result<String, GitError> {
    for branch in ["origin/HEAD", "origin/main", "main", "master"] {
        if let Ok(out) = git(root, &["merge-base", "HEAD", branch]) {
            return Ok(String::from_utf8_lossy(&out).trim().to_string());
        }
    }
    Err(GitError::NoDefaultBranch)
}

/// When `rev` was committed (the committer date).
pub fn commit_time(root: &Path, rev: &str) -> Result<jiff::Timestamp, GitError> {
    check_rev(rev)?;
    let out = git(root, &["show", "-s", "--format=%cI", rev, "--"])?;
    let text = String::from_utf8_lossy(&out).trim().to_string();
    text.parse().map_err(|_| GitError::Failed {
        args: format!("show -s --format=%cI {rev}"),
        stderr: format!("not a date: {text:?}"),
    })
}

/// Every line ever added to or removed from `paths` in the history of
/// `rev` (the verification references a change may not reuse are in it).
pub fn history_lines(root: &Path, rev: &str, paths: &[&str]) -> Result<Vec<String>, GitError> {
    check_rev(rev)?;
    let mut args = vec![
        "log",
        "-p",
        "--no-ext-diff",
        "--no-textconv",
        "--no-color",
        "--format=",
        "--full-history",
        rev,
        "--",
    ];
    args.extend(paths);
    let out = git(root, &args)?;
    Ok(String::from_utf8_lossy(&out)
        .lines()
        .filter(|l| {
            (l.starts_with('+') && !l.starts_with("+++"))
                || (l.starts_with('-') && !l.starts_with("---"))
        })
        .map(|l| l[1..].to_string())
        .collect())
}

/// The folder `root` is the top of its git repository (a review compares
/// whole trees: paths are read from the top).
pub fn ensure_top_level(root: &Path) -> Result<(), GitError> {
    let out = git(root, &["rev-parse", "--show-prefix"])?;
    let prefix = String::from_utf8_lossy(&out).trim().to_string();
    if prefix.is_empty() {
        Ok(())
    } else {
        Err(GitError::Failed {
            args: "rev-parse --show-prefix".into(),
            stderr: format!(
                "{} is the folder {prefix} inside a repository: review the repository's top folder",
                root.display()
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_typed_with_the_same_messages() {
        for bad in ["", "-x", "a b", "a\u{7}"] {
            let e = check_rev(bad).unwrap_err();
            assert!(matches!(&e, GitError::BadRevision(r) if r == bad));
            assert_eq!(e.to_string(), format!("{bad:?} is not a revision"));
        }
        assert!(check_rev("HEAD~1").is_ok());
        assert_eq!(
            GitError::NoDefaultBranch.to_string(),
            "cannot find the default branch: pass --base REV"
        );
        let io = GitError::Spawn(std::io::Error::other("gone"));
        assert_eq!(io.to_string(), "cannot run git: gone");
        assert!(std::error::Error::source(&io).is_some());
    }
}
