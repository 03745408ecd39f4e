//! Bringing the records derived from items up to date when a data dir is opened: the summaries
//! in `by_time` and the search index. A data dir written before they existed has empty `by_time`
//! values and no postings; `meta`'s `index_version` says which derivation a data dir holds.
//!
//! The rebuild walks `by_time` (newest first, so that each word's entries arrive in order and
//! only its last posting segment is rewritten as it grows),
//! and sets `index_version` only when done: a rebuild cut short starts over on the next open.
//! When the version is current, open only finishes search updates a crash interrupted.

use std::time::Instant;

use super::postings::Postings;
use super::summary::ItemSummary;
use super::terms::Terms;
use super::{Store, StoreError, decode, keys};
use crate::item::{Item, id_number};

/// The derivation of summaries and search postings this build writes: 1 kept one posting per
/// word and day, 2 keeps postings in segments (see `postings`).
pub const INDEX_VERSION: u32 = 2;

const INDEX_VERSION_KEY: &str = "index_version";

/// `by_time` entries rewritten per batch.
const ENTRIES_PER_BATCH: usize = 1_000;

/// Items whose postings are gathered in memory before they are written.
const ITEMS_PER_POSTINGS: usize = 20_000;

impl Store {
    /// Rebuilds summaries and the search index when they are missing or of another version,
    /// else reindexes what a crash left pending.
    pub(super) fn upgrade(&self, meta: &sled::Tree) -> Result<(), StoreError> {
        let db = |e| self.db_err(e);
        let found = meta
            .get(INDEX_VERSION_KEY)
            .map_err(db)?
            .and_then(|v| std::str::from_utf8(&v).ok()?.parse::<u32>().ok());
        if found == Some(INDEX_VERSION) {
            let pending = self.reindex_pending()?;
            if pending > 0 {
                tracing::info!("reindexed {pending} items an interrupted write left pending");
                self.flush()?;
            }
            return Ok(());
        }
        if self.trees.by_time.first().map_err(db)?.is_some() {
            tracing::info!(
                "data dir {}: building item summaries and the search index (index version {} -> {INDEX_VERSION})",
                self.dir.display(),
                found.unwrap_or(0)
            );
            let started = Instant::now();
            let items = self.rebuild()?;
            tracing::info!(
                "built summaries and the search index for {items} items in {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
        meta.insert(INDEX_VERSION_KEY, INDEX_VERSION.to_string().as_bytes())
            .map_err(db)?;
        self.flush()
    }

    /// Rewrites every `by_time` value as the item's summary and builds the search index from
    /// scratch. Returns how many items it covered.
    fn rebuild(&self) -> Result<usize, StoreError> {
        let db = |e| self.db_err(e);
        self.trees.search.clear().map_err(db)?;
        self.trees.search_pending.clear().map_err(db)?;
        let mut postings = Postings::default();
        let mut batch = sled::Batch::default();
        let mut in_batch = 0;
        let mut items = 0;
        for entry in self.trees.by_time.iter() {
            let (key, _) = entry.map_err(db)?;
            let id = key.get(8..).and_then(|id| std::str::from_utf8(id).ok());
            let item = match id {
                Some(id) => match self.trees.items.get(id.as_bytes()).map_err(db)? {
                    Some(bytes) => Some(decode::<Item>("items", &bytes)?),
                    None => None,
                },
                None => None,
            };
            // An entry without its item (an interrupted older write), or under a time the
            // item no longer has, is dropped; the item's own entry is written instead.
            let Some(item) = item else {
                batch.remove(key);
                continue;
            };
            let own = keys::by_time(item.published, &item.id);
            if own != key.as_ref() {
                batch.remove(key);
            }
            batch.insert(own, ItemSummary::of(&item).encode());
            in_batch += 1;
            if let Some(number) = id_number(&item.id) {
                postings.change(number, &[], Some(&Terms::of(&item)));
            }
            items += 1;
            if in_batch >= ENTRIES_PER_BATCH {
                self.trees
                    .by_time
                    .apply_batch(std::mem::take(&mut batch))
                    .map_err(db)?;
                in_batch = 0;
            }
            if postings.items() >= ITEMS_PER_POSTINGS {
                std::mem::take(&mut postings)
                    .write(&self.trees.search)
                    .map_err(db)?;
            }
        }
        self.trees.by_time.apply_batch(batch).map_err(db)?;
        postings.write(&self.trees.search).map_err(db)?;
        Ok(items)
    }
}
