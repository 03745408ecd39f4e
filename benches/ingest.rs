//! Ingest throughput: parse → normalise → dedup → store, in items per second, on a generated
//! corpus shaped like `../shared/tools/gen_corpus.py` (RSS 2.0, 50 items, Swedish text, HTML
//! descriptions, utm parameters on links).
//!
//! The group `parse_kind` measures `Kind::parse` plus `normalise` per authority kind, in items
//! per second, each on one generated document in that kind's real shape (see the fixtures under
//! `tests/fixtures/authorities/`): Krisinformation news, SR VMA alerts, SMHI warnings, Polisen
//! events and SL deviations (generic `json`) with 500 items each, and an Atom index embedding 200
//! CAP 1.2 alerts (polygon, sv and en info blocks).
//!
//! `cargo bench --bench ingest` (`-- parse_kind` for the kinds only). The end-to-end comparison
//! with newsboat over loopback HTTP is `../shared/tools/vs-newsboat target/release/lage`.

use std::hint::black_box;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use lage::health::SourceState;
use lage::normalise::{Normalised, disambiguate, normalise};
use lage::source::{Document, Kind, rss::Rss};
use lage::store::{FetchBatch, Store};
use serde_json::{Value, json};

const ITEMS: usize = 50;

const WORDS: &[&str] = &[
    "brand",
    "trafikolycka",
    "stöld",
    "inbrott",
    "skadegörelse",
    "hot",
    "våld",
    "anställd",
    "skola",
    "förskola",
    "elavbrott",
    "vattenläcka",
    "storm",
    "snöoväder",
    "översvämning",
    "it-incident",
    "nätfiske",
    "intrång",
    "demonstration",
    "polis",
    "räddningstjänst",
    "hägersten",
    "liljeholmen",
    "södermalm",
    "kungsholmen",
    "spånga",
    "tensta",
    "rinkeby",
    "kista",
    "skarpnäck",
    "farsta",
    "bromma",
    "varning",
    "evakuering",
    "tunnelbana",
    "e4",
];

fn sentence(rng: &mut fastrand::Rng, n: usize) -> String {
    let words: Vec<&str> = (0..n).map(|_| WORDS[rng.usize(..WORDS.len())]).collect();
    words.join(" ")
}

/// One RSS 2.0 feed of `ITEMS` items.
fn feed(index: usize, rng: &mut fastrand::Rng) -> Vec<u8> {
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>Källa {index}</title><link>http://127.0.0.1/k{index}</link>\
         <description>Syntetisk källa</description>"
    );
    for i in 0..ITEMS {
        xml.push_str(&format!(
            "<item><title>{}</title><link>http://127.0.0.1/k{index}/a{i}?utm_source=rss</link>\
             <guid isPermaLink=\"false\">k{index}-a{i}</guid>\
             <pubDate>Mon, 23 Nov 2026 0{}:{:02}:00 +0000</pubDate>\
             <description>&lt;p&gt;{}&lt;/p&gt;</description></item>",
            sentence(rng, 7),
            i % 10,
            i % 60,
            sentence(rng, 30)
        ));
    }
    xml.push_str("</channel></rss>\n");
    xml.into_bytes()
}

fn document(bytes: Vec<u8>) -> Document {
    Document {
        name: "bench".into(),
        bytes,
        content_type: Some("application/rss+xml".into()),
        url: url::Url::parse("http://127.0.0.1/feed.xml").expect("static URL"),
        link_base: None,
        spool_file: None,
    }
}

fn batch(source: &str, doc: &Document) -> FetchBatch {
    let now = Utc::now();
    let parsed = Rss
        .parse(doc, &toml::Table::new())
        .expect("generated feed parses");
    let mut items: Vec<_> = parsed
        .items
        .into_iter()
        .map(|raw| normalise(raw, source, "rss", now))
        .collect();
    disambiguate(&mut items);
    FetchBatch {
        source: source.to_string(),
        items,
        state: SourceState::default(),
        now,
        rules: None,
    }
}

