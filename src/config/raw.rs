//! The config files as written: serde structs with spans, before any value is checked.
//!
//! Every field keeps its span so that validation in `config` can name the line of a bad value.
//! Unknown keys are rejected here by serde (`deny_unknown_fields`).

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// One config file: includes, optional fetch settings, sources, area, CAP table, rules dir.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    #[serde(default)]
    pub include: Vec<Spanned<String>>,
    pub fetch: Option<Spanned<RawFetch>>,
    #[serde(default)]
    pub source: Vec<Spanned<RawSource>>,
    pub area: Option<Spanned<RawArea>>,
    #[serde(default)]
    pub cap_severity: Vec<Spanned<RawGrading>>,
    /// The tagging rules' directory, relative to the file that names it.
    pub rules: Option<Spanned<String>>,
    /// How briefings are headed, marked and styled.
    pub brief: Option<Spanned<super::brief::RawBrief>>,
}

/// The `[area]` table: what counts as local.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawArea {
    #[serde(default)]
    pub geocodes: Vec<Spanned<String>>,
    #[serde(default)]
    pub names: Vec<Spanned<String>>,
    #[serde(default)]
    pub place: Vec<Spanned<RawPlace>>,
}

/// One `[[area.place]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPlace {
    pub name: Spanned<String>,
    pub lat: Spanned<f64>,
    pub lon: Spanned<f64>,
    pub radius_km: Spanned<f64>,
}

/// One `[[cap_severity]]` row.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGrading {
    #[serde(default)]
    pub severity: Vec<Spanned<String>>,
    #[serde(default)]
    pub urgency: Vec<Spanned<String>>,
    #[serde(default)]
    pub certainty: Vec<Spanned<String>>,
    pub level: Spanned<String>,
}

/// The `[fetch]` table: how `lage` behaves towards the servers it polls.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFetch {
    pub contact: Option<Spanned<String>>,
    pub timeout: Option<Spanned<String>>,
    pub connect_timeout: Option<Spanned<String>>,
    pub max_body_bytes: Option<Spanned<i64>>,
    pub max_redirects: Option<Spanned<i64>>,
    pub concurrency: Option<Spanned<i64>>,
    pub per_host: Option<Spanned<i64>>,
}

/// One `[[source]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSource {
    pub id: Spanned<String>,
    pub name: Option<Spanned<String>>,
    pub kind: Spanned<String>,
    pub url: Spanned<String>,
    pub interval: Option<Spanned<String>>,
    pub min_interval: Option<Spanned<String>>,
    pub method: Option<Spanned<String>>,
    pub body: Option<Spanned<String>>,
    pub enabled: Option<bool>,
    pub headers: Option<BTreeMap<String, Spanned<String>>>,
    pub token: Option<Spanned<String>>,
    pub options: Option<Spanned<toml::Table>>,
}

/// 1-based line number of a byte offset in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Whether a line opens a table (`[name]`, `[[name]]`), not a value inside an array.
fn is_table_header(line: &str) -> bool {
    let line = line.split('#').next().unwrap_or("").trim();
    line.starts_with('[')
        && line.ends_with(']')
        && line
            .trim_matches(['[', ']'])
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '"' | ' '))
}

/// The line of `key = ...` inside a table: within its byte range, or, for a table opened by a
/// `[header]` (whose span may cover only the header), up to the next header. Falls back to the
/// table's line.
pub(super) fn line_of_key(text: &str, span: std::ops::Range<usize>, key: &str) -> usize {
    let start = span.start.min(text.len());
    let end = span.end.min(text.len());
    let header_only = text
        .get(start..end)
        .is_some_and(|t| t.trim_start().starts_with('['));
    let end = if header_only { text.len() } else { end };
    let mut offset = start;
    for (index, line) in text
        .get(start..end)
        .unwrap_or("")
        .split_inclusive('\n')
        .enumerate()
    {
        let trimmed = line.trim_start();
        if header_only && index > 0 && is_table_header(trimmed) {
            break;
        }
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            return line_of(text, offset);
        }
        offset += line.len();
    }
    line_of(text, start)
}
