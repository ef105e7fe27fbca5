//! Writing an output tree atomically: everything goes into a fresh
//! temporary folder beside the target, which then replaces the target.
//! A failure at any point leaves the previous output untouched.

use std::ffi::OsString;
use std::fs;
use std::io;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

pub mod memo;

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
    /// The tree this staging replaces, when unchanged files are linked
    /// from it (see [`Staging::reusing_previous`]).
    previous: Option<PathBuf>,
    reused: std::sync::atomic::AtomicUsize,
    /// Folders already made in the staging tree.
    made: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
    /// What each file is made from, when recorded (see
    /// [`Staging::remembering`]).
    memo: Option<Memo>,
    /// The previous tree kept as it is (see [`Staging::reuse_all`]).
    kept: std::sync::Mutex<Kept>,
}

/// While every file of the new tree is the previous tree's (its record's
/// files, and files put with the very bytes already there), nothing is
/// written: the previous tree stays, and is the new one. The first file
/// that differs links the previous tree's files into the staging tree
/// ([`Staging::materialize`]), and the build goes on as usual.
#[derive(Default)]
struct Kept {
    on: bool,
    /// The previous tree's files in the record.
    recorded: Vec<(PathBuf, PathBuf)>,
    /// Files put since, with the bytes the previous tree has there.
    same: Vec<String>,
}

/// The records of a [`Staging`] that remembers: the previous tree's, and
/// the one being made.
struct Memo {
    code: String,
    previous: memo::Record,
    /// Keys of files about to be made (their stamps once written).
    pending: std::sync::Mutex<std::collections::HashMap<String, memo::Key>>,
    /// The key of all the keyed files, recorded if every one of them is.
    whole: std::sync::Mutex<Option<memo::Key>>,
    next: std::sync::Mutex<memo::Record>,
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
    open_new(path, private)?.write_all(bytes)
}

