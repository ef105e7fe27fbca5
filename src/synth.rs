//! Synthetic directories for tests and benchmarks: `N` States (the real UN
//! list first, then user-assigned codes XAA, XAB, ...) with `M` PoCs each,
//! verified accounts with fresh demo age identities, a fresh demo signing
//! key and a few pages. The result passes `pocdir check` and builds.
//!
//! Used by `examples/synth.rs` and the benchmarks; it writes files, so it
//! sits beside the pipeline, not in it.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

use age::secrecy::ExposeSecret;

use crate::directory::refdata;

/// Write a synthetic directory with `states` States of `pocs` PoCs into
/// `out` (created if needed; existing files of the same names replaced).
pub fn write(out: &Path, states: usize, pocs: usize) -> io::Result<()> {
    for d in [
        "content/states",
        "content/pages",
        "keys/states",
        "keys/demo/states",
    ] {
        fs::create_dir_all(out.join(d))?;
    }
    fs::write(out.join("content/directory.yaml"), DIRECTORY_YAML)?;
    for (name, body) in PAGES {
        fs::write(out.join("content/pages").join(name), body)?;
    }
    let (sk, pk) = crate::sign::keygen::signing_keypair(
        None,
        "DEMO secretariat key of a synthetic directory - NOT SECRET",
    )
    .map_err(|e| io::Error::other(e.to_string()))?;
    let pk = pk.replacen(
        pk.lines().next().unwrap_or(""),
        "untrusted comment: DEMO secretariat public key of a synthetic pocdir directory",
        1,
    );
    fs::write(out.join("keys/secretariat.pub"), pk)?;
    fs::write(out.join("keys/demo/secretariat.key"), sk.as_bytes())?;

    for code in codes(states) {
        fs::write(
            out.join(format!("content/states/{code}.yaml")),
            state_yaml(&code, pocs),
        )?;
        let id = age::x25519::Identity::generate();
        let recipient = id.to_public().to_string();
        let secret = id.to_string();
        fs::write(
            out.join(format!("keys/demo/states/{code}.key")),
            format!(
                "# DEMO age identity of {code} in a synthetic pocdir directory. NOT SECRET.\n{}\n",
                secret.expose_secret()
            ),
        )?;
        fs::write(
            out.join(format!("keys/states/{code}.yaml")),
            keys_yaml(&code, &recipient),
        )?;
    }
    Ok(())
}

/// The first `n` State codes: UN States by alpha-3, then XAA, XAB, ...
pub fn codes(n: usize) -> Vec<String> {
    let mut out: Vec<String> = refdata::un_states()
        .map(|s| s.alpha3.clone())
        .take(n)
        .collect();
    let mut i = 0usize;
    while out.len() < n && i < 26 * 26 {
        let code = format!(
            "X{}{}",
            (b'A' + (i / 26) as u8) as char,
            (b'A' + (i % 26) as u8) as char
        );
        out.push(code);
        i += 1;
    }
    out
}

const ZONES: [&str; 6] = [
    "Europe/Paris",
    "America/New_York",
    "Asia/Tokyo",
    "Africa/Nairobi",
    "America/Bogota",
    "Asia/Riyadh",
];
const LANGS: [&str; 6] = ["en", "fr", "es", "ru", "zh", "ar"];

fn state_yaml(code: &str, pocs: usize) -> String {
    let lc = code.to_lowercase();
    let mut y = String::new();
    let _ = writeln!(y, "# Synthetic State entry (fictional).\nstate: {code}");
    let _ = writeln!(
        y,
        "mission:\n  name: Permanent Mission of {code} (synthetic)\n  email: mission@{lc}-mission.example\n  phone: \"+12125550100\""
    );
    let _ = writeln!(y, "regional_networks: [OSCE]\npoints_of_contact:");
    for i in 0..pocs {
        let kind = if i % 2 == 0 {
            "diplomatic"
        } else {
            "technical"
        };
        let lang = LANGS[i % LANGS.len()];
        let zone = ZONES[i % ZONES.len()];
        let id = if i % 2 == 0 { "dip" } else { "tech" };
        let _ = writeln!(
            y,
            "  - id: {id}-{}\n    type: {kind}\n    entity: Synthetic {kind} office {i} of {code}",
            i + 1
        );
        if i % 3 == 0 {
            let _ = writeln!(
                y,
                "    person:\n      name: Person {i} of {code}\n      title: Officer"
            );
        }
        let _ = writeln!(
            y,
            "    emails:\n      - address: poc{i}@{lc}.example\n        use: general\n    phones:\n      - number: \"+1202555{:04}\"\n        use: voice",
            i % 10000
        );
        let _ = writeln!(y, "    languages: [{lang}, en]");
        if i % 2 == 1 {
            let _ = writeln!(
                y,
                "    availability:\n      mode: \"24/7\"\n      time_zone: {zone}"
            );
        } else {
            let _ = writeln!(
                y,
                "    availability:\n      mode: business_hours\n      hours: \"09:00-17:00\"\n      days: mon-fri\n      time_zone: {zone}"
            );
        }
        let _ = writeln!(y, "    functions: [communication, coordination]");
    }
    let _ = writeln!(
        y,
        "provenance:\n  - date: \"2026-01-15\"\n    action: submission\n    channel: note_verbale\n    reference: \"NV/{code}/2026/1\"\n    verified: \"2026-01-20\"\n    verified_by: Synthetic secretariat"
    );
    y
}

fn keys_yaml(code: &str, recipient: &str) -> String {
    let lc = code.to_lowercase();
    format!(
        "state: {code}\naccounts:\n  - email: directory@{lc}.example\n    recipients:\n      - {recipient}\n    verification:\n      date: \"2026-01-20\"\n      channel: permanent_mission\n      reference: \"NV/{code}/2026/2\"\n      verified_by: Synthetic secretariat\n"
    )
}

const DIRECTORY_YAML: &str = "# Synthetic directory for tests and benchmarks (fictional).
title: Synthetic PoC Directory
demo: true
secretariat:
  name: Synthetic Secretariat
  email: secretariat@secretariat.example
languages: [en, fr, es, ru, zh, ar]
default_language: en
policy:
  notify_change_within_days: 30
  reverify_within_days: 365
bundle:
  validity_days: 60
";

const PAGES: [(&str, &str); 3] = [
    (
        "about.md",
        "---\ntitle: About\nweight: 1\n---\nA synthetic directory. See [verify](verify.md).\n",
    ),
    (
        "about.fr.md",
        "---\ntitle: À propos\nweight: 1\n---\nUn annuaire synthétique. Voir [vérifier](verify.md).\n",
    ),
    (
        "verify.md",
        "---\ntitle: Verify a bundle\nweight: 2\n---\nRun `pocdir open`.\n",
    ),
];
