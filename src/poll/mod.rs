//! The poll cycle: fetch → parse → normalise → tag → store, per source, concurrently.
//!
//! A failing source never stops the others: its error becomes its health state. Only storage
//! failures end a cycle, because then nothing can be reported saved. `run` repeats the cycle on
//! each source's own schedule until asked to stop; the TUI and the SSH server will drive the same
//! [`Poller`].

mod follow;
mod parse;
pub mod schedule;
mod spool;
mod writer;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::task::JoinSet;

use crate::config::{Config, SourceConfig};
use crate::fetch::{Fetched, Fetcher, Fresh, Request};
use crate::health::{PollStatus, SourceState};
use crate::normalise::text::sanitize_message;
use crate::rules::{RuleSet, SharedRules};
use crate::source;
use crate::store::{FetchBatch, Store, StoreError};
use parse::{ParseSettings, parse_documents};
pub use writer::{Write, Writer};

/// What one poll of one source did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SourceReport {
    /// Source id.
    pub id: String,
    /// `ok`, `not_modified` or `error`.
    pub status: PollStatus,
    /// Items in the fetched document(s).
    pub seen: usize,
    /// Items stored for the first time.
    pub new: usize,
    /// Items changed or newly sighted.
    pub updated: usize,
    /// The error, when status is `error`; why it was not polled, when `deferred`.
    pub error: Option<String>,
    /// Records skipped while the rest was stored.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Ids of new items (for frontends; not printed).
    #[serde(skip)]
    pub new_ids: Vec<String>,
    /// Ids of items changed or newly sighted (for frontends; not printed).
    #[serde(skip)]
    pub updated_ids: Vec<String>,
}

/// Totals over a cycle.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Totals {
    /// Items seen.
    pub seen: usize,
    /// New items.
    pub new: usize,
    /// Updated items.
    pub updated: usize,
    /// Sources that failed.
    pub errors: usize,
}

/// Sums per-source reports.
pub fn totals(reports: &[SourceReport]) -> Totals {
    reports.iter().fold(Totals::default(), |mut t, r| {
        t.seen += r.seen;
        t.new += r.new;
        t.updated += r.updated;
        t.errors += usize::from(r.status == PollStatus::Error);
        t
    })
}

/// Everything a poll needs: config, fetcher, store writer, tagging rules. Cheap to clone.
#[derive(Clone)]
pub struct Poller {
    config: Arc<Config>,
    fetcher: Arc<Fetcher>,
    store: Arc<Store>,
    writer: Writer,
    /// The rules in force; a reload swaps the set inside, and each poll takes one snapshot.
    rules: SharedRules,
    /// Parses running at once: one per core is all the CPU there is, and it leaves the blocking
    /// pool free for DNS lookups and file reads.
    parse_slots: Arc<tokio::sync::Semaphore>,
    /// Polls between their start and their write: a parsed batch waits for the writer holding
    /// all its items, so without a bound a poll of every source holds every source's items.
    in_flight: Arc<tokio::sync::Semaphore>,
}

