//! Tests of `pocdir init`: a new directory and a copy of the example each
//! check and build; nothing is ever overwritten; the secret key stays
//! outside the directory, private.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::peers::tree;
use crate::support::{self, AS_OF, pocdir};

fn ok(o: &support::Output, what: &str) {
    assert_eq!(
        o.code,
        0,
        "{what} failed:\n{}\n{}",
        o.stdout,
        support::mask_secrets(&o.stderr)
    );
}

/// The command failed (exit 1), saying `why` on stderr.
fn refused(o: &support::Output, why: &str) {
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains(why), "{}", o.stderr);
}

/// `pocdir init DIR --unencrypted --secret-key KEY`.
fn init_fresh(dir: &Path, key: &Path) -> support::Output {
    pocdir([
        "init".as_ref(),
        dir.as_os_str(),
        "--unencrypted".as_ref(),
        "--secret-key".as_ref(),
        key.as_os_str(),
    ])
}

fn init_example(dir: &Path) -> support::Output {
    pocdir(["init".as_ref(), dir.as_os_str(), "--example".as_ref()])
}

/// `pocdir check --root DIR --as-of AS_OF`.
fn check(dir: &Path) -> support::Output {
    pocdir([
        "check".as_ref(),
        "--root".as_ref(),
        dir.as_os_str(),
        "--as-of".as_ref(),
        AS_OF.as_ref(),
    ])
}

#[test]
fn a_new_directory_checks_and_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("directory");
    let key = tmp.path().join("secretariat.key");
    let o = init_fresh(&dir, &key);
    ok(&o, "init");
    assert!(support::secret_in(&o.stdout).is_none() && support::secret_in(&o.stderr).is_none());

    // The secret key: outside the directory, private, unencrypted as asked.
    let meta = fs::metadata(&key).expect("the secret key was written");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
    let _ = meta;
    assert!(!key.starts_with(&dir));
    let files = tree(&dir);
    for (rel, bytes) in &files {
        assert!(
            support::secret_in(&String::from_utf8_lossy(bytes)).is_none(),
            "{rel} holds a secret key"
        );
    }
    // What a new directory holds.
    for rel in [
        ".gitignore",
        "README.md",
        "content/directory.yaml",
        "content/states/.gitkeep",
        "content/pages/about.md",
        "content/pages/incident-template.ar.md",
        "keys/secretariat.pub",
        "keys/states/.gitkeep",
    ] {
        assert!(files.contains_key(rel), "no {rel}");
    }
    assert_eq!(
        files
            .keys()
            .filter(|r| r.starts_with("content/pages/"))
            .count(),
        24
    );
    assert!(
        !files
            .keys()
            .any(|r| r.starts_with("keys/demo") || r.starts_with("log/"))
    );
    let gitignore = String::from_utf8_lossy(&files[".gitignore"]).into_owned();
    assert!(gitignore.lines().any(|l| l == "*.key"), "{gitignore}");
    assert!(gitignore.lines().any(|l| l == "dist/"), "{gitignore}");
    let settings = String::from_utf8_lossy(&files["content/directory.yaml"]).into_owned();
    assert!(settings.contains("\ndemo: false\n"), "{settings}");
    assert!(settings.contains("languages: [en, fr, es, ru, zh, ar]"));
    // The key id printed is the public key's.
    let pubkey = String::from_utf8_lossy(&files["keys/secretariat.pub"]).into_owned();
    let id = pubkey.lines().next().unwrap().rsplit(' ').next().unwrap();
    assert!(o.stderr.contains(id), "{}", o.stderr);

    // `check` passes with no warning at all.
    let c = check(&dir);
    ok(&c, "check");
    assert!(c.stderr.contains("0 errors, 0 warnings"), "{}", c.stderr);

    // `build` signs with the new key: site, and the first version.
    let out = tmp.path().join("out");
    let b = support::build(
        &dir,
        &out,
        &["--signing-key", key.to_str().expect("UTF-8 temporary path")],
    );
    ok(&b, "build");
    assert!(out.join("site/en/index.html").is_file());
    assert!(out.join("site/ar/pages/about.html").is_file());
    assert_eq!(
        fs::read_to_string(out.join("bundles/secretariat.pub")).unwrap(),
        pubkey
    );
    let log = fs::read_to_string(dir.join("log/versions.jsonl")).unwrap();
    assert!(log.starts_with("{\"seq\":1,"), "{log}");
    // The site says nothing of the example.
    let about = fs::read_to_string(out.join("site/en/pages/about.html")).unwrap();
    assert!(!about.contains("EXAMPLE"), "{about}");
}

#[test]
fn the_example_copy_checks_and_builds_bundles() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("example");
    let o = init_example(&dir);
    ok(&o, "init --example");
    // Byte for byte the repository's example.
    let files = tree(&dir);
    let mut expected = BTreeMap::new();
    for top in ["content", "keys", "log"] {
        for (rel, bytes) in tree(&support::repo_root().join(top)) {
            expected.insert(format!("{top}/{rel}"), bytes);
        }
    }
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    assert!(files == expected, "a file differs from the repository's");

    ok(&check(&dir), "check");
    let out = tmp.path().join("out");
    // A demo directory: signed with its demo key, no --signing-key.
    let b = support::build(&dir, &out, &[]);
    ok(&b, "build");
    for f in [
        "FRA.tar.gz.age",
        "FRA.tar.gz.age.minisig",
        "secretariat.pub",
    ] {
        assert!(out.join("bundles").join(f).is_file(), "no bundles/{f}");
    }
}

