//! Authority sources end to end: the real `lage` binary polls loopback servers that play
//! Sveriges Radio's VMA API, Polisen, SMHI, Krisinformation, CAP publishers and JSON APIs, in
//! their real shapes and with the quirks seen in the wild, and the tests read back what was
//! stored. Each test writes the documents it serves, so it says exactly what it checks.

mod common;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde_json::Value;
use tempfile::TempDir;

use common::{FixtureServer, json_output, lage_cmd, write_config};

const FETCH: &str = r#"
[fetch]
contact = "lage-tests@stockholm.example"
timeout = "10s"
connect_timeout = "2s"
"#;

/// Stockholm as the area of interest: the municipality and two districts.
const AREA: &str = r#"
[area]
geocodes = ["0180"]
names = ["Stockholm", "Stockholms län"]

[[area.place]]
name = "Södermalm"
lat = 59.315
lon = 18.070
radius_km = 2.2

[[area.place]]
name = "Rinkeby-Kista"
lat = 59.400
lon = 17.930
radius_km = 3.0
"#;

/// One test's world: a server serving the documents the test writes, and a data dir.
struct World {
    server: FixtureServer,
    docs: TempDir,
    dir: TempDir,
}

impl World {
    fn new() -> World {
        let docs = tempfile::tempdir().expect("temp dir");
        World {
            server: FixtureServer::start(docs.path()),
            docs,
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Writes a document the server serves as `/feed/NAME` (and `/query/NAME`).
    fn serve(&self, name: &str, body: impl AsRef<[u8]>) {
        std::fs::write(self.docs.path().join(name), body).expect("write fixture");
    }

    fn url(&self, path: &str) -> String {
        self.server.url(path)
    }

    fn config_path(&self) -> PathBuf {
        self.dir.path().join("lage.toml")
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn configure(&self, sources: &str) {
        write_config(self.dir.path(), &format!("{FETCH}\n{AREA}\n{sources}"));
    }

    fn poll_with_env(&self, env: &[(&str, &str)]) -> Value {
        let mut cmd = lage_cmd(&self.config_path(), &self.data_dir());
        cmd.args(["poll", "--once", "--json"]);
        for (name, value) in env {
            cmd.env(name, value);
        }
        json_output(&cmd.output().expect("run lage poll"), "poll --once --json")
    }

    fn poll(&self) -> Value {
        self.poll_with_env(&[])
    }

    fn items(&self) -> Vec<Value> {
        let output = lage_cmd(&self.config_path(), &self.data_dir())
            .args(["items", "--json"])
            .output()
            .expect("run lage items");
        match json_output(&output, "items --json") {
            Value::Array(items) => items,
            other => panic!("expected an array, got {other}"),
        }
    }

    fn health(&self, id: &str) -> Value {
        let output = lage_cmd(&self.config_path(), &self.data_dir())
            .args(["sources", "--json"])
            .output()
            .expect("run lage sources");
        match json_output(&output, "sources --json") {
            Value::Array(sources) => sources
                .into_iter()
                .find(|s| s["id"] == id)
                .unwrap_or_else(|| panic!("no source {id}")),
            other => panic!("expected an array, got {other}"),
        }
    }

    /// Moves the source's last call back in time, as if `minutes` had passed (the store is
    /// the real one on disk; no lage process holds it between commands).
    fn let_time_pass(&self, id: &str, minutes: i64) {
        let store = lage::store::Store::open(&self.data_dir()).expect("open the store");
        let mut state = store.source_state(id).expect("source state");
        let back = chrono::Duration::minutes(minutes);
        state.last_attempt = state.last_attempt.map(|t| t - back);
        state.next_due = state.next_due.map(|t| t - back);
        store.put_source_state(id, &state).expect("write state");
        store.flush().expect("flush");
    }
}

fn source(id: &str, kind: &str, url: &str, extra: &str) -> String {
    format!("[[source]]\nid = \"{id}\"\nkind = \"{kind}\"\nurl = \"{url}\"\n{extra}\n")
}

fn report<'a>(poll: &'a Value, id: &str) -> &'a Value {
    poll["sources"]
        .as_array()
        .and_then(|s| s.iter().find(|r| r["id"] == id))
        .unwrap_or_else(|| panic!("no report for {id} in {poll}"))
}

fn assert_status(poll: &Value, id: &str, status: &str) {
    let r = report(poll, id);
    assert_eq!(r["status"], status, "source {id}: {r}");
}

fn time(value: &Value) -> DateTime<Utc> {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a time: {value}"));
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("not RFC 3339 '{text}': {e}"))
        .with_timezone(&Utc)
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("test time")
        .with_timezone(&Utc)
}

