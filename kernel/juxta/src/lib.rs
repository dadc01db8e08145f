//! # juxta
//!
//! What each jurisdiction requires of, and invites from, an AI model, side by side. This is the
//! library every juxta front end stands on — the `juxta` command, the Python package, the
//! offline app — so that each of them loads regimes, reads profiles, compares, explains and
//! evaluates batches in exactly one way.
//!
//! A lab describes a model once (a *profile*: training compute, release dates, markets, …). An
//! [`Engine`] holds the regimes — the bundled ones, plus third-party plugins pinned in
//! `juxta.lock` — and evaluates the profile with each of them. The result, a [`Comparison`], is
//! the JSON result contract (`docs/contract.md`) and the view model every renderer reads.
//!
//! ```
//! use juxta::{Engine, ProfileFormat};
//!
//! let engine = Engine::bundled()?;
//! let profile = engine.profile(
//!     "schema_version = \"1\"\n\
//!      [model]\nid = \"m\"\ntraining_compute_flop = 3e25\n\
//!      [evaluation]\nas_of = 2026-12-01\n",
//!     ProfileFormat::Toml,
//!     "example.toml",
//! )?;
//! let comparison = engine.compare(&profile, juxta::Detail::Standard);
//! let eu = comparison.regimes.iter().find(|r| r.id == "eu-ai-act-gpai").unwrap();
//! let sr = eu.rules.iter().find(|f| f.id == "EU-CLS-SR").unwrap();
//! println!("{}: {:?} ({})", sr.title, sr.status, sr.citation);
//! let options = juxta::render::Options::new(comparison.as_of);
//! let markdown = juxta::render::render(&comparison, juxta::render::Format::Markdown, &options)?;
//! assert!(markdown.contains("EU AI Act"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Layers: `juxta-sdk` (the formats) → `juxta-core` (schema, compiler, evaluation, the view
//! model) → `juxta-host` (the sandbox, plugin loading and pinning) → this crate; `juxta-render`
//! (table, Markdown, HTML) depends on `juxta-core` only and is re-exported as [`render`].
#![forbid(unsafe_code)]

pub mod batch;
pub mod fsio;
mod what_if;

use std::sync::Arc;

pub use juxta_core::explain::ExplainError;
pub use juxta_core::explanation::Explanation;
pub use juxta_core::profile::{Format as ProfileFormat, Profile, ProfileError};
pub use juxta_core::report::{Comparison, Finding, RegimeReport, Status};
pub use juxta_core::schema::Schema;
pub use juxta_host::policy::{PluginOptions, PolicyError};
pub use juxta_host::{Entry, RegimeSet};
pub use juxta_render as render;
pub use what_if::WhatIf;

pub use juxta_sdk::Date;

/// Why the engine could not do what was asked. Each message names the file, fact, rule or
/// regime at fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Plugins could not be loaded or pinned.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// A regime was asked for that is not loaded.
    #[error(
        "unknown regime {}; the regimes are {}",
        juxta_core::diag::code_list(.unknown.clone()),
        .available.join(", ")
    )]
    UnknownRegime {
        /// The ids that matched none.
        unknown: Vec<String>,
        /// The loaded regimes' ids.
        available: Vec<String>,
    },
    /// A what-if question names an unknown fact or gives a wrong value.
    #[error("{0}")]
    WhatIf(String),
    /// A rule or computed value could not be explained: no loaded regime has it, several
    /// declare it, or its regime failed on the profile.
    #[error(transparent)]
    Explain(#[from] juxta_core::explain::ExplainError),
}

/// How much of the view model a comparison computes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Detail {
    /// Findings, computed values and everything the table, Markdown and the JSON contract
    /// show: one evaluation per regime.
    #[default]
    Standard,
    /// Also what would change each rule (`Finding::would_change`), which the HTML report and
    /// `--format json --full` show: the regime is evaluated again for each candidate value of
    /// each fact a rule reads, about 45 times the cost of [`Detail::Standard`] on the bundled
    /// regimes (BENCHMARKS.md).
    Full,
}

/// The regimes juxta evaluates with, and everything it does with them.
pub struct Engine {
    set: RegimeSet,
}

impl Engine {
    /// The bundled regimes only.
    /// The bundled regimes only (no configuration file is read).
    pub fn bundled() -> Result<Engine, Error> {
        Ok(Engine {
            set: juxta_host::policy::bundled()?,
        })
    }

