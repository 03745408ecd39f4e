//! Deciding which rules fire, from the term occurrences one scan found.
//!
//! Every occurrence is credited to the rules that use its term, the credits are sorted by rule,
//! and each rule with credits (plus the rules that fire on conditions alone) is judged once.
//! Scoring touches only numbers; evidence strings are built for the rules that fire, and reasons
//! for the ones that do not only when a trace asks for them, because most rules with a hit do
//! not fire and tagging runs on every item at ingest.

use super::engine::{Engine, Miss, Near, Role, Rule, Scan, TermId, Unmet};
use super::fold::WordIndex;
use crate::item::Item;
use crate::tags::{Evidence, RuleMatch, Tagging};

/// One occurrence credited to one rule.
#[derive(Clone, Copy)]
struct Credit {
    rule: u32,
    hit: u32,
    term: TermId,
    /// Which use of the term (index into `Engine::usages[term]`).
    usage: u16,
    /// What the term does for the rule, copied here so judging a rule reads only its credits.
    role: Role,
}

/// A distinct scored term of a rule: its first occurrence and how often it occurred.
struct Scored {
    term: TermId,
    usage: u16,
    first: u32,
    count: u32,
    weight: i32,
}

/// A near that holds: its index and the occurrences that open and close the window.
struct NearFound {
    near: usize,
    first: u32,
    last: u32,
}

/// Tags an item from its scan; with `trace`, also says why rules with some hits did not fire.
pub(super) fn decide(
    engine: &Engine,
    item: &Item,
    scan: &Scan,
    version: &str,
    trace: bool,
) -> (Tagging, Vec<Miss>) {
    let mut credits: Vec<Credit> = Vec::with_capacity(scan.hits.len() * 2);
    for (index, hit) in scan.hits.iter().enumerate() {
        for (usage_index, usage) in engine.usages[hit.term as usize].iter().enumerate() {
            if usage.fields.has(hit.field) {
                credits.push(Credit {
                    rule: usage.rule,
                    hit: index as u32,
                    term: hit.term,
                    usage: usage_index as u16,
                    role: usage.role,
                });
            }
        }
    }
    // By rule, then in the order found (field order, then position): the first occurrence is
    // the one evidence names.
    credits.sort_unstable_by_key(|c| (u64::from(c.rule) << 32) | u64::from(c.hit));

    let mut tagging = Tagging {
        rules_version: version.to_string(),
        ..Tagging::default()
    };
    let mut misses = Vec::new();
    // One buffer for every rule's distinct terms: most rules judged do not fire, and an
    // allocation each would cost more than judging them.
    let mut scored: Vec<Scored> = Vec::new();
    let mut always = engine.always.iter().copied().peekable();
    let mut rest = credits.as_slice();
    loop {
        let next_credited = rest.first().map(|c| c.rule);
        let rule = match (next_credited, always.peek().copied()) {
            (None, None) => break,
            (Some(c), Some(a)) if a < c => always.next().unwrap_or(a),
            (Some(c), Some(a)) if a == c => {
                always.next();
                c
            }
            (Some(c), _) => c,
            (None, Some(a)) => always.next().unwrap_or(a),
        };
        let split = rest
            .iter()
            .position(|c| c.rule != rule)
            .unwrap_or(rest.len());
        let (mine, after) = rest.split_at(split);
        rest = after;
        match judge(engine, rule, mine, item, scan, trace, &mut scored) {
            Some(Ok(matched)) => {
                let compiled = &engine.rules[rule as usize];
                tagging.severity = tagging.severity.max(compiled.severity);
                tagging.priority = if tagging.matches.is_empty() {
                    compiled.priority
                } else {
                    tagging.priority.max(compiled.priority)
                };
                tagging.tags.extend(compiled.tags.iter().cloned());
                tagging.matches.push(matched);
            }
            Some(Err(miss)) => misses.push(miss),
            None => {}
        }
    }
    tagging.tags.sort();
    tagging.tags.dedup();
    (tagging, misses)
}

