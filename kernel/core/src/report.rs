//! The result contract (`docs/contract.md`): what `juxta compare --format json` prints, and the
//! typed view model every renderer reads.
//!
//! Tests and users parse this shape; fields are only ever added. Every cell carries its rule id
//! and citation; every regime its plugin's sha256; the whole its `as_of`. Everything a renderer
//! shows is here (titles and units of computed values, the law's effective dates, what would
//! change each rule, the facts given), so that a saved result renders exactly as the comparison
//! that produced it, with no regime loaded.

use std::collections::BTreeMap;
use std::sync::Arc;

use juxta_sdk::Date;
use juxta_sdk::manifest::RuleKind;
use serde::{Deserialize, Serialize};

use crate::eval::explain::rule_explanation;
use crate::eval::flip::Flip;
use crate::eval::{ComputedOutcome, Evaluation, Facts, FunctionHost};
use crate::profile::Profile;
use crate::regime::Regime;
use crate::schema::Schema;
use crate::tri::Truth;

/// One comparison: a profile evaluated by several regimes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The profile, as named on the command line.
    pub profile: String,
    /// The day the law was applied (`YYYY-MM-DD`).
    pub as_of: Date,
    /// The kernel that produced the result.
    pub kernel: KernelInfo,
    /// One entry per regime, in id order.
    pub regimes: Vec<RegimeReport>,
    /// Every fact the profile gives, in schema order (view; see [`Comparison::contract`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<GivenFact>,
    /// For a what-if question only: what was changed, and what changed because of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub what_if: Option<WhatIfReport>,
}

/// One fact the profile gives.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GivenFact {
    /// Its path (`model.training_compute_flop`).
    pub fact: String,
    /// Its value as JSON (numbers as doubles).
    pub value: serde_json::Value,
    /// Its value as the reports show it (`2.00e25`, `2026-08-02`, `[text]`).
    pub text: String,
    /// Its value exactly as juxta reads it: for a number the exact decimal (`2.9e25`) or
    /// fraction (`2e25/3`), otherwise as `text`.
    pub exact: String,
}

/// A what-if question and its answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WhatIfReport {
    /// What differs from the profile as written. (The members are in the order the contract
    /// has always printed them.)
    pub changes: Vec<Change>,
    /// The facts set, by path.
    pub set: BTreeMap<String, serde_json::Value>,
    /// The facts made unknown.
    pub unset: Vec<String>,
    /// The question in words: `model.training_compute_flop = 2e25; eu.placing_date unknown`
    /// (view).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
}

impl Comparison {
    /// The result contract alone: the comparison without the fields only renderers need
    /// (`facts`, `computed_info`, `effective`, `would_change`, the what-if question's `text`).
    /// `juxta compare --format json` prints this; `--full` prints the whole view, which
    /// `juxta render` turns back into exactly what `compare` shows.
    pub fn contract(&self) -> Comparison {
        let mut c = self.clone();
        c.facts.clear();
        if let Some(w) = &mut c.what_if {
            w.text.clear();
            for change in &mut w.changes {
                change.title.clear();
            }
        }
        for r in &mut c.regimes {
            r.computed_info.clear();
            r.effective.clear();
            for f in &mut r.rules {
                f.would_change.clear();
                f.summary.clear();
            }
        }
        c
    }

    /// Whether the comparison carries the view (it was not reduced to [`Comparison::contract`]).
    pub fn has_view(&self) -> bool {
        !self.facts.is_empty()
    }

    /// The value of a given fact, exactly as juxta reads it.
    pub fn fact_text(&self, path: &str) -> Option<&str> {
        self.facts
            .iter()
            .find(|f| f.fact == path)
            .map(|f| f.text.as_str())
    }

    /// Whether any regime failed.
    pub fn any_failed(&self) -> bool {
        self.regimes.iter().any(|r| r.error.is_some())
    }
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
    pub computed: BTreeMap<String, ComputedValue>,
    /// Undetermined computed values, with the facts they lack.
    pub computed_undetermined: BTreeMap<String, Vec<String>>,
    /// What is certain of an undetermined computed value all the same: "the greater of 2 % of
    /// turnover or 5,000,000" with turnover unknown is at least 5,000,000 (added in contract
    /// revision 4; absent where there is none).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub computed_bounds: BTreeMap<String, ComputedBound>,
    /// Why the regime failed, if it did.
    pub error: Option<String>,
    /// The open questions the findings name, by id, in words (added in contract revision 2;
    /// the findings keep the ids).
    #[serde(default)]
    pub open_questions: BTreeMap<String, OpenQuestion>,
    /// Title and unit of every computed value the regime declares (view).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub computed_info: BTreeMap<String, ComputedInfo>,
    /// The regime's dates in force on `as_of` (effective dates of the law), in date order
    /// (view).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effective: Vec<EffectiveDate>,
}

