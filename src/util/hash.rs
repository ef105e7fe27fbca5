//! Hashes shared by sealing, opening, the version log and mail.

/// SHA-256 by ring: the assembly OpenSSL uses (AVX2, SHA extensions where
/// the CPU has them), which `open` and sealing spend most of their time in.
pub fn sha256_hex(data: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, data)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
