//! The CI examples (`ci-examples/`) run as documented: their shell steps,
//! read from the YAML files themselves, run with bash against a real git
//! repository holding a pull request, with the real `pocdir` on the PATH.
//! Only the steps that need the network (installing pocdir, reading the
//! author and posting the comment through the forge's API) are left out,
//! and the test names them, so a new step is never skipped silently.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::support::{self, Root};

fn read_yaml(rel: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(support::repo_root().join(rel)).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@secretariat.example",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .env("GIT_AUTHOR_DATE", "2026-11-15T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-11-15T12:00:00Z")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A repository with the base fixture on `main` and a pull request on
/// `pr` made by `change`; returns (base sha, head sha).
fn pull_request(root: &Root, change: impl FnOnce(&Path)) -> (String, String) {
    let dir = root.path();
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "base"]);
    git(dir, &["checkout", "-q", "-b", "pr"]);
    change(dir);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "pull request"]);
    (
        git(dir, &["rev-parse", "main"]),
        git(dir, &["rev-parse", "HEAD"]),
    )
}

/// Run `script` with bash as the runner would (`bash -e -o pipefail`), in
/// `dir`, with pocdir on the PATH and `env`: exit code, stdout, stderr.
fn bash(dir: &Path, script: &str, env: &BTreeMap<&str, String>) -> (i32, String, String) {
    let bin_dir = support::bin().parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args([
            "--noprofile",
            "--norc",
            "-e",
            "-o",
            "pipefail",
            "-c",
            script,
        ])
        .current_dir(dir)
        .env("PATH", path)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The steps of the GitHub workflow run in order, like the runner: a step
/// whose `if:` is `always()` or the review's status, `${{ }}` only through
/// `env:` (checked). Returns the job's conclusion and the review posted.
fn github_job(root: &Root, base: &str, head: &str, author: &str) -> (bool, String) {
    let wf = read_yaml("ci-examples/github-actions.yml");
    assert!(
        wf["on"].get("pull_request_target").is_some(),
        "the workflow runs as the base branch holds it"
    );
    let steps = wf["jobs"]["review"]["steps"].as_array().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let output = tmp.path().join("github_output");
    std::fs::write(&output, "").unwrap();
    let mut outputs: BTreeMap<String, String> = BTreeMap::new();
    let mut failed = false;
    let mut skipped = Vec::new();
    for step in steps {
        let name = step["name"].as_str().unwrap();
        let Some(run) = step["run"].as_str() else {
            assert_eq!(
                step["uses"].as_str(),
                Some("actions/checkout@v4"),
                "{name}: the only action is the checkout"
            );
            assert_eq!(
                step["with"]["ref"],
                "${{ github.event.pull_request.head.sha }}"
            );
            continue;
        };
        assert!(
            !run.contains("${{"),
            "{name}: expressions go through env:, not into the script"
        );
        if name == "Install pocdir" || name == "Comment" {
            skipped.push(name.to_string());
            continue;
        }
        let cond = step["if"].as_str();
        let run_it = match cond {
            None => !failed,
            Some("always()") => true,
            Some("steps.review.outputs.status != '0'") => {
                outputs.get("review.status").map(String::as_str) != Some("0")
            }
            Some(other) => panic!("{name}: an `if:` this test does not know: {other}"),
        };
        if !run_it {
            continue;
        }
        let mut env = BTreeMap::new();
        if let Some(e) = step["env"].as_object() {
            for (k, v) in e {
                let v = v.as_str().unwrap();
                let value = match v {
                    "${{ github.event.pull_request.base.sha }}" => base.to_string(),
                    "${{ github.event.pull_request.head.sha }}" => head.to_string(),
                    "${{ github.event.pull_request.user.login }}" => author.to_string(),
                    other => panic!("{name}: unknown expression {other}"),
                };
                env.insert(leak(k), value);
            }
        }
        env.insert("GITHUB_OUTPUT", output.display().to_string());
        env.insert("RUNNER_TEMP", tmp.path().display().to_string());
        let (code, _, stderr) = bash(root.path(), run, &env);
        if let Some(id) = step["id"].as_str() {
            for line in std::fs::read_to_string(&output).unwrap().lines() {
                if let Some((k, v)) = line.split_once('=') {
                    outputs.insert(format!("{id}.{k}"), v.to_string());
                }
            }
        }
        if code != 0 {
            assert!(
                name == "Fail on a block signal" || name == "Check",
                "{name} failed: {stderr}"
            );
            failed = true;
        }
    }
    assert_eq!(skipped, ["Install pocdir", "Comment"]);
    let review = std::fs::read_to_string(tmp.path().join("review.md")).unwrap_or_default();
    (!failed, review)
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

/// The GitLab job's script, with `MR_AUTHOR` as its before_script would
/// set it: the job's success and the review.
fn gitlab_job(root: &Root, base: &str, head: &str, author: &str) -> (bool, String) {
    let job = &read_yaml("ci-examples/gitlab-ci.yml")["pocdir"];
    let before: Vec<&str> = job["before_script"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(before[0].contains("cargo install"), "{before:?}");
    assert!(
        before
            .iter()
            .any(|l| l.trim_start().starts_with("MR_AUTHOR=")),
        "{before:?}"
    );
    let mut script = String::new();
    let mut skipped = 0;
    for line in job["script"].as_array().unwrap() {
        let line = line.as_str().unwrap();
        if line.trim_start().starts_with("curl ") {
            skipped += 1; // posting the note
            continue;
        }
        script.push_str(line);
        script.push('\n');
    }
    assert_eq!(skipped, 1, "only the note is left out");
    let tmp = tempfile::tempdir().unwrap();
    let env = BTreeMap::from([
        ("CI_MERGE_REQUEST_DIFF_BASE_SHA", base.to_string()),
        ("CI_COMMIT_SHA", head.to_string()),
        ("CI_BUILDS_DIR", tmp.path().display().to_string()),
        ("MR_AUTHOR", author.to_string()),
    ]);
    let (code, _, _) = bash(root.path(), &script, &env);
    let review = std::fs::read_to_string(tmp.path().join("review.md")).unwrap_or_default();
    (code == 0, review)
}

#[test]
fn both_ci_examples_pass_a_harmless_change_and_stop_a_key_swap() {
    type Job = fn(&Root, &str, &str, &str) -> (bool, String);
    for job in [github_job as Job, gitlab_job as Job] {
        // A reworded note: the job passes, the review is posted.
        let root = Root::base();
        let (base, head) = pull_request(&root, |dir| {
            let p = dir.join("content/states/FRA.yaml");
            let t = std::fs::read_to_string(&p).unwrap();
            std::fs::write(
                &p,
                t.replace("the duty officer answers", "the duty officer replies"),
            )
            .unwrap();
        });
        let (ok, review) = job(&root, &base, &head, "alice");
        assert!(ok, "{review}");
        assert!(
            review.contains("## pocdir review") && review.contains("no block"),
            "{review}"
        );

        // A recipient swapped: the job fails, the review says why.
        let root = Root::base();
        let (base, head) = pull_request(&root, |dir| {
            let p = dir.join("keys/states/FRA.yaml");
            let t = std::fs::read_to_string(&p).unwrap();
            let old = t
                .lines()
                .find(|l| l.trim_start().starts_with("- age1"))
                .unwrap();
            let new = format!("      - {}", pocdir::sign::keygen::age_identity().1);
            std::fs::write(&p, t.replace(old, &new)).unwrap();
        });
        let (ok, review) = job(&root, &base, &head, "alice");
        assert!(!ok, "{review}");
        assert!(review.contains("**block**"), "{review}");
    }
}