impl Finding {
    /// The deadline as people read it: `2027-03-04`, or `2027-03-04 14:30 UTC` where the law
    /// counts hours.
    pub fn due_text(&self) -> Option<String> {
        match (&self.due_at, self.due) {
            (Some(at), _) => Some(instant_shown(at)),
            (None, Some(d)) => Some(d.to_string()),
            (None, None) => None,
        }
    }
}

/// `2027-03-04T14:30:00Z` as `2027-03-04 14:30 UTC` (seconds shown only when not zero).
pub fn instant_shown(rfc3339: &str) -> String {
    let Some((day, time)) = rfc3339.trim_end_matches('Z').split_once('T') else {
        return rfc3339.to_string();
    };
    let time = time.strip_suffix(":00").unwrap_or(time);
    format!("{day} {time} UTC")
}

/// An instant as the contract writes it: RFC 3339 in UTC, to the second. Reading accepts only
/// that form, so that a text is never taken for an instant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Instant(pub String);

impl<'de> Deserialize<'de> for Instant {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Instant, D::Error> {
        let s = String::deserialize(d)?;
        let canonical = crate::value::parse_instant(&s)
            .ok()
            .map(crate::value::instant_text)
            .is_some_and(|c| c == s);
        if canonical {
            Ok(Instant(s))
        } else {
            Err(serde::de::Error::custom("not an RFC 3339 instant in UTC"))
        }
    }
}

/// A certain bound on an undetermined computed value: one side or the other.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComputedBound {
    /// The value is at least this (a date: on or after it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<ComputedValue>,
    /// The value is at most this (a date: on or before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<ComputedValue>,
}

impl ComputedBound {
    /// The bound as the kernel computed it.
    pub fn of(b: &crate::eval::Bound) -> ComputedBound {
        match b {
            crate::eval::Bound::AtLeast(v) => ComputedBound {
                at_least: Some(ComputedValue::of(v)),
                at_most: None,
            },
            crate::eval::Bound::AtMost(v) => ComputedBound {
                at_least: None,
                at_most: Some(ComputedValue::of(v)),
            },
        }
    }

    /// In words, with the value as `shown` writes it: `at least 5000000`.
    pub fn describe(&self, shown: impl Fn(&ComputedValue) -> String) -> String {
        let dated = |v: &ComputedValue| v.as_date().is_some();
        match (&self.at_least, &self.at_most) {
            (Some(v), None) if dated(v) => format!("on or after {}", shown(v)),
            (None, Some(v)) if dated(v) => format!("on or before {}", shown(v)),
            (Some(v), None) => format!("at least {}", shown(v)),
            (None, Some(v)) => format!("at most {}", shown(v)),
            (Some(a), Some(b)) => format!("between {} and {}", shown(a), shown(b)),
            (None, None) => String::new(),
        }
    }
}

/// A computed value: a date, an amount, a flag or a text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ComputedValue {
    /// A date, written `YYYY-MM-DD`.
    Date(Date),
    /// A whole number.
    Integer(i64),
    /// An amount (a double in JSON; exact in the kernel).
    Number(f64),
    /// A flag.
    Bool(bool),
    /// A point in time, where the law counts hours: RFC 3339 in UTC
    /// (`2027-03-04T14:30:00Z`). Added in contract revision 4.
    Instant(Instant),
    /// A text.
    Text(String),
    /// A number too large for a double: `null` in JSON, as the contract has always written it.
    Unrepresentable,
}

impl ComputedValue {
    /// The value as the contract writes it.
    pub fn of(v: &crate::value::Value) -> ComputedValue {
        use crate::value::Value;
        match v {
            Value::Date(d) => ComputedValue::Date(*d),
            Value::Integer(i) => ComputedValue::Integer(*i),
            Value::Number(n) => {
                let f = n.to_f64();
                if f.is_finite() {
                    ComputedValue::Number(f)
                } else {
                    ComputedValue::Unrepresentable
                }
            }
            Value::Bool(b) => ComputedValue::Bool(*b),
            Value::Instant(t) => ComputedValue::Instant(Instant(crate::value::instant_text(*t))),
            other => ComputedValue::Text(other.to_string()),
        }
    }

    /// The date, if this is one.
    pub fn as_date(&self) -> Option<Date> {
        match self {
            ComputedValue::Date(d) => Some(*d),
            // An instant's day, in UTC.
            ComputedValue::Instant(Instant(t)) => crate::value::parse_instant(t)
                .ok()
                .and_then(crate::value::instant_date),
            _ => None,
        }
    }

