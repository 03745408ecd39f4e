//! The rule language as `docs/rules.md` describes it: terms, scoring, groups, fields,
//! conditions, contributions, and errors that name file, line, rule and value.

use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use lage::item::{Item, LocalMatch, Location, MatchHow, RawItem, RawText, Severity};
use lage::normalise::normalise;
use lage::rules::{RuleFile, RuleSet};

fn rules(text: &str) -> RuleSet {
    match RuleSet::from_files(&[file("test.toml", text)]) {
        Ok(set) => set,
        Err(e) => panic!("rules did not compile:\n{e}"),
    }
}

fn file(name: &str, text: &str) -> RuleFile {
    RuleFile {
        path: PathBuf::from(format!("config/rules/{name}")),
        text: text.to_string(),
    }
}

fn errors(text: &str) -> String {
    match RuleSet::from_files(&[file("bad.toml", text)]) {
        Ok(_) => panic!("rules compiled but should not have:\n{text}"),
        Err(e) => e.to_string(),
    }
}

fn item(title: &str, summary: &str) -> Item {
    item_from("nyheter", "rss", title, summary, &[])
}

fn item_from(source: &str, kind: &str, title: &str, summary: &str, categories: &[&str]) -> Item {
    let raw = RawItem {
        guid: Some(title.to_string()),
        title: Some(RawText::plain(title)),
        summary: Some(RawText::plain(summary)),
        categories: categories.iter().map(|c| c.to_string()).collect(),
        ..RawItem::default()
    };
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
    normalise(raw, source, kind, now).item
}

fn tags(set: &RuleSet, item: &Item) -> Vec<String> {
    set.tag(item).tags
}

const BRAND: &str = r#"
[[rule]]
name = "brand"
tags = ["fokus/olyckor", "händelse/brand"]
threshold = 3

[rule.terms]
"*brand*" = 3
"rökutveckling" = 2
"räddningstjänst*" = 1
"brandman*" = -3
"#;

#[test]
fn compounds_prefixes_and_case_match_as_documented() {
    let set = rules(BRAND);
    for title in [
        "Skolbrand i Skärholmen",
        "BILBRAND i natt",
        "Branden är släckt",
        "Lägenhetsbranden i Farsta",
    ] {
        assert_eq!(
            tags(&set, &item(title, "")),
            ["fokus/olyckor", "händelse/brand"],
            "{title}"
        );
    }
    assert!(tags(&set, &item("Bran i skogen", "")).is_empty());
}

#[test]
fn word_shapes_keep_to_word_boundaries() {
    let set = rules(
        r#"
[[rule]]
name = "former"
tags = ["t/exakt"]
[rule.terms]
"rån" = 1

[[rule]]
name = "prefix"
tags = ["t/prefix"]
[rule.terms]
"brand*" = 1

[[rule]]
name = "suffix"
tags = ["t/suffix"]
[rule.terms]
"*brand" = 1
"#,
    );
    assert_eq!(tags(&set, &item("Rån mot butik", "")), ["t/exakt"]);
    assert!(tags(&set, &item("Rånet", "")).is_empty());
    assert_eq!(tags(&set, &item("Branden", "")), ["t/prefix"]);
    assert_eq!(tags(&set, &item("Skolbrand", "")), ["t/suffix"]);
    assert_eq!(tags(&set, &item("Brand", "")), ["t/prefix", "t/suffix"]);
    assert!(tags(&set, &item("Skolbranden", "")).is_empty());
}

#[test]
fn a_weak_word_alone_does_not_tag_and_each_term_counts_once() {
    let set = rules(BRAND);
    assert!(tags(&set, &item("Räddningstjänsten ryckte ut", "")).is_empty());
    // Repeating a weak word does not add up.
    assert!(
        tags(
            &set,
            &item("Räddningstjänsten", "räddningstjänst räddningstjänsten")
        )
        .is_empty()
    );
    let tagging = set.tag(&item(
        "Rökutveckling i trapphus",
        "Räddningstjänsten på plats",
    ));
    assert_eq!(tagging.matches.len(), 1);
    let matched = &tagging.matches[0];
    assert_eq!((matched.score, matched.threshold), (3, 3));
    let terms: Vec<(&str, &str, &str, i32)> = matched
        .evidence
        .iter()
        .map(|e| (e.term.as_str(), e.field.as_str(), e.text.as_str(), e.weight))
        .collect();
    assert_eq!(
        terms,
        [
            ("rökutveckling", "title", "rökutveckling", 2),
            ("räddningstjänst*", "summary", "räddningstjänsten", 1)
        ]
    );
}

