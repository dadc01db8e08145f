//! A rule's condition as a tree of named blocks and leaves, each marked with its outcome for one
//! profile and the values it read: what `juxta regime test` prints when a case fails, and what
//! `juxta explain` shows.
//!
//! Built from the memoised evaluation (like explanations): nothing is evaluated again. A node
//! that evaluation skipped (a conjunct after one that failed) is marked as not evaluated. A block
//! is expanded where it first appears; later references point back to it.

use std::collections::HashSet;

use serde::Serialize;

use super::explain::Walker;
use super::{Evaluation, Facts, ValueOutcome};
use crate::regime::Regime;
use crate::regime::ir::{Cond, ValueExpr};
use crate::tri::Truth;
use crate::value::Value;

/// One node of a condition tree.
#[derive(Clone, Debug, Serialize)]
pub struct Node {
    /// `all` (`&&`), `any` (`||`), `not`, `if`, `fallback`, `block`, `leaf`, `constant`,
    /// `present` or `open_question`.
    pub kind: &'static str,
    /// The block's name, the leaf's CEL text, or the operator.
    pub label: String,
    /// The block's title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `true`, `false` or `unknown`; `not_evaluated` where evaluation never needed it.
    pub value: &'static str,
    /// Facts, parameters and derived values a leaf read, with their values (`absent` when a
    /// fact is not in the profile).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reads: Vec<Reading>,
    /// When unknown: the facts that would decide it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_facts: Vec<String>,
    /// When unknown: the open questions that keep it open.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub open_questions: Vec<String>,
    /// A block already expanded above.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub see_above: bool,
    /// In a formula's tree (`value` is `formula`): what the whole formula came to, on its root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// Operands.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Node>,
}

/// One value a leaf read.
#[derive(Clone, Debug, Serialize)]
pub struct Reading {
    /// `model.training_compute_flop`, `params.frontier_compute_ops` or a value's name.
    pub name: String,
    /// Its value, or `absent`.
    pub value: String,
}

/// The condition tree of rule `index`.
pub fn rule_tree(
    regime: &Regime,
    ev: &Evaluation,
    facts: &Facts<'_>,
    index: usize,
) -> Option<Node> {
    let rule = regime.rules.get(index)?;
    let walker = Walker { regime, ev, facts };
    let mut seen = HashSet::new();
    let mut root = build(&walker, &rule.cond, &mut seen);
    if root.kind != "block" && root.kind != "leaf" {
        root.label = rule.source.clone();
    }
    Some(root)
}

/// The trees of computed value `index`: its condition (`when`), and its formula as a tree of
/// `?:`, `fallback`, `max` and `min` over leaves, each leaf with the facts, parameters and
/// values it read; the formula's root carries what it came to.
pub fn computed_trees(
    regime: &Regime,
    ev: &Evaluation,
    facts: &Facts<'_>,
    index: usize,
) -> Option<(Node, Node)> {
    let c = regime.computed.get(index)?;
    let walker = Walker { regime, ev, facts };
    let mut seen = HashSet::new();
    let mut when = build(&walker, &c.when, &mut seen);
    if when.kind != "block" && when.kind != "leaf" {
        when.label = c.when_source.clone();
    }
    let mut formula = build_value(&walker, &c.value, &mut seen);
    if formula.kind != "leaf" {
        formula.label = c.value_source.clone();
    }
    Some((when, formula))
}

fn build_value(w: &Walker<'_>, v: &ValueExpr, seen: &mut HashSet<usize>) -> Node {
    let mut node = Node {
        kind: "leaf",
        label: String::new(),
        title: None,
        value: "formula",
        reads: Vec::new(),
        missing_facts: Vec::new(),
        open_questions: Vec::new(),
        see_above: false,
        result: None,
        children: Vec::new(),
    };
    match v {
        ValueExpr::Leaf(l) => {
            node.label = w.regime.leaves[*l].text.clone();
            node.reads = readings(w, *l);
        }
        ValueExpr::If(c, a, b) => {
            node.kind = "if";
            node.label = "if … then … else …".into();
            node.children = vec![
                build(w, c, seen),
                build_value(w, a, seen),
                build_value(w, b, seen),
            ];
        }
        ValueExpr::Fallback(a, b) => {
            node.kind = "fallback";
            node.label = "the first, or the second where the first is unknown".into();
            node.children = vec![build_value(w, a, seen), build_value(w, b, seen)];
        }
        ValueExpr::Extreme(x, a, b) => {
            node.kind = match x {
                crate::regime::ir::Extreme::Max => "max",
                crate::regime::ir::Extreme::Min => "min",
            };
            node.label = match x {
                crate::regime::ir::Extreme::Max => "the larger (later) of".into(),
                crate::regime::ir::Extreme::Min => "the smaller (earlier) of".into(),
            };
            node.children = vec![build_value(w, a, seen), build_value(w, b, seen)];
        }
    }
    node
}

