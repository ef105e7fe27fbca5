//! Reading a directory as it was at a git revision: `git archive` of the
//! directory's folders, unpacked into a temporary folder that `load` then
//! reads like any other. Also the acknowledgement trailers of a range.

use std::path::{Path, PathBuf};
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

fn git(root: &Path, args: &[&str]) -> Result<Vec<u8>, GitError> {
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
fn check_rev(rev: &str) -> Result<(), GitError> {
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

/// Unpack `content/`, `keys/`, `themes/` and `log/` at `rev` into `into`.
pub fn checkout(root: &Path, rev: &str, into: &Path) -> Result<PathBuf, GitError> {
    check_rev(rev)?;
    let mut paths = Vec::new();
    for p in ["content", "keys", "themes", "log"] {
        if git(root, &["cat-file", "-e", &format!("{rev}:{p}")]).is_ok() {
            paths.push(p);
        }
    }
    let mut args = vec!["archive", "--format=tar", rev, "--"];
    args.extend(paths);
    let tar = git(root, &args)?;
    let mut a = tar::Archive::new(&tar[..]);
    a.set_preserve_permissions(false);
    a.set_overwrite(true);
    a.unpack(into).map_err(|error| GitError::Unpack {
        rev: rev.to_string(),
        error,
    })?;
    Ok(into.to_path_buf())
}

/// Signal ids acknowledged by `Pocdir-Acknowledge: <id>` trailers in the
/// commits of `base..head` (head `None`: up to HEAD).
pub fn acknowledgements(
    root: &Path,
    base: &str,
    head: Option<&str>,
) -> Result<std::collections::BTreeSet<String>, GitError> {
    check_rev(base)?;
    let range = format!("{base}..{}", head.unwrap_or("HEAD"));
    let log = git(root, &["log", "--format=%B%x00", &range])?;
    Ok(String::from_utf8_lossy(&log)
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Pocdir-Acknowledge:"))
        .flat_map(|v| {
            v.split([',', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect())
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
        let dir = tempfile::tempdir().unwrap();
        let e = checkout(dir.path(), "HEAD", &dir.path().join("x")).unwrap_err();
        assert!(
            matches!(&e, GitError::Failed { args, .. } if args == "archive --format=tar HEAD --"),
            "{e:?}"
        );
        assert!(
            e.to_string()
                .starts_with("git archive --format=tar HEAD --: "),
            "{e}"
        );
        let io = GitError::Spawn(std::io::Error::other("gone"));
        assert_eq!(io.to_string(), "cannot run git: gone");
        assert!(std::error::Error::source(&io).is_some());
    }
}
