//! The briefing screen: the edition's title and period, the first lines of its key messages,
//! the five focus areas with the analyst's level and the suggested one, and the events in the
//! briefing's order with the selection; or, after `p`, the Markdown export as plain text.
//! Titles and key messages are the analyst's and the feeds' text, so they pass through `safe`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::brief::edition::Level;
use crate::index::Focus;
use crate::item::Severity;
use crate::tui::app::App;
use crate::tui::app::brief::{BriefLoad, FOCUS_SECTIONS};
use crate::tui::i18n::{self, T};
use crate::tui::safe;
use crate::tui::theme::Theme;

/// At most this many lines of the key messages are shown; `e` shows all.
const KEY_MESSAGE_LINES: usize = 3;

/// Draws the briefing screen (or its preview) in `area`.
pub fn brief(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let width = usize::from(area.width);
    let height = usize::from(area.height);
    if let Some(preview) = &app.brief.preview {
        super::scrolled(frame, area, preview_lines(app, width), preview.scroll);
        return;
    }
    let (lines, selected) = lines(app, width);
    // The selected event stays on screen; the header scrolls away first.
    let start = selected.map_or(0, |s| (s + 1).saturating_sub(height));
    let shown: Vec<Line<'static>> = lines.into_iter().skip(start).take(height).collect();
    frame.render_widget(Paragraph::new(shown), area);
}

/// The preview's lines: the Markdown export, made safe and wrapped to the width.
pub fn preview_lines(app: &App, width: usize) -> Vec<Line<'static>> {
    let lang = app.lang();
    let t = app.theme;
    let mut out = vec![Line::styled(
        safe::truncate(T::PreviewTitle.get(lang), width),
        t.heading(),
    )];
    let Some(text) = app.brief.preview.as_ref().and_then(|p| p.text.as_ref()) else {
        out.push(Line::styled(T::Loading.get(lang).to_string(), t.dim()));
        return out;
    };
    for raw in safe::text(text).split('\n') {
        if raw.is_empty() {
            out.push(Line::raw(""));
            continue;
        }
        for l in safe::wrap(raw, width.max(10)) {
            out.push(Line::raw(l));
        }
    }
    out
}

/// The screen's lines, and the index of the selected event's line.
pub fn lines(app: &App, width: usize) -> (Vec<Line<'static>>, Option<usize>) {
    let lang = app.lang();
    let t = app.theme;
    let mut out: Vec<Line<'static>> = Vec::new();
    let data = match &app.brief.load {
        BriefLoad::Loading => {
            out.push(Line::styled(T::CtxBrief.get(lang).to_string(), t.heading()));
            out.push(Line::styled(T::Loading.get(lang).to_string(), t.dim()));
            return (out, None);
        }
        BriefLoad::NoDraft => {
            out.push(Line::styled(T::CtxBrief.get(lang).to_string(), t.heading()));
            for text in [T::BriefNoDraft, T::BriefNewHint] {
                for l in safe::wrap(text.get(lang), width.max(10)) {
                    out.push(Line::raw(l));
                }
            }
            return (out, None);
        }
        BriefLoad::Loaded(data) => data,
    };
    let doc = &data.doc;
    out.push(Line::styled(
        safe::truncate(&i18n::brief_title(lang, doc), width),
        t.heading(),
    ));
    let period = format!(
        "{}: {} · {}",
        T::PeriodL.get(lang),
        i18n::brief_period(&doc.period),
        safe::line(&doc.marking)
    );
    out.push(Line::styled(safe::truncate(&period, width), t.dim()));

    out.push(rule(T::KeyMessages.get(lang), width, t));
    let messages = safe::text(doc.key_messages.trim());
    if messages.is_empty() {
        out.push(Line::styled(
            format!("  {}", T::NoKeyMessages.get(lang)),
            t.dim(),
        ));
    } else {
        let wrapped: Vec<String> = messages
            .split('\n')
            .filter(|l| !l.trim().is_empty())
            .flat_map(|l| safe::wrap(l, width.saturating_sub(2).max(10)))
            .collect();
        let more = wrapped.len() > KEY_MESSAGE_LINES;
        for (i, l) in wrapped.iter().take(KEY_MESSAGE_LINES).enumerate() {
            let l = if more && i + 1 == KEY_MESSAGE_LINES {
                safe::truncate(&format!("{l} {}", safe::ELLIPSIS), width.saturating_sub(2))
            } else {
                l.clone()
            };
            out.push(Line::raw(format!("  {l}")));
        }
    }

    let head = format!(
        "{} ({} · {})",
        T::FocusAreas.get(lang),
        T::LevelL.get(lang),
        T::SuggestedL.get(lang)
    );
    out.push(rule(&head, width, t));
    for (i, (section, focus)) in doc
        .sections
        .iter()
        .zip(Focus::ALL)
        .take(FOCUS_SECTIONS)
        .enumerate()
    {
        let spans = vec![
            Span::styled(format!("  {} ", i + 1), t.key()),
            Span::raw(safe::fit(i18n::focus_short(lang, focus), 11)),
            Span::styled(
                safe::fit(i18n::brief_level(lang, section.level), 10),
                level_style(t, section.level),
            ),
            Span::styled(
                format!(
                    "{}: {}",
                    T::SuggestedL.get(lang),
                    i18n::brief_level(lang, section.suggested)
                ),
                t.dim(),
            ),
        ];
        out.push(Line::from(spans));
    }

    let head = format!("{} ({})", T::Events.get(lang), doc.events.len());
    out.push(rule(&head, width, t));
    if doc.events.is_empty() {
        out.push(Line::styled(
            format!("  {}", T::BriefNoEvents.get(lang)),
            t.dim(),
        ));
        return (out, None);
    }
    let mut selected = None;
    let number_w = doc.events.len().to_string().len();
    for (i, e) in doc.events.iter().enumerate() {
        let is_selected = i == app.brief.selected;
        if is_selected {
            selected = Some(out.len());
        }
        let mark = if is_selected { "▸ " } else { "  " };
        let prefix = format!("{mark}{:>number_w$} ", i + 1);
        let sev = format!("{} ", safe::fit(i18n::severity_short(lang, e.severity), 4));
        let room = width.saturating_sub(safe::width(&prefix) + safe::width(&sev));
        let title = safe::truncate(&safe::line(&e.title), room);
        let line = if is_selected {
            Line::styled(format!("{prefix}{sev}{title}"), t.selected())
        } else {
            Line::from(vec![
                Span::raw(prefix),
                Span::styled(sev, t.severity(e.severity)),
                Span::raw(title),
            ])
        };
        out.push(line);
    }
    (out, selected)
}

/// A heading rule without the blank line above it, as the screen is short of rows.
fn rule(text: &str, width: usize, t: Theme) -> Line<'static> {
    let rule = format!("── {text} ");
    let fill = width.saturating_sub(safe::width(&rule));
    Line::styled(
        safe::truncate(&format!("{rule}{}", "─".repeat(fill)), width),
        t.heading(),
    )
}

fn level_style(t: Theme, level: Level) -> Style {
    match level {
        Level::Normal => t.normal(),
        Level::Elevated => t.severity(Some(Severity::High)),
        Level::Serious => t.severity(Some(Severity::Critical)),
    }
}
