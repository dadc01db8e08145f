//! juxta for Python: the [`juxta::Engine`] behind a small module, `juxta._juxta`, wrapped by
//! the pure-Python package `juxta` (`python/juxta/__init__.py`), which turns dicts, paths and
//! DataFrames into what this module takes.
//!
//! Profiles cross as text (TOML or JSON) with a label, results as the JSON of the result
//! contract (`docs/contract.md`), which the package loads into Python objects: the same bytes
//! the CLI's `--format json` writes. Tables cross through the Arrow PyCapsule interface
//! (`__arrow_c_stream__`), without copies, and come back as `pyarrow.Table`s in the schema of
//! `juxta batch`'s Parquet output. Evaluation runs on the engine's worker threads with the GIL
//! released.
//!
//! This crate binds the façade (`juxta`) and nothing else: every rule of reading, validating,
//! evaluating and writing is the library's, so that Python and the CLI cannot differ.

use std::path::PathBuf;

use arrow_pyarrow::{FromPyArrow, IntoPyArrow, Table};
use juxta::batch::input::{ArrowRows, ColumnOptions, column_list};
use juxta::batch::output::ArrowSink;
use juxta::batch::{BatchOptions, Layout};
use juxta::{Detail, Engine, PluginOptions, ProfileFormat, WhatIf};
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The engine's allocations (not Python's) go to jemalloc, as in the `juxta` binary. Arrow
/// buffers handed to Python are freed through their release callbacks, by this allocator.
#[cfg(all(unix, not(target_env = "musl")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

pyo3::create_exception!(
    _juxta,
    JuxtaError,
    PyException,
    "Something juxta could not do: the message names the file, line, field, rule or regime."
);
pyo3::create_exception!(
    _juxta,
    ProfileError,
    JuxtaError,
    "A profile that does not validate: every problem, each with its file, line, column and field."
);
pyo3::create_exception!(
    _juxta,
    PluginError,
    JuxtaError,
    "Plugins that cannot be loaded or pinned (one failing plugin is a failed column instead)."
);

fn juxta_error(e: impl std::fmt::Display) -> PyErr {
    JuxtaError::new_err(e.to_string())
}

fn profile_error(e: &juxta::ProfileError) -> PyErr {
    Python::attach(|py| {
        let err = ProfileError::new_err(e.to_string());
        let problems: PyResult<Vec<Bound<'_, PyDict>>> = e
            .problems
            .iter()
            .map(|p| {
                let d = PyDict::new(py);
                d.set_item("location", p.location.as_ref().map(ToString::to_string))?;
                d.set_item("field", p.field.clone())?;
                d.set_item("message", p.message.clone())?;
                d.set_item("help", p.help.clone())?;
                Ok(d)
            })
            .collect();
        let value = err.value(py);
        // Attributes beside the message; the message alone is the error if they cannot be set.
        let _ = value.setattr("origin", e.origin.clone());
        if let Ok(problems) = problems {
            let _ = value.setattr("problems", problems);
        }
        err
    })
}

fn layout_of(name: &str) -> PyResult<Layout> {
    match name {
        "wide" => Ok(Layout::Wide),
        "long" => Ok(Layout::Long),
        other => Err(PyValueError::new_err(format!(
            "layout={other:?}: the layouts are \"wide\" and \"long\""
        ))),
    }
}

fn format_of(name: &str) -> PyResult<ProfileFormat> {
    match name {
        "toml" => Ok(ProfileFormat::Toml),
        "json" => Ok(ProfileFormat::Json),
        other => Err(PyValueError::new_err(format!(
            "format={other:?}: a profile is \"toml\" or \"json\""
        ))),
    }
}

fn day(as_of: Option<&str>, what: &str) -> PyResult<Option<juxta::Date>> {
    as_of
        .map(|d| {
            d.parse::<juxta::Date>()
                .map_err(|e| PyValueError::new_err(format!("{what}={d:?}: {e}")))
        })
        .transpose()
}

/// The regimes juxta evaluates with (`juxta.Engine` wraps it).
#[pyclass(name = "Engine", module = "juxta._juxta", frozen)]
struct Engine_ {
    engine: Engine,
}

