//! # juxta-cli (the `juxta` command)
//!
//! A thin shell over the [`juxta`] library: the only crate that knows clap, terminals and exit
//! codes. One file per command under `cmd/`; `setup.rs` loads plugins, selects regimes, reads
//! profiles and `--as-of` the same way for every command. [`run`] is the whole program with its
//! standard streams passed in, so tests drive it in-process exactly as a user would from a shell.
#![forbid(unsafe_code)]

pub mod args;
mod cmd;
pub mod diagnostics;
pub mod generate;
mod setup;

pub use juxta::fsio;
pub use juxta_render::visible;

use std::ffi::OsString;
use std::io::Write;

use clap::Parser;

use args::{Cli, ColorChoice, Command, RegimeCommand};

/// Exit codes, documented in `--help` and the README.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Everything worked.
    Success = 0,
    /// An error: bad input, an unreadable file, a failed build.
    Error = 1,
    /// The command line is wrong.
    Usage = 2,
    /// Output was produced, but at least one regime failed.
    RegimeFailed = 3,
    /// Checks failed: test cases, or `build --check` found a different build.
    ChecksFailed = 4,
}

/// What the program knows about its environment.
pub struct Io<'a> {
    /// Standard input.
    pub input: &'a mut (dyn std::io::Read + Send),
    /// Standard output.
    pub out: &'a mut dyn Write,
    /// Standard error.
    pub err: &'a mut dyn Write,
    /// Whether standard output is a terminal.
    pub out_is_terminal: bool,
    /// Whether standard error is a terminal.
    pub err_is_terminal: bool,
}

/// Everything a command needs.
pub(crate) struct Ctx<'a, 'b> {
    pub io: &'a mut Io<'b>,
    pub color_out: bool,
    pub color_err: bool,
}

impl Ctx<'_, '_> {
    pub fn renderer(&self) -> diagnostics::Renderer {
        diagnostics::Renderer::new(self.color_err, self.io.err_is_terminal)
    }

    /// Writes to standard error; a closed stream is not worth failing over.
    pub fn eprint(&mut self, text: &str) {
        let _ = self.io.err.write_all(text.as_bytes());
    }

    /// Writes an error message and returns the code to exit with.
    pub fn fail(&mut self, code: Exit, message: &str) -> Exit {
        let text = self.renderer().plain(message);
        self.eprint(&text);
        code
    }
}

/// Runs juxta with these arguments (the first is the program name).
pub fn run(args: impl IntoIterator<Item = OsString>, io: &mut Io<'_>) -> Exit {
    // The command owns its process: a signal removes any temporary output file.
    juxta::fsio::cleanup::enable();
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                Exit::Usage
            } else {
                Exit::Success
            };
            let text = if io.err_is_terminal && e.use_stderr() {
                e.render().ansi().to_string()
            } else {
                e.render().to_string()
            };
            let _ = if e.use_stderr() {
                io.err.write_all(text.as_bytes())
            } else {
                io.out.write_all(text.as_bytes())
            };
            return code;
        }
    };
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let decide = |terminal: bool| match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && !no_color,
    };
    let (color_out, color_err) = (decide(io.out_is_terminal), decide(io.err_is_terminal));
    let mut ctx = Ctx {
        io,
        color_out,
        color_err,
    };
    match cli.command {
        Command::Compare(a) => cmd::compare::run(&mut ctx, &a),
        Command::Regimes(a) => match a.action {
            Some(args::RegimesAction::Lock) => cmd::regimes::lock(&mut ctx, &a),
            None => cmd::regimes::list(&mut ctx, &a),
        },
        Command::Regime(RegimeCommand::New(a)) => cmd::scaffold::new(&mut ctx, &a),
        Command::Regime(RegimeCommand::Lint(a)) => cmd::lint::lint(&mut ctx, &a),
        Command::Regime(RegimeCommand::Build(a)) => cmd::build::build(&mut ctx, &a),
        Command::Regime(RegimeCommand::Test(a)) => cmd::regime_test::test(&mut ctx, &a),
        Command::Schema(a) => cmd::schema::run(&mut ctx, &a),
        Command::Explain(a) => cmd::explain::run(&mut ctx, &a),
        Command::Batch(a) => cmd::batch::run(&mut ctx, &a),
        Command::Generate(a) => cmd::generate::run(&mut ctx, &a),
        Command::Render(a) => cmd::render::run(&mut ctx, &a),
        Command::App(a) => cmd::app::run(&mut ctx, &a),
    }
}

/// Writes a file through a temporary file in its directory, so readers never see half of it
/// (devices and FIFOs in place, symlinks followed, permissions kept: see [`fsio`]).
pub(crate) fn write_atomically(dest: &std::path::Path, bytes: &[u8]) -> Result<(), String> {
    fsio::write_file(dest, bytes)
}

/// Refuses a device or socket as a profile (`/dev/zero`, `/dev/tty`): a profile is a regular
/// file, or a pipe such as `<(jq … )`, which ends when its writer does. Reads are capped anyway.
pub(crate) fn refuse_devices(path: &std::path::Path) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if let Ok(meta) = std::fs::metadata(path) {
            let ty = meta.file_type();
            let kind = if ty.is_char_device() {
                Some("a character device")
            } else if ty.is_block_device() {
                Some("a block device")
            } else if ty.is_socket() {
                Some("a socket")
            } else {
                None
            };
            if let Some(kind) = kind {
                return Err(format!(
                    "`{}` is {kind}, not a file: give a profile file, or `-` for standard input",
                    path.display()
                ));
            }
        }
    }
    let _ = path;
    Ok(())
}

/// Largest profile or case file read, in bytes: far above any real profile, far below what
/// would strain memory.
pub const MAX_PROFILE_BYTES: u64 = 16 << 20;

/// Reads a file (or standard input for `-`) as UTF-8 text, with a message naming the file. A
/// UTF-8 byte-order mark is dropped; more than [`MAX_PROFILE_BYTES`] is refused.
pub(crate) fn read_text(
    path: &std::path::Path,
    stdin: &mut dyn std::io::Read,
) -> Result<String, String> {
    use std::io::Read;
    let shown = path.display();
    let too_big = || {
        format!(
            "`{shown}` is larger than the limit of {} MiB for a profile",
            MAX_PROFILE_BYTES >> 20
        )
    };
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        stdin
            .take(MAX_PROFILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
    } else {
        if path.is_dir() {
            return Err(format!("`{shown}` is a directory, not a file"));
        }
        refuse_devices(path)?;
        let file = std::fs::File::open(path).map_err(|e| format!("cannot read `{shown}`: {e}"))?;
        file.take(MAX_PROFILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read `{shown}`: {e}"))?;
    }
    if bytes.len() as u64 > MAX_PROFILE_BYTES {
        return Err(too_big());
    }
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .map(<[u8]>::to_vec)
        .unwrap_or(bytes);
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        format!("`{shown}` is not UTF-8 text (invalid byte at offset {offset})")
    })
}
