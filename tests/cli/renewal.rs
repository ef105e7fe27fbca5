//! Bundles that keep working (issue #13): renewal over simulated months
//! (`build --as-of` is the build's clock), and States cut off by lapsed
//! account verifications, as `stale`, `mail` and `build` show them.
//! Every test builds a copy of the example, never the repository's log.

use std::ffi::OsString;
use std::fs;
use std::path::Path;

use crate::build::example;
use crate::support::{self, Root};

const T0: &str = "2026-11-22T10:00:00Z";

/// `T0` plus `days` days (and `hours` hours), as RFC 3339.
fn at(days: i64, hours: i64) -> String {
    let t0: jiff::Timestamp = T0.parse().unwrap();
    (t0 + jiff::SignedDuration::from_hours(24 * days + hours)).to_string()
}

/// A copy of the example with no version yet: its first build is version 1.
fn fresh_example() -> Root {
    let root = example();
    for f in ["log/versions.jsonl", "log/versions.jsonl.minisig"] {
        let _ = fs::remove_file(root.path().join(f));
    }
    root
}

fn build_at(root: &Path, out: &Path, when: &str) -> support::Output {
    support::pocdir([
        OsString::from("build"),
        "--root".into(),
        root.into(),
        "--out".into(),
        out.into(),
        "--as-of".into(),
        when.into(),
    ])
}

pub(crate) fn built_at(root: &Path, out: &Path, when: &str) -> String {
    let o = build_at(root, out, when);
    assert_eq!(o.code, 0, "build --as-of {when}:\n{}", o.stderr);
    o.stderr
}

