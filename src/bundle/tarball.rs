//! The bundle's plaintext: a tar of a few named files (format 1), or the
//! same tar compressed with gzip as several members (format 2). Written
//! deterministically (fixed order, owner, mode and time; gzip headers with
//! no time, no name and "unknown" OS); read strictly (regular files with
//! plain names only, few entries, size caps on the bytes actually
//! decompressed, no duplicates, nothing but zeros after the end).

use crate::util::error::message_error;
use std::collections::BTreeMap;
use std::io::{Read, Write};

/// Largest plaintext (the tar, after decompression) `open` accepts.
pub const MAX_PLAINTEXT: u64 = 256 * 1024 * 1024;

/// Most entries a bundle's tar may hold (it holds six).
pub const MAX_ENTRIES: usize = 16;

/// The end of a tar archive: two zero blocks.
pub const END: [u8; 1024] = [0; 1024];

/// Tar entries (headers, data, padding) for `files`, WITHOUT the
/// end-of-archive blocks, so that several runs of entries concatenate
/// into one archive (close it with [`END`]). Same headers as [`write`].
pub fn entries<N: AsRef<str>, D: AsRef<[u8]>>(
    files: &[(N, D)],
    mtime: u64,
) -> std::io::Result<Vec<u8>> {
    let mut out = write(files, mtime)?;
    out.truncate(out.len() - END.len());
    Ok(out)
}

/// `data` as one gzip member (best compression, no name, no time, OS byte
/// 255 "unknown"): the same bytes give the same member everywhere.
pub fn gzip_member(data: &[u8]) -> std::io::Result<Vec<u8>> {
    gzip_member_of(&[data])
}

/// How much of the input each member of [`gzip_members`] holds. Deflate
/// looks back 32 KiB at most, so cutting at 1 MiB costs almost nothing in
/// size (a few bytes of header and trailer per member, about 0.1%).
pub const MEMBER_INPUT: usize = 1 << 20;

/// `data` as consecutive gzip members of [`MEMBER_INPUT`] bytes of input
/// each (the last shorter), compressed on every core: decompressed one
/// after the other they give `data` back (`gzip -d`, `tar xz` and `open`
/// read a stream of several members). The cut points depend only on the
/// length, so the same bytes give the same output everywhere.
pub fn gzip_members(data: &[u8]) -> std::io::Result<Vec<u8>> {
    gzip_members_of(&[data])
}

/// [`gzip_members`] of the concatenation of `pieces`, without
/// concatenating them (same output, cut at the same points).
pub fn gzip_members_of(pieces: &[&[u8]]) -> std::io::Result<Vec<u8>> {
    let mut all = gzip_members_each(&[pieces])?;
    Ok(all.pop().unwrap_or_default())
}

/// [`gzip_members_of`] of each input (each a list of pieces), every
/// member of every input compressed on every core at once.
pub fn gzip_members_each(inputs: &[&[&[u8]]]) -> std::io::Result<Vec<Vec<u8>>> {
    // Each chunk: its input, and the slices of the pieces that make its
    // MEMBER_INPUT bytes.
    let mut chunks: Vec<(usize, Vec<&[u8]>)> = Vec::new();
    for (i, pieces) in inputs.iter().enumerate() {
        chunks.push((i, Vec::new()));
        let mut room = MEMBER_INPUT;
        for piece in pieces.iter() {
            let mut rest: &[u8] = piece;
            while !rest.is_empty() {
                if room == 0 {
                    chunks.push((i, Vec::new()));
                    room = MEMBER_INPUT;
                }
                let (now, later) = rest.split_at(rest.len().min(room));
                if let Some((_, last)) = chunks.last_mut() {
                    last.push(now);
                }
                room -= now.len();
                rest = later;
            }
        }
    }
    let members = crate::util::parallel::map_few(&chunks, |(_, c)| gzip_member_of(c))
        .into_iter()
        .collect::<std::io::Result<Vec<_>>>()?;
    // Each output sized from its members as made (a guess from the input
    // would hold several times their size: text compresses 10 to 30 times).
    let mut sizes = vec![0; inputs.len()];
    for ((i, _), m) in chunks.iter().zip(&members) {
        sizes[*i] += m.len();
    }
    let mut out: Vec<Vec<u8>> = sizes.into_iter().map(Vec::with_capacity).collect();
    for ((i, _), m) in chunks.iter().zip(members) {
        out[*i].extend_from_slice(&m);
    }
    Ok(out)
}

