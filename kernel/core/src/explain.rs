//! One rule or computed value, for one profile, in full (`juxta explain`, the offline app's
//! "why"): the finding with its condition tree and the values read, what would change it, and
//! its counterparts in the other columns. Every front end explains through these functions.

use std::sync::Arc;

use crate::diag::did_you_mean;
use crate::eval::flip::flips;
use crate::eval::tree::{computed_trees, rule_tree};
use crate::eval::{ComputedOutcome, Facts, FunctionHost};
use crate::explanation::{ComputedExplanation, Explanation, RegimeInfo};
use crate::profile::Profile;
use crate::regime::Regime;
use crate::report::{Column, RegimeReport, counterpart_lines};
use crate::schema::Schema;

/// Why a rule or computed value could not be explained. Each message names the rule, value or
/// regime at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExplainError {
    /// No ready column has a rule (or computed value) of that id.
    #[error(
        "no loaded regime has a rule or computed value `{rule}`{}{}",
        .suggestion.as_ref().map(|d| format!(" (did you mean `{d}`?)")).unwrap_or_default(),
        if .failed.is_empty() { String::new() } else { format!("; these regimes failed to load: {}", .failed.join(", ")) }
    )]
    UnknownRule {
        /// The rule asked about.
        rule: String,
        /// The closest rule id, if one is close.
        suggestion: Option<String>,
        /// The regimes that failed to load (the rule may be theirs).
        failed: Vec<String>,
    },
    /// A computed value's name is declared by several regimes.
    #[error(
        "computed value `{name}` is declared by {}; choose one with --regime",
        .regimes.join(" and ")
    )]
    Ambiguous {
        /// The name asked about.
        name: String,
        /// The regimes that declare it.
        regimes: Vec<String>,
    },
    /// The rule's regime failed on this profile.
    #[error("regime `{regime}` failed on this profile: {message}")]
    RegimeFailed {
        /// The regime.
        regime: String,
        /// Why.
        message: String,
    },
}

/// A ready column, borrowed.
struct Ready<'c> {
    regime: &'c Regime,
    host: &'c Option<Arc<dyn FunctionHost>>,
    sha256: &'c str,
}

/// The regime an explanation is about, as it names it.
fn regime_info(regime: &Regime, sha256: &str) -> RegimeInfo {
    RegimeInfo {
        id: regime.id().to_string(),
        name: regime.header.name.clone(),
        jurisdiction: regime.header.jurisdiction.clone(),
        version: regime.header.version.clone(),
        plugin_sha256: sha256.to_string(),
    }
}

fn ready<'c>(columns: &'c [Column<'_>]) -> impl Iterator<Item = Ready<'c>> + 'c {
    columns.iter().filter_map(|c| match c {
        Column::Ready {
            regime,
            host,
            sha256,
        } => Some(Ready {
            regime,
            host,
            sha256,
        }),
        Column::Failed { .. } => None,
    })
}

