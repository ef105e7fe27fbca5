//! Key generation: the secretariat's Ed25519 signing key (minisign's
//! formats) and the States' age identities. Rotation statements are in
//! `rotation`.
//!
//! Like the rest of the library, this module never prints, never prompts
//! and never exits: the caller (`main.rs`) asks for the passphrase and
//! hands it in. The signing key is made and written by `secret_key` (wiped
//! memory only); an age identity stays in `Zeroizing` buffers as far as the
//! `age` crate allows (it makes copies of its own that it does not wipe).
//! No error message ever contains secret material.

use std::fmt;

use age::secrecy::ExposeSecret;
use zeroize::Zeroizing;

/// The longest passphrase the `minisign` tool reads (its
/// `PASSWORDMAXBYTES`): a longer one would make a key that tool cannot open.
pub const MAX_PASSPHRASE_BYTES: usize = 1024;

/// The longest untrusted comment accepted for a secret key file (the
/// `minisign` tool reads comment lines of at most 1024 bytes).
pub const MAX_COMMENT_BYTES: usize = 1000;

/// Why a key could not be generated or a statement not signed. Never holds
/// secret material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyGenError {
    /// An empty passphrase was given for an encrypted key.
    EmptyPassphrase,
    /// The passphrase is longer than the `minisign` tool accepts.
    PassphraseTooLong,
    /// The secret key's comment is not a single line of at most
    /// `MAX_COMMENT_BYTES` bytes.
    BadComment,
    /// The key could not be generated or encoded (no randomness from the
    /// operating system, for instance).
    Generate,
    /// A rotation statement from a key to itself.
    SameKey,
    /// The key set's dates are not four-digit-year dates, or it expires
    /// before it starts.
    BadDate,
    /// A key set of no key, more than 16, or a threshold that is not
    /// between 1 and its number of keys.
    Threshold,
    /// The statement made does not verify (signers missing).
    Statement(crate::sign::rotation::RotationError),
    /// Signing (or checking the fresh signature) failed.
    Sign,
}

impl fmt::Display for KeyGenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyGenError::EmptyPassphrase => f.write_str(
                "the passphrase is empty: give a passphrase, or make an unencrypted demo key",
            ),
            KeyGenError::PassphraseTooLong => write!(
                f,
                "the passphrase is longer than {MAX_PASSPHRASE_BYTES} bytes, more than the minisign tool accepts"
            ),
            KeyGenError::BadComment => write!(
                f,
                "the key comment must be a single line of at most {MAX_COMMENT_BYTES} bytes"
            ),
            KeyGenError::Generate => f.write_str(
                "cannot generate the key pair (no randomness from the operating system?)",
            ),
            KeyGenError::SameKey => f.write_str("the new key is the old key: nothing to rotate"),
            KeyGenError::BadDate => f.write_str(
                "the key set's dates must have a four-digit year (YYYY-MM-DD), and it must expire after its date",
            ),
            KeyGenError::Threshold => f.write_str(
                "a key set has 1 to 16 keys, and a threshold between 1 and its number of keys",
            ),
            KeyGenError::Statement(e) => write!(f, "{e}"),
            KeyGenError::Sign => f.write_str("cannot sign the key rotation statement"),
        }
    }
}

impl std::error::Error for KeyGenError {}

/// Generate an Ed25519 signing key pair in minisign's file formats, with
/// `minisign -G`'s key derivation limits (1 GiB of memory per guess).
pub fn signing_keypair(
    passphrase: Option<&Zeroizing<String>>,
    comment: &str,
) -> Result<(Zeroizing<String>, String), KeyGenError> {
    signing_keypair_with(passphrase, crate::sign::kdf::SENSITIVE, comment)
}

/// Generate an Ed25519 signing key pair in minisign's file formats.
///
/// With a passphrase (the normal case) the secret key is encrypted with
/// scrypt under `limits` (`kdf::SENSITIVE` is what `minisign -G` uses); an
/// empty passphrase is refused (`EmptyPassphrase`), as is one longer than
/// `MAX_PASSPHRASE_BYTES`. The limits are stored in the key file, so the
/// `minisign` tool opens it whichever they are.
///
/// With `None` the secret key is NOT encrypted: only for demo keys, the
/// caller decides. It is written as `minisign -G -W` writes it (key
/// derivation "none"), with the checksum.
///
/// The key is made and encoded by `crate::sign::secret_key`: the secret
/// never leaves wiped memory. Returns the secret key file's text (untrusted
/// comment `comment`, which must be one line) and the public key file's
/// text, two lines: `untrusted comment: minisign public key <KEYID>` then
/// the base64 key, as the `minisign` tool writes it.
pub fn signing_keypair_with(
    passphrase: Option<&Zeroizing<String>>,
    limits: crate::sign::kdf::Limits,
    comment: &str,
) -> Result<(Zeroizing<String>, String), KeyGenError> {
    use crate::sign::secret_key;
    if comment.contains(['\n', '\r']) || comment.len() > MAX_COMMENT_BYTES {
        return Err(KeyGenError::BadComment);
    }
    if let Some(pass) = passphrase {
        if pass.is_empty() {
            return Err(KeyGenError::EmptyPassphrase);
        }
        if pass.len() > MAX_PASSPHRASE_BYTES {
            return Err(KeyGenError::PassphraseTooLong);
        }
    }
    let key = secret_key::generate().map_err(|_| KeyGenError::Generate)?;
    let sk_text = secret_key::write(&key, passphrase.map(|p| p.as_bytes()), limits, comment)
        .map_err(|_| KeyGenError::Generate)?;
    let pk = crate::sign::PublicKey::from_base64(&secret_key::public_base64(&key))
        .map_err(|_| KeyGenError::Generate)?;
    Ok((sk_text, public_key_text(&pk)))
}

