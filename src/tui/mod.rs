//! The dashboard. `run` is a function of a terminal, an input stream and the shared `Core`, so
//! the local terminal and each SSH session run the same code.

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
