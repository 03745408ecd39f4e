//! The popups: the filter menu, the status menu, the annotation form, the shift-log editor,
//! the briefing's key-messages editor and the question before approving an edition.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui_textarea::TextArea;

use super::layout::centered;
use crate::brief::edition::EditionRef;
use crate::curation::Status;
use crate::index::Place;
use crate::tui::app::App;
use crate::tui::app::filter_menu::{FilterField, FilterMenu};
use crate::tui::app::forms::{AnnotationForm, Field, StatusMenu, TextForm, TextPurpose};
use crate::tui::i18n::{self, T};
use crate::tui::safe;

fn frame_block(app: &App, title: &str, hint: &str) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.border())
        .title(format!(" {} ", safe::line(title)))
        .title_bottom(format!(" {hint} "))
}

/// The filter menu.
pub fn filter_menu(frame: &mut Frame<'_>, area: Rect, app: &App, menu: &FilterMenu) {
    let lang = app.lang();
    let rect = centered(area, 70, 10);
    if rect.height < 3 {
        return;
    }
    let all = T::All.get(lang);
    let d = &menu.draft;
    let check = |on: bool| if on { T::Yes } else { T::No }.get(lang).to_string();
    let rows: Vec<(T, String)> = FilterField::ALL
        .iter()
        .map(|f| match f {
            FilterField::Severity => (
                T::FMinSeverity,
                d.min_severity
                    .map_or(all, |s| i18n::severity(lang, s))
                    .to_string(),
            ),
            FilterField::Source => (
                T::FSource,
                d.source.as_deref().map_or(all.to_string(), safe::line),
            ),
            FilterField::Status => (
                T::FStatus,
                d.status.map_or(all, |s| i18n::status(lang, s)).to_string(),
            ),
            FilterField::Place => (
                T::FPlace,
                match &d.place {
                    None => all.to_string(),
                    Some(Place::Local) => T::Local.get(lang).to_string(),
                    Some(Place::Tag(t)) => safe::line(t),
                },
            ),
            FilterField::Span => (
                T::FSpan,
                d.span.map_or(all.to_string(), |s| match s.num_hours() {
                    h if h % 24 == 0 => format!("{} d", h / 24),
                    h => format!("{h} h"),
                }),
            ),
            FilterField::Lifecycle => (
                T::FLifecycle,
                d.lifecycle
                    .map_or(all, |l| i18n::lifecycle(lang, l))
                    .to_string(),
            ),
            FilterField::Unacknowledged => (T::FUnacked, check(d.unacknowledged)),
            FilterField::Briefing => (T::FBriefing, check(d.in_briefing)),
        })
        .collect();
    let lines: Vec<Line<'static>> = rows
        .into_iter()
        .enumerate()
        .map(|(i, (label, value))| {
            let focused = i == menu.cursor;
            let style = if focused {
                app.theme.focused()
            } else {
                app.theme.normal()
            };
            Line::from(vec![
                Span::styled(if focused { "▸ " } else { "  " }, style),
                Span::styled(safe::fit(label.get(lang), 22), style),
                Span::styled(format!("‹ {} ›", safe::truncate(&value, 36)), style),
            ])
        })
        .collect();
    let block = frame_block(app, T::Filter.get(lang), T::FilterHint.get(lang));
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// The status menu.
pub fn status_menu(frame: &mut Frame<'_>, area: Rect, app: &App, menu: &StatusMenu) {
    let lang = app.lang();
    let rect = centered(area, 44, 8);
    let lines: Vec<Line<'static>> = Status::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let focused = i == menu.cursor;
            let style = if focused {
                app.theme.focused()
            } else {
                app.theme.normal()
            };
            let mark = if focused { "▸" } else { " " };
            Line::styled(
                format!("{mark} {} {}", i + 1, i18n::status(lang, *s)),
                style,
            )
        })
        .collect();
    let block = frame_block(app, T::SetStatus.get(lang), T::StatusHint.get(lang));
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// The annotation form: note and assessment editors, confidence and relevance.
pub fn annotation(frame: &mut Frame<'_>, area: Rect, app: &App, form: &AnnotationForm) {
    let lang = app.lang();
    let rect = centered(area, area.width.min(100), area.height.saturating_sub(2));
    if rect.height < 8 || rect.width < 20 {
        return;
    }
    let title = format!("{}: {}", T::Annotate.get(lang), safe::line(&form.title));
    let title = safe::truncate(&title, usize::from(rect.width.saturating_sub(4)));
    let hint = if form.confirm {
        T::DiscardAsk.get(lang)
    } else if form.saving {
        T::Saving.get(lang)
    } else {
        T::EditorHint.get(lang)
    };
    let block = frame_block(app, &title, hint);
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    // Two text areas share what is left after the two level rows.
    let text_rows = inner.height.saturating_sub(4);
    let note_h = text_rows / 2;
    let assess_h = text_rows - note_h;
    let mut y = inner.y;
    let mut field = |label: T, focused: bool, height: u16, area_text: &TextArea<'_>| {
        let style = if focused {
            app.theme.focused()
        } else {
            app.theme.heading()
        };
        let head = Rect::new(inner.x, y, inner.width, 1);
        frame.render_widget(
            Paragraph::new(Line::styled(format!("{}:", label.get(lang)), style)),
            head,
        );
        let body = Rect::new(
            inner.x + 1,
            y + 1,
            inner.width.saturating_sub(1),
            height.saturating_sub(1),
        );
        frame.render_widget(area_text, body);
        y += height;
    };
    field(T::Note, form.field == Field::Note, note_h, &form.note);
    field(
        T::Assessment,
        form.field == Field::Assessment,
        assess_h,
        &form.assessment,
    );
    let level = |label: T, value: &str, focused: bool| {
        let style = if focused {
            app.theme.focused()
        } else {
            app.theme.heading()
        };
        Line::from(vec![
            Span::styled(format!("{}: ", label.get(lang)), style),
            Span::styled(
                format!("‹ {value} ›"),
                if focused { style } else { app.theme.normal() },
            ),
        ])
    };
    let levels = vec![
        level(
            T::ConfidenceL,
            i18n::confidence(lang, form.confidence),
            form.field == Field::Confidence,
        ),
        level(
            T::RelevanceL,
            i18n::relevance(lang, form.relevance),
            form.field == Field::Relevance,
        ),
    ];
    let rest = Rect::new(inner.x, y, inner.width, inner.bottom().saturating_sub(y));
    frame.render_widget(Paragraph::new(levels), rest);
}

