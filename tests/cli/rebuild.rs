//! A rebuild over the previous output (issue #14): a file made from the
//! same inputs as the previous build's is linked from it, never made
//! again; whatever changed (a State, a translation, a template, the day,
//! the output edited by hand, the record damaged), the rebuilt site is
//! byte for byte the site built into an empty folder. The records kept
//! beside the site hold no contact data, and none is kept beside a sealed
//! site.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::peers::tree;
use crate::support::{self, AS_OF};

fn build_as_of(root: &Path, out: &Path, as_of: &str) {
    let o = support::pocdir([
        "build".as_ref(),
        "--site-only".as_ref(),
        "--root".as_ref(),
        root.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--as-of".as_ref(),
        std::ffi::OsStr::new(as_of),
    ]);
    assert_eq!(o.code, 0, "pocdir build failed:\n{}", o.stderr);
}

fn build(root: &Path, out: &Path) {
    build_as_of(root, out, AS_OF);
}

/// Every file of the site by path, with its inode.
#[cfg(unix)]
fn inodes(site: &Path) -> BTreeMap<String, u64> {
    use std::os::unix::fs::MetadataExt;
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(site) {
        let e = e.expect("walk");
        if e.file_type().is_file() {
            let rel = e
                .path()
                .strip_prefix(site)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, e.metadata().expect("metadata").ino());
        }
    }
    out
}

/// The site rebuilt in `out` is the site built from nothing.
fn same_as_fresh(root: &Path, out: &Path, as_of: &str, what: &str) {
    let fresh = tempfile::tempdir().unwrap();
    build_as_of(root, fresh.path(), as_of);
    same_tree(&out.join("site"), &fresh.path().join("site"), what);
}

/// `rebuilt` holds the files of `fresh`, byte for byte, and no other.
fn same_tree(rebuilt: &Path, fresh: &Path, what: &str) {
    let (rebuilt, new) = (tree(rebuilt), tree(fresh));
    assert_eq!(
        rebuilt.keys().collect::<Vec<_>>(),
        new.keys().collect::<Vec<_>>(),
        "{what}: the same files"
    );
    for (path, bytes) in &new {
        assert!(
            rebuilt[path] == *bytes,
            "{what}: {path} differs from a fresh build"
        );
    }
}

fn edit(root: &Path, rel: &str, from: &str, to: &str) {
    let p = root.join(rel);
    let text = fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{rel} has no {from:?}");
    fs::write(&p, text.replacen(from, to, 1)).unwrap();
}

