//! Upserts (in place, moving, against a plain model), decisions, manual tags, more than 64
//! tags, and the banner of critical items.

use super::*;
use crate::curation::Annotation;

#[test]
fn an_update_in_place_keeps_decisions_and_takes_the_new_fields() {
    let mut i = index(vec![item(1, 1), item(2, 2)]);
    decide(&mut i, 2, Action::Acknowledge, 0);
    decide(
        &mut i,
        2,
        Action::SetStatus {
            status: Status::Watching,
        },
        0,
    );
    i.upsert(vec![ItemSummary {
        severity: Some(Severity::Critical),
        ..tagged(2, 2, &["fokus/kris"])
    }]);
    assert_eq!(all(&i), [1, 2]);
    let f = Filter {
        focus: Some(Focus::Resilience),
        min_severity: Some(Severity::Critical),
        status: Some(Status::Watching),
        ..Filter::default()
    };
    assert_eq!(query(&i, f), [2]);
    assert!(i.critical_unacknowledged(now()).is_empty());
}

#[test]
fn an_item_whose_publication_time_changes_moves() {
    let mut i = index(vec![item(1, 10), item(2, 20), item(3, 30)]);
    decide(&mut i, 3, Action::Acknowledge, 0);
    i.upsert(vec![item(3, 5), item(4, 15)]);
    assert_eq!(all(&i), [3, 1, 4, 2]);
    let f = Filter {
        unacknowledged: true,
        ..Filter::default()
    };
    assert_eq!(query(&i, f), [1, 4, 2]);
    // And back to the oldest end, past more rows than are fixed in place.
    let mut big = index((1..=100).map(|n| item(n, n as i64)).collect());
    big.upsert(vec![item(1, 1000), item(500, 50)]);
    let order = all(&big);
    assert_eq!(order.len(), 101);
    assert_eq!(order.last(), Some(&1));
    assert_eq!(order.iter().position(|&n| n == 500), Some(48));
}

#[test]
fn random_upserts_agree_with_a_plain_sorted_model() {
    let mut rng = fastrand::Rng::with_seed(6);
    let mut model: std::collections::HashMap<u64, i64> = std::collections::HashMap::new();
    let mut i = ItemIndex::default();
    for round in 0..300 {
        // Mostly a few items near the newest end, sometimes many anywhere.
        let batch = if round % 25 == 0 {
            200
        } else {
            rng.usize(1..6)
        };
        let mut items = Vec::new();
        for _ in 0..batch {
            let n = rng.u64(0..800) << 20 | rng.u64(0..4);
            let minutes = if rng.bool() {
                rng.i64(0..30)
            } else {
                rng.i64(0..100_000)
            };
            model.insert(n, minutes);
            items.push(item(n, minutes));
        }
        i.upsert(items);
    }
    let mut expected: Vec<(i64, u64)> = model.iter().map(|(&n, &m)| (m, n)).collect();
    // Newest first: fewest minutes ago, then the higher id.
    expected.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let expected: Vec<u64> = expected.into_iter().map(|(_, n)| n).collect();
    assert_eq!(all(&i), expected);
    for &n in model.keys() {
        assert!(i.contains(n));
    }
    assert!(!i.contains(u64::MAX));
}

#[test]
fn duplicates_in_a_load_keep_the_newer_row() {
    let i = index(vec![
        tagged(7, 1, &["fokus/kris"]),
        item(8, 2),
        tagged(7, 30, &["fokus/brott"]),
    ]);
    assert_eq!(all(&i), [7, 8]);
    let crime = Filter {
        focus: Some(Focus::Crime),
        ..Filter::default()
    };
    assert!(query(&i, crime).is_empty());
}

