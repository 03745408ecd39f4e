//! Folding the messages of one alert into one living item.
//!
//! A CAP chain (Alert → Update → Cancel, linked by `references`) and a revised warning
//! (Krisinformation's `Updated`, SMHI's `published`) arrive as separate messages. The store
//! finds the item the chain is stored as; this decides what the new message does to it:
//! - a message already in the history (the same Cancel served again hours later) changes
//!   nothing;
//! - a message older than the latest known (served out of order) joins the history only;
//! - an Alert or Update replaces the content, keeping the history;
//! - a Cancel (or Error) marks the alert cancelled and keeps the content it cancels: a Cancel
//!   often has no `info` at all, and the duty officer must still see what was cancelled.

use chrono::{DateTime, Utc};

use super::{Outcome, replace_content, touch_sighting};
use crate::item::{Alert, Item, MessageType};

/// Merges an incoming message of an alert into the stored item of its chain.
pub(super) fn merge(stored: &Item, incoming: Item, now: DateTime<Utc>) -> (Item, Outcome) {
    let mut merged = stored.clone();
    merged.last_seen = now;
    touch_sighting(&mut merged, &incoming, now);
    let (Some(known), Some(message)) = (&stored.alert, &incoming.alert) else {
        return (merged, Outcome::Unchanged);
    };
    if known.history.iter().any(|e| e.version == message.version) {
        return (merged, Outcome::Unchanged);
    }
    let mut message = message.clone();
    // A later version of a known alert is an update, whatever the source calls it (a revised
    // Krisinformation item or SMHI warning area says nothing about its predecessor).
    if message.msg_type == MessageType::Alert && message.sent >= known.sent {
        message.msg_type = MessageType::Update;
        for event in &mut message.history {
            event.msg_type = MessageType::Update;
        }
    }
    let mut history = known.history.clone();
    history.extend(message.history.iter().cloned());
    history.sort_by_key(|e| e.sent);

    if message.sent < known.sent {
        // Out of order: it belongs in the history, not on screen, except to fill what the
        // later messages left empty (a cancel seen before the alert it cancels).
        if let Some(alert) = &mut merged.alert {
            alert.history = history;
            alert.expires = alert.expires.or(message.expires);
            alert.onset = alert.onset.or(message.onset);
        }
        fill_gaps(&mut merged, incoming);
        return (merged, Outcome::Updated);
    }

    if message.msg_type.ends_alert() {
        merged.alert = Some(Alert {
            history,
            expires: message.expires.or(known.expires),
            onset: message.onset.or(known.onset),
            ..message
        });
        merged.updated = Some(merged.alert.as_ref().map_or(now, |a| a.sent));
        merged.content_hash = incoming.content_hash;
        merged.revision = stored.revision.saturating_add(1);
        return (merged, Outcome::Updated);
    }

    let published = stored.published;
    let date_origin = stored.date_origin;
    let keep_place = !has_place(&incoming);
    let textless =
        incoming.title.is_empty() && incoming.summary.is_empty() && incoming.body.is_empty();
    // An update without text (an `info`-less message) keeps the text it updates.
    let keep_title = incoming.title.is_empty();
    let keep_summary = incoming.summary.is_empty() && incoming.body.is_empty();
    replace_content(&mut merged, stored, incoming);
    if keep_title {
        merged.title.clone_from(&stored.title);
    }
    if keep_summary {
        merged.summary.clone_from(&stored.summary);
        merged.body.clone_from(&stored.body);
    }
    // An update without `info` changes nothing a reader sees but the state.
    if textless {
        merged.severity = stored.severity;
        merged.categories.clone_from(&stored.categories);
        merged.authors.clone_from(&stored.authors);
        merged.extra.clone_from(&stored.extra);
        merged.url.clone_from(&stored.url);
    }
    // Nor does it move the alert off the map.
    if keep_place {
        merged.areas.clone_from(&stored.areas);
        merged.geocodes.clone_from(&stored.geocodes);
        merged.location.clone_from(&stored.location);
        merged.local.clone_from(&stored.local);
    }
    // The chain keeps its first guid and the time it began; the latest message's time is its
    // update time.
    merged.guid.clone_from(&stored.guid);
    merged.published = published;
    merged.date_origin = date_origin;
    merged.updated = Some(message.sent);
    merged.alert = Some(Alert {
        history,
        // An update that states no times keeps the ones it updates.
        expires: message.expires.or(known.expires),
        onset: message.onset.or(known.onset),
        ..message
    });
    (merged, Outcome::Updated)
}

/// Fills the fields the stored item lacks from an earlier message.
fn fill_gaps(merged: &mut Item, earlier: Item) {
    if merged.title.is_empty() {
        merged.title = earlier.title;
    }
    if merged.summary.is_empty() && merged.body.is_empty() {
        merged.summary = earlier.summary;
        merged.body = earlier.body;
    }
    if !has_place(merged) {
        merged.areas = earlier.areas;
        merged.geocodes = earlier.geocodes;
        merged.location = earlier.location;
        merged.local = earlier.local;
    }
    merged.severity = merged.severity.or(earlier.severity);
    merged.url = merged.url.take().or(earlier.url);
    if merged.categories.is_empty() {
        merged.categories = earlier.categories;
    }
}

