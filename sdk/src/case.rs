//! Regime test cases: a profile under `[facts]` and the exact expected outcome per regime.
//!
//! One file may carry expectations for several regimes (`[expected.eu]`, `[expected.us]`); each
//! regime checks the table under its own `case_key`. The runner lives in `juxta-core`
//! (`juxta_core::cases`), so that the same comparison serves `juxta regime test`, `cargo test`
//! and the plugin differential test.

use std::collections::BTreeMap;

use serde::Deserialize;

/// A case file, without its facts (the kernel validates those with line-accurate diagnostics).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    /// Identity and scenario.
    pub case: CaseHeader,
    /// The profile; read separately by the kernel's validator, which reads numbers exactly
    /// (a TOML value could not hold `30000000000000000000000000`).
    pub facts: serde::de::IgnoredAny,
    /// Expected outcome per regime case key.
    #[serde(default)]
    pub expected: BTreeMap<String, Expected>,
    /// One-line legal basis per rule, per regime case key (for readers; not compared).
    #[serde(default)]
    pub explain: BTreeMap<String, BTreeMap<String, String>>,
    /// Free notes.
    #[serde(default)]
    pub notes: Option<toml::Value>,
}

/// `[case]`.
#[derive(Clone, Debug, Deserialize)]
pub struct CaseHeader {
    /// Short id (`C01`).
    pub id: String,
    /// Slug.
    #[serde(default)]
    pub slug: String,
    /// One-line title.
    #[serde(default)]
    pub title: String,
    /// The story behind the facts.
    #[serde(default)]
    pub scenario: String,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// The expected outcome of one regime.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// Rule ids whose status is `applies`.
    #[serde(default)]
    pub applies: Vec<String>,
    /// Rule ids whose status is `does_not_apply`.
    #[serde(default)]
    pub does_not_apply: Vec<String>,
    /// Rule ids whose status is `undetermined`.
    #[serde(default)]
    pub undetermined: Vec<String>,
    /// Rule id → the facts it still needs (undetermined rules only).
    #[serde(default)]
    pub missing_facts: BTreeMap<String, Vec<String>>,
    /// Rule id → open-question ids.
    #[serde(default)]
    pub open_questions: BTreeMap<String, Vec<String>>,
    /// Computed value name → date or number.
    #[serde(default)]
    pub computed: BTreeMap<String, toml::Value>,
    /// Computed value name → the facts it lacks.
    #[serde(default)]
    pub computed_undetermined: BTreeMap<String, Vec<String>>,
    /// Undetermined computed value name → what is certain of it (`{ at_least = 5000000.0 }`).
    /// Checked exactly where the case has the table; not checked where it has none.
    #[serde(default)]
    pub computed_bounds: Option<BTreeMap<String, toml::Table>>,
}
