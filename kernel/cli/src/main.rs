//! The `juxta` binary: see [`juxta_cli::run`].
#![forbid(unsafe_code)]

use std::io::IsTerminal;
use std::process::ExitCode;

// The allocator: `batch` allocates and frees small objects on several threads; glibc's malloc
// was over a third of its time. jemalloc by default (BENCHMARKS.md says why).
#[cfg(all(feature = "mimalloc", not(feature = "jemalloc")))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
#[cfg(feature = "jemalloc")]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_env("JUXTA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
    // Unlocked handles: each write takes the lock for itself. Holding `stderr().lock()` for the
    // whole run would deadlock with log lines written from the plugin-loading threads.
    let (mut stdout, mut stderr) = (std::io::stdout(), std::io::stderr());
    let mut stdin = std::io::stdin();
    let mut io = juxta_cli::Io {
        input: &mut stdin,
        out_is_terminal: stdout.is_terminal(),
        err_is_terminal: stderr.is_terminal(),
        out: &mut stdout,
        err: &mut stderr,
    };
    let code = juxta_cli::run(std::env::args_os(), &mut io);
    ExitCode::from(code as u8)
}
