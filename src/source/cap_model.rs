//! One CAP 1.2 (OASIS Common Alerting Protocol) model, shared by the `cap` kind (XML) and the
//! `sr-vma` kind (Sveriges Radio's CAP as JSON), and its mapping onto a [`RawItem`].
//!
//! The readers only copy fields into [`CapAlert`] as written; every decision lives here, once:
//! which `info` block is shown (by language), which geocodes count, what a VMA is, how
//! `references` become guids. Times stay text in the model and are read here, so both kinds
//! report a bad time the same way.
//!
//! | CAP                                  | item                                             |
//! |--------------------------------------|--------------------------------------------------|
//! | `identifier`                         | `guid`, `alert.version`                          |
//! | `sent`                               | `published`, `alert.sent`                        |
//! | `status`, `msgType`                  | `alert.status` (unknown → test), `alert.msg_type`|
//! | `references` ("sender,id,sent" …)    | `alert.references` (the id parts)                |
//! | `onset` (else `effective`), `expires`| `alert.onset`, `alert.expires`                   |
//! | `headline` (else `event`)            | `title`                                          |
//! | `description` (+ `instruction`)      | `summary` (`body`)                               |
//! | `web`, `senderName`                  | `link`, `authors`                                |
//! | `category` + `event`                 | `categories`                                     |
//! | `area` polygons, circles, geocodes   | `areas` ((lat, lon); SCB codes only)             |
//! | `urgency`, `severity`, `certainty`   | `grading` (mapped by the configured table)       |
//!
//! Severity: none of its own (the configured CAP table maps `grading`), except a VMA
//! ("Viktigt meddelande till allmänheten" as event or headline, or a sender naming VMA),
//! which is always [`Severity::Critical`].

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::common::{lat_lon, number_pair, parse_time};
use crate::item::{
    AlertStatus, CapGrading, GeoArea, Location, MessageType, RawAlert, RawItem, RawText, Severity,
};

/// CAP's default `info` language when a block names none.
const DEFAULT_LANGUAGE: &str = "en-US";

/// The event name of a Swedish VMA, lowercase.
const VMA_EVENT: &str = "viktigt meddelande till allmänheten";

/// One CAP message, fields as written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CapAlert {
    /// `identifier`: unique per message.
    pub identifier: String,
    /// `sender`.
    pub sender: String,
    /// `sent`, as written.
    pub sent: String,
    /// `status` (Actual, Exercise, Test, System, Draft).
    pub status: String,
    /// `msgType` (Alert, Update, Cancel, Ack, Error).
    pub msg_type: String,
    /// `scope` (Public, Restricted, Private).
    pub scope: String,
    /// `references`: whitespace-separated "sender,identifier,sent" triples.
    pub references: Option<String>,
    /// `note`.
    pub note: Option<String>,
    /// The `info` blocks, one per language (none for a bare Cancel).
    pub info: Vec<CapInfo>,
}

/// One `info` block of a CAP message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CapInfo {
    /// `language` (RFC 3066); CAP's default is "en-US".
    pub language: Option<String>,
    /// `category` values (Geo, Met, Safety, ...).
    pub categories: Vec<String>,
    /// `event`.
    pub event: String,
    /// `urgency`.
    pub urgency: String,
    /// `severity`.
    pub severity: String,
    /// `certainty`.
    pub certainty: String,
    /// `effective`, as written.
    pub effective: Option<String>,
    /// `onset`, as written.
    pub onset: Option<String>,
    /// `expires`, as written.
    pub expires: Option<String>,
    /// `senderName`.
    pub sender_name: Option<String>,
    /// `headline`.
    pub headline: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `instruction`.
    pub instruction: Option<String>,
    /// `web`.
    pub web: Option<String>,
    /// `parameter`s as (valueName, value).
    pub parameters: Vec<(String, String)>,
    /// `area`s.
    pub areas: Vec<CapArea>,
}

/// One `area` of an `info` block.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CapArea {
    /// `areaDesc`.
    pub area_desc: String,
    /// `polygon`s as written: "lat,lon lat,lon ...".
    pub polygons: Vec<String>,
    /// `circle`s as written: "lat,lon radius_km".
    pub circles: Vec<String>,
    /// `geocode`s as (valueName, value).
    pub geocodes: Vec<(String, String)>,
}

