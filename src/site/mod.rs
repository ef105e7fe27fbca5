//! The restricted static site: a tree of files, in memory, rendered from
//! the model with the theme's Tera templates. Writing it is `write`'s job.
//!
//! Layout: `index.html` (language choice), `<lang>/index.html` (all
//! States, search and filters), `<lang>/states/<ISO3>.html`,
//! `<lang>/pages/<name>.html`, `<lang>/checks.html` (communication
//! checks), `static/`, exports (`directory.json`,
//! `directory.csv` and `<lang>/directory.csv`, `directory.vcf`,
//! `vcf/<ISO3>.vcf`), `secretariat.pub`,
//! `robots.txt`. Every URL is relative, so the tree works under any
//! sub-path and from `file://`.

pub mod checks;
pub mod home;
pub mod markdown;
pub mod memo;
pub mod now;
pub mod order;
pub mod receipts;
pub mod sealed;
pub mod view;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use tera::{Context, Tera};

use crate::directory::load::I18nFile;
use crate::directory::model::{Directory, Page};
use crate::directory::theme::Theme;
use crate::export;
use crate::i18n::{self, Strings};

/// Allows only the site's own files: no inline script or style, nothing
/// from elsewhere.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

/// One output file: path relative to the site root, and its bytes.
pub type File = (String, Vec<u8>);

#[derive(Debug)]
pub struct RenderError(pub String);

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RenderError {}

fn tera_error(what: &str, e: tera::Error) -> RenderError {
    // Tera's error chain explains where a template failed.
    let mut msg = format!("{what}: {e}");
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        msg.push_str(&format!(": {s}"));
        src = s.source();
    }
    RenderError(msg)
}

/// The theme's templates, compiled.
pub fn templates(theme: &Theme) -> Result<Tera, RenderError> {
    let mut tera = Tera::new();
    tera.autoescape_on([".html"]);
    let mut list = Vec::new();
    for (rel, origin, bytes) in theme.under("templates") {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| RenderError(format!("{origin}: not valid UTF-8")))?;
        list.push((rel.to_string(), text.to_string()));
    }
    tera.add_raw_templates(list)
        .map_err(|e| tera_error("theme templates", e))?;
    Ok(tera)
}

#[derive(Serialize)]
struct NavPage {
    href: String,
    title: String,
}

/// Render the whole site.
pub fn render(
    dir: &Directory,
    theme: &Theme,
    i18n: &BTreeMap<String, I18nFile>,
    receipts: &crate::receipts::report::Report,
    seal: Option<&sealed::Access>,
) -> Result<Vec<File>, RenderError> {
    let files = std::sync::Mutex::new(Vec::new());
    render_into(
        dir,
        theme,
        i18n,
        receipts,
        seal,
        &memo::Nothing,
        &|file: File| {
            files
                .lock()
                .map_err(|_| RenderError("a rendering thread failed".into()))?
                .push(file);
            Ok(())
        },
    )?;
    let mut files = files
        .into_inner()
        .map_err(|_| RenderError("a rendering thread failed".into()))?;
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}

/// Where [`render_into`] hands each file as soon as it is rendered (from
/// several threads at once), so a large site is never all in memory.
pub type Sink<'a> = dyn Fn(File) -> Result<(), RenderError> + Sync + 'a;

