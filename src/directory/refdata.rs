//! Reference data compiled into pocdir: the UN Member and observer States
//! (`refdata/un_states.tsv`, source in `refdata/SOURCE.md`) with the forms
//! their names take in a sentence (`refdata/forms/<lang>.tsv`) and their UN
//! working language (`refdata/working_languages.tsv`); the known regional
//! PoC networks with their names in the six languages
//! (`refdata/networks.tsv`); language names (`refdata/language_names.tsv`);
//! and free-mail domains.

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The six official UN languages, in UN order.
pub const UN_LANGUAGES: [&str; 6] = ["ar", "zh", "en", "fr", "ru", "es"];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    African,
    AsiaPacific,
    EasternEuropean,
    LatinAmericanCaribbean,
    WesternEuropeanOthers,
    /// Not in any regional group (the Holy See).
    Observer,
}

impl Group {
    pub const ALL: [Group; 6] = [
        Group::African,
        Group::AsiaPacific,
        Group::EasternEuropean,
        Group::LatinAmericanCaribbean,
        Group::WesternEuropeanOthers,
        Group::Observer,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Group::African => "african",
            Group::AsiaPacific => "asia_pacific",
            Group::EasternEuropean => "eastern_european",
            Group::LatinAmericanCaribbean => "latin_american_caribbean",
            Group::WesternEuropeanOthers => "western_european_others",
            Group::Observer => "observer",
        }
    }

    fn from_key(s: &str) -> Option<Group> {
        Group::ALL.into_iter().find(|g| g.key() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateInfo {
    pub alpha3: String,
    pub alpha2: String,
    pub m49: String,
    /// UN Member State (false: non-member observer State, or synthetic).
    pub member: bool,
    pub group: Group,
    /// Names by language code (`en`, `fr`, `es`, `ru`, `zh`, `ar`).
    pub names: BTreeMap<&'static str, String>,
    /// A user-assigned ISO code accepted only in demo directories.
    pub synthetic: bool,
}

impl StateInfo {
    /// The name in `lang`, or the English name.
    pub fn name(&self, lang: &str) -> &str {
        self.names
            .get(lang)
            .or_else(|| self.names.get("en"))
            .map(String::as_str)
            .unwrap_or(&self.alpha3)
    }
}

const TSV: &str = include_str!("refdata/un_states.tsv");

fn table() -> &'static BTreeMap<String, StateInfo> {
    static TABLE: OnceLock<BTreeMap<String, StateInfo>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut out = BTreeMap::new();
        let langs = ["en", "fr", "es", "ru", "zh", "ar"];
        for line in TSV.lines().skip(1) {
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() != 11 {
                continue;
            }
            let Some(group) = Group::from_key(f[4]) else {
                continue;
            };
            let names = langs
                .iter()
                .zip(&f[5..11])
                .map(|(l, n)| (*l, n.to_string()))
                .collect();
            out.insert(
                f[0].to_string(),
                StateInfo {
                    alpha3: f[0].to_string(),
                    alpha2: f[1].to_string(),
                    m49: f[2].to_string(),
                    member: f[3] == "member",
                    group,
                    names,
                    synthetic: false,
                },
            );
        }
        out
    })
}

/// All 195 UN Member and observer States, by alpha-3 code.
pub fn un_states() -> impl Iterator<Item = &'static StateInfo> {
    table().values()
}

/// The UN State with this alpha-3 code.
pub fn un_state(alpha3: &str) -> Option<&'static StateInfo> {
    table().get(alpha3)
}

/// ISO 3166-1 reserves XAA–XZZ for user assignment: pocdir uses them for
/// synthetic test States, accepted only in a `demo: true` directory.
pub fn is_synthetic_code(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 3 && b[0] == b'X' && b[1].is_ascii_uppercase() && b[2].is_ascii_uppercase()
}

