//! Every path that differs between two trees, each with its class: what
//! the file is for, and so how hard a reviewer must look at it. Nothing is
//! left out: a path pocdir does not know is `Other`, at least a warning.

use serde::Serialize;

use crate::review::tree::{Entry, Mode, Tree};

/// What a file of a directory repository is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// `content/states/<ISO3>.yaml` and the State's own signature.
    StateData,
    /// `keys/states/*`: verified accounts and their age recipients, a
    /// State's update-signing key.
    StateKeys,
    /// `keys/secretariat.pub`, `keys/rotations/*`.
    SecretariatKey,
    /// `keys/reviewers/*`: who may acknowledge a block.
    ReviewerKeys,
    /// `keys/demo/*`: the example's published demo secrets.
    DemoKeys,
    /// `log/versions.jsonl` and its signature.
    VersionLog,
    /// `log/mail.jsonl`: what the mail servers accepted.
    MailJournal,
    /// `log/receipts.jsonl`: which State confirmed which version.
    ReceiptRecords,
    /// `content/nominations.yaml`: nominations in progress.
    Nominations,
    /// `content/directory.yaml`.
    Settings,
    /// `content/pages/*`.
    Pages,
    /// `themes/**`: templates, translations, styles, scripts.
    Theme,
    /// The reference data compiled into pocdir (`src/directory/refdata/`).
    ReferenceData,
    /// `content/pings/*`: communication checks.
    PingCampaigns,
    /// `reviews/*`: reviewers' acknowledgements.
    Acknowledgements,
    /// CI configuration: the gate itself.
    Ci,
    /// `.gitattributes`, `.gitignore`, `.gitmodules`, `.mailmap`.
    GitConfig,
    /// The tool's own source, when the repository holds it.
    Tool,
    /// Documentation at the top (`README.md`, `*.md`, `LICENSE`).
    Documentation,
    /// Anything else: pocdir does not know what it is for.
    Other,
}

impl Class {
    /// How the class is named in a review.
    pub fn name(self) -> &'static str {
        match self {
            Class::StateData => "State data",
            Class::StateKeys => "State keys",
            Class::SecretariatKey => "secretariat key",
            Class::ReviewerKeys => "reviewer keys",
            Class::DemoKeys => "demo keys",
            Class::VersionLog => "version log",
            Class::MailJournal => "mail journal",
            Class::ReceiptRecords => "receipt records",
            Class::Nominations => "nominations",
            Class::Settings => "settings",
            Class::Pages => "pages",
            Class::Theme => "theme",
            Class::ReferenceData => "reference data",
            Class::PingCampaigns => "ping campaigns",
            Class::Acknowledgements => "acknowledgements",
            Class::Ci => "CI configuration",
            Class::GitConfig => "git configuration",
            Class::Tool => "tool source",
            Class::Documentation => "documentation",
            Class::Other => "unclassified",
        }
    }

    /// Whether a change to a file of this class is shown as a diff.
    pub fn shows_diff(self) -> bool {
        matches!(
            self,
            Class::Pages
                | Class::Nominations
                | Class::Theme
                | Class::ReferenceData
                | Class::Ci
                | Class::GitConfig
                | Class::Other
        )
    }
}