#[test]
fn negative_weights_pull_the_score_down() {
    let set = rules(BRAND);
    assert!(tags(&set, &item("Brandman sökes till Brandkåren", "")).is_empty());
    assert!(!tags(&set, &item("Brand i radhus", "")).is_empty());
}

#[test]
fn the_count_says_how_often_a_term_occurred() {
    let set = rules(BRAND);
    let tagging = set.tag(&item(
        "Brand i Kista",
        "Branden spred sig. Ny brand i natt.",
    ));
    let brand = &tagging.matches[0].evidence[0];
    assert_eq!((brand.term.as_str(), brand.count), ("*brand*", 3));
}

#[test]
fn phrases_need_their_words_in_a_row() {
    let set = rules(
        r#"
[[rule]]
name = "hot-och-vald"
tags = ["fokus/hot-och-våld"]
[rule.terms]
"hot och våld" = 1
"hot mot anställd*" = 1
"#,
    );
    assert_eq!(
        tags(&set, &item("Ökat hot och våld i skolan", "")),
        ["fokus/hot-och-våld"]
    );
    assert_eq!(
        tags(&set, &item("Hot mot anställda på socialkontoret", "")),
        ["fokus/hot-och-våld"]
    );
    assert!(tags(&set, &item("Hot och grovt våld", "")).is_empty());
    // Punctuation between the words does not matter.
    assert_eq!(
        tags(&set, &item("HOT, OCH VÅLD!", "")),
        ["fokus/hot-och-våld"]
    );
}

#[test]
fn all_none_and_near_combine() {
    let set = rules(
        r#"
[[rule]]
name = "hot-mot-anstallda"
tags = ["fokus/hot-och-våld"]
threshold = 4

[rule.terms]
"hot" = 1
"hotad*" = 2
"*våld*" = 2

[[rule.all]]
any = ["anställd*", "personal*", "lärare*"]

[[rule.near]]
groups = [["hot", "hotad*", "*våld*"], ["anställd*", "personal*", "lärare*"]]
within = 4
weight = 3

[[rule.none]]
any = ["hotell*"]
"#,
    );
    let fired = set.tag(&item("Lärare hotad av elev", ""));
    assert_eq!(fired.tags, ["fokus/hot-och-våld"]);
    let near = fired.matches[0]
        .evidence
        .iter()
        .find(|e| e.term.contains('~'))
        .expect("near evidence");
    assert_eq!(near.text, "lärare hotad");
    assert_eq!(near.field, "title");
    assert_eq!(fired.matches[0].score, 5);
    // Too far apart for the near: the score stays below the threshold.
    assert!(
        tags(
            &set,
            &item(
                "Hotad",
                "en text med många ord emellan innan det kommer personal"
            )
        )
        .is_empty()
    );
    // No all-group term.
    assert!(tags(&set, &item("Hot och våld på gatan", "")).is_empty());
    // Excluded.
    assert!(tags(&set, &item("Personal på hotellet hotad", "")).is_empty());
}

#[test]
fn near_does_not_reach_across_fields() {
    let set = rules(
        r#"
[[rule]]
name = "n"
tags = ["t/n"]
[[rule.near]]
groups = ["hot", "anställd"]
within = 10
"#,
    );
    assert!(tags(&set, &item("hot", "anställd")).is_empty());
    assert_eq!(tags(&set, &item("anställd utsatt för hot", "")), ["t/n"]);
}

#[test]
fn fields_scope_terms() {
    let set = rules(
        r#"
[[rule]]
name = "rubrik"
tags = ["t/rubrik"]
in = ["title"]
[rule.terms]
"explosion*" = 1

[[rule]]
name = "kategori"
tags = ["t/kategori"]
[rule.terms]
"skottlossning" = { weight = 1, in = ["categories"] }

[[rule]]
name = "kalla"
tags = ["t/kalla"]
[rule.terms]
"cert" = { weight = 1, in = ["source", "kind"] }
"#,
    );
    assert_eq!(tags(&set, &item("Explosion i port", "")), ["t/rubrik"]);
    assert!(tags(&set, &item("Lugnt", "En explosion hördes")).is_empty());
    let polisen = item_from("polisen", "polisen", "Stockholm", "", &["Skottlossning"]);
    assert_eq!(tags(&set, &polisen), ["t/kategori"]);
    assert!(tags(&set, &item("Skottlossning i Husby", "")).is_empty());
    assert_eq!(
        tags(&set, &item_from("cert-se", "rss", "Nyhet", "", &[])),
        ["t/kalla"]
    );
}

