//! `juxta explain` for people: one rule, for one profile, in full.

use juxta_core::eval::flip::describe;
use juxta_core::eval::tree::render_text;
use juxta_core::explanation::{ComputedExplanation, Explanation};
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
        .due_text()
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

/// A computed value's explanation as text: what it came to, and how.
pub fn computed_text(e: &ComputedExplanation) -> String {
    crate::visible::escape(&computed_raw(e)).into_owned()
}

fn computed_raw(e: &ComputedExplanation) -> String {
    let regime = &e.regime;
    let mut out = format!(
        "{} · {}
",
        e.name, e.title
    );
    out.push_str(&format!(
        "{} {} — {} ({})
",
        regime.id, regime.version, regime.name, regime.jurisdiction
    ));
    let unit = if e.unit.is_empty() {
        String::new()
    } else {
        format!(", in {}", e.unit)
    };
    out.push_str(&format!(
        "computed {}{unit} · {}

",
        e.ty, e.citation
    ));
    let shown = |v: &juxta_core::report::ComputedValue| crate::table::shown_value(v, &e.unit);
    match (&e.value, &e.bound) {
        (Some(v), _) => out.push_str(&format!(
            "= {} (law applied as of {})
",
            shown(v),
            e.as_of
        )),
        (None, bound) if e.outcome == "undetermined" => {
            let bound = bound
                .as_ref()
                .map(|b| format!(", {}", b.describe(shown)))
                .unwrap_or_default();
            out.push_str(&format!(
                "? undetermined{bound} (law applied as of {})
",
                e.as_of
            ));
            if !e.missing_facts.is_empty() {
                out.push_str(&format!(
                    "Facts that would decide it: {}
",
                    e.missing_facts.join(", ")
                ));
            }
            if !e.open_questions.is_empty() {
                out.push_str(&format!(
                    "Open questions of the law: {}\n",
                    e.open_questions.join(", ")
                ));
            }
        }
        _ => out.push_str(&format!(
            "not reported: its condition does not hold (law applied as of {})
",
            e.as_of
        )),
    }
    if !e.deadline_of.is_empty() {
        out.push_str(&format!(
            "The deadline of: {}
",
            e.deadline_of.join(", ")
        ));
    }
    out.push_str(&format!(
        "
Reported when: {}
(while that is undetermined: {})
",
        e.when, e.if_condition_undetermined
    ));
    for line in render_text(&e.when_tree).lines() {
        out.push_str(&format!(
            "  {line}
"
        ));
    }
    out.push_str(&format!(
        "
Formula: {}
(each part with the facts, parameters and values it read)
",
        e.formula
    ));
    for line in render_text(&e.derivation).lines() {
        out.push_str(&format!(
            "  {line}
"
        ));
    }
    out
}
