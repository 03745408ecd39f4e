//! Tagging one item with the compiled rules.
//!
//! All word terms of all rules sit in one Aho-Corasick automaton over the folded text and all
//! regular expressions in one `RegexSet`, so the text is scanned once per field whatever the
//! number of rules. Each hit is then credited to the rules that use the term (a term shared by
//! many rules is matched once), and only rules with a hit, plus rules that fire on conditions
//! alone, are evaluated. The cost grows with the length of the text and the number of hits.

use std::collections::HashMap;
use std::ops::Range;
use std::path::PathBuf;

use aho_corasick::AhoCorasick;
use regex::{Regex, RegexSet};

use super::fold::{WordIndex, fold_into, whole_words};
use super::term::Shape;
use crate::item::{Item, Severity};
use crate::tags::{Evidence, RuleMatch, Tagging};

/// A field rules can look in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The title.
    Title,
    /// The summary.
    Summary,
    /// The body.
    Body,
    /// One category.
    Categories,
    /// Location name, area names and geocodes, the local place.
    Place,
    /// The source id.
    Source,
    /// The source kind.
    Kind,
}

impl Field {
    /// Every field, in the order evidence reports the first place a term was found.
    pub const ALL: [Field; 7] = [
        Field::Title,
        Field::Summary,
        Field::Body,
        Field::Categories,
        Field::Place,
        Field::Source,
        Field::Kind,
    ];

    /// The name used in rule files and evidence.
    pub fn name(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Summary => "summary",
            Field::Body => "body",
            Field::Categories => "categories",
            Field::Place => "place",
            Field::Source => "source",
            Field::Kind => "kind",
        }
    }

    /// This field's bit in a [`Fields`] mask.
    pub fn bit(self) -> Fields {
        Fields(1 << self as u8)
    }
}

/// A set of fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fields(pub u8);

impl Fields {
    /// The fields a rule looks in unless it says otherwise.
    pub const DEFAULT: Fields = Fields(0b1111);

    /// Parses a field name (`text` is title, summary and body).
    pub fn parse(name: &str) -> Option<Fields> {
        if name == "text" {
            return Some(Fields(0b111));
        }
        Field::ALL
            .into_iter()
            .find(|f| f.name() == name)
            .map(Field::bit)
    }

    /// Whether `field` is in the set.
    pub fn has(self, field: Field) -> bool {
        self.0 & field.bit().0 != 0
    }

    /// The union.
    pub fn with(self, other: Fields) -> Fields {
        Fields(self.0 | other.0)
    }
}

/// Index of a distinct term in the engine.
pub type TermId = u32;

/// What a term does for a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Adds its weight to the score.
    Scored(i32),
    /// Satisfies the rule's `all` group with this index.
    All(u8),
    /// Stops the rule.
    None,
    /// Is one alternative in group `group` of the rule's `near` number `near`.
    Near {
        /// Which near.
        near: u8,
        /// Which of its groups.
        group: u8,
    },
}

/// One use of a term by a rule.
#[derive(Debug, Clone)]
pub struct Usage {
    /// The rule (index into the rule list).
    pub rule: u32,
    /// What the term does there.
    pub role: Role,
    /// Where it counts.
    pub fields: Fields,
    /// The term as written in the rule, for evidence.
    pub label: Box<str>,
}

/// A `near` of a rule.
#[derive(Debug, Clone)]
pub struct Near {
    /// Largest distance in words between the first and last group's words.
    pub within: u32,
    /// What it adds to the score.
    pub weight: i32,
    /// How many groups must all be present.
    pub groups: u8,
    /// The near as written, for evidence (`hot|hotad* ~6 anställd*`).
    pub label: String,
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Unique name.
    pub name: String,
    /// Tags it gives.
    pub tags: Vec<String>,
    /// The analyst's description.
    pub description: Option<String>,
    /// Score needed.
    pub threshold: i32,
    /// Only for these kinds.
    pub kinds: Option<Vec<String>>,
    /// Only for items first delivered by these sources.
    pub sources: Option<Vec<String>>,
    /// Only for items at least this severe (as the source gave it).
    pub min_severity: Option<Severity>,
    /// Only for items that do (true) or do not (false) touch the area of interest.
    pub local: Option<bool>,
    /// Raises the item's severity to at least this.
    pub severity: Option<Severity>,
    /// The item's priority when the rule fires.
    pub priority: i32,
    /// How many `all` groups it has.
    pub all_groups: u8,
    /// Its `near`s.
    pub near: Vec<Near>,
    /// Where it was defined.
    pub file: PathBuf,
    /// Line of its `[[rule]]`.
    pub line: usize,
}

