//! The overview's numbers per focus area, and the judgement "unusually busy / quiet today".
//!
//! Days are Stockholm's days (23 or 25 hours at the clock changes). Today is still under way, so
//! comparing its count with whole past days would make every morning look quiet. Rather than
//! scaling the past days' mean by the fraction of the day gone (which assumes items arrive evenly
//! around the clock, and they do not: nights are quiet), today so far is compared with each of
//! the previous 28 days *up to the same time of day*: the same elapsed time since that day's
//! midnight. The mean `m` and standard deviation `sd` of those 28 partial counts are the
//! expectation for now:
//!
//! - busy: today > m + 2·sd, and today ≥ 3, and today ≥ m + 3 (a handful more than usual on a
//!   calm area is not news);
//! - quiet: m ≥ 3 (enough was expected by now for its absence to mean something), and
//!   today < m − 2·sd;
//! - usual otherwise, and always when the index's oldest item is younger than the oldest day
//!   compared (the days before it would count as empty ones).
//!
//! `daily_mean` is the mean of the 28 whole days, for display.

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;

use super::row::{ACKED, Row};
use super::{Activity, AreaCounts, Focus, ItemIndex, TagTest};

/// Days of history the activity judgement compares with.
const HISTORY_DAYS: usize = 28;
/// How far back "unacknowledged" counts.
const UNACKNOWLEDGED_DAYS: i64 = 7;
/// What "new" means when the user has never looked: first seen within this long.
const NEW_WITHOUT_LAST_LOOK_HOURS: i64 = 24;

const AREAS: usize = Focus::ALL.len();

pub(super) fn overview(
    index: &ItemIndex,
    now: DateTime<Utc>,
    last_looked: Option<DateTime<Utc>>,
) -> Vec<AreaCounts> {
    let tests: Vec<Option<TagTest>> = Focus::ALL.iter().map(|f| index.tag_test(f.tag())).collect();
    let areas = |row: &Row, pos: usize| -> u8 {
        let mut m = 0;
        for (a, test) in tests.iter().enumerate() {
            if test.as_ref().is_some_and(|t| t.matches(row, pos)) {
                m |= 1 << a;
            }
        }
        m
    };
    let count = |counts: &mut [usize; AREAS], m: u8| {
        for (a, c) in counts.iter_mut().enumerate() {
            *c += usize::from(m >> a & 1);
        }
    };
    let now_s = now.timestamp();

    // New: first seen after the last look. First-seen times are not in row order, so this is a
    // scan of every row, cheap because the time test comes first.
    let since = last_looked.map_or(now_s - NEW_WITHOUT_LAST_LOOK_HOURS * 3600, |t| {
        t.timestamp()
    });
    let mut new = [0usize; AREAS];
    for (pos, row) in index.rows.iter().enumerate() {
        if i64::from(row.first_seen) > since {
            count(&mut new, areas(row, pos));
        }
    }

    // The windows: day starts from today back 28 days, plus tomorrow's start.
    let days = DayStarts::new(now);
    let elapsed = now_s - days.start(0);
    let unack_since = now_s - UNACKNOWLEDGED_DAYS * 86_400;
    let window = unack_since.min(days.start(HISTORY_DAYS));
    let mut unacknowledged = [0usize; AREAS];
    let mut today = [0usize; AREAS];
    let mut whole = [[0usize; AREAS]; HISTORY_DAYS + 1];
    let mut partial = [[0usize; AREAS]; HISTORY_DAYS + 1];
    let mut day = HISTORY_DAYS;
    let first = index.first_at_or_after(window);
    for (pos, row) in index.rows.iter().enumerate().skip(first) {
        let m = areas(row, pos);
        if m == 0 {
            continue;
        }
        let published = i64::from(row.published);
        if published >= unack_since && !row.has(ACKED) {
            count(&mut unacknowledged, m);
        }
        // Rows are oldest first, so the day only ever moves towards today.
        while day > 0 && published >= days.start(day - 1) {
            day -= 1;
        }
        if published < days.start(day) || published >= days.tomorrow {
            continue;
        }
        if day == 0 {
            count(&mut today, m);
        } else {
            count(&mut whole[day], m);
            let cutoff = (days.start(day) + elapsed).min(days.start(day - 1));
            if published < cutoff {
                count(&mut partial[day], m);
            }
        }
    }

    // Enough history when the oldest item falls on the oldest day compared or before it:
    // then the empty days after it are real.
    let history = index
        .rows
        .first()
        .is_some_and(|r| i64::from(r.published) < days.start(HISTORY_DAYS - 1));
    Focus::ALL
        .iter()
        .enumerate()
        .map(|(a, &focus)| {
            let past = |counts: &[[usize; AREAS]]| -> Vec<f64> {
                counts[1..].iter().map(|c| c[a] as f64).collect()
            };
            let (daily_mean, _) = mean_sd(&past(&whole));
            let (m, sd) = mean_sd(&past(&partial));
            AreaCounts {
                focus,
                new: new[a],
                unacknowledged: unacknowledged[a],
                today: today[a],
                activity: if history {
                    judge(today[a] as f64, m, sd)
                } else {
                    Activity::Usual
                },
                daily_mean,
            }
        })
        .collect()
}

/// Busy, quiet or usual: today so far against the mean and spread of past days by this time.
fn judge(today: f64, m: f64, sd: f64) -> Activity {
    if today > m + 2.0 * sd && today >= 3.0 && today >= m + 3.0 {
        Activity::Busy
    } else if m >= 3.0 && today < m - 2.0 * sd {
        Activity::Quiet
    } else {
        Activity::Usual
    }
}

/// The mean and population standard deviation.
fn mean_sd(values: &[f64]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// Stockholm midnights as seconds: `starts[i]` begins the day `i` days before today.
pub(super) struct DayStarts {
    starts: [i64; HISTORY_DAYS + 1],
    tomorrow: i64,
}

impl DayStarts {
    pub(super) fn new(now: DateTime<Utc>) -> DayStarts {
        let today = now.with_timezone(&Stockholm).date_naive();
        let mut starts = [0; HISTORY_DAYS + 1];
        for (i, start) in starts.iter_mut().enumerate() {
            *start = today
                .checked_sub_days(Days::new(i as u64))
                .map_or(i64::MIN / 2, midnight);
        }
        let tomorrow = today
            .checked_add_days(Days::new(1))
            .map_or(i64::MAX / 2, midnight);
        DayStarts { starts, tomorrow }
    }

    pub(super) fn start(&self, days_ago: usize) -> i64 {
        self.starts[days_ago]
    }
}

/// The start of a Stockholm date, in seconds. Stockholm's clock changes happen at 02:00 and
/// 03:00, so midnight always exists; the fallback only guards against a changed rule.
fn midnight(date: NaiveDate) -> i64 {
    let local = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    Stockholm
        .from_local_datetime(&local)
        .earliest()
        .map_or_else(|| local.and_utc().timestamp() - 3600, |t| t.timestamp())
}
