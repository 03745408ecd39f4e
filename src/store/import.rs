//! Bulk import: storing items as given (`lage import --ndjson`, a migration, the benchmark's
//! million items), with every index ingest keeps, in transactions of bounded size.
//!
//! Import does not merge: an item replaces a stored item with the same id, and no other source's
//! item is looked up. It writes `items`, `by_time` (with the summary), `by_source` (one entry per
//! sighting) and the search postings, and, so that the next poll recognises imported items,
//! `by_url` and `by_key` where the item has what they need:
//! - `by_url` for kinds whose ids are not authoritative (RSS), when the URL names a page of its
//!   own (not a site root, and not shared by other items of the same transaction), and no item
//!   holds it already;
//! - `by_key` for the item's plain dedup key (guid, else link, else title and date, else content
//!   hash), written only when that key is what the item's id was made from. A feed's
//!   disambiguated key (`key#suffix`) and the other messages of an alert chain are not known
//!   from the item, so such items are found again by URL or become new items.
//!
//! Search postings are gathered in memory over a part and merged once per word, after the
//! transactions, through `search_pending` like ingest (so a crash midway is repaired on open).

use std::collections::HashMap;

use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use super::postings::Postings;
use super::summary::ItemSummary;
use super::terms::{self, Terms};
use super::{Store, StoreError, keys};
use crate::item::{DateOrigin, Item, id_number};
use crate::normalise::item_id;

/// Items written per transaction.
const ITEMS_PER_TRANSACTION: usize = 1_000;

/// What a bulk import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Items stored for the first time.
    pub new: usize,
    /// Items that replaced a stored item with the same id.
    pub replaced: usize,
}

impl ImportReport {
    /// Adds another part's counts.
    pub fn add(&mut self, other: &ImportReport) {
        self.new += other.new;
        self.replaced += other.replaced;
    }
}

/// One item ready to write: everything encoded before the transaction, which may run twice.
struct Prepared<'a> {
    item: &'a Item,
    number: u64,
    json: Vec<u8>,
    summary: Vec<u8>,
    terms: Terms,
    by_url: bool,
    by_key: Option<Vec<u8>>,
}

/// What the transaction found for one item.
struct Written {
    replaced: bool,
    /// The search terms of the version replaced plus any pending ones; `None` when the
    /// indexed text did not change.
    old_terms: Option<Vec<u8>>,
}

impl Store {
    /// Stores items as given (a bulk import or migration), with their summaries and search
    /// entries, in bounded transactions, then flushes. An item with a stored id replaces it.
    /// Any item whose id is not 16 lowercase hex digits makes the whole call fail before
    /// anything is written.
    pub fn import(&self, items: &[Item]) -> Result<ImportReport, StoreError> {
        let report = self.import_part(items)?;
        self.flush()?;
        Ok(report)
    }

    /// Like [`Store::import`] but not flushed, for importing a long stream part by part and
    /// flushing once at the end. The postings of the whole part are merged once per posting,
    /// so parts of several thousand items import fastest.
    pub fn import_part(&self, items: &[Item]) -> Result<ImportReport, StoreError> {
        if let Some(bad) = items.iter().find(|i| id_number(&i.id).is_none()) {
            return Err(StoreError::InvalidId(bad.id.clone()));
        }
        let mut report = ImportReport::default();
        let mut postings = Postings::default();
        let mut pending = Vec::new();
        for chunk in items.chunks(ITEMS_PER_TRANSACTION) {
            let prepared = prepare(chunk)?;
            let written = self.write_chunk(&prepared)?;
            for (p, w) in prepared.iter().zip(written) {
                if w.replaced {
                    report.replaced += 1;
                } else {
                    report.new += 1;
                }
                if let Some(old) = w.old_terms {
                    let old = terms::decode_pending(&old);
                    postings.change(p.number, &old, Some(&p.terms));
                    pending.push(p.item.id.as_bytes().to_vec());
                }
            }
        }
        let db = |e| self.db_err(e);
        postings.write(&self.trees.search).map_err(db)?;
        let mut done = sled::Batch::default();
        for id in pending {
            done.remove(id);
        }
        self.trees.search_pending.apply_batch(done).map_err(db)?;
        Ok(report)
    }

