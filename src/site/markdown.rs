//! Markdown to safe HTML: pulldown-cmark, links between pages rewritten to
//! the rendered files, images turned into links (a page loads nothing),
//! then ammonia with only http(s), mailto and tel (and relative) links
//! allowed and no element that loads a resource.

use std::collections::{BTreeSet, HashSet};

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

/// Elements that make a browser fetch something (or embed another
/// document): never let through, whatever produced them. `check` refuses
/// Markdown images (`loads-resource`); this is the second line.
pub const LOADING_TAGS: &[&str] = &[
    "img", "picture", "source", "video", "audio", "track", "iframe", "frame", "object", "embed",
    "link", "style", "svg", "image", "input", "meta", "base", "script",
];

/// A link or image being rendered, innermost last.
enum Open<'a> {
    Link,
    /// An image rendered as a link to its URL; `text`: whether its alt
    /// text had any (else the URL is the link's text).
    Image {
        url: CowStr<'a>,
        text: bool,
    },
    /// A link or image inside another: only its text is kept (no link
    /// inside a link).
    Flat,
}

/// Render `md`. `page_prefix` is the relative path from the output file
/// to the folder of pages (`""` from a page, `"../pages/"` from a State).
pub fn to_html(md: &str, pages: &BTreeSet<String>, page_prefix: &str) -> String {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut open: Vec<Open> = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    for ev in Parser::new_ext(md, opts) {
        if let Event::Text(s) | Event::Code(s) | Event::Html(s) | Event::InlineHtml(s) = &ev
            && !s.trim().is_empty()
            && let Some(Open::Image { text, .. }) = open.first_mut()
        {
            *text = true;
        }
        match ev {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) if open.is_empty() => {
                open.push(Open::Link);
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: rewrite(&dest_url, pages, page_prefix).map_or(dest_url, CowStr::from),
                    title,
                    id,
                }));
            }
            // An image is never shown: it becomes a link to its URL, with
            // its alt text as the link's text.
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) if open.is_empty() => {
                open.push(Open::Image {
                    url: dest_url.clone(),
                    text: false,
                });
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: rewrite(&dest_url, pages, page_prefix).map_or(dest_url, CowStr::from),
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => open.push(Open::Flat),
            Event::End(TagEnd::Link | TagEnd::Image) => match open.pop() {
                Some(Open::Link) => events.push(Event::End(TagEnd::Link)),
                Some(Open::Image { url, text }) => {
                    if !text {
                        events.push(Event::Text(url));
                    }
                    events.push(Event::End(TagEnd::Link));
                }
                Some(Open::Flat) | None => {}
            },
            // Raw HTML is shown as text, never interpreted.
            Event::Html(s) | Event::InlineHtml(s) => events.push(Event::Text(s)),
            other => events.push(other),
        }
    }
    let mut raw = String::new();
    html::push_html(&mut raw, events.into_iter());
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

