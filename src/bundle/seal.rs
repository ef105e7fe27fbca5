//! Bundles: for each State with verified accounts, the directory as a
//! gzip-compressed tar (manifest, README.txt, directory.json,
//! contacts.csv, contacts.vcf, an offline index.html), encrypted with age
//! to all the State's recipients, and the encrypted file signed
//! (minisign, prehashed) with a trusted comment carrying the format,
//! state, sequence, issue and expiry times and the directory root hash.
//!
//! Format 2 (`<ISO3>.tar.gz.age`): the plaintext is one gzip stream of
//! several members that decompress, concatenated, into one tar: the
//! per-State entries first (manifest.json, README.txt; no end blocks; one
//! member), then the exports every State shares (directory.json,
//! contacts.csv, log.jsonl, key-history.json, contacts.vcf), then the offline page (index.html) and
//! the two zero blocks that end the archive. The shared parts are
//! compressed once per version (each language's section of the page once,
//! the page's own frame once per set of languages), as members of 1 MiB of
//! input each made on every core
//! ([`tarball::gzip_members`]), and reused for every State, so sealing a
//! State compresses only its few kilobytes.
//!
//! This file assembles and encrypts; signing is `crate::sign`.

use std::collections::BTreeMap;
use std::str::FromStr;

use super::manifest::{self, Manifest, Trusted};
use super::tarball;

use crate::directory::model::{Directory, State};
use crate::export;
use crate::i18n::Strings;

/// Names of the files every bundle holds, in tar order (manifest first,
/// then the rest of the per-State part, then the shared part). Bundles
/// sealed since issue #18 also hold the log head,
/// [`checkpoint::LOG_EXCERPT`](super::checkpoint::LOG_EXCERPT) (after
/// contacts.csv), listed in the manifest like the others; `open` reads
/// bundles without it.
pub const FILES: [&str; 6] = [
    "manifest.json",
    "README.txt",
    "directory.json",
    "contacts.csv",
    "contacts.vcf",
    "index.html",
];

/// The bundle format `build` seals (see the module's documentation).
pub const FORMAT: u8 = 2;

/// A directory version: what the log says about the content being sealed.
#[derive(Clone, Debug)]
pub struct Version {
    pub seq: u64,
    pub root: String,
    pub issued: jiff::Timestamp,
    pub expires: jiff::Timestamp,
}

impl Version {
    /// The modification time of every tar entry: the issue time.
    pub fn mtime(&self) -> u64 {
        self.issued.as_second().max(0) as u64
    }
}

/// The languages of a State's offline page: its Mission's correspondence
/// language, English, then the other site languages its PoCs speak.
pub fn offline_languages<'a>(dir: &'a Directory, state: &State) -> Vec<&'a str> {
    // The language its Mission corresponds in first (the page's header
    // speaks it), then English, then the others its PoCs speak.
    let mut out: Vec<&str> = dir
        .settings
        .languages
        .iter()
        .map(String::as_str)
        .filter(|l| *l == state.correspondence_language && *l != "en")
        .collect();
    out.push("en");
    for l in &dir.settings.languages {
        if l != "en"
            && !out.contains(&l.as_str())
            && state
                .points_of_contact
                .iter()
                .any(|p| p.languages.iter().any(|x| x == l))
        {
            out.push(l);
        }
    }
    out.retain(|l| dir.settings.languages.iter().any(|x| x == l));
    if out.is_empty() {
        out.push(dir.settings.default_language.as_str());
    }
    out
}

/// The README.txt of a State's bundle: how to verify and open it, in the
/// language its Mission corresponds in and then in English (`texts`), with
/// the same placeholders as the email; the State's own accounts and its
/// receipt follow, in a form that does not depend on the language.
pub fn readme(texts: &[Strings], state: &State, v: &Version, key_id: &str) -> String {
    let code = state.code.as_str();
    let file = format!("{code}.tar.gz.age");
    let mut out = String::new();
    for (i, t) in texts.iter().enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        let identity = t.get("readme_key_placeholder");
        let title = t.get("readme_title");
        let seq = v.seq.to_string();
        out.push_str(&format!(
            "{title}\n{rule}\n\n{facts}\n{root}\n\n{verify}\n\n\
             \x20 minisign -Vm {file} -p secretariat.pub\n\n{check}\n\n\
             \x20 age -d -i {identity} {file} | tar xz\n\n{all}\n\n\
             \x20 pocdir open {file} --identity {identity} --trust secretariat.pub\n\n\
             {files}\n{report}\n\n{accounts}\n\n{receipt}\n",
            rule = "=".repeat(title.chars().count().clamp(3, 78)),
            facts = t.fmt(
                "readme_facts",
                &[
                    ("code", code),
                    ("seq", &seq),
                    ("issued", &t.timestamp(v.issued)),
                    ("expires", &t.timestamp(v.expires)),
                ]
            ),
            root = t.fmt("readme_root", &[("root", &v.root)]),
            verify = t.fmt("readme_verify_first", &[("file", &file)]),
            check = t.fmt("readme_key_check", &[("key", key_id), ("code", code)]),
            all = t.get("readme_all_at_once"),
            files = t.get("readme_files"),
            report = t.get("readme_report"),
            accounts = t.fmt("readme_accounts", &[("code", code)]),
            receipt = t.fmt("readme_receipt", &[("code", code), ("seq", &seq)]),
        ));
    }
    out
}

