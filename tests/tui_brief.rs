//! The dashboard's briefing screen (`B`): drawn on `TestBackend` in Swedish and English, its keys
//! as key sequences against the app state machine, and one run of the real command path
//! (`tui::exec`) against a core on a temp sled store.

mod common;

use common::keys::*;

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use lage::access::Role;
use lage::brief::document::{
    Briefing, Changes, Counts, Event as BriefEvent, SCHEMA, SECTIONS, Section, State,
};
use lage::brief::edition::{BriefKind, Edition, EditionRef, Level};
use lage::brief::{Briefs, EditionId, period};
use lage::core::{Core, Event};
use lage::curation::{Action, Decision, Stamp, Status};
use lage::item::Severity;
use lage::tui::app::brief::BriefLoad;
use lage::tui::app::forms::TextPurpose;
use lage::tui::app::{App, BriefChange, BriefFault, Command, Done, Msg, Overlay, Screen};
use lage::tui::data::BriefData;
use lage::tui::{Lang, Session};

/// 11:00 in Stockholm on Wednesday 25 November 2026 (week 48).
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap()
}

fn session(lang: Lang) -> Session {
    Session {
        user: "anna".into(),
        role: Role::Analyst,
        lang,
        color: true,
    }
}

fn stamp(author: &str) -> Stamp {
    Stamp {
        author: author.into(),
        at: now(),
    }
}

fn event(id: &str, severity: Option<Severity>, title: &str) -> BriefEvent {
    BriefEvent {
        id: id.into(),
        title: title.into(),
        what: String::new(),
        published: now(),
        severity,
        status: Status::New,
        lifecycle: None,
        exercise: false,
        sections: vec!["olyckor".into()],
        place: Some("Farsta".into()),
        local: true,
        consequences: String::new(),
        actions: String::new(),
        resources: String::new(),
        assessment: None,
        link: None,
        sources: Vec::new(),
    }
}

/// Edition 3, version 1, a draft of week 48 with three events and one raised level.
fn data() -> BriefData {
    let events = vec![
        event("a1", Some(Severity::High), "Brand i industrilokal i Farsta"),
        event("b2", Some(Severity::Medium), "Inbrott i skola, Skarpnäck"),
        // Feed text must reach the screen as harmless text.
        event("c3", None, "Vattenläcka \u{1b}[2Jvid Slussen\u{202e}"),
    ];
    let mut levels = BTreeMap::new();
    levels.insert("brott".to_string(), Level::Elevated);
    let edition = Edition {
        number: 3,
        version: 1,
        kind: BriefKind::Week,
        period: period::week_of(now()),
        prepared: stamp("anna"),
        updated: stamp("anna"),
        approved: None,
        marking: "Ej sekretess".into(),
        distribution: Vec::new(),
        previous: None,
        key_messages: "Lugn vecka med två bränder.\n\nInbrotten i skolor fortsätter.".into(),
        levels,
        items: events.iter().map(|e| e.id.clone()).collect(),
        excluded: Vec::new(),
        notes: BTreeMap::new(),
        frozen: None,
    };
    let sections = SECTIONS
        .iter()
        .map(|def| Section {
            key: def.key.to_string(),
            kind: def.kind,
            level: edition.level(def.key),
            suggested: if def.key == "olyckor" {
                Level::Elevated
            } else {
                Level::Normal
            },
            items_in_period: 0,
            max_severity: None,
            events: Vec::new(),
        })
        .collect();
    let doc = Briefing {
        schema: SCHEMA.into(),
        office: "Säkerhetsenheten".into(),
        kind: BriefKind::Week,
        edition: edition.reference(),
        state: State::Draft,
        period: edition.period.clone(),
        prepared: edition.prepared.clone(),
        approved: None,
        marking: edition.marking.clone(),
        distribution: Vec::new(),
        previous: None,
        key_messages: edition.key_messages.clone(),
        sections,
        events,
        changes: Changes::default(),
        sources: Vec::new(),
        counts: Counts::default(),
        composed_at: now(),
    };
    BriefData { edition, doc }
}

