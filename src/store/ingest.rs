//! Writing one fetch: look each item up, let `dedup` decide, write items, indexes and the
//! source's state in one sled transaction.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};

use super::{Trees, keys};
use crate::dedup::{self, Outcome};
use crate::health::SourceState;
use crate::item::Item;
use crate::normalise::Normalised;

/// Everything one fetch of one source produced.
#[derive(Debug, Clone)]
pub struct FetchBatch {
    /// The source id.
    pub source: String,
    /// Normalised items in document order.
    pub items: Vec<Normalised>,
    /// The source's state after this fetch.
    pub state: SourceState,
    /// When the fetch happened.
    pub now: DateTime<Utc>,
}

/// What a batch did to the store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchReport {
    /// Items in the batch, after dropping repeats of the same key within the document.
    pub seen: usize,
    /// Items stored for the first time.
    pub new: usize,
    /// Items whose content changed or that gained a sighting.
    pub updated: usize,
    /// Items repeated within the same document (same guid twice), ignored after the first.
    pub repeated: usize,
    /// Ids of new items.
    pub new_ids: Vec<String>,
    /// Ids of updated items.
    pub updated_ids: Vec<String>,
}

pub(super) enum IngestError {
    Db(sled::Error),
    Corrupt(String),
}

type TxResult<T> = Result<T, ConflictableTransactionError<String>>;

pub(super) fn apply(trees: &Trees, batch: &FetchBatch) -> Result<BatchReport, IngestError> {
    let state =
        serde_json::to_vec(&batch.state).map_err(|e| IngestError::Corrupt(e.to_string()))?;
    let result = (
        &trees.items,
        &trees.by_time,
        &trees.by_source,
        &trees.by_url,
        &trees.by_key,
        &trees.sources,
    )
        .transaction(|(items, by_time, by_source, by_url, by_key, sources)| {
            let tx = Tx {
                items,
                by_time,
                by_source,
                by_url,
                by_key,
            };
            let mut report = BatchReport::default();
            let mut keys_in_batch = HashSet::new();
            for normalised in &batch.items {
                if !keys_in_batch.insert(normalised.key.as_str()) {
                    report.repeated += 1;
                    continue;
                }
                report.seen += 1;
                let (id, outcome) = tx.ingest_one(&batch.source, normalised, batch.now)?;
                match outcome {
                    Outcome::New => {
                        report.new += 1;
                        report.new_ids.push(id);
                    }
                    Outcome::Updated => {
                        report.updated += 1;
                        report.updated_ids.push(id);
                    }
                    Outcome::Unchanged => {}
                }
            }
            sources.insert(batch.source.as_bytes(), state.clone())?;
            Ok(report)
        });
    result.map_err(|e| match e {
        TransactionError::Abort(message) => IngestError::Corrupt(message),
        TransactionError::Storage(e) => IngestError::Db(e),
    })
}

struct Tx<'a> {
    items: &'a TransactionalTree,
    by_time: &'a TransactionalTree,
    by_source: &'a TransactionalTree,
    by_url: &'a TransactionalTree,
    by_key: &'a TransactionalTree,
}

impl Tx<'_> {
    fn ingest_one(
        &self,
        source: &str,
        normalised: &Normalised,
        now: DateTime<Utc>,
    ) -> TxResult<(String, Outcome)> {
        let incoming = &normalised.item;
        let source_key = keys::by_key(source, &normalised.key);

        // The same item from the same source, seen on an earlier poll.
        if let Some(id) = self.by_key.get(&source_key)?
            && let Some(stored) = self.load(&id)?
        {
            let (merged, outcome) = dedup::merge_same_source(&stored, incoming.clone(), now);
            self.save(Some(&stored), &merged, outcome)?;
            return Ok((merged.id, outcome));
        }

        // The same canonical URL from another source: one item, another sighting.
        if let Some(url) = incoming.url.as_deref().filter(|u| url_identifies_item(u))
            && let Some(id) = self.by_url.get(url.as_bytes())?
            && let Some(stored) = self.load(&id)?
            && !stored.sightings.iter().any(|s| s.source == source)
        {
            let (merged, outcome) = dedup::merge_other_source(&stored, incoming, now);
            self.by_key.insert(source_key, merged.id.as_bytes())?;
            self.save(Some(&stored), &merged, outcome)?;
            return Ok((merged.id, outcome));
        }

        self.by_key.insert(source_key, incoming.id.as_bytes())?;
        if let Some(url) = incoming.url.as_deref()
            && self.by_url.get(url.as_bytes())?.is_none()
        {
            self.by_url.insert(url.as_bytes(), incoming.id.as_bytes())?;
        }
        self.save(None, incoming, Outcome::New)?;
        Ok((incoming.id.clone(), Outcome::New))
    }

    fn load(&self, id: &[u8]) -> TxResult<Option<Item>> {
        match self.items.get(id)? {
            // An index entry without its item can only come from an interrupted older write;
            // treat it as absent and let this batch write the item afresh.
            None => Ok(None),
            Some(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| ConflictableTransactionError::Abort(e.to_string())),
        }
    }

    /// Writes the item and keeps the time and source indexes in step with its date and sightings.
    fn save(&self, before: Option<&Item>, item: &Item, outcome: Outcome) -> TxResult<()> {
        let value = serde_json::to_vec(item)
            .map_err(|e| ConflictableTransactionError::Abort(e.to_string()))?;
        self.items.insert(item.id.as_bytes(), value)?;
        if outcome == Outcome::Unchanged && before.is_some() {
            return Ok(());
        }
        if let Some(before) = before {
            if before.published != item.published {
                self.by_time
                    .remove(keys::by_time(before.published, &before.id))?;
            }
            for s in &before.sightings {
                self.by_source
                    .remove(keys::by_source(&s.source, before.published, &before.id))?;
            }
        }
        self.by_time
            .insert(keys::by_time(item.published, &item.id), &[])?;
        for s in &item.sightings {
            self.by_source
                .insert(keys::by_source(&s.source, item.published, &item.id), &[])?;
        }
        Ok(())
    }
}

/// Whether a URL is specific enough to identify one story: a bare site root (which some feeds
/// give as every item's link) is not.
fn url_identifies_item(url: &str) -> bool {
    match url::Url::parse(url) {
        Ok(u) => u.path() != "/" || u.query().is_some(),
        Err(_) => false,
    }
}
