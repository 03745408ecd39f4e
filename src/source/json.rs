//! The `json` kind: any JSON API mapped to items by JSON Pointers in `[source.options]`.
//!
//! For APIs without a kind of their own (SL deviations, Trafikverket's situations, a
//! municipality's own API). The option `items` points at the item array; every other pointer
//! is relative to one item and names where a field is found (see `Options` below). The kind reads
//! only what it is pointed at: request method, body and headers are source keys the fetcher
//! handles.
//!
//! Pointers are RFC 6901 (`/a/0/b`, `~1` for `/` and `~0` for `~` in a key) with one
//! extension: a segment `*` stands for every element of an array, so
//! `/RESPONSE/RESULT/*/Situation/*/Deviation/*` flattens Trafikverket's nested arrays. `""`
//! and `/` both mean the whole value. A field may name an array of pointers: the first that
//! yields a non-empty value wins (SL's `message_variants/0/header`, then `/1/header`).
//!
//! Values: strings, numbers and booleans become text; null, missing, objects and empty strings
//! count as no value. Times are read by `common::parse_time` (RFC 3339 and the like; no offset
//! means Stockholm time); a number is Unix seconds, or milliseconds when it is that large.
//! Coordinates come from `lat`/`lon` or a WKT `point` ("POINT (lon lat)", as Trafikverket
//! writes it), always stored as (lat, lon); out-of-range ones are dropped.
//!
//! Records: one without an id or a title, or with a time that is present but unreadable, is
//! rejected with the record number and the pointer ("record 4: no value at '/Header'"); the
//! others still count. A document that is not JSON, or whose item array is missing or not an
//! array, is a [`ParseError`]: a changed API must show on the source's health, not as calm.
//!
//! Alerts: with `expires` configured, each item is also an alert message (version
//! `id@updated`, or `id@published`), so a disruption ends when its end time passes.
//!
//! Severity: the `severity` value is looked up in `severity_map` (text, case-insensitive),
//! else read as a level name; otherwise `default_severity`, or none:
//!
//! | value at `severity`             | level |
//! |---------------------------------|-------|
//! | a key of `severity_map`         | its mapped level |
//! | a level name ("high", "låg", …) | that level |
//! | anything else, or no value      | `default_severity` (the text kept as `extra.severity_raw`) |

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::common::{json_document, json_kind, lat_lon, parse_time, quoted};
use super::{Document, Kind, OptionError, ParseError, Parsed, read_options};
use crate::item::{
    AlertStatus, GeoArea, Location, MessageType, RawAlert, RawItem, RawText, Severity,
};

/// Generic JSON mapped by pointers.
pub struct Json;

/// `[source.options]` of a `json` source. Pointer fields take a pointer string or an array of
/// them (the first that yields a value wins); all but `items` are relative to one item.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    /// Required: the array of items ("" or "/" for the document root), or with `*` segments
    /// the items themselves (an array reached that way counts as its elements).
    items: String,
    /// Required: the item's id (the guid its messages are stored under).
    id: Pointers,
    /// Required: the item's title.
    title: Pointers,
    /// A short description.
    summary: Option<Pointers>,
    /// The full text.
    body: Option<Pointers>,
    /// The item's link; relative links resolve against `link_base`.
    url: Option<Pointers>,
    /// When it was published.
    published: Option<Pointers>,
    /// When it was last updated.
    updated: Option<Pointers>,
    /// When it ends; setting this makes each item an alert that expires.
    expires: Option<Pointers>,
    /// Categories: a string, or an array of strings, or a `*` pointer yielding several.
    category: Option<Pointers>,
    /// A place name; every value the pointer yields also becomes an area name.
    location_name: Option<Pointers>,
    /// Latitude (a number or numeric text).
    lat: Option<Pointers>,
    /// Longitude (a number or numeric text).
    lon: Option<Pointers>,
    /// A WKT point, "POINT (lon lat)"; used when `lat`/`lon` give nothing.
    point: Option<Pointers>,
    /// A value to grade by: mapped by `severity_map`, else read as a level name.
    severity: Option<Pointers>,
    /// County or municipality codes (SCB) of the item's area.
    geocode: Option<Pointers>,
    /// Severity per value text at `severity`: `{ "Stor påverkan" = "medium" }`.
    #[serde(default)]
    severity_map: BTreeMap<String, String>,
    /// Whether text fields are HTML (default false: plain text).
    #[serde(default)]
    html: bool,
    /// An absolute URL relative links resolve against (default: the document's URL, when it
    /// holds no secret).
    link_base: Option<String>,
    /// The level of items whose `severity` gives nothing known.
    default_severity: Option<String>,
}

/// One pointer or several in order of preference.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Pointers {
    One(String),
    Many(Vec<String>),
}

/// Options whose values are pointers (other than `items`).
const POINTER_KEYS: &[&str] = &[
    "id",
    "title",
    "summary",
    "body",
    "url",
    "published",
    "updated",
    "expires",
    "category",
    "location_name",
    "lat",
    "lon",
    "point",
    "severity",
    "geocode",
];

/// A parsed pointer: the text for messages, and its segments.
#[derive(Debug, Clone)]
struct Pointer {
    text: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    /// An object key, or an array index when it is a number.
    Key(String),
    /// Every element of an array.
    Each,
}

