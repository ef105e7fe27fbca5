//! Issue 17: six languages at the standard of the UN Secretariat. Every
//! kind of email in every language and every type of page, as text, kept
//! as snapshots (`tests/fixtures/i18n/`, rewritten by
//! `POCDIR_UPDATE_GOLDEN=1`); no template holding reader text of its own;
//! the cases the language review found in English, now in the reader's
//! language; State names in the form their sentence needs.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::path::Path;

use crate::build::example;
use crate::bundle::file_in_tar;
use crate::peers::age_decrypt;
use crate::support;

/// One State per language, each writing to the Secretariat in it.
const STATES: [(&str, &str); 6] = [
    ("en", "CAN"),
    ("fr", "FRA"),
    ("es", "ARG"),
    ("ru", "RUS"),
    ("zh", "CHN"),
    ("ar", "EGY"),
];
const NOW: &str = "2026-12-01T09:00:00Z";

fn snapshot_dir() -> std::path::PathBuf {
    support::fixtures().join("i18n")
}

/// Compare `text` with the snapshot `name` (or rewrite it).
fn snapshot(name: &str, text: &str) {
    let path = snapshot_dir().join(name);
    if std::env::var_os("POCDIR_UPDATE_GOLDEN").is_some() {
        fs::create_dir_all(snapshot_dir()).unwrap();
        fs::write(&path, text).unwrap();
        return;
    }
    let expected = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if expected != text {
        let line = expected
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(text.lines().count()));
        panic!(
            "{name} differs from its snapshot at line {}:\n  snapshot: {:?}\n  now:      {:?}",
            line + 1,
            expected.lines().nth(line),
            text.lines().nth(line)
        );
    }
}

/// `pocdir` with `args`, `--root` after the (sub)command's words.
fn run(root: &Path, args: &[&str]) -> support::Output {
    let words = args.iter().take_while(|a| !a.starts_with("--")).count();
    let mut a: Vec<OsString> = args[..words].iter().map(OsString::from).collect();
    a.push("--root".into());
    a.push(root.into());
    a.extend(args[words..].iter().map(OsString::from));
    let o = support::pocdir(a);
    assert_eq!(o.code, 0, "pocdir {args:?}:\n{}", o.stderr);
    o
}

/// Subject and text body of an .eml, decoded; communication-check tokens
/// (random) masked.
fn decoded(path: &Path) -> String {
    let bytes = fs::read(path).unwrap();
    let m = mail_parser::MessageParser::default().parse(&bytes).unwrap();
    let text = format!(
        "Subject: {}\n\n{}",
        m.subject().unwrap_or(""),
        m.body_text(0).unwrap_or_default()
    );
    mask_tokens(&text)
}

fn mask_tokens(text: &str) -> String {
    let mut out = String::new();
    for word in text.split_inclusive(|c: char| !c.is_ascii_alphanumeric() && c != '-') {
        let core = word.trim_end_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-');
        if core.starts_with("PING-") && core.len() > 8 {
            out.push_str("PING-TOKEN");
            out.push_str(&word[core.len()..]);
        } else {
            out.push_str(word);
        }
    }
    out
}

/// The .eml of `folder` whose name holds `code`.
fn eml_of(folder: &Path, code: &str) -> std::path::PathBuf {
    let mut names: Vec<_> = fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains(code))
        .collect();
    names.sort();
    names
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no message for {code} in {}", folder.display()))
}

