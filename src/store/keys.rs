//! Key encodings for the index trees, so that sled's byte order is the order we page in.

use chrono::{DateTime, Utc};

/// 8 bytes that sort newest first: the inverted, sign-flipped millisecond timestamp.
pub fn time_prefix(t: DateTime<Utc>) -> [u8; 8] {
    let ordered = (t.timestamp_millis() as u64) ^ (1 << 63);
    (!ordered).to_be_bytes()
}

/// `by_time` key: time prefix then item id.
pub fn by_time(t: DateTime<Utc>, id: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(8 + id.len());
    key.extend_from_slice(&time_prefix(t));
    key.extend_from_slice(id.as_bytes());
    key
}

/// `by_source` key: source id, NUL, time prefix, item id.
pub fn by_source(source: &str, t: DateTime<Utc>, id: &str) -> Vec<u8> {
    let mut key = source_prefix(source);
    key.extend_from_slice(&time_prefix(t));
    key.extend_from_slice(id.as_bytes());
    key
}

/// The prefix of all `by_source` (and `by_key`) keys of one source.
pub fn source_prefix(source: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(source.len() + 1 + 8 + 16);
    key.extend_from_slice(source.as_bytes());
    key.push(0);
    key
}

/// `by_key` key: source id, NUL, dedup key.
pub fn by_key(source: &str, dedup_key: &str) -> Vec<u8> {
    let mut key = source_prefix(source);
    key.extend_from_slice(dedup_key.as_bytes());
    key
}

/// The prefix of all `tag_overrides` keys of one item: item id, NUL.
pub fn tag_override_prefix(item_id: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(item_id.len() + 1 + 8);
    key.extend_from_slice(item_id.as_bytes());
    key.push(0);
    key
}

/// `tag_overrides` key: item id, NUL, the 8-byte big-endian sequence that keeps the log in
/// the order it was written.
pub fn tag_override(item_id: &str, sequence: u64) -> Vec<u8> {
    let mut key = tag_override_prefix(item_id);
    key.extend_from_slice(&sequence.to_be_bytes());
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn newer_sorts_first_including_before_1970() {
        let old = Utc.with_ymd_and_hms(1960, 1, 1, 0, 0, 0).unwrap();
        let mid = Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap();
        let new = Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).unwrap();
        assert!(time_prefix(new) < time_prefix(mid));
        assert!(time_prefix(mid) < time_prefix(old));
    }
}