fn truth_word(t: Truth) -> &'static str {
    match t {
        Truth::True => "true",
        Truth::False => "false",
        Truth::Unknown => "unknown",
    }
}

fn build(w: &Walker<'_>, c: &Cond, seen: &mut HashSet<usize>) -> Node {
    let o = w.outcome(c);
    let mut node = Node {
        kind: "constant",
        label: String::new(),
        title: None,
        value: truth_word(o.truth),
        reads: Vec::new(),
        missing_facts: Vec::new(),
        open_questions: Vec::new(),
        see_above: false,
        result: None,
        children: Vec::new(),
    };
    if o.truth == Truth::Unknown {
        node.missing_facts = w.regime.schema().paths(o.missing);
        node.open_questions = w.regime.question_ids(o.open);
    }
    let kids = |xs: &[&Cond], seen: &mut HashSet<usize>| -> Vec<Node> {
        xs.iter().map(|x| build(w, x, seen)).collect()
    };
    match c {
        Cond::Const(b) => node.label = b.to_string(),
        Cond::And(xs) => {
            node.kind = "all";
            node.label = "all of".into();
            node.children = kids(&xs.iter().collect::<Vec<_>>(), seen);
        }
        Cond::Or(xs) => {
            node.kind = "any";
            node.label = "any of".into();
            node.children = kids(&xs.iter().collect::<Vec<_>>(), seen);
        }
        Cond::Not(x) => {
            node.kind = "not";
            node.label = "not".into();
            node.children = kids(&[x], seen);
        }
        Cond::If(cond, a, b) => {
            node.kind = "if";
            node.label = "if … then … else …".into();
            node.children = kids(&[cond, a, b], seen);
        }
        Cond::Fallback(a, b) => {
            node.kind = "fallback";
            node.label = "the first, or the second where the first is unknown".into();
            node.children = kids(&[a, b], seen);
        }
        Cond::Block(b) => {
            let block = &w.regime.blocks[*b];
            node.kind = "block";
            node.label = block.name.clone();
            node.title = Some(block.title.clone());
            if w.ev.block(*b).is_none() {
                node.value = "not_evaluated";
                node.missing_facts.clear();
                node.open_questions.clear();
            }
            if seen.insert(*b) {
                node.children = vec![build(w, &block.cond, seen)];
            } else {
                node.see_above = true;
            }
        }
        Cond::Question(q) => {
            node.kind = "open_question";
            node.label = w
                .regime
                .questions
                .get(*q)
                .map(|q| format!("open_question(\"{}\")", q.id))
                .unwrap_or_default();
        }
        Cond::Present(id) => {
            node.kind = "present";
            let path = w.regime.schema().fact(*id).path.clone();
            node.label = format!("present({path})");
        }
        Cond::Leaf(l) => {
            node.kind = "leaf";
            let leaf = &w.regime.leaves[*l];
            node.label = leaf.text.clone();
            if w.ev.leaves.get(*l).copied().flatten().is_none() {
                node.value = "not_evaluated";
                node.missing_facts.clear();
                node.open_questions.clear();
            }
            node.reads = readings(w, *l);
        }
    }
    node
}

