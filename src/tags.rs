//! Tags as stored: what the rules gave an item (with evidence), what people changed by hand,
//! and the two merged into the tags an item carries.
//!
//! The rule engine (`rules/`) produces a [`Tagging`]; the store keeps it inside the item and
//! keeps [`TagOverride`]s in their own append-only log, so re-tagging an item never touches what
//! a person decided. [`effective`] is the one place where the two meet.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::item::Severity;

/// What the rules concluded about one item.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Tagging {
    /// Every tag of every firing rule, sorted and unique.
    pub tags: Vec<String>,
    /// The rules that fired, in rule order, with their evidence.
    pub matches: Vec<RuleMatch>,
    /// The highest severity a firing rule raised the item to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// The highest priority of the firing rules (0 when none sets one).
    #[serde(default)]
    pub priority: i32,
    /// Fingerprint of the rule set that produced this, to tell stale tags from current ones.
    #[serde(default)]
    pub rules_version: String,
}

impl Tagging {
    /// Whether no rule fired.
    pub fn is_empty(&self) -> bool {
        self.matches.is_empty()
    }

    /// The names of the firing rules that gave `tag`.
    pub fn rules_for(&self, tag: &str) -> Vec<&str> {
        self.matches
            .iter()
            .filter(|m| m.tags.iter().any(|t| t == tag))
            .map(|m| m.rule.as_str())
            .collect()
    }
}

/// One firing rule and why it fired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleMatch {
    /// The rule's name.
    pub rule: String,
    /// The tags it gives.
    pub tags: Vec<String>,
    /// The score the item reached.
    pub score: i32,
    /// The score the rule needs.
    pub threshold: i32,
    /// The terms and proximity groups that matched.
    pub evidence: Vec<Evidence>,
}

/// One matched term (or `near` group) of a rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The term as written in the rule (`*brand*`), or the near groups (`hot ~6 anställd*`).
    pub term: String,
    /// The field it was first found in (`title`, `body`, `place` ...).
    pub field: String,
    /// The text it matched, as it stood (folded for words, as stored for regexes).
    pub text: String,
    /// The weight it contributed to the score (0 for terms of `all` groups and conditions).
    pub weight: i32,
    /// How often it occurred in the fields the rule looks at.
    pub count: u32,
}

/// Whether a person added or removed a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OverrideAction {
    /// The tag is on the item whatever the rules say.
    Add,
    /// The tag is off the item whatever the rules say.
    Remove,
}

/// A manual tag decision, stored append-only with its author.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TagOverride {
    /// The tag.
    pub tag: String,
    /// Added or removed.
    pub action: OverrideAction,
    /// Who decided (the OS user locally, the SSH user when serving).
    pub author: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Why, if they said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A tag an item carries, and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EffectiveTag {
    /// The tag.
    pub tag: String,
    /// Whether a person added it (it may also be given by rules).
    pub manual: bool,
    /// The rules that give it (empty for a tag only a person added).
    pub rules: Vec<String>,
    /// Who added it by hand.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// When it was added by hand.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<DateTime<Utc>>,
}

/// The tags an item carries: the rules' tags, then the overrides applied in order, the latest
/// decision on a tag winning. Returns the tags (sorted) and the rule tags a person removed.
pub fn effective(
    tagging: &Tagging,
    overrides: &[TagOverride],
) -> (Vec<EffectiveTag>, Vec<TagOverride>) {
    let latest = latest_decisions(overrides);
    let decision = |tag: &str| latest.iter().find(|o| o.tag == tag).copied();
    let mut tags: Vec<EffectiveTag> = Vec::new();
    let mut removed = Vec::new();
    for tag in &tagging.tags {
        match decision(tag) {
            Some(o) if o.action == OverrideAction::Remove => removed.push(o.clone()),
            Some(o) => tags.push(EffectiveTag {
                tag: tag.clone(),
                manual: true,
                rules: owned(tagging.rules_for(tag)),
                author: Some(o.author.clone()),
                at: Some(o.at),
            }),
            None => tags.push(EffectiveTag {
                tag: tag.clone(),
                manual: false,
                rules: owned(tagging.rules_for(tag)),
                author: None,
                at: None,
            }),
        }
    }
    for o in &latest {
        if o.action == OverrideAction::Add && !tagging.tags.contains(&o.tag) {
            tags.push(EffectiveTag {
                tag: o.tag.clone(),
                manual: true,
                rules: Vec::new(),
                author: Some(o.author.clone()),
                at: Some(o.at),
            });
        }
    }
    tags.sort_by(|a, b| a.tag.cmp(&b.tag));
    (tags, removed)
}

