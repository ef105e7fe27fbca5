//! Usage receipts (issue #15): the code sealed into each bundle (read
//! back by the real `age`), the line and the `.eml` of `pocdir open`,
//! `receipts collect` over fixture mailboxes (mbox and Maildir) of
//! genuine, forged, misdirected, replayed, backdated and malformed
//! receipts, asserted exactly, and `receipts report`'s figures.
//!
//! The mailboxes' codes were made with the example's demo key over the
//! versions of `tests/fixtures/receipts/log/versions.jsonl` (a frozen copy
//! of the example's log), which each test puts in place of the example's.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

use crate::build::example;
use crate::bundle::{file_in_tar, now_for, open, sealed, trust_and_extract};
use crate::peers::{age_decrypt, age_decrypt_raw};
use crate::support::{self, Root};

fn fixtures() -> PathBuf {
    support::fixtures().join("receipts")
}

/// The receipt line of a README.txt or of `open`'s output.
fn receipt_line(text: &str) -> String {
    let l = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("pocdir-receipt/1 "))
        .unwrap_or_else(|| panic!("no receipt line in:\n{text}"));
    let words: Vec<&str> = l.split(' ').collect();
    assert_eq!(words.len(), 4, "{l}");
    assert_eq!(words[3].len(), 32, "{l}");
    assert!(
        words[3]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{l}"
    );
    l.to_string()
}

/// The plaintext README.txt of `code`'s bundle, decrypted by the real age.
fn readme(root: &Path, out: &Path, code: &str) -> String {
    let tar = age_decrypt(
        &root.join(format!("keys/demo/states/{code}.key")),
        &out.join(format!("bundles/{code}.tar.gz.age")),
    );
    String::from_utf8(file_in_tar(&tar, "README.txt")).unwrap()
}

#[test]
fn open_shows_the_sealed_receipt_and_writes_an_eml_to_the_secretariat() {
    let root = example();
    let out = tempfile::tempdir().unwrap();
    sealed(root.path(), out.path());
    let bundle = out.path().join("bundles/FRA.tar.gz.age");
    let sig = out.path().join("bundles/FRA.tar.gz.age.minisig");
    let seq = crate::bundle::trusted_comment(&sig)["seq"].clone();

    // The code inside the encryption, read by the real age.
    let fra = readme(root.path(), out.path(), "FRA");
    let line = receipt_line(&fra);
    assert!(
        line.starts_with(&format!("pocdir-receipt/1 FRA {seq} ")),
        "{line}"
    );
    assert!(fra.contains("\n[receipt]\n  pocdir-receipt/1 FRA "));
    assert!(fra.contains("  mailto:poc-directory@secretariat.example\n"));
    // Unique to the State: another State's bundle has its own code, and
    // not FRA's.
    let deu = readme(root.path(), out.path(), "DEU");
    let deu_line = receipt_line(&deu);
    let code = line.rsplit(' ').next().unwrap();
    assert_ne!(deu_line.rsplit(' ').next().unwrap(), code);
    assert!(!deu.contains(code));
    // Never on the site.
    for (name, bytes) in crate::peers::tree(&out.path().join("site")) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(code),
            "{name} shows FRA's receipt code"
        );
    }

    // `pocdir open` shows the same line, and writes the message.
    let tmp = tempfile::tempdir().unwrap();
    let eml = tmp.path().join("receipt.eml");
    let trusted = root.path().join("keys/secretariat.pub");
    let x = tmp.path().join("x");
    let mut extra: Vec<&OsStr> = trust_and_extract(&trusted, &x).to_vec();
    extra.extend(["--receipt".as_ref(), eml.as_os_str()]);
    let r = open(
        &bundle,
        &root.path().join("keys/demo/states/FRA.key"),
        &tmp.path().join("state"),
        &now_for(&sig),
        &extra,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(receipt_line(&r.stdout), line);
    assert!(
        r.stdout.contains(
            "Receipt, to send to poc-directory@secretariat.example to confirm that you opened this version:\n"
        ),
        "{}",
        r.stdout
    );
    let bytes = fs::read(&eml).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "bare LF in:\n{text}"
    );
    let m = mail_parser::MessageParser::default()
        .parse(&bytes[..])
        .expect("the .eml parses");
    let addr = |a: Option<&mail_parser::Address>| {
        a.and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap()
            .to_string()
    };
    assert_eq!(addr(m.to()), "poc-directory@secretariat.example");
    assert_eq!(addr(m.from()), "poc-directory@diplomatie.fra.example");
    assert!(m.date().is_some() && m.message_id().is_some());
    assert!(m.body_text(0).unwrap().lines().any(|l| l == line), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(&eml).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    // A sender with a line break is refused, and nothing is written; an
    // existing file is never overwritten.
    for (from, target) in [
        (
            "a@b.example\r\nBcc: all@x.example",
            tmp.path().join("bad.eml"),
        ),
        ("a@b.example", eml.clone()),
    ] {
        let state = tempfile::tempdir().unwrap();
        let mut extra: Vec<&OsStr> = vec![
            "--trust".as_ref(),
            trusted.as_os_str(),
            "--no-extract".as_ref(),
            "--receipt".as_ref(),
            target.as_os_str(),
            "--receipt-from".as_ref(),
        ];
        extra.push(from.as_ref());
        let r = open(
            &bundle,
            &root.path().join("keys/demo/states/FRA.key"),
            state.path(),
            &now_for(&sig),
            &extra,
        );
        assert_eq!(r.code, 1, "{}", r.stdout);
        assert!(r.stderr.contains("\nerror"), "{}", r.stderr);
    }
    assert!(!tmp.path().join("bad.eml").exists());
    assert_eq!(fs::read(&eml).unwrap(), bytes);
}

