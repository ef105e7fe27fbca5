//! Reference data compiled into pocdir: the UN Member and observer States
//! (`refdata/un_states.tsv`, source in `refdata/SOURCE.md`), the known
//! regional PoC networks, and free-mail domains.

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
    fn synthetic_codes() {
        assert!(is_synthetic_code("XAB"));
        assert!(!is_synthetic_code("FRA"));
        assert_eq!(
            synthetic_state("XAB").unwrap().name("fr"),
            "Synthetic State XAB"
        );
    }
}
