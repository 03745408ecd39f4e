//! The help overlay: every key of the key table the session's role may use, grouped by where it
//! applies, and what the list's marks mean. Built from `keys::KEYS`, the same table the key
//! handling uses.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::access::Role;
use crate::tui::Lang;
use crate::tui::app::App;
use crate::tui::i18n::T;
use crate::tui::keys::{Binding, Ctx, KEYS};
use crate::tui::safe;
use crate::tui::theme::Theme;

const KEY_COLUMN: usize = 18;

/// The help text's lines for `role` (keys it may not use are left out).
pub fn lines(lang: Lang, theme: Theme, role: Role, _width: u16) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let mut last: Option<T> = None;
    let usable: Vec<&Binding> = KEYS.iter().filter(|b| role.may(b.act.needs())).collect();
    // Bindings next to each other that do the same thing under the same heading (Ctrl-C and q
    // both quit) share one line, so the first page of help holds more.
    let mut i = 0;
    while let Some(b) = usable.get(i) {
        let same = usable[i..]
            .iter()
            .take_while(|o| o.ctx.title() == b.ctx.title() && o.help == b.help)
            .count();
        let group = &usable[i..i + same.max(1)];
        i += same.max(1);
        let title = b.ctx.title();
        if last != Some(title) {
            if last.is_some() {
                out.push(Line::raw(""));
            }
            out.push(Line::styled(title.get(lang).to_string(), theme.heading()));
            last = Some(title);
        }
        let keys: Vec<String> = group
            .iter()
            .flat_map(|g| g.keys.iter().map(|k| k.label()))
            .collect();
        let keys = if b.ctx == Ctx::Menu && keys.len() == 4 && keys[0] == "1" {
            "1–4".to_string()
        } else if keys.len() == 5 && keys[0] == "1" {
            "1–5".to_string()
        } else {
            keys.join(" ")
        };
        out.push(Line::from(vec![
            Span::styled(format!("  {}", safe::fit(&keys, KEY_COLUMN)), theme.key()),
            Span::raw(b.help.get(lang).to_string()),
        ]));
    }
    out.push(Line::raw(""));
    out.push(Line::styled(
        T::Marks.get(lang).to_string(),
        theme.heading(),
    ));
    let marks = [
        ("●", T::MarkNew),
        ("◆", T::MarkLocal),
        ("✓", T::MarkAcked),
        ("★", T::MarkBriefing),
        ("B H A", T::MarkStatus),
        ("", T::MarkFaded),
    ];
    for (mark, text) in marks {
        let mark = if lang == Lang::En && mark == "B H A" {
            "W H D"
        } else {
            mark
        };
        out.push(Line::from(vec![
            Span::styled(format!("  {}", safe::fit(mark, KEY_COLUMN)), theme.key()),
            Span::raw(text.get(lang).to_string()),
        ]));
    }
    out
}

/// Draws the help overlay over `area`, from line `scroll`.
pub fn help(frame: &mut Frame<'_>, area: Rect, app: &App, scroll: usize) {
    let lang = app.lang();
    let rect = Rect::new(
        area.x,
        area.y + 1.min(area.height),
        area.width,
        area.height.saturating_sub(2),
    );
    if rect.height < 3 || rect.width < 10 {
        return;
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.border())
        .title(format!(" {} ", T::Keys.get(lang)))
        .title_bottom(format!(" {} ", T::HelpClose.get(lang)));
    let inner = block.inner(rect);
    let lines = lines(lang, app.theme, app.role(), area.width);
    let height = usize::from(inner.height);
    let start = scroll.min(lines.len().saturating_sub(height));
    let shown: Vec<Line<'static>> = lines.into_iter().skip(start).take(height).collect();
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(shown).block(block), rect);
}
