//! `pocdir init`: start a directory, from nothing or as a copy of the
//! fictional example.
//!
//! - Without `example`: `content/directory.yaml` (placeholder settings,
//!   `demo: false`), the example's Markdown pages in the six languages
//!   (generic, but for the example notice of the "about" pages, which is
//!   taken out), empty `content/states/` and `keys/states/` (each holding a
//!   `.gitkeep`), a `README.md`, a `.gitignore` (`*.key`, `dist/`), and
//!   `keys/secretariat.pub` from a freshly generated signing key pair. The
//!   SECRET key goes to `secret_key`, a file OUTSIDE the directory's tree
//!   (mode 0600, never overwritten): a real directory never holds one.
//! - With `example`: the repository's own example directory (`content/`,
//!   `keys/` with its published DEMO keys, `log/`), embedded in the binary
//!   at compile time by `build.rs`, byte for byte. It is `demo: true` and
//!   builds with its demo key; no key is generated.
//!
//! Nothing is overwritten and nothing partial is left on failure: a target
//! that does not exist yet is filled in a temporary folder beside it and
//! renamed into place; an existing folder (say, a fresh clone holding only
//! a README) gets each file without clobbering, and every file and folder
//! made is removed again if one fails. Like the rest of the library, this
//! module never prints and never prompts: the caller hands the passphrase
//! in.

use std::borrow::Cow;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use zeroize::Zeroizing;

use crate::sign::keygen::{KeyGenError, signing_keypair_with};

include!(concat!(env!("OUT_DIR"), "/example_files.rs"));

/// The settings of a new directory.
const DIRECTORY_YAML: &str = include_str!("init/directory.yaml");
/// The new directory's README.
const README: &str = include_str!("init/README.md");
/// The new directory's `.gitignore` (`*.key`, `dist/`).
const GITIGNORE: &str = include_str!("init/gitignore.txt");

/// What `init` makes, and where.
pub struct InitOptions<'a> {
    /// The directory's root: a folder that does not exist yet (its parent
    /// must), or an existing one holding no file `init` would write.
    pub dir: &'a Path,
    /// Copy the fictional example directory instead of starting an empty
    /// one.
    pub example: bool,
    /// Write the secret key unencrypted (tests and throw-away directories
    /// only); then `passphrase` must be `None`.
    pub unencrypted: bool,
    /// The new secret key's passphrase (asked by the caller); required
    /// unless `unencrypted` or `example`.
    pub passphrase: Option<&'a Zeroizing<String>>,
    /// The passphrase's key derivation (`kdf::SENSITIVE`, as `minisign
    /// -G`, or `kdf::INTERACTIVE`).
    pub kdf: crate::sign::kdf::Limits,
    /// Where the new secret signing key is written (mode 0600, never
    /// overwritten; its folder must exist). Required without `example`,
    /// refused with it (the example is signed by its demo key). It must
    /// lie OUTSIDE `dir`: a real directory's repository never holds a
    /// secret key (`pocdir check` reports one). `pocdir build
    /// --signing-key` reads it.
    pub secret_key: Option<&'a Path>,
}

/// What `init` wrote.
#[derive(Debug)]
pub struct Initialized {
    /// Files written into the directory, relative to its root, sorted (the
    /// secret key, outside it, is not listed).
    pub files: Vec<PathBuf>,
    /// The id of the signing key generated (`keys/secretariat.pub`); `None`
    /// with `example`, which keeps its demo key.
    pub public_key_id: Option<String>,
}

/// Why `init` did nothing. Never holds secret material.
#[derive(Debug)]
pub enum InitError {
    /// The folder already holds a directory (`content/directory.yaml`).
    AlreadyADirectory(PathBuf),
    /// A file `init` would write already exists.
    WouldOverwrite(PathBuf),
    /// The path (or a folder on the way to a file) is not a folder.
    NotAFolder(PathBuf),
    /// A folder on the way to a file is a symbolic link.
    Symlink(PathBuf),
    /// The folder that would hold the new directory does not exist.
    NoParent(PathBuf),
    /// No `secret_key` for a new directory.
    SecretKeyNeeded,
    /// A `secret_key` with `example`, which generates no key.
    SecretKeyWithExample,
    /// The secret key would be written inside the directory.
    SecretKeyInside(PathBuf),
    /// The secret key file already exists.
    SecretKeyExists(PathBuf),
    /// An encrypted key was asked for without a passphrase.
    PassphraseNeeded,
    /// A passphrase was given with `unencrypted`.
    PassphraseWithUnencrypted,
    /// Generating the key failed.
    Key(KeyGenError),
    /// Reading or writing a file failed.
    Io { path: PathBuf, error: io::Error },
}

