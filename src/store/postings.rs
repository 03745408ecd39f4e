//! Keeping the full-text postings current: moving items between the posting segments of the
//! words they are indexed under (`terms.rs` says which).
//!
//! A posting entry is an item's newest-first day (4 bytes, `keys::day_prefix` of its publication
//! time) then its id (8 bytes, `item::id_number`); entries sort newest day first. A word's
//! entries are cut into segments of at most [`SEGMENT`] entries, each stored under the word and
//! the largest entry it may hold, and the segments partition the entries in order. A key per
//! word and day would be simpler, but it multiplies keys by days: a year of a million items made
//! 7.9 million keys, and sled's memory grows with its pages (67 MiB against 20 MiB without the
//! index at 100,000 items; 400 MiB at a million). Segments keep a rare word in one key and a
//! common one in a few hundred (41,000 keys for 100,000 items), while a new item still rewrites
//! only one small segment per word.
//!
//! Writes happen outside the ingest transaction (sled transactions cannot scan): the transaction
//! records the item in `search_pending` with the terms it had; [`Store::reindex_pending`] then
//! moves the item from the entries it no longer has to the ones it now has, and clears the
//! record. Each word's segments change in one atomic batch, and every step can run again with
//! the same result, so a crash in between is repaired by `Store::open` running it again.

use std::collections::{HashMap, HashSet};

use sled::IVec;

use super::terms::{Terms, decode_pending};
use super::{Store, StoreError, keys};
use crate::item::{Item, id_number};

/// Entries per posting segment: 6 KiB, so sled's leaves (16 values) stay below the size it
/// moves out to blob files, and a new item rewrites at most that much per word.
const SEGMENT: usize = 512;

/// Pending entries reindexed per round, so a long backlog is handled in bounded memory.
const PENDING_PER_ROUND: usize = 1_000;

/// Segment bytes gathered before a batch is applied.
const BATCH_BYTES: usize = 256 << 10;

/// A posting entry: newest-first day in bits 64..96, item id in bits 0..64, so that numeric
/// order is the order of the 12 stored bytes.
pub(super) type Entry = u128;

fn entry(day: [u8; 4], id: u64) -> Entry {
    (u128::from(u32::from_be_bytes(day)) << 64) | u128::from(id)
}

/// The item id of an entry.
pub(super) fn entry_id(e: Entry) -> u64 {
    e as u64
}

/// The 12 stored bytes of an entry.
fn entry_bytes(e: Entry) -> [u8; 12] {
    let mut out = [0; 12];
    out.copy_from_slice(&e.to_be_bytes()[4..]);
    out
}

fn entry_from(bytes: &[u8]) -> Entry {
    let mut b = [0; 16];
    b[4..].copy_from_slice(bytes);
    u128::from_be_bytes(b)
}

/// The entries of a segment value (trailing bytes of a malformed value are ignored).
fn decode_entries(bytes: &[u8]) -> Vec<Entry> {
    bytes.chunks_exact(12).map(entry_from).collect()
}

/// Appends the entries of a segment value to `out`.
pub(super) fn decode_entries_into(bytes: &[u8], out: &mut Vec<Entry>) {
    out.extend(bytes.chunks_exact(12).map(entry_from));
}

fn encode_entries(entries: &[Entry]) -> Vec<u8> {
    entries.iter().flat_map(|e| entry_bytes(*e)).collect()
}

/// Edits to postings gathered over many items, so that each word's segments are rewritten once.
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
    /// Where each word's edit is in `edits`.
    index: HashMap<String, usize>,
    edits: Vec<(String, Edit)>,
}

#[derive(Default)]
struct Edit {
    add: Vec<Entry>,
    remove: Vec<Entry>,
}

impl Round {
    fn edit(&mut self, word: &str) -> &mut Edit {
        let at = match self.index.get(word) {
            Some(&at) => at,
            None => {
                self.index.insert(word.to_string(), self.edits.len());
                self.edits.push((word.to_string(), Edit::default()));
                self.edits.len() - 1
            }
        };
        &mut self.edits[at].1
    }
}

