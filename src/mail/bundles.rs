//! The bundle messages: one per verified account, built only after the
//! bundle's signature has been verified against the directory's
//! secretariat key and its State and expiry checked. The body is in the
//! language its Mission corresponds in (when not English) and in
//! English; the bundle, each of its signatures and the secretariat key's
//! history (`key-history.json`) are attached.

use std::collections::BTreeMap;
use std::path::Path;

use lettre::message::{Attachment, MultiPart, SinglePart, header::ContentType};

use super::{Kind, MailError, Outgoing, Skipped, mailbox};
use crate::bundle::manifest::Trusted;
use crate::bundle::verify::{Expect, Refused, judge};
use crate::directory::load::I18nFile;
use crate::directory::model::{Account, Directory, State};
use crate::i18n::Strings;
use crate::sign::threshold::ThresholdError;

/// An account whose verification is older than the policy: skipped.
pub fn verification_expired(a: &Account, reverify_days: u32, today: jiff::civil::Date) -> bool {
    a.lapsed(reverify_days, today)
}

fn part(t: &Strings, s: &State, tr: &Trusted, key_id: &str, sealed: bool) -> String {
    let code = s.code.as_str();
    let seq = tr.seq.to_string();
    let identity = t.get("readme_key_placeholder");
    format!(
        "{intro}\n\n{key}\n{source}\n\n{open}\n\n\
         \x20 pocdir open {code}.tar.gz.age --identity {identity} --trust secretariat.pub --key-history key-history.json\n\n\
         {tools}\n\n\
         \x20 minisign -Vm {code}.tar.gz.age -p secretariat.pub\n\
         \x20 age -d -i {identity} -o {code}.tar.gz {code}.tar.gz.age\n\
         \x20 tar -xzf {code}.tar.gz\n\n\
         {check}\n\n{site}{footer}\n",
        intro = t.fmt_state(
            "mail_intro",
            &s.forms(t.lang),
            &[
                ("seq", &seq),
                ("issued", &t.timestamp(tr.issued)),
                ("expires", &t.timestamp(tr.expires)),
            ]
        ),
        key = t.fmt("mail_key", &[("key", key_id)]),
        source = t.fmt(
            "mail_key_source",
            &[("page", t.get("mail_key_page")), ("key", key_id)]
        ),
        open = t.get("mail_open"),
        tools = t.get("mail_tools"),
        check = t.fmt("mail_check", &[("code", code)]),
        // A sealed site (issue #16): where its access code is.
        site = if sealed {
            format!("{}\n\n", t.get("offline_site_access"))
        } else {
            String::new()
        },
        footer = t.get("mail_footer"),
    )
}

/// The secretariat key's history build wrote beside the bundles, verified
/// from its anchor; its current set must hold the directory's key.
fn key_history(
    bundles: &Path,
    pk: &crate::sign::PublicKey,
) -> Result<(crate::sign::rotation::KeySet, Vec<u8>), MailError> {
    use crate::sign::history_file::{FILE_NAME, HistoryFile, MAX_BYTES};
    let path = bundles.join(FILE_NAME);
    let bad = |why: String| MailError::Bundle(format!("{}: {why}", path.display()));
    let bytes = std::fs::read(&path).map_err(|e| bad(format!("{e}: build again")))?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(bad("too large".into()));
    }
    let h = HistoryFile::parse(&String::from_utf8_lossy(&bytes))
        .and_then(|f| f.history())
        .map_err(bad)?;
    let set = h.current().clone();
    if set.key(&crate::sign::key_id(pk)) != Some(pk) {
        return Err(bad(format!(
            "its current keys ({}) do not hold keys/secretariat.pub: build again",
            set.ids()
        )));
    }
    Ok((set, bytes))
}

/// A bundle's bytes, its signature files (name, text) and its trusted
/// comment.
type VerifiedBundle = (Vec<u8>, Vec<(String, String)>, Trusted);

