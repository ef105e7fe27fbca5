//! Email domains as a reviewer must see them: the registrable domain (by
//! the Public Suffix List), the ASCII (`xn--`) and Unicode forms of an
//! internationalised domain name, whether a label mixes scripts, and
//! whether a domain can pass for another (UTS #39 confusable skeletons).
//!
//! Every function is pure and total: any string, empty, huge or not a
//! domain at all, gives an answer and never a panic. A label that IDNA
//! cannot process (bad Punycode such as `xn--` alone, a disallowed
//! character) is kept as written, lowercased, so a reviewer sees what the
//! file says rather than a replacement character.

use unicode_security::MixedScript;
use unicode_security::mixed_script::AugmentedScriptSet;

/// The characters UTS #46 treats as label separators: the full stop and
/// its ideographic, fullwidth and halfwidth forms.
const DOTS: [char; 4] = ['.', '\u{3002}', '\u{FF0E}', '\u{FF61}'];

/// The registrable domain by the Public Suffix List, in the Unicode form
/// of [`unicode`], without a trailing dot: `mail.cert.gov.uk` →
/// `cert.gov.uk`, `x.mofa.go.jp` → `mofa.go.jp`, `Mail.Example.COM.` →
/// `example.com`. A name under an unlisted top-level domain keeps two
/// labels (`diplomatie.fra.example` → `fra.example`); a name that is itself
/// a public suffix, or a single label, is returned whole. The xn-- and the
/// Unicode spelling of a domain give the same answer.
pub fn registrable(domain: &str) -> String {
    let domain = domain.trim_end_matches(DOTS);
    let shown = unicode(domain);
    // The list is compiled in its ASCII (xn--) spelling.
    let probe = ascii(domain).unwrap_or_else(|| shown.clone());
    let Some(found) = psl::domain_str(probe.trim_end_matches('.')) else {
        return shown;
    };
    let keep = found.split('.').count();
    let labels: Vec<&str> = shown.split('.').collect();
    match labels.len().checked_sub(keep) {
        Some(skip) => labels[skip..].join("."),
        None => shown,
    }
}

/// The ASCII form of a domain by IDNA (UTS #46, the processing `mail`
/// uses for envelopes and headers): Unicode labels become `xn--` labels,
/// letters are lowercased. `None` when IDNA refuses the name (a disallowed
/// character, bad Punycode) or it is empty.
pub fn ascii(domain: &str) -> Option<String> {
    idna::domain_to_ascii(domain).ok().filter(|a| !a.is_empty())
}

