//! Continuous polling: each source on its own schedule (interval, backoff, Retry-After), until a
//! shutdown signal; in-flight polls are allowed to finish so no fetched batch is lost.

use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::task::JoinSet;

use super::{Poller, SourceReport};
use crate::store::StoreError;

/// How long to wait at most between scheduling passes (also bounds clock-jump effects).
const MAX_SLEEP: Duration = Duration::from_secs(30);
/// How long in-flight polls may take to finish after shutdown is requested, beyond the fetch
/// timeout (which bounds every request).
const DRAIN_MARGIN: Duration = Duration::from_secs(15);

/// Polls every enabled source whenever it is due until `shutdown` completes, calling `on_report`
/// after each poll. Returns an error only when the store fails.
pub async fn run<F>(
    poller: Poller,
    shutdown: F,
    mut on_report: impl FnMut(&SourceReport),
) -> Result<(), Arc<StoreError>>
where
    F: Future<Output = ()>,
{
    tokio::pin!(shutdown);
    let mut in_flight: HashSet<String> = HashSet::new();
    let mut tasks: JoinSet<Result<SourceReport, Arc<StoreError>>> = JoinSet::new();
    let mut source_of = std::collections::HashMap::new();
    // A poll that crashed (a bug) wrote no new due time: wait an interval before the next try
    // rather than hammering the server.
    let mut cooling: std::collections::HashMap<String, chrono::DateTime<Utc>> =
        std::collections::HashMap::new();
    loop {
        let now = Utc::now();
        let mut sleep = MAX_SLEEP;
        for source in poller.config().sources.iter().filter(|s| s.enabled) {
            if in_flight.contains(&source.id) {
                continue;
            }
            let stored_due = poller.next_due(&source.id).map_err(Arc::new)?;
            let due = stored_due.max(cooling.get(&source.id).copied());
            match due.filter(|d| *d > now) {
                Some(later) => {
                    let wait = (later - now).to_std().unwrap_or(Duration::ZERO);
                    sleep = sleep.min(wait);
                }
                None => {
                    in_flight.insert(source.id.clone());
                    let p = poller.clone();
                    let id = source.id.clone();
                    let handle = tasks.spawn(async move { p.poll_source(&id).await });
                    source_of.insert(handle.id(), source.id.clone());
                }
            }
        }
        tokio::select! {
            () = &mut shutdown => break,
            Some(joined) = tasks.join_next_with_id() => {
                let task = match &joined {
                    Ok((task, _)) => *task,
                    Err(e) => e.id(),
                };
                // Whatever happened, the source is free to be scheduled again.
                let id = source_of.remove(&task);
                if let Some(id) = &id {
                    in_flight.remove(id);
                }
                match joined {
                    Ok((_, report)) => on_report(&report?),
                    Err(e) => {
                        tracing::error!("internal error while polling {id:?}: {e}");
                        if let Some(id) = id {
                            let wait = poller
                                .config()
                                .source(&id)
                                .map_or(MAX_SLEEP, |s| s.interval);
                            let until = chrono::Duration::from_std(wait)
                                .ok()
                                .and_then(|d| Utc::now().checked_add_signed(d))
                                .unwrap_or(chrono::DateTime::<Utc>::MAX_UTC);
                            cooling.insert(id, until);
                        }
                    }
                }
            }
            () = tokio::time::sleep(sleep.max(Duration::from_millis(50))) => {}
        }
    }
    // Let in-flight polls finish (their writes are flushed before they return).
    let drain = async {
        while let Some(joined) = tasks.join_next().await {
            if let Ok(Ok(report)) = joined {
                on_report(&report);
            }
        }
    };
    let drain_for = poller.config().fetch.timeout + DRAIN_MARGIN;
    if tokio::time::timeout(drain_for, drain).await.is_err() {
        tracing::warn!("shutdown: gave up waiting for in-flight polls after {drain_for:?}");
    }
    Ok(())
}
