//! The bundle's plaintext: a tar of a few named files. Written
//! deterministically (fixed order, owner, mode and time); read strictly
//! (regular files with plain names only, size caps, no duplicates).

use crate::util::error::message_error;
use std::collections::BTreeMap;
use std::io::Read;

/// Largest plaintext `open` accepts.
pub const MAX_PLAINTEXT: u64 = 64 * 1024 * 1024;

/// A tar of `files` (in the given order), every entry owned by 0:0, mode
/// 0644, modified at `mtime` (seconds since the epoch).
pub fn write<N: AsRef<str>, D: AsRef<[u8]>>(
    files: &[(N, D)],
    mtime: u64,
) -> std::io::Result<Vec<u8>> {
    let size: usize = files.iter().map(|(_, d)| d.as_ref().len() + 1024).sum();
    let mut b = tar::Builder::new(Vec::with_capacity(size + 1024));
    b.mode(tar::HeaderMode::Deterministic);
    for (name, data) in files {
        let data = data.as_ref();
        let mut h = tar::Header::new_ustar();
        h.set_path(name.as_ref())?;
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(mtime);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_cksum();
        b.append(&h, data)?;
    }
    b.into_inner()
}

message_error!(
    /// A tar that is not a bundle's archive.
    ArchiveError
);

/// The files of a tar, by name. Refuses anything but regular files with a
/// plain name (no folder, no `..`), duplicates, and oversized content.
pub fn read(data: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, ArchiveError> {
    let mut a = tar::Archive::new(data);
    let mut out = BTreeMap::new();
    let mut total = 0u64;
    for entry in a.entries().map_err(|e| format!("not a tar archive: {e}"))? {
        let mut entry = entry.map_err(|e| format!("damaged tar archive: {e}"))?;
        if entry.header().entry_type() != tar::EntryType::Regular {
            return Err("the archive holds something other than a regular file".into());
        }
        let name = entry
            .path()
            .map_err(|_| "an entry has an unreadable name".to_string())?
            .to_string_lossy()
            .into_owned();
        let plain = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
            && !name.starts_with('.');
        if !plain {
            return Err(format!("the archive holds a file with a forbidden name: {name:?}").into());
        }
        let size = entry
            .header()
            .size()
            .map_err(|_| "bad entry size".to_string())?;
        total += size;
        if total > MAX_PLAINTEXT {
            return Err("the archive is too large".into());
        }
        let mut buf = Vec::with_capacity(size as usize);
        entry
            .read_to_end(&mut buf)
            .map_err(|e| format!("damaged tar archive: {e}"))?;
        if out.insert(name.clone(), buf).is_some() {
            return Err(format!("the archive holds {name} twice").into());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_strict() {
        let files = vec![
            ("manifest.json".to_string(), b"{}".to_vec()),
            ("a.txt".to_string(), b"x".to_vec()),
        ];
        let t1 = write(&files, 1_800_000_000).unwrap();
        assert_eq!(t1, write(&files, 1_800_000_000).unwrap());
        let back = read(&t1).unwrap();
        assert_eq!(back["a.txt"], b"x");
        let evil = write(&[("../x".to_string(), b"x".to_vec())], 0);
        if let Ok(evil) = evil {
            assert!(read(&evil).is_err());
        }
        assert!(read(&t1[..600]).is_err(), "a truncated archive is refused");
    }
}
