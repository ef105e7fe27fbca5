//! Rules for the Markdown pages of `content/pages/`, and the rule every
//! Markdown text (pages, PoC notes) follows: no image (`loads-resource`).

use std::collections::{BTreeMap, BTreeSet};

use pulldown_cmark::{Event, Options, Parser, Tag};

use crate::directory::diagnostic::{Code, Diagnostic};
use crate::directory::load::PageSource;
use crate::directory::schema::StateFile;
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
    let parser = Parser::new_ext(&p.body, MARKDOWN).into_offset_iter();
    for (event, range) in parser {
        // An image is refused whatever its URL (`images` below), so its URL
        // is not judged as a link as well.
        let Event::Start(Tag::Link { dest_url, .. }) = &event else {
            continue;
        };
        let pos = body_pos(p, range.start);
        if let Some(problem) = link_problem(dest_url, names) {
            let (code, msg, hint) = problem;
            out.push(Diagnostic::error(code, p.file.clone(), pos, msg).hint(hint));
        }
    }
    for image in images(&p.body) {
        out.push(image.diagnostic(&p.file, body_pos(p, image.offset)));
    }
}

/// The Markdown extensions the site renders with (`site::markdown`), so
/// that `check` sees the same links and images as the renderer.
const MARKDOWN: Options = Options::ENABLE_TABLES.union(Options::ENABLE_STRIKETHROUGH);

/// A Markdown image (`![alt](url)`, `![alt][ref]`): refused, whatever its
/// URL, because every reader's browser would load it (the bundles'
/// offline page is opened by every recipient).
#[derive(Debug, PartialEq, Eq)]
pub struct Image {
    /// Byte offset of the `![` in the Markdown text.
    pub offset: usize,
    pub url: String,
    pub alt: String,
}

impl Image {
    fn diagnostic(&self, file: &str, pos: Pos) -> Diagnostic {
        let alt = match self.alt.trim() {
            "" => "text",
            alt => alt,
        };
        let url = self.url.trim().to_ascii_lowercase();
        let hint = if url.starts_with("https://") || url.starts_with("http://") {
            format!("link to it instead: [{}]({})", short(alt), short(&self.url))
        } else {
            format!(
                "an image is never shown: describe it in words, or link to where it is published: [{}](https://…)",
                short(alt)
            )
        };
        Diagnostic::error(
            Code::LoadsResource,
            file,
            pos,
            format!(
                "the image {} would be loaded by every reader of the page",
                quote(&short(&self.url))
            ),
        )
        .hint(hint)
    }
}

/// `s`, cut to 80 characters (a `data:` URL can be very long).
fn short(s: &str) -> String {
    if s.chars().count() > 80 {
        s.chars().take(79).chain(['…']).collect()
    } else {
        s.to_string()
    }
}

