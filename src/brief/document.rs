//! The briefing as a document: everything an export needs, resolved from the edition, the
//! items, their annotations and the sources at one moment. This is also the `json` export
//! (`docs/briefing.md` documents it), so its field names are a public format: add fields, do
//! not rename them.
//!
//! The document holds data, not presentation: times in UTC, levels and severities as stable
//! codes. `view.rs` turns it into the labelled, Stockholm-time strings the templates print.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::edition::{BriefKind, EditionRef, Level, Period};
use crate::curation::{Confidence, Relevance, Stamp, Status};
use crate::item::{Lifecycle, Severity};

/// The format's name and version, first in every JSON export.
pub const SCHEMA: &str = "lage.briefing/1";

/// Whether a section is one of the five focus areas or one of the four protected values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    /// A focus area of the safety and security programme.
    Focus,
    /// A protected value (*skyddsvärde*).
    Value,
}

/// One focus area or protected value: its key, the tag the rules give, and its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectionDef {
    /// Stable key (`olyckor`, `trygghet`), used in JSON, on the command line and for headings.
    pub key: &'static str,
    /// The tag that puts an item in it.
    pub tag: &'static str,
    /// Focus area or protected value.
    pub kind: SectionKind,
}

/// The five focus areas, then the four protected values, in the programme's order.
pub const SECTIONS: [SectionDef; 9] = [
    SectionDef {
        key: "olyckor",
        tag: "fokus/olyckor",
        kind: SectionKind::Focus,
    },
    SectionDef {
        key: "brott",
        tag: "fokus/brott",
        kind: SectionKind::Focus,
    },
    SectionDef {
        key: "hot-och-vald",
        tag: "fokus/hot-och-våld",
        kind: SectionKind::Focus,
    },
    SectionDef {
        key: "kris",
        tag: "fokus/kris",
        kind: SectionKind::Focus,
    },
    SectionDef {
        key: "sakerhetsskydd",
        tag: "fokus/säkerhetsskydd",
        kind: SectionKind::Focus,
    },
    SectionDef {
        key: "trygghet",
        tag: "värde/trygghet",
        kind: SectionKind::Value,
    },
    SectionDef {
        key: "funktionalitet",
        tag: "värde/funktionalitet",
        kind: SectionKind::Value,
    },
    SectionDef {
        key: "miljo-egendom",
        tag: "värde/miljö-egendom",
        kind: SectionKind::Value,
    },
    SectionDef {
        key: "grundlaggande",
        tag: "värde/grundläggande",
        kind: SectionKind::Value,
    },
];

/// The section with this key.
pub fn section(key: &str) -> Option<&'static SectionDef> {
    SECTIONS.iter().find(|s| s.key == key)
}

/// Draft or approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Being composed; may still change.
    Draft,
    /// Approved and frozen.
    Approved,
}

/// A resolved briefing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Briefing {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// The office that issues it (config `[brief] office`).
    pub office: String,
    /// Weekly picture or incident report.
    pub kind: BriefKind,
    /// Number and version.
    pub edition: EditionRef,
    /// Draft or approved.
    pub state: State,
    /// What it covers.
    pub period: Period,
    /// Who prepared this version, and when.
    pub prepared: Stamp,
    /// Who approved it, and when.
    pub approved: Option<Stamp>,
    /// Classification marking.
    pub marking: String,
    /// Who receives it.
    pub distribution: Vec<String>,
    /// The approved edition this one is compared with.
    pub previous: Option<EditionRef>,
    /// The analyst's key messages.
    pub key_messages: String,
    /// The five focus areas and the four protected values, in order.
    pub sections: Vec<Section>,
    /// The events (items), in the analyst's order.
    pub events: Vec<Event>,
    /// What changed since the previous edition.
    pub changes: Changes,
    /// Every configured source with its health over the period.
    pub sources: Vec<SourceHealth>,
    /// Items per section and Stockholm day over the period (all stored items, not only the
    /// picked ones).
    pub counts: Counts,
    /// When the document was resolved (the approval time for an approved edition).
    pub composed_at: DateTime<Utc>,
}

/// One focus area or protected value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Its key (`olyckor`, `trygghet`).
    pub key: String,
    /// Focus area or protected value.
    pub kind: SectionKind,
    /// The analyst's level.
    pub level: Level,
    /// The level the counts and severities suggest (see `suggest.rs`).
    pub suggested: Level,
    /// Items in the period tagged to it (all stored items, exercises and cancelled alerts left
    /// out).
    pub items_in_period: usize,
    /// The highest severity among those.
    pub max_severity: Option<Severity>,
    /// The briefing's events in it, by id, in the briefing's order.
    pub events: Vec<String>,
}

