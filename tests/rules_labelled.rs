//! Precision and recall of the bundled tagging rules (`config/rules/`) on hand-labelled items.
//!
//! Two sets live in `tests/fixtures/rules/`: `labelled-tune.toml`, which rule authors may study
//! and tune on, and `labelled-holdout.toml`, written separately with a similar mix, which is
//! only measured. Both were labelled without looking at the rules, by the guidelines in their
//! headers, so the numbers say how well the rules agree with an analyst, not with themselves.
//!
//! Each labelled entry is turned into an `Item` the way a source kind would deliver it (through
//! `normalise`), tagged with the rules on disk, and compared with its labels under the five
//! families the labels cover (`fokus/`, `värde/`, `tema/`, `it/`, `plats/`). Scores are
//! micro-averaged: every (item, tag) pair counts once. Run with `--nocapture` to see the tables
//! and every false positive and false negative; the floors are asserted on the holdout set only.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use serde::Deserialize;

use lage::item::{Item, Location, RawItem, RawText, Severity};
use lage::rules::RuleSet;

/// The tag families the labels cover; tags outside them are not scored.
const FAMILIES: [&str; 5] = ["fokus/", "värde/", "tema/", "it/", "plats/"];

/// Stockholm's 13 districts, as spelled in `docs/rules.md`.
const DISTRICTS: [&str; 13] = [
    "plats/rinkeby-kista",
    "plats/spånga-tensta",
    "plats/hässelby-vällingby",
    "plats/bromma",
    "plats/kungsholmen",
    "plats/norrmalm",
    "plats/östermalm",
    "plats/södermalm",
    "plats/hägersten-älvsjö",
    "plats/skärholmen",
    "plats/enskede-årsta-vantör",
    "plats/skarpnäck",
    "plats/farsta",
];

/// Source kinds a labelled item may imitate.
const KINDS: [&str; 8] = [
    "rss",
    "polisen",
    "krisinformation",
    "smhi-warnings",
    "sr-vma",
    "cap",
    "json",
    "incidents",
];

/// Holdout floors: overall, and per family for the families the office filters on most.
const MIN_PRECISION: f64 = 0.85;
const MIN_RECALL: f64 = 0.75;
const MIN_FAMILY_PRECISION: [(&str, f64); 2] = [("fokus/", 0.8), ("plats/", 0.8)];

/// One labelled file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelledFile {
    item: Vec<Labelled>,
}

/// One labelled item: what a source delivered and the tags an analyst expects.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Labelled {
    id: String,
    source: String,
    kind: String,
    title: String,
    summary: String,
    #[serde(default)]
    categories: Vec<String>,
    place: Option<String>,
    severity: Option<String>,
    tags: Vec<String>,
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rules")
        .join(name)
}

fn load(name: &str) -> Vec<Labelled> {
    let path = fixture(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let file: LabelledFile =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    file.item
}

/// A fixed "now", so items never depend on the day the test runs.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0)
        .single()
        .expect("a valid constant date")
}

/// The item a source of the labelled kind would have stored.
fn to_item(l: &Labelled) -> Item {
    let raw = RawItem {
        title: Some(RawText::plain(l.title.clone())),
        summary: Some(RawText::plain(l.summary.clone())),
        categories: l.categories.clone(),
        severity: l.severity.as_deref().and_then(Severity::parse),
        location: l.place.clone().map(|p| Location {
            name: Some(p),
            ..Default::default()
        }),
        ..Default::default()
    };
    lage::normalise::normalise(raw, &l.source, &l.kind, now()).item
}

fn family(tag: &str) -> Option<&'static str> {
    FAMILIES.into_iter().find(|f| tag.starts_with(f))
}

/// True positives, false positives and false negatives.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Counts {
    fn precision(self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fp)
    }

    fn recall(self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fn_)
    }

    fn add(&mut self, other: Counts) {
        self.tp += other.tp;
        self.fp += other.fp;
        self.fn_ += other.fn_;
    }
}

fn ratio(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn show(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.3}")).unwrap_or_else(|| "-".into())
}

/// One wrong tag: an item given a tag it should not have, or missing one it should.
#[derive(Debug)]
struct Miss {
    id: String,
    title: String,
    tag: String,
    /// For a false positive, the rules that gave the tag.
    rules: Vec<String>,
}

/// The scores of a rule set on one labelled file.
#[derive(Debug, Default)]
struct Report {
    items: usize,
    per_tag: BTreeMap<String, Counts>,
    false_positives: Vec<Miss>,
    false_negatives: Vec<Miss>,
}

impl Report {
    fn family(&self, prefix: &str) -> Counts {
        let mut c = Counts::default();
        for (tag, counts) in &self.per_tag {
            if tag.starts_with(prefix) {
                c.add(*counts);
            }
        }
        c
    }

    fn overall(&self) -> Counts {
        let mut c = Counts::default();
        for counts in self.per_tag.values() {
            c.add(*counts);
        }
        c
    }

