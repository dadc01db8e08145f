//! Loaded regimes: plugins compiled in the sandbox, their manifests compiled by the kernel, and
//! the evaluation of a profile by all of them side by side.
//!
//! A plugin that fails — at load, instantiation, manifest or call — fails its own column: the
//! comparison still carries every other regime.
//!
//! Loading has three steps, because regimes may add facts under their own namespaces and every
//! regime compiles against the one schema the profile is validated with: fetch each plugin's
//! manifest (in parallel, in the sandbox), then build the schema from the core and every
//! namespace (refusing id and namespace clashes, naming both origins), then compile every
//! manifest against it (in parallel).

use std::collections::HashMap;
use std::sync::Arc;

use juxta_core::eval::FunctionHost;
use juxta_core::profile::Profile;
use juxta_core::regime::parsed::ParseCache;
use juxta_core::regime::{Declared, Regime, Source, declared};
use juxta_core::report::{Column, Comparison};
use juxta_core::schema::{Schema, SchemaError};
use juxta_sdk::manifest::Manifest;

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
    plugin: Arc<Code>,
    manifest: Arc<str>,
    /// The manifest as read, JSON (a bundled plugin's; see [`crate::bundled::BundledPlugin::read`]).
    read_json: Option<&'static str>,
    /// The parse cache of the manifest (a bundled plugin's).
    parsed: Option<&'static [u8]>,
    /// The manifest's id, target schema and namespace, read once when it was fetched.
    declared: Option<Declared>,
}

/// A plugin's compiled code, or its bytes until a custom function is first called: a bundled
/// plugin's manifest is known at build time, so most starts never compile one.
enum Code {
    Compiled(Arc<Plugin>),
    Deferred {
        name: String,
        bytes: Arc<[u8]>,
        compiled: std::sync::OnceLock<Result<Arc<Plugin>, String>>,
    },
}

impl Code {
    fn get(&self, sandbox: &Sandbox) -> Result<Arc<Plugin>, String> {
        match self {
            Code::Compiled(p) => Ok(Arc::clone(p)),
            Code::Deferred {
                name,
                bytes,
                compiled,
            } => compiled
                .get_or_init(|| {
                    sandbox
                        .load(bytes, name)
                        .map(Arc::new)
                        .map_err(|e| e.to_string())
                })
                .clone(),
        }
    }
}

impl LoadedRegime {
    /// A handle for calling this plugin's custom functions. Every call runs in a fresh
    /// instance: custom functions are pure, so results cannot depend on earlier calls, on the
    /// worker that made them, or on `--jobs`.
    pub fn functions(&self) -> Arc<dyn FunctionHost> {
        Arc::new(PluginFunctions {
            sandbox: Arc::clone(&self.sandbox),
            code: Arc::clone(&self.plugin),
            id: self.regime.id().to_string(),
            version: self.regime.header.version.clone(),
        })
    }

    /// The host of this regime's custom functions, if it declares any (`None` for a regime
    /// whose rules are all CEL).
    pub fn host(&self) -> Option<Arc<dyn FunctionHost>> {
        (!self.regime.functions.is_empty()).then(|| self.functions())
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

    /// The column a comparison evaluates.
    pub fn column(&self) -> Column<'_> {
        match self {
            Entry::Ready(r) => Column::Ready {
                regime: &r.regime,
                host: r.host(),
                sha256: &r.sha256,
            },
            Entry::Failed(f) => Column::Failed {
                id: &f.id,
                sha256: &f.sha256,
                error: &f.error,
            },
        }
    }
}

