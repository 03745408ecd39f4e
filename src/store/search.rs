//! The full-text index: which items hold a word, newest day first, kept in sled so that a search
//! over a million items reads a few postings instead of a million texts.
//!
//! Trees:
//! - `search`: folded word (at most [`MAX_WORD`] bytes), NUL, 4-byte newest-first day (UTC) →
//!   the ids (`item::id_number`, 8 bytes big-endian each) of the items holding that word and
//!   published that day, sorted ascending
//! - `search_pending`: item id → the terms the item was indexed under before its last change
//!
//! Words are folded like the rules fold text (`rules::fold`: lowercase, punctuation splits, å, ä,
//! ö kept), so `Brand` finds `brand` and `BRÄND` finds `bränd`. An item's title, summary, body,
//! categories and areas are indexed, each distinct word once.
//!
//! sled transactions cannot scan or merge, so postings are not written in the ingest
//! transaction. Instead that transaction records the item in `search_pending` with the terms it
//! had before; right after it, [`reindex_pending`] moves the item's id from the postings it no
//! longer belongs in to the ones it now does, then clears the pending entry. Every step is
//! idempotent, so a crash anywhere in between is repaired by running it again, which
//! `Store::open` does.

use std::collections::{BTreeMap, HashMap, HashSet};

use sled::IVec;

use super::{Store, StoreError, keys};
use crate::item::{Item, id_number};
use crate::rules::fold::{fold, fold_append};

/// The longest indexed word, in bytes; longer words are indexed (and searched) by their start.
pub const MAX_WORD: usize = 32;

/// The shortest indexed word, in characters: single letters would be in every posting.
const MIN_CHARS: usize = 2;

/// Pending entries reindexed per round, so a long backlog is handled in bounded memory.
const PENDING_PER_ROUND: usize = 1_000;

/// The ids of items whose text matches a search, newest day first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchHits {
    /// Matching item ids as numbers (`item::id_number`).
    pub ids: Vec<u64>,
}

/// An item's index terms at one moment: its day and its distinct folded words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Terms {
    day: [u8; 4],
    words: Vec<String>,
}

impl Terms {
    /// The terms of an item as it is now.
    pub(super) fn of(item: &Item) -> Terms {
        let mut folded = String::new();
        let texts = [&item.title, &item.summary, &item.body]
            .into_iter()
            .chain(&item.categories)
            .chain(&item.areas);
        for text in texts {
            folded.push(' ');
            fold_append(text, &mut folded);
        }
        let mut words: Vec<&str> = folded
            .split(' ')
            .filter_map(index_word)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        words.sort_unstable();
        Terms {
            day: keys::day_prefix(item.published),
            words: words.into_iter().map(str::to_string).collect(),
        }
    }

    fn keys(&self) -> impl Iterator<Item = Vec<u8>> + '_ {
        self.words.iter().map(|w| keys::search(w, self.day))
    }

    /// Appends the terms to a `search_pending` value: day, word bytes' length, the words
    /// separated by spaces (folded words hold none).
    fn encode_into(&self, out: &mut Vec<u8>) {
        let joined = self.words.join(" ");
        out.extend_from_slice(&self.day);
        out.extend_from_slice(&(joined.len() as u32).to_be_bytes());
        out.extend_from_slice(joined.as_bytes());
    }

    /// Every group of terms in a `search_pending` value; `None` when it is malformed.
    fn decode_all(mut bytes: &[u8]) -> Option<Vec<Terms>> {
        let mut out = Vec::new();
        while !bytes.is_empty() {
            let day: [u8; 4] = bytes.get(..4)?.try_into().ok()?;
            let len: [u8; 4] = bytes.get(4..8)?.try_into().ok()?;
            let end = 8usize.checked_add(usize::try_from(u32::from_be_bytes(len)).ok()?)?;
            let words = std::str::from_utf8(bytes.get(8..end)?).ok()?;
            out.push(Terms {
                day,
                words: words
                    .split(' ')
                    .filter(|w| !w.is_empty())
                    .map(str::to_string)
                    .collect(),
            });
            bytes = &bytes[end..];
        }
        Some(out)
    }
}

