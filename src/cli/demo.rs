//! `lage demo`: runs the pipeline on the bundled snapshots into a temporary data dir and shows
//! what happened: the first poll stores everything, the second finds nothing new.

use std::process::ExitCode;
use std::sync::{Arc, RwLock};

use anyhow::Context;

use super::{DemoArgs, format, poll::print_reports};
use crate::demo::{self, DemoServer};
use crate::poll::Poller;
use crate::store::ItemQuery;
use crate::tags::effective;

/// Runs the demo. Until the dashboard exists, both modes print what was ingested.
pub async fn demo(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let work = tempfile::Builder::new()
        .prefix("lage-demo-")
        .tempdir()
        .context("cannot create a temporary directory for the demo")?;
    let spool = work.path().join("spool");
    demo::write_spool(&spool)?;
    let server = DemoServer::start().await?;
    let config = Arc::new(demo::config(&server.base, &spool)?);
    let rules = demo::rules(&config)?;
    let data_dir = args
        .keep
        .clone()
        .unwrap_or_else(|| work.path().join("data"));
    let store = super::open_store(&data_dir)?;
    if !args.headless {
        eprintln!("lage demo: the dashboard is not built yet; showing the headless run.");
    }
    println!(
        "lage demo: {} sources served from {} (spool {})",
        config.sources.len(),
        server.base,
        spool.display()
    );
    println!(
        "lage demo: tagging with {} rules from {} files ({})\n",
        rules.rules().len(),
        rules.files().len(),
        rules.version()
    );
    let poller =
        Poller::new(config, store.clone())?.with_rules(Arc::new(RwLock::new(Arc::new(rules))));

    println!("== First poll ==");
    print_reports(&poller.poll_all().await?, false)?;

    println!("\n== Second poll (conditional GET: expect not_modified, nothing new) ==");
    print_reports(&poller.poll_all().await?, false)?;

    let items = store.items(&ItemQuery::default())?;
    println!(
        "\n== {} items in the store, newest first (Stockholm time) ==",
        items.len()
    );
    let now = chrono::Utc::now();
    for item in &items {
        let (tags, _) = effective(&item.tagging, &store.tag_overrides(&item.id)?);
        println!("{}", format::item_line(item, &tags, now));
    }
    if let Some(dir) = &args.keep {
        let dir = format::safe(&dir.display().to_string());
        let example = items
            .iter()
            .find(|i| !i.tagging.is_empty())
            .map_or("ITEM_ID", |i| i.id.as_str());
        println!("\nThe demo's data is kept in {dir}. Try:");
        println!("  lage --data-dir {dir} items --tag fokus --json");
        println!("  lage --data-dir {dir} rules explain {example}");
        println!("  lage --data-dir {dir} rules replay");
    }
    Ok(ExitCode::SUCCESS)
}
