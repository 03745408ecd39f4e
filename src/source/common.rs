//! Small pieces several kinds share: reading a JSON document, lenient times, coordinates.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

use super::{Document, ParseError};
use crate::fetch::charset;

/// The document as text, decoded by BOM, `Content-Type` charset or detection.
pub fn document_text(doc: &Document) -> String {
    let http_charset = doc
        .content_type
        .as_deref()
        .and_then(charset::charset_from_content_type);
    charset::decode_text(&doc.bytes, http_charset).text
}

/// The document as a JSON value. An empty body (Polisen has served 0 bytes) is an error, so
/// that it is reported on the source's health and never read as "no items".
pub fn json_document(doc: &Document) -> Result<serde_json::Value, ParseError> {
    let text = document_text(doc);
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(ParseError(
            "empty document (0 bytes of content); nothing stored was changed".into(),
        ));
    }
    serde_json::from_str(trimmed).map_err(|e| ParseError(format!("invalid JSON: {e}")))
}

/// A time as authorities write it: RFC 3339 (`T` or a space, any fraction), or the same with
/// unpadded hours ("2026-08-22 9:13:04 +02:00", Polisen), or without offset (read as
/// Stockholm local time). `None` when it is none of these.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    // chrono's %H accepts one digit, so these also cover unpadded hours.
    for format in [
        "%Y-%m-%d %H:%M:%S %:z",
        "%Y-%m-%d %H:%M:%S%.f %:z",
        "%Y-%m-%d %H:%M:%S%:z",
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%dT%H:%M:%S%z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(text, format) {
            return Some(t.with_timezone(&Utc));
        }
    }
    let naive = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())?;
    chrono_tz::Europe::Stockholm
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// A latitude and longitude pair, if both are finite and in range.
pub fn lat_lon(lat: f64, lon: f64) -> Option<(f64, f64)> {
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon))
}

/// Two numbers separated by a comma ("59.33,18.07"), in the order written; `None` when
/// either is missing or not a number. Trailing parts (an altitude after a space) are ignored.
pub fn number_pair(text: &str) -> Option<(f64, f64)> {
    let first = text.split_whitespace().next()?;
    let (a, b) = first.split_once(',')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

/// What a JSON value is, for messages ("expected an array, found an object").
pub fn json_kind(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Untrusted text quoted for a message, cut so a hostile value cannot flood the health view.
pub fn quoted(text: &str) -> String {
    const MAX: usize = 60;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("'{}…'", &text[..cut]),
        None => format!("'{text}'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_the_shapes_authorities_write() {
        let utc = |s: &str| parse_time(s).map(|t| t.to_rfc3339());
        assert_eq!(
            utc("2026-08-22 9:13:04 +02:00").as_deref(),
            Some("2026-08-22T07:13:04+00:00")
        );
        assert_eq!(
            utc("2026-08-22 19:13:04 +02:00").as_deref(),
            Some("2026-08-22T17:13:04+00:00")
        );
        assert_eq!(
            utc("2026-04-21T09:08:24.221Z").as_deref(),
            Some("2026-04-21T09:08:24.221+00:00")
        );
        assert_eq!(
            utc("2026-01-15T10:00:00+01:00").as_deref(),
            Some("2026-01-15T09:00:00+00:00")
        );
        assert_eq!(
            utc("2026-07-01 12:00:00").as_deref(),
            Some("2026-07-01T10:00:00+00:00")
        );
        assert_eq!(utc("igår"), None);
        assert_eq!(utc(""), None);
    }

    #[test]
    fn number_pairs_keep_their_order() {
        assert_eq!(number_pair("18.07,59.33 0"), Some((18.07, 59.33)));
        assert_eq!(
            number_pair("59.329324,18.068581"),
            Some((59.329324, 18.068581))
        );
        assert_eq!(number_pair("59.3"), None);
        assert_eq!(number_pair("a,b"), None);
        assert_eq!(lat_lon(91.0, 18.0), None);
    }
}
