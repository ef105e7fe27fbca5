//! A sealed site (issue #16): no served file holds contact data in the
//! clear; each State's access code travels in its bundle; the site secret
//! is kept like the signing key. (The browser side: tests/browser/sealed.test.mjs.)

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::build::example;
use crate::support;

/// `root`'s content with `site.sealed: true`.
pub fn seal_setting(root: &Path) {
    let settings = root.join("content/directory.yaml");
    let text = fs::read_to_string(&settings).expect("read directory.yaml");
    assert!(
        !text.contains("\nsite:"),
        "the settings already have a site: block"
    );
    fs::write(&settings, format!("{text}\nsite:\n  sealed: true\n")).expect("write directory.yaml");
}

/// Every file under `dir`, by relative path.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir) {
        let e = e.expect("walk");
        if e.file_type().is_file() {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            out.insert(rel, fs::read(e.path()).unwrap());
        }
    }
    out
}

/// The example's contact data, as the site would show it: every PoC's and
/// Mission's email, phone (E.164 and grouped for reading), person, entity,
/// notes and keys.
fn contact_data(root: &Path) -> Vec<(String, String)> {
    let opts = pocdir::directory::Options::new(support::AS_OF.parse().unwrap());
    let dir = match pocdir::directory::load(root, &opts) {
        Ok(c) => c.directory,
        Err(_) => panic!("the example does not check"),
    };
    let mut out: Vec<(String, String)> = Vec::new();
    let mut add = |what: String, v: &str| {
        let v = v.trim();
        if v.chars().count() >= 6 {
            out.push((what, v.to_string()));
        }
    };
    for s in &dir.states {
        let code = s.code.to_string();
        add(format!("{code} Mission"), &s.mission.name);
        add(format!("{code} Mission email"), &s.mission.email);
        if let Some(p) = &s.mission.phone {
            let p = pocdir::util::phone::phone(p);
            add(format!("{code} Mission phone"), &p.tel);
            add(format!("{code} Mission phone"), &p.display);
        }
        for poc in &s.points_of_contact {
            add(format!("{code} entity"), &poc.entity);
            if let Some(person) = &poc.person {
                add(format!("{code} person"), &person.name);
            }
            for e in &poc.emails {
                add(format!("{code} email"), &e.value);
            }
            for p in &poc.phones {
                let p = pocdir::util::phone::phone(&p.value);
                add(format!("{code} phone"), &p.tel);
                add(format!("{code} phone"), &p.display);
            }
            for k in &poc.encryption_keys {
                add(format!("{code} key"), &k.value);
            }
            if let Some(n) = &poc.notes {
                for line in n.lines().filter(|l| l.trim().len() > 20) {
                    add(format!("{code} notes"), line);
                }
            }
        }
    }
    out
}

