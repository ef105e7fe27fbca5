//! Reading a directory from disk: the assembly of [`Loaded`] from every
//! file of the root (content, keys, pages, theme overrides and UI strings).
//! This and the modules it calls are the only code that reads the
//! directory's files; everything after works on what [`load`] returns.
//!
//! Each job has its module: [`super::read`] (guarded reads: no symbolic
//! links, a size cap, valid UTF-8, no NUL, control or bidi characters),
//! [`super::yaml`] (YAML under a tight budget, every problem of a file at
//! once), [`super::secrets`] (the secret-key scan). A file that fails a
//! guard becomes a diagnostic naming the file and line; it never panics
//! and never stops the run.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::directory::diagnostic::{Code, Diagnostic};
use crate::directory::read::{no_symlink_on_path, read_text, says_demo, walk_entries};
use crate::directory::schema::{DirectoryFile, FrontMatter, KeysFile, StateFile};
use crate::directory::span::Pos;
use crate::directory::theme::Theme;
use crate::directory::yaml;

pub use crate::directory::read::{MAX_FILE_BYTES, MAX_LOG_BYTES, MAX_PING_FILE_BYTES, walk_files};
pub use crate::directory::secrets::{MAX_SCAN_BYTES, SecretHit, secret_in_line};
pub use crate::directory::yaml::MAX_YAML_DEPTH;

/// A Markdown page of `content/pages/`.
#[derive(Clone, Debug)]
pub struct PageSource {
    /// Path relative to the root, e.g. `content/pages/about.fr.md`.
    pub file: String,
    /// `about` for `about.fr.md`.
    pub name: String,
    /// `fr` for `about.fr.md`; `None` for the default-language `about.md`.
    pub lang: Option<String>,
    pub front: FrontMatter,
    /// The Markdown after the front matter.
    pub body: String,
    /// Line of the body's first line in the file.
    pub body_line: usize,
}

pub(crate) use private::Loaded;

/// `Loaded` is named `pub` (the model and validation take it) but lives in
/// a private module: nothing outside `directory` can reach it.
mod private {
    use super::*;

    /// Everything read from a directory root (private to `directory`: later
    /// stages get the checked model).
    #[derive(Debug, Default)]
    pub struct Loaded {
        pub root: PathBuf,
        /// Text of every file read, by relative path (for diagnostics snippets).
        pub sources: BTreeMap<String, String>,
        pub directory: Option<DirectoryFile>,
        /// `content/states/*.yaml`, by relative path.
        pub states: BTreeMap<String, StateFile>,
        /// `keys/states/*.yaml`, by relative path.
        pub keys: BTreeMap<String, KeysFile>,
        /// `content/pings/*.yaml` (communication checks), by relative path.
        pub campaigns: BTreeMap<String, crate::directory::schema::CampaignFile>,
        /// `content/nominations.yaml`, when present (issue 15).
        pub nominations: Option<crate::directory::schema::NominationsFile>,
        pub pages: Vec<PageSource>,
        /// (name, language) of every page file present, loaded or not.
        pub page_files: std::collections::BTreeSet<(String, Option<String>)>,
        /// Codes (file stems) of every `content/states/*.yaml`, loaded or not.
        pub state_files: std::collections::BTreeSet<String>,
        /// `keys/secretariat.pub`, as text.
        pub secretariat_pub: Option<String>,
        /// `keys/anchor.pub`, as text.
        pub anchor_pub: Option<String>,
        /// Files under `keys/demo/`, relative paths, and whether each says DEMO.
        pub demo_files: Vec<(String, bool)>,
        pub secret_hits: Vec<SecretHit>,
        /// The effective theme (built-in default plus the directory's overrides).
        pub theme: Theme,
        /// UI strings by language, from the theme's `i18n/<lang>.yaml`.
        pub i18n: BTreeMap<String, I18nFile>,
        /// Each language's glossary, from the theme's
        /// `i18n/<lang>.glossary.yaml` (issue 17).
        pub glossaries: BTreeMap<String, GlossaryFile>,
        /// `log/versions.jsonl` and its signature, when present.
        pub version_log: Option<String>,
        /// `log/versions.jsonl.minisig`, then `.minisig.2` ... while they
        /// exist (k of n, issue #18).
        pub version_log_sigs: Vec<String>,
        /// Key rotation statements, `keys/rotations/*` (file name, bytes).
        pub rotations: Vec<(String, Vec<u8>)>,
        /// Reviewer public keys, `keys/reviewers/<login>.pub` (relative
        /// path, text).
        pub reviewers: Vec<(String, String)>,
        /// `content/states/<ISO3>.yaml.minisig` files (paths), and their text.
        pub signature_files: Vec<String>,
        pub state_signatures: BTreeMap<String, String>,
        pub diagnostics: Vec<Diagnostic>,
    }
}

