//! `lage` (no subcommand) and `lage demo`: the dashboard on the local terminal, with the
//! pipeline polling in the background of the same process.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;

use super::Paths;
use crate::access::Role;
use crate::config::Config;
use crate::core::Core;
use crate::curation::local_author;
use crate::rules::SharedRules;
use crate::store::Store;
use crate::tui::{self, Lang, Session, terminal};

/// Opens the dashboard on the configured sources and data dir.
pub async fn dashboard(paths: &Paths, lang: Lang) -> anyhow::Result<ExitCode> {
    need_terminal()?;
    let config = Arc::new(paths.load_config()?);
    let Some((rules, watch)) = super::poll::watch_rules(&config, |line| tracing::warn!("{line}"))?
    else {
        return Ok(ExitCode::FAILURE);
    };
    let store = paths.open_store()?;
    open(config, store, rules, lang).await?;
    drop(watch);
    Ok(ExitCode::SUCCESS)
}

/// Refuses to start without a terminal, with what to use instead.
pub fn need_terminal() -> anyhow::Result<()> {
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        Ok(())
    } else {
        anyhow::bail!(
            "the dashboard needs a terminal; without one use `lage run` (polling), `lage items` or `lage demo --headless`"
        )
    }
}

/// Runs the dashboard over `store` until the user quits or the process is told to stop, then
/// lets polls in flight finish (everything they fetched is saved) and returns.
pub async fn open(
    config: Arc<Config>,
    store: Arc<Store>,
    rules: SharedRules,
    lang: Lang,
) -> anyhow::Result<()> {
    let log = store.dir().join("lage.log");
    let _log = super::logging::to_file(&log)
        .with_context(|| format!("cannot write the log file {}", log.display()))?;
    let core = Core::new(config, store, rules)?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let pipeline = core.spawn_pipeline(async {
        let _ = stopped.await;
    });
    // The local user owns the data dir, so the local dashboard may do everything.
    let session = Session {
        user: local_author(),
        role: Role::Admin,
        lang,
        color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let outcome = {
        let mut local = terminal::LocalTerminal::enter().context("cannot set up the terminal")?;
        tokio::select! {
            r = tui::run(local.terminal(), terminal::input(), core.clone(), session) => r.map_err(anyhow::Error::from),
            () = super::shutdown_signal() => Ok(()),
        }
        // The terminal is restored here, before anything else is printed.
    };
    let _ = stop.send(());
    match pipeline.await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(anyhow::anyhow!("{e}")).context("the pipeline stopped"),
        Err(e) => return Err(anyhow::anyhow!("{e}")).context("the pipeline task failed"),
    }
    outcome
}