const EDITION: EditionRef = EditionRef {
    number: 3,
    version: 1,
};

/// Answers the commands the way a store holding [`data`] would (reads only).
fn answer(app: &mut App, commands: Vec<Command>, brief: &BriefData) {
    let mut queue = commands;
    while let Some(c) = queue.pop() {
        let done = match c {
            Command::Query { generation, .. } => Done::Query {
                generation,
                ids: Vec::new(),
                overview: Vec::new(),
                critical: Vec::new(),
            },
            Command::LoadBrief { generation, .. } => Done::Brief {
                generation,
                result: Ok(Some(Box::new(brief.clone()))),
            },
            _ => continue,
        };
        queue.extend(app.handle(Msg::Done(done)));
    }
}

/// An app at 80×24 on the briefing screen with [`data`] loaded, after `keys`.
fn brief_app(lang: Lang, brief: &BriefData, keys: Vec<Msg>) -> App {
    let mut app = App::new(session(lang), (80, 24), now());
    let start = app.start();
    answer(&mut app, start, brief);
    let out = app.handle(Msg::Bus(Event::IndexReady));
    answer(&mut app, out, brief);
    let out = app.handle(key('B'));
    answer(&mut app, out, brief);
    for k in keys {
        let out = app.handle(k);
        answer(&mut app, out, brief);
    }
    app
}

