//! Every filter, alone and combined, and search hits.

use super::*;

#[test]
fn items_come_newest_first_whatever_order_they_arrive_in() {
    let i = index(vec![item(3, 30), item(1, 10), item(2, 20), item(4, 10)]);
    // 1 and 4 share a time: the higher id counts as newer, as the rows are ordered.
    assert_eq!(all(&i), [4, 1, 2, 3]);
    assert_eq!(i.len(), 4);
}

#[test]
fn focus_matches_its_tag_and_tags_under_it_only() {
    let i = index(vec![
        tagged(1, 1, &["fokus/brott"]),
        tagged(2, 2, &["fokus/brott/inbrott"]),
        tagged(3, 3, &["fokus/brottslighet"]),
        tagged(4, 4, &["fokus/kris"]),
    ]);
    let crime = Filter {
        focus: Some(Focus::Crime),
        ..Filter::default()
    };
    assert_eq!(query(&i, crime), [1, 2]);
    let protective = Filter {
        focus: Some(Focus::Protective),
        ..Filter::default()
    };
    assert!(query(&i, protective).is_empty());
}

#[test]
fn min_severity_keeps_that_severity_and_higher() {
    let i = index(vec![
        ItemSummary {
            severity: Some(Severity::High),
            ..item(1, 1)
        },
        ItemSummary {
            severity: Some(Severity::Medium),
            ..item(2, 2)
        },
        item(3, 3),
        ItemSummary {
            severity: Some(Severity::Critical),
            ..item(4, 4)
        },
    ]);
    let filter = Filter {
        min_severity: Some(Severity::High),
        ..Filter::default()
    };
    assert_eq!(query(&i, filter), [1, 4]);
}

#[test]
fn the_source_filter_matches_every_source_that_served_an_item() {
    let i = index(vec![
        ItemSummary {
            sources: vec!["polisen".into(), "krisinformation".into()],
            ..item(1, 1)
        },
        ItemSummary {
            sources: vec!["krisinformation".into()],
            ..item(2, 2)
        },
        item(3, 3),
    ]);
    let by = |s: &str| {
        query(
            &i,
            Filter {
                source: Some(s.into()),
                ..Filter::default()
            },
        )
    };
    assert_eq!(by("krisinformation"), [1, 2]);
    assert_eq!(by("polisen"), [1, 3]);
    assert!(by("smhi").is_empty());
    assert_eq!(i.sources(), ["krisinformation", "polisen"]);
}

#[test]
fn a_sighting_dropped_by_an_update_no_longer_matches() {
    let both = ItemSummary {
        sources: vec!["polisen".into(), "sr".into()],
        ..item(1, 1)
    };
    let mut i = index(vec![both, item(2, 2)]);
    let sr = Filter {
        source: Some("sr".into()),
        ..Filter::default()
    };
    assert_eq!(query(&i, sr.clone()), [1]);
    i.upsert(vec![item(1, 1)]);
    assert!(query(&i, sr).is_empty());
    assert_eq!(i.sources(), ["polisen"]);
}

#[test]
fn sources_beyond_what_a_row_numbers_still_match() {
    // More distinct sources than a row's u16 holds: the last ones live in the overflow.
    let items: Vec<ItemSummary> = (0..65_540u64)
        .map(|n| ItemSummary {
            sources: vec![format!("s{n}")],
            ..item(n + 1, n as i64)
        })
        .collect();
    let i = index(items);
    for n in [0u64, 65_534, 65_535, 65_539] {
        let f = Filter {
            source: Some(format!("s{n}")),
            ..Filter::default()
        };
        assert_eq!(query(&i, f), [n + 1], "source s{n}");
    }
    assert_eq!(i.sources().len(), 65_540);
}

#[test]
fn place_filters_by_area_of_interest_or_place_tag() {
    let i = index(vec![
        ItemSummary {
            local: true,
            ..tagged(1, 1, &["plats/farsta"])
        },
        tagged(2, 2, &["plats/farsta/hökarängen"]),
        tagged(3, 3, &["plats/skarpnäck"]),
    ]);
    let local = Filter {
        place: Some(Place::Local),
        ..Filter::default()
    };
    assert_eq!(query(&i, local), [1]);
    let farsta = Filter {
        place: Some(Place::Tag("plats/farsta".into())),
        ..Filter::default()
    };
    assert_eq!(query(&i, farsta), [1, 2]);
    let nowhere = Filter {
        place: Some(Place::Tag("plats/kista".into())),
        ..Filter::default()
    };
    assert!(query(&i, nowhere).is_empty());
}

