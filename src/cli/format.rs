//! Output formatting shared by the commands: times in Europe/Stockholm, item lines, reports.

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Stockholm;

use crate::item::Item;
use crate::poll::{SourceReport, Totals};

/// A UTC time as Stockholm local time, `2026-11-25 11:00`.
pub fn local_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Stockholm)
        .format("%Y-%m-%d %H:%M")
        .to_string()
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
        r.status,
        r.seen,
        r.new,
        r.updated
    );
    if let Some(e) = &r.error {
        line.push_str("  error: ");
        line.push_str(e);
    }
    for w in &r.warnings {
        line.push_str("\n    warning: ");
        line.push_str(w);
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