/// Every kind of email, for one State per language: (kind, lang) → text.
fn emails() -> BTreeMap<(&'static str, &'static str), String> {
    let root = example();
    let out = tempfile::tempdir().unwrap();
    let r = support::build(root.path(), out.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let only = STATES.map(|(_, c)| c).join(",");
    let boxes = tempfile::tempdir().unwrap();
    let folder = |k: &str| {
        let p = boxes.path().join(k);
        fs::create_dir_all(&p).unwrap();
        p
    };
    let (bundle, remind, confirm, ping, follow) = (
        folder("bundle"),
        folder("remind"),
        folder("confirm"),
        folder("ping"),
        folder("follow-up"),
    );
    let bundles = out.path().join("bundles");
    run(
        root.path(),
        &[
            "mail",
            "--bundles",
            bundles.to_str().unwrap(),
            "--now",
            NOW,
            "--only",
            &only,
            "--outbox",
            remind_str(&bundle),
        ],
    );
    // Two years on, every entry is stale: every Mission is reminded.
    run(
        root.path(),
        &[
            "remind",
            "--as-of",
            "2028-12-01",
            "--outbox",
            remind_str(&remind),
        ],
    );
    run(
        root.path(),
        &[
            "remind",
            "--all",
            "--as-of",
            "2026-12-01",
            "--outbox",
            remind_str(&confirm),
        ],
    );
    run(
        root.path(),
        &[
            "ping",
            "start",
            "--name",
            "December 2026 check",
            "--only",
            &only,
            "--as-of",
            NOW,
            "--outbox",
            remind_str(&ping),
        ],
    );
    let campaign = fs::read_dir(root.path().join("content/pings"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.contains("december-2026-check"))
        .expect("the new campaign's file");
    let id = campaign.trim_end_matches(".yaml");
    // Nobody answered: every State is followed up after the window.
    run(
        root.path(),
        &[
            "ping",
            "follow-up",
            "--campaign",
            id,
            "--now",
            "2026-12-20T00:00:00Z",
            "--outbox",
            remind_str(&follow),
        ],
    );
    let mut out = BTreeMap::new();
    for (kind, dir) in [
        ("bundle", &bundle),
        ("remind", &remind),
        ("confirm", &confirm),
        ("ping", &ping),
        ("follow-up", &follow),
    ] {
        for (lang, code) in STATES {
            out.insert((kind, lang), decoded(&eml_of(dir, code)));
        }
    }
    out
}

fn remind_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn every_kind_of_email_in_every_language_matches_its_snapshot() {
    let all = emails();
    for ((kind, lang), text) in &all {
        snapshot(&format!("email-{kind}-{lang}.txt"), text);
    }
    let text = |kind: &str, lang: &str| all[&(kind, lang)].clone();
    // Salutations are sentences, with the State's name in the form the
    // sentence needs.
    for (lang, greeting) in [
        (
            "en",
            "To the Permanent Mission of Canada to the United Nations:",
        ),
        (
            "fr",
            "À la Mission permanente de la France auprès de l'Organisation des Nations Unies\u{a0}:",
        ),
        (
            "es",
            "A la Misión Permanente de la Argentina ante las Naciones Unidas:",
        ),
        (
            "ru",
            "Постоянному представительству Российской Федерации при Организации Объединенных Наций:",
        ),
        ("zh", "致中国常驻联合国代表团："),
        ("ar", "إلى البعثة الدائمة لمصر لدى الأمم المتحدة:"),
    ] {
        assert!(
            text("remind", lang).contains(greeting),
            "{lang}: {}",
            text("remind", lang)
        );
    }
    // The language is the State's (Canada: English only; Egypt: Arabic
    // first, then English).
    assert!(!text("remind", "en").contains("----------------------------------------"));
    let egy = text("bundle", "ar");
    assert!(egy.find("الأمانة العامة").unwrap() < egy.find("Secretariat").unwrap());
    // Times in the reader's language with their zone, never raw ISO.
    for (kind, lang) in all.keys() {
        let t = &all[&(*kind, *lang)];
        let local = t
            .split("----------------------------------------")
            .next()
            .unwrap();
        assert!(
            !local.contains("T00:00:00Z") && !local.contains(":00Z,"),
            "{kind} {lang}: a raw timestamp in {local}"
        );
    }
    assert!(text("bundle", "fr").contains(" (UTC)"));
    // The reminder's holdings in the language (not "diplomatic", "voice").
    let fr = text("remind", "fr");
    let fr_part = fr
        .split("----------------------------------------")
        .next()
        .unwrap();
    assert!(fr_part.contains("Diplomatique"), "{fr_part}");
    for english in ["diplomatic", "(general)", "(voice)", "(emergency)"] {
        assert!(!fr_part.contains(english), "{english} in {fr_part}");
    }
    // Where the secretariat's key is found (the review's C13).
    assert!(text("bundle", "es").contains("secretariat.pub"));
}

/// The text of an HTML page: tags dropped, one line per block, spaces
/// collapsed (what a reader sees, in order).
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    let mut in_skip = false;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('<') {
            let end = after.find('>').map_or(after.len(), |i| i + 1);
            let tag = &after[..end.saturating_sub(1)];
            let name = tag
                .trim_start_matches('/')
                .split(|c: char| c.is_whitespace() || c == '>')
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            if matches!(name.as_str(), "style" | "script" | "svg") {
                in_skip = !tag.starts_with('/');
            }
            if matches!(
                name.as_str(),
                "p" | "li"
                    | "h1"
                    | "h2"
                    | "h3"
                    | "h4"
                    | "dt"
                    | "dd"
                    | "tr"
                    | "br"
                    | "option"
                    | "caption"
                    | "title"
            ) {
                out.push('\n');
            }
            rest = &after[end.min(after.len())..];
            continue;
        }
        let next = rest.find('<').unwrap_or(rest.len());
        if !in_skip {
            out.push_str(&rest[..next]);
        }
        rest = &rest[next..];
    }
    let out = out
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'");
    out.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn one_page_of_each_type_in_every_language_matches_its_snapshot() {
    let root = example();
    let out = tempfile::tempdir().unwrap();
    let r = support::build(root.path(), out.path(), &["--site-only"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let site = out.path().join("site");
    snapshot(
        "page-languages.txt",
        &visible_text(&fs::read_to_string(site.join("index.html")).unwrap()),
    );
    for (lang, code) in STATES {
        for (kind, rel) in [
            ("home", "index.html".to_string()),
            ("state", format!("states/{code}.html")),
            ("checks", "checks.html".to_string()),
            ("participation", "participation.html".to_string()),
            ("receipts", "receipts.html".to_string()),
            ("page", "pages/verify.html".to_string()),
        ] {
            let html = fs::read_to_string(site.join(lang).join(&rel))
                .unwrap_or_else(|e| panic!("{lang}/{rel}: {e}"));
            snapshot(&format!("page-{kind}-{lang}.txt"), &visible_text(&html));
        }
    }
}

/// The text a template writes by itself, outside `{{ }}`, `{% %}`,
/// `{# #}`, tags, `<style>` and `<script>`: none may hold a letter,
/// digit or punctuation (whitespace only), nor may a reader-facing
/// attribute.
fn literal_text(template: &str) -> Vec<String> {
    let mut s = String::new();
    let mut rest = template;
    while let Some(i) = rest.find(['{']) {
        s.push_str(&rest[..i]);
        let close = match &rest[i..i + 2.min(rest.len() - i)] {
            "{{" => "}}",
            "{%" => "%}",
            "{#" => "#}",
            _ => {
                s.push('{');
                rest = &rest[i + 1..];
                continue;
            }
        };
        let end = rest[i..].find(close).map_or(rest.len(), |j| i + j + 2);
        s.push('\u{0}');
        rest = &rest[end..];
    }
    s.push_str(rest);
    let mut found = Vec::new();
    // Reader-facing attributes.
    for attr in ["aria-label=\"", "title=\"", "alt=\"", "placeholder=\""] {
        for (i, _) in s.match_indices(attr) {
            let v = &s[i + attr.len()..];
            let v = &v[..v.find('"').unwrap_or(v.len())];
            if v.chars().any(|c| c.is_alphanumeric()) {
                found.push(format!("{attr}{v}\""));
            }
        }
    }
    // Element content.
    let mut text = String::new();
    let mut rest = s.as_str();
    while !rest.is_empty() {
        for skipped in ["style", "script"] {
            if rest.starts_with(&format!("<{skipped}")) {
                let end = rest
                    .find(&format!("</{skipped}>"))
                    .map_or(rest.len(), |i| i + skipped.len() + 3);
                rest = &rest[end..];
            }
        }
        if let Some(after) = rest.strip_prefix('<') {
            rest = &after[after.find('>').map_or(after.len(), |i| i + 1)..];
            text.push('\u{0}');
            continue;
        }
        let next = rest.find('<').unwrap_or(rest.len());
        text.push_str(&rest[..next]);
        rest = &rest[next..];
    }
    for piece in text.split('\u{0}') {
        let p = piece.trim();
        // A file name (`secretariat.pub`) is the same in every language.
        let file_name = p.contains('.')
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c));
        if !p.is_empty() && !file_name {
            found.push(p.to_string());
        }
    }
    found
}

#[test]
fn no_template_holds_reader_text_outside_the_translation_files() {
    let dir = support::repo_root().join("themes/default/templates");
    let mut bad = Vec::new();
    for e in fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        let text = fs::read_to_string(&path).unwrap();
        for piece in literal_text(&text) {
            bad.push(format!(
                "{}: {piece:?}",
                path.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "text outside the translation files:\n{}",
        bad.join("\n")
    );
    // The check itself finds what the review found.
    assert_eq!(
        literal_text("<p>{{ t.footer_secretariat }}: {{ x }} · <a title=\"Languages\">y</a></p>"),
        ["title=\"Languages\"", ": ", "·", "y"]
            .map(|s| s.trim().to_string())
            .to_vec()
    );
}

/// The review's list of what stayed in English, in French now: the offline
/// page's header, README.txt and the vCard of the bundle (opened with the
/// real `age`), the regional networks and language names of the site, its
/// root language page and its vCards.
#[test]
fn what_the_review_found_in_english_is_in_the_readers_language() {
    let root = example();
    let out = tempfile::tempdir().unwrap();
    let r = support::build(root.path(), out.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let key = root.path().join("keys/demo/states/FRA.key");
    let tar = age_decrypt(&key, &out.path().join("bundles/FRA.tar.gz.age"));
    let page = String::from_utf8(file_in_tar(&tar, "index.html")).unwrap();
    assert!(
        page.starts_with("<!DOCTYPE html>\n<html lang=\"fr\""),
        "{}",
        &page[..80]
    );
    assert!(page.contains("<title>Répertoire"), "{}", &page[..600]);
    for english in [
        "aria-label=\"Languages\"",
        "of the directory",
        "seq ",
        " issued ",
        "Root hash",
    ] {
        let header = &page[..page.find("<main").unwrap()];
        assert!(
            !header.contains(english),
            "{english} in the header: {header}"
        );
    }
    let version = &page[page.find("notice version").unwrap()..];
    let version = &version[..version.find("</p>").unwrap()];
    assert!(
        version.contains("émise le") && version.contains("(UTC)"),
        "the version line in French: {version}"
    );
    let readme = String::from_utf8(file_in_tar(&tar, "README.txt")).unwrap();
    let first = readme.lines().next().unwrap();
    assert!(first.starts_with("Paquet"), "{first}");
    assert!(readme.contains("Bundle of the global"), "English follows");
    let vcf = String::from_utf8(file_in_tar(&tar, "contacts.vcf")).unwrap();
    let unfolded = vcf.replace("\r\n ", "");
    assert!(unfolded.contains("NOTE:Point de contact"), "{unfolded}");
    assert!(!unfolded.contains("point of contact. Availability"));

    let site = out.path().join("site");
    let fr_home = fs::read_to_string(site.join("fr/index.html")).unwrap();
    assert!(
        fr_home.contains("Union européenne"),
        "network names in French"
    );
    assert!(!fr_home.contains("European Union"));
    assert!(fr_home.contains("Toutes les langues"));
    let fr_state = fs::read_to_string(site.join("fr/states/FRA.html")).unwrap();
    assert!(fr_state.contains("anglais"), "language names in French");
    let ar_state = fs::read_to_string(site.join("ar/states/SAU.html")).unwrap();
    assert!(ar_state.contains("الإنكليزية"), "language names in Arabic");
    assert!(ar_state.contains("جامعة الدول العربية") || ar_state.contains("الجامعة العربية"));
    let zh_state = fs::read_to_string(site.join("zh/states/FRA.html")).unwrap();
    assert!(zh_state.contains("区域网络："), "full-width colon");
    let root_page = fs::read_to_string(site.join("index.html")).unwrap();
    for name in ["Répertoire", "Directorio", "справочник", "名录", "الدليل"] {
        assert!(root_page.contains(name), "{name} on the root language page");
    }
    let fr_vcf = fs::read_to_string(site.join("fr/vcf/FRA.vcf")).unwrap();
    assert!(
        fr_vcf
            .replace("\r\n ", "")
            .contains("NOTE:Point de contact")
    );
}
