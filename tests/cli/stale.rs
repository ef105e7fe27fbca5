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
fn the_example_has_exactly_its_two_stale_states() {
    let (code, v) = stale(&support::repo_root(), "2026-11-22");
    assert_eq!(code, 1, "stale entries are overdue");
    assert_eq!(
        kinds(&v),
        vec![
            ("BRA".into(), "stale".into()),
            ("KEN".into(), "stale".into())
        ]
    );
}

#[test]
fn fresh_then_stale_then_expired_key_then_missing_pieces() {
    let root = Root::base();
    // Verified 2026-06-05, policy 365 days: fresh in November.
    let (code, v) = stale(root.path(), "2026-11-22");
    assert_eq!((code, kinds(&v)), (0, vec![]));
    // A year and more later: stale.
    let (code, v) = stale(root.path(), "2027-06-10");
    assert_eq!((code, kinds(&v)), (1, vec![("FRA".into(), "stale".into())]));
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
    let cut = fra.find("  - type: technical").unwrap();
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
