//! The item list: one row per matching item, only the visible window drawn. Columns: marks (new
//! since you last looked ●, local ◆), time (HH:MM today, else dd/mm, Stockholm), severity, focus
//! areas, place, source, acknowledged ✓ / in the briefing ★, status, and the title with an
//! exercise mark; cancelled and expired alerts are greyed.

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Stockholm;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::data::Row;
use crate::tui::i18n::{self, T};
use crate::tui::safe;

/// Column widths for a list of a given width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    /// Place (0: hidden).
    pub place: usize,
    /// Source (0: hidden).
    pub source: usize,
    /// Focus areas (0: hidden).
    pub focus: usize,
    /// Status: 1 for a letter, 9 for the word.
    pub status: usize,
    /// The title: the rest.
    pub title: usize,
}

impl Columns {
    /// The columns for `width` cells.
    pub fn for_width(width: usize) -> Columns {
        // Marks (2), time (5), severity (4) and flags (2), each followed by a space.
        let fixed = 2 + 1 + 5 + 1 + 4 + 1 + 2 + 1;
        let (place, source, focus, status) = if width >= 110 {
            (14, 14, 6, 9)
        } else if width >= 70 {
            (9, 9, 6, 1)
        } else if width >= 50 {
            (0, 0, 6, 1)
        } else {
            (0, 0, 0, 1)
        };
        let with_gap = |w: usize| if w > 0 { w + 1 } else { 0 };
        let used = fixed + with_gap(place) + with_gap(source) + with_gap(focus) + with_gap(status);
        Columns {
            place,
            source,
            focus,
            status,
            title: width.saturating_sub(used),
        }
    }
}