/// [`render`], each file given to `sink` as soon as it is made, in no
/// particular order, unless `reuse` already has the file made from the
/// same inputs (never for a sealed site: its files are sealed with this
/// build's key). Returns how many files were given or reused.
pub fn render_into(
    dir: &Directory,
    theme: &Theme,
    i18n: &BTreeMap<String, I18nFile>,
    receipts: &crate::receipts::report::Report,
    seal: Option<&sealed::Access>,
    reuse: &dyn memo::Reuse,
    sink: &Sink,
) -> Result<usize, RenderError> {
    // A sealed site (issue #16): every file passes through the sealing
    // before it reaches the sink, so none is written in the clear.
    if dir.settings.sealed != seal.is_some() {
        return Err(RenderError(if dir.settings.sealed {
            "site.sealed is set: the site needs the site secret to be built".into()
        } else {
            "access keys given for a site that is not sealed".into()
        }));
    }
    let guard = seal.map(|_| sealed::guard::Guard::new(dir));
    let sealing = |(path, bytes): File| -> Result<(), RenderError> {
        match (seal, &guard) {
            (Some(a), Some(g)) => {
                let (path, bytes) = sealed::page::seal_file(a, path, bytes).map_err(RenderError)?;
                g.check_served(&path, &bytes).map_err(RenderError)?;
                sink((path, bytes))
            }
            _ => sink((path, bytes)),
        }
    };
    let sink: &Sink = &sealing;
    let reuse: &dyn memo::Reuse = if seal.is_some() {
        &memo::Nothing
    } else {
        reuse
    };
    let theme_key = memo::theme(theme);
    // The key of the directory, every field of it (`Debug`), each State's
    // hashed once (the exports' keys use them too); and of the whole site:
    // every argument it is rendered from. If the previous build was made
    // from the same, its files are linked without anything being made.
    let (state_keys, dir_key) = memo::directory(dir);
    let whole_key = {
        let mut h = memo::Hasher::new("site");
        h.bytes("theme", &theme_key)
            .bytes("dir", &dir_key)
            .debug("i18n", i18n)
            .debug("receipts", receipts);
        h.key()
    };
    let linked = reuse.reuse_all(&whole_key)?;
    if let Some(a) = seal {
        sink((
            sealed::page::KEYS_SCRIPT.to_string(),
            a.keys_script().into_bytes(),
        ))?;
    }
    let tera = templates(theme)?;
    let empty = BTreeMap::new();
    let english = i18n.get("en").map(|f| &f.strings).unwrap_or(&empty);
    let default_lang = dir.settings.default_language.as_str();
    let page_names = page_names(dir);

    let languages: Vec<view::Lang> = dir
        .settings
        .languages
        .iter()
        .map(|code| {
            let strings = i18n.get(code).map(|f| &f.strings).unwrap_or(english);
            let t = Strings::new(code, strings, english);
            view::Lang {
                code: code.clone(),
                name: t.get("lang_name").to_string(),
                dir: i18n::dir(code),
                choose: t.get("choose_language").to_string(),
                site_name: t.get("site_name").to_string(),
                separator: t.get("meta_separator").to_string(),
            }
        })
        .collect();

    // Everything a language's pages share is computed once: the base
    // context (strings, navigation) and the view of every State (used by
    // the home page and by the State's own page). One language at a time,
    // its pages on every core: the views of a large directory in six
    // languages at once would not fit in a small machine's memory.
    struct PerLang {
        lang: String,
        base: memo::Ctx,
        states: Vec<tera::Value>,
        home_title: String,
    }
    let langs: Vec<&str> = dir.settings.languages.iter().map(String::as_str).collect();
    let per_lang = |lang: &str| -> PerLang {
        let strings = i18n.get(lang).map(|f| &f.strings).unwrap_or(english);
        let t = Strings::new(lang, strings, english);
        let mut picked: Vec<&Page> = page_names
            .iter()
            .filter_map(|n| pick_page(&dir.pages, n, lang, default_lang))
            .collect();
        picked.sort_by(|a, b| (a.weight, &a.name).cmp(&(b.weight, &b.name)));
        let nav_pages: Vec<NavPage> = picked
            .into_iter()
            .map(|p| NavPage {
                href: format!("pages/{}.html", p.name),
                title: p.title.clone(),
            })
            .collect();
        let mut base = memo::Ctx::new(&theme_key);
        base.insert("lang", lang);
        base.insert("dir", i18n::dir(lang));
        base.insert("t", &t.all());
        base.insert("languages", &languages);
        base.insert("settings", &dir.settings);
        // The secretariat's phone grouped for reading (a screen reader
        // reads "+12025550143" as one large number), E.164 for the link.
        let phone = dir.settings.secretariat.phone.as_deref().map(|p| {
            let p = crate::util::phone::phone(p);
            std::collections::BTreeMap::from([("tel", p.tel), ("display", p.display)])
        });
        base.insert("secretariat_phone", &phone);
        base.insert("nav_pages", &nav_pages);
        base.insert("csp", CSP);
        base.insert("sealed", &dir.settings.sealed);
        let states = crate::util::parallel::map(&dir.states, |s| {
            let s = export::PublishedState::of(s);
            tera::Value::from_serializable(&view::state(&t, dir, &s, &page_names))
        });
        PerLang {
            lang: lang.to_string(),
            base,
            states,
            home_title: t.get("nav_home").to_string(),
        }
    };

    // One job per output page, rendered on every core.
    enum Job {
        Home,
        State(usize),
        Page(String),
        Checks,
        Receipts,
        Participation,
    }
    let mut jobs = vec![Job::Home, Job::Checks, Job::Receipts, Job::Participation];
    for i in 0..dir.states.len() {
        jobs.push(Job::State(i));
    }
    for name in &page_names {
        jobs.push(Job::Page(name.clone()));
    }
    let render_job = |pl: &PerLang, job: &Job| -> Result<(), RenderError> {
        let lang = pl.lang.as_str();
        let mut ctx = pl.base.clone();
        let (path, template) = match job {
            Job::Home => {
                ctx.insert("root", "../");
                ctx.insert("here", "index.html");
                ctx.insert("title", &pl.home_title);
                let strings = i18n.get(lang).map(|f| &f.strings).unwrap_or(english);
                let t = Strings::new(lang, strings, english);
                ctx.insert("home", &home::home(&t, dir));
                ctx.insert("filters", &view::filters(&t, dir));
                (format!("{lang}/index.html"), "index.html")
            }
            Job::State(i) => {
                let s = &dir.states[*i];
                ctx.insert("root", "../../");
                ctx.insert("here", &format!("states/{}.html", s.code));
                ctx.insert("title", s.name(lang));
                ctx.insert_value("state", pl.states[*i].clone());
                let strings = i18n.get(lang).map(|f| &f.strings).unwrap_or(english);
                let t = Strings::new(lang, strings, english);
                ctx.insert("last_check", &checks::last_check(&t, dir, s));
                (format!("{lang}/states/{}.html", s.code), "state.html")
            }
            Job::Checks => {
                let strings = i18n.get(lang).map(|f| &f.strings).unwrap_or(english);
                let t = Strings::new(lang, strings, english);
                ctx.insert("root", "../");
                ctx.insert("here", "checks.html");
                ctx.insert("title", t.get("checks_title"));
                ctx.insert("checks", &checks::page(&t, dir));
                (format!("{lang}/checks.html"), "checks.html")
            }
            Job::Receipts => {
                let strings = i18n.get(lang).map(|f| &f.strings).unwrap_or(english);
                let t = Strings::new(lang, strings, english);
                ctx.insert("root", "../");
                ctx.insert("here", "receipts.html");
                ctx.insert("title", t.get("receipts_title"));
                ctx.insert("receipts", &receipts::page(&t, dir, receipts));
                (format!("{lang}/receipts.html"), "receipts.html")
            }
            Job::Participation => {
                let strings = i18n.get(lang).map(|f| &f.strings).unwrap_or(english);
                let t = Strings::new(lang, strings, english);
                ctx.insert("root", "../");
                ctx.insert("here", "participation.html");
                ctx.insert("title", t.get("participation_title"));
                ctx.insert("participation", &crate::coverage::page(&t, dir));
                (format!("{lang}/participation.html"), "participation.html")
            }
            Job::Page(name) => {
                let p = pick_page(&dir.pages, name, lang, default_lang).ok_or_else(|| {
                    RenderError(format!("page {name} has no default-language version"))
                })?;
                let page_lang = p.lang.as_deref().unwrap_or(default_lang);
                let fallback = page_lang != lang;
                let strings = i18n.get(lang).map(|f| &f.strings).unwrap_or(english);
                let t = Strings::new(lang, strings, english);
                #[derive(Serialize)]
                struct PageView<'a> {
                    title: &'a str,
                    html: String,
                    fallback: bool,
                    lang: &'a str,
                    dir: &'static str,
                    show_key: bool,
                }
                let pv = PageView {
                    title: &p.title,
                    html: markdown::scrolling_tables(
                        &markdown::to_html(&p.markdown, &page_names, ""),
                        |n| t.fmt("table_region", &[("n", &n.to_string())]),
                    ),
                    fallback,
                    lang: page_lang,
                    dir: i18n::dir(page_lang),
                    show_key: p.name == "verify",
                };
                ctx.insert("root", "../../");
                ctx.insert("here", &format!("pages/{name}.html"));
                ctx.insert("title", &p.title);
                ctx.insert("page", &pv);
                ctx.insert("key", &dir.secretariat_key);
                if pv.show_key {
                    // The log's last versions (issue #18), to compare
                    // with the log head `pocdir open` prints.
                    #[derive(Serialize)]
                    struct Row {
                        seq: u64,
                        issued: String,
                        line: String,
                        root: String,
                        note: String,
                    }
                    let rows: Vec<Row> = dir
                        .checkpoints
                        .iter()
                        .map(|c| Row {
                            seq: c.seq,
                            issued: c.issued.clone(),
                            line: c.line_sha256.clone(),
                            root: c.root.clone(),
                            note: c
                                .renews
                                .map(|n| t.fmt("checkpoints_renews", &[("n", &n.to_string())]))
                                .unwrap_or_default(),
                        })
                        .collect();
                    ctx.insert("checkpoints", &rows);
                }
                (format!("{lang}/pages/{name}.html"), "page.html")
            }
        };
        if reuse.reuse(&path, &ctx.key(template, &path))? {
            return Ok(());
        }
        let html = tera
            .render(template, ctx.context())
            .map_err(|e| tera_error(&format!("rendering {path}"), e))?;
        sink((path, html.into_bytes()))
    };
    let mut count = linked.unwrap_or(0);
    for lang in langs.iter().filter(|_| linked.is_none()) {
        let pl = per_lang(lang);
        crate::util::parallel::map(&jobs, |job| render_job(&pl, job))
            .into_iter()
            .collect::<Result<(), _>>()?;
        count += jobs.len();
    }
    let mut files: Vec<File> = Vec::new();

    // The language choice at the root.
    let mut ctx = Context::new();
    ctx.insert("languages", &languages);
    ctx.insert("default_language", default_lang);
    ctx.insert("csp", CSP);
    let site_name = i18n
        .get(default_lang)
        .and_then(|f| f.strings.get("site_name"))
        .or_else(|| english.get("site_name"))
        .cloned()
        .unwrap_or_default();
    ctx.insert("site_name", &site_name);
    let root = tera
        .render("languages.html", &ctx)
        .map_err(|e| tera_error("rendering index.html", e))?;
    files.push(("index.html".into(), root.into_bytes()));

    for (rel, _, bytes) in theme.under("static") {
        files.push((format!("static/{rel}"), bytes.to_vec()));
    }
    files.push((
        "robots.txt".into(),
        b"User-agent: *\nDisallow: /\n".to_vec(),
    ));
    files.push((
        "secretariat.pub".into(),
        format!(
            "untrusted comment: minisign public key {}\n{}\n",
            dir.secretariat_key.key_id, dir.secretariat_key.public_key
        )
        .into_bytes(),
    ));
    files.extend(export::openpgp_keys(dir));
    if linked.is_none() {
        // The exports, made and written on every core.
        enum Export<'a> {
            Json,
            Csv,
            CsvIn(&'a str),
            VcfOf(&'a str, usize),
        }
        let mut exports = vec![Export::Json, Export::Csv];
        exports.extend(langs.iter().map(|l| Export::CsvIn(l)));
        // vCards in each language (`<lang>/…`), and in English at the root
        // (the paths of earlier versions): each State's made once per
        // language; a language's `directory.vcf` is theirs one after the other.
        for l in &langs {
            exports.extend((0..dir.states.len()).map(|i| Export::VcfOf(l, i)));
        }
        let has_english = langs.contains(&"en");
        // Each language's strings, hashed once (the exports' keys).
        let lang_keys: BTreeMap<&str, memo::Key> = langs
            .iter()
            .map(|l| {
                let (_, t) = in_lang(l, i18n, english);
                let mut h = memo::Hasher::new("strings");
                h.bytes("lang", t.lang.as_bytes()).json("t", &t.all());
                (*l, h.key())
            })
            .collect();
        let export_key = |what: &str, lang: Option<&str>, path: &str| -> memo::Key {
            let mut h = memo::Hasher::new("export");
            h.bytes("what", what.as_bytes())
                .bytes("dir", &dir_key)
                .bytes("path", path.as_bytes());
            if let Some(k) = lang.and_then(|l| lang_keys.get(l)) {
                h.bytes("strings", k);
            }
            h.key()
        };
        // A State's vCards in one language: its every field and the strings.
        let vcf_key = |lang: &str, i: usize| -> memo::Key {
            let mut h = memo::Hasher::new("vcf");
            if let Some(k) = lang_keys.get(lang) {
                h.bytes("strings", k);
            }
            h.bytes("state", &state_keys[i]).key()
        };
        // A language's `directory.vcf` is its States' vCards one after the
        // other: made only if not reused, and then from every State's bytes.
        let whole_vcf_paths = |lang: &str| -> Vec<String> {
            let mut p = vec![format!("{lang}/directory.vcf")];
            if lang == "en" {
                p.push("directory.vcf".into());
            }
            p
        };
        let mut whole_needed: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for l in &langs {
            let mut h = memo::Hasher::new("directory.vcf");
            for i in 0..dir.states.len() {
                h.bytes("state", &vcf_key(l, i));
            }
            let key = h.key();
            let mut missing = Vec::new();
            for p in whole_vcf_paths(l) {
                if !reuse.reuse(&p, &key)? {
                    missing.push(p);
                }
            }
            if !missing.is_empty() {
                whole_needed.insert(l, missing);
            }
        }
        let export_job = |e: &Export| -> Result<Option<Vec<u8>>, RenderError> {
            let (path, key, make): (String, memo::Key, &dyn Fn() -> Vec<u8>) = match e {
                Export::Json => (
                    "directory.json".into(),
                    export_key("json", None, "directory.json"),
                    &|| export::json(dir),
                ),
                Export::Csv => (
                    "directory.csv".into(),
                    export_key("csv", None, "directory.csv"),
                    &|| export::csv(dir),
                ),
                Export::CsvIn(lang) => {
                    let path = format!("{lang}/directory.csv");
                    let key = export_key("csv", Some(lang), &path);
                    if reuse.reuse(&path, &key)? {
                        return Ok(None);
                    }
                    let strings = i18n.get(*lang).map(|f| &f.strings).unwrap_or(english);
                    let t = Strings::new(lang, strings, english);
                    sink((path, export::csv_in(dir, &t)))?;
                    return Ok(None);
                }
                Export::VcfOf(lang, i) => {
                    let s = &dir.states[*i];
                    let (prefix, t) = in_lang(lang, i18n, english);
                    let key = vcf_key(lang, *i);
                    let mut paths = vec![format!("{prefix}vcf/{}.vcf", s.code)];
                    if *lang == "en" {
                        paths.push(format!("vcf/{}.vcf", s.code));
                    }
                    let mut missing = Vec::new();
                    for p in paths {
                        if !reuse.reuse(&p, &key)? {
                            missing.push(p);
                        }
                    }
                    let whole = whole_needed.contains_key(lang);
                    if missing.is_empty() && !whole {
                        return Ok(None);
                    }
                    let bytes = export::vcf(&t, std::iter::once(s));
                    for p in missing {
                        sink((p, bytes.clone()))?;
                    }
                    return Ok(whole.then_some(bytes));
                }
            };
            if !reuse.reuse(&path, &key)? {
                sink((path, make()))?;
            }
            Ok(None)
        };
        let made = crate::util::parallel::map(&exports, export_job);
        let mut whole: BTreeMap<&str, Vec<u8>> =
            whole_needed.keys().map(|l| (*l, Vec::new())).collect();
        for (e, m) in exports.iter().zip(made) {
            if let (Export::VcfOf(lang, _), Some(bytes)) = (e, m?) {
                whole.entry(lang).or_default().extend_from_slice(&bytes);
            }
        }
        let mut vcf_files = langs.len() + dir.states.len() * usize::from(has_english);
        if !has_english {
            // No English section: the root's vCards made on their own.
            let (_, t) = in_lang("", i18n, english);
            for s in &dir.states {
                sink((
                    format!("vcf/{}.vcf", s.code),
                    export::vcf(&t, std::iter::once(s)),
                ))?;
            }
            sink(("directory.vcf".into(), export::vcf(&t, dir.states.iter())))?;
            vcf_files += dir.states.len() + 1;
        } else {
            // The root's directory.vcf.
            vcf_files += 1;
        }
        for (lang, bytes) in whole {
            for p in &whole_needed[lang] {
                sink((p.clone(), bytes.clone()))?;
            }
        }
        count += exports.len() + vcf_files;
    }
    count += files.len() + usize::from(seal.is_some());
    for f in files {
        sink(f)?;
    }
    Ok(count)
}