/// The terms in a `search_pending` value. A malformed value (never written by this module) is
/// logged and read as no terms: the item's old words may then stay in postings, a wrong hit
/// at worst, while refusing it would stop every later write.
pub(super) fn decode_pending(value: &[u8]) -> Vec<Terms> {
    Terms::decode_all(value).unwrap_or_else(|| {
        tracing::warn!("search_pending: an unreadable entry; the item's old words stay indexed");
        Vec::new()
    })
}

/// A folded word as indexed: cut to [`MAX_WORD`] bytes, `None` when too short to index.
fn index_word(word: &str) -> Option<&str> {
    let word = clip(word, MAX_WORD);
    (word.chars().nth(MIN_CHARS - 1).is_some()).then_some(word)
}

fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Whether an item's indexed text or day differs between two versions.
pub(super) fn text_changed(before: &Item, after: &Item) -> bool {
    before.title != after.title
        || before.summary != after.summary
        || before.body != after.body
        || before.categories != after.categories
        || before.areas != after.areas
        || keys::day_prefix(before.published) != keys::day_prefix(after.published)
}

/// The `search_pending` value for an item about to be written: what was pending for it already
/// (a change not yet reindexed) plus the terms of the version being replaced, so reindexing
/// removes the id from every posting it may be in.
pub(super) fn pending_value(existing: Option<&[u8]>, before: Option<&Item>) -> Vec<u8> {
    let mut value = existing.map(<[u8]>::to_vec).unwrap_or_default();
    if let Some(before) = before {
        Terms::of(before).encode_into(&mut value);
    }
    value
}

/// Edits to postings gathered over many items, so that each posting is rewritten once.
///
/// An item changed twice in one gathering (imported twice, or twice before its pending entry
/// was handled) goes into a later round: rounds are written in order, so its second change
/// starts from where the first left the postings.
#[derive(Default)]
pub(super) struct Postings {
    rounds: Vec<Round>,
    items: usize,
}

#[derive(Default)]
struct Round {
    ids: HashSet<u64>,
    edits: HashMap<Vec<u8>, Edit>,
}

#[derive(Default)]
struct Edit {
    add: Vec<u64>,
    remove: Vec<u64>,
}

impl Postings {
    /// Moves item `id` out of the postings of every `old` term it no longer has, and into those
    /// of `new` (none when the item is gone).
    pub(super) fn change(&mut self, id: u64, old: &[Terms], new: Option<&Terms>) {
        self.items += 1;
        let next = self
            .rounds
            .iter()
            .rposition(|r| r.ids.contains(&id))
            .map_or(0, |last| last + 1);
        if next == self.rounds.len() {
            self.rounds.push(Round::default());
        }
        let round = &mut self.rounds[next];
        round.ids.insert(id);
        let new_keys: Vec<Vec<u8>> = new.map(|t| t.keys().collect()).unwrap_or_default();
        if old.iter().any(|t| !t.words.is_empty()) {
            let keep: HashSet<&[u8]> = new_keys.iter().map(Vec::as_slice).collect();
            for key in old.iter().flat_map(Terms::keys) {
                if !keep.contains(key.as_slice()) {
                    round.edits.entry(key).or_default().remove.push(id);
                }
            }
        }
        for key in new_keys {
            round.edits.entry(key).or_default().add.push(id);
        }
    }

    /// How many item changes are gathered.
    pub(super) fn items(&self) -> usize {
        self.items
    }

    /// Writes every gathered change, round by round, one read-modify-write per posting, in key
    /// order. A posting that already says what it should is not rewritten.
    pub(super) fn write(self, tree: &sled::Tree) -> Result<(), sled::Error> {
        for round in self.rounds {
            let mut edits: Vec<(Vec<u8>, Edit)> = round.edits.into_iter().collect();
            edits.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            for (key, mut edit) in edits {
                edit.add.sort_unstable();
                edit.add.dedup();
                edit.remove.sort_unstable();
                loop {
                    let current = tree.get(&key)?;
                    let next = edited(current.as_deref(), &edit);
                    if next.as_deref() == current.as_deref() {
                        break;
                    }
                    if tree.compare_and_swap(&key, current, next)?.is_ok() {
                        break;
                    }
                }
            }
        }
        Ok(())
    }
}

