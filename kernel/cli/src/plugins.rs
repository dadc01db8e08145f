//! Which regimes a command uses: the bundled ones, plus third-party plugins from directories
//! named by `--plugins` or the configuration file, each pinned in `juxta.lock`.
//!
//! `juxta.toml` (in the current directory, or `--config FILE`):
//!
//! ```toml
//! plugins = ["regimes-from-counsel"]   # directories of *.wasm, relative to this file
//! lock = "juxta.lock"                  # the lock file, relative to this file (default)
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use juxta_host::lock::{LOCK_VERSION, Lock, Pin, discover};
use juxta_host::{Entry, Limits, Origin, PluginSource, RegimeSet, Sandbox};
use serde::Deserialize;

use crate::args::PluginArgs;
use crate::write_atomically;

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
pub fn resolve(args: &PluginArgs) -> Result<Resolved, String> {
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

fn read_config(path: &Path) -> Result<Config, String> {
    let text = juxta_host::files::read_capped_text(
        path,
        juxta_host::files::MAX_CONFIG_BYTES,
        "a configuration file",
    )
    .map_err(|e| format!("the configuration: {e}"))?;
    toml::from_str(&text).map_err(|e| format!("{}: {}", path.display(), e.to_string().trim_end()))
}

fn lock_dir(lock: &Path) -> PathBuf {
    match lock.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The bundled regimes plus the pinned third-party plugins. A plugin that is not pinned, or whose
/// bytes differ from its pin, becomes a failed column: the other regimes still work.
pub fn load(args: &PluginArgs) -> Result<RegimeSet, String> {
    let sandbox = Arc::new(Sandbox::new(Limits::default()).map_err(|e| e.to_string())?);
    let mut set = RegimeSet::bundled(Arc::clone(&sandbox));
    let resolved = resolve(args)?;
    if resolved.dirs.is_empty() {
        return Ok(set);
    }
    let found = discover(&resolved.dirs, &lock_dir(&resolved.lock))?;
    let lock = Lock::read(&resolved.lock).map_err(|e| e.to_string())?;
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
            }),
            None => {
                let why = match &lock {
                    None => format!("there is no lock file `{}`", resolved.lock.display()),
                    Some(_) => format!("`{}` does not pin it", resolved.lock.display()),
                };
                set.refuse(&name, origin, &f.sha256, format!(
                    "plugin `{name}`: load: `{}` is not pinned: {why}; review the plugin, then run `juxta regimes lock`",
                    f.path.display()
                ));
            }
        }
    }
    set.load(sources);
    Ok(set)
}

/// `juxta regimes lock`: pins every third-party plugin that loads. Returns the pins written, or
/// the plugins that failed (nothing is written then).
pub fn write_lock(args: &PluginArgs) -> Result<(PathBuf, Vec<Pin>), String> {
    let resolved = resolve(args)?;
    if resolved.dirs.is_empty() {
        return Err(
            "no plugin directory: give one with --plugins DIR or `plugins = [...]` in juxta.toml"
                .into(),
        );
    }
    let found = discover(&resolved.dirs, &lock_dir(&resolved.lock))?;
    let sandbox = Arc::new(Sandbox::new(Limits::default()).map_err(|e| e.to_string())?);
    let mut pins = Vec::new();
    let mut failures = Vec::new();
    for f in &found {
        // Each plugin is checked on its own: a plugin is pinned only if it loads and compiles.
        if let Some(why) = &f.unreadable {
            failures.push(why.clone());
            continue;
        }
        let mut set = RegimeSet::new(Arc::clone(&sandbox));
        let name = f
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        set.load(vec![PluginSource {
            name,
            origin: Origin::File(f.key.clone()),
            bytes: &f.bytes,
            expected_sha256: None,
        }]);
        match set.entries().first() {
            Some(Entry::Ready(r)) => pins.push(Pin {
                file: f.key.clone(),
                sha256: f.sha256.clone(),
                regime: r.regime.id().to_string(),
                regime_version: r.regime.header.version.clone(),
            }),
            Some(Entry::Failed(e)) => failures.push(e.error.clone()),
            None => failures.push(format!("`{}` did not load", f.path.display())),
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
        return Err(format!(
            "nothing pinned; these plugins must be fixed or removed first:\n{}",
            failures.join("\n")
        ));
    }
    let lock = Lock {
        version: LOCK_VERSION,
        plugins: pins.clone(),
        problems: Default::default(),
    };
    write_atomically(&resolved.lock, lock.to_text().as_bytes())?;
    Ok((resolved.lock, pins))
}

fn duplicate_regime(pins: &[Pin]) -> Option<String> {
    let bundled: Vec<&str> = juxta_host::bundled::BUNDLED
        .iter()
        .map(|b| b.id())
        .collect();
    pins.iter().enumerate().find_map(|(i, p)| {
        (bundled.contains(&p.regime.as_str()) || pins[..i].iter().any(|q| q.regime == p.regime))
            .then(|| p.regime.clone())
    })
}
