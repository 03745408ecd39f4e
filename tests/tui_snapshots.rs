//! Every screen of the dashboard drawn on ratatui's `TestBackend` and compared with reviewed
//! snapshots (`tests/snapshots/`), in Swedish and English at 80×24 and the main screen at a
//! wider size. The app is fed fixed data and a fixed clock, so frames are deterministic.
//! Also: hostile feed text never reaches a cell as a terminal command, and tiny terminals do not
//! panic.

mod common;

use common::keys::*;

use chrono::{DateTime, Duration, TimeZone, Utc};
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use lage::access::Role;
use lage::core::{Event, SourceView};
use lage::curation::{
    Action, Annotation, Confidence, Decision, ItemState, LogEntry, LogWhat, Relevance, Stamp,
    Status,
};
use lage::health::{PollStatus, SourceState};
use lage::index::{Activity, AreaCounts, Focus};
use lage::item::{
    Alert, AlertEvent, AlertStatus, LocalMatch, Location, MatchHow, MessageType, RawItem, RawText,
    Severity, Sighting,
};
use lage::normalise::normalise;
use lage::tags::{Evidence, OverrideAction, RuleMatch, TagOverride, Tagging};
use lage::tui::app::{App, Command, Done, Msg};
use lage::tui::data::{Choices, Detail, Row};
use lage::tui::{Lang, Session};

/// 11:00 in Stockholm on Wednesday 25 November 2026.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap()
}

fn minutes_ago(m: i64) -> DateTime<Utc> {
    now() - Duration::minutes(m)
}

fn stamp(author: &str, m: i64) -> Stamp {
    Stamp {
        author: author.into(),
        at: minutes_ago(m),
    }
}

#[allow(clippy::too_many_arguments)]
fn row(
    id: u64,
    minutes: i64,
    severity: Option<Severity>,
    focus: &[Focus],
    place: Option<&str>,
    source: &str,
    title: &str,
    local: bool,
) -> Row {
    Row {
        id,
        title: title.into(),
        url: Some(format!("https://example.se/{id}")),
        published: minutes_ago(minutes),
        first_seen: minutes_ago(minutes),
        severity,
        focus: focus.to_vec(),
        place: place.map(str::to_string),
        source: source.into(),
        local,
        exercise: false,
        cancelled: false,
        expires: None,
        state: ItemState::default(),
    }
}

fn rows() -> Vec<Row> {
    let mut vma = row(
        1,
        3,
        Some(Severity::Critical),
        &[Focus::Resilience, Focus::Accidents],
        Some("Farsta"),
        "sr-vma",
        "VMA: Brand i industrilokal i Farsta – håll dörrar och fönster stängda",
        true,
    );
    vma.state = ItemState::default();
    let mut burglary = row(
        2,
        25,
        Some(Severity::Medium),
        &[Focus::Crime],
        Some("Skarpnäck"),
        "polisen",
        "Inbrott i skola, Skarpnäck",
        true,
    );
    burglary.state.acknowledged = Some(stamp("bo", 20));
    burglary.state.status = Status::Watching;
    burglary.state.in_briefing = true;
    let mut wind = row(
        3,
        90,
        Some(Severity::High),
        &[Focus::Resilience],
        Some("Stockholms län"),
        "smhi",
        "Gul varning: kraftig vind i Stockholms skärgård",
        false,
    );
    wind.cancelled = true;
    let mut drill = row(
        4,
        120,
        Some(Severity::Critical),
        &[Focus::Resilience],
        None,
        "sr-vma",
        "Test av varningssystemet",
        false,
    );
    drill.exercise = true;
    let wide = row(
        5,
        200,
        Some(Severity::Info),
        &[Focus::Protective],
        Some("東京"),
        "utrikes",
        "東京で地震 🌋 – ambassaden informerar svenska medborgare",
        false,
    );
    let mut crash = row(
        6,
        60 * 26,
        Some(Severity::Low),
        &[Focus::Accidents],
        Some("Gubbängen"),
        "trafikverket",
        "Trafikolycka på Nynäsvägen vid Gubbängen, flera fordon inblandade",
        true,
    );
    crash.expires = Some(minutes_ago(60));
    crash.state.status = Status::Handled;
    crash.state.acknowledged = Some(stamp("anna", 60 * 25));
    let mut threat = row(
        7,
        60 * 30,
        Some(Severity::High),
        &[Focus::Influence, Focus::Crime],
        Some("Hägersten"),
        "polisen",
        "Hot mot handläggare på stadsdelsförvaltning",
        true,
    );
    threat.state.status = Status::Dismissed;
    let mut out = vec![vma, burglary, wind, drill, wide, crash, threat];
    for i in 0..20 {
        out.push(row(
            100 + i,
            60 * 48 + i as i64 * 30,
            Some(Severity::Low),
            &[Focus::Crime],
            Some("Södermalm"),
            "polisen",
            &format!("Stöld, Södermalm ({i})"),
            false,
        ));
    }
    out
}

