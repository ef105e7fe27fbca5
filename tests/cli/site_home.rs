//! The home page of each language (issue 14): States only, in the
//! language's collation order, with an index of initial letters; small at
//! 193 States x 4 PoCs; per-language CSVs for people; the bundles' offline
//! page in the same order, one State per printed page.

use std::collections::BTreeMap;
use std::path::Path;

use crate::build::example;
use crate::bundle::{file_in_tar, sealed};
use crate::peers::{age_decrypt, tree};
use crate::support;

const LANGS: [&str; 6] = ["en", "fr", "es", "ru", "zh", "ar"];

/// The example's 15 States in each language's order, worked out by hand
/// from their names (`refdata/un_states.tsv`).
const EXPECTED: [(&str, [&str; 15]); 6] = [
    // Argentina, Brazil, Canada, China, Egypt, Estonia, France, Germany,
    // Japan, Kenya, Mexico, Russian Federation, Saudi Arabia, Senegal,
    // Singapore.
    (
        "en",
        [
            "ARG", "BRA", "CAN", "CHN", "EGY", "EST", "FRA", "DEU", "JPN", "KEN", "MEX", "RUS",
            "SAU", "SEN", "SGP",
        ],
    ),
    // Allemagne, Arabie saoudite, Argentine, Brésil, Canada, Chine,
    // Égypte, Estonie, Fédération de Russie, France, Japon, Kenya,
    // Mexique, Sénégal, Singapour.
    (
        "fr",
        [
            "DEU", "SAU", "ARG", "BRA", "CAN", "CHN", "EGY", "EST", "RUS", "FRA", "JPN", "KEN",
            "MEX", "SEN", "SGP",
        ],
    ),
    // Alemania, Arabia Saudita, Argentina, Brasil, Canadá, China, Egipto,
    // Estonia, Federación de Rusia, Francia, Japón, Kenya, México,
    // Senegal, Singapur.
    (
        "es",
        [
            "DEU", "SAU", "ARG", "BRA", "CAN", "CHN", "EGY", "EST", "RUS", "FRA", "JPN", "KEN",
            "MEX", "SEN", "SGP",
        ],
    ),
    // Аргентина, Бразилия, Германия, Египет, Канада, Кения, Китай,
    // Мексика, Российская Федерация, Саудовская Аравия, Сенегал,
    // Сингапур, Франция, Эстония, Япония.
    (
        "ru",
        [
            "ARG", "BRA", "DEU", "EGY", "CAN", "KEN", "CHN", "MEX", "RUS", "SAU", "SEN", "SGP",
            "FRA", "EST", "JPN",
        ],
    ),
    // Pinyin: 阿根廷 ā, 埃及 āi, 爱沙尼亚 ài, 巴西 bā, 德国 dé, 俄罗斯联邦 é,
    // 法国 fǎ, 加拿大 jiā, 肯尼亚 kěn, 墨西哥 mò, 日本 rì, 塞内加尔 sài,
    // 沙特阿拉伯 shā, 新加坡 xīn, 中国 zhōng.
    (
        "zh",
        [
            "ARG", "EGY", "EST", "BRA", "DEU", "RUS", "FRA", "CAN", "KEN", "MEX", "JPN", "SEN",
            "SAU", "SGP", "CHN",
        ],
    ),
    // Without the article "ال", alif with hamza as alif: (ا) الاتحاد الروسي,
    // الأرجنتين, إستونيا, ألمانيا; (ب) البرازيل; (س) سنغافورة, السنغال;
    // (ص) الصين; (ف) فرنسا; (ك) كندا, كينيا; (م) مصر, المكسيك,
    // المملكة العربية السعودية; (ي) اليابان.
    (
        "ar",
        [
            "RUS", "ARG", "EST", "DEU", "BRA", "SGP", "SEN", "CHN", "FRA", "CAN", "KEN", "EGY",
            "MEX", "SAU", "JPN",
        ],
    ),
];

