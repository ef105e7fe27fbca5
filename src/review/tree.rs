//! A revision's files as git stores them: every path with its mode and
//! object id, read from git objects (`git ls-tree`, `git cat-file`), so no
//! attribute of the revision itself (`.gitattributes`' `export-ignore`,
//! filters) changes what is read. The working tree is listed the same way
//! (`git ls-files`, `git hash-object --no-filters`) for a review before
//! committing.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};

use crate::review::git::{GitError, check_rev, git};

/// Largest file read whole for a review (a bigger one is compared by its
/// object id and materialised as a sparse file of its size, which `load`
/// then refuses as too large).
pub const MAX_READ_BYTES: u64 = 16 * 1024 * 1024;

/// The cap of one path: [`MAX_READ_BYTES`], but the version log's own cap
/// for the version log (issue #18), which `load` reads whole.
fn read_cap(path: &str) -> u64 {
    if path == crate::directory::load::LOG_FILE {
        crate::directory::load::MAX_LOG_BYTES
    } else {
        MAX_READ_BYTES
    }
}

/// What a tree entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    File,
    Executable,
    Symlink,
    /// A git submodule (a commit id, not content).
    Submodule,
}

impl Mode {
    fn from_git(mode: &str) -> Option<Mode> {
        Some(match mode {
            "100644" | "100664" => Mode::File,
            "100755" => Mode::Executable,
            "120000" => Mode::Symlink,
            "160000" => Mode::Submodule,
            _ => return None,
        })
    }
}

/// One path of a tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub mode: Mode,
    /// git object id (blob, or commit for a submodule).
    pub oid: String,
    /// Size in bytes (0 for a submodule).
    pub size: u64,
}

#[derive(Clone, Debug)]
enum Source {
    Revision,
    Working,
}

/// Every file of a revision (or of the working tree), by path.
#[derive(Clone, Debug)]
pub struct Tree {
    root: PathBuf,
    source: Source,
    pub entries: BTreeMap<String, Entry>,
}

impl Tree {
    /// The tree of revision `rev` of the repository at `root`.
    pub fn revision(root: &Path, rev: &str) -> Result<Tree, GitError> {
        check_rev(rev)?;
        let commit = format!("{rev}^{{commit}}");
        git(root, &["rev-parse", "--verify", "--quiet", &commit])?;
        let out = git(root, &["ls-tree", "-r", "-z", "-l", "--full-tree", rev])?;
        let mut entries = BTreeMap::new();
        for rec in out.split(|b| *b == 0).filter(|r| !r.is_empty()) {
            // "<mode> SP <type> SP <oid> SP+ <size> TAB <path>"
            let rec = String::from_utf8_lossy(rec);
            let Some((meta, path)) = rec.split_once('\t') else {
                continue;
            };
            let mut f = meta.split_whitespace();
            let (Some(mode), Some(_kind), Some(oid), Some(size)) =
                (f.next(), f.next(), f.next(), f.next())
            else {
                continue;
            };
            let Some(mode) = Mode::from_git(mode) else {
                continue;
            };
            entries.insert(
                path.to_string(),
                Entry {
                    mode,
                    oid: oid.to_string(),
                    size: size.parse().unwrap_or(0),
                },
            );
        }
        Ok(Tree {
            root: root.to_path_buf(),
            source: Source::Revision,
            entries,
        })
    }