impl fmt::Display for InitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InitError::AlreadyADirectory(p) => write!(
                f,
                "{} already holds a directory (content/directory.yaml): nothing was written; choose a new or empty folder",
                p.display()
            ),
            InitError::WouldOverwrite(p) => write!(
                f,
                "{} already exists and pocdir init never overwrites a file: nothing was written; choose a new or empty folder, or move it away",
                p.display()
            ),
            InitError::NotAFolder(p) => write!(f, "{} is not a folder", p.display()),
            InitError::Symlink(p) => write!(
                f,
                "{} is a symbolic link: a directory holds none; nothing was written",
                p.display()
            ),
            InitError::NoParent(p) => write!(
                f,
                "the folder {} does not exist: create it first",
                p.display()
            ),
            InitError::SecretKeyNeeded => f.write_str(
                "a new directory needs a file for its secret signing key (--secret-key FILE), outside the directory",
            ),
            InitError::SecretKeyWithExample => f.write_str(
                "the example directory is signed with its published demo key: it needs no secret key file",
            ),
            InitError::SecretKeyInside(p) => write!(
                f,
                "{} is inside the new directory: the secret signing key must be kept outside the repository",
                p.display()
            ),
            InitError::SecretKeyExists(p) => write!(
                f,
                "{} already exists: pocdir never overwrites a key; choose another file",
                p.display()
            ),
            InitError::PassphraseNeeded => {
                f.write_str("no passphrase for the new secret key (or ask for an unencrypted key)")
            }
            InitError::PassphraseWithUnencrypted => {
                f.write_str("a passphrase was given for an unencrypted key")
            }
            InitError::Key(e) => write!(f, "cannot make the signing key: {e}"),
            InitError::Io { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl std::error::Error for InitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            InitError::Key(e) => Some(e),
            InitError::Io { error, .. } => Some(error),
            _ => None,
        }
    }
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> InitError + '_ {
    move |error| InitError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// Everything `init` would refuse, checked without writing anything and
/// without the passphrase (its presence is not checked): for the caller to
/// call before asking for a passphrase.
pub fn preflight(opts: &InitOptions) -> Result<(), InitError> {
    plan(opts).map(|_| ())
}

/// What `init` is about to write, checked.
struct Plan {
    target: Target,
    /// Relative path and contents (`keys/secretariat.pub` still empty).
    files: Vec<(String, Cow<'static, [u8]>)>,
    /// The secret key's file, its parent made canonical.
    secret: Option<PathBuf>,
}

fn plan(opts: &InitOptions) -> Result<Plan, InitError> {
    match (opts.example, opts.secret_key) {
        (true, Some(_)) => return Err(InitError::SecretKeyWithExample),
        (false, None) => return Err(InitError::SecretKeyNeeded),
        _ => {}
    }
    if !opts.example && opts.unencrypted && opts.passphrase.is_some() {
        return Err(InitError::PassphraseWithUnencrypted);
    }
    let target = Target::resolve(opts.dir)?;
    let mut files = if opts.example {
        example_files()
    } else {
        fresh_files()
    };
    if !opts.example {
        // Filled in once the key is made; its place is checked now.
        files.push((
            crate::directory::load::SECRETARIAT_PUB.into(),
            Cow::Borrowed(&[]),
        ));
        // Where the key's history starts (issue 18): the same key.
        files.push((
            crate::directory::load::ANCHOR_PUB.into(),
            Cow::Borrowed(&[]),
        ));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    if let Target::Existing(dir) = &target {
        precheck(dir, &files)?;
    }
    let secret = match opts.secret_key {
        Some(path) => Some(check_secret_key_path(path, &target)?),
        None => None,
    };
    Ok(Plan {
        target,
        files,
        secret,
    })
}

/// Start a directory at `opts.dir`. See the module's documentation.
pub fn init(opts: &InitOptions) -> Result<Initialized, InitError> {
    // Everything is checked before the (slow, with scrypt) key generation.
    let Plan {
        target,
        mut files,
        secret,
    } = plan(opts)?;
    if !opts.example && !opts.unencrypted && opts.passphrase.is_none() {
        return Err(InitError::PassphraseNeeded);
    }
    let mut public_key_id = None;
    let mut secret_text = None;
    if !opts.example {
        let comment = if opts.unencrypted {
            "pocdir UNENCRYPTED secret key"
        } else {
            "pocdir encrypted secret key"
        };
        let (sk, pk) =
            signing_keypair_with(opts.passphrase, opts.kdf, comment).map_err(InitError::Key)?;
        public_key_id = crate::directory::validate::fields::minisign_public_key(&pk)
            .ok()
            .map(|k| crate::sign::key_id(&k));
        for (rel, bytes) in files.iter_mut() {
            if rel == crate::directory::load::SECRETARIAT_PUB
                || rel == crate::directory::load::ANCHOR_PUB
            {
                *bytes = Cow::Owned(pk.as_bytes().to_vec());
            }
        }
        files.extend(first_expiry(&sk, &pk, opts.passphrase)?);
        files.sort_by(|a, b| a.0.cmp(&b.0));
        secret_text = Some(sk);
    }
    let written: Vec<PathBuf> = files.iter().map(|(rel, _)| PathBuf::from(rel)).collect();

    // The secret key first: if the directory cannot be written, it goes.
    if let (Some(path), Some(text)) = (&secret, &secret_text) {
        crate::output::new_file(path, text.as_bytes(), true).map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                InitError::SecretKeyExists(path.clone())
            } else {
                io_err(path)(e)
            }
        })?;
    }
    let result = match &target {
        Target::New { parent, path } => write_new(parent, path, &files),
        Target::Existing(dir) => write_into(dir, &files),
    };
    if let Err(e) = result {
        if let Some(path) = &secret {
            let _ = fs::remove_file(path);
        }
        return Err(e);
    }
    Ok(Initialized {
        files: written,
        public_key_id,
    })
}

