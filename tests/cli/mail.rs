//! Tests of `pocdir mail` (outbox part): one message per verified account,
//! both attachments intact (checked with the real minisign and age after
//! Python's email parser extracts them), nothing for a bad bundle.

use std::process::Command;

use crate::build::example;
use crate::support::{self, AS_OF};

const NOW: &str = "2026-11-22T20:00:00Z";

fn build(root: &std::path::Path, out: &std::path::Path) {
    let o = support::pocdir([
        "build".as_ref(),
        "--root".as_ref(),
        root.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--as-of".as_ref(),
        AS_OF.as_ref(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
}

fn mail(root: &std::path::Path, bundles: &std::path::Path, extra: &[&str]) -> support::Output {
    let mut args: Vec<std::ffi::OsString> = vec![
        "mail".into(),
        "--root".into(),
        root.into(),
        "--bundles".into(),
        bundles.into(),
        "--now".into(),
        NOW.into(),
    ];
    args.extend(extra.iter().map(|s| s.into()));
    support::pocdir(args)
}

#[test]
fn every_fresh_account_gets_one_message_with_intact_attachments() {
    let root = example();
    let out = tempfile::tempdir().unwrap();
    build(root.path(), out.path());
    let bundles = out.path().join("bundles");
    let outbox = tempfile::tempdir().unwrap();
    let o = mail(
        root.path(),
        &bundles,
        &[
            "--outbox",
            outbox.path().to_str().unwrap(),
            "--only",
            "FRA,CAN",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let mut names: Vec<String> = std::fs::read_dir(outbox.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            "CAN-cyber-liaison_can-mission.example.eml",
            "CAN-poc-directory_international.can.example.eml",
            "FRA-poc-directory_diplomatie.fra.example.eml"
        ]
    );
    // Extract the attachments with Python's parser, then verify and
    // decrypt them with the real tools.
    let x = tempfile::tempdir().unwrap();
    let script = "import email, email.policy, sys, os\n\
                  m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)\n\
                  assert not m.defects, m.defects\n\
                  print(m['To'])\n\
                  for p in m.iter_attachments():\n\
                  \x20   open(os.path.join(sys.argv[2], p.get_filename()), 'wb').write(p.get_payload(decode=True))\n";
    let py = Command::new("python3")
        .args(["-c", script])
        .arg(
            outbox
                .path()
                .join("FRA-poc-directory_diplomatie.fra.example.eml"),
        )
        .arg(x.path())
        .output()
        .expect("python3");
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
    assert!(String::from_utf8_lossy(&py.stdout).contains("<poc-directory@diplomatie.fra.example>"));
    let v = Command::new("minisign")
        .arg("-Vm")
        .arg(x.path().join("FRA.tar.age"))
        .arg("-p")
        .arg(root.path().join("keys/secretariat.pub"))
        .output()
        .expect("minisign");
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    let d = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(root.path().join("keys/demo/states/FRA.key"))
        .arg(x.path().join("FRA.tar.age"))
        .output()
        .expect("age");
    assert!(d.status.success());
    assert_eq!(
        std::fs::read(x.path().join("FRA.tar.age")).unwrap(),
        std::fs::read(bundles.join("FRA.tar.age")).unwrap()
    );
}

#[test]
fn dry_run_writes_nothing_and_stale_accounts_are_skipped() {
    let root = example();
    let out = tempfile::tempdir().unwrap();
    build(root.path(), out.path());
    let o = mail(root.path(), &out.path().join("bundles"), &["--dry-run"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout
            .contains("would send FRA to poc-directory@diplomatie.fra.example")
    );
    assert!(
        o.stderr
            .contains("BRA: diretorio-pdc@mre.bra.example skipped"),
        "{}",
        o.stderr
    );
    assert!(!o.stdout.contains("to diretorio-pdc@mre.bra.example"));
}

#[test]
fn a_bundle_that_does_not_verify_is_never_prepared() {
    let root = example();
    let out = tempfile::tempdir().unwrap();
    build(root.path(), out.path());
    let b = out.path().join("bundles/FRA.tar.age");
    let mut data = std::fs::read(&b).unwrap();
    let n = data.len() / 2;
    data[n] ^= 1;
    std::fs::write(&b, data).unwrap();
    let outbox = tempfile::tempdir().unwrap();
    let o = mail(
        root.path(),
        &out.path().join("bundles"),
        &["--outbox", outbox.path().to_str().unwrap()],
    );
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("does not verify"), "{}", o.stderr);
    assert_eq!(
        std::fs::read_dir(outbox.path()).unwrap().count(),
        0,
        "nothing written"
    );
}