fn by_guid<'a>(items: &'a [Value], guid: &str) -> &'a Value {
    items
        .iter()
        .find(|i| i["guid"] == guid)
        .unwrap_or_else(|| panic!("no item with guid {guid} in {items:?}"))
}

fn history_types(item: &Value) -> Vec<String> {
    item["alert"]["history"]
        .as_array()
        .map(|h| {
            h.iter()
                .map(|e| e["msg_type"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

// ---------------------------------------------------------------------------------------------
// Sveriges Radio VMA: Alert → Update → Cancel (info: null), served newest first, the Cancel
// served again later, then a quiet `alerts: []`.

fn vma(
    identifier: &str,
    msg_type: &str,
    sent: &str,
    references: Option<&str>,
    info: &str,
) -> String {
    let references = references.map_or("null".to_string(), |r| format!("\"{r}\""));
    format!(
        r#"{{"identifier":"{identifier}","sender":"https://www.krisinformation.se/","sent":"{sent}","status":"Actual","msgType":"{msg_type}","scope":"Public","references":{references},"note":null,"incidents":"{identifier}","info":{info}}}"#
    )
}

/// A VMA's info block; it expires a day from now, so it is active whenever the test runs.
fn vma_info(headline: &str, description: &str) -> String {
    let expires = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    format!(
        r#"[{{"language":"sv-SE","category":["Safety"],"event":"Viktigt meddelande till allmänheten","urgency":"Immediate","severity":"Severe","certainty":"Observed","expires":"{expires}","senderName":"Räddningstjänsten Storstockholm","headline":"{headline}","description":"{description}","instruction":"Gå inomhus och stäng dörrar, fönster och ventilation.","web":"https://www.krisinformation.se/","parameters":[],"area":[{{"areaDesc":"Stockholms län, Stockholm","geocode":[{{"valueName":"Länskod","value":"01"}},{{"valueName":"Kommunkod","value":"0180"}}]}}]}}]"#
    )
}

fn vma_document(timestamp: &str, alerts: &[String]) -> String {
    format!(
        r#"{{"timestamp":"{timestamp}","alerts":[{}]}}"#,
        alerts.join(",")
    )
}

#[test]
fn a_vma_chain_is_one_living_item_and_nothing_clears_it() {
    let world = World::new();
    world.configure(&source("vma", "sr-vma", &world.url("feed/vma.json"), ""));
    let sender = "https://www.krisinformation.se/";
    let alert = vma(
        "SE-VMA-1",
        "Alert",
        "2026-11-25T08:02:00+01:00",
        None,
        &vma_info(
            "Brandrök i Hammarby sjöstad",
            "Kraftig rök från en brand i en industribyggnad.",
        ),
    );
    world.serve(
        "vma.json",
        vma_document("2026-11-25T08:03:00+01:00", std::slice::from_ref(&alert)),
    );
    let first = world.poll();
    assert_status(&first, "vma", "ok");
    let items = world.items();
    assert_eq!(items.len(), 1);
    let item = by_guid(&items, "SE-VMA-1");
    assert_eq!(item["severity"], "critical", "a VMA is critical");
    assert_eq!(item["lifecycle"], "active");
    assert_eq!(item["exercise"], false);
    assert_eq!(time(&item["published"]), utc("2026-11-25T07:02:00Z"));
    assert_eq!(item["local"]["how"], "geocode", "{item}");

    // The next response lists the chain newest first: Cancel (no info), Update, Alert.
    let update = vma(
        "SE-VMA-2",
        "Update",
        "2026-11-25T09:15:00+01:00",
        Some(&format!("{sender},SE-VMA-1,2026-11-25T08:02:00+01:00")),
        &vma_info(
            "Brandrök i Hammarby sjöstad: håll fönster stängda",
            "Branden är under kontroll men röken driver mot Södermalm.",
        ),
    );
    let cancel = vma(
        "SE-VMA-3",
        "Cancel",
        "2026-11-25T10:40:00+01:00",
        Some(&format!(
            "{sender},SE-VMA-1,2026-11-25T08:02:00+01:00 {sender},SE-VMA-2,2026-11-25T09:15:00+01:00"
        )),
        "null",
    );
    world.serve(
        "vma.json",
        vma_document(
            "2026-11-25T10:41:00+01:00",
            &[cancel.clone(), update, alert],
        ),
    );
    let second = world.poll();
    assert_status(&second, "vma", "ok");
    let items = world.items();
    assert_eq!(items.len(), 1, "one item per alert chain: {items:?}");
    let item = &items[0];
    assert_eq!(item["guid"], "SE-VMA-1");
    assert_eq!(
        item["title"],
        "Brandrök i Hammarby sjöstad: håll fönster stängda"
    );
    assert_eq!(item["lifecycle"], "cancelled");
    assert_eq!(history_types(item), ["alert", "update", "cancel"]);
    assert_eq!(time(&item["updated"]), utc("2026-11-25T09:40:00Z"));
    assert_eq!(
        item["severity"], "critical",
        "what was cancelled stays readable"
    );

    // Hours later the same Cancel is served again with a new timestamp: nothing changes.
    world.serve(
        "vma.json",
        vma_document("2026-11-25T14:00:00+01:00", &[cancel]),
    );
    let third = world.poll();
    assert_eq!(report(&third, "vma")["updated"], 0, "{third}");
    assert_eq!(report(&third, "vma")["new"], 0);
    let again = world.items();
    assert_eq!(again.len(), 1);
    assert_eq!(history_types(&again[0]), ["alert", "update", "cancel"]);
    assert_eq!(again[0]["revision"], item["revision"]);

    // A quiet period: `alerts: []` is fine and clears nothing.
    world.serve("vma.json", vma_document("2026-11-25T15:00:00+01:00", &[]));
    let quiet = world.poll();
    assert_status(&quiet, "vma", "ok");
    assert_eq!(world.items().len(), 1);
}

#[test]
fn an_exercise_vma_is_marked_and_an_update_before_its_alert_still_folds() {
    let world = World::new();
    world.configure(&source("vma", "sr-vma", &world.url("feed/vma.json"), ""));
    let sender = "https://www.krisinformation.se/";
    let mut drill = vma(
        "SE-OVN-1",
        "Alert",
        "2026-11-25T10:00:00+01:00",
        None,
        &vma_info("Övning: utrymning Kista", "Detta är en övning."),
    );
    drill = drill.replace("\"Actual\"", "\"Exercise\"");
    // lage started after the alert: it sees the update first, the alert later.
    let update = vma(
        "SE-VMA-12",
        "Update",
        "2026-11-25T11:00:00+01:00",
        Some(&format!("{sender},SE-VMA-11,2026-11-25T10:30:00+01:00")),
        &vma_info(
            "Gasläcka i Rinkeby: uppdatering",
            "Avspärrningen är utökad.",
        ),
    );
    world.serve(
        "vma.json",
        vma_document("2026-11-25T11:01:00+01:00", &[update, drill]),
    );
    world.poll();
    let alert = vma(
        "SE-VMA-11",
        "Alert",
        "2026-11-25T10:30:00+01:00",
        None,
        &vma_info("Gasläcka i Rinkeby", "Gasläcka vid Rinkeby torg."),
    );
    world.serve(
        "vma.json",
        vma_document("2026-11-25T11:30:00+01:00", &[alert]),
    );
    world.poll();
    let items = world.items();
    assert_eq!(items.len(), 2, "{items:?}");
    let drill = by_guid(&items, "SE-OVN-1");
    assert_eq!(drill["exercise"], true);
    assert_eq!(drill["alert"]["status"], "exercise");
    let chain = items
        .iter()
        .find(|i| i["exercise"] == false)
        .expect("the gas leak");
    assert_eq!(
        chain["title"], "Gasläcka i Rinkeby: uppdatering",
        "the later message stays on screen"
    );
    assert_eq!(history_types(chain), ["alert", "update"]);
}

// ---------------------------------------------------------------------------------------------
// SMHI: one item per warning area, an update of an area folds into it, a message without an
// end stays open, shapes decide what is local.

#[test]
fn smhi_warning_areas_are_items_and_their_updates_fold() {
    let world = World::new();
    world.configure(&source(
        "smhi",
        "smhi-warnings",
        &world.url("feed/smhi.json"),
        "",
    ));
    // The snow warning's end is moved to tomorrow, so "active" holds whenever the test runs.
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let ending = |fixture_text: Vec<u8>, end: &str| {
        String::from_utf8(fixture_text)
            .expect("UTF-8 fixture")
            .replace(
                &format!("\"approximateEnd\": \"2026-11-25T{end}"),
                &format!("\"approximateEnd\": \"{tomorrow}T{end}"),
            )
    };
    let original = ending(
        std::fs::read(fixture("authorities/smhi-warnings/warnings.json")).expect("fixture"),
        "15:00:00+01:00",
    );
    world.serve("smhi.json", original.as_bytes());
    assert_status(&world.poll(), "smhi", "ok");
    let items = world.items();
    assert_eq!(items.len(), 4, "one item per warning area: {items:?}");

    let snow = by_guid(&items, "20102");
    assert_eq!(snow["severity"], "high", "ORANGE is high");
    assert_eq!(snow["lifecycle"], "active");
    // Its polygon covers the city (the county code would say so too; the shape is more exact).
    assert_eq!(snow["local"]["how"], "shape", "{snow}");
    let wind = by_guid(&items, "20101");
    assert_eq!(wind["severity"], "medium", "YELLOW is medium");
    let water = by_guid(&items, "9873");
    assert_eq!(water["severity"], "low", "MESSAGE is low");
    assert!(
        water["alert"].get("expires").is_none(),
        "no approximateEnd: open-ended: {water}"
    );
    assert_eq!(water["lifecycle"], "active");
    assert!(
        by_guid(&items, "20104")["title"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );

    let updated = ending(
        std::fs::read(fixture("authorities/smhi-warnings/warnings-updated.json")).expect("fixture"),
        "18:00:00+01:00",
    );
    world.serve("smhi.json", updated.as_bytes());
    assert_status(&world.poll(), "smhi", "ok");
    let items = world.items();
    assert_eq!(
        items.len(),
        4,
        "the update is no new item, and nothing was removed"
    );
    let snow = by_guid(&items, "20102");
    assert_eq!(history_types(snow), ["alert", "update"]);
    assert_eq!(
        time(&snow["alert"]["expires"]),
        utc(&format!("{tomorrow}T17:00:00Z")),
        "the new end, in UTC"
    );
}

#[test]
fn a_smhi_polygon_decides_what_is_local() {
    let world = World::new();
    world.configure(&source(
        "smhi",
        "smhi-warnings",
        &world.url("feed/smhi.json"),
        "",
    ));
    // GeoJSON is [lon, lat]: the first square covers Södermalm, the second lies off Gotland;
    // the third area comes as a FeatureCollection with an empty geometry besides the polygon.
    let area = |id: u32, name: &str, geometry: &str| {
        format!(
            r#"{{"id":{id},"created":"2026-11-25T06:00:00Z","approximateStart":"2026-11-25T07:00:00Z","published":"2026-11-25T06:00:00Z","normalProbability":true,"pushNotice":false,"areaName":{{"sv":"{name}","en":"{name}"}},"warningLevel":{{"sv":"Gul","en":"Yellow","code":"YELLOW"}},"eventDescription":{{"sv":"Kraftig vind","en":"Strong wind","code":"WIND"}},"affectedAreas":[],"descriptions":[],"area":{geometry}}}"#
        )
    };
    let square = |lon: f64, lat: f64| {
        format!(
            "[[[{},{}],[{},{}],[{},{}],[{},{}],[{},{}]]]",
            lon - 0.05,
            lat - 0.03,
            lon + 0.05,
            lat - 0.03,
            lon + 0.05,
            lat + 0.03,
            lon - 0.05,
            lat + 0.03,
            lon - 0.05,
            lat - 0.03
        )
    };
    let city = area(
        1,
        "Innerstaden",
        &format!(
            r#"{{"type":"Feature","properties":{{}},"geometry":{{"type":"Polygon","coordinates":{}}}}}"#,
            square(18.07, 59.315)
        ),
    );
    let sea = area(
        2,
        "Gotlands hav",
        &format!(
            r#"{{"type":"Feature","properties":{{}},"geometry":{{"type":"Polygon","coordinates":{}}}}}"#,
            square(18.5, 57.5)
        ),
    );
    let collection = area(
        3,
        "Kista",
        &format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{}},"geometry":{{"type":"Polygon","coordinates":[]}}}},{{"type":"Feature","properties":{{}},"geometry":{{"type":"MultiPolygon","coordinates":[{}]}}}}]}}"#,
            square(17.94, 59.40)
        ),
    );
    world.serve(
        "smhi.json",
        format!(
            r#"[{{"id":7,"normalProbability":true,"event":{{"sv":"Vind","en":"Wind","code":"WIND","mhoClassification":{{"sv":"Meteorologi","en":"Meteorology","code":"MET"}}}},"warningAreas":[{city},{sea},{collection}]}}]"#
        ),
    );
    assert_status(&world.poll(), "smhi", "ok");
    let items = world.items();
    assert_eq!(items.len(), 3);
    let city = by_guid(&items, "1");
    assert_eq!(city["local"]["how"], "shape", "{city}");
    assert_eq!(city["local"]["place"], "Södermalm");
    assert!(
        by_guid(&items, "2").get("local").is_none(),
        "the sea off Gotland is not local"
    );
    assert_eq!(by_guid(&items, "3")["local"]["place"], "Rinkeby-Kista");
}