/// The files every bundle of a version shares, made once (with their
/// SHA-256), and their tar entries compressed once as gzip members.
pub struct Shared {
    pub directory_json: (Vec<u8>, String),
    pub csv: (Vec<u8>, String),
    /// The excerpt of the version log up to this version (`log.jsonl`, its
    /// log head), with its SHA-256.
    pub log: (Vec<u8>, String),
    /// The secretariat key's history (`key-history.json`), with its
    /// SHA-256, when the directory has one.
    pub key_history: Option<(Vec<u8>, String)>,
    /// directory.json, contacts.csv and log.jsonl as tar entries (no end
    /// blocks), as gzip members.
    pub member: Vec<u8>,
    /// contacts.vcf in each language a bundle is written in (a State's
    /// Mission's language, else English): its SHA-256 and its tar entry
    /// as gzip members.
    pub vcf: BTreeMap<String, (String, Vec<u8>)>,
}

impl Shared {
    /// `canonical`: directory.json, `export::canonical` of the directory
    /// (made once by `build`, whose SHA-256 is the version's root);
    /// `log_excerpt`: the log head the bundles carry
    /// ([`checkpoint::excerpt`](super::checkpoint::excerpt));
    /// `key_history`: the secretariat key's history file
    /// (`sign::history_file`), which every bundle carries too (issue #18).
    pub fn new(
        dir: &Directory,
        v: &Version,
        i18n: &BTreeMap<String, crate::directory::load::I18nFile>,
        canonical: Vec<u8>,
        log_excerpt: &str,
        key_history: Option<&str>,
    ) -> Result<Shared, String> {
        let with_hash = |b: Vec<u8>| {
            let h = crate::util::hash::sha256_hex(&b);
            (b, h)
        };
        let empty = BTreeMap::new();
        let english = i18n.get("en").map(|f| &f.strings).unwrap_or(&empty);
        let langs: std::collections::BTreeSet<&str> = dir
            .states
            .iter()
            .map(|s| dir.un_language(s).unwrap_or("en"))
            .collect();
        let langs: Vec<&str> = langs.into_iter().collect();
        let vcf_job = |lang: &&str| -> Result<(String, (String, Vec<u8>)), String> {
            let t = Strings::new(
                lang,
                i18n.get(*lang).map(|f| &f.strings).unwrap_or(english),
                english,
            );
            let (bytes, hash) = with_hash(export::vcf(&t, dir.states.iter()));
            let tar = tarball::entries(&[("contacts.vcf", &bytes)], v.mtime())
                .map_err(|e| e.to_string())?;
            let member = tarball::gzip_members(&tar).map_err(|e| e.to_string())?;
            Ok((lang.to_string(), (hash, member)))
        };
        // The vCards of each language on every core, the CSV beside them.
        let (csv, vcf) = std::thread::scope(|s| {
            let csv = s.spawn(|| with_hash(export::csv(dir)));
            let vcf = crate::util::parallel::map_few(&langs, vcf_job);
            (csv.join().expect("the export thread panicked"), vcf)
        });
        let directory_json = with_hash(canonical);
        let vcf = vcf.into_iter().collect::<Result<BTreeMap<_, _>, _>>()?;
        let log = with_hash(log_excerpt.as_bytes().to_vec());
        let key_history = key_history.map(|h| with_hash(h.as_bytes().to_vec()));
        let mut entries: Vec<(&str, &[u8])> = vec![
            ("directory.json", &directory_json.0),
            ("contacts.csv", &csv.0),
            (super::checkpoint::LOG_EXCERPT, &log.0),
        ];
        if let Some((h, _)) = &key_history {
            entries.push((crate::sign::history_file::FILE_NAME, h));
        }
        let tar = tarball::entries(&entries, v.mtime()).map_err(|e| e.to_string())?;
        let member = tarball::gzip_members(&tar).map_err(|e| e.to_string())?;
        Ok(Shared {
            directory_json,
            csv,
            log,
            key_history,
            member,
            vcf,
        })
    }
}

