//! Roles in the dashboard: what each role may do, told at the key before any form opens, with
//! the role it needs in the session's language. The flows run the app against a real core on a
//! temp sled store through the real command path (`tui::exec`), and assert on what the store
//! holds, not only on what the screen says.

mod common;

use common::keys::*;
use common::world::{Desk, changes, session, text, world};

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use lage::access::{Permission, Role};
use lage::brief::edition::BriefKind;
use lage::brief::{Briefs, EditionId, period};
use lage::curation::{Action, Decision, ItemState, LogWhat, Status};
use lage::index::{Filter, Focus};
use lage::item::Severity;
use lage::tui::app::{App, Command, Done, Msg, Overlay, Screen};
use lage::tui::data::Row;
use lage::tui::{Lang, view};

#[test]
fn a_viewer_pressing_acknowledge_is_told_at_once_and_nothing_is_stored() {
    let w = world(&["Brand i Farsta"]);
    let mut desk = Desk::open(&w, "olle", Role::Viewer, Lang::Sv);
    desk.press(vec![key('x')]);
    assert_eq!(
        desk.status(),
        "Din roll (läsare) får inte kvittera; det kräver rollen tjänsteman i beredskap eller högre"
    );
    assert!(changes(&desk.take()).is_empty());
    assert!(
        w.store
            .decisions(&w.items[0].id)
            .expect("decisions")
            .is_empty()
    );

    let mut desk = Desk::open(&w, "olle", Role::Viewer, Lang::En);
    desk.press(vec![key('x')]);
    assert_eq!(
        desk.status(),
        "Your role (viewer) may not acknowledge items; that needs the role duty officer or above"
    );
}

#[test]
fn a_viewer_reads_but_every_change_is_refused_before_any_form_opens() {
    let w = world(&["Brand i Farsta", "Inbrott i Skarpnäck"]);
    let mut desk = Desk::open(&w, "olle", Role::Viewer, Lang::Sv);
    let cases: Vec<(Vec<Msg>, Permission)> = vec![
        (vec![key('x')], Permission::Acknowledge),
        (vec![key('X')], Permission::Acknowledge),
        (vec![key('s')], Permission::SetStatus),
        (vec![key('a')], Permission::Annotate),
        (vec![key('t')], Permission::OverrideTags),
        (vec![key('b')], Permission::ComposeBriefing),
        (vec![key('r')], Permission::PollNow),
        (vec![key('L'), key('n')], Permission::WriteLog),
        (vec![key('L'), key('h')], Permission::WriteLog),
        // The same keys on the detail screen.
        (
            vec![code(KeyCode::Enter), key('x')],
            Permission::Acknowledge,
        ),
        (vec![code(KeyCode::Enter), key('a')], Permission::Annotate),
    ];
    for (keys, needed) in cases {
        desk.press(vec![code(KeyCode::Esc)]);
        desk.take();
        desk.press(keys.clone());
        let asked = desk.take();
        assert!(changes(&asked).is_empty(), "{keys:?}: {asked:?}");
        assert!(desk.app.overlay().is_none(), "{keys:?}: a form opened");
        let told = desk.status();
        assert!(
            told.starts_with("Din roll (läsare) får inte"),
            "{keys:?}: {told}"
        );
        let role = match needed {
            Permission::Annotate | Permission::OverrideTags | Permission::ComposeBriefing => {
                "analytiker"
            }
            _ => "tjänsteman i beredskap",
        };
        assert!(
            told.contains(&format!("det kräver rollen {role}")),
            "{told}"
        );
    }
    // Reading still works: the detail opens and shows the item.
    desk.press(vec![code(KeyCode::Esc), code(KeyCode::Enter)]);
    assert_eq!(desk.app.screen(), Screen::Detail);
    for item in &w.items {
        assert!(w.store.decisions(&item.id).expect("decisions").is_empty());
        assert!(w.store.tag_overrides(&item.id).expect("tags").is_empty());
    }
    assert!(w.store.log_entries(10).expect("log").is_empty());
}