/// The bundle and its signatures of a State, verified: at least the key
/// set's threshold of valid signatures by its keys, all with the same
/// trusted comment.
fn verified_bundle(
    set: &crate::sign::rotation::KeySet,
    bundles: &Path,
    s: &State,
    now: jiff::Timestamp,
) -> Result<VerifiedBundle, MailError> {
    let name = crate::bundle::manifest::bundle_name(s.code.as_str(), crate::bundle::FORMAT);
    let path = bundles.join(&name);
    let size = std::fs::metadata(&path)
        .map_err(|e| MailError::Bundle(format!("{}: {e}", path.display())))?
        .len();
    // A bundle is capped (`open::MAX_BUNDLE`, what `open` accepts);
    // anything larger is not a bundle of ours.
    if size > crate::bundle::open::MAX_BUNDLE {
        return Err(MailError::Bundle(format!(
            "{}: {size} bytes, too large for a bundle",
            path.display()
        )));
    }
    let data =
        std::fs::read(&path).map_err(|e| MailError::Bundle(format!("{}: {e}", path.display())))?;
    let mut sigs = Vec::new();
    let first = format!("{name}.minisig");
    sigs.push((
        first.clone(),
        std::fs::read_to_string(bundles.join(&first))
            .map_err(|e| MailError::Bundle(format!("{}.minisig: {e}", path.display())))?,
    ));
    for n in 2..=crate::bundle::open::MAX_SIGNATURES {
        let more = format!("{first}.{n}");
        match std::fs::read_to_string(bundles.join(&more)) {
            Ok(t) => sigs.push((more, t)),
            Err(_) => break,
        }
    }
    // Never send what does not verify.
    let expect = Expect {
        state: Some(s.code.as_str()),
        now,
    };
    let texts: Vec<&str> = sigs.iter().map(|(_, t)| t.as_str()).collect();
    let not_ours = |file: &str, id: &str| {
        MailError::Bundle(format!(
            "{}: the signature does not verify against keys/secretariat.pub (signed by key {id}, not a key of the secretariat's current set, {})",
            bundles.join(file).display(),
            set.ids()
        ))
    };
    let signed = crate::sign::threshold::verify(set, &texts, &data).map_err(|e| match e {
        ThresholdError::Malformed { index } | ThresholdError::Bad { index, .. } => {
            MailError::Bundle(format!(
                "{}: the signature does not verify against keys/secretariat.pub ({e})",
                bundles.join(&sigs[index].0).display()
            ))
        }
        ThresholdError::Comments => MailError::Bundle(format!(
            "{}: its signatures carry different trusted comments",
            path.display()
        )),
        ThresholdError::TooFew { ref others, .. } if !others.is_empty() => {
            not_ours(&sigs[others[0].0].0, &others[0].1)
        }
        ThresholdError::TooFew { found, needed, .. } => MailError::Bundle(format!(
            "{}: {} signature(s) by the secretariat's keys, {needed} needed: the other officers add theirs with `pocdir sign --out <OUT> --secret-key THEIR.key`",
            path.display(),
            found.len(),
        )),
    })?;
    // Never send what another key signed beside the set's signatures.
    if let Some((i, id)) = signed.others.first() {
        return Err(not_ours(&sigs[*i].0, id));
    }
    let tr = judge(&signed.comment, &expect).map_err(|e| {
        MailError::Bundle(match e {
            Refused::OtherKey(_) | Refused::BadSignature => format!(
                "{}: the signature does not verify against keys/secretariat.pub",
                path.display()
            ),
            Refused::Misdirected { signed_for, .. } => {
                format!("{} is signed for {signed_for}", path.display())
            }
            Refused::Expired(t) => format!(
                "{} expired on {}: build again",
                path.display(),
                crate::util::time::fmt_ts(t.expires)
            ),
            Refused::Malformed(m) => format!("{}: {m}", path.display()),
        })
    })?;
    Ok((data, sigs, tr))
}

