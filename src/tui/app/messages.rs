//! The app's vocabulary with the runtime: [`Msg`] in (keys, ticks, bus events, results),
//! [`Command`] out (what to read, write, poll or emit), and [`Done`], the result of a command.
//! [`Command::permission`] is the one table of what each command needs, which the runtime
//! checks before it carries a command out.

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

use crate::access::Permission;
use crate::brief::edition::{EditionRef, Level};
use crate::brief::labels::BriefLang;
use crate::core::{Event, SourceView};
use crate::curation::{Action, Decision, LogEntry};
use crate::index::{AreaCounts, Filter};
use crate::tui::data::{BriefData, Choices, Detail, Row};
use crate::tui::osc::Osc;

/// Something that happened, for the app to react to.
#[derive(Debug, Clone)]
pub enum Msg {
    /// A key press.
    Key(KeyEvent),
    /// Pasted text.
    Paste(String),
    /// The terminal's new size (columns, rows).
    Resize(u16, u16),
    /// The clock, about once a second.
    Tick(DateTime<Utc>),
    /// An event from the core's bus.
    Bus(Event),
    /// The bus receiver fell behind and lost events: everything shown is reloaded.
    Lagged,
    /// A command finished.
    Done(Done),
}

/// The result of a [`Command`].
#[derive(Debug, Clone)]
pub enum Done {
    /// When this user last looked.
    LastLooked(Option<DateTime<Utc>>),
    /// The ids matching a query, with the overview and the critical items.
    Query {
        /// The query's generation.
        generation: u64,
        /// Matching ids, newest first.
        ids: Vec<u64>,
        /// The overview per focus area.
        overview: Vec<AreaCounts>,
        /// Critical unacknowledged items, newest first.
        critical: Vec<u64>,
    },
    /// Rows read for the list (`None` for an id the store does not have).
    Rows {
        /// The request's generation.
        generation: u64,
        /// The rows.
        rows: Vec<(u64, Option<Row>)>,
    },
    /// One item's detail.
    Detail {
        /// The request's generation.
        generation: u64,
        /// The detail, `None` when the item is not stored.
        detail: Option<Box<Detail>>,
    },
    /// A decision was recorded (flushed) or failed.
    Recorded {
        /// The item.
        item: u64,
        /// What was done.
        action: Action,
        /// Ok, or the error message.
        result: Result<(), String>,
    },
    /// A shift-log entry was stored (flushed) or failed.
    LogAdded {
        /// Whether it was a handover.
        handover: bool,
        /// Its time.
        at: DateTime<Utc>,
        /// Ok, or the error message.
        result: Result<(), String>,
    },
    /// "Last looked" was stored, or failed.
    LastLookedSet(Result<(), String>),
    /// Every source with its health.
    Sources(Vec<SourceView>),
    /// The latest shift-log entries, oldest first.
    Log(Vec<LogEntry>),
    /// Sources and tags for the filter menu and tag completion.
    Choices(Choices),
    /// The briefing screen's edition.
    Brief {
        /// The request's generation.
        generation: u64,
        /// The latest draft, `None` when no draft exists, or why it could not be read.
        result: Result<Option<Box<BriefData>>, BriefFault>,
    },
    /// A briefing change was stored (flushed) or failed; Ok carries the edition as it now is.
    BriefEdited {
        /// What was changed.
        change: BriefChange,
        /// The edition after the change, or why it failed.
        result: Result<Box<BriefData>, BriefFault>,
    },
    /// The Markdown preview of an edition, or why it could not be made.
    BriefPreview(Result<String, BriefFault>),
    /// Every format was written to this directory, or why not.
    BriefExported(Result<String, BriefFault>),
    /// Who is connected (user, number of sessions), sorted by name.
    Presence(Vec<(String, usize)>),
    /// The session's role may not do what a command needed (refused by the runtime, which
    /// wrote it to the audit log).
    Refused(Permission),
    /// A read failed.
    Failed(String),
}

