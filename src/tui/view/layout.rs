//! Where each part of the screen goes, for a given terminal size. The app uses the same
//! function to know how many rows a page has, so paging and drawing always agree.

use ratatui::layout::Rect;

/// Rows the overview takes.
pub const OVERVIEW_ROWS: u16 = 4;
/// The smallest height that still shows the overview above the list.
const OVERVIEW_MIN_HEIGHT: u16 = 18;
/// The smallest width that still shows the overview.
const OVERVIEW_MIN_WIDTH: u16 = 60;

/// The parts of the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    /// The header row.
    pub header: Rect,
    /// The critical banner, when there is one and room for it.
    pub banner: Option<Rect>,
    /// The overview, on the main screen when there is room.
    pub overview: Option<Rect>,
    /// The screen's body (list, detail, sources, log).
    pub body: Rect,
    /// The status line.
    pub status: Rect,
}

/// The areas for a terminal of `size` (columns, rows); `banner` when a critical item waits,
/// `overview` on the main screen. Never panics, however small the terminal.
pub fn areas(size: (u16, u16), banner: bool, overview: bool) -> Areas {
    let (w, h) = size;
    let row = |y: u16, height: u16| Rect::new(0, y.min(h), w, height.min(h.saturating_sub(y)));
    let header = row(0, 1);
    let status = if h >= 2 { row(h - 1, 1) } else { row(h, 0) };
    let mut top = header.height;
    let bottom = status.y.min(h);
    let banner = (banner && h >= 5).then(|| {
        let r = row(top, 1);
        top += 1;
        r
    });
    let overview = (overview && h >= OVERVIEW_MIN_HEIGHT && w >= OVERVIEW_MIN_WIDTH).then(|| {
        let r = row(top, OVERVIEW_ROWS);
        top += OVERVIEW_ROWS;
        r
    });
    let body = row(top, bottom.saturating_sub(top));
    Areas {
        header,
        banner,
        overview,
        body,
        status,
    }
}

/// A rectangle of at most `w` × `h` centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parts_fill_80_by_24_without_overlap() {
        let a = areas((80, 24), true, true);
        assert_eq!(a.header, Rect::new(0, 0, 80, 1));
        assert_eq!(a.banner, Some(Rect::new(0, 1, 80, 1)));
        assert_eq!(a.overview, Some(Rect::new(0, 2, 80, 4)));
        assert_eq!(a.body, Rect::new(0, 6, 80, 17));
        assert_eq!(a.status, Rect::new(0, 23, 80, 1));
    }

    #[test]
    fn tiny_terminals_get_what_fits() {
        for (w, h) in [(0, 0), (1, 1), (20, 2), (20, 5), (10, 3)] {
            let a = areas((w, h), true, true);
            assert!(
                a.body.bottom() <= h && a.status.bottom() <= h,
                "{w}x{h}: {a:?}"
            );
            assert_eq!(a.overview, None);
        }
    }
}
