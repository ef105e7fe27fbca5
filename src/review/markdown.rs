//! A review as a pull-request comment. Every value from the directory is
//! escaped (no markup, no table breaks, no control or bidi characters);
//! diffs go in fenced blocks longer than any run of backticks they hold.

use crate::review::Review;
use crate::review::acknowledge::Status;
use crate::review::signal::Severity;

/// Largest comment (GitHub refuses more than 65 536 characters).
pub const MAX_CHARS: usize = 60_000;

/// The review as Markdown.
pub fn render(r: &Review) -> String {
    let mut o = String::from("## pocdir review\n\n");
    let count = |sev: Severity, acked: bool| {
        r.signals
            .iter()
            .filter(|s| s.severity == sev && s.acknowledged() == acked)
            .count()
    };
    let (blocks, lifted, warns) = (
        count(Severity::Block, false),
        count(Severity::Block, true),
        count(Severity::Warn, false) + count(Severity::Warn, true),
    );
    o.push_str(&format!(
        "{} · {lifted} acknowledged · {warns} warning{} · {} file{} changed ({} → {})\n\n",
        if blocks > 0 {
            format!("**{blocks} block{}**", plural(blocks))
        } else {
            "no block".into()
        },
        plural(warns),
        r.files.len(),
        plural(r.files.len()),
        code(&r.base),
        code(&r.head),
    ));
    if r.signals.is_empty() {
        o.push_str("No signal.\n\n");
    } else {
        o.push_str("| severity | signal | State | what | id |\n|---|---|---|---|---|\n");
        for (n, s) in r.signals.iter().enumerate() {
            if o.len() > MAX_CHARS / 2 {
                o.push_str(&format!(
                    "\n{} more signals left out (the comment is at its size limit; blocks come first): see `--format json`\n",
                    r.signals.len() - n
                ));
                break;
            }
            let sev = match s.severity {
                Severity::Block if s.acknowledged() => {
                    format!(
                        "block (acknowledged by {})",
                        escape(&s.acknowledged_by.join(", "))
                    )
                }
                Severity::Block => "**block**".into(),
                Severity::Warn => "warn".into(),
                Severity::Info => "info".into(),
            };
            o.push_str(&format!(
                "| {sev} | {} | {} | {} | `{}` |\n",
                s.kind,
                s.state.as_deref().unwrap_or("—"),
                escape(&s.reason),
                s.id
            ));
        }
        o.push('\n');
        if r.blocked() {
            o.push_str(
                "A block stops the merge until a reviewer listed in `keys/reviewers/` of the base, \
                 other than the change's author, has checked it with the Permanent Mission or the MFA \
                 and acknowledged it: `pocdir review --acknowledge ID --secret-key FILE`, then commits \
                 the file it writes under `reviews/`.\n\n",
            );
        }
    }
    if !r.acknowledgements.is_empty() {
        o.push_str("### Acknowledgements\n\n");
        for a in &r.acknowledgements {
            let what = match a.status {
                Status::Valid => "valid: lifts its signal",
                Status::SelfAcknowledged => "by the change's own author: lifts nothing",
                Status::UnknownReviewer => "by no reviewer of the base revision: lifts nothing",
                Status::BadSignature => "the signature does not verify: lifts nothing",
                Status::Stale => "for a change this pull request no longer makes: lifts nothing",
                Status::Malformed => "not named `reviews/<id>.<login>.minisig`: lifts nothing",
            };
            o.push_str(&format!("- {}: {what}\n", code(&a.path)));
        }
        o.push('\n');
    }
    let mut states: Vec<Option<&str>> = Vec::new();
    for l in &r.changes {
        if !states.contains(&l.state.as_deref()) {
            states.push(l.state.as_deref());
        }
    }
    states.sort();
    for st in states {
        if o.len() > MAX_CHARS * 5 / 8 {
            o.push_str("(further changes left out: the comment is at its size limit; see `--format json`)\n\n");
            break;
        }
        o.push_str(&format!("### {}\n\n", st.unwrap_or("Directory")));
        for l in r.changes.iter().filter(|l| l.state.as_deref() == st) {
            let value = match (&l.before, &l.after) {
                (Some(b), Some(a)) => format!(": {} → {}", escape(b), escape(a)),
                (None, Some(a)) => format!(": {}", escape(a)),
                (Some(b), None) => format!(": was {}", escape(b)),
                (None, None) => String::new(),
            };
            o.push_str(&format!("- {}{value}\n", escape(&l.what)));
        }
        o.push('\n');
    }
    if !r.files.is_empty() {
        o.push_str("### Files\n\n| file | class | change |\n|---|---|---|\n");
        for (n, f) in r.files.iter().enumerate() {
            if o.len() > MAX_CHARS * 3 / 4 {
                o.push_str(&format!(
                    "\n{} more files left out (the comment is at its size limit): see `--format json`\n",
                    r.files.len() - n
                ));
                break;
            }
            let special = f
                .special
                .map(|m| format!(" ({})", format!("{m:?}").to_lowercase()))
                .unwrap_or_default();
            o.push_str(&format!(
                "| {} | {} | {}{special} |\n",
                code(&f.path),
                f.class.name(),
                format!("{:?}", f.change).to_lowercase()
            ));
        }
        o.push('\n');
    }
    for d in &r.diffs {
        let body = printable(&d.diff);
        let fence = "`".repeat(3.max(longest_backtick_run(&body) + 1));
        let block = format!(
            "<details><summary>{}</summary>\n\n{fence}diff\n{body}{}{fence}\n\n</details>\n\n",
            escape(&d.path),
            if body.ends_with('\n') { "" } else { "\n" }
        );
        if o.len() + block.len() > MAX_CHARS {
            o.push_str("(further diffs left out: the comment is at its size limit)\n");
            break;
        }
        o.push_str(&block);
    }
    o
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Inline code, safe whatever it holds.
fn code(s: &str) -> String {
    let s = printable(s).replace(['\n', '\r'], " ");
    let fence = "`".repeat(longest_backtick_run(&s) + 1);
    if s.starts_with('`') || s.ends_with('`') {
        format!("{fence} {s} {fence}")
    } else {
        format!("{fence}{s}{fence}")
    }
}

fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// No control (but newline and tab) or bidi character.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\t' => c,
            c if c.is_control() || crate::util::text::is_dangerous_char(c) => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// Text from the directory shown in Markdown: no markup, no table breaks.
pub fn escape(s: &str) -> String {
    let mut o = String::new();
    for c in s.chars() {
        match c {
            '|' | '*' | '_' | '`' | '<' | '>' | '[' | ']' | '\\' | '#' | '~' | '!' | '&' => {
                o.push('\\');
                o.push(c);
            }
            '\n' | '\r' => o.push_str(" ⏎ "),
            c if c.is_control() || crate::util::text::is_dangerous_char(c) => o.push('\u{FFFD}'),
            c => o.push(c),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_text_cannot_break_the_comment() {
        let e = escape("a|b <script>x</script> [l](http://x) \u{202E}rtl\nnext");
        assert!(!e.contains("<script>"), "{e}");
        assert!(e.contains("a\\|b"), "{e}");
        assert!(!e.contains('\u{202E}') && !e.contains('\n'), "{e}");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
        assert_eq!(longest_backtick_run("x````y``"), 4);
    }
}
