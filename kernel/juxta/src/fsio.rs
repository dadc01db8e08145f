//! Writing output files so that they respect what they write to.
//!
//! - **A regular file** (or a new one) is written as a temporary file beside it and renamed over
//!   it when complete: readers never see half of it, and a failed run leaves the old file as it
//!   was. An existing file keeps its permission bits; a new one gets 0644 under the umask.
//! - **A symlink is followed, deliberately**: the file it points to is replaced (the temporary
//!   file is made in the target's directory) and the link stays a link, pointing at the new
//!   results. Chains are followed up to 40 links.
//! - **Anything else** — a device such as `/dev/null`, a FIFO, a kernel path such as
//!   `/dev/stdout` or `/dev/fd/3` — is written in place, never renamed over: replacing
//!   `/dev/null` with a regular file, or a FIFO its reader waits on, would be destruction, not
//!   output. A kernel path that leads to a regular file (`-o /dev/stdout` with standard output
//!   redirected to a file) is appended to, as `>>` would. A FIFO with no reader blocks until
//!   one opens it, as `cat > fifo` does.
//! - **A read-only file is not replaced**, and the temporary file is private (0600) until it is
//!   renamed into place with the final mode. Replacing makes a new file: hard links to the old
//!   one keep the old content.
//! - **Signals**: SIGINT, SIGTERM and SIGHUP remove every temporary file still registered, then
//!   end the process as the signal would have (see [`cleanup`]). Only SIGKILL or a power cut can
//!   leave a `.juxta-*.tmp` file behind.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The longest chain of symlinks followed (Linux's own limit).
const MAX_SYMLINKS: usize = 40;

/// A path the kernel resolves by itself (`/dev/stdout` → `/proc/self/fd/1` → `pipe:[…]`):
/// whatever it names is written in place, never replaced.
fn is_kernel_path(p: &Path) -> bool {
    p.starts_with("/proc")
        || p.starts_with("/dev/fd")
        || p == Path::new("/dev/stdout")
        || p == Path::new("/dev/stderr")
}

/// Follows `path` through symlinks to the file they finally name (which may not exist yet).
/// `None` when the chain reaches `/proc`, `/dev/fd` or `/dev/std…`: those links are the
/// kernel's, and only the kernel can follow them (to a pipe, a terminal, an open file).
pub fn follow_symlinks(path: &Path) -> Result<Option<PathBuf>, String> {
    let mut p = path.to_path_buf();
    for _ in 0..MAX_SYMLINKS {
        if is_kernel_path(&p) {
            return Ok(None);
        }
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&p)
                    .map_err(|e| format!("cannot read the symlink `{}`: {e}", p.display()))?;
                p = if target.is_absolute() {
                    target
                } else {
                    p.parent().unwrap_or_else(|| Path::new("")).join(target)
                };
            }
            _ => return Ok(Some(p)),
        }
    }
    Err(format!(
        "`{}`: more than {MAX_SYMLINKS} levels of symbolic links",
        path.display()
    ))
}

/// Where output goes.
pub enum Destination {
    /// Standard output.
    Stdout,
    /// A device, FIFO or kernel path (`/dev/stdout`, `/dev/fd/3`), written in place.
    InPlace {
        /// The open file.
        file: File,
    },
    /// A regular file, through a temporary file in the same directory.
    Atomic {
        /// The temporary file.
        tmp: tempfile::NamedTempFile,
        /// The file renamed over (symlinks already followed).
        dest: PathBuf,
        /// The permissions the file gets when it is renamed into place.
        mode: Option<std::fs::Permissions>,
        /// Removes the temporary file if a signal ends the process.
        _guard: cleanup::Guard,
    },
}

impl Destination {
    /// Standard output for `-`, else the file at `path` (see the module documentation).
    /// `prefix` names the temporary file (`.juxta-batch-`).
    pub fn open(path: &Path, prefix: &str) -> Result<Destination, String> {
        if path.as_os_str() == "-" {
            return Ok(Destination::Stdout);
        }
        let in_place = |append: bool| -> Result<Destination, String> {
            std::fs::OpenOptions::new()
                .write(true)
                .append(append)
                .open(path)
                .map(|file| Destination::InPlace { file })
                .map_err(|e| format!("cannot write `{}`: {e}", path.display()))
        };
        // What the path finally is, as the kernel sees it.
        let existing = match std::fs::metadata(path) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(format!("cannot write `{}`: {e}", path.display())),
        };
        if let Some(m) = &existing {
            if m.is_dir() {
                return Err(format!(
                    "`{}` is a directory: give a file name for the output",
                    path.display()
                ));
            }
            if !m.is_file() {
                return in_place(false);
            }
        }
        let Some(target) = follow_symlinks(path)? else {
            // `/dev/stdout` redirected to a file, `/dev/fd/3`: the file is someone else's open
            // file. Appended to, as `>>` would, so nothing already in it is lost.
            return in_place(true);
        };
        if let Some(m) = &existing
            && m.permissions().readonly()
        {
            return Err(format!(
                "`{}` is read-only: juxta does not replace it (make it writable, or choose another output)",
                target.display()
            ));
        }
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(prefix).suffix(".tmp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // Private while it is written (results may be confidential); the final mode is set
            // when it is renamed into place.
            builder.permissions(std::fs::Permissions::from_mode(0o600));
        }
        let tmp = builder
            .tempfile_in(&dir)
            .map_err(|e| format!("cannot create a temporary file in `{}`: {e}", dir.display()))?;
        let guard = cleanup::Guard::new(tmp.path());
        let mode = match existing {
            Some(m) => Some(m.permissions()),
            None => new_file_mode(&dir),
        };
        Ok(Destination::Atomic {
            tmp,
            dest: target,
            mode,
            _guard: guard,
        })
    }

    /// A writer for the output (`stdout` for standard output).
    pub fn writer<'a>(&self, stdout: &'a mut dyn Write) -> Result<Box<dyn Write + 'a>, String> {
        match self {
            Destination::Stdout => Ok(Box::new(stdout)),
            Destination::InPlace { .. } | Destination::Atomic { .. } => {
                self.file().map(|f| Box::new(f) as Box<dyn Write>)
            }
        }
    }

    /// The file written to; an error for standard output.
    pub fn file(&self) -> Result<File, String> {
        match self {
            Destination::Stdout => {
                Err("Parquet cannot be written to standard output: give a file name".into())
            }
            Destination::InPlace { file } => file
                .try_clone()
                .map_err(|e| format!("cannot write the output: {e}")),
            Destination::Atomic { tmp, .. } => tmp
                .reopen()
                .map_err(|e| format!("cannot write the output: {e}")),
        }
    }

    /// Whether a failure leaves nothing written (a regular file, committed atomically).
    pub fn is_atomic(&self) -> bool {
        matches!(self, Destination::Atomic { .. })
    }

    /// Moves the finished output into place.
    pub fn commit(self) -> Result<(), String> {
        match self {
            Destination::Stdout | Destination::InPlace { .. } => Ok(()),
            Destination::Atomic {
                tmp,
                dest,
                mode,
                _guard,
            } => {
                if let Some(perms) = mode {
                    tmp.as_file().set_permissions(perms).map_err(|e| {
                        format!("cannot keep the permissions of `{}`: {e}", dest.display())
                    })?;
                }
                tmp.persist(&dest)
                    .map(|_| ())
                    .map_err(|e| format!("cannot move the output into `{}`: {e}", dest.display()))
            }
        }
    }
}

