//! The command line itself: root discovery, the one time flag, exit codes
//! of usage errors, `--version`, completions and man pages.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::support;

/// Run pocdir in `cwd` (no time limit needed: these commands are quick).
fn pocdir_in(cwd: &Path, args: &[&str]) -> support::Output {
    let out = Command::new(support::bin())
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("run pocdir");
    support::Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn the_root_is_found_from_a_subfolder_like_git() {
    // A copy of the base fixture with one error, so that which directory
    // was checked shows in the output.
    let r = support::Root::base();
    let root = r.path().to_path_buf();
    let deep = root.join("content/states");
    let from_sub = pocdir_in(&deep, &["check", "--as-of", support::AS_OF]);
    let with_root = pocdir_in(
        &r.outside(),
        &[
            "check",
            "--root",
            root.to_str().unwrap(),
            "--as-of",
            support::AS_OF,
        ],
    );
    assert_eq!(from_sub.code, 0, "{}", from_sub.stderr);
    assert_eq!(from_sub.stderr, with_root.stderr);
    // Break the directory: the run from the subfolder sees it.
    fs::write(root.join("content/directory.yaml"), "title: [\n").unwrap();
    let broken = pocdir_in(&deep, &["check", "--as-of", support::AS_OF]);
    assert_eq!(broken.code, 1, "{}", broken.stderr);
    assert!(
        broken.stderr.contains("content/directory.yaml"),
        "{}",
        broken.stderr
    );
}

#[test]
fn no_directory_is_a_usage_error_naming_the_way_out() {
    let tmp = tempfile::tempdir().unwrap();
    for cmd in ["check", "build", "stale", "review"] {
        let r = pocdir_in(tmp.path(), &[cmd]);
        assert_eq!(r.code, 2, "{cmd}: {}", r.stderr);
        for says in ["content/directory.yaml", "--root", "pocdir init"] {
            assert!(r.stderr.contains(says), "{}", r.stderr);
        }
    }
    let r = support::pocdir(["check", "--root", "/nonexistent/pocdir-root"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let says = "/nonexistent/pocdir-root: no such folder";
    assert!(r.stderr.contains(says), "{}", r.stderr);
}

#[test]
fn as_of_takes_a_day_or_a_time_on_every_command_that_reads_the_clock() {
    // The same day given both ways judges the same.
    let day = support::pocdir(["stale", "--format", "json", "--as-of", "2026-11-22"]);
    let time = support::pocdir([
        "stale",
        "--format",
        "json",
        "--as-of",
        "2026-11-22T17:30:00Z",
    ]);
    assert_eq!(day.stdout, time.stdout);
    assert!(day.stdout.contains('['), "{}", day.stdout);
    // A later day judges differently (Kenya's entry goes stale).
    let later = support::pocdir(["stale", "--format", "json", "--as-of", "2030-01-01"]);
    assert_ne!(day.stdout, later.stdout);
    for cmd in [
        &["check"][..],
        &["build"],
        &["stale"],
        &["serve"],
        &["remind"],
        &["review"],
        &["mail"],
        &["open"],
        &["ping", "start"],
        &["ping", "report"],
    ] {
        let mut args = cmd.to_vec();
        args.push("--help");
        let r = support::pocdir(&args);
        assert_eq!(r.code, 0, "{cmd:?}");
        assert!(r.stdout.contains("--as-of <WHEN>"), "{cmd:?}: {}", r.stdout);
    }
    let bad = support::pocdir(["check", "--as-of", "22/11/2026"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("RFC 3339"), "{}", bad.stderr);
}

#[test]
fn every_command_documents_root_and_its_exit_codes() {
    let top = support::pocdir(["--help"]);
    for cmd in [
        &["check"][..],
        &["build"],
        &["serve"],
        &["stale"],
        &["remind"],
        &["review"],
        &["mail"],
        &["ping", "start"],
        &["ping", "send"],
        &["ping", "collect"],
        &["ping", "record"],
        &["ping", "report"],
    ] {
        let mut args = cmd.to_vec();
        args.push("--help");
        let r = support::pocdir(&args);
        assert!(r.stdout.contains("--root <DIR>"), "{cmd:?}: {}", r.stdout);
        assert!(r.stdout.contains("Exit codes"), "{cmd:?}: {}", r.stdout);
        assert!(top.stdout.contains(cmd[0]), "{}", top.stdout);
    }
    for cmd in [
        &["open"][..],
        &["keygen"],
        &["completions"],
        &["man"],
        &["ping"],
    ] {
        let mut args = cmd.to_vec();
        args.push("--help");
        let r = support::pocdir(&args);
        assert!(r.stdout.contains("Exit codes"), "{cmd:?}: {}", r.stdout);
    }
    // Every flag has a help line: clap prints a flag with no help as the
    // flag alone at the end of its line.
    for cmd in [&["check"][..], &["mail"], &["open"], &["ping", "start"]] {
        let mut args = cmd.to_vec();
        args.push("--help");
        let r = support::pocdir(&args);
        for line in r
            .stdout
            .lines()
            .filter(|l| l.trim_start().starts_with("--"))
        {
            let words = line.split_whitespace().count();
            assert!(words > 2, "{cmd:?}: a flag without help: {line:?}");
        }
    }
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["keygen"][..],
        &["keygen", "signing"],
        &["nonsense"],
        &["check", "--format", "yaml"],
        &["mail"],
        &["remind"],
        &["ping", "start"],
        &["completions", "tcsh"],
    ] {
        let r = support::pocdir(args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
    }
    // An invalid value is quoted back without its control or bidi
    // characters (no escape sequence reaches the terminal).
    for evil in ["x\u{1b}[2J\u{1b}]0;owned\u{7}", "\u{202E}txt.exe", "a\rb"] {
        let r = support::pocdir(["check", "--format", evil]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("--format"), "{}", r.stderr);
        assert!(
            !r.stderr
                .chars()
                .any(|c| (c.is_control() && c != '\n') || pocdir::util::text::is_bidi_control(c)),
            "{:?}",
            r.stderr
        );
    }
    let r = support::pocdir(["check", "--format", "\u{202E}txt.exe"]);
    assert!(r.stderr.contains("'\u{FFFD}txt.exe'"), "{:?}", r.stderr);
    // Help still goes to stdout and exits 0.
    let r = support::pocdir(["check", "--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("--format"), "{}", r.stdout);
    // `human` is still understood for `text`.
    let r = support::pocdir(["check", "--format", "human", "--as-of", support::AS_OF]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let r = support::pocdir(["--version"]);
    assert_eq!(r.code, 0);
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(support::repo_root())
        .output()
        .expect("git");
    let head = String::from_utf8_lossy(&head.stdout).trim().to_string();
    assert!(!head.is_empty());
    assert_eq!(
        r.stdout.trim(),
        format!("pocdir {} (commit {head})", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn completions_for_every_shell_name_every_command() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let r = support::pocdir(["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        for cmd in ["check", "build", "open", "keygen", "ping", "completions"] {
            assert!(r.stdout.contains(cmd), "{shell}: no {cmd}");
        }
        assert!(r.stdout.contains("as-of"), "{shell}");
    }
    // The bash script is valid bash, and completes subcommands.
    let tmp = tempfile::tempdir().unwrap();
    let script = tmp.path().join("pocdir.bash");
    fs::write(&script, support::pocdir(["completions", "bash"]).stdout).unwrap();
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {}; COMP_WORDS=(pocdir ke); COMP_CWORD=1; _pocdir pocdir ke pocdir; \
             printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display()
        ))
        .output()
        .expect("bash");
    let words = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(words.trim(), "keygen", "{words}");
}

#[test]
fn man_pages_for_every_command() {
    let top = support::pocdir(["man"]);
    assert_eq!(top.code, 0);
    assert!(
        top.stdout.starts_with(".ie") || top.stdout.contains(".TH pocdir 1"),
        "{}",
        top.stdout
    );
    assert!(top.stdout.contains(".TH pocdir 1"));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("man");
    let r = support::pocdir(["man".as_ref(), "--out".as_ref(), out.as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for page in [
        "pocdir.1",
        "pocdir-check.1",
        "pocdir-build.1",
        "pocdir-open.1",
        "pocdir-keygen-signing.1",
        "pocdir-ping-start.1",
        "pocdir-ping-report.1",
        "pocdir-completions.1",
    ] {
        let text = fs::read_to_string(out.join(page)).unwrap_or_else(|_| panic!("{page}"));
        let name = page.trim_end_matches(".1");
        assert!(text.contains(&format!(".TH {name} 1")), "{page}: {text}");
    }
    let check = fs::read_to_string(out.join("pocdir-check.1")).unwrap();
    assert!(check.contains("deny\\-warnings"), "{check}");
}