/// The page `name` in `lang`, else in the default language.
fn pick_page<'a>(
    pages: &'a [Page],
    name: &str,
    lang: &str,
    default_lang: &str,
) -> Option<&'a Page> {
    let of = |l: Option<&str>| {
        pages
            .iter()
            .find(|p| p.name == name && p.lang.as_deref() == l)
    };
    if lang == default_lang {
        of(None)
    } else {
        of(Some(lang)).or_else(|| of(None))
    }
}

/// Facts about a bundle version shown at the top of its offline page (the
/// same for every State: the page is made once per set of languages).
pub struct OfflineInfo<'a> {
    pub seq: u64,
    pub issued: jiff::Timestamp,
    pub expires: jiff::Timestamp,
    pub root: &'a str,
}

/// The parts of bundles' offline pages that do not depend on the State:
/// the compiled templates, the inline stylesheet, and each language's
/// section, rendered once.
pub struct OfflineParts {
    tera: Tera,
    css: String,
    sections: BTreeMap<String, OfflineSection>,
}

/// One language's section of the offline page, and the strings of the
/// page's header in that language.
struct OfflineSection {
    /// The language's code.
    lang: String,
    /// The language's name, in itself.
    name: String,
    dir: &'static str,
    restricted: String,
    /// The name of the region that holds the notices.
    notices: String,
    demo: String,
    /// A sealed site (issue #16): where the bundle holds the access code.
    site_access: String,
    skip: String,
    languages_label: String,
    /// The directory's name in the language (the page's title).
    title: String,
    /// `offline_version`, filled in: times in the language, with the zone.
    version: String,
    root_label: String,
    kit_label: String,
    /// The section's HTML, in pieces (its frame, then one per State):
    /// never put together (see [`offline`]).
    pieces: Vec<String>,
}