#[cfg(unix)]
#[test]
fn a_rebuild_links_what_did_not_change_and_equals_a_fresh_build() {
    let root = crate::build::example();
    let (root, out) = (root.path(), tempfile::tempdir().unwrap());
    let out = out.path();
    let site = out.join("site");
    build(root, out);
    let first = inodes(&site);
    assert!(first.len() > 200, "{} files", first.len());

    // Nothing changed: every file is the very file of the previous build.
    build(root, out);
    assert_eq!(inodes(&site), first, "nothing changed: every file linked");
    same_as_fresh(root, out, AS_OF, "no change");

    // One State changes: its pages and vCards are made again, the other
    // States' are linked; the site shows the new number.
    edit(
        root,
        "content/states/FRA.yaml",
        "+33199001234",
        "+33199001235",
    );
    edit(
        root,
        "content/states/FRA.yaml",
        "Camille Exemple",
        "Camille Nouvelle",
    );
    build(root, out);
    let now = inodes(&site);
    for lang in ["en", "fr", "ar", "zh"] {
        let fra = format!("{lang}/states/FRA.html");
        assert_ne!(now[&fra], first[&fra], "{fra} made again");
        let text = fs::read_to_string(site.join(&fra)).unwrap();
        assert!(
            text.contains("Camille Nouvelle") && text.contains("+33199001235"),
            "{fra}"
        );
        assert!(!text.contains("Camille Exemple"), "{fra}");
        let vcf = format!("{lang}/vcf/FRA.vcf");
        assert_ne!(now[&vcf], first[&vcf], "{vcf} made again");
        for kept in [
            format!("{lang}/states/DEU.html"),
            format!("{lang}/vcf/DEU.vcf"),
        ] {
            assert_eq!(now[&kept], first[&kept], "{kept} linked");
        }
    }
    assert_ne!(now["directory.json"], first["directory.json"]);
    same_as_fresh(root, out, AS_OF, "one State changed");

    // A translation: every French page that shows it, none in English.
    let before = inodes(&site);
    edit(
        root,
        "themes/default/i18n/fr.yaml",
        "nav_home: Répertoire",
        "nav_home: Annuaire",
    );
    build(root, out);
    let now = inodes(&site);
    assert_ne!(now["fr/states/DEU.html"], before["fr/states/DEU.html"]);
    assert_eq!(now["en/states/DEU.html"], before["en/states/DEU.html"]);
    same_as_fresh(root, out, AS_OF, "a translation changed");

    // A template: every page made with it.
    edit(
        root,
        "themes/default/templates/base.html",
        "</body>",
        "<!-- changed -->\n</body>",
    );
    build(root, out);
    assert!(
        fs::read_to_string(site.join("en/states/DEU.html"))
            .unwrap()
            .contains("<!-- changed -->")
    );
    same_as_fresh(root, out, AS_OF, "a template changed");

    // Another day: what is judged by the date (staleness, the checks).
    build_as_of(root, out, "2027-06-30");
    same_as_fresh(root, out, "2027-06-30", "another day");

    // A file of the output edited by hand is made again, even at its size.
    let deu = site.join("en/states/DEU.html");
    let len = fs::metadata(&deu).unwrap().len() as usize;
    fs::write(&deu, vec![b'x'; len]).unwrap();
    build_as_of(root, out, "2027-06-30");
    same_as_fresh(root, out, "2027-06-30", "a file edited by hand");

    // A damaged or foreign record: everything made again, rightly.
    let record = out.join(".site.memo");
    let text = fs::read_to_string(&record).expect("the record beside the site");
    fs::write(
        &record,
        text.replacen("pocdir-memo 1 ", "pocdir-memo 1 another-build", 1),
    )
    .unwrap();
    build_as_of(root, out, "2027-06-30");
    same_as_fresh(root, out, "2027-06-30", "a foreign record");
    fs::write(&record, "pocdir-memo 1 \u{0}garbage\n\u{ff}").unwrap();
    build_as_of(root, out, "2027-06-30");
    same_as_fresh(root, out, "2027-06-30", "a damaged record");
}

#[test]
fn the_records_beside_the_site_hold_no_contact_and_none_is_kept_beside_a_sealed_site() {
    let root = crate::build::example();
    let out = tempfile::tempdir().unwrap();
    build(root.path(), out.path());
    let record = fs::read_to_string(out.path().join(".site.memo")).expect(".site.memo");
    assert!(record.contains(" en/states/FRA.html\n"), "{record}");
    assert!(
        !record.contains('@') && !record.contains("Camille"),
        "{record}"
    );
    let phones = fs::read_to_string(out.path().join(".phones.memo")).expect(".phones.memo");
    assert!(
        phones.contains("+33199001234\t+33199001234\t+33 1 99 00 12 34\t1\n"),
        "{phones}"
    );

    // The phone record is read back only by the same build of pocdir: one
    // of another build changes nothing on the site.
    let forged_by = |header: &str| format!("{header}\n+33199001234\t+33199001234\t+33 FORGED\t1\n");
    fs::write(
        out.path().join(".phones.memo"),
        forged_by("pocdir-phones 1 another-build"),
    )
    .unwrap();
    build(root.path(), out.path());
    let fra = fs::read_to_string(out.path().join("site/en/states/FRA.html")).unwrap();
    assert!(fra.contains("+33 1 99 00 12 34") && !fra.contains("FORGED"));
    // The same build's record is what it shows (so a build whose numbers
    // are all recorded never loads the phone metadata).
    let header = phones.lines().next().unwrap();
    fs::write(out.path().join(".phones.memo"), forged_by(header)).unwrap();
    fs::remove_file(out.path().join(".site.memo")).unwrap();
    build(root.path(), out.path());
    let fra = fs::read_to_string(out.path().join("site/en/states/FRA.html")).unwrap();
    assert!(fra.contains("+33 FORGED"), "the record is read");

    // Sealed: the numbers stay out of the clear, and no record is kept.
    crate::sealed::seal_setting(root.path());
    build(root.path(), out.path());
    for name in [".site.memo", ".phones.memo"] {
        assert!(
            !out.path().join(name).exists(),
            "{name} beside a sealed site"
        );
    }
    let names: Vec<String> = fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["site"]);
}

