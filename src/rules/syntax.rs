//! Rule files as written: serde structs with spans, before any value is checked.
//!
//! Every value keeps its span so that `compile` can name the line of a bad one; unknown keys are
//! refused here (`deny_unknown_fields`), so a misspelt `treshold` is an error, not a silent
//! default.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

pub use crate::config::line_of;

/// One rule file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    /// The `[[rule]]` tables.
    #[serde(default)]
    pub rule: Vec<Spanned<RawRule>>,
}

/// A list of strings with the span of each.
pub type Strings = Vec<Spanned<String>>;

/// One `[[rule]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub name: Spanned<String>,
    pub tags: Spanned<Strings>,
    pub description: Option<Spanned<String>>,
    pub threshold: Option<Spanned<i64>>,
    #[serde(rename = "in")]
    pub fields: Option<Spanned<Strings>>,
    #[serde(default)]
    pub terms: BTreeMap<Spanned<String>, Spanned<RawTermValue>>,
    #[serde(default)]
    pub all: Vec<Spanned<RawGroup>>,
    #[serde(default)]
    pub none: Vec<Spanned<RawGroup>>,
    #[serde(default)]
    pub group: Vec<Spanned<RawGroup>>,
    #[serde(default)]
    pub near: Vec<Spanned<RawNear>>,
    pub kinds: Option<Spanned<Strings>>,
    pub sources: Option<Spanned<Strings>>,
    pub min_severity: Option<Spanned<String>>,
    pub local: Option<Spanned<bool>>,
    pub severity: Option<Spanned<String>>,
    pub priority: Option<Spanned<i64>>,
}

/// A term's value: a weight, or a weight with its own fields.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawTermValue {
    /// `"brand" = 3`
    Weight(i64),
    /// `"brand" = { weight = 3, in = ["title"] }`
    Detailed(RawTermDetail),
}

/// The table form of a term's value.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTermDetail {
    pub weight: i64,
    #[serde(rename = "in")]
    pub fields: Option<Vec<String>>,
}

/// An `[[rule.all]]`, `[[rule.none]]` or `[[rule.group]]` (only a group has a weight).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    pub any: Spanned<Strings>,
    pub weight: Option<Spanned<i64>>,
    #[serde(rename = "in")]
    pub fields: Option<Spanned<Strings>>,
}

/// An `[[rule.near]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNear {
    pub groups: Spanned<Vec<RawNearGroup>>,
    pub within: Spanned<i64>,
    pub weight: Option<Spanned<i64>>,
    #[serde(rename = "in")]
    pub fields: Option<Spanned<Strings>>,
}

/// One entry of `groups`: a term, or alternative terms. (Untagged enums lose spans, so errors
/// in a group point at `groups`.)
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawNearGroup {
    /// `"hot"`
    One(String),
    /// `["hot", "hotad*"]`
    Many(Vec<String>),
}

impl RawNearGroup {
    /// The group's terms.
    pub fn terms(&self) -> Vec<&String> {
        match self {
            RawNearGroup::One(t) => vec![t],
            RawNearGroup::Many(ts) => ts.iter().collect(),
        }
    }
}

/// serde's message for a value that fits no form, said in the rule language's words.
pub fn explain_serde_message(message: &str) -> String {
    if message.contains("RawTermValue") {
        "a term's value is a weight (an integer) or { weight = N, in = [\"title\", ...] }".into()
    } else if message.contains("RawNearGroup") {
        "each entry of groups is a term (\"hot\") or a list of terms ([\"hot\", \"hotad*\"])".into()
    } else {
        message.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// The name of the `[[rule]]` a line falls in, found in the text itself (for syntax errors,
/// where nothing was parsed): the last `[[rule]]` header at or before the line, then its
/// `name = "..."`.
pub fn rule_name_near(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let upto = line.min(lines.len());
    let header = lines[..upto]
        .iter()
        .rposition(|l| l.trim_start().starts_with("[[rule]]"))?;
    lines[header + 1..]
        .iter()
        .take_while(|l| !l.trim_start().starts_with("[[rule]]"))
        .find_map(|l| {
            let rest = l.trim_start().strip_prefix("name")?.trim_start();
            let value = rest.strip_prefix('=')?.trim();
            let value = value.strip_prefix('"')?;
            Some(value[..value.find('"')?].to_string())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_reads_with_spans_on_keys() {
        let text = r#"
[[rule]]
name = "brand"
tags = ["fokus/olyckor"]
threshold = 3

[rule.terms]
"*brand*" = 3
"explosion*" = { weight = 2, in = ["title"] }

[[rule.near]]
groups = ["hot", ["anställd*", "personal*"]]
within = 5
"#;
        let file: RawFile = toml::from_str(text).unwrap();
        let rule = file.rule[0].get_ref();
        assert_eq!(rule.name.get_ref(), "brand");
        let (key, _) = rule.terms.iter().next().unwrap();
        assert_eq!(line_of(text, key.span().start), 8);
        assert_eq!(rule.near[0].get_ref().groups.get_ref().len(), 2);
        assert_eq!(rule_name_near(text, 12).as_deref(), Some("brand"));
    }

    #[test]
    fn unknown_keys_are_refused() {
        let text = "[[rule]]\nname = \"x\"\ntags = [\"a\"]\ntreshold = 3\n";
        let err = toml::from_str::<RawFile>(text).unwrap_err();
        assert!(err.to_string().contains("treshold"), "{err}");
    }
}