/// Render every language's section of the offline page once: every State
/// (sorted by its name in that language), a jump list and an anchor per
/// State, so that the page is usable without any script.
pub fn offline_parts(
    dir: &Directory,
    theme: &Theme,
    i18n: &BTreeMap<String, I18nFile>,
    info: &OfflineInfo,
) -> Result<OfflineParts, RenderError> {
    let tera = templates(theme)?;
    let empty = BTreeMap::new();
    let english = i18n.get("en").map(|f| &f.strings).unwrap_or(&empty);
    let page_names = page_names(dir);
    let langs: Vec<&str> = dir.settings.languages.iter().map(String::as_str).collect();
    // One language at a time; its States rendered on every core, each on
    // its own (a context of one State, not of the whole directory).
    let mut rendered = Vec::new();
    for lang in &langs {
        let lang: &str = lang;
        let strings = i18n.get(lang).map(|f| &f.strings).unwrap_or(english);
        let t = Strings::new(lang, strings, english);
        let mut states: Vec<view::StateView> = crate::util::parallel::map(&dir.states, |s| {
            view::state(&t, dir, &export::PublishedState::of(s), &page_names)
        });
        order::sort(lang, &mut states, |s| &s.name, |s| s.code);
        let mut base = Context::new();
        base.insert("lang", lang);
        base.insert("dir", i18n::dir(lang));
        base.insert("t", &t.all());
        let blocks = crate::util::parallel::map(&states, |s| {
            let mut ctx = base.clone();
            ctx.insert("s", s);
            tera.render("offline_state.html", &ctx)
                .map_err(|e| tera_error("rendering the offline page", e))
        });
        #[derive(Serialize)]
        struct Entry<'a> {
            code: crate::directory::model::StateCode,
            name: &'a str,
        }
        let entries: Vec<Entry> = states
            .iter()
            .map(|s| Entry {
                code: s.code,
                name: &s.name,
            })
            .collect();
        let mut ctx = base.clone();
        ctx.insert(
            "initials",
            &order::index(lang, &states, |s| &s.name, |s| s.code),
        );
        ctx.insert("states", &entries);
        // The incident kit: the site's pages, in this language where they
        // exist (issue 15).
        ctx.insert("kit", &offline_kit(dir, &t, &page_names, lang));
        // The States go where the frame shows `states_html` (U+0001, which
        // no text can hold, marks the place).
        const MARK: &str = "\u{1}pocdir-offline-states\u{1}";
        ctx.insert("states_html", MARK);
        let frame = tera
            .render("offline_section.html", &ctx)
            .map_err(|e| tera_error("rendering the offline page", e))?;
        let (before, after) = frame
            .split_once(MARK)
            .filter(|(_, after)| !after.contains(MARK))
            .ok_or_else(|| {
                RenderError(
                    "offline_section.html must show the States once ({{ states_html | safe }})"
                        .to_string(),
                )
            })?;
        let mut pieces = vec![before.to_string()];
        for b in blocks {
            // Held until every bundle is sealed: without the room Tera's
            // output grew into (up to as much again, ~70 MB at 193 x 100).
            let mut b = b?;
            b.shrink_to_fit();
            pieces.push(b);
        }
        pieces.push(after.to_string());
        rendered.push(Ok::<_, RenderError>((
            lang.to_string(),
            OfflineSection {
                lang: lang.to_string(),
                name: t.get("lang_name").to_string(),
                dir: i18n::dir(lang),
                restricted: t.get("restricted_notice").to_string(),
                notices: t.get("notices_label").to_string(),
                demo: if dir.settings.demo {
                    t.get("demo_notice").to_string()
                } else {
                    String::new()
                },
                site_access: if dir.settings.sealed {
                    t.get("offline_site_access").to_string()
                } else {
                    String::new()
                },
                skip: t.get("skip_to_content").to_string(),
                languages_label: t.get("language_switcher").to_string(),
                title: t.get("site_name").to_string(),
                version: t.fmt(
                    "offline_version",
                    &[
                        ("seq", &info.seq.to_string()),
                        ("issued", &t.timestamp(info.issued)),
                        ("expires", &t.timestamp(info.expires)),
                    ],
                ),
                root_label: t.label("offline_root"),
                kit_label: t.get("offline_kit_title").to_string(),
                pieces,
            },
        )));
    }
    let sections = rendered.into_iter().collect::<Result<_, _>>()?;
    let css = theme
        .get("static/style.css")
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    // The print styles too (one State per printed page).
    let print = theme
        .get("static/print.css")
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    let css = format!("{css}\n@media print {{\n{print}}}\n");
    Ok(OfflineParts {
        tera,
        // A stylesheet must not end the <style> element early.
        css: css.replace("</", "<\\/"),
        sections,
    })
}

