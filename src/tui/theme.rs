//! Colours and emphasis. Only the 16 basic ANSI colours are used, so the dashboard looks the same
//! in a 16-colour terminal, over SSH and in tmux. Without colour (`NO_COLOR`), everything that
//! matters stays loud through bold, reverse and underline, and greyed-out becomes dim.

use ratatui::style::{Color, Modifier, Style};

use crate::item::Severity;

/// The styles of one session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    color: bool,
}

impl Theme {
    /// A theme with or without colour.
    pub fn new(color: bool) -> Theme {
        Theme { color }
    }

    fn pick(self, colored: Style, plain: Style) -> Style {
        if self.color { colored } else { plain }
    }

    /// Plain text.
    pub fn normal(self) -> Style {
        Style::default()
    }

    /// The header bar.
    pub fn header(self) -> Style {
        self.pick(
            Style::default().fg(Color::White).bg(Color::Blue),
            Style::default().add_modifier(Modifier::REVERSED),
        )
    }

    /// An alarm inside the header bar (failing or silent sources).
    pub fn header_alarm(self) -> Style {
        self.pick(
            Style::default()
                .fg(Color::LightYellow)
                .bg(Color::Blue)
                .add_modifier(Modifier::BOLD),
            Style::default()
                .add_modifier(Modifier::REVERSED | Modifier::BOLD | Modifier::UNDERLINED),
        )
    }

    /// The critical banner: as loud as the terminal allows.
    pub fn banner(self) -> Style {
        self.pick(
            Style::default()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD),
            Style::default()
                .add_modifier(Modifier::REVERSED | Modifier::BOLD | Modifier::UNDERLINED),
        )
    }

    /// Headings and column titles.
    pub fn heading(self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }

    /// The selected row.
    pub fn selected(self) -> Style {
        self.pick(
            Style::default().bg(Color::Cyan).fg(Color::Black),
            Style::default().add_modifier(Modifier::REVERSED),
        )
    }

    /// Cancelled or expired alerts, placeholders and secondary text.
    pub fn dim(self) -> Style {
        self.pick(
            Style::default().fg(Color::DarkGray),
            Style::default().add_modifier(Modifier::DIM),
        )
    }

    /// A severity word.
    pub fn severity(self, s: Option<Severity>) -> Style {
        let (fg, bold) = match s {
            Some(Severity::Critical) => (Color::LightRed, true),
            Some(Severity::High) => (Color::Red, true),
            Some(Severity::Medium) => (Color::Yellow, false),
            Some(Severity::Low) => (Color::Green, false),
            Some(Severity::Info) | None => (Color::Reset, false),
        };
        let plain = match s {
            Some(Severity::Critical) => {
                Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED)
            }
            Some(Severity::High) => Style::default().add_modifier(Modifier::BOLD),
            _ => Style::default(),
        };
        let mut colored = Style::default().fg(fg);
        if bold {
            colored = colored.add_modifier(Modifier::BOLD);
        }
        self.pick(colored, plain)
    }

    /// The exercise mark: never to be taken for the real thing.
    pub fn exercise(self) -> Style {
        self.pick(
            Style::default()
                .fg(Color::Magenta)
                .add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::BOLD | Modifier::ITALIC),
        )
    }

    /// The "new since you last looked" mark and other attention marks.
    pub fn new_mark(self) -> Style {
        self.pick(
            Style::default()
                .fg(Color::LightYellow)
                .add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::BOLD),
        )
    }

    /// The local (area of interest) mark.
    pub fn local_mark(self) -> Style {
        self.pick(
            Style::default()
                .fg(Color::LightCyan)
                .add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::BOLD),
        )
    }

    /// Good news (saved, ok).
    pub fn ok(self) -> Style {
        self.pick(Style::default().fg(Color::Green), Style::default())
    }

    /// Errors and alarms (a failing or silent source, a failed save).
    pub fn error(self) -> Style {
        self.pick(
            Style::default()
                .fg(Color::LightRed)
                .add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        )
    }

    /// A busy area on the overview.
    pub fn busy(self) -> Style {
        self.error()
    }

    /// A quiet area on the overview.
    pub fn quiet(self) -> Style {
        self.pick(
            Style::default()
                .fg(Color::LightBlue)
                .add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::UNDERLINED),
        )
    }

    /// Key names in help and hints.
    pub fn key(self) -> Style {
        self.pick(
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::BOLD),
        )
    }

    /// The focused field of a form.
    pub fn focused(self) -> Style {
        self.pick(
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        )
    }

    /// Popup frames.
    pub fn border(self) -> Style {
        self.pick(Style::default().fg(Color::Cyan), Style::default())
    }
}
