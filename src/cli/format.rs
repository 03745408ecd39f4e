//! Output formatting shared by the commands: times in Europe/Stockholm, item lines, reports.

use crate::item::Item;
use crate::normalise::text::sanitize_line;
use crate::poll::{SourceReport, Totals};
pub use crate::time::local_time;

/// Longest message printed on one line.
const MESSAGE_CHARS: usize = 2_000;

/// A message for the terminal: errors can quote feed text, file names or config values, so
/// control and bidi characters are removed here as well as at ingest.
pub fn safe(message: &str) -> String {
    sanitize_line(message, MESSAGE_CHARS)
}

/// One line per item: local time, source, title (text is already sanitised by `normalise`).
pub fn item_line(item: &Item) -> String {
    let date_note = if item.date_is_first_seen() { "*" } else { " " };
    let sightings = if item.sightings.len() > 1 {
        format!(" (+{} källor)", item.sightings.len() - 1)
    } else {
        String::new()
    };
    format!(
        "{}{date_note} {:<18} {}{sightings}",
        local_time(item.published),
        truncate(&item.source, 18),
        item.title
    )
}

/// One line per polled source.
pub fn report_line(r: &SourceReport) -> String {
    let mut line = format!(
        "{:<24} {:<12} seen {:>4}  new {:>4}  updated {:>4}",
        truncate(&r.id, 24),
        r.status.as_str(),
        r.seen,
        r.new,
        r.updated
    );
    if let Some(e) = &r.error {
        line.push_str("  error: ");
        line.push_str(&safe(e));
    }
    for w in &r.warnings {
        line.push_str("\n    warning: ");
        line.push_str(&safe(w));
    }
    line
}

/// The totals line.
pub fn totals_line(t: &Totals) -> String {
    format!(
        "total: seen {}, new {}, updated {}, sources with errors {}",
        t.seen, t.new, t.updated, t.errors
    )
}

/// Cuts a string to at most `max` characters.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}
