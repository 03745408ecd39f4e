//! The dashboard's state machine. [`App`] holds all UI state and [`App::handle`] turns one
//! [`Msg`] (a key, a paste, a resize, a clock tick, a bus event or the result of a command) into
//! new state plus the [`Command`]s the runtime must carry out. It does no IO and never sees the
//! `Core`, so every flow (annotate, acknowledge, filter, search) is tested as a key sequence.
//!
//! Every key's action is checked against the session's role (`Act::needs`) before anything
//! happens, so a viewer pressing the acknowledge key is told at once which role it needs and no
//! form opens.
//!
//! Commands that read carry a generation number; a result whose generation is not the latest
//! is dropped, so a slow query can never overwrite a newer one.

mod actions;
pub mod brief;
pub mod filter_menu;
pub mod forms;
pub mod list;
mod messages;
mod overlays;
mod results;

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

use super::data::{Choices, Detail};
use super::keys::{self, Act, Ctx};
use super::theme::Theme;
use super::{Lang, Session, view};
use crate::access::{Permission, Role};
use crate::core::SourceView;
use crate::curation::LogEntry;
use crate::index::{AreaCounts, Filter};
use brief::BriefState;
use filter_menu::FilterMenu;
use forms::{AnnotationForm, Prompt, StatusMenu, TextForm};
use list::ItemList;
pub use messages::{BriefChange, BriefFault, Command, Done, Msg};

/// Seconds a message stays on the status line.
const STATUS_SECS: u64 = 10;
/// Seconds an error stays on the status line (unless replaced).
const STATUS_ERROR_SECS: u64 = 60;

/// The screen under any overlay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Overview and item list.
    List,
    /// One item.
    Detail,
    /// Source health.
    Sources,
    /// The shift log.
    Log,
    /// The briefing being composed.
    Brief,
}

/// What is open on top of the screen.
#[derive(Debug, Clone)]
pub enum Overlay {
    /// The key table.
    Help {
        /// First line shown.
        scroll: usize,
    },
    /// The filter menu.
    Filter(FilterMenu),
    /// The status menu.
    Status(StatusMenu),
    /// The search or tag line.
    Prompt(Prompt),
    /// The annotation form.
    Annotate(Box<AnnotationForm>),
    /// A multi-line editor: a shift-log note or handover, or a briefing's key messages.
    Text(Box<TextForm>),
    /// "Approve this edition?", answered y or n.
    ConfirmApprove(crate::brief::edition::EditionRef),
}

/// How a status-line message reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Neutral information.
    Info,
    /// Something was saved.
    Ok,
    /// Something failed.
    Error,
}

/// The status line's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusLine {
    /// A message.
    Text(Tone, String),
    /// A link shown after `o` (linked with OSC 8 in the terminal).
    Link(String),
}

/// The detail screen's item.
#[derive(Debug, Clone)]
pub struct DetailState {
    /// The item.
    pub id: u64,
    /// Its data once loaded.
    pub data: Option<Box<Detail>>,
    /// First line shown.
    pub scroll: usize,
}

/// The dashboard's whole state.
#[derive(Debug)]
pub struct App {
    pub(crate) session: Session,
    pub(crate) theme: Theme,
    pub(crate) now: DateTime<Utc>,
    pub(crate) size: (u16, u16),
    pub(crate) screen: Screen,
    pub(crate) overlay: Option<Overlay>,
    pub(crate) filter: Filter,
    pub(crate) search: Option<String>,
    pub(crate) list: ItemList,
    pub(crate) overview: Vec<AreaCounts>,
    pub(crate) critical: Vec<u64>,
    pub(crate) detail: Option<DetailState>,
    pub(crate) sources: Option<Vec<SourceView>>,
    pub(crate) sources_scroll: usize,
    pub(crate) log: Option<Vec<LogEntry>>,
    pub(crate) log_scroll: usize,
    pub(crate) brief: BriefState,
    pub(crate) last_looked: Option<DateTime<Utc>>,
    pub(crate) status: Option<StatusLine>,
    pub(crate) polling: bool,
    pub(crate) index_ready: bool,
    pub(crate) choices: Choices,
    /// Who is connected (user, sessions), this session included.
    pub(crate) present: Vec<(String, usize)>,
    query_gen: u64,
    rows_gen: u64,
    detail_gen: u64,
    ticks: u64,
    status_since: u64,
    quitting: bool,
}

