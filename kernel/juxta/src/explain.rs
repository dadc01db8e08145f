//! One rule, for one profile, in full (`juxta explain`).

use juxta_core::diag::did_you_mean;
use juxta_core::eval::Facts;
use juxta_core::eval::flip::flips;
use juxta_core::eval::tree::rule_tree;
use juxta_core::explanation::{Explanation, RegimeInfo};
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
                Entry::Ready(r) => Some(r.regime.rules.iter().map(|x| x.id.clone())),
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
