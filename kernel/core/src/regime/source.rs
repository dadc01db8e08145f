//! The text a regime is compiled from, and the problems found in it: each names the manifest
//! item and, where known, the span of the expression concerned.

use std::fmt;
use std::ops::Range;

use crate::diag::Location;

/// The text a regime is compiled from, and where it came from (for diagnostics).
pub struct Source<'a> {
    /// A path or a plugin name.
    pub origin: &'a str,
    /// The manifest text.
    pub text: &'a str,
}

impl Source<'_> {
    /// Byte offset where the content of the TOML string at `span` starts.
    pub fn content_start(&self, span: Range<usize>) -> Option<usize> {
        let literal = self.text.get(span.clone())?;
        let skip = if literal.starts_with("'''") || literal.starts_with("\"\"\"") {
            let after = &literal[3..];
            3 + if after.starts_with("\r\n") {
                2
            } else {
                usize::from(after.starts_with('\n'))
            }
        } else if literal.starts_with('\'') || literal.starts_with('"') {
            1
        } else {
            0
        };
        Some(span.start + skip)
    }
}

/// The kind of manifest item a problem is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ItemKind {
    /// The manifest as a whole (its TOML, its total cost).
    Manifest,
    /// The `[regime]` header.
    Regime,
    /// The `[namespace]` table.
    Namespace,
    /// A `[parameters.<name>]`.
    Parameter,
    /// A `[blocks.<name>]`.
    Block,
    /// A `[values.<name>]`.
    Value,
    /// A `[computed.<name>]`.
    Computed,
    /// A `[[rules]]` entry, by id.
    Rule,
    /// The `[[open_questions]]` list as a whole.
    OpenQuestions,
    /// One open question, by id.
    OpenQuestion,
    /// A `[functions.<name>]`.
    Function,
}

impl ItemKind {
    /// How messages name it (`rule`, `open question`).
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Manifest => "manifest",
            ItemKind::Regime => "regime",
            ItemKind::Namespace => "namespace",
            ItemKind::Parameter => "parameter",
            ItemKind::Block => "block",
            ItemKind::Value => "value",
            ItemKind::Computed => "computed",
            ItemKind::Rule => "rule",
            ItemKind::OpenQuestions => "open_questions",
            ItemKind::OpenQuestion => "open question",
            ItemKind::Function => "function",
        }
    }

    /// The manifest table its entries are written under (`blocks`), for the named kinds.
    fn table(self) -> Option<&'static str> {
        match self {
            ItemKind::Parameter => Some("parameters"),
            ItemKind::Block => Some("blocks"),
            ItemKind::Value => Some("values"),
            ItemKind::Computed => Some("computed"),
            _ => None,
        }
    }
}

/// The manifest item a problem is about: `rule EU-OBL-53-1a`, `block GPAI`, `manifest`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Item {
    /// What it is.
    pub kind: ItemKind,
    /// Its name or id; empty for the manifest, the header, the namespace and the question list.
    pub name: String,
}

impl Item {
    /// A named item.
    pub fn new(kind: ItemKind, name: impl Into<String>) -> Item {
        Item {
            kind,
            name: name.into(),
        }
    }

    /// An item that is one of its kind (the manifest, the header, the namespace).
    pub fn whole(kind: ItemKind) -> Item {
        Item {
            kind,
            name: String::new(),
        }
    }

    /// Where the item is written in the manifest `text`: a rule's `id = "…"` (the last one when
    /// `last`, for a duplicate), a block's, value's, computed value's or parameter's table
    /// header (`[blocks.name]`); `None` for other items.
    pub fn span_in(&self, text: &str, last: bool) -> Option<Range<usize>> {
        let find = |needle: &str| {
            let at = if last {
                text.rfind(needle)
            } else {
                text.find(needle)
            };
            at.map(|i| i..i + needle.len())
        };
        let name = &self.name;
        match self.kind {
            ItemKind::Rule => {
                find(&format!("id = \"{name}\"")).or_else(|| find(&format!("id = '{name}'")))
            }
            kind => {
                let table = kind.table()?;
                find(&format!("[{table}.{name}]"))
                    .or_else(|| find(&format!("[{table}.\"{name}\"]")))
            }
        }
    }
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.name.is_empty() {
            f.write_str(self.kind.as_str())
        } else {
            write!(f, "{} {}", self.kind.as_str(), self.name)
        }
    }
}

/// What kind of problem it is, with a stable code (`regime lint --format json` reports it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// Anything else the compiler refuses (types, names, shapes).
    Compile,
    /// A CEL syntax error.
    Syntax,
    /// A fact path the schema does not have.
    UnknownFact,
    /// A rule without its legal citation.
    MissingCitation,
    /// A parameter value without its legal source.
    ParameterWithoutSource,
    /// Parameter values whose date ranges overlap or are out of order.
    ParameterDates,
    /// Two rules with one id.
    DuplicateRuleId,
    /// Refused by the host's budget for CEL: sizes, nesting, worst-case cost.
    Budget,
}

impl ProblemKind {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            ProblemKind::Compile => "compile",
            ProblemKind::Syntax => "syntax",
            ProblemKind::UnknownFact => "unknown-fact",
            ProblemKind::MissingCitation => "missing-citation",
            ProblemKind::ParameterWithoutSource => "parameter-without-source",
            ProblemKind::ParameterDates => "parameter-dates",
            ProblemKind::DuplicateRuleId => "duplicate-rule-id",
            ProblemKind::Budget => "budget",
        }
    }
}

/// One problem found while compiling a regime.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// What kind of problem.
    pub kind: ProblemKind,
    /// The manifest item (`rule EU-OBL-53-1a`, `block GPAI`, `parameter x`).
    pub item: Item,
    /// Byte span in the manifest, if known.
    pub span: Option<Range<usize>>,
    /// The (sub-)expression concerned.
    pub expression: Option<String>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

/// A regime that failed to compile.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct RegimeError {
    /// Where the manifest came from.
    pub origin: String,
    /// The regime id, if the header could be read.
    pub regime: Option<String>,
    /// Every problem found, with its position in the manifest.
    pub problems: Vec<(Problem, Option<Location>)>,
}

impl fmt::Display for RegimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (p, loc)) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", self.origin)?;
            if let Some(loc) = loc {
                write!(f, ":{loc}")?;
            }
            if let Some(id) = &self.regime {
                write!(f, ": regime `{id}`")?;
            }
            write!(f, ": {}: {}", p.item, p.message)?;
            if let Some(e) = &p.expression {
                write!(f, " in `{e}`")?;
            }
            if let Some(h) = &p.help {
                write!(f, " ({h})")?;
            }
        }
        Ok(())
    }
}

impl Problem {
    /// A problem with a whole item: no span, no expression, no help.
    pub(crate) fn new(item: Item, message: &str) -> Problem {
        Problem::of(ProblemKind::Compile, item, message)
    }

    /// A problem of a given kind with a whole item.
    pub(crate) fn of(kind: ProblemKind, item: Item, message: &str) -> Problem {
        Problem {
            kind,
            item,
            span: None,
            expression: None,
            message: message.to_string(),
            help: None,
        }
    }
}
