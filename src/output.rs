//! Writing an output tree atomically: everything goes into a fresh
//! temporary folder beside the target, which then replaces the target.
//! A failure at any point leaves the previous output untouched.

use std::ffi::OsString;
use std::fs;
use std::io;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A folder filled beside its target, then swapped in by
/// [`Staging::commit`] (or moved into place, never over anything, by
/// [`Staging::commit_new`]). Its name is unpredictable
/// (`<parent>/.<name>.<random>.tmp`) and it is created exclusively: a
/// folder someone else made first is never used. Dropped without a
/// commit, it removes itself: the previous output stays untouched. Files
/// may be put from several threads at once (bundles are written as soon as
/// each is sealed, so they are never all held in memory).
pub struct Staging {
    parent: PathBuf,
    name: String,
    tmp: PathBuf,
    /// Folders 0700 and files 0600 whatever the umask (plaintext).
    private: bool,
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

/// A new folder in `parent` with an unpredictable name
/// (`.<name>.<random>.tmp`), created exclusively (never one that was there
/// before): 0700 if `private`, else 0777 less the umask.
fn new_temp_dir(parent: &Path, name: &str, private: bool) -> io::Result<PathBuf> {
    let mut b = tempfile::Builder::new();
    let prefix = format!(".{name}.");
    b.prefix(&prefix).suffix(".tmp").rand_bytes(12);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(fs::Permissions::from_mode(0o700));
    }
    #[cfg(not(unix))]
    let _ = private;
    Ok(b.tempdir_in(parent)?.keep())
}

/// Create `dir` and its missing parents (0700 when `private`).
pub fn create_dirs(dir: &Path, private: bool) -> io::Result<()> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    #[cfg(not(unix))]
    let _ = private;
    b.create(dir)
}

/// Write a file in a staging folder (0600 when `private`).
fn write_new(path: &Path, bytes: &[u8], private: bool) -> io::Result<()> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    opts.open(path)?.write_all(bytes)
}

impl Staging {
    /// A staging folder for a public output (site, encrypted bundles).
    pub fn new(parent: &Path, name: &str) -> io::Result<Staging> {
        Staging::create(parent, name, false)
    }

    /// A staging folder for plaintext: 0700, its files 0600.
    pub fn private(parent: &Path, name: &str) -> io::Result<Staging> {
        Staging::create(parent, name, true)
    }

    fn create(parent: &Path, name: &str, private: bool) -> io::Result<Staging> {
        create_dirs(parent, private)?;
        let tmp = new_temp_dir(parent, name, private)?;
        Ok(Staging {
            parent: parent.to_path_buf(),
            name: name.to_string(),
            tmp,
            private,
            committed: false,
        })
    }

    /// Write one file (`rel`: a relative path without `..`).
    pub fn put(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        let path = self.tmp.join(checked(rel)?);
        if let Some(dir) = path.parent() {
            create_dirs(dir, self.private)?;
        }
        write_new(&path, bytes, self.private)
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
            create_dirs(&d, self.private)?;
        }
        crate::util::parallel::map_threads(files, 4, |(rel, bytes)| {
            write_new(&self.tmp.join(rel), bytes, self.private)
        })
        .into_iter()
        .collect()
    }

    /// Replace `<parent>/<name>` by the staged folder.
    pub fn commit(mut self) -> io::Result<()> {
        let target = self.parent.join(&self.name);
        let had_old = fs::symlink_metadata(&target).is_ok();
        // The old output goes into a fresh private folder (an
        // unpredictable name), removed once the new one is in place.
        let hold = if had_old {
            let hold = new_temp_dir(&self.parent, &format!("{}.old", self.name), true)?;
            let old = hold.join(&self.name);
            if let Err(e) = fs::rename(&target, &old) {
                let _ = fs::remove_dir(&hold);
                return Err(e);
            }
            Some((hold, old))
        } else {
            None
        };
        if let Err(e) = fs::rename(&self.tmp, &target) {
            if let Some((hold, old)) = &hold {
                let _ = fs::rename(old, &target);
                let _ = fs::remove_dir_all(hold);
            }
            return Err(e);
        }
        self.committed = true;
        if let Some((hold, _)) = hold {
            let _ = fs::remove_dir_all(hold);
        }
        Ok(())
    }

    /// Move the staged folder to `<parent>/<name>`, which must not exist
    /// or be an empty folder: nothing there is ever deleted or overwritten
    /// (a folder holding anything makes the move fail).
    pub fn commit_new(mut self) -> io::Result<()> {
        let target = self.parent.join(&self.name);
        match fs::symlink_metadata(&target) {
            Ok(m) if !m.is_dir() || fs::read_dir(&target)?.next().is_some() => {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!(
                        "{} already exists and is not an empty folder",
                        target.display()
                    ),
                ));
            }
            _ => {}
        }
        // rename(2) replaces an empty folder and fails on any other.
        fs::rename(&self.tmp, &target)?;
        self.committed = true;
        Ok(())
    }

    /// The staging folder (for tests).
    pub fn path(&self) -> &Path {
        &self.tmp
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

/// Replace one file atomically: a temporary file beside it (an
/// unpredictable name, created exclusively), then renamed. Its mode is
/// 0666 less the umask.
pub fn file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    replace_file(path, bytes, false)
}

