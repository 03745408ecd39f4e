//! The `krisinformation` kind: Krisinformation.se's API v3 as JSON (`/v3/news`, `/v3/vmas`).
//!
//! A document is a top-level array of items with PascalCase keys (`Identifier`, `Published`,
//! `Updated`, `Headline`, `Preamble`, `BodyText`, `Area`, ...). Every item becomes one alert
//! message stored under its `Identifier`: Krisinformation revises items in place (same
//! `Identifier`, new `Updated`), so the version is `"{Identifier}@{Updated or Published}"` and
//! the store folds a revision into the item it already holds.
//!
//! Quirks handled:
//! - `Area[].Coordinate` is a string in **"lon,lat 0"** order (KML style, altitude after a
//!   space); `CoordinateObject` has the same point as *strings* (`Altitude` may be null) and
//!   is preferred when it parses. Both end up as (lat, lon).
//! - `Area[].Type` is Country, County or PoI: "Sverige" gives geocode "00", a Swedish county
//!   its SCB code (see [`county_code`]).
//! - `BodyText` is HTML full of `&nbsp;`; a template leak such as a literal `{0}` is kept as
//!   text. `Headline` and `Preamble` are plain text, but escaped entities (`&amp;`) have been
//!   seen in them, so entities are decoded there (markup is not: "Temp <5" stays).
//! - `SenderName` may be empty; `PushMessage` may be null or hold emoji; `IsTest` marks test
//!   items (status Test); an empty array is a quiet period, not an error.
//!
//! Severity (VMA or news is decided per source, see the `items` option):
//!
//! | item                   | severity   |
//! |------------------------|------------|
//! | VMA                    | Critical   |
//! | news with `Push: true` | Medium     |
//! | other news             | Low        |

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;

use super::common::{json_document, json_kind, lat_lon, number_pair, parse_time};
use super::{Document, Kind, OptionError, ParseError, Parsed, read_options};
use crate::item::{
    AlertStatus, GeoArea, Location, MessageType, RawAlert, RawItem, RawText, Severity,
};

/// Krisinformation.se's JSON API v3.
pub struct Krisinformation;

/// Options of a `krisinformation` source.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    /// Which items the source serves: `"vma"` (public warnings, severity Critical) or
    /// `"news"`. Default: `"vma"` when the URL path contains "vma" (`/v3/vmas`), else `"news"`.
    items: Option<Items>,
}

/// The `items` option's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Items {
    News,
    Vma,
}

/// One item as the API writes it; fields not read here (`ImageLink`, `BodyLinks`, `SourceID`,
/// `ContentId`, ...) are ignored, and every field may be missing.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct Entry {
    identifier: Option<Scalar>,
    /// The id of a notice (`/v3/notices`), which has no `Identifier`.
    id: Option<Scalar>,
    push_message: Option<String>,
    published: Option<String>,
    updated: Option<String>,
    /// A notice's only time.
    changed_date: Option<String>,
    headline: Option<String>,
    preamble: Option<String>,
    body_text: Option<String>,
    links: Option<Vec<Link>>,
    area: Option<Vec<Area>>,
    web: Option<String>,
    language: Option<String>,
    event: Option<String>,
    sender_name: Option<String>,
    push: Option<Flag>,
    content_type_name: Option<String>,
    is_test: Option<Flag>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct Link {
    url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct Area {
    #[serde(rename = "Type")]
    kind: Option<String>,
    description: Option<String>,
    coordinate: Option<String>,
    coordinate_object: Option<CoordinateObject>,
}

/// The point of an area; the API writes the numbers as strings.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct CoordinateObject {
    latitude: Option<Scalar>,
    longitude: Option<Scalar>,
}

/// A value written as a string or a number (ids, coordinates).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Number(serde_json::Number),
}

impl Scalar {
    fn text(&self) -> String {
        match self {
            Scalar::Text(s) => s.trim().to_string(),
            Scalar::Number(n) => n.to_string(),
        }
    }

    /// The value as a number; a decimal comma ("59,33") is accepted.
    fn number(&self) -> Option<f64> {
        match self {
            Scalar::Number(n) => n.as_f64(),
            Scalar::Text(s) => s.trim().replace(',', ".").parse().ok(),
        }
        .filter(|v: &f64| v.is_finite())
    }
}

