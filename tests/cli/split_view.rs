//! A split view is visible (issue #18, point 3): every bundle carries the
//! log head (`log.jsonl`, the version log's last lines up to its own
//! version, listed and hashed in its manifest), and `open` refuses a log
//! that does not continue the one it accepted before (exit 16,
//! `split-view`). Run with the real binary over copies of the example
//! directory, and the stock `age`, `minisign` and `tar`.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

use crate::build::example;
use crate::bundle::{now_for, open, snapshot, trusted_comment};
use crate::peers;
use crate::support::{self, Root};

/// Change the notes of Germany's cybercrime PoC in `root` (a new root).
fn change(root: &Path, tag: &str) {
    let deu = root.join("content/states/DEU.yaml");
    let text = fs::read_to_string(&deu).unwrap();
    let start = "notes: For requests concerning cybercrime investigations and electronic evidence";
    let at = text.find(start).expect("the example's DEU notes changed");
    let end = at + text[at..].find('\n').unwrap();
    let changed = format!("{}{start} ({tag}).{}", &text[..at], &text[end..]);
    fs::write(&deu, changed).unwrap();
}

fn built(root: &Path, out: &Path) {
    let r = support::build(root, out, &[]);
    assert_eq!(r.code, 0, "pocdir build failed:\n{}", r.stderr);
}

fn bundle(out: &Path, state: &str) -> PathBuf {
    out.join(format!("bundles/{state}.tar.gz.age"))
}

fn sig(out: &Path, state: &str) -> PathBuf {
    out.join(format!("bundles/{state}.tar.gz.age.minisig"))
}

/// Open `state`'s bundle of the build `out` with the state folder
/// `state_dir` (the root's key trusted on first use), extracting nothing.
fn open_as(root: &Path, out: &Path, state: &str, state_dir: &Path) -> support::Output {
    open(
        &bundle(out, state),
        &root.join(format!("keys/demo/states/{state}.key")),
        state_dir,
        &now_for(&sig(out, state)),
        &[
            "--trust".as_ref(),
            root.join("keys/secretariat.pub").as_os_str(),
            OsStr::new("--no-extract"),
        ],
    )
}