fn benches(c: &mut Criterion) {
    let mut rng = fastrand::Rng::with_seed(7);
    let docs: Vec<Document> = (0..20).map(|i| document(feed(i, &mut rng))).collect();

    let mut group = c.benchmark_group("ingest");
    group.throughput(Throughput::Elements(ITEMS as u64));

    group.bench_function("parse+normalise (items)", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % docs.len();
            black_box(batch("s", &docs[i]))
        })
    });

    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("store opens");
    let mut counter = 100;
    group.bench_function("parse+normalise+dedup+store+flush, new items", |b| {
        b.iter_batched(
            || {
                // A feed never seen before: new guids and new URLs.
                counter += 1;
                (counter, document(feed(counter, &mut rng)))
            },
            |(n, doc)| {
                let batch = batch(&format!("src{n}"), &doc);
                let report = store.apply(&batch).expect("apply");
                store.flush().expect("flush");
                assert_eq!(report.new, ITEMS);
            },
            BatchSize::SmallInput,
        )
    });

    let known = batch("known", &docs[0]);
    store.apply(&known).expect("apply");
    group.bench_function("parse+normalise+dedup+store+flush, unchanged items", |b| {
        b.iter(|| {
            let batch = batch("known", &docs[0]);
            let report = store.apply(&batch).expect("apply");
            store.flush().expect("flush");
            assert_eq!(report.new, 0);
        })
    });
    group.finish();
}

/// Items per generated document of the JSON kinds.
const KIND_ITEMS: usize = 500;
/// Alerts embedded in the generated CAP index.
const CAP_ALERTS: usize = 200;

/// Places in the generated documents: name, municipality code (SCB), county, latitude, longitude.
const PLACES: &[(&str, &str, &str, f64, f64)] = &[
    ("Stockholm", "0180", "Stockholms län", 59.3293, 18.0686),
    ("Solna", "0184", "Stockholms län", 59.3600, 18.0010),
    ("Nacka", "0182", "Stockholms län", 59.3105, 18.1640),
    ("Huddinge", "0126", "Stockholms län", 59.2371, 17.9819),
    ("Järfälla", "0123", "Stockholms län", 59.4233, 17.8349),
    ("Södertälje", "0181", "Stockholms län", 59.1955, 17.6253),
    ("Norrtälje", "0188", "Stockholms län", 59.7580, 18.7050),
    ("Värmdö", "0120", "Stockholms län", 59.3160, 18.4000),
    ("Sundbyberg", "0183", "Stockholms län", 59.3613, 17.9720),
    ("Täby", "0160", "Stockholms län", 59.4439, 18.0687),
    ("Botkyrka", "0127", "Stockholms län", 59.2000, 17.8300),
    ("Haninge", "0136", "Stockholms län", 59.1680, 18.1450),
    ("Uppsala", "0380", "Uppsala län", 59.8586, 17.6389),
    ("Göteborg", "1480", "Västra Götalands län", 57.7089, 11.9746),
    ("Malmö", "1280", "Skåne län", 55.6050, 13.0038),
];

/// Polisen event types as the API names them (commas included).
const POLICE_TYPES: &[&str] = &[
    "Trafikolycka",
    "Trafikolycka, personskada",
    "Brand",
    "Stöld",
    "Inbrott",
    "Misshandel",
    "Rattfylleri",
    "Trafikkontroll",
    "Skottlossning",
    "Mord/dråp, försök",
    "Rån",
    "Bedrägeri",
    "Uppdatering",
    "Sammanfattning natt",
    "Skadegörelse",
    "Försvunnen person",
];

