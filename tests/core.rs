//! The core, end to end: a real sled store in a temp dir, a loopback fixture server, and the
//! `Core` every frontend shares. Polls must reach the index and the bus, people's decisions the
//! store, the index and the bus, nothing may be lost while the index loads, and the sources
//! screen must show a failing source's error and staleness.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::Utc;
use tempfile::TempDir;
use tokio::sync::broadcast;

use common::{FixtureServer, write_config};
use lage::config::{Config, Env};
use lage::core::{Core, Event};
use lage::curation::{Action, Decision, ItemState};
use lage::health::PollStatus;
use lage::index::{Filter, Focus};
use lage::item::{Item, RawItem, RawText, id_number, id_string};
use lage::normalise::normalise;
use lage::poll::SourceReport;
use lage::rules::{RuleSet, SharedRules};
use lage::store::Store;
use lage::tags::OverrideAction;

const FETCH: &str = r#"
[fetch]
contact = "lage-tests@stockholm.example"
timeout = "10s"
connect_timeout = "2s"
"#;

/// How long any one thing the tests wait for may take on a busy machine.
const PATIENCE: Duration = Duration::from_secs(60);

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/feeds")
}

/// A fixture server and a temp dir holding the config and the data dir.
struct World {
    server: FixtureServer,
    dir: TempDir,
}

