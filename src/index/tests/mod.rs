//! The index against summaries built by hand: every filter (`filters.rs`), upserts against a
//! plain model, decisions, manual tags and more than 64 tags (`changes.rs`), and the overview
//! with synthetic history (`overview.rs`).

mod changes;
mod filters;
mod overview;

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;
use crate::curation::{Action, Decision};
use crate::item::id_string;
use crate::store::ItemSummary;
use crate::tags::{OverrideAction, TagOverride};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap()
}

/// An item from one source, published `minutes` before [`now`], first seen then too.
fn item(n: u64, minutes: i64) -> ItemSummary {
    let published = now() - Duration::minutes(minutes);
    ItemSummary {
        id: id_string(n),
        published,
        first_seen: published,
        severity: None,
        sources: vec!["polisen".into()],
        tags: Vec::new(),
        local: false,
        exercise: false,
        cancelled: false,
        expires: None,
    }
}

fn tagged(n: u64, minutes: i64, tags: &[&str]) -> ItemSummary {
    ItemSummary {
        tags: tags.iter().map(|t| t.to_string()).collect(),
        ..item(n, minutes)
    }
}

fn index(items: Vec<ItemSummary>) -> ItemIndex {
    ItemIndex::from_summaries(items)
}

fn all(index: &ItemIndex) -> Vec<u64> {
    index.query(&Filter::default(), None, now())
}

fn query(index: &ItemIndex, filter: Filter) -> Vec<u64> {
    index.query(&filter, None, now())
}

fn decide(index: &mut ItemIndex, n: u64, action: Action, minute: i64) {
    let d = Decision {
        action,
        author: "anna".into(),
        at: now() + Duration::minutes(minute),
    };
    index.apply(&id_string(n), &d);
}

fn manual(index: &mut ItemIndex, n: u64, tag: &str, action: OverrideAction) {
    let o = TagOverride {
        tag: tag.into(),
        action,
        author: "anna".into(),
        at: now(),
        note: None,
    };
    index.apply_tag_override(&id_string(n), &o);
}
