//! Times are stored in UTC and shown in Europe/Stockholm, the office's own clock.

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Stockholm;

/// A UTC time as Stockholm local time, `2026-11-25 11:00`.
pub fn local_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Stockholm)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The Stockholm calendar day of a UTC time.
pub fn local_date(t: DateTime<Utc>) -> chrono::NaiveDate {
    t.with_timezone(&Stockholm).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn winter_and_summer_offsets() {
        let winter = Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap();
        let summer = Utc.with_ymd_and_hms(2026, 7, 1, 10, 0, 0).unwrap();
        assert_eq!(local_time(winter), "2026-11-25 11:00");
        assert_eq!(local_time(summer), "2026-07-01 12:00");
    }
}