// ---------------------------------------------------------------------------------------------
// Krisinformation: "lon,lat" coordinates, revisions by Identifier + Updated, VMAs critical.

#[test]
fn krisinformation_coordinates_revisions_and_vmas() {
    let world = World::new();
    world.configure(&format!(
        "{}{}",
        source(
            "ki-news",
            "krisinformation",
            &world.url("feed/news.json"),
            ""
        ),
        source(
            "ki-vma",
            "krisinformation",
            &world.url("feed/vmas.json"),
            ""
        )
    ));
    world.serve(
        "news.json",
        std::fs::read(fixture("authorities/krisinformation/news.json")).expect("fixture"),
    );
    world.serve(
        "vmas.json",
        std::fs::read(fixture("authorities/krisinformation/vmas.json")).expect("fixture"),
    );
    let poll = world.poll();
    assert_status(&poll, "ki-news", "ok");
    assert_status(&poll, "ki-vma", "ok");
    let items = world.items();
    let water = by_guid(&items, "ki-2026-11-24-vatten-sodermalm");
    // Written "18.07,59.31 0" (lon,lat): stored as latitude 59.31, longitude 18.07.
    let (lat, lon) = (
        water["location"]["lat"].as_f64(),
        water["location"]["lon"].as_f64(),
    );
    assert!(lat.is_some_and(|v| (v - 59.31).abs() < 0.01), "{water}");
    assert!(lon.is_some_and(|v| (v - 18.07).abs() < 0.01), "{water}");
    assert_eq!(water["local"]["place"], "Södermalm", "{water}");
    assert_eq!(time(&water["published"]), utc("2026-11-24T09:15:00Z"));
    let vma = by_guid(&items, "vma-2026-11-25-vastberga");
    assert_eq!(vma["severity"], "critical");
    assert_eq!(vma["lifecycle"], "active");

    world.serve(
        "news.json",
        std::fs::read(fixture("authorities/krisinformation/news-revised.json")).expect("fixture"),
    );
    world.poll();
    let items = world.items();
    let water = by_guid(&items, "ki-2026-11-24-vatten-sodermalm");
    assert_eq!(
        water["title"],
        "Vattenläckan på Södermalm lagad – vattnet tillbaka"
    );
    assert_eq!(history_types(water), ["alert", "update"]);
    assert_eq!(
        items
            .iter()
            .filter(|i| i["guid"] == "ki-2026-11-24-vatten-sodermalm")
            .count(),
        1,
        "a revision is no new item"
    );
    assert!(
        items.iter().any(|i| i["guid"] == "ki-2026-11-24-snoovader"),
        "an item missing from the revised list is kept"
    );
}

