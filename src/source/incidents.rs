//! The `incidents` kind: the city's internal incident reports.
//!
//! One schema, three transports: an HTTP endpoint returning a JSON array, the same endpoint
//! returning NDJSON (one report per line), or a spool directory of `*.json` files, each one report
//! (or an array), dropped by another system. The schema is documented in `docs/incidents.md`.
//! A bad record is skipped and reported; the other records of the same document still count.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;

use super::{Document, Kind, ParseError, Parsed};
use crate::fetch::charset;
use crate::item::{Location, RawItem, RawText, Severity};

/// The internal incident feed.
pub struct Incidents;

/// One incident report as the incident system writes it.
#[derive(Debug, Deserialize)]
struct Report {
    id: IdValue,
    reported_at: String,
    updated_at: Option<String>,
    title: String,
    description: Option<String>,
    category: Option<String>,
    location: Option<ReportLocation>,
    unit: Option<String>,
    severity: Option<String>,
    status: Option<String>,
    url: Option<String>,
}

/// Ids are strings, but some exporters write numbers.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum IdValue {
    Text(String),
    Number(i64),
}

#[derive(Debug, Deserialize)]
struct ReportLocation {
    name: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
}

impl Kind for Incidents {
    fn name(&self) -> &'static str {
        "incidents"
    }

    fn reads_directories(&self) -> bool {
        true
    }

    fn parse(&self, doc: &Document, _options: &toml::Table) -> Result<Parsed, ParseError> {
        let http_charset = doc
            .content_type
            .as_deref()
            .and_then(charset::charset_from_content_type);
        let text = charset::decode_text(&doc.bytes, http_charset).text;
        let trimmed = text.trim_start();
        if trimmed.is_empty() {
            return Err(ParseError("empty document (0 bytes of content)".into()));
        }
        let records: Vec<(usize, serde_json::Value)> = if trimmed.starts_with('[') {
            let values: Vec<serde_json::Value> = serde_json::from_str(trimmed)
                .map_err(|e| ParseError(format!("invalid JSON array of incident reports: {e}")))?;
            values
                .into_iter()
                .enumerate()
                .map(|(i, v)| (i + 1, v))
                .collect()
        } else {
            ndjson(trimmed)?
        };
        let mut parsed = Parsed::default();
        for (number, value) in records {
            match serde_json::from_value::<Report>(value)
                .map_err(|e| e.to_string())
                .and_then(report_item)
            {
                Ok(item) => parsed.items.push(item),
                Err(e) => parsed
                    .rejected
                    .push(format!("{}: record {number}: {e}", doc.name)),
            }
        }
        Ok(parsed)
    }
}

/// Splits NDJSON (or a single object) into numbered values; blank lines are skipped.
fn ndjson(text: &str) -> Result<Vec<(usize, serde_json::Value)>, ParseError> {
    // A spool file holds one pretty-printed object: try the whole text first.
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        return Ok(vec![(1, value)]);
    }
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value = serde_json::from_str(line).map_err(|e| {
            ParseError(format!(
                "invalid NDJSON at line {}: {e}; expected one JSON object per line",
                index + 1
            ))
        })?;
        out.push((index + 1, value));
    }
    Ok(out)
}

