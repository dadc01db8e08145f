//! Third-party plugins: finding them, and pinning each by sha256 in `juxta.lock`.
//!
//! A plugin from a directory is loaded only if `juxta.lock` pins its exact bytes; one whose
//! bytes changed since, or that was never pinned, is refused with the command that fixes it.
//! `juxta regimes lock` writes the file (commit it, like `Cargo.lock`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::bundled::sha256_hex;

/// The lock file format version this juxta reads and writes.
pub const LOCK_VERSION: u32 = 1;

/// `juxta.lock`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    /// Format version.
    pub version: u32,
    /// One pin per plugin file.
    #[serde(default, rename = "plugin")]
    pub plugins: Vec<Pin>,
}

/// A pinned plugin.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pin {
    /// The plugin file, relative to the lock file's directory.
    pub file: String,
    /// SHA-256 of its bytes (hex).
    pub sha256: String,
    /// The regime id it declared when pinned.
    pub regime: String,
    /// The regime version it declared when pinned.
    pub regime_version: String,
}

/// A lock file that cannot be read.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LockError {
    /// Unreadable or malformed.
    #[error("{path}: {message}")]
    Invalid {
        /// The lock file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl Lock {
    /// Reads a lock file; `Ok(None)` if there is none.
    pub fn read(path: &Path) -> Result<Option<Lock>, LockError> {
        let invalid = |message: String| LockError::Invalid {
            path: path.display().to_string(),
            message,
        };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(invalid(format!("cannot read: {e}"))),
        };
        let lock: Lock =
            toml::from_str(&text).map_err(|e| invalid(e.to_string().trim_end().to_string()))?;
        if lock.version != LOCK_VERSION {
            return Err(invalid(format!(
                "lock format version {} is not the {LOCK_VERSION} this juxta reads",
                lock.version
            )));
        }
        Ok(Some(lock))
    }

    /// The text of the lock file, with a header saying what it is.
    pub fn to_text(&self) -> String {
        let body = toml::to_string(self).unwrap_or_default();
        format!(
            "# Pins of third-party regime plugins, written by `juxta regimes lock`.\n# A plugin whose bytes differ from its pin is refused. Commit this file.\n\n{body}"
        )
    }

    /// The pin of a plugin file, if any (`file` relative to the lock's directory).
    pub fn pin(&self, file: &str) -> Option<&Pin> {
        self.plugins.iter().find(|p| p.file == file)
    }
}

/// A plugin file found in a plugin directory.
#[derive(Clone, Debug)]
pub struct Found {
    /// Its path.
    pub path: PathBuf,
    /// Its path relative to the lock file's directory (with `/`), as pinned.
    pub key: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Their SHA-256.
    pub sha256: String,
}

/// Every `*.wasm` file directly in the given directories, sorted by path.
pub fn discover(dirs: &[PathBuf], lock_dir: &Path) -> Result<Vec<Found>, String> {
    let mut found = BTreeMap::new();
    for dir in dirs {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| format!("cannot read the plugin directory `{}`: {e}", dir.display()))?;
        for entry in entries {
            let path = entry
                .map_err(|e| format!("`{}`: {e}", dir.display()))?
                .path();
            if path.extension().is_none_or(|x| x != "wasm") || !path.is_file() {
                continue;
            }
            let bytes = std::fs::read(&path)
                .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
            let key = relative_key(&path, lock_dir);
            let sha256 = sha256_hex(&bytes);
            found.insert(
                key.clone(),
                Found {
                    path,
                    key,
                    bytes,
                    sha256,
                },
            );
        }
    }
    Ok(found.into_values().collect())
}

/// `path` relative to `base` where possible, with `/` separators, for a stable lock key.
pub fn relative_key(path: &Path, base: &Path) -> String {
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let (path, base) = (canonical(path), canonical(base));
    let rel = path
        .strip_prefix(&base)
        .map(Path::to_path_buf)
        .unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_round_trips() {
        let lock = Lock {
            version: LOCK_VERSION,
            plugins: vec![Pin {
                file: "third-party/x.wasm".into(),
                sha256: "ab".repeat(32),
                regime: "x".into(),
                regime_version: "0.1.0".into(),
            }],
        };
        let text = lock.to_text();
        assert!(text.starts_with("# Pins"));
        assert_eq!(toml::from_str::<Lock>(&text).unwrap(), lock);
    }
}