impl Poller {
    /// Builds a poller; the writer thread runs until the last clone is dropped.
    pub fn new(config: Arc<Config>, store: Arc<Store>) -> Result<Poller, crate::fetch::FetchError> {
        let fetcher = Arc::new(Fetcher::new(&config.fetch)?);
        let writer = Writer::start(store.clone());
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Poller {
            fetcher,
            store,
            writer,
            rules: Arc::new(std::sync::RwLock::new(Arc::new(RuleSet::empty()))),
            parse_slots: Arc::new(tokio::sync::Semaphore::new(cores)),
            // As many as fetches may run: enough to keep the writer busy, since it is the one
            // bottleneck once bodies are in (measured: twice as many only held more memory).
            in_flight: Arc::new(tokio::sync::Semaphore::new(config.fetch.concurrency.max(1))),
            config,
        })
    }

    /// Tags items with `rules` (shared with whoever reloads them) instead of the empty set.
    pub fn with_rules(mut self, rules: SharedRules) -> Poller {
        self.rules = rules;
        self
    }

    /// The rules this poller tags with; swapping the set inside takes effect at the next poll.
    pub fn rules(&self) -> SharedRules {
        self.rules.clone()
    }

    /// The rule set in force now. A writer that panicked cannot have left a half-swapped set
    /// (a swap is one assignment), so a poisoned lock still holds a whole one.
    fn rules_snapshot(&self) -> Arc<RuleSet> {
        match self.rules.read() {
            Ok(rules) => rules.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Polls every enabled source once, concurrently; reports in config order.
    pub async fn poll_all(&self) -> Result<Vec<SourceReport>, Arc<StoreError>> {
        let ids: Vec<String> = self
            .config
            .sources
            .iter()
            .filter(|s| s.enabled)
            .map(|s| s.id.clone())
            .collect();
        self.poll_ids(&ids).await
    }

    /// Polls the given sources once, concurrently; reports in the given order.
    pub async fn poll_ids(&self, ids: &[String]) -> Result<Vec<SourceReport>, Arc<StoreError>> {
        let mut tasks = JoinSet::new();
        let mut index_of = std::collections::HashMap::new();
        for (index, id) in ids.iter().enumerate() {
            let poller = self.clone();
            let id = id.clone();
            let handle = tasks.spawn(async move { poller.poll_source(&id).await });
            index_of.insert(handle.id(), index);
        }
        let mut reports: Vec<Option<SourceReport>> = vec![None; ids.len()];
        while let Some(joined) = tasks.join_next_with_id().await {
            match joined {
                Ok((task, result)) => reports[index_of[&task]] = Some(result?),
                // A bug, not a source's fault: still one report per source, never a silent gap.
                Err(e) => {
                    let index = index_of[&e.id()];
                    reports[index] = Some(error_report(
                        &ids[index],
                        format!("internal error while polling: {e}"),
                    ));
                }
            }
        }
        Ok(reports.into_iter().flatten().collect())
    }

    /// Polls one source: fetch, parse, normalise, tag, store. Errors other than storage become
    /// the source's health and its report. The rules in force at the start tag the whole poll.
    pub async fn poll_source(&self, id: &str) -> Result<SourceReport, Arc<StoreError>> {
        let Some(source) = self.config.source(id) else {
            return Ok(error_report(id, format!("unknown source '{id}'")));
        };
        // Held until the batch is written (or the poll ends otherwise). The semaphore is never
        // closed, so a failed acquire cannot happen; polling on without it is harmless.
        let _in_flight = self.in_flight.clone().acquire_owned().await.ok();
        let now = Utc::now();
        let rules = self.rules_snapshot();
        let mut state = self.store.source_state(id).map_err(Arc::new)?;
        if let Some(until) = state.deferred(now) {
            return Ok(deferred_report(
                id,
                format!(
                    "not polled: the server asked (Retry-After) to wait until {}",
                    crate::time::local_time(until)
                ),
            ));
        }
        if let Some(allowed) = earliest_call(source, &state).filter(|t| *t > now) {
            return Ok(deferred_report(
                id,
                format!(
                    "not polled: at most one call per {} to this source; next allowed at {}",
                    humantime::format_duration(source.min_interval),
                    crate::time::local_time(allowed)
                ),
            ));
        }
        let request = match self.request(source, &state) {
            Ok(r) => r,
            Err(message) => return self.fail(source, state, now, message, None).await,
        };
        let fetched = match self.fetcher.fetch(&request).await {
            Ok(f) => f,
            Err(e) => {
                let retry = e.retry_after();
                return self.fail(source, state, now, e.to_string(), retry).await;
            }
        };
        match fetched {
            Fetched::NotModified { max_age } => {
                state.not_modified(now, source.interval.max(max_age.unwrap_or_default()));
                self.writer
                    .write(Write::State(id.to_string(), state))
                    .await?;
                Ok(SourceReport::empty(id, PollStatus::NotModified))
            }
            Fetched::Documents(fresh) => self.store_fresh(source, state, now, fresh, rules).await,
        }
    }

    async fn store_fresh(
        &self,
        source: &SourceConfig,
        mut state: SourceState,
        now: DateTime<Utc>,
        fresh: Fresh,
        rules: Arc<RuleSet>,
    ) -> Result<SourceReport, Arc<StoreError>> {
        let Some(kind) = source::kind(&source.kind) else {
            let message = format!("unknown kind '{}'", source.kind);
            return self.fail(source, state, now, message, None).await;
        };
        let settings = ParseSettings {
            kind,
            source_id: source.id.clone(),
            options: source.options.clone(),
            config: self.config.clone(),
            rules: rules.clone(),
        };
        let Fresh {
            docs,
            unreadable,
            slot,
            etag,
            last_modified,
            max_age,
        } = fresh;
        // Parsing is CPU work on untrusted input: keep it off the async workers. The fetch slot
        // is held until the bodies are parsed, which bounds how many wait in memory.
        let parse_slot = self.parse_slots.clone().acquire_owned().await.ok();
        let parse_settings = settings.clone();
        let parsed = tokio::task::spawn_blocking(move || {
            let parsed = parse_documents(&parse_settings, &docs, unreadable, now);
            drop((slot, parse_slot));
            parsed
        })
        .await;
        let Ok(mut parsed) = parsed else {
            let message = "the parser crashed on this document".to_string();
            return self.fail(source, state, now, message, None).await;
        };
        if !parsed.follow.is_empty() {
            let links = std::mem::take(&mut parsed.follow);
            state.followed = self
                .follow_links(source, &settings, &state, links, now, &mut parsed)
                .await;
            // An index lists newest first: the messages of one alert must still be stored
            // oldest first, across the documents.
            parsed
                .items
                .sort_by_key(|n| n.item.alert.as_ref().map(|a| a.sent));
        }
        if let Err(message) =
            spool::prepare(parsed.stored_files.iter().chain(&parsed.rejected_files))
        {
            return self.fail(source, state, now, message, None).await;
        }
        if parsed.nothing_usable() {
            // Keep the old ETag, so the next poll fetches the document again; unreadable spool
            // files leave the spool so they cannot block it.
            let message = parsed.failures.join("; ");
            let report = self.fail(source, state, now, message, None).await;
            spool::move_aside(&parsed.rejected_files, "rejected");
            return report;
        }
        let warnings: Vec<String> = parsed
            .warnings
            .iter()
            .chain(&parsed.failures)
            .map(|w| sanitize_message(w))
            .collect();
        let interval = source.interval.max(max_age.unwrap_or_default());
        state.succeeded(now, interval, parsed.items.len());
        state.etag = etag;
        state.last_modified = last_modified;
        state.warnings = warnings.clone();
        let report = self
            .writer
            .write(Write::Batch(FetchBatch {
                source: source.id.clone(),
                items: parsed.items,
                state,
                now,
                rules: Some(rules),
            }))
            .await?;
        // Only now, with the items durable, may spool files leave the spool.
        spool::move_aside(&parsed.stored_files, "processed");
        spool::move_aside(&parsed.rejected_files, "rejected");
        Ok(SourceReport {
            id: source.id.clone(),
            status: PollStatus::Ok,
            seen: report.seen,
            new: report.new,
            updated: report.updated,
            error: None,
            warnings,
            new_ids: report.new_ids,
            updated_ids: report.updated_ids,
        })
    }

    fn request(&self, source: &SourceConfig, state: &SourceState) -> Result<Request, String> {
        let env = &self.config.env;
        let url = source.resolved_url(env)?;
        let mut headers = Vec::new();
        for (name, template) in &source.headers {
            let value = template
                .resolve(env)
                .map_err(|e| format!("header '{name}': {e}"))?;
            headers.push((name.clone(), value));
        }
        if let Some(token) = &source.token {
            let token = token.resolve(env).map_err(|e| format!("token: {e}"))?;
            headers.push(("Authorization".into(), format!("Bearer {token}")));
        }
        let directory_ok = source::kind(&source.kind).is_some_and(|k| k.reads_directories());
        let body = match &source.body {
            Some(template) => Some(template.resolve(env).map_err(|e| format!("body: {e}"))?),
            None => None,
        };
        Ok(Request {
            body,
            url,
            headers,
            etag: state.etag.clone(),
            last_modified: state.last_modified.clone(),
            directory_ok,
            url_is_private: source.url_template.has_references(),
        })
    }

    async fn fail(
        &self,
        source: &SourceConfig,
        mut state: SourceState,
        now: DateTime<Utc>,
        message: String,
        retry_after: Option<std::time::Duration>,
    ) -> Result<SourceReport, Arc<StoreError>> {
        // Messages may quote feed text or file names: clean them before they are stored or shown.
        let message = sanitize_message(&message);
        tracing::warn!(source = %source.id, "poll failed: {message}");
        state.failed(now, source.interval, message.clone(), retry_after);
        self.writer
            .write(Write::State(source.id.clone(), state))
            .await?;
        Ok(error_report(&source.id, message))
    }

    /// When each enabled source is next due, from the stored health, never before the
    /// source's minimum interval since the last call.
    pub fn next_due(&self, id: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let state = self.store.source_state(id)?;
        let floor = self
            .config
            .source(id)
            .and_then(|s| earliest_call(s, &state));
        Ok(state.next_due.max(floor))
    }
}

/// The earliest time the source may be called again under its minimum interval.
fn earliest_call(source: &SourceConfig, state: &SourceState) -> Option<DateTime<Utc>> {
    let last = state.last_attempt?;
    let gap = chrono::Duration::from_std(source.min_interval).ok()?;
    last.checked_add_signed(gap)
}

/// A source not polled this time, and why (not an error: nothing failed).
fn deferred_report(id: &str, message: String) -> SourceReport {
    SourceReport {
        error: Some(message),
        ..SourceReport::empty(id, PollStatus::Deferred)
    }
}

fn error_report(id: &str, message: String) -> SourceReport {
    SourceReport {
        error: Some(message),
        ..SourceReport::empty(id, PollStatus::Error)
    }
}

impl SourceReport {
    /// A report with no items and no error.
    pub fn empty(id: &str, status: PollStatus) -> SourceReport {
        SourceReport {
            id: id.to_string(),
            status,
            seen: 0,
            new: 0,
            updated: 0,
            error: None,
            warnings: Vec::new(),
            new_ids: Vec::new(),
            updated_ids: Vec::new(),
        }
    }
}
