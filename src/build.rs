//! `pocdir build`: check, then render the site and seal the bundles, then
//! write each output tree atomically. Nothing is written unless the
//! directory checks without error and everything rendered and sealed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use zeroize::Zeroizing;

use crate::bundle::{self, Version, log};
use crate::directory::diagnostic::Report;
use crate::directory::model::StateCode;
use crate::directory::{Checked, Directory, Options};
use crate::sign;
use crate::site::sealed::SiteSecret;

pub struct BuildOptions<'a> {
    pub root: &'a Path,
    pub out: &'a Path,
    pub as_of: Date,
    /// The time a new directory version is issued at (never before the
    /// log's last version). A log with a version issued later than this
    /// or this computer's clock, whichever is later, is refused (beyond
    /// [`log::CLOCK_SKEW`]).
    pub now: jiff::Timestamp,
    /// The secretariat's secret key file; `None`: the demo key of a demo
    /// directory.
    pub signing_key: Option<PathBuf>,
    /// Asked only when the key is encrypted.
    pub passphrase: &'a dyn Fn() -> Option<Zeroizing<String>>,
    /// Build the site only (no key needed, no bundle, log untouched).
    pub site_only: bool,
    /// The site secret of a sealed site (issue #16); `None`: the demo
    /// secret of a demo directory.
    pub site_secret: Option<PathBuf>,
    /// The site secret's passphrase, asked only when it is encrypted.
    pub site_passphrase: &'a dyn Fn() -> Option<Zeroizing<String>>,
}

/// What a successful build did.
pub struct Built {
    pub report: Report,
    pub sources: BTreeMap<String, String>,
    pub site_files: usize,
    pub states: usize,
    /// Sealed bundles (State codes).
    pub bundles: Vec<StateCode>,
    /// States with no verified account: no bundle.
    pub without_accounts: Vec<StateCode>,
    pub version: Option<Version>,
    /// A new version was appended to the log.
    pub new_version: bool,
    /// The new version renews this one (same content, new expiry).
    pub renews: Option<u64>,
    /// From this time the next build renews the version (when it is not
    /// renewed now).
    pub renew_from: Option<jiff::Timestamp>,
    /// Accounts whose verification is older than the policy on the build's
    /// day (`mail` skips them), with the day each lapsed.
    pub lapsed: Vec<(StateCode, String, Date)>,
    /// States with accounts, none of them eligible: their bundle is sealed
    /// but `mail` sends it to nobody.
    pub no_eligible_account: Vec<StateCode>,
    /// Signature files beside kept bundles that no longer verify with
    /// the current key set (or carry another trusted comment): dropped.
    pub dropped_signatures: Vec<String>,
    /// How many keys of the current set signed this build, the fewest of
    /// the version log and of any bundle (none for a site-only build).
    pub signatures: Option<Signatures>,
}

/// The signatures a build carries against what its key set needs.
pub struct Signatures {
    /// Distinct keys of the current set that signed (this build's key).
    pub found: usize,
    /// The secretariat's current key set (its threshold, its keys).
    pub set: sign::rotation::KeySet,
}

pub enum BuildError {
    /// The directory has errors: the report says which.
    Invalid {
        report: Report,
        sources: BTreeMap<String, String>,
    },
    /// A template failed to render.
    Render(String),
    /// The signing key could not be used, or sealing failed.
    Seal(String),
    /// Writing the output failed.
    Io(String),
}

/// A rendered site, not yet written.
pub struct Rendered {
    pub files: Vec<crate::site::File>,
    pub report: Report,
    pub sources: BTreeMap<String, String>,
    pub states: usize,
}

fn checked(root: &Path, as_of: Date) -> Result<(Directory, Report, Checked), BuildError> {
    checked_warm(root, as_of, true)
}

/// [`checked`]; with `warm`, the phone metadata is loaded meanwhile.
fn checked_warm(
    root: &Path,
    as_of: Date,
    warm: bool,
) -> Result<(Directory, Report, Checked), BuildError> {
    // The phone metadata takes tens of milliseconds to load (its patterns
    // are compiled on first use): loaded beside the directory rather than
    // by the first page that shows a number, with the other cores waiting.
    if warm {
        std::thread::spawn(crate::util::phone::warm);
    }
    match crate::directory::load(root, &Options::new(as_of)) {
        Ok(mut c) => {
            let dir = c.directory.clone();
            let report = std::mem::take(&mut c.report);
            Ok((dir, report, c))
        }
        Err(r) => Err(BuildError::Invalid {
            report: r.report,
            sources: r.sources,
        }),
    }
}

/// Check and render without writing: the site's files, in memory. A
/// sealed site is sealed with `secret` (`pocdir serve`: the demo secret,
/// or the one `POCDIR_SITE_SECRET` names).
pub fn render_site(
    root: &Path,
    as_of: Date,
    secret: &dyn Fn(&Directory) -> Result<SiteSecret, BuildError>,
) -> Result<Rendered, BuildError> {
    let (dir, report, loaded) = checked(root, as_of)?;
    let receipts = crate::receipts::report::of_directory(root, &loaded);
    let access = site_access(&dir, secret)?;
    let files = crate::site::render(
        &dir,
        &loaded.theme,
        &loaded.i18n,
        &receipts,
        access.as_ref(),
    )
    .map_err(|e| BuildError::Render(e.0))?;
    Ok(Rendered {
        files,
        report,
        sources: loaded.sources,
        states: dir.states.len(),
    })
}