/// The mode a new file gets in `dir`: 0644 under the umask, learnt by creating one (the umask
/// cannot be read without changing it).
fn new_file_mode(dir: &Path) -> Option<std::fs::Permissions> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let probe = tempfile::Builder::new()
            .prefix(".juxta-mode-")
            .permissions(std::fs::Permissions::from_mode(0o644))
            .tempfile_in(dir)
            .ok()?;
        probe.as_file().metadata().ok().map(|m| m.permissions())
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

/// Writes a whole file (see the module documentation for what it does with symlinks, devices
/// and permissions).
pub fn write_file(dest: &Path, bytes: &[u8]) -> Result<(), String> {
    if dest.as_os_str() == "-" {
        return Err("`-` is not a file name here: give a path".into());
    }
    let out = Destination::open(dest, ".juxta-")?;
    let mut sink = std::io::sink();
    let mut w = out.writer(&mut sink)?;
    w.write_all(bytes)
        .and_then(|()| w.flush())
        .map_err(|e| format!("cannot write `{}`: {e}", dest.display()))?;
    drop(w);
    out.commit()
}

/// Temporary files to remove if a signal ends the process.
///
/// Only a program that owns its process enables this ([`cleanup::enable`]: the `juxta` command does):
/// the handler lets SIGINT, SIGTERM and SIGHUP end the process as they would have, which a
/// host such as a Python interpreter, with signal handling of its own, must not have imposed.
pub mod cleanup {
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Mutex, Once};

    static TEMPORARY: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    static INSTALL: Once = Once::new();
    static ENABLED: AtomicBool = AtomicBool::new(false);

    /// From now on, a temporary output file is removed if a signal ends the process (the
    /// handler is installed with the first such file).
    pub fn enable() {
        ENABLED.store(true, Ordering::SeqCst);
    }

    fn registry() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
        TEMPORARY.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a temporary file while it lives: with cleaning [`enable`]d, a SIGINT, SIGTERM or
    /// SIGHUP meanwhile removes it before the process ends.
    pub struct Guard(PathBuf);

    impl Guard {
        /// Registers `path` (and installs the handler, the first time).
        pub fn new(path: &Path) -> Guard {
            if ENABLED.load(Ordering::SeqCst) {
                install();
            }
            registry().push(path.to_path_buf());
            Guard(path.to_path_buf())
        }
    }

    impl Drop for Guard {
        fn drop(&mut self) {
            let mut r = registry();
            if let Some(i) = r.iter().position(|p| *p == self.0) {
                r.swap_remove(i);
            }
        }
    }

    /// A thread that waits for the signals, removes the registered files, then lets the signal
    /// do what it would have done (so the exit status still says "killed by SIGINT").
    fn install() {
        INSTALL.call_once(|| {
            #[cfg(unix)]
            {
                use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
                match signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) {
                    Ok(mut signals) => {
                        let spawned = std::thread::Builder::new()
                            .name("juxta-signals".into())
                            .spawn(move || {
                                if let Some(sig) = signals.forever().next() {
                                    // Held until the process ends: no temporary file can be
                                    // registered between the cleaning and the signal.
                                    let mut held = registry();
                                    for p in held.drain(..) {
                                        let _ = std::fs::remove_file(p);
                                    }
                                    let _ = signal_hook::low_level::emulate_default_handler(sig);
                                    // Not reached for these signals; if it were, end anyway.
                                    std::process::exit(128 + sig);
                                }
                            });
                        if let Err(e) = spawned {
                            tracing::warn!(error = %e, "no signal handler: a signal may leave a temporary file");
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "no signal handler: a signal may leave a temporary file");
                    }
                }
            }
        });
    }
}