    fn table(&self, name: &str) -> String {
        let mut out = String::new();
        let o = self.overall();
        let _ = writeln!(out, "\n=== {name}: {} items ===", self.items);
        let _ = writeln!(
            out,
            "{:<28} {:>5} {:>5} {:>5} {:>8} {:>8}",
            "family", "tp", "fp", "fn", "prec", "recall"
        );
        for f in FAMILIES {
            let c = self.family(f);
            let _ = writeln!(
                out,
                "{:<28} {:>5} {:>5} {:>5} {:>8} {:>8}",
                f,
                c.tp,
                c.fp,
                c.fn_,
                show(c.precision()),
                show(c.recall())
            );
        }
        let _ = writeln!(
            out,
            "{:<28} {:>5} {:>5} {:>5} {:>8} {:>8}",
            "OVERALL",
            o.tp,
            o.fp,
            o.fn_,
            show(o.precision()),
            show(o.recall())
        );
        let _ = writeln!(
            out,
            "\n{:<28} {:>5} {:>5} {:>5} {:>8} {:>8}",
            "tag", "tp", "fp", "fn", "prec", "recall"
        );
        for (tag, c) in &self.per_tag {
            let _ = writeln!(
                out,
                "{:<28} {:>5} {:>5} {:>5} {:>8} {:>8}",
                tag,
                c.tp,
                c.fp,
                c.fn_,
                show(c.precision()),
                show(c.recall())
            );
        }
        let _ = writeln!(out, "\nfalse positives ({}):", self.false_positives.len());
        for m in &self.false_positives {
            let _ = writeln!(
                out,
                "  {} {:<28} {}  [rules: {}]",
                m.id,
                m.tag,
                m.title,
                m.rules.join(", ")
            );
        }
        let _ = writeln!(out, "false negatives ({}):", self.false_negatives.len());
        for m in &self.false_negatives {
            let _ = writeln!(out, "  {} {:<28} {}", m.id, m.tag, m.title);
        }
        out
    }
}

/// Tags every labelled item with `rules` and scores the result against the labels.
fn evaluate(rules: &RuleSet, labelled: &[Labelled]) -> Report {
    let mut report = Report {
        items: labelled.len(),
        ..Report::default()
    };
    for l in labelled {
        let item = to_item(l);
        let tagging = rules.tag(&item);
        let got: BTreeSet<&str> = tagging
            .tags
            .iter()
            .map(String::as_str)
            .filter(|t| family(t).is_some())
            .collect();
        let want: BTreeSet<&str> = l.tags.iter().map(String::as_str).collect();
        for tag in got.union(&want) {
            let counts = report.per_tag.entry((*tag).to_string()).or_default();
            match (got.contains(tag), want.contains(tag)) {
                (true, true) => counts.tp += 1,
                (true, false) => {
                    counts.fp += 1;
                    report.false_positives.push(Miss {
                        id: l.id.clone(),
                        title: l.title.clone(),
                        tag: (*tag).to_string(),
                        rules: tagging
                            .rules_for(tag)
                            .into_iter()
                            .map(str::to_string)
                            .collect(),
                    });
                }
                (false, true) => {
                    counts.fn_ += 1;
                    report.false_negatives.push(Miss {
                        id: l.id.clone(),
                        title: l.title.clone(),
                        tag: (*tag).to_string(),
                        rules: Vec::new(),
                    });
                }
                (false, false) => {}
            }
        }
    }
    report
}

fn bundled_rules() -> RuleSet {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/rules");
    RuleSet::load_dir(&dir).unwrap_or_else(|e| panic!("bundled rules do not load:\n{e}"))
}

/// Everything wrong with one labelled file (empty when it is well-formed).
fn problems(name: &str, labelled: &[Labelled]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut ids = BTreeSet::new();
    for l in labelled {
        let at = format!("{name}: item '{}'", l.id);
        if !ids.insert(l.id.as_str()) {
            problems.push(format!("{at}: duplicate id"));
        }
        if l.title.trim().is_empty() || l.summary.trim().is_empty() {
            problems.push(format!("{at}: empty title or summary"));
        }
        if l.source.trim().is_empty() {
            problems.push(format!("{at}: empty source"));
        }
        if !KINDS.contains(&l.kind.as_str()) {
            problems.push(format!("{at}: unknown kind '{}'", l.kind));
        }
        if let Some(s) = &l.severity
            && Severity::parse(s).is_none()
        {
            problems.push(format!("{at}: unknown severity '{s}'"));
        }
        let mut seen = BTreeSet::new();
        for tag in &l.tags {
            if !seen.insert(tag.as_str()) {
                problems.push(format!("{at}: tag '{tag}' given twice"));
            }
            if let Err(e) = lage::tags::validate_tag(tag) {
                problems.push(format!("{at}: invalid tag '{tag}': {e}"));
            }
            match family(tag) {
                None => problems.push(format!(
                    "{at}: tag '{tag}' is outside {}",
                    FAMILIES.join(" ")
                )),
                Some("plats/") if !DISTRICTS.contains(&tag.as_str()) => {
                    problems.push(format!("{at}: '{tag}' is not one of the 13 districts"))
                }
                Some(_) if tag.matches('/').count() != 1 || tag.ends_with('/') => {
                    problems.push(format!("{at}: '{tag}' is not a family and one tag"))
                }
                Some(_) => {}
            }
        }
    }
    problems
}