#[test]
fn the_place_field_holds_location_areas_and_the_local_place() {
    let set = rules(
        r#"
[[rule]]
name = "plats-farsta"
tags = ["plats/farsta"]
in = ["text", "place"]
[rule.terms]
"farsta" = 1
"hökarängen" = 1
"#,
    );
    let mut by_location = item("Brand i lägenhet", "");
    by_location.location = Some(Location {
        name: Some("Hökarängen".into()),
        ..Location::default()
    });
    assert_eq!(tags(&set, &by_location), ["plats/farsta"]);
    let mut by_local = item("Brand i lägenhet", "");
    by_local.local = Some(LocalMatch {
        how: MatchHow::Distance,
        place: "Farsta".into(),
        distance_km: Some(0.4),
    });
    let tagging = set.tag(&by_local);
    assert_eq!(tagging.tags, ["plats/farsta"]);
    assert_eq!(tagging.matches[0].evidence[0].field, "place");
    assert!(tags(&set, &item("Brand i lägenhet", "")).is_empty());
}

#[test]
fn conditions_and_contributions() {
    let set = rules(
        r#"
[[rule]]
name = "polisen-skott"
tags = ["fokus/brott"]
kinds = ["polisen"]
min_severity = "medium"
severity = "high"
priority = 2
[rule.terms]
"skottlossning" = 1

[[rule]]
name = "cert-alla"
tags = ["it/incident"]
sources = ["cert-se"]

[[rule]]
name = "lokal"
tags = ["t/lokal"]
local = true
"#,
    );
    let mut event = item_from("polisen", "polisen", "Skottlossning, Rinkeby", "", &[]);
    event.severity = Some(Severity::Medium);
    let tagging = set.tag(&event);
    assert_eq!(tagging.tags, ["fokus/brott"]);
    assert_eq!(tagging.severity, Some(Severity::High));
    assert_eq!(tagging.priority, 2);
    event.severity = Some(Severity::Low);
    assert!(set.tag(&event).tags.is_empty());
    let news = item_from("nyheter", "rss", "Skottlossning, Rinkeby", "", &[]);
    assert!(set.tag(&news).tags.is_empty());
    let cert = item_from("cert-se", "rss", "Veckobrev", "", &[]);
    assert_eq!(set.tag(&cert).tags, ["it/incident"]);
    let mut local = item("Konsert", "");
    local.local = Some(LocalMatch {
        how: MatchHow::Name,
        place: "Stockholm".into(),
        distance_km: None,
    });
    assert_eq!(set.tag(&local).tags, ["t/lokal"]);
}

#[test]
fn regexes_run_on_the_stored_text() {
    let set = rules(
        r#"
[[rule]]
name = "cve"
tags = ["it/sårbarhet"]
[rule.terms]
're:\bCVE-\d{4}-\d{4,}' = 1
"#,
    );
    let tagging = set.tag(&item(
        "Kritisk sårbarhet",
        "Uppdatera för cve-2026-12345 nu.",
    ));
    assert_eq!(tagging.tags, ["it/sårbarhet"]);
    assert_eq!(tagging.matches[0].evidence[0].text, "cve-2026-12345");
    assert!(set.tag(&item("CVE-26", "")).tags.is_empty());
}

#[test]
fn rules_sharing_a_term_each_get_their_evidence() {
    let set = rules(
        r#"
[[rule]]
name = "a"
tags = ["t/a"]
[rule.terms]
"*brand*" = 1

[[rule]]
name = "b"
tags = ["t/b"]
[rule.terms]
"brand*" = 2
"*brand*" = 1
threshold = 3
"#,
    );
    let tagging = set.tag(&item("Branden", ""));
    assert_eq!(tagging.tags, ["t/a", "t/b"]);
    assert_eq!(tagging.matches[1].score, 3);
}

#[test]
fn trace_says_why_a_rule_did_not_fire() {
    let set = rules(BRAND);
    let (tagging, misses) = set.trace(&item("Räddningstjänsten larmades", ""));
    assert!(tagging.tags.is_empty());
    assert_eq!(misses.len(), 1);
    assert_eq!(misses[0].rule, "brand");
    assert_eq!(misses[0].reason, "score 1 below threshold 3");
}

#[test]
fn the_version_changes_with_the_rules() {
    let a = rules(BRAND);
    let b = rules(&BRAND.replace("= 3\n\"rök", "= 2\n\"rök"));
    assert_ne!(a.version(), b.version());
    assert_eq!(a.version(), rules(BRAND).version());
    assert_eq!(a.tag(&item("Brand", "")).rules_version, a.version());
}

