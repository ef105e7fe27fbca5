//! Who can open a sealed site, and with what (issue #16).
//!
//! - A State's **access code** is 120 bits derived from the site secret,
//!   the State's code and its receiving accounts (their emails and age
//!   recipients): replacing the accounts changes the code. It is written
//!   `XXXX-XXXX-XXXX-XXXX-XXXX-XXXX` (RFC 4648 base32) and travels only
//!   inside the State's encrypted bundle.
//! - From a code, the browser derives (HMAC-SHA256, WebCrypto) a **slot
//!   id** (which entry of `sealed-keys.js` is its own) and a **wrapping
//!   key** (AES-256-GCM) that opens the version's data key.
//! - The **data key** of a build is derived from the site secret, the
//!   directory's root hash and the set of slots: a change of content, a
//!   State removed or accounts replaced give a new data key, and a code
//!   no longer listed opens nothing built afterwards.
//! - Every nonce is synthetic, HMAC(nonce key, key · plaintext): the same
//!   input gives the same bytes (a deterministic build), and two different
//!   plaintexts never share a nonce under one key.

use std::collections::BTreeMap;

use base64::Engine;
use data_encoding::BASE32_NOPAD;
use ring::aead;
use zeroize::Zeroizing;

use super::secret::SiteSecret;
use crate::directory::model::{Directory, State};
use crate::directory::types::StateCode;

/// Bytes of an access code (120 bits: 24 base32 characters).
pub const CODE_BYTES: usize = 15;
/// The format of `sealed-keys.js` and of every sealed blob.
pub const FORMAT: &str = "pocdir-sealed-site/1";
const LABEL_CODE: &[u8] = b"pocdir-site/1 code\0";
const LABEL_DATA: &[u8] = b"pocdir-site/1 data\0";
const LABEL_NONCE: &[u8] = b"pocdir-site/1 nonce";
/// What the browser signs with the code (HMAC-SHA256) for the slot id and
/// the wrapping key: the same strings in `static/sealed.js`.
pub const LABEL_SLOT: &[u8] = b"pocdir-site/1 slot";
pub const LABEL_WRAP: &[u8] = b"pocdir-site/1 wrap";

/// A State's access code, wiped on drop; `Debug` never shows it.
#[derive(Clone)]
pub struct AccessCode(Zeroizing<[u8; CODE_BYTES]>);

impl std::fmt::Debug for AccessCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessCode(..)")
    }
}

/// HMAC-SHA256 of `parts` one after the other, under `key`.
pub(super) fn hmac(key: &[u8], parts: &[&[u8]]) -> Zeroizing<[u8; 32]> {
    let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    let mut ctx = ring::hmac::Context::with_key(&k);
    for p in parts {
        ctx.update(p);
    }
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(ctx.sign().as_ref());
    out
}

impl AccessCode {
    /// As people read and type it: six groups of four, with hyphens.
    pub fn text(&self) -> Zeroizing<String> {
        let plain = Zeroizing::new(BASE32_NOPAD.encode(&self.0[..]));
        let mut out = Zeroizing::new(String::with_capacity(29));
        for (i, c) in plain.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push('-');
            }
            out.push(c);
        }
        out
    }

    /// A code as typed: case, spaces and hyphens do not matter.
    pub fn parse(text: &str) -> Option<AccessCode> {
        let plain: Zeroizing<String> = Zeroizing::new(
            text.chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .map(|c| c.to_ascii_uppercase())
                .collect(),
        );
        let bytes = Zeroizing::new(BASE32_NOPAD.decode(plain.as_bytes()).ok()?);
        let mut out = Zeroizing::new([0u8; CODE_BYTES]);
        if bytes.len() != CODE_BYTES {
            return None;
        }
        out.copy_from_slice(&bytes);
        Some(AccessCode(out))
    }

    /// The slot id (hex, 16 bytes): which entry of `sealed-keys.js` is
    /// this code's.
    pub fn slot_id(&self) -> String {
        let tag = hmac(&self.0[..], &[LABEL_SLOT]);
        tag[..16].iter().map(|b| format!("{b:02x}")).collect()
    }

    fn wrap_key(&self) -> Zeroizing<[u8; 32]> {
        hmac(&self.0[..], &[LABEL_WRAP])
    }
}

/// The digest of a State's receiving accounts (emails and recipients, in
/// a canonical order): what makes its code change when they change.
fn accounts_digest(state: &State) -> String {
    let mut lines: Vec<String> = state
        .accounts
        .iter()
        .map(|a| {
            let mut r = a.recipients.clone();
            r.sort();
            format!("{}\t{}\n", a.email.to_lowercase(), r.join(","))
        })
        .collect();
    lines.sort();
    crate::util::hash::sha256_hex(lines.concat().as_bytes())
}