fn gzip_member_of(pieces: &[&[u8]]) -> std::io::Result<Vec<u8>> {
    let total: usize = pieces.iter().map(|p| p.len()).sum();
    let mut gz = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(
            Vec::with_capacity(total / 4 + 64),
            flate2::Compression::best(),
        );
    for p in pieces {
        gz.write_all(p)?;
    }
    let mut member = gz.finish()?;
    // Kept until the whole input is compressed: only its own size.
    member.shrink_to_fit();
    Ok(member)
}

/// The header of one tar entry as [`write`] makes it, for a file of
/// `size` bytes: followed by the data and [`padding`], it is an entry.
pub fn header(name: &str, size: u64, mtime: u64) -> std::io::Result<[u8; 512]> {
    let mut h = tar::Header::new_ustar();
    h.set_path(name)?;
    h.set_size(size);
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(mtime);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_cksum();
    let mut out = [0u8; 512];
    out.copy_from_slice(h.as_bytes());
    Ok(out)
}

/// The zeros that complete the last 512-byte block of `size` bytes of data.
pub fn padding(size: u64) -> &'static [u8] {
    &END[..((512 - size % 512) % 512) as usize]
}

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
        let h = header(name.as_ref(), data.len() as u64, mtime)?;
        b.append(tar::Header::from_byte_slice(&h), data)?;
    }
    b.into_inner()
}

message_error!(
    /// A tar that is not a bundle's archive.
    ArchiveError
);

/// The files of a tar, by name. Refuses anything but regular files with a
/// plain name (no folder, no `..`), duplicates, more than [`MAX_ENTRIES`]
/// entries, oversized content and anything but zeros after the end.
pub fn read(data: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, ArchiveError> {
    read_from(data, MAX_PLAINTEXT)
}

/// The files of a format 2 plaintext: a gzip stream (one or more members)
/// read from `r` and decompressed as it is read, never more than `cap`
/// decompressed bytes whatever the headers say, and never all of it in
/// memory at once: only the files are kept. A truncated stream, or
/// anything but a gzip member after one, is refused.
pub fn read_gzip<R: Read>(r: R, cap: u64) -> Result<BTreeMap<String, Vec<u8>>, ArchiveError> {
    read_from(
        flate2::read::MultiGzDecoder::new(std::io::BufReader::new(r)),
        cap,
    )
}

/// A reader that fails once more than `cap` bytes were read through it.
struct Capped<R> {
    inner: R,
    count: u64,
    cap: u64,
}

const OVER_CAP: &str = "over the size cap";

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        if self.count > self.cap {
            return Err(std::io::Error::other(OVER_CAP));
        }
        Ok(n)
    }
}

