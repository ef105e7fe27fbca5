//! The ready message `pocdir open --receipt FILE` writes: RFC 5322, built
//! with lettre (no hand-written header), addressed to the secretariat's
//! address the bundle carries, from one of the State's own accounts. Every
//! header value passes `mail::address` (no CR/LF or control character).

use lettre::message::header::ContentType;

use super::{Receipt, ReceiptError};

/// The first of the State's receiving accounts listed in its README.txt
/// (`export::own_accounts`): the default sender of a receipt.
pub fn first_own_account(readme: &str) -> Option<String> {
    // `[accounts]` since issue 17; "Accounts of …" in older bundles.
    let mut lines = readme
        .lines()
        .skip_while(|l| *l != "[accounts]" && !l.starts_with("Accounts of "));
    lines.next()?;
    lines
        .skip_while(|l| !l.starts_with("  "))
        .find(|l| l.starts_with("  ") && !l.starts_with("   "))
        .map(|l| {
            let l = l.trim();
            match (l.rfind('<'), l.ends_with('>')) {
                (Some(i), true) => l[i + 1..l.len() - 1].to_string(),
                _ => l.to_string(),
            }
        })
        .filter(|a| crate::mail::ascii_address(a).is_ok())
}

/// The message: `From` the State's account, `To` the secretariat, the
/// receipt line alone on a line of its body. `date` is the message's
/// Date (the time `open` ran); the secretariat never times a receipt by
/// it.
pub fn message(
    receipt: &Receipt,
    to: &str,
    from: &str,
    date: jiff::Timestamp,
) -> Result<Vec<u8>, ReceiptError> {
    let bad = |e: crate::mail::MailError| ReceiptError(e.to_string());
    let to = crate::mail::mailbox(None, to).map_err(bad)?;
    let from_ascii = crate::mail::ascii_address(from).map_err(bad)?;
    let from = crate::mail::mailbox(None, from).map_err(bad)?;
    // From what the receipt is for, never the time: sending the same
    // receipt twice gives the same id.
    let domain = from_ascii.rsplit_once('@').map_or("localhost", |(_, d)| d);
    let message_id = format!(
        "<receipt.{}.{}.{}@{domain}>",
        receipt.state,
        receipt.seq,
        &crate::util::hash::sha256_hex(receipt.line().as_bytes())[..16]
    );
    let body = format!(
        "{state} confirms that it opened version {seq} of the Points of Contact directory.\r\n\r\n{line}\r\n",
        state = receipt.state,
        seq = receipt.seq,
        line = receipt.line()
    );
    let date = std::time::SystemTime::UNIX_EPOCH
        + std::time::Duration::from_secs(date.as_second().max(0) as u64);
    let msg = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(format!(
            "Receipt: {} opened version {} of the Points of Contact directory",
            receipt.state, receipt.seq
        ))
        .date(date)
        .message_id(Some(message_id))
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| ReceiptError(format!("the receipt message: {e}")))?;
    Ok(msg.formatted())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_injection_is_refused() {
        let r = Receipt {
            state: "FRA".into(),
            seq: 7,
            code: "0123456789abcdef0123456789abcdef".into(),
        };
        let t: jiff::Timestamp = "2026-12-01T10:00:00Z".parse().unwrap();
        assert!(message(&r, "a@b.example\r\nBcc: x@y.example", "c@d.example", t).is_err());
        assert!(message(&r, "a@b.example", "c@d.example\nX: y", t).is_err());
        let m = String::from_utf8(message(&r, "a@b.example", "c@d.example", t).unwrap()).unwrap();
        assert!(m.contains("To: a@b.example\r\n"), "{m}");
        assert!(m.contains(&format!("\r\n{}\r\n", r.line())), "{m}");
    }

    #[test]
    fn first_account_of_the_readme() {
        let readme = "x\n\nAccounts of FRA that receive this directory\n----\nListed only.\n\n  Jane <jane@cert.example>\n    recipient: age1x\n  b@c.example\n";
        assert_eq!(
            first_own_account(readme).as_deref(),
            Some("jane@cert.example")
        );
        assert_eq!(first_own_account("nothing"), None);
    }
}