/// The class of a path (relative to the repository's top, `/`-separated).
pub fn classify(path: &str) -> Class {
    let top = path.split('/').next().unwrap_or("");
    let name = path.rsplit('/').next().unwrap_or("");
    let in_dir = |d: &str| path.starts_with(d) && path.as_bytes().get(d.len()) == Some(&b'/');
    // Directly in `d`, named `*.ext`, not hidden.
    let file_in = |d: &str, ext: &str| {
        in_dir(d)
            && !path[d.len() + 1..].contains('/')
            && !name.starts_with('.')
            && name.ends_with(ext)
    };
    if matches!(
        top,
        ".github" | ".gitlab" | ".ci" | ".circleci" | ".forgejo" | ".gitea" | ".woodpecker"
    ) || matches!(
        path,
        ".gitlab-ci.yml" | ".woodpecker.yml" | "Jenkinsfile" | ".travis.yml"
    ) || in_dir("ci-examples")
    {
        Class::Ci
    } else if matches!(
        name,
        ".gitattributes" | ".gitignore" | ".gitmodules" | ".mailmap"
    ) {
        Class::GitConfig
    } else if name.starts_with('.') {
        Class::Other
    } else if file_in("content/states", ".yaml") || file_in("content/states", ".yaml.minisig") {
        Class::StateData
    } else if path == "content/directory.yaml" {
        Class::Settings
    } else if file_in("content/pages", ".md") {
        Class::Pages
    } else if file_in("content/pings", ".yaml") {
        Class::PingCampaigns
    } else if file_in("keys/states", ".yaml") {
        Class::StateKeys
    } else if path == "keys/secretariat.pub"
        || path == "keys/anchor.pub"
        || file_in("keys/rotations", "")
    {
        Class::SecretariatKey
    } else if file_in("keys/reviewers", ".pub") {
        Class::ReviewerKeys
    } else if in_dir("keys/demo") {
        Class::DemoKeys
    } else if path == "log/versions.jsonl"
        || path == "log/versions.jsonl.minisig"
        || path
            .strip_prefix("log/versions.jsonl.minisig.")
            .and_then(|n| n.parse::<usize>().ok())
            .is_some_and(|n| (2..=crate::sign::threshold::MAX_SIGNATURES).contains(&n))
    {
        Class::VersionLog
    } else if path == "log/mail.jsonl" {
        Class::MailJournal
    } else if path == "log/receipts.jsonl" {
        Class::ReceiptRecords
    } else if path == "content/nominations.yaml" {
        Class::Nominations
    } else if in_dir("themes") {
        Class::Theme
    } else if in_dir("src/directory/refdata") {
        Class::ReferenceData
    } else if file_in("reviews", ".minisig") {
        Class::Acknowledgements
    } else if matches!(
        top,
        "src" | "tests" | "benches" | "examples" | "hosting" | ".cargo"
    ) || matches!(
        path,
        "Cargo.toml" | "Cargo.lock" | "build.rs" | "rust-toolchain.toml" | "rustfmt.toml"
    ) {
        Class::Tool
    } else if !path.contains('/')
        && (path.ends_with(".md") || path.starts_with("LICENSE") || path.starts_with("COPYING"))
    {
        Class::Documentation
    } else {
        Class::Other
    }
}

/// How a path changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Added,
    Removed,
    Modified,
    /// Same content, another mode (made executable, a link).
    Mode,
}

/// One changed path.
#[derive(Clone, Debug, Serialize)]
pub struct FileChange {
    pub path: String,
    pub class: Class,
    pub change: Change,
    /// A submodule, a symbolic link or an executable on either side.
    pub special: Option<Mode>,
}

