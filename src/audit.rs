//! The audit trail: who logged in (or was refused, with the offered key's fingerprint), and who
//! acknowledged, annotated, changed tags, approved or exported what. One JSON object a line in
//! `DATA_DIR/audit.log`, opened for appending only and synced after every line, so a record
//! that was written survives a crash; each line also goes to `tracing` (target `lage::audit`).
//!
//! The log is append-only by construction: this module never truncates, seeks or rewrites it.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

/// The audit log's file name in the data dir.
pub const FILE_NAME: &str = "audit.log";

/// What happened, for the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum AuditEvent {
    /// A user logged in over SSH.
    Login {
        /// The user.
        user: String,
        /// The SHA-256 fingerprint of the key used.
        key: String,
        /// The client's address.
        peer: String,
    },
    /// A login attempt was refused.
    LoginRefused {
        /// The name the client gave (untrusted; stored as given, escaped by JSON).
        user: String,
        /// The method tried (`publickey`, `password`, `keyboard-interactive`, `none`).
        method: String,
        /// The offered key's SHA-256 fingerprint, for `publickey`.
        key: Option<String>,
        /// Why.
        reason: String,
        /// The client's address.
        peer: String,
    },
    /// A connection was turned away before authentication (too many at once).
    ConnectionRefused {
        /// The client's address.
        peer: String,
        /// Why.
        reason: String,
    },
    /// A user's session ended.
    Logout {
        /// The user.
        user: String,
        /// The client's address.
        peer: String,
    },
    /// A decision on an item (acknowledgement, status, briefing pick, annotation, tag).
    Decision {
        /// The author.
        user: String,
        /// The item id.
        item: String,
        /// What was decided (`acknowledge`, `status hanterad`, `annotate`, `tag +fokus/brott`).
        action: String,
    },
    /// A shift-log entry was written.
    LogEntry {
        /// The author.
        user: String,
        /// Whether it was a handover.
        handover: bool,
    },
    /// A briefing edition was approved.
    BriefApproved {
        /// The approver.
        user: String,
        /// The edition, `N.V`.
        edition: String,
    },
    /// A briefing edition was exported.
    BriefExported {
        /// Who exported it.
        user: String,
        /// The edition, `N.V`.
        edition: String,
        /// The format (`md`, `html`, `pdf`, `json`, `atom`), or `all`.
        format: String,
    },
    /// A command run over SSH (an exec request).
    Command {
        /// The user.
        user: String,
        /// The command line as sent.
        command: String,
        /// Its exit status.
        status: u32,
    },
    /// Something was refused for want of a role.
    Refused {
        /// The user.
        user: String,
        /// The user's role.
        role: String,
        /// What was tried.
        what: String,
    },
}

impl From<crate::access::Refused> for AuditEvent {
    fn from(refused: crate::access::Refused) -> AuditEvent {
        AuditEvent::Refused {
            user: refused.user,
            role: refused.role.to_string(),
            what: refused.what.to_string(),
        }
    }
}

/// One line of the log: when, and what.
#[derive(Serialize)]
struct Line<'a> {
    at: String,
    #[serde(flatten)]
    event: &'a AuditEvent,
}

/// Why the audit log could not be opened or written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the audit log {}: {source}", path.display())]
pub struct AuditError {
    /// The log file.
    pub path: PathBuf,
    /// The IO error.
    pub source: std::io::Error,
}

/// The open audit log.
#[derive(Debug)]
pub struct Audit {
    path: PathBuf,
    file: Mutex<File>,
}

impl Audit {
    /// Opens (or creates, mode 0600) `dir/audit.log` for appending.
    pub fn open(dir: &Path) -> Result<Audit, AuditError> {
        let path = dir.join(FILE_NAME);
        let mut options = OpenOptions::new();
        options.append(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).map_err(|source| AuditError {
            path: path.clone(),
            source,
        })?;
        Ok(Audit {
            path,
            file: Mutex::new(file),
        })
    }

    /// The log file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `event` at `at` and syncs it to disk.
    pub fn record_at(&self, event: &AuditEvent, at: DateTime<Utc>) -> Result<(), AuditError> {
        let line = Line {
            at: at.to_rfc3339_opts(SecondsFormat::Millis, true),
            event,
        };
        // Serialising plain strings and numbers cannot fail.
        let mut text = serde_json::to_string(&line).unwrap_or_default();
        tracing::info!(target: "lage::audit", "{text}");
        text.push('\n');
        let err = |source| AuditError {
            path: self.path.clone(),
            source,
        };
        // A poisoned lock only means another writer panicked mid-line; the file is still fine.
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        file.write_all(text.as_bytes()).map_err(err)?;
        file.sync_data().map_err(err)
    }

    /// Appends `event` now. A failure is logged, not returned: the audit trail must never stop
    /// the action it records from being confirmed once that action is saved.
    pub fn record(&self, event: AuditEvent) {
        if let Err(e) = self.record_at(&event, Utc::now()) {
            tracing::error!("{e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_appended_as_json_and_never_rewritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let at = DateTime::parse_from_rfc3339("2026-12-07T10:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        {
            let audit = Audit::open(dir.path()).expect("open");
            audit
                .record_at(
                    &AuditEvent::Login {
                        user: "anna".into(),
                        key: "SHA256:abc".into(),
                        peer: "127.0.0.1:5000".into(),
                    },
                    at,
                )
                .expect("write");
        }
        let audit = Audit::open(dir.path()).expect("reopen");
        audit
            .record_at(
                &AuditEvent::LoginRefused {
                    user: "evil\n{\"event\":\"login\"}".into(),
                    method: "password".into(),
                    key: None,
                    reason: "only public keys".into(),
                    peer: "127.0.0.1:5001".into(),
                },
                at,
            )
            .expect("write");
        let text = std::fs::read_to_string(audit.path()).expect("read");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert_eq!(
            lines[0],
            r#"{"at":"2026-12-07T10:00:00.000Z","event":"login","user":"anna","key":"SHA256:abc","peer":"127.0.0.1:5000"}"#
        );
        // A name with a newline cannot forge a second record.
        let second: serde_json::Value = serde_json::from_str(lines[1]).expect("json");
        assert_eq!(second["event"], "login_refused");
        assert_eq!(second["user"], "evil\n{\"event\":\"login\"}");
    }

    #[cfg(unix)]
    #[test]
    fn the_log_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let audit = Audit::open(dir.path()).expect("open");
        let mode = std::fs::metadata(audit.path())
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