/// A boolean, tolerating `"true"` and `1`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Flag {
    Bool(bool),
    Number(i64),
    Text(String),
}

impl Flag {
    fn is_set(flag: &Option<Flag>) -> bool {
        match flag {
            Some(Flag::Bool(b)) => *b,
            Some(Flag::Number(n)) => *n != 0,
            Some(Flag::Text(s)) => s.trim().eq_ignore_ascii_case("true"),
            None => false,
        }
    }
}

impl Kind for Krisinformation {
    fn name(&self) -> &'static str {
        "krisinformation"
    }

    fn check_options(&self, options: &toml::Table) -> Result<(), OptionError> {
        read_options::<Options>(options).map(|_| ())
    }

    fn parse(&self, doc: &Document, options: &toml::Table) -> Result<Parsed, ParseError> {
        let options = read_options::<Options>(options)?;
        let items = options.items.unwrap_or_else(|| {
            if doc.url.path().to_ascii_lowercase().contains("vma") {
                Items::Vma
            } else {
                Items::News
            }
        });
        let records = match json_document(doc)? {
            serde_json::Value::Array(records) => records,
            // A single item (as a per-item URL would serve it).
            serde_json::Value::Object(map)
                if map.contains_key("Identifier") || map.contains_key("Id") =>
            {
                vec![serde_json::Value::Object(map)]
            }
            other => {
                return Err(ParseError(format!(
                    "expected a JSON array of Krisinformation items (API v3 /news or /vmas), \
                     found {}",
                    json_kind(&other)
                )));
            }
        };
        let mut parsed = Parsed::default();
        for (index, value) in records.into_iter().enumerate() {
            let number = index + 1;
            match entry_item(value, items) {
                Ok(item) => parsed.items.push(item),
                Err(why) => parsed
                    .rejected
                    .push(format!("{}: record {number}: {why}", doc.name)),
            }
        }
        Ok(parsed)
    }
}

fn entry_item(value: serde_json::Value, items: Items) -> Result<RawItem, String> {
    if !value.is_object() {
        return Err(format!("expected an object, found {}", json_kind(&value)));
    }
    // serde's message does not name the field, so name the item at least.
    let named = match value.get("Identifier").or_else(|| value.get("Id")) {
        Some(serde_json::Value::String(id)) => format!("item '{id}': "),
        Some(serde_json::Value::Number(id)) => format!("item '{id}': "),
        _ => String::new(),
    };
    let entry: Entry = serde_json::from_value(value).map_err(|e| format!("{named}{e}"))?;
    let id = entry
        .identifier
        .as_ref()
        .or(entry.id.as_ref())
        .map(Scalar::text)
        .filter(|id| !id.is_empty())
        .ok_or("missing 'Identifier' (or a notice's 'Id')")?;
    let published = time_field(&entry.published, "Published", &id)?;
    // A notice (`/v3/notices`) has only `ChangedDate`: its revision time.
    let updated = match time_field(&entry.updated, "Updated", &id)? {
        Some(updated) => Some(updated),
        None => time_field(&entry.changed_date, "ChangedDate", &id)?,
    };
    let sent: DateTime<Utc> = updated
        .or(published)
        .ok_or_else(|| format!("item '{id}': neither 'Published' nor 'Updated' is given"))?;

    let link = non_empty(entry.web).or_else(|| {
        entry
            .links
            .unwrap_or_default()
            .into_iter()
            .find_map(|l| non_empty(l.url))
    });
    let severity = match items {
        Items::Vma => Severity::Critical,
        Items::News if Flag::is_set(&entry.push) => Severity::Medium,
        Items::News => Severity::Low,
    };
    let mut item = RawItem {
        title: non_empty(entry.headline).map(|t| RawText::plain(decode_entities(&t))),
        summary: non_empty(entry.preamble).map(|t| RawText::plain(decode_entities(&t))),
        // Kept as is: a template leak ("{0}") is text, and normalise turns the HTML into text.
        body: non_empty(entry.body_text).map(RawText::html),
        link,
        published,
        updated,
        authors: non_empty(entry.sender_name).into_iter().collect(),
        categories: [entry.event, entry.content_type_name]
            .into_iter()
            .filter_map(non_empty)
            .collect(),
        severity: Some(severity),
        alert: Some(RawAlert {
            version: format!("{id}@{}", sent.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
            status: if Flag::is_set(&entry.is_test) {
                AlertStatus::Test
            } else {
                AlertStatus::Actual
            },
            msg_type: match (published, updated) {
                (Some(p), Some(u)) if u > p => MessageType::Update,
                _ => MessageType::Alert,
            },
            sent: Some(sent),
            references: Vec::new(),
            onset: None,
            expires: None,
        }),
        guid: Some(id),
        ..RawItem::default()
    };
    for area in entry.area.unwrap_or_default() {
        let (geo, point) = geo_area(area);
        if item.location.is_none()
            && let Some((lat, lon)) = point
        {
            item.location = Some(Location {
                name: geo.name.clone(),
                lat: Some(lat),
                lon: Some(lon),
                approximate: true,
            });
        }
        item.areas.push(geo);
    }
    for (key, value) in [
        ("push_message", entry.push_message),
        ("language", entry.language),
    ] {
        if let Some(value) = non_empty(value) {
            item.extra.insert(key.into(), value);
        }
    }
    Ok(item)
}

/// A time field: missing or empty is `None`, an unreadable one rejects the item.
fn time_field(
    text: &Option<String>,
    field: &str,
    id: &str,
) -> Result<Option<DateTime<Utc>>, String> {
    match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => parse_time(t).map(Some).ok_or_else(|| {
            format!(
                "item '{id}': invalid '{field}' '{t}': expected ISO 8601 such as \
                 2026-11-24T08:15:00+01:00"
            )
        }),
    }
}

