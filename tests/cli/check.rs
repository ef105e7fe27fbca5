//! `pocdir check`: the base fixture passes; each folder of
//! `tests/fixtures/check/` is one invalid case (see `case.json` there) that
//! must fail with exactly the diagnostics it expects; the human output of
//! each is snapshotted under `snapshots/`.

use std::ffi::OsStr;
use std::path::Path;

use serde_json::Value;

use crate::support::{self, AS_OF, Root};

/// Run `pocdir check` on `root` with `extra` arguments.
fn check(root: &Path, extra: &[&str]) -> support::Output {
    let mut args: Vec<&OsStr> = vec!["check".as_ref(), "--root".as_ref(), root.as_os_str()];
    args.extend(
        ["--as-of", AS_OF]
            .into_iter()
            .chain(extra.iter().copied())
            .map(OsStr::new),
    );
    support::pocdir(args)
}

/// Parse `--format json` output, checking its shape.
fn parse_json(stdout: &str) -> Value {
    let v: Value = serde_json::from_str(stdout)
        .unwrap_or_else(|e| panic!("--format json output is not JSON ({e}):\n{stdout}"));
    let diags = v["diagnostics"]
        .as_array()
        .expect("`diagnostics` is an array");
    for d in diags {
        for key in ["severity", "code", "file", "message"] {
            assert!(
                d[key].is_string(),
                "diagnostic without a string `{key}`: {d}"
            );
        }
        for key in ["line", "column"] {
            assert!(d[key].is_u64(), "diagnostic without a numeric `{key}`: {d}");
        }
        assert!(
            d["severity"] == "error" || d["severity"] == "warning",
            "unknown severity: {d}"
        );
        assert!(
            d.get("hint").is_none_or(Value::is_string),
            "hint is not a string: {d}"
        );
    }
    let errors = diags.iter().filter(|d| d["severity"] == "error").count() as u64;
    let warnings = diags.iter().filter(|d| d["severity"] == "warning").count() as u64;
    assert_eq!(
        v["errors"], errors,
        "`errors` does not count the errors:\n{stdout}"
    );
    assert_eq!(
        v["warnings"], warnings,
        "`warnings` does not count the warnings:\n{stdout}"
    );
    v
}

fn brief(d: &Value) -> String {
    format!(
        "{} [{}] {}:{}:{} {}",
        d["severity"].as_str().unwrap_or("?"),
        d["code"].as_str().unwrap_or("?"),
        d["file"].as_str().unwrap_or("?"),
        d["line"],
        d["column"],
        d["message"].as_str().unwrap_or("?"),
    )
}

/// Run the case `tests/fixtures/check/<name>/` and check it.
fn run_case(name: &str) {
    let dir = support::fixtures().join("check").join(name);
    let spec = support::case_spec(&dir);
    let root = Root::with_case(&dir, &spec);
    let args: Vec<&str> = spec.args.iter().map(String::as_str).collect();

    let human = check(root.path(), &args);
    let mut json_args = args.clone();
    json_args.extend(["--format", "json"]);
    let json = check(root.path(), &json_args);
    let stderr = root.redact(&human.stderr);

    let report = parse_json(&json.stdout);
    let diags = report["diagnostics"].as_array().expect("diagnostics");
    let listing = diags.iter().map(brief).collect::<Vec<_>>().join("\n");
    let context = format!(
        "case {name}\n--- reported:\n{listing}\n--- human output:\n{}",
        support::mask_secrets(&stderr)
    );

    let mut problems = Vec::new();
    if json.code != spec.exit {
        problems.push(format!(
            "exit code {} (--format json), expected {}",
            json.code, spec.exit
        ));
    }
    if human.code != spec.exit {
        problems.push(format!(
            "exit code {} (human output), expected {}",
            human.code, spec.exit
        ));
    }
    for e in &spec.expect {
        if !diags.iter().any(|d| e.matches(d)) {
            problems.push(format!("missing: {e}"));
        }
    }
    for d in diags {
        if d["severity"] == "error" && !spec.expect.iter().any(|e| e.matches(d)) {
            problems.push(format!("unexpected: {}", brief(d)));
        }
    }
    for (what, text) in [
        ("human output", &human.stderr),
        ("JSON output", &json.stdout),
    ] {
        if let Some(secret) = support::secret_in(text) {
            problems.push(format!(
                "the {what} prints secret key material: {}…",
                &secret[..20]
            ));
        }
    }
    assert!(
        !json.stdout.is_empty() && human.stdout.is_empty(),
        "JSON goes to stdout and the human form to stderr\n{context}"
    );
    assert!(problems.is_empty(), "{}\n{context}", problems.join("\n"));

    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let command: Vec<&str> = ["pocdir", "check", "--as-of", AS_OF]
        .into_iter()
        .chain(args.iter().copied())
        .collect();
    settings.set_description(format!(
        "{} on tests/fixtures/check/{name}",
        command.join(" ")
    ));
    settings.bind(|| insta::assert_snapshot!(format!("check__{name}"), stderr));
}

