//! Deduplication decisions, as pure functions over items.
//!
//! The store looks candidates up (by source key, then by canonical URL) and asks this module what
//! to do; this module never touches storage. The same item fetched again updates in place and
//! bumps its revision only when its visible content changed. The same canonical URL from a second
//! source becomes a second sighting of the existing item, not a new item. Near-duplicate stories
//! across sources (different URLs) are left for a later clustering step (`Item::cluster`).

use chrono::{DateTime, Utc};

use crate::item::{Item, Sighting};

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

/// Merges an incoming item into the stored item with the same source key.
///
/// Keeps the stored id, first-seen time and sightings of other sources; takes the incoming
/// content when it changed and bumps the revision.
pub fn merge_same_source(stored: &Item, incoming: Item, now: DateTime<Utc>) -> (Item, Outcome) {
    let mut merged = stored.clone();
    merged.last_seen = now;
    touch_sighting(&mut merged, &incoming, now);
    if stored.content_hash == incoming.content_hash {
        return (merged, Outcome::Unchanged);
    }
    let keep_first_seen_date = stored.date_is_first_seen() && incoming.date_is_first_seen();
    merged.title = incoming.title;
    merged.summary = incoming.summary;
    merged.body = incoming.body;
    merged.url = incoming.url.or(merged.url);
    merged.guid = incoming.guid.or(merged.guid);
    if !keep_first_seen_date {
        merged.published = incoming.published;
        merged.date_origin = incoming.date_origin;
    }
    merged.updated = incoming.updated.or(Some(now));
    merged.authors = incoming.authors;
    merged.categories = incoming.categories;
    merged.location = incoming.location.or(merged.location);
    merged.severity = incoming.severity.or(merged.severity);
    merged.extra.extend(incoming.extra);
    merged.content_hash = incoming.content_hash;
    merged.revision = stored.revision.saturating_add(1);
    (merged, Outcome::Updated)
}

/// Adds a sighting from another source to an item found by its canonical URL.
///
/// The content stays the first source's; a source seen again only moves its `last_seen`.
pub fn merge_other_source(stored: &Item, incoming: &Item, now: DateTime<Utc>) -> (Item, Outcome) {
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

fn touch_sighting(item: &mut Item, incoming: &Item, now: DateTime<Utc>) {
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
        }
        None => item.sightings.push(Sighting {
            source: incoming.source.clone(),
            guid: incoming.guid.clone(),
            url: incoming.url.clone(),
            first_seen: now,
            last_seen: now,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::RawItem;
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
                title: Some(title.into()),
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
        let (merged, outcome) = merge_same_source(&stored, item("a", "Brand", 3), at(3));
        assert_eq!(outcome, Outcome::Unchanged);
        assert_eq!(merged.revision, 1);
        assert_eq!(merged.last_seen, at(3));
        assert_eq!(merged.first_seen, at(2));
    }

    #[test]
    fn changed_content_updates_in_place() {
        let stored = item("a", "Brand", 2);
        let (merged, outcome) = merge_same_source(&stored, item("a", "Brand släckt", 3), at(3));
        assert_eq!(outcome, Outcome::Updated);
        assert_eq!(merged.revision, 2);
        assert_eq!(merged.id, stored.id);
        assert_eq!(merged.title, "Brand släckt");
    }

    #[test]
    fn second_source_is_a_sighting() {
        let stored = item("a", "Brand", 2);
        let (merged, outcome) = merge_other_source(&stored, &item("b", "Annan rubrik", 3), at(3));
        assert_eq!(outcome, Outcome::Updated);
        assert_eq!(merged.sightings.len(), 2);
        assert_eq!(merged.title, "Brand");
        let (again, outcome) = merge_other_source(&merged, &item("b", "Annan rubrik", 4), at(4));
        assert_eq!(outcome, Outcome::Unchanged);
        assert_eq!(again.sightings.len(), 2);
    }
}
