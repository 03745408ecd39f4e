//! Presence: the core counts who is connected, and two people on one core, each in their own
//! `tui::run` on a screen the test can read, see each other in the header and each other's
//! acknowledgement, with the author's name.

mod common;

use common::screen::SharedScreen;
use common::world::{session, world};

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;

use lage::access::Role;
use lage::core::Event;
use lage::curation::Action;
use lage::tui::{Input, Lang};

#[test]
fn presence_counts_sessions_per_user_and_tells_the_bus() {
    let w = world(&[]);
    let mut events = w.core.subscribe();
    let anna = w.core.join("anna");
    let bo = w.core.join("bo");
    let anna_again = w.core.join("anna");
    assert_eq!(
        w.core.present(),
        [("anna".to_string(), 2), ("bo".to_string(), 1)]
    );
    drop(anna);
    assert_eq!(
        w.core.present(),
        [("anna".to_string(), 1), ("bo".to_string(), 1)]
    );
    drop(bo);
    drop(anna_again);
    assert!(w.core.present().is_empty());
    let mut told = 0;
    while let Ok(e) = events.try_recv() {
        if e == Event::Presence {
            told += 1;
        }
    }
    assert_eq!(told, 6, "three joins and three leaves");
}

fn stream(
    mut rx: tokio::sync::mpsc::Receiver<Input>,
) -> impl futures_util::Stream<Item = Input> + Unpin + Send {
    Box::pin(futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx)))
}

fn press(c: char) -> Input {
    Input::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// Waits until `screen` shows what `ok` looks for; fails with the screen after `within`.
async fn until(screen: &SharedScreen, within: Duration, what: &str, ok: impl Fn(&str) -> bool) {
    let started = Instant::now();
    loop {
        let text = screen.text();
        if ok(&text) {
            return;
        }
        assert!(
            started.elapsed() < within,
            "waited {within:?} for {what}; the screen:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Two people on one core, each in their own `tui::run`: they see each other in the header,
/// the viewer cannot acknowledge, and the duty officer's acknowledgement reaches the viewer's
/// open detail, with her name, within a second. Leaving is seen too.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_sessions_see_each_other_and_each_others_acknowledgement() {
    let w = world(&["Brand i Farsta"]);
    let id = w.items[0].id.clone();
    let core = w.core.clone();
    let start = |user: &str, role: Role, lang: Lang, screen: SharedScreen| {
        let (tx, rx) = tokio::sync::mpsc::channel::<Input>(16);
        let core = core.clone();
        let session = session(user, role, lang);
        let task = tokio::spawn(async move {
            let mut terminal = Terminal::new(screen).expect("terminal");
            lage::tui::run(&mut terminal, stream(rx), core, session).await
        });
        (tx, task)
    };
    let anna_screen = SharedScreen::new(100, 24);
    let bo_screen = SharedScreen::new(100, 24);
    let (anna, anna_task) = start("anna", Role::Duty, Lang::Sv, anna_screen.clone());
    let (bo, bo_task) = start("bo", Role::Viewer, Lang::En, bo_screen.clone());
    let wait = Duration::from_secs(30);

    until(&anna_screen, wait, "bo in anna's header", |_| {
        anna_screen.header().contains("Också här: bo")
    })
    .await;
    until(&bo_screen, wait, "anna in bo's header", |_| {
        bo_screen.header().contains("Also here: anna")
    })
    .await;
    assert_eq!(
        core.present(),
        [("anna".to_string(), 1), ("bo".to_string(), 1)]
    );

    // Bo opens the item and tries to acknowledge it: refused, nothing stored.
    until(&bo_screen, wait, "the item in bo's list", |t| {
        t.contains("Brand i Farsta")
    })
    .await;
    bo.send(Input::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    )))
    .await
    .expect("send");
    until(&bo_screen, wait, "bo's detail", |t| {
        t.contains("Not acknowledged")
    })
    .await;
    bo.send(press('x')).await.expect("send");
    until(&bo_screen, wait, "bo's refusal", |t| {
        t.contains("Your role (viewer) may not acknowledge items")
    })
    .await;
    assert!(w.store.decisions(&id).expect("decisions").is_empty());

    // Anna acknowledges it; bo's open detail shows who did, within a second of the flush.
    until(&anna_screen, wait, "the item in anna's list", |t| {
        t.contains("Brand i Farsta")
    })
    .await;
    anna.send(press('x')).await.expect("send");
    let started = Instant::now();
    while w.store.decisions(&id).expect("decisions").is_empty() {
        assert!(
            started.elapsed() < wait,
            "anna's acknowledgement was never stored"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let stored = Instant::now();
    until(
        &bo_screen,
        Duration::from_secs(1),
        "anna's name in bo's detail",
        |t| t.contains("Acknowledged by anna"),
    )
    .await;
    eprintln!(
        "bo saw anna's acknowledgement {:?} after it was stored",
        stored.elapsed()
    );
    let decisions = w.store.decisions(&id).expect("decisions");
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].author, "anna");
    assert_eq!(decisions[0].action, Action::Acknowledge);

    // Anna may poll every source now (the poll runs from the runtime's blocking pool).
    let mut events = core.subscribe();
    anna.send(press('r')).await.expect("send");
    let polled = tokio::time::timeout(wait, async {
        loop {
            match events.recv().await {
                Ok(Event::Polling { running: true }) => break true,
                Ok(_) => {}
                Err(_) => break false,
            }
        }
    })
    .await;
    assert!(matches!(polled, Ok(true)), "anna's poll never started");

    // Anna leaves; bo's header no longer names her.
    anna.send(press('q')).await.expect("send");
    let ran = tokio::time::timeout(wait, anna_task).await;
    assert!(
        matches!(ran, Ok(Ok(Ok(())))),
        "anna's session did not end cleanly"
    );
    until(&bo_screen, wait, "anna gone from bo's header", |_| {
        !bo_screen.header().contains("Also here")
    })
    .await;
    assert_eq!(core.present(), [("bo".to_string(), 1)]);
    bo.send(press('q')).await.expect("send");
    let ran = tokio::time::timeout(wait, bo_task).await;
    assert!(
        matches!(ran, Ok(Ok(Ok(())))),
        "bo's session did not end cleanly"
    );
    assert!(core.present().is_empty());
}
