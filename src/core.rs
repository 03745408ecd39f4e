//! One process, one `Core`: the config, the store, the in-memory index, the rules, the pipeline
//! and the event bus, shared by every frontend (the local dashboard, each SSH session, a CLI
//! run). Frontends subscribe to the bus, whose events carry ids only; the store and the index hold
//! the data. A receiver that lags behind reloads what it shows.
//!
//! Every change people make goes through `Core` (`record`, `add_log_entry`), which writes and
//! flushes the store first, then updates the index, then tells the bus: what the bus announces
//! is already durable.

use std::sync::{Arc, RwLockReadGuard};

use chrono::{DateTime, Utc};
use tokio::sync::broadcast;

use crate::config::Config;
use crate::curation::{Decision, LogEntry};
use crate::health::SourceState;
use crate::index::ItemIndex;
use crate::poll::SourceReport;
use crate::rules::SharedRules;
use crate::store::{Store, StoreError};

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
    /// Whether it has been silent (no successful poll) longer than its expected cadence.
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
    inner: Arc<()>,
}

impl Core {
    /// Builds the core over an opened store; the index starts loading in the background
    /// (`Event::IndexReady` when done) and the pipeline does not run until `spawn_pipeline`.
    pub fn new(config: Arc<Config>, store: Arc<Store>, rules: SharedRules) -> Result<Core, CoreError> {
        let _ = (config, store, rules);
        todo!()
    }

    /// Polls every source on its schedule until `shutdown` completes, updating the index and
    /// announcing changes on the bus.
    pub fn spawn_pipeline(
        &self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> tokio::task::JoinHandle<Result<(), Arc<StoreError>>> {
        let _ = shutdown;
        todo!()
    }

    /// Polls every enabled source now, in the background (the `r` key); `Event::Polling` marks
    /// start and end. A second request while one runs is ignored.
    pub fn poll_now(&self) {
        todo!()
    }

    /// A receiver for events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        todo!()
    }

    /// The validated config.
    pub fn config(&self) -> &Config {
        todo!()
    }

    /// The store (reads; writes of people's decisions go through `record`).
    pub fn store(&self) -> &Store {
        todo!()
    }

    /// Whether the index has finished loading.
    pub fn index_ready(&self) -> bool {
        todo!()
    }

    /// The index, for a query. Hold the guard briefly: the pipeline waits for it to update.
    pub fn index(&self) -> RwLockReadGuard<'_, ItemIndex> {
        todo!()
    }

    /// Records a decision: store (flushed), then index, then bus. Blocking (it flushes): call it
    /// from a blocking task.
    pub fn record(&self, item_id: &str, decision: &Decision, note: Option<&str>) -> Result<(), StoreError> {
        let _ = (item_id, decision, note);
        todo!()
    }

    /// Appends a shift-log entry (flushed), then announces it.
    pub fn add_log_entry(&self, entry: &LogEntry) -> Result<(), StoreError> {
        let _ = entry;
        todo!()
    }

    /// Every configured source with its health, next poll and staleness.
    pub fn sources(&self, now: DateTime<Utc>) -> Result<Vec<SourceView>, StoreError> {
        let _ = now;
        todo!()
    }

    /// Updates the index for a poll's report and announces it (used by the pipeline).
    pub fn on_report(&self, report: &SourceReport) {
        let _ = report;
        todo!()
    }
}