/// A posting after an edit (`None`: empty, so removed). Sorted, without repeats.
fn edited(current: Option<&[u8]>, edit: &Edit) -> Option<Vec<u8>> {
    let mut ids = current.map(decode_ids).unwrap_or_default();
    if !ids.is_sorted() {
        ids.sort_unstable();
    }
    if !edit.remove.is_empty() {
        ids.retain(|id| edit.remove.binary_search(id).is_err());
    }
    let mut merged = Vec::with_capacity(ids.len() + edit.add.len());
    let (mut a, mut b) = (ids.iter().peekable(), edit.add.iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if x < y => a.next(),
            (Some(x), Some(y)) if x > y => b.next(),
            (Some(_), Some(_)) => {
                b.next();
                a.next()
            }
            (Some(_), None) => a.next(),
            (None, Some(_)) => b.next(),
            (None, None) => break,
        };
        if let Some(&id) = next
            && merged.last() != Some(&id)
        {
            merged.push(id);
        }
    }
    (!merged.is_empty()).then(|| merged.iter().flat_map(|id| id.to_be_bytes()).collect())
}

/// The ids of a posting (trailing bytes of a malformed value are ignored).
fn decode_ids(bytes: &[u8]) -> Vec<u64> {
    bytes
        .chunks_exact(8)
        .map(|c| {
            let mut b = [0; 8];
            b.copy_from_slice(c);
            u64::from_be_bytes(b)
        })
        .collect()
}

impl Store {
    /// Reindexes every item in `search_pending`, then clears its entry. Returns how many.
    pub(super) fn reindex_pending(&self) -> Result<usize, StoreError> {
        let db = |e| self.db_err(e);
        let trees = &self.trees;
        let mut done = 0;
        loop {
            let round: Vec<(IVec, IVec)> = trees
                .search_pending
                .iter()
                .take(PENDING_PER_ROUND)
                .collect::<Result<_, _>>()
                .map_err(db)?;
            if round.is_empty() {
                return Ok(done);
            }
            let mut postings = Postings::default();
            for (key, old) in &round {
                let id = std::str::from_utf8(key).ok();
                let Some(number) = id.and_then(id_number) else {
                    tracing::warn!("search_pending: skipping key {key:?}, not an item id");
                    continue;
                };
                let old = decode_pending(old);
                // An unreadable item is left out of the index rather than stopping every later
                // write at this entry.
                let new = match trees.items.get(key).map_err(db)? {
                    Some(bytes) => match super::decode::<Item>("items", &bytes) {
                        Ok(item) => Some(Terms::of(&item)),
                        Err(e) => {
                            tracing::warn!("search: not indexing item {number:016x}: {e}");
                            None
                        }
                    },
                    None => None,
                };
                postings.change(number, &old, new.as_ref());
            }
            postings.write(&trees.search).map_err(db)?;
            for (key, old) in round {
                // Only the entry as read: one written meanwhile is reindexed in the next round.
                let _ = trees
                    .search_pending
                    .compare_and_swap(key, Some(old), None::<&[u8]>)
                    .map_err(db)?;
                done += 1;
            }
        }
    }
}

impl Store {
    /// Items whose title, summary, body, categories or areas contain every word of `query`
    /// (folded like the rules fold text; a word ending in `*` matches as a prefix).
    pub fn search(&self, query: &str) -> Result<SearchHits, StoreError> {
        let terms = query_terms(query);
        let mut lists = Vec::with_capacity(terms.len());
        for (word, prefix) in &terms {
            let list = self.posting_list(word, *prefix)?;
            if list.is_empty() {
                return Ok(SearchHits::default());
            }
            lists.push(list);
        }
        // Start from the rarest word: every other list only narrows it.
        lists.sort_by_key(|l| l.iter().map(|(_, ids)| ids.len()).sum::<usize>());
        let mut lists = lists.into_iter();
        let Some(mut hits) = lists.next() else {
            return Ok(SearchHits::default());
        };
        for other in lists {
            hits = intersect(&hits, &other);
        }
        Ok(SearchHits {
            ids: hits.into_iter().flat_map(|(_, ids)| ids).collect(),
        })
    }

