//! The in-memory index over every stored item: a compact row per item (time, severity, source,
//! tags as bits, handling state), newest first, so that the dashboard filters and counts a
//! million items in milliseconds without touching the store. Text lives in the store; the index
//! answers *which* items, the store then reads the few that are on screen.
//!
//! Loaded once from `Store::summaries` plus the decision and tag-override logs, then kept current
//! by [`ItemIndex::upsert`] and [`ItemIndex::apply`] as the pipeline and people change things.
//! Pure data: no IO beyond the load, no terminal.
//!
//! Layout (about 41 bytes an item at a million): a `Vec` of 32-byte rows (`row.rs`) sorted
//! oldest first, so that live ingest, which inserts near the newest end, moves only the few rows
//! after the insertion point; an id → position table of 4-byte slots (`ids.rs`); strings
//! interned once. The first 64 distinct tags (the five focus tags always among them) get a bit in
//! every row. What has no room in a row, tags beyond those 64 and sources beyond an item's first,
//! lives in `overflow.rs`, by value, and a filter on such a value turns it into a bitmap of
//! positions once per query; so more than 64 tags costs speed only for filters on the extra
//! ones, never correctness. Manual tag decisions and decisions on items not (yet) indexed are
//! small maps by id.

mod ids;
mod overflow;
mod overview;
mod row;
#[cfg(test)]
mod tests;
mod update;

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::curation::Status;
use crate::item::{Lifecycle, Severity};
use crate::tags::tag_under;
use ids::IdTable;
use overflow::{Bitmap, Overflow};
use row::{
    ACKED, BRIEFING, CANCELLED, EXERCISE, EXTRA_SOURCES, EXTRA_TAGS, LOCAL, NO_SOURCE, Row,
    TAG_BITS, severity_code,
};

/// The five focus areas of Stockholm's safety and security programme, in its order (keys 1–5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Focus {
    /// Preventing accidents (*olyckor*).
    Accidents,
    /// Preventing crime (*brott*).
    Crime,
    /// Undue influence, threats and violence against employees (*otillåten påverkan, hot och våld*).
    Influence,
    /// Resilience and crisis management (*motståndskraft och krishantering*).
    Resilience,
    /// Protective security (*säkerhetsskydd*).
    Protective,
}

impl Focus {
    /// All five, in the programme's order.
    pub const ALL: [Focus; 5] = [
        Focus::Accidents,
        Focus::Crime,
        Focus::Influence,
        Focus::Resilience,
        Focus::Protective,
    ];

    /// The tag the rules give items in this area.
    pub fn tag(self) -> &'static str {
        match self {
            Focus::Accidents => "fokus/olyckor",
            Focus::Crime => "fokus/brott",
            Focus::Influence => "fokus/hot-och-våld",
            Focus::Resilience => "fokus/kris",
            Focus::Protective => "fokus/säkerhetsskydd",
        }
    }

    /// The area for key `1`–`5`.
    pub fn from_number(n: u8) -> Option<Focus> {
        Focus::ALL.get(usize::from(n).checked_sub(1)?).copied()
    }
}

/// Where an item must be to pass a place filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// In the area of interest.
    Local,
    /// Carrying this tag or one under it (`plats/farsta`).
    Tag(String),
}

/// Which items to show; every field narrows, `None`/`false` means no restriction, and an item
/// must pass all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only items carrying this area's tag or a tag under it (`fokus/brott/inbrott`), manual tag
    /// decisions applied.
    pub focus: Option<Focus>,
    /// Only this severity or higher (items without a severity never pass).
    pub min_severity: Option<Severity>,
    /// Only items this source served, as the first source or as a further sighting.
    pub source: Option<String>,
    /// Only this handling status (items never given one are `New`).
    pub status: Option<Status>,
    /// Only this place.
    pub place: Option<Place>,
    /// Only items published at or after `now - span`. Items dated in the future pass: a source
    /// with a fast clock should not hide its newest items.
    pub span: Option<chrono::Duration>,
    /// Only items nobody has acknowledged.
    pub unacknowledged: bool,
    /// Only items whose latest briefing decision includes them.
    pub in_briefing: bool,
    /// Only items in this state at `now`: `Cancelled`, `Expired` (past its end and not
    /// cancelled), or `Active` (neither, which every item that is not an alert is).
    pub lifecycle: Option<Lifecycle>,
}

