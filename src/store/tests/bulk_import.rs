//! Bulk import: counts, replacement, the indexes ingest relies on afterwards, and refusal of a
//! bad id.

use super::*;
use crate::item::id_number;

fn item(guid: &str, title: &str, minute: u32) -> Item {
    normalise(
        RawItem {
            link: Some(format!("https://example.se/nyheter/{guid}")),
            ..raw(guid, title, "", at(minute))
        },
        "s",
        "rss",
        at(minute),
    )
    .item
}

fn hits(store: &Store, query: &str) -> Vec<u64> {
    store.search(query).expect("search").ids
}

#[test]
fn an_import_counts_new_and_replaced_items_and_replaces_their_words() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    let first = [item("1", "Brand i Farsta", 1), item("2", "Inbrott", 2)];
    assert_eq!(
        store.import(&first).expect("import"),
        ImportReport {
            new: 2,
            replaced: 0
        }
    );
    let edited = Item {
        title: "Gasläcka i Farsta".into(),
        published: at(30),
        ..first[0].clone()
    };
    // The same id twice in one call: the later one wins.
    let again = [item("2", "Inbrott", 2), first[0].clone(), edited.clone()];
    assert_eq!(
        store.import(&again).expect("import"),
        ImportReport {
            new: 0,
            replaced: 3
        }
    );
    assert_eq!(store.item(&edited.id).expect("read"), Some(edited.clone()));
    let n = id_number(&edited.id).expect("id");
    assert_eq!(hits(&store, "brand"), Vec::<u64>::new());
    assert_eq!(hits(&store, "gasläcka"), [n]);
    assert_eq!(hits(&store, "farsta"), [n]);
    let summaries: Vec<ItemSummary> = store.summaries().collect::<Result<_, _>>().expect("read");
    assert_eq!(summaries.len(), 2, "one time entry per item");
    assert_eq!(summaries[0], ItemSummary::of(&edited));
    assert_eq!(store.items(&ItemQuery::default()).expect("items").len(), 2);
    assert_eq!(store.trees.search_pending.len(), 0);
}

#[test]
fn the_next_poll_recognises_imported_items() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    let imported = item("7", "Brand i Farsta", 1);
    store
        .import(std::slice::from_ref(&imported))
        .expect("import");
    // The same source serves it again: found by its key.
    let again = normalise(
        RawItem {
            link: imported.url.clone(),
            ..raw("7", "Brand i Farsta", "", at(1))
        },
        "s",
        "rss",
        at(5),
    );
    let report = store
        .apply(&FetchBatch {
            source: "s".into(),
            items: vec![again],
            state: SourceState::default(),
            now: at(5),
            rules: None,
        })
        .expect("apply");
    assert_eq!(report.new, 0, "{report:?}");
    // Another source links to the same page: one item, a second sighting.
    let other = normalise(
        RawItem {
            link: imported.url.clone(),
            ..raw("x-7", "Brand i Farsta", "", at(1))
        },
        "t",
        "rss",
        at(6),
    );
    let report = store
        .apply(&FetchBatch {
            source: "t".into(),
            items: vec![other],
            state: SourceState::default(),
            now: at(6),
            rules: None,
        })
        .expect("apply");
    assert_eq!(report.new, 0, "{report:?}");
    let stored = store.item(&imported.id).expect("read").expect("stored");
    assert_eq!(stored.sightings.len(), 2);
}

#[test]
fn an_item_with_a_bad_id_fails_the_import_before_anything_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    let good = item("1", "Brand", 1);
    let bad = Item {
        id: "not-an-id".into(),
        ..item("2", "Inbrott", 2)
    };
    let err = store.import(&[good.clone(), bad]).expect_err("bad id");
    assert!(
        matches!(&err, StoreError::InvalidId(id) if id == "not-an-id"),
        "{err}"
    );
    assert_eq!(store.item(&good.id).expect("read"), None);
}
