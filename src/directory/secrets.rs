//! The secret-key scan: every file of the root (but `keys/demo/`, build
//! output, VCS folders and the tool's test fixtures) is looked through for
//! secret key material, reported by file and line, never echoed.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::directory::diagnostic::{Code, Diagnostic};
use crate::directory::read::walk_files;
use crate::directory::span::Pos;

/// Largest file the secret scan reads.
pub const MAX_SCAN_BYTES: u64 = 64 * 1024 * 1024;

/// A file that looks like it holds secret key material.
#[derive(Clone, Debug)]
pub struct SecretHit {
    pub file: String,
    pub pos: Pos,
    pub what: &'static str,
}

/// Also skipped by the secret scan: the tool's own test fixtures, which hold
/// deliberately planted keys.
const SCAN_SKIP_DIRS: &[&str] = &["tests/"];

/// Look through every file of `root` (but `keys/demo/`, build output, VCS
/// folders and test fixtures) for secret key material. `sources` holds the
/// texts already read (not read again). Gives the hits, and a warning for
/// each file too large to scan.
pub fn scan(root: &Path, sources: &BTreeMap<String, String>) -> (Vec<SecretHit>, Vec<Diagnostic>) {
    let mut hits = Vec::new();
    let mut diagnostics = Vec::new();
    for rel in walk_files(root) {
        if rel.starts_with(&format!("{}/", super::load::DEMO_DIR))
            || SCAN_SKIP_DIRS.iter().any(|d| rel.starts_with(d))
        {
            continue;
        }
        let path = root.join(&rel);
        let Ok(meta) = fs::metadata(&path) else {
            continue;
        };
        if meta.len() > MAX_SCAN_BYTES {
            diagnostics.push(
                Diagnostic::warning(
                    Code::NotScanned,
                    rel.clone(),
                    Pos::UNKNOWN,
                    "file too large to scan for secret keys",
                )
                .hint("a directory repository has no business holding files this large"),
            );
            continue;
        }
        let text = match sources.get(&rel) {
            Some(t) => std::borrow::Cow::Borrowed(t.as_str()),
            None => {
                let Ok(bytes) = fs::read(&path) else { continue };
                std::borrow::Cow::Owned(String::from_utf8_lossy(&bytes).into_owned())
            }
        };
        if !might_hold_secret(&text) {
            continue;
        }
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let next = lines.get(i + 1).copied().unwrap_or("");
            if let Some((col, what)) = secret_in_line(line, next) {
                hits.push(SecretHit {
                    file: rel.clone(),
                    pos: Pos::new(i + 1, col),
                    what,
                });
                break;
            }
        }
    }
    (hits, diagnostics)
}

/// Cheap whole-text test before the line-by-line [`secret_in_line`].
fn might_hold_secret(text: &str) -> bool {
    [
        "AGE-SECRET-KEY-1",
        "RWRTY0Iy",
        "RWQAAEIy",
        "UFNTY",
        "UFMAA",
        "PRIVATE KEY-----",
    ]
    .iter()
    .any(|m| text.contains(m))
}

/// Secret-key signatures: (column, what) of the first one on `line`
/// (`next` is the line after it, for PEM blocks).
pub fn secret_in_line(line: &str, next: &str) -> Option<(usize, &'static str)> {
    const AGE: &str = "AGE-SECRET-KEY-1";
    if let Some(i) = line.find(AGE) {
        let rest = &line[i + AGE.len()..];
        let n = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        if n >= 50 {
            return Some((col_of(line, i), "an age secret key"));
        }
    }
    let t = line.trim_start();
    // minisign secret keys: base64 of "Ed" + KDF ("Sc" or none) + "B2".
    for prefix in ["RWRTY0Iy", "RWQAAEIy"] {
        if t.starts_with(prefix)
            && t.len() >= 150
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c))
        {
            return Some((col_of(line, line.len() - t.len()), "a minisign secret key"));
        }
    }
    // pocdir site secrets (issue #16): base64 of "PS" + KDF ("Sc" or
    // none), 116 bytes.
    for prefix in ["UFNTY", "UFMAA"] {
        let body = t.trim_end();
        if body.starts_with(prefix)
            && body.len() == 156
            && body
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c))
        {
            return Some((col_of(line, line.len() - t.len()), "a pocdir site secret"));
        }
    }
    if t.starts_with("-----BEGIN ") && t.trim_end().ends_with("PRIVATE KEY-----") {
        let body = next.trim();
        if body.len() >= 40
            && body
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c))
        {
            return Some((
                col_of(line, line.len() - t.len()),
                "a PEM/OpenSSH private key",
            ));
        }
    }
    None
}

fn col_of(line: &str, byte: usize) -> usize {
    line[..byte].chars().count() + 1
}