#[test]
fn two_builds_seal_the_same_plaintext_code_included() {
    let (a, b) = (example(), example());
    let (oa, ob) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    sealed(a.path(), oa.path());
    sealed(b.path(), ob.path());
    for code in ["FRA", "DEU", "JPN"] {
        let id = a.path().join(format!("keys/demo/states/{code}.key"));
        let name = format!("bundles/{code}.tar.gz.age");
        let (pa, pb) = (
            age_decrypt_raw(&id, &oa.path().join(&name)),
            age_decrypt_raw(&id, &ob.path().join(&name)),
        );
        assert!(pa == pb, "{code}: two builds give different plaintext");
        assert_eq!(
            receipt_line(&readme(a.path(), oa.path(), code)),
            receipt_line(&readme(b.path(), ob.path(), code))
        );
    }
}

/// The example with the fixtures' frozen version log and mail journal.
fn with_fixture_log() -> Root {
    let root = example();
    for f in ["versions.jsonl", "versions.jsonl.minisig", "mail.jsonl"] {
        fs::copy(
            fixtures().join("log").join(f),
            root.path().join("log").join(f),
        )
        .unwrap();
    }
    root
}

fn pocdir(args: &[&OsStr]) -> support::Output {
    let out = support::pocdir(args);
    for text in [&out.stdout, &out.stderr] {
        assert!(
            support::secret_in(text).is_none(),
            "printed a secret:\n{text}"
        );
    }
    out
}

fn collect(root: &Path, flag: &str, mailbox: &Path) -> support::Output {
    pocdir(&[
        "receipts".as_ref(),
        "collect".as_ref(),
        "--root".as_ref(),
        root.as_os_str(),
        flag.as_ref(),
        mailbox.as_os_str(),
        "--as-of".as_ref(),
        support::AS_OF.as_ref(),
    ])
}

