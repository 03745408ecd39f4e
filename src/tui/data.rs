//! What the dashboard loads from the store to show: a list [`Row`] per visible item, the
//! [`Detail`] of one item, and the choices of the filter menu. Built by pure functions from
//! stored records, so views and tests work from plain data and the runtime does the reading.

use chrono::{DateTime, Utc};

use crate::curation::{Decision, ItemState};
use crate::index::Focus;
use crate::item::{Item, Lifecycle, Severity, id_number};
use crate::tags::{EffectiveTag, TagOverride, effective, tag_under};

/// What the item list shows of one item.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The item's id as a number.
    pub id: u64,
    /// The title (untrusted: made safe when drawn).
    pub title: String,
    /// The link, if any.
    pub url: Option<String>,
    /// Publication time.
    pub published: DateTime<Utc>,
    /// When `lage` first stored it (for "new since you last looked").
    pub first_seen: DateTime<Utc>,
    /// The effective severity.
    pub severity: Option<Severity>,
    /// The focus areas its effective tags put it in.
    pub focus: Vec<Focus>,
    /// A short place: the location's name, the local match, a `plats/` tag or an area.
    pub place: Option<String>,
    /// The source that first delivered it.
    pub source: String,
    /// Whether it touches the area of interest.
    pub local: bool,
    /// Whether it is a drill or test message.
    pub exercise: bool,
    /// Whether its alert was cancelled.
    pub cancelled: bool,
    /// When its alert expires.
    pub expires: Option<DateTime<Utc>>,
    /// Acknowledgement, status, briefing and annotation, folded from its decisions.
    pub state: ItemState,
}

impl Row {
    /// The row for a stored item, its decisions (oldest first) and its manual tag decisions.
    pub fn build(item: &Item, decisions: &[Decision], overrides: &[TagOverride]) -> Option<Row> {
        let (tags, _) = effective(&item.tagging, overrides);
        Some(Row {
            id: id_number(&item.id)?,
            title: item.title.clone(),
            url: item.url.clone(),
            published: item.published,
            first_seen: item.first_seen,
            severity: item.effective_severity(),
            focus: focus_of(&tags),
            place: place_of(item, &tags),
            source: item.source.clone(),
            local: item.local.is_some(),
            exercise: item.is_exercise(),
            cancelled: item.alert.as_ref().is_some_and(|a| a.msg_type.ends_alert()),
            expires: item.alert.as_ref().and_then(|a| a.expires),
            state: ItemState::fold(decisions),
        })
    }

    /// The alert's state at `now`, if the item is an alert.
    pub fn lifecycle(&self, now: DateTime<Utc>) -> Option<Lifecycle> {
        if self.cancelled {
            Some(Lifecycle::Cancelled)
        } else if self.expires.is_some_and(|e| e <= now) {
            Some(Lifecycle::Expired)
        } else {
            None
        }
    }

    /// Whether the row is greyed out: a cancelled or expired alert.
    pub fn faded(&self, now: DateTime<Utc>) -> bool {
        self.lifecycle(now).is_some()
    }

    /// Whether it arrived after `last_looked` (everything is new to someone who never looked).
    pub fn is_new(&self, last_looked: Option<DateTime<Utc>>) -> bool {
        last_looked.is_none_or(|t| self.first_seen > t)
    }
}

/// The focus areas among effective tags, in programme order.
pub fn focus_of(tags: &[EffectiveTag]) -> Vec<Focus> {
    Focus::ALL
        .into_iter()
        .filter(|f| tags.iter().any(|t| tag_under(&t.tag, f.tag())))
        .collect()
}

fn place_of(item: &Item, tags: &[EffectiveTag]) -> Option<String> {
    let plats = || {
        tags.iter()
            .find_map(|t| t.tag.strip_prefix("plats/"))
            .map(|p| p.rsplit('/').next().unwrap_or(p).to_string())
    };
    item.location
        .as_ref()
        .and_then(|l| l.name.clone())
        .filter(|n| !n.trim().is_empty())
        .or_else(plats)
        .or_else(|| item.local.as_ref().map(|l| l.place.clone()))
        .or_else(|| item.areas.first().cloned())
}

/// Everything the detail screen shows of one item.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    /// The stored item.
    pub item: Item,
    /// Its decisions, oldest first.
    pub decisions: Vec<Decision>,
    /// Its manual tag decisions, oldest first.
    pub overrides: Vec<TagOverride>,
    /// Its effective tags.
    pub tags: Vec<EffectiveTag>,
    /// Rule tags a person removed.
    pub removed: Vec<TagOverride>,
    /// The folded state.
    pub state: ItemState,
}

impl Detail {
    /// The detail of a stored item with its decisions and manual tag decisions.
    pub fn build(item: Item, decisions: Vec<Decision>, overrides: Vec<TagOverride>) -> Detail {
        let (tags, removed) = effective(&item.tagging, &overrides);
        let state = ItemState::fold(&decisions);
        Detail {
            item,
            decisions,
            overrides,
            tags,
            removed,
            state,
        }
    }
}

/// The values the filter menu and the tag prompt offer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choices {
    /// Every source some item came from.
    pub sources: Vec<String>,
    /// Every tag some item carries.
    pub tags: Vec<String>,
}

impl Choices {
    /// The `plats/` tags, for the place filter.
    pub fn places(&self) -> Vec<String> {
        self.tags
            .iter()
            .filter(|t| t.starts_with("plats/"))
            .cloned()
            .collect()
    }
}

/// What the briefing screen shows: the stored edition and its document resolved now.
#[derive(Debug, Clone, PartialEq)]
pub struct BriefData {
    /// The edition as stored.
    pub edition: crate::brief::edition::Edition,
    /// Its document (the frozen one when approved).
    pub doc: crate::brief::document::Briefing,
}
