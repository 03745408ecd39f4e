//! The store: the only module that names sled, and so the only place the schema lives.
//!
//! Trees (all values JSON, so records stay readable and tolerant of added fields):
//! - `items`: item id → [`Item`]
//! - `by_time`: newest-first time prefix + id → () (paging without loading everything)
//! - `by_source`: source id, NUL, time prefix, id → ()
//! - `by_url`: canonical URL → item id (the same URL from two sources is one item)
//! - `by_key`: source id, NUL, dedup key → item id (recognising an item on the next poll)
//! - `sources`: source id → [`SourceState`]
//! - `tag_overrides`: item id, NUL, 8-byte big-endian sequence → [`TagOverride`]; append-only,
//!   so a person's decisions are never rewritten by re-tagging or replay
//! - `meta`: `schema_version` → decimal string
//!
//! An item's rule tagging lives inside the item (it describes that version of the content);
//! manual overrides live apart and are merged with it only when read (`tags::effective`).
//!
//! One transaction per fetch writes items, indexes and the source's state together; `flush()` is
//! the durability point, and nothing is reported saved before it. Ingest never deletes items: an
//! empty or truncated feed simply touches fewer of them.

mod ingest;
mod keys;
mod lock;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sled::transaction::{ConflictableTransactionError, TransactionError};

use crate::health::SourceState;
use crate::item::Item;
use crate::tags::{TagOverride, Tagging};
pub use ingest::{BatchReport, FetchBatch};
pub use lock::{DirLock, LockError};

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
}

/// Items whose tagging `put_taggings` replaces in one transaction: bounded, so a replay over
/// months of items never builds one huge transaction in memory.
const TAGGINGS_PER_TRANSACTION: usize = 500;

/// Page cache for sled: small, because ingest writes once and reads little; keeps the process
/// well under its memory budget on a 2-core, shared machine.
const CACHE_BYTES: u64 = 16 * 1024 * 1024;

impl Store {
    /// Opens (creating if needed) the store in `dir`, taking the data dir lock first.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        let lock = DirLock::acquire(dir)?;
        let db_err = |source| StoreError::Db {
            dir: dir.to_path_buf(),
            source,
        };
        let db = sled::Config::new()
            .path(dir.join("db"))
            .cache_capacity(CACHE_BYTES)
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
        Ok(Store {
            dir: dir.to_path_buf(),
            db,
            trees,
            _lock: lock,
        })
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

    /// Applies one fetch's items and state in one transaction (not yet flushed).
    pub fn apply(&self, batch: &FetchBatch) -> Result<BatchReport, StoreError> {
        ingest::apply(&self.trees, batch).map_err(|e| match e {
            ingest::IngestError::Db(e) => self.db_err(e),
            ingest::IngestError::Corrupt(message) => StoreError::Corrupt {
                tree: "items",
                message,
            },
        })
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
            .map(|_| ())
            .map_err(|e| self.db_err(e))
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
            .insert(keys::tag_override(item_id, sequence), value)
            .map_err(|e| self.db_err(e))?;
        self.flush()
    }

    /// An item's manual tag decisions, oldest first (empty when there are none).
    pub fn tag_overrides(&self, item_id: &str) -> Result<Vec<TagOverride>, StoreError> {
        self.trees
            .tag_overrides
            .scan_prefix(keys::tag_override_prefix(item_id))
            .map(|entry| {
                let (_, value) = entry.map_err(|e| self.db_err(e))?;
                decode("tag_overrides", &value)
            })
            .collect()
    }

