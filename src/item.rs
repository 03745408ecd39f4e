//! The one item type every source kind is normalised into, and the raw shape kinds produce.
//!
//! A source kind only fills a [`RawItem`] (fields as the source gave them, text possibly HTML);
//! `normalise` turns it into an [`Item`] with clean text, canonical URL and UTC times. Everything
//! downstream (dedup, store, rules, UI, export) sees only `Item`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::tags::Tagging;

/// A place an item refers to: a name, coordinates, or both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Location {
    /// Place name as the source gave it (sanitised).
    pub name: Option<String>,
    /// Latitude in WGS84 degrees.
    pub lat: Option<f64>,
    /// Longitude in WGS84 degrees.
    pub lon: Option<f64>,
    /// Whether the point only stands for the named place as a whole (Polisen gives a
    /// municipality's centre, Krisinformation a county's), not for where the event is: such a
    /// point says nothing about which district it happened in.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub approximate: bool,
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
    /// The warning or alert this item is one message of, for authority kinds.
    pub alert: Option<RawAlert>,
    /// Areas the item concerns (names, geocodes, shapes), for the area-of-interest check.
    pub areas: Vec<GeoArea>,
    /// CAP's urgency, severity and certainty, when the source grades that way; mapped to
    /// `severity` by the configured table unless the kind set `severity` itself.
    pub grading: Option<CapGrading>,
}

/// CAP's three grading fields as written (`Immediate`, `Severe`, `Observed`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CapGrading {
    /// `urgency`.
    pub urgency: String,
    /// `severity`.
    pub severity: String,
    /// `certainty`.
    pub certainty: String,
}

/// Whether a message is real or a drill (CAP `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum AlertStatus {
    /// A real event.
    #[default]
    Actual,
    /// An exercise: must never look like the real thing.
    Exercise,
    /// A technical test.
    Test,
    /// A system message.
    System,
    /// A draft.
    Draft,
}

impl AlertStatus {
    /// Parses CAP's `status` (case-insensitive); anything unknown counts as a test, so a
    /// status nobody expected never passes for the real thing.
    pub fn parse(text: &str) -> AlertStatus {
        match text.trim().to_ascii_lowercase().as_str() {
            "actual" => AlertStatus::Actual,
            "exercise" => AlertStatus::Exercise,
            "system" => AlertStatus::System,
            "draft" => AlertStatus::Draft,
            _ => AlertStatus::Test,
        }
    }

    /// Whether this is a real event (everything else is a drill, test or system message).
    pub fn is_actual(self) -> bool {
        self == AlertStatus::Actual
    }

    /// The lowercase label used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertStatus::Actual => "actual",
            AlertStatus::Exercise => "exercise",
            AlertStatus::Test => "test",
            AlertStatus::System => "system",
            AlertStatus::Draft => "draft",
        }
    }
}

/// What a message does to its alert (CAP `msgType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum MessageType {
    /// The first message of an alert.
    #[default]
    Alert,
    /// Replaces an earlier message.
    Update,
    /// Cancels an earlier message.
    Cancel,
    /// Acknowledges an earlier message.
    Ack,
    /// Rejects an earlier message as an error.
    Error,
}

impl MessageType {
    /// Parses CAP's `msgType` (case-insensitive); `None` for anything else.
    pub fn parse(text: &str) -> Option<MessageType> {
        match text.trim().to_ascii_lowercase().as_str() {
            "alert" => Some(MessageType::Alert),
            "update" => Some(MessageType::Update),
            "cancel" => Some(MessageType::Cancel),
            "ack" => Some(MessageType::Ack),
            "error" => Some(MessageType::Error),
            _ => None,
        }
    }

    /// The lowercase label used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageType::Alert => "alert",
            MessageType::Update => "update",
            MessageType::Cancel => "cancel",
            MessageType::Ack => "ack",
            MessageType::Error => "error",
        }
    }

    /// Whether the message ends its alert (a cancel, or an error withdrawing it).
    pub fn ends_alert(self) -> bool {
        matches!(self, MessageType::Cancel | MessageType::Error)
    }
}