/// The strict reader behind [`read`] and [`read_gzip`].
pub fn read_from<R: Read>(r: R, cap: u64) -> Result<BTreeMap<String, Vec<u8>>, ArchiveError> {
    let mut capped = Capped {
        inner: r,
        count: 0,
        cap,
    };
    let too_large = || -> ArchiveError {
        format!(
            "the archive is too large: it decompresses to more than {} MiB",
            cap / (1024 * 1024)
        )
        .into()
    };
    let damaged = |e: std::io::Error, c: u64| -> ArchiveError {
        if c > cap {
            too_large()
        } else {
            format!("damaged archive: {e}").into()
        }
    };
    let mut out = BTreeMap::new();
    let mut total = 0u64;
    let mut end = 0u64;
    {
        let mut a = tar::Archive::new(&mut capped);
        let entries = a.entries().map_err(|e| format!("not a tar archive: {e}"))?;
        for entry in entries {
            let mut entry = entry.map_err(|e| format!("damaged archive: {e}"))?;
            if out.len() >= MAX_ENTRIES {
                return Err(format!("the archive holds more than {MAX_ENTRIES} entries").into());
            }
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
                return Err(
                    format!("the archive holds a file with a forbidden name: {name:?}").into(),
                );
            }
            let size = entry
                .header()
                .size()
                .map_err(|_| "bad entry size".to_string())?;
            total += size;
            if total > cap {
                return Err(too_large());
            }
            // The header's size is not trusted for the allocation beyond a
            // megabyte: the data actually read decides.
            let mut buf = Vec::with_capacity(size.min(1 << 20) as usize);
            entry
                .read_to_end(&mut buf)
                .map_err(|e| format!("damaged archive: {e}"))?;
            if buf.len() as u64 != size {
                return Err("damaged archive: an entry is cut short".into());
            }
            end = entry.raw_file_position() + size.div_ceil(512) * 512;
            if out.insert(name.clone(), buf).is_some() {
                return Err(format!("the archive holds {name} twice").into());
            }
        }
    }
    if capped.count > cap {
        return Err(too_large());
    }
    // After the last entry: the end-of-archive blocks, and nothing else
    // (read to the end of the stream, within the cap).
    let mut rest = [0u8; 8192];
    loop {
        let before = capped.count;
        match capped.read(&mut rest) {
            Ok(0) => break,
            Ok(n) => {
                if rest[..n].iter().any(|&b| b != 0) {
                    return Err("the archive has data after its end".into());
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(damaged(e, before.max(capped.count))),
        }
    }
    if capped.count < end + END.len() as u64 {
        return Err("the archive has no proper end".into());
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
        let mut trailing = t1.clone();
        trailing.extend_from_slice(b"x");
        assert!(read(&trailing).is_err(), "data after the end is refused");
        assert!(
            read(&t1[..t1.len() - 512]).is_err(),
            "one end block is not enough"
        );
        let many: Vec<(String, Vec<u8>)> = (0..=MAX_ENTRIES)
            .map(|i| (format!("f{i}"), vec![]))
            .collect();
        assert!(read(&write(&many, 0).unwrap()).is_err(), "too many entries");
    }

    #[test]
    fn members_concatenate_into_one_archive() {
        let a = entries(&[("manifest.json", b"{}")], 7).unwrap();
        let b = entries(&[("data.txt", b"hello")], 7).unwrap();
        let mut whole = a.clone();
        whole.extend_from_slice(&b);
        whole.extend_from_slice(&END);
        assert_eq!(
            whole,
            write(&[("manifest.json", &b"{}"[..]), ("data.txt", b"hello")], 7).unwrap()
        );
        let mut gz = gzip_member(&a).unwrap();
        let mut b_end = b.clone();
        b_end.extend_from_slice(&END);
        gz.extend_from_slice(&gzip_member(&b_end).unwrap());
        assert_eq!(gz, {
            let mut again = gzip_member(&a).unwrap();
            again.extend_from_slice(&gzip_member(&b_end).unwrap());
            again
        });
        let back = read_gzip(&gz[..], MAX_PLAINTEXT).unwrap();
        assert_eq!(back, read(&whole).unwrap());
        assert_eq!(back.len(), 2);
        assert!(
            read_gzip(&gz[..gz.len() - 3], MAX_PLAINTEXT).is_err(),
            "truncated"
        );
        let mut junk = gz.clone();
        junk.extend_from_slice(b"junk");
        assert!(
            read_gzip(&junk[..], MAX_PLAINTEXT).is_err(),
            "trailing garbage"
        );
        assert!(read_gzip(&gz[..], 2000).is_err(), "over the cap");
        let mut bomb = gzip_member(&a).unwrap();
        bomb.extend_from_slice(&gzip_member(&vec![0; 1 << 20]).unwrap());
        let e = read_gzip(&bomb[..], 1 << 19).unwrap_err().to_string();
        assert!(e.contains("too large"), "{e}");
    }

    /// Members cut every MEMBER_INPUT bytes of the stream, whatever the
    /// pieces it comes in; an entry made of header, data and padding is
    /// the entry `entries` makes.
    #[test]
    fn members_of_pieces_are_the_members_of_their_concatenation() {
        let data: Vec<u8> = (0..(MEMBER_INPUT * 2 + 12345))
            .map(|i| (i % 251) as u8 ^ (i / 7919) as u8)
            .collect();
        let whole = gzip_members(&data).unwrap();
        let (a, rest) = data.split_at(100);
        let (b, c) = rest.split_at(MEMBER_INPUT + 3);
        assert_eq!(gzip_members_of(&[a, b, &[], c]).unwrap(), whole);
        let mut back = Vec::new();
        flate2::read::MultiGzDecoder::new(&whole[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, data);
        // Three members: two full, one short.
        let mut members = 0;
        let mut rest = &whole[..];
        while !rest.is_empty() {
            let mut d = flate2::bufread::GzDecoder::new(rest);
            std::io::copy(&mut d, &mut std::io::sink()).unwrap();
            rest = d.into_inner();
            members += 1;
        }
        assert_eq!(members, 3);
        let body = b"<html>x</html>";
        let mut entry = header("index.html", body.len() as u64, 9).unwrap().to_vec();
        entry.extend_from_slice(body);
        entry.extend_from_slice(padding(body.len() as u64));
        assert_eq!(entry, entries(&[("index.html", &body[..])], 9).unwrap());
        assert!(padding(512).is_empty() && padding(513).len() == 511);
    }
}
