//! What is wrong with a profile: every problem, each with its location in the document, the
//! field concerned and, where we can tell, how to fix it.

use std::fmt;
use std::ops::Range;

use crate::diag::Location;

/// A profile that could not be read or is not valid.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct ProfileError {
    /// Where the profile came from.
    pub origin: String,
    /// Every problem found, in document order.
    pub problems: Vec<Problem>,
}

/// One problem in a profile.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// Where it is, if known.
    pub location: Option<Location>,
    /// The fact path or key, if the problem is about one.
    pub field: Option<String>,
    /// What is wrong (lower case, no trailing period).
    pub message: String,
    /// How to fix it, if we can tell.
    pub help: Option<String>,
}

impl ProfileError {
    pub(super) fn single(
        origin: &str,
        text: &str,
        span: Option<Range<usize>>,
        field: Option<String>,
        message: String,
        help: Option<String>,
    ) -> ProfileError {
        ProfileError {
            origin: origin.to_string(),
            problems: vec![Problem {
                location: span.map(|s| Location::of(text, s)),
                field,
                message,
                help,
            }],
        }
    }
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", self.origin)?;
            if let Some(loc) = &p.location {
                write!(f, ":{loc}")?;
            }
            write!(f, ": ")?;
            if let Some(field) = &p.field {
                write!(f, "`{field}`: ")?;
            }
            write!(f, "{}", p.message)?;
            if let Some(help) = &p.help {
                write!(f, " ({help})")?;
            }
        }
        Ok(())
    }
}
