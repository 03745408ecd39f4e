//! Carries out the app's commands against the `Core`: the blocking reads and writes, each run on
//! tokio's blocking pool by the runtime and answered with a [`Done`]. This is the only part of
//! the dashboard that touches the store or the index.
//!
//! Every command is checked against the session's role here first ([`authorize`]), whatever the
//! app already checked: this is the boundary every command crosses, so a command the role may
//! not run is refused, and written to the audit log, even if the app emitted it by mistake.
//! For the same reason what is written is authored by the session's user as the runtime knows
//! it, whatever name a command carries.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::access::{self, Role};
use crate::audit::AuditEvent;
use crate::brief::edition::{BriefKind, EditionRef};
use crate::brief::labels::BriefLang;
use crate::brief::render::Format;
use crate::brief::{BriefError, Briefs, EditionId, document::SECTIONS, export, period};
use crate::core::Core;
use crate::index::ItemIndex;
use crate::item::id_string;
use crate::tui::app::{BriefChange, BriefFault, Command, Done};
use crate::tui::data::{BriefData, Choices, Detail, Row};

/// How many of the newest items are listed while the index is still loading.
const PROVISIONAL_ITEMS: usize = 1000;

/// How many shift-log entries the log screen reads.
const LOG_ENTRIES: usize = 500;

/// Checks that `user` with `role` may run `command` (`Command::permission`); a refusal is
/// written to the audit log and comes back as the `Done` the app shows. Blocking (the audit log
/// is synced).
pub fn authorize(core: &Core, user: &str, role: Role, command: &Command) -> Result<(), Done> {
    let permission = command.permission();
    access::check(user, role, permission).map_err(|refused| {
        audit_refusal(core, refused);
        Done::Refused(permission)
    })
}

/// Writes a refusal to the audit log (which also writes the line to `tracing`).
fn audit_refusal(core: &Core, refused: access::Refused) {
    core.store().audit().record(refused.into());
}

/// Runs one blocking command for `user` with `role`, once [`authorize`] let it; `None` for
/// commands that answer nothing (a poll of every source now, which reports on the bus).
pub fn blocking(core: &Core, user: &str, role: Role, command: Command) -> Option<Done> {
    if let Err(refused) = authorize(core, user, role, &command) {
        return Some(refused);
    }
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
            mut decision,
            note,
        } => {
            decision.author = user.to_string();
            let result = core
                .record(&id_string(item), &decision, note.as_deref())
                .map_err(|e| e.to_string());
            Done::Recorded {
                item,
                action: decision.action,
                result,
            }
        }
        Command::AddLog {
            mut entry,
            handover,
        } => {
            entry.author = user.to_string();
            Done::LogAdded {
                handover,
                at: entry.at,
                result: core.add_log_entry(&entry).map_err(|e| e.to_string()),
            }
        }
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
        Command::LoadBrief { generation, now } => Done::Brief {
            generation,
            result: load_brief(core, now).map_err(|e| fault(&e)),
        },
        Command::EditBrief {
            edition,
            change,
            by: _,
            now,
        } => Done::BriefEdited {
            result: edit_brief(core, edition, &change, user, now).map_err(|e| fault(&e)),
            change,
        },
        Command::PreviewBrief { edition, lang, now } => {
            Done::BriefPreview(preview_brief(core, edition, lang, now).map_err(|e| fault(&e)))
        }
        Command::ExportBrief { edition, lang, now } => Done::BriefExported(
            export_brief(core, user, edition, lang, now).map(|dir| dir.display().to_string()),
        ),
        Command::LoadPresence => Done::Presence(core.present()),
        Command::PollNow => {
            core.poll_now();
            return None;
        }
        Command::AuditRefusal(permission) => {
            // Only a real refusal is recorded, whatever the app asked.
            if let Err(refused) = access::check(user, role, permission) {
                audit_refusal(core, refused);
            }
            return None;
        }
        Command::Emit(_) | Command::Quit => return None,
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

