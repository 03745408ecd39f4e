//! The `smhi-warnings` kind: SMHI's impact-based weather warnings (IBWW), JSON.
//!
//! A document is a top-level array of events `{id, normalProbability, event{sv, en, code,
//! mhoClassification}, warningAreas[]}`. Each warning area is one item, stored under the
//! area's `id`: SMHI keeps that id while it revises the warning, so a revision is a new message
//! (`"{id}@{published}"`) of the same item, which the store folds into its history.
//!
//! Quirks handled:
//! - `approximateEnd` is optional (a MESSAGE such as WATER_SHORTAGE can be open-ended): no
//!   end means no expiry, never "expired".
//! - `area` is GeoJSON in [lon, lat] order: a Feature, a whole FeatureCollection, or a bare
//!   geometry; Polygon, MultiPolygon, LineString, Point (and their Multi forms). Coordinates
//!   may be empty. Shapes become (lat, lon): a polygon's outer ring (holes are ignored, which
//!   errs on the side of "concerns the place"); a closed LineString is a ring too, an open one
//!   (a coastline) gives a zero-radius circle per vertex, so a place near the line still
//!   matches by distance rather than by a made-up area.
//! - `affectedAreas` are names (kept as areas); a Swedish county among them gives its SCB code.
//! - Warnings carry no link: every item gets the `link` option's page.
//! - `published` later than `created` marks a revision (message type Update).
//!
//! Severity, from `warningLevel.code`:
//!
//! | level   | severity |
//! |---------|----------|
//! | RED     | Critical |
//! | ORANGE  | High     |
//! | YELLOW  | Medium   |
//! | MESSAGE | Low      |
//! | other   | none (the code is kept in `extra.warning_level`) |

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::common::{json_document, lat_lon, parse_time};
use super::krisinformation::county_code;
use super::{Document, Kind, OptionError, ParseError, Parsed, read_options};
use crate::item::{AlertStatus, GeoArea, MessageType, RawAlert, RawItem, RawText, Severity};

/// SMHI's impact-based warnings.
pub struct SmhiWarnings;

/// SMHI's page of current warnings, the default link of every item.
const DEFAULT_LINK: &str =
    "https://www.smhi.se/vader/varningar-och-brandrisk/varningar-och-meddelanden";

/// Options of a `smhi-warnings` source.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    /// Language of titles and texts: `"sv"` (default) or `"en"`; a text missing in that
    /// language is taken in the other.
    language: Option<Language>,
    /// The link every item gets, since warnings have none of their own. Default: SMHI's page
    /// of warnings and messages.
    link: Option<String>,
}

/// The `language` option's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Language {
    #[default]
    Sv,
    En,
}

/// One event: a kind of weather and the areas warned for it.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Event {
    id: Option<Value>,
    event: Option<EventName>,
    warning_areas: Option<Vec<Value>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct EventName {
    #[serde(flatten)]
    names: Names,
    mho_classification: Option<Names>,
}

/// A bilingual label (`{sv, en, code}`); `affectedAreas` entries have this shape too.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Names {
    sv: Option<String>,
    en: Option<String>,
    code: Option<String>,
}

/// One warning area: the unit SMHI revises, and one item here.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct WarningArea {
    id: Option<Value>,
    created: Option<String>,
    approximate_start: Option<String>,
    approximate_end: Option<String>,
    published: Option<String>,
    area_name: Option<Names>,
    warning_level: Option<Names>,
    event_description: Option<Names>,
    affected_areas: Option<Vec<Names>>,
    descriptions: Option<Vec<Description>>,
    area: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Description {
    title: Option<Names>,
    text: Option<Names>,
}