    /// Writes one chunk in one transaction.
    fn write_chunk(&self, chunk: &[Prepared]) -> Result<Vec<Written>, StoreError> {
        let trees = (
            &self.trees.items,
            &self.trees.by_time,
            &self.trees.by_source,
            &self.trees.by_url,
            &self.trees.by_key,
            &self.trees.search_pending,
        );
        let result = trees.transaction(
            |(items, by_time, by_source, by_url, by_key, search_pending)| {
                let mut out = Vec::with_capacity(chunk.len());
                for p in chunk {
                    let item = p.item;
                    let id = item.id.as_bytes();
                    let before: Option<Item> = match items.get(id)? {
                        Some(bytes) => Some(serde_json::from_slice(&bytes).map_err(|e| {
                            ConflictableTransactionError::Abort(format!("{}: {e}", item.id))
                        })?),
                        None => None,
                    };
                    items.insert(id, p.json.as_slice())?;
                    if let Some(before) = &before {
                        by_time.remove(keys::by_time(before.published, &before.id))?;
                        for s in &before.sightings {
                            by_source.remove(keys::by_source(
                                &s.source,
                                before.published,
                                &before.id,
                            ))?;
                        }
                    }
                    by_time.insert(
                        keys::by_time(item.published, &item.id),
                        p.summary.as_slice(),
                    )?;
                    for s in &item.sightings {
                        by_source
                            .insert(keys::by_source(&s.source, item.published, &item.id), &[])?;
                    }
                    if p.by_url
                        && let Some(url) = item.url.as_deref()
                        && by_url.get(url.as_bytes())?.is_none()
                    {
                        by_url.insert(url.as_bytes(), id)?;
                    }
                    if let Some(key) = &p.by_key {
                        by_key.insert(key.as_slice(), id)?;
                    }
                    let changed = before.as_ref().is_none_or(|b| terms::text_changed(b, item));
                    let old_terms = if changed {
                        let existing = search_pending.get(id)?;
                        let value = terms::pending_value(existing.as_deref(), before.as_ref());
                        search_pending.insert(id, value.as_slice())?;
                        Some(value)
                    } else {
                        None
                    };
                    out.push(Written {
                        replaced: before.is_some(),
                        old_terms,
                    });
                }
                Ok(out)
            },
        );
        result.map_err(|e| match e {
            TransactionError::Abort(message) => StoreError::Corrupt {
                tree: "items",
                message,
            },
            TransactionError::Storage(e) => self.db_err(e),
        })
    }
}

/// Encodes a chunk's items and decides which of their URLs and keys to index.
fn prepare(chunk: &[Item]) -> Result<Vec<Prepared<'_>>, StoreError> {
    // A URL several items of the chunk link to is a listing page: it identifies none of them.
    let mut url_count: HashMap<&str, usize> = HashMap::new();
    for item in chunk {
        if let Some(url) = item.url.as_deref() {
            *url_count.entry(url).or_default() += 1;
        }
    }
    chunk
        .iter()
        .map(|item| {
            let json = serde_json::to_vec(item).map_err(|e| StoreError::Corrupt {
                tree: "items",
                message: e.to_string(),
            })?;
            let by_url = merges_by_url(&item.kind)
                && item
                    .url
                    .as_deref()
                    .is_some_and(|u| url_count.get(u) == Some(&1) && identifies_item(u));
            Ok(Prepared {
                item,
                number: id_number(&item.id)
                    .ok_or_else(|| StoreError::InvalidId(item.id.clone()))?,
                json,
                summary: ItemSummary::of(item).encode(),
                terms: Terms::of(item),
                by_url,
                by_key: plain_key(item),
            })
        })
        .collect()
}

/// Whether items of this kind may be one item with another source's item of the same URL (as
/// `poll::parse` decides from `Kind::ids_are_authoritative`).
fn merges_by_url(kind: &str) -> bool {
    crate::source::kind(kind).is_some_and(|k| !k.ids_are_authoritative())
}

/// Whether a URL is specific enough to stand for one story (not a bare site root).
fn identifies_item(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| u.path() != "/" || u.query().is_some())
}

/// The item's `by_key` key, when its plain dedup key (the form `normalise` gives an item before
/// any disambiguation) is the one its id was made from.
fn plain_key(item: &Item) -> Option<Vec<u8>> {
    let key = if let Some(guid) = &item.guid {
        format!("g:{guid}")
    } else if let Some(url) = &item.url {
        format!("u:{url}")
    } else if !item.title.is_empty() && item.date_origin != DateOrigin::FirstSeen {
        format!("t:{}|{}", item.title, item.published.timestamp())
    } else {
        format!("h:{}", item.content_hash)
    };
    (item_id(&item.source, &key) == item.id).then(|| keys::by_key(&item.source, &key))
}
