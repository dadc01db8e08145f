//! What the side-by-side view says, shared by every format: rows grouped by what the law asks —
//! required, invited, not required, government duties, penalties, status — so that obligations
//! and invitations are never confused; each rule's cell text, the heading, computed values, the
//! tallies. Status is shown by a symbol and a word, not by colour alone. The terminal drawing of
//! it is [`crate::terminal`] (feature `terminal`); HTML and Markdown take their pieces from here.

use juxta_core::report::{Comparison, ComputedValue, DutyState, Finding, RegimeReport, Status};
use juxta_core::value::format_number;
use juxta_sdk::manifest::RuleKind;

/// The title and unit of a regime's computed value (its name and no unit if unknown).
pub(crate) fn computed_title(r: &RegimeReport, name: &str) -> (String, String) {
    r.computed_info
        .get(name)
        .map(|c| (c.title.clone(), c.unit.clone()))
        .unwrap_or_else(|| (name.to_string(), String::new()))
}

pub(crate) fn section(kind: RuleKind) -> &'static str {
    match kind {
        RuleKind::Obligation => "REQUIRED\nobligations",
        RuleKind::Invitation => "INVITED\nvoluntary offers",
        RuleKind::NonObligation => "NOT REQUIRED\nstated non-duties",
        RuleKind::GovernmentDuty => "GOVERNMENT\nnot the lab's duties",
        RuleKind::Penalty => "PENALTIES\nexposure",
        RuleKind::Classification => "STATUS\nclassifications",
    }
}

pub(crate) fn kind_of(f: &Finding) -> Option<RuleKind> {
    Some(f.kind)
}

/// The cell of a regime that failed (empty for one that did not).
pub(crate) fn error_text(r: &RegimeReport) -> String {
    r.error
        .as_ref()
        .map(|e| format!("✖ this regime failed:\n{e}"))
        .unwrap_or_default()
}

/// A before or after value of a what-if change, for people: a status in words, a date or
/// amount, or `(none)`.
pub(crate) fn change_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "(none)".to_string(),
        serde_json::Value::String(s) => s.replace('_', " "),
        other => other.to_string(),
    }
}

pub use juxta_core::report::{counterpart_lines, status_label};

pub(crate) fn cell_text(f: &Finding) -> String {
    let mut lines = vec![
        format!("{} · {}", status_label(f.status), f.id),
        f.title.clone(),
    ];
    match (f.due_text(), f.state) {
        (
            Some(due),
            Some(
                state @ (DutyState::Overdue { .. } | DutyState::DueToday | DutyState::DueIn { .. }),
            ),
        ) => {
            lines.push(format!("due {due} · {}", state.label()));
        }
        (Some(due), _) => lines.push(format!("due {due}")),
        (None, Some(DutyState::NotTriggered)) => lines.push("deadline not yet triggered".into()),
        (None, _) => {}
    }
    if !f.missing_facts.is_empty() {
        lines.push(format!("needs: {}", f.missing_facts.join(", ")));
    }
    if !f.open_questions.is_empty() {
        lines.push(format!("open: {}", f.open_questions.join(", ")));
    }
    lines.push(f.citation.clone());
    lines.join("\n")
}

/// The heading lines of a report: the model, its provider, the day the law is applied, and the
/// what-if question if there is one.
pub(crate) fn heading(cmp: &Comparison) -> Vec<String> {
    let key = |path: &str| cmp.fact_text(path).map(str::to_string);
    let missing = if cmp.has_view() {
        "(model id not given)"
    } else {
        "(model id not in this result)"
    };
    let model = key("model.id").unwrap_or_else(|| missing.into());
    let provider = match (key("provider.name"), key("provider.country")) {
        (Some(n), Some(c)) => format!(" · {n} ({c})"),
        (Some(n), None) => format!(" · {n}"),
        (None, Some(c)) => format!(" · provider in {c}"),
        (None, None) => String::new(),
    };
    let mut heading = vec![format!(
        "model {model}{provider} · law applied as of {}",
        cmp.as_of
    )];
    if let Some(w) = &cmp.what_if {
        let text = if w.text.is_empty() {
            // A result saved without the view: the question from its parts.
            let mut parts: Vec<String> = w.set.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            parts.extend(w.unset.iter().map(|k| format!("{k} unknown")));
            parts.join("; ")
        } else {
            w.text.clone()
        };
        heading.push(format!("what if: {text}"));
    }
    heading
}

