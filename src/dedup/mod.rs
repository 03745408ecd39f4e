//! Deduplication decisions, as pure functions over items.
//!
//! The store looks candidates up (by source key, then by canonical URL) and asks this module what
//! to do; this module never touches storage. The same item fetched again updates in place and
//! bumps its revision only when its visible content changed. The same canonical URL from a second
//! source becomes a second sighting of the existing item, not a new item. Near-duplicate stories
//! across sources (different URLs) are left for a later clustering step (`Item::cluster`).
//!
//! An item's `tagging` travels with its content: a merge that keeps the stored content keeps the
//! stored tagging, one that takes the new version takes its tagging. Whether that still fits the
//! merged item is the store's check (`store/ingest.rs`), since only it holds the rules snapshot.

use chrono::{DateTime, Utc};

use crate::item::{Item, Sighting};

mod alert;

/// What ingesting one item did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new item was stored.
    New,
    /// An existing item changed (content or a new sighting).
    Updated,
    /// Seen before, nothing visible changed (only `last_seen` moves).
    Unchanged,
}

/// Merges an incoming item into the stored item it was recognised as.
///
/// The item's content belongs to the source that delivered it first (`Item::source`): when
/// that source's version changes, the content is replaced and the revision bumped. Another
/// source only keeps its sighting up to date; its edits never overwrite the owner's, so an
/// item seen by two sources does not flip between their versions on every poll.
pub fn merge(stored: &Item, incoming: Item, now: DateTime<Utc>) -> (Item, Outcome) {
    if incoming.source == stored.source {
        merge_owner(stored, incoming, now)
    } else {
        merge_sighting(stored, &incoming, now)
    }
}

fn merge_owner(stored: &Item, incoming: Item, now: DateTime<Utc>) -> (Item, Outcome) {
    if stored.alert.is_some() && incoming.alert.is_some() {
        return alert::merge(stored, incoming, now);
    }
    let mut merged = stored.clone();
    merged.last_seen = now;
    // Whether it touches the area of interest follows the current config, changed or not.
    merged.local.clone_from(&incoming.local);
    touch_sighting(&mut merged, &incoming, now);
    // A version the source itself dates before the stored one (a stale cache, a report
    // re-sent out of order) never replaces it.
    let older = matches!((stored.updated, incoming.updated), (Some(s), Some(i)) if i < s);
    if stored.content_hash == incoming.content_hash || older {
        return (merged, Outcome::Unchanged);
    }
    replace_content(&mut merged, stored, incoming);
    (merged, Outcome::Updated)
}

/// Takes the owner's new version as the whole truth: a field it dropped is gone.
pub(super) fn replace_content(merged: &mut Item, stored: &Item, incoming: Item) {
    let keep_first_seen_date = stored.date_is_first_seen() && incoming.date_is_first_seen();
    merged.title = incoming.title;
    merged.summary = incoming.summary;
    merged.body = incoming.body;
    merged.url = incoming.url.or(merged.url.take());
    merged.guid = incoming.guid.or(merged.guid.take());
    if !keep_first_seen_date {
        merged.published = incoming.published;
        merged.date_origin = incoming.date_origin;
    }
    merged.updated = incoming.updated;
    merged.authors = incoming.authors;
    merged.categories = incoming.categories;
    merged.location = incoming.location;
    merged.severity = incoming.severity;
    merged.extra = incoming.extra;
    merged.areas = incoming.areas;
    merged.geocodes = incoming.geocodes;
    merged.local = incoming.local;
    merged.alert = incoming.alert;
    merged.content_hash = incoming.content_hash;
    // The tagging describes the content it was computed on: the new version brings its own.
    // Where a merge then mixes versions (an alert update without text), the store sees the
    // merged item's rule input differ from both and tags it afresh.
    merged.tagging = incoming.tagging;
    merged.revision = stored.revision.saturating_add(1);
}

/// A source other than the owner served the item: a new sighting is an update; a known one
/// only moves its `last_seen` and remembers that source's version.
fn merge_sighting(stored: &Item, incoming: &Item, now: DateTime<Utc>) -> (Item, Outcome) {
    let mut merged = stored.clone();
    merged.last_seen = now;
    let known = merged.sightings.iter().any(|s| s.source == incoming.source);
    touch_sighting(&mut merged, incoming, now);
    let outcome = if known {
        Outcome::Unchanged
    } else {
        Outcome::Updated
    };
    (merged, outcome)
}

