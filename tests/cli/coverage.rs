//! Tests of `pocdir coverage` and the site's participation page (issue
//! 15): the figures against the reference list of the 193 Member States
//! and 2 observer States, the nominations record checked with file and
//! line, the page naming no non-participant unless the settings say so.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::support::{self, AS_OF, Root};

/// The reference list: alpha-3 → regional group, from the TSV compiled
/// into pocdir (read here on its own, not through pocdir).
fn reference() -> BTreeMap<String, String> {
    let tsv = fs::read_to_string(support::repo_root().join("src/directory/refdata/un_states.tsv"))
        .unwrap();
    tsv.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].to_string(), f[4].to_string())
        })
        .collect()
}

fn coverage_json(root: &Path) -> serde_json::Value {
    let o = support::pocdir([
        "coverage".as_ref(),
        "--root".as_ref(),
        root.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
        "--as-of".as_ref(),
        AS_OF.as_ref(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    serde_json::from_str(&o.stdout).unwrap()
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s["state"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_examples_figures_match_the_reference_list() {
    let repo = support::repo_root();
    let c = coverage_json(&repo);
    let refs = reference();
    assert_eq!(refs.len(), 195);
    // Nominated: the example's State files; pending: its nominations record.
    let mut nominated: Vec<String> = fs::read_dir(repo.join("content/states"))
        .unwrap()
        .filter_map(|e| {
            let n = e.unwrap().file_name().to_string_lossy().into_owned();
            n.strip_suffix(".yaml").map(str::to_string)
        })
        .collect();
    nominated.sort();
    assert_eq!(codes(&c["nominated"]), nominated);
    assert_eq!(codes(&c["pending"]), ["IND", "NGA", "NOR"]);
    let never: Vec<String> = refs
        .keys()
        .filter(|k| !nominated.contains(k) && !["IND", "NGA", "NOR"].contains(&k.as_str()))
        .cloned()
        .collect();
    assert_eq!(codes(&c["never_answered"]), never);
    assert_eq!(never.len(), 177);
    // Every nominated State of the example has both types of PoC.
    for s in c["nominated"].as_array().unwrap() {
        assert_eq!(
            s["poc_types"],
            serde_json::json!(["diplomatic", "technical"])
        );
    }
    assert_eq!(c["pending"][2]["since"], "2026-10-14");
    // Per regional group, from the reference list.
    let expected: BTreeMap<&str, (usize, usize, usize, usize)> = [
        // (States, nominated, pending, never answered)
        ("african", (54, 3, 1, 50)),
        ("asia_pacific", (55, 4, 1, 50)),
        ("eastern_european", (23, 2, 0, 21)),
        ("latin_american_caribbean", (33, 3, 0, 30)),
        ("western_european_others", (29, 3, 1, 25)),
        ("observer", (1, 0, 0, 1)),
    ]
    .into_iter()
    .collect();
    for g in c["groups"].as_array().unwrap() {
        let key = g["group"].as_str().unwrap();
        let n = |f: &str| g[f].as_u64().unwrap() as usize;
        assert_eq!(
            (
                n("states"),
                n("nominated"),
                n("pending"),
                n("never_answered")
            ),
            expected[key],
            "{key}"
        );
        let in_group = refs.values().filter(|v| *v == key).count();
        assert_eq!(n("states"), in_group, "{key} against the reference list");
        assert_eq!(n("both_types"), n("nominated"), "{key}");
    }
    assert_eq!(c["total"]["states"], 195);
    assert_eq!(c["total"]["nominated"], 15);
    assert_eq!(c["total"]["pending"], 3);
    assert_eq!(c["total"]["never_answered"], 177);
}

#[test]
fn the_text_report_gives_the_totals_and_the_lists() {
    let root = Root::base();
    root.write(
        "content/nominations.yaml",
        fs::read(support::fixtures().join("coverage/nominations.yaml")).unwrap(),
    );
    let o = support::pocdir([
        "coverage".as_ref(),
        "--root".as_ref(),
        root.path().as_os_str(),
        "--as-of".as_ref(),
        AS_OF.as_ref(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.starts_with(
            "Participation as of 2026-11-22: 1 of 195 States nominated PoCs (0%), 2 pending, 192 never answered\n"
        ),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("\n  FRA France"), "{}", o.stdout);
    assert!(
        o.stdout.contains(
            "\n  NOR Norway                           since 2026-10-14: Note verbale received\n"
        ),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout
            .contains("never answered (192):\n  AFG Afghanistan\n")
    );
    assert!(o.stdout.contains("\n  VAT Holy See\n"));
}

#[test]
fn a_bad_nominations_record_is_an_error_with_file_and_line() {
    let root = Root::base();
    root.write(
        "content/nominations.yaml",
        fs::read(support::fixtures().join("coverage/bad-nominations.yaml")).unwrap(),
    );
    let o = support::pocdir([
        "check".as_ref(),
        "--root".as_ref(),
        root.path().as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
        "--as-of".as_ref(),
        AS_OF.as_ref(),
    ]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    let r: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let got: Vec<(String, String, String, u64)> = r["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["severity"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let f = "content/nominations.yaml";
    let e = |sev: &str, code: &str, line: u64| (sev.into(), code.into(), f.into(), line);
    assert_eq!(
        got,
        vec![
            e("error", "unknown-state", 5),
            e("error", "invalid-value", 8),
            e("error", "invalid-date", 9),
            e("warning", "invalid-value", 11),
            e("error", "invalid-date", 12),
            e("error", "bad-text", 13),
        ]
    );
    // And in the text report, the snippet points at the line.
    let o = support::pocdir([
        "check".as_ref(),
        "--root".as_ref(),
        root.path().as_os_str(),
        "--as-of".as_ref(),
        AS_OF.as_ref(),
    ]);
    assert!(
        o.stderr.contains("--> content/nominations.yaml:5:12")
            || o.stdout.contains("--> content/nominations.yaml:5:12"),
        "{}{}",
        o.stdout,
        o.stderr
    );
}

/// Build the base fixture's site (with the nominations record), with or
/// without `site.list_non_participants`; the French participation page.
fn participation_page(list: bool) -> String {
    let root = Root::base();
    root.write(
        "content/nominations.yaml",
        fs::read(support::fixtures().join("coverage/nominations.yaml")).unwrap(),
    );
    if list {
        let p = root.path().join("content/directory.yaml");
        let mut s = fs::read_to_string(&p).unwrap();
        s.push_str("site:\n  list_non_participants: true\n");
        fs::write(&p, s).unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let o = support::build(root.path(), out.path(), &["--site-only"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let site = out.path().join("site");
    for lang in ["en", "fr", "es", "ru", "zh", "ar"] {
        let page = fs::read_to_string(site.join(format!("{lang}/participation.html"))).unwrap();
        assert!(page.contains("<table class=\"participation\">"), "{lang}");
        assert!(page.contains("<th scope=\"row\">"), "{lang}");
        let home = fs::read_to_string(site.join(format!("{lang}/index.html"))).unwrap();
        assert!(
            home.contains(&format!("href=\"../{lang}/participation.html\"")),
            "{lang}: no link in the navigation"
        );
    }
    fs::read_to_string(site.join("fr/participation.html")).unwrap()
}

#[test]
fn the_participation_page_names_no_non_participant_by_default() {
    let page = participation_page(false);
    assert!(
        page.contains(
            "Sur les 195 États Membres de l&#39;Organisation des Nations Unies et États observateurs, 1 ont désigné"
        ),
        "{page}"
    );
    assert!(
        page.contains("<tr><th scope=\"row\">États d&#39;Europe occidentale et autres États</th><td>29</td><td>1</td><td>1</td><td>1</td><td>27</td></tr>"),
        "{page}"
    );
    assert!(
        page.contains("<tr><th scope=\"row\">Total</th><td>195</td><td>1</td><td>1</td><td>2</td><td>192</td></tr>"),
        "{page}"
    );
    for name in ["Norvège", "Inde", "Afghanistan", "Saint-Siège"] {
        assert!(!page.contains(name), "{name} is named");
    }
    assert!(page.contains("ne sont pas nommés sur cette page"));
}

#[test]
fn the_participation_page_names_them_when_the_settings_say_so() {
    let page = participation_page(true);
    let pending = &page[page.find("id=\"pending\"").unwrap()..];
    assert!(
        pending.starts_with(
            "id=\"pending\">\n  <li><bdi>Inde</bdi> (30 septembre 2026)</li>\n  <li><bdi>Norvège</bdi> (14 octobre 2026)</li>\n</ul>"
        ),
        "{pending}"
    );
    let never = &page[page.find("id=\"never-answered\"").unwrap()..];
    let never = &never[..never.find("</ul>").unwrap()];
    assert_eq!(never.matches("<li>").count(), 192);
    assert!(never.contains("<li><bdi>Afghanistan</bdi></li>"));
    assert!(never.contains("<li><bdi>Saint-Siège</bdi></li>"));
    assert!(!never.contains("France"));
    assert!(!never.contains("Norvège"));
    assert!(!page.contains("ne sont pas nommés sur cette page"));
}
