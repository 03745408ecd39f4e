//! Per-source health: what the last polls did and when the next one is due.
//!
//! Pure state transitions (success, not modified, failure) so the scheduling rules (backoff with
//! jitter, `Retry-After` clamped to 24 h, never faster than the interval) are testable without IO.
//! The store persists [`SourceState`]; the poll loop decides with it.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The outcome of the last poll of a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PollStatus {
    /// Fetched and parsed.
    Ok,
    /// The server said nothing changed (304).
    NotModified,
    /// Fetching or parsing failed.
    Error,
    /// Not polled this time: the server's Retry-After or the source's minimum interval holds.
    Deferred,
}

impl PollStatus {
    /// The label used in output and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            PollStatus::Ok => "ok",
            PollStatus::NotModified => "not_modified",
            PollStatus::Error => "error",
            PollStatus::Deferred => "deferred",
        }
    }
}

/// What `lage` remembers about a source between polls.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceState {
    /// The ETag to send back byte-exact in `If-None-Match`.
    pub etag: Option<String>,
    /// The Last-Modified value to send back in `If-Modified-Since`.
    pub last_modified: Option<String>,
    /// When the last poll started.
    pub last_attempt: Option<DateTime<Utc>>,
    /// When a poll last succeeded (ok or not modified).
    pub last_success: Option<DateTime<Utc>>,
    /// Outcome of the last poll.
    pub last_status: Option<PollStatus>,
    /// Message of the last error (kept after later successes, with its time).
    pub last_error: Option<String>,
    /// When the last error happened.
    pub last_error_at: Option<DateTime<Utc>>,
    /// Failures in a row; 0 after a success.
    pub consecutive_failures: u32,
    /// When the source should be polled next.
    pub next_due: Option<DateTime<Utc>>,
    /// The server asked us (429/503 with Retry-After) not to come back before this time.
    pub retry_after_until: Option<DateTime<Utc>>,
    /// Items in the last successfully parsed document(s).
    pub items_seen: usize,
    /// Records skipped in the last poll, with reasons.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Linked documents of the current index already fetched and stored (CAP alerts an index
    /// links to); each is fetched once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub followed: Vec<String>,
}

/// One source's polls on one Stockholm day, kept so that a briefing can say how a source fared
/// over its period, not only how it stands now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollDay {
    /// Polls that fetched and parsed.
    #[serde(default)]
    pub ok: u32,
    /// Polls the server answered with 304.
    #[serde(default)]
    pub not_modified: u32,
    /// Polls that failed.
    #[serde(default)]
    pub errors: u32,
    /// The day's last error message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

impl PollDay {
    /// Counts the poll whose outcome `state` records; a deferred poll is not a poll.
    pub fn count(&mut self, state: &SourceState) {
        match state.last_status {
            Some(PollStatus::Ok) => self.ok += 1,
            Some(PollStatus::NotModified) => self.not_modified += 1,
            Some(PollStatus::Error) => {
                self.errors += 1;
                self.last_error.clone_from(&state.last_error);
            }
            Some(PollStatus::Deferred) | None => {}
        }
    }

    /// Every poll counted.
    pub fn polls(&self) -> u32 {
        self.ok + self.not_modified + self.errors
    }
}

/// The longest wait a server's `Retry-After` can impose.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);
/// The longest backoff after repeated failures.
pub const MAX_BACKOFF: Duration = Duration::from_secs(6 * 3600);

impl SourceState {
    /// Records a successful fetch and parse.
    pub fn succeeded(&mut self, now: DateTime<Utc>, interval: Duration, items_seen: usize) {
        self.last_attempt = Some(now);
        self.last_success = Some(now);
        self.last_status = Some(PollStatus::Ok);
        self.consecutive_failures = 0;
        self.retry_after_until = None;
        self.items_seen = items_seen;
        self.next_due = Some(later(now, jittered(interval, 0.1)));
    }

    /// Records a 304.
    pub fn not_modified(&mut self, now: DateTime<Utc>, interval: Duration) {
        self.last_attempt = Some(now);
        self.last_success = Some(now);
        self.last_status = Some(PollStatus::NotModified);
        self.consecutive_failures = 0;
        self.retry_after_until = None;
        self.warnings.clear();
        self.next_due = Some(later(now, jittered(interval, 0.1)));
    }

    /// Records a failure; backs off exponentially with jitter, or as long as `retry_after` says.
    pub fn failed(
        &mut self,
        now: DateTime<Utc>,
        interval: Duration,
        message: String,
        retry_after: Option<Duration>,
    ) {
        self.last_attempt = Some(now);
        self.last_status = Some(PollStatus::Error);
        self.last_error = Some(message);
        self.last_error_at = Some(now);
        self.consecutive_failures = self.consecutive_failures.saturating_add(1);
        let wait = match retry_after {
            Some(wait) => {
                let wait = wait.min(MAX_RETRY_AFTER);
                self.retry_after_until = Some(later(now, wait));
                wait.max(interval)
            }
            None => backoff(interval, self.consecutive_failures),
        };
        self.next_due = Some(later(now, wait));
    }

