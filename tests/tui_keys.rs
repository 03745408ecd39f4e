//! The dashboard's flows as key sequences against the app state machine (no terminal, no store):
//! each test types what a duty officer would and checks the commands the app asks the runtime
//! to carry out. One more test runs the real loop (`tui::run`) over a test backend and a real
//! core on a temp sled store.

// Only `write_config` is used here.
#[allow(unused_imports)]
mod common;

use common::keys::*;

use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use lage::access::Role;
use lage::config::{Config, Env};
use lage::core::{Core, Event};
use lage::curation::{Action, Annotation, Confidence, Decision, ItemState, LogWhat, Stamp, Status};
use lage::index::{Filter, Focus};
use lage::item::{RawItem, RawText, Severity, id_number};
use lage::normalise::normalise;
use lage::rules::{RuleSet, SharedRules};
use lage::store::Store;
use lage::tags::OverrideAction;
use lage::tui::app::{App, Command, Done, Msg, Overlay, Screen};
use lage::tui::data::{Choices, Row};
use lage::tui::osc::Osc;
use lage::tui::{Input, Lang, Session};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap()
}

fn session() -> Session {
    Session {
        user: "anna".into(),
        role: Role::Admin,
        lang: Lang::Sv,
        color: false,
    }
}

fn row(id: u64, title: &str) -> Row {
    Row {
        id,
        title: title.into(),
        url: Some(format!("https://polisen.se/handelse/{id}")),
        published: now(),
        first_seen: now(),
        severity: Some(Severity::Medium),
        focus: vec![Focus::Crime],
        place: Some("Farsta".into()),
        source: "polisen".into(),
        local: true,
        exercise: false,
        cancelled: false,
        expires: None,
        state: ItemState::default(),
    }
}

/// The generation of the last query among `commands`.
fn query_generation(commands: &[Command]) -> Option<u64> {
    commands.iter().rev().find_map(|c| match c {
        Command::Query { generation, .. } => Some(*generation),
        _ => None,
    })
}

fn query_of(commands: &[Command]) -> (Filter, Option<String>) {
    commands
        .iter()
        .rev()
        .find_map(|c| match c {
            Command::Query { filter, search, .. } => Some((filter.clone(), search.clone())),
            _ => None,
        })
        .expect("a query command")
}

/// Answers every row request among `commands` from `rows`.
fn answer_rows(app: &mut App, commands: &[Command], rows: &[Row]) {
    for c in commands {
        if let Command::LoadRows { generation, ids } = c {
            let found = ids
                .iter()
                .map(|id| (*id, rows.iter().find(|r| r.id == *id).cloned()))
                .collect();
            app.handle(Msg::Done(Done::Rows {
                generation: *generation,
                rows: found,
            }));
        }
    }
}

/// An app at 80×24 showing `rows` (ids in the given order), everything loaded.
fn app_with(rows: &[Row]) -> App {
    let mut app = App::new(session(), (80, 24), now());
    let start = app.start();
    let generation = query_generation(&start).expect("the first query");
    let out = app.handle(Msg::Done(Done::Query {
        generation,
        ids: rows.iter().map(|r| r.id).collect(),
        overview: Vec::new(),
        critical: Vec::new(),
    }));
    answer_rows(&mut app, &out, rows);
    app
}

fn typed(app: &mut App, text: &str) -> Vec<Command> {
    text.chars().flat_map(|c| app.handle(key(c))).collect()
}

