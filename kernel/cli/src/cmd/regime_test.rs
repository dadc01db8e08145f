//! `juxta regime test`: a regime's cases, from its TOML source or against a built plugin, with
//! the same runner; `--coverage`; text, JSON or JUnit XML.
//!
//! A failing case prints what an author needs to fix it without opening anything else: the
//! differences, the profile's facts, and for every rule that differs its citation and its
//! condition tree with each block's and leaf's value and the values the leaves read.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use juxta_core::cases::{Case, Difference, compare};
use juxta_core::eval::tree::{Node, render_texts, rule_tree};
use juxta_core::eval::{Facts, FunctionHost};
use juxta_core::regime::{Regime, Source, schema_for};
use juxta_core::report::{RegimeReport, Status};
use juxta_core::schema::Schema;
use juxta_host::{Limits, Origin, RegimeSet, Sandbox};
use serde_json::json;

use crate::args::{TestArgs, TestFormat};
use crate::{Ctx, Exit, read_text};

/// The regime under test, however it was loaded.
struct UnderTest {
    regime: Arc<Regime>,
    host: Option<Arc<dyn FunctionHost>>,
    sha256: String,
    schema: Arc<Schema>,
    default_cases: PathBuf,
}

/// The outcome of one case file.
struct CaseRun {
    id: String,
    title: String,
    file: String,
    /// Why the case could not run at all.
    error: Option<String>,
    differences: Vec<Difference>,
    /// Facts of the profile, `path = value`.
    facts: Vec<String>,
    /// The open questions the differences name, `ID: question`.
    questions: Vec<String>,
    /// Condition trees of the rules that differ, with their headings.
    trees: Vec<(String, Node)>,
    /// The status of every rule, in rule order.
    statuses: Vec<Status>,
    /// Which blocks evaluation reached.
    blocks: Vec<bool>,
}

impl CaseRun {
    fn passed(&self) -> bool {
        self.error.is_none() && self.differences.is_empty()
    }
}

fn case_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read the cases in `{}`: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

fn load_plugin(path: &Path) -> Result<UnderTest, String> {
    let bytes =
        juxta_host::files::read_capped(path, juxta_host::files::MAX_PLUGIN_BYTES, "a plugin")
            .map_err(|e| e.to_string())?;
    let sandbox = Arc::new(Sandbox::new(Limits::default()).map_err(|e| e.to_string())?);
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let (loaded, schema) = RegimeSet::load_one(
        sandbox,
        &name,
        Origin::File(path.display().to_string()),
        &bytes,
    )
    .map_err(|f| f.error)?;
    let (regime, host, sha256) = (
        Arc::clone(&loaded.regime),
        loaded.host(),
        loaded.sha256.clone(),
    );
    Ok(UnderTest {
        default_cases: PathBuf::from("regimes").join(regime.id()).join("tests"),
        schema,
        regime,
        host,
        sha256,
    })
}

/// Compiles `dir/regime.toml`; a compile error is rendered and returned as `Err(None)`.
fn load_source(ctx: &mut Ctx<'_, '_>, dir: &Path) -> Result<UnderTest, Option<String>> {
    let path = dir.join("regime.toml");
    let text = read_text(&path, ctx.io.input).map_err(Some)?;
    let origin = path.display().to_string();
    let schema = Arc::new(schema_for([text.as_str()]).map_err(|e| Some(format!("{origin}: {e}")))?);
    let source = Source {
        origin: &origin,
        text: &text,
    };
    match Regime::compile(&source, Arc::clone(&schema)) {
        Ok(r) if !r.functions.is_empty() => {
            let names: Vec<String> = r
                .functions
                .iter()
                .map(|f| format!("`{}`", f.name))
                .collect();
            Err(Some(format!(
                "regime `{id}` calls custom functions ({}), which run only in its plugin: build it and test that instead:\n  juxta regime build plugins/{id}\n  juxta regime test plugins/dist/{id}.wasm --cases {}",
                names.join(", "),
                dir.join("tests").display(),
                id = r.id(),
            )))
        }
        Ok(r) => Ok(UnderTest {
            regime: Arc::new(r),
            host: None,
            sha256: "source".into(),
            schema,
            default_cases: dir.join("tests"),
        }),
        Err(e) => {
            let rendered = ctx.renderer().regime_error(&e, Some(&text));
            ctx.eprint(&rendered);
            Err(None)
        }
    }
}

