//! The `sr-vma` kind: Sveriges Radio's VMA API v3 (`vmaapi.sr.se/api/v3/alerts`), CAP 1.2
//! written as JSON: `{timestamp, alerts[]}` with camelCase CAP fields.
//!
//! Each alert is read into [`CapAlert`] and mapped by [`cap_model::to_raw_item`], so the CAP
//! rules (language choice, `references`, SCB geocodes, shapes in (lat, lon)) are the same as
//! for the XML `cap` kind. Quirks handled:
//! - `info` is an array, or `null` on a Cancel: the Cancel still becomes an item carrying its
//!   `references`, and the store folds it into the alert it cancels.
//! - `category` is an array in real data and a string in some clients' fixtures: both read.
//! - `references` is a string, `null` or absent; `instruction` may be `null`.
//! - `alerts: []` is a quiet period: zero items, not an error (an empty body still is one).
//! - The same Cancel is served again later under a new `timestamp`: the identifier is the
//!   guid, so it is the same item (ids are authoritative).
//! - `status: Exercise` is kept, so drills are marked as such, never passed off as real.
//!
//! | SR VMA                      | severity                                        |
//! |-----------------------------|-------------------------------------------------|
//! | any message, any `status`   | critical: a VMA is critical (a drill stays one) |

use serde::Deserialize;

use super::cap_model::{self, CapAlert, CapArea, CapInfo};
use super::{Document, Kind, OptionError, ParseError, Parsed, common, read_options};
use crate::item::Severity;

/// Sveriges Radio's VMA feed.
pub struct SrVma;

/// `[source.options]` of an `sr-vma` source.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    /// The language whose `info` block is shown ("sv" matches "sv-SE"); the first block when
    /// no block matches. Default "sv".
    #[serde(default = "default_language")]
    language: String,
}

fn default_language() -> String {
    "sv".into()
}

/// The response: `timestamp` changes on every call and is not needed.
#[derive(Debug, Deserialize)]
struct Response {
    alerts: Option<Vec<serde_json::Value>>,
}

/// One CAP message as SR writes it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VmaAlert {
    identifier: String,
    sender: Option<String>,
    sent: Option<String>,
    status: Option<String>,
    msg_type: Option<String>,
    scope: Option<String>,
    references: Option<OneOrMany>,
    note: Option<String>,
    incidents: Option<OneOrMany>,
    info: Option<Vec<VmaInfo>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VmaInfo {
    language: Option<String>,
    category: Option<OneOrMany>,
    event: Option<String>,
    urgency: Option<String>,
    severity: Option<String>,
    certainty: Option<String>,
    effective: Option<String>,
    onset: Option<String>,
    expires: Option<String>,
    sender_name: Option<String>,
    headline: Option<String>,
    description: Option<String>,
    instruction: Option<String>,
    web: Option<String>,
    #[serde(alias = "parameter")]
    parameters: Option<Vec<NameValue>>,
    area: Option<Vec<VmaArea>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VmaArea {
    area_desc: Option<String>,
    geocode: Option<Vec<NameValue>>,
    polygon: Option<OneOrMany>,
    circle: Option<OneOrMany>,
}

/// A CAP `valueName`/`value` pair (geocode, parameter).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NameValue {
    value_name: Option<String>,
    value: Option<serde_json::Value>,
}

/// A field that is an array in real data and a single string in some fixtures.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

impl Kind for SrVma {
    fn name(&self) -> &'static str {
        "sr-vma"
    }

    fn check_options(&self, options: &toml::Table) -> Result<(), OptionError> {
        read_options::<Options>(options).map(|_| ())
    }

    fn parse(&self, doc: &Document, options: &toml::Table) -> Result<Parsed, ParseError> {
        let options = read_options::<Options>(options)?;
        let value = common::json_document(doc)?;
        let response: Response = serde_json::from_value(value).map_err(|e| {
            ParseError(format!(
                "expected an object {{\"timestamp\": ..., \"alerts\": [...]}}: {e}"
            ))
        })?;
        let alerts = response.alerts.ok_or_else(|| {
            ParseError("'alerts' is missing or null; expected an array (empty when quiet)".into())
        })?;
        let mut parsed = Parsed::default();
        for (index, value) in alerts.into_iter().enumerate() {
            let number = index + 1;
            let id = value
                .get("identifier")
                .and_then(|v| v.as_str())
                .map(|id| format!(" '{id}'"))
                .unwrap_or_default();
            let item = serde_json::from_value::<VmaAlert>(value)
                .map_err(|e| e.to_string())
                .and_then(|alert| {
                    let incidents = alert.incidents.as_ref().map(|i| match i {
                        OneOrMany::One(one) => one.clone(),
                        OneOrMany::Many(many) => many.join(" "),
                    });
                    let mut item = cap_model::to_raw_item(&cap_alert(alert), &options.language)?;
                    if let Some(incidents) = incidents.filter(|i| !i.trim().is_empty()) {
                        item.extra.insert("cap_incidents".into(), incidents);
                    }
                    // A VMA is critical whatever its grading; a drill keeps its Exercise status.
                    item.severity = Some(Severity::Critical);
                    Ok(item)
                });
            match item {
                Ok(item) => parsed.items.push(item),
                Err(e) => parsed
                    .rejected
                    .push(format!("{}: alert {number}{id}: {e}", doc.name)),
            }
        }
        Ok(parsed)
    }
}

