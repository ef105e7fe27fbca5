//! Integration tests of the `pocdir` executable, run over fixture folders
//! (`tests/fixtures/`). One test binary for every command: each command's
//! tests are a module here.

// Helpers serve every command's module; some may be unused by one of them.
#[allow(dead_code)]
mod peers;
#[allow(dead_code)]
mod support;

mod check;
mod ci_examples;
mod cli;
mod content;

mod browser;
mod build;
mod bundle;
mod coverage;
mod format2;
mod hosting;
mod incident_kit;
mod init;
mod key_history;
mod keygen;
mod languages;
mod log_time;
mod mail;
mod open_pin;
mod open_safety;
mod ping;
mod ping_kinds;
mod ping_trust;
mod rebuild;
mod receipts;
mod remind;
mod renewal;
mod review;
mod sealed;
mod site_home;
mod site_now;
#[allow(dead_code)]
mod smtp_server;
mod split_view;
mod stale;
mod threshold;