/// One page of the offline page's incident kit.
#[derive(Serialize)]
struct KitPage {
    /// The anchor: `<lang>-page-<name>`.
    id: String,
    title: String,
    html: String,
    /// The page's own language (another one when it is not translated).
    lang: String,
    dir: &'static str,
    /// A note naming the page's language, when it is not the section's.
    fallback: Option<String>,
}

/// The site's pages (`content/pages/`) in `lang`, else in the default
/// language, in navigation order, for the offline page's incident kit;
/// links between pages go to their anchors.
fn offline_kit(
    dir: &Directory,
    t: &Strings,
    page_names: &BTreeSet<String>,
    lang: &str,
) -> Vec<KitPage> {
    let default_lang = dir.settings.default_language.as_str();
    let mut picked: Vec<&Page> = page_names
        .iter()
        .filter_map(|n| pick_page(&dir.pages, n, lang, default_lang))
        .collect();
    picked.sort_by(|a, b| (a.weight, &a.name).cmp(&(b.weight, &b.name)));
    let prefix = format!("#{lang}-page-");
    let tables = std::cell::Cell::new(0);
    picked
        .into_iter()
        .map(|p| {
            let page_lang = p.lang.as_deref().unwrap_or(default_lang);
            // Tables numbered across the kit: each region's name unique.
            let before = tables.get();
            let mut html = markdown::scrolling_tables(
                &demote_headings(&markdown::to_html(&p.markdown, page_names, &prefix)),
                |n| {
                    tables.set(before + n);
                    t.fmt("table_region", &[("n", &(before + n).to_string())])
                },
            );
            for n in page_names {
                html = html.replace(
                    &format!("href=\"{prefix}{n}.html"),
                    &format!("href=\"{prefix}{n}"),
                );
            }
            KitPage {
                id: format!("{lang}-page-{}", p.name),
                title: p.title.clone(),
                html,
                lang: page_lang.to_string(),
                dir: i18n::dir(page_lang),
                fallback: (page_lang != lang).then(|| {
                    let name = crate::directory::refdata::language_label(page_lang, lang);
                    t.fmt("offline_kit_fallback", &[("lang", &name)])
                }),
            }
        })
        .collect()
}

