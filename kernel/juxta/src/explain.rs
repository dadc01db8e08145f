//! One rule, for one profile, in full (`juxta explain`).

use juxta_core::diag::did_you_mean;
use juxta_core::eval::flip::flips;
use juxta_core::eval::tree::{computed_trees, rule_tree};
use juxta_core::eval::{ComputedOutcome, Facts};
use juxta_core::explanation::{ComputedExplanation, Explanation, RegimeInfo};
use juxta_core::profile::Profile;
use juxta_core::report::{RegimeReport, counterpart_lines};
use juxta_host::{Entry, RegimeSet};

use crate::Error;

pub(crate) fn explain(
    set: &RegimeSet,
    profile: &Profile,
    rule_id: &str,
) -> Result<Explanation, Error> {
    let schema = set.schema();
    let found = set.entries().iter().find_map(|e| match e {
        Entry::Ready(r) => r
            .regime
            .rules
            .iter()
            .position(|x| x.id == rule_id)
            .map(|i| (r, i)),
        Entry::Failed(_) => None,
    });
    let Some((loaded, index)) = found else {
        let ids: Vec<String> = set
            .entries()
            .iter()
            .filter_map(|e| match e {
                Entry::Ready(r) => Some(
                    r.regime
                        .rules
                        .iter()
                        .map(|x| x.id.clone())
                        .chain(r.regime.computed.iter().map(|c| c.name.clone())),
                ),
                Entry::Failed(_) => None,
            })
            .flatten()
            .collect();
        let suggestion = did_you_mean(rule_id, ids.iter().map(String::as_str)).map(str::to_string);
        let failed: Vec<String> = set
            .entries()
            .iter()
            .filter_map(|e| match e {
                Entry::Failed(f) => Some(f.id.clone()),
                Entry::Ready(_) => None,
            })
            .collect();
        return Err(Error::UnknownRule {
            rule: rule_id.to_string(),
            suggestion,
            failed,
        });
    };
    let regime = &loaded.regime;
    let host = loaded.host();
    let facts = Facts::new(profile, schema);
    let ev = regime
        .evaluate(&facts, host.clone())
        .map_err(|e| Error::RegimeFailed {
            regime: regime.id().to_string(),
            message: e.to_string(),
        })?;
    let report = RegimeReport::from_evaluation(regime, &ev, &facts, &loaded.sha256);
    let (Some(finding), Some(rule)) = (report.rules.get(index), regime.rules.get(index)) else {
        return Err(Error::RegimeFailed {
            regime: regime.id().to_string(),
            message: format!("the report lost rule `{rule_id}`"),
        });
    };
    // The rule's counterparts, evaluated on the same facts by the other loaded regimes.
    let others: Vec<RegimeReport> = set
        .entries()
        .iter()
        .filter_map(|e| match e {
            Entry::Ready(r)
                if r.regime.id() != regime.id()
                    && finding
                        .counterparts
                        .iter()
                        .any(|c| c.regime == r.regime.id()) =>
            {
                let ev = r.regime.evaluate(&facts, r.host()).ok()?;
                Some(RegimeReport::from_evaluation(
                    &r.regime, &ev, &facts, &r.sha256,
                ))
            }
            _ => None,
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
        regime: RegimeInfo {
            id: regime.id().to_string(),
            name: regime.header.name.clone(),
            jurisdiction: regime.header.jurisdiction.clone(),
            version: regime.header.version.clone(),
            plugin_sha256: loaded.sha256.clone(),
        },
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
pub(crate) fn explain_computed(
    set: &RegimeSet,
    profile: &Profile,
    name: &str,
) -> Option<Result<ComputedExplanation, Error>> {
    let schema = set.schema();
    let found: Vec<_> = set
        .entries()
        .iter()
        .filter_map(|e| match e {
            Entry::Ready(r) => r
                .regime
                .computed
                .iter()
                .position(|c| c.name == name)
                .map(|i| (r, i)),
            Entry::Failed(_) => None,
        })
        .collect();
    if found.len() > 1 {
        return Some(Err(Error::Ambiguous {
            name: name.to_string(),
            regimes: found
                .iter()
                .map(|(r, _)| r.regime.id().to_string())
                .collect(),
        }));
    }
    let (loaded, index) = found.into_iter().next()?;
    let regime = &loaded.regime;
    let facts = Facts::new(profile, schema);
    let ev = match regime.evaluate(&facts, loaded.host()) {
        Ok(ev) => ev,
        Err(e) => {
            return Some(Err(Error::RegimeFailed {
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
            bound: Some(juxta_core::eval::Bound::AtLeast(v)),
            ..
        } => format!("unknown, at least {v}"),
        ComputedOutcome::Undetermined {
            bound: Some(juxta_core::eval::Bound::AtMost(v)),
            ..
        } => format!("unknown, at most {v}"),
        ComputedOutcome::Undetermined { .. } => "unknown".to_string(),
    };
    let (outcome, value, missing, open, bound) = match computed {
        ComputedOutcome::Omitted => ("omitted", None, Vec::new(), Vec::new(), None),
        ComputedOutcome::Value(v) => (
            "value",
            Some(juxta_core::report::ComputedValue::of(v)),
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
            juxta_core::report::question_ids(regime, *open),
            bound.as_ref().map(juxta_core::report::ComputedBound::of),
        ),
    };
    let mut derivation = derivation;
    derivation.result = Some(result);
    Some(Ok(ComputedExplanation {
        profile: profile.origin().to_string(),
        as_of: profile.as_of(),
        regime: RegimeInfo {
            id: regime.id().to_string(),
            name: regime.header.name.clone(),
            jurisdiction: regime.header.jurisdiction.clone(),
            version: regime.header.version.clone(),
            plugin_sha256: loaded.sha256.clone(),
        },
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
