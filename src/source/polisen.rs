//! The `polisen` kind: the Swedish Police's events API (`https://polisen.se/api/events`).
//!
//! The document is a JSON array of at most 500 events, newest first:
//! `{id, datetime, name, summary, url, type, location{name, gps}}`. Each event becomes one
//! item: guid = `id`, title = `name`, summary = `summary` (plain text), link = `url`,
//! published = `datetime`, categories = `[type]`, location and area = `location`, and the type
//! is kept as `extra.event_type`. Events are reports, not alerts: no `RawItem::alert`.
//!
//! Quirks handled (all seen in real captures):
//! - `datetime` hours are not zero-padded ("2026-08-22 9:13:04 +02:00"); read to UTC by
//!   `common::parse_time`. An event whose time cannot be read is rejected alone.
//! - `url` is relative ("/aktuellt/handelser/..."): resolved against the option `site`
//!   (default `https://polisen.se`), never against the fetch URL, since the pages live on the
//!   site whatever host served the JSON.
//! - `location.gps` is one string in **"lat,lon"** order.
//! - The API has served a 0-byte body and truncated lists: both are a [`ParseError`], so the
//!   poll reports them and nothing stored reads them as "nothing happened". `[]` is no events.
//! - Type names carry commas ("Mord/dråp, försök", "Trafikolycka, personskada"); severity
//!   look-ups ignore case, commas and repeated spaces, so "Mord/dråp försök" matches too.
//!
//! Severity by event type (defaults; the option `severity` overrides per type):
//!
//! | level  | types |
//! |--------|-------|
//! | high   | Skottlossning, Skottlossning misstänkt, Explosion, Detonation, Mord/dråp, Mord/dråp försök, Bombhot, Rån väpnat, Kidnappning, Naturkatastrof |
//! | medium | Trafikolycka personskada, Misshandel grov, Rån, Rån försök, Rån övrigt, Personrån, Olaga hot, Olaga frihetsberövande, Våld/hot mot tjänsteman, Sabotage mot blåljusverksamhet, Försvunnen person, Räddningsinsats, Farligt föremål misstänkt, Larm överfall, Våldtäkt, Våldtäkt försök, Varningslarm/haveri |
//! | info   | Sammanfattning … (every summary: natt, kväll och natt, vecka, …), Övrigt, Uppdatering, Trafikkontroll, Kontroll person/fordon, Gränskontroll, Polisinsats/kommendering, Information, Tillfälligt obemannat |
//! | low    | everything else (Brand, Brand automatlarm, Trafikolycka, Inbrott, Stöld, Misshandel, …) |

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::common::{json_document, json_kind, lat_lon, number_pair, parse_time, quoted};
use super::{Document, Etiquette, Kind, OptionError, ParseError, Parsed, read_options};
use crate::item::{GeoArea, Location, RawItem, RawText, Severity};

/// The Police events API.
pub struct Polisen;

/// Where relative event links point unless the option `site` says otherwise.
const DEFAULT_SITE: &str = "https://polisen.se";

/// `[source.options]` of a `polisen` source.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    /// The site relative event `url`s resolve against (default `https://polisen.se`): an
    /// absolute http(s) URL.
    site: Option<String>,
    /// Severity per event type, overriding the defaults: `severity = { "Brand" = "high" }`.
    /// Levels as `Severity::parse` reads them (info, low, medium, high, critical, or Swedish).
    #[serde(default)]
    severity: BTreeMap<String, String>,
}

/// Options checked and ready to use.
struct Settings {
    site: Url,
    /// Overrides keyed by the normalised type name (see [`type_key`]).
    severity: BTreeMap<String, Severity>,
}

impl Kind for Polisen {
    fn name(&self) -> &'static str {
        "polisen"
    }

    fn check_options(&self, options: &toml::Table) -> Result<(), OptionError> {
        settings(options).map(|_| ())
    }

    fn etiquette(&self) -> Etiquette {
        Etiquette {
            // At most 60 calls an hour is one a minute on a steady schedule; that also keeps
            // well clear of the 10 s minimum and the 1,440 a day.
            min_interval: Duration::from_secs(60),
            https_only: true,
            rule: "Polisen: a User-Agent, HTTPS, at least 10 s between calls and at most 60 an hour",
        }
    }

    fn parse(&self, doc: &Document, options: &toml::Table) -> Result<Parsed, ParseError> {
        let settings = settings(options)
            .map_err(|e| ParseError(format!("bad option '{}': {}", e.key, e.message)))?;
        let events = match json_document(doc)? {
            Value::Array(events) => events,
            other => {
                return Err(ParseError(format!(
                    "expected a JSON array of Polisen events, found {}",
                    json_kind(&other)
                )));
            }
        };
        let mut parsed = Parsed::default();
        for (index, event) in events.iter().enumerate() {
            match event_item(event, &settings) {
                Ok(item) => parsed.items.push(item),
                Err(reason) => parsed
                    .rejected
                    .push(format!("record {}: {reason}", index + 1)),
            }
        }
        Ok(parsed)
    }
}

