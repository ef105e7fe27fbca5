//! The last check of a sealed site (issue #16): before a file is handed
//! to the output, it must not hold any State's contact data in the clear.
//! A theme that shows a PoC outside the `<!--pocdir:seal-->` markers (a
//! new template, an override) fails the build instead of publishing.
//!
//! What it looks for, in the bytes as served: every PoC's and Mission's
//! email address and phone number (E.164, as `tel:` links and exports
//! carry them), and every contact person's name.

use aho_corasick::AhoCorasick;

use crate::directory::model::Directory;

/// The contact data a sealed site must never serve in the clear.
pub struct Guard {
    finder: Option<AhoCorasick>,
    /// What each pattern is ("FRA email", ...), never the value itself in
    /// an error: the error may end up in a CI log.
    what: Vec<String>,
}

impl Guard {
    pub fn new(dir: &Directory) -> Guard {
        let mut patterns: Vec<String> = Vec::new();
        let mut what = Vec::new();
        let mut add = |kind: String, v: &str| {
            let v = v.trim();
            // Shorter strings would match ordinary words.
            if v.chars().count() >= 6 {
                patterns.push(v.to_string());
                what.push(kind);
            }
        };
        for s in &dir.states {
            let code = s.code.as_str();
            add(format!("{code}'s Mission email"), &s.mission.email);
            if let Some(p) = &s.mission.phone {
                add(
                    format!("{code}'s Mission phone"),
                    &crate::util::phone::phone(p).tel,
                );
            }
            for poc in &s.points_of_contact {
                if let Some(person) = &poc.person {
                    add(format!("a person of {code}"), &person.name);
                }
                for e in &poc.emails {
                    add(format!("an email of {code}"), &e.value);
                }
                for p in &poc.phones {
                    add(
                        format!("a phone of {code}"),
                        &crate::util::phone::phone(&p.value).tel,
                    );
                }
            }
        }
        Guard {
            finder: AhoCorasick::new(&patterns).ok(),
            what,
        }
    }

    /// [`Guard::check`] of a served file, skipping what is ciphertext
    /// through and through: a `.sealed` file, a page's `data-sealed`
    /// values (base64 of AES-GCM output; most of a sealed page's bytes).
    pub fn check_served(&self, path: &str, bytes: &[u8]) -> Result<(), String> {
        if path.ends_with(".sealed") {
            return Ok(());
        }
        if !path.ends_with(".html") {
            return self.check(path, bytes);
        }
        const OPEN: &[u8] = b"data-sealed=\"";
        let mut rest = bytes;
        loop {
            match rest.windows(OPEN.len()).position(|w| w == OPEN) {
                None => return self.check(path, rest),
                Some(i) => {
                    self.check(path, &rest[..i + OPEN.len()])?;
                    let after = &rest[i + OPEN.len()..];
                    let end = after.iter().position(|&b| b == b'"').unwrap_or(after.len());
                    rest = &after[end..];
                }
            }
        }
    }

    /// `Err` naming what `path` shows in the clear.
    pub fn check(&self, path: &str, bytes: &[u8]) -> Result<(), String> {
        let Some(finder) = &self.finder else {
            return Err("the sealed site's check could not be prepared".into());
        };
        match finder.find(bytes) {
            Some(m) => Err(format!(
                "sealed site: {path} would show {} in the clear (a template shows it outside the <!--pocdir:seal--> … <!--/pocdir:seal--> markers); nothing was written",
                self.what[m.pattern().as_usize()]
            )),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_data_is_found_and_named_without_its_value() {
        let dir = super::super::example();
        let g = Guard::new(&dir);
        let fra = dir
            .states
            .iter()
            .find(|s| s.code.as_str() == "FRA")
            .unwrap();
        let email = &fra.points_of_contact[0].emails[0].value;
        let page = format!("<p>write to <a href=\"mailto:{email}\">us</a></p>");
        let err = g.check("en/x.html", page.as_bytes()).unwrap_err();
        assert!(
            err.contains("an email of FRA") && err.contains("en/x.html"),
            "{err}"
        );
        assert!(!err.contains(email.as_str()), "the error shows the address");
        let tel = crate::util::phone::phone(&fra.points_of_contact[0].phones[0].value).tel;
        assert!(g.check("a.csv", tel.as_bytes()).is_err());
        assert!(g.check("en/index.html", b"<h1>France</h1>").is_ok());
        // A page's clear parts are checked, around its sealed blocks.
        let sealed = format!("<div data-sealed=\"QUJD\"></div><p>{email}</p>");
        assert!(g.check_served("en/x.html", sealed.as_bytes()).is_err());
        let inside = format!("<div data-sealed=\"{email}\"></div>");
        assert!(g.check_served("en/x.html", inside.as_bytes()).is_ok());
        assert!(
            g.check_served("directory.csv.sealed", email.as_bytes())
                .is_ok()
        );
    }
}
