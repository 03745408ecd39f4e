//! Keystrokes as the dashboard's `App` receives them, for key-sequence tests.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use lage::tui::app::Msg;

/// A plain character key.
pub fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// A named key (Enter, Esc, arrows ...).
pub fn code(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

/// Ctrl and a character.
pub fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}