/// One language's UI strings and the file they came from.
#[derive(Clone, Debug, Default)]
pub struct I18nFile {
    pub file: String,
    pub strings: BTreeMap<String, String>,
}
/// A language's glossary: the term to use for each concept, and the
/// variants `check` warns about in that language's UI strings and pages.
#[derive(Clone, Debug, Default)]
pub struct GlossaryFile {
    pub file: String,
    pub terms: Vec<crate::directory::schema::GlossaryTerm>,
}

pub const THEMES_DIR: &str = "themes";
/// Largest theme file (templates, styles, scripts, images).
pub const MAX_THEME_FILE_BYTES: u64 = 1024 * 1024;

pub const DIRECTORY_FILE: &str = "content/directory.yaml";
pub const STATES_DIR: &str = "content/states";
pub const PAGES_DIR: &str = "content/pages";
pub const KEYS_STATES_DIR: &str = "keys/states";
pub const SECRETARIAT_PUB: &str = "keys/secretariat.pub";
/// The key the directory was created with: where the secretariat key's
/// history starts (issue 18).
pub const ANCHOR_PUB: &str = "keys/anchor.pub";
/// Key rotation statements, their signatures and the keys they retire.
pub const ROTATIONS_DIR: &str = "keys/rotations";
/// Reviewers' public keys (`<login>.pub`): who may acknowledge a block
/// signal of `pocdir review`.
pub const REVIEWERS_DIR: &str = "keys/reviewers";
pub const DEMO_DIR: &str = "keys/demo";
pub const PINGS_DIR: &str = "content/pings";
pub const NOMINATIONS_FILE: &str = "content/nominations.yaml";
/// The signed, hash-chained version log (`build` appends to it).
pub const LOG_FILE: &str = "log/versions.jsonl";
pub const LOG_SIG: &str = "log/versions.jsonl.minisig";

