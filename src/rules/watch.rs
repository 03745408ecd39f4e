//! Live edits: a running `lage` looks at its rule directory every few seconds and swaps in a
//! changed rule set once it compiles; a broken edit keeps the rules that were running.
//!
//! The watcher owns its state and runs on its own thread (reading a handful of small files is
//! blocking IO, and has nothing to do with the poll loop). It talks to the rest of the process
//! in two ways only: it replaces the set inside the [`SharedRules`] (one assignment, so a poll
//! sees either the old set or the new one, never a mix), and it publishes a [`RulesStatus`] on a
//! `watch` channel for whoever shows it (the dashboard's header).
//!
//! Change detection hashes the names and contents of exactly the files the compiler reads
//! (`read_dir`), so what was compiled is what was fingerprinted: there is no window between
//! looking and loading, and an edit that keeps the size and the modification time (coarse
//! clocks, `cp -p`) is still seen. A rule directory is a handful of files of a few kilobytes,
//! so reading them every two seconds costs nothing worth saving by trusting metadata.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{DateTime, Utc};
use xxhash_rust::xxh3::Xxh3;

use super::{RuleErrors, RuleFile, RuleSet, SharedRules, files_digest, read_dir};

/// How often a running `lage` looks at the rule files.
pub const LOOK_EVERY: Duration = Duration::from_secs(2);

/// How long a change must hold still before it is compiled: an editor or `cp` caught halfway
/// through writing a file would otherwise be reported as a broken edit.
pub const SETTLE: Duration = Duration::from_millis(300);

/// The rules in force, for display: which version, since when, and the last edit's errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesStatus {
    /// The directory watched.
    pub dir: PathBuf,
    /// The version of the set in force (see [`RuleSet::version`]).
    pub version: String,
    /// How many rules it has.
    pub rules: usize,
    /// When it was loaded.
    pub loaded_at: DateTime<Utc>,
    /// Why the files on disk are not in force, when the latest edit does not compile; `None`
    /// when the rules in force are what is on disk.
    pub error: Option<String>,
}

/// What one look at the rule directory found.
#[derive(Debug, Clone)]
pub enum Look {
    /// The files are as they were at the last look that acted on them.
    Unchanged,
    /// The files changed since the previous look; they are compiled once they hold still.
    Settling,
    /// The changed files compiled and are now in force.
    Reloaded {
        /// How many rules the new set has.
        rules: usize,
        /// Its version.
        version: String,
    },
    /// The changed files do not compile; the previous rules stay in force.
    Kept(RuleErrors),
}

/// Watches one rule directory and swaps the shared rules when it changes.
pub struct RuleWatcher {
    dir: PathBuf,
    shared: SharedRules,
    /// Fingerprint of the files last acted on (loaded, or rejected and reported).
    seen: u64,
    /// A fingerprint seen once and not yet acted on: acted on when the next look sees it again.
    pending: Option<u64>,
    status: tokio::sync::watch::Sender<RulesStatus>,
}

impl RuleWatcher {
    /// Compiles the rules in `dir` and watches it from here on. Fails, with every error, when
    /// the rules do not compile: a process should not start with rules other than the ones it
    /// was pointed at.
    pub fn start(dir: &Path) -> Result<RuleWatcher, RuleErrors> {
        let files = read_dir(dir)?;
        let set = RuleSet::from_files(&files)?;
        let status = RulesStatus {
            dir: dir.to_path_buf(),
            version: set.version().to_string(),
            rules: set.rules().len(),
            loaded_at: Utc::now(),
            error: None,
        };
        Ok(RuleWatcher {
            dir: dir.to_path_buf(),
            shared: Arc::new(RwLock::new(Arc::new(set))),
            seen: fingerprint(&Ok(files)),
            pending: None,
            status: tokio::sync::watch::Sender::new(status),
        })
    }

    /// The rules in force, to hand to the poller; a reload swaps the set inside.
    pub fn rules(&self) -> SharedRules {
        self.shared.clone()
    }

    /// The status, updated on every reload and every rejected edit.
    pub fn status(&self) -> tokio::sync::watch::Receiver<RulesStatus> {
        self.status.subscribe()
    }