/// Reads and checks the options; an error names the offending key.
fn settings(options: &toml::Table) -> Result<Settings, OptionError> {
    // serde's type errors do not say which key they are about: check types first.
    if let Some(site) = options.get("site").filter(|v| !v.is_str()) {
        return Err(OptionError {
            key: "site".into(),
            message: format!("expected a URL string, found {}", site.type_str()),
        });
    }
    if let Some(table) = options.get("severity") {
        let Some(table) = table.as_table() else {
            return Err(OptionError {
                key: "severity".into(),
                message: format!(
                    "expected a table from event type to level, such as {{ \"Brand\" = \"high\" }}, found {}",
                    table.type_str()
                ),
            });
        };
        if let Some((name, value)) = table.iter().find(|(_, v)| !v.is_str()) {
            return Err(OptionError {
                key: "severity".into(),
                message: format!(
                    "type '{name}': expected a level string, found {}",
                    value.type_str()
                ),
            });
        }
    }
    let options: Options = read_options(options)?;
    let site_text = options.site.as_deref().unwrap_or(DEFAULT_SITE);
    let site = Url::parse(site_text)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .ok_or_else(|| OptionError {
            key: "site".into(),
            message: format!(
                "'{site_text}' is not an absolute http(s) URL (e.g. \"https://polisen.se\")"
            ),
        })?;
    let mut severity = BTreeMap::new();
    for (name, label) in &options.severity {
        let level = Severity::parse(label).ok_or_else(|| OptionError {
            key: "severity".into(),
            message: format!(
                "type '{name}': unknown level '{label}'; expected info, low, medium, high or critical"
            ),
        })?;
        severity.insert(type_key(name), level);
    }
    Ok(Settings { site, severity })
}

