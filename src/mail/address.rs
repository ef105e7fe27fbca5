//! Names and addresses for headers and envelopes. Anything with a line
//! break or another control character is refused (no header injection);
//! internationalised domain names are turned into their ASCII (IDNA) form
//! so that any server takes them; a local part that is not ASCII would need
//! SMTPUTF8, which pocdir does not use, and is refused with that reason.

use lettre::message::Mailbox;

use super::MailError;

fn header_safe(s: &str, what: &str) -> Result<(), MailError> {
    if s.chars().any(|c| c.is_control()) {
        return Err(MailError::Header(format!(
            "{what} {} holds a line break or a control character",
            crate::util::text::quote(s)
        )));
    }
    Ok(())
}

/// The address with its domain in ASCII (IDNA), or why it cannot be used.
pub fn ascii_address(email: &str) -> Result<String, MailError> {
    header_safe(email, "address")?;
    let (local, domain) = email.rsplit_once('@').ok_or_else(|| {
        MailError::Header(format!(
            "{} is not an address",
            crate::util::text::quote(email)
        ))
    })?;
    if local.is_empty() || !local.is_ascii() {
        return Err(MailError::Header(format!(
            "{}: the part before @ must be ASCII (SMTPUTF8 is not used); ask for another address",
            crate::util::text::quote(email)
        )));
    }
    let domain = idna::domain_to_ascii(domain).map_err(|_| {
        MailError::Header(format!(
            "{}: the domain is not a valid internationalised domain name",
            crate::util::text::quote(email)
        ))
    })?;
    Ok(format!("{local}@{domain}"))
}

/// A header mailbox: the name (encoded by lettre when not ASCII) and the
/// ASCII address.
pub fn mailbox(name: Option<&str>, email: &str) -> Result<Mailbox, MailError> {
    if let Some(n) = name {
        header_safe(n, "name")?;
    }
    let ascii = ascii_address(email)?;
    let addr = ascii
        .parse()
        .map_err(|e| MailError::Header(format!("{}: {e}", crate::util::text::quote(email))))?;
    Ok(Mailbox::new(name.map(str::to_string), addr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idn_domains_become_ascii() {
        assert_eq!(
            ascii_address("pki@ministère.fra.example").unwrap(),
            "pki@xn--ministre-60a.fra.example"
        );
        assert_eq!(
            ascii_address("a@b.example").unwrap(),
            "a@b.example",
            "ASCII is unchanged"
        );
    }

    #[test]
    fn line_breaks_and_non_ascii_local_parts_are_refused() {
        for bad in [
            "a@b.example\r\nBcc: x@evil.example",
            "a@b.example\n",
            "a\u{0}@b.example",
            "élise@b.example",
            "no-at-sign",
        ] {
            assert!(ascii_address(bad).is_err(), "{bad:?}");
        }
        assert!(mailbox(Some("Desk\r\nBcc: x@evil.example"), "a@b.example").is_err());
        assert!(mailbox(Some("Bureau numérique"), "a@b.example").is_ok());
    }
}
