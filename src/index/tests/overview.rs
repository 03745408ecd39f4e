//! The overview: new, unacknowledged, today (Stockholm's day), and busy or quiet against
//! synthetic history.

use super::*;
use crate::index::overview::DayStarts;

fn area(counts: &[AreaCounts], focus: Focus) -> &AreaCounts {
    counts
        .iter()
        .find(|c| c.focus == focus)
        .expect("every area")
}

#[test]
fn new_counts_items_first_seen_after_the_last_look_or_in_the_last_day() {
    let seen = |n, hours: i64| ItemSummary {
        first_seen: now() - Duration::hours(hours),
        ..tagged(n, 60 * 24 * 30, &["fokus/brott"])
    };
    let i = index(vec![seen(1, 1), seen(2, 5), seen(3, 30)]);
    let looked = now() - Duration::hours(2);
    assert_eq!(area(&i.overview(now(), Some(looked)), Focus::Crime).new, 1);
    assert_eq!(area(&i.overview(now(), None), Focus::Crime).new, 2);
    assert_eq!(area(&i.overview(now(), None), Focus::Accidents).new, 0);
}

#[test]
fn unacknowledged_counts_the_last_seven_days() {
    let mut i = index(vec![
        tagged(1, 60, &["fokus/kris"]),
        tagged(2, 60 * 24 * 6, &["fokus/kris"]),
        tagged(3, 60 * 24 * 8, &["fokus/kris"]),
        tagged(4, 60 * 2, &["fokus/kris"]),
    ]);
    decide(&mut i, 4, Action::Acknowledge, 0);
    assert_eq!(
        area(&i.overview(now(), None), Focus::Resilience).unacknowledged,
        2
    );
}

#[test]
fn today_is_stockholms_day() {
    // now() is 11:00 in Stockholm (UTC+1 in November).
    let at = |n, t: DateTime<Utc>| ItemSummary {
        published: t,
        ..tagged(n, 0, &["fokus/olyckor"])
    };
    let i = index(vec![
        at(1, Utc.with_ymd_and_hms(2026, 11, 24, 23, 30, 0).unwrap()),
        at(2, Utc.with_ymd_and_hms(2026, 11, 24, 22, 59, 0).unwrap()),
        at(3, Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap()),
        at(4, Utc.with_ymd_and_hms(2026, 11, 25, 23, 0, 0).unwrap()),
    ]);
    assert_eq!(area(&i.overview(now(), None), Focus::Accidents).today, 2);
}

/// At 14:00 in Stockholm: 28 days of history per area, then today's items.
fn history_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 13, 0, 0).unwrap()
}

/// `count(day)` items tagged `tag` on each of the 28 previous days at `hour` Stockholm time
/// (UTC+1), and `today` of them at 09:00 today.
fn history(
    next: &mut u64,
    tag: &str,
    hour: u32,
    count: impl Fn(u64) -> usize,
    today: usize,
) -> Vec<ItemSummary> {
    let mut out = Vec::new();
    let mut push = |t: DateTime<Utc>, out: &mut Vec<ItemSummary>| {
        *next += 1;
        out.push(ItemSummary {
            published: t,
            first_seen: t,
            ..tagged(*next, 0, &[tag])
        });
    };
    let today_at = |hour: u32| Utc.with_ymd_and_hms(2026, 11, 25, hour - 1, 0, 0).unwrap();
    for day in 1..=28u64 {
        for _ in 0..count(day) {
            push(today_at(hour) - Duration::days(day as i64), &mut out);
        }
    }
    for _ in 0..today {
        push(today_at(9), &mut out);
    }
    out
}

#[test]
fn activity_is_judged_against_the_same_time_of_day_in_the_last_28_days() {
    let mut n = 0;
    let mut items = Vec::new();
    // Crime: one a day by 09:00, five today: busy.
    items.extend(history(&mut n, "fokus/brott", 9, |_| 1, 5));
    // Accidents: six a day by 09:00, none today: quiet.
    items.extend(history(&mut n, "fokus/olyckor", 9, |_| 6, 0));
    // Influence: two or four a day (mean 3, sd 1), three today: usual.
    items.extend(history(
        &mut n,
        "fokus/hot-och-våld",
        9,
        |d| if d % 2 == 0 { 2 } else { 4 },
        3,
    ));
    // Resilience: six a day, but in the evening; none by 14:00 today is what usually happens.
    items.extend(history(&mut n, "fokus/kris", 20, |_| 6, 0));
    // Protective: one a day, three today: more, but not three more than usual.
    items.extend(history(&mut n, "fokus/säkerhetsskydd", 9, |_| 1, 3));
    let i = index(items);
    let o = i.overview(history_now(), None);
    assert_eq!(area(&o, Focus::Crime).activity, Activity::Busy);
    assert_eq!(area(&o, Focus::Crime).today, 5);
    assert_eq!(area(&o, Focus::Accidents).activity, Activity::Quiet);
    assert_eq!(area(&o, Focus::Influence).activity, Activity::Usual);
    assert!((area(&o, Focus::Influence).daily_mean - 3.0).abs() < 1e-9);
    assert_eq!(area(&o, Focus::Resilience).activity, Activity::Usual);
    assert!((area(&o, Focus::Resilience).daily_mean - 6.0).abs() < 1e-9);
    assert_eq!(area(&o, Focus::Protective).activity, Activity::Usual);
}

#[test]
fn too_little_history_is_never_unusual() {
    let mut n = 0;
    // Ten days of six a day, none today: would be quiet with a full history.
    let items = history(
        &mut n,
        "fokus/olyckor",
        9,
        |d| if d <= 10 { 6 } else { 0 },
        0,
    );
    let i = index(items);
    let o = i.overview(history_now(), None);
    assert_eq!(area(&o, Focus::Accidents).activity, Activity::Usual);
}

#[test]
fn stockholm_days_follow_the_clock_change() {
    // 29 March 2026 is 23 hours long in Stockholm.
    let after = Utc.with_ymd_and_hms(2026, 3, 30, 10, 0, 0).unwrap();
    let days = DayStarts::new(after);
    assert_eq!(days.start(0) - days.start(1), 23 * 3600);
    assert_eq!(days.start(1) - days.start(2), 24 * 3600);
    assert_eq!(
        days.start(0),
        Utc.with_ymd_and_hms(2026, 3, 29, 22, 0, 0)
            .unwrap()
            .timestamp()
    );
}