/// A multi-line editor: a shift-log note or handover, or a briefing's key messages.
pub fn text_editor(frame: &mut Frame<'_>, area: Rect, app: &App, form: &TextForm) {
    let lang = app.lang();
    let rect = centered(
        area,
        area.width.saturating_sub(4).min(90),
        area.height.saturating_sub(4).min(16),
    );
    if rect.height < 4 || rect.width < 20 {
        return;
    }
    let (title, hint) = match form.purpose {
        TextPurpose::Note => (T::NewNote.get(lang).to_string(), T::LogEditorHint),
        TextPurpose::Handover => (T::NewHandover.get(lang).to_string(), T::LogEditorHint),
        TextPurpose::KeyMessages(edition) => (
            format!(
                "{} — {}",
                T::KeyMessages.get(lang),
                i18n::edition_name(lang, edition)
            ),
            T::KeyMessagesHint,
        ),
    };
    let hint = if form.confirm {
        T::DiscardAsk.get(lang)
    } else if form.saving {
        T::Saving.get(lang)
    } else {
        hint.get(lang)
    };
    let block = frame_block(app, &title, hint);
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    frame.render_widget(&form.text, inner);
}

/// "Approve no. 3.1?", answered y or n.
pub fn confirm_approve(frame: &mut Frame<'_>, area: Rect, app: &App, edition: EditionRef) {
    let lang = app.lang();
    let rect = centered(area, 50, 5);
    if rect.height < 3 || rect.width < 10 {
        return;
    }
    let block = frame_block(app, T::KApprove.get(lang), T::ApproveHint.get(lang));
    let text = Line::styled(i18n::approve_ask(lang, edition), app.theme.focused());
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(vec![Line::raw(""), text]).block(block), rect);
}