fn overview() -> Vec<AreaCounts> {
    let c = |focus, new, unacknowledged, today, activity| AreaCounts {
        focus,
        new,
        unacknowledged,
        today,
        activity,
        daily_mean: 4.0,
    };
    vec![
        c(Focus::Accidents, 2, 5, 12, Activity::Busy),
        c(Focus::Crime, 1, 14, 8, Activity::Usual),
        c(Focus::Influence, 0, 1, 0, Activity::Quiet),
        c(Focus::Resilience, 3, 3, 4, Activity::Usual),
        c(Focus::Protective, 0, 0, 1, Activity::Usual),
    ]
}

fn sources() -> Vec<SourceView> {
    let view = |id: &str, name: &str, state: SourceState, stale: bool, enabled: bool| SourceView {
        id: id.into(),
        name: name.into(),
        kind: "rss".into(),
        enabled,
        interval: std::time::Duration::from_secs(300),
        next_due: Some(now() + Duration::minutes(4)),
        state,
        stale,
    };
    let ok = SourceState {
        last_success: Some(minutes_ago(1)),
        last_status: Some(PollStatus::Ok),
        ..SourceState::default()
    };
    let failing = SourceState {
        last_success: Some(minutes_ago(60 * 3)),
        last_status: Some(PollStatus::Error),
        last_error: Some("HTTP 503 Service Unavailable from api.krisinformation.se".into()),
        last_error_at: Some(minutes_ago(2)),
        consecutive_failures: 4,
        ..SourceState::default()
    };
    let unchanged = SourceState {
        last_success: Some(minutes_ago(4)),
        last_status: Some(PollStatus::NotModified),
        ..SourceState::default()
    };
    vec![
        view("polisen", "Polisen Stockholm", ok, false, true),
        view("krisinformation", "Krisinformation", failing, true, true),
        view("smhi", "SMHI varningar", unchanged, false, true),
        view(
            "gammal",
            "Gammal blogg",
            SourceState::default(),
            false,
            false,
        ),
    ]
}

fn log() -> Vec<LogEntry> {
    let entry = |m, author: &str, what| LogEntry {
        at: minutes_ago(m),
        author: author.into(),
        what,
    };
    vec![
        entry(
            300,
            "bo",
            LogWhat::Handover {
                text: "Lugn natt. Bevaka vattenläckan i Hägersten,\nSL informerar kl 07.".into(),
            },
        ),
        entry(
            60,
            "anna",
            LogWhat::Decision {
                item: "0000000000000002".into(),
                title: "Inbrott i skola, Skarpnäck".into(),
                action: Action::SetStatus {
                    status: Status::Watching,
                },
            },
        ),
        entry(
            20,
            "bo",
            LogWhat::Decision {
                item: "0000000000000002".into(),
                title: "Inbrott i skola, Skarpnäck".into(),
                action: Action::Acknowledge,
            },
        ),
        entry(
            10,
            "bo",
            LogWhat::Note {
                text: "Ringde räddningstjänsten om branden i Farsta; återkommer.".into(),
            },
        ),
        entry(
            5,
            "anna",
            LogWhat::Decision {
                item: "0000000000000001".into(),
                title: "VMA: Brand i Farsta".into(),
                action: Action::Tag {
                    tag: "plats/farsta".into(),
                    change: OverrideAction::Add,
                },
            },
        ),
    ]
}