impl Engine_ {
    fn profile(
        &self,
        text: &str,
        format: &str,
        label: &str,
        as_of: Option<&str>,
    ) -> PyResult<juxta::Profile> {
        let profile = self
            .engine
            .profile(text, format_of(format)?, label)
            .map_err(|e| profile_error(&e))?;
        Ok(match day(as_of, "as_of")? {
            Some(d) => self.engine.with_as_of(profile, d),
            None => profile,
        })
    }
}

#[pymethods]
impl Engine_ {
    /// The bundled regimes, or with `plugins` (directories of `*.wasm`) the bundled regimes
    /// plus the plugins pinned in `lock` (default: `juxta.lock` beside `config`, or in the
    /// current directory) — the CLI's policy. `regimes` keeps only those named.
    #[new]
    #[pyo3(signature = (plugins=Vec::new(), lock=None, config=None, regimes=Vec::new()))]
    fn new(
        plugins: Vec<PathBuf>,
        lock: Option<PathBuf>,
        config: Option<PathBuf>,
        regimes: Vec<String>,
    ) -> PyResult<Self> {
        let mut engine = if plugins.is_empty() && lock.is_none() && config.is_none() {
            Engine::bundled()
        } else {
            Engine::load(&PluginOptions {
                plugins,
                lock,
                config,
            })
        }
        .map_err(|e| PluginError::new_err(e.to_string()))?;
        engine.select(&regimes).map_err(juxta_error)?;
        Ok(Engine_ { engine })
    }

    /// The loaded regimes: id, version, origin, sha256 and, for a failed one, its error (JSON).
    fn regimes_json(&self) -> String {
        serde_json::to_string(&self.engine.provenance(None).regimes).unwrap_or_default()
    }

    /// The facts schema as JSON Schema (JSON text).
    fn schema_json(&self) -> String {
        self.engine.schema().json_schema().to_string()
    }

    /// The comparison of one profile (TOML or JSON text), as the JSON of the result contract;
    /// `full` adds what would change each rule (`--format json --full`).
    #[pyo3(signature = (text, format, label, as_of=None, full=false))]
    fn compare(
        &self,
        py: Python<'_>,
        text: &str,
        format: &str,
        label: &str,
        as_of: Option<&str>,
        full: bool,
    ) -> PyResult<String> {
        let profile = self.profile(text, format, label, as_of)?;
        let detail = if full { Detail::Full } else { Detail::Standard };
        let cmp = py.detach(|| self.engine.compare(&profile, detail));
        let shown = if full { cmp.clone() } else { cmp.contract() };
        serde_json::to_string(&shown).map_err(juxta_error)
    }

    /// The comparison of the profile with facts set (`path=value`, as `--set`) or made unknown
    /// (`--unset`), with what changed, as the JSON of the result contract.
    #[pyo3(signature = (text, format, label, set, unset, as_of=None))]
    #[allow(clippy::too_many_arguments)] // Python's keyword arguments, one per parameter
    fn what_if(
        &self,
        py: Python<'_>,
        text: &str,
        format: &str,
        label: &str,
        set: Vec<String>,
        unset: Vec<String>,
        as_of: Option<&str>,
    ) -> PyResult<String> {
        let profile = self.profile(text, format, label, as_of)?;
        let question = WhatIf::parse(self.engine.schema(), &set, &unset)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let cmp = py.detach(|| match &question {
            Some(q) => self.engine.what_if(&profile, q, Detail::Standard),
            None => self.engine.compare(&profile, Detail::Standard),
        });
        serde_json::to_string(&cmp.contract()).map_err(juxta_error)
    }

    /// One rule (or computed value) for one profile, in full, as JSON (`explain --format json`).
    #[pyo3(signature = (text, format, label, rule, as_of=None))]
    fn explain(
        &self,
        py: Python<'_>,
        text: &str,
        format: &str,
        label: &str,
        rule: &str,
        as_of: Option<&str>,
    ) -> PyResult<String> {
        let profile = self.profile(text, format, label, as_of)?;
        let engine = &self.engine;
        let value = py.detach(|| match engine.explain(&profile, rule) {
            Ok(e) => Ok(serde_json::to_string(&e)),
            Err(juxta::Error::Explain(juxta::ExplainError::UnknownRule { .. }))
                if engine.has_computed(rule) =>
            {
                engine
                    .explain_computed(&profile, rule)
                    .map(|e| serde_json::to_string(&e))
            }
            Err(e) => Err(e),
        });
        value.map_err(juxta_error)?.map_err(juxta_error)
    }

