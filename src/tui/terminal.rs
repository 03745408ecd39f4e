//! The local terminal: raw mode, the alternate screen, bracketed paste and a hidden cursor while
//! the dashboard runs, and the terminal as it was afterwards, whether the dashboard returns,
//! fails or panics. Also turns crossterm's event stream into the dashboard's [`Input`]s.
//!
//! Only this file and the SSH session set a terminal up; `tui::run` draws on whatever backend it
//! is handed.

use std::io::{self, Stdout, Write};

use crossterm::event::{
    DisableBracketedPaste, EnableBracketedPaste, Event, EventStream, KeyEventKind,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use futures_util::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use super::Input;

/// The local terminal, set up for the dashboard until dropped.
pub struct LocalTerminal {
    terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl LocalTerminal {
    /// Switches the terminal to raw mode and the alternate screen. A panic hook restores the
    /// terminal before the panic message is printed, so the message stays readable.
    pub fn enter() -> io::Result<LocalTerminal> {
        install_panic_hook();
        enable_raw_mode()?;
        let mut stdout = io::stdout();
        if let Err(e) = execute!(stdout, EnterAlternateScreen, EnableBracketedPaste) {
            restore();
            return Err(e);
        }
        let terminal = match Terminal::new(CrosstermBackend::new(stdout)) {
            Ok(t) => t,
            Err(e) => {
                restore();
                return Err(e);
            }
        };
        Ok(LocalTerminal { terminal })
    }

    /// The ratatui terminal to draw on.
    pub fn terminal(&mut self) -> &mut Terminal<CrosstermBackend<Stdout>> {
        &mut self.terminal
    }
}

impl Drop for LocalTerminal {
    fn drop(&mut self) {
        let _ = self.terminal.show_cursor();
        restore();
    }
}

/// Leaves the alternate screen and raw mode; safe to call more than once.
fn restore() {
    let mut stdout = io::stdout();
    let _ = execute!(stdout, DisableBracketedPaste, LeaveAlternateScreen);
    let _ = disable_raw_mode();
    let _ = stdout.flush();
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// The terminal's key presses, pastes and resizes as dashboard input. Key releases and repeats
/// reported by some terminals are dropped (a key acts once); the stream ends when the terminal's
/// input fails.
pub fn input() -> impl Stream<Item = Input> + Unpin + Send {
    EventStream::new()
        .take_while(|event| std::future::ready(event.is_ok()))
        .filter_map(|event| std::future::ready(event.ok().and_then(to_input)))
}

fn to_input(event: Event) -> Option<Input> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => Some(Input::Key(key)),
        Event::Paste(text) => Some(Input::Paste(text)),
        Event::Resize(columns, rows) => Some(Input::Resize(columns, rows)),
        _ => None,
    }
}
