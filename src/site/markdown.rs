//! Markdown to safe HTML: pulldown-cmark, links between pages rewritten to
//! the rendered files, then ammonia with only http(s), mailto and tel (and
//! relative) links allowed.

use std::collections::{BTreeSet, HashSet};

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};

/// Render `md`. `page_prefix` is the relative path from the output file
/// to the folder of pages (`""` from a page, `"../pages/"` from a State).
pub fn to_html(md: &str, pages: &BTreeSet<String>, page_prefix: &str) -> String {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(md, opts).map(|ev| match ev {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: rewrite(&dest_url, pages, page_prefix).map_or(dest_url, CowStr::from),
            title,
            id,
        }),
        // Raw HTML is shown as text, never interpreted.
        Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
        other => other,
    });
    let mut raw = String::new();
    html::push_html(&mut raw, events);
    sanitize(&raw)
}

/// `about.md#x` → `PREFIX about.html#x` when `about` is a page.
fn rewrite(dest: &str, pages: &BTreeSet<String>, prefix: &str) -> Option<String> {
    if dest.contains(':') || dest.starts_with('/') {
        return None;
    }
    let (path, frag) = match dest.find('#') {
        Some(i) => dest.split_at(i),
        None => (dest, ""),
    };
    let path = path.strip_prefix("./").unwrap_or(path);
    let name = path.strip_suffix(".md")?;
    pages
        .contains(name)
        .then(|| format!("{prefix}{name}.html{frag}"))
}

/// ammonia's default allow-list, links restricted to safe schemes.
pub fn sanitize(html: &str) -> String {
    let schemes: HashSet<&str> = ["http", "https", "mailto", "tel"].into_iter().collect();
    ammonia::Builder::default()
        .url_schemes(schemes)
        .link_rel(Some("noopener noreferrer"))
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages() -> BTreeSet<String> {
        ["verify".to_string()].into_iter().collect()
    }

    #[test]
    fn links_are_rewritten_and_unsafe_ones_dropped() {
        let h = to_html(
            "[v](verify.md#k) [x](javascript:alert(1)) [m](mailto:a@b.example)",
            &pages(),
            "../pages/",
        );
        assert!(h.contains("href=\"../pages/verify.html#k\""), "{h}");
        assert!(!h.contains("javascript"), "{h}");
        assert!(h.contains("mailto:a@b.example"), "{h}");
    }

    #[test]
    fn raw_html_is_text() {
        let h = to_html(
            "<script>alert(1)</script> <img src=x onerror=alert(1)>",
            &pages(),
            "",
        );
        assert!(!h.contains("<script"), "{h}");
        assert!(!h.contains("<img"), "{h}");
        assert!(h.contains("&lt;script&gt;"), "{h}");
    }
}
