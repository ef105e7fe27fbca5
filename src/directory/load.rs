//! Reading a directory from disk. This is the only module that reads the
//! directory's files (content, keys, pages); everything after it works on
//! what it returns.
//!
//! Every file is read with the same guards: no symbolic links, a size cap,
//! valid UTF-8, no NUL byte, no control or bidi characters, and YAML parsed
//! by serde-saphyr under a tight budget (no anchors or aliases at all, a
//! small nesting depth). A file that fails a guard becomes a diagnostic
//! naming the file and line; it never panics and never stops the run.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::directory::diagnostic::Diagnostic;
use crate::directory::schema::{DirectoryFile, FrontMatter, KeysFile, StateFile};
use crate::directory::span::Pos;
use crate::directory::theme::Theme;
use crate::util::text::is_bidi_control;

/// Largest file pocdir reads (a State file is a few kilobytes).
pub const MAX_FILE_BYTES: u64 = 256 * 1024;
/// Largest file the secret scan reads.
pub const MAX_SCAN_BYTES: u64 = 64 * 1024 * 1024;
/// Deepest YAML nesting accepted (the schema needs 5).
pub const MAX_YAML_DEPTH: usize = 16;

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

/// A file that looks like it holds secret key material.
#[derive(Clone, Debug)]
pub struct SecretHit {
    pub file: String,
    pub pos: Pos,
    pub what: &'static str,
}

/// Everything read from a directory root.
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
    pub pages: Vec<PageSource>,
    /// (name, language) of every page file present, loaded or not.
    pub page_files: std::collections::BTreeSet<(String, Option<String>)>,
    /// Codes (file stems) of every `content/states/*.yaml`, loaded or not.
    pub state_files: std::collections::BTreeSet<String>,
    /// `keys/secretariat.pub`, as text.
    pub secretariat_pub: Option<String>,
    /// Files under `keys/demo/`, relative paths, and whether each says DEMO.
    pub demo_files: Vec<(String, bool)>,
    pub secret_hits: Vec<SecretHit>,
    /// The effective theme (built-in default plus the directory's overrides).
    pub theme: Theme,
    /// UI strings by language, from the theme's `i18n/<lang>.yaml`.
    pub i18n: BTreeMap<String, I18nFile>,
    /// `log/versions.jsonl` and its signature, when present.
    pub version_log: Option<String>,
    pub version_log_sig: Option<String>,
    /// Key rotation statements, `keys/rotations/*` (file name, bytes).
    pub rotations: Vec<(String, Vec<u8>)>,
    /// `content/states/<ISO3>.yaml.minisig` files (paths), and their text.
    pub signature_files: Vec<String>,
    pub state_signatures: BTreeMap<String, String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// One language's UI strings and the file they came from.
#[derive(Clone, Debug, Default)]
pub struct I18nFile {
    pub file: String,
    pub strings: BTreeMap<String, String>,
}

pub const THEMES_DIR: &str = "themes";
/// Largest theme file (templates, styles, scripts, images).
pub const MAX_THEME_FILE_BYTES: u64 = 1024 * 1024;

pub const DIRECTORY_FILE: &str = "content/directory.yaml";
pub const STATES_DIR: &str = "content/states";
pub const PAGES_DIR: &str = "content/pages";
pub const KEYS_STATES_DIR: &str = "keys/states";
pub const SECRETARIAT_PUB: &str = "keys/secretariat.pub";
pub const DEMO_DIR: &str = "keys/demo";
pub const PINGS_DIR: &str = "content/pings";
/// Largest campaign file (a ping per PoC of 193 States, with answers).
pub const MAX_PING_FILE_BYTES: u64 = 1024 * 1024;

/// The size limit of a directory file.
fn size_cap(rel: &str) -> u64 {
    if rel.starts_with(PINGS_DIR) {
        MAX_PING_FILE_BYTES
    } else {
        MAX_FILE_BYTES
    }
}

