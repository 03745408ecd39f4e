//! Real payloads captured from the authority services by third parties (see
//! `tests/fixtures/real/README.md`), served over loopback and ingested by the real binary:
//! every record becomes an item, times are UTC, coordinates are in the right order.

mod common;

use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::Value;

use common::{FixtureServer, json_output, lage_cmd, write_config};

const SL: &str = r#"[source.options]
items = ""
id = "/deviation_case_id"
title = ["/message_variants/0/header", "/message_variants/1/header"]
summary = ["/message_variants/0/details", "/message_variants/1/details"]
url = "/message_variants/0/weblink"
published = "/created"
expires = "/publish/upto"
location_name = "/scope/stop_areas/*/name"
"#;

const TRAFIKVERKET: &str = r#"[source.options]
items = "/RESPONSE/RESULT/*/Situation/*/Deviation/*"
id = "/Id"
title = ["/Header", "/Message"]
summary = "/Message"
published = ["/CreationTime", "/StartTime"]
expires = "/EndTime"
point = ["/Geometry/Point/WGS84", "/Geometry/WGS84"]
"#;

/// (source id, kind, file under tests/fixtures/real, options, records in the file)
const PAYLOADS: &[(&str, &str, &str, &str, usize)] = &[
    (
        "polisen",
        "polisen",
        "polisen/events-2023-03-25.json",
        "",
        500,
    ),
    ("vma", "sr-vma", "sr-vma/vma-single-alert.json", "", 1),
    (
        "ki-news",
        "krisinformation",
        "krisinformation/v3-news.json",
        "",
        2,
    ),
    (
        "ki-notices",
        "krisinformation",
        "krisinformation/v3-notices.json",
        "",
        2,
    ),
    (
        "smhi",
        "smhi-warnings",
        "smhi/ibww-water-shortage.json",
        "",
        1,
    ),
    ("cap-quake", "cap", "cap/earthquake.cap", "", 1),
    ("cap-minimal", "cap", "cap/no_optional_fields.cap", "", 1),
    (
        "cap-storm",
        "cap",
        "cap/validator-examples_thunderstorm.cap",
        "",
        1,
    ),
    ("cap-flood", "cap", "cap/weather.cap", "", 1),
    ("cap-index", "cap", "cap/weather_index.atom", "", 2),
    ("sl", "json", "sl-deviations/messages.json", SL, 1),
    (
        "trv",
        "json",
        "trafikverket/situation-roadaccident.json",
        TRAFIKVERKET,
        1,
    ),
];

#[test]
fn real_payloads_are_ingested_whole_with_utc_times_and_ordered_coordinates() {
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real");
    let docs = tempfile::tempdir().expect("temp dir");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config =
        String::from("[fetch]\ncontact = \"lage-tests@stockholm.example\"\ntimeout = \"10s\"\n");
    for (index, (id, kind, file, options, _)) in PAYLOADS.iter().enumerate() {
        // The fixture server serves flat names; keep the extension for the Content-Type.
        let name = format!("{index}-{}", file.replace('/', "-"));
        std::fs::copy(real.join(file), docs.path().join(&name)).expect("copy payload");
        config.push_str(&format!(
            "[[source]]\nid = \"{id}\"\nkind = \"{kind}\"\nurl = \"{{BASE}}/feed/{name}\"\n{options}\n"
        ));
    }
    let server = FixtureServer::start(docs.path());
    let config_path = write_config(dir.path(), &config.replace("{BASE}", &server.base));
    let data = dir.path().join("data");

    let poll = json_output(
        &lage_cmd(&config_path, &data)
            .args(["poll", "--once", "--json"])
            .output()
            .expect("run lage"),
        "poll",
    );
    let items = match json_output(
        &lage_cmd(&config_path, &data)
            .args(["items", "--json"])
            .output()
            .expect("run lage"),
        "items",
    ) {
        Value::Array(items) => items,
        other => panic!("expected an array, got {other}"),
    };

    for (id, _, file, _, records) in PAYLOADS {
        let report = poll["sources"]
            .as_array()
            .and_then(|s| s.iter().find(|r| r["id"] == *id))
            .unwrap_or_else(|| panic!("no report for {id}"));
        assert_eq!(report["status"], "ok", "{file}: {report}");
        assert!(
            report["warnings"].is_null(),
            "{file}: nothing skipped: {report}"
        );
        let stored = items
            .iter()
            .filter(|i| {
                i["sightings"]
                    .as_array()
                    .is_some_and(|s| s.iter().any(|s| s["source"] == *id))
            })
            .count();
        assert_eq!(stored, *records, "{file}: every record is an item");
    }
    for item in &items {
        let published = item["published"].as_str().unwrap_or_default();
        assert!(
            published.ends_with('Z'),
            "times are stored in UTC: {published}"
        );
        DateTime::parse_from_rfc3339(published).expect("RFC 3339");
        if let Some(lat) = item["location"]["lat"].as_f64() {
            let lon = item["location"]["lon"].as_f64().unwrap_or(f64::NAN);
            assert!(
                (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon),
                "{item}"
            );
        }
    }

    let by_guid = |guid: &str| {
        items
            .iter()
            .find(|i| i["guid"] == guid)
            .unwrap_or_else(|| panic!("no item {guid}"))
    };
    let time = |v: &Value| {
        DateTime::parse_from_rfc3339(v.as_str().unwrap_or_default())
            .expect("time")
            .with_timezone(&Utc)
    };
    // Polisen: "2023-03-25 22:44:44 +01:00", gps "59.329324,18.068581" (lat,lon).
    let event = by_guid("411270");
    assert_eq!(
        time(&event["published"]).to_rfc3339(),
        "2023-03-25T21:44:44+00:00"
    );
    assert_eq!(event["location"]["lat"], 59.329324);
    assert_eq!(event["location"]["lon"], 18.068581);
    assert!(
        event["url"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://polisen.se/aktuellt/"))
    );
    // Trafikverket: "POINT (13.0958767 55.9722252)" is (lon lat).
    let accident = by_guid("SE_STA_TRISSID_1_9879392");
    assert_eq!(accident["location"]["lat"], 55.9722252);
    assert_eq!(accident["location"]["lon"], 13.0958767);
    // SR VMA: the Swedish info block; a VMA is critical.
    let vma = by_guid("alert-001");
    assert_eq!(vma["title"], "Test VMA - Stockholms län");
    assert_eq!(vma["severity"], "critical");
    // SMHI: a MESSAGE without approximateEnd is low and open-ended.
    let smhi = items
        .iter()
        .find(|i| i["kind"] == "smhi-warnings")
        .expect("smhi item");
    assert_eq!(smhi["severity"], "low");
    assert!(smhi["alert"].get("expires").is_none());
}
