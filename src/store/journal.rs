//! What people do, as the store keeps it: decisions on items, the shift log, and when each
//! user last looked.
//!
//! Trees:
//! - `decisions`: item id, NUL, 8-byte big-endian sequence → [`Decision`] JSON; append-only
//! - `shift_log`: 8-byte big-endian sequence → [`LogEntry`] JSON; append-only
//! - `seen`: user name → RFC 3339 time
//!
//! Sequences come from sled's `generate_id`, which only grows (also across restarts), so each
//! log reads back in the order it was written whatever the clocks said. Every write here is
//! flushed before the method returns: the dashboard confirms a decision only after that, so a
//! confirmed decision survives `kill -9`.

use chrono::{DateTime, Utc};
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use super::{Store, StoreError, decode, keys};
use crate::audit::AuditEvent;
use crate::curation::{Action, Decision, LogEntry, LogWhat};
use crate::tags::TagOverride;

impl Store {
    /// Appends a decision on an item and its automatic shift-log entry in one transaction, then
    /// flushes: when this returns Ok, the decision survives a crash. `Action::Tag` goes to the
    /// tag override log (with `note`). An unknown item id is refused.
    pub fn record(
        &self,
        item_id: &str,
        decision: &Decision,
        note: Option<&str>,
    ) -> Result<(), StoreError> {
        // Items are never deleted, so the item read here is still there when the write lands.
        let Some(item) = self.item(item_id)? else {
            return Err(StoreError::UnknownItem(item_id.to_string()));
        };
        let entry = LogEntry {
            at: decision.at,
            author: decision.author.clone(),
            what: LogWhat::Decision {
                item: item_id.to_string(),
                title: item.title,
                action: decision.action.clone(),
            },
        };
        let (to_overrides, value) = match &decision.action {
            Action::Tag { tag, change } => (
                true,
                encode(
                    "tag_overrides",
                    &TagOverride {
                        tag: tag.clone(),
                        action: *change,
                        author: decision.author.clone(),
                        at: decision.at,
                        note: note.map(str::to_string),
                    },
                )?,
            ),
            _ => (false, encode("decisions", decision)?),
        };
        let entry = encode("shift_log", &entry)?;
        let key = keys::item_log(item_id, self.next_id()?);
        let log_key = keys::sequence(self.next_id()?);
        let result = (
            &self.trees.decisions,
            &self.trees.tag_overrides,
            &self.trees.shift_log,
        )
            .transaction(|(decisions, tag_overrides, shift_log)| {
                let log = if to_overrides {
                    tag_overrides
                } else {
                    decisions
                };
                log.insert(key.as_slice(), value.as_slice())?;
                shift_log.insert(&log_key, entry.as_slice())?;
                Ok::<_, ConflictableTransactionError<()>>(())
            });
        result.map_err(|e| match e {
            TransactionError::Storage(e) => self.db_err(e),
            TransactionError::Abort(()) => StoreError::Corrupt {
                tree: "decisions",
                message: "transaction aborted".into(),
            },
        })?;
        self.flush()?;
        self.audit.record(AuditEvent::Decision {
            user: decision.author.clone(),
            item: item_id.to_string(),
            action: decision.action.summary(),
        });
        Ok(())
    }

    /// An item's decisions, oldest first.
    pub fn decisions(&self, item_id: &str) -> Result<Vec<Decision>, StoreError> {
        self.trees
            .decisions
            .scan_prefix(keys::item_log_prefix(item_id))
            .map(|entry| {
                let (_, value) = entry.map_err(|e| self.db_err(e))?;
                decode("decisions", &value)
            })
            .collect()
    }

    /// Every decision on every item, with the item id, in key order (for loading the index).
    pub fn all_decisions(&self) -> Result<Vec<(String, Decision)>, StoreError> {
        self.per_item_log(&self.trees.decisions, "decisions")
    }

    /// Every manual tag decision, with the item id, in key order (for loading the index).
    pub fn all_tag_overrides(&self) -> Result<Vec<(String, TagOverride)>, StoreError> {
        self.per_item_log(&self.trees.tag_overrides, "tag_overrides")
    }

    /// Appends a shift-log entry and flushes.
    pub fn add_log_entry(&self, entry: &LogEntry) -> Result<(), StoreError> {
        let value = encode("shift_log", entry)?;
        let key = keys::sequence(self.next_id()?);
        self.trees
            .shift_log
            .insert(key, value)
            .map_err(|e| self.db_err(e))?;
        self.flush()?;
        self.audit.record(AuditEvent::LogEntry {
            user: entry.author.clone(),
            handover: matches!(entry.what, LogWhat::Handover { .. }),
        });
        Ok(())
    }

    /// The latest `limit` shift-log entries, oldest first.
    pub fn log_entries(&self, limit: usize) -> Result<Vec<LogEntry>, StoreError> {
        let mut entries = self
            .trees
            .shift_log
            .iter()
            .rev()
            .take(limit)
            .map(|entry| {
                let (_, value) = entry.map_err(|e| self.db_err(e))?;
                decode("shift_log", &value)
            })
            .collect::<Result<Vec<LogEntry>, StoreError>>()?;
        entries.reverse();
        Ok(entries)
    }

    /// When `user` last looked (left the dashboard or wrote a handover).
    pub fn last_looked(&self, user: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let Some(value) = self
            .trees
            .seen
            .get(user.as_bytes())
            .map_err(|e| self.db_err(e))?
        else {
            return Ok(None);
        };
        std::str::from_utf8(&value)
            .ok()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| Some(t.with_timezone(&Utc)))
            .ok_or_else(|| StoreError::Corrupt {
                tree: "seen",
                message: format!(
                    "'{}' is not an RFC 3339 time",
                    String::from_utf8_lossy(&value)
                ),
            })
    }

    /// Records when `user` last looked, and flushes.
    pub fn set_last_looked(&self, user: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.trees
            .seen
            .insert(user.as_bytes(), at.to_rfc3339().as_bytes())
            .map_err(|e| self.db_err(e))?;
        self.flush()
    }

    /// A fresh sequence number: larger than every one handed out before, also across restarts.
    fn next_id(&self) -> Result<u64, StoreError> {
        self.db.generate_id().map_err(|e| self.db_err(e))
    }

    /// Every record of a per-item log (`decisions`, `tag_overrides`) with its item id.
    fn per_item_log<T: serde::de::DeserializeOwned>(
        &self,
        tree: &sled::Tree,
        name: &'static str,
    ) -> Result<Vec<(String, T)>, StoreError> {
        tree.iter()
            .map(|entry| {
                let (key, value) = entry.map_err(|e| self.db_err(e))?;
                let id = keys::item_log_id(&key).ok_or_else(|| StoreError::Corrupt {
                    tree: name,
                    message: format!("key {:?} is not item id, NUL, sequence", key.as_ref()),
                })?;
                Ok((id.to_string(), decode(name, &value)?))
            })
            .collect()
    }
}

fn encode<T: serde::Serialize>(tree: &'static str, value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|e| StoreError::Corrupt {
        tree,
        message: e.to_string(),
    })
}
