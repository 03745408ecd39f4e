//! Output formatting shared by the commands: times in Europe/Stockholm, item lines, reports.

use chrono::{DateTime, Utc};

use crate::health::PollStatus;
use crate::item::{Item, Lifecycle, Severity};
/// A message for the terminal, cleaned here as well as at ingest.
pub use crate::normalise::text::sanitize_message as safe;
use crate::poll::{SourceReport, Totals};
use crate::tags::{EffectiveTag, Evidence};
pub use crate::time::local_time;

/// How a tag a person added (or confirmed) is marked in listings: `#fokus/kris✎`.
pub const MANUAL_MARK: &str = "✎";

/// JSON for the terminal or a pipe: serde_json leaves C1 controls, bidi and zero-width
/// characters raw inside strings; they are written as `\uXXXX` escapes instead (still the same
/// JSON value), so no field (an ETag, say) can drive the terminal.
pub fn json_safe(json: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        let code = u32::from(c);
        let unsafe_char = (0x80..=0x9f).contains(&code)
            || matches!(code, 0x061c | 0x200b..=0x200f | 0x2028..=0x202e | 0x2060..=0x2069 | 0xfeff);
        if unsafe_char {
            let _ = write!(out, "\\u{code:04x}");
        } else {
            out.push(c);
        }
    }
    out
}

/// One line per item: local time, severity (as raised by rules), source, markers, title, then
/// the item's tags (text is already sanitised by `normalise`). A drill is marked before
/// anything else on the line, so it never reads as the real thing; cancelled and expired alerts
/// say so.
pub fn item_line(item: &Item, tags: &[EffectiveTag], now: DateTime<Utc>) -> String {
    let date_note = if item.date_is_first_seen() { "*" } else { " " };
    let mut markers = String::new();
    if item.is_exercise() {
        markers.push_str("[ÖVNING] ");
    }
    match item.lifecycle(now) {
        Some(Lifecycle::Cancelled) => markers.push_str("[UPPHÄVD] "),
        Some(Lifecycle::Expired) => markers.push_str("[UTGÅNGEN] "),
        Some(Lifecycle::Active) | None => {}
    }
    let mut notes = String::new();
    if let Some(alert) = &item.alert
        && alert.history.len() > 1
    {
        notes.push_str(&format!(" ({} meddelanden)", alert.history.len()));
    }
    if item.sightings.len() > 1 {
        notes.push_str(&format!(" (+{} källor)", item.sightings.len() - 1));
    }
    if let Some(local) = &item.local {
        notes.push_str(&format!(" [lokal: {}]", local.place));
    }
    if !tags.is_empty() {
        notes.push_str("  ");
        notes.push_str(&tag_list(tags));
    }
    format!(
        "{}{date_note} {:<7} {:<18} {markers}{}{notes}",
        local_time(item.published),
        severity_label(item.effective_severity()),
        truncate(&item.source, 18),
        item.title
    )
}

/// Tags as one compact, terminal-safe string: `#fokus/brott #plats/farsta #fokus/kris✎`, a
/// manual tag marked with [`MANUAL_MARK`].
pub fn tag_list(tags: &[EffectiveTag]) -> String {
    let words: Vec<String> = tags
        .iter()
        .map(|t| {
            let mark = if t.manual { MANUAL_MARK } else { "" };
            format!("#{}{mark}", safe(&t.tag))
        })
        .collect();
    words.join(" ")
}

/// One line of rule evidence, indented by `indent`: weight, term, field, the text it matched
/// and how often (`+3  *brand*  title "skolbranden" ×2`). Terms come from rule files and text
/// from feeds, so each is cleaned for the terminal; a long term (a `near` with many
/// alternatives) is shortened, the JSON output has it whole.
pub fn evidence_line(e: &Evidence, indent: usize) -> String {
    let count = if e.count > 1 {
        format!(" ×{}", e.count)
    } else {
        String::new()
    };
    format!(
        "{:indent$}{:>+4}  {}  {} \"{}\"{count}",
        "",
        e.weight,
        truncate(&safe(&e.term), 60),
        safe(&e.field),
        safe(&e.text)
    )
}

/// The Swedish severity label of the common scale.
pub fn severity_label(severity: Option<Severity>) -> &'static str {
    match severity {
        Some(Severity::Critical) => "KRITISK",
        Some(Severity::High) => "hög",
        Some(Severity::Medium) => "medel",
        Some(Severity::Low) => "låg",
        Some(Severity::Info) => "info",
        None => "-",
    }
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
        line.push_str(if r.status == PollStatus::Deferred {
            "  "
        } else {
            "  error: "
        });
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_safe_escapes_c1_and_bidi_but_keeps_the_value() {
        let value = serde_json::json!({ "etag": "W/\"\u{9b}2J\u{202e}\"", "t": "Södermalm" });
        let text = json_safe(&serde_json::to_string(&value).unwrap());
        assert!(
            !text.contains('\u{9b}') && !text.contains('\u{202e}'),
            "{text}"
        );
        assert!(text.contains("Södermalm"));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }
}
