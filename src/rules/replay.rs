//! Replay: what the rules on disk would change about items already stored, as a difference per
//! tag (added, removed, a few examples).
//!
//! Pure: the caller reads items and their overrides, tags them again, and hands this module each
//! item's *effective* tags before and after (overrides applied to both), so a person's decision
//! never shows as churn and is never undone. Whether to write is the caller's business.

use std::collections::BTreeSet;

use serde::Serialize;

/// Whether an example item gains or loses the tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// The item gains the tag.
    Added,
    /// The item loses the tag.
    Removed,
}

/// One item that gains or loses a tag, to show what a number means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Example {
    /// The item's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Gains or loses the tag.
    pub change: Change,
}

/// What the replay does to one tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagChange {
    /// The tag.
    pub tag: String,
    /// Items that gain it.
    pub added: usize,
    /// Items that lose it.
    pub removed: usize,
    /// The first few items that gain or lose it, in the order they were recorded.
    pub examples: Vec<Example>,
}

/// The difference over all items replayed: counts per tag, and how many items change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// Items compared.
    pub checked: usize,
    /// Items whose tags change.
    pub changed: usize,
    /// One entry per tag that some item gains or loses, sorted by tag.
    pub tags: Vec<TagChange>,
    /// Examples kept per tag.
    #[serde(skip)]
    examples: usize,
}

impl Diff {
    /// An empty difference that keeps up to `examples` example items per tag.
    pub fn new(examples: usize) -> Diff {
        Diff {
            checked: 0,
            changed: 0,
            tags: Vec::new(),
            examples,
        }
    }

    /// Records one item's tags before and after; returns whether they differ.
    pub fn record<S: AsRef<str>>(
        &mut self,
        id: &str,
        title: &str,
        before: &[S],
        after: &[S],
    ) -> bool {
        self.checked += 1;
        let (added, removed) = delta(before, after);
        if added.is_empty() && removed.is_empty() {
            return false;
        }
        self.changed += 1;
        let keep = self.examples;
        for (tags, change) in [(added, Change::Added), (removed, Change::Removed)] {
            for tag in tags {
                let entry = self.entry(tag);
                match change {
                    Change::Added => entry.added += 1,
                    Change::Removed => entry.removed += 1,
                }
                if entry.examples.len() < keep {
                    entry.examples.push(Example {
                        id: id.to_string(),
                        title: title.to_string(),
                        change,
                    });
                }
            }
        }
        true
    }

    /// Items that gain a tag, summed over tags.
    pub fn added(&self) -> usize {
        self.tags.iter().map(|t| t.added).sum()
    }

    /// Items that lose a tag, summed over tags.
    pub fn removed(&self) -> usize {
        self.tags.iter().map(|t| t.removed).sum()
    }

    fn entry(&mut self, tag: String) -> &mut TagChange {
        let index = match self.tags.binary_search_by(|t| t.tag.as_str().cmp(&tag)) {
            Ok(index) => index,
            Err(index) => {
                self.tags.insert(
                    index,
                    TagChange {
                        tag,
                        added: 0,
                        removed: 0,
                        examples: Vec::new(),
                    },
                );
                index
            }
        };
        &mut self.tags[index]
    }
}

/// The tags `after` has and `before` lacks, and the other way round; each sorted and unique.
pub fn delta<S: AsRef<str>>(before: &[S], after: &[S]) -> (Vec<String>, Vec<String>) {
    let before: BTreeSet<&str> = before.iter().map(AsRef::as_ref).collect();
    let after: BTreeSet<&str> = after.iter().map(AsRef::as_ref).collect();
    let added = after.difference(&before).map(|t| t.to_string()).collect();
    let removed = before.difference(&after).map(|t| t.to_string()).collect();
    (added, removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delta_is_set_difference_both_ways_and_ignores_order_and_repeats() {
        let (added, removed) = delta(
            &["plats/farsta", "fokus/brott", "fokus/brott"],
            &["fokus/kris", "fokus/brott"],
        );
        assert_eq!(added, ["fokus/kris"]);
        assert_eq!(removed, ["plats/farsta"]);
        let (added, removed) = delta(&["a", "b"], &["b", "a"]);
        assert!(added.is_empty() && removed.is_empty());
    }

    #[test]
    fn counts_per_tag_with_examples_up_to_the_limit() {
        let mut diff = Diff::new(2);
        assert!(diff.record(
            "1",
            "Inbrott i Farsta",
            &["plats/farsta"],
            &["fokus/brott", "plats/farsta"]
        ));
        assert!(diff.record("2", "Rån i Farsta", &[] as &[&str], &["fokus/brott"]));
        assert!(diff.record("3", "Stöld", &[] as &[&str], &["fokus/brott"]));
        assert!(!diff.record("4", "Oförändrad", &["fokus/kris"], &["fokus/kris"]));
        assert!(diff.record("5", "Brand", &["fokus/brott"], &["fokus/olyckor"]));

        assert_eq!((diff.checked, diff.changed), (5, 4));
        let names: Vec<&str> = diff.tags.iter().map(|t| t.tag.as_str()).collect();
        assert_eq!(names, ["fokus/brott", "fokus/olyckor"]);
        let brott = &diff.tags[0];
        assert_eq!((brott.added, brott.removed), (3, 1));
        let examples: Vec<(&str, Change)> = brott
            .examples
            .iter()
            .map(|e| (e.id.as_str(), e.change))
            .collect();
        assert_eq!(examples, [("1", Change::Added), ("2", Change::Added)]);
        assert_eq!(diff.tags[1].examples[0].title, "Brand");
        assert_eq!((diff.added(), diff.removed()), (4, 1));
    }

    #[test]
    fn no_examples_when_none_are_asked_for() {
        let mut diff = Diff::new(0);
        diff.record("1", "x", &[] as &[&str], &["a"]);
        assert_eq!(diff.tags[0].added, 1);
        assert!(diff.tags[0].examples.is_empty());
    }
}