// ---------------------------------------------------------------------------------------------
// Polisen: unpadded hours, relative links, "lat,lon", the published call limits, and bodies
// that must never delete anything (0 bytes, a truncated list).

const POLISEN_EVENTS: &str = r#"[
 {"id":512003,"datetime":"2026-11-25 9:05:12 +01:00","name":"25 november 08.50, Brand, Stockholm","summary":"Brand i trapphus på Götgatan, Södermalm.","url":"/aktuellt/handelser/2026/november/25/25-november-08.50-brand-stockholm/","type":"Brand","location":{"name":"Stockholm","gps":"59.3126,18.0736"}},
 {"id":512002,"datetime":"2026-11-25 7:41:00 +01:00","name":"25 november 07.30, Rån, Norrtälje","summary":"Rån mot butik i Norrtälje centrum.","url":"/aktuellt/handelser/2026/november/25/25-november-07.30-ran-norrtalje/","type":"Rån","location":{"name":"Norrtälje","gps":"59.758,18.705"}},
 {"id":512001,"datetime":"2026-11-25 02:10:44 +01:00","name":"25 november 01.55, Skottlossning, Stockholm","summary":"Skott hördes i Rinkeby.","url":"/aktuellt/handelser/2026/november/25/25-november-01.55-skottlossning-stockholm/","type":"Skottlossning","location":{"name":"Stockholm","gps":"59.3883,17.9286"}}
]"#;

