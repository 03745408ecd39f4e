//! The store: the only module that names sled, and so the only place the schema lives.
//!
//! Trees (values JSON, so records stay readable and tolerant of added fields, except where a
//! value is read in bulk and must decode fast):
//! - `items`: item id → [`Item`]
//! - `by_time`: newest-first time prefix + id → [`ItemSummary`] in a compact binary form
//!   (`summary.rs`), so paging needs no items and the dashboard's index loads in one scan
//! - `by_source`: source id, NUL, time prefix, id → ()
//! - `by_url`: canonical URL → item id (the same URL from two sources is one item)
//! - `by_key`: source id, NUL, dedup key → item id (recognising an item on the next poll)
//! - `sources`: source id → [`SourceState`]
//! - `tag_overrides`: item id, NUL, 8-byte big-endian sequence → [`TagOverride`]; append-only,
//!   so a person's decisions are never rewritten by re-tagging or replay
//! - `decisions`, `shift_log`, `seen`: what people did and when they last looked (`journal.rs`)
//! - `search`, `search_pending`: the full-text index (`search.rs` reads it, `postings.rs` keeps
//!   it, `terms.rs` says what an item is indexed under)
//! - `briefs`: edition number, version → briefing [`Edition`](crate::brief::edition::Edition)
//!   (`briefs.rs`)
//! - `poll_days`: source id, NUL, Stockholm date → that day's poll counts (`poll_days.rs`)
//! - `meta`: `schema_version` and `index_version` → decimal strings
//!
//! An item's rule tagging lives inside the item (it describes that version of the content);
//! manual overrides live apart and are merged with it only when read (`tags::effective`).
//!
//! One transaction per fetch writes items, indexes and the source's state together; `flush()` is
//! the durability point, and nothing is reported saved before it. Ingest never deletes items: an
//! empty or truncated feed simply touches fewer of them.
//!
//! Besides ingest (`ingest.rs`), the methods live with their records: decisions, the shift log and
//! last-looked times in `journal.rs`, summaries in `summary.rs`, search in `search.rs` (reading)
//! and `postings.rs` (keeping the index), bulk import in `import.rs`, and the rebuild of summaries
//! and search for an older data dir in `migrate.rs`.

mod briefs;
mod import;
mod ingest;
mod journal;
mod keys;
mod lock;
mod migrate;
mod poll_days;
mod postings;
mod search;
pub mod serving;
mod summary;
mod terms;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use crate::audit::{Audit, AuditError};
use crate::health::SourceState;
use crate::item::Item;
use crate::tags::{TagOverride, Tagging};
pub use import::ImportReport;
pub use ingest::{BatchReport, FetchBatch};
pub use lock::{DirLock, LockError};
pub use search::SearchHits;
pub use summary::ItemSummary;

/// The schema this build writes.
pub const SCHEMA_VERSION: u32 = 1;

/// Storage failures.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data dir is held by another process or cannot be locked.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// sled failed.
    #[error("database error in {}: {source}", dir.display())]
    Db {
        /// The data dir.
        dir: PathBuf,
        /// sled's error.
        source: sled::Error,
    },
    /// A record could not be decoded.
    #[error("corrupt record in tree '{tree}': {message}")]
    Corrupt {
        /// Which tree.
        tree: &'static str,
        /// What failed.
        message: String,
    },
    /// No stored item has this id.
    #[error("no item with id '{0}' in the store (ids are listed by `lage items`)")]
    UnknownItem(String),
    /// An item to store has an id that is not 16 lowercase hex digits.
    #[error("invalid item id '{0}': expected 16 lowercase hex digits")]
    InvalidId(String),
    /// The audit log beside the database cannot be opened.
    #[error(transparent)]
    Audit(#[from] AuditError),
    /// The data dir was written by a newer `lage`.
    #[error("data dir {} has schema version {found}, newer than this lage understands ({SCHEMA_VERSION}); upgrade lage", dir.display())]
    NewerSchema {
        /// The data dir.
        dir: PathBuf,
        /// The version found.
        found: u32,
    },
}

/// Which items to list.
#[derive(Debug, Clone, Default)]
pub struct ItemQuery {
    /// Only items published at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only items this source has served (first or as a further sighting).
    pub source: Option<String>,
    /// At most this many.
    pub limit: Option<usize>,
}

/// The opened store.
pub struct Store {
    dir: PathBuf,
    db: sled::Db,
    trees: Trees,
    audit: Audit,
    _lock: DirLock,
}

#[derive(Clone)]
struct Trees {
    items: sled::Tree,
    by_time: sled::Tree,
    by_source: sled::Tree,
    by_url: sled::Tree,
    by_key: sled::Tree,
    sources: sled::Tree,
    tag_overrides: sled::Tree,
    decisions: sled::Tree,
    shift_log: sled::Tree,
    seen: sled::Tree,
    search: sled::Tree,
    search_pending: sled::Tree,
    briefs: sled::Tree,
    poll_days: sled::Tree,
}

