//! `juxta regime lint`: what the compiler refuses, and the mistakes it accepts.
//!
//! Errors: everything that stops the regime compiling (unknown or misspelt fact paths with a
//! "did you mean", rules without a citation, parameters without a source or with overlapping or
//! out-of-order date ranges, duplicate rule ids, type errors, …), and rules that can never
//! apply because their blocks contradict each other. Warnings: comprehensions over lists
//! the schema does not bound, blocks no rule or computed value uses, computed values without a
//! citation, rules without a confirmation status. Every finding points at the TOML line.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use juxta_core::diag::Location;
use juxta_core::regime::analysis::Satisfiable;
use juxta_core::regime::{Regime, Source};
use juxta_core::schema::Schema;
use juxta_sdk::manifest::{Manifest, RuleKind};
use serde_json::json;

use crate::args::{LintArgs, LintFormat};
use crate::{Ctx, Exit, read_text};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Severity {
    Error,
    Warning,
}

impl Severity {
    fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

struct Finding {
    severity: Severity,
    code: &'static str,
    item: String,
    message: String,
    help: Option<String>,
    span: Option<Range<usize>>,
}

/// The span of the first occurrence of `needle` in `text`.
fn find(text: &str, needle: &str) -> Option<Range<usize>> {
    text.find(needle).map(|i| i..i + needle.len())
}

/// Where rule `id` is written: its `id = "…"` line.
fn rule_span(text: &str, id: &str) -> Option<Range<usize>> {
    find(text, &format!("id = \"{id}\"")).or_else(|| find(text, &format!("id = '{id}'")))
}

fn table_span(text: &str, table: &str, name: &str) -> Option<Range<usize>> {
    find(text, &format!("[{table}.{name}]"))
        .or_else(|| find(text, &format!("[{table}.\"{name}\"]")))
}

/// Where a compiler problem without a position is: the item it names (`rule X`, `block B`,
/// `computed C`, `parameter P`), its last occurrence for a duplicate.
fn item_span(text: &str, item: &str, message: &str) -> Option<Range<usize>> {
    let (kind, name) = item.split_once(' ')?;
    match kind {
        "rule" if message.contains("duplicate") => {
            let needle = format!("id = \"{name}\"");
            text.rfind(&needle).map(|i| i..i + needle.len())
        }
        "rule" => rule_span(text, name),
        "block" => table_span(text, "blocks", name),
        "value" => table_span(text, "values", name),
        "computed" => table_span(text, "computed", name),
        "parameter" => table_span(text, "parameters", name),
        _ => None,
    }
}

/// A code for what the compiler found, where a specific one helps.
fn compile_code(message: &str) -> &'static str {
    if message.contains("citation") {
        "missing-citation"
    } else if message.contains("source") {
        "parameter-without-source"
    } else if message.contains("overlap") || message.contains("may omit `from`") {
        "parameter-dates"
    } else if message.contains("duplicate rule id") {
        "duplicate-rule-id"
    } else if message.starts_with("unknown fact") {
        "unknown-fact"
    } else if message.starts_with("syntax error") {
        "syntax"
    } else if message.contains("exceeds the limit")
        || message.contains("exceeds the budget")
        || message.contains("nested deeper than")
    {
        // Refused by the host's budget for CEL (before or after parsing).
        "budget"
    } else {
        "compile"
    }
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
        .map(|r| {
            (
                format!("rule {}", r.id),
                &r.citation,
                rule_span(text, &r.id),
            )
        })
        .chain(m.computed.iter().map(|(name, c)| {
            (
                format!("computed {name}"),
                &c.citation,
                table_span(text, "computed", name),
            )
        }));
    for (item, citation, span) in citations {
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
                item: format!("rule {}", rule.id),
                message: "the rule has no confirmation status".into(),
                help: Some(
                    "add `status = \"CONFIRMED\"` (or SECONDARY-SINGLE, UNCONFIRMED, ENGINE POLICY, …) from the inventory"
                        .into(),
                ),
                span: rule_span(text, &rule.id),
            });
        }
    }
    for (name, c) in m.computed.iter() {
        if c.citation.trim().is_empty() {
            out.push(Finding {
                severity: Severity::Warning,
                code: "missing-citation",
                item: format!("computed {name}"),
                message: "the computed value has no citation".into(),
                help: Some("cite the provision that fixes the date or amount".into()),
                span: table_span(text, "computed", name),
            });
        }
    }
}

/// Every rule's worst-case cost per profile, most expensive first.
fn rule_costs(r: &Regime) -> Vec<(String, u64)> {
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
    use juxta_core::regime::budget::{MAX_LEAF_COST, MAX_REGIME_COST, shown};
    // Near the host's budget: a regime refused outright only a little later.
    for (i, rule) in r.rules.iter().enumerate() {
        let cost = r.rule_cost(i);
        if cost > MAX_LEAF_COST / 2 {
            out.push(Finding {
                severity: Severity::Warning,
                code: "near-budget",
                item: format!("rule {}", rule.id),
                message: format!(
                    "evaluating the rule may cost {} steps; one expression may cost at most {}",
                    shown(cost),
                    shown(MAX_LEAF_COST)
                ),
                help: Some(
                    "iterate over shorter lists, or nest fewer comprehensions (juxta regime lint --costs lists every rule)".into(),
                ),
                span: rule_span(text, &rule.id),
            });
        }
    }
    if r.total_cost() > MAX_REGIME_COST / 2 {
        out.push(Finding {
            severity: Severity::Warning,
            code: "near-budget",
            item: "manifest".into(),
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
                item: format!("rule {}", rule.id),
                message: format!("the rule can never apply: {why}"),
                help: Some(format!(
                    "no profile makes `{}` true; check the blocks' conditions and thresholds",
                    rule.source
                )),
                span: rule_span(text, &rule.id),
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
                item: format!("block {}", block.name),
                message: "no rule or computed value uses this block".into(),
                help: Some("remove it, or use it where the inventory says it applies".into()),
                span: table_span(text, "blocks", &block.name),
            });
        }
    }
}

