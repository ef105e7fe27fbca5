//! Generate the test vectors of `pocdir open`, one folder per failure class
//! (tests/cli/bundle.rs runs them):
//!
//! `cargo run --example vectors -- --out tests/vectors/open2`
//!
//! (Bundle format 2, `FRA.tar.gz.age`. The format 1 vectors in
//! tests/vectors/open/ were made by this program before format 2, and are
//! kept as they are: `open` still reads format 1.)
//!
//! The bundles are made by the real build (`pocdir::build::build`) from a
//! throw-away copy of the repository's example directory reduced to France
//! and Germany, signed with its DEMO secretariat key, at a fixed time; then
//! each vector alters one thing. Every folder holds the bundle files as a
//! PoC receives them, `identity.key` (a DEMO age identity), `trusted.pub`
//! (the key passed as `--trust`), an optional `state/` (the state folder
//! before opening) and `expected.json` (the exit code, the error class and
//! the `--now` to open with: fixed times, so the vectors never expire).
//!
//! age encryption is randomised: a new run gives new bytes for the same
//! vectors. The folders it makes are replaced; nothing else in `--out` is
//! touched.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use base64::Engine;
use clap::Parser;
use serde_json::json;

#[derive(Parser)]
struct Args {
    /// Where the vector folders go (tests/vectors/open2).
    #[arg(long)]
    out: PathBuf,
    /// Write only these vectors (comma-separated names), leaving the other
    /// folders as they are (a new class without new bytes for every other).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
}

/// When the vectors' directory version is issued.
const ISSUED: &str = "2026-11-22T12:00:00Z";
/// The day the directory is checked as of.
const AS_OF: &str = "2026-11-22";
/// The States kept from the example directory.
const STATES: [&str; 2] = ["DEU", "FRA"];
/// France's bundle (format 2).
const FRA: &str = "FRA.tar.gz.age";

type Files = Vec<(String, Vec<u8>)>;