/// A field's pointers in order of preference.
type Field = Vec<Pointer>;

/// The options checked and compiled.
struct Mapping {
    items: Pointer,
    id: Field,
    title: Field,
    summary: Field,
    body: Field,
    url: Field,
    published: Field,
    updated: Field,
    expires: Option<Field>,
    category: Field,
    location_name: Field,
    lat: Field,
    lon: Field,
    point: Field,
    severity: Field,
    geocode: Field,
    /// Keys lowercased and trimmed.
    severity_map: BTreeMap<String, Severity>,
    html: bool,
    link_base: Option<Url>,
    default_severity: Option<Severity>,
}

impl Kind for Json {
    fn name(&self) -> &'static str {
        "json"
    }

    fn check_options(&self, options: &toml::Table) -> Result<(), OptionError> {
        mapping(options).map(|_| ())
    }

    fn parse(&self, doc: &Document, options: &toml::Table) -> Result<Parsed, ParseError> {
        let mapping = mapping(options)
            .map_err(|e| ParseError(format!("bad option '{}': {}", e.key, e.message)))?;
        let root = json_document(doc)?;
        let base = mapping.link_base.as_ref().or(doc.link_base.as_ref());
        let mut parsed = Parsed::default();
        for (index, record) in items(&root, &mapping.items)?.into_iter().enumerate() {
            match item(record, &mapping, base) {
                Ok(item) => parsed.items.push(item),
                Err(reason) => parsed
                    .rejected
                    .push(format!("record {}: {reason}", index + 1)),
            }
        }
        Ok(parsed)
    }
}

/// Reads and checks the options; every error names its key.
fn mapping(options: &toml::Table) -> Result<Mapping, OptionError> {
    check_types(options)?;
    let o: Options = read_options(options)?;
    let field = |key: &str, pointers: Option<&Pointers>| -> Result<Field, OptionError> {
        let texts: Vec<&String> = match pointers {
            None => Vec::new(),
            Some(Pointers::One(p)) => vec![p],
            Some(Pointers::Many(ps)) => ps.iter().collect(),
        };
        texts
            .into_iter()
            .map(|t| Pointer::parse(t).map_err(|message| error(key, message)))
            .collect()
    };
    let level = |key: &str, label: &str, what: String| {
        Severity::parse(label).ok_or_else(|| {
            error(
                key,
                format!(
                    "{what}unknown level '{label}'; expected info, low, medium, high or critical"
                ),
            )
        })
    };
    let mut severity_map = BTreeMap::new();
    for (value, label) in &o.severity_map {
        let severity = level("severity_map", label, format!("'{value}': "))?;
        severity_map.insert(value.trim().to_lowercase(), severity);
    }
    let link_base = match &o.link_base {
        None => None,
        Some(text) => Some(
            Url::parse(text)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                .ok_or_else(|| {
                    error(
                        "link_base",
                        format!(
                            "'{text}' is not an absolute http(s) URL (e.g. \"https://sl.se/\")"
                        ),
                    )
                })?,
        ),
    };
    let mapping = Mapping {
        items: Pointer::parse(&o.items).map_err(|m| error("items", m))?,
        id: field("id", Some(&o.id))?,
        title: field("title", Some(&o.title))?,
        summary: field("summary", o.summary.as_ref())?,
        body: field("body", o.body.as_ref())?,
        url: field("url", o.url.as_ref())?,
        published: field("published", o.published.as_ref())?,
        updated: field("updated", o.updated.as_ref())?,
        expires: match &o.expires {
            Some(p) => Some(field("expires", Some(p))?),
            None => None,
        },
        category: field("category", o.category.as_ref())?,
        location_name: field("location_name", o.location_name.as_ref())?,
        lat: field("lat", o.lat.as_ref())?,
        lon: field("lon", o.lon.as_ref())?,
        point: field("point", o.point.as_ref())?,
        severity: field("severity", o.severity.as_ref())?,
        geocode: field("geocode", o.geocode.as_ref())?,
        severity_map,
        html: o.html,
        link_base,
        default_severity: match &o.default_severity {
            Some(label) => Some(level("default_severity", label, String::new())?),
            None => None,
        },
    };
    Ok(mapping)
}

/// Checks value types and required keys before serde, whose messages would not name the key.
fn check_types(options: &toml::Table) -> Result<(), OptionError> {
    for key in ["items", "id", "title"] {
        if !options.contains_key(key) {
            return Err(error(key, "required option is missing".into()));
        }
    }
    for (key, value) in options {
        let ok = match key.as_str() {
            "items" | "link_base" | "default_severity" => value.is_str(),
            "html" => value.is_bool(),
            "severity_map" => value
                .as_table()
                .is_some_and(|t| t.values().all(toml::Value::is_str)),
            k if POINTER_KEYS.contains(&k) => match value {
                toml::Value::String(_) => true,
                toml::Value::Array(a) => !a.is_empty() && a.iter().all(toml::Value::is_str),
                _ => false,
            },
            // Unknown keys are reported by serde, with the key named.
            _ => true,
        };
        if !ok {
            let expected = match key.as_str() {
                "items" => "a JSON Pointer string",
                "link_base" => "a URL string",
                "default_severity" => "a level string",
                "html" => "true or false",
                "severity_map" => "a table from value text to level, e.g. { \"3\" = \"high\" }",
                _ => "a JSON Pointer string or a non-empty array of them",
            };
            return Err(error(
                key,
                format!("expected {expected}, found {}", shown(value)),
            ));
        }
    }
    Ok(())
}