/// One focus area's numbers on the overview.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaCounts {
    /// The area.
    pub focus: Focus,
    /// First seen since the user last looked.
    pub new: usize,
    /// Not acknowledged, among the last 7 days' items.
    pub unacknowledged: usize,
    /// Published today (Stockholm's day).
    pub today: usize,
    /// Today compared with the area's recent history.
    pub activity: Activity,
    /// The mean per day over the previous 28 days.
    pub daily_mean: f64,
}

/// Whether an area is unusually busy or quiet today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// Within its usual range (or too little history to tell).
    Usual,
    /// Well above its usual range.
    Busy,
    /// Well below its usual range.
    Quiet,
}

/// The in-memory index; see the module docs for its layout.
pub struct ItemIndex {
    /// Every item, oldest first by (published, id).
    rows: Vec<Row>,
    ids: IdTable,
    tags: Interner,
    sources: Interner,
    /// Interned tags ≥ [`TAG_BITS`] items carry (rows flagged `EXTRA_TAGS`).
    extra_tags: Overflow,
    /// Interned sources beyond `Row::source` (rows flagged `EXTRA_SOURCES`).
    extra_sources: Overflow,
    /// Manual tag decisions per item: the latest per tag, (tag, added).
    overrides: HashMap<u64, Vec<(u32, bool)>>,
    /// Decided flags and status of items not in the index yet, applied when they arrive.
    orphans: HashMap<u64, (u8, u8)>,
}

impl Default for ItemIndex {
    fn default() -> ItemIndex {
        let mut tags = Interner::default();
        // The focus tags get bits whatever else comes first: the overview counts them always.
        for focus in Focus::ALL {
            tags.intern(focus.tag());
        }
        ItemIndex {
            rows: Vec::new(),
            ids: IdTable::default(),
            tags,
            sources: Interner::default(),
            extra_tags: Overflow::default(),
            extra_sources: Overflow::default(),
            overrides: HashMap::new(),
            orphans: HashMap::new(),
        }
    }
}

impl std::fmt::Debug for ItemIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ItemIndex")
            .field("items", &self.rows.len())
            .field("tags", &self.tags.names.len())
            .field("sources", &self.sources.names.len())
            .finish_non_exhaustive()
    }
}

impl ItemIndex {
    /// How many items the index holds.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the index holds this item (numeric id).
    pub fn contains(&self, id: u64) -> bool {
        self.ids.get(id, &self.rows).is_some()
    }

    /// Heap bytes the index holds (rows, id table, side maps estimated), for the benchmark's
    /// memory report.
    pub fn heap_bytes(&self) -> usize {
        self.rows.capacity() * std::mem::size_of::<Row>()
            + self.ids.heap_bytes()
            + self.extra_tags.heap_bytes()
            + self.extra_sources.heap_bytes()
            + self.overrides.capacity() * 40
            + self
                .overrides
                .values()
                .map(|v| v.capacity() * 8)
                .sum::<usize>()
            + self.orphans.capacity() * 24
            + self.tags.heap_bytes()
            + self.sources.heap_bytes()
    }