/// Messages for the States in `only` (all when empty), from the bundles in
/// `bundles`. Returns the messages and what gets none (accounts whose
/// verification lapsed, States without an account). Any bundle that does
/// not verify fails the whole call: nothing is prepared.
pub fn messages(
    dir: &Directory,
    i18n: &BTreeMap<String, I18nFile>,
    bundles: &Path,
    only: &[String],
    today: jiff::civil::Date,
    now: jiff::Timestamp,
) -> Result<(Vec<Outgoing>, Vec<Skipped>), MailError> {
    let pk = crate::sign::PublicKey::from_base64(&dir.secretariat_key.public_key)
        .map_err(|_| MailError::Bundle("the secretariat key is unusable".into()))?;
    let (set, history) = key_history(bundles, &pk)?;
    let from = mailbox(
        Some(&dir.settings.secretariat.name),
        &dir.settings.secretariat.email,
    )?;
    let envelope_from = super::ascii_address(&dir.settings.secretariat.email)?;
    let domain = super::id_domain(&dir.settings.secretariat.email);
    let empty = BTreeMap::new();
    let english = i18n.get("en").map(|f| &f.strings).unwrap_or(&empty);
    let en = Strings::new("en", english, english);
    let date = std::time::SystemTime::UNIX_EPOCH
        + std::time::Duration::from_secs(now.as_second().max(0) as u64);
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for s in dir
        .states
        .iter()
        .filter(|s| only.is_empty() || only.iter().any(|c| *c == s.code))
    {
        if s.accounts.is_empty() {
            skipped.push(Skipped {
                state: s.code,
                account: None,
                reason: "no verified account".into(),
            });
            continue;
        }
        let (data, sigs, tr) = verified_bundle(&set, bundles, s, now)?;
        let hash = crate::util::hash::sha256_hex(&data);
        let local = dir.un_language(s).map(|l| {
            Strings::new(
                l,
                i18n.get(l).map(|f| &f.strings).unwrap_or(english),
                english,
            )
        });
        let seq = tr.seq.to_string();
        let subject_en = en.fmt_state("mail_subject", &s.forms("en"), &[("seq", &seq)]);
        let subject = match &local {
            Some(t) => format!(
                "{} / {subject_en}",
                t.fmt_state("mail_subject", &s.forms(t.lang), &[("seq", &seq)])
            ),
            None => subject_en,
        };
        let mut body = String::new();
        if let Some(t) = &local {
            body.push_str(&part(
                t,
                s,
                &tr,
                &dir.secretariat_key.key_id,
                dir.settings.sealed,
            ));
            body.push_str("\n----------------------------------------\n\n");
        }
        body.push_str(&part(
            &en,
            s,
            &tr,
            &dir.secretariat_key.key_id,
            dir.settings.sealed,
        ));
        for a in &s.accounts {
            if verification_expired(a, dir.settings.reverify_within_days, today) {
                skipped.push(Skipped {
                    state: s.code,
                    account: Some(a.email.clone()),
                    reason: format!(
                        "account verification lapsed on {} (verified {}, the policy is {} days)",
                        a.lapses_on(dir.settings.reverify_within_days),
                        a.verified,
                        dir.settings.reverify_within_days
                    ),
                });
                continue;
            }
            let to = mailbox(a.name.as_deref(), &a.email)
                .map_err(|e| MailError::Header(format!("{}: {e}", s.code)))?;
            let envelope_to = super::ascii_address(&a.email)?;
            // The same State, sequence and account give the same id: a
            // rebuild at the same sequence is not sent again.
            let mid = format!(
                "<bundle.{}.{}.{}@{}>",
                s.code,
                tr.seq,
                &crate::util::hash::sha256_hex(envelope_to.as_bytes())[..16],
                domain
            );
            // The bundle, each of its signatures, and the key history
            // (so a State pinned to any earlier key follows it).
            let octets = ContentType::parse("application/octet-stream")
                .map_err(|e| MailError::Header(e.to_string()))?;
            let mut parts = MultiPart::mixed()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(body.clone()),
                )
                .singlepart(
                    Attachment::new(crate::bundle::manifest::bundle_name(
                        s.code.as_str(),
                        crate::bundle::FORMAT,
                    ))
                    .body(data.clone(), octets.clone()),
                );
            for (file, sig) in &sigs {
                parts = parts.singlepart(
                    Attachment::new(file.clone()).body(sig.clone(), ContentType::TEXT_PLAIN),
                );
            }
            parts = parts.singlepart(
                Attachment::new(crate::sign::history_file::FILE_NAME.to_string())
                    .body(history.clone(), octets),
            );
            let msg = lettre::Message::builder()
                .from(from.clone())
                .to(to)
                .subject(subject.clone())
                .date(date)
                .message_id(Some(mid.clone()))
                .multipart(parts)
                .map_err(|e| MailError::Header(format!("{}: {e}", a.email)))?;
            out.push(Outgoing {
                kind: Kind::Bundle,
                state: s.code,
                account: a.email.clone(),
                envelope_from: envelope_from.clone(),
                envelope_to,
                reference: format!("seq {}", tr.seq),
                bundle_hash: Some(hash.clone()),
                message_id: mid,
                file_name: super::file_name(s.code.as_str(), &a.email),
                eml: msg.formatted(),
            });
        }
    }
    Ok((out, skipped))
}