const COLLECT_STDOUT: &str = "\
9 messages: 3 confirmed, 1 duplicates, 4 flagged, 1 without a receipt, 0 recorded before, 0 skipped.
flagged \"<r3.forged@attacker.example>\" from \"poc-directory@mofa.jpn.example\": \"the code matches no bundle (forged or mistyped)\"
flagged \"<r4.est@vm.est.example>\" from \"poc-directory@vm.est.example\": \"the code of DEU's bundle of version 5, not EST's\"
flagged \"<r5.replay@diplomatie.fra.example>\" from \"poc-directory@diplomatie.fra.example\": \"replay: the code of version 4, received after version 5 was issued (2026-12-02T07:16:06Z)\"
flagged \"<r7.malformed@mofa.jpn.example>\" from \"poc-directory@mofa.jpn.example\": \"malformed receipt line: the receipt line has no version number\"
Recorded in log/receipts.jsonl.
";

#[test]
fn collect_counts_only_genuine_codes_timed_by_the_mailbox() {
    for (flag, mailbox, expected, by) in [
        ("--mbox", "mbox", "expected.mbox.jsonl", "mbox-from-line"),
        (
            "--maildir",
            "maildir",
            "expected.maildir.jsonl",
            "maildir-delivery",
        ),
    ] {
        let root = with_fixture_log();
        let r = collect(root.path(), flag, &fixtures().join(mailbox));
        assert_eq!(r.code, 0, "{flag}: {}", r.stderr);
        assert_eq!(r.stdout, COLLECT_STDOUT, "{flag}");
        let records = fs::read_to_string(root.path().join("log/receipts.jsonl")).unwrap();
        let want = fs::read_to_string(fixtures().join(expected)).unwrap();
        assert_eq!(records, want, "{flag}");
        // The backdated Date (1970) is not the time: the mailbox's is.
        assert!(records.contains(&format!(
            "{{\"message_id\":\"<r6.backdated@diplo.deu.example>\",\"received_at\":\"2026-12-02T11:20:00Z\",\"received_by\":\"{by}\""
        )));
        // Collecting again records nothing new and changes nothing.
        let again = collect(root.path(), flag, &fixtures().join(mailbox));
        assert_eq!(again.code, 0, "{}", again.stderr);
        assert!(
            again.stdout.starts_with(
                "9 messages: 0 confirmed, 0 duplicates, 0 flagged, 1 without a receipt, 8 recorded before, 0 skipped.\n"
            ),
            "{}",
            again.stdout
        );
        assert_eq!(
            fs::read_to_string(root.path().join("log/receipts.jsonl")).unwrap(),
            want
        );
    }
}

