//! YAML under pocdir's budget: no anchors or aliases, depth at most
//! [`MAX_YAML_DEPTH`], one document, no duplicate keys, strict booleans.
//!
//! [`parse`] reports every problem of a file at once: the text is first
//! parsed into a span-carrying [`tree::Node`] tree (syntax and budget
//! problems stop here, as they leave nothing to check), which is walked
//! against the target type's [`shape::Shape`] for unknown keys, missing
//! keys and values of the wrong form ([`walk`]); only a file with none is
//! deserialized into its typed schema. serde-saphyr's errors are classified
//! by variant ([`classify`]).

pub mod shape;
pub mod tree;
pub mod typed;
pub mod walk;

use std::fmt;

use serde::de::DeserializeOwned;
use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::granit_parser::ErrorKind;
use serde_saphyr::{Error as SaphyrError, ExternalMessageSource, MessageFormatter};

use crate::directory::diagnostic::{Code, Diagnostic};
use crate::directory::read::MAX_PING_FILE_BYTES;
use crate::directory::span::Pos;

/// Deepest YAML nesting accepted (the schema needs 5).
pub const MAX_YAML_DEPTH: usize = 16;

/// One problem of a YAML text: where, its class, what, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub pos: Pos,
    pub code: Code,
    pub message: String,
    pub hint: Option<String>,
}

impl YamlError {
    pub fn new(code: Code, pos: Pos, message: impl Into<String>) -> YamlError {
        YamlError {
            pos,
            code,
            message: message.into(),
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> YamlError {
        self.hint = Some(hint.into());
        self
    }

    /// The diagnostic for this problem in `file`.
    pub fn into_diagnostic(self, file: impl Into<String>) -> Diagnostic {
        let d = Diagnostic::error(self.code, file, self.pos, self.message);
        match self.hint {
            Some(h) => d.hint(h),
            None => d,
        }
    }
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {} [{}]",
            self.pos.line, self.pos.column, self.message, self.code
        )
    }
}

impl std::error::Error for YamlError {}

/// Every problem of one YAML text (never empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlErrors(pub Vec<YamlError>);

impl YamlErrors {
    pub fn first(&self) -> Option<&YamlError> {
        self.0.first()
    }
}

impl fmt::Display for YamlErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            e.fmt(f)?;
        }
        Ok(())
    }
}

impl std::error::Error for YamlErrors {}

impl IntoIterator for YamlErrors {
    type Item = YamlError;
    type IntoIter = std::vec::IntoIter<YamlError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

fn options(tree: bool) -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_YAML_DEPTH;
    budget.max_aliases = 0;
    budget.max_anchors = 0;
    budget.max_documents = 1;
    budget.max_nodes = 100_000;
    budget.max_events = 200_000;
    budget.max_total_scalar_bytes = MAX_PING_FILE_BYTES as usize;
    budget.flow_nesting_limit = MAX_YAML_DEPTH;
    let mut opts = serde_saphyr::Options::default();
    opts.budget = Some(budget);
    opts.with_snippet = false;
    opts.strict_booleans = true;
    opts.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    opts.merge_keys = serde_saphyr::MergeKeyPolicy::Error;
    if tree {
        // `.nan` is a valid text; the tree must not refuse it where a
        // string field would take it.
        opts.non_finite_float_policy = serde_saphyr::NonFiniteFloatPolicy::PassThrough;
    }
    opts
}

/// Parse YAML text into `T` under pocdir's budget, with every problem of
/// the text when it does not fit. `line_offset` is added to reported lines
/// (for front matter inside a Markdown file).
pub fn parse<T: DeserializeOwned + 'static>(
    text: &str,
    line_offset: usize,
) -> Result<T, YamlErrors> {
    let offset = |mut e: YamlError| {
        e.pos.line += line_offset;
        e
    };
    let tree = serde_saphyr::from_str_with_options::<tree::Located>(text, options(true))
        .map_err(|e| YamlErrors(vec![offset(classify(&e))]))?;
    let problems = walk::walk(&tree, &shape::of::<T>());
    if !problems.is_empty() {
        return Err(YamlErrors(problems.into_iter().map(offset).collect()));
    }
    // The tree is read as `T` (one parse); should that ever fail,
    // serde-saphyr's typed parse decides.
    T::deserialize(typed::NodeDe { node: &tree, text }).or_else(|_| {
        serde_saphyr::from_str_with_options::<T>(text, options(false))
            .map_err(|e| YamlErrors(vec![offset(classify(&e))]))
    })
}