    /// As JSON, exactly as the contract writes it.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            ComputedValue::Date(d) => serde_json::Value::String(d.to_string()),
            ComputedValue::Integer(i) => serde_json::Value::from(*i),
            ComputedValue::Number(n) => serde_json::Number::from_f64(*n)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            ComputedValue::Bool(b) => serde_json::Value::Bool(*b),
            ComputedValue::Text(t) | ComputedValue::Instant(Instant(t)) => {
                serde_json::Value::String(t.clone())
            }
            ComputedValue::Unrepresentable => serde_json::Value::Null,
        }
    }
}

/// A date or a text equals its spelling (`"2027-08-02"`).
impl PartialEq<&str> for ComputedValue {
    fn eq(&self, other: &&str) -> bool {
        match self {
            ComputedValue::Date(d) => d.to_string() == *other,
            ComputedValue::Text(t) | ComputedValue::Instant(Instant(t)) => t == other,
            _ => false,
        }
    }
}

/// An amount equals its value as a double.
impl PartialEq<f64> for ComputedValue {
    fn eq(&self, other: &f64) -> bool {
        match self {
            ComputedValue::Number(n) => n == other,
            ComputedValue::Integer(i) => (*i as f64) == *other,
            _ => false,
        }
    }
}

/// What a computed value is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComputedInfo {
    /// What it means.
    pub title: String,
    /// Its unit (`EUR`, `USD`), or empty (dates).
    pub unit: String,
}

/// A date of the law in force on `as_of`: a date-valued parameter of the regime.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EffectiveDate {
    /// The date.
    pub date: Date,
    /// What happens on it.
    pub title: String,
    /// The parameter's name (`params.<name>`).
    pub parameter: String,
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

pub use crate::status::{DutyState, Status};