#[test]
fn errors_name_file_line_rule_and_value() {
    let text = "[[rule]]\nname = \"inbrott\"\ntags = [\"fokus/brott\"]\n\n[rule.terms]\n\"inbrott\" = 2\n're:(?<x' = 1\n";
    let message = errors(text);
    assert!(
        message
            .starts_with("config/rules/bad.toml:7: rule 'inbrott': term 're:(?<x': invalid regex"),
        "{message}"
    );
}

#[test]
fn every_error_is_listed_not_just_the_first() {
    let text = r#"
[[rule]]
name = "a"
tags = ["Fokus/Brott"]
[rule.terms]
"b*d" = 1

[[rule]]
name = "b"
tags = ["fokus/brott"]
kinds = ["polis"]
min_severity = "jätteviktig"
[rule.terms]
"rån" = 2000
"#;
    let message = errors(text);
    for expected in [
        "bad.toml:4: rule 'a': tag 'Fokus/Brott'",
        "bad.toml:6: rule 'a': term 'b*d': '*' may only start or end a term",
        "bad.toml:11: rule 'b': kinds: 'polis' is not a source kind",
        "bad.toml:12: rule 'b': min_severity: 'jätteviktig' is not a severity",
        "bad.toml:14: rule 'b': term 'rån': weight 2000 is out of range",
    ] {
        assert!(
            message.contains(expected),
            "missing {expected:?} in:\n{message}"
        );
    }
}

#[test]
fn structural_mistakes_are_explained() {
    let cases = [
        (
            "[[rule]]\nname = \"x\"\ntags = [\"a\"]\ntreshold = 3\n[rule.terms]\n\"a\" = 1\n",
            "bad.toml:4: rule 'x': unknown field `treshold`",
        ),
        (
            "[[rule]]\nname = \"x\"\ntags = [\"a\"]\n[rule.terms]\n\"a\" = \"tre\"\n",
            "bad.toml:5: rule 'x': a term's value is a weight",
        ),
        (
            "[[rule]]\nname = \"x\"\ntags = [\"a\"]\nthreshold = 5\n[rule.terms]\n\"a\" = 2\n\"b\" = 2\n",
            "bad.toml:4: rule 'x': threshold 5 can never be reached: the positive weights add up to 4",
        ),
        (
            "[[rule]]\nname = \"x\"\ntags = [\"a\"]\n",
            "bad.toml:1: rule 'x': the rule has no terms, groups or conditions",
        ),
        (
            "[[rule]]\nname = \"x\"\ntags = [\"a\"]\nin = [\"rubrik\"]\n[rule.terms]\n\"a\" = 1\n",
            "bad.toml:4: rule 'x': in: 'rubrik' is not a field",
        ),
        (
            "[[rule]]\nname = \"x\"\ntags = [\"a\"]\n[[rule.near]]\ngroups = [\"a\", \"re:b+\"]\nwithin = 3\n",
            "rule 'x': term 're:b+': regular expressions cannot be used in near",
        ),
        (
            "[[rule]]\nname = \"x\"\ntags = [\"a\"]\n[[rule.near]]\ngroups = [\"a\", \"b\"]\nwithin = 500\n",
            "bad.toml:6: rule 'x': near 1: within 500 is out of range",
        ),
        ("[[rule]\nname = \"x\"\n", "bad.toml:1:"),
    ];
    for (text, expected) in cases {
        let message = errors(text);
        assert!(
            message.contains(expected),
            "expected {expected:?} in:\n{message}"
        );
    }
}

#[test]
fn names_are_unique_across_files() {
    let one = file(
        "a.toml",
        "[[rule]]\nname = \"brand\"\ntags = [\"a\"]\n[rule.terms]\n\"x\" = 1\n",
    );
    let two = file(
        "b.toml",
        "\n[[rule]]\nname = \"brand\"\ntags = [\"b\"]\n[rule.terms]\n\"y\" = 1\n",
    );
    let message = RuleSet::from_files(&[one, two]).unwrap_err().to_string();
    assert!(
        message.contains("config/rules/b.toml:3: rule 'brand': name 'brand' is already used by the rule at config/rules/a.toml:1"),
        "{message}"
    );
}