#[test]
fn polisen_events_are_read_right_and_the_call_limits_hold() {
    let world = World::new();
    world.configure(&source(
        "polisen",
        "polisen",
        &world.url("feed/events.json"),
        "interval = \"5m\"",
    ));
    world.serve("events.json", POLISEN_EVENTS);
    assert_status(&world.poll(), "polisen", "ok");
    let items = world.items();
    assert_eq!(items.len(), 3);
    let fire = by_guid(&items, "512003");
    assert_eq!(
        time(&fire["published"]),
        utc("2026-11-25T08:05:12Z"),
        "unpadded hour, +01:00"
    );
    assert_eq!(
        fire["url"],
        "https://polisen.se/aktuellt/handelser/2026/november/25/25-november-08.50-brand-stockholm/",
        "relative links resolve against polisen.se, not the API host"
    );
    assert_eq!(fire["location"]["lat"], 59.3126);
    assert_eq!(fire["location"]["lon"], 18.0736);
    assert_eq!(fire["categories"][0], "Brand");
    // Polisen's point is the municipality's centre, whatever the event: it names the city, not
    // the district the centre happens to fall in.
    assert_eq!(fire["location"]["approximate"], true);
    assert_eq!(fire["local"]["how"], "name", "{fire}");
    assert_eq!(fire["local"]["place"], "Stockholm", "{fire}");
    assert_eq!(by_guid(&items, "512001")["severity"], "high", "a shooting");
    assert_eq!(by_guid(&items, "512001")["local"]["place"], "Stockholm");
    assert!(
        by_guid(&items, "512002").get("local").is_none(),
        "Norrtälje is not the city"
    );

    // At most one call a minute, whatever asks: the second poll does not reach the server.
    let again = world.poll();
    assert_status(&again, "polisen", "deferred");
    assert!(
        report(&again, "polisen")["error"]
            .as_str()
            .is_some_and(|e| e.contains("1m"))
    );
    assert_eq!(world.server.hits("/feed/events.json"), 1);

    // A 0-byte body is an error on the source's health, never "nothing happened".
    world.let_time_pass("polisen", 2);
    world.serve("events.json", "");
    let empty = world.poll();
    assert_status(&empty, "polisen", "error");
    assert!(
        report(&empty, "polisen")["error"]
            .as_str()
            .is_some_and(|e| e.contains("empty"))
    );
    assert_eq!(world.health("polisen")["last_status"], "error");
    assert_eq!(world.items().len(), 3, "nothing stored was lost");

    // A truncated list (one event left) keeps the others too.
    world.let_time_pass("polisen", 2);
    let first_only = POLISEN_EVENTS
        .split("},\n")
        .next()
        .unwrap_or_default()
        .to_string()
        + "}]";
    world.serve("events.json", first_only);
    assert_status(&world.poll(), "polisen", "ok");
    assert_eq!(world.items().len(), 3);
    let ua = world
        .server
        .last_request_headers("/feed/events.json")
        .and_then(|h| {
            h.get("user-agent")
                .map(|v| v.to_str().unwrap_or("").to_string())
        })
        .unwrap_or_default();
    assert!(
        ua.contains("lage/") && ua.contains("lage-tests@stockholm.example"),
        "{ua}"
    );
}