/// What lint found, and the rules' costs when the regime compiled.
type Linted = (Vec<Finding>, Option<(Vec<(String, u64)>, u64)>);

fn lint_text(origin: &str, text: &str) -> Linted {
    let mut out = Vec::new();
    let mut costs = None;
    let m = match toml::from_str::<Manifest>(text) {
        Ok(m) => m,
        Err(e) => {
            // Nothing else can be checked in a manifest that does not read.
            out.push(Finding {
                severity: Severity::Error,
                code: "toml",
                item: "manifest".into(),
                message: e.message().to_string(),
                help: None,
                span: e.span(),
            });
            return (out, None);
        }
    };
    manifest_checks(&m, text, &mut out);
    // The schema this regime compiles against: the core and its own namespace.
    let declared = m
        .namespace
        .iter()
        .map(|ns| (m.regime.id.as_str(), m.regime.facts_schema.as_str(), ns));
    let schema = match Schema::with_namespaces(declared) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            out.push(Finding {
                severity: Severity::Error,
                code: "namespace",
                item: "namespace".into(),
                message: e.to_string(),
                help: None,
                span: find(text, "[namespace]"),
            });
            return (out, None);
        }
    };
    match Regime::compile(&Source { origin, text }, schema) {
        Ok(r) => {
            regime_checks(&r, text, &mut out);
            costs = Some((rule_costs(&r), r.total_cost()));
        }
        Err(e) => {
            for (p, loc) in e.problems {
                let span = loc
                    .map(|l| l.span)
                    .or_else(|| item_span(text, &p.item, &p.message));
                let code = compile_code(&p.message);
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
    (out, costs)
}

fn target_file(target: &Path) -> PathBuf {
    if target.is_dir() {
        target.join("regime.toml")
    } else {
        target.to_path_buf()
    }
}

pub(crate) fn lint(ctx: &mut Ctx<'_, '_>, a: &LintArgs) -> Exit {
    let path = target_file(&a.target);
    let text = match read_text(&path, ctx.io.input) {
        Ok(t) => t,
        Err(e) => return ctx.fail(Exit::Error, &e),
    };
    let origin = path.display().to_string();
    let (findings, costs) = lint_text(&origin, &text);
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    use juxta_core::regime::budget::{MAX_LEAF_COST, MAX_REGIME_COST, shown};
    let output = match (a.format, a.costs, &costs) {
        (LintFormat::Json, true, Some((rules, _))) => {
            let list: Vec<serde_json::Value> = rules
                .iter()
                .map(|(rule, cost)| json!({ "rule": rule, "cost": cost }))
                .collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".into())
            )
        }
        (LintFormat::Text, true, Some((rules, total))) => {
            // Rule ids are restricted by the compiler; nothing here needs escaping.
            let mut out = format!(
                "worst-case cost per profile, in evaluation steps (budget: {} per expression, {} per regime)\n",
                shown(MAX_LEAF_COST),
                shown(MAX_REGIME_COST)
            );
            for (rule, cost) in rules {
                out.push_str(&format!("  {cost:>9}  {rule}\n"));
            }
            out.push_str(&format!("  {total:>9}  the whole regime\n"));
            out
        }
        (LintFormat::Json, _, _) => {
            let list: Vec<serde_json::Value> = findings
                .iter()
                .map(|f| {
                    let loc = f.span.clone().map(|s| Location::of(&text, s));
                    json!({
                        "severity": f.severity.as_str(),
                        "code": f.code,
                        "item": f.item,
                        "message": f.message,
                        "help": f.help,
                        "file": origin,
                        "line": loc.as_ref().map(|l| l.line),
                        "column": loc.as_ref().map(|l| l.column),
                    })
                })
                .collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".into())
            )
        }
        (LintFormat::Text, _, _) => {
            let renderer = ctx.renderer();
            let mut out = String::new();
            for f in &findings {
                let place = f
                    .span
                    .clone()
                    .map(|s| Location::of(&text, s))
                    .map(|l| format!(":{}:{}", l.line, l.column))
                    .unwrap_or_default();
                out.push_str(&renderer.located(
                    &origin,
                    &text,
                    format!(
                        "{}[{}] {origin}{place}: {}: {}",
                        f.severity.as_str(),
                        f.code,
                        f.item,
                        f.message
                    ),
                    f.span.clone(),
                    f.code,
                    f.help.clone(),
                ));
            }
            let origin = crate::visible::escape(&origin);
            if let Some((rules, total)) = &costs
                && let Some((rule, cost)) = rules.first()
            {
                out.push_str(&format!(
                    "{origin}: at most {} evaluation steps per profile (budget {}); the most expensive rule is {rule} ({cost})\n",
                    shown(*total),
                    shown(MAX_REGIME_COST)
                ));
            }
            out.push_str(&format!(
                "{origin}: {errors} error(s), {warnings} warning(s)\n"
            ));
            out
        }
    };
    // The JSON forms carry a manifest's own strings: the same value, safe to print. (The text
    // form's findings are escaped by the diagnostics renderer, its summary lines below.)
    let output = match a.format {
        LintFormat::Json => crate::visible::json(output),
        LintFormat::Text => output,
    };
    if ctx.io.out.write_all(output.as_bytes()).is_err() {
        return Exit::Error;
    }
    if errors > 0 || (a.deny_warnings && warnings > 0) {
        Exit::ChecksFailed
    } else {
        Exit::Success
    }
}