/// What a leaf read: its facts (with `has()` tests), derived values and parameters.
fn readings(w: &Walker<'_>, l: usize) -> Vec<Reading> {
    let leaf = &w.regime.leaves[l];
    let schema = w.regime.schema();
    let mut out = Vec::new();
    for id in leaf.reads.union(leaf.tests).iter() {
        out.push(Reading {
            name: schema.fact(id).path.clone(),
            value: w
                .facts
                .profile()
                .get(id)
                .map(Value::to_string)
                .unwrap_or_else(|| "absent".into()),
        });
    }
    for v in &leaf.values {
        let Some(def) = w.regime.values.get(*v) else {
            continue;
        };
        let value = match w.ev.values.get(*v).cloned().flatten() {
            Some(ValueOutcome::Known { value, .. }) => value.to_string(),
            Some(ValueOutcome::Unknown { .. }) => "unknown".into(),
            None => "not evaluated".into(),
        };
        out.push(Reading {
            name: def.name.clone(),
            value,
        });
    }
    for name in param_names(&leaf.text) {
        if let Some(p) = w.regime.params.iter().find(|p| p.name == name) {
            out.push(Reading {
                name: format!("params.{name}"),
                value: p.at(w.ev.as_of).value.to_string(),
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out.dedup_by(|a, b| a.name == b.name);
    out
}

/// The `params.<name>` references of a CEL text.
pub(crate) fn param_names(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("params.") {
        let tail = &rest[i + "params.".len()..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        let boundary = i == 0
            || !rest[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        if boundary && end > 0 {
            out.push(tail[..end].to_string());
        }
        rest = &tail[end..];
    }
    out
}

/// The tree as indented text, one node per line, with the values each leaf read beneath it.
pub fn render_text(node: &Node) -> String {
    let mut out = String::new();
    line(node, "", "", &mut out, &mut None);
    out
}

/// Several trees one after the other (the rules a failing case got wrong): a block expanded in
/// one tree is shown in the later ones as its value and name only, "(shown above)".
pub fn render_texts<'a>(trees: impl IntoIterator<Item = &'a Node>) -> Vec<String> {
    let mut seen = Some(std::collections::HashSet::new());
    trees
        .into_iter()
        .map(|t| {
            let mut out = String::new();
            line(t, "", "", &mut out, &mut seen);
            out
        })
        .collect()
}

fn mark(value: &str) -> &'static str {
    match value {
        "true" => "✔",
        "false" => "✘",
        "unknown" => "?",
        _ => "·",
    }
}

fn line(
    node: &Node,
    first: &str,
    rest: &str,
    out: &mut String,
    seen: &mut Option<std::collections::HashSet<String>>,
) {
    let mut text = format!("{first}{} {}", mark(node.value), node.label);
    if let Some(t) = &node.title {
        text.push_str(&format!(" — {t}"));
    }
    if let Some(r) = &node.result {
        text.push_str(&format!(" = {r}"));
    }
    if node.see_above {
        text.push_str(" (as above)");
    }
    // A block an earlier tree expanded: its value and name say enough.
    if node.kind == "block"
        && !node.see_above
        && !node.children.is_empty()
        && let Some(seen) = seen.as_mut()
        && !seen.insert(node.label.clone())
    {
        out.push_str(&format!("{text} (shown above)\n"));
        return;
    }
    if node.value == "not_evaluated" {
        text.push_str(" (not evaluated)");
    }
    out.push_str(&text);
    out.push('\n');
    let detail_prefix = if node.children.is_empty() {
        format!("{rest}    ")
    } else {
        format!("{rest}│   ")
    };
    if !node.reads.is_empty() {
        let reads: Vec<String> = node
            .reads
            .iter()
            .map(|r| format!("{} = {}", r.name, r.value))
            .collect();
        out.push_str(&format!("{detail_prefix}{}\n", reads.join(" · ")));
    }
    if !node.missing_facts.is_empty() {
        out.push_str(&format!(
            "{detail_prefix}needs: {}\n",
            node.missing_facts.join(", ")
        ));
    }
    if !node.open_questions.is_empty() {
        out.push_str(&format!(
            "{detail_prefix}open: {}\n",
            node.open_questions.join(", ")
        ));
    }
    let n = node.children.len();
    for (i, child) in node.children.iter().enumerate() {
        let last = i + 1 == n;
        let (f, r) = if last {
            ("└─ ", "   ")
        } else {
            ("├─ ", "│  ")
        };
        line(
            child,
            &format!("{rest}{f}"),
            &format!("{rest}{r}"),
            out,
            seen,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::{Node, param_names, render_texts};

    fn node(kind: &'static str, label: &str, children: Vec<Node>) -> Node {
        Node {
            kind,
            label: label.into(),
            title: None,
            value: "true",
            reads: Vec::new(),
            missing_facts: Vec::new(),
            open_questions: Vec::new(),
            see_above: false,
            result: None,
            children,
        }
    }

    #[test]
    fn a_block_shared_by_several_trees_is_expanded_under_the_first_only() {
        let block = || node("block", "GPAI", vec![node("leaf", "model.x > 1.0", vec![])]);
        let a = node("all", "&&", vec![block(), node("leaf", "a", vec![])]);
        let b = node("all", "&&", vec![block(), node("leaf", "b", vec![])]);
        let texts = render_texts([&a, &b]);
        assert!(texts[0].contains("model.x > 1.0"), "{}", texts[0]);
        assert!(texts[1].contains("✔ GPAI (shown above)"), "{}", texts[1]);
        assert!(!texts[1].contains("model.x > 1.0"), "{}", texts[1]);
    }

    #[test]
    fn parameter_names_are_found_in_cel_text() {
        assert_eq!(
            param_names("C > params.frontier_compute_ops && x <= params.big_2"),
            ["frontier_compute_ops", "big_2"]
        );
        assert!(param_names("myparams.x").is_empty());
    }
}
