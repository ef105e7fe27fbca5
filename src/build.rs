//! `pocdir build`: check, then render the site (and, later, seal the
//! bundles), then write each output tree atomically. Nothing is written
//! unless the directory checks without error and everything rendered.

use std::collections::BTreeMap;
use std::path::Path;

use jiff::civil::Date;

use crate::diag::Report;
use crate::model;

pub struct BuildOptions<'a> {
    pub root: &'a Path,
    pub out: &'a Path,
    pub as_of: Date,
}

/// What a successful build did.
pub struct Built {
    pub report: Report,
    pub sources: BTreeMap<String, String>,
    pub site_files: usize,
    pub states: usize,
}

pub enum BuildError {
    /// The directory has errors: the report says which.
    Invalid {
        report: Report,
        sources: BTreeMap<String, String>,
    },
    /// A template failed to render.
    Render(String),
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

/// Check and render without writing: the site's files, in memory.
pub fn render_site(root: &Path, as_of: Date) -> Result<Rendered, BuildError> {
    let (dir, report, loaded) = model::build(root, as_of);
    let Some(dir) = dir else {
        return Err(BuildError::Invalid {
            report,
            sources: loaded.sources,
        });
    };
    let files = crate::site::render(&dir, &loaded.theme, &loaded.i18n)
        .map_err(|e| BuildError::Render(e.0))?;
    Ok(Rendered {
        files,
        report,
        sources: loaded.sources,
        states: dir.states.len(),
    })
}

pub fn build(opts: &BuildOptions) -> Result<Built, BuildError> {
    let Rendered {
        files,
        report,
        sources,
        states,
    } = render_site(opts.root, opts.as_of)?;
    crate::write::tree(opts.out, "site", &files)
        .map_err(|e| BuildError::Io(format!("writing {}: {e}", opts.out.join("site").display())))?;
    Ok(Built {
        report,
        sources,
        site_files: files.len(),
        states,
    })
}
