//! Small checked types of the model: a State's code, a PoC's type, and the
//! ISO dates the model holds (serialised as the strings they were read
//! from, so every export keeps its bytes).

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An ISO 3166-1 alpha-3 code as the directory uses it: three upper-case
/// ASCII letters (a UN State, or XAA–XZZ for a synthetic one). Compares,
/// orders and hashes as its string (so it is `Borrow<str>`: a set of codes
/// is searched with a `&str`, a slice of codes joined).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct StateCode([u8; 3]);

impl std::hash::Hash for StateCode {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.as_str().hash(h)
    }
}

impl std::borrow::Borrow<str> for StateCode {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

/// A string that is not three upper-case ASCII letters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadStateCode(pub String);

impl fmt::Display for BadStateCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is not a State code (three upper-case letters)",
            crate::util::text::quote(&self.0)
        )
    }
}

impl std::error::Error for BadStateCode {}

impl StateCode {
    /// The code, if `s` is three upper-case ASCII letters.
    pub fn parse(s: &str) -> Option<StateCode> {
        match s.as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_uppercase) => {
                Some(StateCode([a, b, c]))
            }
            _ => None,
        }
    }

    pub fn as_str(&self) -> &str {
        // Three ASCII letters, always UTF-8.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl FromStr for StateCode {
    type Err = BadStateCode;
    fn from_str(s: &str) -> Result<StateCode, BadStateCode> {
        StateCode::parse(s).ok_or_else(|| BadStateCode(s.to_string()))
    }
}

impl fmt::Display for StateCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl fmt::Debug for StateCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl AsRef<str> for StateCode {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for StateCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for StateCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for StateCode {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<StateCode> for str {
    fn eq(&self, other: &StateCode) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<StateCode> for String {
    fn eq(&self, other: &StateCode) -> bool {
        self == other.as_str()
    }
}

impl Serialize for StateCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for StateCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<StateCode, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The type of a Point of Contact (`validate::POC_TYPES`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PocType {
    Diplomatic,
    Technical,
}

/// A string that is not a PoC type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadPocType(pub String);

impl fmt::Display for BadPocType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is not a PoC type (diplomatic or technical)",
            crate::util::text::quote(&self.0)
        )
    }
}

impl std::error::Error for BadPocType {}

impl PocType {
    /// Every type, in the order of `validate::POC_TYPES`.
    pub const ALL: [PocType; 2] = [PocType::Diplomatic, PocType::Technical];

    pub fn as_str(self) -> &'static str {
        match self {
            PocType::Diplomatic => "diplomatic",
            PocType::Technical => "technical",
        }
    }

    pub fn parse(s: &str) -> Option<PocType> {
        PocType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

impl FromStr for PocType {
    type Err = BadPocType;
    fn from_str(s: &str) -> Result<PocType, BadPocType> {
        PocType::parse(s).ok_or_else(|| BadPocType(s.to_string()))
    }
}

impl fmt::Display for PocType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl AsRef<str> for PocType {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for PocType {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for PocType {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for PocType {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl Serialize for PocType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PocType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<PocType, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A model date from a string `validate` accepted (`YYYY-MM-DD`).
pub fn parse_date(s: &str) -> Option<Date> {
    crate::directory::validate::fields::date(s).ok()
}

/// Serde for `jiff::civil::Date` as `YYYY-MM-DD` (the form validation
/// accepts, so a date serialises as the string it was read from).
pub mod iso_date {
    use jiff::civil::Date;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(d)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        super::parse_date(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("{s:?} is not a YYYY-MM-DD date")))
    }

    /// The same for an optional date (`null` when absent).
    pub mod option {
        use jiff::civil::Date;
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => s.collect_str(d),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
            Option::<String>::deserialize(d)?
                .map(|s| {
                    super::super::parse_date(&s).ok_or_else(|| {
                        serde::de::Error::custom(format!("{s:?} is not a YYYY-MM-DD date"))
                    })
                })
                .transpose()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_codes_are_three_upper_case_letters() {
        let fra = StateCode::parse("FRA").unwrap();
        assert_eq!(fra.as_str(), "FRA");
        assert_eq!(fra.to_string(), "FRA");
        assert_eq!(format!("{fra:<5}|"), "FRA  |");
        assert_eq!(serde_json::to_string(&fra).unwrap(), "\"FRA\"");
        assert_eq!(
            serde_json::from_str::<StateCode>("\"XAB\"").unwrap(),
            StateCode::parse("XAB").unwrap()
        );
        let owned = String::from("FRA");
        assert_eq!(fra, "FRA");
        assert_eq!(fra, owned);
        assert_eq!(owned, fra);
        assert!(*"FRA" == fra);
        for bad in ["", "FR", "fra", "FRAN", "FR1", "ÉTA", "F A"] {
            assert!(StateCode::parse(bad).is_none(), "{bad:?}");
            assert!(bad.parse::<StateCode>().is_err());
        }
        assert!(serde_json::from_str::<StateCode>("\"fr\"").is_err());
        assert!(StateCode::parse("DEU") < StateCode::parse("FRA"));
        let codes = [fra, StateCode::parse("DEU").unwrap()];
        assert_eq!(codes.join(", "), "FRA, DEU");
        let set: std::collections::BTreeSet<StateCode> = codes.into_iter().collect();
        assert!(set.contains("DEU") && !set.contains("ITA"));
    }

    #[test]
    fn poc_types_are_the_validated_vocabulary() {
        let names: Vec<&str> = PocType::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(names, crate::directory::validate::POC_TYPES);
        for t in PocType::ALL {
            assert_eq!(t.as_str().parse::<PocType>(), Ok(t));
            assert_eq!(
                serde_json::to_string(&t).unwrap(),
                format!("\"{}\"", t.as_str())
            );
        }
        assert!("Technical".parse::<PocType>().is_err());
        assert_eq!(
            serde_json::from_str::<PocType>("\"diplomatic\"").unwrap(),
            PocType::Diplomatic
        );
    }

    #[test]
    fn dates_serialise_as_the_string_they_came_from() {
        #[derive(Serialize, Deserialize)]
        struct D {
            #[serde(with = "iso_date")]
            d: Date,
            #[serde(with = "iso_date::option")]
            e: Option<Date>,
        }
        for s in ["2026-03-31", "0999-01-01", "9999-12-31", "2024-02-29"] {
            let d = parse_date(s).unwrap();
            let json = serde_json::to_string(&D { d, e: Some(d) }).unwrap();
            assert_eq!(json, format!("{{\"d\":\"{s}\",\"e\":\"{s}\"}}"));
            let back: D = serde_json::from_str(&json).unwrap();
            assert_eq!((back.d, back.e), (d, Some(d)));
        }
        let none = serde_json::to_string(&D {
            d: parse_date("2026-01-01").unwrap(),
            e: None,
        })
        .unwrap();
        assert!(none.ends_with("\"e\":null}"), "{none}");
        for bad in ["2026-3-31", "2026-02-30", "26-03-31", "2026-03-31T00:00"] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
    }
}
