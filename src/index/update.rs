//! Building and changing the index: the load, the pipeline's upserts, and people's decisions.
//!
//! Rows stay sorted oldest first. An upsert whose items keep their publication time rewrites
//! rows in place; new items and items whose time changed are merged in from the lowest position
//! they touch, so live ingest (a few items near the newest end) moves a few rows, and only an
//! import of old items pays for moving many.

use std::collections::{HashMap, HashSet};

use super::ItemIndex;
use super::ids::MAX_ROWS;
use super::row::{
    ACKED, ANNOTATED, BRIEFING, CANCELLED, DECIDED, EXERCISE, EXTRA_SOURCES, EXTRA_TAGS, LOCAL,
    NO_SOURCE, Row, TAG_BITS, secs, severity_code,
};
use crate::curation::{Action, Decision};
use crate::item::id_number;
use crate::store::{ItemSummary, Store, StoreError};
use crate::tags::{OverrideAction, TagOverride};

/// Above this many rows to move, an upsert rebuilds the id table instead of fixing each slot
/// (fixing costs a probe per row and a copy of the moved rows; rebuilding costs neither copy
/// nor memory beyond the table, and is about as fast per row). Small in tests so that both
/// ways are exercised.
const MOVE_IN_PLACE: usize = if cfg!(test) { 16 } else { 1 << 16 };

/// A row to be placed, with its slot in the id table when it is already there.
struct Mover {
    row: Row,
    slot: Option<usize>,
}

impl ItemIndex {
    /// Loads the index from the store: every summary, then the decisions and tag overrides.
    /// A summary that cannot be decoded is skipped with a warning (the item stays readable in
    /// the store); any other store failure fails the load.
    pub fn load(store: &Store) -> Result<ItemIndex, StoreError> {
        let mut failure = None;
        let summaries = store
            .summaries()
            .map_while(|r| match r {
                Ok(summary) => Some(Some(summary)),
                Err(StoreError::Corrupt { tree, message }) => {
                    tracing::warn!("index: skipped an unreadable summary in '{tree}': {message}");
                    Some(None)
                }
                Err(e) => {
                    failure = Some(e);
                    None
                }
            })
            .flatten();
        let mut index = ItemIndex::from_summaries(summaries);
        if let Some(e) = failure {
            return Err(e);
        }
        for (id, decision) in store.all_decisions()? {
            index.apply(&id, &decision);
        }
        for (id, o) in store.all_tag_overrides()? {
            index.apply_tag_override(&id, &o);
        }
        Ok(index)
    }

    /// Builds an index from summaries, newest first as `Store::summaries` gives them (any order
    /// works, in order is faster). A summary whose id is not 16 hex digits is skipped; of two
    /// with one id the first stays.
    pub fn from_summaries(summaries: impl IntoIterator<Item = ItemSummary>) -> ItemIndex {
        let mut index = ItemIndex::default();
        let summaries = summaries.into_iter();
        index.rows.reserve(summaries.size_hint().0);
        for summary in summaries {
            if index.rows.len() >= MAX_ROWS {
                tracing::warn!("index: more than {MAX_ROWS} items; the oldest are not indexed");
                break;
            }
            let Some(id) = id_number(&summary.id) else {
                tracing::warn!("index: skipped an item with a malformed id");
                continue;
            };
            // The table is built as the rows come, which also catches a repeated id.
            if index.ids.find(id, &index.rows).is_some() {
                tracing::warn!("index: item {} listed twice; the newer kept", summary.id);
                continue;
            }
            let row = index.build_row(&summary, id, (0, 0), 0);
            index.rows.push(row);
            let pos = index.rows.len() - 1;
            index.ids.insert(id, pos, &index.rows);
        }
        index.rows.reverse();
        if index.rows.is_sorted_by_key(Row::key) {
            index.ids.mirror(index.rows.len());
        } else {
            index.rows.sort_unstable_by_key(Row::key);
            index.ids.rebuild(&index.rows);
        }
        index.rows.shrink_to_fit();
        index
    }