    /// Looks at the directory once (blocking IO): a change is compiled when a second look finds
    /// it unchanged, then swapped in, or rejected with its errors (reported once per edit).
    pub fn look(&mut self) -> Look {
        let files = read_dir(&self.dir);
        let now = fingerprint(&files);
        if now == self.seen {
            self.pending = None;
            return Look::Unchanged;
        }
        if self.pending != Some(now) {
            self.pending = Some(now);
            return Look::Settling;
        }
        self.pending = None;
        self.seen = now;
        match files.and_then(|files| RuleSet::from_files(&files)) {
            Ok(set) => {
                let (rules, version) = (set.rules().len(), set.version().to_string());
                let set = Arc::new(set);
                match self.shared.write() {
                    Ok(mut current) => *current = set,
                    // A panic elsewhere while holding the lock cannot have left half a set (a
                    // swap is one assignment): the lock is still usable.
                    Err(poisoned) => *poisoned.into_inner() = set,
                }
                self.status.send_modify(|s| {
                    s.version = version.clone();
                    s.rules = rules;
                    s.loaded_at = Utc::now();
                    s.error = None;
                });
                Look::Reloaded { rules, version }
            }
            Err(errors) => {
                let message = errors.to_string();
                self.status.send_modify(|s| s.error = Some(message));
                Look::Kept(errors)
            }
        }
    }

