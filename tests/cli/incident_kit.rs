//! Tests of issue 15's outreach and incident kit: `remind --all` through
//! the real SMTP test server, once per period; the site's pages (the
//! incident communication template among them) in the offline page of a
//! real bundle, decrypted by the real `age`.

use std::ffi::OsStr;
use std::fs;
use std::path::Path;

use crate::build::example;
use crate::bundle::{file_in_tar, sealed};
use crate::peers::age_decrypt;
use crate::smtp_server::SmtpServer;
use crate::support;

fn remind_all(root: &Path, smtp: &str, as_of: &str, extra: &[&str]) -> support::Output {
    let mut args: Vec<&OsStr> = vec![
        "remind".as_ref(),
        "--root".as_ref(),
        root.as_os_str(),
        "--all".as_ref(),
        "--smtp".as_ref(),
        smtp.as_ref(),
        "--as-of".as_ref(),
        as_of.as_ref(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    support::pocdir(args)
}

/// The Mission address of every State file of `root`, sorted.
fn missions(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in fs::read_dir(root.join("content/states")).unwrap() {
        let text = fs::read_to_string(e.unwrap().path()).unwrap();
        let after = &text[text.find("\nmission:").expect("a mission")..];
        let line = after
            .lines()
            .find(|l| l.trim_start().starts_with("email:"))
            .unwrap();
        out.push(line.trim_start()["email:".len()..].trim().to_string());
    }
    out.sort();
    out
}

#[test]
fn remind_all_asks_every_mission_once_per_quarter() {
    let root = example();
    let server = SmtpServer::start(&[]);
    let url = server.url("smtp");
    let o = remind_all(root.path(), &url, "2026-11-22", &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let got = server.received();
    let mut to: Vec<String> = got.iter().flat_map(|r| r.rcpt_tos.clone()).collect();
    to.sort();
    // Every Mission (stale or not: none of the example is stale on this
    // day), and only Missions: never a PoC's address.
    assert_eq!(to, missions(root.path()));
    assert_eq!(got.len(), 15);
    let fra = got
        .iter()
        .find(|r| r.rcpt_tos == ["cyber.mission@fra-mission.example"])
        .unwrap();
    let eml = String::from_utf8_lossy(&fs::read(&fra.eml).unwrap()).into_owned();
    let parsed = mail_parser::MessageParser::default()
        .parse(eml.as_bytes())
        .unwrap();
    let subject = parsed.subject().unwrap();
    assert_eq!(
        subject,
        "Confirmation périodique de la fiche de la France dans le répertoire des points de contact (2026-Q4) / Periodic confirmation of the directory entry of France (2026-Q4)"
    );
    let body = parsed.body_text(0).unwrap();
    assert!(
        body.contains(
            "À la Mission permanente de la France auprès de l'Organisation des Nations Unies\u{a0}:"
        ),
        "{body}"
    );
    assert!(body.contains("(période 2026-Q4)"), "{body}");
    assert!(
        body.contains("To the Permanent Mission of France"),
        "{body}"
    );
    assert!(body.contains("(period 2026-Q4)"), "{body}");
    assert!(body.contains("cert@cert.fra.example"), "{body}");
    // A State whose PoCs use no other UN language: English only.
    let deu = got
        .iter()
        .find(|r| r.rcpt_tos == ["cyber.mission@deu-mission.example"])
        .map(|r| fs::read(&r.eml).unwrap())
        .unwrap();
    let deu = mail_parser::MessageParser::default().parse(&deu).unwrap();
    assert_eq!(
        deu.subject().unwrap(),
        "Periodic confirmation of the directory entry of Germany (2026-Q4)"
    );

    // Again the same day, and later in the same quarter: nothing new.
    for day in ["2026-11-22", "2026-12-31"] {
        let o = remind_all(root.path(), &url, day, &[]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert_eq!(
            o.stdout.matches("already sent (journal)").count(),
            15,
            "{day}: {}",
            o.stdout
        );
        assert_eq!(server.received().len(), 15, "{day}");
    }
    // The next quarter: every Mission again.
    let o = remind_all(root.path(), &url, "2027-01-04", &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(server.received().len(), 30);
    let journal = fs::read_to_string(root.path().join("log/mail.jsonl")).unwrap();
    assert_eq!(journal.matches("confirmation 2026-Q4").count(), 15);
    assert_eq!(journal.matches("confirmation 2027-Q1").count(), 15);
    // Monthly: January 2027 is a new period of its own.
    let o = remind_all(root.path(), &url, "2027-01-04", &["--period", "month"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(server.received().len(), 45);
    let o = remind_all(root.path(), &url, "2027-01-30", &["--period", "month"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(server.received().len(), 45);
}

#[test]
fn the_period_without_all_is_a_usage_error() {
    // `--period` alone is a usage error: it only qualifies --all.
    let root = support::Root::base();
    let o = support::pocdir([
        "remind".as_ref(),
        "--root".as_ref(),
        root.path().as_os_str(),
        "--dry-run".as_ref(),
        "--period".as_ref(),
        "month".as_ref(),
    ]);
    assert_eq!(o.code, 2, "{}", o.stderr);
}

#[test]
fn the_offline_page_of_a_real_bundle_carries_the_incident_kit() {
    let root = example();
    let out = tempfile::tempdir().unwrap();
    sealed(root.path(), out.path());
    let plain = age_decrypt(
        &root.path().join("keys/demo/states/FRA.key"),
        &out.path().join("bundles/FRA.tar.gz.age"),
    );
    let page = String::from_utf8(file_in_tar(&plain, "index.html")).unwrap();
    // Linked from the header, in the page's first language: the one
    // France's Mission writes in.
    let header = &page[page.find("<header").unwrap()..page.find("</header>").unwrap()];
    assert!(
        header.contains("<a href=\"#fr-kit\">Trousse en cas d&#39;incident</a>"),
        "{header}"
    );
    // Each language section has its kit, with the incident template in
    // that language, and links between pages go to their anchors.
    for (lang, kit, title) in [
        ("en", "Incident kit", "Incident communication template"),
        (
            "fr",
            "Trousse en cas d&#39;incident",
            "Modèle de communication sur les incidents",
        ),
    ] {
        let start = page
            .find(&format!("<section class=\"kit\" id=\"{lang}-kit\""))
            .unwrap_or_else(|| panic!("no {lang} kit"));
        let kit_html = &page[start..];
        let kit_html = &kit_html[..kit_html.find("</section>").unwrap()];
        assert!(kit_html.contains(&format!(">{kit}</h2>")), "{lang}");
        assert!(
            kit_html.contains(&format!(
                "<li><a href=\"#{lang}-page-incident-template\">{title}</a></li>"
            )),
            "{lang}"
        );
        assert!(kit_html.contains(&format!(
            "<article class=\"page\" id=\"{lang}-page-incident-template\">"
        )));
        assert!(
            kit_html.contains(&format!("href=\"#{lang}-page-about\"")),
            "{lang}"
        );
        assert!(
            !kit_html.contains(".html\""),
            "{lang}: a link to a site page"
        );
    }
    // The template's table, in both languages.
    assert!(page.contains("<td>Description of the incident</td>"));
    assert!(page.contains("Classification and handling"));
    // One h1 per language section: the pages' headings are moved down.
    assert_eq!(page.matches("<h1").count(), 2);
    assert!(page.contains("<h3>Incident communication template</h3>"));
    // FRA's technical PoC's armored OpenPGP key: on the offline page (no
    // download link: the page loads and links no file) and in
    // directory.json.
    assert!(page.contains(
        "<pre class=\"key\" dir=\"ltr\">-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEaw/6fx"
    ));
    assert!(!page.contains(".asc\""));
    let json: serde_json::Value =
        serde_json::from_slice(&file_in_tar(&plain, "directory.json")).unwrap();
    let fra = json["states"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "FRA")
        .unwrap();
    let key = &fra["points_of_contact"][1]["encryption_keys"][0];
    assert_eq!(
        key["value"],
        "9E08 3E69 4E62 3695 B338 BEAA ED2E E096 2E5E 9E75"
    );
    assert!(
        key["public_key"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----\n")
    );
    // Still no script, nothing loaded.
    assert!(!page.contains("<script"));
    assert!(!page.contains("<link"));
    assert!(!page.contains("<img"));
}

// --- armored OpenPGP public keys ---

/// The base fixture with the `cert` PoC's key replaced by one recorded as
/// `fingerprint` carrying `armored` (indented as a YAML block scalar);
/// returns the root and the line of `public_key:`.
fn with_key(fingerprint: &str, armored: &str, expires: Option<&str>) -> (support::Root, usize) {
    let root = support::Root::base();
    let p = root.path().join("content/states/FRA.yaml");
    let text = fs::read_to_string(&p).unwrap();
    let old = "      - type: openpgp\n        value: \"8E1A 4C2B 7D3F 9A05 6B12 C4E8 0F7A 3D91 5E26 B8C0\"\n        expires: \"2027-12-31\"\n";
    assert!(text.contains(old), "the base FRA key changed");
    let mut new = format!("      - type: openpgp\n        value: \"{fingerprint}\"\n");
    if let Some(e) = expires {
        new.push_str(&format!("        expires: \"{e}\"\n"));
    }
    new.push_str("        public_key: |\n");
    for l in armored.lines() {
        new.push_str(&format!("          {l}\n"));
    }
    let text = text.replace(old, &new);
    let line = text[..text.find("public_key:").unwrap()].lines().count() + 1;
    fs::write(&p, text).unwrap();
    (root, line)
}

fn fixture_key(name: &str) -> String {
    fs::read_to_string(support::fixtures().join(format!("openpgp/{name}.asc"))).unwrap()
}

/// The fingerprints of the fixture keys (made with GnuPG for fictional
/// identities; `gpg --show-keys` prints the same).
const VALID: &str = "6124 5DF2 61C7 C620 7B09 3DC7 E86B BF35 FCB3 E79E";
const EXPIRED: &str = "7A36 1A25 079F F7A4 3FE6 2948 B6DB 130A 534E 7826";
const EXPIRING: &str = "615D EF35 58ED 41A8 B2AB 4353 424A 565B AB09 8EA0";

/// (severity, code, file, line, message) of a diagnostic.
type Diag = (String, String, String, u64, String);

/// `pocdir check --format json` of `root`: its exit code and diagnostics.
fn diagnostics(root: &Path) -> (i32, Vec<Diag>) {
    let o = support::pocdir([
        "check".as_ref(),
        "--root".as_ref(),
        root.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
        "--as-of".as_ref(),
        support::AS_OF.as_ref(),
    ]);
    let r: serde_json::Value = serde_json::from_str(&o.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}{}", o.stdout, o.stderr);
    });
    let d = r["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["severity"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (o.code, d)
}

const FRA: &str = "content/states/FRA.yaml";

#[test]
fn an_armored_key_that_parses_and_matches_is_accepted() {
    let (root, _) = with_key(VALID, &fixture_key("valid"), None);
    let (code, d) = diagnostics(root.path());
    assert_eq!(code, 0, "{d:?}");
    assert!(d.is_empty(), "{d:?}");
    // Published: a file per key on the site, shown on the State's page,
    // and in directory.json.
    let out = tempfile::tempdir().unwrap();
    let o = support::build(root.path(), out.path(), &["--site-only"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let site = out.path().join("site");
    let asc = "openpgp/61245DF261C7C6207B093DC7E86BBF35FCB3E79E.asc";
    assert_eq!(
        fs::read_to_string(site.join(asc)).unwrap(),
        fixture_key("valid")
    );
    let page = fs::read_to_string(site.join("fr/states/FRA.html")).unwrap();
    assert!(
        page.contains(&format!(
            "<a class=\"channel\" href=\"../../{asc}\" download>Télécharger la clé (.asc)</a>"
        )),
        "{page}"
    );
    assert!(page.contains("<pre class=\"key\" dir=\"ltr\">-----BEGIN PGP PUBLIC KEY BLOCK-----"));
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(site.join("directory.json")).unwrap()).unwrap();
    let key = &json["states"][0]["points_of_contact"][1]["encryption_keys"][0];
    assert_eq!(key["public_key"].as_str().unwrap(), fixture_key("valid"));
}

#[test]
fn an_expired_armored_key_is_an_error_with_file_and_line() {
    let (root, line) = with_key(EXPIRED, &fixture_key("expired"), None);
    let (code, d) = diagnostics(root.path());
    assert_eq!(code, 1);
    assert_eq!(
        d,
        vec![(
            "error".into(),
            "key-expired".into(),
            FRA.into(),
            line as u64,
            "this OpenPGP public key expired on 2025-06-30".into()
        )]
    );
}

#[test]
fn an_armored_key_with_another_fingerprint_is_an_error_with_file_and_line() {
    let (root, line) = with_key(EXPIRING, &fixture_key("valid"), None);
    let (code, d) = diagnostics(root.path());
    assert_eq!(code, 1);
    assert_eq!(
        d,
        vec![(
            "error".into(),
            "invalid-key".into(),
            FRA.into(),
            line as u64,
            "the public key's fingerprint is 61245DF261C7C6207B093DC7E86BBF35FCB3E79E, not the recorded 615DEF3558ED41A8B2AB4353424A565BAB098EA0".into()
        )]
    );
}

#[test]
fn a_garbage_armored_key_is_an_error_with_file_and_line() {
    for (armored, message) in [
        (
            "not a key at all".to_string(),
            "the public key is not an armored OpenPGP public key block".to_string(),
        ),
        (
            // The armor frame around damaged data.
            fixture_key("valid").replacen("mDMEa", "mDMEb", 1),
            "the armored OpenPGP public key does not parse".to_string(),
        ),
    ] {
        let (root, line) = with_key(VALID, &armored, None);
        let (code, d) = diagnostics(root.path());
        assert_eq!(code, 1, "{d:?}");
        assert_eq!(d.len(), 1, "{d:?}");
        let (sev, c, file, l, msg) = &d[0];
        assert_eq!(
            (sev.as_str(), c.as_str(), file.as_str(), *l),
            ("error", "invalid-key", FRA, line as u64),
            "{msg}"
        );
        assert!(
            msg.starts_with(&message)
                || msg.starts_with("the OpenPGP public key's self-signatures do not verify"),
            "{msg}"
        );
    }
}

#[test]
fn stale_warns_before_an_armored_key_expires() {
    // Recorded without `expires`: the key's own expiry (2026-12-15) counts.
    let (root, line) = with_key(EXPIRING, &fixture_key("expiring"), None);
    let (code, d) = diagnostics(root.path());
    assert_eq!(code, 0, "{d:?}");
    assert_eq!(
        d,
        vec![(
            "warning".into(),
            "key-expiring".into(),
            FRA.into(),
            line as u64,
            "this OpenPGP public key expires on 2026-12-15".into()
        )]
    );
    let o = support::pocdir([
        "stale".as_ref(),
        "--root".as_ref(),
        root.path().as_os_str(),
        "--as-of".as_ref(),
        support::AS_OF.as_ref(),
    ]);
    assert!(
        o.stdout.contains(
            "FRA key-expiring      openpgp key of National Cybersecurity Agency, CERT (example) expires on 2026-12-15\n"
        ),
        "{}",
        o.stdout
    );
    // A month earlier, nothing to say of it.
    let o = support::pocdir([
        "stale".as_ref(),
        "--root".as_ref(),
        root.path().as_os_str(),
        "--as-of".as_ref(),
        "2026-11-01".as_ref(),
    ]);
    assert!(!o.stdout.contains("key-expiring"), "{}", o.stdout);
}
