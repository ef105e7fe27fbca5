//! Rules for `content/nominations.yaml` (nominations in progress): each
//! names a UN Member or observer State once, with a date no later than
//! the check day and a one-line status note. A State that already has an
//! entry is no longer pending: a warning asks to remove its record.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;

use crate::directory::diagnostic::{Code, Diagnostic};
use crate::directory::load::NOMINATIONS_FILE;
use crate::directory::refdata;
use crate::directory::schema::NominationsFile;
use crate::directory::validate::fields;
use crate::util::text::quote;

pub fn validate(
    file: Option<&NominationsFile>,
    state_files: &BTreeSet<String>,
    today: Date,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(file) = file else {
        return out;
    };
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for n in &file.nominations {
        let err = |code: Code, pos, msg: String, hint: &str| {
            Diagnostic::error(code, NOMINATIONS_FILE, pos, msg).hint(hint.to_string())
        };
        let code = &n.state;
        if refdata::un_state(code).is_none() {
            out.push(err(
                Code::UnknownState,
                code.pos,
                format!(
                    "{} is not a UN Member or observer State (ISO 3166-1 alpha-3)",
                    quote(code)
                ),
                "use the upper-case alpha-3 code, e.g. NOR",
            ));
        } else if let Some(line) = seen.get(&code.value) {
            out.push(err(
                Code::InvalidValue,
                code.pos,
                format!("{} is listed twice (first on line {line})", quote(code)),
                "keep one record per State",
            ));
        } else if state_files.contains(&code.value) {
            out.push(
                Diagnostic::warning(
                    Code::InvalidValue,
                    NOMINATIONS_FILE,
                    code.pos,
                    format!(
                        "{} has an entry in content/states/: its nomination is no longer pending",
                        quote(code)
                    ),
                )
                .hint("remove its record from content/nominations.yaml"),
            );
        }
        seen.entry(code.value.clone()).or_insert(code.pos.line);
        match fields::date(&n.date) {
            Err((msg, hint)) => out.push(err(Code::InvalidDate, n.date.pos, msg, &hint)),
            Ok(d) if d > today => out.push(err(
                Code::InvalidDate,
                n.date.pos,
                format!("{} is after the check day ({today})", quote(&n.date)),
                "record the day the nomination was announced",
            )),
            Ok(_) => {}
        }
        if n.status.trim().is_empty() {
            out.push(err(
                Code::BadText,
                n.status.pos,
                "the status note is empty".into(),
                "say where the nomination stands, e.g. \"note verbale received\"",
            ));
        } else if let Err((msg, hint)) = fields::single_line(&n.status, "the status note") {
            out.push(err(Code::BadText, n.status.pos, msg, &hint));
        }
    }
    out
}
