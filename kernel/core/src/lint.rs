//! `juxta regime lint`'s checks: what the compiler refuses, and the mistakes it accepts.
//!
//! Errors: everything that stops the regime compiling (unknown or misspelt fact paths with a
//! "did you mean", rules without a citation, parameters without a source or with overlapping or
//! out-of-order date ranges, duplicate rule ids, type errors, …), and rules that can never
//! apply because their blocks contradict each other. Warnings: comprehensions over lists
//! the schema does not bound, blocks no rule or computed value uses, computed values without a
//! citation, rules without a confirmation status, research notes in citations, rules near the
//! budget. Every finding has a stable code and points at the TOML where it can. Front ends
//! only render them.

use std::ops::Range;
use std::sync::Arc;

use juxta_sdk::manifest::{Manifest, RuleKind};

use crate::regime::analysis::Satisfiable;
use crate::regime::{Item, ItemKind, ProblemKind, Regime, Source};
use crate::schema::Schema;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The regime does not compile, or a rule can never apply.
    Error,
    /// A mistake the compiler accepts.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// How bad.
    pub severity: Severity,
    /// Its stable code (`unknown-fact`, `never-applies`).
    pub code: &'static str,
    /// The manifest item.
    pub item: Item,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Where, in the manifest's bytes.
    pub span: Option<Range<usize>>,
}

/// The span of the first occurrence of `needle` in `text`.
fn find(text: &str, needle: &str) -> Option<Range<usize>> {
    text.find(needle).map(|i| i..i + needle.len())
}

/// Words that belong in a rule's `status` (how firmly its basis is confirmed) or its
/// `provenance` (where it was read), never in the citation a lawyer copies.
const NOT_A_CITATION: &[&str] = &[
    "seed",
    "stored page",
    "CONFIRMED",
    "SECONDARY",
    "CONFLICT",
    "ENGINE POLICY",
    "SEEDS",
    "PAGES",
];

/// The first research note or status label in a citation, if any.
pub fn note_in_citation(citation: &str) -> Option<&'static str> {
    let lower = citation.to_lowercase();
    NOT_A_CITATION.iter().copied().find(|w| {
        if w.chars().all(|c| !c.is_lowercase()) {
            citation.contains(w)
        } else {
            lower.contains(w)
        }
    })
}

fn manifest_checks(m: &Manifest, text: &str, out: &mut Vec<Finding>) {
    let citations = m
        .rules
        .iter()
        .map(|r| (Item::new(ItemKind::Rule, &r.id), &r.citation))
        .chain(
            m.computed
                .iter()
                .map(|(name, c)| (Item::new(ItemKind::Computed, name), &c.citation)),
        );
    for (item, citation) in citations {
        let span = item.span_in(text, false);
        if let Some(word) = note_in_citation(citation) {
            out.push(Finding {
                severity: Severity::Warning,
                code: "note-in-citation",
                item,
                message: format!(
                    "the citation contains `{word}`, a research note or a confirmation status"
                ),
                help: Some(
                    "cite the instrument and its provision; move where it was read to `provenance` and how firmly it is confirmed to `status`".into(),
                ),
                span,
            });
        }
    }
    for rule in &m.rules {
        if rule.status.as_deref().is_none_or(|s| s.trim().is_empty()) {
            out.push(Finding {
                severity: Severity::Warning,
                code: "missing-status",
                item: Item::new(ItemKind::Rule, &rule.id),
                message: "the rule has no confirmation status".into(),
                help: Some(
                    "add `status = \"CONFIRMED\"` (or SECONDARY-SINGLE, UNCONFIRMED, ENGINE POLICY, …) from the inventory"
                        .into(),
                ),
                span: Item::new(ItemKind::Rule, &rule.id).span_in(text, false),
            });
        }
    }
    for (name, c) in m.computed.iter() {
        if c.citation.trim().is_empty() {
            out.push(Finding {
                severity: Severity::Warning,
                code: "missing-citation",
                item: Item::new(ItemKind::Computed, name),
                message: "the computed value has no citation".into(),
                help: Some("cite the provision that fixes the date or amount".into()),
                span: Item::new(ItemKind::Computed, name).span_in(text, false),
            });
        }
    }
}

/// Every rule's worst-case cost per profile, most expensive first.
pub fn rule_costs(r: &Regime) -> Vec<(String, u64)> {
    let mut costs: Vec<(String, u64)> = r
        .rules
        .iter()
        .enumerate()
        .map(|(i, rule)| (rule.id.clone(), r.rule_cost(i)))
        .collect();
    costs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    costs
}