/// [`file`] for plaintext: mode 0600 whatever the umask (its folder is
/// created 0700 if missing).
pub fn private_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    replace_file(path, bytes, true)
}

fn replace_file(path: &Path, bytes: &[u8], private: bool) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    create_dirs(dir, private)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut b = tempfile::Builder::new();
    let prefix = format!(".{name}.");
    b.prefix(&prefix).suffix(".tmp").rand_bytes(12);
    // tempfile creates 0600; a public file gets 0666 less the umask.
    #[cfg(unix)]
    if !private {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut tmp = b.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.persist(path).map(|_| ()).map_err(|e| e.error)
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

    /// Staging folders and temporary files have unpredictable names and
    /// are created exclusively: a folder prepared under the old name
    /// (`.<name>.tmp-<pid>`) is neither used nor removed; a private one is
    /// 0700 with 0600 files.
    #[test]
    fn staging_names_are_unpredictable_and_private_staging_is_private() {
        let d = tempfile::tempdir().unwrap();
        let trap = d.path().join(format!(".x.tmp-{}", std::process::id()));
        fs::create_dir(&trap).unwrap();
        let a = Staging::private(d.path(), "x").unwrap();
        let b = Staging::private(d.path(), "x").unwrap();
        assert_ne!(a.path(), b.path());
        for s in [&a, &b] {
            let name = s.path().file_name().unwrap().to_string_lossy().into_owned();
            assert!(!name.contains(&std::process::id().to_string()), "{name}");
            assert!(name.starts_with(".x.") && name.len() > ".x..tmp".len() + 8);
        }
        a.put("f.txt", b"secret").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(a.path()), 0o700);
            assert_eq!(mode(&a.path().join("f.txt")), 0o600);
        }
        drop(b);
        a.commit_new().unwrap();
        assert_eq!(fs::read(d.path().join("x/f.txt")).unwrap(), b"secret");
        assert!(trap.is_dir() && fs::read_dir(&trap).unwrap().next().is_none());
        // commit_new never replaces a folder holding anything.
        let c = Staging::private(d.path(), "x").unwrap();
        c.put("g.txt", b"other").unwrap();
        assert!(c.commit_new().is_err());
        assert_eq!(fs::read(d.path().join("x/f.txt")).unwrap(), b"secret");
        assert!(!d.path().join("x/g.txt").exists());
        // private_file: 0600, no temporary left.
        private_file(&d.path().join("state/rec.json"), b"{}").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let m = fs::metadata(d.path().join("state/rec.json")).unwrap();
            assert_eq!(m.permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(fs::read_dir(d.path().join("state")).unwrap().count(), 1);
        let mut left: Vec<_> = fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left.len(), 3, "{left:?}");
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
