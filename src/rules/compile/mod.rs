//! Rule files → one [`Engine`]: every value checked, every term parsed and shared, the
//! matchers built once. Errors name the file, the line, the rule and the bad value; checking goes
//! on past a bad rule so one run lists every problem.

mod rule;

use std::collections::HashMap;
use std::path::Path;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::RegexBuilder;
use toml::Spanned;

use super::engine::{Engine, Field, Fields, RegexTerm, TermId};
use super::syntax::{RawFile, Strings, explain_serde_message, line_of, rule_name_near};
use super::term::{self, Term};
use super::{RuleError, RuleFile};
use crate::item::Severity;

/// Largest rule file read, in bytes.
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;
/// Most rules over all files.
pub const MAX_RULES: usize = 20_000;
/// Most distinct terms over all rules.
pub const MAX_TERMS: usize = 200_000;
/// Most regular expressions over all rules (each is a real cost on every item).
pub const MAX_REGEXES: usize = 500;
/// Compiled size allowed for one regular expression.
pub const REGEX_SIZE_LIMIT: usize = 256 * 1024;
/// Most word stems for which the term matcher is built as a DFA.
const DFA_MAX_PATTERNS: usize = 2_000;
/// Most `all` groups in a rule (they are tracked in a bit set).
const MAX_ALL_GROUPS: usize = 32;
/// Most groups in a `near`.
const MAX_NEAR_GROUPS: usize = 8;
/// Most `near`s in a rule.
const MAX_NEARS: usize = 16;
/// Largest `within` of a `near`, in words.
const MAX_WITHIN: i64 = 50;
/// Weights and thresholds stay in this range, so sums cannot overflow.
const MAX_WEIGHT: i64 = 1_000;

/// Compiles rule files into one engine, or lists every error.
pub fn compile(files: &[RuleFile]) -> Result<Engine, Vec<RuleError>> {
    let mut builder = Builder::default();
    for file in files {
        builder.file(file);
    }
    builder.finish()
}

#[derive(Default)]
struct Builder {
    engine: Engine,
    errors: Vec<RuleError>,
    /// Rule name → where it was first defined.
    names: HashMap<String, (std::path::PathBuf, usize)>,
    terms: HashMap<Term, TermId>,
    stems: HashMap<String, usize>,
    patterns: Vec<String>,
    regex_count: usize,
}

/// Where errors in the rule being compiled point.
struct At<'a> {
    path: &'a Path,
    text: &'a str,
    rule: Option<&'a str>,
}

impl At<'_> {
    fn error(&self, offset: usize, message: impl Into<String>) -> RuleError {
        RuleError::Invalid {
            path: self.path.to_path_buf(),
            line: line_of(self.text, offset),
            rule: self.rule.map(str::to_string),
            message: message.into(),
        }
    }
}

impl Builder {
    fn file(&mut self, file: &RuleFile) {
        let at = At {
            path: &file.path,
            text: &file.text,
            rule: None,
        };
        if file.text.len() > MAX_FILE_BYTES {
            self.errors.push(at.error(
                0,
                format!(
                    "the file is {} bytes, at most {MAX_FILE_BYTES} are read",
                    file.text.len()
                ),
            ));
            return;
        }
        let raw: RawFile = match toml::from_str(&file.text) {
            Ok(raw) => raw,
            Err(e) => {
                let offset = e.span().map_or(0, |s| s.start);
                let name = rule_name_near(&file.text, line_of(&file.text, offset));
                let at = At {
                    rule: name.as_deref(),
                    ..at
                };
                self.errors
                    .push(at.error(offset, explain_serde_message(e.message())));
                return;
            }
        };
        for rule in &raw.rule {
            if self.engine.rules.len() >= MAX_RULES {
                self.errors.push(at.error(
                    rule.span().start,
                    format!("more than {MAX_RULES} rules in all"),
                ));
                return;
            }
            let rule_at = At {
                path: &file.path,
                text: &file.text,
                rule: Some(rule.get_ref().name.get_ref()),
            };
            if let Some(compiled) = self.rule(&rule_at, rule) {
                self.engine.rules.push(compiled);
            }
        }
    }

    /// The fields a list names, or `default` when there is no list (or, after reporting it,
    /// when the list is wrong).
    fn fields_or(&mut self, at: &At, list: Option<&Spanned<Strings>>, default: Fields) -> Fields {
        match list.map(parse_fields) {
            Some(Ok(fields)) => fields,
            Some(Err((offset, message))) => {
                self.fail(at, offset, message);
                default
            }
            None => default,
        }
    }