/// The regimes juxta evaluates with.
pub struct RegimeSet {
    sandbox: Arc<Sandbox>,
    schema: Arc<Schema>,
    entries: Vec<Entry>,
    /// The namespaces refused plugins declare: recognised in profiles (so that a profile
    /// written for the regime still validates and only its column fails), read by no rule.
    refused_namespaces: Vec<Declared>,
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
    /// Why the policy refuses it (not pinned), if it does: it is then loaded, in the sandbox,
    /// only to read the namespace it declares, and its column fails with this reason.
    pub refused: Option<String>,
    /// The manifest it returns, where that is known without running it (a bundled plugin):
    /// the plugin is then compiled only if a custom function is called.
    pub manifest: Option<&'static str>,
    /// The bytes' SHA-256, where it was computed when juxta was built (a bundled plugin);
    /// otherwise it is computed on loading.
    pub sha256: Option<&'static str>,
    /// `manifest` as read, serialised as JSON with its spans, where juxta was built with it (a
    /// bundled plugin; see [`crate::bundled::BundledPlugin::read`]): reading it is a fraction of reading the
    /// TOML.
    pub read: Option<&'static str>,
    /// The parse cache of `manifest`, where juxta was built with one (a bundled plugin).
    pub parsed: Option<&'static [u8]>,
}

impl RegimeSet {
    /// An empty set, with the core facts schema.
    pub fn new(sandbox: Arc<Sandbox>) -> RegimeSet {
        RegimeSet {
            sandbox,
            schema: Arc::new(Schema::core()),
            entries: Vec::new(),
            refused_namespaces: Vec::new(),
        }
    }

    /// The set of bundled regimes.
    pub fn bundled(sandbox: Arc<Sandbox>) -> RegimeSet {
        let mut set = RegimeSet::new(sandbox);
        let sources: Vec<PluginSource<'_>> = BUNDLED
            .iter()
            .map(|b| PluginSource {
                name: b.id().to_string(),
                origin: Origin::Bundled,
                bytes: b.bytes,
                expected_sha256: crate::bundled::recorded_sha256(b.file).map(str::to_string),
                refused: None,
                manifest: b.manifest,
                sha256: Some(b.sha256),
                read: b.read,
                parsed: b.parsed,
            })
            .collect();
        set.load(sources);
        set
    }

