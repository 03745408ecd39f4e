//! What people decide about items, and the shift log: acknowledgements, statuses, briefing picks,
//! annotations (note, assessment with confidence, relevance) and log entries.
//!
//! Everything here is append-only: a decision is stored with its author and time and never
//! rewritten, so an edit is a new version and the history stays visible. The current state of an
//! item is a fold over its decisions ([`ItemState::fold`]), computed when read. This module is
//! pure data; the store keeps the records and the dashboard and the CLI make them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::tags::OverrideAction;

/// Where an item stands in the office's handling of it.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Not yet looked at (*ny*).
    #[default]
    New,
    /// Being followed (*bevakas*).
    Watching,
    /// Dealt with (*hanterad*).
    Handled,
    /// Judged not relevant (*avfärdad*).
    Dismissed,
}

impl Status {
    /// Every status, in the order the dashboard offers them.
    pub const ALL: [Status; 4] = [
        Status::New,
        Status::Watching,
        Status::Handled,
        Status::Dismissed,
    ];

    /// The stable name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Watching => "watching",
            Status::Handled => "handled",
            Status::Dismissed => "dismissed",
        }
    }

    /// A compact code for the in-memory index.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The status for a code from [`Status::code`]; unknown codes read as `New`.
    pub fn from_code(code: u8) -> Status {
        Status::ALL
            .get(usize::from(code))
            .copied()
            .unwrap_or_default()
    }
}

/// How sure the analyst is of an assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Låg.
    Low,
    /// Medel.
    Medium,
    /// Hög.
    High,
}

impl Confidence {
    /// Every level, lowest first.
    pub const ALL: [Confidence; 3] = [Confidence::Low, Confidence::Medium, Confidence::High];
}

/// How much an item matters for the office's picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relevance {
    /// Låg.
    Low,
    /// Medel.
    Medium,
    /// Hög.
    High,
}

impl Relevance {
    /// Every level, lowest first.
    pub const ALL: [Relevance; 3] = [Relevance::Low, Relevance::Medium, Relevance::High];
}

/// One version of an item's annotation. Saving again appends a new version; the latest is
/// current and the earlier ones stay as history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotation {
    /// Free text (*anteckning*), may span lines.
    #[serde(default)]
    pub note: String,
    /// The analyst's assessment (*bedömning*), may span lines.
    #[serde(default)]
    pub assessment: String,
    /// How sure the assessment is.
    #[serde(default)]
    pub confidence: Option<Confidence>,
    /// How relevant the item is.
    #[serde(default)]
    pub relevance: Option<Relevance>,
}

/// What a person did to an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Acknowledged (*kvitterad*): someone has seen it and taken responsibility.
    Acknowledge,
    /// Set the handling status.
    SetStatus {
        /// The new status.
        status: Status,
    },
    /// Picked for (true) or dropped from (false) the briefing.
    Briefing {
        /// Whether the item goes into the briefing.
        include: bool,
    },
    /// Saved a new version of the annotation.
    Annotate {
        /// The whole annotation as saved.
        annotation: Annotation,
    },
    /// Added or removed a tag by hand (stored in the tag override log, logged here).
    Tag {
        /// The tag.
        tag: String,
        /// Added or removed.
        change: OverrideAction,
    },
}

impl Action {
    /// The action in a few words, for the audit log (`acknowledge`, `status handled`,
    /// `tag +fokus/brott`); free text is left out.
    pub fn summary(&self) -> String {
        match self {
            Action::Acknowledge => "acknowledge".to_string(),
            Action::SetStatus { status } => format!("status {}", status.as_str()),
            Action::Briefing { include: true } => "briefing pick".to_string(),
            Action::Briefing { include: false } => "briefing drop".to_string(),
            Action::Annotate { .. } => "annotate".to_string(),
            Action::Tag { tag, change } => match change {
                OverrideAction::Add => format!("tag +{tag}"),
                OverrideAction::Remove => format!("tag -{tag}"),
            },
        }
    }
}

/// A decision: an action with who made it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// What was done.
    #[serde(flatten)]
    pub action: Action,
    /// Who did it (the OS user locally, the SSH user when served).
    pub author: String,
    /// When (UTC).
    pub at: DateTime<Utc>,
}

/// Who did something and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// The author.
    pub author: String,
    /// The time (UTC).
    pub at: DateTime<Utc>,
}

/// An item's current state, folded from its decisions (oldest first).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ItemState {
    /// Who acknowledged it first, and when.
    pub acknowledged: Option<Stamp>,
    /// The latest status (`New` when never set).
    pub status: Status,
    /// Who set the status, and when.
    pub status_set: Option<Stamp>,
    /// Whether the latest briefing decision includes it.
    pub in_briefing: bool,
    /// The current annotation, with who saved it and when.
    pub annotation: Option<(Annotation, Stamp)>,
    /// How many annotation versions exist.
    pub annotation_versions: usize,
}