pub(super) fn touch_sighting(item: &mut Item, incoming: &Item, now: DateTime<Utc>) {
    match item
        .sightings
        .iter_mut()
        .find(|s| s.source == incoming.source)
    {
        Some(s) => {
            s.last_seen = now;
            if incoming.guid.is_some() {
                s.guid.clone_from(&incoming.guid);
            }
            if incoming.url.is_some() {
                s.url.clone_from(&incoming.url);
            }
            s.content_hash = Some(incoming.content_hash.clone());
        }
        None => item.sightings.push(Sighting {
            source: incoming.source.clone(),
            guid: incoming.guid.clone(),
            url: incoming.url.clone(),
            first_seen: now,
            last_seen: now,
            content_hash: Some(incoming.content_hash.clone()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::{RawItem, RawText};
    use crate::normalise::normalise;
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, h, 0, 0).unwrap()
    }

    fn item(source: &str, title: &str, h: u32) -> Item {
        normalise(
            RawItem {
                guid: Some("g".into()),
                link: Some("https://example.se/a".into()),
                title: Some(RawText::html(title)),
                published: Some(at(1)),
                ..RawItem::default()
            },
            source,
            "rss",
            at(h),
        )
        .item
    }

    #[test]
    fn unchanged_content_keeps_revision() {
        let stored = item("a", "Brand", 2);
        let (merged, outcome) = merge(&stored, item("a", "Brand", 3), at(3));
        assert_eq!(outcome, Outcome::Unchanged);
        assert_eq!(merged.revision, 1);
        assert_eq!(merged.last_seen, at(3));
        assert_eq!(merged.first_seen, at(2));
    }

    #[test]
    fn changed_content_updates_in_place() {
        let stored = item("a", "Brand", 2);
        let (merged, outcome) = merge(&stored, item("a", "Brand släckt", 3), at(3));
        assert_eq!(outcome, Outcome::Updated);
        assert_eq!(merged.revision, 2);
        assert_eq!(merged.id, stored.id);
        assert_eq!(merged.title, "Brand släckt");
    }

    #[test]
    fn a_version_dated_before_the_stored_one_is_ignored() {
        let mut newer = item("a", "Brand släckt", 2);
        newer.updated = Some(at(5));
        let mut older = item("a", "Brand", 3);
        older.updated = Some(at(4));
        let (merged, outcome) = merge(&newer, older, at(3));
        assert_eq!(outcome, Outcome::Unchanged);
        assert_eq!(merged.title, "Brand släckt");
    }

    #[test]
    fn fields_the_owner_drops_are_dropped() {
        let mut stored = item("a", "Brand", 2);
        stored.severity = Some(crate::item::Severity::High);
        stored.extra.insert("status".into(), "open".into());
        let (merged, outcome) = merge(&stored, item("a", "Brand släckt", 3), at(3));
        assert_eq!(outcome, Outcome::Updated);
        assert_eq!(merged.severity, None);
        assert!(merged.extra.is_empty());
    }

    fn tagged(mut item: Item, tag: &str) -> Item {
        item.tagging.tags = vec![tag.to_string()];
        item
    }

    #[test]
    fn a_new_version_brings_its_tagging_and_a_sighting_keeps_the_owners() {
        let stored = tagged(item("a", "Brand", 2), "fokus/olyckor");
        let (merged, outcome) = merge(
            &stored,
            tagged(item("a", "Inbrott", 3), "fokus/brott"),
            at(3),
        );
        assert_eq!(outcome, Outcome::Updated);
        assert_eq!(merged.tagging.tags, ["fokus/brott"]);

        let (unchanged, outcome) = merge(&merged, tagged(item("a", "Inbrott", 4), "x"), at(4));
        assert_eq!(outcome, Outcome::Unchanged);
        assert_eq!(unchanged.tagging.tags, ["fokus/brott"]);

        let (sighted, outcome) = merge(&merged, tagged(item("b", "Annat", 4), "y"), at(4));
        assert_eq!(outcome, Outcome::Updated);
        assert_eq!(sighted.tagging.tags, ["fokus/brott"]);
    }

    #[test]
    fn second_source_is_a_sighting() {
        let stored = item("a", "Brand", 2);
        let (merged, outcome) = merge(&stored, item("b", "Annan rubrik", 3), at(3));
        assert_eq!(outcome, Outcome::Updated);
        assert_eq!(merged.sightings.len(), 2);
        assert_eq!(merged.title, "Brand");
        let (again, outcome) = merge(&merged, item("b", "Annan rubrik", 4), at(4));
        assert_eq!(outcome, Outcome::Unchanged);
        assert_eq!(again.sightings.len(), 2);
    }

    #[test]
    fn a_second_sources_edits_never_flip_the_owners_content() {
        let stored = item("a", "Brand", 2);
        let (with_b, _) = merge(&stored, item("b", "Brand (B)", 3), at(3));
        let (b_edit, outcome) = merge(&with_b, item("b", "Brand (B, uppdaterad)", 4), at(4));
        assert_eq!(outcome, Outcome::Unchanged);
        assert_eq!(b_edit.title, "Brand");
        assert_eq!(b_edit.revision, 1);
        let (a_again, outcome) = merge(&b_edit, item("a", "Brand", 5), at(5));
        assert_eq!(outcome, Outcome::Unchanged);
        assert_eq!(a_again.revision, 1);
    }
}
