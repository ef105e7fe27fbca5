//! Checks of single values: one function per kind of field. Each returns
//! `Err((message, hint))` for a bad value; the caller places it.

use std::str::FromStr;

use jiff::civil::Date;

pub type FieldError = (String, String);

fn err(msg: impl Into<String>, hint: impl Into<String>) -> FieldError {
    (msg.into(), hint.into())
}

/// An email address: `local@domain.tld`, nothing else (no display name,
/// no whitespace or control characters, no domain literal). The domain may
/// be internationalised (`cert@пример.рф`, or its `xn--` spelling) when
/// IDNA converts it, as `mail` must to send to it; the syntax and length
/// rules apply to its ASCII form, as DNS sees it. Returns the domain in
/// that ASCII form (lowercased).
pub fn email(s: &str) -> Result<String, FieldError> {
    let hint = "write a plain address such as cert@agency.example";
    if s.is_empty() {
        return Err(err("email address is empty", hint));
    }
    if s.chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
    {
        return Err(err(
            format!(
                "{} is not a plain email address",
                crate::util::text::quote(s)
            ),
            hint,
        ));
    }
    let invalid = || {
        err(
            format!(
                "{} is not a valid email address",
                crate::util::text::quote(s)
            ),
            hint,
        )
    };
    let (local, domain) = s.rsplit_once('@').ok_or_else(invalid)?;
    if domain.is_empty() {
        return Err(invalid());
    }
    let Some(ascii) = crate::util::domain::ascii(domain) else {
        return Err(err(
            format!(
                "{}: the domain is not a valid internationalised domain name",
                crate::util::text::quote(s)
            ),
            "check the domain with the State: IDNA, which mail needs, refuses it",
        ));
    };
    let plain = format!("{local}@{ascii}");
    let opts = email_address::Options {
        minimum_sub_domains: 2,
        allow_domain_literal: false,
        allow_display_text: false,
    };
    match email_address::EmailAddress::parse_with_options(&plain, opts) {
        Ok(a) if a.as_str() == plain => Ok(ascii),
        Ok(_) | Err(_) => Err(invalid()),
    }
}

/// A phone number in E.164: `+`, then 8 to 15 digits, the first not 0.
pub fn e164(s: &str) -> Result<(), FieldError> {
    let hint =
        "write the number in E.164 form: + country code and number, digits only, e.g. +33199001234";
    let Some(digits) = s.strip_prefix('+') else {
        return Err(err(
            format!(
                "phone number {} does not start with +",
                crate::util::text::quote(s)
            ),
            hint,
        ));
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err(
            format!(
                "phone number {} has characters other than digits",
                crate::util::text::quote(s)
            ),
            hint,
        ));
    }
    if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
        return Err(err(
            format!(
                "phone number {} is not E.164 (8 to 15 digits, no leading 0)",
                crate::util::text::quote(s)
            ),
            hint,
        ));
    }
    Ok(())
}

/// An ISO 639-1 language code (two lowercase letters).
pub fn language(s: &str) -> Result<(), FieldError> {
    if s.len() == 2
        && s.bytes().all(|b| b.is_ascii_lowercase())
        && isolang::Language::from_639_1(s).is_some()
    {
        return Ok(());
    }
    Err(err(
        format!(
            "{} is not an ISO 639-1 language code",
            crate::util::text::quote(s)
        ),
        "use the two-letter code: en, fr, es, ru, zh, ar, pt, de, ...",
    ))
}

/// An IANA time zone known to pocdir's bundled tz database.
pub fn time_zone(s: &str) -> Result<(), FieldError> {
    if s.is_empty() || s.len() > 64 || s.contains("..") || s.starts_with('/') {
        return Err(err(
            format!("{} is not an IANA time zone", crate::util::text::quote(s)),
            "e.g. Europe/Paris",
        ));
    }
    match jiff::tz::db().get(s) {
        Ok(_) => Ok(()),
        Err(_) => Err(err(
            format!("{} is not an IANA time zone", crate::util::text::quote(s)),
            "use a name from the IANA database, e.g. Europe/Paris, America/Mexico_City, Asia/Tokyo",
        )),
    }
}

/// A calendar date, `YYYY-MM-DD`.
pub fn date(s: &str) -> Result<Date, FieldError> {
    let hint = "write the date as YYYY-MM-DD, e.g. 2026-03-31";
    if s.len() != 10 {
        return Err(err(
            format!("{} is not a date", crate::util::text::quote(s)),
            hint,
        ));
    }
    Date::from_str(s).map_err(|_| {
        err(
            format!("{} is not a valid date", crate::util::text::quote(s)),
            hint,
        )
    })
}

