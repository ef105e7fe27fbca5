//! Trust pinning and key rotation in `pocdir open` (issue #18, points 2
//! and 7), each attack run with the real binary over the example directory
//! built twice (versions 1 and 2, both signed by its DEMO key A), keys made
//! by the real `minisign`, rotation statements made by `pocdir keygen
//! rotate` (or, for a chosen date, written as it writes them and signed by
//! the real `minisign`), and bundles re-signed by the real `minisign` with
//! their trusted comment, as another key would sign them:
//!
//! - a key the chain of rotations shows superseded is retired: a bundle it
//!   signs is refused, with the statements beside it or, once followed and
//!   recorded in the state folder, without them;
//! - a State pinned two keys back follows the whole chain and keeps its
//!   record of accepted versions;
//! - a fork (one key rotated to two) and misdated statements are refused;
//! - a lost `trusted.pub` with a record of earlier bundles is not a first
//!   use, and records that disagree are refused.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::build::example;
use crate::bundle::{now_for, open, snapshot};
use crate::peers;
use crate::support;

/// The example built twice, in folders kept for the whole run: version 1,
/// then version 2 after a change (the next sequence), both signed by the
/// example's DEMO secretariat key (A).
struct Built {
    root: support::Root,
    v1: tempfile::TempDir,
    v2: tempfile::TempDir,
}

fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let root = example();
        let tmp = |prefix: &str| {
            tempfile::Builder::new()
                .prefix(prefix)
                .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
                .unwrap()
        };
        let (v1, v2) = (tmp("open-pin-v1-"), tmp("open-pin-v2-"));
        let r = support::build(root.path(), v1.path(), &[]);
        assert_eq!(r.code, 0, "pocdir build failed:\n{}", r.stderr);
        // Germany's CERT changes its address: a new version.
        let deu = root.path().join("content/states/DEU.yaml");
        let text = fs::read_to_string(&deu).unwrap();
        assert!(text.contains("address: cert@cert.deu.example"));
        fs::write(
            &deu,
            text.replace(
                "address: cert@cert.deu.example",
                "address: cert-24x7@cert.deu.example",
            ),
        )
        .unwrap();
        let r = support::build(root.path(), v2.path(), &[]);
        assert_eq!(r.code, 0, "pocdir build failed:\n{}", r.stderr);
        let seq = |v: &tempfile::TempDir| comment_field(&bundle(v.path()), "seq");
        assert_eq!(
            seq(&v2).parse::<u64>().unwrap(),
            seq(&v1).parse::<u64>().unwrap() + 1
        );
        Built { root, v1, v2 }
    })
}

fn v1() -> &'static Path {
    built().v1.path()
}

fn v2() -> &'static Path {
    built().v2.path()
}

/// France's bundle in a build's output.
fn bundle(out: &Path) -> PathBuf {
    out.join("bundles/FRA.tar.gz.age")
}

fn sig_of(file: &Path) -> PathBuf {
    PathBuf::from(format!("{}.minisig", file.display()))
}

fn trusted_comment(sig: &Path) -> String {
    fs::read_to_string(sig)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("trusted comment: "))
        .expect("a trusted comment")
        .to_string()
}

fn comment_field(bundle: &Path, field: &str) -> String {
    trusted_comment(&sig_of(bundle))
        .split(' ')
        .find_map(|p| p.strip_prefix(&format!("{field}=")))
        .unwrap_or_else(|| panic!("no {field} in the trusted comment"))
        .to_string()
}

/// The base64 line of a public key (or signature) file.
fn base64_line(file: &Path) -> String {
    fs::read_to_string(file)
        .unwrap()
        .lines()
        .find(|l| !l.starts_with("untrusted comment:") && !l.trim().is_empty())
        .expect("a base64 line")
        .trim()
        .to_string()
}