/// Every path that differs between `base` and `head`, sorted.
pub fn changes(base: &Tree, head: &Tree) -> Vec<FileChange> {
    let mut out = Vec::new();
    let special = |e: &Entry| (e.mode != Mode::File).then_some(e.mode);
    for (path, b) in &base.entries {
        match head.entries.get(path) {
            None => out.push(FileChange {
                path: path.clone(),
                class: classify(path),
                change: Change::Removed,
                special: special(b),
            }),
            Some(h)
                if h.oid != b.oid || (h.mode == Mode::Submodule) != (b.mode == Mode::Submodule) =>
            {
                out.push(FileChange {
                    path: path.clone(),
                    class: classify(path),
                    change: Change::Modified,
                    special: special(h).or(special(b)),
                })
            }
            Some(h) if h.mode != b.mode => out.push(FileChange {
                path: path.clone(),
                class: classify(path),
                change: Change::Mode,
                special: special(h).or(special(b)),
            }),
            Some(_) => {}
        }
    }
    for (path, h) in &head.entries {
        if !base.entries.contains_key(path) {
            out.push(FileChange {
                path: path.clone(),
                class: classify(path),
                change: Change::Added,
                special: special(h),
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Most lines of one file's diff shown in a review.
pub const MAX_DIFF_LINES: usize = 60;

/// A short unified diff of two versions of a text file (3 lines of
/// context, at most [`MAX_DIFF_LINES`] lines, a note when cut). `None`
/// when either side is not UTF-8 text (binary files are listed, not
/// shown).
pub fn unified_diff(path: &str, before: Option<&[u8]>, after: Option<&[u8]>) -> Option<String> {
    fn text(b: Option<&[u8]>) -> Option<&str> {
        match b {
            None => Some(""),
            Some(b) if b.contains(&0) => None,
            Some(b) => std::str::from_utf8(b).ok(),
        }
    }
    let (a, b) = (text(before)?, text(after)?);
    let diff = similar::TextDiff::from_lines(a, b);
    let full = diff
        .unified_diff()
        .context_radius(3)
        .header(
            &if before.is_some() {
                format!("a/{path}")
            } else {
                "/dev/null".into()
            },
            &if after.is_some() {
                format!("b/{path}")
            } else {
                "/dev/null".into()
            },
        )
        .to_string();
    let lines: Vec<&str> = full.lines().collect();
    let mut out: String = lines
        .iter()
        .take(MAX_DIFF_LINES)
        .map(|l| format!("{l}\n"))
        .collect();
    if lines.len() > MAX_DIFF_LINES {
        out.push_str(&format!(
            "… {} more lines (see the pull request's own diff)\n",
            lines.len() - MAX_DIFF_LINES
        ));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_has_a_class() {
        for (path, class) in [
            ("content/states/FRA.yaml", Class::StateData),
            ("content/states/FRA.yaml.minisig", Class::StateData),
            ("content/directory.yaml", Class::Settings),
            ("content/pages/verify.fr.md", Class::Pages),
            ("content/pings/2026-11.yaml", Class::PingCampaigns),
            ("content/other.yaml", Class::Other),
            ("keys/states/FRA.yaml", Class::StateKeys),
            ("keys/secretariat.pub", Class::SecretariatKey),
            ("keys/rotations/ABCD.pub", Class::SecretariatKey),
            ("keys/reviewers/alice.pub", Class::ReviewerKeys),
            ("keys/demo/secretariat.key", Class::DemoKeys),
            ("keys/other.pub", Class::Other),
            ("log/versions.jsonl", Class::VersionLog),
            ("log/versions.jsonl.minisig", Class::VersionLog),
            ("log/versions.jsonl.minisig.2", Class::VersionLog),
            ("log/versions.jsonl.minisig.17", Class::Other),
            ("log/mail.jsonl", Class::MailJournal),
            ("log/receipts.jsonl", Class::ReceiptRecords),
            ("content/nominations.yaml", Class::Nominations),
            ("themes/default/templates/poc.html", Class::Theme),
            ("src/directory/refdata/states.tsv", Class::ReferenceData),
            ("src/main.rs", Class::Tool),
            (
                "reviews/0123456789abcdef.alice.minisig",
                Class::Acknowledgements,
            ),
            (".github/workflows/pocdir.yml", Class::Ci),
            (".gitlab-ci.yml", Class::Ci),
            (".gitattributes", Class::GitConfig),
            ("content/states/.gitattributes", Class::GitConfig),
            ("content/states/.FRA.yaml", Class::Other),
            ("content/states/FRA.yml", Class::Other),
            ("themes/default/.hidden", Class::Other),
            ("README.md", Class::Documentation),
            ("notes.txt", Class::Other),
            ("contentx/states/FRA.yaml", Class::Other),
            ("themesx", Class::Other),
        ] {
            assert_eq!(classify(path), class, "{path}");
        }
    }

    #[test]
    fn diffs_are_short_and_text_only() {
        let d = unified_diff("p.md", Some(b"a\nb\nc\n"), Some(b"a\nB\nc\n")).unwrap();
        assert!(d.contains("--- a/p.md") && d.contains("+++ b/p.md"), "{d}");
        assert!(d.contains("-b\n+B\n"), "{d}");
        let added = unified_diff("p.md", None, Some(b"x\n")).unwrap();
        assert!(
            added.contains("--- /dev/null") && added.contains("+x"),
            "{added}"
        );
        assert_eq!(unified_diff("p.png", Some(b"\x89PNG\0"), Some(b"x")), None);
        let long: String = (0..500).map(|i| format!("{i}\n")).collect();
        let d = unified_diff("p.md", None, Some(long.as_bytes())).unwrap();
        assert_eq!(d.lines().count(), MAX_DIFF_LINES + 1);
        assert!(
            d.ends_with("more lines (see the pull request's own diff)\n"),
            "{d}"
        );
    }
}