/// Business hours: `HH:MM-HH:MM`.
pub fn hours(s: &str) -> Result<(), FieldError> {
    let hint = "write opening hours as HH:MM-HH:MM, e.g. 09:00-17:30";
    let ok = s.split_once('-').is_some_and(|(a, b)| {
        let parse = |t: &str| {
            let (h, m) = t.split_once(':')?;
            if h.len() != 2 || m.len() != 2 {
                return None;
            }
            let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
            (h < 24 && m < 60).then_some(h * 60 + m)
        };
        matches!((parse(a), parse(b)), (Some(x), Some(y)) if x < y)
    });
    if ok {
        Ok(())
    } else {
        Err(err(
            format!("{} is not a range of hours", crate::util::text::quote(s)),
            hint,
        ))
    }
}

pub const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Working days: a range `mon-fri` or a list `mon,tue,thu`.
pub fn days(s: &str) -> Result<(), FieldError> {
    let hint = "write days as a range such as mon-fri or sun-thu, or a list such as mon,wed,fri";
    let known = |d: &str| DAYS.contains(&d);
    let ok = match s.split_once('-') {
        Some((a, b)) => known(a) && known(b) && a != b,
        None => !s.is_empty() && s.split(',').all(known),
    };
    if ok {
        Ok(())
    } else {
        Err(err(
            format!("{} is not a set of days", crate::util::text::quote(s)),
            hint,
        ))
    }
}

/// One of a closed vocabulary.
pub fn one_of(s: &str, what: &str, allowed: &[&str]) -> Result<(), FieldError> {
    if allowed.contains(&s) {
        return Ok(());
    }
    let suggestion = allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(s) || similar(a, s))
        .map(|a| format!("did you mean `{a}`? "))
        .unwrap_or_default();
    Err(err(
        format!("{} is not a known {what}", crate::util::text::quote(s)),
        format!("{suggestion}expected one of: {}", allowed.join(", ")),
    ))
}

/// A PoC id: a short slug, 1 to 32 characters, lowercase ASCII letters,
/// digits and inner hyphens (`^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$`).
pub fn poc_id(s: &str) -> Result<(), FieldError> {
    let b = s.as_bytes();
    let allowed = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let ok = (1..=32).contains(&b.len())
        && b.iter().all(|c| allowed(c) || *c == b'-')
        && b.first().is_some_and(allowed)
        && b.last().is_some_and(allowed);
    if ok {
        return Ok(());
    }
    Err(err(
        format!("{} is not a valid PoC id", crate::util::text::quote(s)),
        "write a short slug: 1 to 32 lowercase letters (a-z), digits and inner hyphens, e.g. mfa-digital",
    ))
}

/// Cheap similarity: same length ±1 and at most two differing letters.
fn similar(a: &str, b: &str) -> bool {
    let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let same = a.chars().zip(b.chars()).filter(|(x, y)| x == y).count();
    a.len().max(b.len()) - same <= 2 && a.len() > 3
}

/// An OpenPGP fingerprint: 40 (v4) or 64 (v5/v6) hex digits, spaces allowed.
pub fn openpgp_fingerprint(s: &str) -> Result<(), FieldError> {
    let hex: String = s.chars().filter(|c| *c != ' ').collect();
    if (hex.len() == 40 || hex.len() == 64) && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(err(
            format!(
                "{} is not an OpenPGP fingerprint",
                crate::util::text::quote(s)
            ),
            "give the full fingerprint: 40 hexadecimal digits (v4 keys) or 64 (v6 keys)",
        ))
    }
}

/// An age recipient: X25519 (`age1...`) only. SSH keys are refused (age's
/// SSH support needs the `rsa` crate, RUSTSEC-2023-0071).
pub fn age_recipient(s: &str) -> Result<(), FieldError> {
    let hint = "paste the public key printed by `age-keygen` or `pocdir keygen age --identity FILE` (age1...)";
    if s.starts_with("age1") {
        return age::x25519::Recipient::from_str(s)
            .map(|_| ())
            .map_err(|_| {
                err(
                    format!(
                        "{} is not a valid age recipient",
                        crate::util::text::quote(s)
                    ),
                    hint,
                )
            });
    }
    if s.starts_with("ssh-") {
        return Err(err(
            "ssh-ed25519 recipients are not supported: give an age1… recipient (age-keygen, or pocdir keygen age --identity FILE)",
            hint,
        ));
    }
    Err(err(
        format!("{} is not an age recipient", crate::util::text::quote(s)),
        hint,
    ))
}

/// A minisign public key: the base64 line, or the two-line file form.
pub fn minisign_public_key(s: &str) -> Result<crate::sign::PublicKey, FieldError> {
    let hint = "use the public key written by `pocdir keygen signing --secret-key FILE --public-key keys/secretariat.pub` or `minisign -G` (a line starting with RW)";
    let line = s
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
        .unwrap_or("");
    crate::sign::PublicKey::from_base64(line)
        .map_err(|_| err("not a valid minisign public key", hint))
}