fn report_item(report: Report) -> Result<RawItem, String> {
    let id = match report.id {
        IdValue::Text(s) => s,
        IdValue::Number(n) => n.to_string(),
    };
    if id.trim().is_empty() {
        return Err("empty 'id'".into());
    }
    let reported = parse_time(&report.reported_at).ok_or_else(|| {
        format!(
            "invalid 'reported_at' '{}': expected RFC 3339 such as 2026-11-24T07:42:00+01:00",
            report.reported_at
        )
    })?;
    let updated = match &report.updated_at {
        Some(text) => Some(parse_time(text).ok_or_else(|| {
            format!(
                "invalid 'updated_at' '{text}': expected RFC 3339 such as 2026-11-24T09:15:00+01:00"
            )
        })?),
        None => None,
    };
    let mut item = RawItem {
        updated,
        guid: Some(id),
        link: report.url,
        title: Some(RawText::plain(report.title)),
        body: report.description.map(RawText::plain),
        published: Some(reported),
        categories: report.category.iter().cloned().collect(),
        location: report.location.map(|l| Location {
            name: l.name,
            lat: l.lat.filter(|v| (-90.0..=90.0).contains(v)),
            lon: l.lon.filter(|v| (-180.0..=180.0).contains(v)),
            approximate: false,
        }),
        ..RawItem::default()
    };
    if let Some(label) = report.severity {
        match Severity::parse(&label) {
            Some(severity) => item.severity = Some(severity),
            None => {
                item.extra.insert("severity_raw".into(), label);
            }
        }
    }
    // The report time is data here (a corrected time is a change), unlike a feed's pubDate.
    item.extra
        .insert("reported_at".into(), reported.to_rfc3339());
    for (key, value) in [
        ("unit", report.unit),
        ("status", report.status),
        ("category", report.category),
    ] {
        if let Some(value) = value {
            item.extra.insert(key.into(), value);
        }
    }
    Ok(item)
}

/// RFC 3339; a time without offset is read as Stockholm local time.
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S"))
        .ok()?;
    chrono_tz::Europe::Stockholm
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body: &str) -> Document {
        Document {
            name: "test".into(),
            bytes: body.as_bytes().to_vec(),
            content_type: Some("application/json".into()),
            url: url::Url::parse("http://127.0.0.1/incidents").unwrap(),
            link_base: None,
            spool_file: None,
        }
    }

    #[test]
    fn array_ndjson_and_single_object_all_parse() {
        let one = r#"{"id":"INC-1","reported_at":"2026-11-24T07:42:00+01:00","title":"Hot mot personal","severity":"hög","unit":"Spånga-Tensta"}"#;
        let array = format!("[{one}]");
        let nd = format!("{one}\n\n{}\n", one.replace("INC-1", "INC-2"));
        assert_eq!(
            Incidents
                .parse(&doc(one), &toml::Table::new())
                .unwrap()
                .items
                .len(),
            1
        );
        assert_eq!(
            Incidents
                .parse(&doc(&array), &toml::Table::new())
                .unwrap()
                .items
                .len(),
            1
        );
        let parsed = Incidents.parse(&doc(&nd), &toml::Table::new()).unwrap();
        assert_eq!(parsed.items.len(), 2);
        let item = &parsed.items[0];
        assert_eq!(item.severity, Some(Severity::High));
        assert_eq!(
            item.extra.get("unit").map(String::as_str),
            Some("Spånga-Tensta")
        );
        assert_eq!(
            item.published.unwrap().to_rfc3339(),
            "2026-11-24T06:42:00+00:00"
        );
    }

    #[test]
    fn bad_record_is_rejected_alone() {
        let body = r#"[{"id":"A","reported_at":"2026-11-24T07:42:00Z","title":"ok"},{"id":"B","reported_at":"igår","title":"bad"},{"id":"C"}]"#;
        let parsed = Incidents.parse(&doc(body), &toml::Table::new()).unwrap();
        assert_eq!(parsed.items.len(), 1);
        assert_eq!(parsed.rejected.len(), 2);
        assert!(
            parsed.rejected[0].contains("record 2"),
            "{:?}",
            parsed.rejected
        );
        assert!(parsed.rejected[0].contains("reported_at"));
    }

    #[test]
    fn local_time_without_offset_is_stockholm() {
        let t = parse_time("2026-07-01 12:00:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-07-01T10:00:00+00:00");
    }

    #[test]
    fn malformed_document_is_an_error() {
        assert!(Incidents.parse(&doc("{nope"), &toml::Table::new()).is_err());
        assert!(Incidents.parse(&doc(""), &toml::Table::new()).is_err());
    }
}
