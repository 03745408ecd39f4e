//! Opening a data dir written before summaries and search existed: `by_time` values empty, no
//! postings, no `index_version`. Written by hand with sled, as the older `lage` left it.

use super::*;
use crate::item::id_number;

fn old_store(dir: &Path, items: &[Item]) {
    let db = sled::open(dir.join("db")).expect("sled");
    let tree = |name: &str| db.open_tree(name).expect("tree");
    let (stored, by_time, by_source) = (tree("items"), tree("by_time"), tree("by_source"));
    for item in items {
        stored
            .insert(item.id.as_bytes(), serde_json::to_vec(item).expect("json"))
            .expect("item");
        by_time
            .insert(keys::by_time(item.published, &item.id), &[])
            .expect("by_time");
        by_source
            .insert(keys::by_source(&item.source, item.published, &item.id), &[])
            .expect("by_source");
    }
    // An index entry whose item an interrupted write never stored.
    by_time
        .insert(keys::by_time(at(59), "00000000deadbeef"), &[])
        .expect("dangling");
    tree("meta").insert("schema_version", "1").expect("meta");
    db.flush().expect("flush");
}

#[test]
fn an_old_data_dir_gets_summaries_and_a_search_index_on_open() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut items: Vec<Item> = [("1", "Brand i Farsta", 1), ("2", "Inbrott i Kista", 2)]
        .into_iter()
        .map(|(g, t, m)| normalise(raw(g, t, "", at(m)), "s", "rss", at(m)).item)
        .collect();
    items[1].tagging = tagging("fokus/brott");
    old_store(dir.path(), &items);

    let store = Store::open(dir.path()).expect("open");
    let values: Vec<Vec<u8>> = store
        .trees
        .by_time
        .iter()
        .map(|e| e.expect("entry").1.to_vec())
        .collect();
    assert_eq!(values.len(), 2, "the dangling entry is gone");
    assert!(values.iter().all(|v| !v.is_empty()));
    let summaries: Vec<ItemSummary> = store.summaries().collect::<Result<_, _>>().expect("read");
    assert_eq!(
        summaries,
        [ItemSummary::of(&items[1]), ItemSummary::of(&items[0])]
    );
    assert_eq!(summaries[0].tags, ["fokus/brott"]);
    let farsta = id_number(&items[0].id).expect("id");
    assert_eq!(store.search("farsta").expect("search").ids, [farsta]);
    let version = {
        // A tree handle keeps the database open: let go of it before reopening.
        let meta = store.db.open_tree("meta").expect("meta");
        meta.get("index_version").expect("read").expect("set")
    };
    assert_eq!(
        version.as_ref(),
        migrate::INDEX_VERSION.to_string().as_bytes()
    );
    drop(store);
    // Opening again finds the index current and leaves it as it is.
    let store = Store::open(dir.path()).expect("reopen");
    assert_eq!(store.search("farsta").expect("search").ids, [farsta]);
    assert_eq!(store.summaries().count(), 2);
}

#[test]
fn postings_of_an_older_index_version_are_rebuilt() {
    let dir = tempfile::tempdir().expect("temp dir");
    let item = normalise(raw("1", "Brand i Farsta", "", at(1)), "s", "rss", at(1)).item;
    {
        let store = Store::open(dir.path()).expect("open");
        store.import(std::slice::from_ref(&item)).expect("import");
        // Version 1 kept a posting per word and day: word, NUL, 4-byte day → 8-byte ids. Three
        // of them are 24 bytes, which would read as two entries of today's format.
        let mut old_key = keys::search_word("kista");
        old_key.extend_from_slice(&keys::day_prefix(at(1)));
        let ids: Vec<u8> = [1u64, 2, 3].iter().flat_map(|n| n.to_be_bytes()).collect();
        store
            .trees
            .search
            .insert(old_key, ids)
            .expect("old posting");
        let meta = store.db.open_tree("meta").expect("meta");
        meta.insert("index_version", "1").expect("old version");
        drop(meta);
        store.flush().expect("flush");
    }
    let store = Store::open(dir.path()).expect("reopen");
    let n = id_number(&item.id).expect("id");
    assert!(store.search("kista").expect("search").ids.is_empty());
    assert_eq!(store.search("farsta").expect("search").ids, [n]);
}