/// Read a whole directory root. Never fails: problems are diagnostics.
pub fn load(root: &Path) -> Loaded {
    let mut l = Loaded {
        root: root.to_path_buf(),
        ..Loaded::default()
    };
    if !root.is_dir() {
        l.diagnostics.push(
            Diagnostic::error(
                "no-directory",
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
                "missing-file",
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
                "missing-file",
                SECRETARIAT_PUB,
                Pos::UNKNOWN,
                "the secretariat's public signing key is missing",
            )
            .hint("create it with `pocdir keygen --signing`"),
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
    for (rel, slot) in [
        (crate::bundle::log::LOG_FILE, 0),
        (crate::bundle::log::LOG_SIG, 1),
    ] {
        if root.join(rel).exists() {
            let t = l.text(rel);
            if slot == 0 {
                l.version_log = t;
            } else {
                l.version_log_sig = t;
            }
        }
    }
    for rel in l.list("keys/rotations", "") {
        if let Some(t) = l.text(&rel) {
            let name = rel.rsplit('/').next().unwrap_or("").to_string();
            l.rotations.push((name, t.into_bytes()));
        }
    }
    l.scan_secrets();
    l
}

/// Read a secret key file (outside or inside the directory) into a buffer
/// wiped on drop. Errors never quote the file's content.
pub fn read_secret(path: &Path) -> Result<zeroize::Zeroizing<String>, String> {
    let meta = fs::metadata(path)
        .map_err(|e| format!("cannot read {}: {}", path.display(), io_reason(&e)))?;
    if !meta.is_file() || meta.len() > 4096 {
        return Err(format!("{} is not a key file", path.display()));
    }
    let bytes = zeroize::Zeroizing::new(
        fs::read(path).map_err(|e| format!("cannot read {}: {}", path.display(), io_reason(&e)))?,
    );
    let text =
        std::str::from_utf8(&bytes).map_err(|_| format!("{} is not a key file", path.display()))?;
    Ok(zeroize::Zeroizing::new(text.to_string()))
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
                            "missing-theme",
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
                            "file-too-large",
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
            let lang = rel.trim_end_matches(".yaml").to_string();
            let text = match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(_) => {
                    self.diagnostics.push(Diagnostic::error(
                        "invalid-utf8",
                        origin,
                        Pos::UNKNOWN,
                        "file is not valid UTF-8",
                    ));
                    continue;
                }
            };
            match parse_yaml::<BTreeMap<String, String>>(&text, 0) {
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
                Err((pos, code, msg, hint)) => {
                    let mut d = Diagnostic::error(code, origin.clone(), pos, msg);
                    if let Some(h) = hint {
                        d = d.hint(h);
                    }
                    self.sources.insert(origin, text);
                    self.diagnostics.push(d);
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
                    "bad-file-name",
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
                        "stray-file",
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

    fn yaml<T: DeserializeOwned>(&mut self, rel: &str) -> Option<T> {
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
                Diagnostic::error("bad-file-name", rel, Pos::UNKNOWN, "page file name must be NAME.md or NAME.LANG.md")
                    .hint("NAME is lowercase letters, digits and '-'; LANG is a two-letter code such as fr"),
            );
            return None;
        }
        let Some((front, body, body_line)) = split_front_matter(&text) else {
            self.diagnostics.push(
                Diagnostic::error("front-matter", rel, Pos::new(1, 1), "page has no front matter")
                    .hint("start the page with a YAML block between two `---` lines, holding at least `title:`"),
            );
            return None;
        };
        match parse_yaml::<FrontMatter>(front, 1) {
            Ok(front) => Some(PageSource {
                file: rel.to_string(),
                name,
                lang,
                front,
                body: body.to_string(),
                body_line,
            }),
            Err((pos, code, msg, hint)) => {
                let code = if code == "yaml-syntax" {
                    code
                } else {
                    "front-matter"
                };
                let mut d = Diagnostic::error(code, rel, pos, format!("front matter: {msg}"));
                if let Some(h) = hint {
                    d = d.hint(h);
                }
                self.diagnostics.push(d);
                None
            }
        }
    }

    /// Look through every file of the root (but `keys/demo/`, build output
    /// and VCS folders) for secret key material.
    fn scan_secrets(&mut self) {
        for rel in walk_files(&self.root) {
            if rel.starts_with(&format!("{DEMO_DIR}/"))
                || SCAN_SKIP_DIRS.iter().any(|d| rel.starts_with(d))
            {
                continue;
            }
            let path = self.root.join(&rel);
            let Ok(meta) = fs::metadata(&path) else {
                continue;
            };
            if meta.len() > MAX_SCAN_BYTES {
                self.diagnostics.push(
                    Diagnostic::warning(
                        "not-scanned",
                        rel.clone(),
                        Pos::UNKNOWN,
                        "file too large to scan for secret keys",
                    )
                    .hint("a directory repository has no business holding files this large"),
                );
                continue;
            }
            let text = match self.sources.get(&rel) {
                Some(t) => std::borrow::Cow::Borrowed(t.as_str()),
                None => {
                    let Ok(bytes) = fs::read(&path) else { continue };
                    std::borrow::Cow::Owned(String::from_utf8_lossy(&bytes).into_owned())
                }
            };
            if !might_hold_secret(&text) {
                continue;
            }
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                let next = lines.get(i + 1).copied().unwrap_or("");
                if let Some((col, what)) = secret_in_line(line, next) {
                    self.secret_hits.push(SecretHit {
                        file: rel.clone(),
                        pos: Pos::new(i + 1, col),
                        what,
                    });
                    break;
                }
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
                .any(|d| d.is_error() && d.code != "bidi-control");
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
fn load_yaml<T: DeserializeOwned>(root: &Path, rel: &str) -> FileLoad<T> {
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
            Diagnostic::error("empty-file", rel, Pos::UNKNOWN, "file is empty")
                .hint("fill it in (see the example directory) or delete it"),
        );
        None
    } else {
        match parse_yaml::<T>(&body, 0) {
            Ok(v) => Some(v),
            Err((pos, code, msg, hint)) => {
                let mut d = Diagnostic::error(code, rel, pos, msg);
                if let Some(h) = hint {
                    d = d.hint(h);
                }
                diagnostics.push(d);
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

/// Whether the first 4 KiB of a file hold the word DEMO.
fn says_demo(path: &Path) -> bool {
    let mut buf = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(4096).read_to_end(&mut buf))
        .is_ok()
        && buf.windows(4).any(|w| w == b"DEMO")
}

/// Regular files below `base` (relative, sorted); a symbolic link is
/// reported (as `prefix/...`) and skipped.
fn walk_entries(base: &Path, diags: &mut Vec<Diagnostic>, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(base)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        let Ok(rel) = entry.path().strip_prefix(base) else {
            continue;
        };
        let rel: Vec<_> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let rel = rel.join("/");
        if entry.path_is_symlink() {
            diags.push(
                Diagnostic::error(
                    "symlink",
                    format!("{prefix}/{rel}"),
                    Pos::UNKNOWN,
                    "symbolic links are not allowed in a directory",
                )
                .hint("replace the link by the file itself"),
            );
        } else if entry.file_type().is_file() && !rel.split('/').any(|p| p.starts_with('.')) {
            out.push(rel);
        }
    }
    out
}

/// Folders never looked into: version control, build output, dependencies.
const SKIP_DIRS: &[&str] = &[".git", "target", "dist", "node_modules"];
/// Also skipped by the secret scan: the tool's own test fixtures, which hold
/// deliberately planted keys.
const SCAN_SKIP_DIRS: &[&str] = &["tests/"];

/// Every regular file below `dir`, relative, `/`-separated, sorted. Links
/// are not followed.
pub fn walk_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return out;
    }
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() != 1 || !SKIP_DIRS.iter().any(|s| e.file_name() == *s));
    for entry in walker.flatten() {
        if !entry.file_type().is_file() {
            continue;
        }
        if let Ok(rel) = entry.path().strip_prefix(dir) {
            let parts: Vec<_> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect();
            out.push(parts.join("/"));
        }
    }
    out
}

/// Cheap whole-text test before the line-by-line [`secret_in_line`].
fn might_hold_secret(text: &str) -> bool {
    [
        "AGE-SECRET-KEY-1",
        "RWRTY0Iy",
        "RWQAAEIy",
        "PRIVATE KEY-----",
    ]
    .iter()
    .any(|m| text.contains(m))
}

/// Secret-key signatures: (column, what) of the first one on `line`
/// (`next` is the line after it, for PEM blocks).
pub fn secret_in_line(line: &str, next: &str) -> Option<(usize, &'static str)> {
    const AGE: &str = "AGE-SECRET-KEY-1";
    if let Some(i) = line.find(AGE) {
        let rest = &line[i + AGE.len()..];
        let n = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        if n >= 50 {
            return Some((col_of(line, i), "an age secret key"));
        }
    }
    let t = line.trim_start();
    // minisign secret keys: base64 of "Ed" + KDF ("Sc" or none) + "B2".
    for prefix in ["RWRTY0Iy", "RWQAAEIy"] {
        if t.starts_with(prefix)
            && t.len() >= 150
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c))
        {
            return Some((col_of(line, line.len() - t.len()), "a minisign secret key"));
        }
    }
    if t.starts_with("-----BEGIN ") && t.trim_end().ends_with("PRIVATE KEY-----") {
        let body = next.trim();
        if body.len() >= 40
            && body
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c))
        {
            return Some((
                col_of(line, line.len() - t.len()),
                "a PEM/OpenSSH private key",
            ));
        }
    }
    None
}