/// An area with its point as a zero-radius circle; the point is also returned for the item's
/// location.
fn geo_area(area: Area) -> (GeoArea, Option<(f64, f64)>) {
    let name = non_empty(area.description);
    let point = area
        .coordinate_object
        .and_then(|c| lat_lon(c.latitude?.number()?, c.longitude?.number()?))
        // "lon,lat 0": longitude first.
        .or_else(|| {
            let (lon, lat) = number_pair(area.coordinate.as_deref()?)?;
            lat_lon(lat, lon)
        });
    let kind = area.kind.as_deref().map(str::trim).unwrap_or_default();
    let code = name.as_deref().and_then(|n| {
        if kind.eq_ignore_ascii_case("country") {
            let n = n.trim();
            (n.eq_ignore_ascii_case("sverige") || n.eq_ignore_ascii_case("sweden")).then_some("00")
        } else if kind.eq_ignore_ascii_case("county") {
            county_code(n)
        } else {
            None
        }
    });
    let geo = GeoArea {
        name,
        geocodes: code.map(str::to_string).into_iter().collect(),
        polygons: Vec::new(),
        circles: point
            .map(|(lat, lon)| (lat, lon, 0.0))
            .into_iter()
            .collect(),
    };
    (geo, point)
}

/// Decodes character entities (`&amp;`) in a plain-text field, leaving anything else alone.
fn decode_entities(text: &str) -> String {
    html_escape::decode_html_entities(text).into_owned()
}

fn non_empty(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.trim().is_empty())
}

/// The 21 Swedish counties with their SCB codes, by the name's stem.
const COUNTIES: [(&str, &str); 21] = [
    ("stockholm", "01"),
    ("uppsala", "03"),
    ("södermanland", "04"),
    ("östergötland", "05"),
    ("jönköping", "06"),
    ("kronoberg", "07"),
    ("kalmar", "08"),
    ("gotland", "09"),
    ("blekinge", "10"),
    ("skåne", "12"),
    ("halland", "13"),
    ("västra götaland", "14"),
    ("värmland", "17"),
    ("örebro", "18"),
    ("västmanland", "19"),
    ("dalarna", "20"),
    ("gävleborg", "21"),
    ("västernorrland", "22"),
    ("jämtland", "23"),
    ("västerbotten", "24"),
    ("norrbotten", "25"),
];

