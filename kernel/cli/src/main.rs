//! The `juxta` binary: see [`juxta::run`].
#![forbid(unsafe_code)]

use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_env("JUXTA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let (stdout, stderr) = (std::io::stdout(), std::io::stderr());
    let mut io = juxta::Io {
        out_is_terminal: stdout.is_terminal(),
        err_is_terminal: stderr.is_terminal(),
        out: &mut stdout.lock(),
        err: &mut stderr.lock(),
    };
    let code = juxta::run(std::env::args_os(), &mut io);
    ExitCode::from(code as u8)
}
