//! Helpers shared by lage's integration tests: a loopback feed server and a way to run the
//! real `lage` binary against a config and data directory made for the test.

// Every test binary compiles its own copy of this module and uses only part of it.
#![allow(dead_code)]

pub mod keys;
pub mod screen;
pub mod serve;
mod server;
mod tmux;
pub mod world;

use std::path::{Path, PathBuf};
use std::process::Command;

#[allow(unused_imports)]
pub use server::*;
#[allow(unused_imports)]
pub use tmux::Tmux;

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

/// Parses a `lage` command's stdout as JSON after checking it exited 0 without a panic;
/// `what` names the command in failure messages.
pub fn json_output(output: &std::process::Output, what: &str) -> serde_json::Value {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "lage {what} failed ({}):\nstdout: {stdout}\nstderr: {stderr}",
        output.status
    );
    assert!(
        !stderr.contains("panicked"),
        "lage {what} panicked:\n{stderr}"
    );
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("lage {what} printed invalid JSON ({e}):\n{stdout}"))
}

/// Stores `items` as one successful fetch of the source `nyheter` at `now`, flushed; returns
/// their ids in order.
pub fn ingest(
    store: &lage::store::Store,
    items: Vec<lage::normalise::Normalised>,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<String> {
    let ids = items.iter().map(|n| n.item.id.clone()).collect();
    let mut state = lage::health::SourceState::default();
    state.succeeded(now, std::time::Duration::from_secs(300), items.len());
    store
        .apply(&lage::store::FetchBatch {
            source: "nyheter".into(),
            items,
            state,
            now,
            rules: None,
        })
        .expect("ingest");
    store.flush().expect("flush");
    ids
}

/// The id of the stored item whose title contains `title`; panics if there is none.
pub fn item_id(store: &lage::store::Store, title: &str) -> String {
    store
        .items(&lage::store::ItemQuery::default())
        .expect("items")
        .into_iter()
        .find(|i| i.title.contains(title))
        .unwrap_or_else(|| panic!("no stored item titled {title:?}"))
        .id
}
