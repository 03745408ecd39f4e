//! The dashboard's one loop. It owns the [`App`] and waits on everything at once: keys from the
//! terminal, events from the core's bus, results of commands, and a one-second clock. Reads run
//! on tokio's blocking pool and answer on a channel; writes go through one ordered queue, so a
//! flush never holds up a key. Every command runs through `exec::blocking`, which checks it
//! against the session's role first. The session's user counts as present in the core while
//! the loop runs. Redraws are coalesced: a message marks the screen dirty, and a
//! frame is drawn at most every 16 ms, after draining whatever is queued.

use std::time::Duration;

use chrono::Utc;
use futures_util::{FutureExt, Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::{broadcast, mpsc};
use tokio::time::Instant;

use super::app::{App, Command, Done, Msg};
use super::osc::{Osc, RawOutput};
use super::{Input, Session, TuiError, exec, view};
use crate::access::Role;
use crate::core::{Core, Event};

/// The shortest time between two frames (about 60 a second).
const FRAME: Duration = Duration::from_millis(16);
/// At most this many queued messages are handled before a due frame is drawn.
const DRAIN: usize = 512;
/// Capacity of the results channel and the write queue.
const QUEUE: usize = 1024;

/// A result, and whether it answers the query slot.
type Answer = (bool, Done);

/// Runs the dashboard until the user quits or the input ends.
pub async fn run<B: Backend + RawOutput>(
    terminal: &mut Terminal<B>,
    mut input: impl Stream<Item = Input> + Unpin + Send,
    core: Core,
    session: Session,
) -> Result<(), TuiError> {
    let term = |e: B::Error| TuiError::Terminal(e.to_string());
    let size = terminal.size().map_err(term)?;
    let user = session.user.clone();
    let role = session.role;
    let mut app = App::new(session, (size.width, size.height), Utc::now());
    let mut bus = core.subscribe();
    // Joined after subscribing, so this session hears of everyone who comes after it.
    let _presence = core.join(&user);
    let mut bus_open = true;
    let (answers_tx, mut answers) = mpsc::channel::<Answer>(QUEUE);
    let (writes_tx, writes_rx) = mpsc::channel::<Command>(QUEUE);
    let writer = tokio::spawn(write_queue(
        core.clone(),
        (user.clone(), role),
        writes_rx,
        answers_tx.clone(),
    ));
    let mut shell = Shell {
        core,
        user,
        role,
        answers: answers_tx,
        writes: writes_tx,
        query_running: false,
        query_next: None,
        osc: Vec::new(),
        quit: false,
    };
    let start = app.start();
    shell.dispatch(start);
    // The index may have finished (or failed) loading before this session subscribed.
    if shell.core.index_ready() {
        let out = app.handle(Msg::Bus(Event::IndexReady));
        shell.dispatch(out);
    }
    if let Some(e) = shell.core.index_error() {
        let out = app.handle(Msg::Done(Done::Failed(e)));
        shell.dispatch(out);
    }
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut last_draw = Instant::now() - FRAME;
    while !shell.quit {
        let msg = tokio::select! {
            biased;
            () = tokio::time::sleep_until(last_draw + FRAME), if dirty => {
                drain(&mut app, &mut shell, &mut input, &mut answers, &mut bus, &mut bus_open);
                if shell.quit {
                    break;
                }
                // The frame is laid out for the terminal's real size (a resize may be queued).
                let size = terminal.size().map_err(term)?;
                if (size.width, size.height) != app.size() {
                    let out = app.handle(Msg::Resize(size.width, size.height));
                    shell.dispatch(out);
                }
                draw(terminal, &app, &mut shell.osc)?;
                dirty = false;
                last_draw = Instant::now();
                continue;
            }
            next = input.next() => match next {
                Some(i) => to_msg(terminal, i),
                // The terminal or channel is gone: leave as if the user quit.
                None => {
                    let out = app.handle(Msg::Key(ctrl_c()));
                    shell.dispatch(out);
                    break;
                }
            },
            Some((from_query, done)) = answers.recv() => shell.answered(from_query, done),
            event = bus.recv(), if bus_open => match bus_msg(event) {
                Some(msg) => msg,
                None => { bus_open = false; continue; }
            },
            _ = tick.tick() => Msg::Tick(Utc::now()),
        };
        let out = app.handle(msg);
        shell.dispatch(out);
        dirty = true;
    }
    // Decisions already queued are written before leaving, then "last looked".
    drop(shell.writes);
    let mut writer = writer;
    loop {
        tokio::select! {
            _ = &mut writer => break,
            _ = answers.recv() => {}
        }
    }
    Ok(())
}

/// The runtime's side of the commands: where they go and what waits.
struct Shell {
    core: Core,
    user: String,
    role: Role,
    answers: mpsc::Sender<Answer>,
    writes: mpsc::Sender<Command>,
    query_running: bool,
    query_next: Option<Command>,
    osc: Vec<Osc>,
    quit: bool,
}

impl Shell {
    fn dispatch(&mut self, commands: Vec<Command>) {
        for command in commands {
            match command {
                Command::Quit => {
                    let at = Command::SetLastLooked { at: Utc::now() };
                    self.write(at);
                    self.quit = true;
                }
                Command::Emit(osc) => self.osc.push(osc),
                c @ Command::Query { .. } => {
                    if self.query_running {
                        // Only the newest query matters; an older waiting one is replaced.
                        self.query_next = Some(c);
                    } else {
                        self.query_running = true;
                        self.read(c, true);
                    }
                }
                c if exec::is_write(&c) => self.write(c),
                c => self.read(c, false),
            }
        }
    }

    fn read(&self, command: Command, query: bool) {
        let core = self.core.clone();
        let user = self.user.clone();
        let role = self.role;
        let tx = self.answers.clone();
        tokio::task::spawn_blocking(move || {
            let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                exec::blocking(&core, &user, role, command)
            }))
            .unwrap_or_else(|_| Some(Done::Failed("internal error while reading".into())));
            if let Some(done) = done {
                // The loop may have ended; then nobody needs the answer.
                let _ = tx.blocking_send((query, done));
            }
        });
    }

    fn write(&self, command: Command) {
        if self.writes.try_send(command).is_err() {
            // Told like any failure: as a result, on the status line.
            let failed = Done::Failed("too many unsaved changes queued".into());
            let _ = self.answers.try_send((false, failed));
        }
    }

    fn answered(&mut self, from_query: bool, done: Done) -> Msg {
        if from_query {
            self.query_running = false;
            if let Some(next) = self.query_next.take() {
                self.query_running = true;
                self.read(next, true);
            }
        }
        Msg::Done(done)
    }
}

