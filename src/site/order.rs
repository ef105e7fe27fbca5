//! States in each language's order, and the index of initial letters that
//! goes with it.
//!
//! Order: the CLDR collation of the page's language (ICU4X's
//! `icu_collator`, its data compiled into pocdir), so "Égypte" sorts among
//! the E in French, "Chile" before "China" in Spanish, and Chinese names by
//! pinyin (CLDR's default collation for `zh`).
//!
//! Index: the way ICU's `AlphabeticIndex` makes one. Each language has a
//! list of index labels, each with a boundary string; a name goes under
//! the last label whose boundary sorts (at primary strength, so accents
//! and case do not count) before or equal to it, provided the name starts
//! in the label's script (a name left in another script, say an English
//! fallback on the Russian page, goes under `#`, after the letters). So
//! accents fold for free ("Égypte" under E), and a letter the language's
//! collation treats as a letter of its own gets a label of its own ("Ñ" in
//! Spanish, "Й" in Russian).
//!
//! - en, fr, es (and any other language): Latin A–Z (es adds Ñ).
//! - ru: the Cyrillic letters that begin words (not Ъ, Ь).
//! - ar: the 28 letters. Decided: the definite article "ال" is not an
//!   initial (as in the UN's own Arabic lists, "الجزائر" is under ج and
//!   sorts among the ج), and the hamza forms of alif (أ إ آ ٱ) fold into
//!   ا for the initial and for the order of the first letter, so
//!   "إثيوبيا", "أذربيجان", "الأرجنتين", "الأردن" follow one another as in
//!   the UN's lists. Both rules apply to the sort key too, so the list and
//!   its index never disagree.
//! - zh: pinyin initials A–Z. Decided: pinyin rather than stroke count,
//!   because CLDR's default Chinese collation is pinyin (the list is in
//!   pinyin order, so an index by stroke would jump around it) and Latin
//!   letters are what readers of the Chinese UN lists expect. No pinyin
//!   dictionary is needed: the `zh` (pinyin) collation data carries a
//!   boundary for each letter (a contraction of U+FDD0 and the letter,
//!   which ICU4X bakes in for exactly this), so a name goes under the
//!   letter whose boundary it follows.

use std::cmp::Ordering;

use icu_collator::options::{CollatorOptions, Strength};
use icu_collator::{Collator, CollatorBorrowed, CollatorPreferences};
use icu_locale_core::Locale;

/// The label of names outside the language's letters.
pub const OTHER: &str = "#";

const LATIN: &[&str] = &[
    "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S",
    "T", "U", "V", "W", "X", "Y", "Z",
];
const SPANISH: &[&str] = &[
    "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "Ñ", "O", "P", "Q", "R",
    "S", "T", "U", "V", "W", "X", "Y", "Z",
];
const CYRILLIC: &[&str] = &[
    "А", "Б", "В", "Г", "Д", "Е", "Ж", "З", "И", "Й", "К", "Л", "М", "Н", "О", "П", "Р", "С", "Т",
    "У", "Ф", "Х", "Ц", "Ч", "Ш", "Щ", "Ы", "Э", "Ю", "Я",
];
const ARABIC: &[&str] = &[
    "ا", "ب", "ت", "ث", "ج", "ح", "خ", "د", "ذ", "ر", "ز", "س", "ش", "ص", "ض", "ط", "ظ", "ع", "غ",
    "ف", "ق", "ك", "ل", "م", "ن", "ه", "و", "ي",
];

#[derive(Clone, Copy, PartialEq)]
enum Script {
    Latin,
    Cyrillic,
    Arabic,
    Han,
}

impl Script {
    fn has(self, c: char) -> bool {
        match self {
            Script::Latin => c.is_alphabetic() && (c as u32) < 0x0250,
            Script::Cyrillic => ('\u{0400}'..='\u{04FF}').contains(&c),
            Script::Arabic => ('\u{0600}'..='\u{06FF}').contains(&c),
            Script::Han => {
                ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c)
            }
        }
    }
}

/// A language's collation and index.
pub struct Collation {
    arabic: bool,
    script: Script,
    full: CollatorBorrowed<'static>,
    primary: CollatorBorrowed<'static>,
    /// (label shown, boundary compared), in order.
    labels: Vec<(String, String)>,
}

/// The sort key of a name: the collation's own sort key of the name as
/// ordered (see [`Collation::sort_text`]), then of the name itself.
pub type Key = (Vec<u8>, Vec<u8>);