/// Whether a message says where it applies.
fn has_place(item: &Item) -> bool {
    !item.areas.is_empty() || !item.geocodes.is_empty() || item.location.is_some()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::super::merge as merge_any;
    use super::*;
    use crate::item::{AlertStatus, Lifecycle, RawAlert, RawItem, RawText};
    use crate::normalise::normalise;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, h, 0, 0).unwrap()
    }

    fn message(id: &str, msg_type: MessageType, title: &str, h: u32) -> Item {
        normalise(
            RawItem {
                guid: Some(id.into()),
                title: (!title.is_empty()).then(|| RawText::plain(title)),
                published: Some(at(h)),
                alert: Some(RawAlert {
                    version: id.into(),
                    msg_type,
                    sent: Some(at(h)),
                    expires: (msg_type == MessageType::Alert).then(|| at(h + 6)),
                    ..RawAlert::default()
                }),
                ..RawItem::default()
            },
            "sr-vma",
            "sr-vma",
            at(h),
        )
        .item
    }

    #[test]
    fn alert_update_cancel_fold_into_one_item_with_history() {
        let alert = message("A1", MessageType::Alert, "Brandrök i Hammarby sjöstad", 8);
        let update = message("A2", MessageType::Update, "Brandrök: stäng fönster", 9);
        let (updated, outcome) = merge_any(&alert, update, at(9));
        assert_eq!(outcome, Outcome::Updated);
        assert_eq!(updated.id, alert.id);
        assert_eq!(updated.title, "Brandrök: stäng fönster");
        assert_eq!(updated.published, at(8), "the chain keeps its start");
        assert_eq!(updated.updated, Some(at(9)));

        let cancel = message("A3", MessageType::Cancel, "", 10);
        let (cancelled, outcome) = merge_any(&updated, cancel.clone(), at(10));
        assert_eq!(outcome, Outcome::Updated);
        assert_eq!(
            cancelled.title, "Brandrök: stäng fönster",
            "content is kept"
        );
        assert_eq!(cancelled.lifecycle(at(10)), Some(Lifecycle::Cancelled));
        let history: Vec<_> = cancelled
            .alert
            .as_ref()
            .unwrap()
            .history
            .iter()
            .map(|e| e.msg_type)
            .collect();
        assert_eq!(
            history,
            [MessageType::Alert, MessageType::Update, MessageType::Cancel]
        );
        assert_eq!(cancelled.alert.as_ref().unwrap().expires, Some(at(14)));

        // The same Cancel served again hours later changes nothing.
        let (again, outcome) = merge_any(&cancelled, cancel, at(15));
        assert_eq!(outcome, Outcome::Unchanged);
        assert_eq!(again.alert, cancelled.alert);
        assert_eq!(again.revision, cancelled.revision);
    }

    #[test]
    fn a_revision_that_calls_itself_an_alert_is_recorded_as_an_update() {
        let first = message("W1", MessageType::Alert, "Gul varning: vind", 8);
        let mut revised = message("W1", MessageType::Alert, "Orange varning: vind", 9);
        if let Some(a) = &mut revised.alert {
            a.version = "W1@09".into();
            a.history[0].version = "W1@09".into();
        }
        let (merged, _) = merge_any(&first, revised, at(9));
        let alert = merged.alert.unwrap();
        assert_eq!(alert.msg_type, MessageType::Update);
        assert_eq!(alert.history[1].msg_type, MessageType::Update);
        assert_eq!(merged.title, "Orange varning: vind");
    }

    #[test]
    fn an_alert_arriving_after_its_cancel_fills_in_what_the_cancel_lacked() {
        let cancel = message("A3", MessageType::Cancel, "", 10);
        let mut alert = message("A1", MessageType::Alert, "Gasläcka i Rinkeby", 8);
        alert.severity = Some(crate::item::Severity::Critical);
        let (merged, _) = merge_any(&cancel, alert, at(11));
        assert_eq!(merged.title, "Gasläcka i Rinkeby");
        assert_eq!(merged.severity, Some(crate::item::Severity::Critical));
        assert_eq!(merged.lifecycle(at(11)), Some(Lifecycle::Cancelled));
        assert_eq!(merged.alert.unwrap().expires, Some(at(14)));
    }

    #[test]
    fn an_update_without_info_keeps_severity_and_categories() {
        let mut alert = message("A1", MessageType::Alert, "Storm", 8);
        alert.severity = Some(crate::item::Severity::High);
        alert.categories = vec!["Met".into()];
        let update = message("A2", MessageType::Update, "", 9);
        let (merged, _) = merge_any(&alert, update, at(9));
        assert_eq!(merged.title, "Storm");
        assert_eq!(merged.severity, Some(crate::item::Severity::High));
        assert_eq!(merged.categories, ["Met"]);
    }

    #[test]
    fn an_older_message_joins_the_history_but_not_the_screen() {
        let update = message("A2", MessageType::Update, "Uppdatering", 9);
        let alert = message("A1", MessageType::Alert, "Första", 8);
        let (merged, outcome) = merge_any(&update, alert, at(11));
        assert_eq!(outcome, Outcome::Updated);
        assert_eq!(merged.title, "Uppdatering");
        let alert = merged.alert.unwrap();
        assert_eq!(alert.msg_type, MessageType::Update);
        assert_eq!(alert.history.len(), 2);
        assert_eq!(alert.history[0].version, "A1", "history is in time order");
    }

    #[test]
    fn an_alert_expires_and_an_exercise_stays_an_exercise() {
        let mut drill = message("X1", MessageType::Alert, "Övning", 8);
        assert_eq!(drill.lifecycle(at(13)), Some(Lifecycle::Active));
        assert_eq!(drill.lifecycle(at(14)), Some(Lifecycle::Expired));
        assert!(!drill.is_exercise());
        if let Some(a) = &mut drill.alert {
            a.status = AlertStatus::Exercise;
        }
        assert!(drill.is_exercise());
    }
}
