//! What changed since the previous edition: events that are new, escalated, de-escalated or
//! closed, and sections whose level moved. Compared by item id, so an item that was updated in
//! place (a new revision, a later alert message) is the same event with a new severity.

use std::collections::HashMap;

use super::document::{Briefing, Change, Changes, Event, LevelChange, Section};
use crate::curation::Status;
use crate::item::Lifecycle;

/// Why an event counts as closed now, when it does.
fn closed_reason(e: &Event) -> Option<&'static str> {
    match (e.status, e.lifecycle) {
        (Status::Handled, _) => Some("handled"),
        (Status::Dismissed, _) => Some("dismissed"),
        (_, Some(Lifecycle::Cancelled)) => Some("cancelled"),
        (_, Some(Lifecycle::Expired)) => Some("expired"),
        _ => None,
    }
}

fn change(e: &Event, before: Option<&Event>, reason: Option<&str>) -> Change {
    Change {
        id: e.id.clone(),
        title: e.title.clone(),
        before: before.and_then(|b| b.severity),
        after: e.severity,
        reason: reason.map(str::to_string),
    }
}

/// Compares the events and sections now with the previous edition's.
pub fn compare(events: &[Event], sections: &[Section], previous: &Briefing) -> Changes {
    let before: HashMap<&str, &Event> =
        previous.events.iter().map(|e| (e.id.as_str(), e)).collect();
    let mut changes = Changes::default();
    for e in events {
        let Some(old) = before.get(e.id.as_str()).copied() else {
            changes.new.push(change(e, None, None));
            continue;
        };
        match closed_reason(e) {
            Some(reason) if closed_reason(old).is_none() => {
                changes.closed.push(change(e, Some(old), Some(reason)));
            }
            _ if e.severity > old.severity => changes.escalated.push(change(e, Some(old), None)),
            _ if e.severity < old.severity => changes.deescalated.push(change(e, Some(old), None)),
            _ => {}
        }
    }
    for old in &previous.events {
        if !events.iter().any(|e| e.id == old.id) && closed_reason(old).is_none() {
            changes.closed.push(Change {
                id: old.id.clone(),
                title: old.title.clone(),
                before: old.severity,
                after: None,
                reason: Some("dropped".into()),
            });
        }
    }
    for s in sections {
        let old = previous
            .sections
            .iter()
            .find(|o| o.key == s.key)
            .map(|o| o.level)
            .unwrap_or_default();
        if old != s.level {
            changes.levels.push(LevelChange {
                section: s.key.clone(),
                before: old,
                after: s.level,
            });
        }
    }
    changes
}