fn collator(lang: &str, strength: Option<Strength>) -> CollatorBorrowed<'static> {
    let locale: Locale = lang.parse().unwrap_or(Locale::UNKNOWN);
    let mut options = CollatorOptions::default();
    options.strength = strength;
    Collator::try_new(CollatorPreferences::from(&locale), options)
        // Compiled data covers every locale (falling back to the root
        // collation), so this does not fail; the root is the fallback.
        .or_else(|_| Collator::try_new(CollatorPreferences::from(&Locale::UNKNOWN), options))
        .expect("the root collation is compiled in")
}

impl Collation {
    pub fn new(lang: &str) -> Collation {
        let full = collator(lang, None);
        let primary = collator(lang, Some(Strength::Primary));
        let (script, labels): (Script, Vec<(String, String)>) = match lang {
            "zh" => (
                Script::Han,
                LATIN
                    .iter()
                    .map(|l| (l.to_string(), format!("\u{FDD0}{l}")))
                    .collect(),
            ),
            _ => {
                let (script, list) = match lang {
                    "es" => (Script::Latin, SPANISH),
                    "ru" => (Script::Cyrillic, CYRILLIC),
                    "ar" => (Script::Arabic, ARABIC),
                    _ => (Script::Latin, LATIN),
                };
                (
                    script,
                    list.iter()
                        .map(|l| (l.to_string(), l.to_string()))
                        .collect(),
                )
            }
        };
        // A label the collation does not tell from the one before (a
        // letter that is only an accented form there) would take that
        // letter's names: keep the first only.
        let mut kept: Vec<(String, String)> = Vec::with_capacity(labels.len());
        for l in labels {
            if kept
                .last()
                .is_none_or(|k| primary.compare(&k.1, &l.1) != Ordering::Equal)
            {
                kept.push(l);
            }
        }
        Collation {
            arabic: lang == "ar",
            script,
            full,
            primary,
            labels: kept,
        }
    }

    /// The text a name is ordered and indexed by: the name itself, except
    /// in Arabic (no leading article; alif with hamza as alif).
    pub fn sort_text(&self, name: &str) -> String {
        let name = name.trim();
        if !self.arabic {
            return name.to_string();
        }
        let rest = name
            .strip_prefix("ال")
            .filter(|r| r.chars().count() >= 2)
            .unwrap_or(name);
        let mut chars = rest.chars();
        match chars.next() {
            Some('أ' | 'إ' | 'آ' | 'ٱ') => format!("ا{}", chars.as_str()),
            _ => rest.to_string(),
        }
    }

    /// The key to sort names by (ties: then by code, which the caller adds).
    pub fn key(&self, name: &str) -> Key {
        let mut a = Vec::new();
        let Ok(()) = self.full.write_sort_key_to(&self.sort_text(name), &mut a);
        let mut b = Vec::new();
        let Ok(()) = self.full.write_sort_key_to(name, &mut b);
        (a, b)
    }

    /// Compare two names in this language's order.
    pub fn compare(&self, a: &str, b: &str) -> Ordering {
        self.key(a).cmp(&self.key(b))
    }

    /// The index label of a name: a letter of the language's list, or
    /// [`OTHER`].
    pub fn initial(&self, name: &str) -> &str {
        let text = self.sort_text(name);
        if !text.chars().next().is_some_and(|c| self.script.has(c)) {
            return OTHER;
        }
        let at = self.labels.partition_point(|(_, boundary)| {
            self.primary.compare(boundary, &text) != Ordering::Greater
        });
        match at {
            0 => OTHER,
            i => &self.labels[i - 1].0,
        }
    }
}

/// Sort `items` by the name `name` gives each in `lang`'s order, then by
/// `code`.
pub fn sort<T, C: Ord>(
    lang: &str,
    items: &mut [T],
    name: impl Fn(&T) -> &str,
    code: impl Fn(&T) -> C,
) {
    let c = Collation::new(lang);
    items.sort_by_cached_key(|x| (c.key(name(x)), code(x)));
}

/// A link of an index: the label and the first item (in order) under it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Initial<C> {
    pub letter: String,
    pub code: C,
}

