//! Full-text search: folding, AND, prefixes, newest day first, postings that follow edits, and
//! the repair of an update a crash interrupted.

use chrono::Duration;

use super::*;
use crate::item::id_number;
use crate::store::terms::pending_value;

fn day(n: i64) -> DateTime<Utc> {
    at(0) + Duration::days(n)
}

fn numbers(ids: &[&String]) -> Vec<u64> {
    ids.iter()
        .map(|id| id_number(id).expect("item id"))
        .collect()
}

fn hits(store: &Store, query: &str) -> Vec<u64> {
    store.search(query).expect("search").ids
}

#[test]
fn every_word_must_match_folded_and_a_star_matches_a_prefix() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    let ids = ingest(
        &store,
        "s",
        vec![
            raw("1", "Brand i Tensta", "Räddningstjänsten släckte.", day(3)),
            raw("2", "Bränd bil i Kista", "", day(2)),
            raw("3", "Brandlarm på skola", "Falsklarm i Tensta.", day(1)),
            raw("4", "Inbrott", "Hägersten-Liljeholmen", day(0)),
        ],
        day(4),
    );
    assert_eq!(hits(&store, "Brand"), numbers(&[&ids[0]]));
    assert_eq!(hits(&store, "BRAND"), numbers(&[&ids[0]]));
    assert_eq!(hits(&store, "BRÄND"), numbers(&[&ids[1]]));
    assert_eq!(
        hits(&store, "brand*"),
        numbers(&[&ids[0], &ids[2]]),
        "newest day first"
    );
    assert_eq!(hits(&store, "tensta brand*"), numbers(&[&ids[0], &ids[2]]));
    assert_eq!(hits(&store, "tensta brand"), numbers(&[&ids[0]]));
    assert_eq!(hits(&store, "tensta kista"), Vec::<u64>::new());
    assert_eq!(hits(&store, "räddningstj*"), numbers(&[&ids[0]]));
    assert_eq!(hits(&store, "liljeholmen"), numbers(&[&ids[3]]));
    assert_eq!(hits(&store, "Hägersten-Liljeholmen"), numbers(&[&ids[3]]));
    assert_eq!(hits(&store, "nothing"), Vec::<u64>::new());
    assert_eq!(hits(&store, ""), Vec::<u64>::new());
    assert_eq!(
        hits(&store, "  i  "),
        Vec::<u64>::new(),
        "too short to index"
    );
}

#[test]
fn categories_and_areas_are_searched_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    let mut item = normalise(raw("1", "Varning", "", day(1)), "s", "rss", day(1)).item;
    item.categories = vec!["Trafik".into()];
    item.areas = vec!["Stockholms län".into()];
    store.import(std::slice::from_ref(&item)).expect("import");
    let id = numbers(&[&item.id]);
    assert_eq!(hits(&store, "trafik"), id);
    assert_eq!(hits(&store, "stockholms län"), id);
}

#[test]
fn an_item_whose_text_changes_no_longer_matches_its_old_words() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    let ids = ingest(
        &store,
        "s",
        vec![raw("g", "Brand i Farsta", "Rök", day(1))],
        day(1),
    );
    ingest(
        &store,
        "s",
        vec![raw("g", "Vattenläcka i Farsta", "Översvämning", day(1))],
        day(1) + Duration::hours(1),
    );
    assert_eq!(hits(&store, "brand"), Vec::<u64>::new());
    assert_eq!(hits(&store, "rök"), Vec::<u64>::new());
    assert_eq!(hits(&store, "vattenläcka"), numbers(&[&ids[0]]));
    assert_eq!(hits(&store, "farsta"), numbers(&[&ids[0]]));
    assert_eq!(store.trees.search_pending.len(), 0, "nothing left pending");
}

#[test]
fn an_item_whose_day_changes_is_found_once_under_its_new_day() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    let ids = ingest(
        &store,
        "s",
        vec![
            raw("g", "Storm över Stockholm", "", day(1)),
            raw("h", "Storm i norr", "", day(2)),
        ],
        day(3),
    );
    // The first item is republished (a new version) on a later day than the second.
    ingest(
        &store,
        "s",
        vec![raw("g", "Storm över Stockholm", "Uppdaterad", day(5))],
        day(5),
    );
    assert_eq!(hits(&store, "storm"), numbers(&[&ids[0], &ids[1]]));
    assert_eq!(hits(&store, "storm stockholm"), numbers(&[&ids[0]]));
}

#[test]
fn an_update_a_crash_interrupted_is_finished_on_open() {
    let dir = tempfile::tempdir().expect("temp dir");
    let id = {
        let store = Store::open(dir.path()).expect("open");
        let ids = ingest(
            &store,
            "s",
            vec![raw("g", "Brand i Farsta", "", day(1))],
            day(1),
        );
        let before = store.item(&ids[0]).expect("read").expect("stored");
        // What an ingest transaction leaves when the process dies right after it: the new
        // version and its pending entry, but postings still of the old version.
        let after = Item {
            title: "Gasläcka i Farsta".into(),
            published: day(2),
            ..before.clone()
        };
        store
            .trees
            .items
            .insert(
                after.id.as_bytes(),
                serde_json::to_vec(&after).expect("json"),
            )
            .expect("write item");
        store
            .trees
            .search_pending
            .insert(after.id.as_bytes(), pending_value(None, Some(&before)))
            .expect("write pending");
        store.flush().expect("flush");
        assert_eq!(
            hits(&store, "brand"),
            numbers(&[&ids[0]]),
            "not yet repaired"
        );
        ids[0].clone()
    };
    let store = Store::open(dir.path()).expect("reopen");
    assert_eq!(hits(&store, "brand"), Vec::<u64>::new());
    assert_eq!(hits(&store, "gasläcka"), numbers(&[&id]));
    assert_eq!(
        hits(&store, "farsta"),
        numbers(&[&id]),
        "once, under its new day"
    );
    assert_eq!(store.trees.search_pending.len(), 0);
}
