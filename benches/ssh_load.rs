//! `lage serve` under load: 50 concurrent SSH dashboards (russh clients with a pty, each
//! screen kept by a `vt100` terminal emulator) while the pipeline polls 200 feeds that bring
//! new items on every poll. One session acknowledges 20 items, one after another; every other
//! session watches for the ✓ on that item's row. Prints the time from the keypress to the ✓ in
//! the others (p50, p99, max), sessions that missed one (frozen), and the server's CPU and
//! memory over the run. Loopback only. The goal (issue 8): p99 under 250 ms.
//!
//! `cargo bench --bench ssh_load` (`SESSIONS=n`, `FEEDS=n` to change the load).

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path as UrlPath, State};
use chrono::{Duration as Span, Utc};
use russh::keys::ssh_key::{Algorithm, LineEnding, PrivateKey};

const TARGETS: usize = 20;
const COLS: u32 = 120;
const ROWS: u32 = 44;

type Error = Box<dyn std::error::Error + Send + Sync>;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The target items' titles.
fn target(k: usize) -> String {
    format!("MÅL-{k:02} belastningsprov")
}

#[derive(Clone)]
struct Feeds {
    requests: Arc<AtomicU64>,
    targets: Arc<String>,
}

/// Feed 0 holds the targets (newest, so they stay at the top of the list); every other feed
/// brings 20 new, older items on each request, so every poll stores something.
async fn feed(State(feeds): State<Feeds>, UrlPath(name): UrlPath<String>) -> String {
    if name == "0.json" {
        return (*feeds.targets).clone();
    }
    let n = feeds.requests.fetch_add(1, Ordering::Relaxed);
    let old = (Utc::now() - Span::days(2)).to_rfc3339();
    let items: Vec<serde_json::Value> = (0..20)
        .map(|i| {
            serde_json::json!({
                "id": format!("{name}-{n}-{i}"),
                "url": format!("https://example.org/{name}/{n}/{i}"),
                "title": format!("Bakgrund {name} {n} {i}: trafikstörning i Farsta"),
                "content_text": "En buss leds om. Inga skadade.",
                "date_published": old,
            })
        })
        .collect();
    serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": format!("Flöde {name}"),
        "items": items,
    })
    .to_string()
}