fn detail() -> Detail {
    let mut item = normalise(
        RawItem {
            guid: Some("inbrott-1".into()),
            link: Some("https://polisen.se/aktuellt/handelser/2026/november/25/inbrott-skarpnack/".into()),
            title: Some(RawText::plain("Inbrott i skola, Skarpnäck")),
            summary: Some(RawText::plain("Larm om inbrott i en skola vid Skarpnäcks allé strax efter klockan tre i natt.")),
            body: Some(RawText::plain("Polis på plats. Två personer sågs lämna platsen. Datorer saknas.\n\nTekniker undersöker skolan under förmiddagen.")),
            published: Some(minutes_ago(25)),
            location: Some(Location { name: Some("Skarpnäck".into()), lat: Some(59.27), lon: Some(18.13), approximate: false }),
            severity: Some(Severity::Medium),
            ..RawItem::default()
        },
        "polisen",
        "polisen",
        minutes_ago(24),
    )
    .item;
    item.local = Some(LocalMatch {
        how: MatchHow::Distance,
        place: "Skarpnäck".into(),
        distance_km: Some(0.8),
    });
    item.sightings.push(Sighting {
        source: "svt-lokalt".into(),
        guid: None,
        url: Some("https://svt.se/nyheter/lokalt/stockholm/inbrott".into()),
        first_seen: minutes_ago(15),
        last_seen: minutes_ago(5),
        content_hash: None,
    });
    item.alert = Some(Alert {
        status: AlertStatus::Actual,
        msg_type: MessageType::Update,
        version: "v2".into(),
        sent: minutes_ago(10),
        onset: None,
        expires: Some(now() + Duration::hours(2)),
        history: vec![
            AlertEvent {
                version: "v1".into(),
                msg_type: MessageType::Alert,
                sent: minutes_ago(25),
                headline: "Inbrott i skola".into(),
                severity: Some(Severity::Medium),
            },
            AlertEvent {
                version: "v2".into(),
                msg_type: MessageType::Update,
                sent: minutes_ago(10),
                headline: "Inbrott i skola, Skarpnäck".into(),
                severity: Some(Severity::Medium),
            },
        ],
    });
    item.tagging = Tagging {
        tags: vec!["fokus/brott".into(), "fokus/kris".into()],
        matches: vec![
            RuleMatch {
                rule: "inbrott".into(),
                tags: vec!["fokus/brott".into()],
                score: 3,
                threshold: 3,
                evidence: vec![Evidence {
                    term: "*inbrott*".into(),
                    field: "title".into(),
                    text: "inbrott".into(),
                    weight: 3,
                    count: 2,
                }],
            },
            RuleMatch {
                rule: "kris-allmant".into(),
                tags: vec!["fokus/kris".into()],
                score: 1,
                threshold: 1,
                evidence: vec![Evidence {
                    term: "larm".into(),
                    field: "summary".into(),
                    text: "larm".into(),
                    weight: 1,
                    count: 1,
                }],
            },
        ],
        ..Tagging::default()
    };
    let decision = |action, author: &str, m| Decision {
        action,
        author: author.into(),
        at: minutes_ago(m),
    };
    let decisions = vec![
        decision(Action::Acknowledge, "bo", 20),
        decision(
            Action::SetStatus {
                status: Status::Watching,
            },
            "bo",
            19,
        ),
        decision(
            Action::Annotate {
                annotation: Annotation {
                    note: "Första bedömning: enstaka inbrott.".into(),
                    assessment: String::new(),
                    confidence: Some(Confidence::Low),
                    relevance: Some(Relevance::Medium),
                },
            },
            "bo",
            18,
        ),
        decision(
            Action::Annotate {
                annotation: Annotation {
                    note: "Tredje skolinbrottet i området på en månad.".into(),
                    assessment: "Troligen samma grupp; informera skolförvaltningen.".into(),
                    confidence: Some(Confidence::Medium),
                    relevance: Some(Relevance::High),
                },
            },
            "anna",
            8,
        ),
        decision(Action::Briefing { include: true }, "anna", 7),
    ];
    let overrides = vec![
        TagOverride {
            tag: "plats/skarpnäck".into(),
            action: OverrideAction::Add,
            author: "anna".into(),
            at: minutes_ago(6),
            note: None,
        },
        TagOverride {
            tag: "fokus/kris".into(),
            action: OverrideAction::Remove,
            author: "anna".into(),
            at: minutes_ago(6),
            note: None,
        },
    ];
    Detail::build(item, decisions, overrides)
}