    /// The ids (as numbers, `item::id_number`) of the items passing `filter` and, when given,
    /// among `hits`, newest first.
    pub fn query(&self, filter: &Filter, hits: Option<&[u64]>, now: DateTime<Utc>) -> Vec<u64> {
        let Some(test) = self.compile(filter, now) else {
            return Vec::new();
        };
        let start = match filter.span.and_then(|span| now.checked_sub_signed(span)) {
            Some(since) => self.first_at_or_after(since.timestamp()),
            None => 0,
        };
        match hits {
            None => self.rows[start..]
                .iter()
                .enumerate()
                .rev()
                .filter(|(i, row)| test.passes(row, start + i))
                .map(|(_, row)| row.id)
                .collect(),
            Some(hits) => {
                // Mark the hits' positions, then walk the marks newest first: no sort, and the
                // walk costs one word per 64 rows.
                let mut marks = Bitmap::new(self.rows.len());
                for &id in hits {
                    if let Some(pos) = self.ids.get(id, &self.rows) {
                        marks.set(pos);
                    }
                }
                marks
                    .descending()
                    .take_while(|&pos| pos >= start)
                    .map(|pos| (pos, &self.rows[pos]))
                    .filter(|(pos, row)| test.passes(row, *pos))
                    .map(|(_, row)| row.id)
                    .collect()
            }
        }
    }

    /// Per focus area: new since `last_looked`, unacknowledged, today, and unusual activity.
    /// See `overview.rs` for how "unusual" is judged.
    pub fn overview(
        &self,
        now: DateTime<Utc>,
        last_looked: Option<DateTime<Utc>>,
    ) -> Vec<AreaCounts> {
        overview::overview(self, now, last_looked)
    }

    /// Critical items (a VMA, a red warning) that are active, real (not an exercise) and not yet
    /// acknowledged, newest first.
    pub fn critical_unacknowledged(&self, now: DateTime<Utc>) -> Vec<u64> {
        let now = now.timestamp();
        let critical = severity_code(Some(Severity::Critical));
        self.rows
            .iter()
            .rev()
            .filter(|r| {
                r.severity() == critical && r.flags & (EXERCISE | ACKED) == 0 && !r.ended(now)
            })
            .map(|r| r.id)
            .collect()
    }

    /// Every tag some item carries, sorted (for the filter menu).
    pub fn tags(&self) -> Vec<String> {
        let bits = self.rows.iter().fold(0u64, |bits, row| bits | row.tags);
        let mut carried: Vec<bool> = (0..self.tags.names.len())
            .map(|t| t < TAG_BITS as usize && bits & (1 << t) != 0)
            .collect();
        for t in self.extra_tags.values() {
            if let Some(c) = carried.get_mut(t as usize) {
                *c = true;
            }
        }
        self.tags.sorted_names(&carried)
    }

    /// Every source some item came from, sorted (for the filter menu).
    pub fn sources(&self) -> Vec<String> {
        let mut served = vec![false; self.sources.names.len()];
        for row in &self.rows {
            if let Some(s) = served.get_mut(usize::from(row.source)) {
                *s = true;
            }
        }
        for s in self.extra_sources.values() {
            if let Some(s) = served.get_mut(s as usize) {
                *s = true;
            }
        }
        self.sources.sorted_names(&served)
    }

    /// The position of the oldest row published at or after `since` (seconds).
    fn first_at_or_after(&self, since: i64) -> usize {
        self.rows
            .partition_point(|r| i64::from(r.published) < since)
    }

    /// The filter as bit tests; `None` when nothing can pass (an unknown source or tag).
    fn compile(&self, filter: &Filter, now: DateTime<Utc>) -> Option<Test> {
        let mut test = Test {
            now: now.timestamp(),
            min_severity: filter.min_severity.map_or(0, |s| severity_code(Some(s))),
            status: filter.status.map(Status::code),
            lifecycle: filter.lifecycle,
            ..Test::default()
        };
        if let Some(focus) = filter.focus {
            test.focus = Some(self.tag_test(focus.tag())?);
        }
        match &filter.place {
            Some(Place::Local) => test.flags_want |= LOCAL,
            Some(Place::Tag(tag)) => test.place = Some(self.tag_test(tag)?),
            None => {}
        }
        if filter.in_briefing {
            test.flags_want |= BRIEFING;
        }
        if filter.unacknowledged {
            test.flags_mask |= ACKED;
        }
        test.flags_mask |= test.flags_want;
        if let Some(source) = &filter.source {
            let source = self.sources.get(source)?;
            test.source = Some(SourceTest {
                number: u16::try_from(source).ok().filter(|s| *s != NO_SOURCE),
                extra: self
                    .extra_sources
                    .positions(&[source], &self.ids, &self.rows),
            });
        }
        Some(test)
    }