/// The index each language's home page must show: (letter, first State).
const INDEX: [(&str, &[(&str, &str)]); 6] = [
    (
        "en",
        &[
            ("A", "ARG"),
            ("B", "BRA"),
            ("C", "CAN"),
            ("E", "EGY"),
            ("F", "FRA"),
            ("G", "DEU"),
            ("J", "JPN"),
            ("K", "KEN"),
            ("M", "MEX"),
            ("R", "RUS"),
            ("S", "SAU"),
        ],
    ),
    (
        "fr",
        &[
            ("A", "DEU"),
            ("B", "BRA"),
            ("C", "CAN"),
            ("E", "EGY"),
            ("F", "RUS"),
            ("J", "JPN"),
            ("K", "KEN"),
            ("M", "MEX"),
            ("S", "SEN"),
        ],
    ),
    (
        "es",
        &[
            ("A", "DEU"),
            ("B", "BRA"),
            ("C", "CAN"),
            ("E", "EGY"),
            ("F", "RUS"),
            ("J", "JPN"),
            ("K", "KEN"),
            ("M", "MEX"),
            ("S", "SEN"),
        ],
    ),
    (
        "ru",
        &[
            ("А", "ARG"),
            ("Б", "BRA"),
            ("Г", "DEU"),
            ("Е", "EGY"),
            ("К", "CAN"),
            ("М", "MEX"),
            ("Р", "RUS"),
            ("С", "SAU"),
            ("Ф", "FRA"),
            ("Э", "EST"),
            ("Я", "JPN"),
        ],
    ),
    (
        "zh",
        &[
            ("A", "ARG"),
            ("B", "BRA"),
            ("D", "DEU"),
            ("E", "RUS"),
            ("F", "FRA"),
            ("J", "CAN"),
            ("K", "KEN"),
            ("M", "MEX"),
            ("R", "JPN"),
            ("S", "SEN"),
            ("X", "SGP"),
            ("Z", "CHN"),
        ],
    ),
    (
        "ar",
        &[
            ("ا", "RUS"),
            ("ب", "BRA"),
            ("س", "SGP"),
            ("ص", "CHN"),
            ("ف", "FRA"),
            ("ك", "CAN"),
            ("م", "EGY"),
            ("ي", "JPN"),
        ],
    ),
];

fn text(files: &BTreeMap<String, Vec<u8>>, rel: &str) -> String {
    String::from_utf8(files.get(rel).unwrap_or_else(|| panic!("no {rel}")).clone()).unwrap()
}

/// The codes of `marker`'s occurrences, in order: `marker` then a code.
fn codes_after<'a>(html: &'a str, marker: &str) -> Vec<&'a str> {
    html.match_indices(marker)
        .map(|(i, _)| &html[i + marker.len()..i + marker.len() + 3])
        .collect()
}

/// The home page's list of States (their codes, in order).
fn home_list(html: &str) -> Vec<&str> {
    let start = html
        .find("<ul class=\"states\" id=\"states\"")
        .expect("the list");
    codes_after(&html[start..], "<h3><a href=\"states/")
}

/// The home page's index: (letter, code) in order.
fn home_index(html: &str) -> Vec<(String, String)> {
    let start = html.find("<nav class=\"jump\"").expect("the index");
    let end = start + html[start..].find("</nav>").unwrap();
    html[start..end]
        .split("<li><a href=\"#")
        .skip(1)
        .map(|item| {
            let (code, rest) = item.split_once("\">").unwrap();
            let letter = rest.split_once("</a>").unwrap().0;
            (letter.to_string(), code.to_string())
        })
        .collect()
}