/// A State's access code.
pub fn code(secret: &SiteSecret, state: &State) -> AccessCode {
    let tag = secret.mac(&[
        LABEL_CODE,
        state.code.as_str().as_bytes(),
        b"\0",
        accounts_digest(state).as_bytes(),
    ]);
    let mut out = Zeroizing::new([0u8; CODE_BYTES]);
    out.copy_from_slice(&tag[..CODE_BYTES]);
    AccessCode(out)
}

/// The keys of one sealed build: its data key, the codes of the States
/// that may open it, and their slots.
pub struct Access {
    data_key: Zeroizing<[u8; 32]>,
    nonce_key: Zeroizing<[u8; 32]>,
    /// Slot id → the data key wrapped under that code (base64).
    slots: BTreeMap<String, String>,
    codes: BTreeMap<StateCode, AccessCode>,
}

impl std::fmt::Debug for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Access({} slots)", self.slots.len())
    }
}

/// AES-256-GCM of `plaintext` under `key`, with the synthetic nonce:
/// nonce (12) · ciphertext · tag (16).
fn seal_with(nonce_key: &[u8], key: &[u8; 32], plaintext: &[u8]) -> Vec<u8> {
    let n = hmac(nonce_key, &[key, plaintext]);
    let mut nonce = [0u8; 12];
    nonce.copy_from_slice(&n[..12]);
    let mut out = Vec::with_capacity(12 + plaintext.len() + 16);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(plaintext);
    // A 32-byte key is always a valid AES-256 key.
    let Ok(unbound) = aead::UnboundKey::new(&aead::AES_256_GCM, key) else {
        unreachable!("AES-256 takes 32 bytes")
    };
    let sealing = aead::LessSafeKey::new(unbound);
    let mut body = out.split_off(12);
    // Sealing only fails for inputs over 64 GiB.
    if sealing
        .seal_in_place_append_tag(
            aead::Nonce::assume_unique_for_key(nonce),
            aead::Aad::empty(),
            &mut body,
        )
        .is_err()
    {
        unreachable!("a sealed block is far below AES-GCM's limit")
    }
    out.extend_from_slice(&body);
    out
}

/// Open what [`seal_with`] made (tests, and the check that a code opens
/// its slot).
pub fn open_with(key: &[u8; 32], blob: &[u8]) -> Option<Vec<u8>> {
    if blob.len() < 28 {
        return None;
    }
    let (nonce, rest) = blob.split_at(12);
    let key = aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_256_GCM, key).ok()?);
    let mut body = rest.to_vec();
    let plain = key
        .open_in_place(
            aead::Nonce::try_assume_unique_for_key(nonce).ok()?,
            aead::Aad::empty(),
            &mut body,
        )
        .ok()?;
    Some(plain.to_vec())
}

impl Access {
    /// The access of a build of `dir` whose directory root is `root`:
    /// every State with a receiving account gets a slot.
    pub fn new(secret: &SiteSecret, dir: &Directory, root: &str) -> Access {
        let codes: BTreeMap<StateCode, AccessCode> = dir
            .states
            .iter()
            .filter(|s| !s.accounts.is_empty())
            .map(|s| (s.code, code(secret, s)))
            .collect();
        let ids: Vec<String> = codes.values().map(AccessCode::slot_id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        let data_key = secret.mac(&[
            LABEL_DATA,
            root.as_bytes(),
            b"\0",
            sorted.join(",").as_bytes(),
        ]);
        let nonce_key = secret.mac(&[LABEL_NONCE]);
        let slots = codes
            .values()
            .zip(ids)
            .map(|(c, id)| {
                let wrapped = seal_with(&nonce_key[..], &c.wrap_key(), &data_key[..]);
                (
                    id,
                    base64::engine::general_purpose::STANDARD.encode(wrapped),
                )
            })
            .collect();
        Access {
            data_key,
            nonce_key,
            slots,
            codes,
        }
    }

    /// A State's code, if it has a slot.
    pub fn code(&self, state: StateCode) -> Option<&AccessCode> {
        self.codes.get(&state)
    }

    /// How many codes open this build.
    pub fn slots(&self) -> usize {
        self.slots.len()
    }

    /// `plaintext` sealed under the data key: nonce · ciphertext · tag.
    pub fn seal(&self, plaintext: &[u8]) -> Vec<u8> {
        seal_with(&self.nonce_key[..], &self.data_key, plaintext)
    }

    /// [`Access::seal`], in base64 (for an HTML attribute).
    pub fn seal_base64(&self, plaintext: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.seal(plaintext))
    }