    /// Whether the server asked us to stay away at `now`.
    pub fn deferred(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.retry_after_until.filter(|until| *until > now)
    }
}

/// The shortest silence that counts as stale, whatever the interval: a source polled every
/// minute that misses three polls is a hiccup, not an alarm.
pub const MIN_STALE_AFTER: Duration = Duration::from_secs(15 * 60);

/// Whether a source has been silent longer than its cadence explains at `now`: its last
/// successful poll (ok or not modified) is older than three intervals, and at least
/// [`MIN_STALE_AFTER`]. A source that has never succeeded is stale once a poll of it has failed
/// (when it started failing is not kept, and a source that never worked is worth the alarm); one
/// that was never polled, or only deferred, is not stale yet.
pub fn is_stale(state: &SourceState, interval: Duration, now: DateTime<Utc>) -> bool {
    match state.last_success {
        Some(success) => {
            let limit = interval.saturating_mul(3).max(MIN_STALE_AFTER);
            let silent = (now - success).to_std().unwrap_or(Duration::ZERO);
            silent > limit
        }
        None => state.consecutive_failures > 0 || state.last_status == Some(PollStatus::Error),
    }
}

/// Exponential backoff: the interval, doubled per failure beyond the first, capped, with ±20 %
/// jitter so many failing sources do not retry in lockstep.
pub fn backoff(interval: Duration, failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(16);
    let base = interval
        .saturating_mul(1u32 << doublings)
        .min(MAX_BACKOFF.max(interval));
    jittered(base, 0.2)
}

fn jittered(base: Duration, spread: f64) -> Duration {
    let factor = 1.0 + spread * (fastrand::f64() * 2.0 - 1.0);
    Duration::try_from_secs_f64(base.as_secs_f64() * factor).unwrap_or(Duration::MAX)
}

/// `now + d`, saturating instead of overflowing.
fn later(now: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(d)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap()
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let i = Duration::from_secs(60);
        let first = backoff(i, 1);
        assert!(first >= Duration::from_secs(48) && first <= Duration::from_secs(72));
        let fourth = backoff(i, 4);
        assert!(fourth >= Duration::from_secs(384) && fourth <= Duration::from_secs(576));
        assert!(backoff(i, 40) <= MAX_BACKOFF.mul_f64(1.2));
    }

    #[test]
    fn huge_intervals_saturate_instead_of_panicking() {
        // Jitter is random: repeat so both directions are exercised.
        for _ in 0..64 {
            let mut s = SourceState::default();
            s.succeeded(now(), Duration::MAX, 0);
            s.failed(now(), Duration::MAX, "x".into(), None);
            assert!(s.next_due.is_some());
        }
    }

    #[test]
    fn a_source_is_stale_after_three_intervals_and_at_least_fifteen_minutes() {
        let minute = Duration::from_secs(60);
        let mut s = SourceState::default();
        assert!(!is_stale(&s, minute, now()), "never polled");
        s.succeeded(now(), minute, 1);
        let after = |m: i64| now() + chrono::Duration::minutes(m);
        // A one-minute source: the 15-minute floor holds, not three minutes.
        assert!(!is_stale(&s, minute, after(14)));
        assert!(is_stale(&s, minute, after(16)));
        // An hourly source: three hours.
        let hour = Duration::from_secs(3600);
        assert!(!is_stale(&s, hour, after(179)));
        assert!(is_stale(&s, hour, after(181)));
        // Failures since do not reset the clock: the last success does.
        s.failed(after(170), hour, "timeout".into(), None);
        assert!(is_stale(&s, hour, after(181)));
        // A clock behind the last success is not silence.
        assert!(!is_stale(&s, hour, after(-30)));
    }

    #[test]
    fn a_source_that_never_worked_is_stale_once_it_failed() {
        let mut s = SourceState::default();
        s.failed(now(), Duration::from_secs(300), "404".into(), None);
        assert!(is_stale(&s, Duration::from_secs(300), now()));
    }

    #[test]
    fn retry_after_is_honoured_and_clamped() {
        let mut s = SourceState::default();
        let i = Duration::from_secs(300);
        s.failed(now(), i, "429".into(), Some(Duration::from_secs(7 * 86400)));
        assert_eq!(
            s.retry_after_until,
            Some(now() + chrono::Duration::hours(24))
        );
        assert!(s.deferred(now()).is_some());
        assert!(s.deferred(now() + chrono::Duration::hours(25)).is_none());
        s.succeeded(now(), i, 3);
        assert_eq!(s.consecutive_failures, 0);
        assert!(s.retry_after_until.is_none());
        assert_eq!(s.last_error.as_deref(), Some("429"));
    }
}
