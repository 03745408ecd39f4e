//! One item's row in the index: 32 bytes holding everything a filter or a count looks at, so a
//! scan of a million items reads 32 MB sequentially and never touches a string.
//!
//! Times are whole seconds since 1970 as `u32` (good until 2106); a date outside that range is
//! clamped to its ends, which only matters for the order of items with impossible dates.

use chrono::{DateTime, Utc};

use crate::item::Severity;

/// Someone acknowledged the item.
pub(super) const ACKED: u8 = 1 << 0;
/// The latest briefing decision includes it.
pub(super) const BRIEFING: u8 = 1 << 1;
/// It has at least one annotation.
pub(super) const ANNOTATED: u8 = 1 << 2;
/// It touches the area of interest.
pub(super) const LOCAL: u8 = 1 << 3;
/// A drill or test message.
pub(super) const EXERCISE: u8 = 1 << 4;
/// The alert was cancelled.
pub(super) const CANCELLED: u8 = 1 << 5;
/// It carries tags beyond the 64 with bits (see `ItemIndex::extra_tags`).
pub(super) const EXTRA_TAGS: u8 = 1 << 6;
/// More than one source served it, or its source has no `u16` number (`extra_sources`).
pub(super) const EXTRA_SOURCES: u8 = 1 << 7;
/// The flags people's decisions set, kept when the pipeline replaces a row.
pub(super) const DECIDED: u8 = ACKED | BRIEFING | ANNOTATED;

/// `Row::source` when the first source's number does not fit in a `u16`.
pub(super) const NO_SOURCE: u16 = u16::MAX;

/// Tags with a bit in `Row::tags`: the first 64 interned.
pub(super) const TAG_BITS: u32 = 64;

/// An item as the index keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Row {
    /// The item id as a number (`item::id_number`).
    pub id: u64,
    /// Bit `n` set when the item carries interned tag `n` (< 64), overrides applied.
    pub tags: u64,
    /// Publication, seconds since 1970.
    pub published: u32,
    /// First stored, seconds since 1970.
    pub first_seen: u32,
    /// Alert end, seconds since 1970; 0 when it has none.
    pub expires: u32,
    /// The interned first source, or [`NO_SOURCE`].
    pub source: u16,
    /// Severity code in bits 0–2, status code in bits 3–4.
    grade: u8,
    /// The flag bits above.
    pub flags: u8,
}

const _: () = assert!(std::mem::size_of::<Row>() == 32);

impl Row {
    /// A row with no tags, source, severity or flags.
    pub fn new(id: u64, published: u32, first_seen: u32, expires: u32) -> Row {
        Row {
            id,
            tags: 0,
            published,
            first_seen,
            expires,
            source: NO_SOURCE,
            grade: 0,
            flags: 0,
        }
    }

    /// The order of rows: oldest first, ties by id.
    pub fn key(&self) -> (u32, u64) {
        (self.published, self.id)
    }

    /// The severity code ([`severity_code`]).
    pub fn severity(&self) -> u8 {
        self.grade & 0b111
    }

    /// Sets the severity code.
    pub fn set_severity(&mut self, code: u8) {
        self.grade = (self.grade & !0b111) | (code & 0b111);
    }

    /// The status code (`Status::code`).
    pub fn status(&self) -> u8 {
        self.grade >> 3
    }

    /// Sets the status code.
    pub fn set_status(&mut self, code: u8) {
        self.grade = (self.grade & 0b111) | ((code & 0b11) << 3);
    }

    /// Whether a flag is set.
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    /// Sets or clears a flag.
    pub fn set(&mut self, flag: u8, on: bool) {
        if on {
            self.flags |= flag;
        } else {
            self.flags &= !flag;
        }
    }

    /// Whether the alert has expired at `now` (seconds), as `Alert::lifecycle` judges it.
    pub fn expired(&self, now: i64) -> bool {
        self.expires != 0 && i64::from(self.expires) <= now
    }

    /// Whether the alert is over at `now`: cancelled or expired.
    pub fn ended(&self, now: i64) -> bool {
        self.has(CANCELLED) || self.expired(now)
    }
}

/// A time as row seconds, clamped to what a `u32` holds.
pub(super) fn secs(t: DateTime<Utc>) -> u32 {
    u32::try_from(t.timestamp().clamp(0, i64::from(u32::MAX))).unwrap_or(u32::MAX)
}

/// Severity as a code that orders like `Severity`: 0 for none, 1 (info) to 5 (critical).
pub(super) fn severity_code(severity: Option<Severity>) -> u8 {
    match severity {
        None => 0,
        Some(Severity::Info) => 1,
        Some(Severity::Low) => 2,
        Some(Severity::Medium) => 3,
        Some(Severity::High) => 4,
        Some(Severity::Critical) => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_and_status_share_a_byte_without_disturbing_each_other() {
        let mut row = Row::new(1, 0, 0, 0);
        row.set_severity(severity_code(Some(Severity::Critical)));
        row.set_status(3);
        assert_eq!(row.severity(), 5);
        assert_eq!(row.status(), 3);
        row.set_severity(1);
        assert_eq!(row.status(), 3);
        row.set_status(0);
        assert_eq!(row.severity(), 1);
    }

    #[test]
    fn times_outside_the_u32_range_are_clamped() {
        let before = DateTime::<Utc>::from_timestamp(-5, 0).expect("time");
        let after = DateTime::<Utc>::from_timestamp(1 << 40, 0).expect("time");
        assert_eq!(secs(before), 0);
        assert_eq!(secs(after), u32::MAX);
    }
}