    /// Loads plugins (in parallel: compiling is the slow part) and adds them to the set.
    /// A plugin claiming the id or the namespace of a regime already in the set is refused,
    /// naming both origins. Regimes already in the set are recompiled when the schema grows.
    pub fn load(&mut self, sources: Vec<PluginSource<'_>>) {
        let sandbox = &self.sandbox;
        let fetched: Vec<Result<Fetched, Refused>> = std::thread::scope(|scope| {
            let handles: Vec<_> = sources
                .iter()
                .map(|s| scope.spawn(move || fetch(sandbox, s)))
                .collect();
            handles
                .into_iter()
                .zip(&sources)
                .map(|(h, s)| {
                    h.join().unwrap_or_else(|_| {
                        Err(Refused::plain(FailedRegime {
                            id: s.name.clone(),
                            origin: s.origin.clone(),
                            sha256: s.sha256.map_or_else(|| sha256_hex(s.bytes), str::to_string),
                            error: format!("plugin `{}`: load: the loader crashed", s.name),
                        }))
                    })
                })
                .collect()
        });

        // The schema: the core, the namespaces of the regimes already here, then the new ones.
        let mut schema = Schema::core();
        let mut ready: Vec<Fetched> = Vec::new();
        let mut failed: Vec<FailedRegime> = Vec::new();
        let old = std::mem::take(&mut self.entries);
        for entry in old {
            match entry {
                Entry::Ready(r) => ready.push(Fetched {
                    name: r.regime.id().to_string(),
                    origin: r.origin,
                    sha256: r.sha256,
                    plugin: r.plugin,
                    manifest: r.manifest,
                    read: None,
                    read_json: r.read_json,
                    parsed: r.parsed,
                    declared: r.declared,
                }),
                Entry::Failed(f) => failed.push(f),
            }
        }
        for f in &ready {
            if let Some(d) = &f.declared
                && let Some(ns) = &d.namespace
                && let Err(e) = schema.add_namespace(&d.regime, &d.target, ns, &d.parameters)
            {
                // They were accepted together before, in this order: this cannot fail.
                tracing::warn!(regime = %d.regime, error = %e, "namespace refused on reload");
            }
        }
        let mut refused_namespaces = std::mem::take(&mut self.refused_namespaces);
        for f in fetched {
            let f = match f {
                Ok(f) => f,
                Err(e) => {
                    failed.push(e.failed);
                    refused_namespaces
                        .extend(e.declared.filter(|d| d.namespace.is_some()).map(|d| *d));
                    continue;
                }
            };
            let Some(d) = f.declared.clone() else {
                ready.push(f); // Compiling reports why the manifest does not read.
                continue;
            };
            let declares =
                |other: &Fetched, id: &str| other.declared.as_ref().is_some_and(|o| o.regime == id);
            let clash = ready
                .iter()
                .find(|other| declares(other, &d.regime))
                .map(|other| other.origin.clone())
                .or_else(|| {
                    failed
                        .iter()
                        .find(|other| other.id == d.regime)
                        .map(|other| other.origin.clone())
                });
            if let Some(first) = clash {
                failed.push(FailedRegime {
                    id: d.regime.clone(),
                    error: format!(
                        "regime id `{}` is claimed twice: by {} and by {}; remove one of them",
                        d.regime, first, f.origin
                    ),
                    origin: f.origin,
                    sha256: f.sha256,
                });
                continue;
            }
            if let Some(ns) = &d.namespace
                && let Err(e) = schema.add_namespace(&d.regime, &d.target, ns, &d.parameters)
            {
                let first = match &e {
                    SchemaError::Clash { first, .. } => ready
                        .iter()
                        .find(|o| declares(o, first))
                        .map(|o| format!(" (the other is {})", o.origin))
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                let err = PluginError {
                    plugin: d.regime.clone(),
                    version: None,
                    phase: Phase::Manifest,
                    message: format!("{e}{first}"),
                };
                failed.push(FailedRegime {
                    id: d.regime.clone(),
                    error: err.to_string(),
                    origin: f.origin,
                    sha256: f.sha256,
                });
                continue;
            }
            ready.push(f);
        }
        // Then the namespaces of refused plugins, where they clash with none of the above: a
        // profile written for such a regime validates, and only its column fails.
        for d in &refused_namespaces {
            // Its own table only: a fact naming itself another name of a core fact would let
            // an unreviewed plugin feed the facts every other regime reads.
            let ns = d.namespace.as_ref().map(|ns| {
                let mut own = ns.clone();
                own.facts.0.retain(|(_, f)| f.alias_of.is_none());
                own
            });
            if let Some(ns) = &ns
                && let Err(e) = schema.add_namespace(&d.regime, &d.target, ns, &d.parameters)
            {
                tracing::debug!(regime = %d.regime, error = %e, "a refused plugin's namespace is not recognised");
            }
        }
        self.refused_namespaces = refused_namespaces;
        let schema = Arc::new(schema);
        self.schema = Arc::clone(&schema);

        // Compile everything against the one schema: a regime compiled earlier holds the old
        // schema, and compiling costs about a millisecond.
        let compiled: Vec<Entry> = std::thread::scope(|scope| {
            let handles: Vec<_> = ready
                .into_iter()
                .map(|f| {
                    let (sandbox, schema) = (Arc::clone(&self.sandbox), Arc::clone(&schema));
                    let who = (f.name.clone(), f.origin.clone(), f.sha256.clone());
                    // The compiler's own stack: it then compiles on this thread.
                    let handle = std::thread::Builder::new()
                        .name("juxta-compile".into())
                        .stack_size(juxta_core::regime::budget::COMPILE_STACK_BYTES)
                        .spawn_scoped(scope, move || compile(sandbox, &schema, f));
                    (who, handle)
                })
                .collect();
            handles
                .into_iter()
                .map(|((name, origin, sha256), h)| {
                    let why = match h.map(|h| h.join()) {
                        Ok(Ok(entry)) => return entry,
                        Ok(Err(_)) => "the compiler crashed".to_string(),
                        Err(e) => format!("cannot start a thread to compile it: {e}"),
                    };
                    Entry::Failed(FailedRegime {
                        error: format!("plugin `{name}`: manifest: {why}"),
                        id: name,
                        origin,
                        sha256,
                    })
                })
                .collect()
        });
        self.entries = compiled;
        self.entries.extend(failed.into_iter().map(Entry::Failed));
        self.name_refused();
    }

    /// Renames a failed third-party plugin `plugin:<its file>` when its name would clash —
    /// with another column, with a bundled regime, or with what a regime id may be — then
    /// sorts the columns.
    ///
    /// A regime id is lower-case letters, digits and dashes, so no such name can be a regime
    /// id: an unpinned `eu-ai-act-gpai.wasm`, or a plugin claiming a bundled id, can never
    /// produce a second `eu-ai-act-gpai` column (or record key, or Parquet column) beside the
    /// real one, and files are unique, so two renamed plugins cannot share a name either. A
    /// failed plugin whose name clashes with nothing keeps it, so its column is named the same
    /// whether it loads or not, and `--regime` finds it.
    fn name_refused(&mut self) {
        let mut count: HashMap<String, usize> = HashMap::new();
        for e in &self.entries {
            *count.entry(e.id().to_string()).or_default() += 1;
        }
        let bundled: Vec<&str> = crate::bundled::BUNDLED.iter().map(|b| b.id()).collect();
        let regime_like = |id: &str| {
            !id.is_empty()
                && id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        };
        for e in &mut self.entries {
            if let Entry::Failed(f) = e
                && let Origin::File(file) = &f.origin
                && !f.id.starts_with(REFUSED_PREFIX)
                && (count.get(&f.id).is_some_and(|n| *n > 1)
                    || bundled.contains(&f.id.as_str())
                    || !regime_like(&f.id))
            {
                f.id = format!("{REFUSED_PREFIX}{file}");
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
        self.name_refused();
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

    /// Evaluates a profile with every regime of the set: the findings, computed values and
    /// what renderers need, except what would change each rule (see [`RegimeSet::compare_full`]).
    pub fn compare(&self, profile: &Profile, label: &str) -> Comparison {
        juxta_core::report::compare(
            profile,
            &self.schema,
            label,
            self.entries.iter().map(Entry::column),
            false,
        )
    }

    /// [`RegimeSet::compare`], with what would change each rule: the whole view model.
    pub fn compare_full(&self, profile: &Profile, label: &str) -> Comparison {
        juxta_core::report::compare(
            profile,
            &self.schema,
            label,
            self.entries.iter().map(Entry::column),
            true,
        )
    }

    /// Loads one plugin file on its own, against the core schema plus its own namespace: how
    /// `regimes lock`, `regime build` and `regime test` check a plugin before trusting it.
    pub fn load_one(
        sandbox: Arc<Sandbox>,
        name: &str,
        origin: Origin,
        bytes: &[u8],
    ) -> Result<(LoadedRegime, Arc<Schema>), FailedRegime> {
        let mut set = RegimeSet::new(sandbox);
        set.load(vec![PluginSource {
            name: name.to_string(),
            origin: origin.clone(),
            bytes,
            expected_sha256: None,
            refused: None,
            manifest: None,
            sha256: None,
            read: None,
            parsed: None,
        }]);
        let schema = Arc::clone(&set.schema);
        match set.entries.into_iter().next() {
            Some(Entry::Ready(r)) => Ok((r, schema)),
            Some(Entry::Failed(f)) => Err(f),
            None => Err(FailedRegime {
                id: name.to_string(),
                origin,
                sha256: sha256_hex(bytes),
                error: format!("plugin `{name}`: did not load"),
            }),
        }
    }
}

/// A plugin whose manifest has been read, not yet compiled.
struct Fetched {
    name: String,
    origin: Origin,
    sha256: String,
    plugin: Arc<Code>,
    manifest: Arc<str>,
    /// The manifest as read, when it reads: compiling then does not parse its text again.
    read: Option<Manifest>,
    /// The manifest as read, JSON (a bundled plugin's), for compiling it again.
    read_json: Option<&'static str>,
    /// The parse cache of the manifest (a bundled plugin's).
    parsed: Option<&'static [u8]>,
    declared: Option<Declared>,
}

/// The prefix of a refused third-party plugin's column name: `plugin:<file>`.
pub const REFUSED_PREFIX: &str = "plugin:";

/// The largest refused plugin whose namespace is still read: compiling a component is not
/// metered, so a larger one is refused without being compiled.
pub const MAX_REFUSED_BYTES: usize = 4 << 20;

/// A plugin that did not load, with the namespace it declares where it could be read.
struct Refused {
    failed: FailedRegime,
    declared: Option<Box<Declared>>,
}

impl Refused {
    fn plain(failed: FailedRegime) -> Refused {
        Refused {
            failed,
            declared: None,
        }
    }
}

/// Checks the pin, compiles the component and reads its manifest. A plugin the policy refuses
/// (unpinned, or changed since it was pinned) is still run, in the sandbox, for its manifest
/// only: the namespace it declares is recognised in profiles; nothing else of it is used.
fn fetch(sandbox: &Arc<Sandbox>, source: &PluginSource<'_>) -> Result<Fetched, Refused> {
    let sha256 = source
        .sha256
        .map_or_else(|| sha256_hex(source.bytes), str::to_string);
    let failed = |error: String| {
        Refused::plain(FailedRegime {
            id: source.name.clone(),
            origin: source.origin.clone(),
            sha256: sha256.clone(),
            error,
        })
    };
    let namespace_only = |error: String| {
        // Compiling is not metered: only plugins of a plausible size are read for their
        // namespace (the bundled ones are under 64 KiB).
        if source.bytes.len() > MAX_REFUSED_BYTES {
            return failed(error);
        }
        let declared = sandbox
            .load(source.bytes, &source.name)
            .ok()
            .and_then(|p| sandbox.instantiate(&Arc::new(p), &source.name, None).ok())
            .and_then(|mut i| i.manifest().ok())
            .and_then(|m| declared(&m))
            .map(Box::new);
        Refused {
            declared,
            ..failed(error)
        }
    };
    if let Some(why) = &source.refused {
        return Err(namespace_only(why.clone()));
    }
    if let Some(expected) = &source.expected_sha256
        && !expected.eq_ignore_ascii_case(&sha256)
    {
        let remedy = match source.origin {
            Origin::Bundled => {
                "plugins/dist/SHA256SUMS is stale: rebuild with `juxta regime build`"
            }
            Origin::File(_) => {
                "the plugin changed since it was pinned; review it, then run `juxta regimes lock`"
            }
        };
        let why = format!(
            "plugin `{}`: load: its sha256 is {sha256} but {expected} is pinned; refusing it ({remedy})",
            source.name
        );
        return Err(match source.origin {
            Origin::Bundled => failed(why),
            Origin::File(_) => namespace_only(why),
        });
    }
    // A bundled plugin, its checksum verified: its manifest was embedded with it.
    if let (Origin::Bundled, Some(manifest)) = (&source.origin, source.manifest) {
        let (read, declared) = match source.read.and_then(read_json) {
            Some(m) => {
                let d = Declared::of(&m);
                (Some(m), Some(d))
            }
            None => read_once(manifest),
        };
        return Ok(Fetched {
            name: source.name.clone(),
            origin: source.origin.clone(),
            sha256: sha256.clone(),
            plugin: Arc::new(Code::Deferred {
                name: source.name.clone(),
                bytes: Arc::from(source.bytes),
                compiled: std::sync::OnceLock::new(),
            }),
            manifest: Arc::from(manifest),
            read,
            read_json: source.read,
            parsed: source.parsed,
            declared,
        });
    }
    let started = std::time::Instant::now();
    let plugin = Arc::new(
        sandbox
            .load(source.bytes, &source.name)
            .map_err(|e| failed(e.to_string()))?,
    );
    let mut instance = sandbox
        .instantiate(&plugin, &source.name, None)
        .map_err(|e| failed(e.to_string()))?;
    let manifest = instance.manifest().map_err(|e| failed(e.to_string()))?;
    let (read, declared) = read_once(&manifest);
    tracing::debug!(
        plugin = %source.name,
        origin = %source.origin,
        bytes = source.bytes.len(),
        compile_ms = started.elapsed().as_secs_f64() * 1e3,
        "plugin loaded"
    );
    Ok(Fetched {
        name: source.name.clone(),
        origin: source.origin.clone(),
        sha256: sha256.clone(),
        plugin: Arc::new(Code::Compiled(plugin)),
        manifest: Arc::from(manifest.as_str()),
        read,
        read_json: None,
        parsed: None,
        declared,
    })
}

/// A bundled manifest as `build.rs` read it; `None` (it is then read from its text) if the JSON
/// does not decode, which a test rules out for every bundled plugin.
fn read_json(json: &'static str) -> Option<Manifest> {
    serde_json::from_str(json).ok()
}

/// A manifest's text read once, for both what it declares and compiling; where it does not
/// read, what it declares is still looked for (compiling then says what is wrong).
fn read_once(text: &str) -> (Option<Manifest>, Option<Declared>) {
    let source = Source { origin: "", text };
    match Regime::read(&source) {
        Ok(m) => {
            let d = Declared::of(&m);
            (Some(m), Some(d))
        }
        Err(_) => (None, declared(text)),
    }
}

/// Compiles a fetched manifest against the set's schema.
fn compile(sandbox: Arc<Sandbox>, schema: &Arc<Schema>, f: Fetched) -> Entry {
    let origin = format!("plugin `{}` ({})", f.name, f.origin);
    let source = Source {
        origin: &origin,
        text: &f.manifest,
    };
    let cache = f.parsed.and_then(ParseCache::new);
    // On this thread, which `load` starts with the compiler's stack. A regime compiled again
    // (the set's schema grew) kept no manifest as read: it is read again.
    let compiled = match f.read.or_else(|| f.read_json.and_then(read_json)) {
        Some(m) => Regime::compile_read_here(&source, &m, Arc::clone(schema), cache),
        None => Regime::read(&source)
            .and_then(|m| Regime::compile_read_here(&source, &m, Arc::clone(schema), cache)),
    };
    match compiled {
        Ok(regime) => Entry::Ready(LoadedRegime {
            regime: Arc::new(regime),
            origin: f.origin,
            sha256: f.sha256,
            sandbox,
            plugin: f.plugin,
            manifest: f.manifest,
            read_json: f.read_json,
            parsed: f.parsed,
            declared: f.declared,
        }),
        Err(e) => {
            let err = PluginError {
                plugin: e.regime.clone().unwrap_or_else(|| f.name.clone()),
                version: None,
                phase: Phase::Manifest,
                message: format!("the manifest does not compile:\n{e}"),
            };
            Entry::Failed(FailedRegime {
                id: e.regime.unwrap_or(f.name),
                origin: f.origin,
                sha256: f.sha256,
                error: err.to_string(),
            })
        }
    }
}

/// Custom functions of one plugin: each call in a fresh instance.
struct PluginFunctions {
    sandbox: Arc<Sandbox>,
    code: Arc<Code>,
    id: String,
    version: String,
}

impl FunctionHost for PluginFunctions {
    fn call(&self, name: &str, args_json: &str) -> Result<String, String> {
        let plugin = self.code.get(&self.sandbox)?;
        let mut instance = self
            .sandbox
            .instantiate(&plugin, &self.id, Some(&self.version))
            .map_err(|e| e.to_string())?;
        instance.call(name, args_json).map_err(|e| e.to_string())
    }
}
