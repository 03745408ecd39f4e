//! Item summaries: what the dashboard's in-memory index keeps of an item, stored as the value of
//! the item's `by_time` entry so that one scan of `by_time` loads a million items without
//! decoding a million JSON records.
//!
//! The encoding is a small binary record, not JSON, because it is read in bulk at start-up:
//! a format-version byte, a flags byte, the severity, times as big-endian milliseconds, then
//! length-prefixed strings. Decoding checks every length and never panics: a bad record is
//! [`StoreError::Corrupt`]. [`ItemSummary::of`] is the one place a summary is made from an item.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, keys};
use crate::item::{Item, Severity};

/// The format version written as the first byte of every summary.
const FORMAT: u8 = 1;

const LOCAL: u8 = 1;
const EXERCISE: u8 = 1 << 1;
const CANCELLED: u8 = 1 << 2;
const EXPIRES: u8 = 1 << 3;
const KNOWN_FLAGS: u8 = LOCAL | EXERCISE | CANCELLED | EXPIRES;

/// What the dashboard's in-memory index keeps of an item, stored as the value of its `by_time`
/// entry so that one scan of `by_time` loads the index without decoding items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemSummary {
    /// The item's id (16 hex digits).
    pub id: String,
    /// Publication time.
    pub published: DateTime<Utc>,
    /// When `lage` first stored it.
    pub first_seen: DateTime<Utc>,
    /// The effective severity (the source's, raised by rules).
    pub severity: Option<Severity>,
    /// The sources that served it: the first (owner) first, then further sightings.
    pub sources: Vec<String>,
    /// The rules' tags (manual overrides are applied by the index from their own log).
    pub tags: Vec<String>,
    /// Whether it touches the area of interest.
    pub local: bool,
    /// Whether it is a drill or test message.
    pub exercise: bool,
    /// Whether the alert was cancelled.
    pub cancelled: bool,
    /// When the alert expires, if it does.
    pub expires: Option<DateTime<Utc>>,
}

impl ItemSummary {
    /// The summary of an item as it is stored now.
    pub fn of(item: &Item) -> ItemSummary {
        let mut sources = vec![item.source.clone()];
        for s in &item.sightings {
            if !sources.contains(&s.source) {
                sources.push(s.source.clone());
            }
        }
        ItemSummary {
            id: item.id.clone(),
            published: item.published,
            first_seen: item.first_seen,
            severity: item.effective_severity(),
            sources,
            tags: item.tagging.tags.clone(),
            local: item.local.is_some(),
            exercise: item.is_exercise(),
            cancelled: item.alert.as_ref().is_some_and(|a| a.msg_type.ends_alert()),
            expires: item.alert.as_ref().and_then(|a| a.expires),
        }
    }

    /// The stored form. Strings and lists longer than a length prefix can say are cut (no
    /// source id or tag comes near 64 KiB), so encoding cannot fail.
    pub fn encode(&self) -> Vec<u8> {
        let strings = self.sources.iter().chain(&self.tags).map(String::len);
        let mut out =
            Vec::with_capacity(27 + 1 + self.id.len() + 4 + strings.map(|n| n + 2).sum::<usize>());
        let flags = [
            (self.local, LOCAL),
            (self.exercise, EXERCISE),
            (self.cancelled, CANCELLED),
            (self.expires.is_some(), EXPIRES),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .fold(0, |flags, (_, bit)| flags | bit);
        out.extend_from_slice(&[FORMAT, flags, severity_code(self.severity)]);
        out.extend_from_slice(&self.published.timestamp_millis().to_be_bytes());
        out.extend_from_slice(&self.first_seen.timestamp_millis().to_be_bytes());
        if let Some(expires) = self.expires {
            out.extend_from_slice(&expires.timestamp_millis().to_be_bytes());
        }
        let id = clip(&self.id, usize::from(u8::MAX));
        out.push(id.len() as u8);
        out.extend_from_slice(id.as_bytes());
        for list in [&self.sources, &self.tags] {
            let count = list.len().min(usize::from(u16::MAX));
            out.extend_from_slice(&(count as u16).to_be_bytes());
            for s in &list[..count] {
                let s = clip(s, usize::from(u16::MAX));
                out.extend_from_slice(&(s.len() as u16).to_be_bytes());
                out.extend_from_slice(s.as_bytes());
            }
        }
        out
    }

    /// Reads a summary written by [`ItemSummary::encode`]; any malformed record (short, with
    /// trailing bytes, an unknown version, flag or severity, a bad time or bad UTF-8) is an
    /// error, never a panic.
    pub fn decode(bytes: &[u8]) -> Result<ItemSummary, StoreError> {
        let mut r = Reader { bytes };
        let version = r.u8()?;
        if version != FORMAT {
            return Err(corrupt(format!(
                "summary format {version}, this lage reads format {FORMAT}"
            )));
        }
        let flags = r.u8()?;
        if flags & !KNOWN_FLAGS != 0 {
            return Err(corrupt(format!("unknown summary flags {flags:#04x}")));
        }
        let severity = severity_from(r.u8()?)?;
        let published = r.time()?;
        let first_seen = r.time()?;
        let expires = if flags & EXPIRES != 0 {
            Some(r.time()?)
        } else {
            None
        };
        let id_len = usize::from(r.u8()?);
        let id = r.str(id_len)?;
        let sources = r.strings()?;
        let tags = r.strings()?;
        if !r.bytes.is_empty() {
            return Err(corrupt(format!(
                "{} bytes after the end of a summary",
                r.bytes.len()
            )));
        }
        Ok(ItemSummary {
            id,
            published,
            first_seen,
            severity,
            sources,
            tags,
            local: flags & LOCAL != 0,
            exercise: flags & EXERCISE != 0,
            cancelled: flags & CANCELLED != 0,
            expires,
        })
    }
}

impl Store {
    /// Every item's summary, newest first (one scan of `by_time`).
    pub fn summaries(&self) -> Box<dyn Iterator<Item = Result<ItemSummary, StoreError>> + '_> {
        Box::new(
            self.trees
                .by_time
                .iter()
                .filter_map(move |entry| self.summary_entry(entry).transpose()),
        )
    }

