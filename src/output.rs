//! Writing an output tree atomically: everything goes into a fresh
//! temporary folder beside the target, which then replaces the target.
//! A failure at any point leaves the previous output untouched.

use std::ffi::OsString;
use std::fs;
use std::io;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

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
        crate::util::parallel::map_threads(files, 4, |(rel, bytes)| {
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

/// Write a new file at `path`, refusing to replace anything already there
/// (`ErrorKind::AlreadyExists`, also for a dangling symbolic link).
///
/// The contents go to a temporary file in the same folder, are flushed to
/// disk, then the file is moved into place without clobbering (a hard link
/// then unlinking the temporary name, which fails if `path` appeared in the
/// meantime; on file systems without hard links, a check then a rename).
/// With `secret`, the file is created with mode 0600 from the start (on
/// Unix), so its contents are never readable by others, even briefly.
/// Nothing is left behind on failure.
pub fn new_file(path: &Path, contents: &[u8], secret: bool) -> io::Result<()> {
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{}: not a file name", path.display()),
        )
    })?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if fs::symlink_metadata(path).is_ok() {
        return Err(already_exists(path));
    }
    let (tmp, mut file) = create_temp(dir, name, secret)?;
    let result = file
        .write_all(contents)
        .and_then(|()| file.sync_all())
        .and_then(|()| {
            drop(file);
            move_no_clobber(&tmp, path)
        });
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result?;
    // Make the new directory entry durable (best effort: not every
    // platform lets one open a directory).
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn already_exists(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!(
            "{} already exists: pocdir never overwrites it",
            path.display()
        ),
    )
}

/// A fresh temporary file next to the target (`.<name>.<pid>-<n>.tmp`).
fn create_temp(
    dir: &Path,
    name: &std::ffi::OsStr,
    secret: bool,
) -> io::Result<(PathBuf, fs::File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut last = None;
    for _ in 0..64 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let mut tmp_name = OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".{}-{n}-{nanos}.tmp", std::process::id()));
        let tmp = dir.join(tmp_name);
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        if secret {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        #[cfg(not(unix))]
        let _ = secret;
        match opts.open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("cannot create a temporary file")))
}

/// Give `tmp` the name `dest` (and only that name), failing if `dest`
/// exists.
fn move_no_clobber(tmp: &Path, dest: &Path) -> io::Result<()> {
    match fs::hard_link(tmp, dest) {
        // The file is in place; the temporary name must go, or the
        // contents would have a second name.
        Ok(()) => fs::remove_file(tmp),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(already_exists(dest)),
        Err(_) => {
            // No hard links here (FAT, some network file systems).
            if fs::symlink_metadata(dest).is_ok() {
                return Err(already_exists(dest));
            }
            fs::rename(tmp, dest)
        }
    }
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
