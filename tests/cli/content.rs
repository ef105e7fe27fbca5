//! Tests of what the site and the bundles publish (issue #13, part 3):
//! the contact data States agreed to share, with the dates of last update
//! and verification, and none of the secretariat's internal records — no
//! verification or provenance reference, no officer's name, no receiving
//! account or age recipient — except that a State's own bundle lists its
//! own receiving accounts. And the offline page's jump list (part 5).
//!
//! The internal records are read from the example's files line by line
//! (not through pocdir), and every file of the site and of every bundle's
//! plaintext (decrypted by the real `age`, unpacked by the real `tar`) is
//! searched byte for byte.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use crate::build::example;
use crate::peers::{age_decrypt, run_tool, tree};
use crate::support::{self, Root};

/// A YAML line's scalar value after `key:`, unquoted (the example writes
/// plain or double-quoted scalars without escapes).
fn value_of(line: &str, key: &str) -> Option<String> {
    let rest = line.trim_start().trim_start_matches("- ");
    let v = rest.strip_prefix(key)?.strip_prefix(':')?.trim();
    let v = v
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(v);
    (!v.is_empty()).then(|| v.to_string())
}

/// The secretariat's records in the example: (provenance and verification
/// references, officers' names) of every State, each State's receiving
/// accounts (addresses and age recipients), and their names (labels such
/// as "Division of Cyber Issues", which may also be part of a published
/// entity's name: looked for in the State's own bundle only).
struct Internal {
    records: BTreeSet<String>,
    accounts: BTreeMap<String, BTreeSet<String>>,
    names: BTreeMap<String, BTreeSet<String>>,
}

fn internal(root: &Path) -> Internal {
    let mut records = BTreeSet::new();
    let mut accounts: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut names: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for folder in ["content/states", "keys/states"] {
        for e in fs::read_dir(root.join(folder)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_none_or(|x| x != "yaml") {
                continue;
            }
            let code = p.file_stem().unwrap().to_string_lossy().into_owned();
            let text = fs::read_to_string(&p).unwrap();
            for line in text.lines() {
                for key in ["reference", "verified_by"] {
                    records.extend(value_of(line, key));
                }
                if folder == "keys/states" {
                    let own = accounts.entry(code.clone()).or_default();
                    own.extend(value_of(line, "email"));
                    names
                        .entry(code.clone())
                        .or_default()
                        .extend(value_of(line, "name"));
                    own.extend(
                        line.split_whitespace()
                            .filter(|w| w.starts_with("age1"))
                            .map(str::to_string),
                    );
                }
            }
        }
    }
    Internal {
        records,
        accounts,
        names,
    }
}

/// The needles of `set` found in `bytes`.
fn found<'a>(bytes: &[u8], set: impl IntoIterator<Item = &'a String>) -> Vec<&'a String> {
    set.into_iter()
        .filter(|n| bytes.windows(n.len()).any(|w| w == n.as_bytes()))
        .collect()
}

/// Every file of a bundle's plaintext, unpacked by the real `tar` (which
/// also reads a compressed archive).
fn unpack(plain: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("bundle.tar");
    fs::write(&archive, plain).unwrap();
    let x = dir.path().join("x");
    fs::create_dir(&x).unwrap();
    let (ok, _, err) = run_tool(
        "tar",
        &[
            "-xf".as_ref(),
            archive.as_os_str(),
            "-C".as_ref(),
            x.as_os_str(),
        ],
        dir.path(),
    );
    assert!(ok, "tar -xf failed: {err}");
    tree(&x)
}

/// The example, built with its bundles, each bundle's files by State.
struct Built {
    root: Root,
    site: BTreeMap<String, Vec<u8>>,
    bundles: BTreeMap<String, BTreeMap<String, Vec<u8>>>,
    _out: tempfile::TempDir,
}

fn built() -> Built {
    let root = example();
    let out = tempfile::tempdir().unwrap();
    let r = support::build(root.path(), out.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let site = tree(&out.path().join("site"));
    let mut bundles = BTreeMap::new();
    for e in fs::read_dir(out.path().join("bundles")).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(code) = name.split('.').next().filter(|_| name.ends_with(".age")) {
            let key = root.path().join(format!("keys/demo/states/{code}.key"));
            bundles.insert(code.to_string(), unpack(&age_decrypt(&key, &p)));
        }
    }
    Built {
        root,
        site,
        bundles,
        _out: out,
    }
}

