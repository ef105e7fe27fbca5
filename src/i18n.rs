//! UI strings of one language, with English as the fallback for a key a
//! theme lacks (validation reports it); and the pieces of text pocdir
//! assembles from them: dates and times, durations (with CLDR plural
//! categories through `icu_plurals`), percentages, labels and lists. No
//! punctuation or word of a reader's text is written here: each piece comes
//! from the translation files.

use std::collections::BTreeMap;

use crate::directory::refdata::NameForms;

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

    /// The string of `key` in this language only (no English fallback).
    pub fn own(&self, key: &str) -> Option<&'a str> {
        self.map.get(key).map(String::as_str)
    }

    /// `key` with `{name}` placeholders replaced.
    pub fn fmt(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill(self.get(key), args)
    }

    /// `key` with a State's name in every form the language's sentences
    /// ask for (`{state}`, `{state_the}`, `{state_du}`, `{state_gen}`, …)
    /// and the other placeholders in `args`.
    pub fn fmt_state(&self, key: &str, state: &NameForms, args: &[(&str, &str)]) -> String {
        let mut all: Vec<(&str, &str)> = state.placeholders();
        all.extend_from_slice(args);
        fill(self.get(key), &all)
    }

    /// The key to use for the number `n`: `key_<category>` (CLDR plural
    /// category of this language: zero, one, two, few, many) when the
    /// language defines it, else `key`.
    pub fn plural_key(&self, key: &str, n: u64) -> String {
        let cat = plural_category(self.lang, n);
        let k = format!("{key}_{cat}");
        if cat != "other" && self.map.contains_key(&k) {
            k
        } else {
            key.to_string()
        }
    }

    /// `key` (or its plural form for `n`) with `{n}` replaced.
    pub fn count(&self, key: &str, n: u64) -> String {
        self.fmt(&self.plural_key(key, n), &[("n", &n.to_string())])
    }

    /// A duration in whole minutes: hours and minutes, a zero part left
    /// out ("3 h 5 min", "10 h", "3 ساعات و5 دقائق", "21小时42分钟").
    pub fn duration(&self, minutes: u64) -> String {
        let (h, m) = (minutes / 60, minutes % 60);
        match (h, m) {
            (0, m) => self.count("checks_minutes", m),
            (h, 0) => self.count("checks_hours", h),
            (h, m) => self.fmt(
                "duration_hm",
                &[
                    ("h", &self.count("checks_hours", h)),
                    ("m", &self.count("checks_minutes", m)),
                ],
            ),
        }
    }

    /// A whole percentage ("79%", "79 %").
    pub fn percent(&self, n: u64) -> String {
        self.fmt("percent", &[("n", &n.to_string())])
    }

    /// A label followed by the language's colon ("Secretariat: ",
    /// "Secrétariat\u{a0}: ", "秘书处：").
    pub fn label(&self, key: &str) -> String {
        format!("{}{}", self.get(key), self.get("colon"))
    }

    /// `x` in the language's parentheses.
    pub fn paren(&self, x: &str) -> String {
        format!("{}{x}{}", self.get("paren_open"), self.get("paren_close"))
    }

    /// Items joined with the language's list separator.
    pub fn list<S: AsRef<str>>(&self, items: &[S]) -> String {
        let sep = self.get("list_separator");
        let mut out = String::new();
        for (i, x) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(sep);
            }
            out.push_str(x.as_ref());
        }
        out
    }

    /// Days of the week as the directory writes them (`mon-fri`,
    /// `mon,wed`), in the language ("Mon–Fri", "周一至周五").
    pub fn days(&self, spec: &str) -> String {
        let one = |d: &str| self.get(&format!("day_{d}")).to_string();
        match spec.split_once('-') {
            Some((a, b)) => format!("{}{}{}", one(a), self.get("range_dash"), one(b)),
            None => self.list(&spec.split(',').map(one).collect::<Vec<_>>()),
        }
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
        let day = match (di, self.own("date_day_1")) {
            (1, Some(first)) if !first.is_empty() => first.to_string(),
            _ => di.to_string(),
        };
        self.fmt("date_format", &[("d", &day), ("month", month), ("y", y)])
    }

    /// A date in the language's long form.
    pub fn day(&self, d: jiff::civil::Date) -> String {
        self.date(&d.to_string())
    }

    /// A moment, in UTC, in the language's form with its time zone
    /// ("22 November 2026, 18:25 UTC", "22 novembre 2026 à 18 h 25 (UTC)").
    pub fn timestamp(&self, ts: jiff::Timestamp) -> String {
        let z = ts.to_zoned(jiff::tz::TimeZone::UTC);
        let time = self.fmt(
            "time_format",
            &[
                ("hh", &format!("{:02}", z.hour())),
                ("mm", &format!("{:02}", z.minute())),
            ],
        );
        self.fmt(
            "timestamp_format",
            &[("date", &self.day(z.date())), ("time", &time)],
        )
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

/// `text` with each `{name}` of `args` replaced, in one pass (a value that
/// itself holds braces is never expanded again).
fn fill(text: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match args.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The CLDR cardinal plural category of `n` in `lang` ("zero", "one",
/// "two", "few", "many" or "other"), from `icu_plurals`' compiled data.
pub fn plural_category(lang: &str, n: u64) -> &'static str {
    use icu_plurals::{PluralCategory, PluralRules};
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static RULES: RefCell<HashMap<String, Option<PluralRules>>> = RefCell::new(HashMap::new());
    }
    let cat = RULES.with(|rules| {
        let mut rules = rules.borrow_mut();
        let r = rules.entry(lang.to_string()).or_insert_with(|| {
            let loc: icu_locale_core::Locale = lang.parse().ok()?;
            PluralRules::try_new_cardinal((&loc).into()).ok()
        });
        r.as_ref().map(|r| r.category_for(n))
    });
    match cat {
        Some(PluralCategory::Zero) => "zero",
        Some(PluralCategory::One) => "one",
        Some(PluralCategory::Two) => "two",
        Some(PluralCategory::Few) => "few",
        Some(PluralCategory::Many) => "many",
        _ => "other",
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

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn dates_and_placeholders() {
        let en = map(&[
            ("date_format", "{d} {month} {y}"),
            ("month_6", "June"),
            ("x", "{n} States"),
            ("time_format", "{hh}:{mm}"),
            ("timestamp_format", "{date}, {time} UTC"),
        ]);
        let zh = map(&[("date_format", "{y}年{month}{d}日"), ("month_6", "6月")]);
        let fr = map(&[
            ("date_format", "{d} {month} {y}"),
            ("month_6", "juin"),
            ("date_day_1", "1er"),
            ("time_format", "{hh} h {mm}"),
            ("timestamp_format", "{date} à {time} (UTC)"),
        ]);
        let e = Strings::new("en", &en, &en);
        assert_eq!(e.date("2026-06-05"), "5 June 2026");
        assert_eq!(e.date("2026-06-01"), "1 June 2026");
        let z = Strings::new("zh", &zh, &en);
        assert_eq!(z.date("2026-06-05"), "2026年6月5日");
        assert_eq!(z.fmt("x", &[("n", "3")]), "3 States");
        let f = Strings::new("fr", &fr, &en);
        assert_eq!(f.date("2026-06-01"), "1er juin 2026");
        let ts: jiff::Timestamp = "2026-06-01T08:05:00Z".parse().unwrap();
        assert_eq!(f.timestamp(ts), "1er juin 2026 à 08 h 05 (UTC)");
        assert_eq!(e.timestamp(ts), "1 June 2026, 08:05 UTC");
        // A value holding braces is not expanded again.
        assert_eq!(e.fmt("x", &[("n", "{n}")]), "{n} States");
        assert_eq!(dir("ar"), "rtl");
        assert_eq!(dir("fr"), "ltr");
    }

    #[test]
    fn durations_agree_with_the_number() {
        let en = map(&[
            ("checks_hours", "{n} h"),
            ("checks_minutes", "{n} min"),
            ("duration_hm", "{h} {m}"),
        ]);
        let ar = map(&[
            ("checks_hours", "{n} ساعة"),
            ("checks_hours_one", "ساعة واحدة"),
            ("checks_hours_two", "ساعتان"),
            ("checks_hours_few", "{n} ساعات"),
            ("checks_minutes", "{n} دقيقة"),
            ("checks_minutes_few", "{n} دقائق"),
            ("duration_hm", "{h} و{m}"),
        ]);
        let zh = map(&[
            ("checks_hours", "{n}小时"),
            ("checks_minutes", "{n}分钟"),
            ("duration_hm", "{h}{m}"),
        ]);
        let e = Strings::new("en", &en, &en);
        assert_eq!(e.duration(3 * 60 + 5), "3 h 5 min");
        assert_eq!(e.duration(10 * 60), "10 h", "no zero part");
        assert_eq!(e.duration(42), "42 min");
        let a = Strings::new("ar", &ar, &en);
        assert_eq!(a.duration(3 * 60 + 5), "3 ساعات و5 دقائق");
        assert_eq!(a.duration(10 * 60), "10 ساعات");
        assert_eq!(a.duration(19 * 60 + 9), "19 ساعة و9 دقائق");
        assert_eq!(a.duration(60), "ساعة واحدة");
        assert_eq!(a.duration(120), "ساعتان");
        let z = Strings::new("zh", &zh, &en);
        assert_eq!(z.duration(21 * 60 + 42), "21小时42分钟");
        assert_eq!(plural_category("ar", 0), "zero");
        assert_eq!(plural_category("ar", 11), "many");
        assert_eq!(plural_category("ru", 2), "few");
        assert_eq!(plural_category("en", 1), "one");
    }
}