fn error(key: &str, message: String) -> OptionError {
    OptionError {
        key: key.into(),
        message,
    }
}

/// A TOML value for a message: its type, and strings quoted.
fn shown(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => format!("'{s}'"),
        other => other.type_str().to_string(),
    }
}

impl Pointer {
    /// Parses RFC 6901 text with `*` segments; "" and "/" are the whole value.
    fn parse(text: &str) -> Result<Pointer, String> {
        if text.is_empty() || text == "/" {
            return Ok(Pointer {
                text: text.into(),
                segments: Vec::new(),
            });
        }
        let Some(rest) = text.strip_prefix('/') else {
            return Err(format!(
                "'{text}' is not a JSON Pointer: it must be empty or start with '/' (e.g. '/{text}')"
            ));
        };
        let segments = rest
            .split('/')
            .map(|raw| match raw {
                "*" => Ok(Segment::Each),
                _ => unescape(raw).map(Segment::Key),
            })
            .collect::<Result<_, _>>()
            .map_err(|e| format!("'{text}': {e}"))?;
        Ok(Pointer {
            text: text.into(),
            segments,
        })
    }

    /// Every value the pointer reaches from `value`, in document order.
    fn resolve<'a>(&self, value: &'a Value) -> Vec<&'a Value> {
        let mut out = Vec::new();
        resolve(value, &self.segments, &mut out);
        out
    }
}

/// A key with RFC 6901 escapes undone: `~1` is `/`, `~0` is `~`.
fn unescape(raw: &str) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                _ => return Err("'~' must be followed by 0 or 1 ('~0' is '~', '~1' is '/')".into()),
            }
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

fn resolve<'a>(value: &'a Value, segments: &[Segment], out: &mut Vec<&'a Value>) {
    let Some((first, rest)) = segments.split_first() else {
        out.push(value);
        return;
    };
    match (first, value) {
        (Segment::Each, Value::Array(elements)) => {
            for element in elements {
                resolve(element, rest, out);
            }
        }
        (Segment::Key(key), Value::Object(map)) => {
            if let Some(next) = map.get(key) {
                resolve(next, rest, out);
            }
        }
        (Segment::Key(key), Value::Array(elements)) => {
            // RFC 6901: an index is digits without leading zeros.
            let digits = key.bytes().all(|b| b.is_ascii_digit());
            let index = (digits && (key == "0" || !key.starts_with('0')))
                .then(|| key.parse::<usize>().ok())
                .flatten();
            if let Some(next) = index.and_then(|i| elements.get(i)) {
                resolve(next, rest, out);
            }
        }
        _ => {}
    }
}

/// The records the `items` pointer names. A missing or non-array container is an error: it
/// means the API changed or answered with an error object, not that nothing is happening.
fn items<'a>(root: &'a Value, pointer: &Pointer) -> Result<Vec<&'a Value>, ParseError> {
    let fixed = pointer
        .segments
        .iter()
        .position(|s| *s == Segment::Each)
        .unwrap_or(pointer.segments.len());
    let where_ = |text: &str| {
        if text.is_empty() {
            "the document root".to_string()
        } else {
            format!("'{text}'")
        }
    };
    let prefix = pointer.segments.get(..fixed).unwrap_or(&[]);
    let has_each = fixed < pointer.segments.len();
    let prefix_text = prefix_text(prefix);
    let mut container = Vec::new();
    resolve(root, prefix, &mut container);
    match container.first() {
        None => {
            return Err(ParseError(format!(
                "no value at {}: expected the array of items (option 'items' = '{}')",
                where_(&prefix_text),
                pointer.text
            )));
        }
        Some(Value::Array(elements)) if !has_each => return Ok(elements.iter().collect()),
        Some(Value::Array(_)) => {}
        Some(other) => {
            return Err(ParseError(format!(
                "expected an array of items at {}, found {}",
                where_(&prefix_text),
                json_kind(other)
            )));
        }
    }
    let mut out = Vec::new();
    for value in pointer.resolve(root) {
        match value {
            Value::Array(elements) => out.extend(elements),
            other => out.push(other),
        }
    }
    Ok(out)
}

/// Pointer text for a run of key segments (escapes restored), for messages.
fn prefix_text(segments: &[Segment]) -> String {
    segments
        .iter()
        .map(|s| match s {
            Segment::Key(k) => format!("/{}", k.replace('~', "~0").replace('/', "~1")),
            Segment::Each => "/*".into(),
        })
        .collect()
}

/// The scalar values of the first pointer that yields any (arrays of scalars flattened), with
/// that pointer.
fn values<'a, 'p>(record: &'a Value, field: &'p Field) -> Option<(&'p Pointer, Vec<&'a Value>)> {
    field.iter().find_map(|pointer| {
        let mut found = Vec::new();
        for value in pointer.resolve(record) {
            match value {
                Value::Array(elements) => found.extend(elements.iter().filter(|v| is_value(v))),
                v if is_value(v) => found.push(v),
                _ => {}
            }
        }
        (!found.is_empty()).then_some((pointer, found))
    })
}

