//! How each source fared, day by day: the `poll_days` tree.
//!
//! Key: source id, NUL, the Stockholm date as `YYYY-MM-DD` (so a source's days sort in order);
//! value: [`PollDay`] JSON. Every source state the writer stores is counted on the day of its
//! poll, after the state itself is written; a crash between the two loses one count, never
//! the state. Briefings read it for "health over the period".

use chrono::NaiveDate;

use super::{Store, StoreError, decode};
use crate::health::{PollDay, SourceState};

fn key(source: &str, day: NaiveDate) -> Vec<u8> {
    let mut key = Vec::with_capacity(source.len() + 11);
    key.extend_from_slice(source.as_bytes());
    key.push(0);
    key.extend_from_slice(day.format("%Y-%m-%d").to_string().as_bytes());
    key
}

impl Store {
    /// Counts the poll `state` records on its day (not flushed: the writer flushes).
    pub(super) fn count_poll(&self, source: &str, state: &SourceState) -> Result<(), StoreError> {
        let Some(at) = state.last_attempt else {
            return Ok(());
        };
        let key = key(source, crate::time::local_date(at));
        let mut day: PollDay = match self.trees.poll_days.get(&key).map_err(|e| self.db_err(e))? {
            Some(v) => decode("poll_days", &v)?,
            None => PollDay::default(),
        };
        day.count(state);
        let value = serde_json::to_vec(&day).map_err(|e| StoreError::Corrupt {
            tree: "poll_days",
            message: e.to_string(),
        })?;
        self.trees
            .poll_days
            .insert(key, value)
            .map(|_| ())
            .map_err(|e| self.db_err(e))
    }

    /// A source's polls per Stockholm day from `first` to `last` inclusive, days without polls
    /// left out.
    pub fn poll_days(
        &self,
        source: &str,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<Vec<(NaiveDate, PollDay)>, StoreError> {
        let mut end = key(source, last);
        end.push(0xff);
        self.trees
            .poll_days
            .range(key(source, first)..end)
            .map(|entry| {
                let (k, v) = entry.map_err(|e| self.db_err(e))?;
                let date = std::str::from_utf8(&k[source.len() + 1..])
                    .ok()
                    .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                    .ok_or_else(|| StoreError::Corrupt {
                        tree: "poll_days",
                        message: format!("key {:?} has no date", String::from_utf8_lossy(&k)),
                    })?;
                Ok((date, decode("poll_days", &v)?))
            })
            .collect()
    }
}