/// The key id (as minisign prints it, 16 digits) of a public key or
/// signature file: bytes 2..10 of its base64 line, little-endian.
fn key_id_of(file: &Path) -> String {
    use base64::Engine;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(base64_line(file))
        .expect("base64");
    raw[2..10]
        .iter()
        .rev()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// A secretariat key: its public and (unencrypted) secret key files.
struct Key {
    public: PathBuf,
    secret: PathBuf,
    id: String,
}

/// The example's DEMO secretariat key, A (its public key as the site
/// publishes it).
fn key_a() -> Key {
    let public = v1().join("site/secretariat.pub");
    Key {
        id: key_id_of(&public),
        secret: built().root.path().join("keys/demo/secretariat.key"),
        public,
    }
}

/// A new key pair made by the real minisign, in `dir/name/`.
fn new_key(dir: &Path, name: &str) -> Key {
    let d = dir.join(name);
    fs::create_dir_all(&d).unwrap();
    let (public, secret) = peers::minisign_keypair(&d);
    Key {
        id: key_id_of(&public),
        public,
        secret,
    }
}

fn signing_key(k: &Key) -> pocdir::sign::SigningKey {
    let text = zeroize::Zeroizing::new(fs::read_to_string(&k.secret).unwrap());
    let pk =
        pocdir::sign::PublicKey::from_file_text(&fs::read_to_string(&k.public).unwrap()).unwrap();
    pocdir::sign::load_secret_key(&text, None, &pk).unwrap()
}

/// Version `version` of the key history, "`old` is replaced by `new`",
/// dated `date`, signed by both (as `pocdir keygen rotate` makes it),
/// written to `out` as a key-history.json holding that one statement.
fn statement_v(version: u64, old: &Key, new: &Key, date: &str, out: &Path) -> PathBuf {
    use pocdir::sign::history_file::{FORMAT, HistoryFile, StartSet, StatementEntry};
    use pocdir::sign::rotation::{KeySet, draft_statement};
    let (o, n) = (signing_key(old), signing_key(new));
    let prev = KeySet::single(o.pk.clone(), version - 1);
    let d: jiff::civil::Date = date.parse().unwrap();
    let st = draft_statement(
        &prev,
        std::slice::from_ref(&n.pk),
        1,
        d,
        d.checked_add(jiff::Span::new().days(730)).unwrap(),
        &[&o, &n],
    )
    .unwrap();
    let file = HistoryFile {
        format: FORMAT.into(),
        start: StartSet {
            version: 1,
            keys: vec![base64_line(&key_a().public)],
            threshold: 1,
            date: None,
            expires: None,
        },
        statements: vec![StatementEntry {
            statement: String::from_utf8(st.text).unwrap(),
            signatures: st.signatures,
        }],
    };
    fs::write(out, file.to_json()).unwrap();
    out.to_path_buf()
}

/// Version 2 (from A) or 3 (from another key) of the key history, dated
/// today.
fn rotate(old: &Key, new: &Key, out: &Path) -> PathBuf {
    let version = if old.id == key_a().id { 2 } else { 3 };
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_string();
    statement_v(version, old, new, &today, out)
}

/// The same, dated `date`.
fn statement_dated(old: &Key, new: &Key, date: &str, out: &Path) -> PathBuf {
    let version = if old.id == key_a().id { 2 } else { 3 };
    statement_v(version, old, new, date, out)
}

/// The `date:` of the statement in a key-history.json.
fn date_of(statement: &Path) -> String {
    let f = pocdir::sign::history_file::HistoryFile::parse(&fs::read_to_string(statement).unwrap())
        .unwrap();
    f.statements[0]
        .statement
        .lines()
        .find_map(|l| l.strip_prefix("date: "))
        .expect("a date line")
        .to_string()
}

/// The statements of these key-history.json files, as one file.
fn merged_history(files: &[&Path]) -> String {
    let mut all: Option<pocdir::sign::history_file::HistoryFile> = None;
    for f in files {
        let h = pocdir::sign::history_file::HistoryFile::parse(&fs::read_to_string(f).unwrap())
            .unwrap();
        match &mut all {
            None => all = Some(h),
            Some(a) => a.statements.extend(h.statements),
        }
    }
    all.unwrap().to_json()
}

/// A mail as a State receives it, in `dir/name/`: France's bundle of the
/// build `version`, signed by the build (key A) or, given `signer`,
/// re-signed by it with the same trusted comment; and `rotations/` beside
/// it with these statements.
fn mail(
    dir: &Path,
    name: &str,
    version: &Path,
    signer: Option<&Key>,
    rotations: &[&Path],
) -> PathBuf {
    let d = dir.join(name);
    fs::create_dir_all(&d).unwrap();
    let (src, dst) = (bundle(version), d.join("FRA.tar.gz.age"));
    fs::copy(&src, &dst).unwrap();
    match signer {
        None => {
            fs::copy(sig_of(&src), sig_of(&dst)).unwrap();
        }
        Some(k) => peers::minisign_sign(
            &k.secret,
            &dst,
            &sig_of(&dst),
            &trusted_comment(&sig_of(&src)),
        ),
    }
    if !rotations.is_empty() {
        fs::write(d.join("key-history.json"), merged_history(rotations)).unwrap();
    }
    dst
}

/// `pocdir open BUNDLE --identity FRA.key --state-dir STATE --no-extract`,
/// an hour after the bundle's issue, with `extra`.
fn open_with(bundle: &Path, state: &Path, extra: &[&OsStr]) -> support::Output {
    let mut args: Vec<&OsStr> = vec!["--no-extract".as_ref()];
    args.extend_from_slice(extra);
    open(
        bundle,
        &built().root.path().join("keys/demo/states/FRA.key"),
        state,
        &now_for(&sig_of(bundle)),
        &args,
    )
}

fn trust(k: &Key) -> [&OsStr; 2] {
    ["--trust".as_ref(), k.public.as_os_str()]
}

fn rotation_arg(statement: &Path) -> [OsString; 2] {
    ["--key-history".into(), statement.into()]
}

fn accepted(r: &support::Output) {
    assert_eq!(r.code, 0, "refused:\n{}{}", r.stdout, r.stderr);
}

/// Refused with exit `code` and a single `error[class]: ` line containing
/// every one of `says`; the state folder as it was.
fn refused(
    r: &support::Output,
    code: i32,
    class: &str,
    says: &[&str],
    state: &Path,
    before: &BTreeMap<String, Vec<u8>>,
) {
    let show = format!("stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    assert_eq!(r.code, code, "{show}");
    let errors: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("error"))
        .collect();
    assert_eq!(errors.len(), 1, "{show}");
    assert!(
        errors[0].starts_with(&format!("error[{class}]: ")),
        "{show}"
    );
    for s in says {
        assert!(errors[0].contains(s), "`{s}` not said:\n{show}");
    }
    assert!(
        r.stderr.contains("nothing was extracted or recorded"),
        "{show}"
    );
    assert_eq!(
        &snapshot(state),
        before,
        "the state folder changed:\n{show}"
    );
}

fn pinned_id(state: &Path) -> String {
    key_id_of(&state.join("trusted.pub"))
}

fn accepted_json(state: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(state.join("accepted.json")).unwrap()).unwrap()
}