    /// Evaluates every row of an Arrow stream (anything with `__arrow_c_stream__`) into a
    /// `pyarrow.Table` in the schema of `juxta batch`'s Parquet output, and a dict of counts.
    /// A row that fails is an error row: only an input that cannot be read at all raises.
    #[pyo3(signature = (data, layout="wide", jobs=None, as_of=None, id_field="model.id", passthrough=Vec::new(), strict_columns=false, line_column=None))]
    #[allow(clippy::too_many_arguments)] // Python's keyword arguments, one per parameter
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        layout: &str,
        jobs: Option<usize>,
        as_of: Option<&str>,
        id_field: &str,
        passthrough: Vec<String>,
        strict_columns: bool,
        line_column: Option<String>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyDict>)> {
        let layout = layout_of(layout)?;
        let as_of = day(as_of, "as_of")?;
        let jobs = match jobs {
            Some(0) => return Err(PyValueError::new_err("jobs=0: at least one worker")),
            Some(n) => n.min(256),
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        self.engine.check_columns().map_err(JuxtaError::new_err)?;
        let (batches, schema) = Table::from_pyarrow_bound(data)?.into_inner();
        let options = ColumnOptions {
            passthrough,
            strict: strict_columns,
            line: line_column,
        };
        let rows = ArrowRows::new(
            &schema,
            Box::new(batches.into_iter().map(Ok)),
            self.engine.schema(),
            &options,
            "the table",
        )
        .map_err(PyValueError::new_err)?;
        let batcher = self
            .engine
            .batcher(layout, rows.passthrough_schema(), as_of)
            .map_err(PyValueError::new_err)?;
        let mut sink = ArrowSink::new(batcher);
        let batch_options = BatchOptions {
            jobs,
            id_field: id_field.split('.').map(str::to_string).collect(),
            as_of,
            json_output: false,
            layout,
        };
        let result = py.detach(|| {
            self.engine
                .batch(Box::new(rows), &mut sink, &batch_options, &mut |_, _| {})
        });
        let stats = match result {
            Ok(s) => s,
            Err(juxta::batch::output::Stop::Failed(e)) => return Err(JuxtaError::new_err(e)),
            Err(juxta::batch::output::Stop::OutputClosed) => {
                return Err(JuxtaError::new_err("the output closed"));
            }
        };
        let schema = sink.schema();
        let table = Table::try_new(std::mem::take(&mut sink.batches), schema)
            .map_err(juxta_error)?
            .into_pyarrow(py)?;
        let counts = PyDict::new(py);
        counts.set_item("records", stats.records)?;
        counts.set_item("failed", stats.failed)?;
        if !stats.ignored_columns.is_empty() {
            let listed = column_list(&stats.ignored_columns, self.engine.schema());
            counts.set_item("ignored_note", listed)?;
        }
        counts.set_item("ignored_columns", stats.ignored_columns)?;
        Ok((table, counts))
    }

    /// The schema `evaluate` returns for these regimes in `layout` (no passthrough columns),
    /// with the provenance metadata.
    #[pyo3(signature = (layout="wide"))]
    fn output_schema<'py>(&self, py: Python<'py>, layout: &str) -> PyResult<Bound<'py, PyAny>> {
        let layout = layout_of(layout)?;
        let batcher = self
            .engine
            .batcher(layout, None, None)
            .map_err(JuxtaError::new_err)?;
        batcher.schema().as_ref().clone().into_pyarrow(py)
    }
}

/// The module `juxta._juxta`.
#[pymodule]
fn _juxta(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Engine_>()?;
    m.add("JuxtaError", m.py().get_type::<JuxtaError>())?;
    m.add("ProfileError", m.py().get_type::<ProfileError>())?;
    m.add("PluginError", m.py().get_type::<PluginError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