/// Maps one CAP message onto a raw item, showing the `info` block in `language` ("sv"
/// matches "sv-SE"; the first block when none matches). `Err` names what made the message
/// unreadable: no identifier, an unreadable `sent`, an unknown `msgType`.
pub fn to_raw_item(alert: &CapAlert, language: &str) -> Result<RawItem, String> {
    let identifier = alert.identifier.trim();
    if identifier.is_empty() {
        return Err("missing 'identifier'".into());
    }
    let sent = match alert.sent.trim() {
        "" => None,
        text => Some(parse_time(text).ok_or_else(|| {
            format!("invalid 'sent' '{text}': expected a time such as 2026-11-25T08:04:00+01:00")
        })?),
    };
    let msg_type = match alert.msg_type.trim() {
        "" => return Err("missing 'msgType'".into()),
        text => MessageType::parse(text).ok_or_else(|| {
            format!("invalid 'msgType' '{text}': expected Alert, Update, Cancel, Ack or Error")
        })?,
    };
    let mut extra = BTreeMap::new();
    let mut unreadable = Vec::new();
    let info = choose_info(&alert.info, language);
    let mut time = |field: &str, value: Option<&String>| -> Option<DateTime<Utc>> {
        let text = value.map(|v| v.trim()).filter(|v| !v.is_empty())?;
        let parsed = parse_time(text);
        if parsed.is_none() {
            unreadable.push(format!("{field} '{text}'"));
        }
        parsed
    };
    let (onset, expires) = match info {
        Some(info) => (
            time("onset", info.onset.as_ref()).or(time("effective", info.effective.as_ref())),
            time("expires", info.expires.as_ref()),
        ),
        None => (None, None),
    };
    if !unreadable.is_empty() {
        // A VMA with an odd expiry must still show: the time is dropped, and said so.
        extra.insert("cap_unreadable_times".into(), unreadable.join(", "));
    }
    for (key, value) in [
        ("cap_sender", alert.sender.trim()),
        ("cap_scope", alert.scope.trim()),
        ("cap_note", alert.note.as_deref().unwrap_or("").trim()),
    ] {
        if !value.is_empty() {
            extra.insert(key.into(), value.into());
        }
    }
    let mut item = RawItem {
        guid: Some(identifier.to_string()),
        published: sent,
        alert: Some(RawAlert {
            version: identifier.to_string(),
            status: AlertStatus::parse(&alert.status),
            msg_type,
            sent,
            references: reference_ids(alert.references.as_deref().unwrap_or("")),
            onset,
            expires,
        }),
        extra,
        ..RawItem::default()
    };
    if let Some(info) = info {
        fill_from_info(&mut item, info);
    }
    if is_vma(alert, info) {
        item.severity = Some(Severity::Critical);
    }
    Ok(item)
}

/// Title, text, link, categories, areas and grading from the chosen `info` block.
fn fill_from_info(item: &mut RawItem, info: &CapInfo) {
    let event = info.event.trim();
    let title = nonempty(info.headline.as_deref()).or(nonempty(Some(event)));
    item.title = title.map(RawText::plain);
    let description = nonempty(info.description.as_deref()).map(plain_lines);
    let instruction = nonempty(info.instruction.as_deref()).map(plain_lines);
    item.body = match (&description, instruction) {
        (Some(d), Some(i)) => Some(RawText::plain(format!("{d}\n\n{i}"))),
        (None, Some(i)) => Some(RawText::plain(i)),
        (_, None) => None,
    };
    item.summary = description.map(RawText::plain);
    item.link = nonempty(info.web.as_deref()).map(str::to_string);
    item.authors = nonempty(info.sender_name.as_deref())
        .map(str::to_string)
        .into_iter()
        .collect();
    for category in info.categories.iter().map(|c| c.trim()).chain([event]) {
        if !category.is_empty() && !item.categories.iter().any(|c| c == category) {
            item.categories.push(category.to_string());
        }
    }
    if !event.is_empty() {
        item.extra.insert("cap_event".into(), event.into());
    }
    item.extra.insert(
        "cap_language".into(),
        info.language
            .as_deref()
            .unwrap_or(DEFAULT_LANGUAGE)
            .to_string(),
    );
    item.areas = info
        .areas
        .iter()
        .map(geo_area)
        .filter(|a| a != &GeoArea::default())
        .collect();
    item.location = item.areas.iter().find_map(|area| {
        let &(lat, lon, _) = area.circles.first()?;
        Some(Location {
            name: area.name.clone(),
            lat: Some(lat),
            lon: Some(lon),
            approximate: false,
        })
    });
    item.grading = Some(CapGrading {
        urgency: info.urgency.trim().to_string(),
        severity: info.severity.trim().to_string(),
        certainty: info.certainty.trim().to_string(),
    });
}

/// The block whose language starts with `language` (or shares its primary subtag), else
/// the first block.
fn choose_info<'a>(info: &'a [CapInfo], language: &str) -> Option<&'a CapInfo> {
    let wanted = language.trim().to_ascii_lowercase();
    let primary = |tag: &str| {
        tag.split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    info.iter()
        .find(|block| {
            let tag = block
                .language
                .as_deref()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .unwrap_or(DEFAULT_LANGUAGE)
                .to_ascii_lowercase();
            !wanted.is_empty() && (tag.starts_with(&wanted) || primary(&tag) == primary(&wanted))
        })
        .or(info.first())
}

