//! Writing one fetch: look each item up, let `dedup` decide, settle the merged item's tagging,
//! write items, indexes and the source's state in one sled transaction.
//!
//! Items arrive tagged (the poll tags them as it parses). A merge may store something other than
//! the incoming version: the stored content with a new sighting, or an alert update that keeps
//! the text it updates. The merged item keeps a tagging only if it was computed on the same rule
//! input (`rules::input_fingerprint`); otherwise it is tagged again with the fetch's rules.
//!
//! The `by_time` value is the item's [`ItemSummary`], rewritten whenever what it summarises
//! changes. Search postings cannot be merged inside a transaction: an item whose indexed text or
//! day changed is put in `search_pending` here (with the terms it had), and `Store::apply`
//! reindexes it right after the transaction (see `postings`).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};

use super::summary::ItemSummary;
use super::{Trees, keys, terms};
use crate::dedup::{self, Outcome};
use crate::health::SourceState;
use crate::item::Item;
use crate::normalise::{Match, Normalised};
use crate::rules::{RuleSet, input_fingerprint};

/// Everything one fetch of one source produced.
#[derive(Clone)]
pub struct FetchBatch {
    /// The source id.
    pub source: String,
    /// Normalised items in document order.
    pub items: Vec<Normalised>,
    /// The source's state after this fetch.
    pub state: SourceState,
    /// When the fetch happened.
    pub now: DateTime<Utc>,
    /// The rules the items were tagged with, to tag a merged item whose rule input is neither
    /// the incoming nor the stored version's; `None` keeps the incoming tagging.
    pub rules: Option<Arc<RuleSet>>,
}

impl std::fmt::Debug for FetchBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FetchBatch")
            .field("source", &self.source)
            .field("items", &self.items)
            .field("state", &self.state)
            .field("now", &self.now)
            .field("rules", &self.rules.as_ref().map(|r| r.version()))
            .finish()
    }
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
        &trees.search_pending,
    )
        .transaction(
            |(items, by_time, by_source, by_url, by_key, sources, search_pending)| {
                let generic = generic_urls(&batch.items);
                let mut tx = Tx {
                    items,
                    by_time,
                    by_source,
                    by_url,
                    by_key,
                    search_pending,
                    source: &batch.source,
                    now: batch.now,
                    rules: batch.rules.as_deref(),
                    generic_urls: &generic,
                    claimed: HashMap::new(),
                };
                let mut report = BatchReport::default();
                let mut hashes_by_key: HashMap<&str, &str> = HashMap::new();
                let mut new_in_batch = HashSet::new();
                for normalised in &batch.items {
                    let hash = normalised.item.content_hash.as_str();
                    // An exact repeat within the fetch counts once; a changed repeat (an incident
                    // updated in a later spool file) is applied in order, so the last version wins.
                    if hashes_by_key.insert(normalised.key.as_str(), hash) == Some(hash) {
                        report.repeated += 1;
                        continue;
                    }
                    report.seen += 1;
                    let (id, outcome) = tx.ingest_one(normalised)?;
                    match outcome {
                        Outcome::New => {
                            new_in_batch.insert(id.clone());
                            report.new += 1;
                            report.new_ids.push(id);
                        }
                        Outcome::Updated if !new_in_batch.contains(&id) => {
                            report.updated += 1;
                            report.updated_ids.push(id);
                        }
                        Outcome::Updated | Outcome::Unchanged => {}
                    }
                }
                sources.insert(batch.source.as_bytes(), state.clone())?;
                Ok(report)
            },
        );
    result.map_err(|e| match e {
        TransactionError::Abort(message) => IngestError::Corrupt(message),
        TransactionError::Storage(e) => IngestError::Db(e),
    })
}

/// One fetch's transaction: the trees, and what this fetch has decided so far.
struct Tx<'a> {
    items: &'a TransactionalTree,
    by_time: &'a TransactionalTree,
    by_source: &'a TransactionalTree,
    by_url: &'a TransactionalTree,
    by_key: &'a TransactionalTree,
    search_pending: &'a TransactionalTree,
    source: &'a str,
    now: DateTime<Utc>,
    rules: Option<&'a RuleSet>,
    /// URLs that several items of this fetch link to (listing pages): they identify nothing.
    generic_urls: &'a HashSet<&'a str>,
    /// Stored items already matched in this fetch, with the key that matched them: two
    /// different items of one fetch must never land on the same stored item.
    claimed: HashMap<String, &'a str>,
}

