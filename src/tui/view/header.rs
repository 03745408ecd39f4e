//! The header (Stockholm time, who is looking, source health at a glance), the critical banner
//! and the overview of the five focus areas.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::health::PollStatus;
use crate::index::{Activity, Focus};
use crate::tui::app::App;
use crate::tui::i18n::{self, T};
use crate::tui::safe;

/// The header row.
pub fn header(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let lang = app.lang();
    let style = app.theme.header();
    let left = format!(
        " lage │ {} │ {}",
        i18n::clock(lang, app.now),
        safe::truncate(&safe::line(&app.session.user), 16)
    );
    let mut right: Vec<Span<'static>> = Vec::new();
    if app.polling {
        right.push(Span::raw(format!("{} │ ", T::Polling.get(lang))));
    }
    if !app.index_ready {
        right.push(Span::raw(format!("{} │ ", T::IndexLoading.get(lang))));
    }
    if let Some(sources) = &app.sources {
        let enabled = sources.iter().filter(|s| s.enabled);
        let failing = enabled
            .clone()
            .filter(|s| s.state.last_status == Some(PollStatus::Error))
            .count();
        let stale = enabled.clone().filter(|s| s.stale).count();
        right.push(Span::raw(format!(
            "{} {}",
            T::Sources.get(lang),
            enabled.count()
        )));
        if failing > 0 || stale > 0 {
            right.push(Span::raw(" · "));
            right.push(Span::styled(
                format!(
                    "{failing} {} · {stale} {}",
                    T::Failing.get(lang),
                    T::Stale.get(lang)
                ),
                app.theme.header_alarm(),
            ));
        }
        right.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(left).style(style), area);
    let right_width: usize = right.iter().map(|s| safe::width(&s.content)).sum();
    let left_width = safe::width(&format!(" lage │ {} │ ", i18n::clock(lang, app.now))) + 1;
    if right_width + left_width <= usize::from(area.width) {
        frame.render_widget(
            Paragraph::new(Line::from(right))
                .style(style)
                .alignment(Alignment::Right),
            area,
        );
    }
}

/// The banner for critical unacknowledged items: the newest one, and the key to acknowledge.
pub fn banner(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let lang = app.lang();
    let Some(first) = app.critical.first() else {
        return;
    };
    let what = match app.list.rows.get(first) {
        Some(row) => format!("{}: {}", safe::line(&row.source), safe::line(&row.title)),
        None => T::Loading.get(lang).to_string(),
    };
    let more = match app.critical.len() {
        1 => String::new(),
        n => format!(" {}", i18n::more(lang, n - 1)),
    };
    let tail = format!("  [{}]{more} ", T::AckKey.get(lang));
    let head = format!(" ⚠ {} ", T::Critical.get(lang));
    let room = usize::from(area.width).saturating_sub(safe::width(&head) + safe::width(&tail));
    let text = format!("{head}{}{tail}", safe::fit(&what, room));
    frame.render_widget(
        Paragraph::new(safe::truncate(&text, usize::from(area.width))).style(app.theme.banner()),
        area,
    );
}

/// The overview: per focus area, new since you last looked, unacknowledged and today, with ▲
/// for an unusually busy area and ▼ for an unusually quiet one.
pub fn overview(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let lang = app.lang();
    let t = app.theme;
    let label_w = 12;
    let col_w = (usize::from(area.width).saturating_sub(label_w) / 5).clamp(6, 16);
    let mut rows: Vec<Line<'static>> = Vec::new();
    let mut names = vec![Span::styled(
        safe::fit(T::Overview.get(lang), label_w),
        t.heading(),
    )];
    for (i, f) in Focus::ALL.into_iter().enumerate() {
        let name = format!("{} {}", i + 1, i18n::focus_short(lang, f));
        let style = if app.filter.focus == Some(f) {
            t.focused()
        } else {
            t.heading()
        };
        names.push(Span::styled(safe::fit(&name, col_w), style));
    }
    rows.push(Line::from(names));
    let counts = |f: Focus| app.overview.iter().find(|c| c.focus == f);
    let labels = [T::NewRow, T::UnackedRow, T::TodayRow];
    for (r, label) in labels.into_iter().enumerate() {
        let mut spans = vec![Span::raw(safe::fit(label.get(lang), label_w))];
        for f in Focus::ALL {
            let Some(c) = counts(f) else {
                spans.push(Span::styled(safe::fit("–", col_w), t.dim()));
                continue;
            };
            let n = [c.new, c.unacknowledged, c.today][r];
            let number = format!("  {n}");
            let (mark, style) = match (r, c.activity) {
                (2, Activity::Busy) => (" ▲", t.busy()),
                (2, Activity::Quiet) => (" ▼", t.quiet()),
                _ => ("", t.normal()),
            };
            let style = if r == 0 && n > 0 { t.new_mark() } else { style };
            spans.push(Span::styled(format!("{number}{mark}"), style));
            let used = safe::width(&number) + safe::width(mark);
            spans.push(Span::raw(" ".repeat(col_w.saturating_sub(used))));
        }
        rows.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(rows), area);
}