/// A state folder that pinned key A by opening version 1 (and version 2
/// too with `both`).
fn pinned_to_a(tmp: &Path, both: bool) -> PathBuf {
    let state = tmp.join("state");
    accepted(&open_with(&bundle(v1()), &state, &trust(&key_a())));
    if both {
        accepted(&open_with(&bundle(v2()), &state, &[]));
    }
    assert_eq!(pinned_id(&state), key_a().id);
    state
}

const RETIRED: &str = "a retired key may have leaked";

/// (a) Pinned to A, a bundle signed by A with the statement A → B beside
/// it (or given with --key-history): A is retired, the bundle refused as such.
#[test]
fn a_bundle_signed_by_a_retired_key_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (key_a(), new_key(tmp.path(), "b"));
    let state = pinned_to_a(tmp.path(), false);
    let ab = rotate(&a, &b, &tmp.path().join("ab.txt"));
    let says = format!(
        "signed by key {}, which was retired by version {} of the secretariat's key history (dated {}; the current keys are {})",
        a.id,
        if a.id == key_a().id { 2 } else { 3 },
        date_of(&ab),
        b.id
    );
    let before = snapshot(&state);
    // Version 2, signed by A as a leaked A could sign it.
    let beside = mail(tmp.path(), "beside", v2(), None, &[&ab]);
    let bare = mail(tmp.path(), "bare", v2(), None, &[]);
    let given = rotation_arg(&ab);
    let given: Vec<&OsStr> = given.iter().map(OsString::as_os_str).collect();
    for (m, extra) in [
        (&beside, vec![]),
        (&beside, trust(&a).to_vec()),
        (&bare, given),
    ] {
        let r = open_with(m, &state, &extra);
        refused(&r, 13, "retired-key", &[&says, RETIRED], &state, &before);
    }
    // The version accepted before, signed by A: refused too.
    let old = mail(tmp.path(), "old", v1(), None, &[&ab]);
    refused(
        &open_with(&old, &state, &[]),
        13,
        "retired-key",
        &[&says],
        &state,
        &before,
    );
    // Without the statement, A is still the pinned key.
    accepted(&open_with(&bare, &state, &[]));
}