#[test]
fn labelled_sets_are_well_formed_and_independent() {
    let tune = load("labelled-tune.toml");
    let holdout = load("labelled-holdout.toml");
    let mut all = problems("labelled-tune.toml", &tune);
    all.extend(problems("labelled-holdout.toml", &holdout));
    assert!(all.is_empty(), "labelled sets:\n{}", all.join("\n"));

    for (name, set) in [("tune", &tune), ("holdout", &holdout)] {
        assert!(set.len() >= 100, "{name} has only {} items", set.len());
        let without_focus = set
            .iter()
            .filter(|l| !l.tags.iter().any(|t| t.starts_with("fokus/")))
            .count();
        assert!(
            without_focus * 5 >= set.len() && without_focus * 2 <= set.len(),
            "{name}: {without_focus} of {} items without a fokus/ tag; keep it between a fifth and a half",
            set.len()
        );
    }

    // The holdout set only means something if no item of it is also in the tune set.
    let tune_texts: BTreeSet<(&str, &str)> = tune
        .iter()
        .map(|l| (l.title.as_str(), l.summary.as_str()))
        .collect();
    let shared: Vec<&str> = holdout
        .iter()
        .filter(|l| tune_texts.contains(&(l.title.as_str(), l.summary.as_str())))
        .map(|l| l.id.as_str())
        .collect();
    assert!(shared.is_empty(), "holdout items also in tune: {shared:?}");

    // Every district occurs in each set, so plats/ is measured for all of them.
    for (name, set) in [("tune", &tune), ("holdout", &holdout)] {
        let used: BTreeSet<&str> = set
            .iter()
            .flat_map(|l| l.tags.iter().map(String::as_str))
            .collect();
        let missing: Vec<&str> = DISTRICTS
            .into_iter()
            .filter(|d| !used.contains(d))
            .collect();
        assert!(missing.is_empty(), "{name} never uses {missing:?}");
    }
}

#[test]
fn labelled_items_survive_normalisation() {
    // What the rules see must be what was labelled: normalising plain text keeps it whole.
    for name in ["labelled-tune.toml", "labelled-holdout.toml"] {
        for l in load(name) {
            let item = to_item(&l);
            assert_eq!(item.title, l.title, "{name}: item '{}'", l.id);
            assert_eq!(item.summary, l.summary, "{name}: item '{}'", l.id);
            assert_eq!(item.categories, l.categories, "{name}: item '{}'", l.id);
            assert_eq!(
                item.location.and_then(|p| p.name),
                l.place,
                "{name}: item '{}'",
                l.id
            );
        }
    }
}

#[test]
fn bundled_rules_reach_precision_and_recall_floors_on_holdout() {
    let rules = bundled_rules();
    let tune = evaluate(&rules, &load("labelled-tune.toml"));
    let holdout = evaluate(&rules, &load("labelled-holdout.toml"));
    println!("{}", tune.table("labelled-tune.toml (tuning set)"));
    println!(
        "{}",
        holdout.table("labelled-holdout.toml (holdout, asserted)")
    );

    let mut failures = Vec::new();
    let o = holdout.overall();
    if o.precision().is_none_or(|p| p < MIN_PRECISION) {
        failures.push(format!(
            "overall precision {} < {MIN_PRECISION}",
            show(o.precision())
        ));
    }
    if o.recall().is_none_or(|r| r < MIN_RECALL) {
        failures.push(format!(
            "overall recall {} < {MIN_RECALL}",
            show(o.recall())
        ));
    }
    for (prefix, min) in MIN_FAMILY_PRECISION {
        let c = holdout.family(prefix);
        if c.precision().is_none_or(|p| p < min) {
            failures.push(format!(
                "{prefix} precision {} < {min}",
                show(c.precision())
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "holdout below the floors: {} (run with --nocapture for the tables)",
        failures.join("; ")
    );
}

#[test]
fn scoring_counts_each_item_and_tag_once() {
    // The scorer itself, on a rule set that tags nothing: every label is a false negative,
    // nothing is a false positive, and precision is undefined rather than perfect.
    let labelled = load("labelled-holdout.toml");
    let expected: usize = labelled.iter().map(|l| l.tags.len()).sum();
    let report = evaluate(&RuleSet::empty(), &labelled);
    let o = report.overall();
    assert_eq!((o.tp, o.fp, o.fn_), (0, 0, expected));
    assert_eq!(report.false_negatives.len(), expected);
    assert!(o.precision().is_none());
    assert_eq!(o.recall(), Some(0.0));
}
