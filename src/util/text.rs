//! Text from outside (files, mail, the command line) made safe for a
//! terminal line or a message: control and bidi characters never reach the
//! screen raw.

/// Replace characters that would corrupt or reorder a terminal line (control
/// characters, bidi overrides) by U+FFFD, one for one, so columns stay true.
pub fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if is_dangerous_char(c) { '\u{FFFD}' } else { c })
        .collect()
}

/// Control characters (but tab) and Unicode bidi controls.
pub fn is_dangerous_char(c: char) -> bool {
    (c.is_control() && c != '\t') || is_bidi_control(c)
}

pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Quote a user-supplied value for a message: `"..."` with dangerous
/// characters shown as `\u{...}` escapes.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars().take(200) {
        if is_dangerous_char(c) || c == '"' || c == '\\' {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                _ => out.push_str(&format!("\\u{{{:04X}}}", c as u32)),
            }
        } else {
            out.push(c);
        }
    }
    if s.chars().count() > 200 {
        out.push('…');
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_escapes_bidi_and_controls() {
        assert_eq!(quote("a\u{202E}b\r\n"), "\"a\\u{202E}b\\u{000D}\\u{000A}\"");
    }
}