impl Kind for SmhiWarnings {
    fn name(&self) -> &'static str {
        "smhi-warnings"
    }

    fn check_options(&self, options: &toml::Table) -> Result<(), OptionError> {
        let parsed = read_options::<Options>(options)?;
        match parsed.link.as_deref().map(url::Url::parse) {
            Some(Err(e)) => Err(OptionError {
                key: "link".into(),
                message: format!("invalid URL: {e}; expected an absolute https:// link"),
            }),
            _ => Ok(()),
        }
    }

    fn parse(&self, doc: &Document, options: &toml::Table) -> Result<Parsed, ParseError> {
        let options = read_options::<Options>(options)?;
        let language = options.language.unwrap_or_default();
        let link = options.link.unwrap_or_else(|| DEFAULT_LINK.to_string());
        let Value::Array(records) = json_document(doc)? else {
            return Err(ParseError(
                "expected a JSON array of SMHI warning events ({id, event, warningAreas})".into(),
            ));
        };
        let mut parsed = Parsed::default();
        for (index, value) in records.into_iter().enumerate() {
            let number = index + 1;
            let event = match read_object::<Event>(value) {
                Ok(event) => event,
                Err(why) => {
                    parsed
                        .rejected
                        .push(format!("{}: record {number}: {why}", doc.name));
                    continue;
                }
            };
            let label = match event.id.as_ref().and_then(id_text) {
                Some(id) => format!("record {number} (event {id})"),
                None => format!("record {number}"),
            };
            let Some(areas) = event.warning_areas else {
                parsed
                    .rejected
                    .push(format!("{}: {label}: missing 'warningAreas'", doc.name));
                continue;
            };
            let name = event.event.unwrap_or_default();
            for (area_index, value) in areas.into_iter().enumerate() {
                match read_object::<WarningArea>(value)
                    .and_then(|area| area_item(area, &name, language, &link))
                {
                    Ok(item) => parsed.items.push(item),
                    Err(why) => parsed.rejected.push(format!(
                        "{}: {label}, warning area {}: {why}",
                        doc.name,
                        area_index + 1
                    )),
                }
            }
        }
        Ok(parsed)
    }
}

/// An object of the expected shape, or why not.
fn read_object<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, String> {
    if !value.is_object() {
        return Err("expected an object".into());
    }
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// An id written as a number or a string.
fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

/// The text in the chosen language, else in the other.
fn pick(names: Option<&Names>, language: Language) -> Option<&str> {
    let names = names?;
    let (first, second) = match language {
        Language::Sv => (&names.sv, &names.en),
        Language::En => (&names.en, &names.sv),
    };
    [first, second]
        .into_iter()
        .flatten()
        .map(|s| s.trim())
        .find(|s| !s.is_empty())
}

fn area_item(
    area: WarningArea,
    event: &EventName,
    language: Language,
    link: &str,
) -> Result<RawItem, String> {
    let id = area.id.as_ref().and_then(id_text).ok_or("missing 'id'")?;
    let published = time(&area.published, "published")?.ok_or("missing 'published'")?;
    let created = time(&area.created, "created")?;
    let onset = time(&area.approximate_start, "approximateStart")?;
    let expires = time(&area.approximate_end, "approximateEnd")?;
    let revised = created.is_some_and(|c| published > c);

    let level = area
        .warning_level
        .as_ref()
        .and_then(|l| l.code.as_deref())
        .map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| !c.is_empty());
    let severity = match level.as_deref() {
        Some("RED") => Some(Severity::Critical),
        Some("ORANGE") => Some(Severity::High),
        Some("YELLOW") => Some(Severity::Medium),
        Some("MESSAGE") => Some(Severity::Low),
        _ => None,
    };

    let head = match (
        pick(area.warning_level.as_ref(), language),
        pick(Some(&event.names), language),
    ) {
        (Some(level), Some(event)) => Some(format!("{level}: {event}")),
        (one, other) => one.or(other).map(str::to_string),
    };
    let title = match (head, pick(area.area_name.as_ref(), language)) {
        (Some(head), Some(place)) => Some(format!("{head} – {place}")),
        (head, place) => head.or(place.map(str::to_string)),
    };
    let body: Vec<String> = area
        .descriptions
        .iter()
        .flatten()
        .filter_map(|d| {
            match (
                pick(d.title.as_ref(), language),
                pick(d.text.as_ref(), language),
            ) {
                (Some(title), Some(text)) => Some(format!("{title}: {text}")),
                (None, Some(text)) => Some(text.to_string()),
                _ => None,
            }
        })
        .collect();
    let event_code = event
        .names
        .code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());

    let mut item = RawItem {
        guid: Some(id.clone()),
        link: Some(link.to_string()),
        title: title.map(RawText::plain),
        summary: pick(area.event_description.as_ref(), language).map(RawText::plain),
        body: (!body.is_empty()).then(|| RawText::plain(body.join("\n\n"))),
        published: Some(created.unwrap_or(published)),
        updated: revised.then_some(published),
        categories: event_code
            .map(str::to_string)
            .into_iter()
            .chain(pick(event.mho_classification.as_ref(), Language::Sv).map(str::to_string))
            .collect(),
        severity,
        alert: Some(RawAlert {
            version: format!(
                "{id}@{}",
                published.to_rfc3339_opts(SecondsFormat::AutoSi, true)
            ),
            status: AlertStatus::Actual,
            msg_type: if revised {
                MessageType::Update
            } else {
                MessageType::Alert
            },
            sent: Some(published),
            references: Vec::new(),
            onset,
            expires,
        }),
        ..RawItem::default()
    };
    for (key, value) in [
        ("warning_level", level),
        ("event_code", event_code.map(str::to_string)),
    ] {
        if let Some(value) = value {
            item.extra.insert(key.into(), value);
        }
    }
    for affected in area.affected_areas.iter().flatten() {
        item.areas.push(GeoArea {
            name: pick(Some(affected), language).map(str::to_string),
            geocodes: county_of(affected).into_iter().collect(),
            ..GeoArea::default()
        });
    }
    let mut shape = GeoArea {
        name: pick(area.area_name.as_ref(), language).map(str::to_string),
        geocodes: area
            .area_name
            .as_ref()
            .and_then(county_of)
            .into_iter()
            .collect(),
        ..GeoArea::default()
    };
    if let Some(geojson) = &area.area {
        collect_shapes(geojson, &mut shape);
    }
    item.areas.push(shape);
    Ok(item)
}