/// Every image of the Markdown text `md`, in order (an image inside the
/// text of another one too).
pub fn images(md: &str) -> Vec<Image> {
    let mut found: Vec<Image> = Vec::new();
    // Indices in `found` of the images whose text is being read.
    let mut open: Vec<usize> = Vec::new();
    for (event, range) in Parser::new_ext(md, MARKDOWN).into_offset_iter() {
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                open.push(found.len());
                found.push(Image {
                    offset: range.start,
                    url: dest_url.to_string(),
                    alt: String::new(),
                });
            }
            Event::End(pulldown_cmark::TagEnd::Image) => {
                open.pop();
            }
            Event::Text(t) | Event::Code(t) => {
                for &i in &open {
                    if let Some(img) = found.get_mut(i) {
                        img.alt.push_str(&t);
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// The images of every PoC's `notes` in one State file: `source` is the
/// file's text, to find where each image was written.
pub fn notes(file: &str, source: &str, state: &StateFile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for poc in state.points_of_contact.iter() {
        let Some(notes) = &poc.notes else { continue };
        let mut from = offset_of(source, notes.pos);
        for image in images(notes) {
            let (pos, next) =
                find_in_source(source, from, &notes[image.offset..]).unwrap_or((notes.pos, from));
            from = next;
            out.push(image.diagnostic(file, pos));
        }
    }
    out
}

/// Byte offset in `source` of a 1-based line and column (in characters);
/// 0 when the position is unknown or past the end.
fn offset_of(source: &str, pos: Pos) -> usize {
    if pos.line == 0 {
        return 0;
    }
    let mut line_start = 0;
    for _ in 1..pos.line {
        match source[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return 0,
        }
    }
    let line = &source[line_start..];
    let line = &line[..line.find('\n').unwrap_or(line.len())];
    line_start
        + line
            .char_indices()
            .nth(pos.column.saturating_sub(1))
            .map_or(line.len(), |(i, _)| i)
}

/// Where the Markdown text `rest` (from an image to the end of a YAML
/// value) was written in `source`, searching from byte `from`: the first
/// line of it as written (a block scalar keeps it whole), else its first
/// word (`![alt…`; quoted or folded values change the rest). The position
/// found and the offset just past it, for the next image.
fn find_in_source(source: &str, from: usize, rest: &str) -> Option<(Pos, usize)> {
    let line = rest.split('\n').next().unwrap_or("").trim_end();
    let word = rest.split(char::is_whitespace).next().unwrap_or("");
    let haystack = source.get(from..)?;
    let at = [line, word]
        .into_iter()
        .filter(|needle| !needle.is_empty())
        .find_map(|needle| haystack.find(needle))?;
    let start = from + at;
    let before = &source[..start];
    let line_no = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Some((Pos::new(line_no, column), start + 2))
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

    #[test]
    fn every_image_is_found_whatever_its_url() {
        let md = "See ![the map](https://cdn.example/map.png).\n\n\
                  ![](local.png) and ![r][logo] and \
                  [![inner](data:image/png;base64,AAAA)](https://x.example)\n\n\
                  | a |\n|---|\n| ![cell](c.png) |\n\n\
                  [logo]: https://cdn.example/logo.svg\n";
        let imgs = images(md);
        let got: Vec<(&str, &str)> = imgs
            .iter()
            .map(|i| (i.url.as_str(), i.alt.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("https://cdn.example/map.png", "the map"),
                ("local.png", ""),
                ("https://cdn.example/logo.svg", "r"),
                ("data:image/png;base64,AAAA", "inner"),
                ("c.png", "cell"),
            ]
        );
        assert_eq!(&md[imgs[0].offset..imgs[0].offset + 2], "![");
        assert!(images("[a link](https://x.example) <img src=x>").is_empty());
    }

    #[test]
    fn an_image_is_found_where_it_was_written() {
        let source = "a: 1\nnotes: |\n  Call us.\n  Map: ![m](https://h.example/m.png) x\n";
        let from = offset_of(source, Pos::new(2, 8));
        assert_eq!(&source[from..from + 1], "|");
        let (pos, next) =
            find_in_source(source, from, "![m](https://h.example/m.png) x\n").expect("found");
        assert_eq!(pos, Pos::new(4, 8));
        assert!(next > from);
        // A folded value: the first line differs, its first word does not.
        let source = "notes: >-\n  ![a\n  map](m.png)\n";
        let (pos, _) = find_in_source(source, 0, "![a map](m.png)").expect("found");
        assert_eq!(pos, Pos::new(2, 3));
        // Unknown positions and text not in the file give nothing, no panic.
        assert_eq!(offset_of(source, Pos::new(99, 1)), 0);
        assert_eq!(offset_of(source, Pos::UNKNOWN), 0);
        assert!(find_in_source(source, 0, "![zzz](q)").is_none());
        assert!(find_in_source(source, source.len() + 5, "![a").is_none());
    }

    #[test]
    fn an_image_is_an_error_with_a_link_as_hint() {
        let img = &images("![logo](https://h.example/l.png)")[0];
        let d = img.diagnostic("content/pages/about.md", Pos::new(3, 1));
        assert_eq!(d.code, Code::LoadsResource);
        assert!(d.is_error());
        assert!(
            d.message.contains("https://h.example/l.png"),
            "{}",
            d.message
        );
        assert_eq!(
            d.hint.as_deref(),
            Some("link to it instead: [logo](https://h.example/l.png)")
        );
        let long = format!("![x](data:image/png;base64,{})", "A".repeat(5000));
        let d = images(&long)[0].diagnostic("f", Pos::UNKNOWN);
        assert!(d.message.chars().count() < 200, "{}", d.message);
        assert!(!d.hint.unwrap_or_default().contains("data:"));
        let d = images("![](map.png)")[0].diagnostic("f", Pos::UNKNOWN);
        assert_eq!(
            d.hint.as_deref(),
            Some(
                "an image is never shown: describe it in words, or link to where it is published: [text](https://…)"
            )
        );
    }
}
