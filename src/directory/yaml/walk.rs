//! The schema walk: a parsed [`Node`] tree checked against a type's
//! [`Shape`], collecting every unknown key, missing required key and value
//! of the wrong form, each at its line and column (serde stops at the
//! first).
//!
//! The walk accepts what serde-saphyr's typed parse accepts (any non-null
//! scalar as text, `"30"` as a number, `"true"` as a boolean, ...), so a
//! file it passes goes on to the typed parse, which stays the authority.
//! Messages are the parser's own for the same problem.

use crate::directory::diagnostic::Code;
use crate::directory::span::{At, Pos};

use super::YamlError;
use super::shape::{Shape, Struct};
use super::tree::{Located, Node};

/// At most this many problems are reported for one file.
pub const MAX_PROBLEMS: usize = 100;

pub const HINT_UNKNOWN: &str =
    "check the spelling; the fields a file accepts are listed in the message";
pub const HINT_MISSING: &str = "add the field; see the example directory for its form";
pub const HINT_BOOLEAN: &str = "write true or false (yes/no/on/off are not booleans here)";
pub const HINT_SYNTAX: &str = "check indentation, colons and quotes around this place";
pub const HINT_FORM: &str =
    "check the value's form: a text, a number, a list (- item) or a mapping (key: value)";

/// Every problem of `node` against `shape`, in document order.
pub fn walk(node: &Located, shape: &Shape) -> Vec<YamlError> {
    let mut out = Vec::new();
    value(node, shape, &mut out);
    out.truncate(MAX_PROBLEMS);
    out
}

fn wrong(out: &mut Vec<YamlError>, pos: Pos, message: impl Into<String>, hint: &str) {
    out.push(YamlError::new(Code::WrongType, pos, message).hint(hint));
}

fn value(node: &Located, shape: &Shape, out: &mut Vec<YamlError>) {
    if out.len() >= MAX_PROBLEMS {
        return;
    }
    let pos = node.pos;
    let container = matches!(node.value, Node::Seq(_) | Node::Map(_));
    match shape {
        Shape::Any => {}
        Shape::Option(inner) => {
            if node.value != Node::Null {
                value(node, inner, out);
            }
        }
        Shape::Str => match &node.value {
            Node::Null => wrong(out, pos, "expected a text, found an empty value", HINT_FORM),
            _ if container => wrong(out, pos, "expected string scalar", HINT_FORM),
            _ => {}
        },
        Shape::Bool => match &node.value {
            Node::Bool(_) => {}
            Node::Str(s) if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") => {}
            _ if container => wrong(out, pos, "expected string scalar", HINT_FORM),
            _ => wrong(
                out,
                pos,
                "invalid boolean (strict mode expects true/false)",
                HINT_BOOLEAN,
            ),
        },
        Shape::Unsigned { ty, max } => {
            integer(node, ty, 0, i128::from(*max), out);
        }
        Shape::Signed { ty, min, max } => {
            integer(node, ty, i128::from(*min), i128::from(*max), out);
        }
        Shape::Float => match &node.value {
            Node::Int(_) | Node::Float(_) => {}
            Node::Str(s) if s.trim().parse::<f64>().is_ok() => {}
            _ if container => wrong(out, pos, "expected string scalar", HINT_FORM),
            _ => wrong(out, pos, "invalid f64", HINT_FORM),
        },
        Shape::Seq(inner) => match &node.value {
            Node::Seq(items) => {
                for item in items {
                    value(item, inner, out);
                }
            }
            _ => wrong(out, pos, "expected sequence start", HINT_FORM),
        },
        Shape::Map(inner) => match &node.value {
            Node::Map(entries) => {
                for (_, v) in entries {
                    value(v, inner, out);
                }
            }
            _ => wrong(out, pos, "expected mapping start", HINT_FORM),
        },
        Shape::Struct(st) => match &node.value {
            Node::Map(entries) => fields(node.pos, entries, st, out),
            _ => wrong(out, pos, "expected mapping start", HINT_FORM),
        },
    }
}