fn open_new(path: &Path, private: bool) -> io::Result<fs::File> {
    let mut opts = fs::OpenOptions::new();
    // A new file, never one already there: a file of the staging tree may
    // be a hard link to the live tree's, which must never be written
    // through.
    opts.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    opts.open(path)
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
            previous: None,
            reused: Default::default(),
            made: Default::default(),
            memo: None,
            kept: Default::default(),
        })
    }

    /// From now on, a file whose bytes are already those of the same path
    /// in the tree this staging will replace is hard-linked from there
    /// instead of written: creating and filling an inode is most of the
    /// cost of writing a site, and a rebuild changes few files. The
    /// previous tree is only read; once the staging is committed it is
    /// removed, and the linked files live on in the new tree alone. Only
    /// regular files are reused (never a symbolic link), never into a
    /// private staging (which writes every file with its own mode), and a
    /// link that fails falls back to writing.
    pub fn reusing_previous(mut self) -> Staging {
        let previous = self.parent.join(&self.name);
        if !self.private && fs::symlink_metadata(&previous).is_ok_and(|m| m.is_dir()) {
            self.previous = Some(previous);
        }
        self
    }

    /// From now on, remember what each file is made from
    /// ([`memo`]): [`Staging::reuse`] links a file of the previous tree
    /// made from the same inputs without it being made again, and the
    /// commit records the new tree's files for the next build. `code`
    /// names this build of pocdir ([`memo::code_id`]): without it nothing
    /// is remembered. Needs [`Staging::reusing_previous`] first to reuse
    /// anything.
    pub fn remembering(mut self, code: Option<String>) -> Staging {
        if let Some(code) = code.filter(|_| !self.private) {
            let previous = match &self.previous {
                Some(_) => memo::Record::read(&memo::path(&self.parent, &self.name), &code),
                None => memo::Record::default(),
            };
            self.memo = Some(Memo {
                code,
                previous,
                pending: Default::default(),
                whole: Default::default(),
                next: Default::default(),
            });
        }
        self
    }

    /// Link `rel` from the previous tree if it was made from the inputs
    /// `key` names and is still the very file recorded then; `false` (the
    /// caller makes it and puts it) otherwise.
    pub fn reuse(&self, rel: &str, key: &memo::Key) -> io::Result<bool> {
        let Some(m) = &self.memo else {
            return Ok(false);
        };
        let rel_path = checked(rel)?;
        self.materialize()?;
        if let (Some(prev), Some(entry)) = (&self.previous, m.previous.entries.get(rel))
            && entry.key == *key
        {
            let old = prev.join(rel_path);
            if memo::Stamp::of(&old) == Some(entry.stamp) {
                let path = self.tmp.join(rel_path);
                if let Some(dir) = path.parent() {
                    self.make_dir(dir)?;
                }
                if fs::hard_link(&old, &path).is_ok() {
                    self.reused.fetch_add(1, Ordering::Relaxed);
                    lock(&m.next)?.entries.insert(rel.to_string(), *entry);
                    return Ok(true);
                }
            }
        }
        lock(&m.pending)?.insert(rel.to_string(), *key);
        Ok(false)
    }

    /// Link every file of the previous tree's record if the record says
    /// they were all made from the inputs `key` names and each is still
    /// the very file recorded: `Some(how many)`. Otherwise nothing is
    /// linked (`None`), and the files are made (and [`Staging::reuse`]d
    /// one by one); `key` is recorded for the next build once every keyed
    /// file of this one is.
    pub fn reuse_all(&self, key: &memo::Key) -> io::Result<Option<usize>> {
        let Some(m) = &self.memo else {
            return Ok(None);
        };
        *lock(&m.whole)? = Some(*key);
        let Some(prev) = &self.previous else {
            return Ok(None);
        };
        if m.previous.whole != Some(*key) || m.previous.entries.is_empty() {
            return Ok(None);
        }
        // Every file checked before any is linked: a fallback to making
        // them must find the staging tree without them.
        let mut files = Vec::with_capacity(m.previous.entries.len());
        for (rel, entry) in &m.previous.entries {
            // A record naming a path out of the tree is a damaged one.
            let Ok(rel_path) = checked(rel) else {
                return Ok(None);
            };
            let old = prev.join(rel_path);
            if memo::Stamp::of(&old) != Some(entry.stamp) {
                return Ok(None);
            }
            files.push((rel, old, self.tmp.join(rel_path)));
        }
        // Nothing is linked yet: the previous tree may well be the new
        // one as it is.
        self.reused.fetch_add(files.len(), Ordering::Relaxed);
        let mut next = lock(&m.next)?;
        for (rel, entry) in &m.previous.entries {
            next.entries.insert(rel.clone(), *entry);
        }
        let mut kept = lock(&self.kept)?;
        kept.on = true;
        kept.recorded = files
            .into_iter()
            .map(|(_, old, path)| (old, path))
            .collect();
        Ok(Some(kept.recorded.len()))
    }

    /// Stop keeping the previous tree as it is: link its recorded files,
    /// and those put with the same bytes, into the staging tree (before
    /// anything else is written there).
    fn materialize(&self) -> io::Result<()> {
        let mut kept = lock(&self.kept)?;
        if !kept.on {
            return Ok(());
        }
        kept.on = false;
        let mut links = std::mem::take(&mut kept.recorded);
        if let Some(prev) = &self.previous {
            for rel in std::mem::take(&mut kept.same) {
                links.push((prev.join(&rel), self.tmp.join(&rel)));
            }
        }
        crate::util::parallel::map_threads(&links, WRITE_THREADS, |(old, path)| {
            if let Some(dir) = path.parent() {
                self.make_dir(dir)?;
            }
            fs::hard_link(old, path)
        })
        .into_iter()
        .collect::<io::Result<()>>()
    }

    /// While the previous tree is kept: whether `rel` is already there
    /// with these bytes (then nothing is written); else the previous tree
    /// is linked into the staging tree first, and `false`.
    fn same_as_kept(&self, rel: &str, bytes: &[u8]) -> io::Result<bool> {
        {
            let mut kept = lock(&self.kept)?;
            if !kept.on {
                return Ok(false);
            }
            let recorded = self
                .previous
                .as_ref()
                .is_some_and(|p| kept.recorded.iter().any(|(old, _)| *old == p.join(rel)));
            if !recorded
                && let Some(prev) = &self.previous
                && same_regular_file(&prev.join(rel), bytes)
            {
                kept.same.push(rel.to_string());
                return Ok(true);
            }
        }
        self.materialize()?;
        Ok(false)
    }

    /// Whether the previous tree holds exactly the files kept (no other
    /// file or folder, no link): then it is the new tree as it is.
    fn previous_is_exactly_kept(&self) -> bool {
        let (Some(prev), Ok(kept)) = (&self.previous, self.kept.lock()) else {
            return false;
        };
        let mut files: std::collections::HashSet<PathBuf> =
            kept.recorded.iter().map(|(old, _)| old.clone()).collect();
        files.extend(kept.same.iter().map(|rel| prev.join(rel)));
        let mut dirs: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
        for f in &files {
            let mut d = f.parent();
            while let Some(p) = d.filter(|p| p.starts_with(prev) && *p != prev.as_path()) {
                if !dirs.insert(p.to_path_buf()) {
                    break;
                }
                d = p.parent();
            }
        }
        let mut seen = 0;
        for e in walkdir::WalkDir::new(prev).min_depth(1) {
            let Ok(e) = e else { return false };
            let t = e.file_type();
            let expected = if t.is_dir() {
                dirs.contains(e.path())
            } else {
                t.is_file() && files.contains(e.path())
            };
            if !expected {
                return false;
            }
            seen += usize::from(t.is_file());
        }
        seen == files.len()
    }

    /// `rel`, about to be made, is made from the inputs `key` names: its
    /// stamp is recorded once it is put (never linked from the previous
    /// tree: for files that must be made together, reused only whole by
    /// [`Staging::reuse_all`]).
    pub fn keyed(&self, rel: &str, key: &memo::Key) -> io::Result<()> {
        let Some(m) = &self.memo else {
            return Ok(());
        };
        checked(rel)?;
        self.materialize()?;
        lock(&m.pending)?.insert(rel.to_string(), *key);
        Ok(())
    }

    /// After `rel` was written or linked at `path`: its stamp, if a key
    /// was given for it.
    fn remember(&self, rel: &Path, path: &Path) -> io::Result<()> {
        let Some(m) = &self.memo else {
            return Ok(());
        };
        let Some(rel) = rel.to_str() else {
            return Ok(());
        };
        let key = lock(&m.pending)?.remove(rel);
        if let (Some(key), Some(stamp)) = (key, memo::Stamp::of(path)) {
            lock(&m.next)?
                .entries
                .insert(rel.to_string(), memo::Entry { key, stamp });
        }
        Ok(())
    }

    /// How many files were linked from the previous tree.
    pub fn reused(&self) -> usize {
        self.reused.load(Ordering::Relaxed)
    }

    /// Write one file (`rel`: a relative path without `..`). May be called
    /// from several threads at once.
    pub fn put(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        let rel_path = checked(rel)?;
        if self.same_as_kept(rel, bytes)? {
            return Ok(());
        }
        let path = self.tmp.join(rel_path);
        if let Some(dir) = path.parent() {
            self.make_dir(dir)?;
        }
        self.put_checked(rel_path, &path, bytes)
    }

    /// Write one file as `write` produces it, in pieces (never held
    /// whole); `write` returns what it computed on the way.
    pub fn put_with<R>(
        &self,
        rel: &str,
        write: impl FnOnce(&mut dyn Write) -> io::Result<R>,
    ) -> io::Result<R> {
        let rel_path = checked(rel)?;
        self.materialize()?;
        let path = self.tmp.join(rel_path);
        if let Some(dir) = path.parent() {
            self.make_dir(dir)?;
        }
        let mut file = io::BufWriter::with_capacity(1 << 16, open_new(&path, self.private)?);
        let r = write(&mut file)?;
        file.flush()?;
        drop(file);
        self.remember(rel_path, &path)?;
        Ok(r)
    }

    fn make_dir(&self, dir: &Path) -> io::Result<()> {
        let mut made = self
            .made
            .lock()
            .map_err(|_| io::Error::other("a writing thread failed"))?;
        if !made.contains(dir) {
            create_dirs(dir, self.private)?;
            made.insert(dir.to_path_buf());
        }
        Ok(())
    }

    fn put_checked(&self, rel: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
        if let Some(old) = self.previous.as_ref().map(|p| p.join(rel))
            && same_regular_file(&old, bytes)
            && fs::hard_link(&old, path).is_ok()
        {
            self.reused.fetch_add(1, Ordering::Relaxed);
            return self.remember(rel, path);
        }
        write_new(path, bytes, self.private)?;
        self.remember(rel, path)
    }

    /// Write many files, on a few threads (creating a file is the slow
    /// part on some file systems).
    pub fn put_all(&self, files: &[(String, Vec<u8>)]) -> io::Result<()> {
        for (rel, _) in files {
            checked(rel)?;
        }
        crate::util::parallel::map_threads(files, WRITE_THREADS, |(rel, bytes)| {
            self.put(rel, bytes)
        })
        .into_iter()
        .collect()
    }

    /// Replace `<parent>/<name>` by the staged folder.
    pub fn commit(mut self) -> io::Result<()> {
        let target = self.parent.join(&self.name);
        // Every file the same as the previous tree's, and nothing else
        // there: the previous tree is the new one, and its record stays
        // true. Otherwise its files are linked and swapped in as usual.
        if lock(&self.kept)?.on {
            if self.previous_is_exactly_kept() {
                self.committed = true;
                fs::remove_dir_all(&self.tmp)?;
                return Ok(());
            }
            self.materialize()?;
        }
        // The old tree's record goes first: once the trees are swapped it
        // describes a tree that is gone, and no record is safer than that
        // one should the new record fail to be written.
        let record = memo::path(&self.parent, &self.name);
        match fs::remove_file(&record) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
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
        // The record of the new tree, best effort: without it the next
        // build makes every file again.
        if let Some(m) = &self.memo {
            let all = m.pending.lock().is_ok_and(|p| p.is_empty());
            let whole = m.whole.lock().ok().and_then(|w| *w).filter(|_| all);
            if let Ok(mut next) = m.next.lock() {
                next.whole = whole;
                let _ = file(&record, next.to_text(&m.code).as_bytes());
            }
        }
        if let Some((hold, old)) = hold {
            remove_tree(&old);
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

/// Remove a tree, best effort, its top-level entries on a few threads
/// (removing thousands of names one after the other is most of a
/// rebuild's commit).
fn remove_tree(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    crate::util::parallel::map_threads(&paths, WRITE_THREADS, |p| match fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(p),
        _ => fs::remove_file(p),
    });
}

fn lock<T>(m: &std::sync::Mutex<T>) -> io::Result<std::sync::MutexGuard<'_, T>> {
    m.lock()
        .map_err(|_| io::Error::other("a writing thread failed"))
}

