//! The checked directory: typed data built from what `load` read once
//! `validate` found no error (State codes, PoC types and dates are parsed
//! here, once). Render and seal work only on this. Every type serialises
//! as the strings the directory's files hold, so exports keep their bytes.

use jiff::civil::Date;
use serde::Serialize;

use crate::directory::load::{Loaded, PageSource};
use crate::directory::refdata::{self, Group, StateInfo};
use crate::directory::schema;
use crate::directory::types::{iso_date, parse_date};
use crate::directory::validate;

pub use crate::directory::types::{PocType, StateCode};

#[derive(Clone, Debug, Serialize)]
pub struct Directory {
    pub settings: Settings,
    pub states: Vec<State>,
    #[serde(skip)]
    pub pages: Vec<Page>,
    pub secretariat_key: SecretariatKey,
    /// The day dates were judged on (staleness).
    #[serde(with = "iso_date")]
    pub as_of: Date,
    /// Communication checks, oldest first. Never serialised: their tokens
    /// stay with the secretariat (not in bundles, exports or the site).
    #[serde(skip)]
    pub campaigns: Vec<crate::directory::campaign::Campaign>,
    /// Nominations in progress (`content/nominations.yaml`), by State code.
    /// The secretariat's own record: not in any export.
    #[serde(skip)]
    pub nominations: Vec<Nomination>,
    /// The last versions of the signed version log, latest first (at most
    /// [`CHECKPOINTS_SHOWN`]): the verify page lists them so anyone can
    /// compare the log head `pocdir open` prints (issue #18). Not in any
    /// export or root hash.
    #[serde(skip)]
    pub checkpoints: Vec<Checkpoint>,
}

/// How many versions the verify page lists (the whole log is
/// `versions.jsonl`, beside it).
pub const CHECKPOINTS_SHOWN: usize = 20;

/// A version of the directory as the signed log records it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: u64,
    /// SHA-256 of the version's canonical JSON (the directory root).
    pub root: String,
    /// RFC 3339, UTC.
    pub issued: String,
    /// SHA-256 of the version's line in the log, without its newline:
    /// through the hash chain, the whole log up to it.
    pub line_sha256: String,
    /// A renewal of this version (same content).
    pub renews: Option<u64>,
}

/// The last [`CHECKPOINTS_SHOWN`] versions of a version log's text,
/// latest first (lines that are not versions are skipped: the log is
/// checked as a whole elsewhere).
pub fn checkpoints(log: &str) -> Vec<Checkpoint> {
    log.lines()
        .rev()
        .filter(|l| !l.trim().is_empty())
        .take(CHECKPOINTS_SHOWN)
        .filter_map(|line| {
            let e: crate::bundle::log::Entry = serde_json::from_str(line).ok()?;
            Some(Checkpoint {
                seq: e.seq,
                root: e.root,
                issued: e.issued,
                line_sha256: crate::util::hash::sha256_hex(line.as_bytes()),
                renews: e.renews,
            })
        })
        .collect()
}

/// A nomination in progress: a State that announced its PoCs and has no
/// entry yet.
#[derive(Clone, Debug, Serialize)]
pub struct Nomination {
    pub state: String,
    #[serde(with = "iso_date")]
    pub date: Date,
    pub status: String,
}

impl Directory {
    /// The same directory with staleness judged as of another day (bundles
    /// are judged as of their issue date: same version, same bytes).
    pub fn judged_as_of(&self, day: Date) -> Directory {
        let mut d = self.clone();
        d.as_of = day;
        for s in &mut d.states {
            s.stale = is_stale(s.last_verified, d.settings.reverify_within_days, day);
        }
        d
    }

