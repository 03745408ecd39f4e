//! The shift log: entries with Stockholm time, author and text, automatic entries rendered in
//! the session's language, handovers marked, and a marker line where the entries newer than
//! this user's last look begin.

use ratatui::text::{Line, Span};

use super::detail::Out;
use crate::curation::LogWhat;
use crate::tui::app::App;
use crate::tui::i18n::{self, T};
use crate::tui::safe;

/// The shift log's lines, oldest first.
pub fn lines(app: &App, width: usize) -> Vec<Line<'static>> {
    let lang = app.lang();
    let t = app.theme;
    let mut out = Out::new(width, t);
    out.lines
        .push(Line::styled(T::ShiftLog.get(lang).to_string(), t.heading()));
    let Some(entries) = &app.log else {
        out.para(T::Loading.get(lang), 1, t.dim());
        return out.lines;
    };
    if entries.is_empty() {
        out.para(T::NoEntries.get(lang), 1, t.dim());
    }
    let mut marked = false;
    let indent = 12 + 11;
    for e in entries {
        if !marked && app.last_looked.is_some_and(|l| e.at > l) {
            marked = true;
            let rule = format!("── {} ", T::SinceLooked.get(lang));
            let fill = width.saturating_sub(safe::width(&rule));
            out.lines.push(Line::styled(
                safe::truncate(&format!("{rule}{}", "─".repeat(fill)), width),
                t.new_mark(),
            ));
        }
        let when =
            e.at.with_timezone(&chrono_tz::Europe::Stockholm)
                .format("%d/%m %H:%M")
                .to_string();
        let author = safe::fit(&safe::line(&e.author), 10);
        let (text, style, handover) = match &e.what {
            LogWhat::Note { text } => (text.clone(), t.normal(), false),
            LogWhat::Handover { text } => (text.clone(), t.normal(), true),
            LogWhat::Decision { title, action, .. } => (
                i18n::log_decision(lang, action, &safe::line(title)),
                t.dim(),
                false,
            ),
        };
        let body = safe::wrap(&safe::text(&text), width.saturating_sub(indent).max(10));
        let mut first = vec![
            Span::styled(format!("{when} "), t.dim()),
            Span::styled(format!("{author} "), t.heading()),
        ];
        if handover {
            first.push(Span::styled(
                format!("{} ", T::Handover.get(lang)),
                t.focused(),
            ));
            out.lines.push(Line::from(first));
            for l in body {
                out.lines
                    .push(Line::styled(format!("{}{l}", " ".repeat(indent)), style));
            }
            continue;
        }
        let mut body = body.into_iter();
        first.push(Span::styled(body.next().unwrap_or_default(), style));
        out.lines.push(Line::from(first));
        for l in body {
            out.lines
                .push(Line::styled(format!("{}{l}", " ".repeat(indent)), style));
        }
    }
    out.lines
}