/// The identifier parts of CAP `references` ("sender,identifier,sent" separated by
/// whitespace). Identifiers hold no commas or spaces, so a lone identifier is taken as is.
pub fn reference_ids(references: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for triple in references.split_whitespace() {
        let parts: Vec<&str> = triple.split(',').collect();
        let id = match parts.as_slice() {
            [lone] => *lone,
            [_, id, ..] => *id,
            [] => continue,
        };
        let id = id.trim();
        if !id.is_empty() && !ids.iter().any(|known| known == id) {
            ids.push(id.to_string());
        }
    }
    ids
}

/// Whether the message is a Swedish VMA, which is critical whatever its grading says.
fn is_vma(alert: &CapAlert, info: Option<&CapInfo>) -> bool {
    let names_vma = |text: &str| text.to_lowercase().contains(VMA_EVENT);
    alert.sender.to_lowercase().contains("vma")
        || info.is_some_and(|info| {
            names_vma(&info.event) || info.headline.as_deref().is_some_and(names_vma)
        })
}

/// A CAP area as a [`GeoArea`]: shapes in (lat, lon) order, out-of-range points dropped.
fn geo_area(area: &CapArea) -> GeoArea {
    let mut geocodes: Vec<String> = Vec::new();
    for (name, value) in &area.geocodes {
        for code in scb_codes(name, value) {
            if !geocodes.contains(&code) {
                geocodes.push(code);
            }
        }
    }
    GeoArea {
        name: nonempty(Some(&area.area_desc)).map(str::to_string),
        geocodes,
        polygons: area.polygons.iter().filter_map(|p| polygon(p)).collect(),
        circles: area.circles.iter().filter_map(|c| circle(c)).collect(),
    }
}

/// SCB county (2 digits) and municipality (4 digits) codes in a geocode value (several may
/// be space-separated). Codes of other schemes that happen to have 2 or 4 digits (US FIPS and
/// SAME, NUTS, postal codes) are not SCB codes and are left out.
fn scb_codes(value_name: &str, value: &str) -> Vec<String> {
    const FOREIGN: &[&str] = &[
        "fips", "same", "ugc", "nuts", "zip", "post", "emma", "warncell",
    ];
    let name = value_name.to_lowercase();
    if FOREIGN.iter().any(|scheme| name.contains(scheme)) {
        return Vec::new();
    }
    value
        .split_whitespace()
        .filter(|code| matches!(code.len(), 2 | 4) && code.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_string)
        .collect()
}

/// A CAP polygon ("lat,lon lat,lon ..."); `None` when fewer than three points are readable.
fn polygon(text: &str) -> Option<Vec<(f64, f64)>> {
    let ring: Vec<(f64, f64)> = text
        .split_whitespace()
        .filter_map(number_pair)
        .filter_map(|(lat, lon)| lat_lon(lat, lon))
        .collect();
    (ring.len() >= 3).then_some(ring)
}

/// A CAP circle ("lat,lon radius" in km); a missing radius is a point.
fn circle(text: &str) -> Option<(f64, f64, f64)> {
    let mut parts = text.split_whitespace();
    let (lat, lon) = number_pair(parts.next()?).and_then(|(lat, lon)| lat_lon(lat, lon))?;
    let radius = match parts.next() {
        Some(r) => r
            .parse::<f64>()
            .ok()
            .filter(|r| r.is_finite() && *r >= 0.0)?,
        None => 0.0,
    };
    Some((lat, lon, radius))
}

