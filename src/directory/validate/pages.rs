//! Rules for the Markdown pages of `content/pages/`.

use std::collections::{BTreeMap, BTreeSet};

use pulldown_cmark::{Event, Options, Parser, Tag};

use crate::directory::diagnostic::{Code, Diagnostic};
use crate::directory::load::PageSource;
use crate::directory::span::Pos;
use crate::util::text::quote;

/// Link schemes a page may use; anything else (javascript:, data:, file:)
/// is refused.
pub const ALLOWED_SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

/// `files`: (name, language) of every page file, loaded or not, so that a
/// page that failed to load does not also break the links to it.
/// `languages` is empty when the settings could not be read: then the
/// language rules are not judged.
pub fn validate(
    pages: &[PageSource],
    files: &BTreeSet<(String, Option<String>)>,
    languages: &[String],
    default_language: &str,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let names: BTreeSet<&str> = files
        .iter()
        .filter(|(_, l)| l.is_none())
        .map(|(n, _)| n.as_str())
        .collect();
    let mut variants: BTreeMap<(&str, Option<&str>), &str> = BTreeMap::new();
    for p in pages {
        if let Some(lang) = &p.lang {
            if languages.is_empty() {
                // Settings unreadable: reported elsewhere.
            } else if !languages.iter().any(|l| l == lang) {
                out.push(
                    Diagnostic::error(
                        Code::PageLanguage,
                        p.file.clone(),
                        Pos::UNKNOWN,
                        format!("{} is not a language of this directory", quote(lang)),
                    )
                    .hint(format!(
                        "name translations NAME.LANG.md with LANG one of: {}",
                        languages.join(", ")
                    )),
                );
            } else if lang == default_language {
                out.push(
                    Diagnostic::error(
                        Code::PageLanguage,
                        p.file.clone(),
                        Pos::UNKNOWN,
                        format!("{lang} is the default language"),
                    )
                    .hint(format!(
                        "the default-language page is {}.md, without a language suffix",
                        p.name
                    )),
                );
            }
            if !names.contains(p.name.as_str()) {
                out.push(
                    Diagnostic::error(Code::OrphanTranslation, p.file.clone(), Pos::UNKNOWN, format!("translation of a page {}.md that does not exist", p.name))
                        .hint("every page exists in the default language first; translations fall back to it"),
                );
            }
        }
        variants.insert((p.name.as_str(), p.lang.as_deref()), p.file.as_str());
        if p.front.title.trim().is_empty() {
            out.push(
                Diagnostic::error(
                    Code::FrontMatter,
                    p.file.clone(),
                    p.front.title.pos,
                    "page title is empty",
                )
                .hint("give the page a title"),
            );
        }
        links(p, &names, &mut out);
    }
    out
}

fn links(p: &PageSource, names: &BTreeSet<&str>, out: &mut Vec<Diagnostic>) {
    let parser = Parser::new_ext(&p.body, Options::empty()).into_offset_iter();
    for (event, range) in parser {
        let dest = match &event {
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => dest_url.to_string(),
            _ => continue,
        };
        let pos = body_pos(p, range.start);
        if let Some(problem) = link_problem(&dest, names) {
            let (code, msg, hint) = problem;
            out.push(Diagnostic::error(code, p.file.clone(), pos, msg).hint(hint));
        }
    }
}

type Problem = (Code, String, String);

/// Why a link is refused, if it is.
pub fn link_problem(dest: &str, names: &BTreeSet<&str>) -> Option<Problem> {
    if dest.is_empty() || dest.starts_with('#') {
        return None;
    }
    if let Some((scheme, _)) = dest.split_once(':')
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && !scheme.is_empty()
    {
        if ALLOWED_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str()) {
            return None;
        }
        return Some((
            Code::UnsafeLink,
            format!("link {} uses a scheme that is not allowed", quote(dest)),
            format!(
                "links may use {} or point to another page (NAME.md)",
                ALLOWED_SCHEMES.join(", ")
            ),
        ));
    }
    if dest.starts_with('/') || dest.starts_with('\\') {
        return Some((
            Code::AbsoluteLink,
            format!("link {} is an absolute path", quote(dest)),
            "the site must work under any sub-path: link to another page as NAME.md".into(),
        ));
    }
    let path = dest.split(['#', '?']).next().unwrap_or("");
    let path = path.strip_prefix("./").unwrap_or(path);
    match path.strip_suffix(".md") {
        Some(name) if names.contains(name) => None,
        Some(_) => Some((
            Code::BrokenLink,
            format!("link {} points to a page that does not exist", quote(dest)),
            format!(
                "pages here: {}",
                names
                    .iter()
                    .map(|n| format!("{n}.md"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
        None => Some((
            Code::BrokenLink,
            format!("link {} does not point to a page", quote(dest)),
            "link to another page as NAME.md (the site picks the reader's language)".into(),
        )),
    }
}

fn body_pos(p: &PageSource, offset: usize) -> Pos {
    let before = &p.body[..offset.min(p.body.len())];
    let line = before.matches('\n').count();
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    Pos::new(p.body_line + line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links() {
        let names: BTreeSet<&str> = ["about", "verify"].into_iter().collect();
        assert!(link_problem("verify.md", &names).is_none());
        assert!(link_problem("./verify.md#keys", &names).is_none());
        assert!(link_problem("https://secretariat.example", &names).is_none());
        assert!(link_problem("mailto:a@b.example", &names).is_none());
        assert_eq!(
            link_problem("javascript:alert(1)", &names).unwrap().0,
            Code::UnsafeLink
        );
        assert_eq!(
            link_problem("JavaScript:alert(1)", &names).unwrap().0,
            Code::UnsafeLink
        );
        assert_eq!(
            link_problem("/etc/passwd", &names).unwrap().0,
            Code::AbsoluteLink
        );
        assert_eq!(
            link_problem("../../secret.md", &names).unwrap().0,
            Code::BrokenLink
        );
        assert_eq!(
            link_problem("missing.md", &names).unwrap().0,
            Code::BrokenLink
        );
    }
}
