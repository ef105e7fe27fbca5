//! Hashes shared by sealing, opening, the version log and mail.

/// SHA-256 by ring: the assembly OpenSSL uses (AVX2, SHA extensions where
/// the CPU has them), which `open` and sealing spend most of their time in.
pub fn sha256_hex(data: &[u8]) -> String {
    sha256_hex_of(&[data])
}

/// SHA-256 of the concatenation of `pieces` (without concatenating them).
pub fn sha256_hex_of(pieces: &[&[u8]]) -> String {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    for p in pieces {
        ctx.update(p);
    }
    let digest = ctx.finish();
    let mut hex = String::with_capacity(64);
    for b in digest.as_ref() {
        hex.push(HEX[usize::from(b >> 4)] as char);
        hex.push(HEX[usize::from(b & 0xf)] as char);
    }
    hex
}

/// Lower-case hex digits (the version log hashes every one of its lines).
const HEX: &[u8; 16] = b"0123456789abcdef";
