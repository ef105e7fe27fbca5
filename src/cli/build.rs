//! `pocdir build`: check, then render the site and seal the bundles.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{AsOf, Root};

/// Check the directory, then render the restricted site into OUT/site/ and
/// seal each State's signed, encrypted bundle into OUT/bundles/. Nothing
/// is written unless everything succeeded.
#[derive(clap::Args)]
#[command(
    after_help = "Exit codes: 0 built, 1 the directory has errors or the build failed \
    (the previous output is untouched), 2 usage error."
)]
pub struct Args {
    #[command(flatten)]
    root: Root,
    /// Output folder (the site goes to OUT/site/, bundles to OUT/bundles/).
    #[arg(long, value_name = "OUT", default_value = "dist")]
    out: PathBuf,
    /// Build as of this time: staleness, account verification, and the
    /// clock a new version (or a renewal) is issued by (default: now).
    #[command(flatten)]
    as_of: AsOf,
    /// The secretariat's secret signing key (default: $POCDIR_SIGNING_KEY;
    /// a demo directory uses keys/demo/secretariat.key). Its passphrase
    /// is read from $POCDIR_PASSPHRASE or asked on the terminal.
    #[arg(long, value_name = "FILE")]
    signing_key: Option<PathBuf>,
    /// Render the site only: no bundle, no signing key needed.
    #[arg(long)]
    site_only: bool,
    /// The site secret of a sealed site (`site.sealed`; default:
    /// $POCDIR_SITE_SECRET; a demo directory uses keys/demo/site.secret).
    /// Its passphrase comes from $POCDIR_SITE_PASSPHRASE, else
    /// $POCDIR_PASSPHRASE, or is asked on the terminal.
    #[arg(long, value_name = "FILE")]
    site_secret: Option<PathBuf>,
}

pub fn run(a: Args) -> Result<ExitCode, ExitCode> {
    let root = a.root.resolve()?;
    let signing_key = a
        .signing_key
        .or_else(|| std::env::var_os("POCDIR_SIGNING_KEY").map(PathBuf::from));
    let opts = pocdir::build::BuildOptions {
        root: &root,
        out: &a.out,
        as_of: a.as_of.date(),
        now: a.as_of.time(),
        signing_key,
        passphrase: &super::passphrase,
        site_only: a.site_only,
        site_secret: a
            .site_secret
            .or_else(|| std::env::var_os("POCDIR_SITE_SECRET").map(PathBuf::from)),
        site_passphrase: &super::site_passphrase,
    };
    let color = super::color();
    let b = pocdir::build::build(&opts).map_err(|e| match e {
        pocdir::build::BuildError::Invalid { report, sources } => {
            eprint!("{}", report.render_human(&sources, color));
            super::failure("the directory has errors; nothing was written")
        }
        pocdir::build::BuildError::Render(e) | pocdir::build::BuildError::Seal(e) => {
            super::failure(format!("{e}\nnothing was written"))
        }
        pocdir::build::BuildError::Io(e) => {
            super::failure(format!("{e}\nthe previous output is untouched"))
        }
    })?;
    if !b.report.diagnostics.is_empty() {
        eprint!("{}", b.report.render_human(&b.sources, color));
    }
    eprintln!(
        "built the site of {} States: {} files in {}",
        b.states,
        b.site_files,
        a.out.join("site").display()
    );
    if let Some(v) = &b.version {
        let ts = pocdir::util::time::fmt_ts;
        let out = a.out.join("bundles");
        match (b.new_version, b.renews) {
            (true, Some(old)) => eprintln!(
                "sealed {} bundles in {}: version {} renews version {old} (no change to the directory): issued {}, expires {}",
                b.bundles.len(),
                out.display(),
                v.seq,
                ts(v.issued),
                ts(v.expires)
            ),
            (new, _) => {
                eprintln!(
                    "sealed {} bundles in {}: version {} ({}), issued {}, expires {}",
                    b.bundles.len(),
                    out.display(),
                    v.seq,
                    if new { "new" } else { "unchanged content" },
                    ts(v.issued),
                    ts(v.expires)
                );
                if let Some(from) = b.renew_from.filter(|_| !new) {
                    eprintln!(
                        "the current bundles expire on {}; a build from {} renews them",
                        ts(v.expires),
                        ts(from)
                    );
                }
            }
        }
    }
    if !b.dropped_signatures.is_empty() {
        eprintln!(
            "warning: dropped signature file(s) beside the kept bundles that do not verify with the secretariat's current keys: {}",
            b.dropped_signatures.join(", ")
        );
    }
    // k of n (issue #18): a build signed by fewer keys than the set needs
    // is prepared, not finished.
    if let Some(sig) = b.signatures.as_ref().filter(|s| s.found < s.set.threshold) {
        eprintln!(
            "the secretariat's key set ({}: keys {}) needs {} signatures, and this build carries {}: before `pocdir mail`, {} other officer(s) of the set add theirs on this build with `pocdir sign --root {} --out {} --secret-key THEIR.key` (it signs every bundle, the version log and the directory's log/versions.jsonl; commit that signature file)",
            sig.set.name(),
            sig.set.ids(),
            sig.set.threshold,
            sig.found,
            sig.set.threshold - sig.found,
            root.display(),
            a.out.display()
        );
    }
    if !b.without_accounts.is_empty() {
        eprintln!(
            "warning: no verified account, so no bundle, for: {}",
            b.without_accounts.join(", ")
        );
    }
    for code in &b.no_eligible_account {
        let lapsed: Vec<String> = b
            .lapsed
            .iter()
            .filter(|(s, _, _)| s == code)
            .map(|(_, account, day)| format!("{account} lapsed on {day}"))
            .collect();
        eprintln!(
            "warning: {code} has no eligible account, so `pocdir mail` sends it no bundle: account verification older than the policy ({})",
            pocdir::util::text::printable(&lapsed.join(", "))
        );
    }
    for (code, account, day) in b
        .lapsed
        .iter()
        .filter(|(s, _, _)| !b.no_eligible_account.contains(s))
    {
        eprintln!(
            "note: {code}: {} gets no bundle by mail: its verification lapsed on {day}",
            pocdir::util::text::printable(account)
        );
    }
    Ok(ExitCode::SUCCESS)
}
