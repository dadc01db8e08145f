//! The plugin policy: which regimes juxta uses — the bundled ones, plus third-party plugins from
//! directories named by the caller or the configuration file, each pinned in `juxta.lock` — and
//! how plugins get pinned. Every front end (the CLI, the Python package) loads through here, so
//! an unpinned or changed plugin is refused the same way everywhere: as a failed column, never
//! by failing the whole set.
//!
//! `juxta.toml` (in the current directory, or `--config FILE`):
//!
//! ```toml
//! plugins = ["regimes-from-counsel"]   # directories of *.wasm, relative to this file
//! lock = "juxta.lock"                  # the lock file, relative to this file (default)
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::lock::{LOCK_VERSION, Lock, Pin, discover};
use crate::{Limits, Origin, PluginSource, RegimeSet, Sandbox};

/// Where third-party plugins come from: directories, a lock file and a configuration file
/// (`--plugins`, `--lock`, `--config` on the command line).
#[derive(Clone, Debug, Default)]
pub struct PluginOptions {
    /// Directories of `*.wasm` plugins, after those of the configuration file.
    pub plugins: Vec<PathBuf>,
    /// The lock file (default: `juxta.lock` beside the configuration).
    pub lock: Option<PathBuf>,
    /// The configuration file (default: `juxta.toml` in the current directory, if any).
    pub config: Option<PathBuf>,
}

/// Why the plugins could not be loaded or pinned at all (one plugin failing is a failed
/// column instead).
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The configuration file is unreadable or wrong.
    #[error("{0}")]
    Config(String),
    /// A plugin directory or the lock file cannot be read.
    #[error("{0}")]
    Read(String),
    /// The sandbox could not be created.
    #[error("{0}")]
    Sandbox(String),
    /// `regimes lock` with no plugin directory.
    #[error("no plugin directory: give one with --plugins DIR or `plugins = [...]` in juxta.toml")]
    NoPluginDirectory,
    /// `regimes lock` found plugins that do not load, or that claim one regime twice.
    #[error("nothing pinned; these plugins must be fixed or removed first:\n{}", .0.join("\n"))]
    Unpinnable(Vec<String>),
}

/// `juxta.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    #[serde(default)]
    plugins: Vec<PathBuf>,
    #[serde(default)]
    lock: Option<PathBuf>,
}

/// Plugin directories and the lock file, resolved from the flags and the configuration.
pub struct Resolved {
    /// Directories to load `*.wasm` from.
    pub dirs: Vec<PathBuf>,
    /// The lock file.
    pub lock: PathBuf,
}

/// Resolves `--plugins`, `--lock` and `--config` (flags win over the configuration file).
pub fn resolve(args: &PluginOptions) -> Result<Resolved, PolicyError> {
    let (config, base) = match &args.config {
        Some(path) => (
            read_config(path)?,
            path.parent().map(Path::to_path_buf).unwrap_or_default(),
        ),
        // Any `juxta.toml` here is read (a directory or device of that name is an error, not
        // silently skipped: the user may believe their configuration is in effect).
        None if Path::new("juxta.toml").exists() => {
            (read_config(Path::new("juxta.toml"))?, PathBuf::new())
        }
        None => (Config::default(), PathBuf::new()),
    };
    let mut dirs: Vec<PathBuf> = config.plugins.iter().map(|d| base.join(d)).collect();
    dirs.extend(args.plugins.iter().cloned());
    let lock = args
        .lock
        .clone()
        .or_else(|| config.lock.map(|l| base.join(l)))
        .unwrap_or_else(|| base.join("juxta.lock"));
    Ok(Resolved { dirs, lock })
}

fn read_config(path: &Path) -> Result<Config, PolicyError> {
    let text = crate::files::read_capped_text(
        path,
        crate::files::MAX_CONFIG_BYTES,
        "a configuration file",
    )
    .map_err(|e| PolicyError::Config(format!("the configuration: {e}")))?;
    toml::from_str(&text).map_err(|e| {
        PolicyError::Config(format!("{}: {}", path.display(), e.to_string().trim_end()))
    })
}

