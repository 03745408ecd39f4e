//! One process, one `Core`: the config, the store, the in-memory index, the rules, the pipeline
//! and the event bus, shared by every frontend (the local dashboard, each SSH session, a CLI
//! run). Frontends subscribe to the bus, whose events carry ids only; the store and the index hold
//! the data. A receiver that lags behind reloads what it shows.
//!
//! Every change people make goes through `Core` (`record`, `add_log_entry`), which writes and
//! flushes the store first, then updates the index, then tells the bus: what the bus announces
//! is already durable.
//!
//! The core also keeps who is connected: each dashboard session holds a [`Presence`] from
//! [`Core::join`] for as long as it runs, so every session can show who else is looking.
//!
//! The index loads in the background, because a million items take a moment and the first frame
//! must not wait for them. Until it is in, changes (polled items, decisions) go to the empty
//! stand-in index *and* a queue; the loaded index replays the queue before it is swapped in, so
//! nothing that happened during the load is lost. Replaying is safe when the load already saw a
//! change: items are re-read from the store, and decisions are "set to" operations replayed in
//! order. One mutex orders every change to the index (and holds the queue), so the index applies
//! decisions in the order the store wrote them.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard, Weak};

use chrono::{DateTime, Utc};
use tokio::sync::broadcast;
use tokio::task::JoinSet;

use crate::config::Config;
use crate::curation::{Action, Decision, LogEntry};
use crate::health::{SourceState, is_stale};
use crate::index::ItemIndex;
use crate::item::id_number;
use crate::poll::{Poller, SourceReport};
use crate::rules::SharedRules;
use crate::store::{ItemSummary, Store, StoreError};
use crate::tags::TagOverride;

/// Events the bus holds for a slow receiver before it lags (and reloads).
const BUS_CAPACITY: usize = 1024;

/// What happened, for frontends to refresh what they show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The index finished loading; queries now cover the whole store.
    IndexReady,
    /// Items were stored or changed (numeric ids, `item::id_number`).
    Items {
        /// New items.
        new: Vec<u64>,
        /// Changed items.
        updated: Vec<u64>,
    },
    /// A person decided something about an item (already flushed).
    Decided {
        /// The item.
        item: u64,
        /// Who.
        author: String,
    },
    /// The shift log gained an entry.
    Log,
    /// A source was polled (its health may have changed).
    Polled {
        /// The source id.
        source: String,
    },
    /// Polling started or finished for every source (the `r` key).
    Polling {
        /// Whether a poll of every source is running.
        running: bool,
    },
    /// The rules were swapped or a reload failed (the status says which).
    Rules,
    /// Someone joined or left (`Core::present` says who is here now).
    Presence,
}

/// A source as the sources screen shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceView {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// Whether it is polled.
    pub enabled: bool,
    /// Its configured interval.
    pub interval: std::time::Duration,
    /// Its stored health.
    pub state: SourceState,
    /// When it is next due, if known.
    pub next_due: Option<DateTime<Utc>>,
    /// Whether it has been silent (no successful poll) longer than its expected cadence
    /// (`health::is_stale`); never for a disabled source, which nobody expects to hear from.
    pub stale: bool,
}

/// Failures the core reports.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The HTTP client could not be built.
    #[error(transparent)]
    Fetch(#[from] crate::fetch::FetchError),
}

/// The shared heart of the process. Cheap to clone.
#[derive(Clone)]
pub struct Core {
    inner: Arc<Inner>,
}

struct Inner {
    config: Arc<Config>,
    store: Arc<Store>,
    poller: Poller,
    bus: broadcast::Sender<Event>,
    index: RwLock<ItemIndex>,
    ready: AtomicBool,
    /// Why the index could not be loaded, if it could not.
    load_error: Mutex<Option<String>>,
    /// Held while the index changes; holds the queue while the index loads.
    changes: Mutex<Changes>,
    /// Whether a `poll_now` runs.
    polling: AtomicBool,
    /// Who is connected: user name → number of sessions.
    present: Mutex<BTreeMap<String, usize>>,
}