/// A bilingual SMHI label: sv, en, code.
type Label = (&'static str, &'static str, &'static str);

/// SMHI events: sv, en, code, and the MHO classification.
const SMHI_EVENTS: &[(&str, &str, &str, Label)] = &[
    (
        "Vind",
        "Wind",
        "WIND",
        ("Meteorologi", "Meteorology", "MET"),
    ),
    ("Snö", "Snow", "SNOW", ("Meteorologi", "Meteorology", "MET")),
    (
        "Regn",
        "Rain",
        "RAIN",
        ("Meteorologi", "Meteorology", "MET"),
    ),
    (
        "Åska",
        "Thunderstorm",
        "THUNDER",
        ("Meteorologi", "Meteorology", "MET"),
    ),
    (
        "Högt vattenstånd",
        "High sea level",
        "HIGH_SEALEVEL",
        ("Oceanografi", "Oceanography", "OCE"),
    ),
    (
        "Risk för vattenbrist",
        "Risk for water shortage",
        "WATER_SHORTAGE",
        ("Hydrologi", "Hydrology", "HYD"),
    ),
];

/// SMHI warning levels: sv, en, code.
const SMHI_LEVELS: &[Label] = &[
    ("Gul varning", "Yellow warning", "YELLOW"),
    ("Orange varning", "Orange warning", "ORANGE"),
    ("Röd varning", "Red warning", "RED"),
    ("Meddelande", "Message", "MESSAGE"),
];

/// What the generated times count back from; `normalise` runs at this time.
const KIND_NOW: &str = "2026-11-25T12:00:00Z";

fn pick<'a, T>(rng: &mut fastrand::Rng, list: &'a [T]) -> &'a T {
    &list[rng.usize(..list.len())]
}

/// A sentence of `n` words, capitalised and ended with a full stop.
fn phrase(rng: &mut fastrand::Rng, n: usize) -> String {
    let words = sentence(rng, n);
    let mut chars = words.chars();
    let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
    format!("{}{}.", first.unwrap_or_default(), chars.as_str())
}

/// `i` steps of seven minutes before half past ten UTC on the bench day, in Swedish winter time.
fn kind_time(i: usize) -> DateTime<FixedOffset> {
    let cet = FixedOffset::east_opt(3600).expect("static offset");
    let base = DateTime::parse_from_rfc3339(KIND_NOW).expect("static time") - Duration::minutes(90);
    (base - Duration::minutes(7 * i as i64)).with_timezone(&cet)
}

fn rfc3339(t: DateTime<FixedOffset>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// A URL path segment from Swedish text: "Trafikolycka, personskada" → "trafikolycka-personskada".
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.to_lowercase().chars() {
        let c = match c {
            'å' | 'ä' => 'a',
            'ö' => 'o',
            c if c.is_ascii_alphanumeric() => c,
            _ => '-',
        };
        if c != '-' || !(out.is_empty() || out.ends_with('-')) {
            out.push(c);
        }
    }
    out.trim_end_matches('-').to_string()
}

/// A closed ring of five points around (lat, lon), as (lat, lon) pairs.
fn ring(rng: &mut fastrand::Rng, lat: f64, lon: f64) -> Vec<(f64, f64)> {
    let mut points: Vec<(f64, f64)> = [(0.1, -0.2), (0.15, 0.2), (-0.1, 0.25), (-0.15, -0.15)]
        .iter()
        .map(|(dlat, dlon)| {
            let jitter = rng.f64() * 0.05;
            (lat + dlat + jitter, lon + dlon - jitter)
        })
        .collect();
    points.push(points[0]);
    points
}