fn log_lines(root: &Path) -> Vec<serde_json::Value> {
    fs::read_to_string(root.join("log/versions.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

pub(crate) fn trusted(sig: &Path) -> String {
    fs::read_to_string(sig)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("trusted comment: ").map(str::to_string))
        .unwrap()
}

fn stale(root: &Path, when: &str, json: bool) -> support::Output {
    support::pocdir([
        OsString::from("stale"),
        "--root".into(),
        root.into(),
        "--as-of".into(),
        when.into(),
        "--format".into(),
        if json { "json" } else { "text" }.into(),
    ])
}

fn open(bundle: &Path, identity: &Path, state: &Path, trust: &Path, now: &str) -> support::Output {
    support::pocdir([
        OsString::from("open"),
        bundle.into(),
        "--identity".into(),
        identity.into(),
        "--state-dir".into(),
        state.into(),
        "--trust".into(),
        trust.into(),
        "--now".into(),
        now.into(),
    ])
}

/// `pocdir mail` of the bundles in `bundles` at `now`, with `extra`.
pub(crate) fn mail(root: &Path, bundles: &Path, now: &str, extra: &[&str]) -> support::Output {
    let mut args: Vec<OsString> = vec![
        "mail".into(),
        "--root".into(),
        root.into(),
        "--bundles".into(),
        bundles.into(),
        "--now".into(),
        now.into(),
    ];
    args.extend(extra.iter().map(OsString::from));
    support::pocdir(args)
}

/// Copy a State's bundle and signature into `dir` (kept across builds).
fn keep(bundles: &Path, code: &str, dir: &Path) {
    fs::create_dir_all(dir).unwrap();
    for f in [
        format!("{code}.tar.gz.age"),
        format!("{code}.tar.gz.age.minisig"),
    ] {
        fs::copy(bundles.join(&f), dir.join(&f)).unwrap();
    }
}

#[test]
fn bundles_are_renewed_over_months_without_a_change() {
    let root = fresh_example();
    let out = tempfile::tempdir().unwrap();
    let bundles = out.path().join("bundles");
    let tmp = tempfile::tempdir().unwrap();

    // Day 0: version 1.
    let e = built_at(root.path(), out.path(), &at(0, 0));
    assert!(
        e.contains("version 1 (new), issued 2026-11-22T10:00:00Z, expires 2027-01-21T10:00:00Z"),
        "{e}"
    );
    keep(&bundles, "FRA", &tmp.path().join("v1"));
    let root_hash = log_lines(root.path())[0]["root"]
        .as_str()
        .unwrap()
        .to_string();

    // Day 25: outside the renewal window (the last 20 of 60 days): the
    // same version, and build says when it expires and when it renews.
    let e = built_at(root.path(), out.path(), &at(25, 0));
    assert!(e.contains("version 1 (unchanged content)"), "{e}");
    assert!(
        e.contains("the current bundles expire on 2027-01-21T10:00:00Z; a build from 2027-01-01T10:00:00Z renews them"),
        "{e}"
    );
    assert_eq!(log_lines(root.path()).len(), 1);
    let s = stale(root.path(), &at(25, 0), false);
    assert!(
        s.stdout.contains("bundles: version 1, issued 2026-11-22T10:00:00Z, expire 2027-01-21T10:00:00Z; a build from 2027-01-01T10:00:00Z renews them"),
        "{}",
        s.stdout
    );
    // Day 41: inside the window, which stale says before the build renews.
    let s = stale(root.path(), &at(41, 0), false);
    assert!(
        s.stdout.contains("inside the renewal window"),
        "{}",
        s.stdout
    );

    // Day 45: inside the window: version 2 renews version 1.
    let e = built_at(root.path(), out.path(), &at(45, 0));
    assert!(
        e.contains("version 2 renews version 1 (no change to the directory): issued 2027-01-06T10:00:00Z, expires 2027-03-07T10:00:00Z"),
        "{e}"
    );
    let log = log_lines(root.path());
    assert_eq!(log.len(), 2);
    assert_eq!(log[1]["seq"], 2);
    assert_eq!(
        log[1]["renews"], 1,
        "the log marks the renewal: {:?}",
        log[1]
    );
    assert_eq!(
        log[1]["root"],
        root_hash.as_str(),
        "same content, same root"
    );
    assert!(log[0].get("renews").is_none());
    let c = trusted(&bundles.join("FRA.tar.gz.age.minisig"));
    assert!(
        c.contains("seq=2 issued=2027-01-06T10:00:00Z expires=2027-03-07T10:00:00Z")
            && c.ends_with(&format!("root={root_hash}")),
        "{c}"
    );
    // The renewed log is signed: building again verifies it (and keeps it).
    let e = built_at(root.path(), out.path(), &at(46, 0));
    assert!(e.contains("version 2 (unchanged content)"), "{e}");
    assert!(
        support::peer("minisign")
            .args(["-Vm"])
            .arg(root.path().join("log/versions.jsonl"))
            .arg("-p")
            .arg(bundles.join("secretariat.pub"))
            .output()
            .unwrap()
            .status
            .success(),
        "minisign verifies the renewed log"
    );
    keep(&bundles, "FRA", &tmp.path().join("v2"));

    // A recipient opens version 1, then the renewal.
    let identity = root.path().join("keys/demo/states/FRA.key");
    let pubkey = bundles.join("secretariat.pub");
    let state = tmp.path().join("state");
    let o = open(
        &tmp.path().join("v1/FRA.tar.gz.age"),
        &identity,
        &state,
        &pubkey,
        &at(0, 1),
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let o = open(
        &tmp.path().join("v2/FRA.tar.gz.age"),
        &identity,
        &state,
        &pubkey,
        &at(45, 1),
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout
            .contains("Renewed, no change to the directory: version 2 has the content of version 1, accepted before, and is valid until 2027-03-07T10:00:00Z."),
        "{}",
        o.stdout
    );
    // The freeze protection stays: version 1 is refused after its expiry
    // (even by a reader that never saw version 2), and mail refuses the
    // expired bundles.
    let o = open(
        &tmp.path().join("v1/FRA.tar.gz.age"),
        &identity,
        &tmp.path().join("state-new"),
        &pubkey,
        &at(61, 0),
    );
    assert_eq!(o.code, 6, "{}", o.stderr);
    assert!(o.stderr.contains("error[expired]"), "{}", o.stderr);
    let m = mail(
        root.path(),
        &bundles,
        &at(200, 0),
        &["--dry-run", "--only", "FRA"],
    );
    assert_eq!(m.code, 1, "{}", m.stderr);
    assert!(
        m.stderr.contains("expired on 2027-03-07T10:00:00Z"),
        "{}",
        m.stderr
    );

    // Day 200: long expired, and stale says so (overdue).
    let s = stale(root.path(), &at(200, 0), false);
    assert_eq!(s.code, 1);
    assert!(
        s.stdout.contains("EXPIRED on 2027-03-07T10:00:00Z") && s.stdout.contains("[overdue]"),
        "{}",
        s.stdout
    );
    // The next build renews them: version 3, same root, renews 2.
    let e = built_at(root.path(), out.path(), &at(200, 0));
    assert!(
        e.contains("version 3 renews version 2 (no change to the directory): issued 2027-06-10T10:00:00Z, expires 2027-08-09T10:00:00Z"),
        "{e}"
    );
    let log = log_lines(root.path());
    assert_eq!(
        (log.len(), &log[2]["renews"], &log[2]["root"]),
        (3, &2.into(), &root_hash.clone().into())
    );
    // (France's account lapsed by now; Estonia's, verified 2026-10-02, not.)
    let m = mail(
        root.path(),
        &bundles,
        &at(200, 1),
        &["--dry-run", "--only", "EST"],
    );
    assert_eq!(m.code, 0, "{}", m.stderr);
    let o = open(
        &bundles.join("FRA.tar.gz.age"),
        &identity,
        &state,
        &pubkey,
        &at(200, 1),
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains(
            "Renewed, no change to the directory: version 3 has the content of version 2"
        ),
        "{}",
        o.stdout
    );

    // A change to the directory is an ordinary new version, not a renewal.
    let fra = fs::read_to_string(root.path().join("content/states/FRA.yaml")).unwrap();
    root.write(
        "content/states/FRA.yaml",
        fra.replacen("cert@cert.fra.example", "soc@cert.fra.example", 1),
    );
    let e = built_at(root.path(), out.path(), &at(201, 0));
    assert!(e.contains("version 4 (new)"), "{e}");
    let log = log_lines(root.path());
    assert!(log[3].get("renews").is_none() && log[3]["root"] != root_hash.as_str());
    let o = open(
        &bundles.join("FRA.tar.gz.age"),
        &identity,
        &state,
        &pubkey,
        &at(201, 1),
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(!o.stdout.contains("Renewed"), "{}", o.stdout);
    assert!(
        o.stdout.contains("FRA: email added soc@cert.fra.example"),
        "{}",
        o.stdout
    );
}

#[test]
fn the_renewal_window_is_a_setting_below_the_validity() {
    let root = fresh_example();
    let out = tempfile::tempdir().unwrap();
    let settings = fs::read_to_string(root.path().join("content/directory.yaml")).unwrap();
    let with = |days: &str| {
        settings.replace(
            "  validity_days: 60\n",
            &format!("  validity_days: 60\n  renew_within_days: {days}\n"),
        )
    };
    root.write("content/directory.yaml", with("5"));
    built_at(root.path(), out.path(), &at(0, 0));
    // Day 45 is outside a 5-day window; day 56 is inside.
    let e = built_at(root.path(), out.path(), &at(45, 0));
    assert!(
        e.contains("a build from 2027-01-16T10:00:00Z renews them"),
        "{e}"
    );
    assert_eq!(log_lines(root.path()).len(), 1);
    let e = built_at(root.path(), out.path(), &at(56, 0));
    assert!(e.contains("version 2 renews version 1"), "{e}");
    for bad in ["60", "0", "90"] {
        root.write("content/directory.yaml", with(bad));
        let o = build_at(root.path(), out.path(), &at(57, 0));
        assert_eq!(o.code, 1, "renew_within_days: {bad}\n{}", o.stderr);
        assert!(
            o.stderr
                .contains("renew_within_days must be at least 1 and less than validity_days (60)")
                && o.stderr.contains("content/directory.yaml"),
            "{}",
            o.stderr
        );
    }
    assert_eq!(
        log_lines(root.path()).len(),
        2,
        "nothing written on an error"
    );
}

// ---- States cut off by lapsed account verifications ----

#[test]
fn stale_lists_states_that_receive_no_bundle() {
    let root = example();
    let o = stale(root.path(), support::AS_OF, true);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let of = |kind: &str| -> Vec<(String, bool, String)> {
        v.as_array()
            .unwrap()
            .iter()
            .filter(|i| i["kind"] == kind)
            .map(|i| {
                (
                    i["state"].as_str().unwrap().to_string(),
                    i["overdue"].as_bool().unwrap(),
                    i["detail"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    // Kenya's only account, verified 2025-08-14, lapsed a year and a day
    // later (the policy is 365 days); Brazil's two accounts too.
    let none = of("no-bundle");
    assert_eq!(
        none.iter()
            .map(|(s, o, _)| (s.as_str(), *o))
            .collect::<Vec<_>>(),
        [("BRA", true), ("BRA", true), ("KEN", true)]
    );
    assert!(
        none[2]
            .2
            .starts_with("receives no bundle: account verification lapsed on 2026-08-15"),
        "{none:?}"
    );
    // Japan still receives through its mission account: a lesser item.
    let partial = of("account-lapsed");
    assert_eq!(partial.len(), 1, "{partial:?}");
    assert_eq!((partial[0].0.as_str(), partial[0].1), ("JPN", false));
    assert!(
        partial[0].2.contains("poc-directory@mofa.jpn.example"),
        "{partial:?}"
    );
    let t = stale(root.path(), support::AS_OF, false);
    assert_eq!(t.code, 1);
    assert!(
        t.stdout.lines().any(|l| l.starts_with("KEN no-bundle")
            && l.contains("receives no bundle: account verification lapsed on 2026-08-15")
            && l.ends_with("[overdue]")),
        "{}",
        t.stdout
    );
    // Re-verified: Kenya is no longer listed.
    let ken = fs::read_to_string(root.path().join("keys/states/KEN.yaml")).unwrap();
    root.write(
        "keys/states/KEN.yaml",
        ken.replace("2025-08-14", "2026-11-01"),
    );
    let t = stale(root.path(), support::AS_OF, false);
    assert!(!t.stdout.contains("KEN no-bundle"), "{}", t.stdout);
}

#[test]
fn mail_shows_lapsed_accounts_as_not_sent_and_fails() {
    let root = example();
    let out = tempfile::tempdir().unwrap();
    let e = support::build(root.path(), out.path(), &[]);
    assert_eq!(e.code, 0, "{}", e.stderr);
    // build warns for every State with no eligible account.
    assert!(
        e.stderr
            .contains("warning: KEN has no eligible account, so `pocdir mail` sends it no bundle")
            && e.stderr
                .contains("poc-directory@mfa.ken.example lapsed on 2026-08-15"),
        "{}",
        e.stderr
    );
    assert!(
        e.stderr.contains("warning: BRA has no eligible account"),
        "{}",
        e.stderr
    );
    assert!(!e.stderr.contains("warning: JPN"), "{}", e.stderr);
    let bundles = out.path().join("bundles");
    let now = "2026-11-22T20:00:00Z";
    let row =
        "KEN  poc-directory@mfa.ken.example  NOT SENT: account verification lapsed on 2026-08-15";

    let o = mail(root.path(), &bundles, now, &["--dry-run"]);
    assert_eq!(o.code, 1, "a State gets nothing: {}", o.stderr);
    assert!(o.stdout.contains(row), "{}", o.stdout);
    assert!(o.stdout.contains("would send FRA to"), "{}", o.stdout);
    assert!(
        o.stderr.contains("NOT SENT: re-verify them"),
        "{}",
        o.stderr
    );

    let outbox = tempfile::tempdir().unwrap();
    let o = mail(
        root.path(),
        &bundles,
        now,
        &[
            "--outbox",
            outbox.path().to_str().unwrap(),
            "--only",
            "KEN,FRA",
        ],
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stdout.contains(row), "{}", o.stdout);
    let written: Vec<String> = fs::read_dir(outbox.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(written.len(), 1, "FRA's message only: {written:?}");
    assert!(written[0].starts_with("FRA"), "{written:?}");

    // Only States whose accounts are all current: exit 0.
    let o = mail(root.path(), &bundles, now, &["--dry-run", "--only", "FRA"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(!o.stdout.contains("NOT SENT"), "{}", o.stdout);
}
