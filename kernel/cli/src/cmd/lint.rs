//! `juxta regime lint`: what the compiler refuses, and the mistakes it accepts, as found by
//! [`juxta_core::lint`]; this file only renders them.
//!
//! Errors: everything that stops the regime compiling (unknown or misspelt fact paths with a
//! "did you mean", rules without a citation, parameters without a source or with overlapping or
//! out-of-order date ranges, duplicate rule ids, type errors, …), and rules that can never
//! apply because their blocks contradict each other. Warnings: comprehensions over lists
//! the schema does not bound, blocks no rule or computed value uses, computed values without a
//! citation, rules without a confirmation status. Every finding points at the TOML line.

use std::path::{Path, PathBuf};

use juxta_core::diag::Location;
use juxta_core::lint::{Linted, Severity};
use serde_json::json;

use crate::args::{LintArgs, LintFormat};
use crate::{Ctx, Exit, read_text};

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
    let Linted { findings, costs } = juxta_core::lint::lint(&origin, &text);
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
                        "item": f.item.to_string(),
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
                    f.severity == Severity::Warning,
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