/// Two builds with different contents and the same sequence number, one
/// opened by France and the other by Germany: neither can tell then. The
/// genuine next version (built on the log France was shown) opens for
/// France and is refused for Germany, naming both roots.
#[test]
fn a_split_view_between_two_states_is_detected_on_the_next_open() {
    let a = example();
    change(a.path(), "A");
    let b = Root::empty();
    support::copy_tree(a.path(), b.path());
    change(b.path(), "B");
    let tmp = tempfile::tempdir().unwrap();
    let (out_a, out_b, out_next) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("next"),
    );
    built(a.path(), &out_a);
    built(b.path(), &out_b);
    let (ca, cb) = (
        trusted_comment(&sig(&out_a, "FRA")),
        trusted_comment(&sig(&out_b, "DEU")),
    );
    assert_eq!(ca["seq"], cb["seq"], "both builds issue the same version");
    assert_ne!(ca["root"], cb["root"], "with different contents");
    let seq: u64 = ca["seq"].parse().unwrap();
    assert!(seq > 1, "the example's log has versions before");

    // The split view: France is shown A, Germany B.
    let (fra, deu) = (tmp.path().join("fra-state"), tmp.path().join("deu-state"));
    // Beside the signed log published with A (`--log`), Germany's bundle
    // is refused at once; beside its own, it opens.
    let with_log = |out: &Path, state: &str, dir: &Path, log: &Path| {
        open(
            &bundle(out, state),
            &b.path().join(format!("keys/demo/states/{state}.key")),
            dir,
            &now_for(&sig(out, state)),
            &[
                "--trust".as_ref(),
                b.path().join("keys/secretariat.pub").as_os_str(),
                OsStr::new("--no-extract"),
                OsStr::new("--log"),
                log.as_os_str(),
            ],
        )
    };
    let published_a = out_a.join("site/versions.jsonl");
    let r = with_log(
        &out_b,
        "DEU",
        &tmp.path().join("deu-with-log"),
        &published_a,
    );
    assert_eq!(r.code, 16, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "error[split-view]: ALARM: the secretariat's signed log ({}) has root {} for version {seq}",
            published_a.display(),
            ca["root"]
        )),
        "{}",
        r.stderr
    );
    assert!(!tmp.path().join("deu-with-log/accepted.json").exists());
    let r = with_log(
        &out_b,
        "DEU",
        &tmp.path().join("deu-own-log"),
        &out_b.join("site/versions.jsonl"),
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // A log altered after it was signed proves nothing: refused.
    let altered = tmp.path().join("altered/versions.jsonl");
    fs::create_dir_all(altered.parent().unwrap()).unwrap();
    let text = fs::read_to_string(&published_a).unwrap();
    fs::write(&altered, text.replace(&ca["root"], &cb["root"])).unwrap();
    fs::copy(
        out_a.join("site/versions.jsonl.minisig"),
        tmp.path().join("altered/versions.jsonl.minisig"),
    )
    .unwrap();
    let r = with_log(&out_b, "DEU", &tmp.path().join("deu-altered-log"), &altered);
    assert_eq!(r.code, 4, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("error[bad-signature]: the log given with --log"),
        "{}",
        r.stderr
    );

    // Without the published log, both open: neither can tell yet.
    let r = open_as(a.path(), &out_a, "FRA", &fra);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = open_as(b.path(), &out_b, "DEU", &deu);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // Each recorded the log head it accepted; open printed it.
    assert!(
        r.stdout
            .contains(&format!("Log head: version {seq}, log line SHA-256 ")),
        "{}",
        r.stdout
    );
    for dir in [&fra, &deu] {
        let heads: serde_json::Value =
            serde_json::from_slice(&fs::read(dir.join("log-heads.json")).unwrap()).unwrap();
        assert_eq!(heads["format"], "pocdir-log-heads/1");
        assert_eq!(heads["heads"].as_array().unwrap().len(), 1);
        assert_eq!(heads["heads"][0]["seq"], seq);
    }

    // The genuine next version, on the log A wrote.
    change(a.path(), "A, later");
    built(a.path(), &out_next);
    let next = trusted_comment(&sig(&out_next, "FRA"));
    assert_eq!(next["seq"], (seq + 1).to_string());
    let r = open_as(a.path(), &out_next, "FRA", &fra);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let before = snapshot(&deu);
    let r = open_as(a.path(), &out_next, "DEU", &deu);
    assert_eq!(r.code, 16, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "error[split-view]: ALARM: this state folder accepted version {seq} with root {}; the secretariat's log, as this bundle (version {}) carries it, has root {} for version {seq}.",
            cb["root"],
            seq + 1,
            ca["root"]
        )),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("nothing was extracted or recorded"));
    assert_eq!(snapshot(&deu), before, "Germany's state folder changed");
    // France's record grew by the new head.
    let heads: serde_json::Value =
        serde_json::from_slice(&fs::read(fra.join("log-heads.json")).unwrap()).unwrap();
    let seqs: Vec<u64> = heads["heads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, [seq, seq + 1]);
}