/// The list body: a line of column titles, then the visible rows.
pub fn list(frame: &mut Frame<'_>, area: Rect, app: &App) {
    if area.height == 0 {
        return;
    }
    let width = usize::from(area.width);
    let cols = Columns::for_width(width);
    let mut lines = vec![title_line(app, cols, width)];
    let rows = usize::from(area.height - 1);
    let list = &app.list;
    if list.loaded && list.ids.is_empty() {
        lines.push(Line::styled(
            format!("  {}", T::NoItems.get(app.lang())),
            app.theme.dim(),
        ));
    }
    for pos in list.offset..(list.offset + rows).min(list.ids.len()) {
        let id = list.ids[pos];
        let mut line = match list.rows.get(&id) {
            Some(row) => row_line(app, row, cols),
            None if list.missing.contains(&id) => Line::styled(
                format!("  {:5} {}", "", T::Unreadable.get(app.lang())),
                app.theme.dim(),
            ),
            None => Line::styled(
                format!("  {:5} {}", "…", T::Loading.get(app.lang())),
                app.theme.dim(),
            ),
        };
        if pos == list.cursor {
            line = line.patch_style(app.theme.selected());
            let pad = width.saturating_sub(line.width());
            line.push_span(Span::styled(" ".repeat(pad), app.theme.selected()));
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn title_line(app: &App, cols: Columns, width: usize) -> Line<'static> {
    let lang = app.lang();
    let h = app.theme.heading();
    let mut text = format!(
        "   {} {} ",
        safe::fit(T::ColTime.get(lang), 5),
        safe::fit(T::ColSev.get(lang), 4)
    );
    if cols.focus > 0 {
        text.push_str(&safe::fit(T::ColFocus.get(lang), cols.focus + 1));
    }
    if cols.place > 0 {
        text.push_str(&safe::fit(T::ColPlace.get(lang), cols.place + 1));
    }
    if cols.source > 0 {
        text.push_str(&safe::fit(T::ColSource.get(lang), cols.source + 1));
    }
    text.push_str(&" ".repeat(4 + cols.status));
    text.push_str(T::ColTitle.get(lang));
    // What is shown: the count, the search, the focus area and the rows above the viewport.
    let mut info = Vec::new();
    if app.list.offset > 0 {
        info.push(i18n::above(lang, app.list.offset));
    }
    if let Some(f) = app.filter.focus {
        info.push(i18n::focus_short(lang, f).to_string());
    }
    if let Some(q) = &app.search {
        info.push(format!(
            "{}{}",
            T::SearchPrompt.get(lang),
            safe::truncate(&safe::line(q), 20)
        ));
    }
    if has_menu_filter(app) {
        info.push(T::Filter.get(lang).to_lowercase());
    }
    if app.list.loaded {
        info.push(i18n::matches(lang, app.list.ids.len()));
    }
    let info = info.join(" · ");
    let room = width.saturating_sub(safe::width(&text) + 2);
    let info = safe::truncate(&info, room);
    let gap = width.saturating_sub(safe::width(&text) + safe::width(&info) + 1);
    Line::from(vec![
        Span::styled(text, h),
        Span::raw(" ".repeat(gap)),
        Span::styled(info, app.theme.dim()),
    ])
}

fn has_menu_filter(app: &App) -> bool {
    let f = &app.filter;
    f.min_severity.is_some()
        || f.source.is_some()
        || f.status.is_some()
        || f.place.is_some()
        || f.span.is_some()
        || f.lifecycle.is_some()
        || f.unacknowledged
        || f.in_briefing
}

/// A row's time: HH:MM when it is today in Stockholm, else dd/mm.
pub fn short_time(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let local = t.with_timezone(&Stockholm);
    if local.date_naive() == now.with_timezone(&Stockholm).date_naive() {
        local.format("%H:%M").to_string()
    } else {
        local.format("%d/%m").to_string()
    }
}

fn row_line(app: &App, row: &Row, cols: Columns) -> Line<'static> {
    let lang = app.lang();
    let t = app.theme;
    let faded = row.faded(app.now);
    let base = if faded { t.dim() } else { Style::default() };
    let st = |s: Style| if faded { t.dim() } else { s };
    let mut spans = vec![
        Span::styled(
            if row.is_new(app.last_looked) {
                "●"
            } else {
                " "
            },
            st(t.new_mark()),
        ),
        Span::styled(if row.local { "◆ " } else { "  " }, st(t.local_mark())),
        Span::styled(format!("{} ", short_time(row.published, app.now)), base),
        Span::styled(
            safe::fit(i18n::severity_short(lang, row.severity), 4),
            st(t.severity(row.severity)),
        ),
        Span::styled(" ", base),
    ];
    if cols.focus > 0 {
        let mut focus = row
            .focus
            .first()
            .map(|f| i18n::focus_tiny(lang, *f).to_string())
            .unwrap_or_default();
        if row.focus.len() > 1 {
            // "+" says there are more; the name gives way to it rather than to an ellipsis.
            let cut: String = focus.chars().take(cols.focus - 1).collect();
            focus = format!("{cut}+");
        }
        spans.push(Span::styled(safe::fit(&focus, cols.focus + 1), base));
    }
    let place = row.place.as_deref().map(safe::line).unwrap_or_default();
    if cols.place > 0 {
        spans.push(Span::styled(safe::fit(&place, cols.place) + " ", base));
    }
    if cols.source > 0 {
        spans.push(Span::styled(
            safe::fit(&safe::line(&row.source), cols.source) + " ",
            base,
        ));
    }
    let acked = if row.state.acknowledged.is_some() {
        "✓"
    } else {
        "·"
    };
    spans.push(Span::styled(
        acked,
        if row.state.acknowledged.is_some() {
            st(t.ok())
        } else {
            base
        },
    ));
    spans.push(Span::styled(
        if row.state.in_briefing { "★ " } else { "  " },
        st(t.new_mark()),
    ));
    let status = if cols.status > 1 {
        safe::fit(i18n::status(lang, row.state.status), cols.status)
    } else {
        i18n::status_letter(lang, row.state.status).to_string()
    };
    spans.push(Span::styled(status + " ", base));
    let mut room = cols.title;
    if row.exercise {
        let mark = format!("{} ", T::Exercise.get(lang));
        room = room.saturating_sub(safe::width(&mark));
        spans.push(Span::styled(
            safe::truncate(&mark, cols.title),
            t.exercise(),
        ));
    }
    let mut title = safe::line(&row.title);
    if let Some(l) = row.lifecycle(app.now) {
        title = format!("({}) {title}", i18n::lifecycle(lang, l));
    }
    spans.push(Span::styled(safe::truncate(&title, room), base));
    Line::from(spans)
}