/// One event as an item, or why it cannot be one.
fn event_item(event: &Value, settings: &Settings) -> Result<RawItem, String> {
    let Some(fields) = event.as_object() else {
        return Err(format!(
            "expected an event object, found {}",
            json_kind(event)
        ));
    };
    let id = match fields.get("id") {
        None | Some(Value::Null) => return Err("missing 'id'".into()),
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => n.to_string(),
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(other) => {
            return Err(format!("'id' is {}, expected an integer", json_kind(other)));
        }
    };
    let text = |key: &str| {
        fields
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let datetime = text("datetime").ok_or_else(|| format!("id {id}: missing 'datetime'"))?;
    let published = parse_time(datetime).ok_or_else(|| {
        format!(
            "id {id}: unreadable 'datetime' {}: expected a time such as '2026-11-24 9:13:04 +01:00'",
            quoted(datetime)
        )
    })?;
    let name = text("name").ok_or_else(|| format!("id {id}: missing 'name'"))?;
    let event_type = text("type");

    let mut item = RawItem {
        guid: Some(id),
        title: Some(RawText::plain(name)),
        summary: text("summary").map(RawText::plain),
        link: text("url").and_then(|u| settings.site.join(u).ok().map(String::from)),
        published: Some(published),
        categories: event_type.map(str::to_string).into_iter().collect(),
        severity: Some(severity(event_type.unwrap_or(""), settings)),
        ..RawItem::default()
    };
    if let Some(event_type) = event_type {
        item.extra.insert("event_type".into(), event_type.into());
    }
    if let Some(place) = fields.get("location").and_then(Value::as_object) {
        let place_name = place
            .get("name")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        // Polisen writes "lat,lon", unlike GeoJSON and Krisinformation.
        let point = place
            .get("gps")
            .and_then(Value::as_str)
            .and_then(number_pair)
            .and_then(|(lat, lon)| lat_lon(lat, lon));
        if place_name.is_some() || point.is_some() {
            item.location = Some(Location {
                name: place_name.clone(),
                lat: point.map(|p| p.0),
                lon: point.map(|p| p.1),
                approximate: true,
            });
        }
        if place_name.is_some() {
            item.areas.push(GeoArea {
                name: place_name,
                ..GeoArea::default()
            });
        }
    }
    Ok(item)
}

/// The severity of an event type: the option's override, else the default table.
fn severity(event_type: &str, settings: &Settings) -> Severity {
    let key = type_key(event_type);
    if let Some(level) = settings.severity.get(&key) {
        return *level;
    }
    default_severity(&key)
}

/// The documented default for a normalised type name (see the module table).
fn default_severity(key: &str) -> Severity {
    const HIGH: &[&str] = &[
        "skottlossning",
        "skottlossning misstänkt",
        "explosion",
        "detonation",
        "mord/dråp",
        "mord/dråp försök",
        "bombhot",
        "rån väpnat",
        "kidnappning",
        "naturkatastrof",
    ];
    const MEDIUM: &[&str] = &[
        "trafikolycka personskada",
        "misshandel grov",
        "rån",
        "rån försök",
        "rån övrigt",
        "personrån",
        "olaga hot",
        "olaga frihetsberövande",
        "våld/hot mot tjänsteman",
        "sabotage mot blåljusverksamhet",
        "försvunnen person",
        "räddningsinsats",
        "farligt föremål misstänkt",
        "larm överfall",
        "våldtäkt",
        "våldtäkt försök",
        "varningslarm/haveri",
    ];
    const INFO: &[&str] = &[
        "övrigt",
        "uppdatering",
        "trafikkontroll",
        "kontroll person/fordon",
        "gränskontroll",
        "polisinsats/kommendering",
        "information",
        "tillfälligt obemannat",
    ];
    if HIGH.contains(&key) {
        Severity::High
    } else if MEDIUM.contains(&key) {
        Severity::Medium
    } else if INFO.contains(&key) || key.starts_with("sammanfattning") {
        Severity::Info
    } else {
        Severity::Low
    }
}

/// A type name for look-ups: lowercase, commas dropped, single spaces ("Mord/dråp, försök"
/// and "mord/dråp försök" are the same type).
fn type_key(name: &str) -> String {
    name.replace(',', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Document;

    fn doc(body: &[u8]) -> Document {
        Document {
            name: "polisen".into(),
            bytes: body.to_vec(),
            content_type: Some("application/json; charset=utf-8".into()),
            // The JSON comes from elsewhere than the site: links must not resolve against it.
            url: Url::parse("http://127.0.0.1:8080/api/events?locationname=Stockholms%20l%C3%A4n")
                .unwrap(),
            link_base: Some(Url::parse("http://127.0.0.1:8080/api/events").unwrap()),
            spool_file: None,
        }
    }

    fn parse(body: &str) -> Parsed {
        Polisen
            .parse(&doc(body.as_bytes()), &toml::Table::new())
            .unwrap()
    }

    fn options(text: &str) -> toml::Table {
        text.parse().unwrap()
    }

    const ONE: &str = r#"[{"id": 512044, "datetime": "2026-11-24 7:05:31 +01:00",
        "name": "24 november 06.40, Brand, Hägersten",
        "summary": "Brand i ett soprum på Hägerstensvägen. Räddningstjänsten är på plats.",
        "url": "/aktuellt/handelser/2026/november/24/24-november-06.40-brand-hagersten/",
        "type": "Brand",
        "location": {"name": "Hägersten", "gps": "59.298411,17.984547"}}]"#;

    #[test]
    fn an_event_maps_to_an_item() {
        let parsed = parse(ONE);
        assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
        let item = &parsed.items[0];
        assert_eq!(item.guid.as_deref(), Some("512044"));
        assert_eq!(
            item.title,
            Some(RawText::plain("24 november 06.40, Brand, Hägersten"))
        );
        assert!(!item.summary.as_ref().unwrap().html);
        assert_eq!(item.categories, vec!["Brand".to_string()]);
        assert_eq!(
            item.extra.get("event_type").map(String::as_str),
            Some("Brand")
        );
        assert_eq!(item.areas[0].name.as_deref(), Some("Hägersten"));
        assert_eq!(item.severity, Some(Severity::Low));
        assert!(item.alert.is_none(), "events are not alerts");
    }

    #[test]
    fn unpadded_hours_read_to_utc() {
        let item = &parse(ONE).items[0];
        assert_eq!(
            item.published.unwrap().to_rfc3339(),
            "2026-11-24T06:05:31+00:00"
        );
    }

    #[test]
    fn relative_url_resolves_against_the_site_not_the_fetch_url() {
        let item = &parse(ONE).items[0];
        assert_eq!(
            item.link.as_deref(),
            Some(
                "https://polisen.se/aktuellt/handelser/2026/november/24/24-november-06.40-brand-hagersten/"
            )
        );
        let other = Polisen
            .parse(
                &doc(ONE.as_bytes()),
                &options(r#"site = "https://polisen.example/sv/""#),
            )
            .unwrap();
        assert!(
            other.items[0]
                .link
                .as_deref()
                .unwrap()
                .starts_with("https://polisen.example/aktuellt/")
        );
    }

    #[test]
    fn gps_is_lat_then_lon() {
        let location = parse(ONE).items[0].location.clone().unwrap();
        assert_eq!(location.name.as_deref(), Some("Hägersten"));
        assert_eq!(location.lat, Some(59.298411));
        assert_eq!(location.lon, Some(17.984547));
    }

    #[test]
    fn bad_gps_keeps_the_place_name_only() {
        let body = ONE.replace("59.298411,17.984547", "599.3,17.98");
        let location = parse(&body).items[0].location.clone().unwrap();
        assert_eq!(location.name.as_deref(), Some("Hägersten"));
        assert_eq!((location.lat, location.lon), (None, None));
    }

    #[test]
    fn zero_byte_body_is_an_error_not_zero_events() {
        let err = Polisen.parse(&doc(b""), &toml::Table::new()).unwrap_err();
        assert!(err.0.contains("empty document"), "{err}");
    }

    #[test]
    fn truncated_json_is_an_error() {
        // Cut mid-list, and mid-character, as a dropped connection would.
        let cut = &ONE.as_bytes()[..ONE.len() / 2];
        let err = Polisen.parse(&doc(cut), &toml::Table::new()).unwrap_err();
        assert!(err.0.contains("invalid JSON"), "{err}");
    }

    #[test]
    fn a_non_array_document_is_an_error() {
        let err = Polisen
            .parse(
                &doc(br#"{"error": "Too many requests"}"#),
                &toml::Table::new(),
            )
            .unwrap_err();
        assert_eq!(
            err.0,
            "expected a JSON array of Polisen events, found an object"
        );
    }

    #[test]
    fn an_empty_array_is_zero_events() {
        let parsed = parse("[]");
        assert!(parsed.items.is_empty() && parsed.rejected.is_empty());
    }

    #[test]
    fn bad_records_are_rejected_alone() {
        let body = r#"[
          {"datetime": "2026-11-24 8:00:00 +01:00", "name": "Utan id", "type": "Stöld"},
          {"id": 7, "datetime": "i morse", "name": "Fel tid", "type": "Stöld"},
          {"id": 8, "name": "Ingen tid", "type": "Stöld"},
          {"id": 1.5, "datetime": "2026-11-24 8:00:00 +01:00", "name": "Bråkid"},
          "en sträng",
          {"id": 9, "datetime": "2026-11-24 8:00:00 +01:00", "name": "24 november 07.45, Stöld, Solna"}
        ]"#;
        let parsed = parse(body);
        assert_eq!(parsed.items.len(), 1);
        assert_eq!(parsed.items[0].guid.as_deref(), Some("9"));
        assert_eq!(
            parsed.rejected,
            vec![
                "record 1: missing 'id'".to_string(),
                "record 2: id 7: unreadable 'datetime' 'i morse': expected a time such as \
                 '2026-11-24 9:13:04 +01:00'"
                    .to_string(),
                "record 3: id 8: missing 'datetime'".to_string(),
                "record 4: 'id' is a number, expected an integer".to_string(),
                "record 5: expected an event object, found a string".to_string(),
            ]
        );
        // No url, no location: the item simply has none.
        assert!(parsed.items[0].link.is_none() && parsed.items[0].location.is_none());
    }

    #[test]
    fn default_severities_follow_the_table() {
        let settings = settings(&toml::Table::new()).unwrap();
        let cases = [
            ("Skottlossning", Severity::High),
            ("Mord/dråp, försök", Severity::High),
            ("Rån väpnat", Severity::High),
            ("Trafikolycka, personskada", Severity::Medium),
            ("Misshandel, grov", Severity::Medium),
            ("Rån", Severity::Medium),
            ("Farligt föremål, misstänkt", Severity::Medium),
            ("Larm Överfall", Severity::Medium),
            ("Brand", Severity::Low),
            ("Brand automatlarm", Severity::Low),
            ("Trafikolycka", Severity::Low),
            ("Sammanfattning natt", Severity::Info),
            ("Sammanfattning kväll och natt", Severity::Info),
            ("Övrigt", Severity::Info),
            ("Trafikkontroll", Severity::Info),
            ("En helt ny typ", Severity::Low),
        ];
        for (name, expected) in cases {
            assert_eq!(severity(name, &settings), expected, "{name}");
        }
    }

    #[test]
    fn the_severity_option_overrides_the_defaults() {
        let parsed = Polisen
            .parse(
                &doc(ONE.as_bytes()),
                &options("severity = { \"brand\" = \"hög\", \"Skottlossning\" = \"critical\" }"),
            )
            .unwrap();
        assert_eq!(parsed.items[0].severity, Some(Severity::High));
        let settings =
            settings(&options("severity = { \"Skottlossning\" = \"critical\" }")).unwrap();
        assert_eq!(severity("Skottlossning", &settings), Severity::Critical);
        assert_eq!(severity("Rån", &settings), Severity::Medium);
    }

    #[test]
    fn bad_options_name_their_key() {
        let err = Polisen
            .check_options(&options("severity = { \"Brand\" = \"urgent\" }"))
            .unwrap_err();
        assert_eq!(err.key, "severity");
        assert!(err.message.contains("'Brand'") && err.message.contains("'urgent'"));
        let err = Polisen
            .check_options(&options("site = \"polisen.se\""))
            .unwrap_err();
        assert_eq!(err.key, "site");
        let err = Polisen.check_options(&options("site = 3")).unwrap_err();
        assert_eq!(err.key, "site");
        let err = Polisen
            .check_options(&options("locationname = \"Stockholm\""))
            .unwrap_err();
        assert_eq!(err.key, "locationname");
        assert!(Polisen.check_options(&toml::Table::new()).is_ok());
    }

    #[test]
    fn etiquette_keeps_to_polisens_rules() {
        let etiquette = Polisen.etiquette();
        assert!(etiquette.https_only);
        assert!(etiquette.min_interval >= Duration::from_secs(60));
    }

    #[test]
    fn the_demo_snapshot_parses_whole() {
        let parsed = parse(include_str!("../../feeds/demo/polisen-events.json"));
        assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
        assert_eq!(parsed.items.len(), 12);
        let shooting = parsed
            .items
            .iter()
            .find(|i| i.categories == ["Skottlossning"])
            .unwrap();
        assert_eq!(shooting.severity, Some(Severity::High));
        assert_eq!(
            shooting.published.unwrap().to_rfc3339(),
            "2026-11-24T23:44:19+00:00"
        );
    }

    /// A selection of 40 events in the API's real shape (types as the capture of 2023 had
    /// them), with Stockholm texts of our own.
    #[test]
    fn a_real_shaped_selection_parses_whole() {
        let body = include_str!("../../tests/fixtures/authorities/polisen/events-stockholm.json");
        let parsed = parse(body);
        assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
        assert_eq!(parsed.items.len(), 40);
        for item in &parsed.items {
            let link = item.link.as_deref().unwrap();
            assert!(
                link.starts_with("https://polisen.se/aktuellt/handelser/"),
                "{link}"
            );
            let location = item.location.as_ref().unwrap();
            assert!(
                (58.5..60.5).contains(&location.lat.unwrap())
                    && (17.0..19.5).contains(&location.lon.unwrap()),
                "{location:?}"
            );
            assert!(item.published.is_some() && item.severity.is_some());
        }
        let count = |level| {
            parsed
                .items
                .iter()
                .filter(|i| i.severity == Some(level))
                .count()
        };
        assert!(count(Severity::High) >= 3);
        assert!(count(Severity::Medium) >= 5);
        assert!(count(Severity::Info) >= 3);
        // The capture's unpadded hours are in the selection too.
        assert!(body.contains(" 9:") || body.contains(" 8:"));
    }
}
