//! Third-party plugins: finding them, and pinning each by sha256 in `juxta.lock`.
//!
//! A plugin from a directory is loaded only if `juxta.lock` pins its exact bytes; one whose
//! bytes changed since, or that was never pinned, is refused with the command that fixes it.
//! `juxta regimes lock` writes the file (commit it, like `Cargo.lock`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::bundled::sha256_hex;
use crate::files::{MAX_LOCK_BYTES, MAX_PLUGIN_BYTES, read_capped, read_capped_text};

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
    /// Pins that cannot be trusted (pinned twice, a malformed sha256), by file: each such
    /// plugin is refused as its own column, the others load.
    #[serde(skip)]
    pub problems: BTreeMap<String, String>,
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
    /// Not a regular file, too large, or unreadable (the message names the file).
    #[error("{0}")]
    Unreadable(String),
}

impl Lock {
    /// Reads a lock file; `Ok(None)` if there is none.
    pub fn read(path: &Path) -> Result<Option<Lock>, LockError> {
        let invalid = |message: String| LockError::Invalid {
            path: path.display().to_string(),
            message,
        };
        let text = match read_capped_text(path, MAX_LOCK_BYTES, "a lock file") {
            Ok(t) => t,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(LockError::Unreadable(e.to_string())),
        };
        let mut lock: Lock =
            toml::from_str(&text).map_err(|e| invalid(e.to_string().trim_end().to_string()))?;
        if lock.version != LOCK_VERSION {
            return Err(invalid(format!(
                "lock format version {} is not the {LOCK_VERSION} this juxta reads",
                lock.version
            )));
        }
        let shown = path.display();
        let mut problems = BTreeMap::new();
        for (i, p) in lock.plugins.iter().enumerate() {
            if p.sha256.len() != 64 || !p.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                problems.insert(
                    p.file.clone(),
                    format!(
                        "{shown}: the pin of `{}` has sha256 `{}`: a sha256 is 64 hexadecimal digits (run `juxta regimes lock` to rewrite the lock)",
                        p.file, p.sha256
                    ),
                );
            } else if lock.plugins[..i].iter().any(|q| q.file == p.file) {
                problems.insert(
                    p.file.clone(),
                    format!(
                        "{shown}: `{}` is pinned twice: keep one pin per file (run `juxta regimes lock` to rewrite the lock)",
                        p.file
                    ),
                );
            }
        }
        lock.problems = problems;
        Ok(Some(lock))
    }

    /// The text of the lock file, with a header saying what it is.
    pub fn to_text(&self) -> String {
        let body = toml::to_string(self).unwrap_or_default();
        format!(
            "# Pins of third-party regime plugins, written by `juxta regimes lock`.\n# A plugin whose bytes differ from its pin is refused. Commit this file.\n\n{body}"
        )
    }

    /// The pin of a plugin file, if any (`file` relative to the lock's directory): `Err` with
    /// the reason when its pin cannot be trusted.
    pub fn pin(&self, file: &str) -> Result<Option<&Pin>, String> {
        match self.problems.get(file) {
            Some(problem) => Err(problem.clone()),
            None => Ok(self.plugins.iter().find(|p| p.file == file)),
        }
    }
}

/// A plugin file found in a plugin directory.
#[derive(Clone, Debug)]
pub struct Found {
    /// Its path.
    pub path: PathBuf,
    /// Its path relative to the lock file's directory (with `/`), as pinned.
    pub key: String,
    /// The key juxta 0.1 locks used (through a symlinked plugin to its target, `//abs` outside
    /// the lock's directory), so that their pins still match.
    pub legacy_key: String,
    /// Its bytes (empty if it could not be read).
    pub bytes: Vec<u8>,
    /// Their SHA-256 (empty if it could not be read).
    pub sha256: String,
    /// Why it could not be read (not a regular file, over [`MAX_PLUGIN_BYTES`], unreadable):
    /// such a plugin is refused as its own column, the others still load.
    pub unreadable: Option<String>,
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
            // Directories named `*.wasm` are not plugins; a device or FIFO named so is refused.
            if path.extension().is_none_or(|x| x != "wasm") || path.is_dir() {
                continue;
            }
            let key = relative_key(&path, lock_dir);
            let legacy_key = legacy_relative_key(&path, lock_dir);
            let (bytes, sha256, unreadable) = match read_capped(&path, MAX_PLUGIN_BYTES, "a plugin")
            {
                Ok(bytes) => {
                    let sha256 = sha256_hex(&bytes);
                    (bytes, sha256, None)
                }
                Err(e) => (Vec::new(), String::new(), Some(e.to_string())),
            };
            found.insert(
                key.clone(),
                Found {
                    path,
                    key,
                    legacy_key,
                    bytes,
                    sha256,
                    unreadable,
                },
            );
        }
    }
    Ok(found.into_values().collect())
}

