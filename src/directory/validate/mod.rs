//! Validation: every rule a directory must follow, as diagnostics.
//!
//! Works only on what `load` returned; reads no file. One function per
//! file kind; each reports every problem it finds, never only the first.

pub mod fields;
pub mod history;
mod nominations;
pub mod openpgp;
mod pages;
mod pings;

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;

use crate::directory::diagnostic::{Code, Diagnostic};
use crate::directory::load::{self, Loaded};
use crate::directory::refdata;
use crate::directory::schema::{DirectoryFile, KeysFile, PointOfContact, StateFile};
use crate::directory::span::{At, Pos};
use crate::util::text::quote;

/// The `{name}` placeholders of a UI string, sorted.
/// The placeholders of a UI string, sorted and deduplicated; the forms of
/// a State's name (`{state_the}`, `{state_du}`, …) count as `{state}`,
/// since each language picks the forms its grammar needs.
fn placeholders(s: &str) -> Vec<String> {
    let mut out: Vec<String> = s
        .split('{')
        .skip(1)
        .filter_map(|p| p.split_once('}').map(|(n, _)| n))
        .map(|n| {
            if crate::directory::refdata::FORM_PLACEHOLDERS
                .iter()
                .any(|(_, _, ph)| *ph == n)
            {
                "{state}".to_string()
            } else {
                format!("{{{n}}}")
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `key` is a CLDR plural variant (`checks_hours_few`) of a key of the
/// reference.
fn plural_variant_of(key: &str, reference: &BTreeMap<String, String>) -> bool {
    ["_zero", "_one", "_two", "_few", "_many", "_other"]
        .iter()
        .any(|suffix| {
            key.strip_suffix(suffix)
                .is_some_and(|k| reference.contains_key(k))
        })
}

pub const POC_TYPES: &[&str] = &["diplomatic", "technical"];
pub const EMAIL_USES: &[&str] = &["general", "personal", "emergency"];
pub const PHONE_USES: &[&str] = &["voice", "emergency", "fax"];
pub const FUNCTIONS: &[&str] = &["communication", "assistance", "reporting", "coordination"];
pub const AVAILABILITY: &[&str] = &["24/7", "business_hours"];
pub const KEY_TYPES: &[&str] = &["openpgp", "age"];
pub const ACTIONS: &[&str] = &["submission", "update", "confirmation"];
pub const CHANNELS: &[&str] = &[
    "permanent_mission",
    "mfa",
    "note_verbale",
    "regional_network",
    "email",
    "other",
];

/// Warn when an encryption key expires within this many days.
pub const KEY_EXPIRY_WARNING_DAYS: i32 = 30;

/// What validation needs besides the files: the day to judge dates by.
#[derive(Clone, Copy, Debug)]
pub struct Context {
    pub today: Date,
}

/// Validate everything `load` read. Diagnostics come unsorted.
pub fn validate(l: &Loaded, cx: &Context) -> Vec<Diagnostic> {
    let mut v = V {
        out: Vec::new(),
        cx: *cx,
        file: String::new(),
    };
    let demo = l.directory.as_ref().is_some_and(|d| d.demo);
    if let Some(d) = &l.directory {
        v.directory(d);
    }
    // Each State and keys file is checked on its own (on every core),
    // its diagnostics kept in the files' order.
    let on_its_own = |file: &String| V {
        out: Vec::new(),
        cx: *cx,
        file: file.clone(),
    };
    let states: Vec<(&String, &StateFile)> = l.states.iter().collect();
    let mut content_states = BTreeSet::new();
    for (code, out) in crate::util::parallel::map(&states, |(file, s)| {
        let mut f = on_its_own(file);
        let code = f.state_file(s, demo);
        let source = l.sources.get(*file).map_or("", String::as_str);
        f.out.extend(pages::notes(file, source, s));
        (code, f.out)
    }) {
        content_states.extend(code);
        v.out.extend(out);
    }
    let keys: Vec<(&String, &KeysFile)> = l.keys.iter().collect();
    let mut keyed_states = BTreeSet::new();
    for (code, out) in crate::util::parallel::map(&keys, |(file, k)| {
        let mut f = on_its_own(file);
        let code = f.keys_file(k, demo, &l.state_files);
        (code, f.out)
    }) {
        keyed_states.extend(code);
        v.out.extend(out);
    }
    for code in content_states.difference(&keyed_states) {
        v.out.push(
            Diagnostic::warning(
                Code::NoAccounts,
                format!("{}/{code}.yaml", load::STATES_DIR),
                Pos::UNKNOWN,
                format!("{code} has no verified accounts: it will get no bundle"),
            )
            .hint(format!(
                "register the State's accounts, verified through its Permanent Mission, in {}/{code}.yaml",
                load::KEYS_STATES_DIR
            )),
        );
    }
    if let Some(pk) = &l.secretariat_pub {
        if !demo && pk.lines().next().is_some_and(|c| c.contains("DEMO")) {
            v.out.push(
                Diagnostic::error(Code::DemoKey, load::SECRETARIAT_PUB, Pos::new(1, 1), "the secretariat key is labelled DEMO in a directory that is not `demo: true`")
                    .hint("the demo key is published with the example: make the directory's own key with `pocdir keygen signing --secret-key ../secretariat.key --public-key keys/secretariat.pub` (the secret key outside the repository)"),
            );
        }
        if let Err((m, h)) = fields::minisign_public_key(pk) {
            v.out.push(
                Diagnostic::error(
                    Code::SecretariatKeyInvalid,
                    load::SECRETARIAT_PUB,
                    Pos::UNKNOWN,
                    format!("secretariat key: {m}"),
                )
                .hint(h),
            );
        }
    }
    v.reviewers(l);
    v.secrets(l, demo);
    let languages: Vec<String> = l
        .directory
        .as_ref()
        .map(|d| d.languages.iter().map(|s| s.value.clone()).collect())
        .unwrap_or_default();
    let default_language = l
        .directory
        .as_ref()
        .map(|d| d.default_language.value.clone())
        .unwrap_or_default();
    v.out.extend(pages::validate(
        &l.pages,
        &l.page_files,
        &languages,
        &default_language,
    ));
    v.i18n(l, &languages);
    v.glossaries(l, &languages);
    v.out.extend(pings::validate(&l.campaigns, &l.state_files));
    v.out.extend(nominations::validate(
        l.nominations.as_ref(),
        &l.state_files,
        v.cx.today,
    ));
    v.out
}

struct V {
    out: Vec<Diagnostic>,
    cx: Context,
    file: String,
}

impl V {
    fn error(&mut self, code: Code, pos: Pos, (msg, hint): (String, String)) {
        self.out
            .push(Diagnostic::error(code, self.file.clone(), pos, msg).hint(hint));
    }

    fn warn(&mut self, code: Code, pos: Pos, (msg, hint): (String, String)) {
        self.out
            .push(Diagnostic::warning(code, self.file.clone(), pos, msg).hint(hint));
    }

    fn check(&mut self, code: Code, pos: Pos, r: Result<(), fields::FieldError>) {
        if let Err(e) = r {
            self.error(code, pos, e);
        }
    }

    fn single_line(&mut self, s: &At<String>, what: &str) {
        self.check(Code::BadText, s.pos, fields::single_line(s, what));
    }

    fn email(&mut self, s: &At<String>) -> Option<String> {
        match fields::email(s) {
            Ok(domain) => {
                if refdata::is_freemail(&domain) {
                    self.warn(
                        Code::FreeMail,
                        s.pos,
                        (
                            format!("{} is on a free-mail provider", quote(s)),
                            "official contacts should use an address of the State's own domain"
                                .into(),
                        ),
                    );
                }
                if crate::util::domain::mixed_script(&domain) {
                    self.warn(
                        Code::MixedScriptDomain,
                        s.pos,
                        (
                            format!(
                                "{} is on a domain that mixes scripts: {}",
                                quote(s),
                                quote(&crate::util::domain::display(&domain))
                            ),
                            "a domain that mixes scripts can imitate another: confirm it with the State"
                                .into(),
                        ),
                    );
                }
                Some(domain)
            }
            Err(e) => {
                self.error(Code::InvalidEmail, s.pos, e);
                None
            }
        }
    }

    fn phone(&mut self, s: &At<String>) {
        self.check(Code::InvalidPhone, s.pos, fields::e164(s));
    }

    /// A date that must be valid and not in the future.
    fn past_date(&mut self, s: &At<String>) -> Option<Date> {
        match fields::date(s) {
            Ok(d) if d > self.cx.today => {
                self.error(
                    Code::FutureDate,
                    s.pos,
                    (
                        format!(
                            "date {} is in the future (today is {})",
                            quote(s),
                            self.cx.today
                        ),
                        "record the date on which it happened".into(),
                    ),
                );
                Some(d)
            }
            Ok(d) => Some(d),
            Err(e) => {
                self.error(Code::InvalidDate, s.pos, e);
                None
            }
        }
    }

    fn directory(&mut self, d: &DirectoryFile) {
        self.file = load::DIRECTORY_FILE.to_string();
        self.single_line(&d.title, "title");
        self.single_line(&d.secretariat.name, "secretariat name");
        self.email(&d.secretariat.email);
        if let Some(p) = &d.secretariat.phone {
            self.phone(p);
        }
        if let Some(w) = &d.secretariat.website
            && !w.starts_with("https://")
            && !w.starts_with("http://")
        {
            self.error(
                Code::InvalidUrl,
                w.pos,
                (
                    format!("{} is not an http(s) address", quote(w)),
                    "write the full address, starting with https://".into(),
                ),
            );
        }
        let mut seen = BTreeSet::new();
        if d.languages.is_empty() {
            self.error(
                Code::NoLanguages,
                Pos::new(1, 1),
                (
                    "no site language is listed".into(),
                    "list at least `languages: [en]`".into(),
                ),
            );
        }
        for l in &d.languages {
            if let Err(e) = fields::one_of(
                l,
                "site language (the six UN languages)",
                &refdata::UN_LANGUAGES,
            ) {
                self.error(Code::InvalidLanguage, l.pos, e);
            }
            if !seen.insert(l.value.clone()) {
                self.warn(
                    Code::DuplicateValue,
                    l.pos,
                    (
                        format!("language {} is listed twice", quote(l)),
                        "remove the repetition".into(),
                    ),
                );
            }
        }
        if !d
            .languages
            .iter()
            .any(|l| l.value == d.default_language.value)
        {
            self.error(
                Code::InvalidLanguage,
                d.default_language.pos,
                (
                    format!(
                        "default language {} is not one of `languages`",
                        quote(&d.default_language)
                    ),
                    "add it to `languages` or pick one listed there".into(),
                ),
            );
        }
        let n = &d.policy.notify_change_within_days;
        let r = &d.policy.reverify_within_days;
        if !(1..=365).contains(&n.value) {
            self.error(
                Code::InvalidPolicy,
                n.pos,
                (
                    "notify_change_within_days must be between 1 and 365".into(),
                    "the usual value is 30".into(),
                ),
            );
        }
        if !(30..=1100).contains(&r.value) {
            self.error(
                Code::InvalidPolicy,
                r.pos,
                (
                    "reverify_within_days must be between 30 and 1100".into(),
                    "a yearly re-verification is 365".into(),
                ),
            );
        }
        let b = &d.bundle.validity_days;
        if !(1..=366).contains(&b.value) {
            self.error(
                Code::InvalidPolicy,
                b.pos,
                (
                    "bundle validity_days must be between 1 and 366".into(),
                    "a bundle should be refreshed at least yearly".into(),
                ),
            );
        }
        if let Some(w) = &d.bundle.renew_within_days
            && !(1..b.value).contains(&w.value)
        {
            self.error(
                Code::InvalidPolicy,
                w.pos,
                (
                    format!(
                        "bundle renew_within_days must be at least 1 and less than validity_days ({})",
                        b.value
                    ),
                    "the default, a third of validity_days, renews bundles well before they expire".into(),
                ),
            );
        }
        if let Some(t) = &d.theme {
            let ok = !t.is_empty()
                && t.bytes().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_'
                });
            if !ok {
                self.error(
                    Code::InvalidTheme,
                    t.pos,
                    (
                        format!("theme name {} is not a plain folder name", quote(t)),
                        "use lowercase letters, digits, - and _".into(),
                    ),
                );
            }
        }
    }

    /// The State code of a file `<dir>/<ISO3>.yaml` whose field `state`
    /// must agree; reports bad names and codes.
    fn state_code(&mut self, field: &At<String>, demo: bool) -> Option<String> {
        let stem = self
            .file
            .rsplit('/')
            .next()
            .and_then(|n| n.strip_suffix(".yaml"))
            .unwrap_or("")
            .to_string();
        let stem_ok = stem.len() == 3 && stem.bytes().all(|b| b.is_ascii_uppercase());
        if !stem_ok {
            self.error(
                Code::BadFileName,
                Pos::UNKNOWN,
                (
                    format!("file name {} is not a State code", quote(&stem)),
                    "name the file after the State's ISO 3166-1 alpha-3 code in capitals, e.g. FRA.yaml".into(),
                ),
            );
        }
        let code = field.value.as_str();
        let code_ok = code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase());
        if !code_ok {
            self.error(
                Code::InvalidStateCode,
                field.pos,
                (
                    format!("{} is not an ISO 3166-1 alpha-3 code", quote(code)),
                    "use the three capital letters of the State's code, e.g. FRA".into(),
                ),
            );
            return None;
        }
        let known = refdata::un_state(code).is_some() || (demo && refdata::is_synthetic_code(code));
        if !known {
            let hint = if refdata::is_synthetic_code(code) {
                "synthetic codes (XAA-XZZ) are accepted only in a `demo: true` directory"
                    .to_string()
            } else {
                "the directory holds the 193 UN Member States and the 2 observer States".to_string()
            };
            self.error(
                Code::UnknownState,
                field.pos,
                (
                    format!("{} is not a UN Member or observer State", quote(code)),
                    hint,
                ),
            );
            return None;
        }
        if stem_ok && stem != code {
            self.error(
                Code::StateMismatch,
                field.pos,
                (
                    format!("file is named {stem}.yaml but says `state: {code}`"),
                    format!("rename the file to {code}.yaml or correct the code"),
                ),
            );
            return None;
        }
        stem_ok.then(|| code.to_string())
    }

    fn state_file(&mut self, s: &StateFile, demo: bool) -> Option<String> {
        let code = self.state_code(&s.state, demo);
        self.single_line(&s.mission.name, "mission name");
        self.email(&s.mission.email);
        if let Some(p) = &s.mission.phone {
            self.phone(p);
        }
        if let Some(a) = &s.mission.address
            && a.chars().any(|c| c.is_control() && c != '\n')
        {
            self.error(
                Code::BadText,
                a.pos,
                (
                    "address holds control characters".into(),
                    "delete them".into(),
                ),
            );
        }
        if let Some(l) = &s.mission.correspondence_language
            && !refdata::UN_LANGUAGES.contains(&l.value.as_str())
        {
            self.error(
                Code::InvalidLanguage,
                l.pos,
                (
                    format!("{} is not one of the six UN languages", quote(l)),
                    format!(
                        "the Mission corresponds with the Secretariat in one of: {}",
                        refdata::UN_LANGUAGES.join(", ")
                    ),
                ),
            );
        }
        let mut seen = BTreeSet::new();
        for n in &s.regional_networks {
            if !refdata::is_regional_network(n) {
                let known: Vec<&str> = refdata::REGIONAL_NETWORKS.iter().map(|(c, _)| *c).collect();
                self.warn(
                    Code::UnknownNetwork,
                    n.pos,
                    (
                        format!("{} is not a known regional network", quote(n)),
                        format!("known networks: {}", known.join(", ")),
                    ),
                );
            }
            if !seen.insert(n.value.clone()) {
                self.warn(
                    Code::DuplicateValue,
                    n.pos,
                    (
                        format!("{} is listed twice", quote(n)),
                        "remove the repetition".into(),
                    ),
                );
            }
        }
        if s.points_of_contact.is_empty() {
            self.error(
                Code::NoPoc,
                s.points_of_contact.pos,
                (
                    "the State lists no point of contact".into(),
                    "add at least one diplomatic or technical PoC under points_of_contact".into(),
                ),
            );
        }
        let mut keys: BTreeMap<(String, String, String), Pos> = BTreeMap::new();
        let mut ids: BTreeMap<&str, Pos> = BTreeMap::new();
        for p in s.points_of_contact.iter() {
            self.poc(p);
            if let Some(first) = ids.get(p.id.as_str()) {
                self.error(
                    Code::DuplicatePocId,
                    p.id.pos,
                    (
                        format!(
                            "PoC id {} is already used at line {}",
                            quote(&p.id),
                            first.line
                        ),
                        "give each PoC of the State its own id".into(),
                    ),
                );
            } else {
                ids.insert(p.id.as_str(), p.id.pos);
            }
            let key = (
                p.kind.value.clone(),
                p.entity.value.trim().to_lowercase(),
                p.person
                    .as_ref()
                    .map(|x| x.name.value.trim().to_lowercase())
                    .unwrap_or_default(),
            );
            if let Some(first) = keys.get(&key) {
                self.error(
                    Code::DuplicatePoc,
                    p.pos,
                    (
                        format!(
                            "this {} PoC repeats the one at line {}",
                            p.kind.value, first.line
                        ),
                        "merge the two entries: one PoC per entity and person".into(),
                    ),
                );
            } else {
                keys.insert(key, p.pos);
            }
        }
        let kinds_valid = s
            .points_of_contact
            .iter()
            .all(|p| POC_TYPES.contains(&p.kind.as_str()));
        for t in POC_TYPES {
            if kinds_valid
                && !s.points_of_contact.is_empty()
                && !s.points_of_contact.iter().any(|p| p.kind.value == *t)
            {
                self.warn(
                    Code::MissingPocType,
                    s.state.pos,
                    (
                        format!("the State has no {t} PoC"),
                        "the directory asks each State for both a diplomatic and a technical PoC"
                            .into(),
                    ),
                );
            }
        }
        if s.provenance.is_empty() {
            self.error(
                Code::NoProvenance,
                s.state.pos,
                (
                    "the entry has no provenance record".into(),
                    "record when and through which channel the data was received and verified"
                        .into(),
                ),
            );
        }
        for pr in &s.provenance {
            let d = self.past_date(&pr.date);
            let ver = self.past_date(&pr.verified);
            if let (Some(d), Some(ver)) = (d, ver)
                && ver < d
            {
                self.error(
                    Code::InvalidDate,
                    pr.verified.pos,
                    (
                        "verified before the communication's date".into(),
                        "the secretariat verifies a communication after it arrives".into(),
                    ),
                );
            }
            self.check(
                Code::InvalidValue,
                pr.action.pos,
                fields::one_of(&pr.action, "provenance action", ACTIONS),
            );
            self.check(
                Code::InvalidValue,
                pr.channel.pos,
                fields::one_of(&pr.channel, "channel", CHANNELS),
            );
            self.single_line(&pr.reference, "reference");
            self.single_line(&pr.verified_by, "verifier");
        }
        code
    }

    fn poc(&mut self, p: &At<PointOfContact>) {
        self.check(Code::InvalidPocId, p.id.pos, fields::poc_id(&p.id));
        self.check(
            Code::InvalidValue,
            p.kind.pos,
            fields::one_of(&p.kind, "PoC type", POC_TYPES),
        );
        self.single_line(&p.entity, "entity");
        if let Some(person) = &p.person {
            self.single_line(&person.name, "person's name");
            if let Some(t) = &person.title {
                self.single_line(t, "person's title");
            }
        }
        if p.emails.is_empty() && p.phones.is_empty() {
            self.error(
                Code::NoContactMeans,
                p.pos,
                (
                    "this PoC has neither an email address nor a phone number".into(),
                    "add at least one of `emails` or `phones`".into(),
                ),
            );
        }
        let mut seen = BTreeSet::new();
        for e in &p.emails {
            self.email(&e.address);
            self.check(
                Code::InvalidValue,
                e.usage.pos,
                fields::one_of(&e.usage, "email use", EMAIL_USES),
            );
            if !seen.insert(e.address.value.to_lowercase()) {
                self.warn(
                    Code::DuplicateValue,
                    e.address.pos,
                    (
                        format!("{} is listed twice", quote(&e.address)),
                        "remove the repetition".into(),
                    ),
                );
            }
        }
        for ph in &p.phones {
            self.phone(&ph.number);
            self.check(
                Code::InvalidValue,
                ph.usage.pos,
                fields::one_of(&ph.usage, "phone use", PHONE_USES),
            );
        }
        if p.languages.is_empty() {
            self.error(
                Code::NoLanguage,
                p.pos,
                (
                    "the PoC lists no language".into(),
                    "list at least one ISO 639-1 code under languages, e.g. [en]".into(),
                ),
            );
        }
        for l in &p.languages {
            self.check(Code::InvalidLanguage, l.pos, fields::language(l));
        }
        let a = &p.availability;
        self.check(
            Code::InvalidValue,
            a.mode.pos,
            fields::one_of(&a.mode, "availability", AVAILABILITY),
        );
        if let Some(tz) = &a.time_zone {
            self.check(Code::InvalidTimeZone, tz.pos, fields::time_zone(tz));
        }
        if let Some(h) = &a.hours {
            self.check(Code::InvalidHours, h.pos, fields::hours(h));
        }
        if let Some(d) = &a.days {
            self.check(Code::InvalidHours, d.pos, fields::days(d));
        }
        if a.mode.value == "business_hours" {
            for (missing, what) in [
                (a.hours.is_none(), "hours"),
                (a.days.is_none(), "days"),
                (a.time_zone.is_none(), "time_zone"),
            ] {
                if missing {
                    self.error(
                        Code::MissingField,
                        a.pos,
                        (
                            format!("business hours need `{what}`"),
                            "give hours (09:00-17:00), days (mon-fri) and the IANA time_zone"
                                .into(),
                        ),
                    );
                }
            }
        }
        for f in &p.functions {
            self.check(
                Code::InvalidValue,
                f.pos,
                fields::one_of(f, "function", FUNCTIONS),
            );
        }
        for k in &p.encryption_keys {
            self.check(
                Code::InvalidValue,
                k.kind.pos,
                fields::one_of(&k.kind, "key type", KEY_TYPES),
            );
            match k.kind.value.as_str() {
                "openpgp" => self.check(
                    Code::InvalidKey,
                    k.material.pos,
                    fields::openpgp_fingerprint(&k.material),
                ),
                "age" => self.check(
                    Code::InvalidKey,
                    k.material.pos,
                    fields::age_recipient(&k.material),
                ),
                _ => {}
            }
            if let Some(pk) = &k.public_key {
                self.openpgp_public_key(pk, &k.kind, &k.material);
            }
            if let Some(exp) = &k.expires {
                match fields::date(exp) {
                    Ok(d) if d < self.cx.today => self.error(
                        Code::KeyExpired,
                        exp.pos,
                        (
                            format!("this encryption key expired on {d}"),
                            "ask the State for its new key, or remove the expired one".into(),
                        ),
                    ),
                    Ok(d) if (d - self.cx.today).get_days() <= KEY_EXPIRY_WARNING_DAYS => self
                        .warn(
                            Code::KeyExpiring,
                            exp.pos,
                            (
                                format!("this encryption key expires on {d}"),
                                "ask the State for its next key".into(),
                            ),
                        ),
                    Ok(_) => {}
                    Err(e) => self.error(Code::InvalidDate, exp.pos, e),
                }
            }
        }
    }

    /// An armored OpenPGP public key (issue 15): parses, verifies, has
    /// the recorded fingerprint, has not expired (warned when near).
    fn openpgp_public_key(&mut self, pk: &At<String>, kind: &At<String>, fingerprint: &At<String>) {
        if kind.value != "openpgp" {
            self.error(
                Code::InvalidKey,
                pk.pos,
                (
                    format!("a {} key carries no public_key", quote(kind)),
                    "only an openpgp key carries its armored public key: remove public_key".into(),
                ),
            );
            return;
        }
        match openpgp::check(pk, fingerprint) {
            Err(e) => self.error(Code::InvalidKey, pk.pos, e),
            Ok(openpgp::KeyFacts { expires: Some(d) }) if d < self.cx.today => self.error(
                Code::KeyExpired,
                pk.pos,
                (
                    format!("this OpenPGP public key expired on {d}"),
                    "ask the PoC for its renewed key (or its new one), or remove the expired one"
                        .into(),
                ),
            ),
            Ok(openpgp::KeyFacts { expires: Some(d) })
                if (d - self.cx.today).get_days() <= KEY_EXPIRY_WARNING_DAYS =>
            {
                self.warn(
                    Code::KeyExpiring,
                    pk.pos,
                    (
                        format!("this OpenPGP public key expires on {d}"),
                        "ask the PoC for its renewed key".into(),
                    ),
                )
            }
            Ok(_) => {}
        }
    }

    fn keys_file(
        &mut self,
        k: &KeysFile,
        demo: bool,
        content: &BTreeSet<String>,
    ) -> Option<String> {
        let code = self.state_code(&k.state, demo)?;
        if !content.contains(&code) {
            self.warn(
                Code::AccountsWithoutEntry,
                k.state.pos,
                (
                    format!(
                        "{code} has verified accounts but no entry in {}/",
                        load::STATES_DIR
                    ),
                    format!("add {}/{code}.yaml or remove this file", load::STATES_DIR),
                ),
            );
        }
        if k.accounts.is_empty() {
            self.error(
                Code::NoAccounts,
                k.state.pos,
                (
                    "the file lists no account".into(),
                    "add the State's verified accounts or delete the file".into(),
                ),
            );
        }
        let mut recipients = BTreeSet::new();
        for a in &k.accounts {
            self.email(&a.email);
            if let Some(n) = &a.name {
                self.single_line(n, "account name");
            }
            if a.recipients.is_empty() {
                self.error(
                    Code::NoRecipient,
                    a.pos,
                    (
                        "the account has no age recipient".into(),
                        "add the account's public key (age1...)".into(),
                    ),
                );
            }
            for r in &a.recipients {
                self.check(Code::InvalidRecipient, r.pos, fields::age_recipient(r));
                if !recipients.insert(r.value.clone()) {
                    self.warn(
                        Code::DuplicateValue,
                        r.pos,
                        (
                            "this recipient is listed twice".into(),
                            "each key belongs to one account".into(),
                        ),
                    );
                }
            }
            let v = &a.verification;
            self.past_date(&v.date);
            self.check(
                Code::InvalidValue,
                v.channel.pos,
                fields::one_of(&v.channel, "channel", CHANNELS),
            );
            self.single_line(&v.reference, "reference");
            self.single_line(&v.verified_by, "verifier");
        }
        if let Some(key) = &k.update_signing_key
            && let Err(e) = fields::minisign_public_key(key)
        {
            self.error(Code::InvalidKey, key.pos, e);
        }
        Some(code)
    }

    /// Reviewer keys: `<login>.pub`, a valid login, a valid minisign
    /// public key, no key listed twice.
    fn reviewers(&mut self, l: &Loaded) {
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for (rel, text) in &l.reviewers {
            let stem = rel
                .rsplit('/')
                .next()
                .and_then(|n| n.strip_suffix(".pub"))
                .unwrap_or("");
            if !fields::is_login(stem) {
                self.out.push(
                    Diagnostic::error(
                        Code::BadFileName,
                        rel.clone(),
                        Pos::UNKNOWN,
                        format!("{} is not a reviewer's login", quote(stem)),
                    )
                    .hint("name the file after the reviewer's login on the forge: letters, digits, `.`, `_` or `-`, at most 39 characters (keys/reviewers/alice.pub)"),
                );
            }
            match fields::minisign_public_key(text) {
                Ok(pk) => {
                    if let Some(first) = seen.insert(pk.key_id(), rel.clone()) {
                        self.out.push(
                            Diagnostic::error(
                                Code::InvalidKey,
                                rel.clone(),
                                Pos::UNKNOWN,
                                format!("the same key as {first}"),
                            )
                            .hint("each reviewer holds a key of their own"),
                        );
                    }
                }
                Err((m, h)) => self.out.push(
                    Diagnostic::error(
                        Code::InvalidKey,
                        rel.clone(),
                        Pos::UNKNOWN,
                        format!("reviewer key: {m}"),
                    )
                    .hint(h),
                ),
            }
        }
    }

    /// Every site language has UI strings for every key of the English
    /// reference, with the same placeholders.
    fn i18n(&mut self, l: &Loaded, languages: &[String]) {
        let Some(reference) = l.i18n.get("en") else {
            self.out.push(Diagnostic::error(
                Code::I18nMissing,
                "themes/default/i18n/en.yaml",
                Pos::UNKNOWN,
                "the theme has no English UI strings",
            ));
            return;
        };
        for lang in languages {
            let Some(file) = l.i18n.get(lang) else {
                self.out.push(
                    Diagnostic::error(
                        Code::I18nMissing,
                        format!("themes/default/i18n/{lang}.yaml"),
                        Pos::UNKNOWN,
                        format!("no UI strings for the site language {lang}"),
                    )
                    .hint("translate themes/default/i18n/en.yaml into this file"),
                );
                continue;
            };
            for (key, en) in &reference.strings {
                match file.strings.get(key) {
                    None => self.out.push(
                        Diagnostic::error(
                            Code::I18nMissingKey,
                            file.file.clone(),
                            Pos::UNKNOWN,
                            format!("UI string `{key}` is missing"),
                        )
                        .hint(format!("add `{key}:` (English: {})", quote(en))),
                    ),
                    Some(v) => {
                        if placeholders(v) != placeholders(en) {
                            self.out.push(
                                Diagnostic::error(
                                    Code::I18nPlaceholder,
                                    file.file.clone(),
                                    Pos::UNKNOWN,
                                    format!(
                                        "UI string `{key}` does not use the placeholders {}",
                                        placeholders(en).join(" ")
                                    ),
                                )
                                .hint("keep every {name} of the English string, untranslated"),
                            );
                        }
                        if v.chars().any(crate::util::text::is_dangerous_char) {
                            self.out.push(
                                Diagnostic::error(
                                    Code::BidiControl,
                                    file.file.clone(),
                                    Pos::UNKNOWN,
                                    format!("UI string `{key}` holds a control or bidi character"),
                                )
                                .hint("delete it"),
                            );
                        }
                    }
                }
            }
            for key in file.strings.keys() {
                if !reference.strings.contains_key(key)
                    && !plural_variant_of(key, &reference.strings)
                {
                    self.out.push(
                        Diagnostic::warning(
                            Code::I18nUnknownKey,
                            file.file.clone(),
                            Pos::UNKNOWN,
                            format!("UI string `{key}` is not used"),
                        )
                        .hint("it is not in the English reference; remove it or fix its name"),
                    );
                }
            }
        }
    }

    /// A term a language's glossary says to avoid, found in that
    /// language's UI strings or pages: a warning naming file and line.
    fn glossaries(&mut self, l: &Loaded, languages: &[String]) {
        for lang in languages {
            let Some(g) = l.glossaries.get(lang) else {
                continue;
            };
            let mut texts: Vec<(String, usize, &str)> = Vec::new();
            if let Some(f) = l.i18n.get(lang)
                && let Some(text) = l.sources.get(&f.file)
            {
                texts.extend(
                    text.lines()
                        .enumerate()
                        .filter(|(_, line)| !line.trim_start().starts_with('#'))
                        .map(|(i, line)| (f.file.clone(), i + 1, line)),
                );
            }
            for p in l
                .pages
                .iter()
                .filter(|p| p.lang.as_deref() == Some(lang.as_str()))
            {
                if let Some(text) = l.sources.get(&p.file) {
                    texts.extend(
                        text.lines()
                            .enumerate()
                            .map(|(i, line)| (p.file.clone(), i + 1, line)),
                    );
                }
            }
            for (file, line, text) in texts {
                let lower = text.to_lowercase();
                for t in &g.terms {
                    for avoid in &t.avoid {
                        let a = avoid.to_lowercase();
                        let Some(at) = lower.find(&a).filter(|_| !a.trim().is_empty()) else {
                            continue;
                        };
                        let column = lower[..at].chars().count() + 1;
                        self.out.push(
                            Diagnostic::warning(
                                Code::GlossaryTerm,
                                file.clone(),
                                Pos { line, column },
                                format!(
                                    "{} is not the directory's term for {}",
                                    quote(avoid.trim()),
                                    crate::util::text::printable(&t.concept)
                                ),
                            )
                            .hint(format!(
                                "write {} (glossary: {})",
                                quote(&t.term),
                                g.file
                            )),
                        );
                    }
                }
            }
        }
    }

    fn secrets(&mut self, l: &Loaded, demo: bool) {
        for hit in &l.secret_hits {
            self.out.push(
                Diagnostic::error(Code::SecretKeyMaterial, hit.file.clone(), hit.pos, format!("this file holds {}", hit.what)).hint(format!(
                    "secret keys never belong in the repository (only demo keys, under {}/, in a demo directory): delete it, rotate the key, and purge it from history",
                    load::DEMO_DIR
                )),
            );
        }
        for (file, labelled) in &l.demo_files {
            if !demo {
                self.out.push(
                    Diagnostic::error(
                        Code::DemoKey,
                        file.clone(),
                        Pos::UNKNOWN,
                        "demo key in a directory that is not `demo: true`",
                    )
                    .hint("a real directory holds no secret key: delete keys/demo/"),
                );
            } else if !labelled {
                self.out.push(
                    Diagnostic::error(Code::DemoKeyUnlabelled, file.clone(), Pos::UNKNOWN, "demo key file does not say DEMO")
                        .hint("label every file under keys/demo/ with the word DEMO in a comment, so nobody mistakes it for a real key"),
                );
            }
        }
    }
}
