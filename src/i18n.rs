//! UI strings of one language, with English as the fallback for a key a
//! theme lacks (validation reports it), and localised dates.

use std::collections::BTreeMap;

pub struct Strings<'a> {
    pub lang: &'a str,
    map: &'a BTreeMap<String, String>,
    english: &'a BTreeMap<String, String>,
}

impl<'a> Strings<'a> {
    pub fn new(
        lang: &'a str,
        map: &'a BTreeMap<String, String>,
        english: &'a BTreeMap<String, String>,
    ) -> Self {
        Strings { lang, map, english }
    }

    pub fn get(&self, key: &str) -> &'a str {
        self.map
            .get(key)
            .or_else(|| self.english.get(key))
            .map(String::as_str)
            .unwrap_or("")
    }

    /// `key` with `{name}` placeholders replaced.
    pub fn fmt(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.get(key).to_string();
        for (k, v) in args {
            s = s.replace(&format!("{{{k}}}"), v);
        }
        s
    }

    /// A `YYYY-MM-DD` date in the language's long form.
    pub fn date(&self, iso: &str) -> String {
        let parts: Vec<&str> = iso.split('-').collect();
        let [y, m, d] = parts[..] else {
            return iso.to_string();
        };
        let (Ok(mi), Ok(di)) = (m.parse::<u32>(), d.parse::<u32>()) else {
            return iso.to_string();
        };
        let month = self.get(&format!("month_{mi}"));
        self.fmt(
            "date_format",
            &[("d", &di.to_string()), ("month", month), ("y", y)],
        )
    }

    /// A date in the language's long form.
    pub fn day(&self, d: jiff::civil::Date) -> String {
        self.date(&d.to_string())
    }

    /// All strings, for templates (`t.key`).
    pub fn all(&self) -> BTreeMap<&'a str, &'a str> {
        let mut out: BTreeMap<&str, &str> = self
            .english
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        for (k, v) in self.map {
            out.insert(k, v);
        }
        out
    }
}

/// Text direction of a language.
pub fn dir(lang: &str) -> &'static str {
    match lang {
        "ar" | "he" | "fa" | "ur" | "ps" | "dv" | "yi" => "rtl",
        _ => "ltr",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_placeholders() {
        let en: BTreeMap<String, String> = [
            ("date_format", "{d} {month} {y}"),
            ("month_6", "June"),
            ("x", "{n} States"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let zh: BTreeMap<String, String> =
            [("date_format", "{y}年{month}{d}日"), ("month_6", "6月")]
                .into_iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
        assert_eq!(
            Strings::new("en", &en, &en).date("2026-06-05"),
            "5 June 2026"
        );
        let z = Strings::new("zh", &zh, &en);
        assert_eq!(z.date("2026-06-05"), "2026年6月5日");
        assert_eq!(z.fmt("x", &[("n", "3")]), "3 States");
        assert_eq!(dir("ar"), "rtl");
        assert_eq!(dir("fr"), "ltr");
    }
}