impl ItemState {
    /// Folds decisions, oldest first, into the current state. Acknowledgement is kept from the
    /// first one (later ones add nothing); every other kind of decision: the latest wins.
    pub fn fold<'a>(decisions: impl IntoIterator<Item = &'a Decision>) -> ItemState {
        let mut state = ItemState::default();
        for d in decisions {
            let stamp = || Stamp {
                author: d.author.clone(),
                at: d.at,
            };
            match &d.action {
                Action::Acknowledge => {
                    if state.acknowledged.is_none() {
                        state.acknowledged = Some(stamp());
                    }
                }
                Action::SetStatus { status } => {
                    state.status = *status;
                    state.status_set = Some(stamp());
                }
                Action::Briefing { include } => state.in_briefing = *include,
                Action::Annotate { annotation } => {
                    state.annotation = Some((annotation.clone(), stamp()));
                    state.annotation_versions += 1;
                }
                Action::Tag { .. } => {}
            }
        }
        state
    }
}

/// What a shift-log entry says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LogWhat {
    /// A note someone wrote.
    Note {
        /// The text.
        text: String,
    },
    /// A handover to the next shift (*överlämning*).
    Handover {
        /// The text.
        text: String,
    },
    /// Written automatically when someone decided something about an item.
    Decision {
        /// The item's id.
        item: String,
        /// The item's title at the time, so the log reads on its own.
        title: String,
        /// What was done.
        #[serde(flatten)]
        action: Action,
    },
}

/// One entry in the shift log (*loggbok*).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// Who.
    pub author: String,
    /// What.
    #[serde(flatten)]
    pub what: LogWhat,
}

/// The name to record as the author of local actions: the OS user.
pub fn local_author() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()))
        .map(|s| crate::normalise::text::sanitize_line(&s, 64))
        .unwrap_or_else(|| "okänd".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: u32) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("2026-11-25T10:{minute:02}:00Z"))
            .expect("time")
            .with_timezone(&Utc)
    }

    fn decision(action: Action, author: &str, minute: u32) -> Decision {
        Decision {
            action,
            author: author.into(),
            at: at(minute),
        }
    }

    #[test]
    fn the_first_acknowledgement_counts_and_the_latest_status_wins() {
        let ds = [
            decision(Action::Acknowledge, "anna", 1),
            decision(Action::Acknowledge, "bo", 2),
            decision(
                Action::SetStatus {
                    status: Status::Watching,
                },
                "bo",
                3,
            ),
            decision(
                Action::SetStatus {
                    status: Status::Handled,
                },
                "anna",
                4,
            ),
            decision(Action::Briefing { include: true }, "anna", 5),
            decision(Action::Briefing { include: false }, "bo", 6),
        ];
        let s = ItemState::fold(&ds);
        assert_eq!(
            s.acknowledged.as_ref().map(|a| a.author.as_str()),
            Some("anna")
        );
        assert_eq!(s.status, Status::Handled);
        assert_eq!(s.status_set.as_ref().map(|a| a.at), Some(at(4)));
        assert!(!s.in_briefing);
    }

    #[test]
    fn an_edited_annotation_keeps_its_versions() {
        let first = Annotation {
            note: "Brand i skola".into(),
            ..Annotation::default()
        };
        let second = Annotation {
            assessment: "Troligen anlagd".into(),
            confidence: Some(Confidence::Medium),
            ..first.clone()
        };
        let ds = [
            decision(Action::Annotate { annotation: first }, "anna", 1),
            decision(
                Action::Annotate {
                    annotation: second.clone(),
                },
                "bo",
                2,
            ),
        ];
        let s = ItemState::fold(&ds);
        assert_eq!(s.annotation_versions, 2);
        let (current, stamp) = s.annotation.expect("annotated");
        assert_eq!(current, second);
        assert_eq!(stamp.author, "bo");
    }

    #[test]
    fn decisions_and_log_entries_read_back_from_json() {
        let d = decision(
            Action::Annotate {
                annotation: Annotation {
                    note: "a\nb".into(),
                    relevance: Some(Relevance::High),
                    ..Annotation::default()
                },
            },
            "anna",
            7,
        );
        let json = serde_json::to_string(&d).expect("encode");
        assert!(json.contains("\"action\":\"annotate\""), "{json}");
        assert_eq!(serde_json::from_str::<Decision>(&json).expect("decode"), d);
        let e = LogEntry {
            at: at(8),
            author: "anna".into(),
            what: LogWhat::Decision {
                item: "00ff".into(),
                title: "Brand".into(),
                action: Action::SetStatus {
                    status: Status::Dismissed,
                },
            },
        };
        let json = serde_json::to_string(&e).expect("encode");
        assert_eq!(serde_json::from_str::<LogEntry>(&json).expect("decode"), e);
        assert_eq!(
            Status::from_code(Status::Dismissed.code()),
            Status::Dismissed
        );
        assert_eq!(Status::from_code(200), Status::New);
    }
}
