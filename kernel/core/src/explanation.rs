//! One rule explained for one profile (`juxta explain`): the view model that the text and JSON
//! forms are both rendered from.

use std::collections::BTreeMap;

use juxta_sdk::Date;
use serde::Serialize;

use crate::eval::flip::Flip;
use crate::eval::tree::Node;
use crate::report::{Finding, OpenQuestion};

/// The regime a rule belongs to.
#[derive(Clone, Debug, Serialize)]
pub struct RegimeInfo {
    /// Regime id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Jurisdiction code.
    pub jurisdiction: String,
    /// Version.
    pub version: String,
    /// SHA-256 of its plugin.
    pub plugin_sha256: String,
}

/// A computed value (a deadline, a cap), for one profile, in full: how it was derived.
#[derive(Clone, Debug, Serialize)]
pub struct ComputedExplanation {
    /// The profile, as named by the caller.
    pub profile: String,
    /// The day the law was applied.
    pub as_of: Date,
    /// The value's regime.
    pub regime: RegimeInfo,
    /// Its name (`notification_due`).
    pub name: String,
    /// What it is ("Notify the Commission by").
    pub title: String,
    /// `date`, `datetime` or `number`.
    #[serde(rename = "type")]
    pub ty: String,
    /// Unit (`EUR`), empty for dates.
    pub unit: String,
    /// Legal basis.
    pub citation: String,
    /// `value`, `undetermined` or `omitted` (its condition does not hold).
    pub outcome: &'static str,
    /// The value, where determined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<crate::report::ComputedValue>,
    /// Where undetermined: the facts it lacks.
    pub missing_facts: Vec<String>,
    /// Where undetermined: the open questions in its way.
    pub open_questions: Vec<String>,
    /// Where undetermined: what is certain all the same.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound: Option<crate::report::ComputedBound>,
    /// The condition under which it is reported, as written (CEL).
    pub when: String,
    /// The formula, as written (CEL).
    pub formula: String,
    /// What is reported while the condition is undetermined (`undetermined`, `omit`,
    /// `report_value`).
    pub if_condition_undetermined: String,
    /// The condition as a tree with the values read.
    pub when_tree: Node,
    /// The formula as a tree: each part with the facts, parameters and values it read.
    pub derivation: Node,
    /// The rules whose deadline it is, by id.
    pub deadline_of: Vec<String>,
}

/// A rule, for one profile, in full.
#[derive(Clone, Debug, Serialize)]
pub struct Explanation {
    /// The profile, as named by the caller.
    pub profile: String,
    /// The day the law was applied.
    pub as_of: Date,
    /// The rule's regime.
    pub regime: RegimeInfo,
    /// The rule's finding, exactly as in the comparison.
    pub rule: Finding,
    /// What the rule says.
    pub summary: String,
    /// How firmly its legal basis is confirmed.
    pub status_note: Option<String>,
    /// Its counterparts in the other loaded regimes, evaluated on the same facts.
    pub elsewhere: Vec<String>,
    /// The open questions it names, in words.
    pub open_questions: BTreeMap<String, OpenQuestion>,
    /// The encoder's note.
    pub note: Option<String>,
    /// The rule's condition as written (CEL).
    pub condition: String,
    /// The condition as a tree of blocks and leaves with the values read (none for a rule
    /// decided by a custom function alone).
    pub tree: Option<Node>,
    /// Every change of one fact that would change its status.
    pub what_changes_it: Vec<Flip>,
}