/// The SCB code when a name (Swedish, else English) is a Swedish county.
fn county_of(names: &Names) -> Option<String> {
    [&names.sv, &names.en]
        .into_iter()
        .flatten()
        .find_map(|n| county_code(n))
        .map(str::to_string)
}

/// A time field: missing or empty is `None`, an unreadable one rejects the warning area.
fn time(text: &Option<String>, field: &str) -> Result<Option<DateTime<Utc>>, String> {
    match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => parse_time(t).map(Some).ok_or_else(|| {
            format!("invalid '{field}' '{t}': expected ISO 8601 such as 2026-11-25T06:00:00Z")
        }),
    }
}

/// Adds the shapes of a GeoJSON value (Feature, FeatureCollection or geometry) to `area`, in
/// (lat, lon) order. Anything unreadable is skipped; recursion is bounded by serde_json's
/// nesting limit.
fn collect_shapes(value: &Value, area: &mut GeoArea) {
    let coordinates = value.get("coordinates");
    match value
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
    {
        "FeatureCollection" => {
            for feature in array(value.get("features")) {
                collect_shapes(feature, area);
            }
        }
        "Feature" => {
            if let Some(geometry) = value.get("geometry") {
                collect_shapes(geometry, area);
            }
        }
        "GeometryCollection" => {
            for geometry in array(value.get("geometries")) {
                collect_shapes(geometry, area);
            }
        }
        "Polygon" => push_polygon(coordinates, area),
        "MultiPolygon" => {
            for polygon in array(coordinates) {
                push_polygon(Some(polygon), area);
            }
        }
        "LineString" => push_line(coordinates, area),
        "MultiLineString" => {
            for line in array(coordinates) {
                push_line(Some(line), area);
            }
        }
        "Point" => area.circles.extend(
            coordinates
                .and_then(position)
                .map(|(lat, lon)| (lat, lon, 0.0)),
        ),
        "MultiPoint" => push_points(&points(coordinates), area),
        _ => {}
    }
}