/// Judges one rule: the match, a miss (only when tracing), or `None`.
fn judge(
    engine: &Engine,
    index: u32,
    credits: &[Credit],
    item: &Item,
    scan: &Scan,
    trace: bool,
    scored: &mut Vec<Scored>,
) -> Option<Result<RuleMatch, Miss>> {
    let rule = &engine.rules[index as usize];
    let unmet = rule.unmet_condition(item);
    // A rule on conditions alone that does not apply is no near miss worth listing.
    if unmet.is_some() && (!trace || credits.is_empty()) {
        return None;
    }
    scored.clear();
    let mut all_hit = 0u64;
    let mut group_hit = 0u64;
    let mut excluded: Option<Credit> = None;
    let mut near_credits: Vec<(u8, u8, Credit)> = Vec::new();
    for credit in credits {
        match credit.role {
            Role::Scored(weight) => match scored
                .iter_mut()
                .find(|s| s.term == credit.term && s.usage == credit.usage)
            {
                Some(seen) => seen.count += 1,
                None => scored.push(Scored {
                    term: credit.term,
                    usage: credit.usage,
                    first: credit.hit,
                    count: 1,
                    weight,
                }),
            },
            Role::All(group) => all_hit |= 1 << group,
            Role::Group(group) => {
                if group_hit & (1 << group) == 0 {
                    group_hit |= 1 << group;
                    let weight = rule.groups[group as usize];
                    scored.push(Scored {
                        term: credit.term,
                        usage: credit.usage,
                        first: credit.hit,
                        count: 1,
                        weight,
                    });
                } else if let Some(seen) = scored
                    .iter_mut()
                    .find(|s| s.term == credit.term && s.usage == credit.usage)
                {
                    seen.count += 1;
                }
            }
            Role::None => {
                excluded.get_or_insert(*credit);
            }
            Role::Near { near, group } => near_credits.push((near, group, *credit)),
        }
    }
    let mut score: i32 = scored.iter().map(|s| s.weight).sum();
    let mut nears = Vec::new();
    for (number, near) in rule.near.iter().enumerate() {
        if let Some(found) = near_window(near, number, &near_credits, scan) {
            score += near.weight;
            nears.push(found);
        }
    }
    let all_needed = if rule.all_groups == 0 {
        0
    } else {
        u64::MAX >> (64 - rule.all_groups)
    };
    let failure = if let Some(unmet) = unmet {
        Some(Failure::Unmet(unmet))
    } else if let Some(credit) = excluded {
        Some(Failure::Excluded(credit))
    } else if all_hit & all_needed != all_needed {
        let missing = (0..rule.all_groups).find(|g| all_hit & (1 << g) == 0);
        Some(Failure::AllGroup(missing.unwrap_or(0)))
    } else if score < rule.threshold {
        Some(Failure::Below)
    } else {
        None
    };
    match failure {
        Some(_) if !trace => None,
        Some(failure) => Some(Err(Miss {
            rule: rule.name.clone(),
            score,
            threshold: rule.threshold,
            reason: failure.describe(engine, rule, item, score, scan),
            evidence: evidence(engine, rule, scored, &nears, scan),
        })),
        None => Some(Ok(RuleMatch {
            rule: rule.name.clone(),
            tags: rule.tags.clone(),
            score,
            threshold: rule.threshold,
            evidence: evidence(engine, rule, scored, &nears, scan),
        })),
    }
}

/// Why a rule did not fire.
enum Failure {
    Unmet(Unmet),
    Excluded(Credit),
    /// The index of the first all-group without a hit.
    AllGroup(u8),
    Below,
}

impl Failure {
    fn describe(
        &self,
        engine: &Engine,
        rule: &Rule,
        item: &Item,
        score: i32,
        scan: &Scan,
    ) -> String {
        match self {
            Failure::Unmet(unmet) => format!("condition: {}", rule.describe_unmet(*unmet, item)),
            Failure::Excluded(credit) => {
                let hit = &scan.hits[credit.hit as usize];
                let usage = &engine.usages[credit.term as usize][credit.usage as usize];
                format!(
                    "excluded by '{}' ({}: \"{}\")",
                    usage.label,
                    hit.field.name(),
                    scan.words(hit)
                )
            }
            Failure::AllGroup(group) => format!("no term of all-group {} matched", group + 1),
            Failure::Below => format!("score {score} below threshold {}", rule.threshold),
        }
    }
}

/// The evidence of a rule: its scored terms, then its nears, strongest first.
fn evidence(
    engine: &Engine,
    rule: &Rule,
    scored: &[Scored],
    nears: &[NearFound],
    scan: &Scan,
) -> Vec<Evidence> {
    let mut out: Vec<Evidence> = scored
        .iter()
        .map(|s| {
            let hit = &scan.hits[s.first as usize];
            Evidence {
                term: engine.usages[s.term as usize][s.usage as usize]
                    .label
                    .to_string(),
                field: hit.field.name().to_string(),
                text: scan.words(hit).to_string(),
                weight: s.weight,
                count: s.count,
            }
        })
        .collect();
    for found in nears {
        let near = &rule.near[found.near];
        let first = &scan.hits[found.first as usize];
        let last = &scan.hits[found.last as usize];
        let text = scan.text(last.text);
        let words = WordIndex::new(text);
        out.push(Evidence {
            term: near.label.clone(),
            field: last.field.name().to_string(),
            text: text[words.span(text, first.word, last.word)].to_string(),
            weight: near.weight,
            count: 1,
        });
    }
    // The strongest reason reads first.
    out.sort_by_key(|e| std::cmp::Reverse(e.weight));
    out
}

/// The first window of one text in which every group of a near occurs within `within` words.
fn near_window(
    near: &Near,
    number: usize,
    credits: &[(u8, u8, Credit)],
    scan: &Scan,
) -> Option<NearFound> {
    // (text, word, group, hit)
    let mut mine: Vec<(u16, u32, u8, u32)> = credits
        .iter()
        .filter(|(n, _, _)| *n as usize == number)
        .map(|&(_, group, credit)| {
            let hit = &scan.hits[credit.hit as usize];
            (hit.text, hit.word, group, credit.hit)
        })
        .collect();
    mine.sort_unstable();
    let mut start = 0;
    for end in 0..mine.len() {
        let (text, word, _, _) = mine[end];
        while mine[start].0 != text || word - mine[start].1 > near.within {
            start += 1;
        }
        let seen = mine[start..=end]
            .iter()
            .fold(0u64, |seen, m| seen | 1 << m.2);
        if seen.count_ones() == u32::from(near.groups) {
            return Some(NearFound {
                near: number,
                first: mine[start].3,
                last: mine[end].3,
            });
        }
    }
    None
}