/// One cell: a rule's outcome for the profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Rule id from the inventory.
    pub id: String,
    /// `classification`, `obligation`, `invitation`, `non_obligation`, `government_duty` or
    /// `penalty`.
    pub kind: RuleKind,
    /// Status.
    pub status: Status,
    /// Short title.
    pub title: String,
    /// Legal citation.
    pub citation: String,
    /// Why the cell says what it says.
    pub explanation: String,
    /// Deadline, if the rule has one and it is determined (`YYYY-MM-DD`; where the law counts
    /// hours, the UTC day of `due_at`).
    pub due: Option<Date>,
    /// The deadline to the second where the law counts it in hours (RFC 3339 in UTC,
    /// `2027-03-04T14:30:00Z`); absent where the deadline is a day. Added in contract revision 4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<String>,
    /// For an obligation that applies or may apply: where it stands on `as_of` (overdue, due
    /// in N days, due today, not yet triggered, no deadline); `null` for every other rule.
    /// Added in contract revision 3.
    #[serde(default)]
    pub state: Option<DutyState>,
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
    /// Every change of one fact that would give the rule another status (view).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub would_change: Vec<Flip>,
    /// What the rule says, in plain words (view).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
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
                let status = Status::from_truth(o.truth);
                let due = ev.due(i, rule);
                let due_at = ev.due_at(i, rule).map(crate::value::instant_text);
                Finding {
                    id: rule.id.clone(),
                    kind: rule.kind,
                    status,
                    title: rule.title.clone(),
                    citation: rule.citation.clone(),
                    explanation: rule_explanation(regime, ev, facts, i),
                    due,
                    due_at,
                    state: DutyState::of_rule(
                        rule.kind,
                        status,
                        rule.due.is_some(),
                        due,
                        facts.profile().as_of(),
                    ),
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
                    would_change: Vec::new(),
                    summary: rule.summary.clone(),
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
        let mut computed_bounds = BTreeMap::new();
        for (c, outcome) in regime.computed.iter().zip(&ev.computed) {
            match outcome {
                ComputedOutcome::Omitted => {}
                ComputedOutcome::Value(v) => {
                    computed.insert(c.name.clone(), ComputedValue::of(v));
                }
                ComputedOutcome::Undetermined { missing, bound, .. } => {
                    computed_undetermined.insert(c.name.clone(), schema.paths(*missing));
                    if let Some(b) = bound {
                        computed_bounds.insert(c.name.clone(), ComputedBound::of(b));
                    }
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
            computed_bounds,
            error: None,
            open_questions,
            computed_info: computed_info(Some(regime)),
            effective: effective(regime, facts.profile().as_of()),
        }
    }

    /// Fills in what would change each rule (re-evaluating the regime on changed profiles: the
    /// costly part of a comparison, left out of [`RegimeReport::from_evaluation`]).
    pub fn add_would_change(
        &mut self,
        regime: &Regime,
        profile: &Profile,
        host: Option<Arc<dyn FunctionHost>>,
    ) {
        let schema = regime.schema();
        for (i, finding) in self.rules.iter_mut().enumerate() {
            finding.would_change =
                crate::eval::flip::flips(regime, profile, schema, host.clone(), i);
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
            computed_bounds: BTreeMap::new(),
            error: Some(error),
            open_questions: BTreeMap::new(),
            computed_info: computed_info(regime),
            effective: Vec::new(),
        }
    }
}

fn computed_info(regime: Option<&Regime>) -> BTreeMap<String, ComputedInfo> {
    regime
        .map(|r| {
            r.computed
                .iter()
                .map(|c| {
                    (
                        c.name.clone(),
                        ComputedInfo {
                            title: c.title.clone(),
                            unit: c.unit.clone(),
                        },
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The regime's date-valued parameters in force on `as_of`, in date order (parameters of one
/// date in the regime's order).
fn effective(regime: &Regime, as_of: Date) -> Vec<EffectiveDate> {
    let mut out: Vec<EffectiveDate> = Vec::new();
    for p in &regime.params {
        if let Some(date) = p.at(as_of).value.as_date() {
            out.push(EffectiveDate {
                date,
                title: p.title.clone(),
                parameter: p.name.clone(),
            });
        }
    }
    out.sort_by_key(|e| e.date);
    out
}

/// One regime as a comparison sees it: compiled and ready, or failed before evaluating.
pub enum Column<'a> {
    /// A compiled regime, with the host of its custom functions if it declares any.
    Ready {
        /// The regime.
        regime: &'a Regime,
        /// Its plugin's custom functions.
        host: Option<Arc<dyn FunctionHost>>,
        /// Its plugin's sha256.
        sha256: &'a str,
    },
    /// A regime that could not be loaded or compiled.
    Failed {
        /// Its id (or the plugin's file name).
        id: &'a str,
        /// Its plugin's sha256.
        sha256: &'a str,
        /// Why.
        error: &'a str,
    },
}

/// Evaluates a profile with every column: the comparison every front end shows. A regime that
/// fails to evaluate becomes a failed column; the others are unaffected. With
/// `would_change`, each finding also says what would change it (several evaluations per rule:
/// the costly part of the view).
pub fn compare<'a>(
    profile: &Profile,
    schema: &Schema,
    label: &str,
    columns: impl IntoIterator<Item = Column<'a>>,
    would_change: bool,
) -> Comparison {
    let facts = Facts::new(profile, schema);
    let regimes = columns
        .into_iter()
        .map(|column| match column {
            Column::Failed { id, sha256, error } => {
                RegimeReport::failed(id, None, sha256, error.to_string())
            }
            Column::Ready {
                regime,
                host,
                sha256,
            } => match regime.evaluate(&facts, host.clone()) {
                Ok(ev) => {
                    let mut report = RegimeReport::from_evaluation(regime, &ev, &facts, sha256);
                    if would_change {
                        report.add_would_change(regime, profile, host);
                    }
                    report
                }
                Err(e) => RegimeReport::failed(regime.id(), Some(regime), sha256, e.to_string()),
            },
        })
        .collect();
    Comparison {
        profile: label.to_string(),
        as_of: profile.as_of(),
        kernel: KernelInfo {
            version: crate::KERNEL_VERSION.to_string(),
            facts_schema: schema.version().to_string(),
        },
        regimes,
        facts: given_facts(profile, schema),
        what_if: None,
    }
}

/// Every fact a profile gives, in schema order (`evaluation.as_of` included).
pub fn given_facts(profile: &Profile, schema: &Schema) -> Vec<GivenFact> {
    schema
        .facts()
        .iter()
        .filter_map(|def| {
            let id = schema.lookup(&def.path)?;
            let value = profile.get(id)?;
            let text = match profile.money(id, schema) {
                Some((amount, currency, Some(c))) => money_text(&amount, &currency, &c, def),
                _ => value.to_string(),
            };
            Some(GivenFact {
                fact: def.path.clone(),
                value: value.to_json(),
                text,
                exact: match value {
                    crate::value::Value::Number(n) => n.to_string(),
                    other => other.to_string(),
                },
            })
        })
        .collect()
}

/// A money fact as given and as the rules read it: `EUR 600000000 = USD 648000000 (1.08 USD per
/// EUR, params.usd_per_eur: source)`.
fn money_text(
    amount: &crate::number::Number,
    currency: &str,
    c: &crate::schema::Conversion,
    def: &crate::schema::FactDef,
) -> String {
    let own = def.money.as_ref().map_or("", |m| m.currency.as_str());
    match &c.rate {
        None => format!("{own} {amount}"),
        Some((rate, parameter, source)) => format!(
            "{currency} {amount} = {own} {} ({rate} {own} per {currency}, params.{parameter}: {source})",
            c.value
        ),
    }
}

/// The ids of a set of a regime's open questions, sorted.
pub fn question_ids(regime: &Regime, set: crate::tri::QuestionSet) -> Vec<String> {
    regime.question_ids(set)
}

/// What a [`Change`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A rule's status.
    Rule,
    /// A computed value.
    Computed,
}

/// One difference between two comparisons of the same regimes: a rule whose status changed, or
/// a computed value that moved, appeared or became undetermined (what-if questions).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The regime.
    pub regime: String,
    /// `rule` or `computed`.
    pub kind: ChangeKind,
    /// The rule id or the computed value's name.
    pub item: String,
    /// The rule's or the computed value's title (view).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
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
            (Some(v), _) => v.to_json(),
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
                    kind: ChangeKind::Rule,
                    item: rule.id.clone(),
                    title: rule.title.clone(),
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
                    kind: ChangeKind::Computed,
                    item: name.clone(),
                    title: a
                        .computed_info
                        .get(name)
                        .or_else(|| b.computed_info.get(name))
                        .map(|c| c.title.clone())
                        .unwrap_or_default(),
                    from,
                    to,
                });
            }
        }
    }
    out
}

