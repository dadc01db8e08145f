//! The wasmtime sandbox: one engine, hard limits, and plugins that can reach nothing.
//!
//! A plugin runs with fuel (deterministic bound on work), an epoch deadline (wall-clock bound),
//! a memory cap, a stack cap and a cap on the size of what it returns. It gets **no imports at
//! all**: a component that imports anything (WASI included) is refused at load. Every failure
//! is a [`PluginError`] naming the plugin, its version when known, and the phase.

use juxta_core::diag::code_list;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use wasmtime::component::{Component, ComponentExportIndex, InstancePre, Linker, TypedFunc};
use wasmtime::{Config, Engine, Store, StoreLimits, StoreLimitsBuilder, Trap};

/// Resource limits of plugin calls.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Fuel for one `manifest()` call.
    pub manifest_fuel: u64,
    /// Fuel for one `call()`.
    pub call_fuel: u64,
    /// Wall-clock limit of one `manifest()` call.
    pub manifest_time: Duration,
    /// Wall-clock limit of one `call()`.
    pub call_time: Duration,
    /// Linear memory a plugin instance may grow to, in bytes.
    pub memory_bytes: usize,
    /// Stack the plugin's code may use, in bytes.
    pub stack_bytes: usize,
    /// Largest manifest accepted, in bytes.
    pub max_manifest_bytes: usize,
    /// Largest result of `call()` accepted, in bytes.
    pub max_result_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            manifest_fuel: 500_000_000,
            call_fuel: 50_000_000,
            manifest_time: Duration::from_secs(5),
            call_time: Duration::from_secs(1),
            memory_bytes: 64 << 20,
            stack_bytes: 512 << 10,
            max_manifest_bytes: 4 << 20,
            max_result_bytes: 1 << 20,
        }
    }
}

/// How often the epoch advances: the granularity of wall-clock deadlines.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// What a plugin was doing when it failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Reading and compiling the component.
    Load,
    /// Creating an instance.
    Instantiate,
    /// Calling `manifest()`, or compiling what it returned.
    Manifest,
    /// Calling a custom function.
    Call,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::Load => "load",
            Phase::Instantiate => "instantiate",
            Phase::Manifest => "manifest",
            Phase::Call => "call",
        })
    }
}

/// A plugin that failed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("plugin `{plugin}`{}: {phase}: {message}", version.as_ref().map(|v| format!(" {v}")).unwrap_or_default())]
pub struct PluginError {
    /// The plugin: its regime id when known, else where it came from.
    pub plugin: String,
    /// Its regime version, when known.
    pub version: Option<String>,
    /// The phase.
    pub phase: Phase,
    /// What happened.
    pub message: String,
}

/// The engine all plugins run on, and the thread that drives wall-clock deadlines.
pub struct Sandbox {
    engine: Engine,
    limits: Limits,
    ticker_stop: Arc<AtomicBool>,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.ticker_stop.store(true, Ordering::Relaxed);
    }
}

