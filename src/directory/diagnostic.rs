//! Diagnostics: what `check` (and every later stage) reports about the input.
//!
//! A diagnostic names its file (relative to the directory root, with `/`
//! separators), the line and column, a stable `code` naming the failure
//! class, a one-line message, and an optional hint. Rendering is pure: it
//! returns strings, the binary prints them.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;

use crate::directory::span::Pos;
use crate::util::text::printable;

/// The failure class of a diagnostic. [`Code::as_str`] is its stable,
/// kebab-case name (JSON output, snapshots, `--tolerate`-style lists).
macro_rules! codes {
    ($($variant:ident => $name:literal,)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every code, in the order declared.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable kebab-case name, e.g. `unknown-field`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }
        }
    };
}

codes! {
    AbsoluteLink => "absolute-link",
    AccountsWithoutEntry => "accounts-without-entry",
    BadFileName => "bad-file-name",
    BadText => "bad-text",
    BidiControl => "bidi-control",
    BrokenLink => "broken-link",
    ControlCharacter => "control-character",
    DemoKey => "demo-key",
    DemoKeyUnlabelled => "demo-key-unlabelled",
    DuplicateKey => "duplicate-key",
    DuplicatePoc => "duplicate-poc",
    DuplicatePocId => "duplicate-poc-id",
    DuplicateValue => "duplicate-value",
    EmptyFile => "empty-file",
    FileTooLarge => "file-too-large",
    FreeMail => "free-mail",
    FrontMatter => "front-matter",
    FutureDate => "future-date",
    FutureVersion => "future-version",
    GlossaryTerm => "glossary-term",
    I18nMissing => "i18n-missing",
    I18nMissingKey => "i18n-missing-key",
    I18nPlaceholder => "i18n-placeholder",
    I18nUnknownKey => "i18n-unknown-key",
    KeyHistory => "key-history",
    KeyHistoryExpiring => "key-history-expiring",
    InvalidDate => "invalid-date",
    InvalidEmail => "invalid-email",
    InvalidHours => "invalid-hours",
    InvalidKey => "invalid-key",
    InvalidLanguage => "invalid-language",
    InvalidPhone => "invalid-phone",
    InvalidPocId => "invalid-poc-id",
    InvalidPolicy => "invalid-policy",
    InvalidRecipient => "invalid-recipient",
    InvalidStateCode => "invalid-state-code",
    InvalidTheme => "invalid-theme",
    InvalidTimeZone => "invalid-time-zone",
    InvalidUrl => "invalid-url",
    InvalidUtf8 => "invalid-utf8",
    InvalidValue => "invalid-value",
    KeyExpired => "key-expired",
    KeyExpiring => "key-expiring",
    LoadsResource => "loads-resource",
    MissingField => "missing-field",
    MissingFile => "missing-file",
    MissingPocType => "missing-poc-type",
    MissingTheme => "missing-theme",
    MixedScriptDomain => "mixed-script-domain",
    NoAccounts => "no-accounts",
    NoContactMeans => "no-contact-means",
    NoDirectory => "no-directory",
    NoLanguage => "no-language",
    NoLanguages => "no-languages",
    NoPoc => "no-poc",
    NoProvenance => "no-provenance",
    NoRecipient => "no-recipient",
    NotScanned => "not-scanned",
    NulByte => "nul-byte",
    OrphanTranslation => "orphan-translation",
    PageLanguage => "page-language",
    PingAddress => "ping-address",
    PingDuplicate => "ping-duplicate",
    PingId => "ping-id",
    PingMessageId => "ping-message-id",
    PingState => "ping-state",
    PingTime => "ping-time",
    PingToken => "ping-token",
    PingType => "ping-type",
    PingVia => "ping-via",
    PingWindow => "ping-window",
    SecretKeyMaterial => "secret-key-material",
    SecretariatKeyInvalid => "secretariat-key-invalid",
    StateMismatch => "state-mismatch",
    StrayFile => "stray-file",
    Symlink => "symlink",
    UnknownField => "unknown-field",
    UnknownNetwork => "unknown-network",
    UnknownState => "unknown-state",
    Unreadable => "unreadable",
    UnsafeLink => "unsafe-link",
    VersionLog => "version-log",
    WrongType => "wrong-type",
    YamlAlias => "yaml-alias",
    YamlBudget => "yaml-budget",
    YamlSyntax => "yaml-syntax",
    YamlTooDeep => "yaml-too-deep",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Codes sort by name, so the report's order does not depend on the
/// order of the declaration above.
impl Ord for Code {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for Code {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A name that is no diagnostic code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownCode(pub String);

impl fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no diagnostic code is named `{}`", printable(&self.0))
    }
}

impl std::error::Error for UnknownCode {}

impl FromStr for Code {
    type Err = UnknownCode;
    fn from_str(s: &str) -> Result<Code, UnknownCode> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownCode(s.to_string()))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable, kebab-case name of the failure class (e.g. `unknown-field`).
    pub code: Code,
    /// Path relative to the directory root, `/`-separated.
    pub file: String,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based, in characters; 0 when unknown.
    pub column: usize,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(
        code: Code,
        file: impl Into<String>,
        pos: Pos,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            file: file.into(),
            line: pos.line,
            column: pos.column,
            message: message.into(),
            hint: None,
        }
    }

    pub fn warning(
        code: Code,
        file: impl Into<String>,
        pos: Pos,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, file, pos, message)
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Every diagnostic of one run, sorted by file, line, column.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    pub fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.diagnostics.extend(ds);
    }

    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }

    pub fn has_errors(&self) -> bool {
        self.errors() > 0
    }

    /// Sort for stable output and drop exact duplicates.
    pub fn finish(&mut self) {
        self.diagnostics.sort_by(|a, b| {
            (&a.file, a.line, a.column, a.severity, a.code, &a.message)
                .cmp(&(&b.file, b.line, b.column, b.severity, b.code, &b.message))
        });
        self.diagnostics.dedup();
    }

    /// The machine-readable form (`--format json`).
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Out<'a> {
            errors: usize,
            warnings: usize,
            diagnostics: &'a [Diagnostic],
        }
        let out = Out {
            errors: self.errors(),
            warnings: self.warnings(),
            diagnostics: &self.diagnostics,
        };
        serde_json::to_string_pretty(&out).unwrap_or_default() + "\n"
    }

    /// The human form: each diagnostic with a source snippet, like rustc.
    /// `sources` maps a file (as named in diagnostics) to its text.
    pub fn render_human(&self, sources: &BTreeMap<String, String>, color: bool) -> String {
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let mut out = String::new();
        for d in &self.diagnostics {
            out.push_str(&render_one(d, sources, &renderer));
            out.push_str("\n\n");
        }
        out.push_str(&self.summary());
        out.push('\n');
        out
    }

    pub fn summary(&self) -> String {
        let (e, w) = (self.errors(), self.warnings());
        format!(
            "{} error{}, {} warning{}",
            e,
            if e == 1 { "" } else { "s" },
            w,
            if w == 1 { "" } else { "s" }
        )
    }
}