/// The Unicode form of a domain: `xn--` labels decoded, the rest mapped by
/// UTS #46 (lowercased, normalised). A label IDNA refuses is kept as
/// written, lowercased.
pub fn unicode(domain: &str) -> String {
    let (whole, result) = idna::domain_to_unicode(domain);
    if result.is_ok() {
        return whole;
    }
    domain
        .split(DOTS)
        .map(|label| match idna::domain_to_unicode(label) {
            (u, Ok(())) if !u.contains(DOTS) => u,
            _ => label.to_lowercase(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Whether any label of the domain (in its [`unicode`] form) mixes
/// scripts as UTS #39 forbids at its "Highly Restrictive" level, the level
/// browsers use to decide whether to show a name in Unicode: a label must
/// be single-script (its resolved script set is not empty), or Latin plus
/// one of the CJK writing systems (Han with Bopomofo; Japanese: Han,
/// Hiragana, Katakana; Korean: Han, Hangul). Digits, hyphens and combining
/// marks belong to every script. So `cеrt` with a Cyrillic е, or `gοv`
/// with a Greek omicron, is mixed; `пример`, `東京`, `ひらがなカタカナ漢字`
/// are not.
pub fn mixed_script(domain: &str) -> bool {
    unicode(domain).split('.').any(mixed_label)
}

fn mixed_label(label: &str) -> bool {
    if label.is_single_script() {
        return false;
    }
    // Highly Restrictive (UTS #39 §5.2): leave out every character that
    // is Latin; what remains must still share Han+Bopomofo, Japanese or
    // Korean.
    let latin = AugmentedScriptSet::for_char('a');
    let mut rest = AugmentedScriptSet::default();
    for c in label.chars() {
        let set = AugmentedScriptSet::for_char(c);
        let mut as_latin = set;
        as_latin.intersect_with(latin);
        if as_latin.is_empty() {
            rest.intersect_with(set);
        }
    }
    !(rest.hanb || rest.jpan || rest.kore)
}

/// The UTS #39 confusable skeleton of the domain's [`unicode`] form,
/// lowercased (before and after, so that case never matters): two domains
/// a reader can take for one another have the same skeleton, e.g.
/// `cеrt.fra.example` (Cyrillic е) and `cert.fra.example`, or
/// `rnofa.example` and `mofa.example`.
pub fn skeleton(domain: &str) -> String {
    let shown = unicode(domain).to_lowercase();
    unicode_security::skeleton(&shown)
        .collect::<String>()
        .to_lowercase()
}

/// A domain of `known` that `domain` can pass for: not the same domain
/// (their ASCII forms differ) but with the same [`skeleton`], either whole
/// or at the level of their [`registrable`] domains (so
/// `mail.dіplomatie.example`, with a Cyrillic і, is reported against
/// `diplomatie.example`). The first such domain, in the order given.
pub fn lookalike<'a>(domain: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let domain = domain.trim_end_matches(DOTS);
    let key = same_key(domain);
    let skel = skeleton(domain);
    let reg = registrable(domain);
    let (reg_key, reg_skel) = (same_key(&reg), skeleton(&reg));
    known.into_iter().find(|k| {
        let k = k.trim_end_matches(DOTS);
        if same_key(k) == key {
            return false;
        }
        if skeleton(k) == skel {
            return true;
        }
        let k_reg = registrable(k);
        same_key(&k_reg) != reg_key && skeleton(&k_reg) == reg_skel
    })
}

/// What decides that two names are the same domain: the ASCII form, or
/// when IDNA refuses one, its Unicode form.
fn same_key(domain: &str) -> String {
    ascii(domain).unwrap_or_else(|| unicode(domain))
}

/// A domain as a reviewer must see it: the [`unicode`] form, followed by
/// the ASCII form in parentheses when a label is not ASCII, e.g.
/// `cеrt.fra.example (xn--crt-hdd.fra.example)` (the `xn--` labels are
/// what actually differs to a machine). Not quoted: pass it through
/// `util::text::quote` before it reaches a terminal.
pub fn display(domain: &str) -> String {
    let shown = unicode(domain);
    match ascii(domain) {
        Some(a) if !shown.is_ascii() && a != shown => format!("{shown} ({a})"),
        _ => shown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `cеrt.fra.example` with U+0435 CYRILLIC SMALL LETTER IE.
    const CYRILLIC_E: &str = "c\u{0435}rt.fra.example";

    #[test]
    fn registrable_domains_follow_the_public_suffix_list() {
        assert_eq!(
            registrable("cert.gov.uk"),
            "cert.gov.uk",
            "gov.uk is a suffix"
        );
        assert_eq!(registrable("mail.cert.gov.uk"), "cert.gov.uk");
        assert_eq!(registrable("mofa.go.jp"), "mofa.go.jp");
        assert_eq!(registrable("x.mofa.go.jp"), "mofa.go.jp");
        assert_eq!(registrable("diplomatie.fra.example"), "fra.example");
        assert_eq!(registrable("Mail.Example.COM."), "example.com");
    }

    #[test]
    fn registrable_domains_of_idns_are_the_same_in_both_spellings() {
        // рф is a listed suffix: the registrable domain keeps one label
        // more, whichever way it is written.
        assert_eq!(registrable("mail.пример.рф"), "пример.рф");
        assert_eq!(registrable("mail.xn--e1afmkfd.xn--p1ai"), "пример.рф");
        assert_eq!(registrable("a.b.c.xn--p1ai"), "c.рф");
        assert_eq!(registrable("рф"), "рф", "a suffix alone is returned whole");
        assert_eq!(registrable(""), "");
    }

    #[test]
    fn ascii_and_unicode_forms() {
        assert_eq!(
            ascii(CYRILLIC_E).as_deref(),
            Some("xn--crt-rdd.fra.example")
        );
        assert_eq!(unicode("xn--crt-rdd.fra.example"), CYRILLIC_E);
        assert_eq!(ascii("пример.рф").as_deref(), Some("xn--e1afmkfd.xn--p1ai"));
        assert_eq!(unicode("XN--E1AFMKFD.xn--p1ai"), "пример.рф");
        assert_eq!(
            ascii("Cert.FRA.example").as_deref(),
            Some("cert.fra.example")
        );
        assert_eq!(ascii(""), None);
        assert_eq!(ascii("xn--.example"), None, "bad Punycode");
        assert_eq!(
            unicode("xn--.XN--E1AFMKFD.xn--zz"),
            "xn--.пример.xn--zz",
            "labels IDNA refuses are kept as written, lowercased"
        );
    }

    #[test]
    fn mixed_scripts_within_a_label() {
        assert!(mixed_script(CYRILLIC_E), "Latin and Cyrillic");
        assert!(
            mixed_script("g\u{03BF}v.example"),
            "Latin and a Greek omicron"
        );
        assert!(mixed_script("xn--crt-rdd.fra.example"), "decoded from xn--");
        assert!(
            mixed_script("\u{043F}p\u{0438}\u{043C}\u{0435}\u{0440}.example"),
            "Cyrillic with a Latin p"
        );
        assert!(
            mixed_script("\u{03B1}\u{0431}.example"),
            "Greek and Cyrillic"
        );
        assert!(mixed_script("한\u{0431}.example"), "Hangul and Cyrillic");
        assert!(mixed_script("cert.e\u{0445}ample"), "any label counts");
    }

    #[test]
    fn single_scripts_and_what_uts39_allows_are_not_mixed() {
        for d in [
            "cert.fra.example",
            "cert-1.gov.example",
            "пример.рф",
            "xn--e1afmkfd.xn--p1ai",
            "δοκιμή.example",
            "外務省.example",
            "ひらがなカタカナ漢字.テスト",
            "외교부.한국",
            "abc漢字.example",
            "ministère.fra.example",
            "cert.рф",
            "",
            ".",
            "xn--",
        ] {
            assert!(!mixed_script(d), "{d}");
        }
    }

    #[test]
    fn confusable_skeletons() {
        assert_eq!(skeleton(CYRILLIC_E), skeleton("cert.fra.example"));
        assert_eq!(
            skeleton("xn--crt-rdd.fra.example"),
            skeleton("cert.fra.example")
        );
        assert_eq!(skeleton("rnofa.example"), skeleton("mofa.example"));
        assert_eq!(skeleton("MOFA.example"), skeleton("mofa.example"));
        assert_ne!(skeleton("cert.fra.example"), skeleton("cart.fra.example"));
    }

    #[test]
    fn lookalikes_are_found_and_the_same_domain_is_not_one() {
        let known = ["agency.example", "cert.fra.example", "mofa.example"];
        assert_eq!(lookalike(CYRILLIC_E, known), Some("cert.fra.example"));
        assert_eq!(
            lookalike("xn--crt-rdd.fra.example", known),
            Some("cert.fra.example")
        );
        assert_eq!(lookalike("rnofa.example", known), Some("mofa.example"));
        assert_eq!(
            lookalike("cert.fra.example", known),
            None,
            "the same domain"
        );
        assert_eq!(
            lookalike("CERT.fra.example.", known),
            None,
            "the same domain"
        );
        assert_eq!(
            lookalike("desk.cert.fra.example", known),
            None,
            "a subdomain"
        );
        assert_eq!(lookalike("other.example", known), None);
        // At the registrable level: a new subdomain of a look-alike.
        assert_eq!(
            lookalike("mail.d\u{0456}plomatie.example", ["diplomatie.example"]),
            Some("diplomatie.example")
        );
        // The known domain written as xn--: still the same domain.
        assert_eq!(lookalike(CYRILLIC_E, ["xn--crt-rdd.fra.example"]), None);
        assert_eq!(lookalike("", [""]), None);
    }

    #[test]
    fn display_shows_both_forms_when_a_label_is_not_ascii() {
        assert_eq!(
            display(CYRILLIC_E),
            format!("{CYRILLIC_E} (xn--crt-rdd.fra.example)")
        );
        assert_eq!(
            display("xn--crt-rdd.fra.example"),
            format!("{CYRILLIC_E} (xn--crt-rdd.fra.example)")
        );
        assert_eq!(display("Cert.FRA.example"), "cert.fra.example");
        assert_eq!(display("xn--.example"), "xn--.example");
    }

    #[test]
    fn no_input_panics() {
        let huge_label = "е".repeat(100_000);
        let many_labels = "a.".repeat(100_000);
        let punycode = format!("xn--{}", "a".repeat(5_000));
        for d in [
            "",
            ".",
            "..",
            "xn--",
            "xn--.xn--",
            "xn---",
            "xn--zzzzzzzzz",
            "\u{FFFD}",
            "\u{0}",
            "a\u{202E}b.example",
            "。",
            "\u{FE0F}.\u{200D}",
            huge_label.as_str(),
            many_labels.as_str(),
            punycode.as_str(),
        ] {
            let _ = (registrable(d), ascii(d), unicode(d), mixed_script(d));
            let _ = (skeleton(d), display(d), lookalike(d, [d, "cert.example"]));
        }
    }
}