/// Krisinformation API v3 `/news`: a top-level array of PascalCase items.
fn krisinformation_doc(rng: &mut fastrand::Rng) -> Vec<u8> {
    let items: Vec<Value> = (0..KIND_ITEMS)
        .map(|i| {
            let &(place, _, county, lat, lon) = pick(rng, PLACES);
            let published = kind_time(i);
            let updated = if i.is_multiple_of(4) {
                published + Duration::minutes(25)
            } else {
                published
            };
            let headline = format!("{} i {place} – {}", phrase(rng, 3), sentence(rng, 4));
            let push_message = match i.is_multiple_of(3) {
                true => Value::from(format!("⚠️ {}", phrase(rng, 8))),
                false => Value::Null,
            };
            json!({
                "Identifier": format!("ki-{}-{}", published.format("%Y-%m-%d"), 48000 + i),
                "ContentId": 48000 + i,
                "ContentTypeName": "newspage",
                "PushMessage": push_message,
                "Updated": rfc3339(updated),
                "Published": rfc3339(published),
                "Headline": headline,
                "Preamble": phrase(rng, 18),
                "BodyText": format!(
                    "<p>{}&nbsp;{}</p><h2>Råd</h2><ul><li>{}</li><li>{}</li></ul><p>{}</p>",
                    phrase(rng, 25),
                    phrase(rng, 20),
                    phrase(rng, 6),
                    phrase(rng, 8),
                    phrase(rng, 30)
                ),
                "ImageLink": "",
                "Links": [{ "Text": "Mer information", "Url": format!("https://www.smhi.se/varningar/{i}") }],
                "Area": [
                    {
                        "Type": "County",
                        "Description": county,
                        "Coordinate": null,
                        "CoordinateObject": null,
                        "GeometryInformation": null
                    },
                    {
                        "Type": "PoI",
                        "Description": format!("{place}, {county}"),
                        "Coordinate": format!("{lon},{lat} 0"),
                        "CoordinateObject": { "Latitude": lat.to_string(), "Longitude": lon.to_string(), "Altitude": null },
                        "GeometryInformation": null
                    }
                ],
                "Web": format!("https://www.krisinformation.se/nyheter/2026/november/{}-{i}", slug(place)),
                "Language": "sv",
                "Event": "News",
                "SenderName": if i.is_multiple_of(5) { "" } else { "Krisinformation.se" },
                "Push": i.is_multiple_of(3),
                "BodyLinks": [],
                "SourceID": 3,
                "IsTest": false
            })
        })
        .collect();
    serde_json::to_vec_pretty(&items).expect("JSON serialises")
}

/// Sveriges Radio's VMA API v3: `{timestamp, alerts[]}`, CAP in camelCase JSON, sv and en info.
fn sr_vma_doc(rng: &mut fastrand::Rng) -> Vec<u8> {
    let sender = "https://vmaapi.sr.se/api/v3";
    let alerts: Vec<Value> = (0..KIND_ITEMS)
        .map(|i| {
            let &(place, kommun, county, lat, lon) = pick(rng, PLACES);
            let sent = kind_time(i);
            let id = format!("SRCAP{}{i:04}I", sent.format("%Y%m%d%H%M"));
            // Every fifth message updates the one before it.
            let (msg_type, references) = if i % 5 == 4 {
                let earlier = kind_time(i - 1);
                let earlier_id = format!("SRCAP{}{:04}I", earlier.format("%Y%m%d%H%M"), i - 1);
                (
                    "Update",
                    Value::from(format!("{sender},{earlier_id},{}", rfc3339(earlier))),
                )
            } else {
                ("Alert", Value::Null)
            };
            let info = |language: &str,
                        event: &str,
                        headline: String,
                        description: String,
                        instruction: Value,
                        area: String| {
                json!({
                    "language": language,
                    "category": ["Fire", "Safety"],
                    "event": event,
                    "urgency": "Immediate",
                    "severity": "Severe",
                    "certainty": "Observed",
                    "effective": rfc3339(sent),
                    "expires": rfc3339(sent + Duration::hours(6)),
                    "senderName": "Sveriges Radio",
                    "headline": headline,
                    "description": description,
                    "instruction": instruction,
                    "web": "https://sverigesradio.se/artikel/vma-vad-ar-det",
                    "parameters": [],
                    "area": [{
                        "areaDesc": area,
                        "geocode": [
                            { "valueName": "Län", "value": &kommun[..2] },
                            { "valueName": "Kommun", "value": kommun }
                        ],
                        "circle": [format!("{lat},{lon} {}", 1 + i % 5)]
                    }]
                })
            };
            let sv = info(
                "sv-SE",
                "Viktigt meddelande till allmänheten (VMA)",
                format!("Viktigt meddelande till allmänheten i {place}s kommun"),
                format!(
                    "Viktigt meddelande till allmänheten i {place}, {county}.\r\n\r\n{}\r\n\r\n\
                     För mer information lyssna på Sveriges Radio P4.",
                    phrase(rng, 30)
                ),
                Value::from(phrase(rng, 20)),
                format!("{place}s kommun ({county})"),
            );
            let en = info(
                "en-US",
                "Important public announcement (VMA)",
                format!("Important public announcement in {place} municipality"),
                "Smoke from a large fire. Go indoors and close doors, windows and ventilation."
                    .into(),
                Value::Null,
                format!("{place} municipality"),
            );
            json!({
                "identifier": id,
                "sender": sender,
                "sent": rfc3339(sent),
                "status": "Actual",
                "msgType": msg_type,
                "scope": "Public",
                "references": references,
                "note": null,
                "incidents": format!("SRVMA{}{i:04}I", sent.format("%Y%m%d")),
                "info": [sv, en]
            })
        })
        .collect();
    serde_json::to_vec_pretty(&json!({ "timestamp": rfc3339(kind_time(0)), "alerts": alerts }))
        .expect("JSON serialises")
}