/// The access keys of a sealed site (issue #16), `None` for a site that
/// is not sealed. The data key follows the directory's root hash.
fn site_access(
    dir: &Directory,
    secret: &dyn Fn(&Directory) -> Result<SiteSecret, BuildError>,
) -> Result<Option<crate::site::sealed::Access>, BuildError> {
    if !dir.settings.sealed {
        return Ok(None);
    }
    let secret = secret(dir)?;
    let root = crate::util::hash::sha256_hex(&crate::export::canonical(dir));
    Ok(Some(crate::site::sealed::Access::new(&secret, dir, &root)))
}

/// The site secret a build seals the site with: `path`, else the demo
/// secret of a demo directory; like the signing key, a demo secret never
/// seals a real directory.
pub fn site_secret(
    root: &Path,
    path: Option<&Path>,
    passphrase: &dyn Fn() -> Option<Zeroizing<String>>,
    dir: &Directory,
) -> Result<SiteSecret, BuildError> {
    let fail = |e: String| BuildError::Seal(e);
    let demo = root.join("keys/demo/site.secret");
    let path = match path {
        Some(p) => p.to_path_buf(),
        None if dir.settings.demo => demo,
        None => {
            return Err(fail(
                "site.sealed is set and there is no site secret: pass --site-secret FILE or set POCDIR_SITE_SECRET (`pocdir keygen site-secret` makes one)".into(),
            ));
        }
    };
    if !dir.settings.demo {
        let inside_demo = path
            .canonicalize()
            .ok()
            .zip(root.join("keys/demo").canonicalize().ok())
            .is_some_and(|(p, d)| p.starts_with(d));
        if inside_demo {
            return Err(fail(
                "a demo site secret cannot seal a directory that is not `demo: true`".into(),
            ));
        }
    }
    let text = crate::directory::read::read_secret_key(&path).map_err(|e| fail(e.to_string()))?;
    if !dir.settings.demo && text.lines().next().is_some_and(|l| l.contains("DEMO")) {
        return Err(fail(format!(
            "{}: this site secret is labelled DEMO: it is published with the example and cannot seal a real directory",
            path.display()
        )));
    }
    let pass = if crate::site::sealed::secret::is_encrypted(&text) {
        passphrase()
    } else {
        None
    };
    crate::site::sealed::secret::read(&text, pass.as_ref().map(|p| p.as_bytes()))
        .map_err(|e| fail(format!("{}: {e}", path.display())))
}

/// The secretariat key to sign with, checked against keys/secretariat.pub,
/// or against the current key `set` when it has several keys (also what
/// `receipts collect` derives the receipt key from).
pub fn signing_key(
    opts: &BuildOptions,
    dir: &Directory,
    set: Option<&sign::rotation::KeySet>,
) -> Result<sign::SigningKey, BuildError> {
    let demo_key = opts.root.join("keys/demo/secretariat.key");
    let path = match &opts.signing_key {
        Some(p) => p.clone(),
        None if dir.settings.demo => demo_key.clone(),
        None => {
            return Err(BuildError::Seal(
                "no signing key: pass --signing-key FILE or set POCDIR_SIGNING_KEY (or build with --site-only)".into(),
            ));
        }
    };
    if !dir.settings.demo {
        let demo_dir = opts.root.join("keys/demo");
        let inside_demo = path
            .canonicalize()
            .ok()
            .zip(demo_dir.canonicalize().ok())
            .is_some_and(|(p, d)| p.starts_with(d));
        if inside_demo {
            return Err(BuildError::Seal(
                "a demo key cannot sign a directory that is not `demo: true`".into(),
            ));
        }
    }
    let text = crate::directory::read::read_secret_key(&path)
        .map_err(|e| BuildError::Seal(e.to_string()))?;
    if !dir.settings.demo && text.lines().next().is_some_and(|l| l.contains("DEMO")) {
        return Err(BuildError::Seal("this signing key is labelled DEMO: it is published with the example and cannot sign a real directory".into()));
    }
    let pk = sign::PublicKey::from_base64(&dir.secretariat_key.public_key)
        .map_err(|_| BuildError::Seal("keys/secretariat.pub is not usable".into()))?;
    let pass = if sign::is_encrypted(&text) {
        (opts.passphrase)()
    } else {
        None
    };
    // Any key of a current set of several (k of n: each officer may
    // prepare a build); else the key of keys/secretariat.pub.
    match set.filter(|s| s.keys.len() > 1) {
        Some(set) => sign::load_secret_key_among(&text, pass.as_ref(), &set.keys)
            .map(|(k, _)| k)
            .map_err(|e| {
                BuildError::Seal(format!(
                    "{}: {e} (the secretariat's current keys are {})",
                    path.display(),
                    set.ids()
                ))
            }),
        None => sign::load_secret_key(&text, pass.as_ref(), &pk)
            .map_err(|e| BuildError::Seal(format!("{}: {e}", path.display()))),
    }
}