fn col_of(line: &str, byte: usize) -> usize {
    line[..byte].chars().count() + 1
}

/// Read `rel` under `root` with every guard. On success, the text plus any
/// problems found in it (control or bidi characters); an `Err` when it
/// cannot be read as text at all.
pub fn read_text(root: &Path, rel: &str) -> Result<(String, Vec<Diagnostic>), Diagnostic> {
    if let Some((parent, _)) = rel.rsplit_once('/') {
        no_symlink_on_path(root, parent)?;
    }
    let path = root.join(rel);
    let meta = fs::symlink_metadata(&path).map_err(|e| {
        Diagnostic::error(
            "unreadable",
            rel,
            Pos::UNKNOWN,
            format!("cannot read: {}", io_reason(&e)),
        )
    })?;
    if meta.file_type().is_symlink() {
        return Err(Diagnostic::error(
            "symlink",
            rel,
            Pos::UNKNOWN,
            "symbolic links are not allowed in a directory",
        )
        .hint("replace the link by the file itself"));
    }
    if !meta.is_file() {
        return Err(Diagnostic::error(
            "unreadable",
            rel,
            Pos::UNKNOWN,
            "not a regular file",
        ));
    }
    let cap = size_cap(rel);
    if meta.len() > cap {
        return Err(Diagnostic::error(
            "file-too-large",
            rel,
            Pos::UNKNOWN,
            format!("file is {} bytes; the limit is {cap} bytes", meta.len()),
        )
        .hint("a State's entry is a few kilobytes; check that this is the right file"));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    fs::File::open(&path)
        .and_then(|f| f.take(cap + 1).read_to_end(&mut bytes))
        .map_err(|e| {
            Diagnostic::error(
                "unreadable",
                rel,
                Pos::UNKNOWN,
                format!("cannot read: {}", io_reason(&e)),
            )
        })?;
    if bytes.len() as u64 > cap {
        return Err(Diagnostic::error(
            "file-too-large",
            rel,
            Pos::UNKNOWN,
            format!("file is over {cap} bytes"),
        ));
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let good = std::str::from_utf8(good).unwrap_or("");
            return Err(Diagnostic::error(
                "invalid-utf8",
                rel,
                end_pos(good),
                "file is not valid UTF-8",
            )
            .hint("save the file as UTF-8"));
        }
    };
    let text = text
        .strip_prefix('\u{FEFF}')
        .map(str::to_string)
        .unwrap_or(text);
    let mut problems = Vec::new();
    // Fast path: no control byte and no byte that can start a bidi control
    // (U+061C starts with 0xD8, U+200E.. with 0xE2).
    let suspicious = text.bytes().any(|b| {
        (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t'))
            || b == 0x7f
            || b == 0xD8
            || b == 0xE2
            || b == 0xC2
    });
    if !suspicious {
        return Ok((text, problems));
    }
    let mut line = 1;
    let mut col = 1;
    for c in text.chars() {
        let pos = Pos::new(line, col);
        if c == '\0' {
            return Err(
                Diagnostic::error("nul-byte", rel, pos, "file contains a NUL byte").hint(
                    "a NUL byte has no place in a text file; the file may be binary or corrupted",
                ),
            );
        } else if is_bidi_control(c) {
            problems.push(
                Diagnostic::error(
                    "bidi-control",
                    rel,
                    pos,
                    format!("invisible bidirectional control character U+{:04X}", c as u32),
                )
                .hint("bidi controls can make text display differently from what it says; delete it (Arabic text needs none)"),
            );
        } else if c.is_control() && !matches!(c, '\n' | '\r' | '\t') {
            problems.push(
                Diagnostic::error(
                    "control-character",
                    rel,
                    pos,
                    format!("control character U+{:04X}", c as u32),
                )
                .hint("delete it"),
            );
        }
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
        if problems.len() >= 20 {
            break;
        }
    }
    Ok((text, problems))
}

/// Refuse a folder path under `root` any of whose parts is a symbolic link
/// (it could lead outside the directory).
fn no_symlink_on_path(root: &Path, rel_dir: &str) -> Result<(), Diagnostic> {
    let mut path = root.to_path_buf();
    let mut rel = String::new();
    for part in rel_dir.split('/') {
        path.push(part);
        if !rel.is_empty() {
            rel.push('/');
        }
        rel.push_str(part);
        if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(Diagnostic::error(
                "symlink",
                rel,
                Pos::UNKNOWN,
                "symbolic links are not allowed in a directory",
            )
            .hint("replace the link by the folder itself"));
        }
    }
    Ok(())
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Position just after `s`.
fn end_pos(s: &str) -> Pos {
    let line = s.matches('\n').count() + 1;
    let col = s
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    Pos::new(line, col)
}

type YamlError = (Pos, &'static str, String, Option<String>);

/// Parse YAML text into `T` under pocdir's budget. `line_offset` is added to
/// reported lines (for front matter inside a Markdown file).
pub fn parse_yaml<T: DeserializeOwned>(text: &str, line_offset: usize) -> Result<T, YamlError> {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_YAML_DEPTH;
    budget.max_aliases = 0;
    budget.max_anchors = 0;
    budget.max_documents = 1;
    budget.max_nodes = 100_000;
    budget.max_events = 200_000;
    budget.max_total_scalar_bytes = MAX_PING_FILE_BYTES as usize;
    budget.flow_nesting_limit = MAX_YAML_DEPTH;
    let mut opts = serde_saphyr::Options::default();
    opts.budget = Some(budget);
    opts.with_snippet = false;
    opts.strict_booleans = true;
    opts.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    opts.merge_keys = serde_saphyr::MergeKeyPolicy::Error;
    serde_saphyr::from_str_with_options::<T>(text, opts).map_err(|e| {
        let mut err = classify(&e, line_offset);
        if err.1 == "missing-field" && err.0.line > line_offset {
            // The parser reports a missing field at the mapping's last key;
            // point at the mapping's first key instead.
            let local = Pos::new(err.0.line - line_offset, err.0.column);
            let start = mapping_start(text, local);
            err.0 = Pos::new(start.line + line_offset, start.column);
        }
        err
    })
}

/// The first key of the block mapping holding the key at `pos`.
fn mapping_start(text: &str, pos: Pos) -> Pos {
    let lines: Vec<&str> = text.lines().collect();
    let col = pos.column.max(1) - 1; // 0-based byte column of the keys (ASCII indentation)
    let mut best = pos;
    let mut i = pos.line.min(lines.len());
    while i > 0 {
        let line = lines[i - 1];
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            i -= 1;
            continue;
        }
        let indent = line.len() - trimmed.len();
        let is_item_start =
            col >= 2 && line.get(col - 2..col) == Some("- ") && line[..col - 2].trim().is_empty();
        if is_item_start {
            return Pos::new(i, col + 1);
        }
        if indent == col {
            best = Pos::new(i, col + 1);
        } else if indent < col {
            break;
        }
        i -= 1;
    }
    best
}

fn classify(e: &serde_saphyr::Error, line_offset: usize) -> YamlError {
    let pos = e
        .location()
        .map(|l| Pos::new(l.line() as usize + line_offset, l.column() as usize))
        .unwrap_or(Pos::new(line_offset.max(1), 1));
    let raw = e.without_snippet().to_string();
    // The crate appends " at line L column C"; the diagnostic carries that.
    let msg = strip_location(&raw);
    let lower = msg.to_lowercase();
    if lower.contains("budget breached") && lower.contains("documents") {
        return (
            pos,
            "yaml-syntax",
            "the file holds more than one YAML document".into(),
            Some("a directory file is one YAML document: remove the `---` separator line".into()),
        );
    }
    let (code, hint): (&'static str, Option<&str>) = if lower.contains("unknown field") {
        (
            "unknown-field",
            Some("check the spelling; the fields a file accepts are listed in the message"),
        )
    } else if lower.contains("duplicate") {
        (
            "duplicate-key",
            Some("a key may appear only once in a mapping; merge the two entries"),
        )
    } else if lower.contains("missing field") {
        (
            "missing-field",
            Some("add the field; see the example directory for its form"),
        )
    } else if lower.contains("alias") || lower.contains("anchor") {
        return (
            pos,
            "yaml-alias",
            "YAML anchors (&) and aliases (*) are not accepted".into(),
            Some(
                "write each value out in full: a reviewer must see every value where it applies"
                    .into(),
            ),
        );
    } else if lower.contains("depth") || lower.contains("nesting") || lower.contains("recursion") {
        return (
            pos,
            "yaml-too-deep",
            format!("YAML nested deeper than {MAX_YAML_DEPTH} levels"),
            Some("the directory's files nest a few levels at most".into()),
        );
    } else if lower.contains("budget") {
        (
            "yaml-budget",
            Some("the file is far larger or more complex than a directory file needs"),
        )
    } else if lower.contains("while parsing")
        || lower.contains("while scanning")
        || lower.contains("did not find expected")
    {
        (
            "yaml-syntax",
            Some("check indentation, colons and quotes around this place"),
        )
    } else if lower.contains("boolean") {
        (
            "wrong-type",
            Some("write true or false (yes/no/on/off are not booleans here)"),
        )
    } else if lower.contains("invalid type")
        || lower.contains("invalid value")
        || lower.contains("expected")
        || lower.contains("end of input")
    {
        (
            "wrong-type",
            Some(
                "check the value's form: a text, a number, a list (- item) or a mapping (key: value)",
            ),
        )
    } else {
        (
            "yaml-syntax",
            Some("check indentation, colons and quotes around this place"),
        )
    };
    (pos, code, msg, hint.map(str::to_string))
}

fn strip_location(s: &str) -> String {
    let s = s.lines().next().unwrap_or("").trim();
    let s = s.split(", set DuplicateKeyPolicy").next().unwrap_or(s);
    match s.rfind(" at line ") {
        Some(i) => s[..i].trim_end_matches(',').to_string(),
        None => s.to_string(),
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