// ---------------------------------------------------------------------------------------------
// CAP: an index that links to alerts on its own site; Alert → Update → Cancel across files;
// ISO-8859-1; an external entity that must never be resolved; language choice.

fn copy_fixture(world: &World, from: &str, name: &str) {
    world.serve(name, std::fs::read(fixture(from)).expect("fixture"));
}

#[test]
fn a_cap_index_is_followed_on_its_own_site_and_the_chain_folds() {
    let world = World::new();
    world.configure(&source("cap", "cap", &world.url("feed/index.atom"), ""));
    copy_fixture(&world, "authorities/cap/storm.xml", "storm.xml");
    copy_fixture(&world, "authorities/cap/update.xml", "update.xml");
    copy_fixture(&world, "authorities/cap/cancel.xml", "cancel.xml");
    copy_fixture(&world, "authorities/cap/latin1.xml", "latin1.xml");
    copy_fixture(&world, "authorities/cap/xxe.xml", "xxe.xml");
    let index = |names: &[&str]| {
        let entries: String = names
            .iter()
            .map(|n| format!("<entry><id>urn:x:{n}</id><title>{n}</title><updated>2026-11-25T08:00:00Z</updated><link rel=\"related\" type=\"application/cap+xml\" href=\"{n}\"/></entry>"))
            .collect();
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><id>urn:x</id><title>CAP</title><updated>2026-11-25T08:00:00Z</updated>{entries}</feed>"
        )
    };
    world.serve(
        "index.atom",
        index(&[
            "storm.xml",
            "latin1.xml",
            "xxe.xml",
            "https://cap.example.net/elsewhere.xml",
        ]),
    );
    let first = world.poll();
    assert_status(&first, "cap", "ok");
    let warnings = report(&first, "cap")["warnings"].to_string();
    assert!(
        warnings.contains("not followed"),
        "the off-site link is reported: {warnings}"
    );
    assert!(
        warnings.contains("xxe.xml"),
        "the entity file is reported: {warnings}"
    );
    let items = world.items();
    let dump = serde_json::to_string(&items).unwrap_or_default();
    assert!(!dump.contains("root:"), "/etc/passwd must never be read");
    let storm = by_guid(&items, "SE-VARN-20261124-0042");
    assert_eq!(
        storm["title"], "Storm i Stockholms skärgård",
        "the Swedish info block: {storm}"
    );
    assert_eq!(
        storm["severity"], "high",
        "Severe × Expected × Likely by the table"
    );
    let latin1 = by_guid(&items, "SE-LATIN1-20261125-1");
    assert_eq!(
        latin1["title"],
        "Vattenläcka på Götgatan - kokningsrekommendation i Södermalm"
    );
    assert_eq!(latin1["severity"], "medium");
    assert_eq!(world.server.hits("/feed/storm.xml"), 1);

    // The index grows: the update and the cancel arrive; known links are not fetched again.
    world.serve(
        "index.atom",
        index(&["storm.xml", "latin1.xml", "update.xml", "cancel.xml"]),
    );
    assert_status(&world.poll(), "cap", "ok");
    assert_eq!(
        world.server.hits("/feed/storm.xml"),
        1,
        "a followed link is fetched once"
    );
    let items = world.items();
    assert_eq!(items.len(), 2, "the storm chain is one item: {items:?}");
    let storm = by_guid(&items, "SE-VARN-20261124-0042");
    assert_eq!(history_types(storm), ["alert", "update", "cancel"]);
    assert_eq!(storm["lifecycle"], "cancelled");
    assert_eq!(storm["title"], "Storm i Stockholms skärgård, förlängd");
}