/// Reference entry for a synthetic code (see [`is_synthetic_code`]).
pub fn synthetic_state(code: &str) -> Option<StateInfo> {
    if !is_synthetic_code(code) {
        return None;
    }
    let b = code.as_bytes();
    let idx = (b[1] - b'A') as usize * 26 + (b[2] - b'A') as usize;
    let group = Group::ALL[idx % 5];
    let name = format!("Synthetic State {code}");
    let names = ["en", "fr", "es", "ru", "zh", "ar"]
        .into_iter()
        .map(|l| (l, name.clone()))
        .collect();
    Some(StateInfo {
        alpha3: code.to_string(),
        alpha2: format!("X{}", b[2] as char),
        m49: format!("9{:02}", idx % 100),
        member: false,
        group,
        names,
        synthetic: true,
    })
}

/// Regional and sub-regional organisations that run PoC networks or CBMs.
pub const REGIONAL_NETWORKS: &[(&str, &str)] = &[
    ("ARF", "ASEAN Regional Forum"),
    ("ASEAN", "Association of Southeast Asian Nations"),
    ("AU", "African Union"),
    ("CARICOM", "Caribbean Community"),
    ("CIS", "Commonwealth of Independent States"),
    ("CSTO", "Collective Security Treaty Organization"),
    ("EAC", "East African Community"),
    ("ECOWAS", "Economic Community of West African States"),
    ("EU", "European Union"),
    ("GCC", "Gulf Cooperation Council"),
    ("LAS", "League of Arab States"),
    ("MERCOSUR", "Southern Common Market"),
    (
        "OAS-CICTE",
        "Organization of American States, Inter-American Committee against Terrorism",
    ),
    ("OIC", "Organisation of Islamic Cooperation"),
    (
        "OSCE",
        "Organization for Security and Co-operation in Europe",
    ),
    ("PIF", "Pacific Islands Forum"),
    ("SADC", "Southern African Development Community"),
    ("SCO", "Shanghai Cooperation Organisation"),
    ("SICA", "Central American Integration System"),
];

pub fn is_regional_network(code: &str) -> bool {
    REGIONAL_NETWORKS.iter().any(|(c, _)| *c == code)
}

/// The forms a State's name takes in sentences of one language: the name
/// itself and the language's grammatical forms (`the` in English; `le`,
/// `du` in French; `el`, `del` in Spanish; `gen`, `dat` in Russian; `li`,
/// `bi` in Arabic), each given to translations as a placeholder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameForms {
    pub name: String,
    pub forms: Vec<(&'static str, String)>,
}

/// (language, column of `forms/<lang>.tsv`, placeholder in translations).
pub const FORM_PLACEHOLDERS: [(&str, &str, &str); 9] = [
    ("en", "the", "state_the"),
    ("fr", "le", "state_le"),
    ("fr", "du", "state_du"),
    ("es", "el", "state_el"),
    ("es", "del", "state_del"),
    ("ru", "gen", "state_gen"),
    ("ru", "dat", "state_dat"),
    ("ar", "li", "state_li"),
    ("ar", "bi", "state_bi"),
];

impl NameForms {
    /// Every State placeholder: `{state}`, this language's forms, and the
    /// other languages' form placeholders as the bare name (a string that
    /// fell back to another language still reads).
    pub fn placeholders(&self) -> Vec<(&'static str, &str)> {
        let mut out = vec![("state", self.name.as_str())];
        for (_, _, ph) in FORM_PLACEHOLDERS {
            let v = self
                .forms
                .iter()
                .find(|(p, _)| *p == ph)
                .map_or(self.name.as_str(), |(_, v)| v.as_str());
            out.push((ph, v));
        }
        out
    }

    /// The form whose placeholder is `ph` (`state_du`), or the name.
    pub fn form(&self, ph: &str) -> &str {
        self.forms
            .iter()
            .find(|(p, _)| *p == ph)
            .map_or(self.name.as_str(), |(_, v)| v.as_str())
    }
}

const FORMS: [(&str, &str); 5] = [
    ("en", include_str!("refdata/forms/en.tsv")),
    ("fr", include_str!("refdata/forms/fr.tsv")),
    ("es", include_str!("refdata/forms/es.tsv")),
    ("ru", include_str!("refdata/forms/ru.tsv")),
    ("ar", include_str!("refdata/forms/ar.tsv")),
];