/// The version log verifies under the threshold of one set of the
/// secretariat key's verified history (`Checked::key_history`: anchored
/// in `keys/anchor.pub`, followed through `keys/rotations/`): no other
/// key, whatever file sits in `keys/rotations/`, is trusted (issue 18).
/// The current set's threshold of its keys (k of n: one stolen key cannot
/// make a log that `build` continues and signs again); or an earlier
/// set's, for a log whose last version was issued before the set was
/// replaced (a build's first after a rotation). Returns whether the
/// current set signed it.
fn verify_log(
    history: &sign::rotation::KeyHistory,
    sigs: &[String],
    text: &str,
    last_issued: Option<jiff::Timestamp>,
) -> Result<bool, BuildError> {
    use sign::threshold::{ThresholdError, verify};
    let texts: Vec<&str> = sigs.iter().map(String::as_str).collect();
    let sets: Vec<&sign::rotation::KeySet> = history.sets().collect();
    let current = history.current();
    let altered = |e: ThresholdError| {
        BuildError::Seal(format!(
            "{} does not verify against the secretariat's keys: {e}; it was altered",
            log::LOG_FILE
        ))
    };
    // Signed by keys of the current set, too few of them: the last build
    // was not countersigned (unless an earlier set signed it, below: a
    // key kept from the set before, the first build after a rotation).
    let mut under_signed = None;
    match verify(current, &texts, text.as_bytes()) {
        Ok(_) => return Ok(true),
        Err(e @ (ThresholdError::Bad { .. } | ThresholdError::Malformed { .. })) => {
            return Err(altered(e));
        }
        Err(ThresholdError::TooFew { found, needed, .. }) if !found.is_empty() => {
            under_signed = Some(BuildError::Seal(format!(
                "{log} carries {} signature(s) by the secretariat's current keys ({}), and the key set ({}) needs {needed}: the last build was not countersigned. Nothing was built.\n\
                 hint: another officer of the key set adds a signature to it with `pocdir sign --log --secret-key THEIR.key` \
                 (or `pocdir sign --out OUT ...` on that build, which signs its bundles too); \
                 or go back to the last countersigned log (`git checkout <commit> -- log/`)",
                found.len(),
                found.join(", "),
                current.name(),
                log = log::LOG_FILE,
            )));
        }
        Err(_) => {}
    }
    // Signed by an earlier set of the history: only a log it had finished.
    for (i, set) in sets.iter().enumerate().rev().skip(1) {
        let Ok(signed) = verify(set, &texts, text.as_bytes()) else {
            continue;
        };
        let next = sets[i + 1];
        let replaced = next
            .date
            .as_deref()
            .and_then(|d| d.parse::<jiff::civil::Date>().ok());
        let issued = last_issued.map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date());
        return match (replaced, issued) {
            (Some(d), Some(i)) if i > d => Err(under_signed.unwrap_or_else(|| BuildError::Seal(format!(
                "{log} is signed by the retired key(s) {} of the secretariat key's {}, which {} replaced on {d}, but its last version was issued on {i}, after that: a retired key made it. Nothing was built; restore the log from the last build made before the rotation, or from the published versions.jsonl of the site",
                signed.signers.join(", "),
                set.name(),
                next.name(),
                log = log::LOG_FILE,
            )))),
            _ => Ok(false),
        };
    }
    if let Some(e) = under_signed {
        return Err(e);
    }
    let ids: Vec<String> = texts
        .iter()
        .filter_map(|t| sign::signature_key_id(t).ok())
        .collect();
    Err(BuildError::Seal(format!(
        "{log} is signed by key {}, which is not in the secretariat key's history (keys/anchor.pub, keys/rotations/, keys/secretariat.pub)\n\
         hint: a new directory started from a copy of the example (or of another directory) needs its own version history: \
         delete {log} and {sig} (the next build starts again at version 1); \
         otherwise put back the key {} in keys/secretariat.pub, \
         or move to the new key with `pocdir keygen rotate` (its numbered statement goes in keys/rotations/)",
        ids.join(", "),
        ids.first().map(String::as_str).unwrap_or("?"),
        log = log::LOG_FILE,
        sig = log::LOG_SIG,
    )))
}

/// Writes one file of an output folder.
type Put<'a> = dyn Fn(&str, &[u8]) -> Result<(), BuildError> + 'a;

/// Put the version log and its signatures into an output folder:
/// `versions.jsonl`, `versions.jsonl.minisig`, `.minisig.2` ...
fn put_log(put: &Put, text: &str, sigs: &[String]) -> Result<usize, BuildError> {
    put("versions.jsonl", text.as_bytes())?;
    for (i, sig) in sigs.iter().enumerate() {
        put(
            &sign::threshold::signature_name("versions.jsonl", i + 1),
            sig.as_bytes(),
        )?;
    }
    Ok(1 + sigs.len())
}

