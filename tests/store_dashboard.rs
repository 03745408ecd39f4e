//! The store as the dashboard and `lage import` use it, end to end: the real binary imports a
//! file with bad lines, an exported data dir imports into a new one unchanged and searchable,
//! and the next poll recognises what was imported. Real sled in temp dirs.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

use common::{lage_cmd, write_config};
use lage::health::SourceState;
use lage::item::{Item, RawItem, RawText, id_number};
use lage::normalise::{Normalised, normalise};
use lage::store::{FetchBatch, Store};

fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, hour, 0, 0)
        .single()
        .expect("valid test time")
}

fn normalised(guid: &str, title: &str, body: &str, hour: u32) -> Normalised {
    normalise(
        RawItem {
            guid: Some(guid.into()),
            link: Some(format!("https://nyheter.example.se/artikel/{guid}")),
            title: Some(RawText::plain(title)),
            body: Some(RawText::plain(body)),
            published: Some(at(hour)),
            ..RawItem::default()
        },
        "nyheter",
        "rss",
        at(hour),
    )
}

fn batch(items: Vec<Normalised>, hour: u32) -> FetchBatch {
    FetchBatch {
        source: "nyheter".into(),
        items,
        state: SourceState::default(),
        now: at(hour),
        rules: None,
    }
}

/// Runs `lage` with `args` (and `stdin`, if any) against an empty config and `data`.
fn lage(dir: &Path, data: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let config = write_config(dir, "");
    let mut cmd = lage_cmd(&config, data);
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start lage");
    if let Some(input) = stdin
        && let Some(mut pipe) = child.stdin.take()
    {
        pipe.write_all(input).expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("lage ran")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn listed(dir: &Path, data: &Path) -> Vec<Value> {
    let out = lage(dir, data, &["items", "--json"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    match serde_json::from_slice(&out.stdout).expect("JSON") {
        Value::Array(items) => items,
        other => panic!("not an array: {other}"),
    }
}

#[test]
fn import_reports_bad_lines_by_file_and_line_and_stores_the_rest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let fire = normalised(
        "1",
        "Brand i flerfamiljshus i Farsta",
        "Räddningstjänsten larmades.",
        9,
    )
    .item;
    let other = normalised("2", "Konsert i parken", "", 10).item;
    // The first line as `lage items --ndjson` prints it: the item plus listing fields.
    let mut first = serde_json::to_value(&fire).expect("json");
    first["exercise"] = Value::Bool(false);
    first["tags"] = serde_json::json!([{ "tag": "x/y", "manual": true, "rules": [] }]);
    let bad_id = Item {
        id: "XYZ".into(),
        ..other.clone()
    };
    let lines = [
        first.to_string(),
        "{ not json".to_string(),
        serde_json::to_string(&bad_id).expect("json"),
        String::new(),
        serde_json::to_string(&other).expect("json"),
    ];
    let file = dir.path().join("items.ndjson");
    std::fs::write(&file, lines.join("\n") + "\n").expect("write");
    let name = file.display().to_string();

    let out = lage(dir.path(), &data, &["import", "--ndjson", &name], None);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        text(&out.stdout),
        "imported 2 new, 0 replaced, 2 rejected\n"
    );
    assert!(
        stderr.contains(&format!("{name}:2: not an item as JSON")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{name}:3: invalid item id 'XYZ'")),
        "{stderr}"
    );
    assert!(
        !stderr.contains(":4:") && !stderr.contains(":5:"),
        "{stderr}"
    );

    let items = listed(dir.path(), &data);
    let ids: Vec<&str> = items.iter().filter_map(|i| i["id"].as_str()).collect();
    assert_eq!(ids, [other.id.as_str(), fire.id.as_str()]);
    // The untagged item was tagged by the bundled rules; listing fields were not imported.
    let tags: Vec<&str> = items[1]["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|t| t["tag"].as_str())
        .collect();
    assert!(tags.contains(&"fokus/olyckor"), "{tags:?}");
    assert!(!tags.contains(&"x/y"), "{tags:?}");

    // Importing again replaces.
    let out = lage(dir.path(), &data, &["import", "--ndjson", &name], None);
    assert_eq!(
        text(&out.stdout),
        "imported 0 new, 2 replaced, 2 rejected\n"
    );
}

#[test]
fn an_exported_data_dir_imports_unchanged_searchable_and_recognised_by_the_next_poll() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = dir.path().join("source");
    let target = dir.path().join("target");
    // Tagged as a poll tags them, with the rules `lage import` falls back on.
    let rules = lage::rules::bundled::rule_set().expect("bundled rules");
    let mut fetch = vec![
        normalised("1", "Brand i Farsta", "Rökutveckling från källaren.", 8),
        normalised("2", "Vattenläcka på Södermalm", "Gatan är avstängd.", 9),
        normalised("3", "Inbrott i förskola", "Polisen utreder.", 10),
    ];
    for n in &mut fetch {
        n.item.tagging = rules.tag(&n.item);
    }
    {
        let store = Store::open(&source).expect("open");
        store.apply(&batch(fetch.clone(), 11)).expect("apply");
        store.flush().expect("flush");
    }

    let export = lage(dir.path(), &source, &["items", "--ndjson"], None);
    assert!(export.status.success(), "{}", text(&export.stderr));
    let out = lage(
        dir.path(),
        &target,
        &["import", "--ndjson", "-"],
        Some(&export.stdout),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "imported 3 new, 0 replaced, 0 rejected\n"
    );
    assert_eq!(listed(dir.path(), &source), listed(dir.path(), &target));

    let store = Store::open(&target).expect("open the imported dir");
    let number = |n: &Normalised| id_number(&n.item.id).expect("id");
    assert_eq!(
        store.search("SÖDERMALM").expect("search").ids,
        [number(&fetch[1])]
    );
    assert_eq!(
        store.search("rök*").expect("search").ids,
        [number(&fetch[0])]
    );
    let summaries: Vec<_> = store
        .summaries()
        .collect::<Result<Vec<_>, _>>()
        .expect("summaries");
    assert_eq!(summaries.len(), 3);
    assert_eq!(summaries[0].id, fetch[2].item.id, "newest first");

    // The next poll of the same feed finds every item where the import put it.
    let report = store.apply(&batch(fetch, 12)).expect("apply");
    assert_eq!(report.new, 0, "{report:?}");
}
