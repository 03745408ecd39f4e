//! Carries out the app's commands against the `Core`: the blocking reads and writes, each run on
//! tokio's blocking pool by the runtime and answered with a [`Done`]. This is the only part of
//! the dashboard that touches the store or the index.

use crate::core::Core;
use crate::index::ItemIndex;
use crate::item::id_string;
use crate::tui::app::{Command, Done};
use crate::tui::data::{Choices, Detail, Row};

/// How many of the newest items are listed while the index is still loading.
const PROVISIONAL_ITEMS: usize = 1000;

/// How many shift-log entries the log screen reads.
const LOG_ENTRIES: usize = 500;

/// Runs one blocking command; `None` for commands that are not the blocking kind.
pub fn blocking(core: &Core, user: &str, command: Command) -> Option<Done> {
    let failed = |e: &dyn std::fmt::Display| Done::Failed(e.to_string());
    Some(match command {
        Command::LoadLastLooked => match core.store().last_looked(user) {
            Ok(at) => Done::LastLooked(at),
            Err(e) => failed(&e),
        },
        Command::Query {
            generation,
            filter,
            search,
            now,
            last_looked,
        } => {
            let hits = match search.as_deref().map(|q| core.store().search(q)) {
                Some(Ok(hits)) => Some(hits.ids),
                Some(Err(e)) => return Some(failed(&e)),
                None => None,
            };
            let provisional;
            let guard;
            let index = if core.index_ready() {
                guard = core.index();
                &*guard
            } else {
                // While the index of every item loads (seconds on a big store), the newest items
                // are read straight from the store so the first frame already has something to
                // show; the query runs again over everything when the index is ready.
                provisional = ItemIndex::from_summaries(
                    core.store()
                        .summaries()
                        .take(PROVISIONAL_ITEMS)
                        .filter_map(Result::ok),
                );
                &provisional
            };
            Done::Query {
                generation,
                ids: index.query(&filter, hits.as_deref(), now),
                overview: index.overview(now, last_looked),
                critical: index.critical_unacknowledged(now),
            }
        }
        Command::LoadRows { generation, ids } => {
            let mut rows = Vec::with_capacity(ids.len());
            for id in ids {
                // One record that cannot be read (a newer build's, a damaged one) must not keep
                // the rows around it from showing: it is shown as unreadable instead.
                let r = row(core, id).unwrap_or_else(|e| {
                    tracing::warn!("dashboard: cannot read item {}: {e}", id_string(id));
                    None
                });
                rows.push((id, r));
            }
            Done::Rows { generation, rows }
        }
        Command::LoadDetail { generation, id } => match detail(core, id) {
            Ok(detail) => Done::Detail { generation, detail },
            Err(e) => failed(&e),
        },
        Command::Record {
            item,
            decision,
            note,
        } => {
            let result = core
                .record(&id_string(item), &decision, note.as_deref())
                .map_err(|e| e.to_string());
            Done::Recorded {
                item,
                action: decision.action,
                result,
            }
        }
        Command::AddLog { entry, handover } => Done::LogAdded {
            handover,
            at: entry.at,
            result: core.add_log_entry(&entry).map_err(|e| e.to_string()),
        },
        Command::SetLastLooked { at } => Done::LastLookedSet(
            core.store()
                .set_last_looked(user, at)
                .map_err(|e| e.to_string()),
        ),
        Command::LoadSources { now } => match core.sources(now) {
            Ok(sources) => Done::Sources(sources),
            Err(e) => failed(&e),
        },
        Command::LoadLog => match core.store().log_entries(LOG_ENTRIES) {
            Ok(entries) => Done::Log(entries),
            Err(e) => failed(&e),
        },
        Command::LoadChoices => {
            let index = core.index();
            Done::Choices(Choices {
                sources: index.sources(),
                tags: index.tags(),
            })
        }
        Command::PollNow | Command::Emit(_) | Command::Quit => return None,
    })
}

fn row(core: &Core, id: u64) -> Result<Option<Row>, crate::store::StoreError> {
    let store = core.store();
    let key = id_string(id);
    let Some(item) = store.item(&key)? else {
        return Ok(None);
    };
    let decisions = store.decisions(&key)?;
    let overrides = store.tag_overrides(&key)?;
    Ok(Row::build(&item, &decisions, &overrides))
}

fn detail(core: &Core, id: u64) -> Result<Option<Box<Detail>>, crate::store::StoreError> {
    let store = core.store();
    let key = id_string(id);
    let Some(item) = store.item(&key)? else {
        return Ok(None);
    };
    let decisions = store.decisions(&key)?;
    let overrides = store.tag_overrides(&key)?;
    Ok(Some(Box::new(Detail::build(item, decisions, overrides))))
}

/// Whether a command writes (and so goes through the one ordered write queue).
pub fn is_write(command: &Command) -> bool {
    matches!(
        command,
        Command::Record { .. } | Command::AddLog { .. } | Command::SetLastLooked { .. }
    )
}