/// SMHI's impact-based warnings: events with five warning areas each (one item per area),
/// GeoJSON polygons in [lon, lat].
fn smhi_doc(rng: &mut fastrand::Rng) -> Vec<u8> {
    const AREAS_PER_EVENT: usize = 5;
    let events: Vec<Value> = (0..KIND_ITEMS / AREAS_PER_EVENT)
        .map(|e| {
            let &(sv, en, code, (mho_sv, mho_en, mho_code)) = pick(rng, SMHI_EVENTS);
            let areas: Vec<Value> = (0..AREAS_PER_EVENT)
                .map(|a| {
                    let i = e * AREAS_PER_EVENT + a;
                    let &(place, _, county, lat, lon) = pick(rng, PLACES);
                    let &(level_sv, level_en, level_code) = pick(rng, SMHI_LEVELS);
                    let created = kind_time(i);
                    let published = if i.is_multiple_of(3) {
                        created + Duration::minutes(40)
                    } else {
                        created
                    };
                    let coordinates: Vec<[f64; 2]> = ring(rng, lat, lon)
                        .into_iter()
                        .map(|(lat, lon)| [lon, lat])
                        .collect();
                    let end = if code == "WATER_SHORTAGE" {
                        Value::Null
                    } else {
                        Value::from(rfc3339(created + Duration::hours(18)))
                    };
                    json!({
                        "id": 20000 + i,
                        "created": rfc3339(created),
                        "approximateStart": rfc3339(created + Duration::hours(3)),
                        "approximateEnd": end,
                        "published": rfc3339(published),
                        "normalProbability": true,
                        "pushNotice": level_code == "RED",
                        "areaName": { "sv": format!("{place} med omnejd"), "en": format!("{place} area") },
                        "warningLevel": { "sv": level_sv, "en": level_en, "code": level_code },
                        "eventDescription": { "sv": phrase(rng, 3), "en": "Severe weather", "code": code },
                        "affectedAreas": [
                            { "id": 1, "sv": county, "en": county },
                            { "id": 100 + i, "sv": place, "en": place }
                        ],
                        "descriptions": [
                            { "title": { "sv": "Händelsebeskrivning", "en": "Description of incident", "code": "INCIDENT" },
                              "text": { "sv": phrase(rng, 20), "en": "Weather with possible impact on society." } },
                            { "title": { "sv": "Vad händer", "en": "What happens", "code": "AFFECT" },
                              "text": { "sv": phrase(rng, 15), "en": "Traffic may be disrupted." } }
                        ],
                        "area": {
                            "type": "Feature",
                            "properties": {},
                            "geometry": { "type": "Polygon", "coordinates": [coordinates] }
                        }
                    })
                })
                .collect();
            json!({
                "id": 4000 + e,
                "normalProbability": true,
                "event": {
                    "sv": sv,
                    "en": en,
                    "code": code,
                    "mhoClassification": { "sv": mho_sv, "en": mho_en, "code": mho_code }
                },
                "warningAreas": areas
            })
        })
        .collect();
    serde_json::to_vec_pretty(&events).expect("JSON serialises")
}

