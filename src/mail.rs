//! Emailing the bundles (issue #6), first part: one message per verified
//! account, built with lettre (multipart, the bundle and its signature
//! attached), after the bundle's signature has been verified against the
//! directory's secretariat key. `main` writes them to an outbox; sending
//! through SMTP with a resumable journal, and a body in the State's UN
//! language beside English, are the next part.

use std::path::Path;

use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType};

use crate::bundle::manifest::{self, Trusted};
use crate::load::I18nFile;
use crate::model::{Account, Directory, State};

/// A message ready to go.
pub struct Outgoing {
    pub state: String,
    pub account: String,
    /// SHA-256 of the bundle.
    pub bundle_hash: String,
    pub message_id: String,
    pub eml: Vec<u8>,
}

#[derive(Debug)]
pub enum MailError {
    /// A bundle is missing, unsigned, or its signature does not verify.
    Bundle(String),
    /// An address or name cannot go into a header.
    Header(String),
}

impl std::fmt::Display for MailError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MailError::Bundle(m) | MailError::Header(m) => f.write_str(m),
        }
    }
}

/// Refuse names and addresses that could inject a header.
fn header_safe(s: &str, what: &str) -> Result<(), MailError> {
    if s.chars().any(|c| c.is_control()) {
        return Err(MailError::Header(format!(
            "{what} {} holds a line break or a control character",
            crate::diag::quote(s)
        )));
    }
    Ok(())
}

fn mailbox(name: Option<&str>, email: &str) -> Result<Mailbox, MailError> {
    if let Some(n) = name {
        header_safe(n, "name")?;
    }
    header_safe(email, "address")?;
    let addr = email
        .parse()
        .map_err(|e| MailError::Header(format!("{}: {e}", crate::diag::quote(email))))?;
    Ok(Mailbox::new(name.map(str::to_string), addr))
}

/// An account whose verification is older than the policy: skipped.
pub fn verification_expired(a: &Account, reverify_days: u32, today: jiff::civil::Date) -> bool {
    match crate::validate::fields::date(&a.verified) {
        Ok(d) => (today - d).get_days() > reverify_days as i32,
        Err(_) => true,
    }
}

fn body(s: &State, tr: &Trusted, key_id: &str) -> String {
    format!(
        "Bundle of the global Points of Contact directory for {name} ({code})\n\
         Sequence {seq}, issued {issued}, expires {expires}.\n\
         Secretariat signing key id: {key_id}\n\n\
         Verify, then open (attachments {code}.tar.age and {code}.tar.age.minisig):\n\n\
         \x20 pocdir open {code}.tar.age --identity YOUR-KEY.txt\n\n\
         or with the standard tools:\n\n\
         \x20 minisign -Vm {code}.tar.age -p secretariat.pub\n\
         \x20 age -d -i YOUR-KEY.txt {code}.tar.age | tar x\n\n\
         Check that minisign's trusted comment says state={code}, seq={seq} (not lower than the\n\
         last one you accepted) and an expiry still to come. Do not use a bundle that fails\n\
         any check: report it to the secretariat through your Permanent Mission.\n",
        name = s.name("en"),
        code = s.code,
        seq = tr.seq,
        issued = manifest::fmt_ts(tr.issued),
        expires = manifest::fmt_ts(tr.expires),
    )
}

/// Messages for the States in `only` (all when empty), from the bundles in
/// `bundles`. Returns the messages and warnings (skipped accounts, States
/// without a bundle).
pub fn messages(
    dir: &Directory,
    i18n: &std::collections::BTreeMap<String, I18nFile>,
    bundles: &Path,
    only: &[String],
    today: jiff::civil::Date,
    now: jiff::Timestamp,
) -> Result<(Vec<Outgoing>, Vec<String>), MailError> {
    let pk = minisign::PublicKey::from_base64(&dir.secretariat_key.public_key)
        .map_err(|_| MailError::Bundle("the secretariat key is unusable".into()))?;
    let from = mailbox(
        Some(&dir.settings.secretariat.name),
        &dir.settings.secretariat.email,
    )?;
    let _ = i18n; // the body is in English for now: see the module's doc
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    for s in dir
        .states
        .iter()
        .filter(|s| only.is_empty() || only.contains(&s.code))
    {
        if s.accounts.is_empty() {
            warnings.push(format!("{}: no verified account", s.code));
            continue;
        }
        let path = bundles.join(format!("{}.tar.age", s.code));
        let data = std::fs::read(&path)
            .map_err(|e| MailError::Bundle(format!("{}: {e}", path.display())))?;
        let sig = std::fs::read_to_string(format!("{}.minisig", path.display()))
            .map_err(|e| MailError::Bundle(format!("{}.minisig: {e}", path.display())))?;
        // Never send what does not verify.
        let comment = crate::sign::verify(&pk, &sig, &data).map_err(|_| {
            MailError::Bundle(format!(
                "{}: the signature does not verify against keys/secretariat.pub",
                path.display()
            ))
        })?;
        let tr = Trusted::parse(&comment)
            .map_err(|e| MailError::Bundle(format!("{}: {e}", path.display())))?;
        if tr.state != s.code {
            return Err(MailError::Bundle(format!(
                "{} is signed for {}",
                path.display(),
                tr.state
            )));
        }
        if tr.expires <= now {
            return Err(MailError::Bundle(format!(
                "{} expired on {}: build again",
                path.display(),
                manifest::fmt_ts(tr.expires)
            )));
        }
        let hash = crate::bundle::log::sha256_hex(&data);
        for a in &s.accounts {
            if verification_expired(a, dir.settings.reverify_within_days, today) {
                warnings.push(format!(
                    "{}: {} skipped: its verification ({}) is older than the policy",
                    s.code, a.email, a.verified
                ));
                continue;
            }
            let to = mailbox(a.name.as_deref(), &a.email)?;
            let domain = dir
                .settings
                .secretariat
                .email
                .rsplit('@')
                .next()
                .unwrap_or("secretariat.example");
            let mid = format!(
                "<bundle.{}.{}.{}@{}>",
                s.code,
                tr.seq,
                &crate::bundle::log::sha256_hex(format!("{}{}", a.email, hash).as_bytes())[..16],
                domain
            );
            let msg = lettre::Message::builder()
                .from(from.clone())
                .to(to)
                .subject(format!(
                    "PoC directory: {} bundle, sequence {}",
                    s.name("en"),
                    tr.seq
                ))
                .message_id(Some(mid.clone()))
                .multipart(
                    MultiPart::mixed()
                        .singlepart(
                            SinglePart::builder()
                                .header(ContentType::TEXT_PLAIN)
                                .body(body(s, &tr, &dir.secretariat_key.key_id)),
                        )
                        .singlepart(
                            Attachment::new(format!("{}.tar.age", s.code)).body(
                                data.clone(),
                                ContentType::parse("application/octet-stream")
                                    .map_err(|e| MailError::Header(e.to_string()))?,
                            ),
                        )
                        .singlepart(
                            Attachment::new(format!("{}.tar.age.minisig", s.code))
                                .body(sig.clone(), ContentType::TEXT_PLAIN),
                        ),
                )
                .map_err(|e| MailError::Header(format!("{}: {e}", a.email)))?;
            out.push(Outgoing {
                state: s.code.clone(),
                account: a.email.clone(),
                bundle_hash: hash.clone(),
                message_id: mid,
                eml: msg.formatted(),
            });
        }
    }
    Ok((out, warnings))
}