    /// The items holding `word` (or, for a prefix, any word starting with it), per day, newest
    /// day first, each day's ids sorted.
    fn posting_list(&self, word: &str, prefix: bool) -> Result<DayLists, StoreError> {
        let db = |e| self.db_err(e);
        if !prefix {
            return self
                .trees
                .search
                .scan_prefix(keys::search_word(word))
                .map(|entry| {
                    let (key, value) = entry.map_err(db)?;
                    Ok((day_of(&key), decode_ids(&value)))
                })
                .collect();
        }
        let mut days: BTreeMap<[u8; 4], Vec<u64>> = BTreeMap::new();
        for entry in self.trees.search.scan_prefix(word.as_bytes()) {
            let (key, value) = entry.map_err(db)?;
            days.entry(day_of(&key))
                .or_default()
                .extend(decode_ids(&value));
        }
        Ok(days
            .into_iter()
            .map(|(day, mut ids)| {
                ids.sort_unstable();
                ids.dedup();
                (day, ids)
            })
            .collect())
    }
}

/// Ids per day, newest day first; each day's ids sorted ascending.
type DayLists = Vec<([u8; 4], Vec<u64>)>;

fn day_of(key: &[u8]) -> [u8; 4] {
    let mut day = [0; 4];
    if let Some(tail) = key.len().checked_sub(4).map(|start| &key[start..]) {
        day.copy_from_slice(tail);
    }
    day
}

/// The items in both lists. An item has one day, so the lists meet day by day.
fn intersect(a: &DayLists, b: &DayLists) -> DayLists {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                let both = intersect_sorted(&a[i].1, &b[j].1);
                if !both.is_empty() {
                    out.push((a[i].0, both));
                }
                i += 1;
                j += 1;
            }
        }
    }
    out
}

fn intersect_sorted(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// The words a query asks for, folded, each with whether it is a prefix. A query word may fold
/// to several words (`Hägersten-Liljeholmen`); all must match, and only the last can be a
/// prefix. Words too short to be indexed are left out.
fn query_terms(query: &str) -> Vec<(String, bool)> {
    let mut terms = Vec::new();
    for raw in query.split_whitespace() {
        let stem = raw.trim_end_matches('*');
        let prefix = stem.len() < raw.len();
        let folded = fold(stem);
        let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
        for (i, word) in words.iter().enumerate() {
            if let Some(word) = index_word(word) {
                let term = (word.to_string(), prefix && i + 1 == words.len());
                if !terms.contains(&term) {
                    terms.push(term);
                }
            }
        }
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_words_fold_and_only_a_last_part_is_a_prefix() {
        assert_eq!(
            query_terms("BRÄND  Hägersten-Lilje* i"),
            [
                ("bränd".to_string(), false),
                ("hägersten".to_string(), false),
                ("lilje".to_string(), true),
            ]
        );
        assert!(query_terms("  i * ").is_empty());
    }

    #[test]
    fn terms_hold_each_word_once_and_read_back_from_pending() {
        let mut item = crate::normalise::normalise(
            crate::item::RawItem {
                title: Some(crate::item::RawText::plain("Brand, brand! I Tensta")),
                body: Some(crate::item::RawText::plain(
                    "Räddningstjänsten släckte branden i ett ordsomärlängreäntrettiotvåbyteslångt",
                )),
                ..crate::item::RawItem::default()
            },
            "s",
            "rss",
            chrono::Utc::now(),
        )
        .item;
        item.categories = vec!["Olycka".into()];
        let terms = Terms::of(&item);
        assert_eq!(terms.words.iter().filter(|w| *w == "brand").count(), 1);
        assert!(terms.words.contains(&"olycka".to_string()));
        assert!(!terms.words.contains(&"i".to_string()));
        assert!(terms.words.iter().all(|w| w.len() <= MAX_WORD));
        let mut value = Vec::new();
        terms.encode_into(&mut value);
        terms.encode_into(&mut value);
        assert_eq!(Terms::decode_all(&value), Some(vec![terms.clone(), terms]));
        assert_eq!(Terms::decode_all(&value[..value.len() - 1]), None);
    }

    #[test]
    fn an_edit_keeps_a_posting_sorted_and_without_repeats() {
        let enc = |ids: &[u64]| {
            ids.iter()
                .flat_map(|i| i.to_be_bytes())
                .collect::<Vec<u8>>()
        };
        let edit = Edit {
            add: vec![2, 5, 9],
            remove: vec![3],
        };
        assert_eq!(
            edited(Some(&enc(&[1, 3, 5, 7])), &edit),
            Some(enc(&[1, 2, 5, 7, 9]))
        );
        let remove_all = Edit {
            add: Vec::new(),
            remove: vec![1],
        };
        assert_eq!(edited(Some(&enc(&[1])), &remove_all), None);
    }
}