#[test]
fn the_site_and_other_states_bundles_hold_no_internal_record() {
    let b = built();
    let Internal {
        records,
        accounts,
        names,
    } = internal(b.root.path());
    // The example has records of each kind to look for.
    assert!(records.iter().any(|r| r.contains("NV/")), "{records:?}");
    assert!(records.iter().any(|r| r.contains("officer")), "{records:?}");
    assert!(accounts.len() >= 10, "{accounts:?}");
    assert!(b.bundles.len() >= 10, "only {} bundles", b.bundles.len());
    let every_account: BTreeSet<&String> = accounts.values().flatten().collect();
    assert!(every_account.iter().any(|a| a.starts_with("age1")));
    assert!(every_account.iter().any(|a| a.contains('@')));

    for (path, bytes) in &b.site {
        let leaked = found(bytes, records.iter().chain(every_account.iter().copied()));
        assert!(leaked.is_empty(), "the site's {path} holds {leaked:?}");
    }
    for (code, files) in &b.bundles {
        let own = &accounts[code];
        let others: Vec<&String> = every_account
            .iter()
            .copied()
            .filter(|a| !own.contains(*a))
            .collect();
        for (name, bytes) in files {
            let leaked = found(bytes, records.iter().chain(others.iter().copied()));
            assert!(
                leaked.is_empty(),
                "{code}'s bundle: {name} holds {leaked:?}"
            );
        }
        // Its own accounts are listed (addresses, recipients, names).
        let all: Vec<u8> = files.values().flatten().copied().collect();
        let own_all: Vec<&String> = own
            .iter()
            .chain(names.get(code).into_iter().flatten())
            .collect();
        let listed = found(&all, own_all.iter().copied());
        assert_eq!(
            listed.len(),
            own_all.len(),
            "{code}'s bundle lists {listed:?} of its accounts {own_all:?}"
        );
        assert!(
            String::from_utf8_lossy(&files["README.txt"]).contains(&format!(
                "The accounts of {code} that receive this directory"
            )),
            "{code}'s README.txt does not list its accounts"
        );
    }
}

#[test]
fn directory_json_holds_the_published_view_only() {
    let b = built();
    let site: serde_json::Value = serde_json::from_slice(&b.site["directory.json"]).unwrap();
    let keys =
        |v: &serde_json::Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    let published = [
        "alpha2",
        "code",
        "group",
        "last_updated",
        "last_verified",
        "m49",
        "member",
        "mission",
        "names",
        "points_of_contact",
        "regional_networks",
    ];
    let states = site["states"].as_array().unwrap();
    assert_eq!(states.len(), 15);
    for s in states {
        let mut want: Vec<&str> = published.to_vec();
        want.push("stale");
        want.sort();
        assert_eq!(keys(s), want, "{}", s["code"]);
        assert!(s["last_verified"].as_str().is_some_and(|d| d.len() == 10));
        assert!(s["last_updated"].as_str().is_some_and(|d| d.len() == 10));
        for p in s["points_of_contact"].as_array().unwrap() {
            assert!(p["id"].as_str().is_some_and(|i| !i.is_empty()), "{p}");
        }
        assert!(
            s["mission"]["email"]
                .as_str()
                .is_some_and(|e| e.contains('@'))
        );
    }
    assert_eq!(
        keys(&site),
        ["as_of", "format", "secretariat_key", "settings", "states"]
    );
    // The bundles' directory.json: the same view, without what depends on
    // the day it is read (its SHA-256 is the signed root).
    for (code, files) in &b.bundles {
        let json: serde_json::Value = serde_json::from_slice(&files["directory.json"]).unwrap();
        assert_eq!(
            keys(&json),
            ["format", "secretariat_key", "settings", "states"],
            "{code}"
        );
        for s in json["states"].as_array().unwrap() {
            assert_eq!(keys(s), published, "{code}: {}", s["code"]);
        }
        let csv = String::from_utf8_lossy(&files["contacts.csv"]).into_owned();
        assert!(
            csv.lines()
                .next()
                .unwrap()
                .ends_with("Last verified,Needs re-verification"),
            "{csv}"
        );
    }
}

#[test]
fn the_offline_page_has_a_jump_list_and_an_anchor_per_state() {
    let b = built();
    let site: serde_json::Value = serde_json::from_slice(&b.site["directory.json"]).unwrap();
    let codes: Vec<&str> = site["states"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    // Saudi Arabia's PoCs speak Arabic: its page has an English and an
    // Arabic section, the Arabic one right to left.
    let page = String::from_utf8(b.bundles["SAU"]["index.html"].clone()).unwrap();
    assert!(
        page.contains("<section class=\"offline-section\" id=\"lang-ar\" lang=\"ar\" dir=\"rtl\">")
    );
    for lang in ["en", "ar"] {
        let start = page.find(&format!("id=\"lang-{lang}\"")).unwrap();
        let section = &page[start..];
        let section = &section[..section.find("</section>").unwrap()];
        let nav = &section[section.find("<nav class=\"jump\"").expect("a jump list")..];
        let nav = &nav[..nav.find("</nav>").unwrap()];
        for code in &codes {
            let anchor = format!("{lang}-{code}");
            assert!(
                nav.contains(&format!("href=\"#{anchor}\"")),
                "{lang}: the jump list has no link to {code}"
            );
            assert_eq!(
                section.matches(&format!("id=\"{anchor}\"")).count(),
                1,
                "{lang}: no (or several) anchors for {code}"
            );
        }
        assert!(section.contains(&format!("href=\"#{lang}-top\"")));
    }
    // A title header, the version as a small notice, and still no script
    // and no resource: the CSP is unchanged.
    assert!(page.contains("<title>الدليل العالمي الحكومي الدولي لجهات الاتصال</title>"));
    // The header speaks the language Saudi Arabia's Mission writes in.
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"ar\" dir=\"rtl\">"));
    assert!(page.contains("<p class=\"notice version\"><small>الإصدار "));
    assert!(page.contains("content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\""));
    assert!(!page.contains("<script"));
    assert!(!page.contains("<link"));
    assert!(page.contains(".offline-main {"), "the page's margins");
}
