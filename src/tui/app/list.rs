//! The item list's state: the ids that match (from the index), a cache of loaded rows for the
//! visible window, the selection and the viewport.
//!
//! The selection is an id, not a position: when new items arrive at the top, the selected item
//! stays selected and stays at the same place on screen (the viewport moves with it). Only rows
//! near the viewport are ever loaded, so a million matches cost a `Vec<u64>` and a screenful of
//! store reads.

use std::collections::{HashMap, HashSet};

use crate::tui::data::Row;

/// How many rows beyond the viewport (each side, in screens) are loaded ahead.
const MARGIN_SCREENS: usize = 1;
/// Past this many cached rows, rows far from the viewport are dropped.
const CACHE_LIMIT: usize = 2000;

/// The list's state.
#[derive(Debug, Default)]
pub struct ItemList {
    /// Matching ids, newest first.
    pub ids: Vec<u64>,
    /// Loaded rows by id.
    pub rows: HashMap<u64, Row>,
    /// Ids asked for, with the generation of the latest request.
    pub pending: HashMap<u64, u64>,
    /// Loaded rows known to have changed: still shown until read again.
    pub stale: HashSet<u64>,
    /// Ids the store could not give a row for (gone, or a record this build cannot read): not
    /// asked for again until they change, so one bad record cannot keep the reads spinning.
    pub missing: HashSet<u64>,
    /// The selected id.
    pub selected: Option<u64>,
    /// The selected position in `ids`.
    pub cursor: usize,
    /// The first position shown.
    pub offset: usize,
    /// Whether a query result has arrived yet.
    pub loaded: bool,
    /// Whether the person has pressed a key yet; until then the selection follows the newest
    /// item (the list fills up while the index loads and the first polls come in).
    pub pinned: bool,
}

impl ItemList {
    /// Replaces the matching ids, keeping the selected item selected. A list scrolled to the
    /// top stays at the top, so new items show up there; a list scrolled down keeps the selected
    /// row where it was on screen, so reading is not disturbed.
    pub fn set_ids(&mut self, ids: Vec<u64>, height: usize) {
        let screen_row = self.cursor.saturating_sub(self.offset);
        let at_top = self.offset == 0;
        if !self.pinned {
            self.reset_selection();
        }
        self.ids = ids;
        self.loaded = true;
        let found = self
            .selected
            .and_then(|sel| self.ids.iter().position(|&id| id == sel));
        match found {
            Some(pos) => {
                self.cursor = pos;
                if !at_top {
                    self.offset = pos.saturating_sub(screen_row);
                }
            }
            None => {
                self.cursor = self.cursor.min(self.ids.len().saturating_sub(1));
                self.selected = self.ids.get(self.cursor).copied();
            }
        }
        self.keep_visible(height);
    }

    /// Forgets the selection, so the next ids select their first row (a new search).
    pub fn reset_selection(&mut self) {
        self.selected = None;
        self.cursor = 0;
        self.offset = 0;
    }

    /// Moves the selection by `delta` rows (clamped to the list).
    pub fn move_by(&mut self, delta: isize, height: usize) {
        if self.ids.is_empty() {
            return;
        }
        let last = self.ids.len() - 1;
        let target = if delta < 0 {
            self.cursor.saturating_sub(delta.unsigned_abs())
        } else {
            self.cursor.saturating_add(delta.unsigned_abs()).min(last)
        };
        self.select_at(target, height);
    }

    /// Selects the row at position `pos` (clamped).
    pub fn select_at(&mut self, pos: usize, height: usize) {
        if self.ids.is_empty() {
            return;
        }
        self.cursor = pos.min(self.ids.len() - 1);
        self.selected = self.ids.get(self.cursor).copied();
        self.keep_visible(height);
    }

    /// Moves the viewport so the cursor is on screen (and no space is wasted at the end).
    pub fn keep_visible(&mut self, height: usize) {
        let height = height.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + height {
            self.offset = self.cursor + 1 - height;
        }
        let max_offset = self.ids.len().saturating_sub(height);
        self.offset = self.offset.min(max_offset);
    }

    /// The selected row, if loaded.
    pub fn selected_row(&self) -> Option<&Row> {
        self.selected.and_then(|id| self.rows.get(&id))
    }