    /// Runs the watcher on its own thread, looking every `every` (sooner while a change
    /// settles) and calling `report` with every look that did something. Stops when the
    /// returned handle is dropped.
    pub fn spawn(
        mut self,
        every: Duration,
        mut report: impl FnMut(&Look) + Send + 'static,
    ) -> std::io::Result<WatchHandle> {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("rule-watcher".into())
            .spawn(move || {
                let mut wait = every;
                // A message or a closed channel both mean stop; only a timeout means look.
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(wait) {
                    let look = self.look();
                    wait = if matches!(look, Look::Settling) {
                        SETTLE.min(every)
                    } else {
                        every
                    };
                    if matches!(look, Look::Reloaded { .. } | Look::Kept(_)) {
                        report(&look);
                    }
                }
            })?;
        Ok(WatchHandle {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

/// A running watcher thread; dropping it stops the thread and waits for it.
pub struct WatchHandle {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for WatchHandle {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A hash of everything the compiler would read: each file's name and text, in order (the
/// rule set's own digest), or the reason the directory could not be read (so an unreadable
/// directory is one change, reported once, and its return is another).
fn fingerprint(files: &Result<Vec<RuleFile>, RuleErrors>) -> u64 {
    match files {
        Ok(files) => files_digest(files).digest(),
        Err(errors) => {
            let mut hash = Xxh3::new();
            hash.update(&[1]);
            hash.update(errors.to_string().as_bytes());
            hash.digest()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BRAND: &str =
        "[[rule]]\nname = \"brand\"\ntags = [\"fokus/olyckor\"]\n\n[rule.terms]\n\"*brand*\" = 1\n";
    const INBROTT: &str = "[[rule]]\nname = \"inbrott\"\ntags = [\"fokus/brott\"]\n\n[rule.terms]\n\"inbrott*\" = 1\n";
    const BROKEN: &str =
        "[[rule]]\nname = \"trasig\"\ntags = [\"fokus/brott\"]\n\n[rule.terms]\n\"re:(?<x\" = 1\n";

    fn version(shared: &SharedRules) -> String {
        shared.read().expect("lock").version().to_string()
    }

    fn rule_count(shared: &SharedRules) -> usize {
        shared.read().expect("lock").rules().len()
    }

    /// Looks until the look is not `Settling` (a change needs two looks).
    fn settled(watcher: &mut RuleWatcher) -> Look {
        match watcher.look() {
            Look::Settling => watcher.look(),
            other => other,
        }
    }

    #[test]
    fn edits_are_swapped_in_broken_edits_kept_out_and_a_fix_picked_up() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("regler.toml");
        std::fs::write(&file, BRAND).expect("write");
        let mut watcher = RuleWatcher::start(dir.path()).expect("valid rules");
        let shared = watcher.rules();
        let status = watcher.status();
        let first = version(&shared);
        assert!(matches!(watcher.look(), Look::Unchanged));

        // A second file: seen, settled, swapped in.
        std::fs::write(dir.path().join("brott.toml"), INBROTT).expect("write");
        assert!(matches!(watcher.look(), Look::Settling));
        assert_eq!(version(&shared), first, "nothing is swapped while settling");
        let Look::Reloaded {
            rules,
            version: second,
        } = watcher.look()
        else {
            panic!("the new file was not loaded");
        };
        assert_eq!(rules, 2);
        assert_eq!(version(&shared), second);
        assert_ne!(second, first);
        assert_eq!(status.borrow().version, second);
        assert!(matches!(watcher.look(), Look::Unchanged));

        // A broken edit: reported once, the previous rules stay.
        std::fs::write(&file, BROKEN).expect("write");
        let Look::Kept(errors) = settled(&mut watcher) else {
            panic!("a broken edit was not reported");
        };
        assert!(errors.to_string().contains("regler.toml:"), "{errors}");
        assert!(errors.to_string().contains("rule 'trasig'"), "{errors}");
        assert_eq!(version(&shared), second);
        assert_eq!(rule_count(&shared), 2);
        assert!(
            status
                .borrow()
                .error
                .as_deref()
                .is_some_and(|e| e.contains("trasig"))
        );
        assert!(matches!(watcher.look(), Look::Unchanged), "reported once");

        // The fix, back to the very text that was running: picked up, error cleared.
        std::fs::write(&file, BRAND).expect("write");
        assert!(matches!(settled(&mut watcher), Look::Reloaded { .. }));
        assert_eq!(version(&shared), second);
        assert_eq!(status.borrow().error, None);
    }

    #[test]
    fn an_edit_that_keeps_the_size_is_seen() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("regler.toml");
        std::fs::write(&file, BRAND).expect("write");
        let mut watcher = RuleWatcher::start(dir.path()).expect("valid rules");
        let shared = watcher.rules();
        let first = version(&shared);
        let same_size = BRAND.replace("*brand*", "*eldsv*");
        assert_eq!(same_size.len(), BRAND.len());
        std::fs::write(&file, same_size).expect("write");
        assert!(matches!(settled(&mut watcher), Look::Reloaded { .. }));
        assert_ne!(version(&shared), first);
    }

    #[test]
    fn a_change_still_being_written_waits_for_the_next_look() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("regler.toml");
        std::fs::write(&file, BRAND).expect("write");
        let mut watcher = RuleWatcher::start(dir.path()).expect("valid rules");
        std::fs::write(&file, &BRAND[..20]).expect("write half");
        assert!(matches!(watcher.look(), Look::Settling));
        std::fs::write(&file, INBROTT).expect("write the rest");
        assert!(matches!(watcher.look(), Look::Settling), "still changing");
        assert!(matches!(watcher.look(), Look::Reloaded { .. }));
    }

    #[test]
    fn a_broken_directory_refuses_to_start_with_file_and_line() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("regler.toml"), BROKEN).expect("write");
        let Err(errors) = RuleWatcher::start(dir.path()) else {
            panic!("broken rules started");
        };
        assert!(errors.to_string().contains("regler.toml:6:"), "{errors}");
    }

    #[test]
    fn the_thread_reports_a_reload_and_stops_when_dropped() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("regler.toml"), BRAND).expect("write");
        let watcher = RuleWatcher::start(dir.path()).expect("valid rules");
        let shared = watcher.rules();
        let (tx, rx) = mpsc::channel();
        let handle = watcher
            .spawn(Duration::from_millis(20), move |look| {
                let _ = tx.send(matches!(look, Look::Reloaded { .. }));
            })
            .expect("spawn");
        std::fs::write(dir.path().join("brott.toml"), INBROTT).expect("write");
        let reloaded = rx.recv_timeout(Duration::from_secs(5)).expect("a report");
        assert!(reloaded);
        assert_eq!(rule_count(&shared), 2);
        drop(handle);
        assert!(
            rx.recv_timeout(Duration::from_millis(100)).is_err(),
            "stopped"
        );
    }
}