    /// Adds or replaces items (after a poll or import), keeping newest-first order. People's
    /// decisions and manual tags stay with their items.
    pub fn upsert(&mut self, summaries: Vec<ItemSummary>) {
        // The last summary of an id in the batch is the one that counts.
        let mut latest: HashMap<u64, usize> = HashMap::with_capacity(summaries.len());
        for (n, summary) in summaries.iter().enumerate() {
            if let Some(id) = id_number(&summary.id) {
                latest.insert(id, n);
            }
        }
        let mut movers = Vec::new();
        for (n, summary) in summaries.iter().enumerate() {
            let Some(id) = id_number(&summary.id) else {
                continue;
            };
            if latest.get(&id) != Some(&n) {
                continue;
            }
            match self.ids.find(id, &self.rows) {
                Some(slot) => {
                    let pos = self.ids.position_at(slot);
                    let old = self.rows[pos];
                    let row = self.build_row(summary, id, (old.flags, old.status()), old.flags);
                    if row.key() == old.key() {
                        self.rows[pos] = row;
                    } else {
                        movers.push(Mover {
                            row,
                            slot: Some(slot),
                        });
                    }
                }
                None => {
                    if self.rows.len() + movers.len() >= MAX_ROWS {
                        tracing::warn!("index: full at {MAX_ROWS} items; new items not indexed");
                        continue;
                    }
                    let decided = self.orphans.remove(&id).unwrap_or((0, 0));
                    let row = self.build_row(summary, id, decided, 0);
                    movers.push(Mover { row, slot: None });
                }
            }
        }
        if !movers.is_empty() {
            self.place(movers);
        }
    }

    /// Applies a decision just recorded. `Action::Tag` changes nothing here: manual tags live in
    /// the override log and reach the index through [`ItemIndex::apply_tag_override`].
    pub fn apply(&mut self, item_id: &str, decision: &Decision) {
        let Some(id) = id_number(item_id) else {
            return;
        };
        match self.ids.get(id, &self.rows) {
            Some(pos) => {
                let row = &mut self.rows[pos];
                let (mut flags, mut status) = (row.flags, row.status());
                fold(&mut flags, &mut status, &decision.action);
                row.flags = flags;
                row.set_status(status);
            }
            None => {
                let (flags, status) = self.orphans.entry(id).or_default();
                fold(flags, status, &decision.action);
            }
        }
    }

    /// Applies a manual tag decision just recorded: the latest decision on a tag wins, over the
    /// rules and over earlier decisions, and keeps winning when the pipeline re-tags the item.
    pub fn apply_tag_override(&mut self, item_id: &str, o: &TagOverride) {
        let Some(id) = id_number(item_id) else {
            return;
        };
        let tag = self.tags.intern(&o.tag);
        let added = o.action == OverrideAction::Add;
        let decisions = self.overrides.entry(id).or_default();
        decisions.retain(|(t, _)| *t != tag);
        decisions.push((tag, added));
        let Some(pos) = self.ids.get(id, &self.rows) else {
            return;
        };
        let row = &mut self.rows[pos];
        if tag < TAG_BITS {
            set_tag(&mut row.tags, &mut Vec::new(), tag, added);
        } else {
            if added {
                self.extra_tags.add(tag, id);
            } else {
                self.extra_tags.remove(tag, id);
            }
            row.set(EXTRA_TAGS, !self.extra_tags.values_of(id).is_empty());
        }
    }

    /// A row for `summary`, with the decided flags and status given and its manual tag
    /// decisions applied; what has no room in it goes to the overflow, after forgetting what the
    /// old row's flags (`before`) say it had there.
    fn build_row(
        &mut self,
        summary: &ItemSummary,
        id: u64,
        (flags, status): (u8, u8),
        before: u8,
    ) -> Row {
        if before & EXTRA_TAGS != 0 {
            self.extra_tags.forget(id);
        }
        if before & EXTRA_SOURCES != 0 {
            self.extra_sources.forget(id);
        }
        let expires = summary.expires.map_or(0, |t| secs(t).max(1));
        let published = secs(summary.published);
        let mut row = Row::new(id, published, secs(summary.first_seen), expires);
        row.flags = flags & DECIDED;
        row.set_status(status);
        row.set_severity(severity_code(summary.severity));
        row.set(LOCAL, summary.local);
        row.set(EXERCISE, summary.exercise);
        row.set(CANCELLED, summary.cancelled);

        let mut extra_tags = Vec::new();
        for tag in &summary.tags {
            let tag = self.tags.intern(tag);
            set_tag(&mut row.tags, &mut extra_tags, tag, true);
        }
        for &(tag, added) in self.overrides.get(&id).into_iter().flatten() {
            set_tag(&mut row.tags, &mut extra_tags, tag, added);
        }
        row.set(EXTRA_TAGS, !extra_tags.is_empty());
        for tag in extra_tags {
            self.extra_tags.add(tag, id);
        }

        let mut extra_sources = Vec::new();
        for (n, source) in summary.sources.iter().enumerate() {
            let source = self.sources.intern(source);
            match u16::try_from(source) {
                Ok(s) if n == 0 && s != NO_SOURCE => row.source = s,
                _ if u32::from(row.source) == source && row.source != NO_SOURCE => {}
                _ if !extra_sources.contains(&source) => extra_sources.push(source),
                _ => {}
            }
        }
        row.set(EXTRA_SOURCES, !extra_sources.is_empty());
        for source in extra_sources {
            self.extra_sources.add(source, id);
        }
        row
    }

