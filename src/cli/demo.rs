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
use crate::tui::Lang;

/// Runs the demo: the dashboard over the snapshots, or with `--headless` (or without a terminal)
/// two polls and a listing of what was stored.
pub async fn demo(args: DemoArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let work = tempfile::Builder::new()
        .prefix("lage-demo-")
        .tempdir()
        .context("cannot create a temporary directory for the demo")?;
    let spool = work.path().join("spool");
    demo::write_spool(&spool)?;
    let server = DemoServer::start().await?;
    let mut config = demo::config(&server.base, &spool)?;
    // The demo's data dir goes when it ends: briefings exported from its dashboard go to the
    // current directory instead, where they can still be opened afterwards.
    config.brief.exports = Some(std::env::current_dir()?.join("lage-demo-exports"));
    let config = Arc::new(config);
    let rules = demo::rules(&config)?;
    let data_dir = args
        .keep
        .clone()
        .unwrap_or_else(|| work.path().join("data"));
    let store = super::open_store(&data_dir)?;
    let headless = args.headless || {
        let refused = super::dashboard::need_terminal().is_err();
        if refused {
            eprintln!("lage demo: no terminal, so no dashboard; showing the headless run.");
        }
        refused
    };
    if !headless {
        let rules = Arc::new(RwLock::new(Arc::new(rules)));
        super::dashboard::open(config, store, rules, lang).await?;
        return Ok(ExitCode::SUCCESS);
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
