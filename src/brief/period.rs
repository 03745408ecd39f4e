//! Reading a briefing's period from the command line: an ISO week (`2026-W48`), or dates and
//! times in Stockholm time. Weeks and days begin at midnight in Stockholm, so a week's period
//! is the office's own week whatever the season's UTC offset.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;

use super::edition::Period;

/// Why a period could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// Not an ISO week.
    #[error("'{0}' is not an ISO week: expected YYYY-Www, e.g. 2026-W48")]
    Week(String),
    /// Not a date or a date and time.
    #[error("'{0}' is not a date: expected YYYY-MM-DD or YYYY-MM-DD HH:MM (Stockholm time)")]
    Date(String),
    /// The end is not after the start.
    #[error("the period ends ({to}) before it begins ({from})")]
    Backwards {
        /// The start as given.
        from: String,
        /// The end as given.
        to: String,
    },
    /// Longer than a briefing should cover.
    #[error("a period of {0} days is longer than the 93 days a briefing may cover")]
    TooLong(i64),
}

/// The longest period a briefing covers, in days: a quarter.
const MAX_DAYS: i64 = 93;

/// Stockholm midnight at the start of `date`, in UTC. A midnight that does not exist or exists
/// twice (never the case in Sweden, whose changes happen at 02:00/03:00) takes the earliest.
fn midnight(date: NaiveDate) -> DateTime<Utc> {
    local_to_utc(date.and_time(NaiveTime::MIN))
}

fn local_to_utc(t: NaiveDateTime) -> DateTime<Utc> {
    Stockholm
        .from_local_datetime(&t)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        // A local time skipped by the spring change: an hour later exists.
        .or_else(|| {
            Stockholm
                .from_local_datetime(&(t + Duration::hours(1)))
                .earliest()
                .map(|t| t.with_timezone(&Utc))
        })
        .unwrap_or_else(|| Utc.from_utc_datetime(&t))
}

/// The ISO week `2026-W48` as a period, Monday 00:00 to the next Monday 00:00 in Stockholm.
pub fn week(text: &str) -> Result<Period, PeriodError> {
    let err = || PeriodError::Week(text.to_string());
    let (year, week) = text.trim().split_once(['-']).ok_or_else(err)?;
    let week = week.strip_prefix(['W', 'w']).ok_or_else(err)?;
    let year: i32 = year.parse().map_err(|_| err())?;
    let week: u32 = week.parse().map_err(|_| err())?;
    let monday = NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon).ok_or_else(err)?;
    Ok(Period {
        from: midnight(monday),
        to: midnight(monday + Duration::days(7)),
        week: format!("{year}-W{week:02}"),
    })
}

/// The ISO week that contains `t` (Stockholm's calendar).
pub fn week_of(t: DateTime<Utc>) -> Period {
    let local = crate::time::local_date(t);
    let iso = local.iso_week();
    let monday =
        NaiveDate::from_isoywd_opt(iso.year(), iso.week(), chrono::Weekday::Mon).unwrap_or(local);
    Period {
        from: midnight(monday),
        to: midnight(monday + Duration::days(7)),
        week: format!("{}-W{:02}", iso.year(), iso.week()),
    }
}

/// The last 24 hours up to the next full hour: the default for an incident report.
pub fn last_day(now: DateTime<Utc>) -> Period {
    let hour = now.timestamp().div_euclid(3600) + 1;
    let to = DateTime::from_timestamp(hour * 3600, 0).unwrap_or(now);
    Period {
        from: to - Duration::hours(24),
        to,
        week: String::new(),
    }
}

/// A start and an end in Stockholm time: a date (`2026-11-23`: its midnight; as an end, the
/// whole day is included) or a date and time (`2026-11-23 14:00`, also with `T`).
pub fn between(from: &str, to: &str) -> Result<Period, PeriodError> {
    let start = instant(from, false)?;
    let end = instant(to, true)?;
    if end <= start {
        return Err(PeriodError::Backwards {
            from: from.to_string(),
            to: to.to_string(),
        });
    }
    let days = (end - start).num_days();
    if days > MAX_DAYS {
        return Err(PeriodError::TooLong(days));
    }
    Ok(Period {
        from: start,
        to: end,
        week: String::new(),
    })
}