fn run_case(ut: &UnderTest, case: &Case, key: &str, file: String) -> Option<CaseRun> {
    let expected = case.expected(key)?;
    let mut run = CaseRun {
        id: case.file.case.id.clone(),
        title: case.file.case.title.clone(),
        file,
        error: None,
        differences: Vec::new(),
        facts: Vec::new(),
        questions: Vec::new(),
        trees: Vec::new(),
        statuses: Vec::new(),
        blocks: Vec::new(),
    };
    let regime = &ut.regime;
    let facts = Facts::new(&case.profile, &ut.schema);
    let ev = match regime.evaluate(&facts, ut.host.clone()) {
        Ok(ev) => ev,
        Err(e) => {
            run.error = Some(e.to_string());
            return Some(run);
        }
    };
    let report = RegimeReport::from_evaluation(regime, &ev, &facts, &ut.sha256);
    run.differences = compare(expected, &report);
    run.statuses = ev
        .rules
        .iter()
        .map(|o| Status::from_truth(o.truth))
        .collect();
    run.blocks = (0..regime.blocks.len())
        .map(|b| ev.block(b).is_some())
        .collect();
    if !run.differences.is_empty() {
        for q in &regime.questions {
            if run.differences.iter().any(|d| d.message.contains(&q.id)) {
                run.questions.push(format!("{}: {}", q.id, q.question));
            }
        }
        for (id, def) in ut.schema.facts().iter().enumerate() {
            if let Some(v) = case.profile.get(id) {
                run.facts.push(format!("{} = {v}", def.path));
            }
        }
        let rules: BTreeSet<&str> = run
            .differences
            .iter()
            .filter_map(|d| d.rule.as_deref())
            .collect();
        for (index, rule) in regime.rules.iter().enumerate() {
            if !rules.contains(rule.id.as_str()) {
                continue;
            }
            if let Some(tree) = rule_tree(regime, &ev, &facts, index) {
                let heading = format!("{} · {} · {}", rule.id, rule.title, rule.citation);
                run.trees.push((heading, tree));
            }
        }
    }
    Some(run)
}

/// What each rule can do, what the cases made it do, and the blocks they never reached.
struct Coverage {
    rules: Vec<RuleCoverage>,
    blocks_never_evaluated: Vec<String>,
}

struct RuleCoverage {
    id: String,
    possible: Vec<Status>,
    exercised: Vec<Status>,
}

impl RuleCoverage {
    fn missing(&self) -> Vec<Status> {
        self.possible
            .iter()
            .copied()
            .filter(|s| !self.exercised.contains(s))
            .collect()
    }
}

const ALL_STATUSES: [Status; 3] = [Status::Applies, Status::DoesNotApply, Status::Undetermined];

fn coverage(regime: &Regime, runs: &[CaseRun]) -> Coverage {
    let ran: Vec<&CaseRun> = runs.iter().filter(|r| r.error.is_none()).collect();
    let rules = regime
        .rules
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            let exercised: Vec<Status> = ALL_STATUSES
                .into_iter()
                .filter(|s| ran.iter().any(|r| r.statuses.get(i) == Some(s)))
                .collect();
            let possible = match (regime.rule_reach(i), regime.rule_statuses(i)) {
                // A constant rule can take only the status it always has.
                (Some(reach), _) if reach.is_constant() => exercised.clone(),
                // The exact search over the rule's atoms, facts allowed to be absent.
                (_, Some(reachable)) => ALL_STATUSES
                    .into_iter()
                    .zip(reachable)
                    .filter_map(|(s, can)| can.then_some(s))
                    .collect(),
                (Some(reach), None) if !reach.can_be_undetermined(regime) => {
                    vec![Status::Applies, Status::DoesNotApply]
                }
                _ => ALL_STATUSES.to_vec(),
            };
            RuleCoverage {
                id: rule.id.clone(),
                possible,
                exercised,
            }
        })
        .collect();
    let reachable = regime.reachable_blocks();
    let blocks_never_evaluated = regime
        .blocks
        .iter()
        .enumerate()
        .filter(|(b, _)| {
            !reachable.contains(b) || !ran.iter().any(|r| r.blocks.get(*b) == Some(&true))
        })
        .map(|(_, block)| block.name.clone())
        .collect();
    Coverage {
        rules,
        blocks_never_evaluated,
    }
}