#[test]
fn a_chain_an_index_lists_newest_first_folds_in_one_poll() {
    let world = World::new();
    world.configure(&source("cap", "cap", &world.url("feed/index.atom"), ""));
    copy_fixture(&world, "authorities/cap/storm.xml", "storm.xml");
    copy_fixture(&world, "authorities/cap/update.xml", "update.xml");
    copy_fixture(&world, "authorities/cap/cancel.xml", "cancel.xml");
    let entries: String = ["cancel.xml", "update.xml", "storm.xml"]
        .iter()
        .map(|n| format!("<entry><id>urn:x:{n}</id><title>{n}</title><updated>2026-11-25T08:00:00Z</updated><link href=\"{n}\"/></entry>"))
        .collect();
    world.serve(
        "index.atom",
        format!("<feed xmlns=\"http://www.w3.org/2005/Atom\"><id>urn:x</id><title>CAP</title><updated>2026-11-25T08:00:00Z</updated>{entries}</feed>"),
    );
    assert_status(&world.poll(), "cap", "ok");
    let items = world.items();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(history_types(&items[0]), ["alert", "update", "cancel"]);
    assert_eq!(items[0]["lifecycle"], "cancelled");
    assert_eq!(items[0]["title"], "Storm i Stockholms skärgård, förlängd");
}

