//! Diagnostics: what `check` (and every later stage) reports about the input.
//!
//! A diagnostic names its file (relative to the directory root, with `/`
//! separators), the line and column, a stable `code` naming the failure
//! class, a one-line message, and an optional hint. Rendering is pure: it
//! returns strings, the binary prints them.

use std::collections::BTreeMap;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;

use crate::directory::span::Pos;
use crate::util::text::printable;

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
    pub code: &'static str,
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
        code: &'static str,
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
        code: &'static str,
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
const WITHHELD_SNIPPETS: &[&str] = &["secret-key-material"];

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
    let title = level.primary_title(message.as_str()).id(d.code);
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
    fn token_span_stops_at_comment() {
        let l = "  email: bad@ # comment";
        let s = token_span(l, 10);
        assert_eq!(&l[s], "bad@");
    }
}