fn array(value: Option<&Value>) -> &[Value] {
    value
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// A GeoJSON position `[lon, lat, ...]` as (lat, lon), if in range.
fn position(value: &Value) -> Option<(f64, f64)> {
    let pair = value.as_array()?;
    let lon = pair.first()?.as_f64()?;
    let lat = pair.get(1)?.as_f64()?;
    lat_lon(lat, lon)
}

fn points(value: Option<&Value>) -> Vec<(f64, f64)> {
    array(value).iter().filter_map(position).collect()
}

fn push_points(points: &[(f64, f64)], area: &mut GeoArea) {
    area.circles
        .extend(points.iter().map(|&(lat, lon)| (lat, lon, 0.0)));
}

/// A polygon's outer ring; fewer than three points is no area.
fn push_polygon(rings: Option<&Value>, area: &mut GeoArea) {
    let outer = points(array(rings).first());
    if outer.len() >= 3 {
        area.polygons.push(outer);
    }
}

/// A closed line is a ring; an open one is its vertices.
fn push_line(line: Option<&Value>, area: &mut GeoArea) {
    let points = points(line);
    if points.len() >= 4 && points.first() == points.last() {
        area.polygons.push(points);
    } else {
        push_points(&points, area);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WARNINGS: &str =
        include_str!("../../tests/fixtures/authorities/smhi-warnings/warnings.json");
    const UPDATED: &str =
        include_str!("../../tests/fixtures/authorities/smhi-warnings/warnings-updated.json");

    fn try_parse(body: &str, options: &str) -> Result<Parsed, ParseError> {
        let doc = Document {
            name: "smhi".into(),
            bytes: body.as_bytes().to_vec(),
            content_type: Some("application/json".into()),
            url: url::Url::parse(
                "https://opendata-download-warnings.smhi.se/ibww/api/version/1/warning.json",
            )
            .unwrap(),
            link_base: None,
            spool_file: None,
        };
        SmhiWarnings.parse(&doc, &toml::from_str(options).unwrap())
    }

    fn parse(body: &str) -> Parsed {
        let parsed = try_parse(body, "").unwrap();
        assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
        parsed
    }

    fn by_guid<'a>(parsed: &'a Parsed, guid: &str) -> &'a RawItem {
        parsed
            .items
            .iter()
            .find(|i| i.guid.as_deref() == Some(guid))
            .unwrap()
    }

    /// The area built from the `area` GeoJSON (always the last one).
    fn shape(item: &RawItem) -> &GeoArea {
        item.areas.last().unwrap()
    }

    #[test]
    fn one_item_per_warning_area_with_mapped_fields() {
        let parsed = parse(WARNINGS);
        assert_eq!(parsed.items.len(), 4);
        let wind = by_guid(&parsed, "20101");
        assert_eq!(
            wind.title.as_ref().unwrap().text,
            "Gul varning: Vind – Stockholms skärgård"
        );
        assert_eq!(wind.summary.as_ref().unwrap().text, "Mycket hårda vindbyar");
        let body = wind.body.as_ref().unwrap();
        assert!(!body.html);
        assert_eq!(
            body.text,
            "Händelsebeskrivning: Sydvästlig vind med byar på 25 m/s i ytterskärgården.\n\n\
             Vad händer: Färjetrafiken till Sandhamn och Möja kan ställas in."
        );
        assert_eq!(wind.categories, ["WIND", "Meteorologi"]);
        assert_eq!(wind.link.as_deref(), Some(DEFAULT_LINK));
        assert_eq!(
            wind.extra.get("warning_level").map(String::as_str),
            Some("YELLOW")
        );
        assert_eq!(
            wind.extra.get("event_code").map(String::as_str),
            Some("WIND")
        );
        let names: Vec<_> = wind
            .areas
            .iter()
            .filter_map(|a| a.name.as_deref())
            .collect();
        assert_eq!(names, ["Värmdö", "Norrtälje", "Stockholms skärgård"]);
        let alert = wind.alert.as_ref().unwrap();
        assert_eq!(alert.version, "20101@2026-11-24T05:12:40.118Z");
        assert_eq!(alert.status, AlertStatus::Actual);
        assert_eq!(alert.msg_type, MessageType::Alert);
        assert!(alert.references.is_empty());
    }

    #[test]
    fn times_are_utc_and_an_open_end_is_no_expiry() {
        let parsed = parse(WARNINGS);
        let snow = by_guid(&parsed, "20102").alert.clone().unwrap();
        assert_eq!(
            snow.onset.unwrap().to_rfc3339(),
            "2026-11-25T02:00:00+00:00"
        );
        assert_eq!(
            snow.expires.unwrap().to_rfc3339(),
            "2026-11-25T14:00:00+00:00"
        );
        let water = by_guid(&parsed, "9873");
        assert_eq!(
            water.title.as_ref().unwrap().text,
            "Meddelande: Risk för vattenbrist – Stockholms län"
        );
        let alert = water.alert.as_ref().unwrap();
        assert_eq!(alert.expires, None);
        assert_eq!(
            alert.onset.unwrap().to_rfc3339(),
            "2026-09-02T08:00:00+00:00"
        );
        // Published long after it was created: a revision, first published when created.
        assert_eq!(alert.msg_type, MessageType::Update);
        assert_eq!(
            water.published.unwrap().to_rfc3339(),
            "2026-09-02T08:14:03.402+00:00"
        );
        assert_eq!(water.updated, alert.sent);
    }

    #[test]
    fn levels_map_to_severity_and_unknown_keeps_the_code() {
        let area = |id: u32, level: &str| {
            format!(
                r#"{{"id": {id}, "published": "2026-11-25T06:00:00Z",
                    "warningLevel": {{"sv": "x", "code": "{level}"}}}}"#
            )
        };
        let body = format!(
            r#"[{{"id": 1, "event": {{"sv": "Vind", "code": "WIND"}}, "warningAreas": [{}]}}]"#,
            [
                area(1, "RED"),
                area(2, "ORANGE"),
                area(3, "YELLOW"),
                area(4, "MESSAGE"),
                area(5, "PURPLE"),
                area(6, "red"),
            ]
            .join(",")
        );
        let parsed = parse(&body);
        let severities: Vec<_> = parsed.items.iter().map(|i| i.severity).collect();
        assert_eq!(
            severities,
            [
                Some(Severity::Critical),
                Some(Severity::High),
                Some(Severity::Medium),
                Some(Severity::Low),
                None,
                Some(Severity::Critical),
            ]
        );
        assert_eq!(
            parsed.items[4]
                .extra
                .get("warning_level")
                .map(String::as_str),
            Some("PURPLE")
        );
    }

    #[test]
    fn geojson_is_read_in_lat_lon_order() {
        let parsed = parse(WARNINGS);
        let snow = shape(by_guid(&parsed, "20102"));
        // MultiPolygon: two outer rings; the hole of the first is not an area of its own.
        assert_eq!(snow.polygons.len(), 2);
        assert_eq!(snow.polygons[0][0], (59.33, 18.07));
        assert_eq!(snow.polygons[0].len(), 5);
        assert_eq!(snow.polygons[1][0], (58.9, 18.5));
        let wind = shape(by_guid(&parsed, "20101"));
        assert_eq!(wind.polygons.len(), 1);
        assert_eq!(wind.polygons[0][1], (59.35, 19.25));
        assert!(wind.circles.is_empty());
    }

    #[test]
    fn feature_collection_lines_and_empty_coordinates() {
        let parsed = parse(WARNINGS);
        let coast = shape(by_guid(&parsed, "20104"));
        // The closed LineString and the Polygon are rings; the open coastline is its vertices;
        // the null geometry is skipped.
        assert_eq!(coast.polygons.len(), 2);
        assert_eq!(coast.polygons[0].first(), coast.polygons[0].last());
        assert_eq!(
            coast.circles,
            [(59.32, 18.07, 0.0), (59.31, 18.16, 0.0), (59.3, 18.33, 0.0)]
        );
        let water = shape(by_guid(&parsed, "9873"));
        assert!(water.polygons.is_empty() && water.circles.is_empty());
        assert_eq!(water.name.as_deref(), Some("Stockholms län"));
        // A bare geometry, a Point, and positions out of range or too short.
        let mut area = GeoArea::default();
        let bare: Value = serde_json::from_str(
            r#"{"type": "GeometryCollection", "geometries": [
                {"type": "Point", "coordinates": [18.07, 59.33, 12.0]},
                {"type": "Point", "coordinates": [59.33, 118.07]},
                {"type": "Polygon", "coordinates": [[[18.0, 59.0], [18.1]]]},
                {"type": "Polygon", "coordinates": [[]]},
                {"type": "Circle", "coordinates": [18.0, 59.0]}
            ]}"#,
        )
        .unwrap();
        collect_shapes(&bare, &mut area);
        assert_eq!(area.circles, [(59.33, 18.07, 0.0)]);
        assert!(area.polygons.is_empty());
    }

    #[test]
    fn counties_among_the_areas_give_geocodes() {
        let parsed = parse(WARNINGS);
        let water = by_guid(&parsed, "9873");
        assert!(water.areas.iter().all(|a| a.geocodes == ["01"]));
        let wind = by_guid(&parsed, "20101");
        assert!(wind.areas.iter().all(|a| a.geocodes.is_empty()));
    }

    #[test]
    fn an_update_of_the_same_area_is_a_new_version() {
        let first = parse(WARNINGS);
        let second = parse(UPDATED);
        let before = by_guid(&first, "20102");
        let after = by_guid(&second, "20102");
        let (a, b) = (
            before.alert.as_ref().unwrap(),
            after.alert.as_ref().unwrap(),
        );
        assert_eq!(before.guid, after.guid);
        assert_ne!(a.version, b.version);
        assert_eq!(b.version, "20102@2026-11-24T16:30:00Z");
        assert_eq!(a.msg_type, MessageType::Alert);
        assert_eq!(b.msg_type, MessageType::Update);
        assert_eq!(b.expires.unwrap().to_rfc3339(), "2026-11-25T17:00:00+00:00");
    }

    #[test]
    fn options_choose_language_and_link() {
        let parsed = try_parse(
            WARNINGS,
            r#"language = "en"
               link = "https://www.smhi.se/en/weather/warnings""#,
        )
        .unwrap();
        let wind = by_guid(&parsed, "20101");
        assert_eq!(
            wind.title.as_ref().unwrap().text,
            "Yellow warning: Wind – Stockholm archipelago"
        );
        assert_eq!(
            wind.link.as_deref(),
            Some("https://www.smhi.se/en/weather/warnings")
        );
        // Categories stay Swedish whatever the language, so rules match either way.
        assert_eq!(wind.categories, ["WIND", "Meteorologi"]);
        let table = |s: &str| -> toml::Table { toml::from_str(s).unwrap() };
        assert!(
            SmhiWarnings
                .check_options(&table(r#"language = "sv""#))
                .is_ok()
        );
        assert_eq!(
            SmhiWarnings
                .check_options(&table(r#"language = "fi""#))
                .unwrap_err()
                .key,
            "language"
        );
        assert_eq!(
            SmhiWarnings
                .check_options(&table(r#"link = "varningar""#))
                .unwrap_err()
                .key,
            "link"
        );
        assert_eq!(
            SmhiWarnings
                .check_options(&table("counties = 1"))
                .unwrap_err()
                .key,
            "counties"
        );
    }

    #[test]
    fn empty_array_is_no_items_and_garbage_is_an_error() {
        let parsed = parse("[]");
        assert!(parsed.items.is_empty());
        let err = try_parse("<html><body>Service Unavailable</body></html>", "").unwrap_err();
        assert!(err.0.contains("invalid JSON"), "{}", err.0);
        let err = try_parse(r#"{"warnings": []}"#, "").unwrap_err();
        assert!(
            err.0
                .contains("expected a JSON array of SMHI warning events"),
            "{}",
            err.0
        );
        assert!(try_parse("", "").unwrap_err().0.contains("empty"));
    }

    #[test]
    fn bad_records_are_rejected_alone() {
        let body = r#"[
            {"id": 1, "event": {"sv": "Vind", "code": "WIND"}, "warningAreas": [
                {"id": 11, "published": "2026-11-25T06:00:00Z"},
                {"published": "2026-11-25T06:00:00Z"},
                {"id": 13, "published": "i går"},
                {"id": 14, "published": "2026-11-25T06:00:00Z", "approximateEnd": "snart"},
                {"id": 15}
            ]},
            {"id": 2, "event": {"sv": "Snö"}},
            7
        ]"#;
        let parsed = try_parse(body, "").unwrap();
        assert_eq!(parsed.items.len(), 1);
        let rejected = &parsed.rejected;
        assert_eq!(rejected.len(), 6, "{rejected:?}");
        assert!(rejected[0].contains("record 1 (event 1), warning area 2: missing 'id'"));
        assert!(rejected[1].contains("warning area 3: invalid 'published' 'i går'"));
        assert!(rejected[2].contains("warning area 4: invalid 'approximateEnd' 'snart'"));
        assert!(rejected[3].contains("warning area 5: missing 'published'"));
        assert!(rejected[4].contains("record 2 (event 2): missing 'warningAreas'"));
        assert!(rejected[5].contains("record 3: expected an object"));
    }

    #[test]
    fn demo_snapshot_parses() {
        let parsed = parse(include_str!("../../feeds/demo/smhi-warnings.json"));
        assert_eq!(parsed.items.len(), 3);
        let levels: Vec<_> = parsed.items.iter().map(|i| i.severity).collect();
        assert!(levels.contains(&Some(Severity::Medium)));
        assert!(levels.contains(&Some(Severity::High)));
        assert!(levels.contains(&Some(Severity::Low)));
        assert!(parsed.items.iter().any(|i| {
            i.alert
                .as_ref()
                .is_some_and(|a| a.msg_type == MessageType::Update)
        }));
        assert!(
            parsed
                .items
                .iter()
                .any(|i| { i.alert.as_ref().is_some_and(|a| a.expires.is_none()) })
        );
    }
}