/// Each table of sanitised `html` in a region of its own that scrolls
/// sideways when the table is wider than the page (WCAG 1.4.10 lets a data
/// table scroll, not the page): in the Tab order so a keyboard can scroll
/// it (2.1.1), named `label(n)` for the page's `n`th table (1, 2, …).
/// After [`sanitize`], `<table>` can only be an element: text is escaped.
pub fn scrolling_tables(html: &str, label: impl Fn(usize) -> String) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut n = 0;
    while let Some(i) = rest.find("<table>") {
        n += 1;
        out.push_str(&rest[..i]);
        out.push_str(&format!(
            "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"{}\">",
            super::view::escape(&label(n))
        ));
        rest = &rest[i..];
        let end = rest
            .find("</table>")
            .map_or(rest.len(), |e| e + "</table>".len());
        out.push_str(&rest[..end]);
        out.push_str("</div>");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// ammonia's default allow-list without [`LOADING_TAGS`], links
/// restricted to safe schemes.
pub fn sanitize(html: &str) -> String {
    let schemes: HashSet<&str> = ["http", "https", "mailto", "tel"].into_iter().collect();
    ammonia::Builder::default()
        .rm_tags(LOADING_TAGS)
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

    #[test]
    fn an_image_becomes_a_link_with_its_alt_text() {
        let h = to_html(
            "See ![the *map*](https://cdn.example/m.png \"Map\") and ![r][logo].\n\n\
             [logo]: https://cdn.example/logo.svg\n",
            &pages(),
            "",
        );
        assert!(!h.contains("<img"), "{h}");
        assert!(
            h.contains("<a href=\"https://cdn.example/m.png\" title=\"Map\" rel=\"noopener noreferrer\">the <em>map</em></a>"),
            "{h}"
        );
        assert!(
            h.contains(
                "<a href=\"https://cdn.example/logo.svg\" rel=\"noopener noreferrer\">r</a>"
            ),
            "{h}"
        );
    }

    #[test]
    fn an_image_without_alt_text_shows_its_url() {
        let h = to_html("![](https://cdn.example/m.png)", &pages(), "");
        assert!(!h.contains("<img"), "{h}");
        assert!(
            h.contains(">https://cdn.example/m.png</a>"),
            "the link has no visible text: {h}"
        );
    }

    #[test]
    fn an_image_inside_a_link_is_its_text() {
        let h = to_html(
            "[![badge](https://cdn.example/b.png) status](https://x.example) \
             ![a [b](https://y.example)](https://cdn.example/c.png)",
            &pages(),
            "",
        );
        assert!(!h.contains("<img"), "{h}");
        assert_eq!(h.matches("<a ").count(), 2, "{h}");
        assert_eq!(h.matches("</a>").count(), 2, "{h}");
        assert!(h.contains("href=\"https://x.example\""), "{h}");
        assert!(h.contains(">badge status</a>"), "{h}");
        assert!(h.contains("href=\"https://cdn.example/c.png\""), "{h}");
        assert!(!h.contains("https://y.example"), "{h}");
        assert!(h.contains(">a b</a>"), "{h}");
    }

    #[test]
    fn unsafe_and_page_images_are_links_like_any_other() {
        let h = to_html(
            "![x](data:image/png;base64,AAAA) ![k](verify.md#keys) ![j](javascript:alert(1))",
            &pages(),
            "../pages/",
        );
        assert!(!h.contains("<img"), "{h}");
        assert!(!h.contains("data:"), "{h}");
        assert!(!h.contains("javascript"), "{h}");
        assert!(h.contains("href=\"../pages/verify.html#keys\""), "{h}");
    }

    #[test]
    fn no_element_that_loads_a_resource_survives_sanitising() {
        for tag in LOADING_TAGS {
            let h = sanitize(&format!(
                "<p>a<{tag} src=\"https://h.example/x\" href=\"https://h.example/y\" data=\"https://h.example/z\">b</{tag}></p>"
            ));
            assert!(!h.contains(&format!("<{tag}")), "{tag}: {h}");
            assert!(!h.contains("h.example"), "{tag}: {h}");
        }
        for tag in [
            "img", "picture", "source", "video", "audio", "iframe", "object", "embed", "link",
            "style",
        ] {
            assert!(LOADING_TAGS.contains(&tag), "{tag}");
        }
        // What is left is still allowed.
        let h = sanitize("<p><a href=\"https://h.example/\">a</a> <em>b</em></p>");
        assert!(h.contains("<a href=\"https://h.example/\""), "{h}");
        assert!(h.contains("<em>b</em>"), "{h}");
    }

    #[test]
    fn each_table_scrolls_in_a_named_focusable_region() {
        let h = to_html(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\ntext <table>\n\n| c |\n|---|\n| 3 |\n",
            &pages(),
            "",
        );
        let h = scrolling_tables(&h, |n| format!("Table \"{n}\""));
        assert_eq!(h.matches("<div class=\"table-scroll\"").count(), 2, "{h}");
        assert!(
            h.contains("<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"Table &quot;1&quot;\"><table>"),
            "{h}"
        );
        assert!(
            h.contains("aria-label=\"Table &quot;2&quot;\"><table>"),
            "{h}"
        );
        assert_eq!(h.matches("</table></div>").count(), 2, "{h}");
        assert!(h.contains("text &lt;table&gt;"), "{h}");
    }

    #[test]
    fn raw_html_img_is_shown_as_text_in_notes_and_pages() {
        for prefix in ["", "../pages/"] {
            let h = to_html(
                "Call us. <img src=\"https://tracker.example/p.png\">\n\n<img src=\"https://tracker.example/q.png\">\n",
                &pages(),
                prefix,
            );
            assert!(!h.contains("<img"), "{h}");
            assert!(
                h.contains("&lt;img src=\"https://tracker.example/p.png\"&gt;"),
                "{h}"
            );
            assert!(
                h.contains("&lt;img src=\"https://tracker.example/q.png\"&gt;"),
                "{h}"
            );
        }
    }
}