/// One message of an alert as a kind read it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawAlert {
    /// This message's own identifier, unique per version: a CAP identifier, or an id plus its
    /// revision time for sources that revise in place (Krisinformation, SMHI).
    pub version: String,
    /// Real or drill.
    pub status: AlertStatus,
    /// What the message does.
    pub msg_type: MessageType,
    /// When the message was sent.
    pub sent: Option<DateTime<Utc>>,
    /// Guids of the earlier messages it refers to (CAP `references`, identifier part only):
    /// the message folds into the item any of them is stored as.
    pub references: Vec<String>,
    /// When the alert takes effect.
    pub onset: Option<DateTime<Utc>>,
    /// When the alert ends, when known.
    pub expires: Option<DateTime<Utc>>,
}

/// An area an item concerns, as the source described it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GeoArea {
    /// The area's name (`areaDesc`, a county, a municipality).
    pub name: Option<String>,
    /// Administrative codes: SCB county (2 digits) or municipality (4 digits) codes; "00"
    /// is all of Sweden.
    pub geocodes: Vec<String>,
    /// Polygons as rings of (lat, lon) points.
    pub polygons: Vec<Vec<(f64, f64)>>,
    /// Points (lat, lon) with a radius in km (CAP circles, a point is radius 0).
    pub circles: Vec<(f64, f64, f64)>,
}

/// One message in an alert's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertEvent {
    /// The message's identifier (see [`RawAlert::version`]).
    pub version: String,
    /// What it did.
    pub msg_type: MessageType,
    /// When it was sent.
    pub sent: DateTime<Utc>,
    /// Its headline as received (sanitised).
    pub headline: String,
    /// Its severity on the common scale.
    pub severity: Option<Severity>,
}

/// Where an alert is in its life at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lifecycle {
    /// In force.
    Active,
    /// Cancelled by a later message (kept, never deleted).
    Cancelled,
    /// Past its end time.
    Expired,
}

impl Lifecycle {
    /// The lowercase label used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::Active => "active",
            Lifecycle::Cancelled => "cancelled",
            Lifecycle::Expired => "expired",
        }
    }
}

/// An alert folded from all its messages: the item shows the latest, this keeps the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Real or drill; a drill never looks like the real thing.
    pub status: AlertStatus,
    /// The latest message's type.
    pub msg_type: MessageType,
    /// The latest message's identifier.
    pub version: String,
    /// When the latest message was sent.
    pub sent: DateTime<Utc>,
    /// When the alert takes effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onset: Option<DateTime<Utc>>,
    /// When the alert ends, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<DateTime<Utc>>,
    /// Every message received, oldest first.
    pub history: Vec<AlertEvent>,
}

impl Alert {
    /// The alert's state at `now`: cancelled once a cancel arrived, expired past its end.
    pub fn lifecycle(&self, now: DateTime<Utc>) -> Lifecycle {
        if self.msg_type.ends_alert() {
            Lifecycle::Cancelled
        } else if self.expires.is_some_and(|e| e <= now) {
            Lifecycle::Expired
        } else {
            Lifecycle::Active
        }
    }
}

/// How an item was found to touch the area of interest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchHow {
    /// A county or municipality code.
    Geocode,
    /// A polygon or circle of the item covers or meets a place.
    Shape,
    /// The item's point lies within a place's radius.
    Distance,
    /// The item's place name is one of the configured names.
    Name,
}