fn integer(node: &Located, ty: &str, min: i128, max: i128, out: &mut Vec<YamlError>) {
    let n = match &node.value {
        Node::Int(i) => Some(*i),
        Node::Str(s) => parse_int(s),
        Node::Seq(_) | Node::Map(_) => {
            return wrong(out, node.pos, "expected string scalar", HINT_FORM);
        }
        _ => None,
    };
    if !n.is_some_and(|n| (min..=max).contains(&n)) {
        wrong(out, node.pos, format!("invalid {ty}"), HINT_FORM);
    }
}

/// An integer as YAML writes it (sign, `_` separators, 0x/0o/0b).
pub(super) fn parse_int(s: &str) -> Option<i128> {
    let s = s.trim().replace('_', "");
    let (neg, digits) = match s.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, s.strip_prefix('+').unwrap_or(&s)),
    };
    let (radix, digits) = match digits.get(..2) {
        Some("0x" | "0X") => (16, &digits[2..]),
        Some("0o" | "0O") => (8, &digits[2..]),
        Some("0b" | "0B") => (2, &digits[2..]),
        _ => (10, digits),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let n = i128::from_str_radix(digits, radix).ok()?;
    Some(if neg { -n } else { n })
}

fn fields(pos: Pos, entries: &[(At<String>, Located)], st: &Struct, out: &mut Vec<YamlError>) {
    for (key, v) in entries {
        match st.fields.iter().find(|f| f.name == key.value) {
            Some(f) => value(v, &f.shape, out),
            None => {
                let names: Vec<&str> = st.fields.iter().map(|f| f.name).collect();
                let hint = match did_you_mean(&key.value, &names) {
                    Some(n) => format!("did you mean `{n}`?"),
                    None => HINT_UNKNOWN.to_string(),
                };
                out.push(
                    YamlError::new(
                        Code::UnknownField,
                        key.pos,
                        format!(
                            "unknown field `{}`, expected one of {}",
                            key.value,
                            names.join(", ")
                        ),
                    )
                    .hint(hint),
                );
            }
        }
    }
    // A missing key is reported at the mapping's first key.
    let at = entries.first().map(|(k, _)| k.pos).unwrap_or(pos);
    for f in st.fields.iter().filter(|f| f.required) {
        if !entries.iter().any(|(k, _)| k.value == f.name) {
            out.push(
                YamlError::new(
                    Code::MissingField,
                    at,
                    format!("missing field `{}`", f.name),
                )
                .hint(HINT_MISSING),
            );
        }
    }
}

/// The accepted name closest to `key`, when it is close enough to be a
/// typo (at most a third of its letters differ).
pub fn did_you_mean<'a>(key: &str, names: &[&'a str]) -> Option<&'a str> {
    let key = key.to_lowercase();
    if key.chars().count() > 64 {
        return None;
    }
    names
        .iter()
        .map(|n| (edit_distance(&key, n), *n))
        .filter(|(d, n)| *d > 0 && *d <= 1.max(n.chars().count() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

/// Damerau-Levenshtein distance (with adjacent transpositions).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_are_suggested() {
        let names = ["emails", "phones", "languages", "availability"];
        assert_eq!(did_you_mean("emials", &names), Some("emails"));
        assert_eq!(did_you_mean("phone", &names), Some("phones"));
        assert_eq!(did_you_mean("langauges", &names), Some("languages"));
        assert_eq!(did_you_mean("fax", &names), None);
        assert_eq!(did_you_mean("emails", &names), None);
    }

    #[test]
    fn yaml_integers() {
        assert_eq!(parse_int("30"), Some(30));
        assert_eq!(parse_int("+5"), Some(5));
        assert_eq!(parse_int("-1"), Some(-1));
        assert_eq!(parse_int("0x1F"), Some(31));
        assert_eq!(parse_int("1_000"), Some(1000));
        assert_eq!(parse_int("abc"), None);
        assert_eq!(parse_int(""), None);
        assert_eq!(parse_int("0x"), None);
    }
}