/// Answers every command the way a store holding the fixtures would.
fn answer(app: &mut App, commands: Vec<Command>, critical: &[u64]) {
    let mut queue = commands;
    while let Some(c) = queue.pop() {
        let done = match c {
            Command::Query { generation, .. } => Done::Query {
                generation,
                ids: rows().iter().map(|r| r.id).collect(),
                overview: overview(),
                critical: critical.to_vec(),
            },
            Command::LoadRows { generation, ids } => Done::Rows {
                generation,
                rows: ids
                    .iter()
                    .map(|id| (*id, rows().into_iter().find(|r| r.id == *id)))
                    .collect(),
            },
            Command::LoadDetail { generation, .. } => Done::Detail {
                generation,
                detail: Some(Box::new(detail())),
            },
            Command::LoadSources { .. } => Done::Sources(sources()),
            Command::LoadLog => Done::Log(log()),
            Command::LoadLastLooked => Done::LastLooked(Some(minutes_ago(15))),
            Command::LoadChoices => Done::Choices(Choices {
                sources: vec!["polisen".into(), "smhi".into()],
                tags: vec!["fokus/brott".into(), "plats/farsta".into()],
            }),
            _ => continue,
        };
        queue.extend(app.handle(Msg::Done(done)));
    }
}

/// An app with every fixture loaded, after `keys`.
fn app(lang: Lang, size: (u16, u16), critical: &[u64], keys: Vec<Msg>) -> App {
    app_colored(lang, size, critical, keys, true)
}

/// As [`app`], with or without colour.
fn app_colored(lang: Lang, size: (u16, u16), critical: &[u64], keys: Vec<Msg>, color: bool) -> App {
    let session = Session {
        user: "anna".into(),
        role: Role::Admin,
        lang,
        color,
    };
    let mut app = App::new(session, size, now());
    let start = app.start();
    answer(&mut app, start, critical);
    let out = app.handle(Msg::Bus(Event::IndexReady));
    answer(&mut app, out, critical);
    for k in keys {
        let out = app.handle(k);
        answer(&mut app, out, critical);
    }
    app
}

fn draw(app: &App, size: (u16, u16)) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(size.0, size.1)).expect("terminal");
    terminal
        .draw(|f| lage::tui::view::draw(f, app))
        .expect("draw");
    terminal
}

fn screen(name: &str, keys: fn() -> Vec<Msg>, critical: &[u64]) {
    for (lang, suffix) in [(Lang::Sv, "sv"), (Lang::En, "en")] {
        let size = (80, 24);
        let app = app(lang, size, critical, keys());
        insta::assert_snapshot!(format!("{name}_{suffix}_80x24"), draw(&app, size).backend());
    }
}

