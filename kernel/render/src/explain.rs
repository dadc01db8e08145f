//! `juxta explain` for people: one rule, for one profile, in full.

use juxta_core::eval::flip::describe;
use juxta_core::eval::tree::render_text;
use juxta_core::explanation::Explanation;
use juxta_core::report::{Status, status_label};

/// The explanation as text, every string from a plugin or the profile made visible.
pub fn text(e: &Explanation) -> String {
    crate::visible::escape(&raw(e)).into_owned()
}

fn raw(e: &Explanation) -> String {
    let (rule, regime) = (&e.rule, &e.regime);
    let mut out = format!("{} · {}\n", rule.id, rule.title);
    out.push_str(&format!(
        "{} {} — {} ({})\n",
        regime.id, regime.version, regime.name, regime.jurisdiction
    ));
    out.push_str(&format!("{} · {}\n", rule.kind.as_str(), rule.citation));
    if let Some(c) = &e.status_note {
        out.push_str(&format!("Confirmation: {c}\n"));
    }
    if let Some(p) = &rule.provenance {
        out.push_str(&format!("Sources: {p}\n"));
    }
    out.push('\n');
    let due = rule
        .due
        .as_ref()
        .map(|d| format!(" · due {d}"))
        .unwrap_or_default();
    out.push_str(&format!(
        "{} (law applied as of {}){due}\n",
        status_label(rule.status),
        e.as_of
    ));
    out.push_str(&format!("{}\n\n", e.summary));
    out.push_str(&format!("Why: {}\n", rule.explanation));
    if rule.status == Status::Undetermined {
        if !rule.missing_facts.is_empty() {
            out.push_str(&format!(
                "Facts that would decide it: {}\n",
                rule.missing_facts.join(", ")
            ));
        }
        if !rule.open_questions.is_empty() {
            out.push_str("Open questions of the law:\n");
            for id in &rule.open_questions {
                match e.open_questions.get(id) {
                    Some(q) => out.push_str(&format!(
                        "  {id}: {}\n    effect: {}\n",
                        q.question, q.effect
                    )),
                    None => out.push_str(&format!("  {id}\n")),
                }
            }
        }
    }
    if let Some(tree) = &e.tree {
        out.push_str("\nCondition (✔ true, ✘ false, ? unknown):\n");
        for line in render_text(tree).lines() {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out.push_str("\nWhat would change it (one fact at a time):\n");
    if e.what_changes_it.is_empty() {
        out.push_str("  no single fact changes it\n");
    }
    for f in &e.what_changes_it {
        out.push_str(&format!("  {}\n", describe(f)));
    }
    if !e.elsewhere.is_empty() {
        out.push_str("\nElsewhere (the same duty or status in the other regimes):\n");
        for line in &e.elsewhere {
            out.push_str(&format!("  {line}\n"));
        }
    }
    if let Some(note) = &e.note {
        out.push_str(&format!("\nNote: {note}\n"));
    }
    out
}