fn instant(text: &str, is_end: bool) -> Result<DateTime<Utc>, PeriodError> {
    let t = text.trim();
    if let Ok(date) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        let date = if is_end {
            date.succ_opt()
                .ok_or_else(|| PeriodError::Date(text.to_string()))?
        } else {
            date
        };
        return Ok(midnight(date));
    }
    for format in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Ok(local) = NaiveDateTime::parse_from_str(t, format) {
            return Ok(local_to_utc(local));
        }
    }
    Err(PeriodError::Date(text.to_string()))
}

/// The Stockholm days a period touches, in order.
pub fn days(period: &Period) -> Vec<NaiveDate> {
    let first = crate::time::local_date(period.from);
    let last = crate::time::local_date(period.to - Duration::milliseconds(1));
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .take(MAX_DAYS as usize + 1)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn a_week_runs_from_stockholm_monday_midnight() {
        let p = week("2026-W48").expect("week");
        assert_eq!(p.from, utc("2026-11-22T23:00:00Z"));
        assert_eq!(p.to, utc("2026-11-29T23:00:00Z"));
        assert_eq!(p.week, "2026-W48");
        assert_eq!(days(&p).len(), 7);
    }

    #[test]
    fn a_summer_week_uses_the_summer_offset() {
        let p = week("2026-w27").expect("week");
        assert_eq!(p.from, utc("2026-06-28T22:00:00Z"));
    }

    #[test]
    fn the_week_across_the_autumn_change_is_a_week_and_an_hour() {
        let p = week("2026-W43").expect("week");
        assert_eq!((p.to - p.from).num_hours(), 7 * 24 + 1);
    }

    #[test]
    fn bad_weeks_are_refused() {
        for bad in ["2026-48", "2026-W54", "W48", "2026-Wx", ""] {
            assert!(matches!(week(bad), Err(PeriodError::Week(_))), "{bad}");
        }
    }

    #[test]
    fn an_end_date_includes_its_whole_day() {
        let p = between("2026-11-23", "2026-11-24").expect("period");
        assert_eq!(p.from, utc("2026-11-22T23:00:00Z"));
        assert_eq!(p.to, utc("2026-11-24T23:00:00Z"));
        assert_eq!(days(&p).len(), 2);
        let p = between("2026-11-23 14:00", "2026-11-23T18:30").expect("period");
        assert_eq!(p.from, utc("2026-11-23T13:00:00Z"));
        assert_eq!(p.to, utc("2026-11-23T17:30:00Z"));
    }

    #[test]
    fn backwards_long_and_unreadable_periods_are_refused() {
        assert!(matches!(
            between("2026-11-24 10:00", "2026-11-24 09:00"),
            Err(PeriodError::Backwards { .. })
        ));
        assert!(matches!(
            between("2026-01-01", "2026-12-31"),
            Err(PeriodError::TooLong(_))
        ));
        assert!(matches!(
            between("23/11/2026", "2026-11-24"),
            Err(PeriodError::Date(_))
        ));
    }

    #[test]
    fn the_week_of_a_sunday_evening_is_that_week() {
        // Sunday 29 Nov 23:30 Stockholm is 22:30 UTC: still week 48.
        assert_eq!(week_of(utc("2026-11-29T22:30:00Z")).week, "2026-W48");
        assert_eq!(week_of(utc("2026-11-29T23:30:00Z")).week, "2026-W49");
    }

    #[test]
    fn an_incident_defaults_to_the_last_day_up_to_the_next_hour() {
        let p = last_day(utc("2026-12-01T07:20:00Z"));
        assert_eq!(p.to, utc("2026-12-01T08:00:00Z"));
        assert_eq!(p.from, utc("2026-11-30T08:00:00Z"));
    }
}
