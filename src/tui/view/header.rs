//! The header (Stockholm time, who is looking and who else is here, source health at a glance),
//! the critical banner and the overview of the five focus areas.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::health::PollStatus;
use crate::index::{Activity, Focus};
use crate::tui::app::App;
use crate::tui::i18n::{self, T};
use crate::tui::keys::Act;
use crate::tui::safe;

/// The most cells a user name takes in the header.
const NAME_CELLS: usize = 16;

/// The header row.
pub fn header(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let lang = app.lang();
    let style = app.theme.header();
    let mut left = format!(
        " lage │ {} │ {}",
        i18n::clock(lang, app.now),
        safe::truncate(&safe::line(&app.session.user), NAME_CELLS)
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
    let right_width: usize = right.iter().map(|s| safe::width(&s.content)).sum();
    let left_width = safe::width(&format!(" lage │ {} │ ", i18n::clock(lang, app.now))) + 1;
    let show_right = right_width + left_width <= usize::from(area.width);
    // Who else is here goes after the user, in what the source health leaves (one cell apart).
    let room = usize::from(area.width)
        .saturating_sub(safe::width(&left) + 1)
        .saturating_sub(if show_right { right_width } else { 0 });
    let others: Vec<&(String, usize)> = app.others().collect();
    left.push_str(&also_here(lang, &others, room));
    frame.render_widget(Paragraph::new(left).style(style), area);
    if show_right {
        frame.render_widget(
            Paragraph::new(Line::from(right))
                .style(style)
                .alignment(Alignment::Right),
            area,
        );
    }
}

/// " │ Också här: anna, bo (2)" for the other users connected, as many names as fit in `room`
/// cells and "+N" for the rest; empty when nobody else is here or not even "+N" fits. Names
/// come from the users file but are cleaned like any text.
fn also_here(lang: crate::tui::Lang, others: &[&(String, usize)], room: usize) -> String {
    if others.is_empty() {
        return String::new();
    }
    let names: Vec<String> = others
        .iter()
        .map(|(user, sessions)| {
            let name = safe::truncate(&safe::line(user), NAME_CELLS);
            match sessions {
                0 | 1 => name,
                n => format!("{name} ({n})"),
            }
        })
        .collect();
    let head = format!(" │ {} ", T::AlsoHere.get(lang));
    (0..=names.len())
        .rev()
        .map(|shown| {
            let mut text = head.clone() + &names[..shown].join(", ");
            let rest = names.len() - shown;
            if rest > 0 {
                if shown > 0 {
                    text.push(' ');
                }
                text.push_str(&format!("+{rest}"));
            }
            text
        })
        .find(|text| safe::width(text) <= room)
        .unwrap_or_default()
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
    // The key is offered only to a role that may acknowledge.
    let tail = if app.may(Act::AckCritical) {
        format!("  [{}]{more} ", T::AckKey.get(lang))
    } else {
        format!("{more} ")
    };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::Lang;

    fn others(names: &[(&str, usize)]) -> Vec<(String, usize)> {
        names.iter().map(|(u, n)| (u.to_string(), *n)).collect()
    }

    #[test]
    fn who_else_is_here_fits_the_room_with_a_count_for_the_rest() {
        let all = others(&[("anna", 1), ("bo", 2), ("cilla", 1)]);
        let refs: Vec<&(String, usize)> = all.iter().collect();
        assert_eq!(
            also_here(Lang::Sv, &refs, 80),
            " │ Också här: anna, bo (2), cilla"
        );
        assert_eq!(also_here(Lang::En, &refs, 25), " │ Also here: anna +2");
        assert_eq!(also_here(Lang::En, &refs, 16), " │ Also here: +3");
        assert_eq!(also_here(Lang::En, &refs, 5), "");
        assert_eq!(also_here(Lang::En, &[], 80), "");
    }

    #[test]
    fn names_are_cleaned_and_cut() {
        let evil = others(&[
            ("bo\u{1b}]0;x\u{7}", 1),
            ("a-very-long-user-name-indeed", 1),
        ]);
        let refs: Vec<&(String, usize)> = evil.iter().collect();
        let text = also_here(Lang::En, &refs, 200);
        assert!(!text.chars().any(char::is_control), "{text:?}");
        assert!(text.contains("a-very-long-use…"), "{text}");
    }
}
