//! Loaded regimes: plugins compiled in the sandbox, their manifests compiled by the kernel, and
//! the evaluation of a profile by all of them side by side.
//!
//! A plugin that fails — at load, instantiation, manifest or call — fails its own column: the
//! comparison still carries every other regime.

use std::sync::Arc;

use juxta_core::eval::{Facts, FunctionHost};
use juxta_core::profile::Profile;
use juxta_core::regime::{Regime, Source};
use juxta_core::report::{Comparison, KernelInfo, RegimeReport};
use juxta_core::schema::Schema;

use crate::bundled::{BUNDLED, sha256_hex};
use crate::sandbox::{Phase, Plugin, PluginError, Sandbox};

/// Where a regime came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Embedded in the binary.
    Bundled,
    /// A plugin file.
    File(String),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Bundled => f.write_str("bundled"),
            Origin::File(p) => f.write_str(p),
        }
    }
}

/// A regime whose plugin loaded and whose manifest compiled.
pub struct LoadedRegime {
    /// The compiled regime.
    pub regime: Arc<Regime>,
    /// Where it came from.
    pub origin: Origin,
    /// SHA-256 of the plugin's bytes.
    pub sha256: String,
    sandbox: Arc<Sandbox>,
    plugin: Arc<Plugin>,
}

impl LoadedRegime {
    /// A handle for calling this plugin's custom functions. Every call runs in a fresh
    /// instance: custom functions are pure, so results cannot depend on earlier calls, on the
    /// worker that made them, or on `--jobs`.
    pub fn functions(&self) -> Arc<dyn FunctionHost> {
        Arc::new(PluginFunctions {
            sandbox: Arc::clone(&self.sandbox),
            plugin: Arc::clone(&self.plugin),
            id: self.regime.id().to_string(),
            version: self.regime.header.version.clone(),
        })
    }
}

/// A regime whose plugin or manifest failed.
#[derive(Clone, Debug)]
pub struct FailedRegime {
    /// The regime id, or the plugin's file stem when the manifest could not be read.
    pub id: String,
    /// Where it came from.
    pub origin: Origin,
    /// SHA-256 of the plugin's bytes.
    pub sha256: String,
    /// What went wrong.
    pub error: String,
}

/// One column: a regime ready to evaluate, or the reason it is not.
pub enum Entry {
    /// Ready.
    Ready(LoadedRegime),
    /// Failed.
    Failed(FailedRegime),
}

impl Entry {
    /// The regime id (or the plugin's name if its manifest was never read).
    pub fn id(&self) -> &str {
        match self {
            Entry::Ready(r) => r.regime.id(),
            Entry::Failed(f) => &f.id,
        }
    }

    /// Where it came from.
    pub fn origin(&self) -> &Origin {
        match self {
            Entry::Ready(r) => &r.origin,
            Entry::Failed(f) => &f.origin,
        }
    }

    /// SHA-256 of the plugin.
    pub fn sha256(&self) -> &str {
        match self {
            Entry::Ready(r) => &r.sha256,
            Entry::Failed(f) => &f.sha256,
        }
    }
}

/// The regimes juxta evaluates with.
pub struct RegimeSet {
    sandbox: Arc<Sandbox>,
    schema: Arc<Schema>,
    entries: Vec<Entry>,
}

/// A plugin to load: its name (a file stem), origin and bytes.
pub struct PluginSource<'a> {
    /// Name used until the manifest gives the regime id.
    pub name: String,
    /// Where it comes from.
    pub origin: Origin,
    /// The component's bytes.
    pub bytes: &'a [u8],
    /// A checksum the bytes must have, if pinned.
    pub expected_sha256: Option<String>,
}

impl RegimeSet {
    /// An empty set.
    pub fn new(sandbox: Arc<Sandbox>, schema: Arc<Schema>) -> RegimeSet {
        RegimeSet {
            sandbox,
            schema,
            entries: Vec::new(),
        }
    }

    /// The set of bundled regimes.
    pub fn bundled(sandbox: Arc<Sandbox>, schema: Arc<Schema>) -> RegimeSet {
        let mut set = RegimeSet::new(sandbox, schema);
        let sources: Vec<PluginSource<'_>> = BUNDLED
            .iter()
            .map(|b| PluginSource {
                name: b.id().to_string(),
                origin: Origin::Bundled,
                bytes: b.bytes,
                expected_sha256: crate::bundled::recorded_sha256(b.file).map(str::to_string),
            })
            .collect();
        set.load(sources);
        set
    }

    /// Loads plugins (in parallel: compiling is the slow part) and adds them to the set.
    /// A plugin claiming the id of a regime already in the set is refused, naming both origins.
    pub fn load(&mut self, sources: Vec<PluginSource<'_>>) {
        let (sandbox, schema) = (&self.sandbox, &self.schema);
        let loaded: Vec<Entry> = std::thread::scope(|scope| {
            let handles: Vec<_> = sources
                .iter()
                .map(|s| scope.spawn(move || load_one(sandbox, schema, s)))
                .collect();
            handles
                .into_iter()
                .zip(&sources)
                .map(|(h, s)| {
                    h.join().unwrap_or_else(|_| {
                        Entry::Failed(FailedRegime {
                            id: s.name.clone(),
                            origin: s.origin.clone(),
                            sha256: sha256_hex(s.bytes),
                            error: format!("plugin `{}`: load: the loader crashed", s.name),
                        })
                    })
                })
                .collect()
        });
        for entry in loaded {
            let clash = self
                .entries
                .iter()
                .find(|e| e.id() == entry.id())
                .map(|e| e.origin().clone());
            match clash {
                Some(first) => self.entries.push(Entry::Failed(FailedRegime {
                    id: entry.id().to_string(),
                    origin: entry.origin().clone(),
                    sha256: entry.sha256().to_string(),
                    error: format!(
                        "regime id `{}` is claimed twice: by {} and by {}; remove one of them",
                        entry.id(),
                        first,
                        entry.origin()
                    ),
                })),
                None => self.entries.push(entry),
            }
        }
        self.entries.sort_by(|a, b| a.id().cmp(b.id()));
    }