/// Changes made while the index loads, to replay on the loaded one; `None` once it is in.
struct Changes {
    queued: Option<Vec<Change>>,
}

enum Change {
    Items(Vec<String>),
    Decision(String, Decision),
    Tag(String, TagOverride),
}

impl Core {
    /// Builds the core over an opened store; the index starts loading in the background
    /// (`Event::IndexReady` when done) and the pipeline does not run until `spawn_pipeline`.
    /// The load runs on tokio's blocking pool when called inside a runtime (as the pipeline
    /// and `poll_now` need one anyway), else on a thread of its own.
    pub fn new(
        config: Arc<Config>,
        store: Arc<Store>,
        rules: SharedRules,
    ) -> Result<Core, CoreError> {
        let poller = Poller::new(config.clone(), store.clone())?.with_rules(rules);
        let (bus, _) = broadcast::channel(BUS_CAPACITY);
        let core = Core {
            inner: Arc::new(Inner {
                config,
                store: store.clone(),
                poller,
                bus,
                index: RwLock::new(ItemIndex::default()),
                ready: AtomicBool::new(false),
                load_error: Mutex::new(None),
                changes: Mutex::new(Changes {
                    queued: Some(Vec::new()),
                }),
                polling: AtomicBool::new(false),
                present: Mutex::new(BTreeMap::new()),
            }),
        };
        // The loader holds the store, not the core: a core dropped mid-load is not kept alive.
        let weak = Arc::downgrade(&core.inner);
        let load = move || load_index(&store, &weak);
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn_blocking(load)),
            Err(_) => drop(std::thread::spawn(load)),
        }
        Ok(core)
    }

    /// Polls every source on its schedule until `shutdown` completes, updating the index and
    /// announcing changes on the bus. The task ends once the index has taken in every poll that
    /// finished.
    pub fn spawn_pipeline(
        &self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> tokio::task::JoinHandle<Result<(), Arc<StoreError>>> {
        let core = self.clone();
        tokio::spawn(async move {
            let poller = core.inner.poller.clone();
            let mut updating: Vec<tokio::task::JoinHandle<()>> = Vec::new();
            let result = crate::poll::schedule::run(poller, shutdown, |report| {
                // Reading summaries is store IO: off the async workers, and not awaited here so
                // the schedule goes on. Each update re-reads the latest summaries, so the order
                // in which they run does not matter.
                let core = core.clone();
                let report = report.clone();
                updating.retain(|u| !u.is_finished());
                updating.push(tokio::task::spawn_blocking(move || core.on_report(&report)));
            })
            .await;
            for update in updating {
                if let Err(e) = update.await {
                    tracing::error!("pipeline: updating the index failed: {e}");
                }
            }
            result
        })
    }

    /// Polls every enabled source now, in the background (the `r` key); `Event::Polling` marks
    /// start and end. A second request while one runs is ignored. Must be called inside a tokio
    /// runtime.
    pub fn poll_now(&self) {
        if self.inner.polling.swap(true, Ordering::SeqCst) {
            return;
        }
        self.send(Event::Polling { running: true });
        let guard = PollingGuard(self.clone());
        tokio::spawn(async move {
            let core = &guard.0;
            let mut polls = JoinSet::new();
            for source in core.inner.config.sources.iter().filter(|s| s.enabled) {
                let poller = core.inner.poller.clone();
                let id = source.id.clone();
                polls.spawn(async move { poller.poll_source(&id).await });
            }
            while let Some(joined) = polls.join_next().await {
                match joined {
                    Ok(Ok(report)) => {
                        let core = core.clone();
                        let done = tokio::task::spawn_blocking(move || core.on_report(&report));
                        if let Err(e) = done.await {
                            tracing::error!("poll now: updating the index failed: {e}");
                        }
                    }
                    Ok(Err(e)) => tracing::error!("poll now: the store failed: {e}"),
                    Err(e) => tracing::error!("poll now: a poll crashed: {e}"),
                }
            }
            drop(guard);
        });
    }

    /// A receiver for events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.inner.bus.subscribe()
    }

    /// Sends an event to every subscriber, for parts of the process beyond the core (the rule
    /// watcher announces `Event::Rules`). Nobody listening is fine.
    pub fn notify(&self, event: Event) {
        self.send(event);
    }

    /// Counts `user` as connected until the returned guard is dropped (a session holds it for
    /// as long as it runs); `Event::Presence` tells every session on joining and on leaving.
    pub fn join(&self, user: &str) -> Presence {
        *lock(&self.inner.present)
            .entry(user.to_string())
            .or_insert(0) += 1;
        self.send(Event::Presence);
        Presence {
            core: self.clone(),
            user: user.to_string(),
        }
    }

    /// Who is connected now: each user with their number of sessions, sorted by name.
    pub fn present(&self) -> Vec<(String, usize)> {
        lock(&self.inner.present)
            .iter()
            .map(|(user, n)| (user.clone(), *n))
            .collect()
    }

    /// The validated config.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The store (reads; writes of people's decisions go through `record`).
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Whether the index has finished loading.
    pub fn index_ready(&self) -> bool {
        self.inner.ready.load(Ordering::SeqCst)
    }

    /// Why the index could not be loaded, if the load failed (it then holds only what changed
    /// since the start, and `index_ready` stays false).
    pub fn index_error(&self) -> Option<String> {
        lock(&self.inner.load_error).clone()
    }

    /// The index, for a query. Hold the guard briefly: the pipeline waits for it to update,
    /// and never across a call to `record` (which takes it for writing).
    pub fn index(&self) -> RwLockReadGuard<'_, ItemIndex> {
        self.inner
            .index
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records a decision: store (flushed), then index, then bus. Blocking (it flushes): call it
    /// from a blocking task.
    pub fn record(
        &self,
        item_id: &str,
        decision: &Decision,
        note: Option<&str>,
    ) -> Result<(), StoreError> {
        {
            let mut changes = lock(&self.inner.changes);
            self.inner.store.record(item_id, decision, note)?;
            let change = match &decision.action {
                Action::Tag { tag, change } => Change::Tag(
                    item_id.to_string(),
                    TagOverride {
                        tag: tag.clone(),
                        action: *change,
                        author: decision.author.clone(),
                        at: decision.at,
                        note: note.map(str::to_string),
                    },
                ),
                _ => Change::Decision(item_id.to_string(), decision.clone()),
            };
            apply(&self.inner.store, &mut self.write_index(), &change);
            if let Some(queue) = &mut changes.queued {
                queue.push(change);
            }
        }
        if let Some(item) = id_number(item_id) {
            self.send(Event::Decided {
                item,
                author: decision.author.clone(),
            });
        }
        self.send(Event::Log);
        Ok(())
    }

    /// Appends a shift-log entry (flushed), then announces it.
    pub fn add_log_entry(&self, entry: &LogEntry) -> Result<(), StoreError> {
        self.inner.store.add_log_entry(entry)?;
        self.send(Event::Log);
        Ok(())
    }

    /// Every configured source with its health, next poll and staleness.
    pub fn sources(&self, now: DateTime<Utc>) -> Result<Vec<SourceView>, StoreError> {
        self.inner
            .config
            .sources
            .iter()
            .map(|source| {
                let state = self.inner.store.source_state(&source.id)?;
                let next_due = self.inner.poller.next_due(&source.id)?;
                let stale = source.enabled && is_stale(&state, source.interval, now);
                Ok(SourceView {
                    id: source.id.clone(),
                    name: source.name.clone(),
                    kind: source.kind.clone(),
                    enabled: source.enabled,
                    interval: source.interval,
                    state,
                    next_due,
                    stale,
                })
            })
            .collect()
    }

    /// Updates the index for a poll's report and announces it (used by the pipeline).
    /// Blocking (it reads the store): call it from a blocking task.
    pub fn on_report(&self, report: &SourceReport) {
        let ids: Vec<String> = report
            .new_ids
            .iter()
            .chain(&report.updated_ids)
            .cloned()
            .collect();
        if !ids.is_empty() {
            {
                let mut changes = lock(&self.inner.changes);
                // Read before taking the index for writing, so queries (keystrokes) never wait
                // for the store; the `changes` lock keeps updates in the order they were stored.
                let read = summaries(&self.inner.store, &ids);
                self.write_index().upsert(read);
                if let Some(queue) = &mut changes.queued {
                    queue.push(Change::Items(ids));
                }
            }
            let numbers = |ids: &[String]| ids.iter().filter_map(|id| id_number(id)).collect();
            self.send(Event::Items {
                new: numbers(&report.new_ids),
                updated: numbers(&report.updated_ids),
            });
        }
        self.send(Event::Polled {
            source: report.id.clone(),
        });
    }

    fn write_index(&self) -> RwLockWriteGuard<'_, ItemIndex> {
        write(&self.inner.index)
    }

    fn send(&self, event: Event) {
        // No receivers is not an error: nobody is looking.
        let _ = self.inner.bus.send(event);
    }
}