/// Why an item counts as local.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalMatch {
    /// The kind of evidence.
    pub how: MatchHow,
    /// The configured place, code or name that matched.
    pub place: String,
    /// For a point: its distance to the place's centre, in km.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
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
    /// For warnings and alerts: status, lifecycle and the history of its messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert: Option<Alert>,
    /// Names of the areas the item concerns (sanitised).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub areas: Vec<String>,
    /// County and municipality codes the item concerns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub geocodes: Vec<String>,
    /// Why the item touches the configured area of interest; `None` when it does not (or
    /// gives no place to tell).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<LocalMatch>,
    /// What the rules concluded about this version of the item: tags, evidence, a raised
    /// severity and a priority. Manual overrides are kept apart, in the store's override log.
    #[serde(default, skip_serializing_if = "Tagging::is_empty")]
    pub tagging: Tagging,
}

impl Item {
    /// Whether the source gave no date and `published` is the first-seen time.
    pub fn date_is_first_seen(&self) -> bool {
        self.date_origin == DateOrigin::FirstSeen
    }

    /// Whether the item is a drill or test message, never to be taken for the real thing.
    pub fn is_exercise(&self) -> bool {
        self.alert.as_ref().is_some_and(|a| !a.status.is_actual())
    }

    /// The alert's state at `now`, for warnings and alerts.
    pub fn lifecycle(&self, now: DateTime<Utc>) -> Option<Lifecycle> {
        self.alert.as_ref().map(|a| a.lifecycle(now))
    }

    /// The severity to show: the source's own, raised by a firing rule's `severity` when that
    /// is higher (a rule never lowers what the source said).
    pub fn effective_severity(&self) -> Option<Severity> {
        self.severity.max(self.tagging.severity)
    }
}

/// An item id as a number: ids are 16 hex digits (xxh3-64), so the in-memory index keeps them
/// as `u64`. `None` for anything else.
pub fn id_number(id: &str) -> Option<u64> {
    if id.len() == 16 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        u64::from_str_radix(id, 16).ok()
    } else {
        None
    }
}

/// The id for a number from [`id_number`].
pub fn id_string(n: u64) -> String {
    format!("{n:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::normalise;

    fn item(severity: Option<Severity>, raised: Option<Severity>) -> Item {
        let mut item = normalise(
            RawItem {
                title: Some(RawText::plain("Brand")),
                severity,
                ..RawItem::default()
            },
            "s",
            "rss",
            Utc::now(),
        )
        .item;
        item.tagging.severity = raised;
        item
    }

    #[test]
    fn a_rule_raises_the_severity_shown_but_never_lowers_it() {
        use Severity::{High, Low};
        assert_eq!(item(Some(Low), Some(High)).effective_severity(), Some(High));
        assert_eq!(item(Some(High), Some(Low)).effective_severity(), Some(High));
        assert_eq!(item(None, Some(Low)).effective_severity(), Some(Low));
        assert_eq!(item(Some(Low), None).effective_severity(), Some(Low));
        assert_eq!(item(None, None).effective_severity(), None);
        // The source's own severity is kept as it was.
        assert_eq!(item(Some(Low), Some(High)).severity, Some(Low));
    }

    #[test]
    fn ids_round_trip_through_numbers() {
        assert_eq!(id_number("00ff00ff00ff00ff"), Some(0x00ff_00ff_00ff_00ff));
        assert_eq!(id_string(0x00ff_00ff_00ff_00ff), "00ff00ff00ff00ff");
        assert_eq!(id_number("00ff"), None);
        assert_eq!(id_number("+0ff00ff00ff00ff"), None);
        assert_eq!(id_number("zzzzzzzzzzzzzzzz"), None);
        assert_eq!(id_number("00FF00FF00FF00FF"), None, "ids are lowercase");
    }

    #[test]
    fn an_untagged_item_is_stored_without_a_tagging_and_reads_back() {
        let plain = item(None, None);
        let json = serde_json::to_value(&plain).expect("encode");
        assert!(json.get("tagging").is_none(), "{json}");
        let back: Item = serde_json::from_value(json).expect("an item without tagging decodes");
        assert_eq!(back, plain);
    }
}
