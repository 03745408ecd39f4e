//! The main config's `[area]` and `[[cap_severity]]` sections: how items are judged local and
//! how CAP grades map to severity.

use std::path::Path;

use super::ConfigError;
use super::raw::{RawArea, RawGrading, line_of};
use crate::area::{AreaOfInterest, Place};
use crate::grading::{CAP_CERTAINTY, CAP_SEVERITY, CAP_URGENCY, GradingRule, GradingTable};
use crate::item::Severity;

/// Checks `[area]`.
pub(super) fn area(raw: RawArea, text: &str, path: &Path) -> Result<AreaOfInterest, ConfigError> {
    let at = |offset: usize, message: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        line: line_of(text, offset),
        message: format!("[area]: {message}"),
    };
    let mut area = AreaOfInterest::default();
    for code in raw.geocodes {
        let value = code.get_ref().trim();
        if !matches!(value.len(), 2 | 4) || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(at(
                code.span().start,
                format!(
                    "key 'geocodes': invalid code '{value}': expected an SCB county code (2 digits, \"01\") or municipality code (4 digits, \"0180\")"
                ),
            ));
        }
        area.geocodes.push(value.to_string());
    }
    for name in raw.names {
        let value = name.get_ref().trim();
        if value.is_empty() {
            return Err(at(name.span().start, "key 'names': empty name".into()));
        }
        area.names.push(value.to_string());
    }
    for place in raw.place {
        let place = place.into_inner();
        let name = place.name.get_ref().trim().to_string();
        if name.is_empty() {
            return Err(at(
                place.name.span().start,
                "place: key 'name' is empty".into(),
            ));
        }
        let check =
            |value: &toml::Spanned<f64>, key: &str, range: std::ops::RangeInclusive<f64>| {
                let v = *value.get_ref();
                if range.contains(&v) {
                    Ok(v)
                } else {
                    Err(at(
                        value.span().start,
                        format!(
                            "place '{name}': key '{key}': {v} out of range: expected {} to {}",
                            range.start(),
                            range.end()
                        ),
                    ))
                }
            };
        area.places.push(Place {
            lat: check(&place.lat, "lat", -90.0..=90.0)?,
            lon: check(&place.lon, "lon", -180.0..=180.0)?,
            radius_km: check(&place.radius_km, "radius_km", 0.0..=1000.0)?,
            name,
        });
    }
    Ok(area)
}

/// Checks `[[cap_severity]]` rows; they replace the default table.
pub(super) fn grading(
    rows: Vec<toml::Spanned<RawGrading>>,
    text: &str,
    path: &Path,
) -> Result<GradingTable, ConfigError> {
    let at = |offset: usize, message: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        line: line_of(text, offset),
        message: format!("[[cap_severity]]: {message}"),
    };
    let list = |values: Vec<toml::Spanned<String>>, key: &str, allowed: &[&str]| {
        values
            .into_iter()
            .map(|v| {
                let value = v.get_ref().trim().to_ascii_lowercase();
                if allowed.contains(&value.as_str()) {
                    Ok(value)
                } else {
                    Err(at(
                        v.span().start,
                        format!(
                            "key '{key}': unknown value '{}': expected one of {}",
                            v.get_ref(),
                            allowed.join(", ")
                        ),
                    ))
                }
            })
            .collect::<Result<Vec<_>, _>>()
    };
    let mut rules = Vec::new();
    for row in rows {
        let row = row.into_inner();
        let level = Severity::parse(row.level.get_ref()).ok_or_else(|| {
            at(
                row.level.span().start,
                format!(
                    "key 'level': unknown level '{}': expected critical, high, medium, low or info",
                    row.level.get_ref()
                ),
            )
        })?;
        rules.push(GradingRule {
            severity: list(row.severity, "severity", CAP_SEVERITY)?,
            urgency: list(row.urgency, "urgency", CAP_URGENCY)?,
            certainty: list(row.certainty, "certainty", CAP_CERTAINTY)?,
            level,
        });
    }
    Ok(GradingTable { rules })
}
