//! Bundle format 2 (issue #13): `<ISO3>.tar.gz.age`, a gzip stream of
//! several members decompressing into one tar, the per-State part first.
//! Its committed vectors (tests/vectors/open2/, made by `cargo run
//! --example vectors -- --out tests/vectors/open2`), interoperability with
//! the stock `minisign`, `age` and GNU `tar`, determinism and size. The
//! format 1 vectors (tests/vectors/open/) are run by `bundle.rs`: `open`
//! still reads format 1.

use std::fs;
use std::path::{Path, PathBuf};

use crate::build::example;
use crate::bundle::{
    BUNDLE_FILES, check_vector_in, expected, now_for, open, sealed, snapshot, trust_and_extract,
};
use crate::peers::{self, age_decrypt, age_decrypt_raw, tool};
use crate::support;

/// Every vector folder under tests/vectors/open2/, sorted.
const VECTORS: [&str; 41] = [
    "bitflip-ciphertext",
    "bitflip-key-id",
    "bitflip-signature",
    "bitflip-trusted-comment",
    "data-after-end-of-archive",
    "expired",
    "format1-comment-on-format2-body",
    "format2-comment-on-format1-body",
    "gzip-bomb",
    "gzip-trailing-garbage",
    "gzip-truncated",
    "issued-in-the-future",
    "key-set-expired",
    "log-head-disagrees",
    "lost-pin",
    "lower-sequence",
    "malformed-comment",
    "other-state-renamed",
    "pin-disagrees-with-record",
    "retired-key",
    "retired-key-recorded",
    "rotated",
    "rotated-without-statement",
    "rotation-dated-in-the-future",
    "rotation-fork",
    "rotation-not-signed-by-new-key",
    "rotation-out-of-order",
    "rotation-self-signed",
    "same-sequence-other-root",
    "state-follows-other-state",
    "tampered-content",
    "threshold-met",
    "threshold-not-met",
    "threshold-same-key-twice",
    "too-many-entries",
    "trailing-garbage",
    "truncated",
    "unknown-format",
    "unknown-key",
    "valid",
    "wrong-identity",
];

fn vectors2() -> PathBuf {
    support::repo_root().join("tests/vectors/open2")
}

#[test]
fn format2_vector_folders_are_the_expected_classes() {
    let mut names: Vec<String> = fs::read_dir(vectors2())
        .expect("tests/vectors/open2 exists")
        .map(|e| e.expect("entry"))
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names, VECTORS,
        "regenerate with `cargo run --example vectors -- --out tests/vectors/open2`"
    );
    for name in VECTORS {
        let e = expected(&vectors2().join(name));
        assert_eq!(e.bundle, "FRA.tar.gz.age", "{name}");
        assert_eq!(e.exit == 0, e.class.is_none(), "{name}: exit and class");
    }
}

