//! What each file of an output tree was made from, so a rebuild can link a
//! file whose inputs did not change instead of making it again.
//!
//! The renderer names each file's inputs by a key (a hash of everything
//! the file is made from: see `site::memo`). After a commit the tree's
//! record, `<parent>/.<name>.memo`, lists per file its key and what the
//! file system says of it (inode, size, modification time in
//! nanoseconds). A rebuild reuses a file only if its key is the recorded
//! one and the file in the previous tree is still that very file: a file
//! written since (by a build without a record, by hand) is another inode
//! or another time, so it is made again. The record is never trusted
//! beyond that: a missing, damaged or foreign one (another build of
//! pocdir: `code`) is an empty record, and costs a full render, never a
//! wrong file.

use std::collections::HashMap;

use data_encoding::HEXLOWER;
use std::fs;
use std::path::Path;

/// A file's inputs, hashed (BLAKE2b-256).
pub type Key = [u8; 32];

const HEADER: &str = "pocdir-memo 1";

/// One file of a tree as recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub key: Key,
    pub stamp: Stamp,
}

/// What the file system says of a file: enough to tell the recorded file
/// from any other one later at the same path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    ino: u64,
    size: u64,
    mtime_ns: i128,
}

impl Stamp {
    /// The stamp of a regular file (never a link to one); `None` for
    /// anything else or where the platform gives no inode.
    pub fn of(path: &Path) -> Option<Stamp> {
        let m = fs::symlink_metadata(path).ok()?;
        if !m.file_type().is_file() {
            return None;
        }
        Stamp::from_metadata(&m)
    }

    #[cfg(unix)]
    fn from_metadata(m: &fs::Metadata) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        Some(Stamp {
            ino: m.ino(),
            size: m.size(),
            mtime_ns: i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
        })
    }

    #[cfg(not(unix))]
    fn from_metadata(_: &fs::Metadata) -> Option<Stamp> {
        None
    }
}

/// The record of one tree: path → entry, and the key of everything the
/// tree's keyed files were made from, when all of them are recorded.
#[derive(Debug, Default)]
pub struct Record {
    pub whole: Option<Key>,
    pub entries: HashMap<String, Entry>,
}

/// Where the record of `<parent>/<name>` is kept (beside the tree, so
/// never served with it).
pub fn path(parent: &Path, name: &str) -> std::path::PathBuf {
    parent.join(format!(".{name}.memo"))
}

impl Record {
    /// Read a record written by the same build of pocdir (`code`); any
    /// other (missing, damaged, foreign) is empty.
    pub fn read(path: &Path, code: &str) -> Record {
        let Some(text) = read_capped(path) else {
            return Record::default();
        };
        Record::parse(&text, code).unwrap_or_default()
    }

    fn parse(text: &str, code: &str) -> Option<Record> {
        let mut lines = text.split('\n');
        if lines.next()? != format!("{HEADER} {code}") {
            return None;
        }
        let mut entries = HashMap::new();
        let mut whole = None;
        for line in lines.filter(|l| !l.is_empty()) {
            if let Some(k) = line.strip_prefix("whole ") {
                whole = Some(HEXLOWER.decode(k.as_bytes()).ok()?.try_into().ok()?);
                continue;
            }
            let mut f = line.splitn(5, ' ');
            let key = HEXLOWER
                .decode(f.next()?.as_bytes())
                .ok()?
                .try_into()
                .ok()?;
            let stamp = Stamp {
                ino: f.next()?.parse().ok()?,
                size: f.next()?.parse().ok()?,
                mtime_ns: f.next()?.parse().ok()?,
            };
            entries.insert(f.next()?.to_string(), Entry { key, stamp });
        }
        Some(Record { whole, entries })
    }

    /// The record's text, sorted by path (paths holding a line break are
    /// left out: they are made again next time).
    pub fn to_text(&self, code: &str) -> String {
        let mut rows: Vec<(&String, &Entry)> = self
            .entries
            .iter()
            .filter(|(p, _)| !p.contains(['\n', '\r']))
            .collect();
        rows.sort_by(|a, b| a.0.cmp(b.0));
        let mut out = format!("{HEADER} {code}\n");
        if let Some(k) = self.whole {
            out.push_str(&format!("whole {}\n", HEXLOWER.encode(&k)));
        }
        for (p, e) in rows {
            out.push_str(&format!(
                "{} {} {} {} {p}\n",
                HEXLOWER.encode(&e.key),
                e.stamp.ino,
                e.stamp.size,
                e.stamp.mtime_ns
            ));
        }
        out
    }
}

/// A record's text, if it is UTF-8 and at most [`MAX_RECORD_BYTES`] (a
/// larger file is not a record this build wrote: ignored, never read
/// whole).
pub fn read_capped(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    fs::File::open(path)
        .ok()?
        .take(MAX_RECORD_BYTES + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    if bytes.len() as u64 > MAX_RECORD_BYTES {
        return None;
    }
    String::from_utf8(bytes).ok()
}

/// 64 MiB: some 400,000 files' lines.
pub const MAX_RECORD_BYTES: u64 = 64 << 20;

/// This build of pocdir: its version, commit and executable (size and
/// modification time), so a record made by another build, whose renderer
/// may differ, is never used. `None` where the executable cannot be found.
pub fn code_id() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let m = fs::metadata(exe).ok()?;
    let mtime = m
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!(
        "{}-{}-{}-{}.{:09}",
        env!("CARGO_PKG_VERSION"),
        env!("POCDIR_COMMIT"),
        m.len(),
        mtime.as_secs(),
        mtime.subsec_nanos()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back_and_a_foreign_or_damaged_one_is_empty() {
        let mut r = Record::default();
        let e = Entry {
            key: [7; 32],
            stamp: Stamp {
                ino: 42,
                size: 10,
                mtime_ns: 1_700_000_000_123_456_789,
            },
        };
        r.entries.insert("en/states/FRA.html".into(), e);
        r.entries.insert("pages/a b.html".into(), e);
        r.entries.insert("bad\nname".into(), e);
        let text = r.to_text("c1");
        let back = Record::parse(&text, "c1").expect("parses");
        assert_eq!(back.entries.len(), 2);
        assert_eq!(back.whole, None);
        r.whole = Some([9; 32]);
        assert_eq!(
            Record::parse(&r.to_text("c1"), "c1").unwrap().whole,
            Some([9; 32])
        );
        assert_eq!(back.entries["pages/a b.html"], e);
        assert!(Record::parse(&text, "c2").is_none(), "another build");
        let damaged = text.replace(" 42 ", " x ");
        assert!(Record::parse(&damaged, "c1").is_none());
        assert!(Record::parse("", "c1").is_none());
    }
}