/// Write the directory's log signatures (`log/versions.jsonl.minisig`,
/// `.minisig.2` ...) and remove any further one left from before: the
/// signatures of an earlier text would no longer verify.
pub fn write_log_signatures(root: &Path, sigs: &[String]) -> std::io::Result<()> {
    for (i, sig) in sigs.iter().enumerate() {
        let rel = sign::threshold::signature_name(log::LOG_FILE, i + 1);
        crate::output::file(&root.join(rel), sig.as_bytes())?;
    }
    for n in sigs.len() + 1..=sign::threshold::MAX_SIGNATURES {
        let p = root.join(sign::threshold::signature_name(log::LOG_FILE, n));
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// No version issued in the future (issue #18): none later (beyond
/// [`log::CLOCK_SKEW`]) than this computer's clock, or than the build's
/// time when that is later (`--as-of` simulating a later day). So a time
/// from a fast clock is never carried onto the next version.
fn refuse_future(entries: &[log::Entry], build_time: jiff::Timestamp) -> Result<(), BuildError> {
    let now = jiff::Timestamp::now();
    let ts = crate::util::time::fmt_ts;
    let (clock, says) = if build_time > now {
        (
            build_time,
            format!("the build's time is {} (--as-of)", ts(build_time)),
        )
    } else {
        (now, format!("this computer's clock says {}", ts(now)))
    };
    match log::issued_in_future(entries, clock) {
        None => Ok(()),
        Some(f) => Err(BuildError::Seal(format!(
            "{}: {}\nhint: {}",
            log::LOG_FILE,
            f.message(&says),
            log::Future::HINT
        ))),
    }
}

/// Render the site straight into a staging folder beside `<out>/site`
/// (each page written as soon as it is made, never the whole site in
/// memory; unchanged files linked from the previous site), not yet
/// committed.
fn stage_site(
    opts: &BuildOptions,
    dir: &Directory,
    loaded: &Checked,
    access: Option<&crate::site::sealed::Access>,
) -> Result<(crate::output::Staging, usize), BuildError> {
    let io = |e: std::io::Error| {
        BuildError::Io(format!("writing {}: {e}", opts.out.join("site").display()))
    };
    // A file made from the same inputs as one of the previous build is
    // linked from it rather than made again (`output::memo`).
    let stage = crate::output::Staging::new(opts.out, "site")
        .map_err(io)?
        .reusing_previous()
        .remembering(crate::output::memo::code_id().filter(|_| access.is_none()));
    let receipts = crate::receipts::report::of_directory(opts.root, loaded);
    struct Reuse<'a>(&'a crate::output::Staging, &'a Path);
    impl crate::site::memo::Reuse for Reuse<'_> {
        fn reuse(
            &self,
            path: &str,
            key: &crate::site::memo::Key,
        ) -> Result<bool, crate::site::RenderError> {
            self.0.reuse(path, key).map_err(|e| {
                crate::site::RenderError(format!(
                    "writing {}: {e}",
                    self.1.join("site").join(path).display()
                ))
            })
        }

        fn reuse_all(
            &self,
            key: &crate::site::memo::Key,
        ) -> Result<Option<usize>, crate::site::RenderError> {
            self.0.reuse_all(key).map_err(|e| {
                crate::site::RenderError(format!("writing {}: {e}", self.1.join("site").display()))
            })
        }
    }
    let count = crate::site::render_into(
        dir,
        &loaded.theme,
        &loaded.i18n,
        &receipts,
        access,
        &Reuse(&stage, opts.out),
        &|(path, bytes)| {
            stage.put(&path, &bytes).map_err(|e| {
                crate::site::RenderError(format!(
                    "writing {}: {e}",
                    opts.out.join("site").join(&path).display()
                ))
            })
        },
    )
    .map_err(|e| BuildError::Render(e.0))?;
    Ok((stage, count))
}

/// A writer that also prehashes what goes through it (a bundle, for its
/// signature).
struct HashingWriter<'a> {
    out: &'a mut dyn std::io::Write,
    hash: sign::prehash::Prehasher,
}

impl std::io::Write for HashingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// The record of the numbers a build formatted, beside the site (never in
/// it): `util::phone::record`.
pub const PHONES_RECORD: &str = ".phones.memo";

