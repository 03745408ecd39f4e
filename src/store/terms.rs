//! What an item is indexed under: its day and the distinct folded words of its title, summary,
//! body, categories and areas, and the `search_pending` record of the terms an item had before a
//! change that is not yet indexed.

use std::collections::HashSet;

use super::keys;
use crate::item::Item;
use crate::rules::fold::fold_append;

/// The longest indexed word, in bytes; longer words are indexed (and searched) by their start.
pub const MAX_WORD: usize = 32;

/// The shortest indexed word, in characters: single letters would be in every posting.
const MIN_CHARS: usize = 2;

/// An item's index terms at one moment: its day and its distinct folded words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Terms {
    /// The newest-first day of the item's publication (`keys::day_prefix`).
    pub(super) day: [u8; 4],
    /// The distinct words, sorted.
    pub(super) words: Vec<String>,
}

impl Terms {
    /// The terms of an item as it is now.
    pub(super) fn of(item: &Item) -> Terms {
        let mut folded = String::new();
        let texts = [&item.title, &item.summary, &item.body]
            .into_iter()
            .chain(&item.categories)
            .chain(&item.areas);
        for text in texts {
            folded.push(' ');
            fold_append(text, &mut folded);
        }
        let mut words: Vec<&str> = folded
            .split(' ')
            .filter_map(index_word)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        words.sort_unstable();
        Terms {
            day: keys::day_prefix(item.published),
            words: words.into_iter().map(str::to_string).collect(),
        }
    }

    /// Appends the terms to a `search_pending` value: day, word bytes' length, the words
    /// separated by spaces (folded words hold none).
    fn encode_into(&self, out: &mut Vec<u8>) {
        let joined = self.words.join(" ");
        out.extend_from_slice(&self.day);
        out.extend_from_slice(&(joined.len() as u32).to_be_bytes());
        out.extend_from_slice(joined.as_bytes());
    }

    /// Every group of terms in a `search_pending` value; `None` when it is malformed.
    fn decode_all(mut bytes: &[u8]) -> Option<Vec<Terms>> {
        let mut out = Vec::new();
        while !bytes.is_empty() {
            let day: [u8; 4] = bytes.get(..4)?.try_into().ok()?;
            let len: [u8; 4] = bytes.get(4..8)?.try_into().ok()?;
            let end = 8usize.checked_add(usize::try_from(u32::from_be_bytes(len)).ok()?)?;
            let words = std::str::from_utf8(bytes.get(8..end)?).ok()?;
            out.push(Terms {
                day,
                words: words
                    .split(' ')
                    .filter(|w| !w.is_empty())
                    .map(str::to_string)
                    .collect(),
            });
            bytes = &bytes[end..];
        }
        Some(out)
    }
}

/// The terms in a `search_pending` value. A malformed value (never written by this module) is
/// logged and read as no terms: the item's old words may then stay in postings, a wrong hit
/// at worst, while refusing it would stop every later write.
pub(super) fn decode_pending(value: &[u8]) -> Vec<Terms> {
    Terms::decode_all(value).unwrap_or_else(|| {
        tracing::warn!("search_pending: an unreadable entry; the item's old words stay indexed");
        Vec::new()
    })
}

/// A folded word as indexed: cut to [`MAX_WORD`] bytes, `None` when too short to index.
pub(super) fn index_word(word: &str) -> Option<&str> {
    let word = clip(word, MAX_WORD);
    (word.chars().nth(MIN_CHARS - 1).is_some()).then_some(word)
}

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

/// Whether an item's indexed text or day differs between two versions.
pub(super) fn text_changed(before: &Item, after: &Item) -> bool {
    before.title != after.title
        || before.summary != after.summary
        || before.body != after.body
        || before.categories != after.categories
        || before.areas != after.areas
        || keys::day_prefix(before.published) != keys::day_prefix(after.published)
}

/// The `search_pending` value for an item about to be written: what was pending for it already
/// (a change not yet reindexed) plus the terms of the version being replaced, so reindexing
/// removes the item from every entry it may have.
pub(super) fn pending_value(existing: Option<&[u8]>, before: Option<&Item>) -> Vec<u8> {
    let mut value = existing.map(<[u8]>::to_vec).unwrap_or_default();
    if let Some(before) = before {
        Terms::of(before).encode_into(&mut value);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_hold_each_word_once_and_read_back_from_pending() {
        let mut item = crate::normalise::normalise(
            crate::item::RawItem {
                title: Some(crate::item::RawText::plain("Brand, brand! I Tensta")),
                body: Some(crate::item::RawText::plain(
                    "Räddningstjänsten släckte branden i ett ordsomärlängreäntrettiotvåbyteslångt",
                )),
                ..crate::item::RawItem::default()
            },
            "s",
            "rss",
            chrono::Utc::now(),
        )
        .item;
        item.categories = vec!["Olycka".into()];
        let terms = Terms::of(&item);
        assert_eq!(terms.words.iter().filter(|w| *w == "brand").count(), 1);
        assert!(terms.words.contains(&"olycka".to_string()));
        assert!(!terms.words.contains(&"i".to_string()));
        assert!(terms.words.iter().all(|w| w.len() <= MAX_WORD));
        let mut value = Vec::new();
        terms.encode_into(&mut value);
        terms.encode_into(&mut value);
        assert_eq!(Terms::decode_all(&value), Some(vec![terms.clone(), terms]));
        assert_eq!(Terms::decode_all(&value[..value.len() - 1]), None);
    }
}