/// (b) Once A → B was followed (the bundle signed by B directly), a later
/// bundle signed by A is refused with no statement beside it: the state
/// folder recorded the rotation.
#[test]
fn a_rotation_followed_once_keeps_the_old_key_retired() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (key_a(), new_key(tmp.path(), "b"));
    let state = pinned_to_a(tmp.path(), false);
    let ab = rotate(&a, &b, &tmp.path().join("ab.txt"));
    // A --key-history that cannot be read is a usage error.
    let r = open_with(
        &bundle(v1()),
        &state,
        &[
            "--key-history".as_ref(),
            tmp.path().join("missing.txt").as_os_str(),
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--key-history"), "{}", r.stderr);

    // Version 1 signed by B, the statement beside it: the pin moves to B
    // and the rotation is recorded.
    let by_b = mail(tmp.path(), "b", v1(), Some(&b), &[&ab]);
    let r = open_with(&by_b, &state, &[]);
    accepted(&r);
    assert!(
        r.stdout.contains(&format!(
            "The secretariat's keys changed (version {}: key {})",
            if a.id == key_a().id { 2 } else { 3 },
            b.id
        )),
        "{}",
        r.stdout
    );
    assert_eq!(pinned_id(&state), b.id);
    let history: serde_json::Value =
        serde_json::from_slice(&fs::read(state.join("key-history.json")).unwrap()).unwrap();
    assert_eq!(history["start"]["keys"][0], base64_line(&a.public).as_str());
    let given =
        pocdir::sign::history_file::HistoryFile::parse(&fs::read_to_string(&ab).unwrap()).unwrap();
    assert_eq!(
        history["statements"][0]["statement"],
        given.statements[0].statement.as_str()
    );
    assert_eq!(history["statements"].as_array().unwrap().len(), 1);

    // Version 2 signed by A, nothing beside it: retired, with or without
    // --trust naming A.
    let before = snapshot(&state);
    let by_a = mail(tmp.path(), "a", v2(), None, &[]);
    let says = format!(
        "signed by key {}, which was retired by version {} of the secretariat's key history (dated {}; the current keys are {})",
        a.id,
        if a.id == key_a().id { 2 } else { 3 },
        date_of(&ab),
        b.id
    );
    for extra in [vec![], trust(&a).to_vec()] {
        let r = open_with(&by_a, &state, &extra);
        refused(&r, 13, "retired-key", &[&says, RETIRED], &state, &before);
    }
    // Version 2 signed by B is accepted, without the statement now.
    accepted(&open_with(
        &mail(tmp.path(), "b2", v2(), Some(&b), &[]),
        &state,
        &[],
    ));
    assert_eq!(accepted_json(&state)["key_id"], b.id.as_str());
}

/// (c) `trusted.pub` lost, `accepted.json` kept: another key given with
/// --trust is not pinned as on a first use; the way to recover is said,
/// and works: the secretariat's key from the site, whose key ID is the
/// one recorded.
#[test]
fn a_lost_pin_is_not_a_first_use() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, o) = (key_a(), new_key(tmp.path(), "other"));
    let state = pinned_to_a(tmp.path(), false);
    let seq = accepted_json(&state)["seq"].clone();
    fs::remove_file(state.join("trusted.pub")).unwrap();
    let before = snapshot(&state);

    // Version 1 signed by another key, that key given as --trust (as in
    // a mail that is not the secretariat's).
    let forged = mail(tmp.path(), "other", v1(), Some(&o), &[]);
    let says = [
        "trusted.pub is missing",
        "a lost pin is not a first use, and nothing was pinned",
        &format!("check on its verify page that its key ID is {}", a.id),
        "run this command again with --trust naming that file",
        &format!("ask the secretariat for its key {}", a.id),
    ];
    let r = open_with(&forged, &state, &trust(&o));
    refused(&r, 15, "state", &says, &state, &before);
    assert!(
        r.stderr.contains(&format!("--trust names key {}", o.id)),
        "{}",
        r.stderr
    );
    // Without --trust, and with the genuine bundle: the same.
    let genuine = mail(tmp.path(), "genuine", v1(), None, &[]);
    refused(
        &open_with(&genuine, &state, &[]),
        15,
        "state",
        &says,
        &state,
        &before,
    );
    // A key made to carry A's key ID (not A's key): the state folder
    // recorded the whole key, so it is refused too.
    let same_id = tmp.path().join("same-id.pub");
    {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut raw = b64.decode(base64_line(&o.public)).unwrap();
        raw[2..10].copy_from_slice(&b64.decode(base64_line(&a.public)).unwrap()[2..10]);
        fs::write(
            &same_id,
            format!(
                "untrusted comment: minisign public key {}\n{}\n",
                a.id,
                b64.encode(&raw)
            ),
        )
        .unwrap();
    }
    let r = open_with(&genuine, &state, &["--trust".as_ref(), same_id.as_os_str()]);
    refused(&r, 15, "state", &["the very key recorded"], &state, &before);

    // The recovery said: the site's secretariat.pub (key ID A) as --trust.
    let r = open_with(&genuine, &state, &trust(&a));
    accepted(&r);
    assert!(
        r.stderr
            .contains(&format!("key {} pinned again from --trust", a.id)),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("first use"), "{}", r.stderr);
    assert_eq!(pinned_id(&state), a.id);
    assert_eq!(accepted_json(&state)["seq"], seq);

    // A state folder of an earlier pocdir (no key-history.json): the key ID
    // accepted.json records is checked.
    fs::remove_file(state.join("trusted.pub")).unwrap();
    fs::remove_file(state.join("key-history.json")).unwrap();
    let before = snapshot(&state);
    refused(
        &open_with(&forged, &state, &trust(&o)),
        15,
        "state",
        &says,
        &state,
        &before,
    );
    accepted(&open_with(&genuine, &state, &trust(&a)));
    assert_eq!(pinned_id(&state), a.id);
    assert!(state.join("key-history.json").is_file());
}

