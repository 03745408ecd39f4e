//! Decisions, the shift log and last-looked times: durable across a reopen, in the order written.

use super::*;
use crate::curation::{Action, Annotation, Decision, LogEntry, LogWhat, Status};

fn decision(action: Action, minute: u32) -> Decision {
    Decision {
        action,
        author: "anna".into(),
        at: at(minute),
    }
}

fn note(text: &str, minute: u32) -> LogEntry {
    LogEntry {
        at: at(minute),
        author: "bo".into(),
        what: LogWhat::Note { text: text.into() },
    }
}

#[test]
fn a_recorded_decision_and_its_log_entry_survive_a_reopen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (ids, decisions) = {
        let store = Store::open(dir.path()).expect("open");
        let ids = store_items(&store, &["Brand i Tensta", "Inbrott"]);
        let decisions = [
            decision(Action::Acknowledge, 5),
            decision(
                Action::SetStatus {
                    status: Status::Watching,
                },
                6,
            ),
            decision(
                Action::Annotate {
                    annotation: Annotation {
                        note: "Rök syns\nfrån E4".into(),
                        ..Annotation::default()
                    },
                },
                7,
            ),
        ];
        for d in &decisions {
            store.record(&ids[0], d, None).expect("record");
        }
        store
            .record(&ids[1], &decision(Action::Acknowledge, 8), None)
            .expect("record");
        (ids, decisions)
    };
    let store = Store::open(dir.path()).expect("reopen");
    assert_eq!(store.decisions(&ids[0]).expect("read"), decisions);
    assert_eq!(store.decisions(&ids[1]).expect("read").len(), 1);
    let all = store.all_decisions().expect("all");
    assert_eq!(all.len(), 4);
    assert_eq!(
        all.iter().filter(|(id, _)| *id == ids[0]).count(),
        3,
        "{all:?}"
    );

    let log = store.log_entries(10).expect("log");
    assert_eq!(log.len(), 4);
    assert_eq!(
        log[0],
        LogEntry {
            at: at(5),
            author: "anna".into(),
            what: LogWhat::Decision {
                item: ids[0].clone(),
                title: "Brand i Tensta".into(),
                action: Action::Acknowledge,
            },
        }
    );
    assert!(
        matches!(&log[3].what, LogWhat::Decision { item, title, .. } if *item == ids[1] && title == "Inbrott")
    );
}

#[test]
fn a_tag_decision_goes_to_the_tag_override_log_with_its_note() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    let ids = store_items(&store, &["Brand"]);
    let tag = Action::Tag {
        tag: "fokus/kris".into(),
        change: OverrideAction::Add,
    };
    store
        .record(&ids[0], &decision(tag.clone(), 3), Some("samverkan"))
        .expect("record");

    assert!(store.decisions(&ids[0]).expect("read").is_empty());
    let expected = TagOverride {
        tag: "fokus/kris".into(),
        action: OverrideAction::Add,
        author: "anna".into(),
        at: at(3),
        note: Some("samverkan".into()),
    };
    assert_eq!(
        store.tag_overrides(&ids[0]).expect("read"),
        std::slice::from_ref(&expected)
    );
    assert_eq!(
        store.all_tag_overrides().expect("all"),
        [(ids[0].clone(), expected)]
    );
    let log = store.log_entries(1).expect("log");
    assert!(
        matches!(&log[0].what, LogWhat::Decision { action, .. } if *action == tag),
        "{log:?}"
    );
}

#[test]
fn a_decision_on_an_unknown_item_is_refused_and_nothing_is_logged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    let err = store
        .record("00000000deadbeef", &decision(Action::Acknowledge, 1), None)
        .expect_err("unknown id");
    assert!(matches!(&err, StoreError::UnknownItem(id) if id == "00000000deadbeef"));
    assert!(store.all_decisions().expect("all").is_empty());
    assert!(store.log_entries(10).expect("log").is_empty());
}

#[test]
fn the_log_gives_the_latest_entries_oldest_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    // Written in this order, dated out of order: the log keeps the order written.
    let entries = [note("a", 9), note("b", 1), note("c", 5), note("d", 2)];
    for e in &entries {
        store.add_log_entry(e).expect("add");
    }
    assert_eq!(store.log_entries(2).expect("log"), entries[2..]);
    assert_eq!(store.log_entries(100).expect("log"), entries);
    assert!(store.log_entries(0).expect("log").is_empty());

    drop(store);
    let store = Store::open(dir.path()).expect("reopen");
    let handover = LogEntry {
        what: LogWhat::Handover {
            text: "Lugnt".into(),
        },
        ..note("", 10)
    };
    store.add_log_entry(&handover).expect("add after reopen");
    assert_eq!(
        store.log_entries(2).expect("log"),
        [entries[3].clone(), handover],
        "entries written after a reopen come after the earlier ones"
    );
}

#[test]
fn last_looked_is_kept_per_user_across_a_reopen() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let store = Store::open(dir.path()).expect("open");
        assert_eq!(store.last_looked("anna").expect("read"), None);
        store.set_last_looked("anna", at(1)).expect("set");
        store.set_last_looked("anna", at(7)).expect("set again");
        store.set_last_looked("bo", at(3)).expect("set");
    }
    let store = Store::open(dir.path()).expect("reopen");
    assert_eq!(store.last_looked("anna").expect("read"), Some(at(7)));
    assert_eq!(store.last_looked("bo").expect("read"), Some(at(3)));
    assert_eq!(store.last_looked("cecilia").expect("read"), None);
}