/// Diagnostics whose source line must not be shown (it holds a secret).
const WITHHELD_SNIPPETS: &[Code] = &[Code::SecretKeyMaterial];

fn render_one(d: &Diagnostic, sources: &BTreeMap<String, String>, renderer: &Renderer) -> String {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let message = printable(&d.message);
    let location = d.file.clone();
    // Never echo the line of a leaked secret key.
    let line_text = if d.line > 0 && !WITHHELD_SNIPPETS.contains(&d.code) {
        sources
            .get(&d.file)
            .and_then(|s| s.lines().nth(d.line - 1))
            .map(printable)
    } else {
        None
    };
    let hint = d.hint.as_deref().map(printable);
    let title = level.primary_title(message.as_str()).id(d.code.as_str());
    let mut report: Vec<Group<'_>> = Vec::new();
    match &line_text {
        Some(text) => {
            let span = token_span(text, d.column);
            report.push(
                title.element(
                    Snippet::source(text.as_str())
                        .line_start(d.line)
                        .path(location.as_str())
                        .annotation(AnnotationKind::Primary.span(span)),
                ),
            );
        }
        None => {
            let origin = annotate_snippets::Origin::path(location.as_str());
            let origin = if d.line > 0 {
                origin.line(d.line).char_column(d.column.max(1))
            } else {
                origin
            };
            report.push(title.element(origin));
        }
    }
    if let Some(h) = &hint {
        report.push(Group::with_title(Level::HELP.secondary_title(h.as_str())));
    }
    renderer.render(&report).to_string()
}

/// Byte range in `line` of the token starting at 1-based character `column`.
fn token_span(line: &str, column: usize) -> std::ops::Range<usize> {
    let start = line
        .char_indices()
        .nth(column.saturating_sub(1))
        .map(|(i, _)| i)
        .unwrap_or(line.len());
    let rest = &line[start..];
    let mut trimmed = rest.trim_end();
    // On a `key: value` line pointed at its key, mark the key only.
    if let Some(i) = trimmed.find(": ")
        && !trimmed[..i].contains(['"', '\'', '[', '{'])
    {
        trimmed = &trimmed[..i];
    }
    let mut end = start + trimmed.len();
    // Stop at a trailing YAML comment.
    if let Some(i) = trimmed.find(" #") {
        end = start + i;
    }
    if end == start {
        // Point at something visible.
        end = (start + rest.chars().next().map(char::len_utf8).unwrap_or(0)).min(line.len());
    }
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_by_name() {
        let mut names: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        for c in Code::ALL {
            assert_eq!(c.as_str().parse::<Code>(), Ok(*c));
            assert_eq!(serde_json::to_string(c).ok(), Some(format!("\"{c}\"")));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len(), "two codes share a name");
        assert!("no-such-code".parse::<Code>().is_err());
    }

    #[test]
    fn token_span_stops_at_comment() {
        let l = "  email: bad@ # comment";
        let s = token_span(l, 10);
        assert_eq!(&l[s], "bad@");
    }
}