fn edits(commands: &[Command]) -> Vec<(Option<EditionRef>, BriefChange, String)> {
    commands
        .iter()
        .filter_map(|c| match c {
            Command::EditBrief {
                edition,
                change,
                by,
                ..
            } => Some((*edition, change.clone(), by.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn briefing_screen() {
    for (lang, suffix) in [(Lang::Sv, "sv"), (Lang::En, "en")] {
        let app = brief_app(lang, &data(), vec![key('j')]);
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
        terminal
            .draw(|f| lage::tui::view::draw(f, &app))
            .expect("draw");
        let screen: String = terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .map(|c| c.symbol())
            .collect();
        assert!(!screen.contains('\u{1b}') && !screen.contains('\u{202e}'));
        insta::assert_snapshot!(format!("brief_{suffix}_80x24"), terminal.backend());
    }
}

#[test]
fn capital_b_opens_the_briefing_screen_and_asks_for_the_draft() {
    let mut app = App::new(session(Lang::Sv), (80, 24), now());
    let _ = app.start();
    let out = app.handle(key('B'));
    assert_eq!(app.screen(), Screen::Brief);
    assert!(
        out.iter()
            .any(|c| matches!(c, Command::LoadBrief { now: at, .. } if *at == now())),
        "{out:?}"
    );
    assert_eq!(app.brief().load, BriefLoad::Loading);
    // With no draft the screen says so, and n starts one for this week.
    let generation = out
        .iter()
        .find_map(|c| match c {
            Command::LoadBrief { generation, .. } => Some(*generation),
            _ => None,
        })
        .expect("a load");
    app.handle(Msg::Done(Done::Brief {
        generation,
        result: Ok(None),
    }));
    assert_eq!(app.brief().load, BriefLoad::NoDraft);
    let out = app.handle(key('n'));
    assert_eq!(
        edits(&out),
        vec![(None, BriefChange::Create, "anna".to_string())]
    );
    // Esc goes back to the list.
    app.handle(code(KeyCode::Esc));
    assert_eq!(app.screen(), Screen::List);
}

#[test]
fn shift_j_moves_the_selected_event_and_saved_shows_only_after_the_store_answers() {
    let brief = data();
    let mut app = brief_app(Lang::Sv, &brief, Vec::new());
    let out = app.handle(key('J'));
    assert_eq!(
        edits(&out),
        vec![(
            Some(EDITION),
            BriefChange::Move {
                item: "a1".into(),
                by: 1
            },
            "anna".to_string()
        )]
    );
    assert_eq!(app.status_text(), Some("Sparar…"));
    // The first event cannot move up: nothing to store.
    assert!(edits(&app.handle(key('K'))).is_empty());

    let mut moved = brief.clone();
    moved.edition.items.swap(0, 1);
    moved.doc.events.swap(0, 1);
    app.handle(Msg::Done(Done::BriefEdited {
        change: BriefChange::Move {
            item: "a1".into(),
            by: 1,
        },
        result: Ok(Box::new(moved)),
    }));
    let status = app.status_text().unwrap_or_default().to_string();
    assert!(status.starts_with("Sparat,"), "{status}");
    // The selection follows the moved event.
    assert_eq!(app.brief().selected, 1);
    // d takes the selected event out.
    let out = app.handle(key('d'));
    assert_eq!(edits(&out)[0].1, BriefChange::Remove { item: "a1".into() });
}

#[test]
fn one_cycles_the_level_of_olyckor_and_two_that_of_brott() {
    let mut app = brief_app(Lang::Sv, &data(), Vec::new());
    let out = app.handle(key('1'));
    assert_eq!(
        edits(&out)[0].1,
        BriefChange::Level {
            section: "olyckor".into(),
            level: Level::Elevated
        }
    );
    let out = app.handle(key('2'));
    assert_eq!(
        edits(&out)[0].1,
        BriefChange::Level {
            section: "brott".into(),
            level: Level::Serious
        }
    );
}

#[test]
fn e_then_ctrl_s_saves_the_typed_key_messages_and_closes_on_ok() {
    let mut brief = data();
    brief.edition.key_messages.clear();
    brief.doc.key_messages.clear();
    let mut app = brief_app(Lang::En, &brief, Vec::new());
    app.handle(key('e'));
    assert!(
        matches!(app.overlay(), Some(Overlay::Text(f)) if matches!(f.purpose, TextPurpose::KeyMessages(_)))
    );
    for c in "Calm week.".chars() {
        assert!(edits(&app.handle(key(c))).is_empty());
    }
    app.handle(code(KeyCode::Enter));
    for c in "Two fires".chars() {
        app.handle(key(c));
    }
    let out = app.handle(ctrl('s'));
    let text = "Calm week.\nTwo fires".to_string();
    assert_eq!(
        edits(&out),
        vec![(
            Some(EDITION),
            BriefChange::KeyMessages(text.clone()),
            "anna".to_string()
        )]
    );
    assert!(
        matches!(app.overlay(), Some(Overlay::Text(f)) if matches!(f.purpose, TextPurpose::KeyMessages(_)))
    );
    let mut saved = brief.clone();
    saved.edition.key_messages = text.clone();
    saved.doc.key_messages = text.clone();
    app.handle(Msg::Done(Done::BriefEdited {
        change: BriefChange::KeyMessages(text),
        result: Ok(Box::new(saved)),
    }));
    assert!(app.overlay().is_none());
    assert!(app.status_text().unwrap_or_default().starts_with("Saved,"));
}

#[test]
fn capital_a_asks_first_then_y_approves_and_n_does_not() {
    let mut app = brief_app(Lang::Sv, &data(), Vec::new());
    assert!(edits(&app.handle(key('A'))).is_empty());
    assert!(matches!(app.overlay(), Some(Overlay::ConfirmApprove(_))));
    assert!(edits(&app.handle(key('n'))).is_empty());
    assert!(app.overlay().is_none());

    app.handle(key('A'));
    let out = app.handle(key('y'));
    assert_eq!(
        edits(&out),
        vec![(Some(EDITION), BriefChange::Approve, "anna".to_string())]
    );
    // A refusal is told in the session's language.
    app.handle(Msg::Done(Done::BriefEdited {
        change: BriefChange::Approve,
        result: Err(BriefFault::AlreadyApproved),
    }));
    assert_eq!(app.status_text(), Some("Fel: Utgåvan är redan godkänd."));
}

#[test]
fn p_previews_the_markdown_as_safe_text_and_esc_closes_it() {
    let mut app = brief_app(Lang::En, &data(), Vec::new());
    let out = app.handle(key('p'));
    assert!(
        out.iter().any(|c| matches!(
            c,
            Command::PreviewBrief { edition, .. } if *edition == EDITION
        )),
        "{out:?}"
    );
    app.handle(Msg::Done(Done::BriefPreview(Ok(
        "# Weekly\n\u{1b}]52;c;aGk=\u{7}Calm".into(),
    ))));
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    terminal
        .draw(|f| lage::tui::view::draw(f, &app))
        .expect("draw");
    let screen: String = terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(screen.contains("# Weekly"), "{screen}");
    assert!(
        screen.contains("Calm") && !screen.contains("52;"),
        "{screen}"
    );
    app.handle(code(KeyCode::Esc));
    assert_eq!(app.screen(), Screen::Brief);
    assert!(app.brief().preview.is_none());
}

/// Runs `commands` through the real `exec` path and feeds the answers back, until none are left.
fn run(app: &mut App, core: &Core, commands: Vec<Command>) {
    let mut queue = commands;
    while !queue.is_empty() {
        let c = queue.remove(0);
        if let Some(done) = lage::tui::exec::blocking(core, "anna", Role::Analyst, c) {
            queue.extend(app.handle(Msg::Done(done)));
        }
    }
}

#[test]
fn the_real_exec_path_creates_an_edition_moves_an_event_and_exports() {
    let world =
        common::world::world(&["Brand i Farsta", "Inbrott i Skarpnäck", "Läcka vid Slussen"]);
    let (core, items, data_dir) = (&world.core, &world.items, &world.data_dir);
    let at = Utc::now();
    // The three items are picked for the briefing with `b`.
    for item in items {
        let decision = Decision {
            action: Action::Briefing { include: true },
            author: "anna".into(),
            at,
        };
        core.record(&item.id, &decision, None).expect("record");
    }

    let mut app = App::new(session(Lang::Sv), (80, 24), at);
    let out = app.handle(key('B'));
    run(&mut app, core, out);
    assert_eq!(app.brief().load, BriefLoad::NoDraft);

    let out = app.handle(key('n'));
    run(&mut app, core, out);
    let briefs = Briefs::new(core.store(), core.config());
    let id = EditionId {
        number: 1,
        version: None,
    };
    let created = briefs.get(&id).expect("created").items;
    assert_eq!(created.len(), 3, "{created:?}");
    let shown: Vec<String> = app
        .brief()
        .data()
        .expect("loaded")
        .doc
        .events
        .iter()
        .map(|e| e.id.clone())
        .collect();
    assert_eq!(shown, created);

    let out = app.handle(key('J'));
    run(&mut app, core, out);
    let moved = briefs.get(&id).expect("edition").items;
    assert_eq!(
        moved,
        vec![created[1].clone(), created[0].clone(), created[2].clone()]
    );
    assert_eq!(app.brief().selected, 1);
    let status = app.status_text().unwrap_or_default().to_string();
    assert!(status.starts_with("Sparat,"), "{status}");

    let out = app.handle(key('E'));
    run(&mut app, core, out);
    let exports = data_dir.join("exports");
    for ext in ["md", "html", "pdf", "json", "atom"] {
        let file = exports.join(format!("lagesbild-1.1.{ext}"));
        let len = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        assert!(len > 0, "{} missing or empty", file.display());
    }
    let status = app.status_text().unwrap_or_default().to_string();
    assert!(status.contains("exports"), "{status}");
    // The export is in the audit trail: who, which edition, every format.
    let audit = std::fs::read_to_string(data_dir.join("audit.log")).expect("audit log");
    let exported: Vec<serde_json::Value> = audit
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .filter(|v: &serde_json::Value| v["event"] == "brief_exported")
        .collect();
    assert_eq!(exported.len(), 1, "{audit}");
    assert_eq!(exported[0]["user"], "anna");
    assert_eq!(exported[0]["edition"], "1.1");
    assert_eq!(exported[0]["format"], "all");
}