/// A file `init` writes: its path relative to the root, its bytes.
type PlannedFile = (String, Cow<'static, [u8]>);

/// Version 2 of the key history, written at once (issue #18): the same
/// key, with an expiry (`rotation::DEFAULT_VALIDITY_DAYS` from today). The
/// anchor is a bare key with none; from version 2 on, a key set that is
/// not renewed in time (`pocdir keygen rotate`) stops being accepted —
/// TUF's freeze protection — from the directory's first day.
fn first_expiry(
    sk: &Zeroizing<String>,
    pk_text: &str,
    passphrase: Option<&Zeroizing<String>>,
) -> Result<Vec<PlannedFile>, InitError> {
    use crate::sign::rotation::{self, KeySet};
    let unusable = || {
        InitError::Key(KeyGenError::Statement(rotation::RotationError::Malformed(
            "the new key cannot sign",
        )))
    };
    let pk =
        crate::directory::validate::fields::minisign_public_key(pk_text).map_err(|_| unusable())?;
    let key = crate::sign::load_secret_key(sk, passphrase, &pk).map_err(|_| unusable())?;
    let today = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::UTC)
        .date();
    let expires = today
        .checked_add(jiff::Span::new().days(rotation::DEFAULT_VALIDITY_DAYS))
        .unwrap_or(today);
    let st = rotation::make_statement(
        &KeySet::single(pk.clone(), 1),
        std::slice::from_ref(&pk),
        1,
        today,
        expires,
        &[&key],
    )
    .map_err(InitError::Key)?;
    let dir = crate::directory::load::ROTATIONS_DIR;
    let mut out: Vec<PlannedFile> = vec![(
        format!("{dir}/{}", rotation::statement_file(2)),
        Cow::Owned(st.text),
    )];
    for sig in st.signatures {
        out.push((
            format!(
                "{dir}/{}",
                rotation::signature_file(2, &crate::sign::key_id(&pk))
            ),
            Cow::Owned(sig.into_bytes()),
        ));
    }
    Ok(out)
}

/// Where the directory goes.
enum Target {
    /// `path` does not exist; `parent` does.
    New { parent: PathBuf, path: PathBuf },
    /// An existing folder.
    Existing(PathBuf),
}

