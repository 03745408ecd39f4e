//! The `lage` binary: parses arguments, sets up logging to stderr, runs the command.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    restore_sigpipe();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LAGE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error")),
        )
        .with_writer(lage::cli::logging::Sink)
        .init();
    lage::cli::run(lage::cli::Cli::parse())
}

/// Rust ignores SIGPIPE, which turns `lage items | head` into a panic on the next print.
/// Restoring the default makes `lage` end quietly when its reader goes away, as command-line
/// tools do; everything reported saved was flushed before it was printed.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