fn recorded(commands: &[Command]) -> Vec<(u64, Decision)> {
    commands
        .iter()
        .filter_map(|c| match c {
            Command::Record { item, decision, .. } => Some((*item, decision.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn annotating_types_a_note_and_an_assessment_and_saves_a_new_version() {
    let mut app = app_with(&[row(1, "Inbrott i skola"), row(2, "Brand")]);
    app.handle(key('j'));
    app.handle(key('a'));
    assert!(matches!(app.overlay(), Some(Overlay::Annotate(_))));
    // Letters that are keys elsewhere (q, x, j) are text here.
    typed(&mut app, "Larm kl 03, jour x q");
    app.handle(code(KeyCode::Enter));
    typed(&mut app, "rad 2");
    app.handle(code(KeyCode::Tab));
    typed(&mut app, "Troligen samma gärningsman");
    app.handle(code(KeyCode::Tab));
    app.handle(code(KeyCode::Right));
    app.handle(code(KeyCode::Right));
    app.handle(code(KeyCode::Tab));
    app.handle(code(KeyCode::Left));
    let out = app.handle(ctrl('s'));
    let records = recorded(&out);
    assert_eq!(records.len(), 1, "{out:?}");
    let (item, decision) = &records[0];
    assert_eq!(*item, 2);
    assert_eq!(decision.author, "anna");
    assert_eq!(decision.at, now());
    let Action::Annotate { annotation } = &decision.action else {
        panic!("not an annotation: {decision:?}");
    };
    assert_eq!(annotation.note, "Larm kl 03, jour x q\nrad 2");
    assert_eq!(annotation.assessment, "Troligen samma gärningsman");
    assert_eq!(annotation.confidence, Some(Confidence::Medium));
    assert_eq!(annotation.relevance, Some(lage::curation::Relevance::High));
    // Not confirmed until the store says so; the form stays open meanwhile.
    assert!(matches!(app.overlay(), Some(Overlay::Annotate(_))));
    assert!(!app.status_text().unwrap_or("").contains("Sparat"));
    app.handle(Msg::Done(Done::Recorded {
        item: 2,
        action: decision.action.clone(),
        result: Ok(()),
    }));
    assert!(app.overlay().is_none());
    assert!(
        app.status_text().unwrap_or("").contains("Sparat"),
        "{:?}",
        app.status_text()
    );
}

#[test]
fn annotating_starts_from_the_current_version_and_a_failed_save_keeps_the_text() {
    let mut r = row(1, "Brand");
    r.state.annotation = Some((
        Annotation {
            note: "Första".into(),
            ..Annotation::default()
        },
        Stamp {
            author: "bo".into(),
            at: now(),
        },
    ));
    let mut app = app_with(&[r]);
    app.handle(key('a'));
    typed(&mut app, " och andra");
    let out = app.handle(ctrl('s'));
    let (_, d) = &recorded(&out)[0];
    assert!(
        matches!(&d.action, Action::Annotate { annotation } if annotation.note == "Första och andra")
    );
    app.handle(Msg::Done(Done::Recorded {
        item: 1,
        action: d.action.clone(),
        result: Err("disk full".into()),
    }));
    assert!(matches!(app.overlay(), Some(Overlay::Annotate(f)) if !f.saving));
    assert!(app.status_text().unwrap_or("").contains("disk full"));
}

#[test]
fn cancelling_a_changed_annotation_asks_first() {
    let mut app = app_with(&[row(1, "Brand")]);
    app.handle(key('a'));
    typed(&mut app, "utkast");
    app.handle(code(KeyCode::Esc));
    assert!(matches!(app.overlay(), Some(Overlay::Annotate(f)) if f.confirm));
    app.handle(key('n'));
    assert!(matches!(app.overlay(), Some(Overlay::Annotate(f)) if !f.confirm));
    app.handle(code(KeyCode::Esc));
    let out = app.handle(key('j'));
    assert!(app.overlay().is_none());
    assert!(recorded(&out).is_empty());
}

#[test]
fn acknowledging_records_once_and_is_confirmed_after_the_flush() {
    let mut app = app_with(&[row(7, "VMA Farsta")]);
    let out = app.handle(key('x'));
    let records = recorded(&out);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].0, 7);
    assert_eq!(records[0].1.action, Action::Acknowledge);
    assert_eq!(records[0].1.author, "anna");
    assert_eq!(app.status_text(), Some("Sparar…"));
    let out = app.handle(Msg::Done(Done::Recorded {
        item: 7,
        action: Action::Acknowledge,
        result: Ok(()),
    }));
    assert!(app.status_text().unwrap_or("").contains("kvitterad"));
    // The confirmation goes away by itself after a while.
    for s in 1..=10 {
        app.handle(Msg::Tick(now() + chrono::Duration::seconds(s)));
    }
    assert_eq!(app.status_text(), None);
    // The row is read again and the list re-queried.
    assert!(
        out.iter()
            .any(|c| matches!(c, Command::LoadRows { ids, .. } if ids == &[7])),
        "{out:?}"
    );
    assert!(query_generation(&out).is_some());

    let mut acked = row(8, "Redan sedd");
    acked.state.acknowledged = Some(Stamp {
        author: "bo".into(),
        at: now(),
    });
    let mut app = app_with(&[acked]);
    let out = app.handle(key('x'));
    assert!(recorded(&out).is_empty());
    assert!(app.status_text().unwrap_or("").contains("bo"));
}

#[test]
fn the_banner_key_acknowledges_the_critical_item() {
    let mut app = app_with(&[row(1, "Vanlig")]);
    let generation = query_generation(&app.handle(key('0'))).expect("query");
    app.handle(Msg::Done(Done::Query {
        generation,
        ids: vec![1],
        overview: Vec::new(),
        critical: vec![99],
    }));
    let out = app.handle(key('X'));
    assert_eq!(recorded(&out)[0].0, 99);
    assert_eq!(recorded(&out)[0].1.action, Action::Acknowledge);
}

#[test]
fn status_tag_and_briefing_keys_record_decisions() {
    let mut app = app_with(&[row(3, "Skadegörelse")]);
    app.handle(key('s'));
    let out = app.handle(key('3'));
    assert_eq!(
        recorded(&out)[0].1.action,
        Action::SetStatus {
            status: Status::Handled
        }
    );
    assert!(app.overlay().is_none());

    app.handle(key('t'));
    typed(&mut app, "+Fokus");
    let out = app.handle(code(KeyCode::Enter));
    assert!(recorded(&out).is_empty());
    assert!(app.status_text().unwrap_or("").contains("Ogiltig tagg"));
    app.handle(ctrl('u'));
    app.handle(Msg::Done(Done::Choices(Choices {
        sources: vec![],
        tags: vec!["plats/farsta".into(), "fokus/brott".into()],
    })));
    typed(&mut app, "-plats/fa");
    app.handle(code(KeyCode::Tab));
    let out = app.handle(code(KeyCode::Enter));
    assert_eq!(
        recorded(&out)[0].1.action,
        Action::Tag {
            tag: "plats/farsta".into(),
            change: OverrideAction::Remove
        }
    );

    let out = app.handle(key('b'));
    assert_eq!(
        recorded(&out)[0].1.action,
        Action::Briefing { include: true }
    );
}

#[test]
fn focus_keys_and_zero_filter_the_query() {
    let mut app = app_with(&[row(1, "a")]);
    for (k, focus) in [
        ('1', Focus::Accidents),
        ('2', Focus::Crime),
        ('3', Focus::Influence),
        ('4', Focus::Resilience),
        ('5', Focus::Protective),
    ] {
        let out = app.handle(key(k));
        assert_eq!(query_of(&out).0.focus, Some(focus));
    }
    let out = app.handle(key('0'));
    assert_eq!(query_of(&out).0, Filter::default());
}

#[test]
fn the_filter_menu_builds_the_filter_of_the_query() {
    let mut app = app_with(&[row(1, "a")]);
    app.handle(key('2'));
    let out = app.handle(key('f'));
    assert!(out.contains(&Command::LoadChoices));
    app.handle(Msg::Done(Done::Choices(Choices {
        sources: vec!["krisinformation".into(), "polisen".into()],
        tags: vec!["fokus/brott".into(), "plats/farsta".into()],
    })));
    // Severity: at least "low".
    app.handle(code(KeyCode::Right));
    app.handle(code(KeyCode::Right));
    // Source: the second one.
    app.handle(key('j'));
    app.handle(key('l'));
    app.handle(key('l'));
    // Status: watching.
    app.handle(key('j'));
    app.handle(key('l'));
    app.handle(key('l'));
    // Place: the plats/ tag.
    app.handle(key('j'));
    app.handle(key('l'));
    app.handle(key('l'));
    // Span: 24 h.
    app.handle(key('j'));
    app.handle(key('l'));
    app.handle(key('l'));
    // Alert state: cancelled.
    app.handle(key('j'));
    app.handle(key('l'));
    app.handle(key('l'));
    // Unacknowledged and briefing only.
    app.handle(key('j'));
    app.handle(key(' '));
    app.handle(code(KeyCode::Down));
    app.handle(key(' '));
    let out = app.handle(code(KeyCode::Enter));
    assert!(app.overlay().is_none());
    let (filter, search) = query_of(&out);
    assert_eq!(search, None);
    assert_eq!(
        filter,
        Filter {
            focus: Some(Focus::Crime),
            min_severity: Some(Severity::Low),
            source: Some("polisen".into()),
            status: Some(Status::Watching),
            place: Some(lage::index::Place::Tag("plats/farsta".into())),
            span: Some(chrono::Duration::hours(24)),
            unacknowledged: true,
            in_briefing: true,
            lifecycle: Some(lage::item::Lifecycle::Cancelled),
        }
    );
    // Esc leaves the filter as it was; c resets all but the focus area.
    app.handle(key('f'));
    app.handle(key('c'));
    app.handle(code(KeyCode::Esc));
    assert!(app.filter().unacknowledged);
    app.handle(key('f'));
    app.handle(key('c'));
    let out = app.handle(code(KeyCode::Enter));
    assert_eq!(
        query_of(&out).0,
        Filter {
            focus: Some(Focus::Crime),
            ..Filter::default()
        }
    );
}

#[test]
fn search_runs_over_the_store_with_the_filters_and_esc_clears_it() {
    let mut app = app_with(&[row(1, "a")]);
    app.handle(key('1'));
    app.handle(key('/'));
    typed(&mut app, "brand farsta");
    app.handle(code(KeyCode::Backspace));
    let out = app.handle(code(KeyCode::Enter));
    let (filter, search) = query_of(&out);
    assert_eq!(search.as_deref(), Some("brand farst"));
    assert_eq!(filter.focus, Some(Focus::Accidents));
    assert_eq!(app.search(), Some("brand farst"));
    let out = app.handle(code(KeyCode::Esc));
    assert_eq!(query_of(&out).1, None);
    assert_eq!(app.search(), None);
    // Esc in the prompt cancels it too.
    app.handle(key('/'));
    typed(&mut app, "x");
    app.handle(code(KeyCode::Esc));
    assert!(app.overlay().is_none());
    assert_eq!(app.search(), None);
}

#[test]
fn help_opens_and_closes() {
    let mut app = app_with(&[row(1, "a")]);
    app.handle(key('?'));
    assert!(matches!(app.overlay(), Some(Overlay::Help { .. })));
    // Keys do nothing else while help is open.
    assert!(app.handle(key('x')).is_empty());
    app.handle(key('j'));
    assert!(matches!(app.overlay(), Some(Overlay::Help { scroll: 1 })));
    app.handle(key('?'));
    assert!(app.overlay().is_none());
    app.handle(key('?'));
    app.handle(code(KeyCode::Esc));
    assert!(app.overlay().is_none());
}

#[test]
fn the_selection_stays_on_its_item_when_new_items_arrive_on_top() {
    let rows: Vec<Row> = (1..=30)
        .rev()
        .map(|i| row(i, &format!("Händelse {i}")))
        .collect();
    let mut app = app_with(&rows);
    for _ in 0..5 {
        app.handle(key('j'));
    }
    assert_eq!(app.selected(), Some(25));
    let out = app.handle(Msg::Bus(Event::Items {
        new: vec![31, 32],
        updated: vec![],
    }));
    let generation = query_generation(&out).expect("a new query");
    let mut ids = vec![32, 31];
    ids.extend((1..=30).rev());
    app.handle(Msg::Done(Done::Query {
        generation,
        ids,
        overview: Vec::new(),
        critical: Vec::new(),
    }));
    assert_eq!(app.selected(), Some(25));
    // Moving on continues from there.
    app.handle(key('j'));
    assert_eq!(app.selected(), Some(24));
    app.handle(key('g'));
    assert_eq!(app.selected(), Some(32));
    app.handle(key('G'));
    assert_eq!(app.selected(), Some(1));
}

#[test]
fn results_of_an_old_generation_are_ignored() {
    let mut app = app_with(&[row(1, "a")]);
    let first = query_generation(&app.handle(key('1'))).expect("query");
    let second = query_generation(&app.handle(key('2'))).expect("query");
    assert!(second > first);
    app.handle(Msg::Done(Done::Query {
        generation: first,
        ids: vec![5, 6],
        overview: Vec::new(),
        critical: Vec::new(),
    }));
    assert_eq!(app.ids(), &[1]);
    app.handle(Msg::Done(Done::Query {
        generation: second,
        ids: vec![7],
        overview: Vec::new(),
        critical: Vec::new(),
    }));
    assert_eq!(app.ids(), &[7]);
}

#[test]
fn q_and_ctrl_c_quit_even_from_an_editor() {
    let mut app = app_with(&[row(1, "a")]);
    assert_eq!(app.handle(key('q')), vec![Command::Quit]);
    assert!(app.quitting());
    let mut app = app_with(&[row(1, "a")]);
    app.handle(key('a'));
    assert!(app.handle(key('q')).is_empty());
    assert_eq!(app.handle(ctrl('c')), vec![Command::Quit]);
}

#[test]
fn screens_open_and_esc_goes_back() {
    let mut app = app_with(&[row(1, "a")]);
    let out = app.handle(code(KeyCode::Enter));
    assert_eq!(app.screen(), Screen::Detail);
    assert!(
        out.iter()
            .any(|c| matches!(c, Command::LoadDetail { id: 1, .. }))
    );
    app.handle(code(KeyCode::Esc));
    assert_eq!(app.screen(), Screen::List);
    let out = app.handle(key('S'));
    assert_eq!(app.screen(), Screen::Sources);
    assert!(out.iter().any(|c| matches!(c, Command::LoadSources { .. })));
    let out = app.handle(key('L'));
    assert_eq!(app.screen(), Screen::Log);
    assert!(out.contains(&Command::LoadLog));
    assert_eq!(app.handle(key('r')), vec![Command::PollNow]);
}

#[test]
fn a_handover_is_saved_and_then_sets_last_looked() {
    let mut app = app_with(&[row(1, "a")]);
    app.handle(key('L'));
    app.handle(key('h'));
    typed(&mut app, "Lugnt pass.");
    app.handle(code(KeyCode::Enter));
    typed(&mut app, "Bevaka Farsta.");
    let out = app.handle(ctrl('s'));
    let entry = out
        .iter()
        .find_map(|c| match c {
            Command::AddLog {
                entry,
                handover: true,
            } => Some(entry.clone()),
            _ => None,
        })
        .expect("a handover entry");
    assert_eq!(entry.author, "anna");
    assert_eq!(
        entry.what,
        LogWhat::Handover {
            text: "Lugnt pass.\nBevaka Farsta.".into()
        }
    );
    let out = app.handle(Msg::Done(Done::LogAdded {
        handover: true,
        at: entry.at,
        result: Ok(()),
    }));
    assert!(out.contains(&Command::SetLastLooked { at: entry.at }));
    assert!(app.overlay().is_none());
}

#[test]
fn o_shows_a_safe_link_and_asks_for_osc_8_and_osc_52() {
    let mut app = app_with(&[row(1, "a")]);
    let out = app.handle(key('o'));
    let url = "https://polisen.se/handelse/1".to_string();
    assert!(
        out.contains(&Command::Emit(Osc::Copy { text: url.clone() })),
        "{out:?}"
    );
    assert!(
        out.iter()
            .any(|c| matches!(c, Command::Emit(Osc::Hyperlink { url: u, y: 23, .. }) if *u == url))
    );
    assert_eq!(app.status_text(), Some(url.as_str()));

    let mut evil = row(2, "b");
    evil.url = Some("javascript:alert(1)".into());
    let mut app = app_with(&[evil]);
    let out = app.handle(key('o'));
    assert!(out.iter().all(|c| !matches!(c, Command::Emit(_))));
}

#[test]
fn a_lagging_bus_reloads_everything_shown() {
    let mut app = app_with(&[row(1, "a")]);
    app.handle(code(KeyCode::Enter));
    let out = app.handle(Msg::Lagged);
    assert!(query_generation(&out).is_some());
    assert!(out.iter().any(|c| matches!(c, Command::LoadSources { .. })));
    assert!(
        out.iter()
            .any(|c| matches!(c, Command::LoadDetail { id: 1, .. }))
    );
    assert!(
        out.iter()
            .any(|c| matches!(c, Command::LoadRows { ids, .. } if ids == &[1]))
    );
}

/// The real loop over a test backend and a real core: `x` acknowledges the only item (stored
/// and flushed), `q` ends the loop, and "last looked" is set on the way out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_acknowledges_through_the_core_and_ends_on_q() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config_path = common::write_config(
        dir.path(),
        "[fetch]\ncontact = \"lage-tests@stockholm.example\"\n",
    );
    let config = Config::load(&config_path, Env::process()).expect("config");
    let store = Arc::new(Store::open(&dir.path().join("data")).expect("store"));
    let item = normalise(
        RawItem {
            guid: Some("one".into()),
            title: Some(RawText::plain("Brand i Farsta")),
            published: Some(Utc::now()),
            ..RawItem::default()
        },
        "polisen",
        "rss",
        Utc::now(),
    )
    .item;
    store.import(std::slice::from_ref(&item)).expect("import");
    let rules: SharedRules = Arc::new(RwLock::new(Arc::new(RuleSet::empty())));
    let core = Core::new(Arc::new(config), store.clone(), rules).expect("core");
    let waited = tokio::time::timeout(Duration::from_secs(60), async {
        while !core.index_ready() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "the index never loaded");

    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).expect("terminal");
    // Keys arrive once the item is on screen: the input waits for the first row to load.
    let (tx, rx) = tokio::sync::mpsc::channel::<Input>(8);
    let input = tokio_stream_from(rx);
    let feeder = {
        let store = store.clone();
        let id = item.id.clone();
        tokio::spawn(async move {
            // Press x until the acknowledgement is stored (the first press may come before the
            // row has loaded, when x only says so), then quit, as a person reads the
            // confirmation first.
            for _ in 0..120 {
                if !store.decisions(&id).expect("decisions").is_empty() {
                    break;
                }
                let _ = tx
                    .send(Input::Key(KeyEvent::new(
                        KeyCode::Char('x'),
                        KeyModifiers::NONE,
                    )))
                    .await;
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            let _ = tx
                .send(Input::Key(KeyEvent::new(
                    KeyCode::Char('q'),
                    KeyModifiers::NONE,
                )))
                .await;
        })
    };
    let session = Session {
        user: "duty-officer".into(),
        role: Role::Duty,
        lang: Lang::En,
        color: true,
    };
    let ran = tokio::time::timeout(
        Duration::from_secs(60),
        lage::tui::run(&mut terminal, input, core.clone(), session),
    )
    .await;
    feeder.await.expect("feeder");
    assert!(matches!(ran, Ok(Ok(()))), "the loop did not end cleanly");
    let decisions = store.decisions(&item.id).expect("decisions");
    assert!(!decisions.is_empty());
    assert!(
        decisions
            .iter()
            .all(|d| d.action == Action::Acknowledge && d.author == "duty-officer"),
        "{decisions:?}"
    );
    assert!(
        store
            .last_looked("duty-officer")
            .expect("last looked")
            .is_some()
    );
    assert!(id_number(&item.id).is_some());
    // The last frame showed the item, acknowledged.
    let screen: String = terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(screen.contains("Brand i Farsta"), "{screen}");
}

fn tokio_stream_from(
    mut rx: tokio::sync::mpsc::Receiver<Input>,
) -> impl futures_util::Stream<Item = Input> + Unpin + Send {
    Box::pin(futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx)))
}