/// The bundles of a rebuild (issue #13): sealed from the same inputs as the
/// previous build's (version, recipients, key, directory, theme), they are
/// linked as they are; any change of those seals them all again, and a
/// bundle edited by hand is never kept.
#[cfg(unix)]
#[test]
fn bundles_sealed_from_the_same_inputs_are_linked_and_sealed_again_after_any_change() {
    let root = crate::build::example();
    for f in ["log/versions.jsonl", "log/versions.jsonl.minisig"] {
        let _ = fs::remove_file(root.path().join(f));
    }
    let out = tempfile::tempdir().unwrap();
    let bundles = out.path().join("bundles");
    let t0 = "2026-11-22T10:00:00Z";
    crate::renewal::built_at(root.path(), out.path(), t0);
    let first = inodes(&bundles);
    assert!(first.contains_key("FRA.tar.gz.age") && first.contains_key("FRA.tar.gz.age.minisig"));
    let record = fs::read_to_string(out.path().join(".bundles.memo")).expect(".bundles.memo");
    assert!(record.contains(" FRA.tar.gz.age\n"), "{record}");
    assert!(
        !record.contains('@') && !record.contains("age1"),
        "the record names no account: {record}"
    );
    let log = fs::read_to_string(root.path().join("log/versions.jsonl")).unwrap();

    // The same inputs, a few days later (not yet in the renewal window):
    // every file is the very file of the previous build.
    let e = crate::renewal::built_at(root.path(), out.path(), "2026-11-25T10:00:00Z");
    assert!(e.contains("version 1 (unchanged content)"), "{e}");
    assert_eq!(inodes(&bundles), first, "an unchanged rebuild sealed again");
    let fra_key = root.path().join("keys/demo/states/FRA.key");
    let sig = bundles.join("FRA.tar.gz.age.minisig");
    crate::peers::minisign_verify(
        &bundles.join("FRA.tar.gz.age"),
        &sig,
        &root.path().join("keys/secretariat.pub"),
    );
    let plain = crate::peers::age_decrypt(&fra_key, &bundles.join("FRA.tar.gz.age"));
    let first_trusted = crate::renewal::trusted(&sig);

    // A new recipient for France (the version is the same: accounts are
    // not the shared content): every bundle is sealed again, and France's
    // opens with the new identity.
    let (identity, recipient) = pocdir::sign::keygen::age_identity();
    edit(
        root.path(),
        "keys/states/FRA.yaml",
        "    recipients:\n",
        &format!("    recipients:\n      - {recipient}\n"),
    );
    let e = crate::renewal::built_at(root.path(), out.path(), "2026-11-25T10:00:00Z");
    assert!(e.contains("version 1 (unchanged content)"), "{e}");
    assert_eq!(
        fs::read_to_string(root.path().join("log/versions.jsonl")).unwrap(),
        log
    );
    let after = inodes(&bundles);
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        first.keys().collect::<Vec<_>>()
    );
    for (name, ino) in &after {
        if name.contains(".tar.gz.age") {
            assert_ne!(first[name], *ino, "{name} kept after a recipient changed");
        }
    }
    let id_file = out.path().join("new.key");
    fs::write(&id_file, format!("{}\n", identity.as_str())).unwrap();
    let again = crate::peers::age_decrypt(&id_file, &bundles.join("FRA.tar.gz.age"));
    assert!(
        !again.is_empty()
            && again == crate::peers::age_decrypt(&fra_key, &bundles.join("FRA.tar.gz.age")),
        "the resealed bundle opens with both identities"
    );
    assert!(
        again != plain,
        "France's own accounts are listed in its bundle"
    );
    crate::peers::minisign_verify(
        &bundles.join("FRA.tar.gz.age"),
        &sig,
        &root.path().join("keys/secretariat.pub"),
    );

    // France's bundle edited by hand (same size): never linked again.
    let second = inodes(&bundles);
    let fra = bundles.join("FRA.tar.gz.age");
    let mut bytes = fs::read(&fra).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    fs::remove_file(&fra).unwrap();
    fs::write(&fra, &bytes).unwrap();
    crate::renewal::built_at(root.path(), out.path(), "2026-11-25T10:00:00Z");
    assert_ne!(inodes(&bundles)["DEU.tar.gz.age"], second["DEU.tar.gz.age"]);
    crate::peers::minisign_verify(&fra, &sig, &root.path().join("keys/secretariat.pub"));

    // Inside the renewal window: a new version, every bundle sealed again.
    let third = inodes(&bundles);
    let e = crate::renewal::built_at(root.path(), out.path(), "2027-01-10T10:00:00Z");
    assert!(e.contains("version 2 renews version 1"), "{e}");
    let fourth = inodes(&bundles);
    assert_ne!(fourth["FRA.tar.gz.age"], third["FRA.tar.gz.age"]);
    assert_ne!(
        crate::renewal::trusted(&sig),
        first_trusted,
        "the renewal's signature"
    );

    // A sealed site's bundles carry its access codes: no record is kept.
    crate::sealed::seal_setting(root.path());
    crate::renewal::built_at(root.path(), out.path(), "2027-01-10T10:00:00Z");
    assert!(!out.path().join(".bundles.memo").exists());
}