    /// The language of every message to the State other than English:
    /// its Mission's correspondence language (the State file's
    /// `mission.correspondence_language`, else the UN working language of
    /// the reference data), when it is not English and the site has it.
    pub fn un_language<'a>(&self, s: &'a State) -> Option<&'a str> {
        let l = s.correspondence_language.as_str();
        (l != "en" && self.settings.languages.iter().any(|x| x == l)).then_some(l)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Settings {
    pub title: String,
    pub demo: bool,
    pub secretariat: Contact,
    pub languages: Vec<String>,
    pub default_language: String,
    pub notify_change_within_days: u32,
    pub reverify_within_days: u32,
    pub bundle_validity_days: u32,
    /// `build` renews the bundles when they expire within this many days.
    /// The secretariat's own setting: not in any export (nor the root).
    #[serde(skip)]
    pub bundle_renew_within_days: u32,
    pub theme: Option<String>,
    /// `site.list_non_participants`: the participation page names the
    /// States without an entry. Not in any export.
    #[serde(skip)]
    pub list_non_participants: bool,
    /// `site.sealed`: the site's contact data is encrypted (issue #16).
    /// Not in any export.
    #[serde(skip)]
    pub sealed: bool,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Contact {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct State {
    pub code: StateCode,
    pub alpha2: String,
    pub m49: String,
    pub member: bool,
    pub group: Group,
    /// Names in the six UN languages.
    pub names: std::collections::BTreeMap<&'static str, String>,
    pub mission: Contact,
    pub regional_networks: Vec<String>,
    pub points_of_contact: Vec<Poc>,
    pub provenance: Vec<Provenance>,
    /// The latest provenance date.
    #[serde(with = "iso_date")]
    pub last_updated: Date,
    /// The latest provenance verification date.
    #[serde(with = "iso_date")]
    pub last_verified: Date,
    /// Not re-verified within the policy's `reverify_within_days`.
    pub stale: bool,
    /// Verified accounts receiving the State's bundle.
    pub accounts: Vec<Account>,
    /// The UN language its Mission corresponds in (not exported).
    #[serde(skip)]
    pub correspondence_language: String,
}

impl State {
    pub fn name(&self, lang: &str) -> &str {
        self.names
            .get(lang)
            .or_else(|| self.names.get("en"))
            .map(String::as_str)
            .unwrap_or(self.code.as_str())
    }

    /// The State's name in `lang` with the forms its sentences need.
    pub fn forms(&self, lang: &str) -> refdata::NameForms {
        refdata::name_forms(self.code.as_str(), lang, self.name(lang))
    }

    pub fn has_24_7(&self) -> bool {
        self.points_of_contact
            .iter()
            .any(|p| p.availability.mode == "24/7")
    }
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Poc {
    /// Unique within the State, stable across revisions.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: PocType,
    pub entity: String,
    pub person: Option<Person>,
    pub emails: Vec<Tagged>,
    pub phones: Vec<Tagged>,
    pub languages: Vec<String>,
    pub availability: Availability,
    pub functions: Vec<String>,
    pub encryption_keys: Vec<EncryptionKey>,
    /// Markdown source.
    pub notes: Option<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub title: Option<String>,
}

/// An email address or phone number with its use.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Tagged {
    pub value: String,
    #[serde(rename = "use")]
    pub usage: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Availability {
    pub mode: String,
    pub hours: Option<String>,
    pub days: Option<String>,
    pub time_zone: Option<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct EncryptionKey {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
    #[serde(with = "iso_date::option")]
    pub expires: Option<Date>,
    /// The armored OpenPGP public key, when the entry carries it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// When the armored key says it expires (not exported: `stale` warns).
    #[serde(skip)]
    pub public_key_expires: Option<Date>,
}

impl EncryptionKey {
    /// The earlier of the recorded expiry and the armored key's own.
    pub fn effective_expiry(&self) -> Option<Date> {
        match (self.expires, self.public_key_expires) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Provenance {
    #[serde(with = "iso_date")]
    pub date: Date,
    pub action: String,
    pub channel: String,
    pub reference: String,
    #[serde(with = "iso_date")]
    pub verified: Date,
    pub verified_by: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Account {
    pub email: String,
    pub name: Option<String>,
    pub recipients: Vec<String>,
    /// The day the account was verified.
    #[serde(with = "iso_date")]
    pub verified: Date,
    pub channel: String,
    pub reference: String,
    pub verified_by: String,
}

impl Account {
    /// The first day this account's verification is older than the policy.
    pub fn lapses_on(&self, reverify_days: u32) -> Date {
        lapses_on(self.verified, reverify_days)
    }

    /// Its verification is older than the policy on `today`: `mail` sends
    /// it nothing.
    pub fn lapsed(&self, reverify_days: u32, today: Date) -> bool {
        is_stale(self.verified, reverify_days, today)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Page {
    pub name: String,
    pub lang: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub weight: i64,
    pub markdown: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct SecretariatKey {
    /// minisign key id, 16 upper-case hex digits (as minisign prints it).
    pub key_id: String,
    /// The base64 public key line.
    pub public_key: String,
}

fn contact(
    name: &str,
    email: &str,
    phone: Option<&schema::S>,
    website: Option<&schema::S>,
    address: Option<&schema::S>,
) -> Contact {
    Contact {
        name: name.to_string(),
        email: email.to_string(),
        phone: phone.map(|s| s.value.clone()),
        website: website.map(|s| s.value.clone()),
        address: address.map(|s| s.value.clone()),
    }
}

/// Build the model from a directory that validated without error, judging
/// staleness as of `as_of`.
pub fn from_loaded(l: &Loaded, as_of: Date) -> Option<Directory> {
    let d = l.directory.as_ref()?;
    let settings = Settings {
        title: d.title.value.clone(),
        demo: d.demo,
        secretariat: contact(
            &d.secretariat.name,
            &d.secretariat.email,
            d.secretariat.phone.as_ref(),
            d.secretariat.website.as_ref(),
            None,
        ),
        languages: d.languages.iter().map(|s| s.value.clone()).collect(),
        default_language: d.default_language.value.clone(),
        notify_change_within_days: d.policy.notify_change_within_days.value,
        reverify_within_days: d.policy.reverify_within_days.value,
        bundle_validity_days: d.bundle.validity_days.value,
        bundle_renew_within_days: d
            .bundle
            .renew_within_days
            .as_ref()
            .map_or(d.bundle.validity_days.value / 3, |w| w.value),
        theme: d.theme.as_ref().map(|t| t.value.clone()),
        list_non_participants: d.site.as_ref().is_some_and(|s| s.list_non_participants),
        sealed: d.site.as_ref().is_some_and(|s| s.sealed),
    };
    let pk = validate::fields::minisign_public_key(l.secretariat_pub.as_deref()?).ok()?;
    let key_id: String = pk
        .keynum()
        .iter()
        .rev()
        .map(|b| format!("{b:02X}"))
        .collect();
    let secretariat_key = SecretariatKey {
        key_id,
        public_key: pk.to_base64(),
    };
    let mut states = Vec::new();
    for s in l.states.values() {
        let info: StateInfo = refdata::un_state(&s.state)
            .cloned()
            .or_else(|| refdata::synthetic_state(&s.state))?;
        let keys = l.keys.values().find(|k| k.state.value == s.state.value);
        states.push(state(s, info, keys, settings.reverify_within_days, as_of)?);
    }
    states.sort_by_key(|s| s.code);
    let mut pages: Vec<Page> = l.pages.iter().map(page).collect();
    pages.sort_by(|a, b| (a.weight, &a.name, &a.lang).cmp(&(b.weight, &b.name, &b.lang)));
    Some(Directory {
        settings,
        states,
        pages,
        secretariat_key,
        as_of,
        campaigns: {
            let mut c = l
                .campaigns
                .values()
                .map(crate::directory::campaign::from_file)
                .collect::<Option<Vec<crate::directory::campaign::Campaign>>>()?;
            c.sort_by(|a, b| (a.started, &a.id).cmp(&(b.started, &b.id)));
            c
        },
        nominations: {
            let mut n = Vec::new();
            for e in l.nominations.iter().flat_map(|f| &f.nominations) {
                n.push(Nomination {
                    state: e.state.value.clone(),
                    date: parse_date(&e.date)?,
                    status: e.status.value.clone(),
                });
            }
            n.sort_by(|a, b| a.state.cmp(&b.state));
            n
        },
        checkpoints: l
            .version_log
            .as_deref()
            .map(checkpoints)
            .unwrap_or_default(),
    })
}

/// The first day on which something verified on `verified` is stale
/// under a policy of `reverify_days` (see [`is_stale`]).
pub fn lapses_on(verified: Date, reverify_days: u32) -> Date {
    verified
        .checked_add(jiff::Span::new().days(i64::from(reverify_days) + 1))
        .unwrap_or(Date::MAX)
}

/// Not re-verified within `reverify_days` of `as_of`.
pub fn is_stale(last_verified: Date, reverify_days: u32, as_of: Date) -> bool {
    days_between(last_verified, as_of) > i64::from(reverify_days)
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: Date, to: Date) -> i64 {
    i64::from((to - from).get_days())
}

fn state(
    s: &schema::StateFile,
    info: StateInfo,
    keys: Option<&schema::KeysFile>,
    reverify_days: u32,
    as_of: Date,
) -> Option<State> {
    let provenance = s
        .provenance
        .iter()
        .map(|p| {
            Some(Provenance {
                date: parse_date(&p.date.value)?,
                action: p.action.value.clone(),
                channel: p.channel.value.clone(),
                reference: p.reference.value.clone(),
                verified: parse_date(&p.verified.value)?,
                verified_by: p.verified_by.value.clone(),
            })
        })
        .collect::<Option<Vec<Provenance>>>()?;
    // Validation requires at least one provenance record.
    let last_updated = provenance.iter().map(|p| p.date).max()?;
    let last_verified = provenance.iter().map(|p| p.verified).max()?;
    let stale = is_stale(last_verified, reverify_days, as_of);
    let accounts = match keys {
        Some(k) => k
            .accounts
            .iter()
            .map(|a| {
                Some(Account {
                    email: a.email.value.clone(),
                    name: a.name.as_ref().map(|n| n.value.clone()),
                    recipients: a.recipients.iter().map(|r| r.value.clone()).collect(),
                    verified: parse_date(&a.verification.date.value)?,
                    channel: a.verification.channel.value.clone(),
                    reference: a.verification.reference.value.clone(),
                    verified_by: a.verification.verified_by.value.clone(),
                })
            })
            .collect::<Option<Vec<Account>>>()?,
        None => Vec::new(),
    };
    Some(State {
        code: StateCode::parse(&info.alpha3)?,
        alpha2: info.alpha2.clone(),
        m49: info.m49.clone(),
        member: info.member,
        group: info.group,
        names: info.names.clone(),
        mission: contact(
            &s.mission.name,
            &s.mission.email,
            s.mission.phone.as_ref(),
            None,
            s.mission.address.as_ref(),
        ),
        regional_networks: s
            .regional_networks
            .iter()
            .map(|n| n.value.clone())
            .collect(),
        points_of_contact: s
            .points_of_contact
            .iter()
            .map(|p| poc(p))
            .collect::<Option<Vec<Poc>>>()?,
        provenance,
        last_updated,
        last_verified,
        stale,
        accounts,
        correspondence_language: s
            .mission
            .correspondence_language
            .as_ref()
            .map(|l| l.value.clone())
            .or_else(|| refdata::working_language(&info.alpha3).map(str::to_string))
            .unwrap_or_else(|| "en".to_string()),
    })
}

fn poc(p: &schema::PointOfContact) -> Option<Poc> {
    Some(Poc {
        id: p.id.value.clone(),
        kind: PocType::parse(&p.kind.value)?,
        entity: p.entity.value.clone(),
        person: p.person.as_ref().map(|x| Person {
            name: x.name.value.clone(),
            title: x.title.as_ref().map(|t| t.value.clone()),
        }),
        emails: p
            .emails
            .iter()
            .map(|e| Tagged {
                value: e.address.value.clone(),
                usage: e.usage.value.clone(),
            })
            .collect(),
        phones: p
            .phones
            .iter()
            .map(|e| Tagged {
                value: e.number.value.clone(),
                usage: e.usage.value.clone(),
            })
            .collect(),
        languages: p.languages.iter().map(|l| l.value.clone()).collect(),
        availability: Availability {
            mode: p.availability.mode.value.clone(),
            hours: p.availability.hours.as_ref().map(|h| h.value.clone()),
            days: p.availability.days.as_ref().map(|h| h.value.clone()),
            time_zone: p.availability.time_zone.as_ref().map(|h| h.value.clone()),
        },
        functions: p.functions.iter().map(|f| f.value.clone()).collect(),
        encryption_keys: p
            .encryption_keys
            .iter()
            .map(|k| {
                Some(EncryptionKey {
                    kind: k.kind.value.clone(),
                    value: k.material.value.clone(),
                    expires: match &k.expires {
                        Some(e) => Some(parse_date(&e.value)?),
                        None => None,
                    },
                    public_key: k.public_key.as_ref().map(|p| p.value.clone()),
                    public_key_expires: match &k.public_key {
                        Some(p) => validate::openpgp::check(p, &k.material).ok()?.expires,
                        None => None,
                    },
                })
            })
            .collect::<Option<Vec<EncryptionKey>>>()?,
        notes: p.notes.as_ref().map(|n| n.value.clone()),
    })
}

fn page(p: &PageSource) -> Page {
    Page {
        name: p.name.clone(),
        lang: p.lang.clone(),
        title: p.front.title.value.clone(),
        description: p.front.description.as_ref().map(|d| d.value.clone()),
        weight: p.front.weight.as_ref().map(|w| w.value).unwrap_or(100),
        markdown: p.body.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::load;

    fn base() -> Loaded {
        load::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/base"))
    }

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn the_model_is_typed_once() {
        let d = from_loaded(&base(), day("2026-11-22")).expect("the base fixture models");
        let fra = &d.states[0];
        assert_eq!(fra.code, "FRA");
        assert_eq!(
            fra.last_verified,
            fra.provenance.iter().map(|p| p.verified).max().unwrap()
        );
        assert_eq!(
            fra.last_updated,
            fra.provenance.iter().map(|p| p.date).max().unwrap()
        );
        let kinds: Vec<PocType> = fra.points_of_contact.iter().map(|p| p.kind).collect();
        assert_eq!(kinds, [PocType::Diplomatic, PocType::Technical]);
        let ids: Vec<&str> = fra
            .points_of_contact
            .iter()
            .map(|p| p.id.as_str())
            .collect();
        assert_eq!(ids, ["mfa-digital", "cert"]);
        let expiry = fra
            .points_of_contact
            .iter()
            .flat_map(|p| &p.encryption_keys)
            .find_map(|k| k.expires);
        assert_eq!(expiry, Some(day("2027-12-31")));
        assert!(!fra.accounts.is_empty());
        let json = serde_json::to_value(fra).unwrap();
        assert_eq!(json["code"], "FRA");
        assert_eq!(json["last_updated"], fra.last_updated.to_string());
        assert_eq!(json["points_of_contact"][1]["type"], "technical");
        assert_eq!(json["points_of_contact"][1]["id"], "cert");
        assert_eq!(
            json["points_of_contact"][1]["encryption_keys"][0]["expires"],
            "2027-12-31"
        );
        let j = d.judged_as_of(day("2030-01-01"));
        assert!(j.states[0].stale);
        assert_eq!(j.as_of, day("2030-01-01"));
    }

    /// Validation would refuse these; the model refuses them too, without
    /// a panic, if it is ever handed one.
    #[test]
    fn a_value_validation_would_refuse_gives_no_model() {
        let today = day("2026-11-22");
        type Spoil = fn(&mut Loaded);
        let spoilers: [(&str, Spoil); 5] = [
            ("provenance date", |l| {
                let s = l.states.values_mut().next().unwrap();
                s.provenance[0].value.date.value = "2026-02-30".into();
            }),
            ("provenance verified", |l| {
                let s = l.states.values_mut().next().unwrap();
                s.provenance[0].value.verified.value = "yesterday".into();
            }),
            ("PoC type", |l| {
                let s = l.states.values_mut().next().unwrap();
                s.points_of_contact.value[0].value.kind.value = "military".into();
            }),
            ("key expiry", |l| {
                let s = l.states.values_mut().next().unwrap();
                for p in &mut s.points_of_contact.value {
                    for k in &mut p.value.encryption_keys {
                        if let Some(e) = &mut k.value.expires {
                            e.value = "2027-13-01".into();
                        }
                    }
                }
            }),
            ("account verification", |l| {
                let k = l.keys.values_mut().next().unwrap();
                k.accounts[0].value.verification.date.value = "2026/01/01".into();
            }),
        ];
        assert!(from_loaded(&base(), today).is_some());
        for (what, spoil) in spoilers {
            let mut l = base();
            spoil(&mut l);
            assert!(from_loaded(&l, today).is_none(), "{what}");
        }
        let mut l = base();
        l.states.values_mut().next().unwrap().provenance.clear();
        assert!(from_loaded(&l, today).is_none(), "no provenance");
    }
}