#[test]
fn collect_refuses_a_missing_mailbox_and_another_key() {
    let root = with_fixture_log();
    let r = collect(root.path(), "--maildir", &root.path().join("nowhere"));
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.contains("not a Maildir"), "{}", r.stderr);
    // Codes are recomputed with the secretariat key only: another key
    // (made by the real minisign) is refused before any mail is read.
    let keys = tempfile::tempdir().unwrap();
    let (_, sk) = crate::peers::minisign_keypair(keys.path());
    let r = pocdir(&[
        "receipts".as_ref(),
        "collect".as_ref(),
        "--root".as_ref(),
        root.path().as_os_str(),
        "--mbox".as_ref(),
        fixtures().join("mbox").as_os_str(),
        "--signing-key".as_ref(),
        sk.as_os_str(),
        "--as-of".as_ref(),
        support::AS_OF.as_ref(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(!root.path().join("log/receipts.jsonl").exists());
}

const REPORT: &str = "\
Current version: 5. States holding it (confirmed): 2 of 15.
Median time from sending to receipt: 2 h 00 min (over 3 confirmations).
Flagged receipts (not counted): 4.

State  latest confirmed  received              current
ARG    -                 -                     no
BRA    -                 -                     no
CAN    -                 -                     no
CHN    -                 -                     no
DEU    5                 2026-12-02T11:20:00Z  yes
EGY    -                 -                     no
EST    -                 -                     no
FRA    5                 2026-12-02T09:20:00Z  yes
JPN    -                 -                     no
KEN    -                 -                     no
MEX    -                 -                     no
RUS    -                 -                     no
SAU    -                 -                     no
SEN    -                 -                     no
SGP    -                 -                     no

Version  issued                sent to  confirmed
1        2026-11-22T18:18:27Z  0        0
2        2026-11-22T18:25:21Z  0        0
3        2026-12-02T04:04:00Z  0        0
4        2026-12-02T06:26:17Z  2        1
5        2026-12-02T07:16:06Z  4        2
";

#[test]
fn report_gives_the_figures_worked_out_by_hand() {
    let root = with_fixture_log();
    let r = collect(root.path(), "--mbox", &fixtures().join("mbox"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = |format: &str| {
        pocdir(&[
            "receipts".as_ref(),
            "report".as_ref(),
            "--root".as_ref(),
            root.path().as_os_str(),
            "--format".as_ref(),
            format.as_ref(),
            "--as-of".as_ref(),
            support::AS_OF.as_ref(),
        ])
    };
    let text = report("text");
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert_eq!(text.stdout, REPORT);
    let json = report("json");
    assert_eq!(json.code, 0, "{}", json.stderr);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    // Sent (journal) to received (mailbox): DEU 4 30 min, FRA 5 2 h, DEU 5
    // 4 h (its Date says 1970): the median is 2 h.
    assert_eq!(v["median_seconds_to_receipt"], 7200);
    assert_eq!(v["timed"], 3);
    assert_eq!(v["current"], 5);
    assert_eq!(v["holding_current"], 2);
    assert_eq!(v["flagged"], 4);
    let trend: Vec<(u64, u64)> = v["per_version"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["seq"].as_u64().unwrap(), x["confirmed"].as_u64().unwrap()))
        .collect();
    assert_eq!(trend, [(1, 0), (2, 0), (3, 0), (4, 1), (5, 2)]);
}

#[test]
fn the_site_shows_the_figures_in_six_languages_without_addresses_or_codes() {
    let root = with_fixture_log();
    let r = collect(root.path(), "--mbox", &fixtures().join("mbox"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = tempfile::tempdir().unwrap();
    let b = support::build(root.path(), out.path(), &["--site-only"]);
    assert_eq!(b.code, 0, "{}", b.stderr);
    let site = crate::peers::tree(&out.path().join("site"));
    let page =
        |lang: &str| String::from_utf8(site[&format!("{lang}/receipts.html")].clone()).unwrap();
    let en = page("en");
    for want in [
        "<h1>Usage receipts</h1>",
        "<div><dt>Current version</dt><dd>5</dd></div>",
        "<div><dt>States that confirmed the current version</dt><dd>2 of 15</dd></div>",
        "<div><dt>Median time from sending to receipt</dt><dd>2 h</dd></div>",
        "<th scope=\"row\"><a href=\"states/FRA.html\">France</a></th>\n      <td>5</td>\n      <td>2 December 2026</td>\n      <td>Yes</td>",
        "<th scope=\"row\">4</th>\n      <td>2 December 2026</td>\n      <td>2</td>\n      <td>1</td>",
    ] {
        assert!(en.contains(want), "no {want:?} in:\n{en}");
    }
    for (lang, title) in [
        ("fr", "Accusés de réception"),
        ("es", "Acuses de recibo"),
        ("ru", "Подтверждения получения"),
        ("zh", "使用回执"),
        ("ar", "إشعارات الاستلام"),
    ] {
        let p = page(lang);
        assert!(p.contains(&format!("<h1>{title}</h1>")), "{lang}");
        assert!(
            p.contains("<table aria-labelledby=\"receipts-states\">"),
            "{lang}"
        );
    }
    // The journal's and the mailbox's addresses, and the codes, stay with
    // the secretariat.
    for (name, bytes) in &site {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains("7612d8871d54d7c0e471bef9a2c00336"),
            "{name} shows a code"
        );
        assert!(!text.contains("attacker.example"), "{name} shows a sender");
        if name.ends_with("/receipts.html") {
            let main = text
                .split("<main")
                .nth(1)
                .unwrap()
                .split("</main>")
                .next()
                .unwrap();
            assert!(!main.contains('@'), "{name} shows an address");
        }
    }
}
