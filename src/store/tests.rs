//! The store's tagging records: old items without a tagging, the override log, and replacing
//! taggings in bulk; the dashboard's records in the submodules. Real sled in a temp dir.

mod bulk_import;
mod decisions;
mod full_text;
mod migration;
mod summaries;

use chrono::TimeZone;

use super::*;
use crate::item::{RawItem, RawText};
use crate::normalise::normalise;
use crate::tags::{OverrideAction, RuleMatch};

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 10, minute, 0)
        .single()
        .expect("valid test time")
}

/// A raw item with a guid, title, body and publication time.
fn raw(guid: &str, title: &str, body: &str, published: DateTime<Utc>) -> RawItem {
    RawItem {
        guid: Some(guid.into()),
        title: Some(RawText::plain(title)),
        body: Some(RawText::plain(body)),
        published: Some(published),
        ..RawItem::default()
    }
}

/// Ingests `raws` from `source` as one fetch at `now`, flushes, and returns the items' ids.
fn ingest(store: &Store, source: &str, raws: Vec<RawItem>, now: DateTime<Utc>) -> Vec<String> {
    let items: Vec<_> = raws
        .into_iter()
        .map(|r| normalise(r, source, "rss", now))
        .collect();
    let ids = items.iter().map(|n| n.item.id.clone()).collect();
    store
        .apply(&FetchBatch {
            source: source.into(),
            items,
            state: SourceState::default(),
            now,
            rules: None,
        })
        .expect("apply");
    store.flush().expect("flush");
    ids
}

/// Stores items titled `titles` from source `s` and returns their ids in that order.
fn store_items(store: &Store, titles: &[&str]) -> Vec<String> {
    let items: Vec<_> = titles
        .iter()
        .map(|t| {
            normalise(
                RawItem {
                    guid: Some((*t).into()),
                    title: Some(RawText::plain(*t)),
                    published: Some(at(1)),
                    ..RawItem::default()
                },
                "s",
                "rss",
                at(2),
            )
        })
        .collect();
    let ids = items.iter().map(|n| n.item.id.clone()).collect();
    store
        .apply(&FetchBatch {
            source: "s".into(),
            items,
            state: SourceState::default(),
            now: at(2),
            rules: None,
        })
        .expect("apply");
    store.flush().expect("flush");
    ids
}

fn tagging(tag: &str) -> Tagging {
    Tagging {
        tags: vec![tag.into()],
        matches: vec![RuleMatch {
            rule: "r".into(),
            tags: vec![tag.into()],
            score: 3,
            threshold: 3,
            evidence: Vec::new(),
        }],
        ..Tagging::default()
    }
}

fn decision(tag: &str, action: OverrideAction, minute: u32) -> TagOverride {
    TagOverride {
        tag: tag.into(),
        action,
        author: "anna".into(),
        at: at(minute),
        note: Some("kontrollerat".into()),
    }
}

#[test]
fn an_item_stored_before_tagging_existed_still_reads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    let ids = store_items(&store, &["Brand i Tensta"]);
    // Rewrite the record as an older lage wrote it: no `tagging` key at all.
    let mut old: serde_json::Value = serde_json::from_slice(
        &store
            .trees
            .items
            .get(&ids[0])
            .expect("get")
            .expect("stored"),
    )
    .expect("json");
    if let Some(fields) = old.as_object_mut() {
        fields.remove("tagging");
    }
    assert!(old.get("tagging").is_none());
    store
        .trees
        .items
        .insert(ids[0].as_bytes(), serde_json::to_vec(&old).expect("encode"))
        .expect("insert");
    let item = store.item(&ids[0]).expect("decodes").expect("present");
    assert_eq!(item.title, "Brand i Tensta");
    assert!(item.tagging.is_empty());
    assert!(store.tag_overrides(&ids[0]).expect("overrides").is_empty());
}

#[test]
fn overrides_are_kept_per_item_in_the_order_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    let ids = store_items(&store, &["Brand", "Inbrott"]);
    let first = [
        decision("fokus/brott", OverrideAction::Add, 5),
        // Written later but dated earlier: the log keeps the order written.
        decision("fokus/brott", OverrideAction::Remove, 3),
        decision("plats/farsta", OverrideAction::Add, 4),
    ];
    for o in &first {
        store.add_tag_override(&ids[0], o).expect("add");
    }
    store
        .add_tag_override(&ids[1], &decision("fokus/kris", OverrideAction::Add, 6))
        .expect("add");
    assert_eq!(store.tag_overrides(&ids[0]).expect("read"), first);
    let second = store.tag_overrides(&ids[1]).expect("read");
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].tag, "fokus/kris");
}

#[test]
fn an_override_for_an_unknown_item_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    let err = store
        .add_tag_override(
            "00000000deadbeef",
            &decision("fokus/brott", OverrideAction::Add, 1),
        )
        .expect_err("unknown id");
    assert!(matches!(&err, StoreError::UnknownItem(id) if id == "00000000deadbeef"));
    assert!(err.to_string().contains("'00000000deadbeef'"), "{err}");
    assert!(
        store
            .tag_overrides("00000000deadbeef")
            .expect("read")
            .is_empty()
    );
}

#[test]
fn put_taggings_replaces_only_the_tagging_and_skips_vanished_items() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    let ids = store_items(&store, &["Brand", "Inbrott"]);
    let before = store.item(&ids[0]).expect("read").expect("present");
    // More than one transaction's worth, most of them for ids no longer stored; the two
    // stored items fall in different transactions.
    let mut updates = vec![(ids[0].clone(), tagging("fokus/olyckor"))];
    updates.extend(
        (0..TAGGINGS_PER_TRANSACTION + 7).map(|i| (format!("gone{i:012}"), tagging("fokus/kris"))),
    );
    updates.push((ids[1].clone(), tagging("fokus/brott")));
    assert_eq!(store.put_taggings(&updates).expect("put"), 2);

    let after = store.item(&ids[0]).expect("read").expect("present");
    assert_eq!(after.tagging.tags, ["fokus/olyckor"]);
    assert_eq!(
        Item {
            tagging: Tagging::default(),
            ..after
        },
        before,
        "nothing else changes"
    );
    let other = store.item(&ids[1]).expect("read").expect("present");
    assert_eq!(other.tagging.tags, ["fokus/brott"]);
    assert!(store.item("gone000000000000").expect("read").is_none());
}