/// The offline page of a set of languages, with its SHA-256: the same for
/// every State reading those languages, so it is made (and compressed)
/// once per set.
pub struct OfflinePage {
    pub sha256: String,
    /// index.html as a tar entry followed by the end of the archive, as
    /// gzip members: the last of a bundle.
    pub member: Vec<u8>,
}

/// A part of an offline page, for [`OfflinePage::new`].
pub enum PagePart<'a> {
    /// Text of this page alone, compressed with the page.
    Own(&'a [u8]),
    /// Text shared with other pages (a language's section), given in
    /// pieces with its gzip members made once ([`tarball::gzip_members_of`]
    /// of the same pieces).
    Shared {
        pieces: Vec<&'a [u8]>,
        members: &'a [u8],
    },
}

impl OfflinePage {
    /// The page comes as parts (see `site::offline`): it is hashed without
    /// being put together, and only its own parts are compressed here.
    pub fn new(parts: &[PagePart], v: &Version) -> Result<OfflinePage, String> {
        let mut all: Vec<&[u8]> = Vec::new();
        for p in parts {
            match p {
                PagePart::Own(b) => all.push(b),
                PagePart::Shared { pieces, .. } => all.extend_from_slice(pieces),
            }
        }
        let sha256 = crate::util::hash::sha256_hex_of(&all);
        let size: u64 = all.iter().map(|p| p.len() as u64).sum();
        let header = tarball::header("index.html", size, v.mtime()).map_err(|e| e.to_string())?;
        // Runs of the page's own bytes (the tar header first; the end of
        // the archive last) between the shared sections: each run one
        // gzip stream of members, each section its members as given.
        enum Run<'a> {
            Own(Vec<&'a [u8]>),
            Shared(&'a [u8]),
        }
        let mut runs: Vec<Run> = vec![Run::Own(vec![&header[..]])];
        for p in parts {
            match (p, runs.last_mut()) {
                (PagePart::Own(b), Some(Run::Own(run))) => run.push(b),
                (PagePart::Own(b), _) => runs.push(Run::Own(vec![b])),
                (PagePart::Shared { members, .. }, _) => runs.push(Run::Shared(members)),
            }
        }
        let tail: [&[u8]; 2] = [tarball::padding(size), &tarball::END];
        match runs.last_mut() {
            Some(Run::Own(run)) => run.extend_from_slice(&tail),
            _ => runs.push(Run::Own(tail.to_vec())),
        }
        let own: Vec<&[&[u8]]> = runs
            .iter()
            .filter_map(|r| match r {
                Run::Own(run) => Some(run.as_slice()),
                Run::Shared(_) => None,
            })
            .collect();
        let mut own = tarball::gzip_members_each(&own)
            .map_err(|e| e.to_string())?
            .into_iter();
        let mut member = Vec::new();
        for r in &runs {
            match r {
                Run::Own(_) => member.extend_from_slice(&own.next().unwrap_or_default()),
                Run::Shared(m) => member.extend_from_slice(m),
            }
        }
        Ok(OfflinePage { sha256, member })
    }
}

/// What only one State's bundle carries besides its accounts.
pub struct Own<'a> {
    /// Its receipt block (`receipts::readme_block`), the end of its
    /// README.txt.
    pub receipt: &'a str,
    /// Its access code to a sealed site (issue #16).
    pub site_access: Option<&'a str>,
    /// A sealed site's scripts, `sha256sum` lines (the same for every
    /// State): what a State compares with the scripts the host serves.
    pub site_scripts: Option<&'a str>,
}

/// The file of a State's bundle that holds its access code to a sealed
/// site (issue #16).
pub const SITE_ACCESS: &str = "site-access.txt";
/// The file of a bundle that lists the SHA-256 of a sealed site's scripts.
pub const SITE_SCRIPTS: &str = "site-scripts.sha256";