pub fn build(opts: &BuildOptions) -> Result<Built, BuildError> {
    // The numbers the previous build formatted (`util::phone::record`):
    // if it had them all, the phone metadata is never loaded.
    let code = crate::output::memo::code_id();
    let phones_record = opts.out.join(PHONES_RECORD);
    let remembered = match (&code, crate::output::memo::read_capped(&phones_record)) {
        (Some(c), Some(text)) => crate::util::phone::remember(&text, c),
        _ => 0,
    };
    let (mut dir, report, loaded) = checked_warm(opts.root, opts.as_of, remembered == 0)?;
    // Written once the site is in place; never beside a sealed site (its
    // numbers are in the clear).
    let keep_phones = || match &code {
        Some(c) if !dir.settings.sealed => {
            let _ = crate::output::file(&phones_record, crate::util::phone::record(c).as_bytes());
        }
        _ => {
            let _ = std::fs::remove_file(&phones_record);
        }
    };
    let site_io = |e: std::io::Error| {
        BuildError::Io(format!("writing {}: {e}", opts.out.join("site").display()))
    };
    // The key history, published on the site and beside the bundles, and
    // carried in every bundle (issue #18).
    let history_json = loaded
        .key_history
        .as_ref()
        .map(|h| sign::history_file::HistoryFile::of(h).to_json());
    let put_history = |put: &Put| -> Result<usize, BuildError> {
        match &history_json {
            Some(j) => put(sign::history_file::FILE_NAME, j.as_bytes()).map(|_| 1),
            None => Ok(0),
        }
    };
    let states = dir.states.len();
    // A sealed site's keys (issue #16): its States' codes also go into
    // their bundles.
    let access = site_access(&dir, &|d: &Directory| {
        site_secret(
            opts.root,
            opts.site_secret.as_deref(),
            opts.site_passphrase,
            d,
        )
    })?;
    if opts.site_only {
        let (site, mut site_files) = stage_site(opts, &dir, &loaded, access.as_ref())?;
        site_files += put_history(&|n: &str, b: &[u8]| site.put(n, b).map_err(site_io))?;
        if let Some(l) = loaded
            .version_log
            .as_ref()
            .filter(|_| !loaded.version_log_sigs.is_empty())
        {
            let put = |n: &str, b: &[u8]| site.put(n, b).map_err(site_io);
            site_files += put_log(&put, l, &loaded.version_log_sigs)?;
        }
        site.commit().map_err(site_io)?;
        keep_phones();
        return Ok(Built {
            report,
            sources: loaded.sources,
            site_files,
            states,
            bundles: Vec::new(),
            without_accounts: Vec::new(),
            version: None,
            new_version: false,
            renews: None,
            renew_from: None,
            lapsed: Vec::new(),
            no_eligible_account: Vec::new(),
            dropped_signatures: Vec::new(),
            signatures: None,
        });
    }
    let key = signing_key(opts, &dir, loaded.key_history.as_ref().map(|h| h.current()))?;

    // The version: the log's last entry if the content is unchanged.
    let history = loaded
        .key_history
        .clone()
        .unwrap_or_else(|| sign::rotation::KeyHistory::new(key.pk.clone(), 1));
    let current_set = history.current().clone();
    let log_text = loaded.version_log.clone().unwrap_or_default();
    let log_by_current = if log_text.is_empty() {
        false
    } else {
        if loaded.version_log_sigs.is_empty() {
            return Err(BuildError::Seal(format!(
                "{} has no signature {}",
                log::LOG_FILE,
                log::LOG_SIG
            )));
        }
        verify_log(
            &history,
            &loaded.version_log_sigs,
            &log_text,
            loaded
                .version_entries
                .last()
                .and_then(|e| e.issued.parse().ok()),
        )?
    };
    // Parsed and checked once, by `directory::load` (a malformed log is
    // an error of the directory).
    let entries = &loaded.version_entries;
    refuse_future(entries, opts.now)?;
    // directory.json of every bundle (it does not depend on the day the
    // directory is judged), and its SHA-256 the version's root.
    let canonical = crate::export::canonical(&dir);
    let root_hash = crate::util::hash::sha256_hex(&canonical);
    // Unchanged content is issued again (a renewal) once the current
    // version is inside its renewal window or expired.
    let (validity, window) = (
        dir.settings.bundle_validity_days,
        dir.settings.bundle_renew_within_days,
    );
    let renew = match entries.last() {
        Some(last) if last.root == root_hash => {
            log::standing(last, validity, window, opts.now)
                .map_err(|e| BuildError::Seal(format!("{}: {e}", log::LOG_FILE)))?
                .state
                != log::Stand::Current
        }
        _ => false,
    };
    let (entry, new_log) = log::next(&log_text, entries, &root_hash, opts.now, renew);
    let standing = log::standing(&entry, validity, window, opts.now)
        .map_err(|e| BuildError::Seal(format!("{}: {e}", log::LOG_FILE)))?;
    let (issued, expires) = (standing.issued, standing.expires);
    let version = Version {
        seq: entry.seq,
        root: root_hash.clone(),
        issued,
        expires,
    };
    let log_final = new_log.clone().unwrap_or(log_text);
    let sign_log = |text: &str| -> Result<Vec<String>, BuildError> {
        Ok(vec![
            key.sign(
                text.as_bytes(),
                &format!("pocdir-log/1 seq={} root={}", entry.seq, root_hash),
                "pocdir version log",
            )
            .map_err(BuildError::Seal)?,
        ])
    };
    // A new log: this build's signature (the key set's other officers add
    // theirs with `pocdir sign`). Unchanged content: the signatures kept,
    // unless an earlier key set made them (after a rotation the log is
    // signed again by the new set).
    let log_sigs: Vec<String> = match &new_log {
        Some(text) => sign_log(text)?,
        None if log_by_current => loaded.version_log_sigs.clone(),
        None => sign_log(&log_final)?,
    };
    let resigned = new_log.is_none() && log_sigs != loaded.version_log_sigs;
    // The site is rendered once the version is known: its verify page
    // lists the log's last versions, this one first.
    dir.checkpoints = crate::directory::model::checkpoints(&log_final);
    let (site, mut site_files) = stage_site(opts, &dir, &loaded, access.as_ref())?;
    {
        let put = |n: &str, b: &[u8]| site.put(n, b).map_err(site_io);
        site_files += put_log(&put, &log_final, &log_sigs)?;
        site_files += put_history(&put)?;
    }
    let signatures = log_sigs
        .iter()
        .filter_map(|s| sign::signature_key_id(s).ok())
        .filter(|id| current_set.key(id).is_some())
        .collect::<std::collections::BTreeSet<_>>()
        .len();

    // Bundles are judged as of the issue date: same version, same bytes.
    let at_issue = dir.judged_as_of(issued.to_zoned(jiff::tz::TimeZone::UTC).date());
    let with_accounts: Vec<&crate::directory::model::State> = at_issue
        .states
        .iter()
        .filter(|s| !s.accounts.is_empty())
        .collect();
    let without_accounts: Vec<StateCode> = at_issue
        .states
        .iter()
        .filter(|s| s.accounts.is_empty())
        .map(|s| s.code)
        .collect();
    // Sealed from these inputs alone; if the previous build sealed its
    // bundles from the same, they are linked as they are (same version,
    // recipients, key: still valid) rather than sealed again.
    let seal = Seal {
        at_issue: &at_issue,
        version: &version,
        theme: &loaded.theme,
        i18n: &loaded.i18n,
        canonical,
        log: &log_final,
        history_json: history_json.as_deref(),
        key: &key,
        access: access.as_ref(),
    };
    let bundles_io = |e: std::io::Error| {
        BuildError::Io(format!(
            "writing {}: {e}",
            opts.out.join("bundles").display()
        ))
    };
    let bundles_key = seal.key();
    let stage = crate::output::Staging::new(opts.out, "bundles")
        .map_err(bundles_io)?
        .reusing_previous()
        .remembering(code.clone().filter(|_| bundles_key.is_some()));
    let linked = match &bundles_key {
        Some(k) => stage.reuse_all(k).map_err(bundles_io)?,
        None => None,
    };
    let bundles: Vec<StateCode> = match linked {
        Some(_) => with_accounts.iter().map(|s| s.code).collect(),
        None => seal_bundles(seal, bundles_key.as_ref(), &stage, opts.out)?,
    };
    // The version log's signatures beside the bundles, as they are now.
    for (i, sig) in log_sigs.iter().enumerate() {
        let name = sign::threshold::signature_name("versions.jsonl", i + 1);
        stage.put(&name, sig.as_bytes()).map_err(bundles_io)?;
    }
    // Bundles kept from the previous build keep the other officers'
    // signatures on them that still verify; new ones carry this build's.
    let (bundle_signers, dropped_signatures) = match linked {
        Some(_) => carry_cosignatures(&stage, opts.out, &bundles, &current_set)?,
        None => (1, Vec::new()),
    };
    let signatures = if bundles.is_empty() {
        signatures
    } else {
        signatures.min(bundle_signers)
    };

    site.commit().map_err(site_io)?;
    keep_phones();
    stage.commit().map_err(bundles_io)?;
    if new_log.is_some() || resigned {
        // The log is the only file a build writes into the directory.
        write_log_signatures(opts.root, &log_sigs)
            .map_err(|e| BuildError::Io(format!("writing {}: {e}", log::LOG_SIG)))?;
        crate::output::file(&opts.root.join(log::LOG_FILE), log_final.as_bytes())
            .map_err(|e| BuildError::Io(format!("writing {}: {e}", log::LOG_FILE)))?;
    }
    let policy = dir.settings.reverify_within_days;
    let mut lapsed = Vec::new();
    let mut no_eligible_account = Vec::new();
    for s in dir.states.iter().filter(|s| !s.accounts.is_empty()) {
        for a in s.accounts.iter().filter(|a| a.lapsed(policy, opts.as_of)) {
            lapsed.push((s.code, a.email.clone(), a.lapses_on(policy)));
        }
        if s.accounts.iter().all(|a| a.lapsed(policy, opts.as_of)) {
            no_eligible_account.push(s.code);
        }
    }
    Ok(Built {
        report,
        sources: loaded.sources,
        site_files,
        states,
        bundles,
        without_accounts,
        version: Some(version),
        new_version: new_log.is_some(),
        renews: new_log.as_ref().and(entry.renews),
        renew_from: Some(standing.renew_from),
        lapsed,
        no_eligible_account,
        dropped_signatures,
        signatures: Some(Signatures {
            found: signatures,
            set: current_set,
        }),
    })
}