#[test]
fn main_screen_with_overview_and_list() {
    screen("main", Vec::new, &[]);
}

#[test]
fn main_screen_wide() {
    let size = (132, 40);
    let app = app(Lang::Sv, size, &[], vec![key('j'), key('j')]);
    insta::assert_snapshot!("main_sv_132x40", draw(&app, size).backend());
}

#[test]
fn critical_banner() {
    screen("banner", Vec::new, &[1]);
}

#[test]
fn detail_screen() {
    screen("detail", || vec![key('j'), code(KeyCode::Enter)], &[]);
}

#[test]
fn detail_screen_scrolled() {
    screen(
        "detail_scrolled",
        || vec![code(KeyCode::Enter), code(KeyCode::PageDown)],
        &[],
    );
}

#[test]
fn sources_screen() {
    screen("sources", || vec![key('S')], &[]);
}

#[test]
fn shift_log_screen() {
    screen("log", || vec![key('L')], &[]);
}

#[test]
fn help_overlay() {
    screen("help", || vec![key('?')], &[]);
}

#[test]
fn filter_menu() {
    screen(
        "filter",
        || {
            vec![
                key('2'),
                key('f'),
                key('l'),
                key('l'),
                key('l'),
                key('j'),
                key('l'),
            ]
        },
        &[],
    );
}

#[test]
fn annotation_editor() {
    screen(
        "annotate",
        || {
            let mut keys = vec![key('j'), key('a')];
            keys.extend("Tredje inbrottet på en månad.".chars().map(key));
            keys.push(code(KeyCode::Tab));
            keys.extend("Troligen samma grupp.".chars().map(key));
            keys.push(code(KeyCode::Tab));
            keys.push(code(KeyCode::Right));
            keys
        },
        &[],
    );
}

#[test]
fn search_prompt_and_status_menu() {
    screen(
        "search",
        || vec![key('/'), key('b'), key('r'), key('a'), key('n'), key('d')],
        &[],
    );
    screen("status_menu", || vec![key('s')], &[]);
}

#[test]
fn hostile_titles_reach_the_screen_as_harmless_text() {
    let hostile = "Brand\u{1b}]0;evil\u{7} i\u{1b}[2J Farsta\u{9b}31m\u{202e}gnalröv\u{202c}\u{2066}x\u{2069}\u{200b}!";
    let session = Session {
        user: "anna\u{1b}[31m".into(),
        role: Role::Admin,
        lang: Lang::Sv,
        color: true,
    };
    let size = (80, 24);
    let mut app = App::new(session, size, now());
    let start = app.start();
    let mut evil = rows()[0].clone();
    evil.title = hostile.into();
    evil.place = Some(hostile.into());
    evil.source = hostile.into();
    let mut d = detail();
    d.item.title = hostile.into();
    d.item.body = format!("{hostile}\n{hostile}");
    d.item.sightings[0].source = hostile.into();
    let mut queue = start;
    while let Some(c) = queue.pop() {
        let done = match c {
            Command::Query { generation, .. } => Done::Query {
                generation,
                ids: vec![1],
                overview: overview(),
                critical: vec![1],
            },
            Command::LoadRows { generation, ids } => Done::Rows {
                generation,
                rows: ids.iter().map(|id| (*id, Some(evil.clone()))).collect(),
            },
            Command::LoadDetail { generation, .. } => Done::Detail {
                generation,
                detail: Some(Box::new(d.clone())),
            },
            _ => continue,
        };
        queue.extend(app.handle(Msg::Done(done)));
    }
    let forbidden = |c: char| {
        c.is_control()
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
            || c == '\u{200b}'
    };
    let check = |app: &App, what: &str| {
        let terminal = draw(app, size);
        let mut text = String::new();
        for cell in terminal.backend().buffer().content() {
            assert!(
                !cell.symbol().chars().any(forbidden),
                "{what}: cell {:?}",
                cell.symbol()
            );
            text.push_str(cell.symbol());
        }
        assert!(text.contains("Brand i Farsta"), "{what}: {text}");
    };
    check(&app, "list and banner");
    let out = app.handle(code(KeyCode::Enter));
    let mut queue = out;
    while let Some(c) = queue.pop() {
        if let Command::LoadDetail { generation, .. } = c {
            queue.extend(app.handle(Msg::Done(Done::Detail {
                generation,
                detail: Some(Box::new(d.clone())),
            })));
        }
    }
    check(&app, "detail");
}