    /// The working tree: tracked files and untracked ones git does not
    /// ignore, each with the object id git would give it.
    pub fn working(root: &Path) -> Result<Tree, GitError> {
        let out = git(
            root,
            &[
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
                "--full-name",
            ],
        )?;
        let paths: Vec<String> = out
            .split(|b| *b == 0)
            .filter(|r| !r.is_empty())
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut entries = BTreeMap::new();
        let mut files = Vec::new();
        for p in paths {
            let full = root.join(&p);
            let Ok(meta) = std::fs::symlink_metadata(&full) else {
                continue; // deleted but still in the index
            };
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&full).unwrap_or_default();
                let oid = hash_object(root, target.as_os_str().as_encoded_bytes())?;
                let size = target.as_os_str().len() as u64;
                entries.insert(
                    p,
                    Entry {
                        mode: Mode::Symlink,
                        oid,
                        size,
                    },
                );
            } else if meta.is_dir() {
                // A submodule's folder.
                entries.insert(
                    p,
                    Entry {
                        mode: Mode::Submodule,
                        oid: String::new(),
                        size: 0,
                    },
                );
            } else {
                use std::os::unix::fs::PermissionsExt;
                let mode = if meta.permissions().mode() & 0o111 != 0 {
                    Mode::Executable
                } else {
                    Mode::File
                };
                if p.contains(['\n', '\r']) {
                    // `--stdin-paths` is one path per line: hash it alone.
                    let bytes = std::fs::read(&full).map_err(|error| GitError::Unpack {
                        rev: "the working tree".into(),
                        error,
                    })?;
                    let oid = hash_object(root, &bytes)?;
                    entries.insert(
                        p,
                        Entry {
                            mode,
                            oid,
                            size: meta.len(),
                        },
                    );
                } else {
                    files.push((p, mode, meta.len()));
                }
            }
        }
        if !files.is_empty() {
            let list: String = files.iter().map(|(p, ..)| format!("{p}\n")).collect();
            let oids = git_stdin(
                root,
                &["hash-object", "--no-filters", "--stdin-paths"],
                list.as_bytes(),
            )?;
            let oids = String::from_utf8_lossy(&oids);
            for ((p, mode, size), oid) in files.into_iter().zip(oids.lines()) {
                entries.insert(
                    p,
                    Entry {
                        mode,
                        oid: oid.trim().to_string(),
                        size,
                    },
                );
            }
        }
        Ok(Tree {
            root: root.to_path_buf(),
            source: Source::Working,
            entries,
        })
    }

    /// The bytes of `path` (a symbolic link: its target). `None` for a
    /// path not in the tree, a submodule or a file over
    /// [`MAX_READ_BYTES`] (the version log: its own cap).
    pub fn read(&self, path: &str) -> Result<Option<Vec<u8>>, GitError> {
        let Some(e) = self.entries.get(path) else {
            return Ok(None);
        };
        if e.mode == Mode::Submodule || e.size > read_cap(path) {
            return Ok(None);
        }
        match self.source {
            Source::Revision => git(&self.root, &["cat-file", "blob", &e.oid]).map(Some),
            Source::Working => {
                let full = self.root.join(path);
                let bytes = if e.mode == Mode::Symlink {
                    std::fs::read_link(&full).map(|t| t.as_os_str().as_encoded_bytes().to_vec())
                } else {
                    std::fs::read(&full)
                };
                bytes.map(Some).map_err(|error| GitError::Unpack {
                    rev: "the working tree".into(),
                    error,
                })
            }
        }
    }

    /// The text of `path`, if it is in the tree and is UTF-8.
    pub fn text(&self, path: &str) -> Option<String> {
        self.read(path)
            .ok()
            .flatten()
            .and_then(|b| String::from_utf8(b).ok())
    }

    /// Write the files under `prefixes` into `into`, as the revision holds
    /// them (symbolic links as links, so `load` refuses them as it would
    /// in a checkout). Only for a revision.
    pub fn materialize(&self, into: &Path, prefixes: &[&str]) -> Result<(), GitError> {
        let unpack = |error| GitError::Unpack {
            rev: "a revision".into(),
            error,
        };
        std::fs::create_dir_all(into).map_err(unpack)?;
        let wanted: Vec<(&String, &Entry)> = self
            .entries
            .iter()
            .filter(|(p, _)| {
                prefixes
                    .iter()
                    .any(|pre| p.starts_with(&format!("{pre}/")) || p.as_str() == *pre)
            })
            .filter(|(p, _)| safe_relative(p))
            .collect();
        let blobs: Vec<&str> = wanted
            .iter()
            .filter(|(p, e)| e.mode != Mode::Submodule && e.size <= read_cap(p))
            .map(|(_, e)| e.oid.as_str())
            .collect();
        let mut contents = cat_batch(&self.root, &blobs)?;
        for (path, e) in wanted {
            let dest = into.join(path);
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent).map_err(unpack)?;
            }
            match e.mode {
                Mode::Submodule => std::fs::create_dir_all(&dest).map_err(unpack)?,
                _ if e.size > read_cap(path) => {
                    let f = std::fs::File::create(&dest).map_err(unpack)?;
                    f.set_len(e.size).map_err(unpack)?;
                }
                Mode::Symlink => {
                    let target = contents.remove(&e.oid).unwrap_or_default();
                    let target = String::from_utf8_lossy(&target).into_owned();
                    std::os::unix::fs::symlink(target, &dest).map_err(unpack)?;
                }
                Mode::File | Mode::Executable => {
                    let bytes = contents.get(&e.oid).cloned().unwrap_or_default();
                    std::fs::write(&dest, bytes).map_err(unpack)?;
                }
            }
        }
        Ok(())
    }
}

