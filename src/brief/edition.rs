//! A briefing edition as the store keeps it: what the analyst decided (period, items and their
//! order, key messages, statuses, per-event notes), who prepared and approved it, and, once
//! approved, the frozen document every later export is rendered from.
//!
//! Editions are numbered per office (1, 2, 3, ...); each number has versions. Only the latest
//! version of a number can change, and only while it is a draft: an edit to an approved version
//! makes a new draft version, so an approved version is never rewritten.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::document::Briefing;
use crate::curation::Stamp;

/// What a briefing covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BriefKind {
    /// The weekly situational picture (*veckolägesbild*).
    #[default]
    Week,
    /// A situation report during an incident (*samlad lägesbild*).
    Incident,
}

impl BriefKind {
    /// The stable name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            BriefKind::Week => "week",
            BriefKind::Incident => "incident",
        }
    }
}

/// How serious the picture is in one focus area or protected value, as the analyst judges it
/// (*normal, förhöjd, allvarlig*).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Normal.
    #[default]
    Normal,
    /// Förhöjd.
    Elevated,
    /// Allvarlig.
    Serious,
}

impl Level {
    /// Every level, lowest first.
    pub const ALL: [Level; 3] = [Level::Normal, Level::Elevated, Level::Serious];

    /// The stable name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Normal => "normal",
            Level::Elevated => "elevated",
            Level::Serious => "serious",
        }
    }

    /// Parses `normal`/`elevated`/`serious` or the Swedish `normal`/`förhöjd`/`allvarlig`.
    pub fn parse(text: &str) -> Option<Level> {
        match text.trim().to_lowercase().as_str() {
            "normal" => Some(Level::Normal),
            "elevated" | "förhöjd" | "forhojd" => Some(Level::Elevated),
            "serious" | "allvarlig" => Some(Level::Serious),
            _ => None,
        }
    }

    /// The next level up, wrapping to `Normal` (the dashboard cycles with one key).
    pub fn next(self) -> Level {
        match self {
            Level::Normal => Level::Elevated,
            Level::Elevated => Level::Serious,
            Level::Serious => Level::Normal,
        }
    }
}

/// The time span a briefing covers, `from` inclusive, `to` exclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// Start (UTC).
    pub from: DateTime<Utc>,
    /// End (UTC), exclusive.
    pub to: DateTime<Utc>,
    /// The ISO week (`2026-W48`) when the period is one, else empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub week: String,
}

impl Period {
    /// Whether `t` falls in the period.
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.from <= t && t < self.to
    }
}

/// What the analyst adds to one event beyond the item and its annotation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventNotes {
    /// Consequences (*konsekvenser*).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub consequences: String,
    /// Actions taken (*åtgärder*).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub actions: String,
    /// Resources engaged (*resurser*).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub resources: String,
}

impl EventNotes {
    /// Whether nothing is written.
    pub fn is_empty(&self) -> bool {
        self.consequences.is_empty() && self.actions.is_empty() && self.resources.is_empty()
    }
}

/// Which edition and version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EditionRef {
    /// The edition's number.
    pub number: u32,
    /// The version.
    pub version: u32,
}

impl std::fmt::Display for EditionRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.number, self.version)
    }
}

/// One version of one edition, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Edition {
    /// The edition's number (1, 2, ...).
    pub number: u32,
    /// The version of that number (1, 2, ...).
    pub version: u32,
    /// Weekly picture or incident report.
    pub kind: BriefKind,
    /// What it covers.
    pub period: Period,
    /// Who started this version, and when.
    pub prepared: Stamp,
    /// Who last changed it, and when (the same as `prepared` until someone edits).
    pub updated: Stamp,
    /// Who approved it, and when; `None` while it is a draft.
    #[serde(default)]
    pub approved: Option<Stamp>,
    /// The classification marking (*Ej sekretess*, *Begränsad delning*).
    pub marking: String,
    /// Who receives it.
    #[serde(default)]
    pub distribution: Vec<String>,
    /// The approved edition before it, which "what changed" compares with.
    #[serde(default)]
    pub previous: Option<EditionRef>,
    /// The analyst's key messages (*sammanfattning*), paragraphs separated by blank lines.
    #[serde(default)]
    pub key_messages: String,
    /// The analyst's level per section (focus area or protected value key); a section not
    /// set here is `Normal`.
    #[serde(default)]
    pub levels: BTreeMap<String, Level>,
    /// The items, in the order the briefing shows them.
    #[serde(default)]
    pub items: Vec<String>,
    /// Items picked in the dashboard that the analyst took out of this edition: they stay out
    /// when the picks are read again.
    #[serde(default)]
    pub excluded: Vec<String>,
    /// Per item: consequences, actions, resources.
    #[serde(default)]
    pub notes: BTreeMap<String, EventNotes>,
    /// The document as approved: every export of an approved version renders this, so it comes
    /// out the same byte for byte whatever happened to the items since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frozen: Option<Box<Briefing>>,
}