pub(crate) fn computed_text(r: &RegimeReport) -> String {
    let describe = |name: &str| computed_title(r, name);
    let mut lines = Vec::new();
    for (name, value) in &r.computed {
        let (title, unit) = describe(name);
        lines.push(format!("{title}: {}", shown_value(value, &unit)));
    }
    for (name, missing) in &r.computed_undetermined {
        let (title, _) = describe(name);
        let needs = if missing.is_empty() {
            "open questions of the law".to_string()
        } else {
            missing.join(", ")
        };
        // What is certain all the same ("the greater of 2 % or 5,000,000": at least 5,000,000).
        let (_, unit) = describe(name);
        let bound = r
            .computed_bounds
            .get(name)
            .map(|b| format!(", {}", b.describe(|v| shown_value(v, &unit))))
            .unwrap_or_default();
        lines.push(format!("{title}: ? undetermined{bound}\n  needs: {needs}"));
    }
    if lines.is_empty() && r.error.is_none() {
        lines.push("— none —".into());
    }
    lines.join("\n")
}

/// A computed value for people: an amount in a currency with its code first and thousands
/// grouped, a number with its unit, a date as `YYYY-MM-DD`.
pub(crate) fn shown_value(value: &ComputedValue, unit: &str) -> String {
    let number = match value {
        ComputedValue::Number(n) => Some(*n),
        ComputedValue::Integer(i) => Some(*i as f64),
        _ => None,
    };
    match (number, value) {
        // Currency amounts: ISO code first, thousands grouped.
        (Some(n), _) if unit.len() == 3 && unit.bytes().all(|b| b.is_ascii_uppercase()) => {
            format!("{unit} {}", group_thousands(n))
        }
        (Some(n), _) => format!("{} {unit}", format_number(n)).trim().to_string(),
        (None, ComputedValue::Date(d)) => d.to_string(),
        (None, ComputedValue::Text(t)) => t.clone(),
        (None, ComputedValue::Instant(t)) => juxta_core::report::instant_shown(&t.0),
        (None, ComputedValue::Bool(b)) => b.to_string(),
        (None, ComputedValue::Unrepresentable) => "(too large to show)".to_string(),
        (None, _) => String::new(),
    }
}

/// `360000000` as `360,000,000` (amounts are whole units of a currency in every regime so far).
fn group_thousands(n: f64) -> String {
    let whole = format!("{:.0}", n.abs());
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0.0 { format!("-{out}") } else { out }
}

/// The open questions the comparison names, each with its text, one line each
/// (`US-OQ-THRESHOLD (us-ai-eo-2026): Where will …`): wherever an id is shown, its words are too.
pub fn open_question_lines(cmp: &Comparison) -> Vec<String> {
    cmp.regimes
        .iter()
        .flat_map(|r| {
            r.open_questions
                .iter()
                .map(move |(id, q)| format!("{id} ({}): {}", r.id, q.question))
        })
        .collect()
}

/// The open questions as a block for the end of a text report (empty when there are none).
pub fn open_questions_text(cmp: &Comparison) -> String {
    let lines = open_question_lines(cmp);
    if lines.is_empty() {
        return String::new();
    }
    let mut out = String::from("Open questions of the law:\n");
    for l in lines {
        out.push_str(&format!("  {l}\n"));
    }
    out
}

/// A one-line tally per regime, for the footer: duties, invitations and classifications
/// counted apart.
pub fn tally(cmp: &Comparison) -> String {
    cmp.regimes
        .iter()
        .map(|r| {
            if r.error.is_some() {
                return format!("{}: failed", r.id);
            }
            let count = |k: RuleKind, s: Status| {
                r.rules
                    .iter()
                    .filter(|f| f.kind == k && f.status == s)
                    .count()
            };
            let overdue = r
                .rules
                .iter()
                .filter(|f| {
                    f.status == Status::Applies && f.state.is_some_and(DutyState::is_overdue)
                })
                .count();
            let classes = r
                .rules
                .iter()
                .filter(|f| f.kind == RuleKind::Classification)
                .count();
            let overdue = if overdue > 0 {
                format!(" ({overdue} overdue)")
            } else {
                String::new()
            };
            format!(
                "{}: {} required{overdue}, {} undetermined; {} invited; {} of {classes} classifications apply",
                r.id,
                count(RuleKind::Obligation, Status::Applies),
                count(RuleKind::Obligation, Status::Undetermined),
                count(RuleKind::Invitation, Status::Applies),
                count(RuleKind::Classification, Status::Applies),
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands(360_000_000.0), "360,000,000");
        assert_eq!(group_thousands(15_000_000.0), "15,000,000");
        assert_eq!(group_thousands(999.0), "999");
    }
}
