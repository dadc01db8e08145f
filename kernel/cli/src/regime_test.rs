//! `juxta regime test`: a regime's cases, from its TOML source or against a built plugin.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use juxta_core::cases::{Case, compare};
use juxta_core::eval::Facts;
use juxta_core::regime::{Regime, Source, schema_for};
use juxta_core::report::RegimeReport;
use juxta_core::schema::Schema;
use juxta_host::{Entry, Limits, Origin, PluginSource, RegimeSet, Sandbox};

use crate::args::TestArgs;
use crate::{Ctx, Exit, read_text};

/// A regime under test: compiled from source, or loaded from a plugin.
enum UnderTest {
    Source(Box<Regime>),
    Plugin(RegimeSet),
}

impl UnderTest {
    fn case_key(&self) -> String {
        match self {
            UnderTest::Source(r) => r.header.case_key.clone(),
            UnderTest::Plugin(set) => match set.entries().first() {
                Some(Entry::Ready(r)) => r.regime.header.case_key.clone(),
                _ => String::new(),
            },
        }
    }

    fn evaluate(&self, case: &Case, schema: &Schema) -> RegimeReport {
        match self {
            UnderTest::Source(regime) => {
                let facts = Facts::new(&case.profile, schema);
                match regime.evaluate(&facts, None) {
                    Ok(ev) => RegimeReport::from_evaluation(regime, &ev, &facts, "source"),
                    Err(e) => {
                        RegimeReport::failed(regime.id(), Some(regime), "source", e.to_string())
                    }
                }
            }
            UnderTest::Plugin(set) => {
                let mut cmp = set.compare(&case.profile, &case.origin);
                cmp.regimes.remove(0)
            }
        }
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

pub(crate) fn test(ctx: &mut Ctx<'_, '_>, a: &TestArgs) -> Exit {
    let is_plugin = a.target.extension().is_some_and(|x| x == "wasm");
    let (under_test, default_cases, schema) = if is_plugin {
        let bytes = match std::fs::read(&a.target) {
            Ok(b) => b,
            Err(e) => {
                return ctx.fail(
                    Exit::Error,
                    &format!("cannot read `{}`: {e}", a.target.display()),
                );
            }
        };
        let sandbox = match Sandbox::new(Limits::default()) {
            Ok(s) => Arc::new(s),
            Err(e) => return ctx.fail(Exit::Error, &e.to_string()),
        };
        let mut set = RegimeSet::new(sandbox);
        let name = a
            .target
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        set.load(vec![PluginSource {
            name,
            origin: Origin::File(a.target.display().to_string()),
            bytes: &bytes,
            expected_sha256: None,
        }]);
        let id = match set.entries().first() {
            Some(Entry::Ready(r)) => r.regime.id().to_string(),
            Some(Entry::Failed(f)) => return ctx.fail(Exit::Error, &f.error),
            None => return ctx.fail(Exit::Error, "no plugin loaded"),
        };
        let schema = Arc::clone(set.schema());
        (
            UnderTest::Plugin(set),
            PathBuf::from("regimes").join(id).join("tests"),
            schema,
        )
    } else {
        let path = a.target.join("regime.toml");
        let text = match read_text(&path, ctx.io.input) {
            Ok(t) => t,
            Err(e) => return ctx.fail(Exit::Error, &e),
        };
        let origin = path.display().to_string();
        let schema = match schema_for([text.as_str()]) {
            Ok(s) => Arc::new(s),
            Err(e) => return ctx.fail(Exit::Error, &format!("{origin}: {e}")),
        };
        match Regime::compile(
            &Source {
                origin: &origin,
                text: &text,
            },
            Arc::clone(&schema),
        ) {
            Ok(r) => (
                UnderTest::Source(Box::new(r)),
                a.target.join("tests"),
                schema,
            ),
            Err(e) => {
                let rendered = ctx.renderer().regime_error(&e, Some(&text));
                ctx.eprint(&rendered);
                return Exit::Error;
            }
        }
    };
    let dir = a.cases.clone().unwrap_or(default_cases);
    let files = match case_files(&dir) {
        Ok(f) => f,
        Err(e) => return ctx.fail(Exit::Error, &e),
    };
    let key = under_test.case_key();
    let (mut passed, mut failed, mut other) = (0, 0, 0);
    let mut report = String::new();
    for file in &files {
        let shown = file.display().to_string();
        let text = match read_text(file, ctx.io.input) {
            Ok(t) => t,
            Err(e) => {
                failed += 1;
                report.push_str(&format!("FAIL {shown}\n  {e}\n"));
                continue;
            }
        };
        let case = match Case::parse(&text, &shown, &schema) {
            Ok(c) => c,
            Err(e) => {
                failed += 1;
                report.push_str(&format!(
                    "FAIL {shown}\n{}",
                    ctx.renderer().case_error(&e, &text)
                ));
                continue;
            }
        };
        let Some(expected) = case.expected(&key) else {
            other += 1;
            continue;
        };
        let result = under_test.evaluate(&case, &schema);
        let diffs = compare(expected, &result);
        if diffs.is_empty() {
            passed += 1;
            report.push_str(&format!(
                "ok   {} {}\n",
                case.file.case.id, case.file.case.title
            ));
        } else {
            failed += 1;
            report.push_str(&format!(
                "FAIL {} {} ({shown})\n",
                case.file.case.id, case.file.case.title
            ));
            for d in diffs {
                report.push_str(&format!("     {d}\n"));
            }
        }
    }
    let other_note = if other > 0 {
        format!("; {other} file(s) hold no [expected.{key}] and are not cases of this regime")
    } else {
        String::new()
    };
    report.push_str(&format!("{passed} passed, {failed} failed{other_note}\n"));
    if ctx.io.out.write_all(report.as_bytes()).is_err() {
        return Exit::Error;
    }
    if failed > 0 || passed == 0 {
        Exit::ChecksFailed
    } else {
        Exit::Success
    }
}