/// One test per case folder; `every_case_folder_has_a_test` keeps this list
/// and `tests/fixtures/check/` in step.
macro_rules! cases {
    ($($test:ident => $dir:literal,)*) => {
        const CASES: &[&str] = &[$($dir),*];
        $(
            #[test]
            fn $test() {
                run_case($dir);
            }
        )*
    };
}

cases! {
    absolute_link => "absolute-link",
    alias_bomb => "alias-bomb",
    bad_file_name => "bad-file-name",
    bidi_control => "bidi-control",
    broken_link => "broken-link",
    business_hours_incomplete => "business-hours-incomplete",
    control_character => "control-character",
    deep_nesting => "deep-nesting",
    demo_key => "demo-key",
    demo_key_unlabelled => "demo-key-unlabelled",
    directory_missing_fields => "directory-missing-fields",
    duplicate_key => "duplicate-key",
    duplicate_poc => "duplicate-poc",
    duplicate_poc_id => "duplicate-poc-id",
    free_mail => "free-mail",
    front_matter => "front-matter",
    front_matter_every_error => "front-matter-every-error",
    front_matter_unknown_field => "front-matter-unknown-field",
    future_date => "future-date",
    glossary_term => "glossary-term",
    huge_file => "huge-file",
    invalid_date => "invalid-date",
    invalid_email => "invalid-email",
    invalid_hours => "invalid-hours",
    invalid_correspondence_language => "invalid-correspondence-language",
    invalid_language => "invalid-language",
    invalid_phone => "invalid-phone",
    invalid_poc_id => "invalid-poc-id",
    invalid_recipient => "invalid-recipient",
    invalid_time_zone => "invalid-time-zone",
    invalid_utf8 => "invalid-utf8",
    invalid_value => "invalid-value",
    key_expired => "key-expired",
    key_expiring => "key-expiring",
    loads_resource => "loads-resource",
    missing_directory_file => "missing-directory-file",
    missing_field => "missing-field",
    missing_poc_id => "missing-poc-id",
    mixed_field_errors => "mixed-field-errors",
    mixed_script_domain => "mixed-script-domain",
    no_accounts => "no-accounts",
    no_contact_means => "no-contact-means",
    no_poc => "no-poc",
    nul_byte => "nul-byte",
    orphan_translation => "orphan-translation",
    page_language => "page-language",
    path_trick => "path-trick",
    ping_invalid => "ping-invalid",
    reviewer_key_invalid => "reviewer-key-invalid",
    secret_key_in_target_folder => "secret-key-in-target-folder",
    secret_key_material => "secret-key-material",
    site_secret_material => "site-secret-material",
    secretariat_key_invalid => "secretariat-key-invalid",
    ssh_recipient => "ssh-recipient",
    state_every_error => "state-every-error",
    state_mismatch => "state-mismatch",
    stray_file => "stray-file",
    symlink => "symlink",
    symlink_folder => "symlink-folder",
    synthetic_state => "synthetic-state",
    unknown_field => "unknown-field",
    unknown_state => "unknown-state",
    unsafe_link => "unsafe-link",
    verified_before_date => "verified-before-date",
    wrong_type => "wrong-type",
    yaml_syntax => "yaml-syntax",
    yes_no_boolean => "yes-no-boolean",
}

#[test]
fn every_case_folder_has_a_test() {
    let folders = support::case_names("check");
    let mut listed: Vec<String> = CASES.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(
        folders, listed,
        "tests/fixtures/check/ and the cases! list differ"
    );
}

#[test]
fn every_case_expects_an_error_or_denies_warnings() {
    for name in CASES {
        let spec = support::case_spec(&support::fixtures().join("check").join(name));
        assert!(!spec.expect.is_empty(), "case {name} expects no diagnostic");
        assert_eq!(spec.exit, 1, "case {name}: an invalid case exits 1");
    }
}