/// A public key file's text as the `minisign` tool writes it.
pub fn public_key_text(pk: &crate::sign::PublicKey) -> String {
    pk.to_file_text()
}

/// Generate an age X25519 identity for a State.
///
/// Returns the identity file's text, as `age-keygen` writes it:
/// ```text
/// # created: 2025-01-31T12:00:00Z
/// # public key: age1...
/// AGE-SECRET-KEY-1...
/// ```
/// (the creation time in RFC 3339, UTC, whole seconds), and the recipient
/// (`age1...`). The secret is copied only into the returned buffer.
pub fn age_identity() -> (Zeroizing<String>, String) {
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let created = jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let secret = identity.to_string();
    let secret = secret.expose_secret();
    let lines = [
        "# created: ",
        &created,
        "\n# public key: ",
        &recipient,
        "\n",
        secret,
        "\n",
    ];
    // Reserve the whole length up front: no reallocation leaves a copy of
    // the secret behind.
    let mut text = Zeroizing::new(String::with_capacity(lines.iter().map(|s| s.len()).sum()));
    for s in lines {
        text.push_str(s);
    }
    (text, recipient)
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::process::{Command, Stdio};

    use std::fs;
    use std::io::{self, Write};
    use std::path::Path;

    use super::*;
    use crate::output::new_file as write_new_file;
    use crate::sign::key_id;
    use crate::sign::{KeyError, is_encrypted, load_secret_key};

    fn pass(s: &str) -> Zeroizing<String> {
        Zeroizing::new(s.to_string())
    }

    /// Parse a public key file's text, checking its exact format.
    fn parse_pub(text: &str) -> crate::sign::PublicKey {
        let lines: Vec<&str> = text.split_terminator('\n').collect();
        assert_eq!(lines.len(), 2, "{text:?}");
        assert!(text.ends_with('\n'));
        let pk = crate::sign::PublicKey::from_file_text(text).unwrap();
        // minisign prints the id without leading zeros; pocdir pads it.
        let id = lines[0]
            .strip_prefix("untrusted comment: minisign public key ")
            .unwrap_or_else(|| panic!("{text:?}"));
        assert_eq!(
            u64::from_str_radix(id, 16).ok(),
            u64::from_str_radix(&key_id(&pk), 16).ok(),
            "{text:?}"
        );
        assert_eq!(lines[1], pk.to_base64());
        pk
    }

    /// Run the real `minisign` tool in `dir` with `stdin`.
    fn minisign_tool(dir: &Path, args: &[&str], stdin: &[u8]) -> std::process::Output {
        let mut child = match Command::new("minisign")
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
        {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                panic!(
                    "the minisign tool is missing: install it with `sudo apt-get install minisign`"
                )
            }
            Err(e) => panic!("cannot run minisign: {e}"),
        };
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        child.wait_with_output().unwrap()
    }

    fn assert_ok(out: &std::process::Output) {
        assert!(
            out.status.success(),
            "minisign failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // The only test paying for scrypt (three derivations, a few seconds
    // each in a debug build): every other test uses unencrypted keys.
    #[test]
    fn encrypted_keypair_round_trips_and_opens_in_minisign() {
        let pw = pass("correct horse battery staple");
        let (sk, pk_text) = signing_keypair(Some(&pw), "pocdir secretariat key").unwrap();
        assert!(sk.starts_with("untrusted comment: pocdir secretariat key\n"));
        assert_eq!(sk.split_terminator('\n').count(), 2);
        assert!(is_encrypted(&sk));
        let pk = parse_pub(&pk_text);

        assert!(matches!(
            load_secret_key(&sk, None, &pk),
            Err(KeyError::Passphrase)
        ));
        assert!(matches!(
            load_secret_key(&sk, Some(&pass("correct horse battery stapler")), &pk),
            Err(KeyError::Passphrase)
        ));
        let key = load_secret_key(&sk, Some(&pw), &pk).unwrap();
        let sig = key.sign(b"bundle", "pocdir test", "test").unwrap();
        assert_eq!(
            crate::sign::verify(&pk, &sig, b"bundle").unwrap(),
            "pocdir test"
        );

        // The minisign tool opens the key with the passphrase (on stdin).
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("k.key"), sk.as_bytes()).unwrap();
        fs::write(dir.path().join("m"), b"signed by the minisign tool").unwrap();
        let out = minisign_tool(
            dir.path(),
            &["-S", "-s", "k.key", "-m", "m", "-t", "from minisign"],
            b"correct horse battery staple\n",
        );
        assert_ok(&out);
        let sig = fs::read_to_string(dir.path().join("m.minisig")).unwrap();
        assert_eq!(
            crate::sign::verify(&pk, &sig, b"signed by the minisign tool").unwrap(),
            "from minisign"
        );
    }

    #[test]
    fn a_key_encrypted_by_the_minisign_tool_signs_in_pocdir() {
        let dir = tempfile::tempdir().unwrap();
        let out = minisign_tool(
            dir.path(),
            &["-G", "-p", "k.pub", "-s", "k.key"],
            b"tool passphrase\ntool passphrase\n",
        );
        assert_ok(&out);
        let sk = Zeroizing::new(fs::read_to_string(dir.path().join("k.key")).unwrap());
        let pk = parse_pub(&fs::read_to_string(dir.path().join("k.pub")).unwrap());
        assert!(is_encrypted(&sk));
        assert!(matches!(
            load_secret_key(&sk, Some(&pass("wrong")), &pk),
            Err(KeyError::Passphrase)
        ));
        let key = load_secret_key(&sk, Some(&pass("tool passphrase")), &pk).unwrap();
        let sig = key.sign(b"data", "signed by pocdir", "u").unwrap();
        fs::write(dir.path().join("d"), b"data").unwrap();
        fs::write(dir.path().join("d.minisig"), sig).unwrap();
        let out = minisign_tool(dir.path(), &["-V", "-p", "k.pub", "-m", "d"], b"");
        assert_ok(&out);
        assert!(String::from_utf8_lossy(&out.stdout).contains("signed by pocdir"));
    }

    #[test]
    fn interactive_limits_round_trip_and_open_in_minisign() {
        let pw = pass("short-lived laptop");
        let (sk, pk_text) =
            signing_keypair_with(Some(&pw), crate::sign::kdf::INTERACTIVE, "k").unwrap();
        let pk = parse_pub(&pk_text);
        load_secret_key(&sk, Some(&pw), &pk).unwrap();
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("k.key"), sk.as_bytes()).unwrap();
        fs::write(dir.path().join("m"), b"m").unwrap();
        let out = minisign_tool(
            dir.path(),
            &["-S", "-s", "k.key", "-m", "m"],
            b"short-lived laptop\n",
        );
        assert_ok(&out);
    }

    #[test]
    fn passphrase_and_comment_are_checked() {
        assert_eq!(
            signing_keypair(Some(&pass("")), "k").unwrap_err(),
            KeyGenError::EmptyPassphrase
        );
        assert_eq!(
            signing_keypair(Some(&pass(&"a".repeat(MAX_PASSPHRASE_BYTES + 1))), "k").unwrap_err(),
            KeyGenError::PassphraseTooLong
        );
        for comment in ["two\nlines", "a\rb", &"c".repeat(MAX_COMMENT_BYTES + 1)] {
            assert_eq!(
                signing_keypair(None, comment).unwrap_err(),
                KeyGenError::BadComment
            );
        }
        // The messages never repeat what was given.
        assert!(!KeyGenError::EmptyPassphrase.to_string().is_empty());
    }

    #[test]
    fn unencrypted_keypair_round_trips() {
        let (sk, pk_text) = signing_keypair(None, "DEMO key - NOT SECRET").unwrap();
        assert!(sk.starts_with("untrusted comment: DEMO key - NOT SECRET\n"));
        assert!(!is_encrypted(&sk));
        let pk = parse_pub(&pk_text);
        let key = load_secret_key(&sk, None, &pk).unwrap();
        // A passphrase is ignored for an unencrypted key.
        load_secret_key(&sk, Some(&pass("whatever")), &pk).unwrap();
        let sig = key.sign(b"data", "t", "u").unwrap();
        assert_eq!(crate::sign::verify(&pk, &sig, b"data").unwrap(), "t");

        // Another pair: another id, and the first secret key does not
        // pass for it.
        let (_, other_text) = signing_keypair(None, "other").unwrap();
        let other = parse_pub(&other_text);
        assert_ne!(key_id(&other), key_id(&pk));
        assert!(matches!(
            load_secret_key(&sk, None, &other),
            Err(KeyError::Mismatch { .. })
        ));
    }

    #[test]
    fn unencrypted_key_works_with_the_minisign_tool() {
        let (sk, pk_text) = signing_keypair(None, "DEMO key").unwrap();
        let pk = parse_pub(&pk_text);
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("k.key"), sk.as_bytes()).unwrap();
        fs::write(dir.path().join("k.pub"), &pk_text).unwrap();
        fs::write(dir.path().join("m"), b"demo").unwrap();
        // No passphrase asked (stdin is empty).
        assert_ok(&minisign_tool(
            dir.path(),
            &["-S", "-s", "k.key", "-m", "m", "-t", "demo sig"],
            b"",
        ));
        let sig = fs::read_to_string(dir.path().join("m.minisig")).unwrap();
        assert_eq!(crate::sign::verify(&pk, &sig, b"demo").unwrap(), "demo sig");
        // And the tool reads our public key file.
        assert_ok(&minisign_tool(
            dir.path(),
            &["-V", "-m", "m", "-p", "k.pub"],
            b"",
        ));
    }

    #[test]
    fn write_new_file_refuses_to_overwrite_and_protects_secrets() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("k.key");
        write_new_file(&key, b"secret", true).unwrap();
        assert_eq!(fs::read(&key).unwrap(), b"secret");
        assert_eq!(
            fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );

        for secret in [true, false] {
            let e = write_new_file(&key, b"other", secret).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        }
        assert_eq!(fs::read(&key).unwrap(), b"secret");

        let public = dir.path().join("k.pub");
        write_new_file(&public, b"public", false).unwrap();
        assert_eq!(fs::read(&public).unwrap(), b"public");

        // A dangling symbolic link counts as existing: never followed.
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &link).unwrap();
        assert_eq!(
            write_new_file(&link, b"x", true).unwrap_err().kind(),
            io::ErrorKind::AlreadyExists
        );
        assert!(!dir.path().join("nowhere").exists());

        // A missing folder: an error, nothing created.
        assert!(write_new_file(&dir.path().join("no/such/dir/k"), b"x", true).is_err());

        // No temporary file is left behind.
        let mut names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["k.key", "k.pub", "link"]);
    }

    #[test]
    fn write_new_file_race_has_one_winner() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("race");
        let barrier = std::sync::Barrier::new(8);
        let results: Vec<io::Result<()>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8u8)
                .map(|i| {
                    let (path, barrier) = (&path, &barrier);
                    s.spawn(move || {
                        barrier.wait();
                        write_new_file(path, &[i; 64], true)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let winners: Vec<usize> = results
            .iter()
            .enumerate()
            .filter(|(_, r)| r.is_ok())
            .map(|(i, _)| i)
            .collect();
        assert_eq!(winners.len(), 1, "{results:?}");
        for r in &results {
            if let Err(e) = r {
                assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
            }
        }
        assert_eq!(fs::read(&path).unwrap(), [winners[0] as u8; 64]);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn age_identity_decrypts_what_was_encrypted_to_it() {
        let (text, recipient) = age_identity();
        let lines: Vec<&str> = text.split_terminator('\n').collect();
        assert_eq!(lines.len(), 3, "{} lines", lines.len());
        let created = lines[0].strip_prefix("# created: ").unwrap();
        assert_eq!(created.len(), "2025-01-31T12:00:00Z".len());
        assert!(created.ends_with('Z'));
        created.parse::<jiff::Timestamp>().unwrap();
        assert_eq!(lines[1], format!("# public key: {recipient}"));
        assert!(lines[2].starts_with("AGE-SECRET-KEY-1"));
        assert!(recipient.starts_with("age1"));

        let to: age::x25519::Recipient = recipient.parse().unwrap();
        let encryptor =
            age::Encryptor::with_recipients(std::iter::once(&to as &dyn age::Recipient)).unwrap();
        let mut ciphertext = Vec::new();
        let mut w = encryptor.wrap_output(&mut ciphertext).unwrap();
        w.write_all(b"the State's bundle").unwrap();
        w.finish().unwrap();

        let decrypt = |identity_text: &str| -> Result<Vec<u8>, age::DecryptError> {
            let ids = age::IdentityFile::from_buffer(identity_text.as_bytes())
                .unwrap()
                .into_identities()
                .unwrap();
            let mut r = age::Decryptor::new(&ciphertext[..])?
                .decrypt(ids.iter().map(|i| i.as_ref() as &dyn age::Identity))?;
            let mut plain = Vec::new();
            r.read_to_end(&mut plain).unwrap();
            Ok(plain)
        };
        assert_eq!(decrypt(&text).unwrap(), b"the State's bundle");
        let (other, other_recipient) = age_identity();
        assert_ne!(other_recipient, recipient);
        assert!(decrypt(&other).is_err());
    }
}
