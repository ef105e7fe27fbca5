//! Themes: the default theme is compiled into pocdir (so any directory
//! builds, even one without a `themes/` folder); files of the directory's
//! `themes/default/` and then of `themes/<theme>/` override it, path by
//! path, as in mdBook and Zola. `load` reads the override files; this
//! module only merges.

use std::collections::BTreeMap;

macro_rules! embed {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_bytes!(concat!("../../themes/default/", $path)) as &[u8])),*]
    };
}

/// The default theme, as shipped in `themes/default/`.
pub const EMBEDDED: &[(&str, &[u8])] = embed!(
    "templates/base.html",
    "templates/index.html",
    "templates/state.html",
    "templates/page.html",
    "templates/poc.html",
    "templates/languages.html",
    "templates/checks.html",
    "templates/receipts.html",
    "templates/participation.html",
    "templates/offline.html",
    "templates/offline_section.html",
    "templates/offline_state.html",
    "static/style.css",
    "static/print.css",
    "static/search.js",
    "static/now.js",
    "static/sealed.js",
    "i18n/en.yaml",
    "i18n/fr.yaml",
    "i18n/es.yaml",
    "i18n/ru.yaml",
    "i18n/zh.yaml",
    "i18n/ar.yaml",
    "i18n/en.glossary.yaml",
    "i18n/fr.glossary.yaml",
    "i18n/es.glossary.yaml",
    "i18n/ru.glossary.yaml",
    "i18n/zh.glossary.yaml",
    "i18n/ar.glossary.yaml",
);

/// The effective theme: theme-relative path → (where it came from, bytes).
#[derive(Clone, Debug, Default)]
pub struct Theme {
    pub files: BTreeMap<String, (String, Vec<u8>)>,
}

impl Theme {
    /// The embedded default theme overridden by `overrides` (in order).
    pub fn merge(overrides: &[(String, BTreeMap<String, Vec<u8>>)]) -> Theme {
        let mut files: BTreeMap<String, (String, Vec<u8>)> = EMBEDDED
            .iter()
            .map(|(p, b)| (p.to_string(), (format!("<built-in theme>/{p}"), b.to_vec())))
            .collect();
        for (origin, layer) in overrides {
            for (p, b) in layer {
                files.insert(p.clone(), (format!("{origin}/{p}"), b.clone()));
            }
        }
        Theme { files }
    }

    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(|(_, b)| b.as_slice())
    }

    /// Files under a folder (`templates/`, `static/`, `i18n/`), by path
    /// relative to it.
    pub fn under<'a>(
        &'a self,
        folder: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a str, &'a [u8])> + 'a {
        self.files.iter().filter_map(move |(p, (origin, b))| {
            p.strip_prefix(folder)
                .and_then(|r| r.strip_prefix('/'))
                .map(|r| (r, origin.as_str(), b.as_slice()))
        })
    }
}
