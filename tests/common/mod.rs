//! Helpers shared by lage's integration tests: a loopback feed server and a way to run the
//! real `lage` binary against a config and data directory made for the test.

// Every test binary compiles its own copy of this module and uses only part of it.
#![allow(dead_code)]

mod server;

use std::path::{Path, PathBuf};
use std::process::Command;

pub use server::*;

/// A `lage` command (the binary Cargo built for these tests) reading `config` and keeping its
/// state in `data_dir`; add the subcommand and arguments, then run it.
pub fn lage_cmd(config: &Path, data_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lage"));
    cmd.arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data_dir);
    cmd
}

/// Writes `body` to `dir/lage.toml` and returns that path; panics if it cannot be written.
pub fn write_config(dir: &Path, body: &str) -> PathBuf {
    let path = dir.join("lage.toml");
    if let Err(e) = std::fs::write(&path, body) {
        panic!("writing {}: {e}", path.display());
    }
    path
}