/// Headings two levels down (a page's `h1` under the kit's `h2` becomes
/// an `h3`; `h5` and `h6` become `h6`): one `h1` per language section.
fn demote_headings(html: &str) -> String {
    let mut out = html.to_string();
    for (from, to) in [(5, 6), (4, 6), (3, 5), (2, 4), (1, 3)] {
        for (a, b) in [("<h", ">"), ("<h", " "), ("</h", ">")] {
            out = out.replace(&format!("{a}{from}{b}"), &format!("{a}{to}{b}"));
        }
    }
    out
}

/// The bundle's single self-contained page: every State, in each of
/// `langs` (styles inline, no script, nothing fetched).
/// The offline page of `langs`, as pieces whose concatenation is the
/// page: the parts of the template around the language sections, and the
/// sections themselves borrowed from `parts` (at 193 States x 100 PoCs in
/// six languages the page is 90 MB: it is never copied into one string).
pub fn offline<'a>(
    parts: &'a OfflineParts,
    langs: &[&str],
    info: &OfflineInfo,
) -> Result<Vec<OfflinePiece<'a>>, RenderError> {
    #[derive(Serialize)]
    struct Section<'a> {
        lang: &'a str,
        dir: &'static str,
        name: &'a str,
        html: String,
    }
    // The template is rendered with a marker in place of each section's
    // HTML, then cut at the markers. A marker holds U+0001, which no
    // validated text, translation or theme file can carry; the count of
    // markers is checked all the same.
    let marker = |i: usize| format!("\u{1}pocdir-offline-section-{i}\u{1}");
    let picked: Vec<(&str, &OfflineSection)> = langs
        .iter()
        .filter_map(|l| parts.sections.get(*l).map(|s| (*l, s)))
        .collect();
    let sections: Vec<Section> = picked
        .iter()
        .enumerate()
        .map(|(i, (l, s))| Section {
            lang: l,
            dir: s.dir,
            name: &s.name,
            html: marker(i),
        })
        .collect();
    // The header speaks the page's first language.
    let first = langs.first().and_then(|l| parts.sections.get(*l));
    let get = |f: fn(&OfflineSection) -> &str| first.map(f).unwrap_or("");
    let version = get(|s| &s.version);
    let mut ctx = Context::new();
    ctx.insert("sections", &sections);
    ctx.insert("restricted_notice", get(|s| &s.restricted));
    ctx.insert("notices_label", get(|s| &s.notices));
    ctx.insert("demo_notice", get(|s| &s.demo));
    ctx.insert("site_access_notice", get(|s| &s.site_access));
    ctx.insert("skip", get(|s| &s.skip));
    ctx.insert("languages_label", get(|s| &s.languages_label));
    ctx.insert("version", version);
    ctx.insert("root_label", get(|s| &s.root_label));
    ctx.insert("kit_label", get(|s| &s.kit_label));
    ctx.insert("title", get(|s| &s.title));
    ctx.insert("css", &parts.css);
    ctx.insert("root", info.root);
    let frame = parts
        .tera
        .render("offline.html", &ctx)
        .map_err(|e| tera_error("rendering the offline page", e))?;
    let mut out = Vec::new();
    let mut rest = frame.as_str();
    for (i, (_, s)) in picked.iter().enumerate() {
        let m = marker(i);
        let (before, after) = rest
            .split_once(m.as_str())
            .filter(|(_, after)| !after.contains(m.as_str()))
            .ok_or_else(|| {
                RenderError(
                    "offline.html must show each language section exactly once ({{ sec.html | safe }})"
                        .to_string(),
                )
            })?;
        out.push(OfflinePiece::Frame(before.to_string()));
        out.push(OfflinePiece::Section(&s.lang, &s.pieces));
        rest = after;
    }
    if rest.contains('\u{1}') {
        return Err(RenderError(
            "offline.html shows a language section more than once".into(),
        ));
    }
    out.push(OfflinePiece::Frame(rest.to_string()));
    Ok(out)
}