fn main() -> ExitCode {
    let args = Args::parse();
    match generate(&args.out, &args.only) {
        Ok(names) => {
            println!(
                "wrote {} vectors to {}: {}",
                names.len(),
                args.out.display(),
                names.join(", ")
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn io<E: std::fmt::Display>(what: impl std::fmt::Display) -> impl FnOnce(E) -> String {
    move |e| format!("{what}: {e}")
}

fn copy_tree(src: &Path, dst: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dst).map_err(io(dst.display()))?;
    for entry in std::fs::read_dir(src).map_err(io(src.display()))? {
        let entry = entry.map_err(io(src.display()))?;
        let (from, to) = (entry.path(), dst.join(entry.file_name()));
        if entry.file_type().map_err(io(from.display()))?.is_dir() {
            copy_tree(&from, &to)?;
        } else {
            std::fs::copy(&from, &to).map_err(io(from.display()))?;
        }
    }
    Ok(())
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(io(path.display()))
}

/// The example directory reduced to `STATES`, without its version log (the
/// vectors' version is sequence 1) or communication checks.
fn small_directory(root: &Path) -> Result<(), String> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for d in ["content", "keys", "themes"] {
        copy_tree(&repo.join(d), &root.join(d))?;
    }
    for (dir, ext) in [
        ("content/states", "yaml"),
        ("keys/states", "yaml"),
        ("keys/demo/states", "key"),
    ] {
        let dir = root.join(dir);
        for entry in std::fs::read_dir(&dir).map_err(io(dir.display()))? {
            let p = entry.map_err(io(dir.display()))?.path();
            let keep = p.extension().is_some_and(|e| e == ext)
                && p.file_stem()
                    .and_then(|s| s.to_str())
                    .is_some_and(|s| STATES.contains(&s));
            if !keep {
                std::fs::remove_file(&p).map_err(io(p.display()))?;
            }
        }
    }
    // The communication checks name States that are not kept.
    let pings = root.join("content/pings");
    if pings.is_dir() {
        std::fs::remove_dir_all(&pings).map_err(io(pings.display()))?;
    }
    Ok(())
}

/// The lines of a minisign signature file: untrusted comment, signature
/// (base64), trusted comment, global signature (base64).
fn sig_lines(sig: &[u8]) -> Result<Vec<String>, String> {
    let text = std::str::from_utf8(sig).map_err(io("signature"))?;
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.len() != 4 || !lines[2].starts_with("trusted comment: ") {
        return Err("unexpected signature file layout".into());
    }
    Ok(lines)
}

fn join_lines(lines: &[String]) -> Vec<u8> {
    let mut s = lines.join("\n");
    s.push('\n');
    s.into_bytes()
}

/// The signature file with bit 0 of byte `at` of its signature line (the
/// decoded `ED` + key id + signature) flipped.
fn flip_in_signature_line(sig: &[u8], at: usize) -> Result<Vec<u8>, String> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut lines = sig_lines(sig)?;
    let mut raw = b64.decode(&lines[1]).map_err(io("signature line"))?;
    if raw.len() != 74 || &raw[..2] != b"ED" {
        return Err("not a prehashed minisign signature".into());
    }
    raw[at] ^= 0x01;
    lines[1] = b64.encode(&raw);
    Ok(join_lines(&lines))
}

fn trusted_comment(sig: &[u8]) -> Result<String, String> {
    Ok(sig_lines(sig)?[2]
        .strip_prefix("trusted comment: ")
        .unwrap_or_default()
        .to_string())
}

/// A fresh unencrypted (throw-away) signing key.
fn new_key() -> Result<pocdir::sign::SigningKey, String> {
    let (sk, pk_text) = pocdir::sign::keygen::signing_keypair(None, "pocdir test vector key")
        .map_err(io("key pair"))?;
    let pk = pocdir::sign::PublicKey::from_file_text(&pk_text).map_err(io("key pair"))?;
    pocdir::sign::load_secret_key(&sk, None, &pk).map_err(io("key pair"))
}

/// A prehashed minisign signature of `data` made with `key`.
fn sign_with(
    key: &pocdir::sign::SigningKey,
    data: &[u8],
    trusted: &str,
    untrusted: &str,
) -> Vec<u8> {
    key.sign(data, trusted, untrusted)
        .expect("the comments are single lines")
        .into_bytes()
}

/// What the state folder remembers, as `pocdir open` writes it.
fn accepted(state: &str, seq: u64, root: &str, key_id: &str) -> Vec<u8> {
    let a = pocdir::bundle::open::Accepted {
        state: state.into(),
        seq,
        root: root.into(),
        issued: "2026-12-01T12:00:00Z".into(),
        expires: "2027-01-30T12:00:00Z".into(),
        key_id: key_id.into(),
    };
    let mut v = serde_json::to_vec_pretty(&a).expect("serialisable");
    v.push(b'\n');
    v
}

struct Vector {
    name: &'static str,
    description: &'static str,
    /// The file passed to `pocdir open` (its signature beside it).
    bundle: &'static str,
    files: Files,
    identity: Vec<u8>,
    trusted: Vec<u8>,
    state: Files,
    exit: u8,
    class: Option<&'static str>,
    now: String,
}

fn write_vector(out: &Path, v: &Vector) -> Result<(), String> {
    let dir = out.join(v.name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(io(dir.display()))?;
    }
    let mut all: Files = v.files.clone();
    all.push(("identity.key".into(), v.identity.clone()));
    all.push(("trusted.pub".into(), v.trusted.clone()));
    for (name, bytes) in &v.state {
        all.push((format!("state/{name}"), bytes.clone()));
    }
    let expected = json!({
        "description": v.description,
        "bundle": v.bundle,
        "exit": v.exit,
        "class": v.class,
        "now": v.now,
    });
    let mut e = serde_json::to_vec_pretty(&expected).expect("serialisable");
    e.push(b'\n');
    all.push(("expected.json".into(), e));
    for (rel, bytes) in &all {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent.display()))?;
        }
        std::fs::write(&p, bytes).map_err(io(p.display()))?;
    }
    Ok(())
}