impl<'a> Tx<'a> {
    fn ingest_one(&mut self, normalised: &'a Normalised) -> TxResult<(String, Outcome)> {
        let incoming = &normalised.item;
        let source_key = keys::by_key(self.source, &normalised.key);

        // Seen before by this source (under its key, or an alias of it).
        if let Some(stored) = self.find_by_key(normalised)? {
            self.claimed.insert(stored.id.clone(), &normalised.key);
            let (merged, outcome) = self.merge(&stored, incoming);
            self.save(Some(&stored), &merged, outcome, normalised.merges_by_url)?;
            return Ok((merged.id, outcome));
        }

        // The same canonical URL from another source: one item, another sighting.
        if normalised.merges_by_url
            && let Some(url) = incoming.url.as_deref().filter(|u| self.identifies_item(u))
            && let Some(id) = self.by_url.get(url.as_bytes())?
            && let Some(stored) = self.load(&id)?
            && !stored.sightings.iter().any(|s| s.source == self.source)
            && self.unclaimed(&stored.id, &normalised.key)
        {
            self.claimed.insert(stored.id.clone(), &normalised.key);
            let (merged, outcome) = self.merge(&stored, incoming);
            self.by_key.insert(source_key, merged.id.as_bytes())?;
            self.save(Some(&stored), &merged, outcome, normalised.merges_by_url)?;
            return Ok((merged.id, outcome));
        }

        self.by_key.insert(source_key, incoming.id.as_bytes())?;
        // An update seen before the alert it updates: the alert, when it comes, folds in here.
        for alias in normalised
            .aliases
            .iter()
            .filter(|a| a.matches == Match::Reference)
        {
            let key = keys::by_key(self.source, &alias.key);
            if self.by_key.get(&key)?.is_none() {
                self.by_key.insert(key, incoming.id.as_bytes())?;
            }
        }
        self.claimed.insert(incoming.id.clone(), &normalised.key);
        self.save(None, incoming, Outcome::New, normalised.merges_by_url)?;
        Ok((incoming.id.clone(), Outcome::New))
    }

    /// Lets `dedup` merge, then settles the tagging of what will be stored.
    fn merge(&self, stored: &Item, incoming: &Item) -> (Item, Outcome) {
        let (mut merged, outcome) = dedup::merge(stored, incoming.clone(), self.now);
        // An unchanged item keeps its tags unless something they rest on moved anyway (its
        // `local` place follows the current area config even when the content is the same).
        if outcome != Outcome::Unchanged || input_fingerprint(&merged) != input_fingerprint(stored)
        {
            settle_tagging(&mut merged, incoming, stored, self.rules);
        }
        (merged, outcome)
    }

    /// The stored item this source's item was seen as before.
    ///
    /// A specific key (see `normalise::disambiguate`) names exactly one story, and so does a
    /// plain key whose item has the same link and title. Otherwise the key may be one the feed
    /// reuses: an alias whose stored item is the same story by the alias's own measure (link,
    /// title, or content) wins, and the key then points there for the next poll.
    /// Without such an alias the key's item is taken as it is: the story was edited.
    fn find_by_key(&self, normalised: &Normalised) -> TxResult<Option<Item>> {
        let key = keys::by_key(self.source, &normalised.key);
        let incoming = &normalised.item;
        let mut direct = None;
        if let Some(id) = self.by_key.get(&key)?
            && let Some(stored) = self.load(&id)?
            // Messages of one alert may all land on its item within one fetch.
            && (self.unclaimed(&stored.id, &normalised.key)
                || (stored.alert.is_some() && incoming.alert.is_some()))
        {
            let unchanged_identity = stored.url == incoming.url && stored.title == incoming.title;
            if normalised.key_is_specific || unchanged_identity {
                return Ok(Some(stored));
            }
            direct = Some(stored);
        }
        for alias in &normalised.aliases {
            if let Some(id) = self.by_key.get(keys::by_key(self.source, &alias.key))?
                && let Some(stored) = self.load(&id)?
                && alias.matches.same_story(&stored, incoming)
                // Messages of one alert all fold into its item, even within one fetch.
                && (alias.matches == Match::Reference
                    || self.unclaimed(&stored.id, &normalised.key))
            {
                self.by_key.insert(key, id)?;
                return Ok(Some(stored));
            }
        }
        Ok(direct)
    }

    /// Whether no other key of this fetch has matched the stored item `id`.
    fn unclaimed(&self, id: &str, key: &str) -> bool {
        self.claimed.get(id).is_none_or(|k| *k == key)
    }

