//! Checking one `[[rule]]`: its name and tags, its terms, groups and nears, its conditions and
//! threshold. Each part reports its own errors and goes on, so one run lists every problem.

use toml::Spanned;

use super::{
    At, Builder, MAX_ALL_GROUPS, MAX_NEAR_GROUPS, MAX_NEARS, MAX_WEIGHT, MAX_WITHIN, unknown_field,
};
use crate::config::line_of;
use crate::rules::engine::{Fields, Near, Role, Rule, TermId, Usage};
use crate::rules::syntax::{RawRule, RawTermValue};

/// What the parts of one rule collect for the rule as a whole.
struct Draft {
    /// The rule's index in the engine.
    index: u32,
    /// The rule's default fields.
    fields: Fields,
    /// Every use of a term, registered with the engine only if the rule has no error.
    usages: Vec<(TermId, Usage)>,
    /// The highest score the rule can reach.
    max_score: i64,
}

impl Builder {
    /// Checks one rule and registers its terms; `None` when something was wrong.
    pub(super) fn rule(&mut self, at: &At, spanned: &Spanned<RawRule>) -> Option<Rule> {
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

        let mut draft = Draft {
            index,
            fields,
            usages: Vec::new(),
            max_score: 0,
        };
        self.terms(at, raw, &mut draft);
        let group_weights = self.groups(at, raw, &mut draft);
        let nears = self.nears(at, raw, &mut draft);
        let Draft {
            usages, max_score, ..
        } = draft;

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

    /// The weighted terms of `[rule.terms]`.
    fn terms(&mut self, at: &At, raw: &RawRule, draft: &mut Draft) {
        let index = draft.index;
        let fields = draft.fields;
        let usages = &mut draft.usages;
        let max_score = &mut draft.max_score;
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
            *max_score += weight.max(0);
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
    }

    /// The `all`, `none` and scoring groups; returns the scoring groups' weights.
    fn groups(&mut self, at: &At, raw: &RawRule, draft: &mut Draft) -> Vec<i32> {
        let index = draft.index;
        let fields = draft.fields;
        let usages = &mut draft.usages;
        let max_score = &mut draft.max_score;
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
                        *max_score += weight.max(0);
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

        group_weights
    }

    /// The `near`s.
    fn nears(&mut self, at: &At, raw: &RawRule, draft: &mut Draft) -> Vec<Near> {
        let index = draft.index;
        let fields = draft.fields;
        let usages = &mut draft.usages;
        let max_score = &mut draft.max_score;
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
            *max_score += weight.max(0);
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

        nears
    }
}