fn generate(out: &Path, only: &[String]) -> Result<Vec<String>, String> {
    let tmp = tempfile::tempdir().map_err(io("temporary folder"))?;
    let root = tmp.path().join("root");
    small_directory(&root)?;
    let dist = tmp.path().join("dist");
    let issued: jiff::Timestamp = ISSUED.parse().map_err(io("ISSUED"))?;
    let opts = pocdir::build::BuildOptions {
        root: &root,
        out: &dist,
        as_of: AS_OF.parse().map_err(io("AS_OF"))?,
        now: issued,
        signing_key: None,
        passphrase: &|| None,
        site_only: false,
        site_secret: None,
        site_passphrase: &|| None,
    };
    let built = match pocdir::build::build(&opts) {
        Ok(b) => b,
        Err(pocdir::build::BuildError::Invalid { report, sources }) => {
            return Err(format!(
                "the reduced example directory has errors:\n{}",
                report.render_human(&sources, false)
            ));
        }
        Err(pocdir::build::BuildError::Render(e) | pocdir::build::BuildError::Seal(e)) => {
            return Err(e);
        }
        Err(pocdir::build::BuildError::Io(e)) => return Err(e),
    };
    let version = built.version.ok_or("the build sealed no bundle")?;
    if version.seq != 1 || built.bundles != STATES {
        return Err(format!(
            "expected sequence 1 and bundles for {STATES:?}, got {} and {:?}",
            version.seq, built.bundles
        ));
    }
    let bundles = dist.join("bundles");
    let fra = read(&bundles.join(FRA))?;
    let fra_sig = read(&bundles.join(format!("{FRA}.minisig")))?;
    let deu = read(&bundles.join("DEU.tar.gz.age"))?;
    let deu_sig = read(&bundles.join("DEU.tar.gz.age.minisig"))?;
    let trusted = read(&bundles.join("secretariat.pub"))?;
    let fra_id = read(&root.join("keys/demo/states/FRA.key"))?;
    let deu_id = read(&root.join("keys/demo/states/DEU.key"))?;
    let comment = trusted_comment(&fra_sig)?;

    // The secretariat's (demo) key, for vectors that need pocdir's own
    // signature over altered content.
    let pk_text = String::from_utf8_lossy(&trusted).into_owned();
    let pk = pocdir::directory::validate::fields::minisign_public_key(&pk_text)
        .map_err(|_| "secretariat.pub is not a public key".to_string())?;
    let key_id = pocdir::sign::key_id(&pk);
    let sk_text = pocdir::directory::read::read_secret_key(&root.join("keys/demo/secretariat.key"))
        .map_err(|e| e.to_string())?;
    let secretariat = pocdir::sign::load_secret_key(&sk_text, None, &pk)
        .map_err(|e| format!("the demo key: {e}"))?;
    let untrusted = format!("pocdir bundle for FRA - verify with the secretariat key {key_id}");

    // Times: open a day after the issue; the expired vector a day after
    // the expiry, the one issued in the future a day before the issue.
    let day = jiff::SignedDuration::from_hours(24);
    let now = pocdir::util::time::fmt_ts(issued.checked_add(day).map_err(io("time"))?);
    let after_expiry =
        pocdir::util::time::fmt_ts(version.expires.checked_add(day).map_err(io("time"))?);
    let before_issue = pocdir::util::time::fmt_ts(issued.checked_sub(day).map_err(io("time"))?);

    let fra_files = |data: Vec<u8>, sig: Vec<u8>| -> Files {
        vec![(FRA.into(), data), (format!("{FRA}.minisig"), sig)]
    };
    let pinned = || -> Files { vec![("trusted.pub".into(), trusted.clone())] };
    let base = |name, description, files, exit, class| Vector {
        name,
        description,
        bundle: FRA,
        files,
        identity: fra_id.clone(),
        trusted: trusted.clone(),
        state: Vec::new(),
        exit,
        class,
        now: now.clone(),
    };

    let mut vectors = Vec::new();
    vectors.push(base(
        "valid",
        "France's bundle as sealed, opened by France with a new state folder",
        fra_files(fra.clone(), fra_sig.clone()),
        0,
        None,
    ));

    let mut flipped = fra.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x01;
    vectors.push(base(
        "bitflip-ciphertext",
        "one bit of the encrypted file flipped (in the middle of the payload)",
        fra_files(flipped, fra_sig.clone()),
        4,
        Some("bad-signature"),
    ));

    vectors.push(base(
        "bitflip-signature",
        "one bit of the Ed25519 signature flipped",
        fra_files(fra.clone(), flip_in_signature_line(&fra_sig, 10 + 20)?),
        4,
        Some("bad-signature"),
    ));

    let mut lines = sig_lines(&fra_sig)?;
    if !lines[2].contains(" seq=1 ") {
        return Err("the trusted comment has no seq=1".into());
    }
    lines[2] = lines[2].replacen(" seq=1 ", " seq=9 ", 1);
    vectors.push(base(
        "bitflip-trusted-comment",
        "one character of the trusted comment changed (seq=1 made seq=9, to skip versions)",
        fra_files(fra.clone(), join_lines(&lines)),
        4,
        Some("bad-signature"),
    ));

    vectors.push(base(
        "bitflip-key-id",
        "one bit of the key id in the signature flipped: an unknown key",
        fra_files(fra.clone(), flip_in_signature_line(&fra_sig, 2)?),
        3,
        Some("unknown-key"),
    ));

    vectors.push(base(
        "other-state-renamed",
        "Germany's bundle and signature renamed FRA.tar.gz.age and FRA.tar.gz.age.minisig",
        fra_files(deu.clone(), deu_sig.clone()),
        9,
        Some("misdirected"),
    ));

    let mut v = base(
        "state-follows-other-state",
        "France's bundle opened with a state folder that follows Germany's bundles",
        fra_files(fra.clone(), fra_sig.clone()),
        9,
        Some("misdirected"),
    );
    v.state = pinned();
    v.state.push((
        "accepted.json".into(),
        accepted("DEU", 1, &version.root, &key_id),
    ));
    vectors.push(v);

    let later_root = pocdir::util::hash::sha256_hex(b"a later directory version");
    let mut v = base(
        "lower-sequence",
        "the state folder accepted sequence 5; the bundle is sequence 1 (a replay)",
        fra_files(fra.clone(), fra_sig.clone()),
        7,
        Some("rollback"),
    );
    v.state = pinned();
    v.state.push((
        "accepted.json".into(),
        accepted("FRA", 5, &later_root, &key_id),
    ));
    vectors.push(v);

    let other_root = pocdir::util::hash::sha256_hex(b"another directory shown as version 1");
    let mut v = base(
        "same-sequence-other-root",
        "the state folder accepted sequence 1 with another root hash (a fork)",
        fra_files(fra.clone(), fra_sig.clone()),
        8,
        Some("fork"),
    );
    v.state = pinned();
    v.state.push((
        "accepted.json".into(),
        accepted("FRA", 1, &other_root, &key_id),
    ));
    vectors.push(v);

    // A split view (issue #18): the state folder accepted version 1 of
    // this very directory (the same root) from another log: the same
    // version issued at another time, as another build would write its
    // line. The bundle's log head (log.jsonl) disagrees with the one
    // recorded: refused, exit 16.
    let other_line = format!(
        r#"{{"seq":1,"root":"{}","issued":"2026-12-01T12:00:00Z","prev":"{}"}}"#,
        version.root,
        "0".repeat(64)
    );
    let heads = pocdir::bundle::checkpoint::HeadsRecord {
        format: pocdir::bundle::checkpoint::LOG_HEADS_FORMAT.into(),
        heads: vec![pocdir::bundle::checkpoint::Head {
            seq: 1,
            root: version.root.clone(),
            line: pocdir::util::hash::sha256_hex(other_line.as_bytes()),
        }],
    };
    let mut v = base(
        "log-head-disagrees",
        "the state folder accepted version 1 with the same root, but as another line of the log (issued at another time, as another build wrote it): the bundle's log head (log.jsonl) disagrees, a split view",
        fra_files(fra.clone(), fra_sig.clone()),
        16,
        Some("split-view"),
    );
    v.state = pinned();
    v.state.push((
        "accepted.json".into(),
        accepted("FRA", 1, &version.root, &key_id),
    ));
    let mut h = serde_json::to_vec_pretty(&heads).expect("serialisable");
    h.push(b'\n');
    v.state
        .push((pocdir::bundle::checkpoint::LOG_HEADS.into(), h));
    vectors.push(v);

    let mut v = base(
        "expired",
        "France's bundle opened a day after its expiry",
        fra_files(fra.clone(), fra_sig.clone()),
        6,
        Some("expired"),
    );
    v.now = after_expiry;
    vectors.push(v);

    let mut v = base(
        "issued-in-the-future",
        "France's bundle opened on a computer whose clock is a day behind its issue time",
        fra_files(fra.clone(), fra_sig.clone()),
        6,
        Some("expired"),
    );
    v.now = before_issue.clone();
    vectors.push(v);

    let other = new_key()?;
    vectors.push(base(
        "unknown-key",
        "France's bundle signed, with the same trusted comment, by a key that is not the secretariat's",
        fra_files(fra.clone(), sign_with(&other, &fra, &comment, &untrusted)),
        3,
        Some("unknown-key"),
    ));

    vectors.push(base(
        "truncated",
        "the encrypted file cut in half",
        fra_files(fra[..fra.len() / 2].to_vec(), fra_sig.clone()),
        4,
        Some("bad-signature"),
    ));

    let mut longer = fra.clone();
    longer.extend_from_slice(b"\r\n-- \r\nappended by a mail gateway\r\n");
    vectors.push(base(
        "trailing-garbage",
        "bytes appended to the encrypted file",
        fra_files(longer, fra_sig.clone()),
        4,
        Some("bad-signature"),
    ));

    let mut v = base(
        "wrong-identity",
        "France's bundle opened with Germany's identity",
        fra_files(fra.clone(), fra_sig.clone()),
        10,
        Some("wrong-identity"),
    );
    v.identity = deu_id.clone();
    vectors.push(v);

    let not_pocdir = "timestamp:1795780800\tfile:FRA.tar.gz.age\thashed";
    vectors.push(base(
        "malformed-comment",
        "France's bundle signed by the secretariat key with minisign's default trusted comment, not a pocdir one",
        fra_files(fra.clone(), secretariat.sign(&fra, not_pocdir, &untrusted)?.into_bytes()),
        5,
        Some("malformed"),
    ));

    // Decrypt France's bundle, alter a phone number in contacts.csv without
    // updating the manifest, encrypt to France again and sign with the
    // secretariat key and the original trusted comment.
    let identity = x25519_identity(&fra_id)?;
    let recipient = identity.to_public().to_string();
    let gz = age::decrypt(&identity, &fra).map_err(io("decrypting FRA"))?;
    let mut files =
        pocdir::bundle::tarball::read_gzip(&gz[..], 1 << 30).map_err(|e| e.to_string())?;
    // In tar order: the log head (sealed since issue #18) after contacts.csv.
    let ordered = |files: &std::collections::BTreeMap<String, Vec<u8>>| -> Result<Files, String> {
        let log = pocdir::bundle::checkpoint::LOG_EXCERPT;
        let mut names: Vec<&str> = pocdir::bundle::FILES.to_vec();
        if files.contains_key(log) {
            names.insert(4, log);
        }
        names
            .iter()
            .map(|name| {
                let bytes = files.get(*name).ok_or(format!("no {name} in the bundle"))?;
                Ok((name.to_string(), bytes.clone()))
            })
            .collect()
    };
    let mtime = issued.as_second() as u64;
    let tar_of = |files: &Files| pocdir::bundle::tarball::write(files, mtime).map_err(io("tar"));
    let gzip = |b: &[u8]| pocdir::bundle::tarball::gzip_member(b).map_err(io("gzip"));
    // `plain` encrypted to France, signed by the secretariat with `comment`.
    let reseal = |plain: &[u8], comment: &str| -> Result<Files, String> {
        let cipher = pocdir::bundle::encrypt(plain, std::slice::from_ref(&recipient))?;
        let sig = secretariat.sign(&cipher, comment, &untrusted)?.into_bytes();
        Ok(fra_files(cipher, sig))
    };
    let csv = String::from_utf8(files["contacts.csv"].clone()).map_err(io("contacts.csv"))?;
    let altered = csv.replacen("+33", "+99", 1);
    if altered == csv {
        return Err("contacts.csv has no French number to alter".into());
    }
    let good = ordered(&files)?;
    files.insert("contacts.csv".into(), altered.into_bytes());
    vectors.push(base(
        "tampered-content",
        "signed by the secretariat with the right comment, but contacts.csv inside does not match the manifest",
        reseal(&gzip(&tar_of(&ordered(&files)?)?)?, &comment)?,
        11,
        Some("tampered"),
    ));

    // Format 2 failure classes: each plaintext encrypted to France and
    // signed by the secretariat with the right comment, so only the
    // decompression and the archive reader can refuse it.
    let good_tar = tar_of(&good)?;
    let good_gz = gzip(&good_tar)?;
    vectors.push(base(
        "gzip-truncated",
        "signed, but the gzip stream inside is cut short (its last 100 bytes missing)",
        reseal(&good_gz[..good_gz.len() - 100], &comment)?,
        11,
        Some("tampered"),
    ));
    let mut garbage = good_gz.clone();
    garbage.extend_from_slice(b"\r\n-- \r\nappended after the gzip stream\r\n");
    vectors.push(base(
        "gzip-trailing-garbage",
        "signed, but bytes that are not a gzip member follow the gzip stream inside",
        reseal(&garbage, &comment)?,
        11,
        Some("tampered"),
    ));
    // A bomb: the real files, then a member of zeros decompressing past
    // the cap (256 MiB), in a few hundred kilobytes.
    let mut bomb = gzip(&good_tar[..good_tar.len() - 1024])?;
    let zeros = vec![0u8; (pocdir::bundle::tarball::MAX_PLAINTEXT + (1 << 20)) as usize];
    bomb.extend_from_slice(&gzip(&zeros)?);
    drop(zeros);
    vectors.push(base(
        "gzip-bomb",
        "signed, but the gzip stream decompresses to more than the 256 MiB cap (zeros after the real files)",
        reseal(&bomb, &comment)?,
        11,
        Some("tampered"),
    ));
    let mut many = good.clone();
    for i in 0..pocdir::bundle::tarball::MAX_ENTRIES {
        many.push((format!("extra-{i}.txt"), b"x".to_vec()));
    }
    vectors.push(base(
        "too-many-entries",
        "signed, but the tar inside holds more than 16 entries",
        reseal(&gzip(&tar_of(&many)?)?, &comment)?,
        11,
        Some("tampered"),
    ));
    let mut after_end = good_tar.clone();
    after_end.extend_from_slice(
        &pocdir::bundle::tarball::write(&[("extra.txt", b"x")], mtime).map_err(io("tar"))?,
    );
    vectors.push(base(
        "data-after-end-of-archive",
        "signed, but the tar inside goes on after its end-of-archive blocks (an entry GNU tar would not show)",
        reseal(&gzip(&after_end)?, &comment)?,
        11,
        Some("tampered"),
    ));
    vectors.push(base(
        "format2-comment-on-format1-body",
        "signed with a format 2 comment, but the plaintext is an uncompressed (format 1) tar",
        reseal(&good_tar, &comment)?,
        11,
        Some("tampered"),
    ));
    let comment_1 = comment.replacen("pocdir-bundle/2 ", "pocdir-bundle/1 ", 1);
    if comment_1 == comment {
        return Err("the trusted comment does not start with pocdir-bundle/2".into());
    }
    vectors.push(base(
        "format1-comment-on-format2-body",
        "signed with a format 1 comment, but the plaintext is gzip-compressed (format 2)",
        reseal(&good_gz, &comment_1)?,
        11,
        Some("tampered"),
    ));
    vectors.push(base(
        "unknown-format",
        "signed with a comment naming format 3, which this pocdir does not know",
        reseal(
            &good_gz,
            &comment.replacen("pocdir-bundle/2 ", "pocdir-bundle/3 ", 1),
        )?,
        5,
        Some("malformed"),
    ));

    // Issue #18: the secretariat key's history — numbered statements
    // signed by the keys they replace and by every new key — travels
    // beside the bundle as key-history.json (as `build` writes it and
    // `mail` attaches it). Retired keys, forks, misdated versions, key
    // sets of two that need two signatures, a lost or replaced pin.
    use pocdir::sign::history_file::{HistoryFile, StartSet, StatementEntry};
    use pocdir::sign::rotation::{KeySet, Statement, draft_statement};
    let anchor = KeySet::single(pk.clone(), 1);
    let day = |d: &str| -> Result<jiff::civil::Date, String> { d.parse().map_err(io("date")) };
    // A statement after `prev`, naming `keys` (k of them), signed by
    // `signers` (not checked: some vectors are forged on purpose).
    let statement = |prev: &KeySet,
                     keys: &[&pocdir::sign::SigningKey],
                     k: usize,
                     date: &str,
                     expires: &str,
                     signers: &[&pocdir::sign::SigningKey]|
     -> Result<(Statement, KeySet), String> {
        let pks: Vec<pocdir::sign::PublicKey> = keys.iter().map(|s| s.pk.clone()).collect();
        let st = draft_statement(prev, &pks, k, day(date)?, day(expires)?, signers)
            .map_err(|e| e.to_string())?;
        let mut next = KeySet {
            version: prev.version.max(1) + 1,
            keys: pks,
            threshold: k,
            date: Some(date.into()),
            expires: Some(expires.into()),
        };
        next.keys.sort_by_key(pocdir::sign::key_id);
        Ok((st, next))
    };
    // key-history.json from the anchor (or a reader's pin, version 0).
    let history_file = |first: &pocdir::sign::PublicKey, version: u64, stmts: &[&Statement]| {
        HistoryFile {
            format: pocdir::sign::history_file::FORMAT.into(),
            start: StartSet {
                version,
                keys: vec![first.to_base64()],
                threshold: 1,
                date: None,
                expires: None,
            },
            statements: stmts
                .iter()
                .map(|st| StatementEntry {
                    statement: String::from_utf8_lossy(&st.text).into_owned(),
                    signatures: st.signatures.clone(),
                })
                .collect(),
        }
        .to_json()
        .into_bytes()
    };
    let beside = |files: &mut Files, bytes: Vec<u8>| {
        files.push(("key-history.json".into(), bytes));
    };
    let pub_text =
        |pk: &pocdir::sign::PublicKey| pocdir::sign::keygen::public_key_text(pk).into_bytes();

    // Key rotation: the bundle signed by a new key, with the history
    // (version 2 signed by the trusted key and the new one) beside it.
    let new = new_key()?;
    let new_id = pocdir::sign::key_id(&new.pk);
    let (a_to_new, new_set) = statement(
        &anchor,
        &[&new],
        1,
        AS_OF,
        "2028-11-22",
        &[&secretariat, &new],
    )?;
    let new_sig = sign_with(&new, &fra, &comment, &untrusted);
    let mut files = fra_files(fra.clone(), new_sig.clone());
    beside(&mut files, history_file(&pk, 1, &[&a_to_new]));
    let mut v = base(
        "rotated",
        "signed by a new secretariat key; key-history.json beside the bundle holds version 2, signed by the trusted key and the new one",
        files,
        0,
        None,
    );
    v.state = pinned();
    vectors.push(v);

    vectors.push(base(
        "rotated-without-statement",
        "signed by a new secretariat key, with no key history",
        fra_files(fra.clone(), new_sig.clone()),
        3,
        Some("unknown-key"),
    ));

    // The statement signed by the new key only (issue 18's first attack).
    let (self_signed, _) = statement(&anchor, &[&new], 1, AS_OF, "2028-11-22", &[&new])?;
    let mut files = fra_files(fra.clone(), new_sig.clone());
    beside(&mut files, history_file(&pk, 1, &[&self_signed]));
    vectors.push(base(
        "rotation-self-signed",
        "signed by a new key, with a key history whose version 2 is signed by that new key only, not by the trusted one",
        files,
        3,
        Some("unknown-key"),
    ));

    // The old key signed, the new key did not: every new key must sign.
    let (unsigned_by_new, _) =
        statement(&anchor, &[&new], 1, AS_OF, "2028-11-22", &[&secretariat])?;
    let mut files = fra_files(fra.clone(), new_sig.clone());
    beside(&mut files, history_file(&pk, 1, &[&unsigned_by_new]));
    let mut v = base(
        "rotation-not-signed-by-new-key",
        "signed by a new key; version 2 of the key history beside it is signed by the trusted key but not by the new key it names",
        files,
        14,
        Some("rotation"),
    );
    v.state = pinned();
    vectors.push(v);

    let mut files = fra_files(fra.clone(), fra_sig.clone());
    beside(&mut files, history_file(&pk, 1, &[&a_to_new]));
    let mut v = base(
        "retired-key",
        "signed by the pinned key, with a key history beside the bundle that retires it in favour of a new key",
        files,
        13,
        Some("retired-key"),
    );
    v.state = pinned();
    vectors.push(v);

    let mut v = base(
        "retired-key-recorded",
        "signed by the key the state folder's key history shows retired (the history was followed before; none beside the bundle)",
        fra_files(fra.clone(), fra_sig.clone()),
        13,
        Some("retired-key"),
    );
    v.state = vec![
        ("trusted.pub".into(), pub_text(&new.pk)),
        (
            "key-history.json".into(),
            history_file(&pk, 0, &[&a_to_new]),
        ),
        (
            "accepted.json".into(),
            accepted("FRA", 1, &version.root, &new_id),
        ),
    ];
    vectors.push(v);

    let third = new_key()?;
    let (a_to_third, _) = statement(
        &anchor,
        &[&third],
        1,
        AS_OF,
        "2028-11-22",
        &[&secretariat, &third],
    )?;
    let mut files = fra_files(fra.clone(), new_sig.clone());
    let mut fork = HistoryFile::parse(&String::from_utf8_lossy(&history_file(
        &pk,
        1,
        &[&a_to_new],
    )))?;
    fork.statements.push(StatementEntry {
        statement: String::from_utf8_lossy(&a_to_third.text).into_owned(),
        signatures: a_to_third.signatures.clone(),
    });
    beside(&mut files, fork.to_json().into_bytes());
    let mut v = base(
        "rotation-fork",
        "signed by a new key; beside the bundle, two versions 2 of the key history signed by the pinned key, to two different keys",
        files,
        14,
        Some("rotation"),
    );
    v.state = pinned();
    vectors.push(v);

    let (future, _) = statement(
        &anchor,
        &[&new],
        1,
        "2999-01-01",
        "3000-01-01",
        &[&secretariat, &new],
    )?;
    let mut files = fra_files(fra.clone(), new_sig.clone());
    beside(&mut files, history_file(&pk, 1, &[&future]));
    let mut v = base(
        "rotation-dated-in-the-future",
        "signed by a new key, with a version 2 of the key history dated 2999-01-01 (later than the reader's clock)",
        files,
        14,
        Some("rotation"),
    );
    v.state = pinned();
    vectors.push(v);

    let (new_to_third, _) = statement(
        &new_set,
        &[&third],
        1,
        "2026-11-21",
        "2028-11-21",
        &[&new, &third],
    )?;
    let mut files = fra_files(fra.clone(), sign_with(&third, &fra, &comment, &untrusted));
    beside(
        &mut files,
        history_file(&pk, 1, &[&a_to_new, &new_to_third]),
    );
    let mut v = base(
        "rotation-out-of-order",
        "signed by a third key; version 2 (2026-11-22) moved to a second key, version 3 to the third on 2026-11-21, before",
        files,
        14,
        Some("rotation"),
    );
    v.state = pinned();
    vectors.push(v);

    // A key set that had expired when the bundle was issued (TUF's freeze
    // protection).
    let (stale, _) = statement(
        &anchor,
        &[&new],
        1,
        "2024-01-01",
        "2025-01-01",
        &[&secretariat, &new],
    )?;
    let mut files = fra_files(fra.clone(), new_sig.clone());
    beside(&mut files, history_file(&pk, 1, &[&stale]));
    let mut v = base(
        "key-set-expired",
        "signed by a new key whose key set (version 2, 2024-01-01) expired on 2025-01-01, before the bundle was issued",
        files,
        14,
        Some("rotation"),
    );
    v.state = pinned();
    vectors.push(v);

    // Two officers: version 2 is a set of two keys, both must sign.
    let second = new_key()?;
    let (two, _) = statement(
        &anchor,
        &[&new, &second],
        2,
        AS_OF,
        "2028-11-22",
        &[&secretariat, &new, &second],
    )?;
    let mut files = fra_files(fra.clone(), new_sig.clone());
    beside(&mut files, history_file(&pk, 1, &[&two]));
    let mut v = base(
        "threshold-not-met",
        "version 2 of the key history needs 2 of 2 keys; the bundle carries one signature (.minisig), no .minisig.2",
        files,
        4,
        Some("bad-signature"),
    );
    v.state = pinned();
    vectors.push(v);

    let mut files = fra_files(fra.clone(), new_sig.clone());
    files.push((
        format!("{FRA}.minisig.2"),
        sign_with(&second, &fra, &comment, &untrusted),
    ));
    beside(&mut files, history_file(&pk, 1, &[&two]));
    let mut v = base(
        "threshold-met",
        "version 2 of the key history needs 2 of 2 keys; the bundle carries both signatures (.minisig and .minisig.2)",
        files,
        0,
        None,
    );
    v.state = pinned();
    vectors.push(v);

    let mut files = fra_files(fra.clone(), new_sig.clone());
    files.push((
        format!("{FRA}.minisig.2"),
        sign_with(&new, &fra, &comment, &untrusted),
    ));
    beside(&mut files, history_file(&pk, 1, &[&two]));
    let mut v = base(
        "threshold-same-key-twice",
        "version 2 of the key history needs 2 of 2 keys; the bundle's two signatures are by the same key",
        files,
        4,
        Some("bad-signature"),
    );
    v.state = pinned();
    vectors.push(v);

    let intruder = new_key()?;
    let intruder_sig = sign_with(&intruder, &fra, &comment, &untrusted);
    let mut v = base(
        "lost-pin",
        "trusted.pub missing from a state folder whose accepted.json and key-history.json name the secretariat key; --trust names another key, which signed the bundle",
        fra_files(fra.clone(), intruder_sig.clone()),
        15,
        Some("state"),
    );
    v.trusted = pub_text(&intruder.pk);
    v.state = vec![
        (
            "accepted.json".into(),
            accepted("FRA", 1, &version.root, &key_id),
        ),
        ("key-history.json".into(), history_file(&pk, 0, &[])),
    ];
    vectors.push(v);

    let mut v = base(
        "pin-disagrees-with-record",
        "trusted.pub pins another key (which signed the bundle) than the one accepted.json records, with no rotation recorded between them",
        fra_files(fra.clone(), intruder_sig),
        15,
        Some("state"),
    );
    v.trusted = pub_text(&intruder.pk);
    v.state = vec![
        ("trusted.pub".into(), pub_text(&intruder.pk)),
        (
            "accepted.json".into(),
            accepted("FRA", 1, &version.root, &key_id),
        ),
    ];
    vectors.push(v);

    for name in only {
        if !vectors.iter().any(|v| v.name == name) {
            return Err(format!("--only {name}: no such vector"));
        }
    }
    std::fs::create_dir_all(out).map_err(io(out.display()))?;
    let mut names = Vec::new();
    for v in &vectors {
        if !only.is_empty() && !only.iter().any(|n| n == v.name) {
            continue;
        }
        write_vector(out, v)?;
        names.push(v.name.to_string());
    }
    Ok(names)
}

/// The X25519 identity of a DEMO identity file (comments, then one key).
fn x25519_identity(file: &[u8]) -> Result<age::x25519::Identity, String> {
    let text = std::str::from_utf8(file).map_err(io("identity"))?;
    let line = text
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .ok_or("no age identity in the file")?;
    line.parse().map_err(|e: &str| e.to_string())
}