#[test]
fn a_viewer_may_read_the_briefing_but_not_change_it() {
    let w = world(&["Brand i Farsta", "Inbrott i Skarpnäck"]);
    let now = Utc::now();
    for item in &w.items {
        let pick = Decision {
            action: Action::Briefing { include: true },
            author: "anna".into(),
            at: now,
        };
        w.core.record(&item.id, &pick, None).expect("pick");
    }
    let briefs = Briefs::new(w.core.store(), w.core.config());
    let created = briefs
        .create(BriefKind::Week, period::week_of(now), "anna", now)
        .expect("create");
    let mut desk = Desk::open(&w, "olle", Role::Viewer, Lang::En);
    desk.press(vec![key('B')]);
    assert!(desk.app.brief().data().is_some(), "{}", desk.status());
    for keys in [
        vec![key('n')],
        vec![key('J')],
        vec![key('K')],
        vec![key('d')],
        vec![key('e')],
        vec![key('1')],
        vec![key('E')],
        vec![key('A')],
    ] {
        desk.take();
        desk.press(keys.clone());
        let asked = desk.take();
        assert!(changes(&asked).is_empty(), "{keys:?}: {asked:?}");
        assert!(desk.app.overlay().is_none(), "{keys:?}");
        assert_eq!(
            desk.status(),
            "Your role (viewer) may not work on the briefing (pick, compose, approve, export); \
             that needs the role analyst or above",
            "{keys:?}"
        );
    }
    // The preview only reads.
    desk.press(vec![key('p')]);
    assert!(
        desk.app
            .brief()
            .preview
            .as_ref()
            .is_some_and(|p| p.text.is_some())
    );
    let id = EditionId {
        number: created.number,
        version: None,
    };
    let stored = briefs.get(&id).expect("edition");
    assert_eq!(stored.items, created.items);
    assert_eq!(stored.version, 1);
    assert!(stored.approved.is_none());
    assert!(!w.data_dir.join("exports").exists());
}

#[test]
fn a_duty_officer_acknowledges_sets_status_and_writes_the_log_but_may_not_annotate() {
    let w = world(&["Brand i Farsta"]);
    let id = &w.items[0].id;
    let mut desk = Desk::open(&w, "dora", Role::Duty, Lang::En);
    desk.press(vec![key('x')]);
    assert!(desk.status().starts_with("Saved"), "{}", desk.status());
    desk.press(vec![key('a')]);
    assert!(desk.app.overlay().is_none());
    assert_eq!(
        desk.status(),
        "Your role (duty officer) may not annotate items; that needs the role analyst or above"
    );
    desk.press(vec![key('b')]);
    assert!(
        desk.status()
            .starts_with("Your role (duty officer) may not work on the briefing")
    );
    desk.press(vec![key('s'), key('3')]);
    desk.press(vec![key('L'), key('n')]);
    desk.press(text("Lugnt pass."));
    desk.press(vec![ctrl('s')]);

    let decisions = w.store.decisions(id).expect("decisions");
    let actions: Vec<(&Action, &str)> = decisions
        .iter()
        .map(|d| (&d.action, d.author.as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            (&Action::Acknowledge, "dora"),
            (
                &Action::SetStatus {
                    status: Status::Handled
                },
                "dora"
            )
        ]
    );
    let log = w.store.log_entries(10).expect("log");
    assert!(
        log.iter().any(|e| e.author == "dora"
            && matches!(&e.what, LogWhat::Note { text } if text == "Lugnt pass.")),
        "{log:?}"
    );
}

#[test]
fn an_analyst_annotates_tags_and_picks_for_the_briefing() {
    let w = world(&["Brand i Farsta"]);
    let id = &w.items[0].id;
    let mut desk = Desk::open(&w, "anna", Role::Analyst, Lang::Sv);
    desk.press(vec![key('a')]);
    assert!(matches!(desk.app.overlay(), Some(Overlay::Annotate(_))));
    desk.press(text("Tredje branden i veckan."));
    desk.press(vec![ctrl('s')]);
    assert!(desk.app.overlay().is_none(), "{}", desk.status());
    desk.press(vec![key('b'), key('t')]);
    desk.press(text("+fokus/olyckor"));
    desk.press(vec![code(KeyCode::Enter)]);
    let decisions = w.store.decisions(id).expect("decisions");
    assert!(decisions.iter().all(|d| d.author == "anna"));
    assert!(
        decisions
            .iter()
            .any(|d| matches!(&d.action, Action::Annotate { annotation } if annotation.note == "Tredje branden i veckan."))
    );
    assert!(
        decisions
            .iter()
            .any(|d| d.action == Action::Briefing { include: true })
    );
    let tags = w.store.tag_overrides(id).expect("tags");
    assert_eq!(tags.len(), 1, "{tags:?}");
    assert_eq!(
        (tags[0].tag.as_str(), tags[0].author.as_str()),
        ("fokus/olyckor", "anna")
    );
}