/// The SCB code of a Swedish county named in Swedish ("Stockholms län", "Skåne län") or
/// English ("Stockholm County"); `None` for anything else. A bare "Stockholm" is the city, not
/// the county, so "län" or "County" must be part of the name.
pub fn county_code(name: &str) -> Option<&'static str> {
    let name = name.trim().to_lowercase();
    let stem = name
        .strip_suffix(" län")
        .or_else(|| name.strip_suffix(" county"))?
        .trim_end();
    COUNTIES
        .iter()
        .find(|(county, _)| stem == *county || stem.strip_suffix('s') == Some(*county))
        .map(|(_, code)| *code)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEWS: &str = include_str!("../../tests/fixtures/authorities/krisinformation/news.json");
    const NEWS_REVISED: &str =
        include_str!("../../tests/fixtures/authorities/krisinformation/news-revised.json");
    const VMAS: &str = include_str!("../../tests/fixtures/authorities/krisinformation/vmas.json");

    fn doc_at(url: &str, body: &str) -> Document {
        Document {
            name: "krisinformation".into(),
            bytes: body.as_bytes().to_vec(),
            content_type: Some("application/json; charset=utf-8".into()),
            url: url::Url::parse(url).unwrap(),
            link_base: None,
            spool_file: None,
        }
    }

    fn parse_at(url: &str, body: &str, options: &str) -> Result<Parsed, ParseError> {
        let options: toml::Table = toml::from_str(options).unwrap();
        Krisinformation.parse(&doc_at(url, body), &options)
    }

    fn news(body: &str) -> Parsed {
        parse_at("https://api.krisinformation.se/v3/news?days=3", body, "").unwrap()
    }

    fn by_guid<'a>(parsed: &'a Parsed, guid: &str) -> &'a RawItem {
        parsed
            .items
            .iter()
            .find(|i| i.guid.as_deref() == Some(guid))
            .unwrap()
    }

    #[test]
    fn fields_map_and_times_are_utc() {
        let parsed = news(NEWS);
        assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
        assert_eq!(parsed.items.len(), 3);
        let item = by_guid(&parsed, "ki-2026-11-24-snoovader");
        assert_eq!(
            item.title.as_ref().unwrap().text,
            "Snöoväder i Stockholms län – SMHI varnar för trafikstörningar"
        );
        assert!(!item.title.as_ref().unwrap().html);
        assert!(item.summary.as_ref().unwrap().text.starts_with("SMHI har"));
        assert_eq!(
            item.link.as_deref(),
            Some("https://www.krisinformation.se/nyheter/2026/november/snoovader-stockholm")
        );
        assert_eq!(
            item.published.unwrap().to_rfc3339(),
            "2026-11-24T06:30:00+00:00"
        );
        assert_eq!(item.authors, ["Krisinformation.se"]);
        assert_eq!(item.categories, ["News", "newspage"]);
        assert_eq!(item.extra.get("language").map(String::as_str), Some("sv"));
        let alert = item.alert.as_ref().unwrap();
        assert_eq!(alert.status, AlertStatus::Actual);
        assert_eq!(alert.msg_type, MessageType::Alert);
        assert_eq!(
            alert.version,
            "ki-2026-11-24-snoovader@2026-11-24T06:30:00Z"
        );
        assert_eq!(alert.expires, None);
        assert!(alert.references.is_empty());
    }

    #[test]
    fn html_body_with_nbsp_and_template_leak_is_kept_as_html() {
        let parsed = news(NEWS);
        let body = by_guid(&parsed, "ki-2026-11-24-snoovader")
            .body
            .clone()
            .unwrap();
        assert!(body.html);
        assert!(body.text.contains("&nbsp;"), "{}", body.text);
        let leak = by_guid(&parsed, "ki-2026-11-24-vatten-sodermalm")
            .body
            .clone()
            .unwrap();
        assert!(leak.text.contains("{0}"), "{}", leak.text);
    }

    #[test]
    fn entities_in_plain_headline_are_decoded_but_markup_is_not() {
        assert_eq!(decode_entities("Råd &amp; stöd"), "Råd & stöd");
        assert_eq!(
            decode_entities("Temp <5 i R&D-huset"),
            "Temp <5 i R&D-huset"
        );
        let parsed = news(NEWS);
        let title = &by_guid(&parsed, "ki-2026-11-23-test").title;
        assert_eq!(
            title.as_ref().unwrap().text,
            "Test & prov av utomhussignal i Stockholm"
        );
    }

    #[test]
    fn push_message_keeps_emoji_and_empty_sender_is_no_author() {
        let parsed = news(NEWS);
        let item = by_guid(&parsed, "ki-2026-11-24-snoovader");
        assert_eq!(
            item.extra.get("push_message").map(String::as_str),
            Some("❄️ Snöoväder i Stockholms län i natt. Undvik onödiga resor.")
        );
        let quiet = by_guid(&parsed, "ki-2026-11-24-vatten-sodermalm");
        assert!(quiet.authors.is_empty());
        // An empty `Web` falls back to the first link.
        assert_eq!(
            quiet.link.as_deref(),
            Some("https://www.stockholmvattenochavfall.se/driftstorningar")
        );
        assert!(!quiet.extra.contains_key("push_message"));
    }

    #[test]
    fn coordinate_object_with_strings_and_null_altitude_is_preferred() {
        let parsed = news(NEWS);
        let item = by_guid(&parsed, "ki-2026-11-24-vatten-sodermalm");
        let loc = item.location.as_ref().unwrap();
        // The object's precise point, not the rounded "18.07,59.31 0" string.
        assert_eq!((loc.lat, loc.lon), (Some(59.3126), Some(18.071)));
        assert_eq!(loc.name.as_deref(), Some("Södermalm, Stockholm"));
        let poi = item.areas.iter().find(|a| !a.circles.is_empty()).unwrap();
        assert_eq!(poi.circles, [(59.3126, 18.071, 0.0)]);
    }

    #[test]
    fn lon_lat_coordinate_string_becomes_lat_lon() {
        let parsed = parse_at("https://api.krisinformation.se/v3/vmas", VMAS, "").unwrap();
        let item = &parsed.items[0];
        let loc = item.location.as_ref().unwrap();
        assert_eq!((loc.lat, loc.lon), (Some(59.2937), Some(17.9905)));
        assert_eq!(loc.name.as_deref(), Some("Västberga, Stockholm"));
        let area = item
            .areas
            .iter()
            .find(|a| a.name.as_deref() == Some("Västberga, Stockholm"))
            .unwrap();
        assert_eq!(area.circles, [(59.2937, 17.9905, 0.0)]);
        // An out-of-range point is dropped, not swapped into range.
        let (geo, point) = geo_area(Area {
            coordinate: Some("59.3,118.0 0".into()),
            ..Area::default()
        });
        assert_eq!(point, None);
        assert!(geo.circles.is_empty());
    }

    #[test]
    fn counties_and_sweden_give_geocodes() {
        let parsed = parse_at("https://api.krisinformation.se/v3/vmas", VMAS, "").unwrap();
        let county = parsed.items[0]
            .areas
            .iter()
            .find(|a| a.name.as_deref() == Some("Stockholms län"))
            .unwrap();
        assert_eq!(county.geocodes, ["01"]);
        let parsed = news(NEWS);
        let sweden = &by_guid(&parsed, "ki-2026-11-23-test").areas[0];
        assert_eq!(sweden.geocodes, ["00"]);
        assert_eq!(county_code("Västra Götalands län"), Some("14"));
        assert_eq!(county_code("Dalarnas län"), Some("20"));
        assert_eq!(county_code("Stockholm County"), Some("01"));
        assert_eq!(county_code(" skåne län "), Some("12"));
        assert_eq!(county_code("Stockholm"), None);
        assert_eq!(county_code("Stockholms skärgård"), None);
        assert_eq!(county_code("Norges län"), None);
    }

    #[test]
    fn is_test_marks_the_item_as_a_test() {
        let parsed = news(NEWS);
        let alert = by_guid(&parsed, "ki-2026-11-23-test")
            .alert
            .clone()
            .unwrap();
        assert_eq!(alert.status, AlertStatus::Test);
    }

    #[test]
    fn severity_by_url_and_by_option() {
        let parsed = news(NEWS);
        assert_eq!(
            by_guid(&parsed, "ki-2026-11-24-snoovader").severity,
            Some(Severity::Medium)
        );
        assert_eq!(
            by_guid(&parsed, "ki-2026-11-24-vatten-sodermalm").severity,
            Some(Severity::Low)
        );
        let by_url = parse_at("https://api.krisinformation.se/v3/vmas", VMAS, "").unwrap();
        assert_eq!(by_url.items[0].severity, Some(Severity::Critical));
        let by_option = parse_at("http://127.0.0.1/feed.json", VMAS, r#"items = "vma""#).unwrap();
        assert_eq!(by_option.items[0].severity, Some(Severity::Critical));
        let forced_news = parse_at(
            "https://api.krisinformation.se/v3/vmas",
            VMAS,
            r#"items = "news""#,
        )
        .unwrap();
        assert_ne!(forced_news.items[0].severity, Some(Severity::Critical));
    }

    #[test]
    fn a_revision_of_the_same_identifier_is_a_new_version() {
        let first = news(NEWS);
        let revised = news(NEWS_REVISED);
        let before = by_guid(&first, "ki-2026-11-24-vatten-sodermalm");
        let after = by_guid(&revised, "ki-2026-11-24-vatten-sodermalm");
        let (a, b) = (
            before.alert.as_ref().unwrap(),
            after.alert.as_ref().unwrap(),
        );
        assert_ne!(a.version, b.version);
        assert_eq!(
            b.version,
            "ki-2026-11-24-vatten-sodermalm@2026-11-24T13:45:00Z"
        );
        assert_eq!(b.msg_type, MessageType::Update);
        assert_eq!(b.sent, after.updated);
        assert_eq!(after.published, before.published);
    }

    #[test]
    fn empty_array_is_no_items_and_garbage_is_an_error() {
        let parsed = news("[]");
        assert!(parsed.items.is_empty() && parsed.rejected.is_empty());
        let url = "https://api.krisinformation.se/v3/news";
        let err = parse_at(url, "<html>502 Bad Gateway</html>", "").unwrap_err();
        assert!(err.0.contains("invalid JSON"), "{}", err.0);
        let err = parse_at(url, r#"{"message":"error"}"#, "").unwrap_err();
        assert!(err.0.contains("expected a JSON array"), "{}", err.0);
        assert!(parse_at(url, "  ", "").unwrap_err().0.contains("empty"));
    }

    #[test]
    fn bad_records_are_rejected_alone() {
        let body = r#"[
            {"Identifier": "a", "Published": "2026-11-24T08:00:00+01:00", "Headline": "ok"},
            {"Headline": "utan id", "Published": "2026-11-24T08:00:00+01:00"},
            {"Identifier": "c", "Published": "i morse"},
            {"Identifier": 42, "Updated": "2026-11-24T08:00:00+01:00", "Push": "true"},
            {"Identifier": "e", "Headline": ["fel"]},
            "nej"
        ]"#;
        let parsed = news(body);
        assert_eq!(parsed.items.len(), 2);
        assert_eq!(parsed.items[1].guid.as_deref(), Some("42"));
        assert_eq!(parsed.items[1].severity, Some(Severity::Medium));
        assert_eq!(parsed.rejected.len(), 4, "{:?}", parsed.rejected);
        assert!(parsed.rejected[0].contains("record 2: missing 'Identifier'"));
        assert!(parsed.rejected[1].contains("record 3: item 'c': invalid 'Published' 'i morse'"));
        assert!(parsed.rejected[2].contains("record 5: item 'e': invalid type"));
        assert!(parsed.rejected[3].contains("record 6: expected an object"));
    }

    #[test]
    fn options_are_checked() {
        let table = |s: &str| -> toml::Table { toml::from_str(s).unwrap() };
        assert!(Krisinformation.check_options(&table("")).is_ok());
        assert!(
            Krisinformation
                .check_options(&table(r#"items = "vma""#))
                .is_ok()
        );
        let err = Krisinformation
            .check_options(&table(r#"items = "alla""#))
            .unwrap_err();
        assert_eq!(err.key, "items");
        let err = Krisinformation
            .check_options(&table(r#"counties = "01""#))
            .unwrap_err();
        assert_eq!(err.key, "counties");
    }

    #[test]
    fn demo_snapshots_parse() {
        let news_demo = include_str!("../../feeds/demo/krisinformation-news.json");
        let parsed = parse_at("http://127.0.0.1/krisinformation-news.json", news_demo, "").unwrap();
        assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
        assert!((3..=4).contains(&parsed.items.len()));
        assert!(
            parsed
                .items
                .iter()
                .any(|i| { i.alert.as_ref().map(|a| a.msg_type) == Some(MessageType::Update) })
        );
        let vma_demo = include_str!("../../feeds/demo/krisinformation-vmas.json");
        let parsed = parse_at("http://127.0.0.1/krisinformation-vmas.json", vma_demo, "").unwrap();
        assert_eq!(parsed.items.len(), 1);
        assert_eq!(parsed.items[0].severity, Some(Severity::Critical));
        assert!(parsed.items[0].location.is_some());
    }
}
