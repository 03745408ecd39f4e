//! How an item is recognised on the next poll: its dedup key, its id, and the alias keys used
//! when a feed reuses one key for several stories.
//!
//! The key is the guid, else the link, else title and date, else the content hash. Some feeds
//! give every item the same guid (often the site URL), or no guid and the same link (a traffic
//! page). Within one fetch such items get a suffix that tells them apart: the link, else the
//! title, else the content hash. Because which suffix is needed depends on what else
//! the document holds, each item also carries aliases: the other forms its key may have had on
//! an earlier poll, each with the attribute a stored item must share to be this same story.

use std::collections::{HashMap, HashSet};

use xxhash_rust::xxh3::xxh3_64;

use super::Normalised;
use crate::item::{DateOrigin, Item};

/// What a stored item found under an alias must share with the incoming item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// The same link.
    Link,
    /// The same title. Not the date: feeds that share one link across items often restamp
    /// every item on each request, and a suffix with the date would make a new item each time.
    Title,
    /// The same content.
    Content,
    /// An earlier message of the same alert, named in this one's CAP `references`: the same
    /// alert by the publisher's own word.
    Reference,
}

impl Match {
    fn prefix(self) -> &'static str {
        match self {
            Match::Link => "u:",
            Match::Title => "t:",
            Match::Content => "h:",
            Match::Reference => "g:",
        }
    }

    /// Whether `stored` is the same story as `incoming` by this attribute.
    pub fn same_story(self, stored: &Item, incoming: &Item) -> bool {
        match self {
            Match::Link => stored.url.is_some() && stored.url == incoming.url,
            Match::Title => !stored.title.is_empty() && stored.title == incoming.title,
            Match::Content => stored.content_hash == incoming.content_hash,
            Match::Reference => true,
        }
    }
}

/// Another key an earlier poll may have stored the item under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    /// The key.
    pub key: String,
    /// What a stored item found under it must share with this one.
    pub matches: Match,
}

/// The key of an item within its source. Prefixed so the kinds of key never collide.
pub(super) fn dedup_key(item: &Item) -> String {
    if let Some(guid) = &item.guid {
        return format!("g:{guid}");
    }
    if let Some(url) = &item.url {
        return format!("u:{url}");
    }
    if !item.title.is_empty() && item.date_origin != DateOrigin::FirstSeen {
        return format!("t:{}|{}", item.title, item.published.timestamp());
    }
    format!("h:{}", item.content_hash)
}

/// A stable id from the source and key: 16 hex digits (xxh3-64 is a fixed algorithm, so ids
/// survive upgrades).
pub fn item_id(source_id: &str, key: &str) -> String {
    let mut input = Vec::with_capacity(source_id.len() + key.len() + 1);
    input.extend_from_slice(source_id.as_bytes());
    input.push(0);
    input.extend_from_slice(key.as_bytes());
    format!("{:016x}", xxh3_64(&input))
}

/// The suffixes that may tell this item apart from others sharing its key, by kind.
fn suffixes(item: &Item) -> Vec<(Match, String)> {
    let mut out = Vec::with_capacity(3);
    if let Some(url) = &item.url {
        out.push((Match::Link, format!("u:{url}")));
    }
    if !item.title.is_empty() {
        out.push((Match::Title, format!("t:{}", item.title)));
    }
    out.push((Match::Content, format!("h:{}", item.content_hash)));
    out
}

/// Aliases of an item under its plain key: the suffixed forms an earlier fetch may have given
/// it, had other items shared its key then.
/// The keys of the earlier messages an alert message refers to (their guids).
pub(super) fn reference_aliases(references: &[String]) -> Vec<Alias> {
    references
        .iter()
        .map(|r| Alias {
            key: format!("{}{r}", Match::Reference.prefix()),
            matches: Match::Reference,
        })
        .collect()
}

pub(super) fn plain_aliases(key: &str, item: &Item) -> Vec<Alias> {
    suffixes(item)
        .into_iter()
        .map(|(matches, suffix)| Alias {
            key: format!("{key}#{suffix}"),
            matches,
        })
        .collect()
}

/// Gives distinct items that share a key within one fetch keys of their own.
///
/// Identical repeats keep their shared key (the store counts them once). Differing items get
/// the first kind of suffix that separates exactly the ones whose content differs (link,
/// then title, then content hash), ids from the new keys, and aliases: the plain key and
/// the other suffixed forms.
pub fn disambiguate(items: &mut [Normalised]) {
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, n) in items.iter().enumerate() {
        groups.entry(n.key.as_str()).or_default().push(i);
    }
    let clashing: Vec<Vec<usize>> = groups
        .into_values()
        .filter(|idx| {
            idx.len() > 1
                && idx
                    .iter()
                    .any(|&i| items[i].item.content_hash != items[idx[0]].item.content_hash)
        })
        .collect();
    for group in clashing {
        let options: Vec<Vec<(Match, String)>> =
            group.iter().map(|&i| suffixes(&items[i].item)).collect();
        let hashes: HashSet<&str> = group
            .iter()
            .map(|&i| items[i].item.content_hash.as_str())
            .collect();
        let separates = |kind: Match| {
            let mut values = HashSet::new();
            let mut pairs = HashSet::new();
            for (&i, item_options) in group.iter().zip(&options) {
                let Some((_, value)) = item_options.iter().find(|(k, _)| *k == kind) else {
                    return false;
                };
                values.insert(value.as_str());
                pairs.insert((value.as_str(), items[i].item.content_hash.as_str()));
            }
            values.len() == hashes.len() && pairs.len() == hashes.len()
        };
        let kind = [Match::Link, Match::Title]
            .into_iter()
            .find(|k| separates(*k))
            .unwrap_or(Match::Content);
        for (&i, item_options) in group.iter().zip(&options) {
            let n = &mut items[i];
            let base = std::mem::take(&mut n.key);
            let suffix = item_options
                .iter()
                .find(|(k, _)| *k == kind)
                .map(|(_, s)| s.clone())
                .unwrap_or_else(|| format!("{}{}", Match::Content.prefix(), n.item.content_hash));
            n.key = format!("{base}#{suffix}");
            n.key_is_specific = true;
            n.item.id = item_id(&n.item.source, &n.key);
            n.aliases = std::iter::once(Alias {
                key: base.clone(),
                matches: kind,
            })
            .chain(item_options.iter().map(|(matches, s)| Alias {
                key: format!("{base}#{s}"),
                matches: *matches,
            }))
            .filter(|alias| alias.key != n.key)
            .collect();
        }
    }
}