/// Threads creating files at once: on ext4 more than two mostly wait on
/// the folder's lock (`rwsem_spin_on_owner` in a profile).
const WRITE_THREADS: usize = 2;

/// Whether `path` is a regular file (not a link to one) holding exactly
/// `bytes`. The size is compared first, so a changed file of another
/// length is not read.
fn same_regular_file(path: &Path, bytes: &[u8]) -> bool {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return false;
    };
    if !meta.file_type().is_file() || meta.len() != bytes.len() as u64 {
        return false;
    }
    let Ok(mut f) = fs::File::open(path) else {
        return false;
    };
    let mut old = Vec::with_capacity(bytes.len());
    use std::io::Read;
    match (&mut f).take(bytes.len() as u64 + 1).read_to_end(&mut old) {
        Ok(_) => old == bytes,
        Err(_) => false,
    }
}

/// Replace `<parent>/<name>` by a folder holding exactly `files`; the
/// files that did not change since the previous tree are linked from it
/// rather than written again (see [`Staging::reusing_previous`]). Returns
/// how many were.
pub fn tree(parent: &Path, name: &str, files: &[(String, Vec<u8>)]) -> io::Result<usize> {
    let stage = Staging::new(parent, name)?.reusing_previous();
    stage.put_all(files)?;
    let reused = stage.reused();
    stage.commit()?;
    Ok(reused)
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

    /// A rebuild links the files that did not change from the tree it
    /// replaces (same inode), writes the others anew, never reuses a
    /// symbolic link, and gives the same tree as a build from nothing.
    #[cfg(unix)]
    #[test]
    fn a_rebuild_links_unchanged_files_and_writes_the_rest() {
        use std::os::unix::fs::MetadataExt;
        let d = tempfile::tempdir().unwrap();
        let files = |b: &[u8]| -> Vec<(String, Vec<u8>)> {
            vec![
                ("same.html".into(), b"unchanged".to_vec()),
                ("lang/changed.html".into(), b.to_vec()),
                ("linked.html".into(), b"through a link".to_vec()),
                ("grown.html".into(), b.repeat(3)),
            ]
        };
        assert_eq!(tree(d.path(), "site", &files(b"one")).unwrap(), 0);
        let ino = |rel: &str| fs::metadata(d.path().join("site").join(rel)).unwrap().ino();
        let before = ino("same.html");
        // A symbolic link in the previous tree, pointing at a file with
        // the right bytes elsewhere: never linked, never followed.
        let outside = d.path().join("outside.html");
        fs::write(&outside, b"through a link").unwrap();
        fs::remove_file(d.path().join("site/linked.html")).unwrap();
        std::os::unix::fs::symlink(&outside, d.path().join("site/linked.html")).unwrap();
        let changed_before = ino("lang/changed.html");
        assert_eq!(tree(d.path(), "site", &files(b"two")).unwrap(), 1);
        assert_eq!(ino("same.html"), before, "the unchanged file is linked");
        assert_ne!(ino("lang/changed.html"), changed_before);
        let linked = d.path().join("site/linked.html");
        assert!(fs::symlink_metadata(&linked).unwrap().file_type().is_file());
        assert_ne!(
            fs::metadata(&linked).unwrap().ino(),
            fs::metadata(&outside).unwrap().ino()
        );
        for (rel, bytes) in files(b"two") {
            assert_eq!(
                fs::read(d.path().join("site").join(&rel)).unwrap(),
                bytes,
                "{rel}"
            );
        }
        // The old tree is gone; the linked file has one name left.
        assert_eq!(
            fs::metadata(d.path().join("site/same.html"))
                .unwrap()
                .nlink(),
            1
        );
        let left: Vec<_> = fs::read_dir(d.path()).unwrap().collect();
        assert_eq!(left.len(), 2, "{left:?}");
        // A private staging never links (its files must be 0600).
        let p = Staging::private(d.path(), "site")
            .unwrap()
            .reusing_previous();
        p.put("same.html", b"unchanged").unwrap();
        assert_eq!(p.reused(), 0);
    }

    #[test]
    fn a_remembered_tree_is_linked_whole_only_when_every_file_is_the_one_recorded() {
        let d = tempfile::tempdir().unwrap();
        let code = Some("test-build".to_string());
        let stage = |whole: &memo::Key, bytes: &[u8]| -> (Option<usize>, usize) {
            let s = Staging::new(d.path(), "site")
                .unwrap()
                .reusing_previous()
                .remembering(code.clone());
            let linked = s.reuse_all(whole).unwrap();
            if linked.is_none() {
                for rel in ["a.html", "b/c.html"] {
                    assert!(!s.path().join(rel).exists(), "nothing linked on a miss");
                    if !s.reuse(rel, &[1; 32]).unwrap() {
                        s.put(rel, bytes).unwrap();
                    }
                }
            }
            let reused = s.reused();
            s.commit().unwrap();
            (linked, reused)
        };
        assert_eq!(stage(&[7; 32], b"first"), (None, 0));
        // Same inputs: both files linked at once.
        assert_eq!(stage(&[7; 32], b"unused"), (Some(2), 2));
        assert_eq!(fs::read(d.path().join("site/b/c.html")).unwrap(), b"first");
        // A file changed by hand: nothing linked whole; the other file is
        // reused on its own, the changed one made again.
        fs::remove_file(d.path().join("site/a.html")).unwrap();
        fs::write(d.path().join("site/a.html"), b"edited").unwrap();
        assert_eq!(stage(&[7; 32], b"again"), (None, 1));
        assert_eq!(fs::read(d.path().join("site/a.html")).unwrap(), b"again");
        assert_eq!(fs::read(d.path().join("site/b/c.html")).unwrap(), b"first");
        // A record naming a path out of the tree is ignored, not an error.
        let record = memo::path(d.path(), "site");
        let text = fs::read_to_string(&record).unwrap();
        let forged = text.replacen(" a.html\n", " ../a.html\n", 1);
        assert_ne!(forged, text);
        fs::write(&record, forged).unwrap();
        assert_eq!(stage(&[7; 32], b"again").0, None);
        // Another whole key: made again, file by file.
        assert_eq!(stage(&[8; 32], b"again").0, None);
    }
}
