//! One table of what each action needs, checked twice: the key table (`Act::needs`, asked when
//! a key is pressed) agrees with the command table (`Command::permission`), and the runtime's
//! check (`tui::exec`) refuses a command the role may not run even if the app sent it, writes the
//! refusal to the audit log, and writes everything else in the session's name only.

mod common;

use common::keys::*;
use common::world::{Desk, changes, text, world};

use chrono::Utc;
use crossterm::event::KeyCode;

use lage::access::{Permission, Role};
use lage::brief::Briefs;
use lage::curation::{Action, Decision, LogEntry, LogWhat, Status};
use lage::item::id_number;
use lage::tui::app::{BriefChange, Command, Done, Msg};
use lage::tui::keys::Act;
use lage::tui::{Lang, exec};

/// What a key needs (`Act::needs`, checked by the app) is what the commands it leads to need
/// (`Command::permission`, checked by the runtime): the two tables cannot drift apart.
#[test]
fn the_key_table_and_the_command_table_agree() {
    let w = world(&["Brand i Farsta", "Inbrott i Skarpnäck"]);
    let mut desk = Desk::open(&w, "ada", Role::Admin, Lang::Sv);
    let esc = || code(KeyCode::Esc);
    let cases: Vec<(Vec<Msg>, Act)> = vec![
        (vec![key('x')], Act::Ack),
        (vec![key('s'), code(KeyCode::Enter)], Act::Status),
        (vec![key('a'), key('z'), ctrl('s')], Act::Annotate),
        (
            [
                vec![key('t')],
                text("+fokus/brott"),
                vec![code(KeyCode::Enter)],
            ]
            .concat(),
            Act::Tag,
        ),
        (vec![key('b')], Act::Briefing),
        (vec![key('j'), key('b')], Act::Briefing),
        (vec![key('r')], Act::PollNow),
        (vec![key('L'), key('n'), key('z'), ctrl('s')], Act::Note),
        (vec![key('h'), key('z'), ctrl('s'), esc()], Act::Handover),
        (vec![key('B'), key('n')], Act::BriefNew),
        (vec![key('J')], Act::MoveDown),
        (vec![key('K')], Act::MoveUp),
        (vec![key('1')], Act::Level),
        (vec![key('e'), key('z'), ctrl('s')], Act::KeyMessages),
        (vec![key('d')], Act::RemoveEvent),
        (vec![key('A'), key('y')], Act::Approve),
    ];
    for (keys, act) in cases {
        desk.take();
        desk.press(keys.clone());
        let asked = desk.take();
        let changed = changes(&asked);
        assert!(
            !changed.is_empty(),
            "{act:?}: nothing to check in {asked:?}"
        );
        for c in changed {
            assert_eq!(c.permission(), act.needs(), "{act:?}: {c:?}");
        }
    }
    // The export (every format, slow in a debug build) is checked on the command alone.
    let export = Command::ExportBrief {
        edition: lage::brief::edition::EditionRef {
            number: 1,
            version: 1,
        },
        lang: lage::brief::labels::BriefLang::Sv,
        now: Utc::now(),
    };
    assert_eq!(export.permission(), Act::Export.needs());
}