/// Items whose tagging `put_taggings` replaces in one transaction: bounded, so a replay over
/// months of items never builds one huge transaction in memory.
const TAGGINGS_PER_TRANSACTION: usize = 500;

/// Page cache for sled: small, because ingest writes once and reads little; keeps the process
/// well under its memory budget on a 2-core, shared machine.
const CACHE_BYTES: u64 = 16 * 1024 * 1024;

/// Page cache for a bulk import, a process that does nothing else: items land on random
/// leaves of `items` (ids are hashes), and a cache that holds more of them saves re-reading a
/// leaf for every item (a third less time for 30,000 items at 128 MiB).
const BULK_CACHE_BYTES: u64 = 128 * 1024 * 1024;

impl Store {
    /// Opens (creating if needed) the store in `dir`, taking the data dir lock first.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        Store::open_with_cache(dir, CACHE_BYTES)
    }

    /// Opens the store for a bulk import (`lage import`): as [`Store::open`], with a larger
    /// page cache.
    pub fn open_bulk(dir: &Path) -> Result<Store, StoreError> {
        Store::open_with_cache(dir, BULK_CACHE_BYTES)
    }

    fn open_with_cache(dir: &Path, cache_bytes: u64) -> Result<Store, StoreError> {
        let lock = DirLock::acquire(dir)?;
        let audit = Audit::open(dir)?;
        let db_err = |source| StoreError::Db {
            dir: dir.to_path_buf(),
            source,
        };
        let db = sled::Config::new()
            .path(dir.join("db"))
            .cache_capacity(cache_bytes)
            .flush_every_ms(None)
            .open()
            .map_err(db_err)?;
        let tree = |name: &str| db.open_tree(name).map_err(db_err);
        let trees = Trees {
            items: tree("items")?,
            by_time: tree("by_time")?,
            by_source: tree("by_source")?,
            by_url: tree("by_url")?,
            by_key: tree("by_key")?,
            sources: tree("sources")?,
            tag_overrides: tree("tag_overrides")?,
            decisions: tree("decisions")?,
            shift_log: tree("shift_log")?,
            seen: tree("seen")?,
            search: tree("search")?,
            search_pending: tree("search_pending")?,
            briefs: tree("briefs")?,
            poll_days: tree("poll_days")?,
        };
        let meta = tree("meta")?;
        match meta.get("schema_version").map_err(db_err)? {
            Some(v) => {
                let found: u32 = std::str::from_utf8(&v)
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                if found > SCHEMA_VERSION {
                    return Err(StoreError::NewerSchema {
                        dir: dir.to_path_buf(),
                        found,
                    });
                }
            }
            None => {
                meta.insert("schema_version", SCHEMA_VERSION.to_string().as_bytes())
                    .map_err(db_err)?;
                db.flush().map_err(db_err)?;
            }
        }
        let store = Store {
            dir: dir.to_path_buf(),
            db,
            trees,
            audit,
            _lock: lock,
        };
        store.upgrade(&meta)?;
        Ok(store)
    }

    /// The audit log of this data dir (`audit.log`).
    pub fn audit(&self) -> &Audit {
        &self.audit
    }

    /// The data dir.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn db_err(&self, source: sled::Error) -> StoreError {
        StoreError::Db {
            dir: self.dir.clone(),
            source,
        }
    }

    /// Makes everything written so far durable. Nothing is reported saved before this returns.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush().map(|_| ()).map_err(|e| self.db_err(e))
    }

    /// Applies one fetch's items and state in one transaction, then brings the search index up
    /// to date with the items it changed (not yet flushed).
    pub fn apply(&self, batch: &FetchBatch) -> Result<BatchReport, StoreError> {
        let report = ingest::apply(&self.trees, batch).map_err(|e| match e {
            ingest::IngestError::Db(e) => self.db_err(e),
            ingest::IngestError::Corrupt(message) => StoreError::Corrupt {
                tree: "items",
                message,
            },
        })?;
        self.reindex_pending()?;
        self.count_poll(&batch.source, &batch.state)?;
        Ok(report)
    }

    /// Writes a source's state alone (a 304 or a failure), not yet flushed.
    pub fn put_source_state(&self, source: &str, state: &SourceState) -> Result<(), StoreError> {
        let value = serde_json::to_vec(state).map_err(|e| StoreError::Corrupt {
            tree: "sources",
            message: e.to_string(),
        })?;
        self.trees
            .sources
            .insert(source.as_bytes(), value)
            .map_err(|e| self.db_err(e))?;
        self.count_poll(source, state)
    }

    /// The stored state of a source (default when never polled).
    pub fn source_state(&self, source: &str) -> Result<SourceState, StoreError> {
        match self
            .trees
            .sources
            .get(source.as_bytes())
            .map_err(|e| self.db_err(e))?
        {
            Some(bytes) => decode("sources", &bytes),
            None => Ok(SourceState::default()),
        }
    }

    /// One item by id.
    pub fn item(&self, id: &str) -> Result<Option<Item>, StoreError> {
        match self
            .trees
            .items
            .get(id.as_bytes())
            .map_err(|e| self.db_err(e))?
        {
            Some(bytes) => decode("items", &bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Items matching `query`, newest first, read through the time index page by page.
    pub fn items(&self, query: &ItemQuery) -> Result<Vec<Item>, StoreError> {
        let limit = query.limit.unwrap_or(usize::MAX);
        let (iter, skip) = match &query.source {
            Some(source) => {
                let prefix = keys::source_prefix(source);
                let len = prefix.len();
                (self.trees.by_source.scan_prefix(prefix), len)
            }
            None => (self.trees.by_time.iter(), 0),
        };
        let since_prefix = query.since.map(keys::time_prefix);
        let mut out = Vec::new();
        for entry in iter {
            if out.len() >= limit {
                break;
            }
            let (key, _) = entry.map_err(|e| self.db_err(e))?;
            let rest = &key[skip..];
            if rest.len() < 8 {
                continue;
            }
            if let Some(since) = &since_prefix
                && rest[..8] > since[..]
            {
                break;
            }
            let id = std::str::from_utf8(&rest[8..]).unwrap_or_default();
            if let Some(item) = self.item(id)? {
                out.push(item);
            }
        }
        Ok(out)
    }
}

impl Store {
    /// Appends a manual tag decision to an item's override log and makes it durable before
    /// returning. An id that names no stored item is refused.
    pub fn add_tag_override(&self, item_id: &str, o: &TagOverride) -> Result<(), StoreError> {
        if !self
            .trees
            .items
            .contains_key(item_id.as_bytes())
            .map_err(|e| self.db_err(e))?
        {
            return Err(StoreError::UnknownItem(item_id.to_string()));
        }
        let value = serde_json::to_vec(o).map_err(|e| StoreError::Corrupt {
            tree: "tag_overrides",
            message: e.to_string(),
        })?;
        let sequence = self.db.generate_id().map_err(|e| self.db_err(e))?;
        self.trees
            .tag_overrides
            .insert(keys::item_log(item_id, sequence), value)
            .map_err(|e| self.db_err(e))?;
        self.flush()
    }

    /// An item's manual tag decisions, oldest first (empty when there are none).
    pub fn tag_overrides(&self, item_id: &str) -> Result<Vec<TagOverride>, StoreError> {
        self.trees
            .tag_overrides
            .scan_prefix(keys::item_log_prefix(item_id))
            .map(|entry| {
                let (_, value) = entry.map_err(|e| self.db_err(e))?;
                decode("tag_overrides", &value)
            })
            .collect()
    }

    /// Replaces the rule tagging of existing items (ids that are no longer stored are skipped),
    /// and their summaries, in transactions of bounded size, then flushes once. Returns how many
    /// items changed. Overrides are untouched: they stay in their own log and still win when
    /// read.
    pub fn put_taggings(&self, updates: &[(String, Tagging)]) -> Result<usize, StoreError> {
        let mut written = 0;
        for chunk in updates.chunks(TAGGINGS_PER_TRANSACTION) {
            let trees = (&self.trees.items, &self.trees.by_time);
            let result = trees.transaction(|(items, by_time)| {
                let mut count = 0;
                for (id, tagging) in chunk {
                    let Some(bytes) = items.get(id.as_bytes())? else {
                        continue;
                    };
                    let mut item: Item = serde_json::from_slice(&bytes)
                        .map_err(|e| ConflictableTransactionError::Abort(e.to_string()))?;
                    item.tagging = tagging.clone();
                    let value = serde_json::to_vec(&item)
                        .map_err(|e| ConflictableTransactionError::Abort(e.to_string()))?;
                    items.insert(id.as_bytes(), value)?;
                    by_time.insert(
                        keys::by_time(item.published, &item.id),
                        summary::ItemSummary::of(&item).encode(),
                    )?;
                    count += 1;
                }
                Ok(count)
            });
            written += result.map_err(|e| match e {
                TransactionError::Abort(message) => StoreError::Corrupt {
                    tree: "items",
                    message,
                },
                TransactionError::Storage(e) => self.db_err(e),
            })?;
        }
        self.flush()?;
        Ok(written)
    }
}

fn decode<T: serde::de::DeserializeOwned>(
    tree: &'static str,
    bytes: &[u8],
) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        tree,
        message: e.to_string(),
    })
}