/// Whether a value counts: a non-blank string, a number or a boolean.
fn is_value(value: &Value) -> bool {
    match value {
        Value::String(s) => !s.trim().is_empty(),
        Value::Number(_) | Value::Bool(_) => true,
        _ => false,
    }
}

/// A scalar as text (numbers as JSON writes them).
fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.trim().to_string(),
        other => other.to_string(),
    }
}

/// Every text the field yields, without repeats.
fn texts(record: &Value, field: &Field) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for value in values(record, field).map(|(_, v)| v).unwrap_or_default() {
        let text = text_of(value);
        if !out.contains(&text) {
            out.push(text);
        }
    }
    out
}

/// The field's first text.
fn text(record: &Value, field: &Field) -> Option<String> {
    values(record, field).and_then(|(_, v)| v.first().map(|v| text_of(v)))
}

/// A required text, or why it is missing.
fn required(record: &Value, field: &Field) -> Result<String, String> {
    if let Some(text) = text(record, field) {
        return Ok(text);
    }
    // Say what is there instead, when something is.
    for pointer in field {
        if let Some(other) = pointer.resolve(record).into_iter().find(|v| !v.is_null()) {
            let kind = json_kind(other);
            if !matches!(other, Value::String(_)) {
                return Err(format!("'{}' is {kind}, expected text", pointer.text));
            }
        }
    }
    let tried: Vec<String> = field.iter().map(|p| format!("'{}'", p.text)).collect();
    Err(format!("no value at {}", tried.join(" or ")))
}

/// A time field: none when absent, an error naming the field when present but unreadable.
fn time(record: &Value, field: &Field, name: &str) -> Result<Option<DateTime<Utc>>, String> {
    let Some((pointer, found)) = values(record, field) else {
        return Ok(None);
    };
    let Some(value) = found.first() else {
        return Ok(None);
    };
    let parsed = match value {
        Value::Number(n) => n.as_i64().and_then(|n| {
            // Seconds would put 1e11 in the year 5138: anything that large is milliseconds.
            if n.unsigned_abs() >= 100_000_000_000 {
                DateTime::from_timestamp_millis(n)
            } else {
                DateTime::from_timestamp(n, 0)
            }
        }),
        other => parse_time(&text_of(other)),
    };
    parsed.map(Some).ok_or_else(|| {
        format!(
            "unreadable {name} time {} at '{}': expected RFC 3339 such as 2026-11-24T07:42:00+01:00",
            quoted(&text_of(value)),
            pointer.text
        )
    })
}

/// A coordinate: a number, or text that is one.
fn number(record: &Value, field: &Field) -> Option<f64> {
    match values(record, field)?.1.first()? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// (lat, lon) from WKT "POINT (lon lat)" (a Z or M value after them is ignored).
fn wkt_point(text: &str) -> Option<(f64, f64)> {
    let text = text.trim();
    let rest = text
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case("point"))
        .and_then(|_| text.get(5..))?;
    let rest = rest
        .trim_start()
        .trim_start_matches(['Z', 'z', 'M', 'm'])
        .trim_start();
    let inner = rest.strip_prefix('(')?.trim_end().strip_suffix(')')?;
    let mut numbers = inner.split_whitespace();
    let lon: f64 = numbers.next()?.parse().ok()?;
    let lat: f64 = numbers.next()?.parse().ok()?;
    lat_lon(lat, lon)
}