/// One event: an item with what the analyst said about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The item's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// What happened: the item's summary, else the start of its body.
    pub what: String,
    /// When it was published.
    pub published: DateTime<Utc>,
    /// Severity on the common scale (rules may raise it).
    pub severity: Option<Severity>,
    /// The office's handling status.
    pub status: Status,
    /// For alerts: active, cancelled or expired when the document was resolved.
    pub lifecycle: Option<Lifecycle>,
    /// Whether it is an exercise or test message.
    pub exercise: bool,
    /// The sections it is tagged to, by key.
    pub sections: Vec<String>,
    /// The place, when known.
    pub place: Option<String>,
    /// Whether it touches the area of interest.
    pub local: bool,
    /// Consequences (*konsekvenser*).
    pub consequences: String,
    /// Actions taken (*åtgärder*).
    pub actions: String,
    /// Resources engaged.
    pub resources: String,
    /// The analyst's current assessment, when there is one.
    pub assessment: Option<Assessment>,
    /// The link to the original, http or https only.
    pub link: Option<String>,
    /// Every source that served it.
    pub sources: Vec<EventSource>,
}

/// The analyst's assessment of an event (the latest annotation version).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// The assessment (*bedömning*).
    pub text: String,
    /// How sure.
    pub confidence: Option<Confidence>,
    /// How relevant.
    pub relevance: Option<Relevance>,
    /// The note beside it.
    pub note: String,
    /// Who wrote it, and when.
    pub by: Stamp,
}

/// One source that served an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventSource {
    /// The source's id.
    pub source: String,
    /// Its name from the config (the id when it is no longer configured).
    pub name: String,
    /// The item's URL at that source, http or https only.
    pub url: Option<String>,
    /// When that source first served it.
    pub first_seen: DateTime<Utc>,
}

/// What changed since the previous edition.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Changes {
    /// Events not in the previous edition.
    pub new: Vec<Change>,
    /// Events whose severity rose.
    pub escalated: Vec<Change>,
    /// Events whose severity fell.
    pub deescalated: Vec<Change>,
    /// Events handled, dismissed, cancelled or expired since, or no longer in the picture.
    pub closed: Vec<Change>,
    /// Sections whose level changed.
    pub levels: Vec<LevelChange>,
}

impl Changes {
    /// Whether nothing changed (or there is no previous edition).
    pub fn is_empty(&self) -> bool {
        self.new.is_empty()
            && self.escalated.is_empty()
            && self.deescalated.is_empty()
            && self.closed.is_empty()
            && self.levels.is_empty()
    }
}

/// One event's change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The item's id.
    pub id: String,
    /// Its title (from this edition, else the previous one).
    pub title: String,
    /// Severity in the previous edition.
    pub before: Option<Severity>,
    /// Severity now.
    pub after: Option<Severity>,
    /// Why it counts as closed: `handled`, `dismissed`, `cancelled`, `expired` or `dropped`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One section's level change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelChange {
    /// The section's key.
    pub section: String,
    /// The level before.
    pub before: Level,
    /// The level now.
    pub after: Level,
}

/// One source's health over the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceHealth {
    /// The source's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: String,
    /// Items it served that were published in the period.
    pub items_in_period: usize,
    /// Polls in the period (fetched, not modified or failed).
    #[serde(default)]
    pub polls: u32,
    /// Of those, the ones that failed.
    #[serde(default)]
    pub failed_polls: u32,
    /// The Stockholm days of the period with at least one failed poll.
    #[serde(default)]
    pub error_days: Vec<NaiveDate>,
    /// The last successful poll (any time).
    pub last_success: Option<DateTime<Utc>>,
    /// The latest error, when it happened in the period or is still current.
    pub last_error: Option<String>,
    /// When that error happened.
    pub last_error_at: Option<DateTime<Utc>>,
    /// Whether the source was failing when the document was resolved.
    pub failing: bool,
    /// Whether the source had no successful poll after the period started.
    pub silent: bool,
}

/// Items per section and day.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// The Stockholm days of the period, in order.
    pub days: Vec<NaiveDate>,
    /// One row per section, in section order.
    pub rows: Vec<CountRow>,
    /// All items per day (an item in two sections counts once here).
    pub totals: Vec<usize>,
}

/// One section's items per day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountRow {
    /// The section's key.
    pub section: String,
    /// Items per day, aligned with `Counts::days`.
    pub per_day: Vec<usize>,
    /// The sum.
    pub total: usize,
}
