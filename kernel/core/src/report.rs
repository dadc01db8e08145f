//! The result contract (DESIGN.md §6): what `juxta compare --format json` prints.
//!
//! Tests and users parse this shape; change it only with a new major version. Every cell carries
//! its rule id and citation; every regime its plugin's sha256; the whole its `as_of`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::eval::explain::rule_explanation;
use crate::eval::{ComputedOutcome, Evaluation, Facts};
use crate::regime::Regime;
use crate::tri::Truth;

/// One comparison: a profile evaluated by several regimes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The profile, as named on the command line.
    pub profile: String,
    /// The day the law was applied (`YYYY-MM-DD`).
    pub as_of: String,
    /// The kernel that produced the result.
    pub kernel: KernelInfo,
    /// One entry per regime, in id order.
    pub regimes: Vec<RegimeReport>,
}

/// The kernel's identity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KernelInfo {
    /// Kernel version.
    pub version: String,
    /// Facts-schema version.
    pub facts_schema: String,
}

/// One regime's column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegimeReport {
    /// Regime id.
    pub id: String,
    /// Jurisdiction code, if the manifest could be read.
    pub jurisdiction: Option<String>,
    /// Name, if the manifest could be read.
    pub name: Option<String>,
    /// Version, if the manifest could be read.
    pub version: Option<String>,
    /// SHA-256 of the plugin's bytes (hex).
    pub plugin_sha256: String,
    /// One finding per rule, in the regime's order; empty if the regime failed.
    pub rules: Vec<Finding>,
    /// Determined computed values: dates as `YYYY-MM-DD`, amounts as numbers.
    pub computed: BTreeMap<String, serde_json::Value>,
    /// Undetermined computed values, with the facts they lack.
    pub computed_undetermined: BTreeMap<String, Vec<String>>,
    /// Why the regime failed, if it did.
    pub error: Option<String>,
    /// The open questions the findings name, by id, in words (added in kernel 0.2; the findings
    /// keep the ids).
    #[serde(default)]
    pub open_questions: BTreeMap<String, OpenQuestion>,
}

/// An open question of the law, in words.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenQuestion {
    /// The question.
    pub question: String,
    /// How the regime deals with it.
    pub effect: String,
    /// Where it comes from.
    pub source: String,
}

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

/// One cell: a rule's outcome for the profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Rule id from the inventory.
    pub id: String,
    /// `classification`, `obligation`, `invitation`, `non_obligation`, `government_duty` or
    /// `penalty`.
    pub kind: String,
    /// Status.
    pub status: Status,
    /// Short title.
    pub title: String,
    /// Legal citation.
    pub citation: String,
    /// Why the cell says what it says.
    pub explanation: String,
    /// Deadline, if the rule has one and it is determined (`YYYY-MM-DD`).
    pub due: Option<String>,
    /// The facts the result rests on, with their values.
    pub facts_used: BTreeMap<String, serde_json::Value>,
    /// For undetermined rules: the facts that would decide it.
    pub missing_facts: Vec<String>,
    /// For undetermined rules: the open questions of the law involved (ids; their texts are in
    /// the regime's `open_questions`).
    pub open_questions: Vec<String>,
    /// Where the legal basis is known from, when not from the instrument itself (added in
    /// kernel 0.2).
    #[serde(default)]
    pub provenance: Option<String>,
    /// How firmly the legal basis is confirmed, in the inventory's words (added in kernel 0.2).
    #[serde(default)]
    pub confirmation: Option<String>,
    /// The same duty or status in other regimes and how it differs there (added in kernel
    /// 0.2): `regime`, `rule`, `difference`.
    #[serde(default)]
    pub counterparts: Vec<juxta_sdk::manifest::Counterpart>,
}

