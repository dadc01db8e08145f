//! `juxta explain PROFILE RULE-ID`: one rule, for one profile, in full.
//!
//! The rule's citation, kind, status and text; its explanation; its condition as a tree of
//! named blocks and leaves, each marked true / false / unknown with the values it read; for an
//! undetermined rule, the facts that would decide it and the open questions that keep it open;
//! and what would change it: for each fact it depends on, the value or threshold at which its
//! status would differ.

use std::sync::Arc;

use juxta_core::diag::did_you_mean;
use juxta_core::eval::Facts;
use juxta_core::eval::flip::{describe, flips};
use juxta_core::eval::tree::{render_text, rule_tree};
use juxta_core::report::{RegimeReport, Status};
use juxta_host::Entry;
use serde_json::json;

use crate::args::{ExplainArgs, ExplainFormat};
use crate::table::{counterpart_lines, status_label};
use crate::{Ctx, Exit};

pub(crate) fn explain(ctx: &mut Ctx<'_, '_>, a: &ExplainArgs) -> Exit {
    let set = match crate::plugins::load(&a.plugins) {
        Ok(s) => s,
        Err(e) => return ctx.fail(Exit::Error, &e),
    };
    let schema = Arc::clone(set.schema());
    let profile = match crate::compare::load_profile(
        ctx,
        &a.profile,
        a.json_input,
        a.as_of.as_deref(),
        &schema,
    ) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let found = set.entries().iter().find_map(|e| match e {
        Entry::Ready(r) => r
            .regime
            .rules
            .iter()
            .position(|x| x.id == a.rule)
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
        let hint = did_you_mean(&a.rule, ids.iter().map(String::as_str))
            .map(|d| format!(" (did you mean `{d}`?)"))
            .unwrap_or_default();
        let failed: Vec<&str> = set
            .entries()
            .iter()
            .filter_map(|e| match e {
                Entry::Failed(f) => Some(f.id.as_str()),
                Entry::Ready(_) => None,
            })
            .collect();
        let also = if failed.is_empty() {
            String::new()
        } else {
            format!("; these regimes failed to load: {}", failed.join(", "))
        };
        return ctx.fail(
            Exit::Usage,
            &format!("no loaded regime has a rule `{}`{hint}{also}", a.rule),
        );
    };
    let regime = &loaded.regime;
    let host = (!regime.functions.is_empty()).then(|| loaded.functions());
    let facts = Facts::new(&profile, &schema);
    let ev = match regime.evaluate(&facts, host.clone()) {
        Ok(ev) => ev,
        Err(e) => {
            return ctx.fail(
                Exit::RegimeFailed,
                &format!("regime `{}` failed on this profile: {e}", regime.id()),
            );
        }
    };
    let report = RegimeReport::from_evaluation(regime, &ev, &facts, &loaded.sha256);
    let Some(finding) = report.rules.get(index) else {
        return ctx.fail(Exit::Error, "the report lost the rule");
    };
    let Some(rule) = regime.rules.get(index) else {
        return ctx.fail(Exit::Error, "the regime lost the rule");
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
                let host = (!r.regime.functions.is_empty()).then(|| r.functions());
                let ev = r.regime.evaluate(&facts, host).ok()?;
                Some(RegimeReport::from_evaluation(
                    &r.regime, &ev, &facts, &r.sha256,
                ))
            }
            _ => None,
        })
        .collect();
    let elsewhere = counterpart_lines(finding, &others);
    let tree = rule_tree(regime, &ev, &facts, index);
    let changes = flips(regime, &profile, &schema, host, index);
    let output = match a.format {
        ExplainFormat::Json => {
            let doc = json!({
                "profile": a.profile.display().to_string(),
                "as_of": profile.as_of().to_string(),
                "regime": {
                    "id": regime.id(),
                    "name": regime.header.name,
                    "jurisdiction": regime.header.jurisdiction,
                    "version": regime.header.version,
                    "plugin_sha256": loaded.sha256,
                },
                "rule": finding,
                "summary": rule.summary,
                "status_note": rule.status,
                "elsewhere": elsewhere,
                "open_questions": finding
                    .open_questions
                    .iter()
                    .filter_map(|id| report.open_questions.get(id).map(|q| (id.clone(), q)))
                    .collect::<std::collections::BTreeMap<_, _>>(),
                "note": rule.note,
                "condition": rule.source,
                "tree": tree,
                "what_changes_it": changes,
            });
            match serde_json::to_string_pretty(&doc) {
                Ok(t) => t + "\n",
                Err(e) => return ctx.fail(Exit::Error, &format!("cannot write JSON: {e}")),
            }
        }
        ExplainFormat::Text => {
            let mut out = format!("{} · {}\n", rule.id, rule.title);
            out.push_str(&format!(
                "{} {} — {} ({})\n",
                regime.id(),
                regime.header.version,
                regime.header.name,
                regime.header.jurisdiction
            ));
            out.push_str(&format!("{} · {}\n", rule.kind.as_str(), rule.citation));
            if let Some(c) = &rule.status {
                out.push_str(&format!("Confirmation: {c}\n"));
            }
            if let Some(p) = &rule.provenance {
                out.push_str(&format!("Sources: {p}\n"));
            }
            out.push('\n');
            let due = finding
                .due
                .as_ref()
                .map(|d| format!(" · due {d}"))
                .unwrap_or_default();
            out.push_str(&format!(
                "{} (law applied as of {}){due}\n",
                status_label(finding.status),
                profile.as_of()
            ));
            out.push_str(&format!("{}\n\n", rule.summary));
            out.push_str(&format!("Why: {}\n", finding.explanation));
            if finding.status == Status::Undetermined {
                if !finding.missing_facts.is_empty() {
                    out.push_str(&format!(
                        "Facts that would decide it: {}\n",
                        finding.missing_facts.join(", ")
                    ));
                }
                if !finding.open_questions.is_empty() {
                    out.push_str("Open questions of the law:\n");
                    for id in &finding.open_questions {
                        match report.open_questions.get(id) {
                            Some(q) => out.push_str(&format!(
                                "  {id}: {}\n    effect: {}\n",
                                q.question, q.effect
                            )),
                            None => out.push_str(&format!("  {id}\n")),
                        }
                    }
                }
            }
            if let Some(tree) = &tree {
                out.push_str("\nCondition (✔ true, ✘ false, ? unknown):\n");
                for line in render_text(tree).lines() {
                    out.push_str(&format!("  {line}\n"));
                }
            }
            out.push_str("\nWhat would change it (one fact at a time):\n");
            if changes.is_empty() {
                out.push_str("  no single fact changes it\n");
            }
            for f in &changes {
                out.push_str(&format!("  {}\n", describe(f)));
            }
            if !elsewhere.is_empty() {
                out.push_str("\nElsewhere (the same duty or status in the other regimes):\n");
                for line in &elsewhere {
                    out.push_str(&format!("  {line}\n"));
                }
            }
            if let Some(note) = &rule.note {
                out.push_str(&format!("\nNote: {note}\n"));
            }
            out
        }
    };
    // Titles, citations, reasons and notes come from plugins: shown, never obeyed.
    let output = match a.format {
        ExplainFormat::Json => crate::visible::json(output),
        ExplainFormat::Text => crate::visible::escape(&output).into_owned(),
    };
    if ctx.io.out.write_all(output.as_bytes()).is_err() {
        return Exit::Error;
    }
    Exit::Success
}