    fn fail(&mut self, at: &At, offset: usize, message: String) {
        self.errors.push(at.error(offset, message));
    }

    fn severity(
        &mut self,
        at: &At,
        key: &str,
        value: Option<&Spanned<String>>,
    ) -> Option<Severity> {
        let value = value?;
        let parsed = Severity::parse(value.get_ref());
        if parsed.is_none() {
            self.fail(
                at,
                value.span().start,
                format!(
                    "{key}: '{}' is not a severity (info, low, medium, high, critical)",
                    value.get_ref()
                ),
            );
        }
        parsed
    }

    /// Parses a term and returns its id, sharing it with every other use of the same term.
    fn term(
        &mut self,
        at: &At,
        written: &Spanned<String>,
        in_near: bool,
    ) -> Result<TermId, RuleError> {
        let bad = |message: String| {
            at.error(
                written.span().start,
                format!("term '{}': {message}", written.get_ref()),
            )
        };
        let parsed = term::parse(written.get_ref()).map_err(bad)?;
        if in_near && matches!(parsed, Term::Regex(_)) {
            return Err(bad("regular expressions cannot be used in near".into()));
        }
        if let Some(&id) = self.terms.get(&parsed) {
            return Ok(id);
        }
        if self.terms.len() >= MAX_TERMS {
            return Err(bad(format!("more than {MAX_TERMS} distinct terms in all")));
        }
        let id = self.terms.len() as TermId;
        match &parsed {
            Term::Words { stem, shape } => {
                let next = self.patterns.len();
                let pattern = *self.stems.entry(stem.clone()).or_insert(next);
                if pattern == next {
                    self.patterns.push(stem.clone());
                    self.engine.pattern_terms.push(Vec::new());
                }
                self.engine.pattern_terms[pattern].push((id, *shape));
            }
            Term::Regex(source) => {
                if self.regex_count >= MAX_REGEXES {
                    return Err(bad(format!(
                        "more than {MAX_REGEXES} regular expressions in all; use words"
                    )));
                }
                let regex = RegexBuilder::new(source)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .dfa_size_limit(REGEX_SIZE_LIMIT)
                    .nest_limit(50)
                    .build()
                    .map_err(|e| bad(format!("invalid regex: {}", regex_message(&e))))?;
                self.regex_count += 1;
                self.engine.regexes.push(RegexTerm {
                    regex,
                    term: id,
                    fields: Fields(0),
                });
            }
        }
        self.terms.insert(parsed, id);
        self.engine.usages.push(Vec::new());
        self.engine.positional.push(false);
        Ok(id)
    }

    fn finish(mut self) -> Result<Engine, Vec<RuleError>> {
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        let whole = |message: String| RuleError::Read {
            path: std::path::PathBuf::from("(all rule files)"),
            message,
        };
        if !self.patterns.is_empty() {
            // A DFA is several times faster to search but grows large; past a few thousand
            // stems the automaton's own choice (a contiguous NFA) is as fast and far smaller.
            let kind = (self.patterns.len() <= DFA_MAX_PATTERNS).then_some(AhoCorasickKind::DFA);
            let matcher = AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .kind(kind)
                .build(&self.patterns)
                .map_err(|e| vec![whole(format!("cannot build the term matcher: {e}"))])?;
            self.engine.matcher = Some(matcher);
        }
        for regex in &mut self.engine.regexes {
            regex.fields = self.engine.usages[regex.term as usize]
                .iter()
                .fold(Fields(0), |fields, usage| fields.with(usage.fields));
        }
        Ok(self.engine)
    }
}

impl Engine {
    fn positional_mark(&mut self, id: TermId) {
        self.positional[id as usize] = true;
    }
}

fn parse_fields(list: &Spanned<Strings>) -> Result<Fields, (usize, String)> {
    let mut fields = Fields(0);
    for name in list.get_ref() {
        match Fields::parse(name.get_ref()) {
            Some(f) => fields = fields.with(f),
            None => return Err((name.span().start, unknown_field(name.get_ref()))),
        }
    }
    if fields == Fields(0) {
        return Err((list.span().start, "in: name at least one field".into()));
    }
    Ok(fields)
}

fn unknown_field(name: &str) -> String {
    let known: Vec<&str> = Field::ALL
        .iter()
        .map(|f| f.name())
        .chain(["text"])
        .collect();
    format!("in: '{name}' is not a field ({})", known.join(", "))
}

/// A regex error on one line: the parser's own message without its caret drawing.
fn regex_message(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .map_or_else(|| one_line(&text), str::to_string)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