/// The most bytes read of a signature file beside a bundle.
const MAX_SIGNATURE_FILE: u64 = 4096;

/// Once the previous build's bundles are kept as they are: the other
/// officers' signatures beside each (`<bundle>.minisig.2` ..., added by
/// `pocdir sign`) are put beside it again if they verify with a key of
/// the current `set` over the bundle's bytes and carry the trusted
/// comment of the build's own signature (renumbered from `.minisig.2` if
/// one before them is dropped). Returns the fewest distinct keys of the
/// set that any bundle now carries, and the files dropped.
fn carry_cosignatures(
    stage: &crate::output::Staging,
    out: &Path,
    bundles: &[StateCode],
    set: &sign::rotation::KeySet,
) -> Result<(usize, Vec<String>), BuildError> {
    let prev = out.join("bundles");
    // A regular file only (a link is never followed out of the tree),
    // through a cap on the bytes read.
    let read = |path: &Path| -> Option<String> {
        use std::io::Read;
        if !std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file()) {
            return None;
        }
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_SIGNATURE_FILE + 1).read_to_end(&mut bytes))
            .ok()?;
        (bytes.len() as u64 <= MAX_SIGNATURE_FILE)
            .then(|| String::from_utf8(bytes).ok())
            .flatten()
    };
    let results = crate::util::parallel::map(bundles, |code| {
        let name = format!("{code}.tar.gz.age");
        let own = sign::threshold::signature_name(&name, 1);
        let co: Vec<(String, Option<String>)> = (2..=sign::threshold::MAX_SIGNATURES)
            .map(|n| prev.join(sign::threshold::signature_name(&name, n)))
            .take_while(|p| std::fs::symlink_metadata(p).is_ok())
            .map(|p| {
                let file = p.file_name().map(|n| n.to_string_lossy().into_owned());
                (file.unwrap_or_default(), read(&p))
            })
            .collect();
        if co.is_empty() {
            return Ok((1, Vec::new(), Vec::new()));
        }
        let bytes = std::fs::read(prev.join(&name))
            .map_err(|e| format!("reading {}: {e}", prev.join(&name).display()))?;
        let own_sig = read(&prev.join(&own)).unwrap_or_default();
        let check = |sig: &str| -> Option<(String, String)> {
            let id = sign::signature_key_id(sig).ok()?;
            let tc = sign::verify(set.key(&id)?, sig, &bytes).ok()?;
            Some((id, tc))
        };
        let Some((own_id, comment)) = check(&own_sig) else {
            // Not this set's signature (it cannot be, the bundle being
            // kept): nothing is carried.
            return Ok((1, Vec::new(), co.into_iter().map(|(f, _)| f).collect()));
        };
        let mut signers = vec![own_id];
        let (mut kept, mut dropped) = (Vec::new(), Vec::new());
        for (file, sig) in co {
            match sig.as_deref().and_then(|s| check(s).map(|c| (s, c))) {
                Some((s, (id, tc))) if tc == comment => {
                    if !signers.contains(&id) {
                        signers.push(id);
                    }
                    kept.push(s.to_string());
                }
                _ => dropped.push(file),
            }
        }
        Ok((signers.len(), kept, dropped))
    });
    let mut fewest = usize::MAX;
    let mut dropped_all = Vec::new();
    for (code, r) in bundles.iter().zip(results) {
        let (signers, kept, dropped) = r.map_err(BuildError::Seal)?;
        let name = format!("{code}.tar.gz.age");
        for (i, sig) in kept.iter().enumerate() {
            let file = sign::threshold::signature_name(&name, i + 2);
            stage.put(&file, sig.as_bytes()).map_err(|e| {
                BuildError::Io(format!("writing {}: {e}", prev.join(&file).display()))
            })?;
        }
        fewest = fewest.min(signers);
        dropped_all.extend(dropped);
    }
    Ok((fewest, dropped_all))
}