#[test]
fn cap_language_follows_the_option() {
    let world = World::new();
    world.configure(&source(
        "cap",
        "cap",
        &world.url("feed/storm.xml"),
        "[source.options]\nlanguage = \"en\"",
    ));
    copy_fixture(&world, "authorities/cap/storm.xml", "storm.xml");
    assert_status(&world.poll(), "cap", "ok");
    assert_eq!(
        world.items()[0]["title"],
        "Storm in the Stockholm archipelago"
    );
}

// ---------------------------------------------------------------------------------------------
// The generic JSON mapping: SL deviations by GET, Trafikverket by POST with a key from the
// environment.

const SL_OPTIONS: &str = r#"[source.options]
items = ""
id = "/deviation_case_id"
title = ["/message_variants/0/header", "/message_variants/1/header"]
summary = ["/message_variants/0/details", "/message_variants/1/details"]
published = "/created"
updated = "/modified"
expires = "/publish/upto"
location_name = "/scope/stop_areas/*/name"
"#;

const TRAFIKVERKET: &str = r#"method = "POST"
body = '<REQUEST><LOGIN authenticationkey="${LAGE_TEST_TRV_KEY}"/><QUERY objecttype="Situation" schemaversion="1.5"/></REQUEST>'
headers = { "Content-Type" = "text/xml" }
[source.options]
items = "/RESPONSE/RESULT/*/Situation/*/Deviation/*"
id = "/Id"
title = ["/Header", "/Message"]
summary = "/Message"
published = ["/CreationTime", "/StartTime"]
expires = "/EndTime"
point = ["/Geometry/Point/WGS84", "/Geometry/WGS84"]
"#;

#[test]
fn json_apis_map_by_pointer_and_post_their_query_with_a_secret_from_the_environment() {
    let world = World::new();
    world.configure(&format!(
        "{}{}",
        source("sl", "json", &world.url("feed/sl.json"), SL_OPTIONS),
        source("trv", "json", &world.url("query/trv.json"), TRAFIKVERKET)
    ));
    world.serve(
        "sl.json",
        r#"[{"deviation_case_id":8801,"version":2,"created":"2026-11-25T06:10:00.000+01:00","modified":"2026-11-25T07:00:00.000+01:00","publish":{"from":"2026-11-25T06:10:00.000+01:00","upto":"2026-11-25T12:00:00.000+01:00"},"priority":{"importance_level":5,"influence_level":3,"urgency_level":2},"message_variants":[{"header":"Röda linjen: signalfel vid Slussen","details":"Räkna med förseningar.","language":"sv"}],"scope":{"stop_areas":[{"id":9192,"name":"Slussen"}],"lines":[]}}]"#,
    );
    world.serve(
        "trv.json",
        r#"{"RESPONSE":{"RESULT":[{"Situation":[{"Deviation":[{"Id":"SE_STA_TRISSID_1_123","Header":"Olycka på Söderleden","Message":"Två körfält avstängda norrut.","CreationTime":"2026-11-25T07:12:00.000+01:00","EndTime":"2026-11-25T09:30:00.000+01:00","Geometry":{"Point":{"WGS84":"POINT (18.0717 59.3127)"}}}]}]}]}}"#,
    );
    let poll = world.poll_with_env(&[("LAGE_TEST_TRV_KEY", "k-from-env")]);
    assert_status(&poll, "sl", "ok");
    assert_status(&poll, "trv", "ok");
    let body = world
        .server
        .last_body("/query/trv.json")
        .unwrap_or_default();
    let body = String::from_utf8_lossy(&body);
    assert!(body.contains(r#"authenticationkey="k-from-env""#), "{body}");
    let items = world.items();
    let sl = by_guid(&items, "8801");
    assert_eq!(sl["title"], "Röda linjen: signalfel vid Slussen");
    assert_eq!(time(&sl["alert"]["expires"]), utc("2026-11-25T11:00:00Z"));
    assert_eq!(
        sl["areas"][0], "Slussen",
        "stop areas are the item's places"
    );
    let trv = by_guid(&items, "SE_STA_TRISSID_1_123");
    assert_eq!(trv["location"]["lat"], 59.3127, "WKT is (lon lat)");
    assert_eq!(trv["location"]["lon"], 18.0717);
    assert_eq!(trv["local"]["place"], "Södermalm", "{trv}");

    // Without the variable the Trafikverket source fails alone, naming it; SL goes on.
    let poll = world.poll();
    assert_status(&poll, "sl", "not_modified");
    let error = report(&poll, "trv")["error"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(error.contains("LAGE_TEST_TRV_KEY"), "{error}");
}
