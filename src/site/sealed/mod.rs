//! A sealed site (issue #16): served files hold no contact data in the
//! clear. One concept per file:
//!
//! - `secret.rs`: the site secret's file (encrypted at rest);
//! - `access.rs`: access codes, slots, the build's data key, sealing;
//! - `page.rs`: cutting a page's marked regions out and sealing them;
//! - `guard.rs`: the last check that no served file shows contact data.
//!
//! The browser side is the theme's `static/sealed.js` (WebCrypto only).

pub mod access;
pub mod guard;
pub mod page;
pub mod secret;

pub use access::{Access, AccessCode};
pub use secret::SiteSecret;

/// The example directory, for the tests of this module.
#[cfg(test)]
pub(crate) fn example() -> crate::directory::Directory {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let opts = crate::directory::Options::new(jiff::civil::date(2026, 12, 1));
    match crate::directory::load(root, &opts) {
        Ok(c) => c.directory,
        Err(_) => panic!("the example directory does not check"),
    }
}
