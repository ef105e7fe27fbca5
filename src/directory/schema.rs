//! The YAML files of a directory, exactly as written (schema types).
//!
//! Every struct denies unknown fields, and every value that validation may
//! reject is an [`At`], so its line and column are known. Vocabularies
//! (PoC type, email use, channel, ...) are read as strings and checked by
//! `validate`, so one run reports every bad value instead of stopping at
//! the first.

use serde::{Deserialize, Serialize};

use crate::directory::span::At;

pub type S = At<String>;

/// `content/directory.yaml`: settings of the whole directory.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DirectoryFile {
    pub title: S,
    /// The example directory: demo keys are accepted only when true.
    #[serde(default)]
    pub demo: bool,
    pub secretariat: Secretariat,
    /// ISO 639-1 codes of the languages the site is published in.
    pub languages: Vec<S>,
    pub default_language: S,
    pub policy: Policy,
    pub bundle: BundleSettings,
    /// Name of a theme under `themes/` overriding files of `themes/default/`.
    #[serde(default)]
    pub theme: Option<S>,
    /// What the site publishes beyond the entries (issue 15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<SiteSettings>,
}

/// `site:` in `content/directory.yaml`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSettings {
    /// The participation page names the States that have not nominated
    /// (default false: only the figures).
    #[serde(default)]
    pub list_non_participants: bool,
    /// A sealed site (issue #16): no contact data in the clear in any
    /// served file; States open it with the access code in their bundle.
    #[serde(default)]
    pub sealed: bool,
}

