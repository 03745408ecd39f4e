//! The dashboard at scale: with 1,000,000 stored items, the time from start to the first frame,
//! from a keystroke (move, filter, search) to the finished frame, and the resident memory.
//!
//! `cargo bench --bench dashboard` (`LAGE_BENCH_ITEMS=N` for another size). The first run fills
//! a data dir under `target/bench-data/` with a year of generated items through
//! `Store::import` (the path `lage import --ndjson` takes) and keeps it for later runs. The
//! measurement then runs in a fresh process, so its memory is the dashboard's alone.
//!
//! A keystroke is measured the way the dashboard's runtime handles it, minus the channel hops:
//! `App::handle`, then every command it asks for run against the real `Core` (the index, the
//! store, the search index) until the app is settled, then one frame drawn on a `TestBackend`.

mod corpus;

use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::Utc;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use lage::access::Role;
use lage::config::{Config, Env};
use lage::core::{Core, Event};
use lage::rules::bundled;
use lage::store::Store;
use lage::tui::app::{App, Command, Msg};
use lage::tui::{Lang, Session, exec, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const DEFAULT_ITEMS: u64 = 1_000_000;
const CHUNK: u64 = 5_000;
const SIZE: (u16, u16) = (120, 40);

fn main() {
    if let Ok(dir) = std::env::var("LAGE_BENCH_MEASURE") {
        measure(Path::new(&dir));
        return;
    }
    let items = std::env::var("LAGE_BENCH_ITEMS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_ITEMS);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-data")
        .join(format!("dashboard-{items}"));
    if !dir.join("complete").exists() {
        fill(&dir, items);
    }
    let exe = std::env::current_exe().expect("the bench's own path");
    let status = Process::new(exe)
        .env("LAGE_BENCH_MEASURE", &dir)
        .status()
        .expect("run the measurement process");
    assert!(status.success(), "the measurement failed");
}

/// Fills `dir` with `items` generated items, a chunk at a time.
fn fill(dir: &Path, items: u64) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("create the bench data dir");
    println!(
        "filling {} with {items} items (once; kept for later runs)",
        dir.display()
    );
    let rules = bundled::rule_set().expect("the bundled rules compile");
    let store = Store::open(dir).expect("open the bench store");
    let now = Utc::now();
    let mut rng = fastrand::Rng::with_seed(6);
    let start = Instant::now();
    let mut n = 0;
    while n < items {
        let end = (n + CHUNK).min(items);
        let chunk: Vec<_> = (n..end)
            .map(|i| corpus::item(i, items, &mut rng, &rules, now))
            .collect();
        store.import(&chunk).expect("import a chunk");
        n = end;
        if n % 100_000 == 0 {
            println!(
                "  {n} items, {:.0} items/s",
                n as f64 / start.elapsed().as_secs_f64()
            );
        }
    }
    store.flush().expect("flush");
    drop(store);
    // sled writes its snapshot when a database is opened; without one, the first open after a
    // big import replays the whole log (seconds to minutes), which is not what a user sees.
    if let Err(e) = Store::open(dir) {
        println!(
            "could not reopen the store to snapshot it ({e}); the first measurement may be slow"
        );
    }
    println!(
        "filled: {items} items in {:.1} s ({:.0} items/s)",
        start.elapsed().as_secs_f64(),
        items as f64 / start.elapsed().as_secs_f64()
    );
    std::fs::write(dir.join("complete"), b"").expect("mark the data dir complete");
}

/// Runs `commands` and whatever they lead to until the app asks for nothing more.
fn settle(app: &mut App, core: &Core, mut commands: Vec<Command>) {
    while let Some(command) = commands.pop() {
        if let Some(done) = exec::blocking(core, "bench", Role::Admin, command) {
            commands.extend(app.handle(Msg::Done(done)));
        }
    }
}

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

/// Times one keystroke (or a few, the last one timed) to a finished frame.
fn stroke(
    app: &mut App,
    core: &Core,
    terminal: &mut Terminal<TestBackend>,
    msgs: Vec<Msg>,
) -> Duration {
    let mut last = Duration::ZERO;
    for msg in msgs {
        let start = Instant::now();
        let commands = app.handle(msg);
        settle(app, core, commands);
        terminal.draw(|f| view::draw(f, app)).expect("draw");
        last = start.elapsed();
    }
    last
}

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "{what:<34} n={:<4} p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
        times.len(),
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        at(1.0).as_secs_f64() * 1e3
    );
}

fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .map(|l| l[name.len()..].trim().to_string())
            .unwrap_or_else(|| "?".into())
    };
    format!("resident {} (peak {})", field("VmRSS:"), field("VmHWM:"))
}

fn measure(dir: &Path) {
    let start = Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let _guard = runtime.enter();
    let store = Arc::new(Store::open(dir).expect("open the bench store"));
    let config = Arc::new(
        Config::from_str_at("", &dir.join("lage.toml"), Env::process()).expect("an empty config"),
    );
    let rules = Arc::new(RwLock::new(Arc::new(bundled::rule_set().expect("rules"))));
    let core = Core::new(config, store, rules).expect("core");
    let mut events = core.subscribe();
    let session = Session {
        user: "bench".into(),
        role: Role::Admin,
        lang: Lang::Sv,
        color: true,
    };
    let mut app = App::new(session, SIZE, Utc::now());
    let mut terminal = Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).expect("terminal");
    let commands = app.start();
    settle(&mut app, &core, commands);
    terminal.draw(|f| view::draw(f, &app)).expect("draw");
    let first_frame = start.elapsed();
    let shown_then = app.ids().len();

    while !core.index_ready() {
        match runtime
            .block_on(async { tokio::time::timeout(Duration::from_secs(120), events.recv()).await })
        {
            Ok(Ok(Event::IndexReady)) | Err(_) => break,
            _ => {}
        }
    }
    let index_ready = start.elapsed();
    let full = stroke(
        &mut app,
        &core,
        &mut terminal,
        vec![Msg::Bus(Event::IndexReady)],
    );
    let full_frame = start.elapsed();
    println!("items in the store:                {}", core.index().len());
    println!(
        "first frame:                       {:.0} ms after start ({shown_then} items listed)",
        first_frame.as_secs_f64() * 1e3
    );
    println!(
        "index loaded:                      {:.0} ms after start; frame over every item {:.0} ms ({:.1} ms to redraw)",
        index_ready.as_secs_f64() * 1e3,
        full_frame.as_secs_f64() * 1e3,
        full.as_secs_f64() * 1e3
    );
    println!("memory after loading:              {}", memory());

    let mut moves = Vec::new();
    for _ in 0..300 {
        moves.push(stroke(
            &mut app,
            &core,
            &mut terminal,
            vec![key(KeyCode::Char('j'))],
        ));
    }
    for _ in 0..50 {
        moves.push(stroke(
            &mut app,
            &core,
            &mut terminal,
            vec![key(KeyCode::PageDown)],
        ));
    }
    for c in ['G', 'g', 'G', 'k', 'k', 'g'] {
        moves.push(stroke(
            &mut app,
            &core,
            &mut terminal,
            vec![key(KeyCode::Char(c))],
        ));
    }
    report("move (j, PgDn, g, G)", moves);
    println!("memory after moving:               {}", memory());

    let mut filters = Vec::new();
    for round in 0..20 {
        for c in ['1', '2', '3', '4', '5', '0'] {
            filters.push(stroke(
                &mut app,
                &core,
                &mut terminal,
                vec![key(KeyCode::Char(c))],
            ));
        }
        if round % 4 == 0 {
            // Step the filter menu's first field (severity) and apply it.
            let msgs = vec![
                key(KeyCode::Char('f')),
                key(KeyCode::Right),
                key(KeyCode::Enter),
            ];
            filters.push(stroke(&mut app, &core, &mut terminal, msgs));
        }
    }
    report("filter (1-5, 0, filter menu)", filters);
    println!("memory after filtering:            {}", memory());

    let mut searches = Vec::new();
    for query in [
        "brand",
        "skola farsta",
        "stor*",
        "evakuering tunnelbana",
        "finnsinte",
        "e4",
        "hot våld",
    ] {
        for _ in 0..3 {
            let mut msgs = vec![key(KeyCode::Char('/'))];
            msgs.extend(query.chars().map(|c| key(KeyCode::Char(c))));
            // Only the Enter that runs the search is timed.
            let typed = msgs.len();
            let mut all = msgs;
            all.push(key(KeyCode::Enter));
            let (typing, enter) = all.split_at(typed);
            stroke(&mut app, &core, &mut terminal, typing.to_vec());
            searches.push(stroke(&mut app, &core, &mut terminal, enter.to_vec()));
            stroke(&mut app, &core, &mut terminal, vec![key(KeyCode::Esc)]);
        }
    }
    report("search (Enter over the store)", searches);
    println!("memory at the end:                 {}", memory());
}