fn regime_checks(r: &Regime, text: &str, out: &mut Vec<Finding>) {
    use crate::regime::budget::{MAX_LEAF_COST, MAX_REGIME_COST, shown};
    // Near the host's budget: a regime refused outright only a little later.
    for (i, rule) in r.rules.iter().enumerate() {
        let cost = r.rule_cost(i);
        if cost > MAX_LEAF_COST / 2 {
            out.push(Finding {
                severity: Severity::Warning,
                code: "near-budget",
                item: Item::new(ItemKind::Rule, &rule.id),
                message: format!(
                    "evaluating the rule may cost {} steps; one expression may cost at most {}",
                    shown(cost),
                    shown(MAX_LEAF_COST)
                ),
                help: Some(
                    "iterate over shorter lists, or nest fewer comprehensions (juxta regime lint --costs lists every rule)".into(),
                ),
                span: Item::new(ItemKind::Rule, &rule.id).span_in(text, false),
            });
        }
    }
    if r.total_cost() > MAX_REGIME_COST / 2 {
        out.push(Finding {
            severity: Severity::Warning,
            code: "near-budget",
            item: Item::whole(ItemKind::Manifest),
            message: format!(
                "the regime may cost {} steps per profile; the budget is {}",
                shown(r.total_cost()),
                shown(MAX_REGIME_COST)
            ),
            help: None,
            span: None,
        });
    }
    for (i, rule) in r.rules.iter().enumerate() {
        // Government duties are "does not apply" to the developer by construction.
        if rule.kind == RuleKind::GovernmentDuty {
            continue;
        }
        if let Satisfiable::Never(parts) = r.rule_satisfiable(i) {
            let why = match parts.as_slice() {
                [one] => format!("`{one}` can never hold"),
                [a, b] => format!("`{a}` and `{b}` contradict each other"),
                _ => String::new(),
            };
            out.push(Finding {
                severity: Severity::Error,
                code: "never-applies",
                item: Item::new(ItemKind::Rule, &rule.id),
                message: format!("the rule can never apply: {why}"),
                help: Some(format!(
                    "no profile makes `{}` true; check the blocks' conditions and thresholds",
                    rule.source
                )),
                span: Item::new(ItemKind::Rule, &rule.id).span_in(text, false),
            });
        }
    }
    for (item, expr) in r.unbounded_comprehensions() {
        out.push(Finding {
            severity: Severity::Warning,
            code: "unbounded-comprehension",
            item,
            message: format!(
                "a comprehension in `{expr}` ranges over a list whose length the schema does not bound"
            ),
            help: Some(
                "range over a fact list (at most 64 items) or a parameter; evaluation time must not depend on the profile's size"
                    .into(),
            ),
            span: find(text, &expr),
        });
    }
    let reachable = r.reachable_blocks();
    for (b, block) in r.blocks.iter().enumerate() {
        if !reachable.contains(&b) {
            out.push(Finding {
                severity: Severity::Warning,
                code: "unused-block",
                item: Item::new(ItemKind::Block, &block.name),
                message: "no rule or computed value uses this block".into(),
                help: Some("remove it, or use it where the inventory says it applies".into()),
                span: Item::new(ItemKind::Block, &block.name).span_in(text, false),
            });
        }
    }
}

/// The blocks no rule, computed value or value refers to, even through other blocks, found by
/// the names in the expressions' text (for a manifest that does not compile: a name inside a
/// string literal counts as a use, so a block is never called unused wrongly).
fn unused_blocks_in_text(m: &Manifest, text: &str, out: &mut Vec<Finding>) {
    fn names(expr: &str) -> impl Iterator<Item = &str> {
        expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
    }
    let mut used: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    let mut queue: Vec<&str> = Vec::new();
    let roots = m
        .rules
        .iter()
        .map(|r| r.condition.get_ref().as_str())
        .chain(
            m.computed
                .iter()
                .flat_map(|(_, c)| [c.when.get_ref().as_str(), c.value.get_ref().as_str()]),
        )
        .chain(m.values.iter().map(|(_, v)| v.value.get_ref().as_str()));
    for expr in roots {
        queue.extend(names(expr));
    }
    while let Some(name) = queue.pop() {
        if let Some(block) = m.blocks.get(name)
            && used.insert(name)
        {
            queue.extend(names(block.condition.get_ref()));
            for q in &block.open_questions {
                if let Some(w) = &q.when {
                    queue.extend(names(w.get_ref()));
                }
            }
        }
    }
    for (name, _) in m.blocks.iter() {
        if !used.contains(name) {
            out.push(Finding {
                severity: Severity::Warning,
                code: "unused-block",
                item: Item::new(ItemKind::Block, name),
                message: "no rule or computed value uses this block".into(),
                help: Some("remove it, or use it where the inventory says it applies".into()),
                span: Item::new(ItemKind::Block, name).span_in(text, false),
            });
        }
    }
}

/// What lint found, and the rules' costs when the regime compiled.
pub struct Linted {
    /// The findings, in manifest order (errors before warnings at one place).
    pub findings: Vec<Finding>,
    /// Each rule's worst-case cost, most expensive first, and the regime's, if it compiled.
    pub costs: Option<(Vec<(String, u64)>, u64)>,
}

