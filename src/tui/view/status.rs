//! The status line: the search or tag prompt while typing, else the latest message (a saved
//! decision, an error, a link), else a reminder of the main keys. Failures show here and never
//! as a popup that stops work.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::Lang;
use crate::tui::app::forms::PromptKind;
use crate::tui::app::{App, Overlay, Screen, StatusLine, Tone};
use crate::tui::i18n::{self, T};
use crate::tui::keys;
use crate::tui::safe;

/// Where a link shown on the status line starts, and the text shown for it (cut to the width):
/// the runtime writes the OSC 8 hyperlink over exactly these cells.
pub fn link_cells(lang: Lang, url: &str, width: u16) -> (u16, String) {
    let prefix = i18n::link_copied(lang);
    let x = safe::width(prefix);
    let text = safe::truncate(url, usize::from(width).saturating_sub(x));
    (u16::try_from(x).unwrap_or(u16::MAX), text)
}

/// Draws the status line.
pub fn status(frame: &mut Frame<'_>, area: Rect, app: &App) {
    if area.height == 0 {
        return;
    }
    let lang = app.lang();
    let t = app.theme;
    let width = usize::from(area.width);
    let line = if let Some(Overlay::Prompt(p)) = &app.overlay {
        let label = match p.kind {
            PromptKind::Search => T::SearchPrompt.get(lang),
            PromptKind::Tag { .. } => T::TagPrompt.get(lang),
        };
        // The end of long input stays visible, next to the cursor.
        let room = width.saturating_sub(safe::width(label) + 1);
        let input = safe::line(&p.input);
        let shown: String = tail(&input, room);
        let mut spans = vec![
            Span::styled(label.to_string(), t.key()),
            Span::raw(shown),
            Span::styled(" ", t.selected()),
        ];
        if let Some(StatusLine::Text(Tone::Error, msg)) = &app.status {
            spans.push(Span::styled(format!("  {}", safe::line(msg)), t.error()));
        }
        Line::from(spans)
    } else {
        match &app.status {
            Some(StatusLine::Link(url)) => {
                let (_, text) = link_cells(lang, url, area.width);
                Line::from(vec![
                    Span::styled(i18n::link_copied(lang).to_string(), t.dim()),
                    Span::styled(text, t.key()),
                ])
            }
            Some(StatusLine::Text(tone, msg)) => {
                let style = match tone {
                    Tone::Info => t.normal(),
                    Tone::Ok => t.ok(),
                    Tone::Error => t.error(),
                };
                Line::styled(safe::truncate(&safe::line(msg), width), style)
            }
            None => {
                let hints = match app.screen {
                    Screen::List => T::Hints,
                    Screen::Detail => T::HintsDetail,
                    Screen::Sources => T::HintsSources,
                    Screen::Log => T::HintsLog,
                    Screen::Brief if app.brief.preview.is_some() => T::HintsPreview,
                    Screen::Brief => T::HintsBrief,
                };
                Line::styled(safe::truncate(&usable_hints(app, hints), width), t.dim())
            }
        }
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// The screen's key hints without the keys the session's role may not use. Each hint starts
/// with its key as help writes it ("x kvittera", "J/K flytta", "1–5 nivå"); a one-character key
/// is looked up in the key table of the screen, anything longer (Esc, Enter) only reads.
fn usable_hints(app: &App, hints: T) -> String {
    let usable = |part: &&str| {
        let key = part.split(' ').next().unwrap_or_default();
        let mut chars = key.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None | Some('/' | '–')) => {
                let event = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
                keys::lookup(&event, app.contexts()).is_none_or(|act| app.may(act))
            }
            _ => true,
        }
    };
    let parts: Vec<&str> = hints.get(app.lang()).split(" · ").filter(usable).collect();
    parts.join(" · ")
}

/// The last `room` cells of `s`.
fn tail(s: &str, room: usize) -> String {
    if safe::width(s) <= room {
        return s.to_string();
    }
    let mut out: Vec<char> = Vec::new();
    let mut used = 0;
    for c in s.chars().rev() {
        let w = safe::width(c.encode_utf8(&mut [0; 4]));
        if used + w + 1 > room {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push(safe::ELLIPSIS);
    out.into_iter().rev().collect()
}
