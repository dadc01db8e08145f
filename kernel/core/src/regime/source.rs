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

/// One problem found while compiling a regime.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// The manifest item (`rule EU-OBL-53-1a`, `block GPAI`, `parameter x`).
    pub item: String,
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
    pub(crate) fn new(item: String, message: &str) -> Problem {
        Problem {
            item,
            span: None,
            expression: None,
            message: message.to_string(),
            help: None,
        }
    }
}