/// (d) A State pinned two keys back (A, with A → B and B → C beside) opens
/// a bundle signed by C: pinned to C, its record of accepted versions kept;
/// B, retired in favour of C, is refused on the way.
#[test]
fn a_state_pinned_two_keys_back_follows_the_chain() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (key_a(), new_key(tmp.path(), "b"), new_key(tmp.path(), "c"));
    let state = pinned_to_a(tmp.path(), true);
    let seq2 = comment_field(&bundle(v2()), "seq");
    assert_eq!(accepted_json(&state)["seq"].to_string(), seq2);
    let ab = rotate(&a, &b, &tmp.path().join("ab.txt"));
    let bc = rotate(&b, &c, &tmp.path().join("bc.txt"));

    // Signed by B, which the chain shows retired in favour of C.
    let before = snapshot(&state);
    let by_b = mail(tmp.path(), "b", v2(), Some(&b), &[&ab, &bc]);
    refused(
        &open_with(&by_b, &state, &[]),
        13,
        "retired-key",
        &[&format!(
            "signed by key {}, which was retired by version {} of the secretariat's key history (dated {}; the current keys are {})",
            b.id,
            if b.id == key_a().id { 2 } else { 3 },
            date_of(&bc),
            c.id
        )],
        &state,
        &before,
    );

    // Signed by C: the whole chain followed, C pinned.
    let by_c = mail(tmp.path(), "c", v2(), Some(&c), &[&bc, &ab]);
    let r = open_with(&by_c, &state, &[]);
    accepted(&r);
    for (old, new) in [(&a, &b), (&b, &c)] {
        assert!(
            r.stdout.contains(&format!(
                "The secretariat's keys changed (version {}: key {})",
                if old.id == key_a().id { 2 } else { 3 },
                new.id
            )),
            "{}",
            r.stdout
        );
    }
    assert_eq!(pinned_id(&state), c.id);
    let acc = accepted_json(&state);
    assert_eq!(
        acc["seq"].to_string(),
        seq2,
        "the accepted sequence is kept"
    );
    assert_eq!(acc["key_id"], c.id.as_str());
    let history: serde_json::Value =
        serde_json::from_slice(&fs::read(state.join("key-history.json")).unwrap()).unwrap();
    assert_eq!(history["statements"].as_array().unwrap().len(), 2);

    // The rollback record still works: version 1, signed by C, is an old
    // bundle sent again.
    let before = snapshot(&state);
    let old = mail(tmp.path(), "c1", v1(), Some(&c), &[]);
    refused(
        &open_with(&old, &state, &[]),
        7,
        "rollback",
        &[],
        &state,
        &before,
    );
    // A and B are retired from now on, with nothing beside the bundle.
    for (name, signer, retired) in [("a2", None, &a), ("b2", Some(&b), &b)] {
        let m = mail(tmp.path(), name, v2(), signer, &[]);
        refused(
            &open_with(&m, &state, &[]),
            13,
            "retired-key",
            &[&format!(
                "signed by key {}, which was retired by version {} of the secretariat's key history (dated {}; the current keys are {})",
                retired.id,
                if retired.id == a.id { 2 } else { 3 },
                date_of(if retired.id == a.id { &ab } else { &bc }),
                c.id
            )],
            &state,
            &before,
        );
    }
}