    /// The columns, in id order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The schema regimes were compiled against.
    pub fn schema(&self) -> &Arc<Schema> {
        &self.schema
    }

    /// Adds a plugin that is refused before loading (unpinned, unreadable), as a failed column.
    pub fn refuse(&mut self, name: &str, origin: Origin, sha256: &str, error: String) {
        self.entries.push(Entry::Failed(FailedRegime {
            id: name.to_string(),
            origin,
            sha256: sha256.to_string(),
            error,
        }));
        self.entries.sort_by(|a, b| a.id().cmp(b.id()));
    }

    /// Keeps only the regimes whose ids are listed; returns the ids that matched none.
    pub fn retain(&mut self, ids: &[String]) -> Vec<String> {
        let unknown: Vec<String> = ids
            .iter()
            .filter(|id| !self.entries.iter().any(|e| e.id() == id.as_str()))
            .cloned()
            .collect();
        self.entries.retain(|e| ids.iter().any(|id| id == e.id()));
        unknown
    }

    /// Evaluates a profile with every regime of the set.
    pub fn compare(&self, profile: &Profile, label: &str) -> Comparison {
        let facts = Facts::new(profile, &self.schema);
        let regimes = self
            .entries
            .iter()
            .map(|entry| match entry {
                Entry::Failed(f) => RegimeReport::failed(&f.id, None, &f.sha256, f.error.clone()),
                Entry::Ready(r) => {
                    let host = (!r.regime.functions.is_empty()).then(|| r.functions());
                    match r.regime.evaluate(&facts, host) {
                        Ok(ev) => RegimeReport::from_evaluation(&r.regime, &ev, &facts, &r.sha256),
                        Err(e) => RegimeReport::failed(
                            r.regime.id(),
                            Some(&r.regime),
                            &r.sha256,
                            e.to_string(),
                        ),
                    }
                }
            })
            .collect();
        Comparison {
            profile: label.to_string(),
            as_of: profile.as_of().to_string(),
            kernel: KernelInfo {
                version: juxta_core::KERNEL_VERSION.to_string(),
                facts_schema: self.schema.version().to_string(),
            },
            regimes,
        }
    }
}

fn load_one(sandbox: &Arc<Sandbox>, schema: &Arc<Schema>, source: &PluginSource<'_>) -> Entry {
    let sha256 = sha256_hex(source.bytes);
    let failed = |id: &str, error: String| {
        Entry::Failed(FailedRegime {
            id: id.to_string(),
            origin: source.origin.clone(),
            sha256: sha256.clone(),
            error,
        })
    };
    if let Some(expected) = &source.expected_sha256
        && *expected != sha256
    {
        let remedy = match source.origin {
            Origin::Bundled => {
                "plugins/dist/SHA256SUMS is stale: rebuild with `juxta regime build`"
            }
            Origin::File(_) => "the plugin changed since it was pinned",
        };
        return failed(
            &source.name,
            format!(
                "plugin `{}`: load: its sha256 is {sha256} but {expected} is pinned; refusing it ({remedy})",
                source.name
            ),
        );
    }
    let started = std::time::Instant::now();
    let plugin = match sandbox.load(source.bytes, &source.name) {
        Ok(p) => Arc::new(p),
        Err(e) => return failed(&source.name, e.to_string()),
    };
    let mut instance = match sandbox.instantiate(&plugin, &source.name, None) {
        Ok(i) => i,
        Err(e) => return failed(&source.name, e.to_string()),
    };
    let compiled = started.elapsed();
    let manifest = match instance.manifest() {
        Ok(m) => m,
        Err(e) => return failed(&source.name, e.to_string()),
    };
    let origin = format!("plugin `{}` ({})", source.name, source.origin);
    let regime = match Regime::compile(
        &Source {
            origin: &origin,
            text: &manifest,
        },
        Arc::clone(schema),
    ) {
        Ok(r) => r,
        Err(e) => {
            let err = PluginError {
                plugin: e.regime.clone().unwrap_or_else(|| source.name.clone()),
                version: None,
                phase: Phase::Manifest,
                message: format!("the manifest does not compile:\n{e}"),
            };
            return failed(e.regime.as_deref().unwrap_or(&source.name), err.to_string());
        }
    };
    tracing::debug!(
        plugin = %source.name,
        origin = %source.origin,
        bytes = source.bytes.len(),
        compile_ms = compiled.as_secs_f64() * 1e3,
        total_ms = started.elapsed().as_secs_f64() * 1e3,
        rules = regime.rules.len(),
        "plugin loaded"
    );
    Entry::Ready(LoadedRegime {
        regime: Arc::new(regime),
        origin: source.origin.clone(),
        sha256,
        sandbox: Arc::clone(sandbox),
        plugin,
    })
}

/// Custom functions of one plugin: each call in a fresh instance.
struct PluginFunctions {
    sandbox: Arc<Sandbox>,
    plugin: Arc<Plugin>,
    id: String,
    version: String,
}

impl FunctionHost for PluginFunctions {
    fn call(&self, name: &str, args_json: &str) -> Result<String, String> {
        let mut instance = self
            .sandbox
            .instantiate(&self.plugin, &self.id, Some(&self.version))
            .map_err(|e| e.to_string())?;
        instance.call(name, args_json).map_err(|e| e.to_string())
    }
}