/// Writes one at a time, in order, each on the blocking pool (a flush may take a while).
async fn write_queue(
    core: Core,
    (user, role): (String, Role),
    mut writes: mpsc::Receiver<Command>,
    answers: mpsc::Sender<Answer>,
) {
    while let Some(command) = writes.recv().await {
        let core = core.clone();
        let user = user.clone();
        let done =
            tokio::task::spawn_blocking(move || exec::blocking(&core, &user, role, command)).await;
        let done = match done {
            Ok(Some(done)) => done,
            Ok(None) => continue,
            Err(_) => Done::Failed("internal error while saving".into()),
        };
        if answers.send((false, done)).await.is_err() {
            // The loop is gone; keep writing what was queued.
        }
    }
}

fn to_msg<B: Backend>(terminal: &mut Terminal<B>, input: Input) -> Msg {
    match input {
        Input::Key(k) => Msg::Key(k),
        Input::Paste(p) => Msg::Paste(p),
        Input::Resize(w, h) => {
            let _ = terminal.autoresize();
            match terminal.size() {
                Ok(s) => Msg::Resize(s.width, s.height),
                Err(_) => Msg::Resize(w, h),
            }
        }
    }
}

fn bus_msg(event: Result<Event, broadcast::error::RecvError>) -> Option<Msg> {
    match event {
        Ok(e) => Some(Msg::Bus(e)),
        Err(broadcast::error::RecvError::Lagged(_)) => Some(Msg::Lagged),
        Err(broadcast::error::RecvError::Closed) => None,
    }
}

fn ctrl_c() -> crossterm::event::KeyEvent {
    crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char('c'),
        crossterm::event::KeyModifiers::CONTROL,
    )
}

/// Handles what is already queued (without waiting) before a frame is drawn.
fn drain(
    app: &mut App,
    shell: &mut Shell,
    input: &mut (impl Stream<Item = Input> + Unpin),
    answers: &mut mpsc::Receiver<Answer>,
    bus: &mut broadcast::Receiver<Event>,
    bus_open: &mut bool,
) {
    for _ in 0..DRAIN {
        if shell.quit {
            return;
        }
        let msg = if let Ok((q, done)) = answers.try_recv() {
            shell.answered(q, done)
        } else if let Some(Some(i)) = input.next().now_or_never() {
            match i {
                Input::Key(k) => Msg::Key(k),
                Input::Paste(p) => Msg::Paste(p),
                // A resize needs the terminal; it waits for the loop.
                Input::Resize(w, h) => Msg::Resize(w, h),
            }
        } else if *bus_open {
            match bus.try_recv() {
                Ok(e) => Msg::Bus(e),
                Err(broadcast::error::TryRecvError::Lagged(_)) => Msg::Lagged,
                Err(broadcast::error::TryRecvError::Closed) => {
                    *bus_open = false;
                    continue;
                }
                Err(broadcast::error::TryRecvError::Empty) => return,
            }
        } else {
            return;
        };
        let out = app.handle(msg);
        shell.dispatch(out);
    }
}

fn draw<B: Backend + RawOutput>(
    terminal: &mut Terminal<B>,
    app: &App,
    osc: &mut Vec<Osc>,
) -> Result<(), TuiError> {
    let term = |e: B::Error| TuiError::Terminal(e.to_string());
    let size = terminal.size().map_err(term)?;
    terminal
        .draw(|frame| view::draw(frame, app))
        .map_err(term)?;
    for o in osc.drain(..) {
        // A hyperlink goes over the cells that show its link, laid out as in this frame; if the
        // link is no longer shown, writing it would put text there that ratatui does not know.
        let o = match o {
            Osc::Hyperlink { url, .. } => match app.shown_link().filter(|shown| *shown == url) {
                Some(_) => {
                    let (x, text) = view::status::link_cells(app.lang(), &url, size.width);
                    let y = size.height.saturating_sub(1);
                    Osc::Hyperlink { url, text, x, y }
                }
                None => continue,
            },
            other => other,
        };
        if let Err(e) = terminal.backend_mut().write_raw(&o.bytes()) {
            tracing::warn!("cannot write an escape sequence to the terminal: {e}");
        }
    }
    Ok(())
}
