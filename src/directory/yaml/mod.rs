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
pub mod walk;

use std::fmt;

use serde::de::DeserializeOwned;
use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::granit_parser::ErrorKind;
use serde_saphyr::{Error as SaphyrError, ExternalMessageSource, MessageFormatter};

use crate::directory::diagnostic::{Code, Diagnostic};
use crate::directory::read::MAX_PING_FILE_BYTES;
use crate::directory::span::{At, Pos};

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
    let tree = serde_saphyr::from_str_with_options::<At<tree::Node>>(text, options(true))
        .map_err(|e| YamlErrors(vec![offset(classify(&e))]))?;
    let problems = walk::walk(&tree, &shape::of::<T>());
    if !problems.is_empty() {
        return Err(YamlErrors(problems.into_iter().map(offset).collect()));
    }
    serde_saphyr::from_str_with_options::<T>(text, options(false))
        .map_err(|e| YamlErrors(vec![offset(classify(&e))]))
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