impl Rule {
    fn conditions_hold(&self, item: &Item) -> Result<(), String> {
        if let Some(kinds) = &self.kinds
            && !kinds.contains(&item.kind)
        {
            return Err(format!("kind '{}' not in {kinds:?}", item.kind));
        }
        if let Some(sources) = &self.sources
            && !sources.contains(&item.source)
        {
            return Err(format!("source '{}' not in {sources:?}", item.source));
        }
        if let Some(min) = self.min_severity
            && item.severity.is_none_or(|s| s < min)
        {
            return Err(format!(
                "severity {} below {}",
                item.severity.map_or("(none)", Severity::as_str),
                min.as_str()
            ));
        }
        if let Some(local) = self.local
            && item.local.is_some() != local
        {
            return Err(if local {
                "item is not local".into()
            } else {
                "item is local".into()
            });
        }
        Ok(())
    }
}

/// The compiled rules and their shared matchers.
#[derive(Debug, Default)]
pub struct Engine {
    /// Every rule, in file and then definition order.
    pub rules: Vec<Rule>,
    /// All word stems.
    pub matcher: Option<AhoCorasick>,
    /// For each automaton pattern, the terms (with their shapes) that share its stem.
    pub pattern_terms: Vec<Vec<(TermId, Shape)>>,
    /// All regular expressions, to learn in one pass which match.
    pub regex_set: Option<RegexSet>,
    /// The same expressions one by one, to find the matched text, with their term.
    pub regexes: Vec<(Regex, TermId)>,
    /// For each term, its uses.
    pub usages: Vec<Vec<Usage>>,
    /// For each term, whether some `near` uses it (then word numbers are needed).
    pub positional: Vec<bool>,
    /// Rules evaluated on every item (no terms, or only negative ones).
    pub always: Vec<u32>,
    /// Fields some term looks in: others are not even folded.
    pub fields_used: Fields,
}

/// One occurrence of a term.
struct Hit {
    term: TermId,
    field: Field,
    /// Which text of the item (a field value) it is in.
    text: u16,
    /// Word number in that text (for `near`; 0 for regexes).
    word: u32,
    /// The matched words, in `texts[text]`.
    span: Range<usize>,
}

/// Per rule, what the hits add up to.
#[derive(Default)]
struct Tally {
    /// Distinct scored terms: label, weight, first field and text, count.
    scored: Vec<(TermId, Evidence)>,
    all_hit: u64,
    excluded: Option<Evidence>,
    near_hits: Vec<NearHit>,
}

/// One occurrence of a term of a `near` group.
#[derive(Clone, Copy)]
struct NearHit {
    near: u8,
    group: u8,
    text: u16,
    word: u32,
    field: Field,
}

/// Why a rule with some hits did not fire.
#[derive(Debug, Clone, PartialEq)]
pub struct Miss {
    /// The rule.
    pub rule: String,
    /// The score it reached.
    pub score: i32,
    /// The score it needs.
    pub threshold: i32,
    /// Why it did not fire.
    pub reason: String,
    /// What it found.
    pub evidence: Vec<Evidence>,
}

/// A rule's outcome for an item.
enum Outcome {
    Fired(RuleMatch),
    Missed(Miss),
}

impl Engine {
    /// Tags an item.
    pub fn tag(&self, item: &Item, version: &str) -> Tagging {
        self.run(item, version, false).0
    }

    /// Tags an item and also says why rules with some hits did not fire.
    pub fn trace(&self, item: &Item, version: &str) -> (Tagging, Vec<Miss>) {
        self.run(item, version, true)
    }