/// (language, alpha3) → (placeholder, form) of that language's file.
type FormsTable = BTreeMap<(&'static str, String), Vec<(&'static str, String)>>;

fn forms_table() -> &'static FormsTable {
    static T: OnceLock<FormsTable> = OnceLock::new();
    T.get_or_init(|| {
        let mut out = BTreeMap::new();
        for (lang, text) in FORMS {
            let mut lines = text.lines();
            let Some(header) = lines.next() else { continue };
            let cols: Vec<&str> = header.split('\t').collect();
            for line in lines {
                let f: Vec<&str> = line.split('\t').collect();
                if f.len() != cols.len() || f.len() < 2 {
                    continue;
                }
                let forms = cols[1..]
                    .iter()
                    .zip(&f[1..])
                    .filter_map(|(c, v)| {
                        FORM_PLACEHOLDERS
                            .iter()
                            .find(|(l, col, _)| *l == lang && col == c)
                            .map(|(_, _, ph)| (*ph, v.to_string()))
                    })
                    .collect();
                out.insert((lang, f[0].to_string()), forms);
            }
        }
        out
    })
}

/// The forms of a State's name in `lang`: from the reference data for a
/// UN State whose name is the reference name, otherwise by the language's
/// plain rule (the bare name; "de"/"d'" in French and "de" in Spanish;
/// the attached prepositions of Arabic).
pub fn name_forms(alpha3: &str, lang: &str, name: &str) -> NameForms {
    let reference = un_state(alpha3).is_some_and(|s| s.name(lang) == name);
    if reference && let Some(f) = forms_table().get(&(lang_key(lang), alpha3.to_string())) {
        return NameForms {
            name: name.to_string(),
            forms: f.clone(),
        };
    }
    let forms = FORM_PLACEHOLDERS
        .iter()
        .filter(|(l, _, _)| *l == lang)
        .map(|(_, col, ph)| (*ph, rule_form(col, name)))
        .collect();
    NameForms {
        name: name.to_string(),
        forms,
    }
}

fn lang_key(lang: &str) -> &'static str {
    FORMS
        .iter()
        .map(|(l, _)| *l)
        .find(|l| *l == lang)
        .unwrap_or("")
}

/// A form by rule, for a name the reference data does not hold.
fn rule_form(col: &str, name: &str) -> String {
    let vowel = name
        .chars()
        .next()
        .is_some_and(|c| "AEIOUYÂÉÈÊÎÔÛH".contains(c.to_uppercase().next().unwrap_or(c)));
    match col {
        "du" if vowel => format!("d'{name}"),
        "du" | "del" => format!("de {name}"),
        "li" => arabic_attached('ل', name),
        "bi" => arabic_attached('ب', name),
        _ => name.to_string(),
    }
}

/// An Arabic one-letter preposition joined to a name: ل + ال → لل, and
/// otherwise the letter written before the word.
pub fn arabic_attached(p: char, name: &str) -> String {
    match (p, name.strip_prefix("ال")) {
        ('ل', Some(rest)) => format!("لل{rest}"),
        _ => format!("{p}{name}"),
    }
}

const WORKING_LANGUAGES: &str = include_str!("refdata/working_languages.tsv");

/// The UN language in which a State's Permanent Mission corresponds with
/// the Secretariat (`refdata/working_languages.tsv`).
pub fn working_language(alpha3: &str) -> Option<&'static str> {
    static T: OnceLock<Tsv> = OnceLock::new();
    T.get_or_init(|| Tsv::parse(WORKING_LANGUAGES))
        .cell(alpha3, "language")
        .map(str::trim)
}

const NETWORKS: &str = include_str!("refdata/networks.tsv");