fn statuses(list: &[Status]) -> String {
    list.iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn indent(text: &str, by: &str) -> String {
    text.lines().map(|l| format!("{by}{l}\n")).collect()
}

/// The details of a failed case, as text.
fn failure_text(run: &CaseRun) -> String {
    let mut out = String::new();
    if let Some(e) = &run.error {
        out.push_str(&indent(e, "     "));
        return out;
    }
    for d in &run.differences {
        out.push_str(&format!("     {d}\n"));
    }
    if !run.questions.is_empty() {
        out.push_str("     open questions named above:\n");
        for q in &run.questions {
            out.push_str(&format!("       {q}\n"));
        }
    }
    if !run.facts.is_empty() {
        out.push_str("     facts of the profile:\n");
        for f in &run.facts {
            out.push_str(&format!("       {f}\n"));
        }
    }
    // A block shared by several of the rules is expanded once, under the first.
    let texts = render_texts(run.trees.iter().map(|(_, tree)| tree));
    for ((heading, _), text) in run.trees.iter().zip(&texts) {
        out.push_str(&format!("     {heading}\n"));
        out.push_str(&indent(text, "       "));
    }
    out
}

fn text_report(ut: &UnderTest, runs: &[CaseRun], cov: Option<&Coverage>, other: usize) -> String {
    let mut out = String::new();
    for run in runs {
        if run.passed() {
            out.push_str(&format!("ok   {} {}\n", run.id, run.title));
        } else {
            out.push_str(&format!("FAIL {} {} ({})\n", run.id, run.title, run.file));
            out.push_str(&failure_text(run));
        }
    }
    if let Some(cov) = cov {
        let gaps: Vec<&RuleCoverage> = cov
            .rules
            .iter()
            .filter(|r| !r.missing().is_empty())
            .collect();
        out.push_str(&format!(
            "coverage of {} {}: {} of {} rules exercised in every status they can take\n",
            ut.regime.id(),
            ut.regime.header.version,
            cov.rules.len() - gaps.len(),
            cov.rules.len()
        ));
        for r in gaps {
            out.push_str(&format!(
                "  {}: never {} (exercised: {})\n",
                r.id,
                statuses(&r.missing()),
                if r.exercised.is_empty() {
                    "nothing".to_string()
                } else {
                    statuses(&r.exercised)
                }
            ));
        }
        if cov.blocks_never_evaluated.is_empty() {
            out.push_str("  every block is evaluated by some case\n");
        } else {
            out.push_str(&format!(
                "  blocks never evaluated: {}\n",
                cov.blocks_never_evaluated.join(", ")
            ));
        }
    }
    let passed = runs.iter().filter(|r| r.passed()).count();
    let other_note = if other > 0 {
        format!(
            "; {other} file(s) hold no [expected.{}] and are not cases of this regime",
            ut.regime.header.case_key
        )
    } else {
        String::new()
    };
    out.push_str(&format!(
        "{passed} passed, {} failed{other_note}\n",
        runs.len() - passed
    ));
    out
}

fn json_report(ut: &UnderTest, runs: &[CaseRun], cov: Option<&Coverage>, other: usize) -> String {
    let cases: Vec<serde_json::Value> = runs
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "title": r.title,
                "file": r.file,
                "status": if r.error.is_some() { "error" } else if r.passed() { "passed" } else { "failed" },
                "error": r.error,
                "differences": r.differences.iter().map(|d| json!({"rule": d.rule, "message": d.message})).collect::<Vec<_>>(),
                "facts": r.facts,
                "open_questions": r.questions,
                "trees": r.trees.iter().map(|(h, t)| json!({"rule": h, "tree": t})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let coverage = cov.map(|c| {
        json!({
            "rules": c.rules.iter().map(|r| json!({
                "id": r.id,
                "possible": r.possible.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                "exercised": r.exercised.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                "missing": r.missing().iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "blocks_never_evaluated": c.blocks_never_evaluated,
        })
    });
    let passed = runs.iter().filter(|r| r.passed()).count();
    let doc = json!({
        "regime": ut.regime.id(),
        "version": ut.regime.header.version,
        "passed": passed,
        "failed": runs.len() - passed,
        "not_cases_of_this_regime": other,
        "cases": cases,
        "coverage": coverage,
    });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    )
}

/// Escapes text for XML attributes and content; drops characters XML 1.0 cannot carry.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn junit_report(ut: &UnderTest, runs: &[CaseRun]) -> String {
    let failures = runs
        .iter()
        .filter(|r| r.error.is_none() && !r.passed())
        .count();
    let errors = runs.iter().filter(|r| r.error.is_some()).count();
    let suite = xml(ut.regime.id());
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"juxta regime test\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\">\n  <testsuite name=\"{suite}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"0\">\n",
        runs.len(),
        runs.len()
    );
    for r in runs {
        out.push_str(&format!(
            "    <testcase classname=\"{suite}\" name=\"{}\" file=\"{}\"",
            xml(&format!("{} {}", r.id, r.title)),
            xml(&r.file)
        ));
        if r.passed() {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
        let (tag, message) = match &r.error {
            Some(e) => ("error", e.lines().next().unwrap_or_default().to_string()),
            None => (
                "failure",
                format!(
                    "{} difference(s) from the expected outcome",
                    r.differences.len()
                ),
            ),
        };
        out.push_str(&format!(
            "      <{tag} message=\"{}\">{}</{tag}>\n    </testcase>\n",
            xml(&message),
            xml(&failure_text(r))
        ));
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

pub(crate) fn test(ctx: &mut Ctx<'_, '_>, a: &TestArgs) -> Exit {
    let is_plugin = a.target.extension().is_some_and(|x| x == "wasm");
    let ut = if is_plugin {
        match load_plugin(&a.target) {
            Ok(ut) => ut,
            Err(e) => return ctx.fail(Exit::Error, &e),
        }
    } else {
        match load_source(ctx, &a.target) {
            Ok(ut) => ut,
            Err(Some(e)) => return ctx.fail(Exit::Error, &e),
            Err(None) => return Exit::Error,
        }
    };
    let dir = a.cases.clone().unwrap_or_else(|| ut.default_cases.clone());
    let files = match case_files(&dir) {
        Ok(f) => f,
        Err(e) => return ctx.fail(Exit::Error, &e),
    };
    let key = ut.regime.header.case_key.clone();
    let mut runs = Vec::new();
    let mut other = 0;
    for file in &files {
        let shown = file.display().to_string();
        let unreadable = |error: String| CaseRun {
            id: file
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default(),
            title: String::new(),
            file: shown.clone(),
            error: Some(error),
            differences: Vec::new(),
            facts: Vec::new(),
            questions: Vec::new(),
            trees: Vec::new(),
            statuses: Vec::new(),
            blocks: Vec::new(),
        };
        let text = match read_text(file, ctx.io.input) {
            Ok(t) => t,
            Err(e) => {
                runs.push(unreadable(e));
                continue;
            }
        };
        let case = match Case::parse(&text, &shown, &ut.schema) {
            Ok(c) => c,
            Err(e) => {
                // Part of the report on standard output (text or JSON): no colour codes.
                let plain = crate::diagnostics::Renderer::new(false, false);
                runs.push(unreadable(plain.case_error(&e, &text)));
                continue;
            }
        };
        match run_case(&ut, &case, &key, shown.clone()) {
            Some(run) => runs.push(run),
            None => other += 1,
        }
    }
    let cov = a.coverage.then(|| coverage(&ut.regime, &runs));
    // Case titles, a plugin's errors and texts: shown, never obeyed.
    let report = match a.format {
        TestFormat::Text => {
            crate::visible::escape(&text_report(&ut, &runs, cov.as_ref(), other)).into_owned()
        }
        TestFormat::Json => crate::visible::json(json_report(&ut, &runs, cov.as_ref(), other)),
        TestFormat::Junit => crate::visible::escape(&junit_report(&ut, &runs)).into_owned(),
    };
    if ctx.io.out.write_all(report.as_bytes()).is_err() {
        return Exit::Error;
    }
    if runs.is_empty() || runs.iter().any(|r| !r.passed()) {
        Exit::ChecksFailed
    } else {
        Exit::Success
    }
}

#[cfg(test)]
mod tests {
    use super::xml;

    #[test]
    fn xml_escapes_markup_and_drops_control_characters() {
        assert_eq!(
            xml("a<b & \"c\" 'd'>\u{1}"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;"
        );
    }
}
