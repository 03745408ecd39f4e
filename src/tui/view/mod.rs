//! Drawing. Every function here reads the app's state and writes cells; none does IO or changes
//! anything, so a frame is a pure function of the state and the snapshots are deterministic.
//! Every item-derived string passes through `safe` before it reaches the buffer.

pub mod brief;
pub mod detail;
pub mod header;
pub mod help;
pub mod layout;
pub mod list;
pub mod log;
pub mod popups;
pub mod sources;
pub mod status;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::app::{App, Overlay, Screen};

/// Draws the whole screen for `app`.
pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let area = frame.area();
    let size = (area.width, area.height);
    let banner = !app.critical.is_empty();
    let areas = layout::areas(size, banner, app.screen == Screen::List);
    header::header(frame, areas.header, app);
    if let Some(r) = areas.banner {
        header::banner(frame, r, app);
    }
    match app.screen {
        Screen::List => {
            if let Some(r) = areas.overview {
                header::overview(frame, r, app);
            }
            list::list(frame, areas.body, app);
        }
        Screen::Brief => brief::brief(frame, areas.body, app),
        Screen::Detail | Screen::Sources | Screen::Log => {
            let lines = scroll_lines(app);
            let scroll = match app.screen {
                Screen::Detail => app.detail.as_ref().map_or(0, |d| d.scroll),
                Screen::Sources => app.sources_scroll,
                _ => app.log_scroll,
            };
            scrolled(frame, areas.body, lines, scroll);
        }
    }
    status::status(frame, areas.status, app);
    match &app.overlay {
        Some(Overlay::Help { scroll }) => help::help(frame, area, app, *scroll),
        Some(Overlay::Filter(menu)) => popups::filter_menu(frame, area, app, menu),
        Some(Overlay::Status(menu)) => popups::status_menu(frame, area, app, menu),
        Some(Overlay::Annotate(form)) => popups::annotation(frame, area, app, form),
        Some(Overlay::Text(form)) => popups::text_editor(frame, area, app, form),
        Some(Overlay::ConfirmApprove(edition)) => {
            popups::confirm_approve(frame, area, app, *edition)
        }
        Some(Overlay::Prompt(_)) | None => {}
    }
}

/// The lines of the current scrolling screen (detail, sources, shift log or the briefing's
/// preview) at the current width; the app counts them to bound scrolling.
pub fn scroll_lines(app: &App) -> Vec<Line<'static>> {
    let width = usize::from(app.size.0);
    match app.screen {
        Screen::Detail => detail::lines(app, width),
        Screen::Sources => sources::lines(app, width),
        Screen::Log => log::lines(app, width),
        Screen::Brief if app.brief.preview.is_some() => brief::preview_lines(app, width),
        Screen::Brief => brief::lines(app, width).0,
        Screen::List => Vec::new(),
    }
}

/// Draws `lines` from `scroll` (clamped so the last page stays full).
fn scrolled(frame: &mut Frame<'_>, area: Rect, lines: Vec<Line<'static>>, scroll: usize) {
    let height = usize::from(area.height);
    let start = scroll.min(lines.len().saturating_sub(height));
    let shown: Vec<Line<'static>> = lines.into_iter().skip(start).take(height).collect();
    frame.render_widget(Paragraph::new(shown), area);
}