    /// A test for the interned tags at or under `filter`; `None` when there are none.
    fn tag_test(&self, filter: &str) -> Option<TagTest> {
        let mut bits = 0u64;
        let mut extra = Vec::new();
        for (t, name) in self.tags.names.iter().enumerate() {
            if tag_under(name, filter) {
                match u32::try_from(t) {
                    Ok(t) if t < TAG_BITS => bits |= 1 << t,
                    Ok(t) => extra.push(t),
                    Err(_) => {}
                }
            }
        }
        let extra = self.extra_tags.positions(&extra, &self.ids, &self.rows);
        (bits != 0 || extra.is_some()).then_some(TagTest { bits, extra })
    }
}

/// Whether a row carries one of some tags: its bits, or the positions of the rows carrying
/// them beyond their bits.
#[derive(Debug, Clone)]
struct TagTest {
    bits: u64,
    extra: Option<Bitmap>,
}

impl TagTest {
    #[inline]
    fn matches(&self, row: &Row, pos: usize) -> bool {
        row.tags & self.bits != 0
            || (row.has(EXTRA_TAGS) && self.extra.as_ref().is_some_and(|b| b.get(pos)))
    }
}

/// Whether a source served a row: as its first source, or as a further one.
#[derive(Debug)]
struct SourceTest {
    number: Option<u16>,
    extra: Option<Bitmap>,
}

impl SourceTest {
    #[inline]
    fn matches(&self, row: &Row, pos: usize) -> bool {
        self.number == Some(row.source)
            || (row.has(EXTRA_SOURCES) && self.extra.as_ref().is_some_and(|b| b.get(pos)))
    }
}

/// A compiled [`Filter`].
#[derive(Debug, Default)]
struct Test {
    now: i64,
    /// Flags that must equal `flags_want` under this mask.
    flags_mask: u8,
    flags_want: u8,
    min_severity: u8,
    status: Option<u8>,
    focus: Option<TagTest>,
    place: Option<TagTest>,
    source: Option<SourceTest>,
    lifecycle: Option<Lifecycle>,
}

impl Test {
    #[inline]
    fn passes(&self, row: &Row, pos: usize) -> bool {
        row.flags & self.flags_mask == self.flags_want
            && row.severity() >= self.min_severity
            && self.status.is_none_or(|s| row.status() == s)
            && self.focus.as_ref().is_none_or(|t| t.matches(row, pos))
            && self.place.as_ref().is_none_or(|t| t.matches(row, pos))
            && self.source.as_ref().is_none_or(|t| t.matches(row, pos))
            && self.lifecycle.is_none_or(|l| lifecycle(row, self.now) == l)
    }
}

/// An item's lifecycle at `now` (seconds); items that are not alerts are active.
fn lifecycle(row: &Row, now: i64) -> Lifecycle {
    if row.has(CANCELLED) {
        Lifecycle::Cancelled
    } else if row.expired(now) {
        Lifecycle::Expired
    } else {
        Lifecycle::Active
    }
}

/// Strings stored once, numbered in the order first seen.
#[derive(Debug, Default)]
struct Interner {
    names: Vec<String>,
    numbers: HashMap<String, u32>,
}

impl Interner {
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&n) = self.numbers.get(name) {
            return n;
        }
        let n = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.names.push(name.to_string());
        self.numbers.insert(name.to_string(), n);
        n
    }

    fn get(&self, name: &str) -> Option<u32> {
        self.numbers.get(name).copied()
    }

    /// The names whose `keep` entry is true, sorted.
    fn sorted_names(&self, keep: &[bool]) -> Vec<String> {
        let mut out: Vec<String> = self
            .names
            .iter()
            .zip(keep)
            .filter(|(_, keep)| **keep)
            .map(|(name, _)| name.clone())
            .collect();
        out.sort();
        out
    }

    fn heap_bytes(&self) -> usize {
        self.names.iter().map(|n| 2 * (n.capacity() + 24) + 8).sum()
    }
}