#[test]
fn the_filter_and_search_stay_open_to_every_role() {
    let w = world(&["Brand i Farsta", "Inbrott i Skarpnäck"]);
    let mut desk = Desk::open(&w, "olle", Role::Viewer, Lang::Sv);
    desk.press(vec![key('2')]);
    desk.press([vec![key('/')], text("brand"), vec![code(KeyCode::Enter)]].concat());
    assert_eq!(desk.app.search(), Some("brand"));
    assert_eq!(
        desk.app.filter(),
        &Filter {
            focus: Some(Focus::Crime),
            ..Filter::default()
        }
    );
    assert!(!desk.status().contains("Din roll"), "{}", desk.status());
}

/// A viewer's screens offer only what the role may do: help, the key hints and the banner
/// leave out the keys that would be refused.
#[test]
fn help_hints_and_banner_leave_out_what_the_role_may_not_do() {
    let theme = lage::tui::theme::Theme::new(false);
    let help = |role| -> String {
        view::help::lines(Lang::Sv, theme, role, 80)
            .iter()
            .map(|l| format!("{l}\n"))
            .collect()
    };
    let viewer = help(Role::Viewer);
    let duty = help(Role::Duty);
    let admin = help(Role::Admin);
    let changes = [
        "kvittera larmet i banderollen",
        "sätt status",
        "annotera",
        "lägg till / ta bort tagg",
        "skriv anteckning",
        "hämta alla källor nu",
        "godkänn utgåvan",
    ];
    for words in changes {
        assert!(!viewer.contains(words), "{words}: {viewer}");
        assert!(admin.contains(words), "{words}: {admin}");
    }
    assert!(
        duty.contains("sätt status") && !duty.contains("annotera"),
        "{duty}"
    );
    assert!(viewer.contains("sök i hela databasen"), "{viewer}");

    let screen = |role| -> String {
        let mut app = App::new(session("olle", role, Lang::Sv), (100, 24), now());
        let start = app.start();
        let generation = start
            .iter()
            .find_map(|c| match c {
                Command::Query { generation, .. } => Some(*generation),
                _ => None,
            })
            .expect("a query");
        let out = app.handle(Msg::Done(Done::Query {
            generation,
            ids: vec![1],
            overview: Vec::new(),
            critical: vec![1],
        }));
        for c in out {
            if let Command::LoadRows { generation, ids } = c {
                let rows = ids
                    .iter()
                    .map(|id| (*id, Some(critical_row(*id))))
                    .collect();
                app.handle(Msg::Done(Done::Rows { generation, rows }));
            }
        }
        let mut terminal = Terminal::new(TestBackend::new(100, 24)).expect("terminal");
        terminal.draw(|f| view::draw(f, &app)).expect("draw");
        terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .map(|c| c.symbol())
            .collect()
    };
    let viewer = screen(Role::Viewer);
    let duty = screen(Role::Duty);
    assert!(viewer.contains("Larm om brand"), "{viewer}");
    assert!(
        !viewer.contains("X kvitterar") && !viewer.contains("x kvittera"),
        "{viewer}"
    );
    assert!(viewer.contains("? hjälp · / sök"), "{viewer}");
    assert!(
        duty.contains("X kvitterar") && duty.contains("x kvittera"),
        "{duty}"
    );
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap()
}

fn critical_row(id: u64) -> Row {
    Row {
        id,
        title: "Larm om brand".into(),
        url: None,
        published: now(),
        first_seen: now(),
        severity: Some(Severity::Critical),
        focus: vec![Focus::Accidents],
        place: None,
        source: "sr-vma".into(),
        local: true,
        exercise: false,
        cancelled: false,
        expires: None,
        state: ItemState::default(),
    }
}