    /// Whether a URL is specific enough to stand for one story: not a bare site root (which
    /// some feeds give as every item's link) and not a page several items of this fetch share.
    fn identifies_item(&self, url: &str) -> bool {
        !self.generic_urls.contains(url)
            && url::Url::parse(url).is_ok_and(|u| u.path() != "/" || u.query().is_some())
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

    /// Writes the item and keeps the time and source indexes in step with its date, sightings
    /// and summary, and marks it for reindexing when its indexed text or day changed.
    /// `index_url` says whether other sources may find the item by its URL.
    fn save(
        &self,
        before: Option<&Item>,
        item: &Item,
        outcome: Outcome,
        index_url: bool,
    ) -> TxResult<()> {
        let value = serde_json::to_vec(item)
            .map_err(|e| ConflictableTransactionError::Abort(e.to_string()))?;
        self.items.insert(item.id.as_bytes(), value)?;
        if index_url
            && let Some(url) = item.url.as_deref()
            && before.is_none_or(|b| b.url != item.url)
            && self.identifies_item(url)
            && self.by_url.get(url.as_bytes())?.is_none()
        {
            self.by_url.insert(url.as_bytes(), item.id.as_bytes())?;
        }
        if before.is_none_or(|b| terms::text_changed(b, item)) {
            let pending = self.search_pending.get(item.id.as_bytes())?;
            let value = terms::pending_value(pending.as_deref(), before);
            self.search_pending.insert(item.id.as_bytes(), value)?;
        }
        // The summary follows tags, severity, sightings and alert state, which also change
        // when the content does not (a retag, a cancel without text).
        let summary = ItemSummary::of(item);
        let moved = before.is_none_or(|b| b.published != item.published);
        if let Some(before) = before
            && before.published != item.published
        {
            self.by_time
                .remove(keys::by_time(before.published, &before.id))?;
        }
        if moved || before.is_some_and(|b| ItemSummary::of(b) != summary) {
            self.by_time
                .insert(keys::by_time(item.published, &item.id), summary.encode())?;
        }
        if outcome == Outcome::Unchanged && before.is_some() {
            return Ok(());
        }
        if let Some(before) = before {
            for s in &before.sightings {
                self.by_source
                    .remove(keys::by_source(&s.source, before.published, &before.id))?;
            }
        }
        for s in &item.sightings {
            self.by_source
                .insert(keys::by_source(&s.source, item.published, &item.id), &[])?;
        }
        Ok(())
    }
}

/// Whose tagging a merged item keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TaggingFrom {
    /// The incoming version's (tagged moments ago with the current rules).
    Incoming,
    /// The stored version's.
    Stored,
    /// Neither fits: tag the merged item.
    Retag,
}

/// Decides from the rule-input fingerprints of the merged, incoming and stored items.
fn tagging_from(merged: u64, incoming: u64, stored: u64) -> TaggingFrom {
    if merged == incoming {
        TaggingFrom::Incoming
    } else if merged == stored {
        TaggingFrom::Stored
    } else {
        TaggingFrom::Retag
    }
}

/// Gives `merged` the tagging computed on the same rule input, or tags it with `rules` (keeping
/// the incoming tagging when there are none to tag with).
fn settle_tagging(merged: &mut Item, incoming: &Item, stored: &Item, rules: Option<&RuleSet>) {
    let fingerprint = input_fingerprint(merged);
    let from = tagging_from(
        fingerprint,
        input_fingerprint(incoming),
        input_fingerprint(stored),
    );
    merged.tagging = match (from, rules) {
        (TaggingFrom::Stored, _) => stored.tagging.clone(),
        (TaggingFrom::Retag, Some(rules)) => rules.tag(merged),
        (TaggingFrom::Incoming, _) | (TaggingFrom::Retag, None) => incoming.tagging.clone(),
    };
}

/// URLs that more than one distinct item of the fetch links to.
fn generic_urls(items: &[Normalised]) -> HashSet<&str> {
    let mut keys_by_url: HashMap<&str, HashSet<&str>> = HashMap::new();
    for n in items {
        if let Some(url) = n.item.url.as_deref() {
            keys_by_url.entry(url).or_default().insert(n.key.as_str());
        }
    }
    keys_by_url
        .into_iter()
        .filter(|(_, keys)| keys.len() > 1)
        .map(|(url, _)| url)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merged_item_keeps_the_tagging_computed_on_its_own_rule_input() {
        // New version taken whole, or the same input as both.
        assert_eq!(tagging_from(1, 1, 2), TaggingFrom::Incoming);
        assert_eq!(tagging_from(1, 1, 1), TaggingFrom::Incoming);
        // The stored content kept (another source's sighting).
        assert_eq!(tagging_from(2, 1, 2), TaggingFrom::Stored);
        // A mix of both (an alert update without text keeps the text it updates).
        assert_eq!(tagging_from(3, 1, 2), TaggingFrom::Retag);
    }
}