/// Lints a manifest: what the compiler refuses, and the mistakes it accepts.
pub fn lint(origin: &str, text: &str) -> Linted {
    let mut out = Vec::new();
    let mut costs = None;
    let m = match toml::from_str::<Manifest>(text) {
        Ok(m) => m,
        Err(e) => {
            // Nothing else can be checked in a manifest that does not read.
            out.push(Finding {
                severity: Severity::Error,
                code: "toml",
                item: Item::whole(ItemKind::Manifest),
                message: e.message().to_string(),
                help: None,
                span: e.span(),
            });
            return Linted {
                findings: out,
                costs: None,
            };
        }
    };
    manifest_checks(&m, text, &mut out);
    // The schema this regime compiles against: the core and its own namespace.
    let mut schema = Schema::core();
    let added = match &m.namespace {
        Some(ns) => schema.add_namespace(&m.regime.id, &m.regime.facts_schema, ns, &m.parameters),
        None => Ok(()),
    };
    let schema = match added.map(|()| schema) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            out.push(Finding {
                severity: Severity::Error,
                code: "namespace",
                item: Item::whole(ItemKind::Namespace),
                message: e.to_string(),
                help: None,
                span: find(text, "[namespace]"),
            });
            return Linted {
                findings: out,
                costs: None,
            };
        }
    };
    match Regime::compile(&Source { origin, text }, schema) {
        Ok(r) => {
            regime_checks(&r, text, &mut out);
            costs = Some((rule_costs(&r), r.total_cost()));
        }
        Err(e) => {
            // The checks that need the compiled regime wait for its errors to be fixed; the
            // blocks nothing uses can be found from the text alone.
            unused_blocks_in_text(&m, text, &mut out);
            for (p, loc) in e.problems {
                let span = loc
                    .map(|l| l.span)
                    .or_else(|| p.item.span_in(text, p.kind == ProblemKind::DuplicateRuleId));
                let code = p.kind.code();
                let message = match &p.expression {
                    Some(x) if *x != p.message && !p.message.contains(x.as_str()) => {
                        format!("{} in `{x}`", p.message)
                    }
                    _ => p.message,
                };
                out.push(Finding {
                    severity: Severity::Error,
                    code,
                    item: p.item,
                    message,
                    help: p.help,
                    span,
                });
            }
        }
    }
    out.sort_by_key(|f| (f.span.as_ref().map_or(usize::MAX, |s| s.start), f.severity));
    Linted {
        findings: out,
        costs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "[regime]\nid = \"test\"\nname = \"Test\"\njurisdiction = \"XX\"\nversion = \"0.1.0\"\nfacts_schema = \"1\"\ncase_key = \"xx\"\n\n";

    fn rule(id: &str, condition: &str) -> String {
        format!(
            "[[rules]]\nid = \"{id}\"\nkind = \"obligation\"\ntitle = \"t\"\ncitation = \"s. 3\"\nstatus = \"CONFIRMED\"\nsummary = \"s\"\ncondition = '{condition}'\n\n"
        )
    }

    fn codes(body: &str) -> Vec<(&'static str, String)> {
        lint("t.toml", &format!("{HEADER}{body}"))
            .findings
            .into_iter()
            .map(|f| (f.code, f.item.to_string()))
            .collect()
    }

    #[test]
    fn compiler_problems_carry_their_kind_and_item_not_words_to_search() {
        assert_eq!(
            codes(&rule("XX-1", "model.training_compute_flops > 1.0")),
            [("unknown-fact", "rule XX-1".to_string())]
        );
        assert_eq!(
            codes(&rule("XX-1", "model.training_compute_flop >")),
            [("syntax", "rule XX-1".to_string())]
        );
        let twice = format!(
            "{}{}",
            rule("XX-1", "release.weights_public"),
            rule("XX-1", "release.weights_public")
        );
        let text = format!("{HEADER}{twice}");
        let found = lint("t.toml", &text).findings;
        let dup = found
            .iter()
            .find(|f| f.code == "duplicate-rule-id")
            .expect("a duplicate-rule-id finding");
        // Located at the second rule, the one to remove.
        assert_eq!(
            dup.span.as_ref().map(|s| s.start),
            text.rfind("id = \"XX-1\"")
        );
        let unsourced = "[parameters.p]\ntitle = \"P\"\ntype = \"number\"\nvalues = [{ value = 1, source = \"\" }]\n\n";
        assert!(
            codes(unsourced)
                .iter()
                .any(|(c, i)| *c == "parameter-without-source" && i == "parameter p"),
            "{:?}",
            codes(unsourced)
        );
    }

    #[test]
    fn every_problem_kind_has_its_own_code() {
        let kinds = [
            ProblemKind::Compile,
            ProblemKind::Syntax,
            ProblemKind::UnknownFact,
            ProblemKind::MissingCitation,
            ProblemKind::ParameterWithoutSource,
            ProblemKind::ParameterDates,
            ProblemKind::DuplicateRuleId,
            ProblemKind::Budget,
        ];
        let codes: std::collections::BTreeSet<&str> = kinds.iter().map(|k| k.code()).collect();
        assert_eq!(codes.len(), kinds.len());
    }
}