/// Read a whole directory root. Never fails: problems are diagnostics.
pub(crate) fn load(root: &Path) -> Loaded {
    let mut l = Loaded {
        root: root.to_path_buf(),
        ..Loaded::default()
    };
    if !root.is_dir() {
        l.diagnostics.push(
            Diagnostic::error(
                Code::NoDirectory,
                root.display().to_string(),
                Pos::UNKNOWN,
                "not a directory",
            )
            .hint("pass the directory's root with --root DIR"),
        );
        return l;
    }
    if root.join(DIRECTORY_FILE).exists() || root.join(DIRECTORY_FILE).is_symlink() {
        l.directory = l.yaml(DIRECTORY_FILE);
    } else {
        l.diagnostics.push(
            Diagnostic::error(
                Code::MissingFile,
                DIRECTORY_FILE,
                Pos::UNKNOWN,
                "the directory settings file is missing",
            )
            .hint("every directory has content/directory.yaml; see the example directory"),
        );
    }
    let state_rels = l.list(STATES_DIR, "yaml");
    for rel in &state_rels {
        let stem = rel
            .rsplit('/')
            .next()
            .and_then(|n| n.strip_suffix(".yaml"))
            .unwrap_or("");
        l.state_files.insert(stem.to_string());
    }
    let key_rels = l.list(KEYS_STATES_DIR, "yaml");
    // Parsing dominates: State and key files are parsed on every core.
    #[allow(clippy::large_enum_variant)] // short-lived, one per file
    enum Parsed {
        State(FileLoad<StateFile>),
        Keys(FileLoad<KeysFile>),
    }
    let jobs: Vec<(bool, String)> = state_rels
        .into_iter()
        .map(|r| (true, r))
        .chain(key_rels.into_iter().map(|r| (false, r)))
        .collect();
    let parsed = crate::util::parallel::map(&jobs, |(is_state, rel)| {
        if *is_state {
            Parsed::State(load_yaml::<StateFile>(root, rel))
        } else {
            Parsed::Keys(load_yaml::<KeysFile>(root, rel))
        }
    });
    for ((_, rel), p) in jobs.iter().zip(parsed) {
        match p {
            Parsed::State(f) => {
                if let Some(s) = l.absorb(rel, f) {
                    l.states.insert(rel.clone(), s);
                }
            }
            Parsed::Keys(f) => {
                if let Some(k) = l.absorb(rel, f) {
                    l.keys.insert(rel.clone(), k);
                }
            }
        }
    }
    for rel in l.list(PINGS_DIR, "yaml") {
        if let Some(c) = l.yaml::<crate::directory::schema::CampaignFile>(&rel) {
            l.campaigns.insert(rel, c);
        }
    }
    if root.join(NOMINATIONS_FILE).exists() || root.join(NOMINATIONS_FILE).is_symlink() {
        l.nominations = l.yaml(NOMINATIONS_FILE);
    }
    for rel in l.list(PAGES_DIR, "md") {
        if let Some(p) = l.page(&rel) {
            l.pages.push(p);
        }
    }
    if root.join(SECRETARIAT_PUB).exists() {
        l.secretariat_pub = l.text(SECRETARIAT_PUB);
    } else {
        l.diagnostics.push(
            Diagnostic::error(
                Code::MissingFile,
                SECRETARIAT_PUB,
                Pos::UNKNOWN,
                "the secretariat's public signing key is missing",
            )
            .hint("create it with `pocdir keygen signing --secret-key ../secretariat.key --public-key keys/secretariat.pub` (the secret key outside the repository)"),
        );
    }
    l.demo_files = walk_files(&root.join(DEMO_DIR))
        .into_iter()
        .map(|p| {
            let rel = format!("{DEMO_DIR}/{p}");
            let labelled = says_demo(&root.join(&rel));
            (rel, labelled)
        })
        .collect();
    for rel in std::mem::take(&mut l.signature_files) {
        if let Some(t) = l.text(&rel) {
            let code = rel
                .rsplit('/')
                .next()
                .and_then(|n| n.strip_suffix(".yaml.minisig"))
                .unwrap_or("")
                .to_string();
            l.state_signatures.insert(code, t);
        }
        l.signature_files.push(rel);
    }
    l.load_theme();
    if root.join(LOG_FILE).exists() {
        l.version_log = l.text(LOG_FILE);
    }
    for n in 1..=crate::sign::threshold::MAX_SIGNATURES {
        let rel = crate::sign::threshold::signature_name(LOG_FILE, n);
        if !root.join(&rel).exists() {
            break;
        }
        if let Some(t) = l.text(&rel) {
            l.version_log_sigs.push(t);
        }
    }
    if root.join(ANCHOR_PUB).exists() {
        l.anchor_pub = l.text(ANCHOR_PUB);
    }
    for rel in l.list(ROTATIONS_DIR, "") {
        if let Some(t) = l.text(&rel) {
            let name = rel.rsplit('/').next().unwrap_or("").to_string();
            l.rotations.push((name, t.into_bytes()));
        }
    }
    for rel in l.list(REVIEWERS_DIR, "pub") {
        if let Some(t) = l.text(&rel) {
            l.reviewers.push((rel, t));
        }
    }
    let (hits, problems) = crate::directory::secrets::scan(&l.root, &l.sources);
    l.secret_hits = hits;
    l.diagnostics.extend(problems);
    l
}