#[test]
fn every_format2_vector_gives_its_class() {
    let failures: Vec<String> = VECTORS
        .iter()
        .filter_map(|n| {
            check_vector_in(&vectors2(), n)
                .err()
                .map(|e| format!("{n}: {e}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The valid format 2 vector really is format 2 (the stock tools see a
/// gzip stream of several members), and the format 1 one is format 1.
#[test]
fn the_valid_vectors_are_of_their_format() {
    let v2 = vectors2().join("valid");
    let plain = age_decrypt_raw(&v2.join("identity.key"), &v2.join("FRA.tar.gz.age"));
    assert_eq!(&plain[..3], &[0x1f, 0x8b, 8], "a gzip stream");
    assert_eq!(members(&plain).len(), 3, "per-State, exports, page");
    let v1 = support::repo_root().join("tests/vectors/open/valid");
    let plain1 = age_decrypt_raw(&v1.join("identity.key"), &v1.join("FRA.tar.age"));
    assert_eq!(&plain1[257..262], b"ustar", "format 1 is a plain tar");
}

/// `tar xzf ARCHIVE -C DIR` by GNU tar: every file it extracts.
fn gnu_tar_extract(archive: &Path, dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fs::create_dir_all(dir).unwrap();
    let (ok, _, err) = peers::run_tool(
        "tar",
        &[
            "xzf".as_ref(),
            archive.as_os_str(),
            "-C".as_ref(),
            dir.as_os_str(),
        ],
        Path::new("."),
    );
    assert!(ok, "tar xzf failed: {err}");
    peers::tree(dir)
}

#[test]
fn stock_tools_open_format_2_and_find_what_pocdir_extracts() {
    let root = example();
    let out = tempfile::tempdir().unwrap();
    sealed(root.path(), out.path());
    let bundles = out.path().join("bundles");
    assert!(!bundles.join("FRA.tar.age").exists(), "no format 1 file");
    let bundle = bundles.join("FRA.tar.gz.age");
    let sig = bundles.join("FRA.tar.gz.age.minisig");
    let verified = peers::minisign_verify(&bundle, &sig, &root.path().join("keys/secretariat.pub"));
    assert!(
        verified.contains("Trusted comment: pocdir-bundle/2 state=FRA seq="),
        "{verified}"
    );
    let key = root.path().join("keys/demo/states/FRA.key");
    let tmp = tempfile::tempdir().unwrap();
    let gz = tmp.path().join("FRA.tar.gz");
    // age -d -i FRA.key -o FRA.tar.gz FRA.tar.gz.age, as the mail says.
    let (ok, _, err) = peers::run_tool(
        "age",
        &[
            "-d".as_ref(),
            "-i".as_ref(),
            key.as_os_str(),
            "-o".as_ref(),
            gz.as_os_str(),
            bundle.as_os_str(),
        ],
        Path::new("."),
    );
    assert!(ok, "age -d: {err}");
    // tar tz lists the files in order, the per-State part first.
    let (ok, listed, err) =
        peers::run_tool("tar", &["tzf".as_ref(), gz.as_os_str()], Path::new("."));
    assert!(ok, "tar tzf: {err}");
    let listed: Vec<String> = String::from_utf8_lossy(&listed)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(listed, BUNDLE_FILES);
    let by_tar = gnu_tar_extract(&gz, &tmp.path().join("by-tar"));

    let x = tmp.path().join("by-pocdir");
    let r = open(
        &bundle,
        &key,
        &tmp.path().join("state"),
        &now_for(&sig),
        &trust_and_extract(&root.path().join("keys/secretariat.pub"), &x),
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(snapshot(&x), by_tar, "pocdir and GNU tar extract the same");

    // Stock gzip agrees that the stream is whole (every member checked).
    let (ok, _, err) = peers::run_tool("gzip", &["-t".as_ref(), gz.as_os_str()], Path::new("."));
    assert!(ok, "gzip -t: {err}");
}

#[test]
fn format2_plaintext_is_deterministic_and_small() {
    let root = example();
    let (out1, out2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    sealed(root.path(), out1.path());
    sealed(root.path(), out2.path());
    let key = root.path().join("keys/demo/states/FRA.key");
    let p1 = age_decrypt_raw(&key, &out1.path().join("bundles/FRA.tar.gz.age"));
    let p2 = age_decrypt_raw(&key, &out2.path().join("bundles/FRA.tar.gz.age"));
    assert!(p1 == p2, "the same version gives byte-identical plaintext");
    // gzip headers: no time (bytes 4..8), OS 255 (unknown), no name.
    assert_eq!(&p1[..4], &[0x1f, 0x8b, 8, 0], "deflate, no flags (no name)");
    assert_eq!(&p1[4..8], &[0, 0, 0, 0], "no modification time");
    assert_eq!(p1[9], 255, "OS unknown");
    // Two States share the exports' member (the second) byte for byte;
    // the first is each State's own; the third, contacts.vcf, is in the
    // language its Mission writes in (France: French, Germany: English).
    let deu = age_decrypt_raw(
        &root.path().join("keys/demo/states/DEU.key"),
        &out1.path().join("bundles/DEU.tar.gz.age"),
    );
    let (fra_m, deu_m) = (members(&p1), members(&deu));
    // Then the offline page: its own frame, and each language's section
    // as members compressed once for every page that shows it (France's
    // page shows French and English, Germany's English).
    assert!(
        fra_m.len() > 4 && deu_m.len() > 4,
        "{} {}",
        fra_m.len(),
        deu_m.len()
    );
    let in_both = fra_m[3..].iter().filter(|m| deu_m[3..].contains(m)).count();
    assert!(
        in_both >= 1,
        "the English section is the same bytes in both"
    );
    assert!(
        fra_m.len() > deu_m.len(),
        "France's page has a French section too"
    );
    assert!(fra_m[0] != deu_m[0], "each State's own member");
    assert!(
        fra_m[1] == deu_m[1],
        "the shared exports are the same bytes"
    );
    assert!(
        fra_m[2] != deu_m[2],
        "contacts.vcf in each State's language"
    );
    // Small: the tar compresses well (the example's bundle is a few
    // hundred KB uncompressed).
    let tar = age_decrypt(&key, &out1.path().join("bundles/FRA.tar.gz.age"));
    let sealed_len = fs::metadata(out1.path().join("bundles/FRA.tar.gz.age"))
        .unwrap()
        .len() as usize;
    assert!(
        sealed_len * 4 < tar.len(),
        "FRA.tar.gz.age is {sealed_len} bytes for a {}-byte tar",
        tar.len()
    );
}

/// The gzip members of a stream, as bytes.
fn members(data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let mut d = flate2::bufread::GzDecoder::new(rest);
        std::io::copy(&mut d, &mut std::io::sink()).expect("a gzip member");
        let left = d.into_inner().len();
        out.push(&rest[..rest.len() - left]);
        rest = &rest[rest.len() - left..];
    }
    out
}

#[test]
fn stock_tar_ignores_what_pocdir_refuses_after_the_end() {
    // GNU tar stops at the end-of-archive blocks and never shows an entry
    // hidden after them: pocdir refuses such a bundle (exit 11) rather than
    // show what the stock path would not.
    let dir = vectors2().join("data-after-end-of-archive");
    let e = expected(&dir);
    assert_eq!((e.exit, e.class.as_deref()), (11, Some("tampered")));
    let tmp = tempfile::tempdir().unwrap();
    let gz = tmp.path().join("FRA.tar.gz");
    fs::write(
        &gz,
        age_decrypt_raw(&dir.join("identity.key"), &dir.join("FRA.tar.gz.age")),
    )
    .unwrap();
    let (_, listed, _) = peers::run_tool("tar", &["tzf".as_ref(), gz.as_os_str()], Path::new("."));
    let listed = String::from_utf8_lossy(&listed);
    assert!(!listed.contains("extra.txt"), "{listed}");
    let _ = tool("tar");
}