/// One key rotated to two (A → B and A → C): refused as a fork, whether
/// both statements come together or A → C comes after A → B was followed.
#[test]
fn a_fork_in_the_rotations_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (key_a(), new_key(tmp.path(), "b"), new_key(tmp.path(), "c"));
    let state = pinned_to_a(tmp.path(), false);
    let ab = rotate(&a, &b, &tmp.path().join("ab.txt"));
    let ac = rotate(&a, &c, &tmp.path().join("ac.txt"));
    let alarm = "ALARM: two different key statements of version 2 are signed by the secretariat's keys they replace".to_string();
    let before = snapshot(&state);
    let both = mail(tmp.path(), "both", v2(), Some(&b), &[&ab, &ac]);
    refused(
        &open_with(&both, &state, &[]),
        14,
        "rotation",
        &[&alarm],
        &state,
        &before,
    );

    accepted(&open_with(
        &mail(tmp.path(), "b", v2(), Some(&b), &[&ab]),
        &state,
        &[],
    ));
    let before = snapshot(&state);
    let later = mail(tmp.path(), "c", v2(), Some(&c), &[&ac]);
    refused(
        &open_with(&later, &state, &[]),
        14,
        "rotation",
        &[&alarm],
        &state,
        &before,
    );
}

/// A rotation dated in the future (by the reader's clock, whatever
/// --as-of says), or before the rotation that precedes it, is refused.
#[test]
fn rotation_dates_are_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (key_a(), new_key(tmp.path(), "b"), new_key(tmp.path(), "c"));
    let state = pinned_to_a(tmp.path(), false);
    let before = snapshot(&state);

    let future = statement_dated(&a, &b, "2999-01-01", &tmp.path().join("future.txt"));
    let m = mail(tmp.path(), "future", v2(), Some(&b), &[&future]);
    refused(
        &open_with(&m, &state, &[]),
        14,
        "rotation",
        &[&format!(
            "the key statement {} is dated 2999-01-01, later than today on this computer's clock",
            if a.id == key_a().id { 2 } else { 3 }
        )],
        &state,
        &before,
    );

    let ab = statement_dated(&a, &b, "2026-11-20", &tmp.path().join("ab.txt"));
    let bc = statement_dated(&b, &c, "2026-11-10", &tmp.path().join("bc.txt"));
    let m = mail(tmp.path(), "backwards", v2(), Some(&c), &[&ab, &bc]);
    refused(
        &open_with(&m, &state, &[]),
        14,
        "rotation",
        &[&format!(
            "the key statement {} is dated 2026-11-10, before the version that precedes it (2026-11-20)",
            if b.id == key_a().id { 2 } else { 3 }
        )],
        &state,
        &before,
    );

    // In order, the same day or later: followed.
    let bc = statement_dated(&b, &c, "2026-11-20", &tmp.path().join("bc2.txt"));
    accepted(&open_with(
        &mail(tmp.path(), "in-order", v2(), Some(&c), &[&ab, &bc]),
        &state,
        &[],
    ));
    assert_eq!(pinned_id(&state), c.id);
}

