//! `lage serve`: the pipeline, the store and the SSH server in one process, until Ctrl-C or
//! SIGTERM. While it runs, `DATA_DIR/serve.addr` says where, so a local `lage` that finds the
//! data dir taken can point the way in.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;

use super::Paths;
use super::remote::{Served, run_remote};
use crate::config::{self, Config, Env, parse_duration};
use crate::core::Core;
use crate::ssh::{Bound, ExecFn, Limits, ServeOptions};
use crate::store::serving;

/// Options of `lage serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address and port to listen on.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:2222")]
    pub listen: SocketAddr,
    /// The users file [default: users.toml beside the config file]
    #[arg(long, value_name = "FILE")]
    pub users: Option<PathBuf>,
    /// Logged-in connections allowed in total.
    #[arg(long, value_name = "N", default_value_t = Limits::default().sessions)]
    pub max_sessions: usize,
    /// Logged-in connections allowed per user.
    #[arg(long, value_name = "N", default_value_t = Limits::default().sessions_per_user)]
    pub max_sessions_per_user: usize,
    /// Connections still authenticating allowed at once; more are closed at once.
    #[arg(long, value_name = "N", default_value_t = Limits::default().unauthenticated)]
    pub max_unauthenticated: usize,
    /// Of those, from one address.
    #[arg(long, value_name = "N", default_value_t = Limits::default().unauthenticated_per_address)]
    pub max_unauthenticated_per_address: usize,
    /// Time a connection has to authenticate ("30s").
    #[arg(long, value_name = "DURATION", default_value = "30s")]
    pub login_grace: String,
    /// A dashboard with no input for this long is closed ("12h").
    #[arg(long, value_name = "DURATION", default_value = "12h")]
    pub idle_timeout: String,
}

/// Serves the picture over SSH.
pub async fn serve(
    paths: &Paths,
    args: ServeArgs,
    lang: crate::tui::Lang,
) -> anyhow::Result<ExitCode> {
    let config_path = config::discover(paths.config.as_deref())?;
    let config = Arc::new(Config::load(&config_path, Env::process())?);
    let users = args.users.clone().unwrap_or_else(|| {
        config_path
            .parent()
            .map(|dir| dir.join("users.toml"))
            .unwrap_or_else(|| PathBuf::from("users.toml"))
    });
    let limits = limits(&args)?;
    let Some((rules, watch)) = super::poll::watch_rules(&config, |line| tracing::warn!("{line}"))?
    else {
        return Ok(ExitCode::FAILURE);
    };
    let store = paths.open_store()?;
    let core = Core::new(config.clone(), store.clone(), rules.clone())?;
    let served = Served {
        config,
        store: store.clone(),
        rules,
    };
    let exec: ExecFn = Arc::new(move |line, user, role, terminal, out, err| {
        run_remote(line, &served, user, role, terminal, out, err)
    });
    let options = ServeOptions {
        listen: args.listen,
        users: users.clone(),
        limits,
        lang,
    };
    let bound = Bound::bind(core.clone(), options, exec)
        .await
        .context("cannot start the SSH server")?;
    let addr = bound.local_addr();
    let _announce = serving::announce(store.dir(), addr)
        .with_context(|| format!("cannot write {}", store.dir().display()))?;
    println!("lage serve: listening on {addr}");
    println!(
        "host key {}{}",
        bound.fingerprint(),
        if bound.key_created() {
            " (new: generated now)"
        } else {
            ""
        }
    );
    println!("users from {}", users.display());
    println!("connect with: ssh -p {} USER@HOST", addr.port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let pipeline = core.spawn_pipeline(async {
        let _ = stopped.await;
    });
    bound.run(super::shutdown_signal()).await?;
    let _ = stop.send(());
    match pipeline.await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(anyhow::anyhow!("{e}")).context("the pipeline stopped"),
        Err(e) => return Err(anyhow::anyhow!("{e}")).context("the pipeline task failed"),
    }
    drop(watch);
    eprintln!("lage serve: stopped; everything fetched and decided is saved");
    Ok(ExitCode::SUCCESS)
}

fn limits(args: &ServeArgs) -> anyhow::Result<Limits> {
    let duration = |flag: &str, value: &str| -> anyhow::Result<Duration> {
        parse_duration(value).ok_or_else(|| {
            anyhow::anyhow!("{flag} '{value}': expected a duration such as \"30s\" or \"12h\"")
        })
    };
    let at_least_one = |flag: &str, n: usize| {
        if n == 0 {
            anyhow::bail!("{flag} 0: nobody could connect; expected 1 or more")
        }
        Ok(n)
    };
    Ok(Limits {
        unauthenticated: at_least_one("--max-unauthenticated", args.max_unauthenticated)?,
        unauthenticated_per_address: at_least_one(
            "--max-unauthenticated-per-address",
            args.max_unauthenticated_per_address,
        )?,
        login_grace: duration("--login-grace", &args.login_grace)?,
        sessions: at_least_one("--max-sessions", args.max_sessions)?,
        sessions_per_user: at_least_one("--max-sessions-per-user", args.max_sessions_per_user)?,
        idle_timeout: duration("--idle-timeout", &args.idle_timeout)?,
        ..Limits::default()
    })
}