    /// Puts `movers` at their places: merged with the rows from the lowest position any of them
    /// leaves or enters, the id table fixed slot by slot or rebuilt.
    fn place(&mut self, mut movers: Vec<Mover>) {
        movers.sort_unstable_by_key(|m| m.row.key());
        let mut low = self.rows.len();
        for m in &movers {
            low = low.min(self.rows.partition_point(|r| r.key() < m.row.key()));
            if let Some(slot) = m.slot {
                low = low.min(self.ids.position_at(slot));
            }
        }
        let leaving: HashSet<u64> = movers
            .iter()
            .filter(|m| m.slot.is_some())
            .map(|m| m.row.id)
            .collect();
        let arriving = movers.iter().filter(|m| m.slot.is_none()).count();
        self.reserve_rows(arriving);
        if self.rows.len() - low <= MOVE_IN_PLACE {
            self.merge_fixing_slots(low, movers, &leaving);
        } else {
            self.merge_and_rebuild(movers, &leaving);
        }
    }

    /// Grows the rows by a few percent when full: doubling a million rows' vector, as `push`
    /// would, holds 32 MB for nothing; copying it every 3 % of growth costs little.
    fn reserve_rows(&mut self, additional: usize) {
        if self.rows.len() + additional > self.rows.capacity() {
            self.rows
                .reserve_exact(additional + self.rows.len() / 32 + 64);
        }
    }

    fn merge_fixing_slots(&mut self, low: usize, movers: Vec<Mover>, leaving: &HashSet<u64>) {
        // Slots are looked up while rows and table still agree.
        let tail: Vec<Mover> = self.rows[low..]
            .iter()
            .filter(|r| !leaving.contains(&r.id))
            .map(|r| Mover {
                row: *r,
                slot: self.ids.find(r.id, &self.rows),
            })
            .collect();
        self.rows.truncate(low);
        let mut new_ids = Vec::new();
        let mut movers = movers.into_iter().peekable();
        let mut tail = tail.into_iter().peekable();
        loop {
            let next = match (tail.peek(), movers.peek()) {
                (Some(t), Some(m)) if m.row.key() < t.row.key() => movers.next(),
                (Some(_), _) => tail.next(),
                (None, _) => movers.next(),
            };
            let Some(m) = next else { break };
            match m.slot {
                Some(slot) => self.ids.set(slot, self.rows.len()),
                None => new_ids.push((m.row.id, self.rows.len())),
            }
            self.rows.push(m.row);
        }
        for (id, pos) in new_ids {
            self.ids.insert(id, pos, &self.rows);
        }
    }

    fn merge_and_rebuild(&mut self, movers: Vec<Mover>, leaving: &HashSet<u64>) {
        if !leaving.is_empty() {
            self.rows.retain(|r| !leaving.contains(&r.id));
        }
        // Merge from the back into the grown vector: no second copy of the rows.
        let old = self.rows.len();
        let incoming: Vec<Row> = movers.into_iter().map(|m| m.row).collect();
        let Some(&filler) = incoming.first() else {
            return;
        };
        self.rows.resize(old + incoming.len(), filler);
        let (mut i, mut j) = (old, incoming.len());
        for k in (0..self.rows.len()).rev() {
            if j > 0 && (i == 0 || incoming[j - 1].key() > self.rows[i - 1].key()) {
                j -= 1;
                self.rows[k] = incoming[j];
            } else {
                i -= 1;
                self.rows[k] = self.rows[i];
            }
        }
        self.ids.rebuild(&self.rows);
    }
}

/// Folds one decision into decided flags and a status code, as `ItemState::fold` does: the
/// first acknowledgement stands, the latest status and briefing decision win.
fn fold(flags: &mut u8, status: &mut u8, action: &Action) {
    match action {
        Action::Acknowledge => *flags |= ACKED,
        Action::SetStatus { status: s } => *status = s.code(),
        Action::Briefing { include: true } => *flags |= BRIEFING,
        Action::Briefing { include: false } => *flags &= !BRIEFING,
        Action::Annotate { .. } => *flags |= ANNOTATED,
        Action::Tag { .. } => {}
    }
}

/// Adds or removes interned tag `tag`: a bit when it has one, else in `extra`.
fn set_tag(bits: &mut u64, extra: &mut Vec<u32>, tag: u32, on: bool) {
    if tag < TAG_BITS {
        if on {
            *bits |= 1 << tag;
        } else {
            *bits &= !(1 << tag);
        }
    } else if on {
        if !extra.contains(&tag) {
            extra.push(tag);
        }
    } else {
        extra.retain(|t| *t != tag);
    }
}