/// Everything the bundles are sealed from: [`seal_bundles`] sees nothing
/// else, and [`Seal::key`] hashes every field of it.
struct Seal<'a> {
    /// The directory judged as of the issue day.
    at_issue: &'a Directory,
    version: &'a Version,
    theme: &'a crate::directory::theme::Theme,
    i18n: &'a BTreeMap<String, crate::directory::I18nFile>,
    /// directory.json of every bundle.
    canonical: Vec<u8>,
    /// The version log (its signatures go beside the bundles, put by the
    /// caller: the bundles do not depend on them, so a second officer's
    /// signature on the log does not seal them again).
    log: &'a str,
    history_json: Option<&'a str>,
    key: &'a sign::SigningKey,
    /// A sealed site's keys: its States' codes go into their bundles.
    access: Option<&'a crate::site::sealed::Access>,
}

impl Seal<'_> {
    /// The key of the bundles (`output::memo`): every field, a new one
    /// fails to compile here until it is keyed. The signing key is named
    /// by its public half (one secret key per public key; the receipt
    /// codes are derived from it). `None` for a sealed site: its access
    /// codes are secrets, kept out of any record, and its bundles are
    /// always sealed again.
    fn key(&self) -> Option<crate::site::memo::Key> {
        use crate::site::memo;
        let Seal {
            at_issue,
            version,
            theme,
            i18n,
            canonical,
            log,
            history_json,
            key,
            access,
        } = self;
        if access.is_some() {
            return None;
        }
        let (_, dir) = memo::directory(at_issue);
        let mut h = memo::Hasher::new("bundles");
        h.bytes("theme", &memo::theme(theme))
            .bytes("dir", &dir)
            .debug("i18n", i18n)
            .debug("version", version)
            .bytes("canonical", canonical)
            .bytes("log", log.as_bytes())
            .debug("history", history_json)
            .debug("key", &key.pk);
        Some(h.key())
    }
}

