//! The dashboard. `run` is a function of a terminal, an input stream and the shared `Core`, so
//! the local terminal and each SSH session run the same code.
//!
//! Each session has a user and a role. The app refuses a key the role may not use before it
//! opens any form, and the runtime checks every command again before carrying it out (a refusal
//! there is written to the audit log), so no path around the app skips the check.

pub mod app;
pub mod data;
pub mod exec;
pub mod i18n;
pub mod keys;
pub mod osc;
mod runtime;
pub mod safe;
pub mod terminal;
pub mod theme;
pub mod view;

pub use osc::RawOutput;

/// One input event from the terminal (local crossterm or an SSH channel).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A key press.
    Key(crossterm::event::KeyEvent),
    /// Pasted text (bracketed paste).
    Paste(String),
    /// The terminal was resized to columns × rows.
    Resize(u16, u16),
}

/// The language of the dashboard's labels: Swedish by default, English on request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lang {
    /// Svenska.
    #[default]
    Sv,
    /// English.
    En,
}

/// Who is looking, and how their terminal wants things drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The author of this session's decisions (the OS user locally, the SSH user when served).
    pub user: String,
    /// What the user may do (the local dashboard runs as `Admin`: its user owns the data dir).
    pub role: crate::access::Role,
    /// The language of labels.
    pub lang: Lang,
    /// Whether to use colour (false when `NO_COLOR` is set).
    pub color: bool,
}

/// Why the dashboard stopped.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    /// Drawing to the terminal failed.
    #[error("cannot draw to the terminal: {0}")]
    Terminal(String),
}

/// Runs the dashboard until the user quits or the input ends. The backend must also take raw
/// bytes ([`RawOutput`]) for the OSC 8 hyperlink and OSC 52 copy of `o`. The session's user
/// counts as present in `core` (`Core::join`) for the whole run.
pub async fn run<B: ratatui::backend::Backend + RawOutput>(
    terminal: &mut ratatui::Terminal<B>,
    input: impl futures_util::Stream<Item = Input> + Unpin + Send,
    core: crate::core::Core,
    session: Session,
) -> Result<(), TuiError> {
    runtime::run(terminal, input, core, session).await
}
