//! Cutting a rendered page's contact data out and sealing it (issue #16).
//!
//! A template marks what must not be served in the clear between
//! [`BEGIN`] and [`END`] (only when the site is sealed). Each region
//! becomes an empty `<div class="sealed-block" data-sealed="…">` holding
//! the region's HTML sealed under the build's data key; `static/sealed.js`
//! puts the HTML back once a code has opened the key. Markers cannot come
//! from the directory's data: every text is escaped (`<` never reaches a
//! page from YAML) and the notes' HTML is sanitised, comments removed.

use super::access::Access;

/// Where a sealed region starts, and ends.
pub const BEGIN: &str = "<!--pocdir:seal-->";
pub const END: &str = "<!--/pocdir:seal-->";

/// `html` with every marked region sealed. Unbalanced or nested markers
/// are an error of the theme (never a page served half in the clear).
pub fn seal_regions(html: &str, access: &Access) -> Result<String, String> {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find(BEGIN) {
        out.push_str(&rest[..start]);
        let after = &rest[start + BEGIN.len()..];
        let end = after
            .find(END)
            .ok_or("a sealed region is not closed (<!--/pocdir:seal-->)")?;
        let region = &after[..end];
        if region.contains(BEGIN) {
            return Err("sealed regions are nested".into());
        }
        out.push_str("<div class=\"sealed-block\" data-sealed=\"");
        out.push_str(&access.seal_base64(region.as_bytes()));
        out.push_str("\"></div>");
        rest = &after[end + END.len()..];
    }
    if rest.contains(END) {
        return Err("a sealed region ends where none began".into());
    }
    out.push_str(rest);
    Ok(out)
}

/// The served files that stay in the clear whatever they hold (none holds
/// contact data): the theme's files, robots.txt, the public key, the
/// slots.
fn stays_clear(path: &str) -> bool {
    path.starts_with("static/") || matches!(path, "robots.txt" | "secretariat.pub" | KEYS_SCRIPT)
}

/// The slots' script, at the site's root.
pub const KEYS_SCRIPT: &str = "sealed-keys.js";

/// What a rendered file becomes in a sealed site: a page, its marked
/// regions sealed; a theme file, as it is; any other file (the exports:
/// JSON, CSV, vCards, OpenPGP keys) sealed whole under `<path>.sealed`,
/// which `static/sealed.js` fetches, opens and hands to the reader as the
/// download they asked for.
pub fn seal_file(
    access: &Access,
    path: String,
    bytes: Vec<u8>,
) -> Result<(String, Vec<u8>), String> {
    if stays_clear(&path) {
        return Ok((path, bytes));
    }
    if path.ends_with(".html") {
        let html = String::from_utf8(bytes).map_err(|_| format!("{path}: not UTF-8"))?;
        let sealed = seal_regions(&html, access).map_err(|e| format!("{path}: {e}"))?;
        return Ok((path, sealed.into_bytes()));
    }
    let sealed = access.seal(&bytes);
    Ok((format!("{path}.sealed"), sealed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::sealed::secret::SiteSecret;

    fn access() -> Access {
        let dir = super::super::example();
        Access::new(&SiteSecret::from_bytes([5; 32]), &dir, "r")
    }

    #[test]
    fn marked_regions_are_sealed_and_the_rest_kept() {
        let a = access();
        let html = format!("<h1>France</h1>{BEGIN}<p>cert@fra.example</p>{END}<p>after</p>");
        let sealed = seal_regions(&html, &a).unwrap();
        assert!(sealed.starts_with("<h1>France</h1><div class=\"sealed-block\" data-sealed=\""));
        assert!(sealed.ends_with("\"></div><p>after</p>"));
        assert!(!sealed.contains("cert@"));
        assert_eq!(seal_regions("<p>plain</p>", &a).unwrap(), "<p>plain</p>");
    }

    #[test]
    fn exports_are_sealed_whole_and_theme_files_kept() {
        let a = access();
        let (p, b) = seal_file(&a, "directory.csv".into(), b"a,b\n".to_vec()).unwrap();
        assert_eq!(p, "directory.csv.sealed");
        assert_eq!(
            super::super::access::open_with(&a.data_key_for_tests(), &b).unwrap(),
            b"a,b\n"
        );
        let (p, b) = seal_file(&a, "static/style.css".into(), b"x".to_vec()).unwrap();
        assert_eq!((p.as_str(), b.as_slice()), ("static/style.css", &b"x"[..]));
        assert!(seal_file(&a, "en/x.html".into(), vec![0xff]).is_err());
    }

    #[test]
    fn broken_markers_are_refused() {
        let a = access();
        for bad in [
            format!("{BEGIN}<p>x</p>"),
            format!("<p>x</p>{END}"),
            format!("{BEGIN}{BEGIN}x{END}{END}"),
        ] {
            assert!(seal_regions(&bad, &a).is_err(), "{bad}");
        }
    }
}