impl Sandbox {
    /// A sandbox with the given limits.
    pub fn new(limits: Limits) -> Result<Sandbox, PluginError> {
        let mut config = Config::new();
        config
            .wasm_component_model(true)
            .concurrency_support(false)
            .consume_fuel(true)
            .epoch_interruption(true)
            .max_wasm_stack(limits.stack_bytes)
            // Plugins run `manifest()` once and custom functions rarely: compiling them quickly
            // matters more than running them fast (cold `juxta compare`).
            .cranelift_opt_level(wasmtime::OptLevel::None);
        let engine = Engine::new(&config).map_err(|e| PluginError {
            plugin: "<engine>".into(),
            version: None,
            phase: Phase::Load,
            message: format!("cannot configure wasmtime: {e}"),
        })?;
        let ticker_stop = Arc::new(AtomicBool::new(false));
        let (weak_engine, stop) = (engine.weak(), Arc::clone(&ticker_stop));
        // The ticker ends when the sandbox is dropped or the engine is gone.
        let _ = thread::Builder::new()
            .name("juxta-epoch".into())
            .spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    thread::sleep(EPOCH_TICK);
                    match weak_engine.upgrade() {
                        Some(engine) => engine.increment_epoch(),
                        None => break,
                    }
                }
            });
        Ok(Sandbox {
            engine,
            limits,
            ticker_stop,
        })
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Compiles a plugin and checks its interface: a component, importing nothing, exporting
    /// `juxta:regime/plugin` with a major version this kernel supports.
    pub fn load(&self, bytes: &[u8], name: &str) -> Result<Plugin, PluginError> {
        let fail = |message: String| PluginError {
            plugin: name.to_string(),
            version: None,
            phase: Phase::Load,
            message,
        };
        if bytes.len() >= 8 && bytes[..4] == *b"\0asm" && bytes[4..8] == [1, 0, 0, 0] {
            return Err(fail("this is a core WebAssembly module, not a component: build the plugin with `juxta regime build`".into()));
        }
        let component = Component::new(&self.engine, bytes).map_err(|e| {
            fail(format!(
                "not a valid WebAssembly component: {}",
                root_cause(&e)
            ))
        })?;
        let ty = component.component_type();
        let imports: Vec<String> = ty
            .imports(&self.engine)
            .map(|(n, _)| n.to_string())
            .collect();
        if !imports.is_empty() {
            return Err(fail(format!(
                "imports {}; a juxta plugin may import nothing (no WASI, no host functions)",
                code_list(imports)
            )));
        }
        let (major, minor, patch) = juxta_sdk::ABI_VERSION;
        let prefix = format!("{}@", juxta_sdk::WIT_INTERFACE);
        let exports: Vec<String> = ty
            .exports(&self.engine)
            .map(|(n, _)| n.to_string())
            .collect();
        let Some(export) = exports.iter().find(|e| e.starts_with(&prefix)) else {
            let found = if exports.is_empty() {
                "nothing".to_string()
            } else {
                exports.join(", ")
            };
            return Err(fail(format!(
                "exports {found}, not `{}@{major}.x` (WIT world juxta:regime)",
                juxta_sdk::WIT_INTERFACE
            )));
        };
        let version = &export[prefix.len()..];
        let found_major = version
            .split('.')
            .next()
            .and_then(|m| m.parse::<u64>().ok());
        if found_major != Some(major) {
            return Err(fail(format!(
                "built for plugin ABI juxta:regime@{version}; this juxta supports juxta:regime@{major}.x (it implements {major}.{minor}.{patch})"
            )));
        }
        let interface = component
            .get_export_index(None, export.as_str())
            .ok_or_else(|| fail(format!("no export `{export}`")))?;
        let lookup = |name: &str| {
            component
                .get_export_index(Some(&interface), name)
                .ok_or_else(|| fail(format!("`{export}` exports no function `{name}`")))
        };
        let (manifest, call) = (lookup("manifest")?, lookup("call")?);
        // Linking against an empty linker succeeds only for a component that imports nothing.
        let pre = Linker::<StoreLimits>::new(&self.engine)
            .instantiate_pre(&component)
            .map_err(|e| fail(format!("cannot be linked: {}", root_cause(&e))))?;
        Ok(Plugin {
            pre,
            manifest,
            call,
            abi_version: version.to_string(),
        })
    }

    /// Creates an instance of a plugin, ready to call. Cheap: the plugin was compiled and
    /// linked once, when it was loaded.
    pub fn instantiate(
        &self,
        plugin: &Plugin,
        name: &str,
        version: Option<&str>,
    ) -> Result<PluginInstance, PluginError> {
        let fail = |message: String| PluginError {
            plugin: name.to_string(),
            version: version.map(str::to_string),
            phase: Phase::Instantiate,
            message,
        };
        let limits = StoreLimitsBuilder::new()
            .memory_size(self.limits.memory_bytes)
            .instances(16)
            .memories(4)
            .tables(16)
            .table_elements(100_000)
            .trap_on_grow_failure(true)
            .build();
        let mut store = Store::new(&self.engine, limits);
        store.limiter(|limits| limits);
        store
            .set_fuel(self.limits.manifest_fuel)
            .map_err(|e| fail(e.to_string()))?;
        store.set_epoch_deadline(ticks(self.limits.manifest_time));
        store.epoch_deadline_trap();
        let instance = plugin.pre.instantiate(&mut store).map_err(|e| {
            fail(describe_failure(
                &e,
                &self.limits,
                self.limits.manifest_fuel,
                self.limits.manifest_time,
            ))
        })?;
        let manifest = instance
            .get_typed_func::<(), (String,)>(&mut store, &plugin.manifest)
            .map_err(|e| {
                fail(format!(
                    "`manifest` does not have the signature of the juxta:regime world: {}",
                    root_cause(&e)
                ))
            })?;
        let call = instance
            .get_typed_func::<(String, String), (Result<String, String>,)>(&mut store, &plugin.call)
            .map_err(|e| {
                fail(format!(
                    "`call` does not have the signature of the juxta:regime world: {}",
                    root_cause(&e)
                ))
            })?;
        Ok(PluginInstance {
            store,
            manifest,
            call,
            limits: self.limits.clone(),
            poisoned: false,
            name: name.to_string(),
            version: version.map(str::to_string),
        })
    }
}

