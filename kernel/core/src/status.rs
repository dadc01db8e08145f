//! The status of a rule for a profile: what every report, record and explanation says.

use serde::{Deserialize, Serialize};

use crate::tri::Truth;

/// The status of a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The rule applies.
    Applies,
    /// The rule does not apply.
    DoesNotApply,
    /// The facts given do not decide it, or the law is unsettled.
    Undetermined,
}

impl Status {
    /// From a three-valued truth.
    pub fn from_truth(t: Truth) -> Status {
        match t {
            Truth::True => Status::Applies,
            Truth::False => Status::DoesNotApply,
            Truth::Unknown => Status::Undetermined,
        }
    }

    /// The spelling used in JSON and case files.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Applies => "applies",
            Status::DoesNotApply => "does_not_apply",
            Status::Undetermined => "undetermined",
        }
    }
}