#[test]
fn an_earlier_decision_confirmed_while_an_annotation_saves_leaves_the_form_open() {
    let mut app = app_with(&[row(1, "Brand")]);
    app.handle(key('x'));
    app.handle(key('a'));
    typed(&mut app, "utkast");
    let out = app.handle(ctrl('s'));
    let (_, d) = &recorded(&out)[0];
    // The acknowledgement's flush is confirmed first: the annotation is not saved yet.
    app.handle(Msg::Done(Done::Recorded {
        item: 1,
        action: Action::Acknowledge,
        result: Ok(()),
    }));
    assert!(
        matches!(app.overlay(), Some(Overlay::Annotate(f)) if f.saving),
        "{:?}",
        app.overlay()
    );
    app.handle(Msg::Done(Done::Recorded {
        item: 1,
        action: d.action.clone(),
        result: Err("disk full".into()),
    }));
    assert!(
        matches!(app.overlay(), Some(Overlay::Annotate(f)) if !f.saving && f.annotation().note == "utkast")
    );
}

#[test]
fn a_refused_tag_is_explained_in_the_sessions_language() {
    let mut app = app_with(&[row(3, "Skadegörelse")]);
    app.handle(key('t'));
    typed(&mut app, "+Plats/Farsta");
    app.handle(code(KeyCode::Enter));
    let told = app.status_text().unwrap_or("").to_string();
    assert!(told.contains("Ogiltig tagg"), "{told}");
    assert!(told.contains("små bokstäver"), "{told}");
    assert!(!told.contains("not allowed"), "{told}");
}