/// One session's presence: the user counts as connected until this is dropped.
#[must_use = "the user leaves as soon as the presence is dropped"]
pub struct Presence {
    core: Core,
    user: String,
}

impl std::fmt::Debug for Presence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Presence")
            .field("user", &self.user)
            .finish()
    }
}

impl Drop for Presence {
    fn drop(&mut self) {
        {
            let mut present = lock(&self.core.inner.present);
            if let Some(n) = present.get_mut(&self.user) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    present.remove(&self.user);
                }
            }
        }
        self.core.send(Event::Presence);
    }
}

/// Ends a `poll_now` however its task ends, a panic included, so `r` works again.
struct PollingGuard(Core);

impl Drop for PollingGuard {
    fn drop(&mut self) {
        self.0.inner.polling.store(false, Ordering::SeqCst);
        self.0.send(Event::Polling { running: false });
    }
}

/// Loads the index from the store, replays what changed meanwhile, swaps it in and announces
/// it. Runs on a blocking thread.
fn load_index(store: &Store, core: &Weak<Inner>) {
    let started = std::time::Instant::now();
    let loaded = ItemIndex::load(store);
    let Some(inner) = core.upgrade() else {
        return;
    };
    let mut changes = lock(&inner.changes);
    let mut index = match loaded {
        Ok(index) => index,
        Err(e) => {
            tracing::error!("the dashboard index could not be loaded: {e}");
            *lock(&inner.load_error) = Some(e.to_string());
            // Stop queueing: the stand-in index keeps what changes from now on.
            changes.queued = None;
            return;
        }
    };
    for change in changes.queued.take().unwrap_or_default() {
        apply(store, &mut index, &change);
    }
    let items = index.len();
    *write(&inner.index) = index;
    inner.ready.store(true, Ordering::SeqCst);
    drop(changes);
    tracing::info!("index: {items} items loaded in {:?}", started.elapsed());
    let _ = inner.bus.send(Event::IndexReady);
}

/// Applies one change to an index; items are read from the store as they are now.
fn apply(store: &Store, index: &mut ItemIndex, change: &Change) {
    match change {
        Change::Items(ids) => index.upsert(summaries(store, ids)),
        Change::Decision(id, decision) => index.apply(id, decision),
        Change::Tag(id, o) => index.apply_tag_override(id, o),
    }
}

/// The current summaries of `ids`; one that cannot be read is left out with a warning (it
/// shows at the next load), since the items are stored and a poll must not fail over it.
fn summaries(store: &Store, ids: &[String]) -> Vec<ItemSummary> {
    ids.iter()
        .filter_map(|id| match store.summary(id) {
            Ok(summary) => summary,
            Err(e) => {
                tracing::warn!("index: cannot read the summary of item {id}: {e}");
                None
            }
        })
        .collect()
}

/// A panic while a lock was held is a bug; carrying on with what the lock holds beats taking
/// every frontend down with it, and the next start loads the index afresh from the store.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write(l: &RwLock<ItemIndex>) -> RwLockWriteGuard<'_, ItemIndex> {
    l.write().unwrap_or_else(std::sync::PoisonError::into_inner)
}