/// A regional network's acronym and name in `lang` (`refdata/networks.tsv`),
/// or the English ones.
pub fn network_label(code: &str, lang: &str) -> Option<(&'static str, &'static str)> {
    static T: OnceLock<Tsv> = OnceLock::new();
    let table = T.get_or_init(|| Tsv::parse(NETWORKS));
    let pick = |l: &str| -> Option<(&'static str, &'static str)> {
        let a = table.cell(code, &format!("acronym_{l}"))?;
        let n = table.cell(code, &format!("name_{l}"))?;
        Some((a, n))
    };
    pick(lang).or_else(|| pick("en")).or_else(|| {
        REGIONAL_NETWORKS
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(c, n)| (*c, *n))
    })
}

/// The name of the language `code` written in `ui`, else its code.
pub fn language_label(code: &str, ui: &str) -> String {
    language_name(code, ui)
        .or_else(|| language_name(code, "en"))
        .unwrap_or(code)
        .to_string()
}

const LANGUAGE_NAMES: &str = include_str!("refdata/language_names.tsv");

/// The name of the language `code` written in `ui` (CLDR, with UN usage;
/// `refdata/language_names.tsv`).
pub fn language_name(code: &str, ui: &str) -> Option<&'static str> {
    static T: OnceLock<Tsv> = OnceLock::new();
    T.get_or_init(|| Tsv::parse(LANGUAGE_NAMES))
        .cell(code, ui)
        .filter(|n| !n.is_empty())
}

/// A tab-separated reference table compiled into the binary, indexed once
/// by its first column (these lookups run for every PoC of every page).
struct Tsv {
    header: Vec<&'static str>,
    rows: std::collections::HashMap<&'static str, Vec<&'static str>>,
}

impl Tsv {
    fn parse(text: &'static str) -> Tsv {
        let mut lines = text.lines();
        let header = lines.next().unwrap_or_default().split('\t').collect();
        let mut rows = std::collections::HashMap::new();
        for line in lines {
            let fields: Vec<&'static str> = line.split('\t').collect();
            if let Some(key) = fields.first() {
                // The first row of a code wins, as the linear lookup did.
                rows.entry(*key).or_insert(fields);
            }
        }
        Tsv { header, rows }
    }

    fn cell(&self, key: &str, column: &str) -> Option<&'static str> {
        let col = self.header.iter().position(|h| *h == column)?;
        self.rows.get(key)?.get(col).copied()
    }
}

/// Free-mail providers: an official PoC address there is suspicious.
pub const FREEMAIL_DOMAINS: &[&str] = &[
    "126.com",
    "163.com",
    "aol.com",
    "gmail.com",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "googlemail.com",
    "hotmail.com",
    "hotmail.fr",
    "icloud.com",
    "inbox.ru",
    "live.com",
    "mail.com",
    "mail.ru",
    "me.com",
    "msn.com",
    "outlook.com",
    "proton.me",
    "protonmail.com",
    "qq.com",
    "rambler.ru",
    "tutanota.com",
    "web.de",
    "yahoo.co.jp",
    "yahoo.com",
    "yahoo.fr",
    "yandex.com",
    "yandex.ru",
    "zoho.com",
];

