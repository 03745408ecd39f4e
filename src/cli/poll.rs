//! `lage poll --once` and `lage run`.

use std::process::ExitCode;
use std::sync::{Arc, RwLock};

use clap::Args;

use super::rules::{config_rules, count, error_lines, report_errors};
use super::{Paths, format};
use crate::config::Config;
use crate::poll::{Poller, SourceReport, schedule, totals};
use crate::rules::watch::{LOOK_EVERY, Look, RuleWatcher, WatchHandle};
use crate::rules::{SharedRules, bundled};

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
    let Some(rules) = config_rules(&config, "polling") else {
        return Ok(ExitCode::FAILURE);
    };
    let store = paths.open_store()?;
    let poller = Poller::new(config, store)?.with_rules(Arc::new(RwLock::new(Arc::new(rules))));
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

/// Polls continuously until Ctrl-C or SIGTERM, printing a line per poll. The rules are
/// watched: an edit that compiles is swapped in, a broken one is reported on stderr and the
/// rules that were running stay. Rules that do not compile at start stop `run` before it
/// polls anything, so it never tags with rules other than the ones on disk.
pub async fn run(paths: &Paths) -> anyhow::Result<ExitCode> {
    let config = Arc::new(paths.load_config()?);
    let enabled = config.sources.iter().filter(|s| s.enabled).count();
    let Some((rules, watch)) = watch_rules(&config, |line| eprintln!("{line}"))? else {
        return Ok(ExitCode::FAILURE);
    };
    let store = paths.open_store()?;
    eprintln!(
        "lage: polling {enabled} sources into {} (Ctrl-C to stop)",
        store.dir().display()
    );
    let poller = Poller::new(config, store)?.with_rules(rules);
    schedule::run(poller, super::shutdown_signal(), |r| {
        println!(
            "{} {}",
            format::local_time(chrono::Utc::now()),
            format::report_line(r)
        );
    })
    .await?;
    drop(watch);
    eprintln!("lage: stopped; everything fetched is saved");
    Ok(ExitCode::SUCCESS)
}

/// Compiles the config's rules and starts watching them, handing each reload and rejected edit
/// to `on_reload` as a line of text (stderr for `lage run`, the log while the dashboard runs). `None` (after printing every error) when they do not compile; no rules and no
/// watcher when the config names no rule directory.
pub(super) fn watch_rules(
    config: &Config,
    on_reload: impl Fn(&str) + Send + Sync + 'static,
) -> anyhow::Result<Option<(SharedRules, Option<WatchHandle>)>> {
    let Some(dir) = &config.rules_dir else {
        let set = bundled::rule_set()?;
        eprintln!(
            "lage: tagging with the {} bundled with lage ({}); set rules = \"DIR\" in the config to use your own",
            count(set.rules().len(), "rule", "rules"),
            set.version()
        );
        let shared: SharedRules = Arc::new(RwLock::new(Arc::new(set)));
        return Ok(Some((shared, None)));
    };
    let shown = format::safe(&dir.display().to_string());
    let watcher = match RuleWatcher::start(dir) {
        Ok(w) => w,
        Err(errors) => {
            report_errors(&errors, "lage: ");
            eprintln!(
                "lage: not starting: {} in the rules in {shown} (`lage rules check` lists them)",
                count(errors.0.len(), "error", "errors")
            );
            return Ok(None);
        }
    };
    let rules = watcher.rules();
    {
        let set = rules
            .read()
            .map_err(|_| anyhow::anyhow!("the rules lock is poisoned"))?;
        eprintln!(
            "lage: tagging with {} from {shown} ({}); edits are picked up while running",
            count(set.rules().len(), "rule", "rules"),
            set.version()
        );
    }
    let handle = watcher
        .spawn(LOOK_EVERY, move |look| match look {
            Look::Reloaded { rules, version } => on_reload(&format!(
                "lage: rules reloaded: {} ({version})",
                count(*rules, "rule", "rules")
            )),
            Look::Kept(errors) => {
                for line in error_lines(errors, "lage: rules: keeping the previous rules: ") {
                    on_reload(&line);
                }
            }
            Look::Unchanged | Look::Settling => {}
        })
        .map_err(|e| anyhow::anyhow!("cannot start the rule watcher thread: {e}"))?;
    Ok(Some((rules, Some(handle))))
}