/// A rebuild from the same inputs whose previous tree holds exactly the
/// files it would make keeps that tree as it is (nothing written, the same
/// folder); anything else in it — a stray file, an empty folder, a link —
/// and the rebuilt tree is a new one holding only what a fresh build makes.
#[cfg(unix)]
#[test]
fn an_unchanged_tree_is_kept_as_it_is_and_a_stray_file_is_never_kept() {
    use std::os::unix::fs::MetadataExt;
    let root = crate::build::example();
    let (root, out) = (root.path(), tempfile::tempdir().unwrap());
    let out = out.path();
    let site = out.join("site");
    let bundles = out.join("bundles");
    let folder = |p: &Path| fs::metadata(p).unwrap().ino();
    crate::renewal::built_at(root, out, "2026-11-22T10:00:00Z");
    let (files, bundle_files) = (inodes(&site), inodes(&bundles));
    let (site_dir, bundles_dir) = (folder(&site), folder(&bundles));
    let record = fs::read(out.join(".site.memo")).unwrap();

    crate::renewal::built_at(root, out, "2026-11-22T16:00:00Z");
    assert_eq!(folder(&site), site_dir, "the site folder kept");
    assert_eq!(folder(&bundles), bundles_dir, "the bundles folder kept");
    assert_eq!(inodes(&site), files);
    assert_eq!(inodes(&bundles), bundle_files);
    assert_eq!(fs::read(out.join(".site.memo")).unwrap(), record);
    let names: Vec<String> = fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(names.is_empty(), "staging left behind: {names:?}");

    // Strays in both trees: a file, an empty folder, a link.
    fs::write(site.join("stray.html"), "<p>not made by pocdir</p>").unwrap();
    fs::create_dir(site.join("en/empty")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", bundles.join("link")).unwrap();
    crate::renewal::built_at(root, out, "2026-11-22T16:00:00Z");
    assert!(!site.join("stray.html").exists() && !site.join("en/empty").exists());
    assert!(fs::symlink_metadata(bundles.join("link")).is_err());
    assert_ne!(folder(&site), site_dir, "a new site folder");
    assert_ne!(folder(&bundles), bundles_dir, "a new bundles folder");
    assert_eq!(inodes(&site), files, "every file still linked");
    assert_eq!(inodes(&bundles), bundle_files, "every bundle still linked");

    // And the tree kept again next time is the fresh build's.
    let site_dir = folder(&site);
    crate::renewal::built_at(root, out, "2026-11-22T16:00:00Z");
    assert_eq!(folder(&site), site_dir);
    let fresh = tempfile::tempdir().unwrap();
    crate::renewal::built_at(root, fresh.path(), "2026-11-22T16:00:00Z");
    same_tree(&site, &fresh.path().join("site"), "kept");
}