impl RegimeReport {
    /// The column of a regime that evaluated.
    pub fn from_evaluation(
        regime: &Regime,
        ev: &Evaluation,
        facts: &Facts<'_>,
        plugin_sha256: &str,
    ) -> RegimeReport {
        let schema = regime.schema();
        let rules = regime
            .rules
            .iter()
            .enumerate()
            .map(|(i, rule)| {
                let o = ev.rules[i];
                let undetermined = o.truth == Truth::Unknown;
                let facts_used = o
                    .used
                    .iter()
                    .filter_map(|id| {
                        facts
                            .profile()
                            .get(id)
                            .map(|v| (schema.fact(id).path.clone(), v.to_json()))
                    })
                    .collect();
                Finding {
                    id: rule.id.clone(),
                    kind: rule.kind.as_str().to_string(),
                    status: Status::from_truth(o.truth),
                    title: rule.title.clone(),
                    citation: rule.citation.clone(),
                    explanation: rule_explanation(regime, ev, facts, i),
                    due: ev.due(i, rule).map(|d| d.to_string()),
                    facts_used,
                    missing_facts: if undetermined {
                        schema.paths(o.missing)
                    } else {
                        Vec::new()
                    },
                    open_questions: if undetermined {
                        question_ids(regime, o.open)
                    } else {
                        Vec::new()
                    },
                    provenance: rule.provenance.clone(),
                    confirmation: rule.status.clone(),
                    counterparts: rule.counterparts.clone(),
                }
            })
            .collect::<Vec<Finding>>();
        let open_questions = rules
            .iter()
            .flat_map(|f| &f.open_questions)
            .filter_map(|id| {
                regime.questions.iter().find(|q| &q.id == id).map(|q| {
                    (
                        id.clone(),
                        OpenQuestion {
                            question: q.question.clone(),
                            effect: q.effect.clone(),
                            source: q.source.clone(),
                        },
                    )
                })
            })
            .collect();
        let mut computed = BTreeMap::new();
        let mut computed_undetermined = BTreeMap::new();
        for (c, outcome) in regime.computed.iter().zip(&ev.computed) {
            match outcome {
                ComputedOutcome::Omitted => {}
                ComputedOutcome::Value(v) => {
                    computed.insert(c.name.clone(), v.to_json());
                }
                ComputedOutcome::Undetermined { missing, .. } => {
                    computed_undetermined.insert(c.name.clone(), schema.paths(*missing));
                }
            }
        }
        RegimeReport {
            id: regime.id().to_string(),
            jurisdiction: Some(regime.header.jurisdiction.clone()),
            name: Some(regime.header.name.clone()),
            version: Some(regime.header.version.clone()),
            plugin_sha256: plugin_sha256.to_string(),
            rules,
            computed,
            computed_undetermined,
            error: None,
            open_questions,
        }
    }

    /// The column of a regime that failed: the error, and no rules.
    pub fn failed(
        id: &str,
        regime: Option<&Regime>,
        plugin_sha256: &str,
        error: String,
    ) -> RegimeReport {
        RegimeReport {
            id: id.to_string(),
            jurisdiction: regime.map(|r| r.header.jurisdiction.clone()),
            name: regime.map(|r| r.header.name.clone()),
            version: regime.map(|r| r.header.version.clone()),
            plugin_sha256: plugin_sha256.to_string(),
            rules: Vec::new(),
            computed: BTreeMap::new(),
            computed_undetermined: BTreeMap::new(),
            error: Some(error),
            open_questions: BTreeMap::new(),
        }
    }
}

/// The ids of a set of a regime's open questions, sorted.
pub fn question_ids(regime: &Regime, set: crate::tri::QuestionSet) -> Vec<String> {
    let mut ids: Vec<String> = set
        .iter()
        .filter_map(|q| regime.questions.get(q))
        .map(|q| q.id.clone())
        .collect();
    ids.sort();
    ids
}

/// One difference between two comparisons of the same regimes: a rule whose status changed, or
/// a computed value that moved, appeared or became undetermined (what-if questions).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// The regime.
    pub regime: String,
    /// `rule` or `computed`.
    pub kind: &'static str,
    /// The rule id or the computed value's name.
    pub item: String,
    /// Before: a status, a value, `"undetermined"`, or `null` when there was none.
    pub from: serde_json::Value,
    /// After, likewise.
    pub to: serde_json::Value,
}

/// What differs between `before` and `after`, regime by regime, in report order.
pub fn changes(before: &Comparison, after: &Comparison) -> Vec<Change> {
    use serde_json::Value as Json;
    let computed = |r: &RegimeReport, name: &str| -> Json {
        match (
            r.computed.get(name),
            r.computed_undetermined.contains_key(name),
        ) {
            (Some(v), _) => v.clone(),
            (None, true) => Json::String("undetermined".into()),
            (None, false) => Json::Null,
        }
    };
    let mut out = Vec::new();
    for a in &after.regimes {
        let Some(b) = before.regimes.iter().find(|b| b.id == a.id) else {
            continue;
        };
        for rule in &a.rules {
            if let Some(old) = b.rules.iter().find(|x| x.id == rule.id)
                && old.status != rule.status
            {
                out.push(Change {
                    regime: a.id.clone(),
                    kind: "rule",
                    item: rule.id.clone(),
                    from: Json::String(old.status.as_str().into()),
                    to: Json::String(rule.status.as_str().into()),
                });
            }
        }
        let mut names: Vec<&String> = b
            .computed
            .keys()
            .chain(b.computed_undetermined.keys())
            .chain(a.computed.keys())
            .chain(a.computed_undetermined.keys())
            .collect();
        names.sort();
        names.dedup();
        for name in names {
            let (from, to) = (computed(b, name), computed(a, name));
            if from != to {
                out.push(Change {
                    regime: a.id.clone(),
                    kind: "computed",
                    item: name.clone(),
                    from,
                    to,
                });
            }
        }
    }
    out
}
