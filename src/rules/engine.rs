//! The compiled rules and the scan of one item.
//!
//! All word terms of all rules sit in one Aho-Corasick automaton over the folded text, so each
//! field is scanned once whatever the number of rules; regular expressions run one by one, only
//! on the fields they are used in. The scan yields term occurrences; `evaluate` credits them to
//! the rules that use each term (a term shared by many rules is matched once) and judges only
//! rules with an occurrence, plus rules that fire on conditions alone.

use std::ops::Range;
use std::path::PathBuf;

use aho_corasick::AhoCorasick;
use regex::Regex;

use super::evaluate;
use super::fold::{WordIndex, fold_append, whole_words};
use super::term::Shape;
use crate::item::{Item, Severity};
use crate::tags::{Evidence, Tagging};

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
    /// Scores the rule's `group` with this index (once, whichever of its terms matched).
    Group(u8),
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
    /// The weights of its `group`s.
    pub groups: Vec<i32>,
    /// Its `near`s.
    pub near: Vec<Near>,
    /// Where it was defined.
    pub file: PathBuf,
    /// Line of its `[[rule]]`.
    pub line: usize,
}

impl Rule {
    /// The first of the rule's conditions the item does not meet, if any.
    pub(super) fn unmet_condition(&self, item: &Item) -> Option<Unmet> {
        if self.kinds.as_ref().is_some_and(|k| !k.contains(&item.kind)) {
            return Some(Unmet::Kind);
        }
        if self
            .sources
            .as_ref()
            .is_some_and(|s| !s.contains(&item.source))
        {
            return Some(Unmet::Source);
        }
        if self
            .min_severity
            .is_some_and(|min| item.severity.is_none_or(|s| s < min))
        {
            return Some(Unmet::Severity);
        }
        if self
            .local
            .is_some_and(|local| item.local.is_some() != local)
        {
            return Some(Unmet::Local);
        }
        None
    }

    /// Says which condition failed, for a trace.
    pub(super) fn describe_unmet(&self, unmet: Unmet, item: &Item) -> String {
        match unmet {
            Unmet::Kind => format!(
                "kind '{}' is not one of {}",
                item.kind,
                self.kinds.as_deref().unwrap_or_default().join(", ")
            ),
            Unmet::Source => format!(
                "source '{}' is not one of {}",
                item.source,
                self.sources.as_deref().unwrap_or_default().join(", ")
            ),
            Unmet::Severity => format!(
                "severity {} below {}",
                item.severity.map_or("(none)", Severity::as_str),
                self.min_severity.map_or("", Severity::as_str)
            ),
            Unmet::Local if self.local == Some(true) => "item is not local".into(),
            Unmet::Local => "item is local".into(),
        }
    }
}

/// A rule condition an item did not meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unmet {
    Kind,
    Source,
    Severity,
    Local,
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
    /// The regular expressions, each with its term and the fields some rule looks for it in.
    pub regexes: Vec<RegexTerm>,
    /// For each term, its uses.
    pub usages: Vec<Vec<Usage>>,
    /// For each term, whether some `near` uses it (then word numbers are needed).
    pub positional: Vec<bool>,
    /// Rules evaluated on every item (no terms, or only negative ones).
    pub always: Vec<u32>,
    /// Fields some term looks in: others are not even folded.
    pub fields_used: Fields,
}

/// Most term occurrences kept from one field value.
const MAX_HITS_PER_TEXT: usize = 1_000;

/// A regular expression term.
#[derive(Debug)]
pub struct RegexTerm {
    /// The compiled expression.
    pub regex: Regex,
    /// Its term.
    pub term: TermId,
    /// The fields it is used in.
    pub fields: Fields,
}

/// One occurrence of a term.
pub(super) struct Hit {
    pub term: TermId,
    pub field: Field,
    /// Which text of the item (a field value) it is in.
    pub text: u16,
    /// Word number in that text (for `near`; 0 for regexes).
    pub word: u32,
    /// The matched bytes in `texts[text]` (widened to whole words only for evidence).
    pub span: Range<usize>,
}

/// Every term occurrence in an item, and the texts they point into.
#[derive(Default)]
pub(super) struct Scan {
    /// Folded field values with hits, and regex matches, one after another (one allocation
    /// for the item instead of one per field).
    buffer: String,
    /// Where each text lies in `buffer`.
    texts: Vec<Range<usize>>,
    /// The occurrences, in field order and then position.
    pub hits: Vec<Hit>,
}

impl Scan {
    /// Text number `index` (a folded field value or a regex match).
    pub fn text(&self, index: u16) -> &str {
        &self.buffer[self.texts[index as usize].clone()]
    }

    /// The words a hit matched, as they stood in the folded text.
    pub fn words(&self, hit: &Hit) -> &str {
        let text = self.text(hit.text);
        &text[whole_words(text, hit.span.start, hit.span.end)]
    }
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

impl Engine {
    /// Tags an item.
    pub fn tag(&self, item: &Item, version: &str) -> Tagging {
        evaluate::decide(self, item, &self.scan(item), version, false).0
    }

    /// Tags an item and also says why rules with some hits did not fire.
    pub fn trace(&self, item: &Item, version: &str) -> (Tagging, Vec<Miss>) {
        evaluate::decide(self, item, &self.scan(item), version, true)
    }

    /// Finds every term occurrence in the fields some rule looks at.
    fn scan(&self, item: &Item) -> Scan {
        let mut scan = Scan::default();
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
        for (field, values) in values {
            if !self.fields_used.has(field) {
                continue;
            }
            for raw in values.iter().filter(|v| !v.is_empty()) {
                self.scan_text(field, raw, &mut scan);
            }
        }
        scan
    }

    fn scan_text(&self, field: Field, raw: &str, scan: &mut Scan) {
        let Scan {
            buffer,
            texts,
            hits,
        } = scan;
        let Ok(text) = u16::try_from(texts.len()) else {
            return;
        };
        let before = hits.len();
        if let Some(matcher) = &self.matcher {
            let begin = buffer.len();
            fold_append(raw, buffer);
            let folded = &buffer[begin..];
            let bytes = folded.as_bytes();
            let mut words: Option<WordIndex> = None;
            for found in matcher.find_overlapping_iter(folded) {
                // Text without spaces ("snösnösnö…", hostile or broken) holds a match at every
                // few bytes; past this many, more occurrences change no decision.
                if hits.len() - before >= MAX_HITS_PER_TEXT {
                    break;
                }
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
                        span: start..end,
                    });
                }
            }
            if hits.len() > before {
                texts.push(begin..buffer.len());
            } else {
                buffer.truncate(begin);
            }
        }
        // Regexes run one by one and only on the fields they are used in: one set over every
        // field fell back to its slowest engine on Swedish text (Unicode `\b`).
        for term in self.regexes.iter().filter(|r| r.fields.has(field)) {
            let Some(found) = term.regex.find(raw) else {
                continue;
            };
            let Ok(own) = u16::try_from(texts.len()) else {
                return;
            };
            let begin = buffer.len();
            buffer.extend(found.as_str().chars().take(200));
            hits.push(Hit {
                term: term.term,
                field,
                text: own,
                word: 0,
                span: 0..buffer.len() - begin,
            });
            texts.push(begin..buffer.len());
        }
    }
}