/// SR's JSON message as the shared CAP model.
fn cap_alert(alert: VmaAlert) -> CapAlert {
    CapAlert {
        identifier: alert.identifier,
        sender: alert.sender.unwrap_or_default(),
        sent: alert.sent.unwrap_or_default(),
        status: alert.status.unwrap_or_default(),
        msg_type: alert.msg_type.unwrap_or_default(),
        scope: alert.scope.unwrap_or_default(),
        references: alert.references.map(|r| r.into_vec().join(" ")),
        note: alert.note,
        info: alert
            .info
            .unwrap_or_default()
            .into_iter()
            .map(cap_info)
            .collect(),
    }
}

fn cap_info(info: VmaInfo) -> CapInfo {
    CapInfo {
        language: info.language,
        categories: info.category.map(OneOrMany::into_vec).unwrap_or_default(),
        event: info.event.unwrap_or_default(),
        urgency: info.urgency.unwrap_or_default(),
        severity: info.severity.unwrap_or_default(),
        certainty: info.certainty.unwrap_or_default(),
        effective: info.effective,
        onset: info.onset,
        expires: info.expires,
        sender_name: info.sender_name,
        headline: info.headline,
        description: info.description,
        instruction: info.instruction,
        web: info.web,
        parameters: pairs(info.parameters),
        areas: info
            .area
            .unwrap_or_default()
            .into_iter()
            .map(|area| CapArea {
                area_desc: area.area_desc.unwrap_or_default(),
                polygons: area.polygon.map(OneOrMany::into_vec).unwrap_or_default(),
                circles: area.circle.map(OneOrMany::into_vec).unwrap_or_default(),
                geocodes: pairs(area.geocode),
            })
            .collect(),
    }
}

