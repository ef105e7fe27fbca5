//! Guarded reads: every file of the directory is read through here. No
//! symbolic links (on the file or any folder above it under the root), a
//! size cap, valid UTF-8, no NUL byte, and no control or bidi characters
//! (reported with their line and column).

use std::fmt;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::directory::diagnostic::{Code, Diagnostic};
use crate::directory::span::Pos;
use crate::util::text::is_bidi_control;

/// Largest file pocdir reads (a State file is a few kilobytes).
pub const MAX_FILE_BYTES: u64 = 256 * 1024;
/// Largest campaign file (a ping per PoC of 193 States, with answers).
pub const MAX_PING_FILE_BYTES: u64 = 1024 * 1024;
/// Largest version log, `log/versions.jsonl` (a version is a line of
/// some 200 bytes: about 300,000 versions).
pub const MAX_LOG_BYTES: u64 = 64 * 1024 * 1024;
/// Largest secret key file [`read_secret_key`] accepts.
pub const MAX_SECRET_KEY_BYTES: u64 = 4096;

/// The size limit of a directory file.
fn size_cap(rel: &str) -> u64 {
    if rel.starts_with(super::load::PINGS_DIR) {
        MAX_PING_FILE_BYTES
    } else if rel == super::load::LOG_FILE {
        MAX_LOG_BYTES
    } else {
        MAX_FILE_BYTES
    }
}

/// What to say of a file over its cap.
fn too_large_hint(rel: &str) -> &'static str {
    if rel == super::load::LOG_FILE {
        "the version log grows by some 200 bytes a version: this cap holds about 300,000 versions, more than any directory issues; check that this is the log `pocdir build` wrote"
    } else {
        "a State's entry is a few kilobytes; check that this is the right file"
    }
}

/// Read `rel` under `root` with every guard. On success, the text plus any
/// problems found in it (control or bidi characters); an `Err` when it
/// cannot be read as text at all.
pub fn read_text(root: &Path, rel: &str) -> Result<(String, Vec<Diagnostic>), Diagnostic> {
    if let Some((parent, _)) = rel.rsplit_once('/') {
        no_symlink_on_path(root, parent)?;
    }
    let path = root.join(rel);
    let meta = fs::symlink_metadata(&path).map_err(|e| {
        Diagnostic::error(
            Code::Unreadable,
            rel,
            Pos::UNKNOWN,
            format!("cannot read: {}", io_reason(&e)),
        )
    })?;
    if meta.file_type().is_symlink() {
        return Err(Diagnostic::error(
            Code::Symlink,
            rel,
            Pos::UNKNOWN,
            "symbolic links are not allowed in a directory",
        )
        .hint("replace the link by the file itself"));
    }
    if !meta.is_file() {
        return Err(Diagnostic::error(
            Code::Unreadable,
            rel,
            Pos::UNKNOWN,
            "not a regular file",
        ));
    }
    let cap = size_cap(rel);
    if meta.len() > cap {
        return Err(Diagnostic::error(
            Code::FileTooLarge,
            rel,
            Pos::UNKNOWN,
            format!("file is {} bytes; the limit is {cap} bytes", meta.len()),
        )
        .hint(too_large_hint(rel)));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    fs::File::open(&path)
        .and_then(|f| f.take(cap + 1).read_to_end(&mut bytes))
        .map_err(|e| {
            Diagnostic::error(
                Code::Unreadable,
                rel,
                Pos::UNKNOWN,
                format!("cannot read: {}", io_reason(&e)),
            )
        })?;
    if bytes.len() as u64 > cap {
        return Err(Diagnostic::error(
            Code::FileTooLarge,
            rel,
            Pos::UNKNOWN,
            format!("file is over {cap} bytes"),
        ));
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let good = std::str::from_utf8(good).unwrap_or("");
            return Err(Diagnostic::error(
                Code::InvalidUtf8,
                rel,
                end_pos(good),
                "file is not valid UTF-8",
            )
            .hint("save the file as UTF-8"));
        }
    };
    let text = text
        .strip_prefix('\u{FEFF}')
        .map(str::to_string)
        .unwrap_or(text);
    let mut problems = Vec::new();
    // Fast path: no control byte and no byte that can start a bidi control
    // (U+061C starts with 0xD8, U+200E.. with 0xE2).
    let suspicious = text.bytes().any(|b| {
        (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t'))
            || b == 0x7f
            || b == 0xD8
            || b == 0xE2
            || b == 0xC2
    });
    if !suspicious {
        return Ok((text, problems));
    }
    let mut line = 1;
    let mut col = 1;
    for c in text.chars() {
        let pos = Pos::new(line, col);
        if c == '\0' {
            return Err(
                Diagnostic::error(Code::NulByte, rel, pos, "file contains a NUL byte").hint(
                    "a NUL byte has no place in a text file; the file may be binary or corrupted",
                ),
            );
        } else if is_bidi_control(c) {
            problems.push(
                Diagnostic::error(
                    Code::BidiControl,
                    rel,
                    pos,
                    format!("invisible bidirectional control character U+{:04X}", c as u32),
                )
                .hint("bidi controls can make text display differently from what it says; delete it (Arabic text needs none)"),
            );
        } else if c.is_control() && !matches!(c, '\n' | '\r' | '\t') {
            problems.push(
                Diagnostic::error(
                    Code::ControlCharacter,
                    rel,
                    pos,
                    format!("control character U+{:04X}", c as u32),
                )
                .hint("delete it"),
            );
        }
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
        if problems.len() >= 20 {
            break;
        }
    }
    Ok((text, problems))
}

/// Refuse a folder path under `root` any of whose parts is a symbolic link
/// (it could lead outside the directory).
pub(crate) fn no_symlink_on_path(root: &Path, rel_dir: &str) -> Result<(), Diagnostic> {
    let mut path = root.to_path_buf();
    let mut rel = String::new();
    for part in rel_dir.split('/') {
        path.push(part);
        if !rel.is_empty() {
            rel.push('/');
        }
        rel.push_str(part);
        if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(Diagnostic::error(
                Code::Symlink,
                rel,
                Pos::UNKNOWN,
                "symbolic links are not allowed in a directory",
            )
            .hint("replace the link by the folder itself"));
        }
    }
    Ok(())
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Position just after `s`.
fn end_pos(s: &str) -> Pos {
    let line = s.matches('\n').count() + 1;
    let col = s
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    Pos::new(line, col)
}

/// Whether the first 4 KiB of a file hold the word DEMO.
pub(crate) fn says_demo(path: &Path) -> bool {
    let mut buf = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(4096).read_to_end(&mut buf))
        .is_ok()
        && buf.windows(4).any(|w| w == b"DEMO")
}

