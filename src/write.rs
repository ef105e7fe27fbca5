//! Writing an output tree atomically: everything goes into a fresh
//! temporary folder beside the target, which then replaces the target.
//! A failure at any point leaves the previous output untouched.

use std::fs;
use std::io;
use std::path::{Component, Path};

/// Replace `<parent>/<name>` by a folder holding exactly `files`.
pub fn tree(parent: &Path, name: &str, files: &[(String, Vec<u8>)]) -> io::Result<()> {
    fs::create_dir_all(parent)?;
    let target = parent.join(name);
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    let result = (|| {
        fs::create_dir_all(&tmp)?;
        for (rel, bytes) in files {
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
            let path = tmp.join(rel_path);
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir)?;
            }
            fs::write(&path, bytes)?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let had_old = target.exists();
    if had_old {
        let _ = fs::remove_dir_all(&old);
        fs::rename(&target, &old)?;
    }
    if let Err(e) = fs::rename(&tmp, &target) {
        if had_old {
            let _ = fs::rename(&old, &target);
        }
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if had_old {
        let _ = fs::remove_dir_all(&old);
    }
    Ok(())
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
    }
}