/// The Police events API: an array of events, unpadded hours, relative links, "lat,lon" gps.
fn polisen_doc(rng: &mut fastrand::Rng) -> Vec<u8> {
    let events: Vec<Value> = (0..KIND_ITEMS)
        .map(|i| {
            let &(place, _, _, lat, lon) = pick(rng, PLACES);
            let kind = *pick(rng, POLICE_TYPES);
            let reported = kind_time(i);
            let happened = reported - Duration::minutes(17);
            let day = happened.format("%-d").to_string();
            let clock = happened.format("%H.%M").to_string();
            let name = format!("{day} november {clock}, {kind}, {place}");
            json!({
                "id": 612000 - i,
                "datetime": reported.format("%Y-%m-%d %-H:%M:%S %:z").to_string(),
                "name": name,
                "summary": phrase(rng, 16),
                "url": format!("/aktuellt/handelser/2026/november/{day}/{}/", slug(&name)),
                "type": kind,
                "location": { "name": place, "gps": format!("{lat:.6},{lon:.6}") }
            })
        })
        .collect();
    serde_json::to_vec_pretty(&events).expect("JSON serialises")
}

/// An Atom index embedding CAP 1.2 alerts, each with an en and a sv info block, a polygon,
/// a circle and SCB geocodes.
fn cap_doc(rng: &mut fastrand::Rng) -> Vec<u8> {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n\
         <id>urn:example:varningar:sverige</id>\n<title>Varningar (fiktiva)</title>\n\
         <updated>2026-11-25T11:30:00+01:00</updated>\n",
    );
    for i in 0..CAP_ALERTS {
        let &(place, kommun, county, lat, lon) = pick(rng, PLACES);
        let sent = rfc3339(kind_time(i));
        let expires = rfc3339(kind_time(i) + Duration::hours(12));
        let polygon: Vec<String> = ring(rng, lat, lon)
            .into_iter()
            .map(|(lat, lon)| format!("{lat:.4},{lon:.4}"))
            .collect();
        let polygon = polygon.join(" ");
        let event = phrase(rng, 2);
        let info = |language: &str,
                    sender: &str,
                    headline: &str,
                    description: &str,
                    instruction: &str,
                    area: &str| {
            format!(
                "<info><language>{language}</language><category>Met</category>\
                 <category>Safety</category><event>{event}</event><urgency>Expected</urgency>\
                 <severity>Severe</severity><certainty>Likely</certainty>\
                 <effective>{sent}</effective><onset>{sent}</onset><expires>{expires}</expires>\
                 <senderName>{sender}</senderName><headline>{headline}</headline>\
                 <description>{description}</description><instruction>{instruction}</instruction>\
                 <web>https://www.example.se/varningar/SE-{i:05}</web>\
                 <parameter><valueName>awareness_level</valueName>\
                 <value>3; orange; Severe</value></parameter>\
                 <area><areaDesc>{area}</areaDesc><polygon>{polygon}</polygon>\
                 <circle>{lat},{lon} 5</circle>\
                 <geocode><valueName>SCB Län</valueName><value>{}</value></geocode>\
                 <geocode><valueName>Kommun</valueName><value>{kommun}</value></geocode></area></info>",
                &kommun[..2]
            )
        };
        let en = info(
            "en-GB",
            "Regional weather service (fictional)",
            &format!("Severe weather in {place}"),
            "Strong winds and heavy precipitation, 25 m/s in gusts.",
            "Avoid unnecessary travel. Secure loose objects.",
            place,
        );
        let sv = info(
            "sv-SE",
            "Regional vädertjänst (fiktiv)",
            &format!("{event} i {place}"),
            &format!("{} Gäller {place} &amp; {county}.", phrase(rng, 25)),
            &phrase(rng, 10),
            &format!("{place}, {county}"),
        );
        xml.push_str(&format!(
            "<entry><id>urn:example:varningar:SE-{i:05}</id><title>{event} i {place}</title>\
             <updated>{sent}</updated><content type=\"application/cap+xml\">\
             <alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\
             <identifier>SE-VARN-{i:05}</identifier><sender>varningar@example.se</sender>\
             <sent>{sent}</sent><status>Actual</status><msgType>Alert</msgType>\
             <scope>Public</scope>{en}{sv}</alert></content></entry>\n"
        ));
    }
    xml.push_str("</feed>\n");
    xml.into_bytes()
}