    /// The bundled regimes plus the third-party plugins of `options` (and of `juxta.toml`),
    /// each pinned in the lock file. A plugin that is not pinned, or whose bytes differ from
    /// its pin, becomes a failed column: the other regimes still work.
    pub fn load(options: &PluginOptions) -> Result<Engine, Error> {
        Ok(Engine {
            set: juxta_host::policy::load(options)?,
        })
    }

    /// An engine over regimes loaded some other way (tests, a regime under development).
    pub fn from_set(set: RegimeSet) -> Engine {
        Engine { set }
    }

    /// Keeps only the regimes named (all if none is named).
    pub fn select(&mut self, ids: &[String]) -> Result<(), Error> {
        if ids.is_empty() {
            return Ok(());
        }
        let available: Vec<String> = self
            .set
            .entries()
            .iter()
            .map(|e| e.id().to_string())
            .collect();
        let unknown = self.set.retain(ids);
        if unknown.is_empty() {
            Ok(())
        } else {
            Err(Error::UnknownRegime { unknown, available })
        }
    }

    /// The loaded regimes, ready or failed, in id order.
    pub fn regimes(&self) -> &RegimeSet {
        &self.set
    }

    /// The facts schema: the core facts plus every loaded regime's namespace.
    pub fn schema(&self) -> &Arc<Schema> {
        self.set.schema()
    }

    /// Reads and validates a profile. `label` names it in messages and in the result.
    pub fn profile(
        &self,
        text: &str,
        format: ProfileFormat,
        label: &str,
    ) -> Result<Profile, ProfileError> {
        Profile::parse(text, format, label, self.schema())
    }

    /// The profile applied on another day.
    pub fn with_as_of(&self, profile: Profile, as_of: Date) -> Profile {
        profile.with_as_of(as_of, self.schema())
    }

    /// Evaluates a profile with every loaded regime: one column each, a failed regime failing
    /// its own column only.
    pub fn compare(&self, profile: &Profile, detail: Detail) -> Comparison {
        self.compare_as(profile, profile.origin(), detail)
    }

    fn compare_as(&self, profile: &Profile, label: &str, detail: Detail) -> Comparison {
        match detail {
            Detail::Standard => self.set.compare(profile, label),
            Detail::Full => self.set.compare_full(profile, label),
        }
    }

    /// Answers a what-if question: the comparison of the changed profile, with what changed
    /// against the profile as written in its `what_if` member.
    pub fn what_if(&self, profile: &Profile, question: &WhatIf, detail: Detail) -> Comparison {
        // What changed needs statuses and values only.
        let before = self.set.compare(profile, profile.origin());
        let changed = question.apply(profile, self.schema());
        let mut after = self.compare_as(&changed, profile.origin(), detail);
        after.what_if = Some(question.report(juxta_core::report::changes(&before, &after)));
        after
    }

    /// One rule, for one profile, in full: its finding, its condition tree with the values read,
    /// what would change it, and its counterparts in the other loaded regimes.
    pub fn explain(&self, profile: &Profile, rule: &str) -> Result<Explanation, Error> {
        let columns: Vec<_> = self.set.entries().iter().map(Entry::column).collect();
        Ok(juxta_core::explain::explain(
            &columns,
            self.schema(),
            profile,
            rule,
        )?)
    }

    /// One computed value (a deadline, a cap), for one profile, in full: its condition and its
    /// formula as trees with the values read, what it came to (or the bound that is certain),
    /// and the rules whose deadline it is. [`ExplainError::UnknownRule`] when no loaded regime has a
    /// computed value of that name.
    pub fn explain_computed(
        &self,
        profile: &Profile,
        name: &str,
    ) -> Result<juxta_core::explanation::ComputedExplanation, Error> {
        let columns: Vec<_> = self.set.entries().iter().map(Entry::column).collect();
        match juxta_core::explain::explain_computed(&columns, self.schema(), profile, name) {
            Some(result) => Ok(result?),
            None => Err(ExplainError::UnknownRule {
                rule: name.to_string(),
                suggestion: None,
                failed: Vec::new(),
            }
            .into()),
        }
    }

    /// Whether a loaded regime has a computed value of this name.
    pub fn has_computed(&self, name: &str) -> bool {
        self.set.entries().iter().any(|e| match e {
            Entry::Ready(r) => r.regime.computed.iter().any(|c| c.name == name),
            Entry::Failed(_) => false,
        })
    }

    /// The batch columns: one per regime, for one worker (plugin instances are per worker).
    pub fn columns(&self) -> Vec<batch::record::Column> {
        self.set
            .entries()
            .iter()
            .map(|e| match e {
                Entry::Ready(r) => batch::record::Column {
                    id: r.regime.id().to_string(),
                    regime: Ok(Arc::clone(&r.regime)),
                    host: r.host(),
                },
                Entry::Failed(f) => batch::record::Column {
                    id: f.id.clone(),
                    regime: Err(f.error.clone()),
                    host: None,
                },
            })
            .collect()
    }