/// The plaintext of `state`'s bundle: a gzip stream whose first member is
/// the per-State entries, then the shared members. `dir` is the directory
/// judged as of the issue date, so that the same version gives the same
/// bytes. `own`: what only this State's bundle carries.
pub fn plaintext<'a>(
    dir: &Directory,
    shared: &'a Shared,
    state: &State,
    v: &Version,
    offline: &'a OfflinePage,
    own: &Own,
    i18n: &BTreeMap<String, crate::directory::load::I18nFile>,
) -> Result<Plaintext<'a>, String> {
    let (receipt, site_access) = (own.receipt, own.site_access);
    // Only this State's bundle lists its own receiving accounts (and
    // carries its receipt code).
    let empty = BTreeMap::new();
    let english = i18n.get("en").map(|f| &f.strings).unwrap_or(&empty);
    let mut texts = Vec::new();
    if let Some(l) = dir.un_language(state) {
        texts.push(Strings::new(
            l,
            i18n.get(l).map(|f| &f.strings).unwrap_or(english),
            english,
        ));
    }
    texts.push(Strings::new("en", english, english));
    // A sealed site (issue #16): the State's access code, in a file of
    // its own, and a word in each language of the README on where it is.
    let site_words = texts
        .iter()
        .map(|t| t.fmt("readme_site_access", &[("code", state.code.as_str())]))
        .collect::<Vec<_>>()
        .join("\n\n");
    let access_file = site_access.map(|code| format!("{site_words}\n\n  {code}\n").into_bytes());
    let site_note = match &access_file {
        Some(_) => format!("\n{site_words}\n"),
        None => String::new(),
    };
    let readme = (readme(&texts, state, v, &dir.secretariat_key.key_id)
        + &site_note
        + &export::own_accounts(state)
        + receipt)
        .into_bytes();
    let (vcf_hash, vcf_member) = shared
        .vcf
        .get(dir.un_language(state).unwrap_or("en"))
        .ok_or_else(|| format!("{}: no contacts.vcf in its language", state.code))?;
    let mut hashes: BTreeMap<String, String> = BTreeMap::new();
    for (name, (_, hash)) in [
        ("directory.json", &shared.directory_json),
        ("contacts.csv", &shared.csv),
        (super::checkpoint::LOG_EXCERPT, &shared.log),
    ] {
        hashes.insert(name.to_string(), hash.clone());
    }
    if let Some((_, hash)) = &shared.key_history {
        hashes.insert(
            crate::sign::history_file::FILE_NAME.to_string(),
            hash.clone(),
        );
    }
    hashes.insert("contacts.vcf".into(), vcf_hash.clone());
    hashes.insert("index.html".into(), offline.sha256.clone());
    hashes.insert("README.txt".into(), crate::util::hash::sha256_hex(&readme));
    if let Some(a) = &access_file {
        hashes.insert(SITE_ACCESS.into(), crate::util::hash::sha256_hex(a));
    }
    if let Some(s) = own.site_scripts {
        hashes.insert(
            SITE_SCRIPTS.into(),
            crate::util::hash::sha256_hex(s.as_bytes()),
        );
    }
    let m = Manifest {
        format: manifest::FORMAT.to_string(),
        title: dir.settings.title.clone(),
        state: state.code.to_string(),
        seq: v.seq,
        issued: crate::util::time::fmt_ts(v.issued),
        expires: crate::util::time::fmt_ts(v.expires),
        root: v.root.clone(),
        files: hashes,
    };
    let mut mjson = serde_json::to_vec_pretty(&m).map_err(|e| e.to_string())?;
    mjson.push(b'\n');
    let mut own_files: Vec<(&str, &[u8])> =
        vec![("manifest.json", &mjson[..]), ("README.txt", &readme[..])];
    if let Some(a) = &access_file {
        own_files.push((SITE_ACCESS, &a[..]));
    }
    if let Some(s) = own.site_scripts {
        own_files.push((SITE_SCRIPTS, s.as_bytes()));
    }
    let own = tarball::entries(&own_files, v.mtime()).map_err(|e| e.to_string())?;
    let own = tarball::gzip_member(&own).map_err(|e| e.to_string())?;
    Ok(Plaintext {
        own,
        shared: [&shared.member, vcf_member, &offline.member],
    })
}

/// A bundle's plaintext, in the parts it is made of: the State's own
/// member, then the members it shares with other bundles (never copied
/// into one buffer: at 193 x 100 a bundle is 4.4 MB).
pub struct Plaintext<'a> {
    pub own: Vec<u8>,
    pub shared: [&'a [u8]; 3],
}