/// The state folder's records are checked against each other before
/// anything is trusted: a pin that is not the key recorded, a damaged key
/// history.
#[test]
fn records_that_disagree_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let o = new_key(tmp.path(), "other");
    let state = pinned_to_a(tmp.path(), false);
    let by_o = mail(tmp.path(), "other", v1(), Some(&o), &[]);
    let seq = comment_field(&bundle(v1()), "seq");

    // trusted.pub replaced by another key; key-history.json and
    // accepted.json still say A.
    let replaced = tmp.path().join("replaced");
    fs::create_dir_all(&replaced).unwrap();
    support::copy_tree(&state, &replaced);
    fs::copy(&o.public, replaced.join("trusted.pub")).unwrap();
    let before = snapshot(&replaced);
    refused(
        &open_with(&by_o, &replaced, &[]),
        15,
        "state",
        &[
            "the state folder's records disagree",
            &format!("pins key {}", o.id),
            "without it",
        ],
        &replaced,
        &before,
    );
    // The same in a state folder of an earlier pocdir (no key history):
    // accepted.json says A.
    fs::remove_file(replaced.join("key-history.json")).unwrap();
    let before = snapshot(&replaced);
    refused(
        &open_with(&by_o, &replaced, &[]),
        15,
        "state",
        &[
            "the state folder's records disagree",
            &format!("records sequence {seq} signed by key {}", key_a().id),
        ],
        &replaced,
        &before,
    );

    // A pin (and accepted key) moved along a rotation the state folder did
    // not record (by an earlier pocdir, which kept no key history): refused
    // without the statement, consistent with it, and then recorded.
    let b = new_key(tmp.path(), "b");
    let ab = rotate(&key_a(), &b, &tmp.path().join("ab.txt"));
    let moved = tmp.path().join("moved");
    fs::create_dir_all(&moved).unwrap();
    support::copy_tree(&state, &moved);
    fs::copy(&b.public, moved.join("trusted.pub")).unwrap();
    let acc = fs::read_to_string(moved.join("accepted.json")).unwrap();
    fs::write(moved.join("accepted.json"), acc.replace(&key_a().id, &b.id)).unwrap();
    let before = snapshot(&moved);
    refused(
        &open_with(
            &mail(tmp.path(), "b-bare", v1(), Some(&b), &[]),
            &moved,
            &[],
        ),
        15,
        "state",
        &[&format!("pins key {}", b.id), "give its statements"],
        &moved,
        &before,
    );
    accepted(&open_with(
        &mail(tmp.path(), "b-beside", v1(), Some(&b), &[&ab]),
        &moved,
        &[],
    ));
    let history = fs::read_to_string(moved.join("key-history.json")).unwrap();
    assert!(
        history.contains(&format!("key: {}", base64_line(&b.public))),
        "{history}"
    );

    // A key history whose statement was altered.
    accepted(&open_with(
        &mail(tmp.path(), "b", v1(), Some(&b), &[&ab]),
        &state,
        &[],
    ));
    let path = state.join("key-history.json");
    let text = fs::read_to_string(&path).unwrap();
    let altered = text.replacen("date: ", "date: 1", 1);
    assert_ne!(altered, text);
    fs::write(&path, altered).unwrap();
    let before = snapshot(&state);
    refused(
        &open_with(&mail(tmp.path(), "b2", v2(), Some(&b), &[]), &state, &[]),
        15,
        "state",
        &["key-history.json is damaged"],
        &state,
        &before,
    );
}