fn site_only(root: &Path, out: &Path) {
    let r = support::build(root, out, &["--site-only"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn home_pages_list_states_in_each_languages_order_with_an_index() {
    let root = example();
    let out = tempfile::tempdir().unwrap();
    site_only(root.path(), out.path());
    let files = tree(&out.path().join("site"));
    for (lang, expected) in EXPECTED {
        let html = text(&files, &format!("{lang}/index.html"));
        assert_eq!(home_list(&html), expected, "{lang}: order of the home page");
        let want: Vec<(String, String)> = INDEX
            .iter()
            .find(|(l, _)| *l == lang)
            .unwrap()
            .1
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(home_index(&html), want, "{lang}: index");
        // Every index link goes to an item of the list.
        for (_, code) in home_index(&html) {
            assert!(html.contains(&format!("<li class=\"state\" id=\"{code}\"")));
        }
        // States only: no PoC on the home page; the filters' data on each
        // State's item.
        assert!(
            !html.contains("class=\"poc"),
            "{lang}: a PoC on the home page"
        );
        assert_eq!(html.matches("data-pocs=\"").count(), 15, "{lang}");
        let heading = html
            .find("<h2 id=\"states-heading\">")
            .expect("a States heading");
        assert!(heading < html.find("<nav class=\"jump\"").unwrap());
    }
    // The State's line: group, types present, 24/7, languages.
    let en = text(&files, "en/index.html");
    let fra = &en[en.find("id=\"FRA\"").unwrap()..];
    let fra = &fra[..fra.find("</li>").unwrap()];
    assert!(fra.contains("data-pocs=\"diplomatic:"), "{fra}");
    assert!(
        fra.contains("Western European and other States · Diplomatic, Technical"),
        "{fra}"
    );
}

#[test]
fn csv_exports_speak_each_language_and_quote_no_phone() {
    let root = example();
    let out = tempfile::tempdir().unwrap();
    site_only(root.path(), out.path());
    let files = tree(&out.path().join("site"));
    let en = text(&files, "directory.csv");
    assert_eq!(en, text(&files, "en/directory.csv"), "English by default");
    assert!(en.starts_with("State code,State,Regional group,Type of Point of Contact,"));
    assert!(en.contains(",Latin American and Caribbean States,"));
    assert!(en.contains(",Business hours,") && en.contains(",24/7,"));
    assert!(!en.contains("latin_american_caribbean") && !en.contains("business_hours"));
    for lang in LANGS {
        let csv = text(&files, &format!("{lang}/directory.csv"));
        let rows: Vec<csv_row::Row> = csv_row::parse(&csv);
        assert_eq!(rows.len(), en.lines().count(), "{lang}");
        for row in &rows {
            for cell in row {
                assert!(!cell.starts_with('\''), "{lang}: quoted cell {cell:?}");
                assert!(!cell.starts_with(['=', '+', '-', '@']), "{lang}: {cell:?}");
            }
        }
        // A phone cell: its use first, then the number as written.
        let phones = 8;
        assert!(
            rows[1][phones].contains(": +") || rows[1][phones].contains("：+"),
            "{lang}: {:?}",
            rows[1][phones]
        );
    }
    let fr = text(&files, "fr/directory.csv");
    assert!(fr.starts_with("Code de l'État,État,Groupe régional,"));
    assert!(fr.contains(",États d'Amérique latine et des Caraïbes,"));
    assert!(fr.contains(",Heures ouvrables,"));
    let zh = text(&files, "zh/directory.csv");
    assert!(zh.starts_with("国家代码,国家,区域集团,"));
    let home = text(&files, "fr/index.html");
    assert!(home.contains("<a href=\"directory.csv\" download>"));
}

/// A minimal RFC 4180 reader, enough for the checks above.
mod csv_row {
    pub type Row = Vec<String>;
    pub fn parse(text: &str) -> Vec<Row> {
        let mut rows = Vec::new();
        let mut row = Vec::new();
        let mut cell = String::new();
        let mut quoted = false;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    cell.push('"');
                    chars.next();
                }
                (true, '"') => quoted = false,
                (true, c) => cell.push(c),
                (false, '"') => quoted = true,
                (false, ',') => row.push(std::mem::take(&mut cell)),
                (false, '\n') => {
                    row.push(std::mem::take(&mut cell));
                    rows.push(std::mem::take(&mut row));
                }
                (false, c) => cell.push(c),
            }
        }
        rows
    }
}

#[test]
fn offline_page_is_in_each_languages_order_one_state_per_printed_page() {
    let root = example();
    let out = tempfile::tempdir().unwrap();
    sealed(root.path(), out.path());
    let plain = age_decrypt(
        &root.path().join("keys/demo/states/FRA.key"),
        &out.path().join("bundles/FRA.tar.gz.age"),
    );
    let page = String::from_utf8(file_in_tar(&plain, "index.html")).unwrap();
    let mut seen = 0;
    for (lang, expected) in EXPECTED {
        let Some(start) = page.find(&format!(
            "<section class=\"offline-section\" id=\"lang-{lang}\""
        )) else {
            continue;
        };
        seen += 1;
        let section = &page[start..start + page[start..].find("</section>").unwrap()];
        let list = &section[section.find("<ul class=\"states\">").unwrap()..];
        assert_eq!(
            codes_after(list, &format!("<li class=\"state\" id=\"{lang}-")),
            expected,
            "{lang}: order of the offline page"
        );
    }
    assert!(seen >= 1, "no language section found");
    assert!(
        page.contains(
            ".offline-section .state, .offline-section + .offline-section { break-before: page; }"
        ),
        "the offline page carries the print rule"
    );
}

/// The home page at 193 States x 4 PoCs: under 300 KB in every language
/// (issue 14). The browser test counts its elements (issue 19).
#[test]
fn home_page_of_193_states_is_under_300_kb() {
    let dir = tempfile::tempdir().unwrap();
    pocdir::synth::write(dir.path(), 193, 4).unwrap();
    let out = tempfile::tempdir().unwrap();
    site_only(dir.path(), out.path());
    for lang in LANGS {
        let path = out.path().join(format!("site/{lang}/index.html"));
        let html = std::fs::read_to_string(&path).unwrap();
        eprintln!("{lang}/index.html at 193 x 4: {} bytes", html.len());
        assert!(
            html.len() < 300 * 1000,
            "{lang}/index.html is {} bytes",
            html.len()
        );
        assert_eq!(home_list(&html).len(), 193, "{lang}: every State listed");
    }
}