/// SL deviations (`/v1/messages`): a top-level array, mapped by the `json` kind's pointers.
fn sl_deviations_doc(rng: &mut fastrand::Rng) -> Vec<u8> {
    const LINES: &[(u32, &str, &str, &str)] = &[
        (13, "METRO", "Röda linjen", "Tunnelbanans röda linje"),
        (17, "METRO", "Gröna linjen", "Tunnelbanans gröna linje"),
        (10, "METRO", "Blå linjen", "Tunnelbanans blå linje"),
        (25, "TRAIN", "Saltsjöbanan", "Saltsjöbanan"),
        (30, "TRAM", "Tvärbanan", "Tvärbanan"),
        (4, "BUS", "Blåbuss 4", "Blåbussar"),
    ];
    let records: Vec<Value> = (0..KIND_ITEMS)
        .map(|i| {
            let id = 71_823_000 + i;
            let created = kind_time(i);
            let &(line, mode, line_name, group) = pick(rng, LINES);
            // Some records have only the second variant's header.
            let header = match i.is_multiple_of(7) {
                true => Value::Null,
                false => Value::from(format!("{line_name}: {}", phrase(rng, 8))),
            };
            let stops: Vec<Value> = (0..1 + i % 3)
                .map(|s| {
                    let &(place, _, _, _, _) = pick(rng, PLACES);
                    json!({
                        "id": 9000 + s,
                        "transport_authority": 1,
                        "name": format!("{place} centrum"),
                        "type": "BUSTERM"
                    })
                })
                .collect();
            json!({
                "version": 1 + i % 3,
                "created": created.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string(),
                "modified": (created + Duration::minutes(30)).format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string(),
                "deviation_case_id": id,
                "publish": {
                    "from": rfc3339(created),
                    "upto": rfc3339(created + Duration::hours(8))
                },
                "priority": { "importance_level": 1 + i % 9, "influence_level": 1 + i % 7, "urgency_level": 1 + i % 5 },
                "message_variants": [
                    {
                        "header": header,
                        "details": phrase(rng, 28),
                        "scope_alias": format!("{group} {line}"),
                        "weblink": format!("/trafikinformation/storningar/{id}"),
                        "language": "sv"
                    },
                    {
                        "header": format!("{line_name}: disruption"),
                        "details": "Trains and buses may be delayed. Allow extra travel time.",
                        "scope_alias": format!("{group} {line}"),
                        "weblink": "/en/traffic-status",
                        "language": "en"
                    }
                ],
                "scope": {
                    "stop_areas": stops,
                    "lines": [{
                        "id": line,
                        "transport_authority": 1,
                        "designation": line.to_string(),
                        "transport_mode": mode,
                        "name": line_name,
                        "group_of_lines": group
                    }]
                }
            })
        })
        .collect();
    serde_json::to_vec_pretty(&records).expect("JSON serialises")
}

/// The `json` options of an SL deviations source.
const SL_OPTIONS: &str = r#"
items = ""
id = "/deviation_case_id"
title = ["/message_variants/0/header", "/message_variants/1/header"]
summary = ["/message_variants/0/details", "/message_variants/1/details"]
url = "/message_variants/0/weblink"
published = "/created"
updated = "/modified"
expires = "/publish/upto"
location_name = "/scope/stop_areas/*/name"
"#;

/// One kind's generated document, its options, and how many items it must parse to.
struct KindCase {
    kind: &'static dyn Kind,
    doc: Document,
    options: toml::Table,
    items: usize,
}