/// `log.jsonl` is in every bundle, as the stock tools see it: `minisign`
/// verifies the signature, `age` decrypts, `tar` lists and extracts it;
/// it is the log's last lines up to the bundle's version, listed with its
/// hash in the manifest.
#[test]
fn the_log_head_is_in_the_bundle_for_stock_tools() {
    let root = example();
    let out = tempfile::tempdir().unwrap();
    built(root.path(), out.path());
    let (b, s) = (bundle(out.path(), "FRA"), sig(out.path(), "FRA"));
    let verified = peers::minisign_verify(&b, &s, &root.path().join("keys/secretariat.pub"));
    assert!(verified.contains("Trusted comment: pocdir-bundle/2 state=FRA seq="));
    let tar = peers::age_decrypt(&root.path().join("keys/demo/states/FRA.key"), &b);
    let log_head = String::from_utf8(crate::bundle::file_in_tar(&tar, "log.jsonl")).unwrap();
    let log = fs::read_to_string(root.path().join("log/versions.jsonl")).unwrap();
    assert_eq!(log_head, log, "a short log is carried whole");
    let c = trusted_comment(&s);
    let last: serde_json::Value = serde_json::from_str(log_head.lines().last().unwrap()).unwrap();
    assert_eq!(last["seq"].to_string(), c["seq"]);
    assert_eq!(last["root"], c["root"].as_str());
    let manifest: serde_json::Value =
        serde_json::from_slice(&crate::bundle::file_in_tar(&tar, "manifest.json")).unwrap();
    assert_eq!(manifest["files"]["log.jsonl"], {
        use sha2::Digest;
        sha2::Sha256::digest(log_head.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    });
}

/// A bundle sealed before the log head existed (the committed `valid`
/// vector) still opens, with a warning; once a log head was recorded, one
/// without is refused (it could not be checked).
#[test]
fn a_bundle_without_a_log_head_opens_only_before_one_was_recorded() {
    let dir = support::repo_root().join("tests/vectors/open2/valid");
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let args = [
        std::ffi::OsString::from("--trust"),
        dir.join("trusted.pub").into_os_string(),
        "--no-extract".into(),
    ];
    let args: Vec<&OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    let now = now_for(&dir.join("FRA.tar.gz.age.minisig"));
    let r = open(
        &dir.join("FRA.tar.gz.age"),
        &dir.join("identity.key"),
        &state,
        &now,
        &args,
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("warning: this bundle carries no log head"),
        "{}",
        r.stderr
    );
    assert!(!state.join("log-heads.json").exists());
    // A head recorded (of this very version, as a bundle carrying one
    // would record it): the same bundle is now refused.
    fs::write(
        state.join("log-heads.json"),
        format!(
            "{{\"format\":\"pocdir-log-heads/1\",\"heads\":[{{\"seq\":1,\"root\":\"{}\",\"line\":\"{}\"}}]}}\n",
            trusted_comment(&dir.join("FRA.tar.gz.age.minisig"))["root"],
            "0".repeat(64)
        ),
    )
    .unwrap();
    let before = snapshot(&state);
    let r = open(
        &dir.join("FRA.tar.gz.age"),
        &dir.join("identity.key"),
        &state,
        &now,
        &args,
    );
    assert_eq!(r.code, 16, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("error[split-view]: this bundle (version 1) carries no log head"),
        "{}",
        r.stderr
    );
    assert_eq!(snapshot(&state), before);
}

/// The checkpoints are published (issue #18): the verify page of the
/// build, in every language, lists the version a State just opened with
/// the very log line SHA-256 and root `open` printed as its log head; the
/// site publishes the key history beside the log; and the bundle itself
/// carries the key history, listed in its manifest.
#[test]
fn the_verify_page_lists_the_log_head_open_prints() {
    let root = example();
    change(root.path(), "checkpoint");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    built(root.path(), &out);
    let state = tmp.path().join("state");
    let r = open_as(root.path(), &out, "FRA", &state);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let head = r
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("Log head: version "))
        .expect("open prints the log head");
    let (seq, rest) = head.split_once(", log line SHA-256 ").unwrap();
    let line = &rest[..64];
    let t = trusted_comment(&sig(&out, "FRA"));
    assert_eq!(seq, t["seq"]);
    for lang in ["en", "fr", "ar", "zh", "ru", "es"] {
        let page = fs::read_to_string(out.join(format!("site/{lang}/pages/verify.html"))).unwrap();
        let table = &page[page
            .find("id=\"checkpoints\"")
            .expect("a checkpoints section")..];
        // The first row is this version, with its line hash and root.
        let row = &table[table.find("<tbody>").unwrap()..];
        let row = &row[..row.find("</tr>").unwrap()];
        assert!(row.contains(&format!(">{seq}")), "{lang}: {row}");
        assert!(row.contains(line), "{lang}: {row}");
        assert!(row.contains(&t["root"]), "{lang}: {row}");
    }
    let site_history = fs::read(out.join("site/key-history.json")).unwrap();
    assert_eq!(
        site_history,
        fs::read(out.join("bundles/key-history.json")).unwrap()
    );
    // Inside the bundle, with its hash in the manifest (stock age).
    let tar = peers::age_decrypt(
        &root.path().join("keys/demo/states/FRA.key"),
        &bundle(&out, "FRA"),
    );
    let inner = crate::bundle::file_in_tar(&tar, "key-history.json");
    assert_eq!(inner, site_history, "the bundle carries key-history.json");
    let manifest: serde_json::Value =
        serde_json::from_slice(&crate::bundle::file_in_tar(&tar, "manifest.json")).unwrap();
    let hash = {
        use sha2::{Digest, Sha256};
        Sha256::digest(&inner)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    assert_eq!(manifest["files"]["key-history.json"], hash.as_str());
}