fn lock_dir(lock: &Path) -> PathBuf {
    match lock.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Whether the lock file a command would read pins a plugin file, and how: what `regime
/// build` says after writing one, so that a rebuild never silently breaks `compare`.
pub fn pin_status(args: &PluginOptions, plugin: &Path, sha256: &str) -> Option<String> {
    let resolved = resolve(args).ok()?;
    let lock = Lock::read(&resolved.lock).ok().flatten()?;
    let key = crate::lock::relative_key(plugin, &lock_dir(&resolved.lock));
    let shown = resolved.lock.display();
    Some(match lock.pin(&key) {
        Ok(Some(pin)) if pin.sha256.eq_ignore_ascii_case(sha256) => {
            format!("`{shown}` pins `{key}` at this sha256")
        }
        Ok(Some(pin)) => format!(
            "`{shown}` pins `{key}` at sha256 {}: juxta refuses this build until you review it and run `juxta regimes lock`",
            pin.sha256
        ),
        Ok(None) => format!(
            "`{shown}` does not pin `{key}`: juxta refuses it until you review it and run `juxta regimes lock`"
        ),
        Err(why) => format!("`{shown}`: {why}"),
    })
}

/// The bundled regimes plus the pinned third-party plugins. A plugin that is not pinned, or whose
/// bytes differ from its pin, becomes a failed column: the other regimes still work.
pub fn load(args: &PluginOptions) -> Result<RegimeSet, PolicyError> {
    let sandbox = Arc::new(sandbox()?);
    let mut set = RegimeSet::bundled(Arc::clone(&sandbox));
    let resolved = resolve(args)?;
    if resolved.dirs.is_empty() {
        return Ok(set);
    }
    let found = discover(&resolved.dirs, &lock_dir(&resolved.lock)).map_err(PolicyError::Read)?;
    let lock = Lock::read(&resolved.lock).map_err(|e| PolicyError::Read(e.to_string()))?;
    let mut sources = Vec::new();
    for f in &found {
        let name = f
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        // Named by its key (relative to the lock's directory): the same whichever way the
        // directory was spelt on the command line.
        let origin = Origin::File(f.key.clone());
        if let Some(why) = &f.unreadable {
            set.refuse(&name, origin, "", format!("plugin `{name}`: load: {why}"));
            continue;
        }
        let pin = match lock.as_ref().map(|l| f.pin(l)).transpose() {
            Ok(pin) => pin.flatten(),
            Err(why) => {
                set.refuse(
                    &name,
                    origin,
                    &f.sha256,
                    format!("plugin `{name}`: load: {why}"),
                );
                continue;
            }
        };
        match pin {
            Some(pin) => sources.push(PluginSource {
                name,
                origin,
                bytes: &f.bytes,
                expected_sha256: Some(pin.sha256.clone()),
                refused: None,
                manifest: None,
                sha256: None,
                read: None,
                parsed: None,
            }),
            None => {
                let why = match &lock {
                    None => format!("there is no lock file `{}`", resolved.lock.display()),
                    Some(_) => format!("`{}` does not pin it", resolved.lock.display()),
                };
                // Refused, but its namespace is still recognised (see `RegimeSet::load`).
                sources.push(PluginSource {
                    refused: Some(format!(
                        "plugin `{name}`: load: `{}` is not pinned: {why}; review the plugin, then run `juxta regimes lock`",
                        f.path.display()
                    )),
                    name,
                    origin,
                    bytes: &f.bytes,
                    expected_sha256: None,
                    manifest: None,
                    sha256: None,
                    read: None,
                    parsed: None,
                });
            }
        }
    }
    set.load(sources);
    Ok(set)
}

/// The bundled regimes only.
pub fn bundled() -> Result<RegimeSet, PolicyError> {
    Ok(RegimeSet::bundled(Arc::new(sandbox()?)))
}

fn sandbox() -> Result<Sandbox, PolicyError> {
    Sandbox::new(Limits::default()).map_err(|e| PolicyError::Sandbox(e.to_string()))
}

/// A lock to write: where, and what it pins.
pub struct NewLock {
    /// The lock file to write.
    pub path: PathBuf,
    /// The lock.
    pub lock: Lock,
}

/// `juxta regimes lock`: pins every third-party plugin, each checked on its own (it must load
/// and compile). Returns the lock to write, or every plugin that failed (nothing is pinned then).
/// Writing the file is the caller's: this crate never writes.
pub fn pin(args: &PluginOptions) -> Result<NewLock, PolicyError> {
    let resolved = resolve(args)?;
    if resolved.dirs.is_empty() {
        return Err(PolicyError::NoPluginDirectory);
    }
    let found = discover(&resolved.dirs, &lock_dir(&resolved.lock)).map_err(PolicyError::Read)?;
    let sandbox = Arc::new(sandbox()?);
    let mut pins = Vec::new();
    let mut failures = Vec::new();
    for f in &found {
        if let Some(why) = &f.unreadable {
            failures.push(why.clone());
            continue;
        }
        let name = f
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        match RegimeSet::load_one(
            Arc::clone(&sandbox),
            &name,
            Origin::File(f.key.clone()),
            &f.bytes,
        ) {
            Ok((r, _)) => pins.push(Pin {
                file: f.key.clone(),
                sha256: f.sha256.clone(),
                regime: r.regime.id().to_string(),
                regime_version: r.regime.header.version.clone(),
            }),
            Err(e) => failures.push(e.error),
        }
    }
    if let Some(id) = duplicate_regime(&pins) {
        failures.push(format!(
            "two plugins claim regime `{id}`: {}",
            pins.iter()
                .filter(|p| p.regime == id)
                .map(|p| p.file.as_str())
                .collect::<Vec<_>>()
                .join(" and ")
        ));
    }
    if !failures.is_empty() {
        return Err(PolicyError::Unpinnable(failures));
    }
    Ok(NewLock {
        path: resolved.lock,
        lock: Lock {
            version: LOCK_VERSION,
            plugins: pins,
            problems: Default::default(),
        },
    })
}

fn duplicate_regime(pins: &[Pin]) -> Option<String> {
    let bundled: Vec<&str> = crate::bundled::BUNDLED.iter().map(|b| b.id()).collect();
    pins.iter().enumerate().find_map(|(i, p)| {
        (bundled.contains(&p.regime.as_str()) || pins[..i].iter().any(|q| q.regime == p.regime))
            .then(|| p.regime.clone())
    })
}