/// The version log's versions and its own checks (issue #18), as `check`
/// reports them: it parses (each line chained to the one before, sequence
/// numbers in order; each line parsed and hashed once), and no version is
/// issued in the future. The future begins at this computer's clock, or,
/// when the day judged on is a later one (`--as-of` simulating it), at the
/// end of that day; `build` judges to the second, and verifies the
/// signature.
pub(crate) fn version_log(
    text: Option<&str>,
    today: jiff::civil::Date,
) -> (Vec<crate::bundle::log::Entry>, Vec<Diagnostic>) {
    let Some(text) = text else {
        return (Vec::new(), Vec::new());
    };
    let entries = match crate::bundle::log::parse_lines(text) {
        Ok(e) => e,
        Err((line, why)) => {
            let d = Diagnostic::error(
                Code::VersionLog,
                LOG_FILE,
                Pos::new(line, 1),
                format!("the version log is malformed: {why}"),
            )
            .hint("only `pocdir build` writes the version log: restore it from the repository's history (git log -p log/versions.jsonl)");
            return (Vec::new(), vec![d]);
        }
    };
    let now = jiff::Timestamp::now();
    let utc = jiff::tz::TimeZone::UTC;
    let end_of_day = today
        .tomorrow()
        .ok()
        .and_then(|d| d.to_zoned(utc.clone()).ok())
        .map(|z| z.timestamp());
    let (clock, clock_says) = match end_of_day {
        Some(end) if today > now.to_zoned(utc).date() => {
            (end, format!("the day checked is {today} (--as-of)"))
        }
        _ => (
            now,
            format!(
                "this computer's clock says {}",
                crate::util::time::fmt_ts(now)
            ),
        ),
    };
    let Some(future) = crate::bundle::log::issued_in_future(&entries, clock) else {
        return (entries, Vec::new());
    };
    // The line of that version (blank lines are skipped when parsing).
    let line = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .nth((future.seq - 1) as usize)
        .map_or(0, |(i, _)| i + 1);
    let d = Diagnostic::error(
        Code::FutureVersion,
        LOG_FILE,
        Pos::new(line, 1),
        future.message(&clock_says),
    )
    .hint(crate::bundle::log::Future::HINT);
    (entries, vec![d])
}