/// The symbol and word of a status.
pub fn status_label(s: Status) -> &'static str {
    match s {
        Status::Applies => "✔ APPLIES",
        Status::DoesNotApply => "✘ does not apply",
        Status::Undetermined => "? UNDETERMINED",
    }
}

/// How a rule's counterparts in the other compared regimes differ, one line each, with their
/// status and due date there (`us-ca-sb53 CA-OBL-INCIDENT-15D: California: 15 days … — there
/// ✔ APPLIES, due 2027-03-07`). Counterparts in regimes not compared are left out: the manifests
/// say what differs, the comparison says how it comes out.
pub fn counterpart_lines(f: &Finding, regimes: &[RegimeReport]) -> Vec<String> {
    FindingIndex::new(regimes).counterpart_lines(f)
}

/// The findings of a comparison by regime and rule id, built once, so that showing every rule's
/// counterparts takes time in proportion to the counterparts, not to rules × counterparts.
pub struct FindingIndex<'a> {
    regimes: std::collections::HashMap<&'a str, &'a RegimeReport>,
    rules: std::collections::HashMap<(&'a str, &'a str), &'a Finding>,
}

impl<'a> FindingIndex<'a> {
    /// The index of the regimes that evaluated (a failed regime shows no counterpart).
    pub fn new(regimes: &'a [RegimeReport]) -> FindingIndex<'a> {
        let mut index = FindingIndex {
            regimes: std::collections::HashMap::new(),
            rules: std::collections::HashMap::new(),
        };
        for r in regimes.iter().filter(|r| r.error.is_none()) {
            if index.regimes.contains_key(r.id.as_str()) {
                continue;
            }
            index.regimes.insert(&r.id, r);
            for x in &r.rules {
                index.rules.entry((&r.id, &x.id)).or_insert(x);
            }
        }
        index
    }

    /// [`counterpart_lines`] with this index.
    pub fn counterpart_lines(&self, f: &Finding) -> Vec<String> {
        f.counterparts
            .iter()
            .filter_map(|c| {
                let other = self.regimes.get(c.regime.as_str())?;
                let name = other.name.as_deref().unwrap_or(&other.id);
                Some(match &c.rule {
                    Some(rule) => {
                        let there = self
                            .rules
                            .get(&(other.id.as_str(), rule.as_str()))
                            .map(|x| {
                                let due = x
                                    .due
                                    .as_ref()
                                    .map(|d| format!(", due {d}"))
                                    .unwrap_or_default();
                                format!(" — there {}{due}", status_label(x.status))
                            })
                            .unwrap_or_default();
                        let title = self
                            .rules
                            .get(&(other.id.as_str(), rule.as_str()))
                            .map(|x| format!(" ({})", x.title))
                            .unwrap_or_default();
                        format!("{name}, {rule}{title}: {}{there}", c.difference)
                    }
                    None => format!("{name}: {}", c.difference),
                })
            })
            .collect()
    }
}