pub fn is_freemail(domain: &str) -> bool {
    let d = domain.trim_end_matches('.').to_ascii_lowercase();
    FREEMAIL_DOMAINS.iter().any(|f| *f == d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_195_states_in_six_languages() {
        assert_eq!(un_states().count(), 195);
        assert_eq!(un_states().filter(|s| s.member).count(), 193);
        assert!(un_states().all(|s| s.names.len() == 6 && s.names.values().all(|n| !n.is_empty())));
        assert_eq!(un_state("TUR").unwrap().name("en"), "Türkiye");
        assert_eq!(un_state("CHN").unwrap().name("zh"), "中国");
    }

    #[test]
    fn state_names_take_the_form_their_sentence_needs() {
        let form = |code: &str, lang: &str, ph: &str| {
            let s = un_state(code).unwrap();
            name_forms(code, lang, s.name(lang)).form(ph).to_string()
        };
        for (code, lang, ph, want) in [
            ("RUS", "en", "state_the", "the Russian Federation"),
            ("NLD", "en", "state_the", "the Netherlands (Kingdom of the)"),
            ("CAN", "en", "state_the", "Canada"),
            ("CAN", "fr", "state_le", "le Canada"),
            ("CAN", "fr", "state_du", "du Canada"),
            ("FRA", "fr", "state_du", "de la France"),
            ("DEU", "fr", "state_du", "de l'Allemagne"),
            ("USA", "fr", "state_du", "des États-Unis d'Amérique"),
            ("ISR", "fr", "state_du", "d'Israël"),
            ("ARG", "es", "state_el", "la Argentina"),
            ("CAN", "es", "state_del", "del Canadá"),
            ("MEX", "es", "state_del", "de México"),
            ("RUS", "ru", "state_gen", "Российской Федерации"),
            ("CAN", "ru", "state_dat", "Канаде"),
            ("TGO", "ru", "state_gen", "Того"),
            ("SAU", "ar", "state_li", "للمملكة العربية السعودية"),
            ("EGY", "ar", "state_li", "لمصر"),
            ("EGY", "ar", "state_bi", "بمصر"),
            ("LBN", "ar", "state_li", "للبنان"),
            ("CHN", "zh", "state_the", "中国"),
        ] {
            assert_eq!(form(code, lang, ph), want, "{code} {lang} {ph}");
        }
        // Every State has its forms in every language that has any.
        for (lang, _) in FORMS {
            for s in un_states() {
                assert!(
                    forms_table().contains_key(&(lang, s.alpha3.clone())),
                    "{} has no {lang} forms",
                    s.alpha3
                );
            }
        }
        // Each form holds the UN name it is made from (a name corrected in
        // un_states.tsv and not in forms/ would fail here).
        for s in un_states() {
            for (lang, _, ph) in FORM_PLACEHOLDERS {
                let name = s.name(lang);
                let f = name_forms(&s.alpha3, lang, name);
                let form = f.form(ph);
                let holds = match lang {
                    "fr" => {
                        form.ends_with(name)
                            || form.contains(&name.chars().skip(1).collect::<String>())
                    }
                    "ar" => form.ends_with(name.trim_start_matches("ال")),
                    "ru" => true,
                    _ => form.ends_with(name),
                };
                assert!(
                    holds,
                    "{} {lang} {ph}: {form:?} is not a form of {name:?}",
                    s.alpha3
                );
            }
        }
        // A name the reference data does not hold takes the plain rule.
        let x = name_forms("XAB", "ar", "الدولة س");
        assert_eq!(x.form("state_li"), "للدولة س");
        assert_eq!(
            name_forms("XAB", "fr", "Atlantide").form("state_du"),
            "d'Atlantide"
        );
        // UN names corrected by the review.
        assert_eq!(un_state("NGA").unwrap().name("fr"), "Nigéria");
        assert_eq!(un_state("BTN").unwrap().name("es"), "Bhután");
        assert_eq!(un_state("THA").unwrap().name("ar"), "تايلند");
    }

    #[test]
    fn working_languages_networks_and_language_names() {
        assert_eq!(working_language("FRA"), Some("fr"));
        assert_eq!(working_language("EGY"), Some("ar"));
        assert_eq!(working_language("CAN"), Some("en"));
        assert_eq!(
            un_states()
                .filter(|s| working_language(&s.alpha3).is_some())
                .count(),
            195
        );
        for (code, _) in REGIONAL_NETWORKS {
            for lang in UN_LANGUAGES {
                assert!(network_label(code, lang).is_some(), "{code} {lang}");
            }
        }
        assert_eq!(network_label("EU", "fr").unwrap().0, "UE");
        assert_eq!(language_label("en", "fr"), "anglais");
        assert_eq!(language_label("fr", "zh"), "法语");
    }

    #[test]
    fn synthetic_codes() {
        assert!(is_synthetic_code("XAB"));
        assert!(!is_synthetic_code("FRA"));
        assert_eq!(
            synthetic_state("XAB").unwrap().name("fr"),
            "Synthetic State XAB"
        );
    }
}
