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