    /// The data key `code` unwraps from this build's slots, if any.
    pub fn unwrap_with(&self, code: &AccessCode) -> Option<Zeroizing<[u8; 32]>> {
        let wrapped = base64::engine::general_purpose::STANDARD
            .decode(self.slots.get(&code.slot_id())?)
            .ok()?;
        let key = Zeroizing::new(open_with(&code.wrap_key(), &wrapped)?);
        let mut out = Zeroizing::new([0u8; 32]);
        (key.len() == 32).then(|| out.copy_from_slice(&key))?;
        Some(out)
    }

    #[cfg(test)]
    pub(crate) fn data_key_for_tests(&self) -> [u8; 32] {
        *self.data_key
    }

    /// `sealed-keys.js`: the slots, as a script the pages load (a script
    /// rather than JSON so that it loads from `file://` too, within the
    /// CSP's `script-src 'self'`).
    pub fn keys_script(&self) -> String {
        let body = serde_json::json!({
            "format": FORMAT,
            "slots": self.slots,
        });
        format!("\"use strict\";\nwindow.POCDIR_SEALED = {body};\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Directory {
        super::super::example()
    }

    #[test]
    fn a_code_reads_back_as_typed() {
        let c = AccessCode(Zeroizing::new([0xA5; CODE_BYTES]));
        let t = c.text();
        assert_eq!(t.len(), 29);
        assert_eq!(t.matches('-').count(), 5);
        let typed = format!("  {} ", t.to_lowercase().replace('-', " "));
        assert_eq!(AccessCode::parse(&typed).unwrap().0[..], c.0[..]);
        assert!(AccessCode::parse("ABCD").is_none());
        assert!(AccessCode::parse(&format!("1{}", &t[1..])).is_none());
    }

    #[test]
    fn each_code_opens_the_data_key_and_nothing_else_does() {
        let dir = demo();
        let secret = SiteSecret::from_bytes([3; 32]);
        let access = Access::new(&secret, &dir, "root-1");
        assert!(access.slots() > 0);
        for s in dir.states.iter().filter(|s| !s.accounts.is_empty()) {
            let c = access.code(s.code).unwrap();
            assert_eq!(access.unwrap_with(c).unwrap()[..], access.data_key[..]);
        }
        let stranger = AccessCode(Zeroizing::new([1; CODE_BYTES]));
        assert!(access.unwrap_with(&stranger).is_none());
        let blob = access.seal(b"hello");
        assert_eq!(open_with(&access.data_key, &blob).unwrap(), b"hello");
        let mut bad = blob.clone();
        bad[14] ^= 1;
        assert!(
            open_with(&access.data_key, &bad).is_none(),
            "tampering is detected"
        );
        // Deterministic: same inputs, same bytes; other plaintext, other nonce.
        assert_eq!(Access::new(&secret, &dir, "root-1").seal(b"hello"), blob);
        assert_ne!(access.seal(b"hellp")[..12], blob[..12]);
    }

    #[test]
    fn a_new_root_or_new_accounts_give_new_keys() {
        let mut dir = demo();
        let secret = SiteSecret::from_bytes([3; 32]);
        let before = Access::new(&secret, &dir, "root-1");
        let later = Access::new(&secret, &dir, "root-2");
        assert_ne!(before.data_key[..], later.data_key[..]);
        let i = dir
            .states
            .iter()
            .position(|s| !s.accounts.is_empty())
            .unwrap();
        let code = dir.states[i].code;
        let old = before.code(code).unwrap().clone();
        dir.states[i].accounts[0].email = "someone-else@example.org".into();
        let replaced = Access::new(&secret, &dir, "root-1");
        assert_ne!(replaced.code(code).unwrap().0[..], old.0[..]);
        assert!(
            replaced.unwrap_with(&old).is_none(),
            "the old code opens nothing"
        );
        assert_ne!(replaced.data_key[..], before.data_key[..]);
        // A State removed: its code opens nothing either.
        dir.states.remove(i);
        let removed = Access::new(&secret, &dir, "root-1");
        assert!(removed.code(code).is_none());
        assert!(removed.unwrap_with(&old).is_none());
        // Another secret, other codes.
        let other = Access::new(&SiteSecret::from_bytes([4; 32]), &dir, "root-1");
        let s = dir.states.iter().find(|s| !s.accounts.is_empty()).unwrap();
        assert_ne!(
            other.code(s.code).unwrap().0[..],
            removed.code(s.code).unwrap().0[..]
        );
    }
}
