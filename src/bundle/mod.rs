//! Bundles: the per-State, age-encrypted and minisign-signed copy of the
//! directory. `seal` makes them, `open` verifies and reads them, `log` is
//! the signed, hash-chained version log, `checkpoint` the excerpt of it
//! every bundle carries (its log head) and the check of it in `open`,
//! `manifest` and `tarball` their formats.

pub mod checkpoint;
pub mod log;
pub mod manifest;
pub mod open;
pub mod seal;
pub mod tarball;
pub mod verify;

pub use seal::*;
