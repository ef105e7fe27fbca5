//! Issue 14 on a State page, as `pocdir build` writes it: each PoC's hours
//! with the UTC offset of the build's `--as-of` day (never the wall
//! clock), the daylight-saving note, grouped phones dialling E.164, 24/7
//! and emergency PoCs first, the contacts before the last check and the
//! Mission, and the availability script served from the site. What the
//! script does in a browser is tested in `tests/browser/now.test.mjs`.

use std::path::Path;

use crate::support;

/// The example, built with `--site-only` as of `day` into a new folder.
fn site(day: &str) -> tempfile::TempDir {
    let root = crate::build::example();
    let out = tempfile::tempdir().expect("temporary folder");
    let args = [
        "build".as_ref(),
        "--root".as_ref(),
        root.path().as_os_str(),
        "--out".as_ref(),
        out.path().as_os_str(),
        "--as-of".as_ref(),
        std::ffi::OsStr::new(day),
        "--site-only".as_ref(),
    ];
    let built = support::pocdir(args);
    assert_eq!(built.code, 0, "{}\n{}", built.stdout, built.stderr);
    out
}

fn page(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join("site").join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Paris's offsets, isolated left to right, as the fallback writes them.
fn paris(now: &str, other: &str) -> String {
    format!(
        "<span dir=\"ltr\">Europe/Paris</span>, <span dir=\"ltr\">{now}</span>; \
         <span dir=\"ltr\">{other}</span>"
    )
}

#[test]
fn hours_show_the_utc_offset_of_the_as_of_day_and_note_daylight_saving_time() {
    let winter = site("2026-11-22");
    let summer = site("2027-06-15");
    let fra_winter = page(winter.path(), "en/states/FRA.html");
    let fra_summer = page(summer.path(), "en/states/FRA.html");
    assert!(
        fra_winter.contains(&format!(
            "Business hours: Mon–Fri, <span dir=\"ltr\">09:00-18:00</span> ({} in summer)",
            paris("UTC+01:00", "UTC+02:00")
        )),
        "{fra_winter}"
    );
    assert!(
        fra_summer.contains(&format!("({} in winter)", paris("UTC+02:00", "UTC+01:00"))),
        "{fra_summer}"
    );
    // In the page's language.
    assert!(page(winter.path(), "fr/states/FRA.html").contains(&format!(
        "{} en été",
        paris("UTC+01:00", "UTC+02:00").replace("; ", "\u{a0}; ")
    )));
    assert!(page(winter.path(), "ar/states/FRA.html").contains(&format!(
        "{} في فصل الصيف",
        paris("UTC+01:00", "UTC+02:00").replace("; ", "؛ ").replace(", <", "، <")
    )));
    // A zone without daylight saving time: the offset alone.
    let jpn = page(winter.path(), "en/states/JPN.html");
    assert!(
        jpn.contains("<span dir=\"ltr\">Asia/Tokyo</span>, <span dir=\"ltr\">UTC+09:00</span>)"),
        "{jpn}"
    );
    // What the script reads.
    assert!(fra_winter.contains(
        "<p class=\"now\" data-zone=\"Europe/Paris\" data-hours=\"09:00-18:00\" \
         data-days=\"mon,tue,wed,thu,fri\" hidden></p>"
    ));
    assert!(page(winter.path(), "en/states/EGY.html").contains(
        "data-zone=\"Africa/Cairo\" data-hours=\"09:00-16:00\" data-days=\"mon,tue,wed,thu,sun\""
    ));
}

#[test]
fn the_same_as_of_day_gives_the_same_bytes() {
    let a = site("2026-11-22");
    let b = site("2026-11-22");
    for rel in [
        "en/states/FRA.html",
        "ar/states/EGY.html",
        "zh/states/CHN.html",
        "static/now.js",
    ] {
        assert_eq!(page(a.path(), rel), page(b.path(), rel), "{rel}");
    }
}

#[test]
fn phones_are_grouped_and_dial_e164_and_who_answers_now_comes_first() {
    let out = site("2026-11-22");
    let fra = page(out.path(), "en/states/FRA.html");
    assert!(fra.contains(
        "<a class=\"channel\" href=\"tel:+33199005678\" dir=\"ltr\">+33 1 99 00 56 78</a>"
    ));
    assert!(fra.contains(
        "<a class=\"channel\" href=\"tel:+12125550171\" dir=\"ltr\">+1 212-555-0171</a>"
    ));
    assert!(!fra.contains(">+33199001234<"), "an ungrouped number");
    // FRA's content lists the diplomatic PoC first; its CERT is 24/7.
    let cert = fra.find("National Cybersecurity Agency").expect("CERT");
    let mfa = fra.find("Ministry for Europe").expect("ministry");
    assert!(cert < mfa, "the 24/7 PoC comes first");
    assert!(fra.contains("<span class=\"badge flag avail-247\">24/7</span>"));
    assert!(fra.contains("<span class=\"badge flag emergency\">Emergency contact</span>"));
    // Within a PoC, the emergency address before the general one.
    let emergency = fra.find("mailto:astreinte@").expect("emergency address");
    let general = fra.find("mailto:cyber-diplo@").expect("general address");
    assert!(emergency < general);
    // An email wraps after @ and before dots only.
    assert!(fra.contains(
        "<span class=\"nw\">cyber-diplo</span>@<wbr><span class=\"nw\">diplomatie</span><wbr>."
    ));
}

#[test]
fn contacts_come_before_the_last_check_and_the_mission() {
    let out = site("2026-11-22");
    for lang in ["en", "fr", "es", "ru", "zh", "ar"] {
        let fra = page(out.path(), &format!("{lang}/states/FRA.html"));
        let h1 = fra.find("<h1>").expect("h1");
        let pocs = fra.find("<section class=\"pocs\"").expect("PoCs");
        let check = fra
            .find("<section class=\"last-check\">")
            .expect("last check");
        let mission = fra.find("<dl class=\"mission\">").expect("mission");
        assert!(h1 < pocs && pocs < check && check < mission, "{lang}");
        // Between the heading and the PoCs, only the facts line.
        assert!(!fra[h1..pocs].contains("<ul"), "{lang}");
    }
}

#[test]
fn the_availability_script_is_served_by_the_site_and_never_inline() {
    let out = site("2026-11-22");
    let js = page(out.path(), "static/now.js");
    assert!(js.contains("Intl.DateTimeFormat") && !js.contains("eval("));
    let fra = page(out.path(), "en/states/FRA.html");
    assert!(fra.contains("<script src=\"../../static/now.js\" defer></script>"));
    assert_eq!(
        fra.matches("<script").count(),
        2,
        "search.js and now.js only"
    );
    assert!(fra.contains("script-src &#39;self&#39;;"), "the site's CSP");
}