impl Target {
    fn resolve(dir: &Path) -> Result<Target, InitError> {
        // The root itself may be a link to a folder (as for `check`);
        // nothing inside it may.
        match fs::metadata(dir) {
            Ok(m) if m.is_dir() => Ok(Target::Existing(
                fs::canonicalize(dir).map_err(io_err(dir))?,
            )),
            Ok(_) => Err(InitError::NotAFolder(dir.to_path_buf())),
            // A dangling link: not followed.
            Err(_) if fs::symlink_metadata(dir).is_ok() => {
                Err(InitError::Symlink(dir.to_path_buf()))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let (parent, name) = split(dir)?;
                Ok(Target::New {
                    path: parent.join(name),
                    parent,
                })
            }
            Err(e) => Err(io_err(dir)(e)),
        }
    }

    /// The directory's path, canonical as far as it exists.
    fn path(&self) -> &Path {
        match self {
            Target::New { path, .. } => path,
            Target::Existing(p) => p,
        }
    }
}

/// A path that does not exist yet as (its canonical, existing parent, its
/// last component).
fn split(path: &Path) -> Result<(PathBuf, std::ffi::OsString), InitError> {
    let Some(Component::Normal(name)) = path.components().next_back() else {
        return Err(InitError::NotAFolder(path.to_path_buf()));
    };
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let parent = fs::canonicalize(parent).map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            InitError::NoParent(parent.to_path_buf())
        } else {
            io_err(parent)(e)
        }
    })?;
    if !parent.is_dir() {
        return Err(InitError::NotAFolder(parent));
    }
    Ok((parent, name.to_os_string()))
}

/// The secret key's file, refused inside the directory or when it exists.
fn check_secret_key_path(path: &Path, target: &Target) -> Result<PathBuf, InitError> {
    if fs::symlink_metadata(path).is_ok() {
        return Err(InitError::SecretKeyExists(path.to_path_buf()));
    }
    // Inside the directory, even a directory still to be made?
    if resolved(path).is_some_and(|p| p.starts_with(target.path())) {
        return Err(InitError::SecretKeyInside(path.to_path_buf()));
    }
    let (parent, name) = split(path).map_err(|e| match e {
        InitError::NotAFolder(_) => InitError::NotAFolder(path.to_path_buf()),
        e => e,
    })?;
    let full = parent.join(name);
    if full.starts_with(target.path()) {
        return Err(InitError::SecretKeyInside(path.to_path_buf()));
    }
    Ok(full)
}

/// `path` made absolute: its deepest existing ancestor made canonical, then
/// the rest (`..` taken lexically). `None` when that fails.
fn resolved(path: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(path).ok()?;
    let mut base = abs.as_path();
    let mut rest = Vec::new();
    let mut canonical = loop {
        if let Ok(c) = fs::canonicalize(base) {
            break c;
        }
        rest.push(base.file_name()?.to_os_string());
        base = base.parent()?;
    };
    for part in rest.iter().rev() {
        if part == ".." {
            canonical.pop();
        } else if part != "." {
            canonical.push(part);
        }
    }
    Some(canonical)
}