impl Postings {
    /// Moves item `id` out of the entries of every `old` term it no longer has, and into those
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
        if old.iter().any(|t| !t.words.is_empty()) {
            let keep: HashSet<(&str, [u8; 4])> = new
                .iter()
                .flat_map(|t| t.words.iter().map(|w| (w.as_str(), t.day)))
                .collect();
            for t in old {
                for w in &t.words {
                    if !keep.contains(&(w.as_str(), t.day)) {
                        round.edit(w).remove.push(entry(t.day, id));
                    }
                }
            }
        }
        if let Some(t) = new {
            for w in &t.words {
                round.edit(w).add.push(entry(t.day, id));
            }
        }
    }

    /// How many item changes are gathered.
    pub(super) fn items(&self) -> usize {
        self.items
    }

    /// Writes every gathered change, round by round and word by word.
    pub(super) fn write(self, tree: &sled::Tree) -> Result<(), sled::Error> {
        for round in self.rounds {
            let mut edits = round.edits;
            edits.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            let mut batch = sled::Batch::default();
            let mut bytes = 0;
            for (word, mut edit) in edits {
                edit.add.sort_unstable();
                edit.add.dedup();
                edit.remove.sort_unstable();
                edit.remove.dedup();
                bytes += write_word(tree, &mut batch, &word, &edit)?;
                // Words never share keys, so a batch may wait until it is large.
                if bytes >= BATCH_BYTES {
                    tree.apply_batch(std::mem::take(&mut batch))?;
                    bytes = 0;
                }
            }
            tree.apply_batch(batch)?;
        }
        Ok(())
    }
}

/// One stored segment of a word's entries.
struct Segment {
    /// Its key as stored (`None` for a new segment).
    key: Option<IVec>,
    /// The largest entry it may hold; it holds those above the previous segment's bound.
    bound: Entry,
    entries: Vec<Entry>,
    changed: bool,
}

/// The bound in a `search` key of `word` (whose keys start with `prefix`), `None` for a key
/// of another word.
fn bound_of(key: &[u8], prefix: &[u8]) -> Option<Entry> {
    (key.len() == prefix.len() + 12 && key.starts_with(prefix))
        .then(|| entry_from(&key[prefix.len()..]))
}

/// Applies one word's edits (sorted, without repeats) to the segments they fall in, adding the
/// writes to `batch`. Returns the bytes written.
fn write_word(
    tree: &sled::Tree,
    batch: &mut sled::Batch,
    word: &str,
    edit: &Edit,
) -> Result<usize, sled::Error> {
    let firsts = [edit.add.first(), edit.remove.first()];
    let lasts = [edit.add.last(), edit.remove.last()];
    let (Some(&lo), Some(&hi)) = (
        firsts.into_iter().flatten().min(),
        lasts.into_iter().flatten().max(),
    ) else {
        return Ok(0);
    };
    let prefix = keys::search_word(word);
    let load = |key: IVec, value: IVec, bound| Segment {
        key: Some(key),
        bound,
        entries: decode_entries(&value),
        changed: false,
    };
    // The segments covering lo..=hi: from the first bound at or above lo to the first at or
    // above hi.
    let mut segments = Vec::new();
    for kv in tree.range(keys::search(word, lo)..) {
        let (key, value) = kv?;
        let Some(bound) = bound_of(&key, &prefix) else {
            break;
        };
        segments.push(load(key, value, bound));
        if bound >= hi {
            break;
        }
    }
    // Without one, entries past every segment extend the word's last segment.
    if segments.is_empty()
        && let Some(kv) = tree
            .range(prefix.clone()..keys::search(word, lo))
            .next_back()
    {
        let (key, value) = kv?;
        if let Some(bound) = bound_of(&key, &prefix) {
            segments.push(load(key, value, bound));
        }
    }
    let (mut a, mut r) = (0, 0);
    for seg in &mut segments {
        let add_end = a + edit.add[a..].partition_point(|e| *e <= seg.bound);
        let remove_end = r + edit.remove[r..].partition_point(|e| *e <= seg.bound);
        let edited = edited(
            &seg.entries,
            &edit.add[a..add_end],
            &edit.remove[r..remove_end],
        );
        if edited != seg.entries {
            seg.entries = edited;
            seg.changed = true;
        }
        (a, r) = (add_end, remove_end);
    }
    let beyond = &edit.add[a..];
    if let Some(&last) = beyond.last() {
        match segments.last_mut() {
            Some(seg) => {
                seg.entries.extend_from_slice(beyond);
                seg.bound = last;
                seg.changed = true;
            }
            None => segments.push(Segment {
                key: None,
                bound: last,
                entries: beyond.to_vec(),
                changed: true,
            }),
        }
    }
    let mut bytes = 0;
    for seg in segments.into_iter().filter(|s| s.changed) {
        // Removed first: a piece may be written back under the same key.
        if let Some(key) = &seg.key {
            batch.remove(key.clone());
        }
        let pieces = seg.entries.len().div_ceil(SEGMENT);
        let per_piece = seg.entries.len().div_ceil(pieces.max(1)).max(1);
        let mut chunks = seg.entries.chunks(per_piece).peekable();
        while let Some(piece) = chunks.next() {
            let bound = match (chunks.peek(), piece.last()) {
                (Some(_), Some(&last)) => last,
                _ => seg.bound,
            };
            let value = encode_entries(piece);
            bytes += value.len();
            batch.insert(keys::search(word, bound), value);
        }
    }
    Ok(bytes)
}