#[test]
fn the_runtime_refuses_a_write_the_app_should_not_have_sent_and_audits_it() {
    let w = world(&["Brand i Farsta"]);
    let id = &w.items[0].id;
    let item = id_number(id).expect("numeric id");
    let now = Utc::now();
    let ack = Command::Record {
        item,
        decision: Decision {
            action: Action::Acknowledge,
            author: "olle".into(),
            at: now,
        },
        note: None,
    };
    let done = exec::blocking(&w.core, "olle", Role::Viewer, ack.clone());
    assert!(
        matches!(done, Some(Done::Refused(Permission::Acknowledge))),
        "{done:?}"
    );
    let note = Command::AddLog {
        entry: LogEntry {
            at: now,
            author: "olle".into(),
            what: LogWhat::Note { text: "x".into() },
        },
        handover: false,
    };
    let done = exec::blocking(&w.core, "olle", Role::Viewer, note);
    assert!(matches!(done, Some(Done::Refused(Permission::WriteLog))));
    let create = Command::EditBrief {
        edition: None,
        change: BriefChange::Create,
        by: "dora".into(),
        now,
    };
    let done = exec::blocking(&w.core, "dora", Role::Duty, create);
    assert!(matches!(
        done,
        Some(Done::Refused(Permission::ComposeBriefing))
    ));
    // Refused before it starts, so no poll runs (and no runtime is needed).
    let done = exec::blocking(&w.core, "olle", Role::Viewer, Command::PollNow);
    assert!(matches!(done, Some(Done::Refused(Permission::PollNow))));
    // Reading is for everyone.
    let rows = exec::blocking(
        &w.core,
        "olle",
        Role::Viewer,
        Command::LoadRows {
            generation: 1,
            ids: vec![item],
        },
    );
    assert!(matches!(rows, Some(Done::Rows { .. })));

    assert!(w.store.decisions(id).expect("decisions").is_empty());
    assert!(w.store.log_entries(10).expect("log").is_empty());
    assert!(
        Briefs::new(w.core.store(), w.core.config())
            .list()
            .expect("list")
            .is_empty()
    );
    let audit = std::fs::read_to_string(w.data_dir.join("audit.log")).expect("audit log");
    let refused: Vec<serde_json::Value> = audit
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .filter(|v: &serde_json::Value| v["event"] == "refused")
        .collect();
    let seen: Vec<(&str, &str, &str)> = refused
        .iter()
        .map(|v| {
            (
                v["user"].as_str().unwrap_or_default(),
                v["role"].as_str().unwrap_or_default(),
                v["what"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("olle", "viewer", "acknowledge items"),
            ("olle", "viewer", "write the shift log"),
            ("dora", "duty", "compose, approve or export briefings"),
            ("olle", "viewer", "poll the sources"),
        ],
        "{audit}"
    );

    // The app says it like its own refusal, and a form waiting for the save is let go.
    let mut desk = Desk::open(&w, "olle", Role::Viewer, Lang::Sv);
    let out = desk
        .app
        .handle(Msg::Done(Done::Refused(Permission::Acknowledge)));
    assert!(out.iter().all(|c| c.permission() == Permission::Read));
    assert!(
        desk.status()
            .starts_with("Din roll (läsare) får inte kvittera")
    );
}

/// What is written is authored by the session's user, whatever name the command carries.
#[test]
fn the_runtime_writes_in_the_sessions_name_only() {
    let w = world(&["Brand i Farsta"]);
    let id = &w.items[0].id;
    let now = Utc::now();
    let ack = Command::Record {
        item: id_number(id).expect("numeric id"),
        decision: Decision {
            action: Action::Acknowledge,
            author: "mallory".into(),
            at: now,
        },
        note: None,
    };
    let done = exec::blocking(&w.core, "dora", Role::Duty, ack);
    assert!(
        matches!(done, Some(Done::Recorded { result: Ok(()), .. })),
        "{done:?}"
    );
    let note = Command::AddLog {
        entry: LogEntry {
            at: now,
            author: "mallory".into(),
            what: LogWhat::Note { text: "x".into() },
        },
        handover: false,
    };
    exec::blocking(&w.core, "dora", Role::Duty, note);
    let authors: Vec<String> = w
        .store
        .decisions(id)
        .expect("decisions")
        .into_iter()
        .map(|d| d.author)
        .chain(
            w.store
                .log_entries(10)
                .expect("log")
                .into_iter()
                .map(|e| e.author),
        )
        .collect();
    assert!(!authors.is_empty());
    assert!(authors.iter().all(|a| a == "dora"), "{authors:?}");
}

#[test]
fn every_command_names_the_permission_it_needs() {
    let now = Utc::now();
    let record = |action| Command::Record {
        item: 1,
        decision: Decision {
            action,
            author: "a".into(),
            at: now,
        },
        note: None,
    };
    let table = [
        (record(Action::Acknowledge), Permission::Acknowledge),
        (
            record(Action::SetStatus {
                status: Status::Watching,
            }),
            Permission::SetStatus,
        ),
        (
            record(Action::Briefing { include: false }),
            Permission::ComposeBriefing,
        ),
        (
            record(Action::Annotate {
                annotation: Default::default(),
            }),
            Permission::Annotate,
        ),
        (
            record(Action::Tag {
                tag: "fokus/brott".into(),
                change: lage::tags::OverrideAction::Add,
            }),
            Permission::OverrideTags,
        ),
        (Command::PollNow, Permission::PollNow),
        (Command::SetLastLooked { at: now }, Permission::Read),
        (Command::LoadLog, Permission::Read),
        (Command::LoadPresence, Permission::Read),
        (Command::Quit, Permission::Read),
    ];
    for (command, permission) in table {
        assert_eq!(command.permission(), permission, "{command:?}");
    }
}