#[test]
fn a_row_the_store_cannot_give_is_not_asked_for_again_and_again() {
    let mut app = App::new(session(), (80, 24), now());
    let start = app.start();
    let generation = query_generation(&start).expect("the first query");
    let out = app.handle(Msg::Done(Done::Query {
        generation,
        ids: vec![2, 1],
        overview: Vec::new(),
        critical: Vec::new(),
    }));
    let asked = |out: &[Command]| -> Vec<u64> {
        out.iter()
            .flat_map(|c| match c {
                Command::LoadRows { ids, .. } => ids.clone(),
                _ => Vec::new(),
            })
            .collect()
    };
    assert_eq!(asked(&out), [2, 1]);
    let Some(Command::LoadRows { generation, .. }) =
        out.iter().find(|c| matches!(c, Command::LoadRows { .. }))
    else {
        panic!("no row request: {out:?}");
    };
    // Item 1 cannot be read (gone, or a record this build cannot decode).
    let out = app.handle(Msg::Done(Done::Rows {
        generation: *generation,
        rows: vec![(2, Some(row(2, "Brand"))), (1, None)],
    }));
    assert!(asked(&out).is_empty(), "asked again at once: {out:?}");
    let out = app.handle(Msg::Tick(now()));
    assert!(
        asked(&out).is_empty(),
        "asked again on the next tick: {out:?}"
    );
    // A change to the item is worth another try.
    let out = app.handle(Msg::Bus(Event::Decided {
        item: 1,
        author: "bo".into(),
    }));
    assert_eq!(asked(&out), [1]);
}
