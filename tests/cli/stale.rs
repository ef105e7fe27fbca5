//! Tests of `pocdir stale`.

use crate::support::{self, Root};

fn stale(root: &std::path::Path, as_of: &str) -> (i32, serde_json::Value) {
    let o = support::pocdir([
        "stale".as_ref(),
        "--root".as_ref(),
        root.as_os_str(),
        "--as-of".as_ref(),
        as_of.as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    let json = serde_json::from_str(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", o.stdout, o.stderr));
    (o.code, json)
}

fn kinds(v: &serde_json::Value) -> Vec<(String, String)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["state"].as_str().unwrap().to_string(),
                i["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_example_has_exactly_its_two_stale_states_and_its_failed_checks() {
    let (code, v) = stale(&support::repo_root(), "2026-11-22");
    assert_eq!(code, 1, "stale entries are overdue");
    let k = kinds(&v);
    let of = |kind: &str| -> Vec<String> {
        k.iter()
            .filter(|(_, x)| x == kind)
            .map(|(s, _)| s.clone())
            .collect()
    };
    assert_eq!(of("stale"), ["BRA", "KEN"]);
    // The October 2026 check (content/pings/): one bounce, and PoCs in six States
    // that did not answer within 72 hours.
    assert_eq!(of("ping-bounced"), ["EGY"]);
    assert_eq!(
        of("ping-unanswered"),
        ["ARG", "FRA", "JPN", "KEN", "RUS", "SGP"]
    );
    // Accounts whose verification lapsed (issue #13): BRA's two and KEN's
    // only one leave them without a bundle; JPN still receives through its
    // mission's account.
    assert_eq!(of("no-bundle"), ["BRA", "BRA", "KEN"]);
    assert_eq!(of("account-lapsed"), ["JPN"]);
    assert_eq!(k.len(), 13, "{v}");
    let bounce = v
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "ping-bounced")
        .unwrap();
    assert_eq!(bounce["overdue"], true, "a bounced address is overdue");
}

#[test]
fn failed_checks_appear_only_after_the_answer_window() {
    let root = Root::base();
    let dir = root.path().join("content/pings");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("2026-11-20-test.yaml"),
        "id: 2026-11-20-test\nname: Test\nstarted: \"2026-11-20T09:00:00Z\"\n\
         respond_within_hours: 72\npings:\n\
         - state: FRA\n  type: technical\n  to: cert@cert.fra.example\n\
         \x20 token: PING-7K4Q-M2XD-9TRE-AB12\n\
         \x20 message_id: <ping.2026-11-20-test.FRA.1@secretariat.example>\n\
         \x20 sent: \"2026-11-20T09:00:00Z\"\n",
    )
    .unwrap();
    // Two days in: still within 72 hours.
    let (_, v) = stale(root.path(), "2026-11-22");
    assert!(!kinds(&v).iter().any(|(_, k)| k.starts_with("ping")), "{v}");
    // Four days in: unanswered, listed but not overdue.
    let (code, v) = stale(root.path(), "2026-11-24");
    assert_eq!(kinds(&v), vec![("FRA".into(), "ping-unanswered".into())]);
    assert_eq!(code, 0);
}

#[test]
fn fresh_then_stale_then_expired_key_then_missing_pieces() {
    let root = Root::base();
    // Verified 2026-06-05, policy 365 days: fresh in November.
    let (code, v) = stale(root.path(), "2026-11-22");
    assert_eq!((code, kinds(&v)), (0, vec![]));
    // A year and more later: stale, and its only account, verified the
    // same day, lapsed with it: no bundle.
    let (code, v) = stale(root.path(), "2027-06-10");
    assert_eq!(
        (code, kinds(&v)),
        (
            1,
            vec![
                ("FRA".into(), "no-bundle".into()),
                ("FRA".into(), "stale".into())
            ]
        )
    );
    // The technical PoC's OpenPGP key expires 2027-12-31.
    let (_, v) = stale(root.path(), "2027-12-15");
    assert!(
        kinds(&v).contains(&("FRA".into(), "key-expiring".into())),
        "{v}"
    );
    let (code, v) = stale(root.path(), "2028-01-05");
    assert_eq!(code, 1);
    assert!(
        kinds(&v).contains(&("FRA".into(), "key-expired".into())),
        "{v}"
    );
    // No accounts and no technical PoC: listed, but not overdue.
    std::fs::remove_file(root.path().join("keys/states/FRA.yaml")).unwrap();
    let fra = std::fs::read_to_string(root.path().join("content/states/FRA.yaml")).unwrap();
    let cut = fra.find("  - id: cert\n").unwrap();
    let prov = fra.find("provenance:").unwrap();
    root.write(
        "content/states/FRA.yaml",
        format!("{}{}", &fra[..cut], &fra[prov..]),
    );
    let (code, v) = stale(root.path(), "2026-11-22");
    assert_eq!(code, 0, "{v}");
    assert_eq!(
        kinds(&v),
        vec![
            ("FRA".into(), "missing-poc-type".into()),
            ("FRA".into(), "no-accounts".into())
        ]
    );
}