#[test]
fn init_never_overwrites_a_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("directory");
    let key = tmp.path().join("first.key");
    ok(&init_fresh(&dir, &key), "init");
    let before = tree(&dir);
    let key_before = fs::read(&key).unwrap();

    // A second init, fresh or example, into it: exit 1, nothing changed.
    let other = tmp.path().join("second.key");
    for o in [init_fresh(&dir, &other), init_example(&dir)] {
        refused(&o, "already holds a directory");
        assert_eq!(tree(&dir), before);
    }
    assert!(!other.exists());
    // Reusing the key file is refused too (and the folder stays unmade).
    let dir2 = tmp.path().join("directory2");
    let o = init_fresh(&dir2, &key);
    refused(&o, "already exists");
    assert_eq!(fs::read(&key).unwrap(), key_before);
    assert!(!dir2.exists());
    // Nothing else was left beside them (no temporary folder).
    let mut names: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["directory", "first.key"]);

    // A folder holding one file init would write: refused, left as it was.
    let clone = tmp.path().join("clone");
    fs::create_dir_all(clone.join("keys")).unwrap();
    fs::write(clone.join("keys/secretariat.pub"), "mine").unwrap();
    let o = init_fresh(&clone, &other);
    refused(&o, "never overwrites");
    assert_eq!(tree(&clone).len(), 1);
    assert!(!clone.join("content").exists() && !other.exists());
}

#[test]
fn the_secret_key_is_refused_inside_the_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("directory");
    let o = init_fresh(&dir, &dir.join("secretariat.key"));
    refused(&o, "outside");
    assert!(!dir.exists());
    // An existing folder, and a path that names it another way.
    fs::create_dir_all(dir.join("keys")).unwrap();
    let sneaky = tmp.path().join("x/../directory/keys/s.key");
    fs::create_dir_all(tmp.path().join("x")).unwrap();
    let o = init_fresh(&dir, &sneaky);
    refused(&o, "outside");
    assert_eq!(tree(&dir).len(), 0);
    // A new directory without --secret-key: a usage error.
    let o = pocdir(["init".as_ref(), dir.as_os_str(), "--unencrypted".as_ref()]);
    assert_eq!(o.code, 2, "{}", o.stderr);
}

#[test]
fn an_example_copy_with_a_new_key_says_what_to_do_with_its_log() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ours");
    ok(&init_example(&dir), "init --example");
    // The secretariat replaces the demo key by its own.
    let key = tmp.path().join("ours.key");
    let public = tmp.path().join("ours.pub");
    let k = pocdir([
        "keygen".as_ref(),
        "signing".as_ref(),
        "--unencrypted".as_ref(),
        "--secret-key".as_ref(),
        key.as_os_str(),
        "--public-key".as_ref(),
        public.as_os_str(),
    ]);
    ok(&k, "keygen");
    fs::copy(&public, dir.join("keys/secretariat.pub")).unwrap();
    let out = tmp.path().join("out");
    let signing = ["--signing-key", key.to_str().unwrap()];
    let b = support::build(&dir, &out, &signing);
    // The key's history starts at the example's key (issue 18): a copy
    // that is a new directory starts its own.
    refused(
        &b,
        "not a key of the history's current set (version 1: A9261A9396AEC7F7)",
    );
    assert!(b.stderr.contains("keys/anchor.pub"), "{}", b.stderr);
    fs::copy(&public, dir.join("keys/anchor.pub")).unwrap();
    let b = support::build(&dir, &out, &signing);
    refused(&b, "log/versions.jsonl is signed by key A9261A9396AEC7F7");
    assert!(
        b.stderr
            .contains("delete log/versions.jsonl and log/versions.jsonl.minisig"),
        "{}",
        b.stderr
    );
    // Following the hint: a new version history, starting at 1.
    fs::remove_file(dir.join("log/versions.jsonl")).unwrap();
    fs::remove_file(dir.join("log/versions.jsonl.minisig")).unwrap();
    ok(&support::build(&dir, &out, &signing), "build");
    let log = fs::read_to_string(dir.join("log/versions.jsonl")).unwrap();
    assert!(log.starts_with("{\"seq\":1,"), "{log}");
}

/// A new directory's key history has an expiry from its first day (issue
/// #18, TUF's freeze protection): `init` writes version 2, the anchor's key
/// with an expiry two years on, signed by it; `check` accepts it, warns 90
/// days before it expires and fails after.
#[test]
fn a_new_directory_starts_with_a_key_set_that_expires() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, key) = (tmp.path().join("dir"), tmp.path().join("ours.key"));
    ok(&init_fresh(&dir, &key), "init");
    let statement = fs::read_to_string(dir.join("keys/rotations/2.txt")).unwrap();
    let today = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::UTC)
        .date();
    let expires = today + jiff::Span::new().days(730);
    assert!(
        statement.contains(&format!("date: {today}\n")),
        "{statement}"
    );
    assert!(
        statement.contains(&format!("expires: {expires}\n")),
        "{statement}"
    );
    let anchor = fs::read_to_string(dir.join("keys/anchor.pub")).unwrap();
    assert!(statement.contains(&format!("key: {}\n", anchor.lines().nth(1).unwrap())));
    let sigs: Vec<_> = fs::read_dir(dir.join("keys/rotations"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".minisig"))
        .collect();
    assert_eq!(sigs.len(), 1);
    let at = |day: jiff::civil::Date| {
        pocdir([
            "check".as_ref(),
            "--root".as_ref(),
            dir.as_os_str(),
            "--as-of".as_ref(),
            day.to_string().as_ref(),
        ])
    };
    let o = at(today);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let o = at(expires - jiff::Span::new().days(30));
    assert!(o.stderr.contains("key-history-expiring"), "{}", o.stderr);
    let o = at(expires + jiff::Span::new().days(1));
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("error[key-history]"), "{}", o.stderr);
}
