//! Writing an output tree atomically: everything goes into a fresh
//! temporary folder beside the target, which then replaces the target.
//! A failure at any point leaves the previous output untouched.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

/// A folder filled beside its target (`<parent>/.<name>.tmp-<pid>`), then
/// swapped in by [`Staging::commit`]. Dropped without a commit, it removes
/// itself: the previous output stays untouched. Files may be put from
/// several threads at once (bundles are written as soon as each is sealed,
/// so they are never all held in memory).
pub struct Staging {
    parent: PathBuf,
    name: String,
    tmp: PathBuf,
    committed: bool,
}

fn checked(rel: &str) -> io::Result<&Path> {
    let rel_path = Path::new(rel);
    if rel.is_empty()
        || !rel_path
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("refusing output path {rel:?}"),
        ));
    }
    Ok(rel_path)
}

impl Staging {
    pub fn new(parent: &Path, name: &str) -> io::Result<Staging> {
        fs::create_dir_all(parent)?;
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        let _ = fs::remove_dir_all(&tmp);
        fs::create_dir_all(&tmp)?;
        Ok(Staging {
            parent: parent.to_path_buf(),
            name: name.to_string(),
            tmp,
            committed: false,
        })
    }

    /// Write one file (`rel`: a relative path without `..`).
    pub fn put(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        let path = self.tmp.join(checked(rel)?);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(&path, bytes)
    }

    /// Write many files, on several threads (creating a file is the slow
    /// part on some file systems).
    pub fn put_all(&self, files: &[(String, Vec<u8>)]) -> io::Result<()> {
        for (rel, _) in files {
            checked(rel)?;
        }
        let dirs: std::collections::BTreeSet<PathBuf> = files
            .iter()
            .filter_map(|(rel, _)| self.tmp.join(rel).parent().map(Path::to_path_buf))
            .collect();
        for d in dirs {
            fs::create_dir_all(d)?;
        }
        crate::par::map_threads(files, 4, |(rel, bytes)| {
            fs::write(self.tmp.join(rel), bytes)
        })
        .into_iter()
        .collect()
    }

    /// Replace `<parent>/<name>` by the staged folder.
    pub fn commit(mut self) -> io::Result<()> {
        let target = self.parent.join(&self.name);
        let old = self
            .parent
            .join(format!(".{}.old-{}", self.name, std::process::id()));
        let had_old = target.exists();
        if had_old {
            let _ = fs::remove_dir_all(&old);
            fs::rename(&target, &old)?;
        }
        if let Err(e) = fs::rename(&self.tmp, &target) {
            if had_old {
                let _ = fs::rename(&old, &target);
            }
            return Err(e);
        }
        self.committed = true;
        if had_old {
            let _ = fs::remove_dir_all(&old);
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Replace `<parent>/<name>` by a folder holding exactly `files`.
pub fn tree(parent: &Path, name: &str, files: &[(String, Vec<u8>)]) -> io::Result<()> {
    let stage = Staging::new(parent, name)?;
    stage.put_all(files)?;
    stage.commit()
}

/// Replace one file atomically: a temporary file beside it, then renamed.
pub fn file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, path).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_refuses_path_tricks() {
        let d = tempfile::tempdir().unwrap();
        tree(d.path(), "site", &[("a/b.txt".into(), b"1".to_vec())]).unwrap();
        tree(d.path(), "site", &[("c.txt".into(), b"2".to_vec())]).unwrap();
        assert!(!d.path().join("site/a/b.txt").exists());
        assert_eq!(fs::read(d.path().join("site/c.txt")).unwrap(), b"2");
        let bad = tree(d.path(), "site", &[("../escape.txt".into(), b"x".to_vec())]);
        assert!(bad.is_err());
        assert!(!d.path().join("escape.txt").exists());
        // The previous output survived the failed write.
        assert_eq!(fs::read(d.path().join("site/c.txt")).unwrap(), b"2");
        // Nothing staged is left behind.
        let left: Vec<_> = fs::read_dir(d.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "{left:?}");
    }

    #[test]
    fn an_uncommitted_staging_removes_itself() {
        let d = tempfile::tempdir().unwrap();
        tree(d.path(), "bundles", &[("old.txt".into(), b"old".to_vec())]).unwrap();
        {
            let s = Staging::new(d.path(), "bundles").unwrap();
            s.put("new.txt", b"new").unwrap();
            // Dropped: a failed build.
        }
        assert_eq!(fs::read(d.path().join("bundles/old.txt")).unwrap(), b"old");
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
    }
}
