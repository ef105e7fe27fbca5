//! minisign's prehash (`ED` signatures): the Ed25519 signature is made
//! over the BLAKE2b-512 digest of the data, not the data itself. Digests
//! are `blake2b_simd`'s (AVX2 where the processor has it): a build signs
//! every bundle, `open` and `mail` verify them.

/// The BLAKE2b-512 digest of `data`.
pub fn prehash(data: &[u8]) -> [u8; 64] {
    let mut out = [0u8; 64];
    out.copy_from_slice(
        blake2b_simd::Params::new()
            .hash_length(64)
            .hash(data)
            .as_bytes(),
    );
    out
}

/// The prehash of data given in parts (as it is written), the same as
/// [`prehash`] of their concatenation.
pub struct Prehasher(blake2b_simd::State);

impl Default for Prehasher {
    fn default() -> Prehasher {
        Prehasher(blake2b_simd::Params::new().hash_length(64).to_state())
    }
}

impl Prehasher {
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    pub fn finish(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out.copy_from_slice(self.0.finalize().as_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    /// RFC 7693's test vector: BLAKE2b-512("abc").
    #[test]
    fn blake2b_512_of_abc() {
        let hex: String = super::prehash(b"abc")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hex,
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1\
             7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923"
        );
    }

    #[test]
    fn in_parts_is_the_same() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7) as u8).collect();
        let mut h = super::Prehasher::default();
        for part in data.chunks(777) {
            h.update(part);
        }
        assert_eq!(h.finish(), super::prehash(&data));
    }
}