    /// The summaries of items published in `[from, to)`, newest first (a range of `by_time`).
    pub fn summaries_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Iterator<Item = Result<ItemSummary, StoreError>> + '_ {
        // Keys sort newest first: the range runs from just before `to` down to `from`.
        let start = keys::time_prefix(to - chrono::Duration::milliseconds(1));
        let end = keys::time_prefix(from - chrono::Duration::milliseconds(1));
        self.trees
            .by_time
            .range(start..end)
            .filter_map(move |entry| self.summary_entry(entry).transpose())
    }

    /// The summary in one `by_time` entry. An entry as an older lage wrote it (migration fills
    /// these in on open, but an old binary may have run since) is built from the item, and
    /// skipped when an interrupted older write never stored the item.
    fn summary_entry(
        &self,
        entry: sled::Result<(sled::IVec, sled::IVec)>,
    ) -> Result<Option<ItemSummary>, StoreError> {
        let (key, value) = entry.map_err(|e| self.db_err(e))?;
        if !value.is_empty() {
            return ItemSummary::decode(&value).map(Some);
        }
        let id = key.get(8..).and_then(|id| std::str::from_utf8(id).ok());
        let id = id.ok_or_else(|| corrupt("a by_time key without an item id".into()))?;
        Ok(self.item(id)?.map(|i| ItemSummary::of(&i)))
    }

    /// One item's summary, made from the stored item (so it is current even while its `by_time`
    /// entry is being rewritten); `None` when no item has this id.
    pub fn summary(&self, id: &str) -> Result<Option<ItemSummary>, StoreError> {
        Ok(self.item(id)?.map(|item| ItemSummary::of(&item)))
    }
}

fn corrupt(message: String) -> StoreError {
    StoreError::Corrupt {
        tree: "by_time",
        message,
    }
}

fn severity_code(severity: Option<Severity>) -> u8 {
    match severity {
        None => 0,
        Some(Severity::Info) => 1,
        Some(Severity::Low) => 2,
        Some(Severity::Medium) => 3,
        Some(Severity::High) => 4,
        Some(Severity::Critical) => 5,
    }
}

fn severity_from(code: u8) -> Result<Option<Severity>, StoreError> {
    Ok(match code {
        0 => None,
        1 => Some(Severity::Info),
        2 => Some(Severity::Low),
        3 => Some(Severity::Medium),
        4 => Some(Severity::High),
        5 => Some(Severity::Critical),
        _ => return Err(corrupt(format!("unknown severity code {code}"))),
    })
}

/// The longest prefix of `s` within `max` bytes that ends on a character boundary.
fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Reads a record front to back; every read checks the length left.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], StoreError> {
        if self.bytes.len() < n {
            return Err(corrupt(format!(
                "summary cut short: {n} bytes wanted, {} left",
                self.bytes.len()
            )));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, StoreError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, StoreError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn time(&mut self) -> Result<DateTime<Utc>, StoreError> {
        let mut b = [0; 8];
        b.copy_from_slice(self.take(8)?);
        let ms = i64::from_be_bytes(b);
        DateTime::from_timestamp_millis(ms)
            .ok_or_else(|| corrupt(format!("time out of range: {ms} ms")))
    }

    fn str(&mut self, len: usize) -> Result<String, StoreError> {
        let b = self.take(len)?;
        std::str::from_utf8(b)
            .map(str::to_string)
            .map_err(|e| corrupt(format!("a summary string is not UTF-8: {e}")))
    }

    fn strings(&mut self) -> Result<Vec<String>, StoreError> {
        let count = usize::from(self.u16()?);
        // Each string takes at least its 2-byte length: a count the record cannot hold is
        // refused before anything is allocated for it.
        if count * 2 > self.bytes.len() {
            return Err(corrupt(format!(
                "summary lists {count} strings in {} bytes",
                self.bytes.len()
            )));
        }
        let mut out = Vec::with_capacity(count);
        for _ in 0..count {
            let len = usize::from(self.u16()?);
            out.push(self.str(len)?);
        }
        Ok(out)
    }
}
