//! The command line: argument definitions and dispatch. This is the binary's edge, so errors are
//! `anyhow` with context, printed once with their causes by `main`.

mod brief;
pub mod dashboard;
pub mod demo;
mod explain;
pub mod format;
mod import;
mod items;
pub mod logging;
mod opml;
mod poll;
pub mod remote;
mod replay;
mod rules;
mod serve;
mod sources;
mod tag;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::config::{self, Config, Env};
use crate::store::Store;

/// lage: a live situational picture (lägesbild) for a city's safety and security office.
#[derive(Debug, Parser)]
#[command(name = "lage", version, about, long_about = None)]
pub struct Cli {
    /// Config file [default: $LAGE_CONFIG, then the XDG config dir, then the bundled config]
    #[arg(long, global = true, env = "LAGE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory [default: $LAGE_DATA_DIR, then the XDG data dir]
    #[arg(long, global = true, env = "LAGE_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Language of the dashboard and of briefings: sv (Swedish, the default) or en
    #[arg(long, global = true, env = "LAGE_LANG", value_enum, default_value_t = LangArg::Sv)]
    pub lang: LangArg,
    /// What to do; without a command, `lage` opens the dashboard.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The dashboard's language on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LangArg {
    /// Svenska.
    Sv,
    /// English.
    En,
}

impl From<LangArg> for crate::tui::Lang {
    fn from(lang: LangArg) -> crate::tui::Lang {
        match lang {
            LangArg::Sv => crate::tui::Lang::Sv,
            LangArg::En => crate::tui::Lang::En,
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch every enabled source once and report per source.
    Poll(poll::PollArgs),
    /// Poll continuously on each source's interval until Ctrl-C or SIGTERM.
    Run,
    /// List stored items, newest first.
    Items(items::ItemsArgs),
    /// List sources with their health.
    Sources(sources::SourcesArgs),
    /// Import or export OPML subscription lists.
    #[command(subcommand)]
    Opml(opml::OpmlCommand),
    /// Check, try, explain and replay the tagging rules.
    #[command(subcommand)]
    Rules(rules::RulesCommand),
    /// Add (+TAG) or remove (-TAG) tags of a stored item by hand.
    Tag(tag::TagArgs),
    /// Store items from a file of one item JSON per line (as `lage items --ndjson` prints).
    Import(import::ImportArgs),
    /// Open the dashboard on the bundled offline snapshots (no network needed).
    Demo(DemoArgs),
    /// Compose, approve and export briefings (the weekly lägesbild, incident reports).
    #[command(subcommand)]
    Brief(brief::BriefCommand),
    /// Serve the picture over SSH: the pipeline, the store and a dashboard per SSH session.
    Serve(serve::ServeArgs),
}

/// Options of `lage demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Print what was ingested instead of opening the dashboard (also the mode without a
    /// terminal).
    #[arg(long)]
    pub headless: bool,
    /// Keep the demo's data in DIR (new, or one an earlier demo kept), to try
    /// `lage --data-dir DIR items`, `rules explain`, `rules replay` or `tag` on it afterwards.
    #[arg(long, value_name = "DIR")]
    pub keep: Option<std::path::PathBuf>,
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("lage: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("lage: {}", format::safe(&format!("{e:#}")));
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    let Cli {
        config,
        data_dir,
        lang,
        command,
    } = cli;
    let paths = Paths { config, data_dir };
    let Some(command) = command else {
        return dashboard::dashboard(&paths, lang.into()).await;
    };
    match command {
        Command::Poll(args) => poll::poll(&paths, args).await,
        Command::Run => poll::run(&paths).await,
        Command::Items(args) => items::items(&paths, args),
        Command::Sources(args) => sources::sources(&paths, args),
        Command::Opml(cmd) => opml::opml(&paths, cmd),
        Command::Rules(cmd) => rules::rules(&paths, cmd),
        Command::Tag(args) => tag::tag(&paths, args),
        Command::Import(args) => import::import(&paths, args),
        Command::Demo(args) => demo::demo(args, lang.into()).await,
        Command::Brief(cmd) => brief::brief(&paths, lang, cmd),
        Command::Serve(args) => serve::serve(&paths, args, lang.into()).await,
    }
}

/// The config and data dir as given on the command line, resolved on use.
pub struct Paths {
    config: Option<PathBuf>,
    data_dir: Option<PathBuf>,
}

impl Paths {
    /// Loads and validates the config.
    pub fn load_config(&self) -> anyhow::Result<Config> {
        let path = config::discover(self.config.as_deref())?;
        Ok(Config::load(&path, Env::process())?)
    }

    /// Opens the store in the data dir.
    pub fn open_store(&self) -> anyhow::Result<Arc<Store>> {
        let dir = self
            .data_dir
            .clone()
            .unwrap_or_else(config::default_data_dir);
        open_store(&dir)
    }
}

/// Opens a store, with the data dir named in any error.
pub fn open_store(dir: &Path) -> anyhow::Result<Arc<Store>> {
    let store =
        Store::open(dir).with_context(|| format!("cannot open data dir {}", dir.display()))?;
    Ok(Arc::new(store))
}

/// Waits for Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