/// The latest decision on each tag, in the order the decisions were made.
pub fn latest_decisions(overrides: &[TagOverride]) -> Vec<&TagOverride> {
    let mut latest: Vec<&TagOverride> = Vec::new();
    for o in overrides {
        latest.retain(|l| l.tag != o.tag);
        latest.push(o);
    }
    latest
}

fn owned(names: Vec<&str>) -> Vec<String> {
    names.into_iter().map(str::to_string).collect()
}

/// Whether `tag` falls under `filter` in the hierarchy: `fokus` matches `fokus/brott`, and
/// `fokus/brott` matches itself, but `fok` matches neither.
pub fn tag_under(tag: &str, filter: &str) -> bool {
    let filter = filter.trim_end_matches('/');
    tag == filter
        || tag
            .strip_prefix(filter)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Checks a tag's spelling: segments of lowercase letters, digits, `-` and `_`, separated by
/// `/`. Returns what is wrong.
pub fn validate_tag(tag: &str) -> Result<(), String> {
    if tag.is_empty() {
        return Err("a tag cannot be empty".into());
    }
    if tag.len() > 100 {
        return Err("a tag is at most 100 bytes".into());
    }
    for segment in tag.split('/') {
        if segment.is_empty() {
            return Err("empty segment (a tag is segments separated by single '/')".into());
        }
        if let Some(c) = segment
            .chars()
            .find(|c| !(c.is_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_')))
        {
            return Err(format!(
                "'{c}' is not allowed (use lowercase letters, digits, '-' and '_')"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tagging(tags: &[&str]) -> Tagging {
        Tagging {
            tags: tags.iter().map(|t| t.to_string()).collect(),
            matches: vec![RuleMatch {
                rule: "r".into(),
                tags: tags.iter().map(|t| t.to_string()).collect(),
                score: 3,
                threshold: 3,
                evidence: Vec::new(),
            }],
            ..Tagging::default()
        }
    }

    fn manual(tag: &str, action: OverrideAction, minute: u32) -> TagOverride {
        TagOverride {
            tag: tag.into(),
            action,
            author: "anna".into(),
            at: chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 25, 10, minute, 0).unwrap(),
            note: None,
        }
    }

    #[test]
    fn overrides_win_over_rules_and_the_latest_decision_counts() {
        let rules = tagging(&["fokus/brott", "plats/farsta"]);
        let overrides = [
            manual("plats/farsta", OverrideAction::Remove, 1),
            manual("fokus/kris", OverrideAction::Add, 2),
            manual("fokus/kris", OverrideAction::Remove, 3),
            manual("plats/skarpnäck", OverrideAction::Add, 4),
        ];
        let (tags, removed) = effective(&rules, &overrides);
        let names: Vec<&str> = tags.iter().map(|t| t.tag.as_str()).collect();
        assert_eq!(names, ["fokus/brott", "plats/skarpnäck"]);
        assert!(!tags[0].manual);
        assert_eq!(tags[0].rules, ["r"]);
        assert!(tags[1].manual);
        assert_eq!(tags[1].author.as_deref(), Some("anna"));
        assert_eq!(removed.len(), 1);
        assert_eq!(removed[0].tag, "plats/farsta");
    }

    #[test]
    fn hierarchy_matches_whole_segments_only() {
        assert!(tag_under("fokus/brott", "fokus"));
        assert!(tag_under("fokus/brott", "fokus/"));
        assert!(tag_under("fokus/brott", "fokus/brott"));
        assert!(!tag_under("fokus/brott", "fok"));
        assert!(!tag_under("fokus", "fokus/brott"));
    }

    #[test]
    fn tag_spelling_is_checked() {
        assert!(validate_tag("plats/hägersten-älvsjö").is_ok());
        assert!(validate_tag("värde/miljö_egendom").is_ok());
        assert!(validate_tag("Fokus/brott").is_err());
        assert!(validate_tag("fokus//brott").is_err());
        assert!(validate_tag("fokus brott").is_err());
        assert!(validate_tag("").is_err());
    }
}