/// One record as an item, or why it cannot be one.
fn item(record: &Value, m: &Mapping, base: Option<&Url>) -> Result<RawItem, String> {
    let id = required(record, &m.id)?;
    let title = required(record, &m.title)?;
    let published = time(record, &m.published, "published")?;
    let updated = time(record, &m.updated, "updated")?;
    let expires = match &m.expires {
        Some(field) => Some(time(record, field, "expires")?),
        None => None,
    };
    let as_text = |t: String| {
        if m.html {
            RawText::html(t)
        } else {
            RawText::plain(t)
        }
    };
    let link = text(record, &m.url).and_then(|u| match base {
        Some(base) => base.join(&u).ok().map(String::from),
        None => Url::parse(&u).ok().map(String::from),
    });
    let mut item = RawItem {
        guid: Some(id.clone()),
        title: Some(as_text(title)),
        summary: text(record, &m.summary).map(as_text),
        body: text(record, &m.body).map(as_text),
        link,
        published,
        updated,
        categories: texts(record, &m.category),
        ..RawItem::default()
    };

    let point = match (number(record, &m.lat), number(record, &m.lon)) {
        (Some(lat), Some(lon)) => lat_lon(lat, lon),
        _ => None,
    }
    .or_else(|| text(record, &m.point).and_then(|p| wkt_point(&p)));
    let names = texts(record, &m.location_name);
    if !names.is_empty() || point.is_some() {
        item.location = Some(Location {
            name: names.first().cloned(),
            lat: point.map(|p| p.0),
            lon: point.map(|p| p.1),
            approximate: false,
        });
    }
    item.areas = names
        .into_iter()
        .map(|name| GeoArea {
            name: Some(name),
            ..GeoArea::default()
        })
        .collect();
    let geocodes = texts(record, &m.geocode);
    match item.areas.as_mut_slice() {
        _ if geocodes.is_empty() => {}
        [only] => only.geocodes = geocodes,
        _ => item.areas.push(GeoArea {
            geocodes,
            ..GeoArea::default()
        }),
    }

    let graded = text(record, &m.severity);
    let known = graded.as_deref().and_then(|g| {
        m.severity_map
            .get(&g.to_lowercase())
            .copied()
            .or_else(|| Severity::parse(g))
    });
    if let (None, Some(raw)) = (known, graded) {
        // Kept so a table entry can be written for it.
        item.extra.insert("severity_raw".into(), raw);
    }
    item.severity = known.or(m.default_severity);

    if let Some(expires) = expires {
        let sent = updated.or(published);
        item.alert = Some(RawAlert {
            version: match sent {
                Some(t) => format!("{id}@{}", t.to_rfc3339()),
                None => id,
            },
            status: AlertStatus::Actual,
            msg_type: MessageType::Alert,
            sent,
            expires,
            ..RawAlert::default()
        });
    }
    Ok(item)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body: &str, link_base: Option<&str>) -> Document {
        Document {
            name: "json".into(),
            bytes: body.as_bytes().to_vec(),
            content_type: Some("application/json".into()),
            url: Url::parse("https://api.example.se/v1/messages?future=true").unwrap(),
            link_base: link_base.map(|b| Url::parse(b).unwrap()),
            spool_file: None,
        }
    }

    fn options(text: &str) -> toml::Table {
        text.parse().unwrap()
    }

    fn parse(body: &str, opts: &str) -> Parsed {
        let opts = options(opts);
        Json.check_options(&opts).unwrap();
        Json.parse(&doc(body, None), &opts).unwrap()
    }

    fn utc(t: Option<DateTime<Utc>>) -> String {
        t.map(|t| t.to_rfc3339()).unwrap_or_default()
    }

    const SL: &str = r#"
        items = ""
        id = "/deviation_case_id"
        title = ["/message_variants/0/header", "/message_variants/1/header"]
        summary = ["/message_variants/0/details", "/message_variants/1/details"]
        url = "/message_variants/0/weblink"
        published = "/created"
        updated = "/modified"
        expires = "/publish/upto"
        category = "/scope/lines/*/group_of_lines"
        location_name = "/scope/stop_areas/*/name"
        severity = "/priority/importance_level"
        severity_map = { "1" = "info", "2" = "info", "3" = "low", "4" = "low", "5" = "medium", "6" = "medium", "7" = "high", "8" = "high", "9" = "high" }
        link_base = "https://sl.se/"
    "#;

    const TRAFIKVERKET: &str = r#"
        items = "/RESPONSE/RESULT/*/Situation/*/Deviation/*"
        id = "/Id"
        title = ["/Header", "/Message"]
        summary = "/Message"
        published = ["/CreationTime", "/StartTime"]
        updated = "/VersionTime"
        expires = "/EndTime"
        category = "/MessageType"
        location_name = ["/LocationDescriptor", "/RoadNumber"]
        point = ["/Geometry/Point/WGS84", "/Geometry/WGS84"]
        severity = "/SeverityText"
        severity_map = { "Ingen påverkan" = "info", "Liten påverkan" = "low", "Stor påverkan" = "medium", "Mycket stor påverkan" = "high" }
    "#;

    #[test]
    fn sl_deviations_map_with_a_title_from_the_first_variant_that_has_one() {
        let body = include_str!("../../tests/fixtures/authorities/json/sl-deviations.json");
        let parsed = parse(body, SL);
        assert_eq!(parsed.items.len(), 3);
        let signal = &parsed.items[0];
        assert_eq!(signal.guid.as_deref(), Some("71823104"));
        assert_eq!(
            signal.title,
            Some(RawText::plain(
                "Signalfel vid Slussen, tåg på röda linjen går med stora förseningar"
            ))
        );
        assert!(
            signal
                .summary
                .as_ref()
                .unwrap()
                .text
                .starts_with("På grund av signalfel")
        );
        assert_eq!(
            signal.link.as_deref(),
            Some("https://sl.se/trafikinformation/storningar/71823104")
        );
        assert_eq!(utc(signal.published), "2026-11-25T05:12:40.118+00:00");
        assert_eq!(utc(signal.updated), "2026-11-25T06:41:09.502+00:00");
        assert_eq!(
            signal.categories,
            vec!["Tunnelbanans röda linje".to_string()]
        );
        let location = signal.location.as_ref().unwrap();
        assert_eq!(location.name.as_deref(), Some("Slussen"));
        let areas: Vec<_> = signal.areas.iter().map(|a| a.name.as_deref()).collect();
        assert_eq!(areas, vec![Some("Slussen"), Some("Gamla stan")]);
        assert_eq!(signal.severity, Some(Severity::High));
        let alert = signal.alert.as_ref().unwrap();
        assert_eq!(alert.version, "71823104@2026-11-25T06:41:09.502+00:00");
        assert_eq!(
            (alert.status, alert.msg_type),
            (AlertStatus::Actual, MessageType::Alert)
        );
        assert_eq!(alert.sent, signal.updated);
        assert_eq!(utc(alert.expires), "2026-11-25T11:00:00+00:00");

        // Variant 0 has a null header: the second pointer gives the title.
        let buses = &parsed.items[1];
        assert_eq!(
            buses.title.as_ref().unwrap().text,
            "Ersättningsbussar på Saltsjöbanan mellan Slussen och Saltsjöbaden"
        );
        assert_eq!(buses.severity, Some(Severity::Low));
        assert!(buses.link.is_none());

        // No `publish.upto`: still an alert, with no end.
        let tram = &parsed.items[2];
        assert_eq!(tram.alert.as_ref().unwrap().expires, None);
        assert_eq!(tram.severity, Some(Severity::Medium));

        assert_eq!(
            parsed.rejected,
            vec![
                "record 4: no value at '/message_variants/0/header' or \
                 '/message_variants/1/header'"
                    .to_string()
            ]
        );
    }

    #[test]
    fn trafikverket_situations_flatten_with_star_segments() {
        let body =
            include_str!("../../tests/fixtures/authorities/json/trafikverket-situations.json");
        let parsed = parse(body, TRAFIKVERKET);
        assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
        let ids: Vec<_> = parsed
            .items
            .iter()
            .map(|i| i.guid.as_deref().unwrap())
            .collect();
        assert_eq!(
            ids,
            vec![
                "SE_STA_TRISSID_1_20411876",
                "SE_STA_TRISSID_1_20411877",
                "SE_STA_TRISSID_1_20409120"
            ]
        );
        let crash = &parsed.items[0];
        assert_eq!(
            crash.title.as_ref().unwrap().text,
            "Olycka på E4 Essingeleden norrgående"
        );
        // WKT is "POINT (lon lat)"; stored as lat, lon.
        let location = crash.location.as_ref().unwrap();
        assert_eq!(
            (location.lat, location.lon),
            (Some(59.32352), Some(17.99301))
        );
        assert_eq!(location.name.as_deref(), Some("E4"));
        assert_eq!(crash.severity, Some(Severity::Medium));
        assert_eq!(crash.categories, vec!["Olycka".to_string()]);
        let alert = crash.alert.as_ref().unwrap();
        assert_eq!(
            alert.version,
            "SE_STA_TRISSID_1_20411876@2026-11-25T06:52:03+00:00"
        );
        assert_eq!(utc(alert.expires), "2026-11-25T08:30:00+00:00");

        // No Header: the message is the title; no VersionTime: published names the version.
        let queue = &parsed.items[1];
        assert!(queue.title.as_ref().unwrap().text.starts_with("Kö på E4"));
        assert_eq!(
            queue.alert.as_ref().unwrap().version,
            "SE_STA_TRISSID_1_20411877@2026-11-25T06:25:00+00:00"
        );
        assert_eq!(queue.alert.as_ref().unwrap().expires, None);

        // Ending the pointer on the array, without a last `*`, reads the same items.
        let without_last_star = TRAFIKVERKET.replace("Deviation/*\"", "Deviation\"");
        assert_eq!(parse(body, &without_last_star).items.len(), 3);
    }

    #[test]
    fn the_demo_snapshots_parse_whole_with_the_documented_options() {
        let sl = parse(include_str!("../../feeds/demo/sl-deviations.json"), SL);
        assert!(sl.rejected.is_empty(), "{:?}", sl.rejected);
        assert_eq!(sl.items.len(), 5);
        assert!(
            sl.items
                .iter()
                .all(|i| i.link.is_some() && i.alert.is_some())
        );
        let roads = parse(
            include_str!("../../feeds/demo/trafikverket.json"),
            TRAFIKVERKET,
        );
        assert!(roads.rejected.is_empty(), "{:?}", roads.rejected);
        assert_eq!(roads.items.len(), 2);
        let essingeleden = roads.items[0].location.as_ref().unwrap();
        assert_eq!(
            essingeleden.name.as_deref(),
            Some("E4 Essingeleden vid Stora Essingen")
        );
        assert_eq!(essingeleden.lat, Some(59.32352));
    }

    #[test]
    fn pointer_escapes_follow_rfc_6901() {
        let pointer = Pointer::parse("/läge~1status/a~0b/0").unwrap();
        assert_eq!(
            pointer.segments,
            vec![
                Segment::Key("läge/status".into()),
                Segment::Key("a~b".into()),
                Segment::Key("0".into())
            ]
        );
        let value: Value = serde_json::json!({"läge/status": {"a~b": ["Farsta", "Solna"]}});
        assert_eq!(pointer.resolve(&value), vec![&Value::from("Farsta")]);
        // "~01" is "~1" as a key, not "/".
        assert_eq!(
            Pointer::parse("/~01").unwrap().segments,
            vec![Segment::Key("~1".into())]
        );
        // Leading zeros are not array indexes.
        let leading = Pointer::parse("/läge~1status/a~0b/01").unwrap();
        assert!(leading.resolve(&value).is_empty());
        assert!(Pointer::parse("/a~2").is_err());
        assert!(Pointer::parse("a").is_err());
    }

    #[test]
    fn values_become_text_and_missing_ones_are_none() {
        let body = r#"[
            {"nr": 17, "rubrik": "Vattenläcka på Götgatan", "brådskande": true, "text": null,
             "lat": "59.3125", "lon": 18.0741, "plats": {}, "etiketter": ["vatten", 3, null, "vatten"]},
            {"nr": "B-2", "rubrik": "Elavbrott i Farsta", "text": "   "}
        ]"#;
        let opts = r#"
            items = "/"
            id = "/nr"
            title = "/rubrik"
            summary = "/text"
            body = "/saknas"
            category = "/etiketter"
            severity = "/brådskande"
            severity_map = { "true" = "high" }
            location_name = "/plats"
            lat = "/lat"
            lon = "/lon"
        "#;
        let parsed = parse(body, opts);
        let (first, second) = (&parsed.items[0], &parsed.items[1]);
        assert_eq!(first.guid.as_deref(), Some("17"));
        assert_eq!(first.severity, Some(Severity::High));
        assert_eq!(
            first.categories,
            vec!["vatten".to_string(), "3".to_string()]
        );
        assert!(first.summary.is_none() && first.body.is_none());
        let location = first.location.as_ref().unwrap();
        assert_eq!(
            (location.name.as_deref(), location.lat, location.lon),
            (None, Some(59.3125), Some(18.0741))
        );
        assert!(first.alert.is_none(), "no `expires` option: no alert");
        assert_eq!(second.guid.as_deref(), Some("B-2"));
        assert!(second.summary.is_none(), "blank text is no value");
        assert!(second.location.is_none() && second.severity.is_none());
        assert!(second.categories.is_empty() && second.published.is_none());
    }

    #[test]
    fn records_without_id_or_title_or_with_bad_times_are_rejected_alone() {
        let body = r#"[
            {"Id": "a", "Header": "Halka på Nynäsvägen", "Start": "2026-11-25T06:00:00+01:00"},
            {"Id": "b"},
            {"Header": "Utan id"},
            {"Id": "d", "Header": {"sv": "Objekt"}},
            {"Id": "e", "Header": "Fel tid", "Start": "i morse"},
            {"Id": "f", "Header": "Epoktid", "Start": 1795590000, "End": 1795600000000}
        ]"#;
        let opts = r#"
            items = ""
            id = "/Id"
            title = "/Header"
            published = "/Start"
            expires = "/End"
        "#;
        let parsed = parse(body, opts);
        let ids: Vec<_> = parsed
            .items
            .iter()
            .map(|i| i.guid.as_deref().unwrap())
            .collect();
        assert_eq!(ids, vec!["a", "f"]);
        assert_eq!(
            parsed.rejected,
            vec![
                "record 2: no value at '/Header'".to_string(),
                "record 3: no value at '/Id'".to_string(),
                "record 4: '/Header' is an object, expected text".to_string(),
                "record 5: unreadable published time 'i morse' at '/Start': expected RFC 3339 \
                 such as 2026-11-24T07:42:00+01:00"
                    .to_string(),
            ]
        );
        let epoch = &parsed.items[1];
        assert_eq!(utc(epoch.published), "2026-11-25T07:00:00+00:00");
        assert_eq!(
            utc(epoch.alert.as_ref().unwrap().expires),
            "2026-11-25T09:46:40+00:00"
        );
    }

    #[test]
    fn a_missing_or_wrong_item_array_is_a_document_error() {
        let opts = options(TRAFIKVERKET);
        let err = |body: &str| Json.parse(&doc(body, None), &opts).unwrap_err().0;
        assert_eq!(
            err(r#"{"RESPONSE": {"ERROR": {"MESSAGE": "Invalid authentication"}}}"#),
            "no value at '/RESPONSE/RESULT': expected the array of items (option 'items' = \
             '/RESPONSE/RESULT/*/Situation/*/Deviation/*')"
        );
        assert_eq!(
            err(r#"{"RESPONSE": {"RESULT": {"Situation": []}}}"#),
            "expected an array of items at '/RESPONSE/RESULT', found an object"
        );
        assert!(err("").contains("empty document"));
        assert!(err(r#"{"RESPONSE": {"RES"#).contains("invalid JSON"));
        let root = options("items = \"\"\nid = \"/id\"\ntitle = \"/t\"");
        assert_eq!(
            Json.parse(&doc("{}", None), &root).unwrap_err().0,
            "expected an array of items at the document root, found an object"
        );
        // An empty result is no items, not an error.
        let empty = Json
            .parse(&doc(r#"{"RESPONSE": {"RESULT": []}}"#, None), &opts)
            .unwrap();
        assert!(empty.items.is_empty() && empty.rejected.is_empty());
    }

    #[test]
    fn links_resolve_against_the_option_else_the_document() {
        let body = r#"[{"id": 1, "t": "Avstängd väg i Hägersten", "u": "/trafik/1", "html": "<b>Avstängt</b> &amp; omledning"}]"#;
        let base = "items = \"\"\nid = \"/id\"\ntitle = \"/t\"\nurl = \"/u\"\nbody = \"/html\"";
        let from_doc = Json
            .parse(
                &doc(body, Some("https://stad.example.se/api/")),
                &options(base),
            )
            .unwrap();
        assert_eq!(
            from_doc.items[0].link.as_deref(),
            Some("https://stad.example.se/trafik/1")
        );
        let without = Json.parse(&doc(body, None), &options(base)).unwrap();
        assert_eq!(
            without.items[0].link, None,
            "no base: a relative link is dropped"
        );
        let with_option = format!("{base}\nlink_base = \"https://start.stockholm/\"\nhtml = true");
        let parsed = Json
            .parse(
                &doc(body, Some("https://stad.example.se/api/")),
                &options(&with_option),
            )
            .unwrap();
        assert_eq!(
            parsed.items[0].link.as_deref(),
            Some("https://start.stockholm/trafik/1")
        );
        assert!(parsed.items[0].body.as_ref().unwrap().html);
        assert!(!from_doc.items[0].body.as_ref().unwrap().html);
    }

    #[test]
    fn wkt_points_are_lon_then_lat() {
        assert_eq!(wkt_point("POINT (18.05 59.31)"), Some((59.31, 18.05)));
        assert_eq!(wkt_point(" point(18.05 59.31) "), Some((59.31, 18.05)));
        assert_eq!(wkt_point("POINT Z (18.05 59.31 12)"), Some((59.31, 18.05)));
        assert_eq!(wkt_point("POINT (59.31 218.05)"), None);
        assert_eq!(wkt_point("LINESTRING (18.05 59.31, 18.06 59.32)"), None);
        assert_eq!(wkt_point("POINT (NaN 59.31)"), None);
        assert_eq!(wkt_point("PÖINT (18 59)"), None);
    }

    #[test]
    fn severity_falls_back_to_level_names_then_the_default() {
        let body = r#"[{"i": 1, "t": "a", "s": "Hög"}, {"i": 2, "t": "b", "s": "okänd"}, {"i": 3, "t": "c"}]"#;
        let opts = "items = \"\"\nid = \"/i\"\ntitle = \"/t\"\nseverity = \"/s\"\n\
                    default_severity = \"low\"\ngeocode = \"/kod\"";
        let parsed = parse(body, opts);
        let levels: Vec<_> = parsed.items.iter().map(|i| i.severity).collect();
        assert_eq!(
            levels,
            vec![
                Some(Severity::High),
                Some(Severity::Low),
                Some(Severity::Low)
            ]
        );
        assert_eq!(
            parsed.items[1]
                .extra
                .get("severity_raw")
                .map(String::as_str),
            Some("okänd")
        );
        assert!(parsed.items[0].extra.is_empty());
    }

    #[test]
    fn geocodes_join_the_single_area_or_stand_alone() {
        let body = r#"[
            {"i": 1, "t": "a", "plats": "Botkyrka", "kod": "0127"},
            {"i": 2, "t": "b", "plats": ["Solna", "Sundbyberg"], "kod": ["0184", "0183"]}
        ]"#;
        let opts = "items = \"\"\nid = \"/i\"\ntitle = \"/t\"\nlocation_name = \"/plats\"\ngeocode = \"/kod\"";
        let parsed = parse(body, opts);
        assert_eq!(
            parsed.items[0].areas,
            vec![GeoArea {
                name: Some("Botkyrka".into()),
                geocodes: vec!["0127".into()],
                ..GeoArea::default()
            }]
        );
        let second = &parsed.items[1].areas;
        assert_eq!(second.len(), 3);
        assert_eq!(
            second[2].geocodes,
            vec!["0184".to_string(), "0183".to_string()]
        );
        assert_eq!(second[2].name, None);
    }

    #[test]
    fn bad_options_name_their_key() {
        let base = "items = \"\"\nid = \"/id\"\ntitle = \"/t\"\n";
        let check = |extra: &str| {
            Json.check_options(&options(&format!("{base}{extra}")))
                .unwrap_err()
        };
        let cases = [
            (
                "summary = \"Message\"",
                "summary",
                "must be empty or start with '/'",
            ),
            ("body = \"/a~2\"", "body", "'~' must be followed by 0 or 1"),
            (
                "url = 3",
                "url",
                "expected a JSON Pointer string or a non-empty array of them, found integer",
            ),
            ("category = []", "category", "non-empty array"),
            (
                "html = \"yes\"",
                "html",
                "expected true or false, found 'yes'",
            ),
            (
                "link_base = \"sl.se\"",
                "link_base",
                "not an absolute http(s) URL",
            ),
            (
                "default_severity = \"svår\"",
                "default_severity",
                "unknown level 'svår'",
            ),
            (
                "severity_map = { \"3\" = \"röd\" }",
                "severity_map",
                "'3': unknown level 'röd'",
            ),
            (
                "severity_map = { \"3\" = 3 }",
                "severity_map",
                "expected a table",
            ),
            ("method = \"POST\"", "method", "unknown field"),
        ];
        for (extra, key, message) in cases {
            let err = check(extra);
            assert_eq!(err.key, key, "{extra}: {err:?}");
            assert!(err.message.contains(message), "{extra}: {}", err.message);
        }
        let missing = Json
            .check_options(&options("items = \"\"\nid = \"/id\""))
            .unwrap_err();
        assert_eq!(missing.key, "title");
        let items = Json
            .check_options(&options("items = \"RESULT\"\nid = \"/id\"\ntitle = \"/t\""))
            .unwrap_err();
        assert_eq!(items.key, "items");
        assert!(Json.check_options(&options(SL)).is_ok());
        assert!(Json.check_options(&options(TRAFIKVERKET)).is_ok());
    }
}