/// Whether a command writes (and so goes through the one ordered write queue). An export
/// goes there too, so it renders the edition after every change typed before it.
pub fn is_write(command: &Command) -> bool {
    matches!(
        command,
        Command::Record { .. }
            | Command::AddLog { .. }
            | Command::SetLastLooked { .. }
            | Command::EditBrief { .. }
            | Command::ExportBrief { .. }
    )
}

fn fault(e: &BriefError) -> BriefFault {
    BriefFault::from(e)
}

/// The latest edition that is a draft (the highest number whose latest version is not
/// approved), with its document; `None` when every edition is approved or there is none.
fn load_brief(core: &Core, now: DateTime<Utc>) -> Result<Option<Box<BriefData>>, BriefError> {
    let briefs = Briefs::new(core.store(), core.config());
    let Some(edition) = briefs.list()?.into_iter().find(|e| !e.is_approved()) else {
        return Ok(None);
    };
    let doc = briefs.document(&edition, now)?;
    Ok(Some(Box::new(BriefData { edition, doc })))
}

/// Carries out one change; the store has flushed when this returns Ok.
fn edit_brief(
    core: &Core,
    edition: Option<EditionRef>,
    change: &BriefChange,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Box<BriefData>, BriefError> {
    let briefs = Briefs::new(core.store(), core.config());
    let edited = match (edition.map(EditionId::from), change) {
        (_, BriefChange::Create) => {
            briefs.create(BriefKind::Week, period::week_of(now), by, now)?
        }
        (None, _) => return Err(BriefError::Unknown("–".into())),
        (Some(id), BriefChange::Move { item, by: step }) => {
            briefs.edit(&id, by, now, |e| {
                // An item that cannot move further stays where it is; nothing to report.
                e.move_item(item, *step);
                Ok(())
            })?
        }
        (Some(id), BriefChange::Remove { item }) => {
            briefs.remove(&id, std::slice::from_ref(item), by, now)?
        }
        (Some(id), BriefChange::KeyMessages(text)) => briefs.edit(&id, by, now, |e| {
            e.key_messages = text.clone();
            Ok(())
        })?,
        (Some(id), BriefChange::Level { section, level }) => {
            if !SECTIONS.iter().any(|s| s.key == section) {
                let keys: Vec<&str> = SECTIONS.iter().map(|s| s.key).collect();
                return Err(BriefError::UnknownSection(section.clone(), keys.join(", ")));
            }
            briefs.edit(&id, by, now, |e| {
                e.levels.insert(section.clone(), *level);
                Ok(())
            })?
        }
        (Some(id), BriefChange::Approve) => briefs.approve(&id, by, now)?,
    };
    let doc = briefs.document(&edited, now)?;
    Ok(Box::new(BriefData {
        edition: edited,
        doc,
    }))
}

fn preview_brief(
    core: &Core,
    edition: EditionRef,
    lang: BriefLang,
    now: DateTime<Utc>,
) -> Result<String, BriefError> {
    let briefs = Briefs::new(core.store(), core.config());
    let edition = briefs.get(&EditionId::from(edition))?;
    let bytes = export::export(
        &briefs,
        core.config(),
        &edition,
        Format::Markdown,
        lang,
        now,
    )?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Writes every format of `edition` to the export directory (`[brief] exports`, else
/// `DATA_DIR/exports`) as `lagesbild-N.V.{ext}`, then records the export in the audit log;
/// returns the directory.
fn export_brief(
    core: &Core,
    user: &str,
    edition: EditionRef,
    lang: BriefLang,
    now: DateTime<Utc>,
) -> Result<PathBuf, BriefFault> {
    let briefs = Briefs::new(core.store(), core.config());
    let edition = briefs
        .get(&EditionId::from(edition))
        .map_err(|e| fault(&e))?;
    let dir = export::export_dir(core.config(), core.store().dir());
    export::export_all(&briefs, core.config(), &edition, &dir, lang, now).map_err(|e| fault(&e))?;
    core.store().audit().record(AuditEvent::BriefExported {
        user: user.to_string(),
        edition: edition.reference().to_string(),
        format: "all".into(),
    });
    Ok(dir)
}