impl Loaded {
    /// The theme: `themes/default/` then `themes/<theme>/` over the
    /// built-in default; then the UI strings it holds.
    fn load_theme(&mut self) {
        let mut layers = Vec::new();
        let mut names = vec!["default".to_string()];
        if let Some(t) = self.directory.as_ref().and_then(|d| d.theme.as_ref())
            && t.value != "default"
            && !t.value.is_empty()
            && !t.value.contains(['/', '\\', '.'])
        {
            names.push(t.value.clone());
        }
        for name in names {
            let dir = format!("{THEMES_DIR}/{name}");
            if let Err(d) = no_symlink_on_path(&self.root, &dir) {
                self.diagnostics.push(d);
                continue;
            }
            let base = self.root.join(&dir);
            if !base.is_dir() {
                if name != "default" {
                    self.diagnostics.push(
                        Diagnostic::error(
                            Code::MissingTheme,
                            dir.clone(),
                            Pos::UNKNOWN,
                            format!("theme {name} has no folder {dir}/"),
                        )
                        .hint("create the folder or remove `theme:` from content/directory.yaml"),
                    );
                }
                continue;
            }
            let mut layer = BTreeMap::new();
            for rel in walk_entries(&base, &mut self.diagnostics, &dir) {
                let full = base.join(&rel);
                match fs::metadata(&full) {
                    Ok(m) if m.len() > MAX_THEME_FILE_BYTES => {
                        self.diagnostics.push(Diagnostic::error(
                            Code::FileTooLarge,
                            format!("{dir}/{rel}"),
                            Pos::UNKNOWN,
                            format!("theme file is over {MAX_THEME_FILE_BYTES} bytes"),
                        ))
                    }
                    Ok(_) => {
                        if let Ok(bytes) = fs::read(&full) {
                            layer.insert(rel, bytes);
                        }
                    }
                    Err(_) => {}
                }
            }
            layers.push((dir, layer));
        }
        self.theme = Theme::merge(&layers);
        let files: Vec<(String, String, Vec<u8>)> = self
            .theme
            .under("i18n")
            .filter(|(r, _, _)| r.ends_with(".yaml"))
            .map(|(r, o, b)| (r.to_string(), o.to_string(), b.to_vec()))
            .collect();
        for (rel, origin, bytes) in files {
            let stem = rel.trim_end_matches(".yaml");
            let glossary = stem.strip_suffix(".glossary");
            let lang = glossary.unwrap_or(stem).to_string();
            if lang.contains(['.', '/']) {
                continue;
            }
            let text = match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(_) => {
                    self.diagnostics.push(Diagnostic::error(
                        Code::InvalidUtf8,
                        origin,
                        Pos::UNKNOWN,
                        "file is not valid UTF-8",
                    ));
                    continue;
                }
            };
            if glossary.is_some() {
                match yaml::parse::<crate::directory::schema::GlossaryDoc>(&text, 0) {
                    Ok(doc) => {
                        self.glossaries.insert(
                            lang,
                            GlossaryFile {
                                file: origin.clone(),
                                terms: doc.terms,
                            },
                        );
                    }
                    Err(errors) => self.diagnostics.extend(
                        errors
                            .into_iter()
                            .map(|e| e.into_diagnostic(origin.clone())),
                    ),
                }
                self.sources.insert(origin, text);
                continue;
            }
            match yaml::parse::<BTreeMap<String, String>>(&text, 0) {
                Ok(strings) => {
                    self.sources.insert(origin.clone(), text);
                    self.i18n.insert(
                        lang,
                        I18nFile {
                            file: origin,
                            strings,
                        },
                    );
                }
                Err(errors) => {
                    self.diagnostics.extend(
                        errors
                            .into_iter()
                            .map(|e| e.into_diagnostic(origin.clone())),
                    );
                    self.sources.insert(origin, text);
                }
            }
        }
    }

    /// The files of `dir` ending in `.ext`, sorted; anything else in the
    /// folder (sub-folders, other names) is reported.
    fn list(&mut self, dir: &str, ext: &str) -> Vec<String> {
        if let Err(d) = no_symlink_on_path(&self.root, dir) {
            self.diagnostics.push(d);
            return Vec::new();
        }
        let path = self.root.join(dir);
        let Ok(rd) = fs::read_dir(&path) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for entry in rd.flatten() {
            let name = entry.file_name();
            let rel_name = name.to_string_lossy().into_owned();
            let rel = format!("{dir}/{rel_name}");
            let Some(name) = name.to_str() else {
                self.diagnostics.push(Diagnostic::error(
                    Code::BadFileName,
                    rel,
                    Pos::UNKNOWN,
                    "file name is not valid UTF-8",
                ));
                continue;
            };
            if name.starts_with('.') {
                continue;
            }
            // A State may sign its own file: `<ISO3>.yaml.minisig` beside it.
            if dir == STATES_DIR && name.ends_with(".yaml.minisig") {
                self.signature_files.push(rel);
                continue;
            }
            if !ext.is_empty() && !name.ends_with(&format!(".{ext}")) {
                self.diagnostics.push(
                    Diagnostic::warning(
                        Code::StrayFile,
                        rel,
                        Pos::UNKNOWN,
                        format!("ignored: not a .{ext} file"),
                    )
                    .hint(format!("only *.{ext} files are read in {dir}/")),
                );
                continue;
            }
            out.push(rel);
        }
        out.sort();
        out
    }

    /// Keep what reading one file produced: its text, its diagnostics.
    fn absorb<T>(&mut self, rel: &str, f: FileLoad<T>) -> Option<T> {
        if let Some(text) = f.text {
            self.sources.insert(rel.to_string(), text);
        }
        self.diagnostics.extend(f.diagnostics);
        f.value
    }

    /// Read a file as guarded text; a diagnostic and `None` when it fails.
    fn text(&mut self, rel: &str) -> Option<String> {
        let f = load_text(&self.root, rel);
        let value = f.value.clone();
        self.absorb(rel, f);
        value
    }

    fn yaml<T: DeserializeOwned + 'static>(&mut self, rel: &str) -> Option<T> {
        let f = load_yaml::<T>(&self.root, rel);
        self.absorb(rel, f)
    }

    fn page(&mut self, rel: &str) -> Option<PageSource> {
        let file_name = rel.rsplit('/').next().unwrap_or(rel);
        let stem = file_name.strip_suffix(".md").unwrap_or(file_name);
        let (name, lang) = match stem.split_once('.') {
            Some((n, l)) => (n.to_string(), Some(l.to_string())),
            None => (stem.to_string(), None),
        };
        self.page_files.insert((name.clone(), lang.clone()));
        let text = self.text(rel)?;
        if !is_slug(&name) || lang.as_deref().is_some_and(|l| !is_lang_tag(l)) {
            self.diagnostics.push(
                Diagnostic::error(Code::BadFileName, rel, Pos::UNKNOWN, "page file name must be NAME.md or NAME.LANG.md")
                    .hint("NAME is lowercase letters, digits and '-'; LANG is a two-letter code such as fr"),
            );
            return None;
        }
        let Some((front, body, body_line)) = split_front_matter(&text) else {
            self.diagnostics.push(
                Diagnostic::error(Code::FrontMatter, rel, Pos::new(1, 1), "page has no front matter")
                    .hint("start the page with a YAML block between two `---` lines, holding at least `title:`"),
            );
            return None;
        };
        match yaml::parse::<FrontMatter>(front, 1) {
            Ok(front) => Some(PageSource {
                file: rel.to_string(),
                name,
                lang,
                front,
                body: body.to_string(),
                body_line,
            }),
            Err(errors) => {
                for mut e in errors {
                    if e.code != Code::YamlSyntax {
                        e.code = Code::FrontMatter;
                    }
                    e.message = format!("front matter: {}", e.message);
                    self.diagnostics.push(e.into_diagnostic(rel));
                }
                None
            }
        }
    }
}