    fn run(&self, item: &Item, version: &str, keep_misses: bool) -> (Tagging, Vec<Miss>) {
        let mut texts: Vec<String> = Vec::new();
        let mut hits: Vec<Hit> = Vec::new();
        self.scan(item, &mut texts, &mut hits);

        let mut tallies: HashMap<u32, Tally> = HashMap::new();
        for hit in &hits {
            for usage in &self.usages[hit.term as usize] {
                if usage.fields.has(hit.field) {
                    credit(tallies.entry(usage.rule).or_default(), usage, hit, &texts);
                }
            }
        }
        let mut order: Vec<u32> = tallies.keys().copied().collect();
        for &rule in &self.always {
            if !tallies.contains_key(&rule) {
                order.push(rule);
            }
        }
        order.sort_unstable();

        let mut tagging = Tagging {
            rules_version: version.to_string(),
            ..Tagging::default()
        };
        let mut misses = Vec::new();
        let empty = Tally::default();
        for index in order {
            let rule = &self.rules[index as usize];
            let tally = tallies.get(&index).unwrap_or(&empty);
            match evaluate(rule, tally, item, &texts) {
                Outcome::Fired(matched) => {
                    tagging.severity = tagging.severity.max(rule.severity);
                    tagging.priority = if tagging.matches.is_empty() {
                        rule.priority
                    } else {
                        tagging.priority.max(rule.priority)
                    };
                    tagging.tags.extend(rule.tags.iter().cloned());
                    tagging.matches.push(matched);
                }
                Outcome::Missed(miss) if keep_misses => misses.push(miss),
                Outcome::Missed(_) => {}
            }
        }
        tagging.tags.sort();
        tagging.tags.dedup();
        (tagging, misses)
    }

    /// Finds every term occurrence in the fields some rule looks at.
    fn scan(&self, item: &Item, texts: &mut Vec<String>, hits: &mut Vec<Hit>) {
        let mut place: Vec<&str> = Vec::new();
        if self.fields_used.has(Field::Place) {
            if let Some(name) = item.location.as_ref().and_then(|l| l.name.as_deref()) {
                place.push(name);
            }
            place.extend(item.areas.iter().map(String::as_str));
            place.extend(item.geocodes.iter().map(String::as_str));
            if let Some(local) = &item.local {
                place.push(&local.place);
            }
        }
        let categories: Vec<&str> = item.categories.iter().map(String::as_str).collect();
        let values: [(Field, &[&str]); 7] = [
            (Field::Title, &[item.title.as_str()]),
            (Field::Summary, &[item.summary.as_str()]),
            (Field::Body, &[item.body.as_str()]),
            (Field::Categories, &categories),
            (Field::Place, &place),
            (Field::Source, &[item.source.as_str()]),
            (Field::Kind, &[item.kind.as_str()]),
        ];
        let mut folded = String::new();
        for (field, values) in values {
            if !self.fields_used.has(field) {
                continue;
            }
            for raw in values.iter().filter(|v| !v.is_empty()) {
                self.scan_text(field, raw, &mut folded, texts, hits);
            }
        }
    }

    fn scan_text(
        &self,
        field: Field,
        raw: &str,
        folded: &mut String,
        texts: &mut Vec<String>,
        hits: &mut Vec<Hit>,
    ) {
        let Ok(text) = u16::try_from(texts.len()) else {
            return;
        };
        let before = hits.len();
        if let Some(matcher) = &self.matcher {
            fold_into(raw, folded);
            let bytes = folded.as_bytes();
            let mut words: Option<WordIndex> = None;
            for found in matcher.find_overlapping_iter(folded.as_str()) {
                let (start, end) = (found.start(), found.end());
                let starts_word = start == 0 || bytes[start - 1] == b' ';
                let ends_word = end == bytes.len() || bytes[end] == b' ';
                for &(term, shape) in &self.pattern_terms[found.pattern().as_usize()] {
                    if !shape.accepts(starts_word, ends_word) {
                        continue;
                    }
                    let word = if self.positional[term as usize] {
                        words
                            .get_or_insert_with(|| WordIndex::new(folded))
                            .word_at(start)
                    } else {
                        0
                    };
                    hits.push(Hit {
                        term,
                        field,
                        text,
                        word,
                        span: whole_words(folded, start, end),
                    });
                }
            }
            if hits.len() > before {
                texts.push(std::mem::take(folded));
            }
        }
        if let Some(set) = &self.regex_set {
            for index in set.matches(raw).iter() {
                let (regex, term) = &self.regexes[index];
                let Some(found) = regex.find(raw) else {
                    continue;
                };
                let Ok(own) = u16::try_from(texts.len()) else {
                    return;
                };
                texts.push(found.as_str().chars().take(200).collect());
                hits.push(Hit {
                    term: *term,
                    field,
                    text: own,
                    word: 0,
                    span: 0..texts[own as usize].len(),
                });
            }
        }
        // Word hits refer to the folded text pushed above; make sure its index is right even
        // when regex texts were pushed in between (they are pushed after it).
        debug_assert!(
            hits[before..]
                .iter()
                .all(|h| (h.text as usize) < texts.len())
        );
    }
}