    /// The ids around the viewport that are neither loaded nor asked for; marks them asked for
    /// under `generation`. Also drops cached rows far away when the cache grows large.
    pub fn wanted(&mut self, height: usize, generation: u64, keep: &[u64]) -> Vec<u64> {
        let margin = height.max(1) * MARGIN_SCREENS;
        let start = self.offset.saturating_sub(margin);
        let end = (self.offset + height + margin).min(self.ids.len());
        let window = self.ids[start.min(end)..end].iter().chain(keep);
        let mut want = Vec::new();
        for &id in window {
            let missing = !self.rows.contains_key(&id) || self.stale.contains(&id);
            if missing && !self.pending.contains_key(&id) && !self.missing.contains(&id) {
                self.pending.insert(id, generation);
                want.push(id);
            }
        }
        if self.rows.len() > CACHE_LIMIT {
            let near: HashSet<u64> = self.ids[start.min(end)..end]
                .iter()
                .chain(keep)
                .copied()
                .collect();
            self.rows.retain(|id, _| near.contains(id));
            self.missing.retain(|id| near.contains(id));
            let rows = &self.rows;
            self.stale.retain(|id| rows.contains_key(id));
        }
        want
    }

    /// Takes loaded rows answering the request of generation `generation`; rows of older requests for
    /// the same id are dropped (a newer read is on its way).
    pub fn accept(&mut self, generation: u64, rows: Vec<(u64, Option<Row>)>) {
        for (id, row) in rows {
            if self.pending.get(&id) != Some(&generation) {
                continue;
            }
            self.pending.remove(&id);
            self.stale.remove(&id);
            match row {
                Some(row) => {
                    self.missing.remove(&id);
                    self.rows.insert(id, row);
                }
                None => {
                    self.rows.remove(&id);
                    self.missing.insert(id);
                }
            }
        }
    }

    /// Marks the rows of `ids` as changed, so they are read again (and shown as they were
    /// until then); an answer to an earlier request for them is dropped.
    pub fn invalidate(&mut self, ids: &[u64]) {
        for id in ids {
            self.pending.remove(id);
            self.missing.remove(id);
            if self.rows.contains_key(id) {
                self.stale.insert(*id);
            }
        }
    }

    /// Marks every row as changed: all are read again, and shown as they were until then.
    pub fn clear_rows(&mut self) {
        self.pending.clear();
        self.missing.clear();
        self.stale = self.rows.keys().copied().collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn before_any_key_the_selection_follows_the_newest_item() {
        let mut list = ItemList::default();
        list.set_ids(vec![10, 9], 3);
        list.set_ids(vec![11, 10, 9], 3);
        assert_eq!(list.selected, Some(11));
        list.pinned = true;
        list.set_ids(vec![12, 11, 10, 9], 3);
        assert_eq!(list.selected, Some(11));
    }

    #[test]
    fn new_ids_on_top_keep_the_selection_and_its_screen_row_when_scrolled() {
        let mut list = ItemList {
            pinned: true,
            ..ItemList::default()
        };
        list.set_ids(vec![10, 9, 8, 7, 6], 3);
        list.move_by(3, 3);
        assert_eq!(list.selected, Some(7));
        assert_eq!(list.offset, 1);
        list.set_ids(vec![12, 11, 10, 9, 8, 7, 6], 3);
        assert_eq!(list.selected, Some(7));
        assert_eq!(list.cursor, 5);
        assert_eq!(list.cursor - list.offset, 2);
    }

    #[test]
    fn a_list_at_the_top_shows_new_ids_while_keeping_the_selection() {
        let mut list = ItemList {
            pinned: true,
            ..ItemList::default()
        };
        list.set_ids(vec![10, 9, 8, 7, 6], 3);
        list.move_by(1, 3);
        list.set_ids(vec![11, 10, 9, 8, 7, 6], 3);
        assert_eq!((list.selected, list.cursor, list.offset), (Some(9), 2, 0));
        // Pushed off the screen, the selection drags the viewport along.
        list.set_ids(vec![13, 12, 11, 10, 9, 8, 7, 6], 3);
        assert_eq!((list.selected, list.cursor, list.offset), (Some(9), 4, 2));
    }

    #[test]
    fn a_vanished_selection_falls_to_the_same_position() {
        let mut list = ItemList {
            pinned: true,
            ..ItemList::default()
        };
        list.set_ids(vec![5, 4, 3], 10);
        list.move_by(1, 10);
        list.set_ids(vec![5, 3], 10);
        assert_eq!(list.selected, Some(3));
        list.set_ids(vec![], 10);
        assert_eq!(list.selected, None);
        list.move_by(1, 10);
        assert_eq!(list.selected, None);
    }

    #[test]
    fn only_rows_near_the_viewport_are_wanted_and_stale_answers_are_dropped() {
        let mut list = ItemList::default();
        list.set_ids((0..100).rev().collect(), 5);
        let want = list.wanted(5, 1, &[]);
        assert_eq!(want.len(), 10);
        assert!(list.wanted(5, 2, &[]).is_empty());
        list.invalidate(&[99]);
        assert_eq!(list.wanted(5, 3, &[]), [99]);
        // The answer to request 1 for id 99 is stale now.
        list.accept(1, vec![(99, None), (98, None)]);
        assert!(list.pending.contains_key(&99));
        assert!(!list.pending.contains_key(&98));
    }
}
