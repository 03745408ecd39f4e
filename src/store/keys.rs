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

/// The prefix of all keys of one item in a per-item log (`tag_overrides`, `decisions`): item
/// id, NUL.
pub fn item_log_prefix(item_id: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(item_id.len() + 1 + 8);
    key.extend_from_slice(item_id.as_bytes());
    key.push(0);
    key
}

/// A per-item log key: item id, NUL, the 8-byte big-endian sequence (sled's `generate_id`) that
/// keeps the log in the order it was written.
pub fn item_log(item_id: &str, sequence: u64) -> Vec<u8> {
    let mut key = item_log_prefix(item_id);
    key.extend_from_slice(&sequence.to_be_bytes());
    key
}

/// The item id of a per-item log key, `None` when the key is not one [`item_log`] made.
pub fn item_log_id(key: &[u8]) -> Option<&str> {
    let end = key.len().checked_sub(9)?;
    if key[end] != 0 {
        return None;
    }
    std::str::from_utf8(&key[..end]).ok()
}

/// The day (UTC) of a time as 4 bytes that sort newest first, like [`time_prefix`].
pub fn day_prefix(t: DateTime<Utc>) -> [u8; 4] {
    let day = t.timestamp().div_euclid(86_400);
    let day = i32::try_from(day).unwrap_or(if day < 0 { i32::MIN } else { i32::MAX });
    let ordered = (day as u32) ^ (1 << 31);
    (!ordered).to_be_bytes()
}

/// `search` key: folded word, NUL, the 12 bytes of the largest posting entry the segment may
/// hold (its newest-first day, then an item id). Folded words hold no NUL, so the prefix of one
/// word's keys is the word and the NUL.
pub fn search(word: &str, bound: u128) -> Vec<u8> {
    let mut key = search_word(word);
    key.extend_from_slice(&bound.to_be_bytes()[4..]);
    key
}

/// The prefix of one word's `search` keys: the word, NUL.
pub fn search_word(word: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(word.len() + 1 + 12);
    key.extend_from_slice(word.as_bytes());
    key.push(0);
    key
}

/// `shift_log` key: the 8-byte big-endian sequence, so the log sorts in the order written.
pub fn sequence(sequence: u64) -> [u8; 8] {
    sequence.to_be_bytes()
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
        assert!(day_prefix(new) < day_prefix(mid));
        assert!(day_prefix(mid) < day_prefix(old));
    }

    #[test]
    fn a_day_is_one_prefix_from_midnight_to_midnight_utc() {
        let morning = Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).unwrap();
        let night = Utc.with_ymd_and_hms(2026, 11, 25, 23, 59, 59).unwrap();
        let next = Utc.with_ymd_and_hms(2026, 11, 26, 0, 0, 0).unwrap();
        assert_eq!(day_prefix(morning), day_prefix(night));
        assert_ne!(day_prefix(night), day_prefix(next));
    }

    #[test]
    fn a_log_key_gives_back_its_item_id() {
        let key = item_log("00ff00ff00ff00ff", 7);
        assert_eq!(item_log_id(&key), Some("00ff00ff00ff00ff"));
        assert!(key.starts_with(&item_log_prefix("00ff00ff00ff00ff")));
        assert_eq!(item_log_id(b"short"), None);
        assert_eq!(item_log_id(b"00ff00ff00ff00ffX12345678"), None);
    }
}