/// A segment's entries after removing and adding (all sorted): sorted, without repeats.
fn edited(entries: &[Entry], add: &[Entry], remove: &[Entry]) -> Vec<Entry> {
    if add.is_empty() && remove.is_empty() {
        return entries.to_vec();
    }
    let mut kept = entries.to_vec();
    if !kept.is_sorted() {
        kept.sort_unstable();
    }
    if !remove.is_empty() {
        kept.retain(|e| remove.binary_search(e).is_err());
    }
    let mut merged = Vec::with_capacity(kept.len() + add.len());
    let (mut i, mut j) = (0, 0);
    while i < kept.len() || j < add.len() {
        let next = match (kept.get(i), add.get(j)) {
            (Some(x), Some(y)) if x < y => {
                i += 1;
                *x
            }
            (Some(x), Some(y)) if x > y => {
                j += 1;
                *y
            }
            (Some(x), Some(_)) => {
                i += 1;
                j += 1;
                *x
            }
            (Some(x), None) => {
                i += 1;
                *x
            }
            (None, Some(y)) => {
                j += 1;
                *y
            }
            (None, None) => break,
        };
        if merged.last() != Some(&next) {
            merged.push(next);
        }
    }
    merged
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
                postings.change(number, &decode_pending(old), new.as_ref());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_keeps_entries_sorted_and_without_repeats() {
        assert_eq!(edited(&[1, 3, 5, 7], &[2, 5, 9], &[3]), [1, 2, 5, 7, 9]);
        assert!(edited(&[1], &[], &[1]).is_empty());
    }

    fn segments(tree: &sled::Tree, word: &str) -> Vec<(Entry, Vec<Entry>)> {
        let prefix = keys::search_word(word);
        tree.scan_prefix(&prefix)
            .map(|kv| {
                let (k, v) = kv.expect("read");
                (bound_of(&k, &prefix).expect("a bound"), decode_entries(&v))
            })
            .collect()
    }

    fn add(tree: &sled::Tree, word: &str, entries: impl IntoIterator<Item = Entry>) {
        let mut p = Postings::default();
        let round = {
            p.rounds.push(Round::default());
            &mut p.rounds[0]
        };
        round.edit(word).add.extend(entries);
        p.write(tree).expect("write");
    }

    #[test]
    fn segments_split_when_full_and_stay_in_order_whichever_end_grows() {
        let db = sled::Config::new().temporary(true).open().expect("sled");
        let tree = db.open_tree("search").expect("tree");
        // Newest first, as an import of `lage items` output arrives, then newer ones, as polls
        // bring them, then some in the middle.
        add(&tree, "brand", (1_000..1_700).map(|n| n << 64));
        add(&tree, "brand", (600..1_000).map(|n| n << 64));
        add(&tree, "brand", (1_100..1_300).map(|n| (n << 64) | 1));
        let segs = segments(&tree, "brand");
        assert!(segs.len() > 1, "split");
        let all: Vec<Entry> = segs.iter().flat_map(|(_, e)| e.iter().copied()).collect();
        assert_eq!(all.len(), 1_300);
        assert!(all.is_sorted(), "segments partition the entries in order");
        let mut lower: Option<Entry> = None;
        for (bound, entries) in &segs {
            assert!(entries.len() <= SEGMENT, "{}", entries.len());
            assert!(
                entries
                    .iter()
                    .all(|e| e <= bound && lower.is_none_or(|l| *e > l))
            );
            lower = Some(*bound);
        }
        // A rare word stays in one segment however its entries arrive.
        add(&tree, "ovanlig", [50 << 64]);
        add(&tree, "ovanlig", [10 << 64]);
        add(&tree, "ovanlig", [90 << 64]);
        assert_eq!(
            segments(&tree, "ovanlig"),
            [(90 << 64, vec![10 << 64, 50 << 64, 90 << 64])]
        );
    }
}