/// `path` relative to `base` where possible, with `/` separators, for a stable lock key.
///
/// The directories are resolved, the file itself is not: a plugin that is a symlink is pinned
/// under its own name in the plugin directory (its bytes are what the pin checks), not under
/// wherever the link points. A plugin outside `base` keeps its absolute path.
pub fn relative_key(path: &Path, base: &Path) -> String {
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let path = match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            canonical(dir).join(name)
        }
        _ => path.to_path_buf(),
    };
    let base = canonical(base);
    let (rel, absolute) = match path.strip_prefix(&base) {
        Ok(rel) => (rel.to_path_buf(), false),
        Err(_) => (path, true),
    };
    let parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => Some(s.to_string_lossy().to_string()),
            std::path::Component::ParentDir => Some("..".to_string()),
            _ => None,
        })
        .collect();
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// The lock key of juxta 0.1 (kept to read its locks): the file itself resolved, and the
/// root joined as an empty component.
fn legacy_relative_key(path: &Path, base: &Path) -> String {
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

impl Found {
    /// Its pin in `lock`, under its key or the key an older lock used.
    pub fn pin<'a>(&self, lock: &'a Lock) -> Result<Option<&'a Pin>, String> {
        match lock.pin(&self.key)? {
            Some(p) => Ok(Some(p)),
            None if self.legacy_key != self.key => lock.pin(&self.legacy_key),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_round_trips() {
        let lock = Lock {
            version: LOCK_VERSION,
            problems: BTreeMap::new(),
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

    #[test]
    fn a_symlinked_plugin_is_pinned_under_its_own_name() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let real = elsewhere.path().join("real.wasm");
        std::fs::write(&real, b"x").unwrap();
        std::fs::create_dir(dir.path().join("p")).unwrap();
        let link = dir.path().join("p").join("x.wasm");
        #[cfg(unix)]
        std::os::unix::fs::symlink(&real, &link).unwrap();
        #[cfg(unix)]
        assert_eq!(relative_key(&link, dir.path()), "p/x.wasm");
        let outside = relative_key(&real, dir.path());
        assert!(
            outside.starts_with('/') && !outside.starts_with("//"),
            "{outside}"
        );
        assert!(outside.ends_with("/real.wasm"), "{outside}");
    }

    #[test]
    fn duplicate_pins_and_bad_hex_are_refused_upper_case_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("juxta.lock");
        let pin = |file: &str, sha: &str| {
            format!(
                "[[plugin]]\nfile = \"{file}\"\nsha256 = \"{sha}\"\nregime = \"x\"\nregime_version = \"0.1.0\"\n"
            )
        };
        let upper = "AB".repeat(32);
        std::fs::write(&path, format!("version = 1\n{}", pin("a.wasm", &upper))).unwrap();
        assert!(Lock::read(&path).unwrap().is_some());
        std::fs::write(
            &path,
            format!(
                "version = 1\n{}{}",
                pin("a.wasm", &upper),
                pin("a.wasm", &upper)
            ),
        )
        .unwrap();
        let e = Lock::read(&path)
            .unwrap()
            .unwrap()
            .pin("a.wasm")
            .unwrap_err();
        assert!(e.contains("`a.wasm` is pinned twice"), "{e}");
        std::fs::write(
            &path,
            format!(
                "version = 1\n{}{}",
                pin("a.wasm", "xyz"),
                pin("b.wasm", &upper)
            ),
        )
        .unwrap();
        let lock = Lock::read(&path).unwrap().unwrap();
        let e = lock.pin("a.wasm").unwrap_err();
        assert!(e.contains("64 hexadecimal digits"), "{e}");
        assert!(
            lock.pin("b.wasm").unwrap().is_some(),
            "the other pins still count"
        );
        let e = Lock::read(Path::new("/dev/zero")).unwrap_err().to_string();
        assert!(e.contains("not a regular file"), "{e}");
    }
}
