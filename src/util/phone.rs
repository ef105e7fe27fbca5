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
    let seen = seen();
    if let Some(p) = seen.lock().ok().and_then(|m| m.get(given).cloned()) {
        return p;
    }
    let p = format(given);
    if let Ok(mut m) = seen.lock() {
        m.insert(given.to_string(), p.clone());
    }
    p
}

fn seen() -> &'static Mutex<HashMap<String, Phone>> {
    static SEEN: OnceLock<Mutex<HashMap<String, Phone>>> = OnceLock::new();
    SEEN.get_or_init(Default::default)
}

const RECORD: &str = "pocdir-phones 1";

/// Take as already formatted the numbers of a record written by
/// [`record`] with the same `code` (the same build of pocdir, so the same
/// metadata): a build whose numbers are all there never loads the
/// metadata. A record of another build, or damaged, gives nothing.
/// Returns how many numbers were taken.
pub fn remember(text: &str, code: &str) -> usize {
    let mut lines = text.split('\n');
    if lines.next() != Some(&format!("{RECORD} {code}")) {
        return 0;
    }
    let mut taken = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let [given, tel, display, valid] = f[..] else {
            return 0;
        };
        let valid = match valid {
            "1" => true,
            "0" => false,
            _ => return 0,
        };
        taken.push((
            given.to_string(),
            Phone {
                tel: tel.to_string(),
                display: display.to_string(),
                valid,
            },
        ));
    }
    let n = taken.len();
    if let Ok(mut m) = seen().lock() {
        m.extend(taken);
    }
    n
}

/// Every number formatted so far, for [`remember`] next time (a number
/// holding a tab or a line break is left out: it is formatted again).
pub fn record(code: &str) -> String {
    let mut rows: Vec<(String, Phone)> = seen()
        .lock()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let bad = |s: &str| s.contains(['\t', '\n', '\r']);
    let mut out = format!("{RECORD} {code}\n");
    for (given, p) in rows {
        if bad(&given) || bad(&p.tel) || bad(&p.display) {
            continue;
        }
        out.push_str(&format!(
            "{given}\t{}\t{}\t{}\n",
            p.tel,
            p.display,
            u8::from(p.valid)
        ));
    }
    out
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
    use super::{phone, record, remember};

    #[test]
    fn a_record_gives_back_its_numbers_and_only_to_the_same_build() {
        let p = phone("+33199001234");
        let text = record("build-a");
        assert!(text.starts_with("pocdir-phones 1 build-a\n"), "{text}");
        assert!(
            text.contains("+33199001234\t+33199001234\t+33 1 99 00 12 34\t1\n"),
            "{text}"
        );
        assert_eq!(remember(&text, "build-b"), 0);
        assert_eq!(remember("pocdir-phones 1 build-a\n+1\tx\n", "build-a"), 0);
        // A remembered number is shown as recorded, without the metadata.
        let n = remember(
            "pocdir-phones 1 build-a\n+19995550100\t+19995550100\t+1 999 RECORDED\t1\n",
            "build-a",
        );
        assert_eq!(n, 1);
        assert_eq!(phone("+19995550100").display, "+1 999 RECORDED");
        assert_eq!(phone("+33199001234"), p);
    }

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
