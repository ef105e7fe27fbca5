//! Keys naming what each file of the site is made from, so the writer can
//! link a file of the previous build made from the same inputs instead of
//! it being made again (`output::memo`).
//!
//! A key is built from the inputs themselves, never from a list of what a
//! file depends on (such a list would drift from the code): a page's key
//! hashes every value put into its template context ([`Ctx`]) with the
//! theme's files; an export's, the `Debug` text of the very values it is
//! made from (every field, whether exported or not). What the renderer
//! itself does is the same as long as pocdir is the same build: the
//! writer's record names that build, and a record of another is ignored.

use std::fmt::Debug;
use std::io::Write;

use serde::Serialize;

use super::RenderError;
use crate::directory::theme::Theme;
pub use crate::output::memo::Key;

/// Where the site is written, asked before a file is made: `true` if the
/// file made from the inputs `key` names is already in place (linked from
/// the previous build), so it need not be made.
pub trait Reuse: Sync {
    fn reuse(&self, path: &str, key: &Key) -> Result<bool, RenderError>;

    /// Every file the previous build made from the inputs `key` names (the
    /// whole site's) put in place: `Some(how many)`, else `None` and
    /// nothing is.
    fn reuse_all(&self, _key: &Key) -> Result<Option<usize>, RenderError> {
        Ok(None)
    }
}

/// Reuses nothing: every file is made.
pub struct Nothing;

impl Reuse for Nothing {
    fn reuse(&self, _: &str, _: &Key) -> Result<bool, RenderError> {
        Ok(false)
    }
}

/// A BLAKE2b-256 hash over labelled parts (each part ends with a byte that
/// UTF-8 text never holds, so two sequences of parts never hash alike).
#[derive(Clone)]
pub struct Hasher(blake2b_simd::State);

impl Hasher {
    pub fn new(what: &str) -> Hasher {
        let mut h = Hasher(blake2b_simd::Params::new().hash_length(32).to_state());
        h.label(what);
        h
    }

    fn label(&mut self, label: &str) {
        self.0.update(label.as_bytes());
        self.0.update(&[0xfe]);
    }

    fn end(&mut self) {
        self.0.update(&[0xff]);
    }

    pub fn bytes(&mut self, label: &str, bytes: &[u8]) -> &mut Hasher {
        self.label(label);
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    pub fn json<T: Serialize + ?Sized>(&mut self, label: &str, value: &T) -> &mut Hasher {
        self.label(label);
        // Writing into a hash cannot fail; a value serde cannot write
        // leaves its mark (the error's text) rather than nothing. Buffered:
        // serde writes in small pieces, each a call into the hash.
        let mut w = std::io::BufWriter::with_capacity(1 << 13, &mut self.0);
        if let Err(e) = serde_json::to_writer(&mut w, value) {
            let _ = write!(w, "\u{0}{e}");
        }
        let _ = w.flush();
        drop(w);
        self.end();
        self
    }

    pub fn debug<T: Debug + ?Sized>(&mut self, label: &str, value: &T) -> &mut Hasher {
        self.label(label);
        let mut w = std::io::BufWriter::with_capacity(1 << 13, &mut self.0);
        let _ = write!(w, "{value:?}");
        let _ = w.flush();
        drop(w);
        self.end();
        self
    }

    pub fn key(&self) -> Key {
        let mut k = [0; 32];
        k.copy_from_slice(self.0.finalize().as_bytes());
        k
    }
}

/// The theme's every file (templates, static files), hashed.
pub fn theme(theme: &Theme) -> Key {
    let mut h = Hasher::new("theme");
    for (path, (_, bytes)) in &theme.files {
        h.bytes(path, bytes);
    }
    h.key()
}

/// The key of every State (each hashed once: the exports' keys use them
/// too) and of the whole directory, every field of it (`Debug`).
pub fn directory(dir: &crate::directory::Directory) -> (Vec<Key>, Key) {
    let state_keys: Vec<Key> = crate::util::parallel::map(&dir.states, |s| {
        Hasher::new("state").debug("state", s).key()
    });
    // Every field: a new one fails to compile here until it is keyed.
    let crate::directory::Directory {
        settings,
        states: _,
        pages,
        secretariat_key,
        as_of,
        campaigns,
        nominations,
        checkpoints,
    } = dir;
    let mut h = Hasher::new("directory");
    h.debug("settings", settings)
        .debug("pages", pages)
        .debug("secretariat_key", secretariat_key)
        .debug("as_of", as_of)
        .debug("campaigns", campaigns)
        .debug("nominations", nominations)
        .debug("checkpoints", checkpoints);
    for k in &state_keys {
        h.bytes("state", k);
    }
    let key = h.key();
    (state_keys, key)
}

/// A template context that hashes every value put into it.
#[derive(Clone)]
pub struct Ctx {
    ctx: tera::Context,
    hash: Hasher,
}

impl Ctx {
    pub fn new(theme: &Key) -> Ctx {
        let mut hash = Hasher::new("page");
        hash.bytes("theme", theme);
        Ctx {
            ctx: tera::Context::new(),
            hash,
        }
    }

    pub fn insert<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        self.insert_value(key, tera::Value::from_serializable(value));
    }

    pub fn insert_value(&mut self, key: &'static str, value: tera::Value) {
        self.hash.json(key, &value);
        self.ctx.insert_value(key, value);
    }

    /// The key of `template` rendered at `path` with this context.
    pub fn key(&self, template: &str, path: &str) -> Key {
        let mut h = self.hash.clone();
        h.bytes("template", template.as_bytes())
            .bytes("path", path.as_bytes());
        h.key()
    }

    pub fn context(&self) -> &tera::Context {
        &self.ctx
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_changes_with_any_value_the_template_sees() {
        let theme = [1; 32];
        let mut a = Ctx::new(&theme);
        a.insert("lang", "en");
        a.insert("state", &serde_json::json!({"email": "a@b.example"}));
        let k = a.key("state.html", "en/states/FRA.html");
        let mut b = Ctx::new(&theme);
        b.insert("lang", "en");
        b.insert("state", &serde_json::json!({"email": "a@c.example"}));
        assert_ne!(k, b.key("state.html", "en/states/FRA.html"));
        assert_ne!(k, a.key("state.html", "en/states/DEU.html"));
        assert_ne!(k, a.key("index.html", "en/states/FRA.html"));
        assert_ne!(
            k,
            Ctx::new(&[2; 32]).key("state.html", "en/states/FRA.html")
        );
        // The same values give the same key, whichever build made it.
        let mut c = Ctx::new(&theme);
        c.insert("lang", "en");
        c.insert("state", &serde_json::json!({"email": "a@b.example"}));
        assert_eq!(k, c.key("state.html", "en/states/FRA.html"));
        // Parts are delimited: ("ab", "c") is not ("a", "bc").
        let mut x = Hasher::new("t");
        x.debug("p", "ab").debug("q", "c");
        let mut y = Hasher::new("t");
        y.debug("p", "a").debug("q", "bc");
        assert_ne!(x.key(), y.key());
    }
}