/// Regular files below `base` (relative, sorted); a symbolic link is
/// reported (as `prefix/...`) and skipped.
pub(crate) fn walk_entries(base: &Path, diags: &mut Vec<Diagnostic>, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(base)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        let Ok(rel) = entry.path().strip_prefix(base) else {
            continue;
        };
        let rel: Vec<_> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let rel = rel.join("/");
        if entry.path_is_symlink() {
            diags.push(
                Diagnostic::error(
                    Code::Symlink,
                    format!("{prefix}/{rel}"),
                    Pos::UNKNOWN,
                    "symbolic links are not allowed in a directory",
                )
                .hint("replace the link by the file itself"),
            );
        } else if entry.file_type().is_file() && !rel.split('/').any(|p| p.starts_with('.')) {
            out.push(rel);
        }
    }
    out
}

/// Folders never looked into: version control, build output, dependencies.
const SKIP_DIRS: &[&str] = &[".git", "target", "dist", "node_modules"];

/// Every regular file below `dir`, relative, `/`-separated, sorted. Links
/// are not followed.
pub fn walk_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return out;
    }
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() != 1 || !SKIP_DIRS.iter().any(|s| e.file_name() == *s));
    for entry in walker.flatten() {
        if !entry.file_type().is_file() {
            continue;
        }
        if let Ok(rel) = entry.path().strip_prefix(dir) {
            let parts: Vec<_> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect();
            out.push(parts.join("/"));
        }
    }
    out
}

/// Why a secret key file could not be read. Never quotes the file's
/// content.
#[derive(Debug)]
pub enum SecretFileError {
    /// The file could not be opened or read.
    Unreadable { path: PathBuf, reason: String },
    /// Not a regular file, over [`MAX_SECRET_KEY_BYTES`], or not UTF-8.
    NotAKeyFile { path: PathBuf },
}

impl fmt::Display for SecretFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretFileError::Unreadable { path, reason } => {
                write!(f, "cannot read {}: {reason}", path.display())
            }
            SecretFileError::NotAKeyFile { path } => {
                write!(f, "{} is not a key file", path.display())
            }
        }
    }
}

impl std::error::Error for SecretFileError {}

impl From<SecretFileError> for String {
    fn from(e: SecretFileError) -> String {
        e.to_string()
    }
}

/// Read a secret key file (outside or inside the directory) into a buffer
/// wiped on drop.
pub fn read_secret_key(path: &Path) -> Result<zeroize::Zeroizing<String>, SecretFileError> {
    let unreadable = |e: std::io::Error| SecretFileError::Unreadable {
        path: path.to_path_buf(),
        reason: io_reason(&e),
    };
    let not_key = || SecretFileError::NotAKeyFile {
        path: path.to_path_buf(),
    };
    let meta = fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() || meta.len() > MAX_SECRET_KEY_BYTES {
        return Err(not_key());
    }
    let mut bytes = zeroize::Zeroizing::new(Vec::with_capacity(meta.len() as usize));
    fs::File::open(path)
        .and_then(|f| f.take(MAX_SECRET_KEY_BYTES + 1).read_to_end(&mut bytes))
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_SECRET_KEY_BYTES {
        return Err(not_key());
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| not_key())?;
    Ok(zeroize::Zeroizing::new(text.to_string()))
}