fn ticks(d: Duration) -> u64 {
    (d.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64 + 1
}

/// A compiled, checked, linked plugin.
pub struct Plugin {
    pre: InstancePre<StoreLimits>,
    manifest: ComponentExportIndex,
    call: ComponentExportIndex,
    abi_version: String,
}

impl Plugin {
    /// The ABI version the plugin was built for (`1.0.0`).
    pub fn abi_version(&self) -> &str {
        &self.abi_version
    }
}

/// A live instance of a plugin. After a trap it is poisoned: make a new one.
pub struct PluginInstance {
    store: Store<StoreLimits>,
    manifest: TypedFunc<(), (String,)>,
    call: TypedFunc<(String, String), (Result<String, String>,)>,
    limits: Limits,
    poisoned: bool,
    name: String,
    version: Option<String>,
}

impl PluginInstance {
    /// Whether a trap made this instance unusable.
    pub fn is_poisoned(&self) -> bool {
        self.poisoned
    }

    fn fail(&self, phase: Phase, message: String) -> PluginError {
        PluginError {
            plugin: self.name.clone(),
            version: self.version.clone(),
            phase,
            message,
        }
    }

    fn arm(&mut self, fuel: u64, time: Duration, phase: Phase) -> Result<(), PluginError> {
        if self.poisoned {
            return Err(self.fail(
                phase,
                "the instance trapped earlier and cannot be reused".into(),
            ));
        }
        self.store
            .set_fuel(fuel)
            .map_err(|e| self.fail(phase, e.to_string()))?;
        self.store.set_epoch_deadline(ticks(time));
        Ok(())
    }

    /// Calls `manifest()`.
    pub fn manifest(&mut self) -> Result<String, PluginError> {
        self.arm(
            self.limits.manifest_fuel,
            self.limits.manifest_time,
            Phase::Manifest,
        )?;
        let f = self.manifest;
        let result = f.call(&mut self.store, ());
        match result {
            Ok((text,)) if text.len() > self.limits.max_manifest_bytes => Err(self.fail(
                Phase::Manifest,
                format!(
                    "returned a manifest of {} bytes; the limit is {} bytes",
                    text.len(),
                    self.limits.max_manifest_bytes
                ),
            )),
            Ok((text,)) => Ok(text),
            Err(e) => {
                self.poisoned = true;
                let message = describe_failure(
                    &e,
                    &self.limits,
                    self.limits.manifest_fuel,
                    self.limits.manifest_time,
                );
                Err(self.fail(Phase::Manifest, message))
            }
        }
    }

    /// Calls a custom function; the plugin's own error comes back as a [`PluginError`] too.
    pub fn call(&mut self, name: &str, args_json: &str) -> Result<String, PluginError> {
        self.arm(self.limits.call_fuel, self.limits.call_time, Phase::Call)?;
        let f = self.call;
        let result = f.call(&mut self.store, (name.to_string(), args_json.to_string()));
        match result {
            Ok((Ok(text),)) if text.len() > self.limits.max_result_bytes => Err(self.fail(
                Phase::Call,
                format!(
                    "`{name}` returned {} bytes; the limit is {} bytes",
                    text.len(),
                    self.limits.max_result_bytes
                ),
            )),
            Ok((Ok(text),)) => Ok(text),
            Ok((Err(message),)) => Err(self.fail(
                Phase::Call,
                format!("`{name}` failed: {}", truncate(&message, 500)),
            )),
            Err(e) => {
                self.poisoned = true;
                let message = describe_failure(
                    &e,
                    &self.limits,
                    self.limits.call_fuel,
                    self.limits.call_time,
                );
                Err(self.fail(Phase::Call, format!("`{name}`: {message}")))
            }
        }
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

fn root_cause(e: &wasmtime::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text = s.to_string();
        source = s.source();
    }
    truncate(&text, 500)
}

/// Says what a failed call ran into, in the user's terms.
fn describe_failure(e: &wasmtime::Error, limits: &Limits, fuel: u64, time: Duration) -> String {
    if let Some(trap) = e.downcast_ref::<Trap>() {
        return match trap {
            Trap::OutOfFuel => format!(
                "ran out of fuel after {fuel} units (an endless loop, or far too much work)"
            ),
            Trap::Interrupt => format!("exceeded its time limit of {} ms", time.as_millis()),
            Trap::StackOverflow => format!(
                "overflowed its stack of {} KiB (runaway recursion?)",
                limits.stack_bytes >> 10
            ),
            other => format!("trapped: {other}"),
        };
    }
    let text = format!("{e:?}");
    if text.contains("forcing trap when growing memory") || text.contains("memory minimum size") {
        return format!(
            "exceeded its memory limit of {} MiB",
            limits.memory_bytes >> 20
        );
    }
    format!("failed: {}", root_cause(e))
}