/// The text with CRLF and CR line ends as LF (SR writes descriptions with "\r\n").
fn plain_lines(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// The trimmed text, or `None` when empty.
fn nonempty(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(language: &str, headline: &str) -> CapInfo {
        CapInfo {
            language: Some(language.into()),
            categories: vec!["Met".into()],
            event: "Storm".into(),
            urgency: "Expected".into(),
            severity: "Severe".into(),
            certainty: "Likely".into(),
            headline: Some(headline.into()),
            ..CapInfo::default()
        }
    }

    fn alert(info: Vec<CapInfo>) -> CapAlert {
        CapAlert {
            identifier: "SE-TEST-1".into(),
            sender: "varning@example.se".into(),
            sent: "2026-11-25T08:00:00+01:00".into(),
            status: "Actual".into(),
            msg_type: "Alert".into(),
            scope: "Public".into(),
            info,
            ..CapAlert::default()
        }
    }

    #[test]
    fn references_keep_identifier_parts() {
        assert_eq!(
            reference_ids(
                "https://vmaapi.sr.se/api/v3,SRCAP1,2026-11-25T08:04:00+01:00 \n smhi,SMHI-7,2026-11-24T10:00:00Z"
            ),
            vec!["SRCAP1", "SMHI-7"]
        );
        assert_eq!(reference_ids("LONE-ID"), vec!["LONE-ID"]);
        assert!(reference_ids("  ").is_empty());
    }

    #[test]
    fn language_prefix_and_fallbacks() {
        let blocks = vec![info("en-US", "Storm"), info("sv-SE", "Storm på väg")];
        assert_eq!(
            choose_info(&blocks, "sv").unwrap().headline.as_deref(),
            Some("Storm på väg")
        );
        assert_eq!(
            choose_info(&blocks, "sv-FI").unwrap().headline.as_deref(),
            Some("Storm på väg")
        );
        assert_eq!(
            choose_info(&blocks, "fi").unwrap().headline.as_deref(),
            Some("Storm")
        );
        let unnamed = vec![
            info("sv-SE", "sv"),
            CapInfo {
                language: None,
                ..info("", "en")
            },
        ];
        assert_eq!(
            choose_info(&unnamed, "en").unwrap().headline.as_deref(),
            Some("en")
        );
    }

    #[test]
    fn scb_geocodes_only() {
        assert_eq!(scb_codes("Kommun", "0180"), vec!["0180"]);
        assert_eq!(scb_codes("Län", "01"), vec!["01"]);
        assert_eq!(scb_codes("SCB", "01 0180 12345"), vec!["01", "0180"]);
        assert!(scb_codes("FIPS6", "0900").is_empty());
        assert!(scb_codes("NUTS3", "SE110").is_empty());
        assert!(scb_codes("Kommun", "180").is_empty());
    }

    #[test]
    fn shapes_are_lat_lon_and_bad_points_dropped() {
        assert_eq!(
            polygon("59.30,18.10 59.35,18.20 59.40,18.10 59.30,18.10 95,18"),
            Some(vec![
                (59.30, 18.10),
                (59.35, 18.20),
                (59.40, 18.10),
                (59.30, 18.10)
            ])
        );
        assert_eq!(polygon("59.3,18.1 59.4,18.2"), None);
        assert_eq!(circle("59.3045,18.1030 2.5"), Some((59.3045, 18.1030, 2.5)));
        assert_eq!(circle("59.3045,18.1030"), Some((59.3045, 18.1030, 0.0)));
        assert_eq!(circle("59.3,18.1 -1"), None);
    }

    #[test]
    fn vma_is_critical_and_other_messages_only_graded() {
        let plain = to_raw_item(&alert(vec![info("sv-SE", "Storm")]), "sv").unwrap();
        assert_eq!(plain.severity, None);
        assert_eq!(plain.grading.unwrap().severity, "Severe");
        let mut vma = info("sv-SE", "Gå inomhus");
        vma.event = "Viktigt meddelande till allmänheten (VMA)".into();
        let item = to_raw_item(&alert(vec![vma]), "sv").unwrap();
        assert_eq!(item.severity, Some(Severity::Critical));
        let mut by_sender = alert(vec![]);
        by_sender.sender = "https://vmaapi.sr.se/api/v3".into();
        assert_eq!(
            to_raw_item(&by_sender, "sv").unwrap().severity,
            Some(Severity::Critical)
        );
    }

    #[test]
    fn required_fields_are_named() {
        let mut no_id = alert(vec![]);
        no_id.identifier = " ".into();
        assert_eq!(
            to_raw_item(&no_id, "sv").unwrap_err(),
            "missing 'identifier'"
        );
        let mut bad_sent = alert(vec![]);
        bad_sent.sent = "igår".into();
        assert!(
            to_raw_item(&bad_sent, "sv")
                .unwrap_err()
                .contains("'sent' 'igår'")
        );
        let mut bad_type = alert(vec![]);
        bad_type.msg_type = "Notice".into();
        assert!(
            to_raw_item(&bad_type, "sv")
                .unwrap_err()
                .contains("'msgType' 'Notice'")
        );
    }

    #[test]
    fn unreadable_expiry_is_dropped_and_noted() {
        let mut block = info("sv-SE", "Storm");
        block.expires = Some("imorgon".into());
        block.effective = Some("2026-11-25T09:00:00+01:00".into());
        let item = to_raw_item(&alert(vec![block]), "sv").unwrap();
        let raw = item.alert.unwrap();
        assert_eq!(raw.expires, None);
        assert_eq!(raw.onset.unwrap().to_rfc3339(), "2026-11-25T08:00:00+00:00");
        assert_eq!(
            item.extra.get("cap_unreadable_times").map(String::as_str),
            Some("expires 'imorgon'")
        );
    }
}