impl KindCase {
    fn new(
        name: &str,
        url: &str,
        content_type: &str,
        bytes: Vec<u8>,
        options: toml::Table,
        items: usize,
    ) -> KindCase {
        let kind = lage::source::kind(name).unwrap_or_else(|| panic!("no kind '{name}'"));
        let url = url::Url::parse(url).expect("static URL");
        let doc = Document {
            name: format!("bench-{name}"),
            bytes,
            content_type: Some(content_type.into()),
            link_base: Some(url.clone()),
            url,
            spool_file: None,
        };
        let case = KindCase {
            kind,
            doc,
            options,
            items,
        };
        case.check();
        case
    }

    /// Panics unless the document parses to exactly `items` items with nothing rejected, so
    /// the benchmark measures the real work.
    fn check(&self) {
        let name = self.kind.name();
        if let Err(e) = self.kind.check_options(&self.options) {
            panic!(
                "bench options for kind '{name}': '{}': {}",
                e.key, e.message
            );
        }
        let parsed = self
            .kind
            .parse(&self.doc, &self.options)
            .unwrap_or_else(|e| panic!("generated '{name}' document does not parse: {e}"));
        if parsed.items.len() != self.items
            || !parsed.rejected.is_empty()
            || !parsed.follow.is_empty()
        {
            panic!(
                "generated '{name}' document ({} bytes): expected {} items and none rejected, \
                 got {} items, {} rejected (first: {:?}), {} links to follow",
                self.doc.bytes.len(),
                self.items,
                parsed.items.len(),
                parsed.rejected.len(),
                parsed.rejected.first(),
                parsed.follow.len()
            );
        }
    }

    fn parse_normalise(&self, now: DateTime<Utc>) -> Vec<Normalised> {
        let parsed = self
            .kind
            .parse(&self.doc, &self.options)
            .expect("generated document parses");
        parsed
            .items
            .into_iter()
            .map(|raw| normalise(raw, "bench", self.kind.name(), now))
            .collect()
    }
}

fn parse_kinds(c: &mut Criterion) {
    let mut rng = fastrand::Rng::with_seed(11);
    let now: DateTime<Utc> = KIND_NOW.parse().expect("static time");
    let json = "application/json; charset=utf-8";
    let none = toml::Table::new;
    let cases = [
        KindCase::new(
            "krisinformation",
            "https://api.krisinformation.se/v3/news",
            json,
            krisinformation_doc(&mut rng),
            none(),
            KIND_ITEMS,
        ),
        KindCase::new(
            "sr-vma",
            "https://vmaapi.sr.se/api/v3/alerts",
            json,
            sr_vma_doc(&mut rng),
            none(),
            KIND_ITEMS,
        ),
        KindCase::new(
            "smhi-warnings",
            "https://opendata-download-warnings.smhi.se/ibww/api/version/1/warning.json",
            json,
            smhi_doc(&mut rng),
            none(),
            KIND_ITEMS,
        ),
        KindCase::new(
            "polisen",
            "https://polisen.se/api/events",
            json,
            polisen_doc(&mut rng),
            none(),
            KIND_ITEMS,
        ),
        KindCase::new(
            "cap",
            "https://www.example.se/varningar/cap.atom",
            "application/atom+xml; charset=utf-8",
            cap_doc(&mut rng),
            none(),
            CAP_ALERTS,
        ),
        KindCase::new(
            "json",
            "https://transport.integration.sl.se/v1/messages",
            json,
            sl_deviations_doc(&mut rng),
            toml::from_str(SL_OPTIONS).expect("static SL options"),
            KIND_ITEMS,
        ),
    ];

    let mut group = c.benchmark_group("parse_kind");
    for case in &cases {
        group.throughput(Throughput::Elements(case.items as u64));
        group.bench_function(case.kind.name(), |b| {
            b.iter(|| black_box(case.parse_normalise(now)))
        });
    }
    group.finish();
}

criterion_group!(ingest, benches, parse_kinds);
criterion_main!(ingest);