impl Plaintext<'_> {
    /// The parts in order.
    pub fn parts(&self) -> [&[u8]; 4] {
        [&self.own, self.shared[0], self.shared[1], self.shared[2]]
    }

    /// The whole plaintext in one buffer.
    pub fn to_vec(&self) -> Vec<u8> {
        self.parts().concat()
    }
}

/// Encrypt `plaintext` to every recipient (age X25519 only).
pub fn encrypt(plaintext: &[u8], recipients: &[String]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(plaintext.len() + 1024);
    encrypt_into(&[plaintext], recipients, &mut out)?;
    Ok(out)
}

/// Encrypt the concatenation of `parts` to every recipient (age X25519
/// only) into `out`, as it goes.
pub fn encrypt_into(
    parts: &[&[u8]],
    recipients: &[String],
    out: &mut dyn std::io::Write,
) -> Result<(), String> {
    use std::io::Write;
    let mut boxed: Vec<Box<dyn age::Recipient + Send>> = Vec::new();
    for r in recipients {
        if r.starts_with("age1") {
            boxed.push(Box::new(
                age::x25519::Recipient::from_str(r).map_err(|e| format!("recipient {r}: {e}"))?,
            ));
        } else {
            return Err(format!(
                "recipient {r}: only age X25519 recipients (age1...) are supported"
            ));
        }
    }
    if boxed.is_empty() {
        return Err("no recipient".into());
    }
    let enc =
        age::Encryptor::with_recipients(boxed.iter().map(|r| r.as_ref() as &dyn age::Recipient))
            .map_err(|e| e.to_string())?;
    let mut w = enc.wrap_output(out).map_err(|e| e.to_string())?;
    for p in parts {
        w.write_all(p).map_err(|e| e.to_string())?;
    }
    w.finish().map_err(|e| e.to_string())?;
    Ok(())
}

/// The trusted comment of `state`'s bundle of version `v`.
pub fn trusted(state: &State, v: &Version) -> Trusted {
    Trusted {
        format: FORMAT,
        state: state.code.to_string(),
        seq: v.seq,
        issued: v.issued,
        expires: v.expires,
        root: v.root.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::{OfflinePage, PagePart, Version, tarball};

    fn version() -> Version {
        Version {
            seq: 3,
            root: "ab".repeat(32),
            issued: "2026-12-01T00:00:00Z".parse().unwrap(),
            expires: "2027-01-30T00:00:00Z".parse().unwrap(),
        }
    }

    /// A page whose language sections come compressed once (shared by
    /// other pages) reads back as the same page, with the same hash, as
    /// one compressed here whole.
    #[test]
    fn a_page_with_shared_sections_is_the_same_page() {
        let big: Vec<u8> = (0..3_000_000u32)
            .flat_map(|i| format!("<p>{}</p>", i % 977).into_bytes())
            .take(tarball::MEMBER_INPUT * 2 + 12_345)
            .collect();
        let (fr_a, fr_b): (&[u8], &[u8]) = (b"<section lang=fr>", &big);
        let en: &[u8] = b"<section lang=en>English</section>";
        let fr_members = tarball::gzip_members_of(&[fr_a, fr_b]).unwrap();
        let en_members = tarball::gzip_members_of(&[en]).unwrap();
        let parts = [
            PagePart::Own(b"<!doctype html><main>"),
            PagePart::Shared {
                pieces: vec![fr_a, fr_b],
                members: &fr_members,
            },
            PagePart::Shared {
                pieces: vec![en],
                members: &en_members,
            },
            PagePart::Own(b"</main>"),
        ];
        let page = OfflinePage::new(&parts, &version()).unwrap();
        let whole: Vec<u8> = [
            b"<!doctype html><main>" as &[u8],
            fr_a,
            fr_b,
            en,
            b"</main>",
        ]
        .concat();
        let alone = OfflinePage::new(&[PagePart::Own(&whole)], &version()).unwrap();
        assert_eq!(page.sha256, alone.sha256);
        assert_eq!(page.sha256, crate::util::hash::sha256_hex(&whole));
        // The shared members are used as given, not made again.
        let at = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
        assert!(at(&page.member, &fr_members) && at(&page.member, &en_members));
        let files = tarball::read_gzip(&page.member[..], 1 << 30).unwrap();
        assert_eq!(files.keys().collect::<Vec<_>>(), ["index.html"]);
        assert_eq!(files["index.html"], whole);
        assert_eq!(
            files,
            tarball::read_gzip(&alone.member[..], 1 << 30).unwrap()
        );
    }
}