/// Seal every State's bundle into `stage`, with the files beside them
/// (the public key, the version log, the key history: the log's
/// signatures are put by the caller);
/// each file recorded under `key` (all made together, reused only whole).
fn seal_bundles(
    seal: Seal,
    key: Option<&crate::site::memo::Key>,
    stage: &crate::output::Staging,
    out: &Path,
) -> Result<Vec<StateCode>, BuildError> {
    let Seal {
        at_issue,
        version,
        theme,
        i18n,
        canonical,
        log: log_final,
        history_json,
        key: signing,
        access,
    } = seal;
    let put = |name: &str, bytes: &[u8]| {
        stage.put(name, bytes).map_err(|e| {
            BuildError::Io(format!(
                "writing {}: {e}",
                out.join("bundles").join(name).display()
            ))
        })
    };
    let keyed = |name: &str| -> Result<(), BuildError> {
        if let Some(k) = key {
            let file = crate::site::memo::Hasher::new("bundle file")
                .bytes("bundles", k)
                .bytes("name", name.as_bytes())
                .key();
            stage.keyed(name, &file).map_err(|e| {
                BuildError::Io(format!(
                    "writing {}: {e}",
                    out.join("bundles").join(name).display()
                ))
            })?;
        }
        Ok(())
    };
    let with_accounts: Vec<&crate::directory::model::State> = at_issue
        .states
        .iter()
        .filter(|s| !s.accounts.is_empty())
        .collect();
    let receipt_key = crate::receipts::ReceiptKey::from_signing_key(signing);
    let info = crate::site::OfflineInfo {
        seq: version.seq,
        issued: version.issued,
        expires: version.expires,
        root: &version.root,
    };
    let parts = crate::site::offline_parts(at_issue, theme, i18n, &info)
        .map_err(|e| BuildError::Render(e.0))?;
    // The log head every bundle carries (issue #18): the log's last lines
    // up to this version.
    let excerpt = bundle::checkpoint::excerpt(log_final, version.seq, &version.root)
        .map_err(|e| BuildError::Seal(format!("{}: {e}", log::LOG_FILE)))?;
    let shared = bundle::Shared::new(at_issue, version, i18n, canonical, &excerpt, history_json)
        .map_err(BuildError::Seal)?;
    // Each bundle goes to disk as soon as it is sealed: they are never all
    // in memory.
    // The offline page depends only on the languages it shows: made once
    // per set of languages, not once per State.
    let lang_sets: Vec<Vec<&str>> = with_accounts
        .iter()
        .map(|s| bundle::offline_languages(at_issue, s))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    // Each language's section is compressed once, for every page that
    // shows it (a page shows two or three of the six).
    let section_list: Vec<(&str, Vec<&[u8]>)> = parts
        .sections()
        .filter(|(l, _)| lang_sets.iter().any(|set| set.contains(l)))
        .map(|(l, pieces)| (l, pieces.iter().map(|p| p.as_bytes()).collect()))
        .collect();
    let section_inputs: Vec<&[&[u8]]> = section_list.iter().map(|(_, p)| p.as_slice()).collect();
    let section_members: BTreeMap<&str, Vec<u8>> = section_list
        .iter()
        .map(|(l, _)| *l)
        .zip(
            bundle::tarball::gzip_members_each(&section_inputs)
                .map_err(|e| BuildError::Seal(e.to_string()))?,
        )
        .collect();
    let pages: BTreeMap<&Vec<&str>, bundle::OfflinePage> = lang_sets
        .iter()
        .zip(crate::util::parallel::map_few(&lang_sets, |langs| {
            let pieces =
                crate::site::offline(&parts, langs, &info).map_err(|e| BuildError::Render(e.0))?;
            let parts = pieces
                .iter()
                .map(|p| match p {
                    crate::site::OfflinePiece::Frame(f) => Ok(bundle::PagePart::Own(f.as_bytes())),
                    crate::site::OfflinePiece::Section(l, pieces) => {
                        let members = section_members.get(l).ok_or_else(|| {
                            BuildError::Render(format!("offline page: no section in {l}"))
                        })?;
                        Ok(bundle::PagePart::Shared {
                            pieces: pieces.iter().map(|p| p.as_bytes()).collect(),
                            members,
                        })
                    }
                })
                .collect::<Result<Vec<_>, BuildError>>()?;
            bundle::OfflinePage::new(&parts, version).map_err(BuildError::Seal)
        }))
        .map(|(k, v)| v.map(|p| (k, p)))
        .collect::<Result<_, _>>()?;
    drop(parts);
    // A sealed site's scripts, hashed for every bundle (issue #16): a State
    // can compare them with what the host serves.
    let site_scripts = access.map(|a| {
        let mut lines: Vec<(String, String)> = theme
            .under("static")
            .filter(|(rel, _, _)| rel.ends_with(".js"))
            .map(|(rel, _, bytes)| {
                (
                    format!("static/{rel}"),
                    crate::util::hash::sha256_hex(bytes),
                )
            })
            .collect();
        lines.push((
            crate::site::sealed::page::KEYS_SCRIPT.to_string(),
            crate::util::hash::sha256_hex(a.keys_script().as_bytes()),
        ));
        lines.sort();
        lines
            .iter()
            .map(|(p, h)| format!("{h}  {p}\n"))
            .collect::<String>()
    });
    let sealed = crate::util::parallel::map(&with_accounts, |s| -> Result<(), BuildError> {
        let langs = bundle::offline_languages(at_issue, s);
        let page = pages
            .get(&langs)
            .ok_or_else(|| BuildError::Seal(format!("{}: no offline page", s.code)))?;
        let receipt = crate::receipts::Receipt {
            state: s.code.to_string(),
            seq: version.seq,
            code: receipt_key.code(s.code.as_str(), version.seq, &version.root),
        };
        let receipt = crate::receipts::readme_block(&receipt, &at_issue.settings.secretariat.email);
        let code = access.and_then(|a| a.code(s.code)).map(|c| c.text());
        let plain = bundle::plaintext(
            at_issue,
            &shared,
            s,
            version,
            page,
            &bundle::Own {
                receipt: &receipt,
                site_access: code.as_deref().map(String::as_str),
                site_scripts: site_scripts.as_deref(),
            },
            i18n,
        )
        .map_err(BuildError::Seal)?;
        let recipients: Vec<String> = s
            .accounts
            .iter()
            .flat_map(|a| a.recipients.iter().cloned())
            .collect();
        // Encrypted straight into the file, prehashed as it is written:
        // neither the plaintext nor the ciphertext is ever held whole.
        let name = bundle::manifest::bundle_name(s.code.as_str(), bundle::FORMAT);
        let sig_name = format!("{name}.minisig");
        keyed(&name)?;
        keyed(&sig_name)?;
        let hash = stage
            .put_with(&name, |file| {
                let mut tee = HashingWriter {
                    out: file,
                    hash: sign::prehash::Prehasher::default(),
                };
                Ok(bundle::encrypt_into(&plain.parts(), &recipients, &mut tee)
                    .map(|()| tee.hash.finish()))
            })
            .map_err(|e| {
                BuildError::Io(format!(
                    "writing {}: {e}",
                    out.join("bundles").join(&name).display()
                ))
            })?
            .map_err(|e| BuildError::Seal(format!("{}: {e}", s.code)))?;
        let trusted = bundle::trusted(s, version).to_comment();
        let sig = signing
            .sign_prehashed(
                &hash,
                &trusted,
                &format!(
                    "pocdir bundle for {} - verify with the secretariat key {}",
                    s.code,
                    sign::key_id(&signing.pk)
                ),
            )
            .map_err(BuildError::Seal)?;
        put(&sig_name, sig.as_bytes())
    });
    let mut bundle_files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut bundles = Vec::new();
    for (s, r) in with_accounts.iter().zip(sealed) {
        r?;
        bundles.push(s.code);
    }
    bundle_files.push((
        "secretariat.pub".into(),
        format!(
            "untrusted comment: minisign public key {}\n{}\n",
            at_issue.secretariat_key.key_id, at_issue.secretariat_key.public_key
        )
        .into_bytes(),
    ));
    bundle_files.push(("versions.jsonl".into(), log_final.as_bytes().to_vec()));
    // The key history travels beside every bundle (and in every mail):
    // a State pinned to any earlier key follows it (issue 18).
    if let Some(j) = history_json {
        bundle_files.push((sign::history_file::FILE_NAME.into(), j.as_bytes().to_vec()));
    }
    bundle_files.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, bytes) in &bundle_files {
        keyed(name)?;
        put(name, bytes)?;
    }
    Ok(bundles)
}
