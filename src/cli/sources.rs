//! `lage sources`: the configured sources with their stored health.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use super::{Paths, format};
use crate::config::Config;
use crate::health::SourceState;
use crate::store::Store;

/// Options of `lage sources`.
#[derive(Debug, Args)]
pub struct SourcesArgs {
    /// Print a JSON array.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct SourceHealth<'a> {
    id: &'a str,
    name: &'a str,
    kind: &'a str,
    url: String,
    enabled: bool,
    interval_secs: u64,
    defined_at: String,
    #[serde(flatten)]
    state: SourceState,
}

/// Lists sources and their health: loads the config, opens the store, prints to stdout.
pub fn sources(paths: &Paths, args: SourcesArgs) -> anyhow::Result<ExitCode> {
    let config = paths.load_config()?;
    let store = paths.open_store()?;
    list(&config, &store, args, &mut std::io::stdout().lock())
}

/// Writes `config`'s sources with their health from `store` to `out`, as a table or JSON.
pub fn list(
    config: &Config,
    store: &Store,
    args: SourcesArgs,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let mut rows = Vec::new();
    for s in &config.sources {
        rows.push(SourceHealth {
            id: &s.id,
            name: &s.name,
            kind: &s.kind,
            url: s.url_template.raw().to_string(),
            enabled: s.enabled,
            interval_secs: s.interval.as_secs(),
            defined_at: s.origin.to_string(),
            state: store.source_state(&s.id)?,
        });
    }
    if args.json {
        writeln!(
            out,
            "{}",
            format::json_safe(&serde_json::to_string_pretty(&rows)?)
        )?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{:<24} {:<16} {:<8} {:<12} {:<16} {:<16} last error",
        "id", "kind", "enabled", "status", "last success", "next poll"
    )?;
    for row in &rows {
        let state = &row.state;
        let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
            t.map(format::local_time).unwrap_or_else(|| "-".into())
        };
        let status = state.last_status.map(|s| s.as_str()).unwrap_or("never");
        let error = match (&state.last_error, state.last_error_at) {
            (Some(e), Some(at)) => format!(
                "{} ({} failures in a row) {e}",
                format::local_time(at),
                state.consecutive_failures
            ),
            _ => "-".into(),
        };
        writeln!(
            out,
            "{:<24} {:<16} {:<8} {:<12} {:<16} {:<16} {error}",
            format::truncate(row.id, 24),
            row.kind,
            if row.enabled { "yes" } else { "no" },
            status,
            when(state.last_success),
            if row.enabled {
                when(state.next_due)
            } else {
                "-".into()
            },
        )?;
        for warning in &state.warnings {
            writeln!(out, "    warning: {}", format::safe(warning))?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
