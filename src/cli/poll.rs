//! `lage poll --once` and `lage run`.

use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;

use super::{Paths, format};
use crate::poll::{Poller, SourceReport, schedule, totals};

/// Options of `lage poll`.
#[derive(Debug, Args)]
pub struct PollArgs {
    /// Fetch every enabled source once, then exit (the only mode; continuous polling is `lage run`).
    #[arg(long, required = true)]
    pub once: bool,
    /// Print one JSON object with per-source results and totals.
    #[arg(long)]
    pub json: bool,
}

/// Polls once and prints the report. Exit 0 when the cycle ran, even if sources failed.
pub async fn poll(paths: &Paths, args: PollArgs) -> anyhow::Result<ExitCode> {
    let config = Arc::new(paths.load_config()?);
    let store = paths.open_store()?;
    let poller = Poller::new(config, store)?;
    let reports = poller.poll_all().await?;
    print_reports(&reports, args.json)?;
    Ok(ExitCode::SUCCESS)
}

/// Prints poll reports as text or as the documented JSON object.
pub fn print_reports(reports: &[SourceReport], json: bool) -> anyhow::Result<()> {
    let totals = totals(reports);
    if json {
        let out = serde_json::json!({ "sources": reports, "totals": totals });
        println!("{}", format::json_safe(&serde_json::to_string(&out)?));
    } else {
        for r in reports {
            println!("{}", format::report_line(r));
        }
        println!("{}", format::totals_line(&totals));
    }
    Ok(())
}

/// Polls continuously until Ctrl-C or SIGTERM, printing a line per poll.
pub async fn run(paths: &Paths) -> anyhow::Result<ExitCode> {
    let config = Arc::new(paths.load_config()?);
    let enabled = config.sources.iter().filter(|s| s.enabled).count();
    let store = paths.open_store()?;
    eprintln!(
        "lage: polling {enabled} sources into {} (Ctrl-C to stop)",
        store.dir().display()
    );
    let poller = Poller::new(config, store)?;
    schedule::run(poller, super::shutdown_signal(), |r| {
        println!(
            "{} {}",
            format::local_time(chrono::Utc::now()),
            format::report_line(r)
        );
    })
    .await?;
    eprintln!("lage: stopped; everything fetched is saved");
    Ok(ExitCode::SUCCESS)
}
