//! Full-text search over the whole store: which items hold every word of a query, newest day
//! first, read from postings in sled so that a search over a million items reads a few
//! segments instead of a million texts.
//!
//! Trees (kept by `postings.rs`):
//! - `search`: folded word (at most 32 bytes), NUL, the largest entry of the segment → the
//!   segment's entries, each a newest-first UTC day (4 bytes) and an item id (8 bytes, big
//!   endian), sorted; a word's segments partition its entries in order
//! - `search_pending`: item id → the terms the item was indexed under before its last change
//!
//! Words are folded like the rules fold text (`rules::fold`: lowercase, punctuation splits, å, ä,
//! ö kept), so `Brand` finds `brand` and `BRÄND` finds `bränd`. An item's title, summary, body,
//! categories and areas are indexed, each distinct word once.

use super::postings::{Entry, decode_entries_into, entry_id};
use super::terms::index_word;
use super::{Store, StoreError, keys};
use crate::rules::fold::fold;

/// The ids of items whose text matches a search, newest day first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchHits {
    /// Matching item ids as numbers (`item::id_number`).
    pub ids: Vec<u64>,
}

impl Store {
    /// Items whose title, summary, body, categories or areas contain every word of `query`
    /// (folded like the rules fold text; a word ending in `*` matches as a prefix).
    pub fn search(&self, query: &str) -> Result<SearchHits, StoreError> {
        let terms = query_terms(query);
        let mut lists = Vec::with_capacity(terms.len());
        for (word, prefix) in &terms {
            let list = self.entries(word, *prefix)?;
            if list.is_empty() {
                return Ok(SearchHits::default());
            }
            lists.push(list);
        }
        // Start from the rarest word: every other list only narrows it.
        lists.sort_by_key(Vec::len);
        let mut lists = lists.into_iter();
        let Some(mut hits) = lists.next() else {
            return Ok(SearchHits::default());
        };
        for other in lists {
            hits = intersect(&hits, &other);
        }
        Ok(SearchHits {
            ids: hits.into_iter().map(entry_id).collect(),
        })
    }

    /// The entries of `word` (or, for a prefix, of every word starting with it), sorted newest
    /// day first, each item once.
    fn entries(&self, word: &str, prefix: bool) -> Result<Vec<Entry>, StoreError> {
        let scan = if prefix {
            self.trees.search.scan_prefix(word.as_bytes())
        } else {
            self.trees.search.scan_prefix(keys::search_word(word))
        };
        let values = scan
            .map(|kv| kv.map(|(_, value)| value))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.db_err(e))?;
        let mut entries = Vec::with_capacity(values.iter().map(|v| v.len() / 12).sum());
        for value in &values {
            decode_entries_into(value, &mut entries);
        }
        // One word's segments are in order already; several words' are sorted runs, which the
        // stable sort merges rather than sorting afresh (an item holding two of the words has
        // the same entry in both).
        if prefix && !entries.is_sorted() {
            entries.sort();
            entries.dedup();
        }
        Ok(entries)
    }
}

/// The entries in both sorted lists (an item has one entry per word: its day and id). The
/// loop steps without branching on the comparison, which half a million random entries would
/// mispredict half the time.
fn intersect(a: &[Entry], b: &[Entry]) -> Vec<Entry> {
    let mut out = Vec::with_capacity(a.len().min(b.len()));
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        if x == y {
            out.push(x);
        }
        i += usize::from(x <= y);
        j += usize::from(y <= x);
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
            query_terms("BRÄND  Hägersten-Lilje* i brand"),
            [
                ("bränd".to_string(), false),
                ("hägersten".to_string(), false),
                ("lilje".to_string(), true),
                ("brand".to_string(), false),
            ]
        );
        assert!(query_terms("  i * ").is_empty());
    }

    #[test]
    fn lists_meet_entry_by_entry() {
        assert_eq!(intersect(&[1, 3, 5, 9], &[2, 3, 9, 10]), [3, 9]);
        assert!(intersect(&[1], &[]).is_empty());
    }
}