/// A page's text as a reader (or a scraper) gets it: tags dropped,
/// the usual entities decoded, spacing collapsed.
fn text_of(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace('\u{a0}', " ");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where `needles` appear in `site`'s files, in their bytes or in their
/// text (a file may split an address with tags such as `<wbr>`).
fn leaks(site: &BTreeMap<String, Vec<u8>>, needles: &[(String, String)]) -> Vec<String> {
    let mut found = Vec::new();
    for (path, bytes) in site {
        let raw = String::from_utf8_lossy(bytes);
        let text = text_of(&raw);
        for (what, v) in needles {
            let flat = v.split_whitespace().collect::<Vec<_>>().join(" ");
            if raw.contains(v.as_str()) || text.contains(&flat) {
                found.push(format!("{path}: {what} ({v})"));
            }
        }
    }
    found
}

#[test]
fn no_served_file_of_a_sealed_build_holds_contact_data() {
    let root = example();
    let needles = contact_data(root.path());
    assert!(
        needles.len() > 100,
        "the example's contact data: {}",
        needles.len()
    );

    // Not sealed: every kind of contact data is on the site (so the search
    // below can find what it looks for).
    let plain_out = root.outside().join("plain");
    let b = support::build(root.path(), &plain_out, &["--site-only"]);
    assert_eq!(b.code, 0, "{}", b.stderr);
    let plain = files(&plain_out.join("site"));
    let shown = leaks(&plain, &needles);
    for kind in [
        "Mission email",
        "person",
        "email",
        "phone",
        "entity",
        "notes",
        "key",
    ] {
        assert!(
            shown.iter().any(|l| l.contains(&format!(" {kind} ("))),
            "the unsealed site shows no {kind}"
        );
    }

    seal_setting(root.path());
    let out = root.outside().join("sealed");
    let b = support::build(root.path(), &out, &[]);
    assert_eq!(b.code, 0, "{}", b.stderr);
    let site = files(&out.join("site"));
    assert!(site.len() > 200, "the sealed site has {} files", site.len());
    let found = leaks(&site, &needles);
    assert!(
        found.is_empty(),
        "contact data in the clear in a sealed site:\n{}",
        found.join("\n")
    );
    // The exports are served sealed only.
    for rel in [
        "directory.json",
        "directory.csv",
        "en/directory.vcf",
        "vcf/FRA.vcf",
    ] {
        assert!(!site.contains_key(rel), "{rel} is served in the clear");
        assert!(
            site.contains_key(&format!("{rel}.sealed")),
            "no {rel}.sealed"
        );
    }
    assert!(
        site.keys()
            .any(|k| k.starts_with("openpgp/") && k.ends_with(".sealed"))
            && !site
                .keys()
                .any(|k| k.starts_with("openpgp/") && !k.ends_with(".sealed")),
        "the OpenPGP keys are served sealed only"
    );
}

#[test]
fn each_state_finds_its_own_code_in_its_bundle() {
    let root = example();
    seal_setting(root.path());
    let out = root.outside();
    let b = support::build(root.path(), &out, &[]);
    assert_eq!(b.code, 0, "{}", b.stderr);
    let keys_js = fs::read_to_string(out.join("site/sealed-keys.js")).expect("sealed-keys.js");
    let mut codes = BTreeMap::new();
    for state in ["FRA", "DEU", "JPN"] {
        let plain = crate::peers::age_decrypt(
            &root.path().join(format!("keys/demo/states/{state}.key")),
            &out.join(format!("bundles/{state}.tar.gz.age")),
        );
        let access =
            String::from_utf8(crate::bundle::file_in_tar(&plain, "site-access.txt")).unwrap();
        let code = access.lines().last().unwrap().trim().to_string();
        let parsed = pocdir::site::sealed::AccessCode::parse(&code)
            .unwrap_or_else(|| panic!("{state}: not a code: {code}"));
        assert!(
            keys_js.contains(&format!("\"{}\"", parsed.slot_id())),
            "{state}'s code has no slot in sealed-keys.js"
        );
        let readme = String::from_utf8(crate::bundle::file_in_tar(&plain, "README.txt")).unwrap();
        assert!(
            readme.contains("site-access.txt"),
            "{state}: README.txt does not say where the code is"
        );
        assert!(
            !readme.contains(&code),
            "{state}: the code is in README.txt too"
        );
        let manifest =
            String::from_utf8(crate::bundle::file_in_tar(&plain, "manifest.json")).unwrap();
        assert!(
            manifest.contains("\"site-access.txt\""),
            "{state}: the manifest does not list the code"
        );
        let offline = String::from_utf8(crate::bundle::file_in_tar(&plain, "index.html")).unwrap();
        assert!(
            offline.contains("site-access.txt"),
            "{state}: the offline page does not say how to unlock the site"
        );
        codes.insert(state, (code, plain));
    }
    // The scripts the host serves, as the bundle lists them.
    let listed = String::from_utf8(crate::bundle::file_in_tar(
        &codes["FRA"].1,
        "site-scripts.sha256",
    ))
    .unwrap();
    let mut paths = Vec::new();
    for line in listed.lines() {
        let (hash, path) = line.split_once("  ").expect("sha256sum lines");
        let served = fs::read(out.join("site").join(path)).unwrap();
        let actual: String =
            sha2::Digest::finalize(<sha2::Sha256 as sha2::Digest>::new_with_prefix(&served))
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
        assert_eq!(hash, actual, "{path}: the bundle lists another script");
        paths.push(path);
    }
    assert!(
        paths.contains(&"static/sealed.js") && paths.contains(&"sealed-keys.js"),
        "{listed}"
    );
    // Each its own: no bundle carries another State's code.
    for (a, (code, _)) in &codes {
        for (b, (_, plain)) in &codes {
            if a != b {
                assert!(
                    !String::from_utf8_lossy(plain).contains(code.as_str()),
                    "{b}'s bundle carries {a}'s code"
                );
            }
        }
    }
    // The mail says where the code is, and never carries it.
    let outbox = root.outside().join("outbox");
    let m = support::pocdir([
        "mail".as_ref(),
        "--root".as_ref(),
        root.path().as_os_str(),
        "--bundles".as_ref(),
        out.join("bundles").as_os_str(),
        "--outbox".as_ref(),
        outbox.as_os_str(),
        "--only".as_ref(),
        "FRA".as_ref(),
        "--as-of".as_ref(),
        support::AS_OF.as_ref(),
    ]);
    let mails: Vec<String> = fs::read_dir(&outbox)
        .map(|d| {
            d.map(|e| fs::read_to_string(e.unwrap().path()).unwrap())
                .collect()
        })
        .unwrap_or_default();
    assert!(!mails.is_empty(), "no message in the outbox:\n{}", m.stderr);
    for mail in &mails {
        assert!(
            mail.contains("site-access.txt"),
            "the mail does not say where the code is"
        );
        assert!(
            !mail.contains(codes["FRA"].0.as_str()),
            "the mail carries the code"
        );
    }
    // `pocdir open` verifies and extracts the bundle with its code.
    let ext = root.outside().join("extracted");
    let state = root.outside().join("state");
    let o = support::pocdir([
        "open".as_ref(),
        out.join("bundles/FRA.tar.gz.age").as_os_str(),
        "--identity".as_ref(),
        root.path().join("keys/demo/states/FRA.key").as_os_str(),
        "--trust".as_ref(),
        out.join("site/secretariat.pub").as_os_str(),
        "--extract".as_ref(),
        ext.as_os_str(),
        "--state-dir".as_ref(),
        state.as_os_str(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(
        fs::read_to_string(ext.join("site-access.txt"))
            .unwrap()
            .lines()
            .last()
            .unwrap()
            .trim(),
        codes["FRA"].0
    );
}

#[test]
fn a_sealed_build_is_deterministic_and_changes_keys_with_the_content() {
    let root = example();
    seal_setting(root.path());
    let (a, b) = (root.outside().join("a"), root.outside().join("b"));
    for out in [&a, &b] {
        let r = support::build(root.path(), out, &["--site-only"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let (fa, fb) = (files(&a.join("site")), files(&b.join("site")));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (k, v) in &fa {
        assert!(
            v == &fb[k],
            "{k} differs between two builds of the same input"
        );
    }
    // Another entry: every sealed block changes (a new data key), and the
    // slots too.
    let fra = root.path().join("content/states/FRA.yaml");
    let text = fs::read_to_string(&fra).unwrap();
    fs::write(&fra, text.replace("Camille Exemple", "Camille Autre")).unwrap();
    let c = root.outside().join("c");
    let r = support::build(root.path(), &c, &["--site-only"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let fc = files(&c.join("site"));
    assert_ne!(fa["sealed-keys.js"], fc["sealed-keys.js"]);
    assert_ne!(fa["en/states/DEU.html"], fc["en/states/DEU.html"]);
}

#[test]
fn a_real_directory_seals_only_with_its_own_encrypted_secret() {
    let root = example();
    seal_setting(root.path());
    let settings = root.path().join("content/directory.yaml");
    let text = fs::read_to_string(&settings).unwrap();
    fs::write(&settings, text.replace("\ndemo: true\n", "\ndemo: false\n")).unwrap();
    let out = root.outside();
    // A real directory holds no demo keys: the demo secret kept elsewhere.
    fs::create_dir_all(&out).unwrap();
    let demo = out.join("demo-site.secret");
    fs::copy(root.path().join("keys/demo/site.secret"), &demo).unwrap();
    fs::remove_dir_all(root.path().join("keys/demo")).unwrap();
    // Its public keys not labelled DEMO either (`check` refuses that).
    for f in [
        "keys/secretariat.pub",
        "keys/anchor.pub",
        "keys/reviewers/officer-a.pub",
        "keys/reviewers/officer-b.pub",
    ] {
        let p = root.path().join(f);
        let text = fs::read_to_string(&p).unwrap();
        fs::write(&p, text.replacen("DEMO ", "", 1)).unwrap();
    }

    let r = support::build(root.path(), &out, &["--site-only"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("--site-secret"), "{}", r.stderr);
    assert!(
        !out.join("site").exists(),
        "a site was written without its secret"
    );

    let r = support::build(
        root.path(),
        &out,
        &["--site-only", "--site-secret", demo.to_str().unwrap()],
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("labelled DEMO"), "{}", r.stderr);
    assert!(!out.join("site").exists());

    // A secret of its own, encrypted (interactive KDF: quick in a test).
    let secret = root.outside().join("site.secret");
    let k = support::pocdir_env(
        [
            "keygen".as_ref(),
            "site-secret".as_ref(),
            "--out".as_ref(),
            secret.as_os_str(),
            "--kdf".as_ref(),
            "interactive".as_ref(),
        ],
        &[("POCDIR_PASSPHRASE", "correct horse")],
    );
    assert_eq!(k.code, 0, "{}", k.stderr);
    let file = fs::read_to_string(&secret).unwrap();
    assert!(file.contains("encrypted site secret"), "{file}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(&secret).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let body = file.lines().nth(1).unwrap().to_string();
    let args = [
        "build",
        "--root",
        root.path().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--site-only",
    ];
    let r = support::pocdir_env(
        args,
        &[
            ("POCDIR_SITE_SECRET", secret.to_str().unwrap()),
            ("POCDIR_SITE_PASSPHRASE", "wrong"),
        ],
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("wrong passphrase"), "{}", r.stderr);
    assert!(
        !r.stderr.contains(&body[..20]),
        "the error shows the secret file"
    );
    let r = support::pocdir_env(
        args,
        &[
            ("POCDIR_SITE_SECRET", secret.to_str().unwrap()),
            ("POCDIR_SITE_PASSPHRASE", "correct horse"),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(out.join("site/sealed-keys.js").is_file());
}

#[test]
fn serve_previews_a_sealed_site() {
    let root = example();
    seal_setting(root.path());
    let (_guard, rx) = crate::build::start_serve(root.path());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let line = loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) if l.contains("serving the preview at http://") => break l,
            Ok(l) => assert!(!l.contains("build failed"), "{l}"),
            Err(_) => panic!("pocdir serve did not start in time"),
        }
    };
    let addr = line
        .split("http://")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let (status, page) = crate::build::http_get(&addr, "/en/states/FRA.html");
    assert_eq!(status, 200);
    assert!(
        page.contains("data-sealed=\""),
        "the preview's FRA page is not sealed"
    );
    assert!(page.contains("id=\"unlock-form\""));
    assert!(
        !page.contains("diplomatie.fra.example"),
        "an email in the clear"
    );
    let (status, keys) = crate::build::http_get(&addr, "/sealed-keys.js");
    assert_eq!(status, 200);
    assert!(keys.contains("pocdir-sealed-site/1"), "{keys}");
    let (status, _) = crate::build::http_get(&addr, "/directory.json.sealed");
    assert_eq!(status, 200);
    let (status, _) = crate::build::http_get(&addr, "/directory.json");
    assert_eq!(status, 404, "the preview serves the export in the clear");
}

/// A theme that shows a contact outside the sealed regions fails the
/// build: nothing is published in the clear.
#[test]
fn a_theme_that_leaks_a_contact_fails_the_build() {
    let root = example();
    seal_setting(root.path());
    let state = root.path().join("themes/default/templates/state.html");
    let text = fs::read_to_string(&state).unwrap();
    let leaky = text.replacen(
        "<h1>{{ state.name }}",
        "<h1>{{ state.mission.email }} {{ state.name }}",
        1,
    );
    assert_ne!(leaky, text, "the State template's heading changed");
    fs::write(&state, leaky).unwrap();
    let out = root.outside();
    let r = support::build(root.path(), &out, &["--site-only"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("Mission email in the clear"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("mission.example"),
        "the error shows the address"
    );
    assert!(!out.join("site").exists(), "a site was written");
}