/// A piece of an offline page (see [`offline`]).
pub enum OfflinePiece<'a> {
    /// The page's own text, around and between the language sections.
    Frame(String),
    /// A language's whole section, in pieces: the same in every page that
    /// shows the language (so it can be compressed once,
    /// [`OfflineParts::sections`]).
    Section(&'a str, &'a [String]),
}

impl OfflinePiece<'_> {
    /// The piece's text, in order.
    pub fn texts(&self) -> Vec<&str> {
        match self {
            OfflinePiece::Frame(f) => vec![f.as_str()],
            OfflinePiece::Section(_, pieces) => pieces.iter().map(String::as_str).collect(),
        }
    }
}

impl OfflineParts {
    /// Every language's section: its code and its pieces.
    pub fn sections(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.sections
            .iter()
            .map(|(l, s)| (l.as_str(), s.pieces.as_slice()))
    }
}

fn page_names(dir: &Directory) -> BTreeSet<String> {
    dir.pages
        .iter()
        .filter(|p| p.lang.is_none())
        .map(|p| p.name.clone())
        .collect()
}

/// Where an export in `lang` goes and its strings: `""` is the root, in
/// English.
fn in_lang<'a>(
    lang: &'a str,
    i18n: &'a BTreeMap<String, I18nFile>,
    english: &'a BTreeMap<String, String>,
) -> (String, Strings<'a>) {
    let code: &str = if lang.is_empty() { "en" } else { lang };
    let strings = i18n.get(code).map(|f| &f.strings).unwrap_or(english);
    let prefix = if lang.is_empty() {
        String::new()
    } else {
        format!("{lang}/")
    };
    (prefix, Strings::new(code, strings, english))
}