/// What the runtime must do for the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Reads when this user last looked.
    LoadLastLooked,
    /// Runs a query: `search` (over the whole store) combined with `filter`, plus the overview.
    Query {
        /// Generation.
        generation: u64,
        /// The filter.
        filter: Filter,
        /// The search text, if searching.
        search: Option<String>,
        /// The time the query is evaluated at.
        now: DateTime<Utc>,
        /// For the overview's "new" counts.
        last_looked: Option<DateTime<Utc>>,
    },
    /// Reads list rows.
    LoadRows {
        /// Generation.
        generation: u64,
        /// The ids.
        ids: Vec<u64>,
    },
    /// Reads one item's detail.
    LoadDetail {
        /// Generation.
        generation: u64,
        /// The item.
        id: u64,
    },
    /// Records a decision (store, flush, index, bus).
    Record {
        /// The item.
        item: u64,
        /// The decision, authored by the session's user.
        decision: Decision,
        /// A note for tag decisions.
        note: Option<String>,
    },
    /// Appends a shift-log entry.
    AddLog {
        /// The entry.
        entry: LogEntry,
        /// Whether it is a handover.
        handover: bool,
    },
    /// Stores when this user last looked.
    SetLastLooked {
        /// The time.
        at: DateTime<Utc>,
    },
    /// Reads every source's health.
    LoadSources {
        /// The time staleness is judged at.
        now: DateTime<Utc>,
    },
    /// Reads the shift log.
    LoadLog,
    /// Reads sources and tags for menus.
    LoadChoices,
    /// Reads the latest draft edition and resolves its document.
    LoadBrief {
        /// Generation (a change made since makes an older answer outdated).
        generation: u64,
        /// The time the document is resolved at.
        now: DateTime<Utc>,
    },
    /// Changes (or starts) an edition through `Briefs`, authored by `by`; answered with the
    /// edition as stored.
    EditBrief {
        /// The edition (number and version) the change is meant for; `None` to start one.
        edition: Option<EditionRef>,
        /// The change.
        change: BriefChange,
        /// The session's user (the runtime writes in its own session's name regardless).
        by: String,
        /// The time of the change.
        now: DateTime<Utc>,
    },
    /// Renders the Markdown export of an edition for the preview.
    PreviewBrief {
        /// The edition.
        edition: EditionRef,
        /// The language of the text.
        lang: BriefLang,
        /// The time a draft is resolved at.
        now: DateTime<Utc>,
    },
    /// Writes every file format of an edition to `DATA_DIR/exports/`.
    ExportBrief {
        /// The edition.
        edition: EditionRef,
        /// The language of the text.
        lang: BriefLang,
        /// The time a draft is resolved at.
        now: DateTime<Utc>,
    },
    /// Reads who is connected.
    LoadPresence,
    /// Polls every source now.
    PollNow,
    /// Records in the audit log that a key was refused for want of `permission` (the app has
    /// already said so on the status line).
    AuditRefusal(Permission),
    /// Writes an escape sequence after the next frame.
    Emit(Osc),
    /// Sets "last looked" and ends the dashboard.
    Quit,
}

impl Command {
    /// What the session's role must allow for this command to run: `Read` for everything that
    /// only reads (and for the user's own "last looked").
    pub fn permission(&self) -> Permission {
        match self {
            Command::Record { decision, .. } => match decision.action {
                Action::Acknowledge => Permission::Acknowledge,
                Action::SetStatus { .. } => Permission::SetStatus,
                Action::Briefing { .. } => Permission::ComposeBriefing,
                Action::Annotate { .. } => Permission::Annotate,
                Action::Tag { .. } => Permission::OverrideTags,
            },
            Command::AddLog { .. } => Permission::WriteLog,
            Command::EditBrief { .. } | Command::ExportBrief { .. } => Permission::ComposeBriefing,
            Command::PollNow => Permission::PollNow,
            Command::LoadLastLooked
            | Command::Query { .. }
            | Command::LoadRows { .. }
            | Command::LoadDetail { .. }
            | Command::SetLastLooked { .. }
            | Command::LoadSources { .. }
            | Command::LoadLog
            | Command::LoadChoices
            | Command::LoadBrief { .. }
            | Command::PreviewBrief { .. }
            | Command::LoadPresence
            | Command::AuditRefusal(_)
            | Command::Emit(_)
            | Command::Quit => Permission::Read,
        }
    }
}

/// One change to a briefing edition from the briefing screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BriefChange {
    /// Start a new weekly edition for the current week, taking in the picked items.
    Create,
    /// Move an item up (`-1`) or down (`+1`) in the order.
    Move {
        /// The item's id.
        item: String,
        /// The step.
        by: isize,
    },
    /// Take an item out of the edition.
    Remove {
        /// The item's id.
        item: String,
    },
    /// Replace the key messages.
    KeyMessages(String),
    /// Set one section's level.
    Level {
        /// The section's key (`olyckor`).
        section: String,
        /// The new level.
        level: Level,
    },
    /// Approve the edition.
    Approve,
}

/// Why a briefing command failed, in a form the app can say in the session's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BriefFault {
    /// The edition is approved and cannot be approved again.
    AlreadyApproved,
    /// Someone else changed the edition meanwhile: only its latest version may change.
    NotLatest,
    /// The item is no longer in the edition.
    NotInEdition,
    /// Anything else, with the (English) message.
    Other(String),
}

impl From<&crate::brief::BriefError> for BriefFault {
    fn from(e: &crate::brief::BriefError) -> BriefFault {
        use crate::brief::BriefError as E;
        match e {
            E::AlreadyApproved(_) => BriefFault::AlreadyApproved,
            E::NotLatest { .. } => BriefFault::NotLatest,
            E::NotInEdition(_) => BriefFault::NotInEdition,
            other => BriefFault::Other(other.to_string()),
        }
    }
}
