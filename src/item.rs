//! The one item type every source kind is normalised into, and the raw shape kinds produce.
//!
//! A source kind only fills a [`RawItem`] (fields as the source gave them, text possibly HTML);
//! `normalise` turns it into an [`Item`] with clean text, canonical URL and UTC times. Everything
//! downstream (dedup, store, rules, UI, export) sees only `Item`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A place an item refers to: a name, coordinates, or both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Location {
    /// Place name as the source gave it (sanitised).
    pub name: Option<String>,
    /// Latitude in WGS84 degrees.
    pub lat: Option<f64>,
    /// Longitude in WGS84 degrees.
    pub lon: Option<f64>,
}

/// The common severity scale every kind maps into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational; nothing to act on.
    Info,
    /// Minor event.
    Low,
    /// Noticeable event that may need attention.
    Medium,
    /// Serious event that needs attention now.
    High,
    /// Life or vital functions at stake (a VMA, a red warning).
    Critical,
}

impl Severity {
    /// Parses a severity label in English or Swedish (`critical`/`kritisk`, `high`/`hög`, ...).
    pub fn parse(label: &str) -> Option<Severity> {
        match label.trim().to_lowercase().as_str() {
            "critical" | "kritisk" | "extreme" => Some(Severity::Critical),
            "high" | "hög" | "hog" | "severe" => Some(Severity::High),
            "medium" | "medel" | "moderate" => Some(Severity::Medium),
            "low" | "låg" | "lag" | "minor" => Some(Severity::Low),
            "info" | "information" | "unknown" => Some(Severity::Info),
            _ => None,
        }
    }

    /// The lowercase English label used in JSON and config.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// A text field as a source gave it: HTML to be converted, or plain text to be kept as it is
/// (a plain "Temp <minus 5" must not lose its tail to an HTML parser).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawText {
    /// The text.
    pub text: String,
    /// Whether it is HTML (markup and entities to be turned into plain text).
    pub html: bool,
}

impl RawText {
    /// HTML text.
    pub fn html(text: impl Into<String>) -> RawText {
        RawText {
            text: text.into(),
            html: true,
        }
    }

    /// Plain text.
    pub fn plain(text: impl Into<String>) -> RawText {
        RawText {
            text: text.into(),
            html: false,
        }
    }
}

/// An item as a source kind extracted it, before normalisation.
///
/// Text fields may hold HTML and hostile characters; `normalise` cleans them.
#[derive(Debug, Clone, Default)]
pub struct RawItem {
    /// The source's own identifier for the item (RSS guid, Atom id, incident id).
    pub guid: Option<String>,
    /// Link as given (may be relative).
    pub link: Option<String>,
    /// Title.
    pub title: Option<RawText>,
    /// Short description.
    pub summary: Option<RawText>,
    /// Full content.
    pub body: Option<RawText>,
    /// When the source says the item was published.
    pub published: Option<DateTime<Utc>>,
    /// When the source says the item was last updated.
    pub updated: Option<DateTime<Utc>>,
    /// Author names.
    pub authors: Vec<String>,
    /// Categories or tags as the source gave them.
    pub categories: Vec<String>,
    /// Location, when the source has one.
    pub location: Option<Location>,
    /// Severity, when the source states one.
    pub severity: Option<Severity>,
    /// Kind-specific fields worth keeping (e.g. an incident's unit and status).
    pub extra: BTreeMap<String, String>,
}

/// Where an item's `published` time came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrigin {
    /// The source gave a publication time.
    Published,
    /// The source gave only an update time.
    Updated,
    /// The source gave no time; `published` is when `lage` first saw the item.
    FirstSeen,
}

/// One source's view of an item: the same story seen by two sources is one item, two sightings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sighting {
    /// The source that saw it.
    pub source: String,
    /// That source's guid for it, if any.
    pub guid: Option<String>,
    /// The link that source gave (canonical form).
    pub url: Option<String>,
    /// First time this source served it.
    pub first_seen: DateTime<Utc>,
    /// Last time this source served it.
    pub last_seen: DateTime<Utc>,
    /// Hash of this source's version of the content (a second source's edits must not make
    /// the item flip between two versions).
    #[serde(default)]
    pub content_hash: Option<String>,
}

/// A normalised, sanitised item as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Stable id: derived from the first source and its dedup key, never reused.
    pub id: String,
    /// The source that first delivered the item.
    pub source: String,
    /// That source's kind (`rss`, `incidents`, ...).
    pub kind: String,
    /// The source's identifier for the item.
    pub guid: Option<String>,
    /// Canonical URL: absolute, fragment and tracking parameters removed.
    pub url: Option<String>,
    /// Plain-text, single-line title.
    pub title: String,
    /// Plain-text summary.
    pub summary: String,
    /// Plain-text body (may be empty when the source only has a summary).
    pub body: String,
    /// Publication time (UTC); see `date_origin`.
    pub published: DateTime<Utc>,
    /// Last update time the source gave (UTC).
    pub updated: Option<DateTime<Utc>>,
    /// Where `published` came from; `first_seen` means the source gave no date.
    pub date_origin: DateOrigin,
    /// When `lage` first stored the item.
    pub first_seen: DateTime<Utc>,
    /// When any source last served it.
    pub last_seen: DateTime<Utc>,
    /// Author names.
    pub authors: Vec<String>,
    /// Categories as the source gave them (sanitised).
    pub categories: Vec<String>,
    /// Location, when known.
    pub location: Option<Location>,
    /// Severity on the common scale, when known.
    pub severity: Option<Severity>,
    /// Kind-specific fields.
    pub extra: BTreeMap<String, String>,
    /// Hash of the visible content; a change bumps `revision`.
    pub content_hash: String,
    /// 1 for the first version, incremented each time the content changed.
    pub revision: u32,
    /// Every source that has served this item.
    pub sightings: Vec<Sighting>,
    /// Reserved for near-duplicate clustering across sources (a later issue).
    #[serde(default)]
    pub cluster: Option<String>,
}

impl Item {
    /// Whether the source gave no date and `published` is the first-seen time.
    pub fn date_is_first_seen(&self) -> bool {
        self.date_origin == DateOrigin::FirstSeen
    }
}
