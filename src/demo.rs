//! `lage demo`: the real pipeline on bundled snapshots, with no network.
//!
//! The snapshots in `feeds/demo/` are compiled into the binary and served by an in-process HTTP
//! server on 127.0.0.1 (with ETags, so a second poll shows 304s). Spool files are copied into a
//! temporary spool directory. The demo's sources (`feeds/demo/sources.toml`) point at both via
//! `${LAGE_DEMO_URL}` and `${LAGE_DEMO_SPOOL}`, so they are ordinary config. The bundled rule
//! files (`config/rules/`) are compiled in too, so the demo tags what it ingests wherever the
//! binary runs.

use std::path::{Path, PathBuf};

use axum::extract::Path as UrlPath;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use include_dir::{Dir, include_dir};

use crate::config::{Config, ConfigError, Env};
use crate::rules::{RuleErrors, RuleSet};

/// The snapshots, compiled in.
static SNAPSHOTS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/feeds/demo");

/// The demo's source definitions file inside the snapshots.
const SOURCES_FILE: &str = "sources.toml";
/// The spool folder inside the snapshots.
const SPOOL_DIR: &str = "incidents-spool";

/// Demo setup failures.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The loopback server could not start.
    #[error("cannot start the demo server on 127.0.0.1: {0}")]
    Server(std::io::Error),
    /// The spool copy failed.
    #[error("cannot prepare the demo spool in {}: {source}", path.display())]
    Spool {
        /// Where.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The bundled demo config is invalid (a bug in the snapshots).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The rules do not compile (a bug in the bundled rules, or in the directory the config
    /// names).
    #[error("the demo's rules do not compile:\n{0}")]
    Rules(#[from] RuleErrors),
}

/// The running demo server; stops when dropped.
pub struct DemoServer {
    /// Base URL, `http://127.0.0.1:PORT`.
    pub base: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl DemoServer {
    /// Binds 127.0.0.1 on a free port and serves the snapshots.
    pub async fn start() -> Result<DemoServer, DemoError> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(DemoError::Server)?;
        let addr = listener.local_addr().map_err(DemoError::Server)?;
        let app = axum::Router::new().route("/{*path}", axum::routing::get(serve_snapshot));
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!("demo server stopped: {e}");
            }
        });
        Ok(DemoServer {
            base: format!("http://{addr}"),
            task,
        })
    }
}

async fn serve_snapshot(UrlPath(path): UrlPath<String>, headers: HeaderMap) -> Response {
    let Some(file) = SNAPSHOTS.get_file(&path) else {
        return (StatusCode::NOT_FOUND, "no such snapshot").into_response();
    };
    let body = file.contents();
    let etag = format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(body));
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let content_type = match Path::new(&path).extension().and_then(|e| e.to_str()) {
        Some("atom") => "application/atom+xml",
        Some("json") => "application/json",
        // The windows-1252 snapshot says so in its XML declaration, as real feeds do.
        _ => "application/rss+xml",
    };
    let mut response = body.to_vec().into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    response
}

/// Copies the bundled spool files into `dir` (created if needed).
pub fn write_spool(dir: &Path) -> Result<(), DemoError> {
    let err = |source| DemoError::Spool {
        path: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(err)?;
    if let Some(spool) = SNAPSHOTS.get_dir(SPOOL_DIR) {
        for file in spool.files() {
            if let Some(name) = file.path().file_name() {
                std::fs::write(dir.join(name), file.contents()).map_err(err)?;
            }
        }
    }
    Ok(())
}

/// The bundled area of interest and CAP table, shared with `config/lage.toml`.
const AREA: &str = include_str!("../config/area.toml");

/// The demo config: the bundled source definitions pointed at the server and spool, with the
/// bundled area of interest.
pub fn config(base: &str, spool: &Path) -> Result<Config, DemoError> {
    let sources = SNAPSHOTS
        .get_file(SOURCES_FILE)
        .and_then(|f| f.contents_utf8())
        .unwrap_or("");
    let text = format!("{sources}\n{AREA}");
    let env = Env::process()
        .with("LAGE_DEMO_URL", base)
        .with("LAGE_DEMO_SPOOL", &format!("file://{}/", spool.display()));
    Ok(Config::from_str_at(
        &text,
        Path::new("feeds/demo/sources.toml"),
        env,
    )?)
}

/// The demo's rules: the directory the demo config names, if it names one, else the bundled
/// rule files compiled into the binary (named `config/rules/FILE` in messages), in file-name
/// order as `RuleSet::load_dir` reads a directory.
pub fn rules(config: &Config) -> Result<RuleSet, DemoError> {
    if let Some(dir) = &config.rules_dir {
        return Ok(RuleSet::load_dir(dir)?);
    }
    Ok(crate::rules::bundled::rule_set()?)
}
