//! `pocdir keygen signing|age|rotate` as a user runs it: the files it
//! writes, their modes, and that the real tools read them.

use std::fs;
use std::process::Command;

use crate::support;

#[cfg(unix)]
fn mode(p: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn keygen_signing_makes_an_encrypted_pair_the_minisign_tool_uses() {
    let tmp = tempfile::tempdir().unwrap();
    let (sk, pk) = (tmp.path().join("s.key"), tmp.path().join("s.pub"));
    let r = support::pocdir_env(
        [
            "keygen".as_ref(),
            "signing".as_ref(),
            "--kdf".as_ref(),
            "interactive".as_ref(),
            "--secret-key".as_ref(),
            sk.as_os_str(),
            "--public-key".as_ref(),
            pk.as_os_str(),
        ],
        &[("POCDIR_PASSPHRASE", "correct horse battery")],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The public key is printed, and is the file's text.
    assert_eq!(r.stdout, fs::read_to_string(&pk).unwrap());
    assert!(!r.stdout.contains("correct horse") && !r.stderr.contains("correct horse"));
    #[cfg(unix)]
    assert_eq!(mode(&sk), 0o600);
    // The real minisign signs with it (passphrase on stdin) and verifies.
    let data = tmp.path().join("data");
    fs::write(&data, b"a directory version").unwrap();
    let mut child = support::peer("minisign")
        .args(["-S", "-s"])
        .arg(&sk)
        .arg("-m")
        .arg(&data)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"correct horse battery\n")
            .unwrap();
    }
    assert!(child.wait().unwrap().success());
    let v = support::peer("minisign")
        .args(["-V", "-p"])
        .arg(&pk)
        .arg("-m")
        .arg(&data)
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    // Never overwritten.
    let again = support::pocdir_env(
        [
            "keygen".as_ref(),
            "signing".as_ref(),
            "--unencrypted".as_ref(),
            "--secret-key".as_ref(),
            sk.as_os_str(),
            "--public-key".as_ref(),
            tmp.path().join("other.pub").as_os_str(),
        ],
        &[],
    );
    assert_eq!(again.code, 1, "{}", again.stderr);
    assert!(
        again.stderr.contains("never overwrites"),
        "{}",
        again.stderr
    );
}

#[test]
fn keygen_age_writes_a_private_identity_and_prints_its_recipient() {
    let tmp = tempfile::tempdir().unwrap();
    let id = tmp.path().join("me.key");
    let r = support::pocdir([
        "keygen".as_ref(),
        "age".as_ref(),
        "--identity".as_ref(),
        id.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let recipient = r.stdout.trim();
    assert!(recipient.starts_with("age1"), "{recipient}");
    #[cfg(unix)]
    assert_eq!(mode(&id), 0o600);
    // The real age encrypts to the recipient and decrypts with the file.
    let plain = tmp.path().join("p");
    let enc = tmp.path().join("p.age");
    fs::write(&plain, b"for the PoC").unwrap();
    let e = support::peer("age")
        .args(["-r", recipient, "-o"])
        .arg(&enc)
        .arg(&plain)
        .output()
        .unwrap();
    assert!(e.status.success());
    let d = support::peer("age")
        .args(["-d", "-i"])
        .arg(&id)
        .arg(&enc)
        .output()
        .unwrap();
    assert!(d.status.success());
    assert_eq!(d.stdout, b"for the PoC");
}

#[test]
fn the_hint_for_a_missing_secretariat_key_works_as_written() {
    let root = support::Root::base();
    fs::remove_file(root.path().join("keys/secretariat.pub")).unwrap();
    let check = || {
        support::pocdir([
            "check".as_ref(),
            "--format".as_ref(),
            "json".as_ref(),
            "--as-of".as_ref(),
            support::AS_OF.as_ref(),
            "--root".as_ref(),
            root.path().as_os_str(),
        ])
    };
    let before: serde_json::Value = serde_json::from_str(&check().stdout).unwrap();
    let d = before["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["file"] == "keys/secretariat.pub")
        .expect("a diagnostic for the missing key");
    let hint = d["hint"].as_str().unwrap();
    // The command between backquotes, run as written from the root.
    let cmd = hint.split('`').nth(1).expect("a command in the hint");
    let words: Vec<&str> = cmd.split_whitespace().collect();
    assert_eq!(words[..3], ["pocdir", "keygen", "signing"], "{hint}");
    let out = Command::new(support::bin())
        .args(&words[1..])
        .current_dir(root.path())
        .env("POCDIR_PASSPHRASE", "a passphrase for the test")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after: serde_json::Value = serde_json::from_str(&check().stdout).unwrap();
    assert!(
        !after["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["file"] == "keys/secretariat.pub"),
        "{after}"
    );
}
