//! Ping tokens: `PING-` and four groups of four Crockford base32
//! characters, 80 bits from the operating system's random source, so a
//! token cannot be guessed; and finding them in the text of a reply,
//! whatever the case and whatever surrounds them (quotes, HTML, brackets).
//! Their format is `directory::campaign`'s.

pub use crate::directory::campaign::is_token;
use crate::directory::campaign::{ALPHABET, matches_at};

/// A fresh token.
pub fn new_token() -> Result<String, super::PingError> {
    let mut bytes = [0u8; 10];
    getrandom::fill(&mut bytes).map_err(|e| super::PingError::Random(e.to_string()))?;
    let mut bits: u128 = 0;
    for b in bytes {
        bits = (bits << 8) | u128::from(b);
    }
    let mut out = String::from("PING");
    for i in 0..16 {
        if i % 4 == 0 {
            out.push('-');
        }
        let idx = ((bits >> (75 - 5 * i)) & 31) as usize;
        out.push(ALPHABET[idx] as char);
    }
    Ok(out)
}

/// A fresh Message-ID for a ping: `<ping.` and 130 random bits (26
/// Crockford base32 characters) `@domain>`, so nobody outside the
/// campaign file can guess it and forge a reply "to" it (issue #15).
pub fn new_message_id(domain: &str) -> Result<String, super::PingError> {
    let mut bytes = [0u8; 17];
    getrandom::fill(&mut bytes).map_err(|e| super::PingError::Random(e.to_string()))?;
    let mut bits: u128 = 0;
    for b in &bytes[..16] {
        bits = (bits << 8) | u128::from(*b);
    }
    let mut out = String::from("<ping.");
    for i in 0..25 {
        out.push(ALPHABET[((bits >> (123 - 5 * i)) & 31) as usize] as char);
    }
    out.push(ALPHABET[usize::from(bytes[16] & 31)] as char);
    out.push('@');
    out.push_str(domain);
    out.push('>');
    Ok(out)
}

/// Every token in `text`, upper-cased, in order of appearance.
pub fn find(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 24 <= b.len() {
        if (i == 0 || !b[i - 1].is_ascii_alphanumeric()) && matches_at(b, i) {
            out.push(text[i..i + 24].to_ascii_uppercase());
            i += 24;
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_tokens_are_well_formed_and_differ() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert!(is_token(&a), "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn message_ids_are_random_and_well_formed() {
        let a = new_message_id("secretariat.example").unwrap();
        let b = new_message_id("secretariat.example").unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), "<ping.@secretariat.example>".len() + 26, "{a}");
        assert!(a.starts_with("<ping.") && a.ends_with("@secretariat.example>"));
        assert!(a[6..32].bytes().all(|c| ALPHABET.contains(&c)), "{a}");
    }

    #[test]
    fn tokens_are_found_inside_quotes_html_and_brackets() {
        let t = "PING-7K4Q-M2XD-9TRE-AB12";
        assert!(is_token(t));
        assert_eq!(find(&format!("> Re: [{t}] please")), vec![t]);
        assert_eq!(find(&format!("<p>ref:{}</p>", t.to_lowercase())), vec![t]);
        assert!(find("PING-7K4Q-M2XD-9TRE-AB123").is_empty(), "too long");
        assert!(find("XPING-7K4Q-M2XD-9TRE-AB12").is_empty());
        assert!(
            find("PING-7K4Q-M2XD-9TRE-ABU2").is_empty(),
            "U is not in the alphabet"
        );
        assert!(!is_token("ping-7k4q-m2xd-9tre-ab12"));
    }
}