/// A reviewer's login on a forge (GitHub, GitLab): 1 to 39 ASCII
/// letters, digits, `.`, `_` or `-`, starting with a letter or digit.
pub fn is_login(s: &str) -> bool {
    (1..=39).contains(&s.len())
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Text shown on one line (names, entities): no line breaks or controls.
pub fn single_line(s: &str, what: &str) -> Result<(), FieldError> {
    if s.trim().is_empty() {
        return Err(err(format!("{what} is empty"), format!("give the {what}")));
    }
    if s.chars().any(|c| c.is_control()) {
        return Err(err(
            format!(
                "{what} {} spans several lines or holds control characters",
                crate::util::text::quote(s)
            ),
            "write it on one line",
        ));
    }
    if s.chars().count() > 300 {
        return Err(err(
            format!("{what} is longer than 300 characters"),
            "shorten it",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            email("cert@agency.fra.example").unwrap(),
            "agency.fra.example"
        );
        assert!(email("Name <a@b.example>").is_err());
        assert!(email("a@b").is_err());
        assert!(email("a@b.example\r\nBcc: x@y.example").is_err());
        assert!(email("no-at-sign.example").is_err());
        assert_eq!(
            email("a@").unwrap_err().0,
            "\"a@\" is not a valid email address"
        );
        assert!(email("@b.example").is_err());
    }

    #[test]
    fn internationalised_domains() {
        assert_eq!(email("cert@пример.рф").unwrap(), "xn--e1afmkfd.xn--p1ai");
        assert_eq!(
            email("cert@xn--e1afmkfd.xn--p1ai").unwrap(),
            "xn--e1afmkfd.xn--p1ai"
        );
        assert_eq!(email("a@Пример.РФ").unwrap(), "xn--e1afmkfd.xn--p1ai");
        assert_eq!(email("a@省庁.テスト").unwrap(), "xn--uwt585c.xn--zckzah");
        assert_eq!(
            email("cert@c\u{0435}rt.fra.example").unwrap(),
            "xn--crt-rdd.fra.example",
            "a mixed-script domain is valid: `check` warns about it"
        );
        assert_eq!(
            email("a@ＣＥＲＴ.example").unwrap(),
            "cert.example",
            "fullwidth letters are the ASCII domain they map to"
        );
        // 32 Cyrillic letters: 64 bytes of UTF-8, but a 36-letter label in
        // DNS, within its 63.
        let long = format!("a@{}.example", "б".repeat(32));
        assert!(email(&long).is_ok(), "{long}");
        assert!(email("a@xn--zz.example").is_err(), "bad Punycode");
        assert!(email("a@xn--.example").is_err());
        assert!(
            email(&format!("a@{}.example", "б".repeat(64))).is_err(),
            "too long in DNS"
        );
    }

    #[test]
    fn poc_ids() {
        for ok in [
            "cert",
            "mfa-digital",
            "a",
            "0",
            "tech-2",
            "a-b-c",
            &"x".repeat(32),
        ] {
            assert!(poc_id(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "-cert",
            "cert-",
            "Cert",
            "mfa_digital",
            "mfa digital",
            "ministère",
            "cert\n",
            &"x".repeat(33),
        ] {
            assert!(poc_id(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn phones() {
        assert!(e164("+33199001234").is_ok());
        assert!(e164("+33 1 99 00 12 34").is_err());
        assert!(e164("0199001234").is_err());
        assert!(e164("+0123456789").is_err());
        assert!(e164("+1234567").is_err());
    }

    #[test]
    fn languages_zones_dates() {
        assert!(language("fr").is_ok());
        assert!(language("xx").is_err());
        assert!(language("FR").is_err());
        assert!(time_zone("Europe/Paris").is_ok());
        assert!(time_zone("Mars/Olympus").is_err());
        assert!(time_zone("../../etc/passwd").is_err());
        assert!(date("2026-02-29").is_err());
        assert!(date("2024-02-29").is_ok());
    }

    #[test]
    fn hours_and_days() {
        assert!(hours("09:00-17:30").is_ok());
        assert!(hours("17:00-09:00").is_err());
        assert!(hours("9-5").is_err());
        assert!(days("mon-fri").is_ok());
        assert!(days("sun-thu").is_ok());
        assert!(days("mon,wed").is_ok());
        assert!(days("weekdays").is_err());
    }

    #[test]
    fn vocabulary_suggests() {
        let (_, hint) = one_of("diplomatc", "PoC type", &["diplomatic", "technical"]).unwrap_err();
        assert!(hint.contains("did you mean `diplomatic`"), "{hint}");
    }
}