#[test]
fn base_fixture_is_valid() {
    let out = check(&support::base(), &["--deny-warnings"]);
    assert_eq!(out.stderr, "0 errors, 0 warnings\n");
    assert_eq!(out.code, 0);
    let out = check(&support::base(), &["--deny-warnings", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let v = parse_json(&out.stdout);
    assert_eq!(v["errors"], 0);
    assert_eq!(v["warnings"], 0);
    assert_eq!(v["diagnostics"], Value::Array(Vec::new()));
}

/// The repository's own example directory (content/, keys/) is valid.
#[test]
fn example_directory_is_valid() {
    let out = check(&support::repo_root(), &["--deny-warnings"]);
    assert_eq!(
        out.code, 0,
        "the example directory does not pass:\n{}",
        out.stderr
    );
}

#[test]
fn json_output_parses() {
    let dir = support::fixtures().join("check").join("invalid-email");
    let root = Root::with_case(&dir, &support::case_spec(&dir));
    let out = check(root.path(), &["--format", "json"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.is_empty(),
        "--format json prints nothing on stderr: {}",
        out.stderr
    );
    let v = parse_json(&out.stdout);
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "invalid-email");
    assert_eq!(d["file"], "content/states/FRA.yaml");
    assert!(d["hint"].is_string());
}

#[test]
fn warnings_alone_exit_0_without_deny_warnings() {
    let dir = support::fixtures().join("check").join("free-mail");
    let root = Root::with_case(&dir, &support::case_spec(&dir));
    let out = check(root.path(), &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("free-mail"), "{}", out.stderr);
}

#[test]
fn missing_root_is_a_usage_error() {
    let tmp = Root::base();
    let missing = tmp.path().join("no-such-directory");
    for extra in [&["--format", "json"][..], &[]] {
        let out = check(&missing, extra);
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(out.stdout.is_empty(), "{}", out.stdout);
        assert!(
            tmp.redact(&out.stderr)
                .contains("--root [ROOT]/no-such-directory: no such folder"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    let (code, stdout, stderr) = support::run(["check", "--format", "xml"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("xml"), "{stderr}");

    let (code, _, stderr) = support::run(["check", "--as-of", "2026-02-30"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("2026-02-30"), "{stderr}");

    let (code, _, stderr) = support::run(["check", "--no-such-option"]);
    assert_eq!(code, 2, "{stderr}");
}

/// The diagnostics `pocdir check --format json` reports for `file` on the
/// case `tests/fixtures/check/<case>/`, as (code, line, column, message,
/// hint).
fn reported_in(case: &str, file: &str) -> Vec<(String, u64, u64, String, String)> {
    let dir = support::fixtures().join("check").join(case);
    let root = Root::with_case(&dir, &support::case_spec(&dir));
    let out = check(root.path(), &["--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let v = parse_json(&out.stdout);
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["file"] == file && d["severity"] == "error")
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
                d["message"].as_str().unwrap_or("").to_string(),
                d["hint"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// The field named in a `missing field `x`` message.
fn missing_name(message: &str) -> Option<&str> {
    message
        .split_once("missing field `")
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(name, _)| name)
}

/// A typo'd key no longer hides the other mistakes of its file: the five
/// problems of the State file are reported by one run, each where it is,
/// and the typo gets a suggestion.
#[test]
fn one_run_reports_every_problem_of_a_state_file() {
    let got = reported_in("state-every-error", "content/states/FRA.yaml");
    let brief: Vec<(&str, u64)> = got.iter().map(|(c, l, ..)| (c.as_str(), *l)).collect();
    assert_eq!(
        brief,
        [
            ("missing-field", 7),
            ("wrong-type", 9),
            ("wrong-type", 14),
            ("unknown-field", 15),
            ("wrong-type", 34),
        ],
        "{got:#?}"
    );
    let typo = got.iter().find(|d| d.0 == "unknown-field").expect("typo");
    assert!(typo.3.contains("`emials`"), "{typo:?}");
    assert!(typo.4.contains("did you mean `emails`?"), "{typo:?}");
    let missing = got
        .iter()
        .find(|d| d.0 == "missing-field")
        .expect("missing");
    assert_eq!(missing_name(&missing.3), Some("email"), "{missing:?}");
    assert!(
        got.iter().all(|d| d.1 > 0 && d.2 > 0),
        "every problem has a line and a column: {got:#?}"
    );
}

/// A fresh content/directory.yaml lists every missing field in one run,
/// nested ones included.
#[test]
fn one_run_lists_every_missing_field_of_the_directory_file() {
    let got = reported_in("directory-missing-fields", "content/directory.yaml");
    assert!(
        got.iter().all(|d| d.0 == "missing-field"),
        "only missing fields: {got:#?}"
    );
    let mut names: Vec<(u64, &str)> = got
        .iter()
        .filter_map(|d| missing_name(&d.3).map(|n| (d.1, n)))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            (4, "bundle"),
            (4, "default_language"),
            (4, "policy"),
            (7, "email")
        ],
        "{got:#?}"
    );
}

/// Unknown, missing and wrong-form fields of one file come together.
#[test]
fn unknown_missing_and_wrong_type_come_together() {
    let got = reported_in("mixed-field-errors", "keys/states/FRA.yaml");
    let mut codes: Vec<&str> = got.iter().map(|d| d.0.as_str()).collect();
    codes.sort();
    assert_eq!(
        codes,
        ["missing-field", "unknown-field", "wrong-type"],
        "{got:#?}"
    );
    let missing = got
        .iter()
        .find(|d| d.0 == "missing-field")
        .expect("missing");
    assert_eq!(missing_name(&missing.3), Some("verification"));
    // Front matter too, at the lines of the Markdown file.
    let got = reported_in("front-matter-every-error", "content/pages/about.md");
    let lines: Vec<(&str, u64)> = got.iter().map(|d| (d.0.as_str(), d.1)).collect();
    assert_eq!(
        lines,
        [
            ("front-matter", 2),
            ("front-matter", 3),
            ("front-matter", 4)
        ],
        "{got:#?}"
    );
}

/// A file whose keys are all known still stops at a syntax problem: the
/// structure is not guessed past it.
#[test]
fn syntax_errors_stay_one_per_file() {
    let got = reported_in("yaml-syntax", "content/states/FRA.yaml");
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!(got[0].0, "yaml-syntax");
}