/// One serde-saphyr error as a problem, by its variant.
pub fn classify(e: &SaphyrError) -> YamlError {
    let e = e.without_snippet();
    let pos = e
        .location()
        .map(|l| Pos::new(l.line() as usize, l.column() as usize))
        .filter(|p| p.line > 0)
        .unwrap_or(Pos::new(1, 1));
    let message = || {
        serde_saphyr::DefaultMessageFormatter
            .format_message(e)
            .into_owned()
    };
    let alias = || {
        YamlError::new(
            Code::YamlAlias,
            pos,
            "YAML anchors (&) and aliases (*) are not accepted",
        )
        .hint("write each value out in full: a reviewer must see every value where it applies")
    };
    let too_deep = || {
        YamlError::new(
            Code::YamlTooDeep,
            pos,
            format!("YAML nested deeper than {MAX_YAML_DEPTH} levels"),
        )
        .hint("the directory's files nest a few levels at most")
    };
    let syntax = |m: String| YamlError::new(Code::YamlSyntax, pos, m).hint(walk::HINT_SYNTAX);
    let wrong = |m: String| YamlError::new(Code::WrongType, pos, m).hint(walk::HINT_FORM);
    match e {
        SaphyrError::Budget { breach, .. } => match breach {
            BudgetBreach::Documents { .. } => several_documents(pos),
            BudgetBreach::Aliases { .. } | BudgetBreach::Anchors { .. } => alias(),
            BudgetBreach::Depth { .. } => too_deep(),
            _ => YamlError::new(Code::YamlBudget, pos, message())
                .hint("the file is far larger or more complex than a directory file needs"),
        },
        SaphyrError::MultipleDocuments { .. } => several_documents(pos),
        SaphyrError::ExternalMessage { source, .. } => match source.as_ref() {
            ExternalMessageSource::Parser(scan) => match scan.kind() {
                ErrorKind::RecursionLimitExceeded => too_deep(),
                ErrorKind::UnknownAnchor => alias(),
                _ => syntax(message()),
            },
            _ => syntax(message()),
        },
        SaphyrError::AliasError { .. }
        | SaphyrError::UnknownAnchor { .. }
        | SaphyrError::AliasReplayCounterOverflow { .. }
        | SaphyrError::AliasReplayLimitExceeded { .. }
        | SaphyrError::AliasExpansionLimitExceeded { .. }
        | SaphyrError::AliasReplayStackDepthExceeded { .. }
        | SaphyrError::RecursiveReferencesRequireWeakTypes { .. } => alias(),
        SaphyrError::MergeKeyNotAllowed { .. }
        | SaphyrError::MergeValueNotMapOrSeqOfMaps { .. } => YamlError::new(
            Code::YamlAlias,
            pos,
            "YAML merge keys (<<) are not accepted",
        )
        .hint("write each value out in full: a reviewer must see every value where it applies"),
        SaphyrError::SerdeUnknownField { .. } => {
            YamlError::new(Code::UnknownField, pos, message()).hint(walk::HINT_UNKNOWN)
        }
        SaphyrError::SerdeMissingField { .. } => {
            YamlError::new(Code::MissingField, pos, message()).hint(walk::HINT_MISSING)
        }
        SaphyrError::DuplicateMappingKey { key, .. } => YamlError::new(
            Code::DuplicateKey,
            pos,
            match key {
                Some(k) => format!("duplicate mapping key: {k}"),
                None => "duplicate mapping key".to_string(),
            },
        )
        .hint("a key may appear only once in a mapping; merge the two entries"),
        SaphyrError::InvalidBooleanStrict { .. } => {
            YamlError::new(Code::WrongType, pos, message()).hint(walk::HINT_BOOLEAN)
        }
        SaphyrError::NullIntoString { .. } => {
            wrong("expected a text, found an empty value".to_string())
        }
        SaphyrError::Eof { .. }
        | SaphyrError::Unexpected { .. }
        | SaphyrError::InvalidScalar { .. }
        | SaphyrError::NonFiniteFloat { .. }
        | SaphyrError::SerdeInvalidType { .. }
        | SaphyrError::SerdeInvalidValue { .. }
        | SaphyrError::SerdeInvalidLength { .. }
        | SaphyrError::SerdeUnknownVariant { .. }
        | SaphyrError::InvalidCharNull { .. }
        | SaphyrError::InvalidCharNotSingleScalar { .. }
        | SaphyrError::BytesNotSupportedMissingBinaryTag { .. }
        | SaphyrError::InvalidBinaryBase64 { .. }
        | SaphyrError::BinaryNotUtf8 { .. }
        | SaphyrError::TaggedScalarCannotDeserializeIntoString { .. }
        | SaphyrError::UnexpectedValueForUnit { .. }
        | SaphyrError::ExpectedEmptyMappingForUnitStruct { .. }
        | SaphyrError::QuotingRequired { .. } => wrong(message()),
        _ => syntax(message()),
    }
}