/// `content/nominations.yaml`: nominations in progress (a State that has
/// announced its PoCs but has no entry yet).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NominationsFile {
    #[serde(default)]
    pub nominations: Vec<At<NominationEntry>>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NominationEntry {
    /// ISO 3166-1 alpha-3 code of a UN Member or observer State.
    pub state: S,
    /// When the nomination was announced (YYYY-MM-DD).
    pub date: S,
    /// A short note on where it stands (one line).
    pub status: S,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Secretariat {
    pub name: S,
    pub email: S,
    #[serde(default)]
    pub phone: Option<S>,
    #[serde(default)]
    pub website: Option<S>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// A State should notify a change within this many days.
    pub notify_change_within_days: At<u32>,
    /// An entry not re-verified within this many days is stale.
    pub reverify_within_days: At<u32>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BundleSettings {
    /// A bundle expires this many days after it is issued.
    pub validity_days: At<u32>,
    /// `build` renews the bundles (a new version, same content) when they
    /// expire within this many days; default: a third of `validity_days`.
    #[serde(default)]
    pub renew_within_days: Option<At<u32>>,
}

/// `content/states/<ISO3>.yaml`: one State's entry.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StateFile {
    /// ISO 3166-1 alpha-3 code; must match the file name.
    pub state: S,
    /// The Permanent Mission: the second channel, used to verify updates
    /// and to send reminders.
    pub mission: Mission,
    #[serde(default)]
    pub regional_networks: Vec<S>,
    pub points_of_contact: At<Vec<At<PointOfContact>>>,
    pub provenance: Vec<At<Provenance>>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Mission {
    pub name: S,
    pub email: S,
    #[serde(default)]
    pub phone: Option<S>,
    #[serde(default)]
    pub address: Option<S>,
    /// The UN language the Mission corresponds in with the Secretariat,
    /// when it is not the one the reference data gives its State.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correspondence_language: Option<S>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PointOfContact {
    /// A short slug naming the PoC within its State (`mfa-digital`),
    /// unique there and stable across revisions.
    pub id: S,
    /// `diplomatic` or `technical`.
    #[serde(rename = "type")]
    pub kind: S,
    /// The office or agency (the study recommends entities over individuals).
    pub entity: S,
    #[serde(default)]
    pub person: Option<Person>,
    #[serde(default)]
    pub emails: Vec<At<Email>>,
    #[serde(default)]
    pub phones: Vec<At<Phone>>,
    /// ISO 639-1 codes, at least one.
    pub languages: Vec<S>,
    pub availability: At<Availability>,
    /// communication, assistance, reporting, coordination.
    #[serde(default)]
    pub functions: Vec<S>,
    #[serde(default)]
    pub encryption_keys: Vec<At<EncryptionKey>>,
    /// Markdown.
    #[serde(default)]
    pub notes: Option<S>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub name: S,
    #[serde(default)]
    pub title: Option<S>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Email {
    pub address: S,
    /// general, personal, emergency.
    #[serde(rename = "use")]
    pub usage: S,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Phone {
    /// E.164, e.g. `+33199001234`.
    pub number: S,
    /// voice, emergency, fax.
    #[serde(rename = "use")]
    pub usage: S,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Availability {
    /// `24/7` or `business_hours`.
    pub mode: S,
    /// `HH:MM-HH:MM`, for business hours.
    #[serde(default)]
    pub hours: Option<S>,
    /// `mon-fri` style day range, for business hours.
    #[serde(default)]
    pub days: Option<S>,
    /// IANA time zone, required for business hours.
    #[serde(default)]
    pub time_zone: Option<S>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptionKey {
    /// `openpgp` or `age`.
    #[serde(rename = "type")]
    pub kind: S,
    /// OpenPGP fingerprint (40 or 64 hex digits) or age recipient
    /// (YAML field `value`).
    #[serde(rename = "value")]
    pub material: S,
    #[serde(default)]
    pub expires: Option<S>,
    /// For an `openpgp` key: the armored public key itself (a YAML block
    /// scalar), checked against `value` (issue 15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<S>,
}

/// One event in the life of a State's entry: the data was submitted,
/// updated or confirmed, and the secretariat verified it.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// Date of the State's communication (YYYY-MM-DD).
    pub date: S,
    /// `submission`, `update` or `confirmation`.
    pub action: S,
    /// How the communication arrived: permanent_mission, mfa, note_verbale,
    /// regional_network, email, other.
    pub channel: S,
    /// Reference of the communication (note verbale number, ...).
    pub reference: S,
    /// Date the secretariat verified it with the Mission or the MFA.
    pub verified: S,
    /// Who verified it.
    pub verified_by: S,
}

/// `keys/states/<ISO3>.yaml`: the State's verified accounts, which receive
/// its bundle.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KeysFile {
    pub state: S,
    pub accounts: Vec<At<Account>>,
    /// A minisign public key with which the State may sign its own updates.
    #[serde(default)]
    pub update_signing_key: Option<S>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    pub email: S,
    #[serde(default)]
    pub name: Option<S>,
    /// age recipients: `age1...` (X25519).
    pub recipients: Vec<S>,
    pub verification: Verification,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    pub date: S,
    pub channel: S,
    pub reference: S,
    pub verified_by: S,
}

/// Front matter of a page in `content/pages/`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: S,
    #[serde(default)]
    pub description: Option<S>,
    /// Position in the navigation (lower first).
    #[serde(default)]
    pub weight: Option<At<i64>>,
}

/// `content/pings/<ID>.yaml`: a communication check (ping test). Written
/// by `pocdir ping start`, filled in by `ping collect` and `ping record`,
/// reviewed and committed like the rest of the directory. Its tokens are
/// the secretariat's: they never reach the site or a bundle.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignFile {
    pub id: S,
    pub name: S,
    /// `routine` (absent), `emergency` or `exercise` (issue #15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<S>,
    /// An exercise's scenario: the name of a page of `content/pages/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<S>,
    /// RFC 3339.
    pub started: S,
    /// A PoC that has not answered this many hours after its message
    /// failed the check.
    #[serde(default = "default_window")]
    pub respond_within_hours: At<u32>,
    pub pings: Vec<PingEntry>,
    /// Messages that claim to answer a ping of this campaign but match
    /// none (a guessed Message-ID or token, a bounce naming no real ping):
    /// recorded for the secretariat, never counted (issue #15).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flagged: Vec<FlaggedEntry>,
    /// The follow-ups sent to Permanent Missions after the window (one
    /// per State at most; issue #15).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follow_ups: Vec<FollowUpEntry>,
}

/// A follow-up of failed checks sent to a State's Permanent Mission.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUpEntry {
    pub state: S,
    /// RFC 3339: when it went out (the journal's time, or the run's for
    /// an outbox).
    pub sent: S,
    pub message_id: S,
}

fn default_window() -> At<u32> {
    At::bare(72)
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PingEntry {
    pub state: S,
    #[serde(rename = "type")]
    pub kind: S,
    /// The address the check went to (one of the PoC's).
    pub to: S,
    pub token: S,
    pub message_id: S,
    /// The id of the PoC pinged (issue #15; older campaigns: found by `to`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poc: Option<S>,
    /// The PoC's own window, in minutes, when shorter than the
    /// campaign's: a 24/7 PoC in an emergency check or an exercise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_minutes: Option<At<u32>>,
    /// When the message went out (RFC 3339); absent while it has not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponseEntry>,
    /// When a delivery failure came back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounced: Option<S>,
    /// Replies with the token from an address that is not the PoC's:
    /// recorded, not counted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flagged: Vec<FlaggedEntry>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseEntry {
    /// RFC 3339: when the secretariat received the reply (see
    /// `timed_by`), or the time of a phone answer.
    pub at: S,
    /// `email` or `phone`.
    pub via: S,
    /// Where `at` comes from: `received` (the secretariat's own server's
    /// `Received` header), `mbox` (the `From ` line), `maildir` (the
    /// delivery time), `date` (the sender's Date: campaigns collected
    /// before issue #15), `phone`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timed_by: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<S>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FlaggedEntry {
    pub at: S,
    pub from: S,
    /// Why it is not counted (issue #15; absent: another address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<S>,
}

/// `themes/<theme>/i18n/<lang>.glossary.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlossaryDoc {
    pub terms: Vec<GlossaryTerm>,
}

/// One concept of a glossary: the term to use and the variants to avoid
/// (matched as case-insensitive substrings).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlossaryTerm {
    pub concept: String,
    #[serde(rename = "use")]
    pub term: String,
    #[serde(default)]
    pub avoid: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}