#[test]
fn hostile_regexes_are_refused_with_a_clear_message() {
    // A repetition that would compile to an enormous program.
    let nested = errors(
        "[[rule]]\nname = \"x\"\ntags = [\"a\"]\n[rule.terms]\n're:((a{100}){100}){100}' = 1\n",
    );
    assert!(
        nested.contains("bad.toml:5: rule 'x': term 're:((a{100}){100}){100}': invalid regex"),
        "{nested}"
    );
    assert!(nested.contains("size limit"), "{nested}");
    // A huge alternation: refused by length before it is compiled.
    let alternation = format!(
        "[[rule]]\nname = \"x\"\ntags = [\"a\"]\n[rule.terms]\n're:{}' = 1\n",
        (0..400)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join("|")
    );
    let message = errors(&alternation);
    assert!(message.contains("at most 1000 are allowed"), "{message}");
    // A classic backtracking bomb is harmless here: the regex engine is linear-time.
    let set = rules("[[rule]]\nname = \"x\"\ntags = [\"a\"]\n[rule.terms]\n're:^(a+)+$' = 1\n");
    let long = format!("{}b", "a".repeat(5_000));
    assert!(set.tag(&item(&long, "")).tags.is_empty());
}

#[test]
fn a_thousand_rules_share_one_matcher() {
    let mut text = String::new();
    for i in 0..1_000 {
        text.push_str(&format!(
            "[[rule]]\nname = \"r{i}\"\ntags = [\"gen/r{i}\"]\nthreshold = 2\n[rule.terms]\n\"ord{i}a\" = 1\n\"ord{i}b*\" = 1\n\"*brand*\" = 1\n"
        ));
    }
    let set = rules(&text);
    assert_eq!(set.rules().len(), 1_000);
    let tagging = set.tag(&item("Ord17a och ord17bravo", "ord999a brand"));
    assert_eq!(tagging.tags, ["gen/r17", "gen/r999"]);
}

#[test]
fn a_group_scores_once_whichever_of_its_terms_match() {
    let set = rules(
        r#"
[[rule]]
name = "samhallsservice"
tags = ["värde/funktionalitet"]
threshold = 3

[rule.terms]
"stängd*" = 2

[[rule.group]]
any = ["*skol*", "*äldreboend*", "*förskol*"]
weight = 1
"#,
    );
    // Two group terms still add the group's weight once: 2 + 1.
    let tagging = set.tag(&item("Skolan och förskolan stängda", ""));
    assert_eq!(tagging.tags, ["värde/funktionalitet"]);
    assert_eq!(tagging.matches[0].score, 3);
    assert!(
        tagging.matches[0]
            .evidence
            .iter()
            .any(|e| e.term == "*skol* (group 1)" && e.text == "skolan")
    );
    assert!(set.tag(&item("Skolan och förskolan", "")).tags.is_empty());
    let message =
        errors("[[rule]]\nname = \"x\"\ntags = [\"a\"]\n[[rule.all]]\nany = [\"b\"]\nweight = 2\n");
    assert!(
        message.contains("bad.toml:6: rule 'x': all-group 1: only a [[rule.group]] has a weight"),
        "{message}"
    );
}

#[test]
fn text_without_spaces_is_bounded_and_evidence_stays_short() {
    let set = rules(BRAND);
    let body = "skolbrand".repeat(20_000);
    let tagging = set.tag(&item_from("nyheter", "rss", "x", &body, &[]));
    assert_eq!(tagging.tags, ["fokus/olyckor", "händelse/brand"]);
    let evidence = &tagging.matches[0].evidence[0];
    assert!(evidence.text.len() < 200, "{}", evidence.text.len());
    assert!(
        evidence.count <= 1_000,
        "occurrences are capped per field: {}",
        evidence.count
    );
}

#[test]
fn limits_hold_for_none_groups_and_terms_are_given_once() {
    let mut none_groups = String::new();
    for i in 0..33 {
        none_groups.push_str(&format!("[[rule.none]]\nany = [\"ord{i}\"]\n"));
    }
    let message = errors(&format!(
        "[[rule]]\nname = \"x\"\ntags = [\"a\"]\n[rule.terms]\n\"*brand*\" = 1\n{none_groups}"
    ));
    assert!(message.contains("more than 32 none-groups"), "{message}");
    let message = errors(
        "[[rule]]\nname = \"x\"\ntags = [\"a\"]\n[rule.terms]\n\"Brand\" = 3\n\"brand\" = -3\n",
    );
    assert!(message.contains("is the same term as"), "{message}");
    let message = errors(
        "[[rule]]\nname = \"x\"\ntags = [\"a\"]\n[rule.terms]\n\"olycka\" = { weight = 1, in = [] }\n",
    );
    assert!(message.contains("in: name at least one field"), "{message}");
}