/// One rule, for one profile, in full: its finding, its condition tree with the values read,
/// what would change it, and its counterparts in the other ready columns.
pub fn explain(
    columns: &[Column<'_>],
    schema: &Schema,
    profile: &Profile,
    rule_id: &str,
) -> Result<Explanation, ExplainError> {
    let found = ready(columns).find_map(|r| {
        r.regime
            .rules
            .iter()
            .position(|x| x.id == rule_id)
            .map(|i| (r, i))
    });
    let Some((loaded, index)) = found else {
        let ids: Vec<&str> = ready(columns)
            .flat_map(|r| {
                r.regime
                    .rules
                    .iter()
                    .map(|x| x.id.as_str())
                    .chain(r.regime.computed.iter().map(|c| c.name.as_str()))
            })
            .collect();
        let suggestion = did_you_mean(rule_id, ids.iter().copied()).map(str::to_string);
        let failed: Vec<String> = columns
            .iter()
            .filter_map(|c| match c {
                Column::Failed { id, .. } => Some((*id).to_string()),
                Column::Ready { .. } => None,
            })
            .collect();
        return Err(ExplainError::UnknownRule {
            rule: rule_id.to_string(),
            suggestion,
            failed,
        });
    };
    let regime = loaded.regime;
    let host = loaded.host.clone();
    let facts = Facts::new(profile, schema);
    let ev = regime
        .evaluate(&facts, host.clone())
        .map_err(|e| ExplainError::RegimeFailed {
            regime: regime.id().to_string(),
            message: e.to_string(),
        })?;
    let report = RegimeReport::from_evaluation(regime, &ev, &facts, loaded.sha256);
    let (Some(finding), Some(rule)) = (report.rules.get(index), regime.rules.get(index)) else {
        return Err(ExplainError::RegimeFailed {
            regime: regime.id().to_string(),
            message: format!("the report lost rule `{rule_id}`"),
        });
    };
    // The rule's counterparts, evaluated on the same facts by the other loaded regimes.
    let others: Vec<RegimeReport> = ready(columns)
        .filter(|r| {
            r.regime.id() != regime.id()
                && finding
                    .counterparts
                    .iter()
                    .any(|c| c.regime == r.regime.id())
        })
        .filter_map(|r| {
            let ev = r.regime.evaluate(&facts, r.host.clone()).ok()?;
            Some(RegimeReport::from_evaluation(
                r.regime, &ev, &facts, r.sha256,
            ))
        })
        .collect();
    let what_changes_it = flips(regime, profile, schema, host, index);
    // The finding as the contract has it: what would change it is `what_changes_it`.
    let mut finding = finding.clone();
    finding.would_change.clear();
    finding.summary.clear();
    Ok(Explanation {
        profile: profile.origin().to_string(),
        as_of: profile.as_of(),
        regime: regime_info(regime, loaded.sha256),
        elsewhere: counterpart_lines(&finding, &others),
        open_questions: finding
            .open_questions
            .iter()
            .filter_map(|id| {
                report
                    .open_questions
                    .get(id)
                    .map(|q| (id.clone(), q.clone()))
            })
            .collect(),
        summary: rule.summary.clone(),
        status_note: rule.status.clone(),
        note: rule.note.clone(),
        condition: rule.source.clone(),
        tree: rule_tree(regime, &ev, &facts, index),
        what_changes_it,
        rule: finding,
    })
}

/// One computed value, for one profile, in full: its condition and formula as trees with the
/// values read, what it came to, and the rules whose deadline it is. `None` when no loaded
/// regime has a computed value of that name.
pub fn explain_computed(
    columns: &[Column<'_>],
    schema: &Schema,
    profile: &Profile,
    name: &str,
) -> Option<Result<ComputedExplanation, ExplainError>> {
    let found: Vec<_> = ready(columns)
        .filter_map(|r| {
            r.regime
                .computed
                .iter()
                .position(|c| c.name == name)
                .map(|i| (r, i))
        })
        .collect();
    if found.len() > 1 {
        return Some(Err(ExplainError::Ambiguous {
            name: name.to_string(),
            regimes: found
                .iter()
                .map(|(r, _)| r.regime.id().to_string())
                .collect(),
        }));
    }
    let (loaded, index) = found.into_iter().next()?;
    let regime = loaded.regime;
    let facts = Facts::new(profile, schema);
    let ev = match regime.evaluate(&facts, loaded.host.clone()) {
        Ok(ev) => ev,
        Err(e) => {
            return Some(Err(ExplainError::RegimeFailed {
                regime: regime.id().to_string(),
                message: e.to_string(),
            }));
        }
    };
    let c = regime.computed.get(index)?;
    let (when_tree, derivation) = computed_trees(regime, &ev, &facts, index)?;
    let computed = ev.computed.get(index)?;
    let result = match computed {
        ComputedOutcome::Omitted => "not reported: its condition does not hold".to_string(),
        ComputedOutcome::Value(v) => v.to_string(),
        ComputedOutcome::Undetermined {
            bound: Some(crate::eval::Bound::AtLeast(v)),
            ..
        } => format!("unknown, at least {v}"),
        ComputedOutcome::Undetermined {
            bound: Some(crate::eval::Bound::AtMost(v)),
            ..
        } => format!("unknown, at most {v}"),
        ComputedOutcome::Undetermined { .. } => "unknown".to_string(),
    };
    let (outcome, value, missing, open, bound) = match computed {
        ComputedOutcome::Omitted => ("omitted", None, Vec::new(), Vec::new(), None),
        ComputedOutcome::Value(v) => (
            "value",
            Some(crate::report::ComputedValue::of(v)),
            Vec::new(),
            Vec::new(),
            None,
        ),
        ComputedOutcome::Undetermined {
            missing,
            open,
            bound,
        } => (
            "undetermined",
            None,
            schema.paths(*missing),
            crate::report::question_ids(regime, *open),
            bound.as_ref().map(crate::report::ComputedBound::of),
        ),
    };
    let mut derivation = derivation;
    derivation.result = Some(result);
    Some(Ok(ComputedExplanation {
        profile: profile.origin().to_string(),
        as_of: profile.as_of(),
        regime: regime_info(regime, loaded.sha256),
        name: c.name.clone(),
        title: c.title.clone(),
        ty: match c.ty {
            juxta_sdk::manifest::ValueType::Date => "date",
            juxta_sdk::manifest::ValueType::Datetime => "datetime",
            juxta_sdk::manifest::ValueType::Number => "number",
            juxta_sdk::manifest::ValueType::String => "string",
            juxta_sdk::manifest::ValueType::Bool => "bool",
        }
        .to_string(),
        unit: c.unit.clone(),
        citation: c.citation.clone(),
        outcome,
        value,
        missing_facts: missing,
        open_questions: open,
        bound,
        when: c.when_source.clone(),
        formula: c.value_source.clone(),
        if_condition_undetermined: match c.mode {
            juxta_sdk::manifest::IfUndetermined::Undetermined => "undetermined",
            juxta_sdk::manifest::IfUndetermined::Omit => "omit",
            juxta_sdk::manifest::IfUndetermined::ReportValue => "report_value",
        }
        .to_string(),
        when_tree,
        derivation,
        deadline_of: regime
            .rules
            .iter()
            .filter(|r| r.due == Some(index))
            .map(|r| r.id.clone())
            .collect(),
    }))
}