/// The index of `items`, already sorted by [`sort`]: one link per label
/// that has a name, to the first of them, in the list's order.
pub fn index<T, C>(
    lang: &str,
    items: &[T],
    name: impl Fn(&T) -> &str,
    code: impl Fn(&T) -> C,
) -> Vec<Initial<C>> {
    let c = Collation::new(lang);
    let mut out: Vec<Initial<C>> = Vec::new();
    for x in items {
        let letter = c.initial(name(x));
        if out.iter().all(|i| i.letter != letter) {
            out.push(Initial {
                letter: letter.to_string(),
                code: code(x),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `names` shuffled, sorted in `lang`, must come back as given.
    fn assert_order(lang: &str, names: &[&str]) {
        let mut got: Vec<&str> = names.iter().rev().copied().collect();
        got.rotate_left(names.len() / 2);
        sort(lang, &mut got, |s| s, |s| s.to_string());
        assert_eq!(got, names, "{lang}");
    }

    fn initials(lang: &str, names: &[&str]) -> Vec<String> {
        let c = Collation::new(lang);
        names.iter().map(|n| c.initial(n).to_string()).collect()
    }

    #[test]
    fn english() {
        assert_order(
            "en",
            &["China", "Côte d'Ivoire", "Egypt", "Estonia", "Germany"],
        );
        assert_eq!(
            initials("en", &["China", "Egypt", "Zimbabwe"]),
            ["C", "E", "Z"]
        );
    }

    #[test]
    fn french_folds_accents() {
        assert_order(
            "fr",
            &[
                "Allemagne",
                "Chine",
                "Égypte",
                "Équateur",
                "Espagne",
                "Estonie",
                "États-Unis d'Amérique",
            ],
        );
        assert_eq!(
            initials("fr", &["Égypte", "Îles Salomon", "Chine"]),
            ["E", "I", "C"]
        );
    }

    #[test]
    fn spanish() {
        // Modern Spanish: "ch" is no longer a letter of its own.
        assert_order(
            "es",
            &[
                "Alemania", "Camerún", "Chad", "Chile", "China", "Colombia", "Egipto", "España",
                "Estonia",
            ],
        );
        assert_eq!(
            initials("es", &["Níger", "Ñandú", "Omán", "Él"]),
            ["N", "Ñ", "O", "E"]
        );
    }

    #[test]
    fn russian() {
        assert_order(
            "ru",
            &["Алжир", "Германия", "Египет", "Йемен", "Китай", "Эстония"],
        );
        assert_eq!(
            initials(
                "ru",
                &["Египет", "Эстония", "Йемен", "Иран", "Ёлка", "Germany"]
            ),
            ["Е", "Э", "Й", "И", "Е", OTHER]
        );
    }

    #[test]
    fn arabic_ignores_the_article_and_folds_hamza() {
        // As in the UN's Arabic list of Member States.
        assert_order(
            "ar",
            &[
                "إثيوبيا",
                "أذربيجان",
                "الأرجنتين",
                "الأردن",
                "أرمينيا",
                "إستونيا",
                "الجزائر",
                "الصين",
                "مصر",
            ],
        );
        assert_eq!(
            initials(
                "ar",
                &[
                    "الجزائر",
                    "إستونيا",
                    "أذربيجان",
                    "آيسلندا",
                    "الصين",
                    "مصر",
                    "ألمانيا"
                ]
            ),
            ["ج", "ا", "ا", "ا", "ص", "م", "ا"]
        );
    }

    #[test]
    fn chinese_by_pinyin() {
        // ā'ěr, āi, ài, dé, zhōng
        assert_order("zh", &["阿尔及利亚", "埃及", "爱沙尼亚", "德国", "中国"]);
        assert_eq!(
            initials(
                "zh",
                &[
                    "阿尔及利亚",
                    "埃及",
                    "德国",
                    "法国",
                    "中国",
                    "西班牙",
                    "俄罗斯联邦"
                ]
            ),
            ["A", "A", "D", "F", "Z", "X", "E"]
        );
    }

    #[test]
    fn index_links_the_first_of_each_letter() {
        let mut names = vec!["Estonia", "Chile", "Egypt", "China"];
        sort("en", &mut names, |s| s, |s| s.to_string());
        let idx = index("en", &names, |s| s, |s| s.to_string());
        assert_eq!(
            idx,
            [
                Initial {
                    letter: "C".into(),
                    code: "Chile".to_string()
                },
                Initial {
                    letter: "E".into(),
                    code: "Egypt".to_string()
                },
            ]
        );
    }
}