fn targets_feed() -> String {
    let items: Vec<serde_json::Value> = (1..=TARGETS)
        .map(|k| {
            serde_json::json!({
                "id": format!("mal-{k}"),
                "url": format!("https://example.org/mal/{k}"),
                "title": target(k),
                "content_text": "Ett mål för kvitteringsprovet.",
                "date_published": (Utc::now() - Span::seconds(k as i64)).to_rfc3339(),
            })
        })
        .collect();
    serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Mål",
        "items": items,
    })
    .to_string()
}

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(
    dir: &Path,
    feeds_url: &str,
    feeds: usize,
    sessions: usize,
) -> Result<Server, Error> {
    let mut config = String::new();
    for n in 0..feeds {
        config.push_str(&format!(
            "[[source]]\nid = \"f{n}\"\nname = \"Flöde {n}\"\nkind = \"rss\"\nurl = \"{feeds_url}/feed/{n}.json\"\ninterval = \"1m\"\n\n"
        ));
    }
    std::fs::write(dir.join("lage.toml"), config)?;
    let key = PrivateKey::random(&mut rand::rng(), Algorithm::Ed25519)?;
    std::fs::write(dir.join("vakt"), key.to_openssh(LineEnding::LF)?.as_bytes())?;
    std::fs::write(
        dir.join("users.toml"),
        format!(
            "[[user]]\nname = \"vakt\"\nrole = \"duty\"\nkeys = [\"{}\"]\n",
            key.public_key().to_openssh()?
        ),
    )?;
    let mut child = Command::new(env!("CARGO_BIN_EXE_lage"))
        .arg("--config")
        .arg(dir.join("lage.toml"))
        .arg("--data-dir")
        .arg(dir.join("data"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(["--max-sessions-per-user", &(sessions + 5).to_string()])
        .args(["--max-sessions", &(sessions + 5).to_string()])
        .args(["--max-unauthenticated", &(sessions + 5).to_string()])
        // Every client of the bench comes from 127.0.0.1.
        .args([
            "--max-unauthenticated-per-address",
            &(sessions + 5).to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::from(std::fs::File::create(dir.join("serve.err"))?))
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines.next().ok_or("lage serve ended before listening")??;
        if let Some(addr) = line.strip_prefix("lage serve: listening on ") {
            break addr.parse()?;
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Ok(Server { child, addr })
}

struct Client;

impl russh::client::Handler for Client {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        _key: &russh::keys::PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

/// What one session saw: when each target first showed ✓, and the longest silence.
#[derive(Default)]
struct Seen {
    acked: HashMap<usize, Instant>,
    all_targets_at: Option<Instant>,
    bytes: u64,
}

async fn session(
    addr: SocketAddr,
    key: Arc<PrivateKey>,
    seen: Arc<Mutex<Seen>>,
    keys: Option<tokio::sync::mpsc::Receiver<&'static [u8]>>,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Result<(), Error> {
    let config = Arc::new(russh::client::Config::default());
    let mut handle = russh::client::connect(config, addr, Client).await?;
    let auth = handle
        .authenticate_publickey("vakt", russh::keys::PrivateKeyWithHashAlg::new(key, None))
        .await?;
    if !auth.success() {
        return Err("login refused".into());
    }
    let mut channel = handle.channel_open_session().await?;
    channel
        .request_pty(true, "xterm-256color", COLS, ROWS, 0, 0, &[])
        .await?;
    channel.request_shell(true).await?;
    let mut screen = vt100::Parser::new(ROWS as u16, COLS as u16, 0);
    let mut keys = keys;
    let mut stop = stop;
    loop {
        tokio::select! {
            msg = channel.wait() => match msg {
                Some(russh::ChannelMsg::Data { data }) => {
                    let now = Instant::now();
                    screen.process(&data);
                    let text = screen.screen().contents();
                    let mut seen = lock(&seen);
                    seen.bytes += data.len() as u64;
                    if seen.all_targets_at.is_none() && (1..=TARGETS).all(|k| text.contains(&target(k))) {
                        seen.all_targets_at = Some(now);
                    }
                    for line in text.lines() {
                        if line.contains('✓')
                            && let Some(k) = (1..=TARGETS).find(|k| line.contains(&target(*k)))
                        {
                            seen.acked.entry(k).or_insert(now);
                        }
                    }
                }
                Some(russh::ChannelMsg::Eof | russh::ChannelMsg::Close) | None => break,
                Some(_) => {}
            },
            key = async {
                match keys.as_mut() {
                    Some(k) => k.recv().await,
                    None => std::future::pending().await,
                }
            } => match key {
                Some(bytes) => channel.data(bytes).await?,
                None => keys = None,
            },
            _ = stop.changed() => {
                channel.data(&b"q"[..]).await?;
                break;
            }
        }
    }
    Ok(())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// (utime + stime) in clock ticks, and VmRSS / VmHWM in KiB.
fn usage(pid: u32) -> (u64, u64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    // After the ')' the fields start at state (3rd field): utime is field 14, stime 15.
    (ticks(11) + ticks(12), kib("VmRSS:"), kib("VmHWM:"))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() -> Result<(), Error> {
    let sessions = env_or("SESSIONS", 50);
    let feed_count = env_or("FEEDS", 200);
    let dir = tempfile::tempdir()?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let feeds = Feeds {
            requests: Arc::new(AtomicU64::new(0)),
            targets: Arc::new(targets_feed()),
        };
        let requests = feeds.requests.clone();
        let app = axum::Router::new()
            .route("/feed/{name}", axum::routing::get(feed))
            .with_state(feeds);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let feeds_url = format!("http://{}", listener.local_addr()?);
        tokio::spawn(async move { axum::serve(listener, app).await });
        let server = start_server(dir.path(), &feeds_url, feed_count, sessions)?;
        let pid = server.child.id();
        let key_text = std::fs::read_to_string(dir.path().join("vakt"))?;
        let key = Arc::new(PrivateKey::from_openssh(key_text.as_bytes())?);
        println!("lage serve (pid {pid}) on {}; {feed_count} feeds, {sessions} sessions", server.addr);

        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let (keys_tx, keys_rx) = tokio::sync::mpsc::channel::<&'static [u8]>(8);
        let mut keys_rx = Some(keys_rx);
        let mut seen = Vec::new();
        let mut tasks = Vec::new();
        let connecting = Instant::now();
        for i in 0..sessions {
            let s = Arc::new(Mutex::new(Seen::default()));
            seen.push(s.clone());
            let keys = if i == 0 { keys_rx.take() } else { None };
            tasks.push(tokio::spawn(session(
                server.addr,
                key.clone(),
                s,
                keys,
                stop_rx.clone(),
            )));
        }
        // Every session shows every target before the acknowledgements start.
        let deadline = Instant::now() + Duration::from_secs(180);
        while !seen.iter().all(|s| lock(s).all_targets_at.is_some()) {
            if Instant::now() > deadline {
                let ready = seen.iter().filter(|s| lock(s).all_targets_at.is_some()).count();
                return Err(format!("only {ready} of {sessions} sessions showed the targets").into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        println!(
            "{sessions} sessions logged in and drawn in {:.1} s",
            connecting.elapsed().as_secs_f64()
        );

        let (cpu_start, _, _) = usage(pid);
        let requests_start = requests.load(Ordering::Relaxed);
        let window = Instant::now();
        let mut pressed = HashMap::new();
        keys_tx.send(b"g").await?;
        for k in 1..=TARGETS {
            if k > 1 {
                keys_tx.send(b"j").await?;
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
            pressed.insert(k, Instant::now());
            keys_tx.send(b"x").await?;
            // Three seconds apart: the run spans a whole poll cycle of every feed (1 min).
            tokio::time::sleep(Duration::from_millis(2850)).await;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        let elapsed = window.elapsed();
        let (cpu_end, rss, hwm) = usage(pid);
        let polled = requests.load(Ordering::Relaxed) - requests_start;

        let mut latencies = Vec::new();
        let mut missed = 0;
        for s in seen.iter().skip(1) {
            let s = lock(s);
            for (k, at) in &pressed {
                match s.acked.get(k) {
                    Some(seen_at) => latencies.push(seen_at.saturating_duration_since(*at)),
                    None => missed += 1,
                }
            }
        }
        latencies.sort();
        let ticks_per_s = 100.0; // USER_HZ on Linux
        let cpu = (cpu_end - cpu_start) as f64 / ticks_per_s / elapsed.as_secs_f64() * 100.0;
        let frozen = seen
            .iter()
            .skip(1)
            .filter(|s| lock(s).acked.len() < TARGETS)
            .count();
        println!(
            "acknowledgement to ✓ in the other {} sessions ({} samples): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; missed {missed}, sessions that missed any {frozen}",
            sessions - 1,
            latencies.len(),
            percentile(&latencies, 0.5).as_secs_f64() * 1e3,
            percentile(&latencies, 0.99).as_secs_f64() * 1e3,
            latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        );
        println!(
            "server over {:.1} s: CPU {cpu:.0}% of one core, RSS {:.0} MiB (peak {:.0} MiB); {polled} feed fetches meanwhile",
            elapsed.as_secs_f64(),
            rss as f64 / 1024.0,
            hwm as f64 / 1024.0,
        );
        let _ = stop_tx.send(true);
        for t in tasks {
            let _ = tokio::time::timeout(Duration::from_secs(10), t).await;
        }
        drop(server);
        Ok::<(), Error>(())
    })?;
    Ok(())
}