/// What reading one file gave: its text (for snippets), the value, and
/// the problems found.
struct FileLoad<T> {
    text: Option<String>,
    value: Option<T>,
    diagnostics: Vec<Diagnostic>,
}

/// Guarded text of a file (see [`read_text`]); `value` is `None` when the
/// file must not be used (unreadable, or holding NUL/control characters).
fn load_text(root: &Path, rel: &str) -> FileLoad<String> {
    match read_text(root, rel) {
        Ok((text, problems)) => {
            let fatal = problems
                .iter()
                .any(|d| d.is_error() && d.code != Code::BidiControl);
            FileLoad {
                value: (!fatal).then(|| text.clone()),
                text: Some(text),
                diagnostics: problems,
            }
        }
        Err(d) => FileLoad {
            text: None,
            value: None,
            diagnostics: vec![d],
        },
    }
}

/// Read and parse one YAML file.
fn load_yaml<T: DeserializeOwned + 'static>(root: &Path, rel: &str) -> FileLoad<T> {
    let FileLoad {
        text,
        value,
        mut diagnostics,
    } = load_text(root, rel);
    let Some(body) = value else {
        return FileLoad {
            text,
            value: None,
            diagnostics,
        };
    };
    let value = if body
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        diagnostics.push(
            Diagnostic::error(Code::EmptyFile, rel, Pos::UNKNOWN, "file is empty")
                .hint("fill it in (see the example directory) or delete it"),
        );
        None
    } else {
        match yaml::parse::<T>(&body, 0) {
            Ok(v) => Some(v),
            Err(errors) => {
                diagnostics.extend(errors.into_iter().map(|e| e.into_diagnostic(rel)));
                None
            }
        }
    };
    FileLoad {
        text,
        value,
        diagnostics,
    }
}

/// Split `---\nYAML\n---\nbody` into (yaml, body, body's first line).
pub fn split_front_matter(text: &str) -> Option<(&str, &str, usize)> {
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))?;
    let mut offset = 0;
    for (i, line) in rest.split_inclusive('\n').enumerate() {
        if line.trim_end() == "---" {
            let yaml = &rest[..offset];
            let body = &rest[offset + line.len()..];
            return Some((yaml, body, i + 3));
        }
        offset += line.len();
    }
    None
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
}

fn is_lang_tag(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_split() {
        let (y, b, l) = split_front_matter("---\ntitle: x\n---\nhello\n").unwrap();
        assert_eq!(y, "title: x\n");
        assert_eq!(b, "hello\n");
        assert_eq!(l, 4);
    }

    #[test]
    fn secret_patterns() {
        let age = format!("AGE-SECRET-KEY-1{}", "Q".repeat(58));
        assert!(secret_in_line(&age, "").is_some());
        assert!(secret_in_line("const P: &str = \"AGE-SECRET-KEY-1\";", "").is_none());
        let pem = "-----BEGIN OPENSSH PRIVATE KEY-----";
        assert!(secret_in_line(pem, "").is_none());
        assert!(
            secret_in_line(pem, &"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ".repeat(2)).is_some()
        );
    }
}
