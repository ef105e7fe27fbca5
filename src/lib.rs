//! pocdir: the global intergovernmental directory of cyber Points of Contact.
//!
//! Data flows one way: [`directory`] (read, validate, model: the only
//! module reading the directory's files) → render ([`site`], [`export`], with [`i18n`]'s strings)
//! or seal ([`bundle`], [`sign`]) → [`output`] (the only writer of output
//! trees). Commands around it: [`mail`], [`ping`], [`review`]. The library
//! never prints and never exits: the command line (`src/cli/`) does.
#![forbid(unsafe_code)]

pub mod build;
pub mod bundle;
pub mod coverage;
pub mod directory;
pub mod export;
pub mod i18n;
pub mod init;
pub mod mail;
pub mod output;
pub mod ping;
pub mod receipts;
pub mod review;
pub mod serve;
pub mod sign;
pub mod site;
pub mod synth;
pub mod util;