/// Adds one hit to a rule's tally.
fn credit(tally: &mut Tally, usage: &Usage, hit: &Hit, texts: &[String]) {
    let evidence = |weight| Evidence {
        term: usage.label.to_string(),
        field: hit.field.name().to_string(),
        text: texts[hit.text as usize][hit.span.clone()].to_string(),
        weight,
        count: 1,
    };
    match usage.role {
        Role::Scored(weight) => match tally.scored.iter_mut().find(|(t, _)| *t == hit.term) {
            Some((_, seen)) => seen.count += 1,
            None => tally.scored.push((hit.term, evidence(weight))),
        },
        Role::All(group) => tally.all_hit |= 1 << group,
        Role::None => {
            if tally.excluded.is_none() {
                tally.excluded = Some(evidence(0));
            }
        }
        Role::Near { near, group } => tally.near_hits.push(NearHit {
            near,
            group,
            text: hit.text,
            word: hit.word,
            field: hit.field,
        }),
    }
}

/// Decides whether a rule fires, given its tally.
fn evaluate(rule: &Rule, tally: &Tally, item: &Item, texts: &[String]) -> Outcome {
    let mut evidence: Vec<Evidence> = tally.scored.iter().map(|(_, e)| e.clone()).collect();
    let mut score: i32 = evidence.iter().map(|e| e.weight).sum();
    for (index, near) in rule.near.iter().enumerate() {
        if let Some((found, first, last)) = near_window(near, index as u8, &tally.near_hits) {
            let folded = &texts[found.text as usize];
            let words = WordIndex::new(folded);
            score += near.weight;
            evidence.push(Evidence {
                term: near.label.clone(),
                field: found.field.name().to_string(),
                text: folded[words.span(folded, first, last)].to_string(),
                weight: near.weight,
                count: 1,
            });
        }
    }
    let miss = |reason: String, evidence: Vec<Evidence>| {
        Outcome::Missed(Miss {
            rule: rule.name.clone(),
            score,
            threshold: rule.threshold,
            reason,
            evidence,
        })
    };
    if let Err(reason) = rule.conditions_hold(item) {
        return miss(format!("condition: {reason}"), evidence);
    }
    if let Some(excluded) = &tally.excluded {
        return miss(
            format!(
                "excluded by '{}' ({}: \"{}\")",
                excluded.term, excluded.field, excluded.text
            ),
            evidence,
        );
    }
    let all_needed = if rule.all_groups == 0 {
        0
    } else {
        u64::MAX >> (64 - rule.all_groups)
    };
    if tally.all_hit & all_needed != all_needed {
        let missing = (0..rule.all_groups)
            .find(|g| tally.all_hit & (1 << g) == 0)
            .map_or(0, |g| g + 1);
        return miss(format!("no term of all-group {missing} matched"), evidence);
    }
    if score < rule.threshold {
        return miss(
            format!("score {score} below threshold {}", rule.threshold),
            evidence,
        );
    }
    // The strongest reason reads first.
    evidence.sort_by_key(|e| std::cmp::Reverse(e.weight));
    Outcome::Fired(RuleMatch {
        rule: rule.name.clone(),
        tags: rule.tags.clone(),
        score,
        threshold: rule.threshold,
        evidence,
    })
}

/// The first window of one text in which every group of a near occurs within `within` words:
/// the hit that closes it, and its first and last word.
fn near_window(near: &Near, index: u8, hits: &[NearHit]) -> Option<(NearHit, u32, u32)> {
    let mut mine: Vec<NearHit> = hits.iter().filter(|h| h.near == index).copied().collect();
    mine.sort_unstable_by_key(|h| (h.text, h.word));
    let mut start = 0;
    for end in 0..mine.len() {
        let last = mine[end];
        while mine[start].text != last.text || last.word - mine[start].word > near.within {
            start += 1;
        }
        let seen = mine[start..=end]
            .iter()
            .fold(0u64, |seen, h| seen | 1 << h.group);
        if seen.count_ones() == u32::from(near.groups) {
            return Some((last, mine[start].word, last.word));
        }
    }
    None
}