    /// Checks that every column can be written: no two regimes share a name and none takes a
    /// record field's name.
    pub fn check_columns(&self) -> Result<(), String> {
        batch::unique_columns(self.set.entries().iter().map(Entry::id))
    }

    /// Evaluates every record of `source` into `sink`, in input order, with `options.jobs`
    /// workers; `progress` is told the records and bytes done after each chunk. A record that
    /// fails becomes an error record; only the input or the output failing stops the run.
    /// JSON lines are written in `options.layout`; a Parquet sink has its layout already
    /// ([`Engine::batcher`]).
    pub fn batch(
        &self,
        source: Box<dyn batch::input::Source + '_>,
        sink: &mut dyn batch::output::Sink,
        options: &BatchOptions,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<batch::Stats, batch::output::Stop> {
        let schema = self.schema();
        let catalog = match options.layout {
            batch::Layout::Wide => None,
            batch::Layout::Long => Some(batch::record::Catalog::new(&self.columns())),
        };
        let render = |record: &batch::record::BatchRecord, out: &mut Vec<u8>| match &catalog {
            None => {
                record.to_json_line(out);
                out.push(b'\n');
            }
            Some(catalog) => record.to_long_json_lines(catalog, out),
        };
        // JSON lines of the wide layout are written by the workers straight from the
        // evaluation; Parquet and the long layout build records.
        let direct = (options.json_output && options.layout == batch::Layout::Wide).then(|| {
            let columns = self.columns();
            batch::line::Fragments::new(
                schema,
                columns
                    .iter()
                    .map(|c| (c.id.as_str(), c.regime.as_deref().ok())),
            )
        });
        let worker = || -> batch::pipeline::Work<'_> {
            let columns = self.columns();
            let (id_field, as_of, direct) = (&options.id_field, options.as_of, direct.as_ref());
            // Each column's last evaluation, whose room the next record's reuses.
            let mut spare: Vec<Option<juxta_core::eval::Evaluation>> =
                columns.iter().map(|_| None).collect();
            Box::new(move |inp: &batch::input::Input, out: &mut Vec<u8>| {
                let ev = batch::record::Evaluator {
                    schema,
                    columns: &columns,
                    id_field,
                    as_of,
                };
                match direct {
                    // Passthrough columns are written from the record.
                    Some(fragments) if inp.pass.is_none() => batch::pipeline::Emit::Written {
                        failed: ev.write_json_line(inp, fragments, &mut spare, out),
                    },
                    _ => batch::pipeline::Emit::Record(ev.record(inp)),
                }
            })
        };
        let ignored_columns = source.ignored_columns();
        let mut stats = batch::pipeline::run(
            source,
            options.jobs,
            &worker,
            sink,
            options
                .json_output
                .then_some(&render as &batch::pipeline::Render<'_>),
            progress,
        )?;
        stats.ignored_columns = ignored_columns;
        Ok(stats)
    }

    /// Where a batch's results come from: this juxta, each regime's id, version, origin and
    /// plugin sha256, and the day the law is applied on if the run gives one. Written into
    /// Parquet and Arrow outputs ([`batch::output::Provenance`]).
    pub fn provenance(&self, as_of: Option<Date>) -> batch::output::Provenance {
        batch::output::Provenance {
            juxta_version: env!("CARGO_PKG_VERSION").to_string(),
            regimes: self
                .set
                .entries()
                .iter()
                .map(|e| batch::output::RegimeProvenance {
                    id: e.id().to_string(),
                    version: match e {
                        Entry::Ready(r) => Some(r.regime.header.version.clone()),
                        Entry::Failed(_) => None,
                    },
                    origin: e.origin().to_string(),
                    sha256: e.sha256().to_string(),
                    error: match e {
                        Entry::Ready(_) => None,
                        Entry::Failed(f) => Some(f.error.clone()),
                    },
                })
                .collect(),
            as_of,
        }
    }

    /// The batcher of Arrow (and Parquet) output for these regimes, in `layout`, with the
    /// passthrough columns of `pass` and this run's provenance.
    pub fn batcher(
        &self,
        layout: batch::Layout,
        pass: Option<arrow_schema::SchemaRef>,
        as_of: Option<Date>,
    ) -> Result<batch::output::Batcher, String> {
        batch::output::Batcher::new(&self.columns(), layout, pass, &self.provenance(as_of))
    }
}

pub use batch::BatchOptions;
