//! Phone numbers as people read and dial them: grouped in the
//! international format of the number's country (libphonenumber's
//! metadata, through the `phonenumber` crate) for reading, E.164 for
//! `tel:` links. A number the metadata does not know as valid is shown
//! exactly as given: a wrong grouping would be worse than none.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// A phone number ready for a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone {
    /// For `tel:` links: E.164 (`+33199001234`), or the number as given
    /// without its spaces when it is not a valid number.
    pub tel: String,
    /// For reading: `+33 1 99 00 12 34`, or the number as given.
    pub display: String,
    /// The number is valid for its country (and so was grouped).
    pub valid: bool,
}

/// `given` (E.164, as the directory's files hold numbers) for a page.
///
/// Remembered: the site shows each number in every language (and
/// `phonenumber` takes ~8 µs a number, after ~55 ms loading its metadata
/// on first use), so a build formats each number once.
pub fn phone(given: &str) -> Phone {
    static SEEN: OnceLock<Mutex<HashMap<String, Phone>>> = OnceLock::new();
    let seen = SEEN.get_or_init(Default::default);
    if let Some(p) = seen.lock().ok().and_then(|m| m.get(given).cloned()) {
        return p;
    }
    let p = format(given);
    if let Ok(mut m) = seen.lock() {
        m.insert(given.to_string(), p.clone());
    }
    p
}

/// Load the phone metadata now (on a thread of its own, while something
/// else works) rather than when the first number is shown.
pub fn warm() {
    let _ = phonenumber::parse(None, "+12125550100").map(|n| phonenumber::is_valid(&n));
}

fn format(given: &str) -> Phone {
    let as_given = || Phone {
        tel: given.chars().filter(|c| !c.is_whitespace()).collect(),
        display: given.to_string(),
        valid: false,
    };
    // Only international numbers: without a country, a number cannot be
    // grouped without guessing where it is dialled from.
    if !given.starts_with('+') {
        return as_given();
    }
    let Ok(number) = phonenumber::parse(None, given) else {
        return as_given();
    };
    if !phonenumber::is_valid(&number) {
        return as_given();
    }
    let international = number
        .format()
        .mode(phonenumber::Mode::International)
        .to_string();
    let e164 = number.format().mode(phonenumber::Mode::E164).to_string();
    // What is shown must be what is dialled: the same digits.
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    if digits(&international) != digits(given) || digits(&e164) != digits(given) {
        return as_given();
    }
    Phone {
        tel: e164,
        display: international,
        valid: true,
    }
}

#[cfg(test)]
mod tests {
    use super::phone;

    #[test]
    fn grouped_by_country_and_dialled_in_e164() {
        for (given, display) in [
            ("+33199001234", "+33 1 99 00 12 34"),
            ("+12125550171", "+1 212-555-0171"),
            ("+4930555010101", "+49 30 555010101"),
            ("+81355550101", "+81 3-5555-0101"),
            ("+966115550101", "+966 11 555 0101"),
            ("+20255500101", "+20 2 55500101"),
        ] {
            let p = phone(given);
            assert_eq!(p.display, display, "{given}");
            assert_eq!(p.tel, given, "{given}");
            assert!(p.valid, "{given}");
        }
    }

    #[test]
    fn unknown_or_invalid_numbers_are_shown_as_given() {
        for given in [
            "+999123456789",
            "+33 1",
            "0199001234",
            "+1 (555) 01",
            "not a number",
        ] {
            let p = phone(given);
            assert_eq!(p.display, given);
            assert!(!p.valid, "{given}");
            assert!(!p.tel.contains(' '));
        }
    }
}