impl World {
    fn new() -> World {
        World {
            server: FixtureServer::start(&fixtures_dir()),
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A `[[source]]` table for an RSS source at `path` on the fixture server.
    fn rss(&self, id: &str, path: &str) -> String {
        format!(
            "[[source]]\nid = \"{id}\"\nkind = \"rss\"\nurl = \"{}\"\n",
            self.server.url(path)
        )
    }

    fn store(&self) -> Arc<Store> {
        Arc::new(Store::open(&self.dir.path().join("data")).expect("open the store"))
    }

    /// A core over `store` with the given `[[source]]` tables.
    fn core(&self, store: Arc<Store>, sources: &[String]) -> Core {
        let path = write_config(self.dir.path(), &format!("{FETCH}\n{}", sources.join("\n")));
        let config = Config::load(&path, Env::process()).expect("valid test config");
        let rules: SharedRules = Arc::new(RwLock::new(Arc::new(RuleSet::empty())));
        Core::new(Arc::new(config), store, rules).expect("core")
    }
}

/// Waits until the index is loaded.
async fn ready(core: &Core) {
    let waited = tokio::time::timeout(PATIENCE, async {
        while !core.index_ready() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "the index never finished loading");
}

/// Collects events until one satisfies `last` (included), failing after [`PATIENCE`].
async fn events_until(
    rx: &mut broadcast::Receiver<Event>,
    last: impl Fn(&Event) -> bool,
) -> Vec<Event> {
    let mut seen = Vec::new();
    let collected = tokio::time::timeout(PATIENCE, async {
        loop {
            match rx.recv().await {
                Ok(event) => {
                    let done = last(&event);
                    seen.push(event);
                    if done {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    })
    .await;
    assert!(collected.is_ok(), "timed out; events so far: {seen:?}");
    seen
}

/// Polls every source now and returns the events up to the end of the poll.
async fn poll_now(core: &Core) -> Vec<Event> {
    let mut rx = core.subscribe();
    core.poll_now();
    events_until(&mut rx, |e| *e == Event::Polling { running: false }).await
}

fn all_items(core: &Core) -> Vec<u64> {
    core.index().query(&Filter::default(), None, Utc::now())
}

fn new_ids(events: &[Event]) -> Vec<u64> {
    let mut ids: Vec<u64> = events
        .iter()
        .filter_map(|e| match e {
            Event::Items { new, .. } => Some(new.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    ids.sort_unstable();
    ids
}

fn decision(action: Action) -> Decision {
    Decision {
        action,
        author: "anna".into(),
        at: Utc::now(),
    }
}

/// Records on a blocking thread, as frontends must (it flushes).
async fn record(core: &Core, item: u64, action: Action) {
    let core = core.clone();
    tokio::task::spawn_blocking(move || {
        core.record(&id_string(item), &decision(action), None)
            .expect("recorded")
    })
    .await
    .expect("the record task ran");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poll_now_brings_new_items_into_the_index_and_announces_them() {
    let world = World::new();
    let core = world.core(world.store(), &[world.rss("city", "/feed/rss20.xml")]);
    ready(&core).await;
    assert!(all_items(&core).is_empty());

    let mut rx = core.subscribe();
    core.poll_now();
    // A second press while the first poll runs is ignored.
    core.poll_now();
    let events = events_until(&mut rx, |e| *e == Event::Polling { running: false }).await;

    let starts = events
        .iter()
        .filter(|e| **e == Event::Polling { running: true })
        .count();
    assert_eq!(starts, 1, "{events:?}");
    assert!(events.contains(&Event::Polled {
        source: "city".into()
    }));
    let announced = new_ids(&events);
    assert_eq!(announced.len(), 5, "{events:?}");
    let mut indexed = all_items(&core);
    indexed.sort_unstable();
    assert_eq!(indexed, announced);
    // The server was asked once, so the second press really did nothing.
    assert_eq!(world.server.hits("/feed/rss20.xml"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pipeline_polls_in_the_background_and_updates_the_index() {
    let world = World::new();
    let core = world.core(world.store(), &[world.rss("city", "/feed/rss20.xml")]);
    ready(&core).await;
    let mut rx = core.subscribe();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let pipeline = core.spawn_pipeline(async move {
        let _ = stopped.await;
    });
    let events = events_until(&mut rx, |e| matches!(e, Event::Polled { .. })).await;
    assert_eq!(new_ids(&events).len(), 5, "{events:?}");
    assert_eq!(all_items(&core).len(), 5);
    let _ = stop.send(());
    let ended = tokio::time::timeout(PATIENCE, pipeline).await;
    assert!(
        matches!(ended, Ok(Ok(Ok(())))),
        "the pipeline did not stop cleanly: {ended:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_is_stored_indexed_and_announced() {
    let world = World::new();
    let core = world.core(world.store(), &[world.rss("city", "/feed/rss20.xml")]);
    ready(&core).await;
    poll_now(&core).await;
    let newest = all_items(&core)[0];

    let mut rx = core.subscribe();
    record(&core, newest, Action::Acknowledge).await;
    let events = events_until(&mut rx, |e| *e == Event::Log).await;
    assert!(
        events.contains(&Event::Decided {
            item: newest,
            author: "anna".into()
        }),
        "{events:?}"
    );
    let open = Filter {
        unacknowledged: true,
        ..Filter::default()
    };
    let unacknowledged = core.index().query(&open, None, Utc::now());
    assert_eq!(unacknowledged.len(), 4);
    assert!(!unacknowledged.contains(&newest));
    let stored = core
        .store()
        .decisions(&id_string(newest))
        .expect("decisions");
    let state = ItemState::fold(&stored);
    assert_eq!(
        state.acknowledged.map(|s| s.author).as_deref(),
        Some("anna")
    );

    // A tag added by hand: in the override log and in the index's focus filter.
    let tag = Action::Tag {
        tag: Focus::Crime.tag().into(),
        change: OverrideAction::Add,
    };
    record(&core, newest, tag).await;
    let crime = Filter {
        focus: Some(Focus::Crime),
        ..Filter::default()
    };
    assert_eq!(core.index().query(&crime, None, Utc::now()), [newest]);
    let overrides = core
        .store()
        .tag_overrides(&id_string(newest))
        .expect("overrides");
    assert_eq!(overrides.len(), 1);
    assert_eq!(overrides[0].tag, Focus::Crime.tag());
}

/// `n` items from source `bulk`, published a minute apart, the newest an hour ago.
fn bulk_items(n: usize) -> Vec<Item> {
    let now = Utc::now();
    (0..n)
        .map(|i| {
            let published = now - chrono::Duration::minutes(60 + i as i64);
            normalise(
                RawItem {
                    guid: Some(format!("bulk-{i}")),
                    title: Some(RawText::plain(format!("Händelse {i}"))),
                    published: Some(published),
                    ..RawItem::default()
                },
                "bulk",
                "rss",
                published,
            )
            .item
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_happens_while_the_index_loads_is_not_lost() {
    const ITEMS: usize = 60_000;
    let world = World::new();
    let store = world.store();
    let items = bulk_items(ITEMS);
    store.import(&items).expect("import");
    let first = id_number(&items[0].id).expect("numeric id");

    let core = world.core(store.clone(), &[]);
    let mut rx = core.subscribe();
    // The load of many items is still running: otherwise this test would prove nothing.
    assert!(
        !core.index_ready(),
        "the index loaded too fast to test the race"
    );
    record(&core, first, Action::Acknowledge).await;
    // An item stored and reported while the load runs.
    let late = normalise(
        RawItem {
            guid: Some("late".into()),
            title: Some(RawText::plain("Sen")),
            published: Some(Utc::now()),
            ..RawItem::default()
        },
        "bulk",
        "rss",
        Utc::now(),
    )
    .item;
    store.import(std::slice::from_ref(&late)).expect("import");
    let report = SourceReport {
        new: 1,
        new_ids: vec![late.id.clone()],
        ..SourceReport::empty("bulk", PollStatus::Ok)
    };
    let reporter = core.clone();
    tokio::task::spawn_blocking(move || reporter.on_report(&report))
        .await
        .expect("on_report ran");
    assert!(
        !core.index_ready(),
        "the index loaded too fast to test the race"
    );

    events_until(&mut rx, |e| *e == Event::IndexReady).await;
    assert!(core.index_ready());
    assert_eq!(all_items(&core).len(), ITEMS + 1);
    let open = Filter {
        unacknowledged: true,
        ..Filter::default()
    };
    let unacknowledged = core.index().query(&open, None, Utc::now());
    assert_eq!(unacknowledged.len(), ITEMS);
    assert!(!unacknowledged.contains(&first));
    assert!(unacknowledged.contains(&id_number(&late.id).expect("numeric id")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sources_show_a_failing_sources_error_and_staleness() {
    let world = World::new();
    let disabled = format!("{}enabled = false\n", world.rss("off", "/feed/atom.xml"));
    let core = world.core(
        world.store(),
        &[
            world.rss("city", "/feed/rss20.xml"),
            world.rss("broken", "/status/500"),
            disabled,
        ],
    );
    ready(&core).await;
    let before = core.sources(Utc::now()).expect("sources");
    assert!(
        before.iter().all(|s| !s.stale),
        "nothing polled yet: {before:?}"
    );

    poll_now(&core).await;
    let now = Utc::now();
    let sources = core.sources(now).expect("sources");
    let ids: Vec<&str> = sources.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["city", "broken", "off"]);
    let (city, broken, off) = (&sources[0], &sources[1], &sources[2]);

    assert_eq!(broken.state.last_status, Some(PollStatus::Error));
    let error = broken.state.last_error.as_deref().unwrap_or_default();
    assert!(error.contains("500"), "{error}");
    assert!(
        broken.stale,
        "a source that never worked and failed is stale"
    );
    assert!(broken.next_due.is_some_and(|due| due > now));

    assert_eq!(city.state.last_status, Some(PollStatus::Ok));
    assert!(!city.stale);
    assert!(!off.enabled && !off.stale);
    // A day later, with no poll since, the working source has gone silent too.
    let tomorrow = now + chrono::Duration::days(1);
    let later = core.sources(tomorrow).expect("sources");
    assert!(later[0].stale);
    assert!(!later[2].stale, "a disabled source never raises the alarm");
}

/// A record this build cannot read (written by a newer one, or damaged) is one unreadable row:
/// the rows around it still load.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_unreadable_item_does_not_keep_the_rows_around_it_from_loading() {
    use lage::tui::app::{Command, Done};

    let world = World::new();
    let items = bulk_items(3);
    {
        let store = world.store();
        store.import(&items).expect("import");
    }
    {
        // Damage one item's record behind the store's back.
        // sled lets go of its file lock a moment after the store is dropped.
        let path = world.dir.path().join("data/db");
        let mut tries = 0;
        let db = loop {
            match sled::open(&path) {
                Ok(db) => break db,
                Err(e) if tries < 50 => {
                    tries += 1;
                    eprintln!("sled not free yet: {e}");
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(e) => panic!("sled: {e}"),
            }
        };
        let tree = db.open_tree("items").expect("items tree");
        tree.insert(items[1].id.as_bytes(), &b"{\"not\":\"an item\"}"[..])
            .expect("insert");
        db.flush().expect("flush");
    }
    let core = world.core(world.store(), &[]);
    let ids: Vec<u64> = items.iter().filter_map(|i| id_number(&i.id)).collect();
    let done = lage::tui::exec::blocking(
        &core,
        "anna",
        lage::access::Role::Viewer,
        Command::LoadRows {
            generation: 1,
            ids: ids.clone(),
        },
    );
    let Some(Done::Rows { rows, .. }) = done else {
        panic!("no rows: {done:?}");
    };
    let loaded: Vec<(u64, bool)> = rows.iter().map(|(id, r)| (*id, r.is_some())).collect();
    assert_eq!(loaded, [(ids[0], true), (ids[1], false), (ids[2], true)]);
}