fn several_documents(pos: Pos) -> YamlError {
    YamlError::new(
        Code::YamlSyntax,
        pos,
        "the file holds more than one YAML document",
    )
    .hint("a directory file is one YAML document: remove the `---` separator line")
}

#[cfg(test)]
mod tests {
    use super::shape::{Shape, Struct};
    use super::*;
    use crate::directory::schema::{DirectoryFile, FrontMatter, KeysFile, StateFile};
    use crate::directory::span::At;

    fn fields(shape: &Shape) -> &Struct {
        match shape {
            Shape::Struct(s) => s,
            other => panic!("not a struct: {other:?}"),
        }
    }

    fn required(st: &Struct) -> Vec<&'static str> {
        st.fields
            .iter()
            .filter(|f| f.required)
            .map(|f| f.name)
            .collect()
    }

    #[test]
    fn shapes_follow_the_schema() {
        let state = shape::of::<StateFile>();
        let st = fields(&state);
        assert_eq!(st.name, "StateFile");
        assert_eq!(
            required(st),
            ["state", "mission", "points_of_contact", "provenance"]
        );
        let poc = st
            .fields
            .iter()
            .find(|f| f.name == "points_of_contact")
            .expect("points_of_contact");
        let Shape::Seq(item) = &poc.shape else {
            panic!("points_of_contact is a list: {:?}", poc.shape);
        };
        let poc = fields(item);
        // serde renames are the names written in YAML.
        assert_eq!(poc.fields[0].name, "id");
        assert_eq!(poc.fields[1].name, "type");
        assert_eq!(
            required(poc),
            ["id", "type", "entity", "languages", "availability"]
        );
        let dir = shape::of::<DirectoryFile>();
        let dir = fields(&dir);
        assert_eq!(
            required(dir),
            [
                "title",
                "secretariat",
                "languages",
                "default_language",
                "policy",
                "bundle"
            ]
        );
        let demo = dir.fields.iter().find(|f| f.name == "demo").expect("demo");
        assert_eq!(demo.shape, Shape::Bool);
        let policy = dir.fields.iter().find(|f| f.name == "policy").expect("p");
        assert_eq!(
            fields(&policy.shape).fields[0].shape,
            Shape::Unsigned {
                ty: "u32",
                max: u32::MAX.into()
            }
        );
        assert_eq!(required(fields(&shape::of::<FrontMatter>())), ["title"]);
        assert_eq!(
            required(fields(&shape::of::<KeysFile>())),
            ["state", "accounts"]
        );
        assert_eq!(
            *shape::of::<BTreeMap<String, String>>(),
            Shape::Map(Box::new(Shape::Str))
        );
    }

    use std::collections::BTreeMap;

    use serde::Deserialize;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Probe {
        #[serde(default)]
        s: Option<At<String>>,
        #[serde(default)]
        r: Option<String>,
        #[serde(default)]
        u: Option<At<u32>>,
        #[serde(default)]
        i: Option<i64>,
        #[serde(default)]
        b: Option<bool>,
        #[serde(default)]
        l: Option<Vec<At<String>>>,
        #[serde(default)]
        m: Option<Inner>,
        #[serde(default)]
        req: Option<Req>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        a: String,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Req {
        s: String,
        u: u32,
        b: bool,
        l: Vec<String>,
    }

    /// The walk and the typed parse agree: a value the walk passes is
    /// accepted by serde-saphyr, and a value the walk refuses is refused
    /// by it too (so the walk adds problems, never invents them).
    #[test]
    fn walk_agrees_with_the_typed_parse() {
        let values = [
            "",
            "~",
            "null",
            "x",
            "42",
            "-1",
            "+5",
            "0x1F",
            "0o17",
            "1_000",
            "010",
            "1.5",
            "1e3",
            ".nan",
            ".inf",
            "5000000000",
            "true",
            "false",
            "True",
            "yes",
            "no",
            "on",
            "\"30\"",
            "\"true\"",
            "\"abc\"",
            "'x'",
            "[]",
            "[a]",
            "[1, true]",
            "[[a]]",
            "[~]",
            "{}",
            "{a: 1}",
            "{b: 1}",
            "09:00",
            "2025-02-10",
            "|\n  text",
        ];
        let mut docs = Vec::new();
        for key in ["s", "r", "u", "i", "b", "l", "m"] {
            for v in values {
                docs.push(format!("{key}: {v}\n"));
            }
        }
        // Each required field of `req` in turn given every value.
        for key in ["s", "u", "b", "l"] {
            for other in values {
                let mut fields = vec![("s", "x"), ("u", "1"), ("b", "true"), ("l", "[]")];
                for f in &mut fields {
                    if f.0 == key {
                        f.1 = other;
                    }
                }
                let body: String = fields
                    .iter()
                    .map(|(k, v)| format!("  {k}: {v}\n"))
                    .collect();
                docs.push(format!("req:\n{body}"));
            }
        }
        docs.push("req:\n  s: x\n".into());
        docs.push("zz: 1\n".into());
        for doc in docs {
            let walked = serde_saphyr::from_str_with_options::<tree::Located>(&doc, options(true))
                .map(|t| walk::walk(&t, &shape::of::<Probe>()));
            let typed = serde_saphyr::from_str_with_options::<Probe>(&doc, options(false));
            match walked {
                Ok(problems) => {
                    assert_eq!(
                        problems.is_empty(),
                        typed.is_ok(),
                        "walk and typed parse disagree on {doc:?}: walk {problems:?}, typed {typed:?}"
                    );
                    if let Ok(typed) = &typed {
                        let tree = serde_saphyr::from_str_with_options::<tree::Located>(
                            &doc,
                            options(true),
                        )
                        .expect("tree");
                        let read = Probe::deserialize(typed::NodeDe {
                            node: &tree,
                            text: &doc,
                        })
                        .expect("the tree reads as the type");
                        assert_eq!(positions(&read), positions(typed), "{doc:?}");
                    }
                }
                Err(e) => assert!(typed.is_err(), "tree refused {doc:?} ({e}), typed took it"),
            }
        }
    }

    #[test]
    fn every_problem_of_a_file_at_once() {
        let text = "title: 5\ndemo: yes\nsecretariat:\n  name: S\n  emial: s@x.example\nlanguages: en\ndefault_language: en\npolicy:\n  notify_change_within_days: soon\n  reverify_within_days: 365\n";
        let errors = parse::<DirectoryFile>(text, 0).expect_err("invalid");
        let got: Vec<(Code, usize, usize)> = errors
            .0
            .iter()
            .map(|e| (e.code, e.pos.line, e.pos.column))
            .collect();
        assert_eq!(
            got,
            [
                (Code::WrongType, 2, 7),
                (Code::UnknownField, 5, 3),
                (Code::MissingField, 4, 3),
                (Code::WrongType, 6, 12),
                (Code::WrongType, 9, 30),
                (Code::MissingField, 1, 1),
            ]
        );
        assert_eq!(errors.0[1].hint.as_deref(), Some("did you mean `email`?"));
        assert_eq!(errors.0[5].message, "missing field `bundle`");
        // Front matter: lines counted from the Markdown file's first line.
        let errors = parse::<FrontMatter>("weight: x\n", 1).expect_err("invalid");
        assert_eq!(errors.0[0].pos, Pos::new(2, 9));
    }

    #[test]
    fn errors_classified_by_variant() {
        let code = |text: &str| {
            parse::<StateFile>(text, 0)
                .expect_err("invalid")
                .first()
                .map(|e| e.code)
        };
        assert_eq!(code("state: &a FRA\n"), Some(Code::YamlAlias));
        assert_eq!(code("a: x\nb: *a\n"), Some(Code::YamlAlias));
        assert_eq!(
            code("state: FRA\n---\nstate: FRA\n"),
            Some(Code::YamlSyntax)
        );
        assert_eq!(code("state: FRA\nstate: DEU\n"), Some(Code::DuplicateKey));
        assert_eq!(code("state: [\n"), Some(Code::YamlSyntax));
        assert_eq!(code("a:\n  - b: c\n d: e\n"), Some(Code::YamlSyntax));
        let deep = format!("state: {}{}\n", "[".repeat(40), "]".repeat(40));
        assert_eq!(code(&deep), Some(Code::YamlTooDeep));
        let block = (0..20).fold(String::from("state:\n"), |mut s, i| {
            s.push_str(&" ".repeat(2 * i + 2));
            s.push_str("- \n");
            s
        });
        let c = code(&block);
        assert!(c == Some(Code::YamlTooDeep), "{c:?}");
        let e = parse::<StateFile>("state: FRA\nstate: DEU\n", 0).expect_err("dup");
        assert_eq!(e.0[0].message, "duplicate mapping key: state");
    }

    #[test]
    fn hostile_inputs_never_panic() {
        let inputs = [
            "\u{0}".to_string(),
            "? [a, b]\n: c\n".to_string(),
            "!!binary aGVsbG8=\n".to_string(),
            "state: !custom x\n".to_string(),
            "<<: {state: FRA}\n".to_string(),
            "[".repeat(100_000),
            "- ".repeat(10_000),
            "state: \"\\uD800\"\n".to_string(),
            format!("regional_networks: [{}]\n", vec!["1"; 50_000].join(",")),
        ];
        for text in &inputs {
            let r = parse::<StateFile>(text, 0);
            assert!(r.is_err(), "{:?}", &text[..text.len().min(40)]);
            let errors = r.err().map(|e| e.0.len()).unwrap_or(0);
            assert!((1..=walk::MAX_PROBLEMS).contains(&errors));
        }
    }

    /// Reading the walked tree gives what serde-saphyr's typed parse gives,
    /// positions included, on every YAML file of the example directory
    /// and the test fixtures.
    #[test]
    fn the_tree_reads_as_the_typed_parse() {
        use crate::directory::schema::CampaignFile;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut seen = 0;
        for base in ["content", "keys", "tests/fixtures", "themes"] {
            for rel in crate::directory::read::walk_files(&root.join(base)) {
                if !rel.ends_with(".yaml") {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(root.join(base).join(&rel)) else {
                    continue;
                };
                let name = format!("{base}/{rel}");
                if name.contains("/states/") {
                    same::<StateFile>(&text, &name, &mut seen);
                    same::<KeysFile>(&text, &name, &mut seen);
                } else if name.ends_with("directory.yaml") {
                    same::<DirectoryFile>(&text, &name, &mut seen);
                } else if name.contains("/pings/") {
                    same::<CampaignFile>(&text, &name, &mut seen);
                } else if name.contains("/i18n/") {
                    same::<BTreeMap<String, String>>(&text, &name, &mut seen);
                }
            }
        }
        assert!(seen >= 10, "only {seen} files compared");
    }

    fn same<T>(text: &str, name: &str, seen: &mut usize)
    where
        T: DeserializeOwned + serde::Serialize + std::fmt::Debug + 'static,
    {
        let Ok(tree) = serde_saphyr::from_str_with_options::<tree::Located>(text, options(true))
        else {
            return;
        };
        if !walk::walk(&tree, &shape::of::<T>()).is_empty() {
            return;
        }
        let typed = serde_saphyr::from_str_with_options::<T>(text, options(false));
        let read = T::deserialize(typed::NodeDe { node: &tree, text });
        let (Ok(typed), Ok(read)) = (typed, read) else {
            panic!("{name}: the walk passed it, but a parse failed");
        };
        let json = |v: &T| serde_json::to_string(v).unwrap_or_default();
        assert_eq!(json(&read), json(&typed), "{name}");
        // Positions: every `At` prints with its line and column.
        assert!(
            positions(&read).contains('@') || name.contains("/i18n/"),
            "{name}"
        );
        assert_eq!(positions(&read), positions(&typed), "{name}");
        *seen += 1;
    }

    /// Positions of a value, through a serializer that sees `At`'s fields.
    fn positions<T: std::fmt::Debug>(v: &T) -> String {
        crate::directory::span::with_positions(|| format!("{v:?}"))
    }
}