impl App {
    /// A fresh app for `session` on a terminal of `size` (columns, rows) at time `now`.
    pub fn new(session: Session, size: (u16, u16), now: DateTime<Utc>) -> App {
        App {
            theme: Theme::new(session.color),
            session,
            now,
            size,
            screen: Screen::List,
            overlay: None,
            filter: Filter::default(),
            search: None,
            list: ItemList::default(),
            overview: Vec::new(),
            critical: Vec::new(),
            detail: None,
            sources: None,
            sources_scroll: 0,
            log: None,
            log_scroll: usize::MAX,
            brief: BriefState::default(),
            last_looked: None,
            status: None,
            polling: false,
            index_ready: false,
            choices: Choices::default(),
            present: Vec::new(),
            query_gen: 0,
            rows_gen: 0,
            detail_gen: 0,
            ticks: 0,
            status_since: 0,
            quitting: false,
        }
    }

    /// The commands to run at start: who looked when, the sources, who is here, and the first
    /// query.
    pub fn start(&mut self) -> Vec<Command> {
        vec![
            Command::LoadLastLooked,
            Command::LoadSources { now: self.now },
            Command::LoadPresence,
            self.query(),
        ]
    }

    /// Handles one message; returns what the runtime must do.
    pub fn handle(&mut self, msg: Msg) -> Vec<Command> {
        let mut out = match msg {
            Msg::Key(key) => self.key(key),
            Msg::Paste(text) => {
                self.paste(&text);
                Vec::new()
            }
            Msg::Resize(w, h) => {
                self.size = (w, h);
                let height = self.list_height();
                self.list.keep_visible(height);
                Vec::new()
            }
            Msg::Tick(now) => self.tick(now),
            Msg::Bus(event) => self.bus(event),
            Msg::Lagged => self.reload_all(),
            Msg::Done(done) => self.done(done),
        };
        if !self.quitting {
            out.extend(self.load_rows());
        }
        out
    }

    /// The session's language.
    pub fn lang(&self) -> Lang {
        self.session.lang
    }

    /// The session's role.
    pub fn role(&self) -> Role {
        self.session.role
    }

    /// Whether the session's role may do `act` (help and hints leave out what it may not).
    pub fn may(&self, act: Act) -> bool {
        self.session.role.may(act.needs())
    }

    /// The other users connected now (this session's user left out, even with another
    /// session), each with their number of sessions, sorted by name.
    pub fn others(&self) -> impl Iterator<Item = &(String, usize)> {
        self.present.iter().filter(|(u, _)| *u != self.session.user)
    }

    /// The screen under any overlay.
    pub fn screen(&self) -> Screen {
        self.screen
    }

    /// What is open on top, if anything.
    pub fn overlay(&self) -> Option<&Overlay> {
        self.overlay.as_ref()
    }

    /// The selected item's id.
    pub fn selected(&self) -> Option<u64> {
        self.list.selected
    }

    /// The matching ids.
    pub fn ids(&self) -> &[u64] {
        &self.list.ids
    }

    /// The filter in force.
    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    /// The search in force.
    pub fn search(&self) -> Option<&str> {
        self.search.as_deref()
    }

    /// The status line's message, as text.
    pub fn status_text(&self) -> Option<&str> {
        match &self.status {
            Some(StatusLine::Text(_, t)) | Some(StatusLine::Link(t)) => Some(t),
            None => None,
        }
    }

    /// The terminal size the app lays out for (columns, rows).
    pub fn size(&self) -> (u16, u16) {
        self.size
    }

    /// The link the status line shows, if it shows one.
    pub fn shown_link(&self) -> Option<&str> {
        match &self.status {
            Some(StatusLine::Link(url)) => Some(url),
            _ => None,
        }
    }

    /// Whether the app asked to quit.
    pub fn quitting(&self) -> bool {
        self.quitting
    }