/// A path git could hold that stays inside the folder it is written to.
fn safe_relative(p: &str) -> bool {
    !p.is_empty()
        && Path::new(p)
            .components()
            .all(|c| matches!(c, Component::Normal(n) if n != ".git"))
}

fn hash_object(root: &Path, bytes: &[u8]) -> Result<String, GitError> {
    let out = git_stdin(root, &["hash-object", "--no-filters", "--stdin"], bytes)?;
    Ok(String::from_utf8_lossy(&out).trim().to_string())
}

fn git_stdin(root: &Path, args: &[&str], input: &[u8]) -> Result<Vec<u8>, GitError> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(GitError::Spawn)?;
    let mut stdin = child.stdin.take();
    let input = input.to_vec();
    // Feed stdin from a thread so a large output cannot dead-lock us.
    let feeder = std::thread::spawn(move || {
        if let Some(s) = stdin.as_mut() {
            let _ = s.write_all(&input);
        }
        drop(stdin);
    });
    let out = child.wait_with_output().map_err(GitError::Spawn)?;
    let _ = feeder.join();
    if !out.status.success() {
        return Err(GitError::Failed {
            args: args.join(" "),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(out.stdout)
}

/// The contents of blobs, by object id, in one `git cat-file --batch`.
fn cat_batch(root: &Path, oids: &[&str]) -> Result<BTreeMap<String, Vec<u8>>, GitError> {
    let mut out = BTreeMap::new();
    if oids.is_empty() {
        return Ok(out);
    }
    let input: String = oids.iter().map(|o| format!("{o}\n")).collect();
    let bytes = git_stdin(root, &["cat-file", "--batch"], input.as_bytes())?;
    let mut r = &bytes[..];
    while let Some(nl) = r.iter().position(|b| *b == b'\n') {
        let header = String::from_utf8_lossy(&r[..nl]).into_owned();
        r = &r[nl + 1..];
        let mut f = header.split(' ');
        let (Some(oid), Some(kind), Some(size)) = (f.next(), f.next(), f.next()) else {
            continue; // "<oid> missing"
        };
        let Ok(size) = size.parse::<usize>() else {
            break;
        };
        if r.len() < size {
            break;
        }
        let mut content = Vec::with_capacity(size);
        (&r[..size]).read_to_end(&mut content).ok();
        r = r.get(size + 1..).unwrap_or(&[]);
        if kind == "blob" {
            out.insert(oid.to_string(), content);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_leave_the_folder_are_not_written() {
        assert!(safe_relative("content/states/FRA.yaml"));
        for bad in [
            "",
            "../x",
            "/etc/passwd",
            "a/../../b",
            ".git/config",
            "a/.git/x",
        ] {
            assert!(!safe_relative(bad), "{bad}");
        }
    }

    #[test]
    fn modes_are_read_from_git() {
        assert_eq!(Mode::from_git("100644"), Some(Mode::File));
        assert_eq!(Mode::from_git("100755"), Some(Mode::Executable));
        assert_eq!(Mode::from_git("120000"), Some(Mode::Symlink));
        assert_eq!(Mode::from_git("160000"), Some(Mode::Submodule));
        assert_eq!(Mode::from_git("040000"), None);
    }
}
