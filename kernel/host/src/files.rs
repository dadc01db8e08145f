//! Reading the files juxta trusts least, with a cap and from regular files only.
//!
//! A lock file, a configuration file or a plugin named by a user (or by a `juxta.toml` picked
//! up from the current directory) could be `/dev/zero`, a FIFO nobody writes to, or a 1 GB
//! file. [`read_capped`] refuses anything that is not a regular file before opening it (opening
//! a FIFO would block), checks again on the open handle, and never reads more than the cap plus
//! one byte, so none of these can hang or exhaust the process.

use std::io::Read;
use std::path::Path;

/// Largest plugin file read, in bytes (the bundled plugins are about 50 KB).
pub const MAX_PLUGIN_BYTES: u64 = 16 << 20;
/// Largest lock file read, in bytes (a pin is about 200 bytes).
pub const MAX_LOCK_BYTES: u64 = 1 << 20;
/// Largest configuration file read, in bytes.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// A file that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// There is no such file.
    #[error("`{path}` does not exist")]
    NotFound {
        /// The file.
        path: String,
    },
    /// A directory where a file was expected.
    #[error("`{path}` is a directory, not a file")]
    Directory {
        /// The file.
        path: String,
    },
    /// A device, FIFO or socket.
    #[error("`{path}` is not a regular file ({kind}): juxta reads {what} only from regular files")]
    NotRegular {
        /// The file.
        path: String,
        /// What it is instead.
        kind: &'static str,
        /// What was being read.
        what: &'static str,
    },
    /// Over the cap.
    #[error("`{path}` is larger than the limit of {limit} for {what}")]
    TooLarge {
        /// The file.
        path: String,
        /// The limit, in words.
        limit: String,
        /// What was being read.
        what: &'static str,
    },
    /// Any other I/O error.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

impl ReadError {
    /// Whether the file does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::NotFound { .. })
    }
}

/// What a file is, in words, if it is not a regular file or a directory.
fn special_kind(meta: &std::fs::Metadata) -> Option<&'static str> {
    let ty = meta.file_type();
    if ty.is_file() || ty.is_dir() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ty.is_char_device() {
            return Some("a character device");
        }
        if ty.is_block_device() {
            return Some("a block device");
        }
        if ty.is_fifo() {
            return Some("a FIFO");
        }
        if ty.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

/// A byte count in words: `16 MiB`, `512 KiB`, `100 bytes`.
pub fn size_in_words(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

/// Reads a regular file of at most `cap` bytes; `what` names it in errors ("a lock file").
pub fn read_capped(path: &Path, cap: u64, what: &'static str) -> Result<Vec<u8>, ReadError> {
    let shown = || path.display().to_string();
    let io = |source: std::io::Error| {
        if source.kind() == std::io::ErrorKind::NotFound {
            ReadError::NotFound { path: shown() }
        } else {
            ReadError::Io {
                path: shown(),
                source,
            }
        }
    };
    let check = |meta: &std::fs::Metadata| -> Result<(), ReadError> {
        if meta.is_dir() {
            return Err(ReadError::Directory { path: shown() });
        }
        if let Some(kind) = special_kind(meta) {
            return Err(ReadError::NotRegular {
                path: shown(),
                kind,
                what,
            });
        }
        if meta.len() > cap {
            return Err(ReadError::TooLarge {
                path: shown(),
                limit: size_in_words(cap),
                what,
            });
        }
        Ok(())
    };
    // Checked before opening (opening a FIFO blocks until someone writes to it), and again on
    // the open handle, in case the path was swapped in between.
    check(&std::fs::metadata(path).map_err(io)?)?;
    let file = std::fs::File::open(path).map_err(io)?;
    check(&file.metadata().map_err(io)?)?;
    let mut bytes = Vec::new();
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > cap {
        // The file grew while it was read.
        return Err(ReadError::TooLarge {
            path: shown(),
            limit: size_in_words(cap),
            what,
        });
    }
    Ok(bytes)
}

/// [`read_capped`], as UTF-8 text (a leading byte-order mark is dropped).
pub fn read_capped_text(path: &Path, cap: u64, what: &'static str) -> Result<String, ReadError> {
    let bytes = read_capped(path, cap, what)?;
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    String::from_utf8(bytes).map_err(|e| ReadError::Io {
        path: path.display().to_string(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_directories_are_refused_without_reading() {
        let e = read_capped(Path::new("/dev/zero"), 10, "a lock file").unwrap_err();
        assert!(matches!(e, ReadError::NotRegular { .. }), "{e}");
        assert!(e.to_string().contains("character device"), "{e}");
        let e = read_capped(Path::new("/"), 10, "a lock file").unwrap_err();
        assert!(matches!(e, ReadError::Directory { .. }), "{e}");
        let e = read_capped(Path::new("/nonexistent/x"), 10, "a lock file").unwrap_err();
        assert!(e.is_not_found());
    }

    #[test]
    fn the_cap_is_exact() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"0123456789").unwrap();
        assert_eq!(read_capped(&p, 10, "a file").unwrap(), b"0123456789");
        let e = read_capped(&p, 9, "a file").unwrap_err();
        assert!(
            e.to_string().contains("larger than the limit of 9 bytes"),
            "{e}"
        );
        assert_eq!(size_in_words(16 << 20), "16 MiB");
        assert_eq!(size_in_words(512 << 10), "512 KiB");
    }
}