/// Who else is connected, as the core reports it: this session's own user ("anna") is not
/// listed, a user with two sessions shows the count.
fn others_here() -> Vec<Msg> {
    vec![Msg::Done(Done::Presence(vec![
        ("anna".into(), 2),
        ("bo".into(), 2),
        ("cilla".into(), 1),
    ]))]
}

#[test]
fn header_names_who_else_is_here() {
    screen("presence", others_here, &[]);
    let header = |lang, width| {
        let size = (width, 24);
        let app = app(lang, size, &[], others_here());
        let terminal = draw(&app, size);
        let cells = terminal.backend().buffer().content();
        cells[..usize::from(width)]
            .iter()
            .map(|c| c.symbol())
            .collect::<String>()
    };
    // Wide: every name; the source health keeps its place on the right.
    let wide = header(Lang::Sv, 132);
    assert!(
        wide.contains("│ anna │ Också här: bo (2), cilla "),
        "{wide}"
    );
    assert!(wide.contains("1 fel · 1 tysta"), "{wide}");
    assert!(!wide.contains("anna (2)"), "{wide}");
    // Narrower: as many names as fit, then how many more.
    let narrow = header(Lang::En, 86);
    assert!(narrow.contains("Also here: bo (2) +1"), "{narrow}");
    assert!(narrow.contains("1 failing · 1 stale"), "{narrow}");
}

#[test]
fn tiny_and_resized_terminals_do_not_panic() {
    let screens: Vec<Vec<Msg>> = vec![
        vec![],
        vec![key('?')],
        vec![key('f')],
        vec![key('a')],
        vec![code(KeyCode::Enter)],
        vec![key('S')],
        vec![key('L'), key('n')],
        vec![key('/')],
        vec![key('s')],
    ];
    for keys in screens {
        for size in [(20, 5), (1, 1), (0, 0), (80, 3), (12, 40), (200, 60)] {
            let mut a = app(Lang::Sv, (80, 24), &[1], keys.clone());
            let out = a.handle(Msg::Resize(size.0, size.1));
            answer(&mut a, out, &[1]);
            for k in [key('j'), code(KeyCode::PageDown), key('G')] {
                let out = a.handle(k);
                answer(&mut a, out, &[1]);
            }
            draw(&a, size);
        }
    }
}

#[test]
fn without_colour_highlighting_stays_loud_through_modifiers() {
    use ratatui::style::{Color, Modifier};
    let size = (80, 24);
    let app = app_colored(Lang::Sv, size, &[1], vec![key('j')], false);
    let terminal = draw(&app, size);
    let buffer = terminal.backend().buffer();
    for cell in buffer.content() {
        assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "{cell:?}");
    }
    // The banner (row 1) and the selected row (the second item, row 8) are reversed.
    assert!(
        buffer[(5, 1)]
            .modifier
            .contains(Modifier::REVERSED | Modifier::BOLD)
    );
    assert!(buffer[(20, 8)].modifier.contains(Modifier::REVERSED));
    assert!(!buffer[(20, 9)].modifier.contains(Modifier::REVERSED));
    // With colour, the same frame uses colours.
    let app = app_colored(Lang::Sv, size, &[1], vec![key('j')], true);
    let terminal = draw(&app, size);
    assert_ne!(terminal.backend().buffer()[(5, 1)].bg, Color::Reset);
}