/// In an existing folder: no file to write may exist, and every folder on
/// the way must be a real folder.
fn precheck(dir: &Path, files: &[(String, Cow<'static, [u8]>)]) -> Result<(), InitError> {
    let settings = dir.join(crate::directory::load::DIRECTORY_FILE);
    if fs::symlink_metadata(&settings).is_ok() {
        return Err(InitError::AlreadyADirectory(dir.to_path_buf()));
    }
    for (rel, _) in files {
        let mut at = dir.to_path_buf();
        let parts: Vec<&str> = rel.split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            at.push(part);
            let last = i + 1 == parts.len();
            match fs::symlink_metadata(&at) {
                Ok(_) if last => return Err(InitError::WouldOverwrite(at)),
                Ok(m) if m.file_type().is_symlink() => return Err(InitError::Symlink(at)),
                Ok(m) if !m.is_dir() => return Err(InitError::NotAFolder(at)),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => break,
                Err(e) => return Err(io_err(&at)(e)),
            }
        }
    }
    Ok(())
}

/// A new folder: filled beside its place, then renamed into it.
fn write_new(
    parent: &Path,
    path: &Path,
    files: &[(String, Cow<'static, [u8]>)],
) -> Result<(), InitError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Removed with all it holds if anything fails.
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}.init-"))
        .tempdir_in(parent)
        .map_err(io_err(parent))?;
    // A sub-folder with the usual permissions (the temporary folder is
    // private), which becomes the directory.
    let stage = tmp.path().join("dir");
    fs::create_dir(&stage).map_err(io_err(&stage))?;
    for (rel, bytes) in files {
        let p = stage.join(rel);
        if let Some(d) = p.parent() {
            fs::create_dir_all(d).map_err(io_err(d))?;
        }
        fs::write(&p, bytes).map_err(io_err(&path.join(rel)))?;
    }
    // rename(2) replaces only an empty folder: one made meanwhile and
    // holding anything makes it fail.
    fs::rename(&stage, path).map_err(|e| {
        if e.kind() == io::ErrorKind::DirectoryNotEmpty || path.join("content").exists() {
            InitError::WouldOverwrite(path.to_path_buf())
        } else {
            io_err(path)(e)
        }
    })
}

/// An existing folder: each file written without clobbering; on failure,
/// every file and folder made is removed.
fn write_into(dir: &Path, files: &[(String, Cow<'static, [u8]>)]) -> Result<(), InitError> {
    let mut made_files: Vec<PathBuf> = Vec::new();
    let mut made_dirs: Vec<PathBuf> = Vec::new();
    let mut result = Ok(());
    'files: for (rel, bytes) in files {
        let p = dir.join(rel);
        // The folders on the way, outermost first.
        let mut missing = Vec::new();
        let mut d = p.parent();
        while let Some(x) = d {
            if x == dir || x.exists() {
                break;
            }
            missing.push(x.to_path_buf());
            d = x.parent();
        }
        for x in missing.into_iter().rev() {
            if let Err(e) = fs::create_dir(&x) {
                result = Err(io_err(&x)(e));
                break 'files;
            }
            made_dirs.push(x);
        }
        match crate::output::new_file(&p, bytes, false) {
            Ok(()) => made_files.push(p),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                result = Err(InitError::WouldOverwrite(p));
                break;
            }
            Err(e) => {
                result = Err(io_err(&p)(e));
                break;
            }
        }
    }
    if result.is_err() {
        for f in made_files.iter().rev() {
            let _ = fs::remove_file(f);
        }
        for d in made_dirs.iter().rev() {
            let _ = fs::remove_dir(d);
        }
    }
    result
}

/// The example directory, as embedded.
fn example_files() -> Vec<(String, Cow<'static, [u8]>)> {
    EXAMPLE_FILES
        .iter()
        .map(|(rel, bytes)| (rel.to_string(), Cow::Borrowed(*bytes)))
        .collect()
}

/// A new directory's files (but `keys/secretariat.pub`).
fn fresh_files() -> Vec<(String, Cow<'static, [u8]>)> {
    let mut files: Vec<(String, Cow<'static, [u8]>)> = vec![
        (".gitignore".into(), Cow::Borrowed(GITIGNORE.as_bytes())),
        ("README.md".into(), Cow::Borrowed(README.as_bytes())),
        (
            crate::directory::load::DIRECTORY_FILE.into(),
            Cow::Borrowed(DIRECTORY_YAML.as_bytes()),
        ),
        ("content/states/.gitkeep".into(), Cow::Borrowed(&[])),
        ("keys/states/.gitkeep".into(), Cow::Borrowed(&[])),
    ];
    let pages = format!("{}/", crate::directory::load::PAGES_DIR);
    for (rel, bytes) in EXAMPLE_FILES {
        if rel.starts_with(&pages) && rel.ends_with(".md") {
            let page = match std::str::from_utf8(bytes) {
                Ok(text) => Cow::Owned(without_example_notice(text).into_bytes()),
                Err(_) => Cow::Borrowed(*bytes),
            };
            files.push((rel.to_string(), page));
        }
    }
    files
}

/// A page without the example's notice: the first block quote, when it
/// mentions the `.example` domains ("This is an EXAMPLE directory..."),
/// and the blank line after it.
fn without_example_notice(text: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let Some(start) = lines.iter().position(|l| l.starts_with('>')) else {
        return text.to_string();
    };
    let end = lines[start..]
        .iter()
        .position(|l| !l.starts_with('>'))
        .map_or(lines.len(), |n| start + n);
    if !lines[start..end].iter().any(|l| l.contains("`.example`")) {
        return text.to_string();
    }
    let end = if lines.get(end).is_some_and(|l| l.trim().is_empty()) {
        end + 1
    } else {
        end
    };
    lines[..start].concat() + &lines[end..].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh<'a>(dir: &'a Path, key: &'a Path) -> InitOptions<'a> {
        InitOptions {
            dir,
            example: false,
            unencrypted: true,
            passphrase: None,
            kdf: crate::sign::kdf::INTERACTIVE,
            secret_key: Some(key),
        }
    }

    #[test]
    fn the_embedded_example_is_the_repository_s() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert!(EXAMPLE_FILES.len() > 50, "{}", EXAMPLE_FILES.len());
        let names: Vec<&str> = EXAMPLE_FILES.iter().map(|(r, _)| *r).collect();
        for rel in [
            "content/directory.yaml",
            "keys/secretariat.pub",
            "keys/demo/secretariat.key",
            "log/versions.jsonl",
            "content/pages/about.ar.md",
        ] {
            assert!(names.contains(&rel), "{rel} is not embedded");
        }
        for (rel, bytes) in EXAMPLE_FILES {
            assert_eq!(fs::read(root.join(rel)).unwrap(), *bytes, "{rel}");
        }
        assert!(names.windows(2).all(|w| w[0] < w[1]), "not sorted");
    }

    #[test]
    fn fresh_pages_carry_nothing_of_the_example() {
        let files = fresh_files();
        let pages: Vec<_> = files
            .iter()
            .filter(|(r, _)| r.starts_with("content/pages/"))
            .collect();
        // Four pages in six languages.
        assert_eq!(pages.len(), 24);
        for (rel, bytes) in pages {
            let text = std::str::from_utf8(bytes).unwrap();
            assert!(!text.contains(".example"), "{rel}");
            assert!(
                !text.contains("EXAMPLE") && !text.contains("EJEMPLO"),
                "{rel}"
            );
            assert!(text.starts_with("---\n"), "{rel}");
            assert!(
                !text.contains("\n\n\n"),
                "{rel}: a gap where the notice was"
            );
        }
        let about = String::from_utf8(
            files
                .iter()
                .find(|(r, _)| r == "content/pages/about.md")
                .unwrap()
                .1
                .to_vec(),
        )
        .unwrap();
        assert!(about.contains("# About the directory\n\nThe global intergovernmental"));
        // Pages without the notice are copied as they are.
        let plain = "---\ntitle: t\n---\n\n> a quote\n\ntext\n";
        assert_eq!(without_example_notice(plain), plain);
    }

    #[test]
    fn a_new_directory_checks_and_nothing_is_overwritten() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("dir");
        let key = tmp.path().join("secretariat.key");
        let done = init(&fresh(&dir, &key)).unwrap();
        let id = done.public_key_id.clone().unwrap();
        assert!(done.files.contains(&PathBuf::from("keys/secretariat.pub")));
        assert!(done.files.iter().all(|f| dir.join(f).is_file()));
        let pubkey = fs::read_to_string(dir.join("keys/secretariat.pub")).unwrap();
        assert!(pubkey.contains(&id));
        let today = jiff::civil::date(2026, 11, 22);
        let (report, _) = crate::directory::check(&dir, today);
        assert!(
            !report.has_errors() && report.warnings() == 0,
            "{}",
            report.to_json()
        );
        // Nothing beside it but the key.
        let mut names: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["dir", "secretariat.key"]);

        // Again: refused, nothing changed, no second key.
        let key2 = tmp.path().join("other.key");
        let err = init(&fresh(&dir, &key2)).unwrap_err();
        assert!(matches!(err, InitError::AlreadyADirectory(_)), "{err}");
        assert!(!key2.exists());
        assert_eq!(
            fs::read_to_string(dir.join("keys/secretariat.pub")).unwrap(),
            pubkey
        );
        // The example into it: refused too.
        let ex = InitOptions {
            example: true,
            secret_key: None,
            ..fresh(&dir, &key2)
        };
        assert!(matches!(init(&ex), Err(InitError::AlreadyADirectory(_))));
    }

    #[test]
    fn an_existing_folder_is_filled_or_left_as_it_was() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("clone");
        fs::create_dir_all(dir.join("content/pages")).unwrap();
        fs::write(dir.join("NOTES.txt"), "mine").unwrap();
        // A page the new directory would write: refused, nothing written.
        fs::write(dir.join("content/pages/about.fr.md"), "mine").unwrap();
        let key = tmp.path().join("k.key");
        let err = init(&fresh(&dir, &key)).unwrap_err();
        assert!(matches!(err, InitError::WouldOverwrite(_)), "{err}");
        assert!(err.to_string().contains("about.fr.md"), "{err}");
        assert!(!key.exists());
        let mut left: Vec<_> = crate::directory::load::walk_files(&dir);
        left.sort();
        assert_eq!(left, ["NOTES.txt", "content/pages/about.fr.md"]);
        assert!(!dir.join("keys").exists());

        // Without it, the folder is filled and keeps its own files.
        fs::remove_file(dir.join("content/pages/about.fr.md")).unwrap();
        init(&fresh(&dir, &key)).unwrap();
        assert_eq!(fs::read_to_string(dir.join("NOTES.txt")).unwrap(), "mine");
        assert!(dir.join("content/directory.yaml").is_file());
    }

    #[test]
    fn the_secret_key_stays_outside_and_options_are_checked() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("dir");
        let inside = dir.join("keys/secretariat.key");
        // A directory still to be made.
        assert!(matches!(
            init(&fresh(&dir, &inside)),
            Err(InitError::SecretKeyInside(_))
        ));
        assert!(!dir.exists());
        fs::create_dir_all(dir.join("keys")).unwrap();
        let err = init(&fresh(&dir, &inside)).unwrap_err();
        assert!(matches!(err, InitError::SecretKeyInside(_)), "{err}");
        // Also through a path that does not name the directory as given.
        let sneaky = tmp.path().join("dir/../dir/s.key");
        assert!(matches!(
            init(&fresh(&dir, &sneaky)),
            Err(InitError::SecretKeyInside(_))
        ));
        let key = tmp.path().join("s.key");
        let pass = Zeroizing::new("a passphrase".to_string());
        let with_pass = InitOptions {
            passphrase: Some(&pass),
            ..fresh(&dir, &key)
        };
        assert!(matches!(
            init(&with_pass),
            Err(InitError::PassphraseWithUnencrypted)
        ));
        let no_pass = InitOptions {
            unencrypted: false,
            ..fresh(&dir, &key)
        };
        assert!(matches!(init(&no_pass), Err(InitError::PassphraseNeeded)));
        let no_key = InitOptions {
            secret_key: None,
            ..fresh(&dir, &key)
        };
        assert!(matches!(init(&no_key), Err(InitError::SecretKeyNeeded)));
        let missing_parent = tmp.path().join("a/b/dir");
        assert!(matches!(
            init(&fresh(&missing_parent, &key)),
            Err(InitError::NoParent(_))
        ));
        // Nothing was written by any of them.
        assert!(!key.exists());
        assert_eq!(crate::directory::load::walk_files(tmp.path()).len(), 0);
    }

    #[cfg(unix)]
    #[test]
    fn links_inside_the_directory_are_never_followed() {
        use std::os::unix::fs::symlink;
        let tmp = tempfile::tempdir().unwrap();
        let elsewhere = tmp.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        let dir = tmp.path().join("dir");
        fs::create_dir(&dir).unwrap();
        symlink(&elsewhere, dir.join("content")).unwrap();
        let key = tmp.path().join("s.key");
        let err = init(&fresh(&dir, &key)).unwrap_err();
        assert!(matches!(err, InitError::Symlink(_)), "{err}");
        assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0);
        assert!(!key.exists() && !dir.join("keys").exists());
        // A dangling link as the root: refused.
        let dangling = tmp.path().join("dangling");
        symlink(tmp.path().join("nowhere"), &dangling).unwrap();
        let err = init(&fresh(&dangling, &key)).unwrap_err();
        assert!(matches!(err, InitError::Symlink(_)), "{err}");
        // The root itself may be a link to a folder.
        let link = tmp.path().join("link");
        symlink(&elsewhere, &link).unwrap();
        init(&fresh(&link, &key)).unwrap();
        assert!(elsewhere.join("content/directory.yaml").is_file());
    }

    #[test]
    fn an_encrypted_key_opens_with_its_passphrase() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("dir");
        let key = tmp.path().join("s.key");
        let pass = Zeroizing::new("correct horse".to_string());
        let opts = InitOptions {
            unencrypted: false,
            passphrase: Some(&pass),
            ..fresh(&dir, &key)
        };
        init(&opts).unwrap();
        let sk = crate::directory::read::read_secret_key(&key).unwrap();
        assert!(crate::sign::is_encrypted(&sk));
        let pk = crate::directory::validate::fields::minisign_public_key(
            &fs::read_to_string(dir.join("keys/secretariat.pub")).unwrap(),
        )
        .unwrap();
        crate::sign::load_secret_key(&sk, Some(&pass), &pk).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