#[test]
fn manual_tags_win_over_the_rules_and_outlive_re_tagging() {
    let mut i = index(vec![
        tagged(1, 1, &["fokus/brott"]),
        tagged(2, 2, &["fokus/kris"]),
    ]);
    manual(&mut i, 1, "fokus/brott", OverrideAction::Remove);
    manual(&mut i, 2, "fokus/brott", OverrideAction::Add);
    let crime = Filter {
        focus: Some(Focus::Crime),
        ..Filter::default()
    };
    assert_eq!(query(&i, crime.clone()), [2]);
    // The pipeline re-tags item 1 with the same rule tag: the removal still holds.
    i.upsert(vec![tagged(1, 1, &["fokus/brott", "plats/farsta"])]);
    assert_eq!(query(&i, crime.clone()), [2]);
    // The latest decision on a tag wins.
    manual(&mut i, 1, "fokus/brott", OverrideAction::Add);
    assert_eq!(query(&i, crime.clone()), [1, 2]);
    // A decision on an item the index has not seen yet applies when it arrives.
    manual(&mut i, 3, "fokus/brott", OverrideAction::Add);
    i.upsert(vec![item(3, 3)]);
    assert_eq!(query(&i, crime), [1, 2, 3]);
    assert_eq!(i.tags(), ["fokus/brott", "fokus/kris", "plats/farsta"]);
}

#[test]
fn decisions_on_items_not_yet_indexed_apply_when_they_arrive() {
    let mut i = ItemIndex::default();
    decide(&mut i, 5, Action::Acknowledge, 0);
    decide(&mut i, 5, Action::Briefing { include: true }, 1);
    decide(
        &mut i,
        5,
        Action::Annotate {
            annotation: Annotation::default(),
        },
        2,
    );
    i.upsert(vec![item(5, 1), item(6, 2)]);
    let briefing = Filter {
        in_briefing: true,
        ..Filter::default()
    };
    assert_eq!(query(&i, briefing), [5]);
    let open = Filter {
        unacknowledged: true,
        ..Filter::default()
    };
    assert_eq!(query(&i, open), [6]);
}

#[test]
fn tags_beyond_the_64_with_bits_filter_and_override_correctly() {
    // 70 distinct place tags, item n carrying place n; the five focus tags are interned first.
    let mut items: Vec<ItemSummary> = (0..70)
        .map(|n| tagged(n + 1, n as i64, &[&format!("plats/p{n}"), "fokus/kris"]))
        .collect();
    items.push(tagged(100, 100, &["plats/p69/under"]));
    let mut i = index(items);
    let place = |i: &ItemIndex, tag: &str| {
        query(
            i,
            Filter {
                place: Some(Place::Tag(tag.into())),
                ..Filter::default()
            },
        )
    };
    assert_eq!(place(&i, "plats/p69"), [70, 100]);
    assert_eq!(place(&i, "plats/p1"), [2]);
    manual(&mut i, 70, "plats/p69", OverrideAction::Remove);
    manual(&mut i, 1, "plats/p69", OverrideAction::Add);
    assert_eq!(place(&i, "plats/p69"), [1, 100]);
    i.upsert(vec![tagged(70, 69, &["plats/p69", "plats/p68"])]);
    assert_eq!(place(&i, "plats/p69"), [1, 100]);
    assert_eq!(place(&i, "plats/p68"), [69, 70]);
    assert_eq!(i.tags().len(), 72);
    assert!(i.tags().is_sorted());
}

#[test]
fn critical_items_stay_in_the_banner_until_acknowledged_or_over() {
    let critical = |n, minutes| ItemSummary {
        severity: Some(Severity::Critical),
        ..item(n, minutes)
    };
    let mut i = index(vec![
        critical(1, 1),
        critical(2, 2),
        ItemSummary {
            exercise: true,
            ..critical(3, 3)
        },
        ItemSummary {
            cancelled: true,
            ..critical(4, 4)
        },
        ItemSummary {
            expires: Some(now()),
            ..critical(5, 5)
        },
        ItemSummary {
            severity: Some(Severity::High),
            ..item(6, 6)
        },
        critical(7, 7),
    ]);
    assert_eq!(i.critical_unacknowledged(now()), [1, 2, 7]);
    decide(&mut i, 2, Action::Acknowledge, 0);
    assert_eq!(i.critical_unacknowledged(now()), [1, 7]);
}
