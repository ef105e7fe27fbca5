//! pocdir: the global intergovernmental directory of cyber Points of Contact.
//!
//! Data flows one way: `load` (the only module reading the directory) →
//! `validate` (diagnostics) → `model` (the checked directory) → render /
//! seal → write. The library never prints and never exits.
#![forbid(unsafe_code)]

pub mod at;
pub mod build;
pub mod bundle;
pub mod diag;
pub mod export;
pub mod gitrev;
pub mod keygen;
pub mod load;
pub mod mail;
pub mod model;
pub mod open;
pub mod par;
pub mod ping;
pub mod refdata;
pub mod remind;
pub mod review;
pub mod schema;
pub mod serve;
pub mod sign;
pub mod site;
pub mod stale;
pub mod synth;
pub mod theme;
pub mod validate;
pub mod write;

use std::path::Path;

/// The outcome of `pocdir check`: every diagnostic, and the text of the
/// files they point into (for snippets).
pub struct CheckOutcome {
    pub report: diag::Report,
    pub sources: std::collections::BTreeMap<String, String>,
}

/// Load and validate the directory at `root`, judging dates as of `today`.
pub fn check(root: &Path, today: jiff::civil::Date) -> CheckOutcome {
    let loaded = load::load(root);
    let mut report = diag::Report::default();
    report.extend(loaded.diagnostics.iter().cloned());
    report.extend(validate::validate(&loaded, &validate::Context { today }));
    report.finish();
    CheckOutcome {
        report,
        sources: loaded.sources,
    }
}
