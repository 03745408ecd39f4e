//! The sources screen: per source its last poll's outcome, last success, next poll, a staleness
//! alarm when it has been silent longer than its cadence, and its last error with the message.

use ratatui::text::{Line, Span};

use super::detail::Out;
use super::list::short_time;
use crate::health::PollStatus;
use crate::tui::app::App;
use crate::tui::i18n::{self, T};
use crate::tui::safe;

/// The sources screen's lines.
pub fn lines(app: &App, width: usize) -> Vec<Line<'static>> {
    let lang = app.lang();
    let t = app.theme;
    let mut out = Out::new(width, t);
    // What the other columns leave (status, last success, next poll, the stale alarm).
    let name_w = width.saturating_sub(10 + 12 + 9 + 4 + 8).clamp(10, 30);
    let head = format!(
        "{} {} {} {} ",
        safe::fit(T::Source.get(lang), name_w),
        safe::fit(T::Status.get(lang), 10),
        safe::fit(T::LastSuccess.get(lang), 12),
        safe::fit(T::NextPoll.get(lang), 9),
    );
    out.lines
        .push(Line::styled(safe::truncate(&head, width), t.heading()));
    let Some(sources) = &app.sources else {
        out.para(T::Loading.get(lang), 1, t.dim());
        return out.lines;
    };
    for s in sources {
        let name = if s.name.is_empty() { &s.id } else { &s.name };
        let state = &s.state;
        let (status, status_style) = if !s.enabled {
            (T::Disabled.get(lang).to_string(), t.dim())
        } else {
            let style = match state.last_status {
                Some(PollStatus::Error) => t.error(),
                Some(PollStatus::Ok | PollStatus::NotModified) => t.ok(),
                _ => t.normal(),
            };
            (
                i18n::poll_status(lang, state.last_status).to_string(),
                style,
            )
        };
        let success = match state.last_success {
            Some(at) => short_time(at, app.now),
            None => T::Never.get(lang).to_string(),
        };
        let failures = match state.consecutive_failures {
            0 => String::new(),
            n => format!(" ({n}×)"),
        };
        let next = match s.next_due {
            Some(at) if s.enabled => short_time(at, app.now),
            _ => "–".into(),
        };
        let mut spans = vec![
            Span::raw(format!("{} ", safe::fit(&safe::line(name), name_w))),
            Span::styled(safe::fit(&format!("{status}{failures}"), 10), status_style),
            Span::raw(format!(
                " {} {} ",
                safe::fit(&success, 12),
                safe::fit(&next, 9)
            )),
        ];
        if s.stale && s.enabled {
            spans.push(Span::styled(
                format!("⚠ {}", T::SourceStale.get(lang)),
                t.error(),
            ));
        }
        out.lines.push(Line::from(spans));
        if let Some(err) = &state.last_error {
            let when = state
                .last_error_at
                .map(|at| short_time(at, app.now))
                .unwrap_or_default();
            out.para(
                &format!("{} {when}: {err}", T::LastError.get(lang)),
                4,
                t.error(),
            );
        }
    }
    out.lines
}