    /// Replaces the rule tagging of existing items (ids that are no longer stored are skipped),
    /// in transactions of bounded size, then flushes once. Returns how many items changed.
    /// Overrides are untouched: they stay in their own log and still win when read.
    pub fn put_taggings(&self, updates: &[(String, Tagging)]) -> Result<usize, StoreError> {
        let mut written = 0;
        for chunk in updates.chunks(TAGGINGS_PER_TRANSACTION) {
            let result = self.trees.items.transaction(|items| {
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

// ---- Issue 6 API (skeleton: bodies are filled in by the store work) ----

/// What the dashboard's in-memory index keeps of an item, stored as the value of its `by_time`
/// entry so that one scan of `by_time` loads the index without decoding items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemSummary {
    /// The item's id (16 hex digits).
    pub id: String,
    /// Publication time.
    pub published: DateTime<Utc>,
    /// When `lage` first stored it.
    pub first_seen: DateTime<Utc>,
    /// The effective severity (the source's, raised by rules).
    pub severity: Option<crate::item::Severity>,
    /// The sources that served it: the first (owner) first, then further sightings.
    pub sources: Vec<String>,
    /// The rules' tags (manual overrides are applied by the index from their own log).
    pub tags: Vec<String>,
    /// Whether it touches the area of interest.
    pub local: bool,
    /// Whether it is a drill or test message.
    pub exercise: bool,
    /// Whether the alert was cancelled.
    pub cancelled: bool,
    /// When the alert expires, if it does.
    pub expires: Option<DateTime<Utc>>,
}

/// The ids of items whose text matches a search, newest day first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchHits {
    /// Matching item ids as numbers (`item::id_number`).
    pub ids: Vec<u64>,
}

/// What a bulk import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Items stored for the first time.
    pub new: usize,
    /// Items that replaced a stored item with the same id.
    pub replaced: usize,
}

impl Store {
    /// Appends a decision on an item and its automatic shift-log entry in one transaction, then
    /// flushes: when this returns Ok, the decision survives a crash. `Action::Tag` goes to the
    /// tag override log (with `note`). An unknown item id is refused.
    pub fn record(
        &self,
        item_id: &str,
        decision: &crate::curation::Decision,
        note: Option<&str>,
    ) -> Result<(), StoreError> {
        let _ = (item_id, decision, note);
        todo!()
    }

    /// An item's decisions, oldest first.
    pub fn decisions(&self, item_id: &str) -> Result<Vec<crate::curation::Decision>, StoreError> {
        let _ = item_id;
        todo!()
    }

    /// Every decision on every item, with the item id, in key order (for loading the index).
    pub fn all_decisions(&self) -> Result<Vec<(String, crate::curation::Decision)>, StoreError> {
        todo!()
    }

    /// Every manual tag decision, with the item id, in key order (for loading the index).
    pub fn all_tag_overrides(&self) -> Result<Vec<(String, TagOverride)>, StoreError> {
        todo!()
    }

    /// Appends a shift-log entry and flushes.
    pub fn add_log_entry(&self, entry: &crate::curation::LogEntry) -> Result<(), StoreError> {
        let _ = entry;
        todo!()
    }

    /// The latest `limit` shift-log entries, oldest first.
    pub fn log_entries(&self, limit: usize) -> Result<Vec<crate::curation::LogEntry>, StoreError> {
        let _ = limit;
        todo!()
    }

    /// When `user` last looked (left the dashboard or wrote a handover).
    pub fn last_looked(&self, user: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let _ = user;
        todo!()
    }

    /// Records when `user` last looked, and flushes.
    pub fn set_last_looked(&self, user: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        let _ = (user, at);
        todo!()
    }

    /// Every item's summary, newest first (one scan of `by_time`).
    pub fn summaries(&self) -> Box<dyn Iterator<Item = Result<ItemSummary, StoreError>> + '_> {
        todo!()
    }

    /// One item's summary.
    pub fn summary(&self, id: &str) -> Result<Option<ItemSummary>, StoreError> {
        let _ = id;
        todo!()
    }

    /// Items whose title, summary, body, categories or areas contain every word of `query`
    /// (folded like the rules fold text; a word ending in `*` matches as a prefix).
    pub fn search(&self, query: &str) -> Result<SearchHits, StoreError> {
        let _ = query;
        todo!()
    }

    /// Stores items as given (a bulk import or migration), with their summaries and search
    /// entries, in bounded transactions, then flushes. An item with a stored id replaces it.
    pub fn import(&self, items: &[Item]) -> Result<ImportReport, StoreError> {
        let _ = items;
        todo!()
    }
}