impl Edition {
    /// This version's reference.
    pub fn reference(&self) -> EditionRef {
        EditionRef {
            number: self.number,
            version: self.version,
        }
    }

    /// Whether it is approved (and so frozen).
    pub fn is_approved(&self) -> bool {
        self.approved.is_some()
    }

    /// The analyst's level for a section.
    pub fn level(&self, section: &str) -> Level {
        self.levels.get(section).copied().unwrap_or_default()
    }

    /// The next version to edit after this approved one: the same content, unapproved, started
    /// by `by` now.
    pub fn next_version(&self, by: Stamp) -> Edition {
        Edition {
            version: self.version + 1,
            prepared: by.clone(),
            updated: by,
            approved: None,
            frozen: None,
            ..self.clone()
        }
    }

    /// Adds items at the end (or keeps them where they are), and takes them off the excluded
    /// list.
    pub fn add_items(&mut self, ids: &[String]) {
        for id in ids {
            self.excluded.retain(|e| e != id);
            if !self.items.contains(id) {
                self.items.push(id.clone());
            }
        }
    }

    /// Removes items and remembers that they were taken out.
    pub fn remove_items(&mut self, ids: &[String]) {
        for id in ids {
            self.items.retain(|i| i != id);
            if !self.excluded.contains(id) {
                self.excluded.push(id.clone());
            }
        }
    }

    /// Moves an item up (`-1`) or down (`+1`) in the order; false when it cannot move.
    pub fn move_item(&mut self, id: &str, by: isize) -> bool {
        let Some(at) = self.items.iter().position(|i| i == id) else {
            return false;
        };
        let Some(to) = at
            .checked_add_signed(by)
            .filter(|to| *to < self.items.len())
        else {
            return false;
        };
        self.items.swap(at, to);
        true
    }

    /// Takes in items picked for the briefing (`b` in the dashboard) that are neither in the
    /// edition nor excluded from it, in the order given; returns how many were added.
    pub fn take_picks(&mut self, picked: impl IntoIterator<Item = String>) -> usize {
        let mut added = 0;
        for id in picked {
            if !self.items.contains(&id) && !self.excluded.contains(&id) {
                self.items.push(id);
                added += 1;
            }
        }
        added
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edition() -> Edition {
        let at = DateTime::parse_from_rfc3339("2026-11-30T08:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        let stamp = Stamp {
            author: "anna".into(),
            at,
        };
        Edition {
            number: 1,
            version: 1,
            kind: BriefKind::Week,
            period: Period {
                from: at,
                to: at,
                week: String::new(),
            },
            prepared: stamp.clone(),
            updated: stamp,
            approved: None,
            marking: "Ej sekretess".into(),
            distribution: Vec::new(),
            previous: None,
            key_messages: String::new(),
            levels: BTreeMap::new(),
            items: Vec::new(),
            excluded: Vec::new(),
            notes: BTreeMap::new(),
            frozen: None,
        }
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_removed_item_stays_out_when_picks_are_read_again_until_added() {
        let mut e = edition();
        assert_eq!(e.take_picks(ids(&["a", "b"])), 2);
        e.remove_items(&ids(&["a"]));
        assert_eq!(e.take_picks(ids(&["a", "b", "c"])), 1);
        assert_eq!(e.items, ids(&["b", "c"]));
        e.add_items(&ids(&["a"]));
        assert_eq!(e.items, ids(&["b", "c", "a"]));
        assert!(e.excluded.is_empty());
    }

    #[test]
    fn items_move_within_bounds_only() {
        let mut e = edition();
        e.add_items(&ids(&["a", "b", "c"]));
        assert!(e.move_item("c", -1));
        assert_eq!(e.items, ids(&["a", "c", "b"]));
        assert!(!e.move_item("a", -1));
        assert!(!e.move_item("b", 1));
        assert!(!e.move_item("x", 1));
    }

    #[test]
    fn the_next_version_is_an_unapproved_copy() {
        let mut e = edition();
        e.approved = Some(e.prepared.clone());
        e.key_messages = "Lugnt.".into();
        let by = Stamp {
            author: "bo".into(),
            at: e.prepared.at,
        };
        let next = e.next_version(by);
        assert_eq!((next.number, next.version), (1, 2));
        assert!(!next.is_approved());
        assert_eq!(next.key_messages, "Lugnt.");
        assert_eq!(next.prepared.author, "bo");
    }

    #[test]
    fn levels_parse_in_both_languages() {
        assert_eq!(Level::parse("förhöjd"), Some(Level::Elevated));
        assert_eq!(Level::parse("Serious"), Some(Level::Serious));
        assert_eq!(Level::parse("hög"), None);
        assert_eq!(Level::Serious.next(), Level::Normal);
    }
}