/// `valueName`/`value` pairs; a number value is kept as written (no leading zeros to lose).
fn pairs(list: Option<Vec<NameValue>>) -> Vec<(String, String)> {
    list.unwrap_or_default()
        .into_iter()
        .filter_map(|pair| {
            let value = match pair.value? {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                _ => return None,
            };
            Some((pair.value_name.unwrap_or_default(), value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::{AlertStatus, MessageType};

    const CHAIN: &str = include_str!("../../tests/fixtures/authorities/sr-vma/chain.json");
    const QUIRKS: &str = include_str!("../../tests/fixtures/authorities/sr-vma/quirks.json");

    fn doc(body: &str) -> Document {
        Document {
            name: "vma".into(),
            bytes: body.as_bytes().to_vec(),
            content_type: Some("application/json; charset=utf-8".into()),
            url: url::Url::parse("https://vmaapi.sr.se/api/v3/alerts").unwrap(),
            link_base: None,
            spool_file: None,
        }
    }

    fn parse(body: &str) -> Parsed {
        SrVma.parse(&doc(body), &toml::Table::new()).unwrap()
    }

    #[test]
    fn alert_update_cancel_chain() {
        let parsed = parse(CHAIN);
        assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
        let [alert, update, cancel] = parsed.items.as_slice() else {
            panic!("expected 3 items, got {}", parsed.items.len());
        };
        assert_eq!(alert.guid.as_deref(), Some("SRCAP20261125080400I"));
        assert_eq!(
            alert.title.as_ref().unwrap().text,
            "Viktigt meddelande till allmänheten i Stockholms kommun"
        );
        assert_eq!(alert.severity, Some(Severity::Critical));
        let raw = alert.alert.as_ref().unwrap();
        assert_eq!(raw.msg_type, MessageType::Alert);
        assert_eq!(raw.status, AlertStatus::Actual);
        assert_eq!(raw.sent.unwrap().to_rfc3339(), "2026-11-25T07:04:00+00:00");
        assert_eq!(alert.published, raw.sent);
        assert_eq!(
            alert.categories,
            vec![
                "Fire",
                "Safety",
                "Viktigt meddelande till allmänheten (VMA)"
            ]
        );
        assert_eq!(alert.areas[0].geocodes, vec!["01", "0180"]);
        assert_eq!(alert.areas[0].circles, vec![(59.3045, 18.1031, 2.0)]);
        assert!(!alert.summary.as_ref().unwrap().text.contains('\r'));
        assert!(
            alert
                .body
                .as_ref()
                .unwrap()
                .text
                .ends_with("stäng av ventilationen.")
        );
        assert_eq!(
            alert.extra.get("cap_incidents").map(String::as_str),
            Some("SRVMA20261125080400I")
        );

        let raw = update.alert.as_ref().unwrap();
        assert_eq!(raw.msg_type, MessageType::Update);
        assert_eq!(raw.references, vec!["SRCAP20261125080400I"]);
        // `instruction: null` leaves the body out, the description stays.
        assert!(update.body.is_none());
        assert!(update.summary.is_some());

        let raw = cancel.alert.as_ref().unwrap();
        assert_eq!(raw.msg_type, MessageType::Cancel);
        assert_eq!(
            raw.references,
            vec!["SRCAP20261125080400I", "SRCAP20261125091500I"]
        );
        assert!(cancel.title.is_none());
        assert_eq!(cancel.severity, Some(Severity::Critical));
    }

    #[test]
    fn category_string_exercise_and_odd_records() {
        let parsed = parse(QUIRKS);
        assert_eq!(parsed.items.len(), 2, "{:?}", parsed.rejected);
        let exercise = &parsed.items[0];
        assert_eq!(exercise.categories[0], "Safety");
        let raw = exercise.alert.as_ref().unwrap();
        assert_eq!(raw.status, AlertStatus::Exercise);
        assert_eq!(exercise.severity, Some(Severity::Critical));
        // A lone identifier in `references` is read as the identifier.
        assert_eq!(
            parsed.items[1].alert.as_ref().unwrap().references,
            vec!["SRCAP-OVNING-1"]
        );
        assert_eq!(parsed.rejected.len(), 2, "{:?}", parsed.rejected);
        assert!(
            parsed.rejected[0].contains("alert 3") && parsed.rejected[0].contains("identifier")
        );
        assert!(parsed.rejected[1].contains("alert 4 'SRCAP-TRASIG'"));
        assert!(parsed.rejected[1].contains("'sent'"));
    }

    #[test]
    fn english_block_on_request() {
        let mut options = toml::Table::new();
        options.insert("language".into(), "en".into());
        let parsed = SrVma.parse(&doc(CHAIN), &options).unwrap();
        assert_eq!(
            parsed.items[0].title.as_ref().unwrap().text,
            "Important public announcement in Stockholm municipality"
        );
        assert_eq!(
            parsed.items[0]
                .extra
                .get("cap_language")
                .map(String::as_str),
            Some("en-US")
        );
    }

    #[test]
    fn quiet_period_is_no_items_but_empty_body_is_an_error() {
        let parsed = parse(r#"{"timestamp":"2026-11-25T12:00:00+01:00","alerts":[]}"#);
        assert!(parsed.items.is_empty() && parsed.rejected.is_empty());
        let empty = SrVma.parse(&doc("  "), &toml::Table::new()).unwrap_err();
        assert!(empty.0.contains("empty document"), "{empty}");
        let wrong = SrVma
            .parse(&doc(r#"{"timestamp":"x"}"#), &toml::Table::new())
            .unwrap_err();
        assert!(wrong.0.contains("'alerts'"), "{wrong}");
        let list = SrVma.parse(&doc("[]"), &toml::Table::new()).unwrap_err();
        assert!(list.0.contains("expected an object"), "{list}");
    }

    #[test]
    fn options_are_checked() {
        let mut options = toml::Table::new();
        options.insert("lang".into(), "sv".into());
        assert_eq!(SrVma.check_options(&options).unwrap_err().key, "lang");
        assert!(SrVma.check_options(&toml::Table::new()).is_ok());
    }

    #[test]
    fn demo_snapshot_reads() {
        let parsed = parse(include_str!("../../feeds/demo/sr-vma.json"));
        assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
        assert_eq!(parsed.items.len(), 4);
        assert!(
            parsed
                .items
                .iter()
                .any(|i| i.alert.as_ref().unwrap().status == AlertStatus::Exercise)
        );
    }
}
