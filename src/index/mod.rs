//! The in-memory index over every stored item: a compact row per item (time, severity, source,
//! tags as bits, handling state), newest first, so that the dashboard filters and counts a
//! million items in milliseconds without touching the store. Text lives in the store; the index
//! answers *which* items, the store then reads the few that are on screen.
//!
//! Loaded once from `Store::summaries` plus the decision and tag-override logs, then kept current
//! by [`ItemIndex::upsert`] and [`ItemIndex::apply`] as the pipeline and people change things.
//! Pure data: no IO beyond the load, no terminal.

use chrono::{DateTime, Utc};

use crate::curation::{Decision, Status};
use crate::item::Severity;
use crate::store::{ItemSummary, Store, StoreError};
use crate::tags::TagOverride;

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

/// Which items to show; every field narrows, `None`/`false` means no restriction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this focus area.
    pub focus: Option<Focus>,
    /// Only this severity or higher.
    pub min_severity: Option<Severity>,
    /// Only items this source served.
    pub source: Option<String>,
    /// Only this handling status.
    pub status: Option<Status>,
    /// Only this place.
    pub place: Option<Place>,
    /// Only items published within this long before now.
    pub span: Option<chrono::Duration>,
    /// Only items not yet acknowledged.
    pub unacknowledged: bool,
    /// Only items picked for the briefing.
    pub in_briefing: bool,
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

/// The in-memory index.
#[derive(Debug, Default)]
pub struct ItemIndex {}

impl ItemIndex {
    /// Loads the index from the store: every summary, then the decisions and tag overrides.
    pub fn load(store: &Store) -> Result<ItemIndex, StoreError> {
        let _ = store;
        todo!()
    }

    /// Adds or replaces items (after a poll or import), keeping newest-first order.
    pub fn upsert(&mut self, summaries: Vec<ItemSummary>) {
        let _ = summaries;
        todo!()
    }

    /// Applies a decision just recorded.
    pub fn apply(&mut self, item_id: &str, decision: &Decision) {
        let _ = (item_id, decision);
        todo!()
    }

    /// Applies a manual tag decision just recorded.
    pub fn apply_tag_override(&mut self, item_id: &str, o: &TagOverride) {
        let _ = (item_id, o);
        todo!()
    }

    /// How many items the index holds.
    pub fn len(&self) -> usize {
        todo!()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The ids (as numbers, `item::id_number`) of the items passing `filter` and, when given,
    /// among `hits`, newest first.
    pub fn query(&self, filter: &Filter, hits: Option<&[u64]>, now: DateTime<Utc>) -> Vec<u64> {
        let _ = (filter, hits, now);
        todo!()
    }

    /// Per focus area: new since `last_looked`, unacknowledged, today, and unusual activity.
    pub fn overview(&self, now: DateTime<Utc>, last_looked: Option<DateTime<Utc>>) -> Vec<AreaCounts> {
        let _ = (now, last_looked);
        todo!()
    }

    /// Critical items (a VMA, a red warning) that are active, real (not an exercise) and not yet
    /// acknowledged, newest first.
    pub fn critical_unacknowledged(&self, now: DateTime<Utc>) -> Vec<u64> {
        let _ = now;
        todo!()
    }

    /// Every tag some item carries, sorted (for the filter menu).
    pub fn tags(&self) -> Vec<String> {
        todo!()
    }

    /// Every source some item came from, sorted (for the filter menu).
    pub fn sources(&self) -> Vec<String> {
        todo!()
    }
}