    /// How many list rows fit on screen.
    pub(crate) fn list_height(&self) -> usize {
        let areas = view::layout::areas(self.size, !self.critical.is_empty(), true);
        usize::from(areas.body.height.saturating_sub(1)).max(1)
    }

    /// Tells the user their role may not do what needs `permission`.
    fn refuse(&mut self, permission: Permission) {
        let text = super::i18n::refused(self.lang(), self.session.role, permission);
        self.set_status(Tone::Error, text);
    }

    fn set_status(&mut self, tone: Tone, text: impl Into<String>) {
        self.show(StatusLine::Text(tone, text.into()));
    }

    /// Puts a message on the status line; it goes away by itself after a while.
    fn show(&mut self, line: StatusLine) {
        self.status = Some(line);
        self.status_since = self.ticks;
    }

    /// A new query for the filter and search in force (older results are dropped).
    fn query(&mut self) -> Command {
        self.query_gen += 1;
        Command::Query {
            generation: self.query_gen,
            filter: self.filter.clone(),
            search: self.search.clone(),
            now: self.now,
            last_looked: self.last_looked,
        }
    }

    fn load_rows(&mut self) -> Option<Command> {
        let height = self.list_height();
        let keep: Vec<u64> = self.critical.iter().take(1).copied().collect();
        let generation = self.rows_gen + 1;
        let ids = self.list.wanted(height, generation, &keep);
        if ids.is_empty() {
            return None;
        }
        self.rows_gen = generation;
        Some(Command::LoadRows { generation, ids })
    }

    fn load_detail(&mut self, id: u64) -> Command {
        self.detail_gen += 1;
        Command::LoadDetail {
            generation: self.detail_gen,
            id,
        }
    }

    fn tick(&mut self, now: DateTime<Utc>) -> Vec<Command> {
        self.now = now;
        self.ticks += 1;
        // Messages stay long enough to be read; errors longer.
        let ttl = match &self.status {
            Some(StatusLine::Text(Tone::Error, _)) => Some(STATUS_ERROR_SECS),
            Some(_) => Some(STATUS_SECS),
            None => None,
        };
        if ttl.is_some_and(|ttl| self.ticks - self.status_since >= ttl) {
            self.status = None;
        }
        let mut out = Vec::new();
        if self.ticks.is_multiple_of(30) {
            out.push(Command::LoadSources { now });
        }
        // "Today" and time spans move with the clock.
        if self.ticks.is_multiple_of(60) {
            out.push(self.query());
        }
        out
    }

    fn key(&mut self, key: KeyEvent) -> Vec<Command> {
        if keys::lookup(&key, &[Ctx::Always]) == Some(Act::Quit) {
            return self.quit();
        }
        // From the first key on, the selection stays on its item whatever arrives.
        self.list.pinned = true;
        if self.overlay.is_some() {
            return self.overlay_key(&key);
        }
        match keys::lookup(&key, self.contexts()) {
            Some(act) if !self.may(act) => {
                self.refuse(act.needs());
                vec![Command::AuditRefusal(act.needs())]
            }
            Some(act) => self.act(act, &key),
            None => Vec::new(),
        }
    }

    /// The key table's contexts of the screen, searched in this order.
    pub fn contexts(&self) -> &'static [Ctx] {
        match self.screen {
            Screen::List => &[Ctx::List, Ctx::Item, Ctx::Global],
            Screen::Detail => &[Ctx::Scroll, Ctx::Item, Ctx::Global],
            Screen::Sources => &[Ctx::Scroll, Ctx::Global],
            Screen::Log => &[Ctx::Scroll, Ctx::Log, Ctx::Global],
            Screen::Brief => &[Ctx::Brief, Ctx::Global],
        }
    }

    fn quit(&mut self) -> Vec<Command> {
        self.quitting = true;
        vec![Command::Quit]
    }

    fn reload_all(&mut self) -> Vec<Command> {
        self.list.clear_rows();
        let mut out = vec![self.query(), Command::LoadSources { now: self.now }];
        if let Some(id) = self.detail.as_ref().map(|d| d.id) {
            out.push(self.load_detail(id));
        }
        if self.log.is_some() {
            out.push(Command::LoadLog);
        }
        if self.screen == Screen::Brief {
            out.push(self.load_brief());
        }
        out
    }
}
