//! The key derivation of minisign's encrypted secret keys: scrypt with
//! libsodium's `crypto_pwhash_scryptsalsa208sha256` parameters, derived
//! from the (opslimit, memlimit) pair stored in the key file.

use zeroize::Zeroizing;

/// (opslimit, memlimit) as stored in a key file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub opslimit: u64,
    pub memlimit: u64,
}

/// What `minisign -G` uses (1 GiB of memory): the default.
pub const SENSITIVE: Limits = Limits {
    opslimit: 33_554_432,
    memlimit: 1_073_741_824,
};

/// libsodium's interactive limits (16 MiB): for machines that cannot spare
/// a gigabyte, at the cost of a faster guess per passphrase.
pub const INTERACTIVE: Limits = Limits {
    opslimit: 524_288,
    memlimit: 16_777_216,
};

/// The most memory a key file may ask for (a hostile file must not make
/// pocdir allocate without bound).
const MAX_MEMLIMIT: u64 = 2 * 1024 * 1024 * 1024;

/// scrypt's (log2 N, r, p) for these limits, as libsodium picks them.
fn params(l: Limits) -> Option<(u8, u32, u32)> {
    if l.memlimit > MAX_MEMLIMIT || l.opslimit > (1 << 40) {
        return None;
    }
    let opslimit = l.opslimit.max(32_768);
    let r: u64 = 8;
    let first_above = |max_n: u64| (1u8..63).find(|n| (1u64 << n) > max_n / 2).unwrap_or(63);
    if opslimit < l.memlimit / 32 {
        let n_log2 = first_above(opslimit / (r * 4));
        Some((n_log2, r as u32, 1))
    } else {
        let n_log2 = first_above(l.memlimit / (r * 128));
        let maxrp = ((opslimit / 4) / (1u64 << n_log2)).min(0x3fff_ffff);
        let p = (maxrp / r).max(1);
        // minisign's own limits give p = 1; a file asking for more than
        // 64 passes would only make pocdir spin.
        (p <= 64).then_some((n_log2, r as u32, p as u32))
    }
}

/// `len` bytes of key stream for `passphrase`, or `None` for limits out of
/// bounds.
pub fn derive(
    passphrase: &[u8],
    salt: &[u8],
    limits: Limits,
    len: usize,
) -> Option<Zeroizing<Vec<u8>>> {
    let (log_n, r, p) = params(limits)?;
    let params = scrypt::Params::new(log_n, r, p, 32).ok()?;
    let mut out = Zeroizing::new(vec![0u8; len]);
    scrypt::scrypt(passphrase, salt, &params, &mut out).ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libsodium_parameters() {
        // minisign -G: N = 2^20, r = 8, p = 1 (1 GiB).
        assert_eq!(params(SENSITIVE), Some((20, 8, 1)));
        // Interactive: N = 2^14, r = 8, p = 1 (16 MiB).
        assert_eq!(params(INTERACTIVE), Some((14, 8, 1)));
        assert_eq!(
            params(Limits {
                opslimit: 1,
                memlimit: u64::MAX
            }),
            None,
            "unbounded memory is refused"
        );
        assert_eq!(
            params(Limits {
                opslimit: 1 << 40,
                memlimit: 16_777_216
            }),
            None,
            "endless passes are refused"
        );
    }
}
