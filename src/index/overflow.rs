//! What has no room in a row: tags beyond the 64 with bits, and sources beyond an item's first
//! (an item several sources served). Kept by value (tag or source) → the items that have it,
//! because that is how filters ask: a filter turns the items of its values into a bitmap over
//! row positions once, and the scan then tests a bit instead of looking each row up in a map.
//!
//! Values are few (tens of sources, a handful of overflow tags), so forgetting an item, which
//! visits every value's set, is cheap; it happens only for rows flagged as having overflow.

use std::collections::{HashMap, HashSet};

use super::ids::IdTable;
use super::row::Row;

/// Value → items that have it beyond their row.
#[derive(Debug, Default)]
pub(super) struct Overflow {
    by_value: HashMap<u32, HashSet<u64>>,
}

impl Overflow {
    /// Records that item `id` has `value`.
    pub fn add(&mut self, value: u32, id: u64) {
        self.by_value.entry(value).or_default().insert(id);
    }

    /// Records that item `id` no longer has `value`.
    pub fn remove(&mut self, value: u32, id: u64) {
        if let Some(ids) = self.by_value.get_mut(&value) {
            ids.remove(&id);
        }
    }

    /// Forgets every value of item `id`.
    pub fn forget(&mut self, id: u64) {
        for ids in self.by_value.values_mut() {
            ids.remove(&id);
        }
    }

    /// The values of item `id`.
    pub fn values_of(&self, id: u64) -> Vec<u32> {
        self.by_value
            .iter()
            .filter(|(_, ids)| ids.contains(&id))
            .map(|(&value, _)| value)
            .collect()
    }

    /// Every value some item has.
    pub fn values(&self) -> impl Iterator<Item = u32> + '_ {
        self.by_value
            .iter()
            .filter(|(_, ids)| !ids.is_empty())
            .map(|(&value, _)| value)
    }

    /// The positions of the items having any of `values`, as a bitmap; `None` when no item has
    /// any of them.
    pub fn positions(&self, values: &[u32], table: &IdTable, rows: &[Row]) -> Option<Bitmap> {
        let mut bitmap: Option<Bitmap> = None;
        for value in values {
            for &id in self.by_value.get(value).into_iter().flatten() {
                if let Some(pos) = table.get(id, rows) {
                    bitmap
                        .get_or_insert_with(|| Bitmap::new(rows.len()))
                        .set(pos);
                }
            }
        }
        bitmap
    }

    /// Heap bytes held, estimated.
    pub fn heap_bytes(&self) -> usize {
        self.by_value
            .values()
            .map(|ids| 48 + ids.capacity() * 9)
            .sum()
    }
}

/// One bit per row position.
#[derive(Debug, Clone)]
pub(super) struct Bitmap {
    words: Vec<u64>,
}

impl Bitmap {
    /// All clear, for `len` positions.
    pub fn new(len: usize) -> Bitmap {
        Bitmap {
            words: vec![0; len.div_ceil(64)],
        }
    }

    /// Sets position `pos`.
    pub fn set(&mut self, pos: usize) {
        if let Some(word) = self.words.get_mut(pos / 64) {
            *word |= 1 << (pos % 64);
        }
    }

    /// Whether position `pos` is set.
    #[inline]
    pub fn get(&self, pos: usize) -> bool {
        self.words
            .get(pos / 64)
            .is_some_and(|w| w & (1 << (pos % 64)) != 0)
    }

    /// The set positions, highest first.
    pub fn descending(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().rev().flat_map(|(w, &word)| {
            let mut word = word;
            std::iter::from_fn(move || {
                if word == 0 {
                    return None;
                }
                let bit = 63 - word.leading_zeros() as usize;
                word &= !(1 << bit);
                Some(w * 64 + bit)
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bitmap_lists_its_positions_highest_first() {
        let mut b = Bitmap::new(200);
        for pos in [0, 63, 64, 199, 130] {
            b.set(pos);
        }
        assert_eq!(b.descending().collect::<Vec<_>>(), [199, 130, 64, 63, 0]);
        assert!(b.get(64) && !b.get(65));
    }

    #[test]
    fn forgetting_an_item_removes_it_from_every_value() {
        let mut o = Overflow::default();
        o.add(1, 10);
        o.add(2, 10);
        o.add(2, 11);
        let mut values = o.values_of(10);
        values.sort_unstable();
        assert_eq!(values, [1, 2]);
        o.forget(10);
        assert!(o.values_of(10).is_empty());
        assert_eq!(o.values().collect::<Vec<_>>(), [2]);
    }
}
