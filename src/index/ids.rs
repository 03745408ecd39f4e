//! The id → row position table: open addressing with linear probing over `u32` slots, the rows
//! themselves holding the keys. A slot is the position + 1 (0 = empty) with a 6-bit fingerprint
//! of the id's hash on top, so most probes that miss never read a row.
//!
//! A general hash map of `u64 → u32` costs about 34 bytes per item at a million items; this
//! costs 4 bytes per slot, 5–10 per item. Items are never removed from the index (ingest never
//! deletes), so the table needs no tombstones: a row that moves keeps its slot, which is
//! rewritten with the new position.
//!
//! Ids come from imports too, so they are hashed with a per-process random seed: nobody can
//! choose ids that all land in one probe chain.

use super::row::Row;

/// Bits of a slot holding the position + 1.
const POS_BITS: u32 = 26;
const POS_MASK: u32 = (1 << POS_BITS) - 1;

/// The most rows the table can address.
pub(super) const MAX_ROWS: usize = POS_MASK as usize - 1;

/// The table; see the module docs.
#[derive(Debug, Clone)]
pub(super) struct IdTable {
    slots: Vec<u32>,
    /// Entries in use.
    len: usize,
    seed: u64,
}

impl Default for IdTable {
    fn default() -> IdTable {
        IdTable {
            slots: Vec::new(),
            len: 0,
            seed: fastrand::u64(..),
        }
    }
}

impl IdTable {
    /// The slot of `id`, if it is in the table.
    pub fn find(&self, id: u64, rows: &[Row]) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let (mut at, fingerprint) = self.home(id);
        loop {
            let slot = self.slots[at];
            if slot == 0 {
                return None;
            }
            if slot >> POS_BITS == fingerprint
                && rows.get(position(slot)).is_some_and(|r| r.id == id)
            {
                return Some(at);
            }
            at = (at + 1) & mask;
        }
    }

    /// The position of `id`, if it is in the table.
    pub fn get(&self, id: u64, rows: &[Row]) -> Option<usize> {
        self.find(id, rows).map(|at| position(self.slots[at]))
    }

    /// The position a slot from [`IdTable::find`] holds.
    pub fn position_at(&self, slot: usize) -> usize {
        position(self.slots[slot])
    }

    /// Points a slot from [`IdTable::find`] at a new position of the same id.
    pub fn set(&mut self, slot: usize, pos: usize) {
        let fingerprint = self.slots[slot] & !POS_MASK;
        self.slots[slot] = fingerprint | encode(pos);
    }

    /// Adds `id` at `pos` unless it is there already. `rows` must hold it at `pos`, and every
    /// other row must be in the table or about to be inserted: growing rebuilds from `rows`,
    /// which inserts those too.
    pub fn insert(&mut self, id: u64, pos: usize, rows: &[Row]) {
        if self.find(id, rows).is_some() {
            return;
        }
        if (self.len + 1) * 5 > self.slots.len() * 4 {
            self.rebuild_for(rows, rows.len().max(self.len + 1));
            return;
        }
        self.place(id, pos);
        self.len += 1;
    }

    /// Rebuilds the table from `rows`, whose ids are distinct.
    pub fn rebuild(&mut self, rows: &[Row]) {
        self.rebuild_for(rows, rows.len());
    }

    fn rebuild_for(&mut self, rows: &[Row], wanted: usize) {
        let size = (wanted.max(8) * 5 / 4 + 1).next_power_of_two();
        self.slots = vec![0; size];
        self.len = 0;
        for (pos, row) in rows.iter().enumerate() {
            self.place(row.id, pos);
            self.len += 1;
        }
    }

    /// Follows the rows' reversal: position `p` of `len` rows becomes `len - 1 - p`.
    pub fn mirror(&mut self, len: usize) {
        for slot in self.slots.iter_mut().filter(|s| **s != 0) {
            let pos = position(*slot);
            *slot = (*slot & !POS_MASK) | encode(len - 1 - pos);
        }
    }

    fn place(&mut self, id: u64, pos: usize) {
        let mask = self.slots.len() - 1;
        let (mut at, fingerprint) = self.home(id);
        while self.slots[at] != 0 {
            at = (at + 1) & mask;
        }
        self.slots[at] = (fingerprint << POS_BITS) | encode(pos);
    }

    /// The first slot to probe and the fingerprint of `id`.
    fn home(&self, id: u64) -> (usize, u32) {
        let hash = mix(id ^ self.seed);
        let bits = self.slots.len().trailing_zeros();
        // High bits pick the slot, low bits make the fingerprint: independent parts of the hash.
        let at = if bits == 0 {
            0
        } else {
            usize::try_from(hash >> (64 - bits)).unwrap_or(0)
        };
        (at, (hash & 0x3f) as u32)
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<u32>()
    }
}

fn encode(pos: usize) -> u32 {
    // Callers keep positions below MAX_ROWS; a larger one would be a bug, caught in tests.
    debug_assert!(pos < MAX_ROWS);
    (pos as u32 + 1) & POS_MASK
}

fn position(slot: u32) -> usize {
    ((slot & POS_MASK) as usize).wrapping_sub(1)
}

/// SplitMix64's finaliser: every input bit affects every output bit.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(ids: impl IntoIterator<Item = u64>) -> Vec<Row> {
        ids.into_iter().map(|id| Row::new(id, 0, 0, 0)).collect()
    }

    #[test]
    fn every_inserted_id_is_found_at_its_position_and_others_are_not() {
        let mut table = IdTable::default();
        let mut all = Vec::new();
        // Ids that differ only in high bits, and sequential ones: both must spread.
        for i in 0..5000u64 {
            let id = if i % 2 == 0 { i << 40 } else { i };
            all.push(Row::new(id, 0, 0, 0));
            let pos = all.len() - 1;
            table.insert(id, pos, &all);
        }
        for (pos, row) in all.iter().enumerate() {
            assert_eq!(table.get(row.id, &all), Some(pos));
        }
        assert_eq!(table.get(7 << 40 | 1, &all), None);
        assert!(table.heap_bytes() <= 5000 * 4 * 5 / 4 * 2 + 64);
    }

    #[test]
    fn a_moved_row_keeps_its_slot_with_the_new_position() {
        let mut all = rows([10, 20, 30]);
        let mut table = IdTable::default();
        table.rebuild(&all);
        let slots: Vec<usize> = all
            .iter()
            .map(|r| table.find(r.id, &all).expect("present"))
            .collect();
        all.rotate_left(1);
        let mut moved = slots.clone();
        moved.rotate_left(1);
        for (pos, slot) in moved.into_iter().enumerate() {
            table.set(slot, pos);
        }
        assert_eq!(table.get(10, &all), Some(2));
        assert_eq!(table.get(20, &all), Some(0));
        assert_eq!(table.position_at(slots[2]), 1);
    }

    #[test]
    fn a_mirrored_table_follows_reversed_rows() {
        let mut all = rows([5, 6, 7]);
        let mut table = IdTable::default();
        table.rebuild(&all);
        all.reverse();
        table.mirror(all.len());
        assert_eq!(table.get(5, &all), Some(2));
        assert_eq!(table.get(7, &all), Some(0));
    }
}