#[test]
fn span_keeps_items_published_recently_including_future_dated_ones() {
    let i = index(vec![
        item(1, -30),
        item(2, 59),
        item(3, 61),
        item(4, 60 * 24),
    ]);
    let hour = Filter {
        span: Some(Duration::hours(1)),
        ..Filter::default()
    };
    assert_eq!(query(&i, hour), [1, 2]);
}

#[test]
fn status_acknowledgement_and_briefing_follow_decisions() {
    let mut i = index(vec![item(1, 1), item(2, 2), item(3, 3)]);
    decide(&mut i, 1, Action::Acknowledge, 0);
    decide(
        &mut i,
        2,
        Action::SetStatus {
            status: Status::Watching,
        },
        0,
    );
    decide(
        &mut i,
        2,
        Action::SetStatus {
            status: Status::Handled,
        },
        1,
    );
    decide(&mut i, 3, Action::Briefing { include: true }, 0);
    decide(&mut i, 1, Action::Briefing { include: true }, 0);
    decide(&mut i, 1, Action::Briefing { include: false }, 1);
    let with = |f: Filter| query(&i, f);
    assert_eq!(
        with(Filter {
            unacknowledged: true,
            ..Filter::default()
        }),
        [2, 3]
    );
    assert_eq!(
        with(Filter {
            status: Some(Status::Handled),
            ..Filter::default()
        }),
        [2]
    );
    assert_eq!(
        with(Filter {
            status: Some(Status::New),
            ..Filter::default()
        }),
        [1, 3]
    );
    assert_eq!(
        with(Filter {
            in_briefing: true,
            ..Filter::default()
        }),
        [3]
    );
}

#[test]
fn lifecycle_tells_active_cancelled_and_expired_alerts_apart() {
    let i = index(vec![
        ItemSummary {
            expires: Some(now() + Duration::hours(1)),
            ..item(1, 1)
        },
        ItemSummary {
            expires: Some(now() - Duration::hours(1)),
            ..item(2, 2)
        },
        ItemSummary {
            cancelled: true,
            expires: Some(now() - Duration::hours(1)),
            ..item(3, 3)
        },
        item(4, 4),
    ]);
    let state = |l: Lifecycle| {
        query(
            &i,
            Filter {
                lifecycle: Some(l),
                ..Filter::default()
            },
        )
    };
    assert_eq!(state(Lifecycle::Active), [1, 4]);
    assert_eq!(state(Lifecycle::Expired), [2]);
    assert_eq!(state(Lifecycle::Cancelled), [3]);
}

#[test]
fn filters_combine() {
    let mut i = index(vec![
        ItemSummary {
            severity: Some(Severity::High),
            ..tagged(1, 1, &["fokus/brott"])
        },
        ItemSummary {
            severity: Some(Severity::High),
            ..tagged(2, 2, &["fokus/brott"])
        },
        ItemSummary {
            severity: Some(Severity::Low),
            ..tagged(3, 3, &["fokus/brott"])
        },
    ]);
    decide(&mut i, 1, Action::Acknowledge, 0);
    let filter = Filter {
        focus: Some(Focus::Crime),
        min_severity: Some(Severity::Medium),
        unacknowledged: true,
        ..Filter::default()
    };
    assert_eq!(query(&i, filter), [2]);
}

#[test]
fn hits_narrow_to_those_ids_in_index_order() {
    let i = index(
        (1..=200)
            .map(|n| tagged(n, n as i64, &["fokus/kris"]))
            .collect(),
    );
    let hits = [150, 3, 999, 77, 3, 120];
    assert_eq!(
        i.query(&Filter::default(), Some(&hits), now()),
        [3, 77, 120, 150]
    );
    let recent = Filter {
        span: Some(Duration::minutes(100)),
        ..Filter::default()
    };
    assert_eq!(i.query(&recent, Some(&hits), now()), [3, 77]);
    assert!(i.query(&Filter::default(), Some(&[]), now()).is_empty());
}
