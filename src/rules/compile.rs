//! Rule files → one [`Engine`]: every value checked, every term parsed and shared, the
//! matchers built once. Errors name the file, the line, the rule and the bad value; checking goes
//! on past a bad rule so one run lists every problem.

use std::collections::HashMap;
use std::path::Path;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::RegexBuilder;
use toml::Spanned;

use super::engine::{Engine, Fields, Near, RegexTerm, Role, Rule, TermId, Usage};
use super::syntax::{
    RawFile, RawRule, RawTermValue, Strings, explain_serde_message, line_of, rule_name_near,
};
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

    /// Checks one rule and registers its terms; `None` when something was wrong.
    fn rule(&mut self, at: &At, spanned: &Spanned<RawRule>) -> Option<Rule> {
        let raw = spanned.get_ref();
        let index = u32::try_from(self.engine.rules.len()).ok()?;
        let errors_before = self.errors.len();

        let name = raw.name.get_ref();
        if name.is_empty()
            || name.len() > 100
            || !name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_'))
        {
            self.fail(
                at,
                raw.name.span().start,
                format!(
                    "name '{name}': use 1 to 100 letters, digits, '-' and '_' (it is how the rule is named in evidence)"
                ),
            );
        }
        let line = line_of(at.text, spanned.span().start);
        if let Some((path, first)) = self.names.get(name) {
            self.fail(
                at,
                raw.name.span().start,
                format!(
                    "name '{name}' is already used by the rule at {}:{first}",
                    path.display()
                ),
            );
        } else {
            self.names
                .insert(name.clone(), (at.path.to_path_buf(), line));
        }

        if raw.tags.get_ref().is_empty() {
            self.fail(
                at,
                raw.tags.span().start,
                "tags: give at least one tag".into(),
            );
        }
        for tag in raw.tags.get_ref() {
            if let Err(why) = crate::tags::validate_tag(tag.get_ref()) {
                self.fail(
                    at,
                    tag.span().start,
                    format!("tag '{}': {why}", tag.get_ref()),
                );
            }
        }

        let fields = self.fields_or(at, raw.fields.as_ref(), Fields::DEFAULT);

        let mut max_score: i64 = 0;
        let mut usages: Vec<(TermId, Usage)> = Vec::new();
        for (written, value) in &raw.terms {
            let (weight, term_fields) = match value.get_ref() {
                RawTermValue::Weight(w) => (*w, fields),
                RawTermValue::Detailed(detail) => {
                    let fields = match &detail.fields {
                        Some(names) if names.is_empty() => {
                            self.fail(
                                at,
                                value.span().start,
                                format!(
                                    "term '{}': in: name at least one field",
                                    written.get_ref()
                                ),
                            );
                            fields
                        }
                        Some(names) => match names
                            .iter()
                            .map(|n| Fields::parse(n).ok_or(n))
                            .try_fold(Fields(0), |acc, f| f.map(|f| acc.with(f)))
                        {
                            Ok(f) => f,
                            Err(bad) => {
                                self.fail(at, value.span().start, unknown_field(bad));
                                fields
                            }
                        },
                        None => fields,
                    };
                    (detail.weight, fields)
                }
            };
            if !(-MAX_WEIGHT..=MAX_WEIGHT).contains(&weight) {
                self.fail(
                    at,
                    value.span().start,
                    format!(
                        "term '{}': weight {weight} is out of range (-{MAX_WEIGHT} to {MAX_WEIGHT})",
                        written.get_ref()
                    ),
                );
                continue;
            }
            max_score += weight.max(0);
            match self.term(at, written, false) {
                Ok(id) if usages.iter().any(|(seen, _)| *seen == id) => {
                    let first = usages
                        .iter()
                        .find(|(seen, _)| *seen == id)
                        .map_or("", |(_, u)| &*u.label)
                        .to_string();
                    self.fail(
                        at,
                        written.span().start,
                        format!(
                            "term '{}' is the same term as '{first}' (case and punctuation do not count); give it once",
                            written.get_ref()
                        ),
                    );
                }
                Ok(id) => usages.push((
                    id,
                    Usage {
                        rule: index,
                        role: Role::Scored(weight as i32),
                        fields: term_fields,
                        label: written.get_ref().as_str().into(),
                    },
                )),
                Err(e) => self.errors.push(e),
            }
        }

        for (kind, groups) in [
            ("all", &raw.all),
            ("none", &raw.none),
            ("group", &raw.group),
        ] {
            if let Some(extra) = groups.get(MAX_ALL_GROUPS) {
                self.fail(
                    at,
                    extra.span().start,
                    format!("more than {MAX_ALL_GROUPS} {kind}-groups"),
                );
            }
        }
        let mut group_weights = Vec::new();
        for (kind, groups) in [
            ("all", &raw.all),
            ("none", &raw.none),
            ("group", &raw.group),
        ] {
            for (number, group) in groups.iter().enumerate().take(MAX_ALL_GROUPS) {
                let group_ref = group.get_ref();
                match (&group_ref.weight, kind) {
                    (Some(w), "group") if !(-MAX_WEIGHT..=MAX_WEIGHT).contains(w.get_ref()) => {
                        self.fail(
                            at,
                            w.span().start,
                            format!(
                                "group {}: weight {} is out of range (-{MAX_WEIGHT} to {MAX_WEIGHT})",
                                number + 1,
                                w.get_ref()
                            ),
                        );
                    }
                    (weight, "group") => {
                        let weight = weight.as_ref().map_or(1, |w| *w.get_ref());
                        max_score += weight.max(0);
                        group_weights.push(weight as i32);
                    }
                    (Some(w), _) => self.fail(
                        at,
                        w.span().start,
                        format!(
                            "{kind}-group {}: only a [[rule.group]] has a weight (an {kind}-group scores nothing)",
                            number + 1
                        ),
                    ),
                    (None, _) => {}
                }
                let group_fields = self.fields_or(at, group_ref.fields.as_ref(), fields);
                if group_ref.any.get_ref().is_empty() {
                    self.fail(
                        at,
                        group.span().start,
                        format!("{kind}-group {}: 'any' lists no terms", number + 1),
                    );
                }
                let role = match kind {
                    "all" => Role::All(number as u8),
                    "group" => Role::Group(number as u8),
                    _ => Role::None,
                };
                for written in group_ref.any.get_ref() {
                    let label = match role {
                        Role::Group(g) => format!("{} (group {})", written.get_ref(), g + 1),
                        _ => written.get_ref().clone(),
                    };
                    match self.term(at, written, false) {
                        Ok(id) => usages.push((
                            id,
                            Usage {
                                rule: index,
                                role,
                                fields: group_fields,
                                label: label.into(),
                            },
                        )),
                        Err(e) => self.errors.push(e),
                    }
                }
            }
        }

        let mut nears = Vec::new();
        if raw.near.len() > MAX_NEARS {
            self.fail(
                at,
                raw.near[MAX_NEARS].span().start,
                format!("more than {MAX_NEARS} near-groups"),
            );
        }
        for (number, near) in raw.near.iter().enumerate().take(MAX_NEARS) {
            let near_ref = near.get_ref();
            let groups = near_ref.groups.get_ref();
            if !(2..=MAX_NEAR_GROUPS).contains(&groups.len()) {
                self.fail(
                    at,
                    near_ref.groups.span().start,
                    format!(
                        "near {}: 'groups' needs 2 to {MAX_NEAR_GROUPS} entries, found {}",
                        number + 1,
                        groups.len()
                    ),
                );
                continue;
            }
            let within = *near_ref.within.get_ref();
            if !(1..=MAX_WITHIN).contains(&within) {
                self.fail(
                    at,
                    near_ref.within.span().start,
                    format!(
                        "near {}: within {within} is out of range (1 to {MAX_WITHIN} words)",
                        number + 1
                    ),
                );
            }
            let weight = near_ref.weight.as_ref().map_or(1, |w| *w.get_ref());
            if !(-MAX_WEIGHT..=MAX_WEIGHT).contains(&weight) {
                self.fail(
                    at,
                    near_ref
                        .weight
                        .as_ref()
                        .map_or(near.span().start, |w| w.span().start),
                    format!(
                        "near {}: weight {weight} is out of range (-{MAX_WEIGHT} to {MAX_WEIGHT})",
                        number + 1
                    ),
                );
            }
            max_score += weight.max(0);
            let near_fields = self.fields_or(at, near_ref.fields.as_ref(), fields);
            let mut labels = Vec::new();
            for (group_number, group) in groups.iter().enumerate() {
                let terms = group.terms();
                if terms.is_empty() {
                    self.fail(
                        at,
                        near_ref.groups.span().start,
                        format!("near {}: group {} is empty", number + 1, group_number + 1),
                    );
                }
                labels.push(
                    terms
                        .iter()
                        .map(|t| t.as_str())
                        .collect::<Vec<_>>()
                        .join("|"),
                );
                for written in terms {
                    let written = Spanned::new(near_ref.groups.span(), written.clone());
                    match self.term(at, &written, true) {
                        Ok(id) => {
                            self.engine.positional_mark(id);
                            usages.push((
                                id,
                                Usage {
                                    rule: index,
                                    role: Role::Near {
                                        near: number as u8,
                                        group: group_number as u8,
                                    },
                                    fields: near_fields,
                                    label: written.get_ref().as_str().into(),
                                },
                            ));
                        }
                        Err(e) => self.errors.push(e),
                    }
                }
            }
            nears.push(Near {
                within: within.clamp(1, MAX_WITHIN) as u32,
                weight: weight.clamp(-MAX_WEIGHT, MAX_WEIGHT) as i32,
                groups: groups.len() as u8,
                label: labels.join(&format!(" ~{within} ")),
            });
        }

        let kinds = raw.kinds.as_ref().map(|list| {
            for k in list.get_ref() {
                if crate::source::kind(k.get_ref()).is_none() {
                    self.fail(
                        at,
                        k.span().start,
                        format!(
                            "kinds: '{}' is not a source kind (known: {})",
                            k.get_ref(),
                            crate::source::kind_names().join(", ")
                        ),
                    );
                }
            }
            list.get_ref().iter().map(|k| k.get_ref().clone()).collect()
        });
        let sources = raw
            .sources
            .as_ref()
            .map(|list| list.get_ref().iter().map(|s| s.get_ref().clone()).collect());
        let min_severity = self.severity(at, "min_severity", raw.min_severity.as_ref());
        let severity = self.severity(at, "severity", raw.severity.as_ref());

        let priority = raw.priority.as_ref().map_or(0, |p| *p.get_ref());
        if !(-100..=100).contains(&priority) {
            self.fail(
                at,
                raw.priority.as_ref().map_or(0, |p| p.span().start),
                format!("priority {priority} is out of range (-100 to 100)"),
            );
        }

        let has_terms = !raw.terms.is_empty() || !raw.near.is_empty() || !raw.group.is_empty();
        let has_conditions = raw.kinds.is_some()
            || raw.sources.is_some()
            || raw.min_severity.is_some()
            || raw.local.is_some();
        if !has_terms && raw.all.is_empty() && !has_conditions {
            self.fail(
                at,
                spanned.span().start,
                "the rule has no terms, groups or conditions, so it would tag every item".into(),
            );
        }
        let threshold = match &raw.threshold {
            Some(t) if !has_terms => {
                self.fail(
                    at,
                    t.span().start,
                    "threshold: the rule has no terms or near-groups to score".into(),
                );
                0
            }
            Some(t) => *t.get_ref(),
            None if has_terms => 1,
            None => 0,
        };
        if has_terms && !(1..=MAX_WEIGHT * 10).contains(&threshold) {
            self.fail(
                at,
                raw.threshold.as_ref().map_or(0, |t| t.span().start),
                format!(
                    "threshold {threshold} is out of range (1 to {})",
                    MAX_WEIGHT * 10
                ),
            );
        } else if has_terms && threshold > max_score {
            self.fail(
                at,
                raw.threshold.as_ref().map_or(0, |t| t.span().start),
                format!(
                    "threshold {threshold} can never be reached: the positive weights add up to {max_score}"
                ),
            );
        }

        if self.errors.len() > errors_before {
            return None;
        }
        let all_groups = raw.all.len() as u8;
        let conditions_only = usages.iter().all(|(_, u)| matches!(u.role, Role::None));
        for (id, usage) in usages {
            self.engine.fields_used = self.engine.fields_used.with(usage.fields);
            self.engine.usages[id as usize].push(usage);
        }
        if conditions_only && all_groups == 0 {
            self.engine.always.push(index);
        }
        Some(Rule {
            name: name.clone(),
            tags: raw
                .tags
                .get_ref()
                .iter()
                .map(|t| t.get_ref().clone())
                .collect(),
            description: raw.description.as_ref().map(|d| d.get_ref().clone()),
            threshold: threshold as i32,
            kinds,
            sources,
            min_severity,
            local: raw.local.as_ref().map(|l| *l.get_ref()),
            severity,
            priority: priority as i32,
            all_groups,
            groups: group_weights,
            near: nears,
            file: at.path.to_path_buf(),
            line,
        })
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
    format!(
        "in: '{name}' is not a field (title, summary, body, categories, place, source, kind, text)"
    )
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
