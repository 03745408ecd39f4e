//! What the app does with command results and bus events: results of an old generation are
//! dropped, confirmations go to the status line, and changed items are read again.

use super::{App, Command, Done, Overlay, Screen, Tone};
use crate::core::Event;
use crate::curation::Action;
use crate::tui::i18n;
use crate::tui::safe;

impl App {
    pub(super) fn done(&mut self, done: Done) -> Vec<Command> {
        let lang = self.lang();
        match done {
            Done::LastLooked(at) => {
                self.last_looked = at;
                vec![self.query()]
            }
            Done::Query {
                generation,
                ids,
                overview,
                critical,
            } => {
                if generation == self.query_gen {
                    self.overview = overview;
                    self.critical = critical;
                    let height = self.list_height();
                    self.list.set_ids(ids, height);
                }
                Vec::new()
            }
            Done::Rows { generation, rows } => {
                self.list.accept(generation, rows);
                Vec::new()
            }
            Done::Detail { generation, detail } => {
                if generation == self.detail_gen
                    && let Some(d) = self.detail.as_mut()
                {
                    d.data = detail;
                }
                Vec::new()
            }
            Done::Recorded {
                item,
                action,
                result,
            } => {
                // Only the annotation's own result answers the form: an acknowledgement of the
                // same item confirmed meanwhile says nothing about whether the note was saved.
                let saving_form = matches!(action, Action::Annotate { .. })
                    && matches!(&self.overlay, Some(Overlay::Annotate(f)) if f.item == item && f.saving);
                match result {
                    Ok(()) => {
                        let title = self.title_of(item);
                        let what = i18n::action(lang, &action);
                        self.set_status(Tone::Ok, i18n::saved(lang, &what, &title));
                        if saving_form {
                            self.overlay = None;
                        }
                        self.changed(&[item])
                    }
                    Err(e) => {
                        if let Some(Overlay::Annotate(f)) = self.overlay.as_mut()
                            && saving_form
                        {
                            f.saving = false;
                        }
                        self.set_status(Tone::Error, i18n::failed(lang, &safe::line(&e)));
                        Vec::new()
                    }
                }
            }
            Done::LogAdded {
                handover,
                at,
                result,
            } => match result {
                Ok(()) => {
                    if matches!(&self.overlay, Some(Overlay::Text(f)) if f.saving) {
                        self.overlay = None;
                    }
                    self.set_status(Tone::Ok, i18n::log_saved(lang, handover));
                    self.log_scroll = usize::MAX;
                    let mut out = vec![Command::LoadLog];
                    if handover {
                        self.last_looked = Some(at);
                        out.push(Command::SetLastLooked { at });
                    }
                    out
                }
                Err(e) => {
                    if let Some(Overlay::Text(f)) = self.overlay.as_mut() {
                        f.saving = false;
                    }
                    self.set_status(Tone::Error, i18n::failed(lang, &safe::line(&e)));
                    Vec::new()
                }
            },
            Done::LastLookedSet(Err(e)) | Done::Failed(e) => {
                self.set_status(Tone::Error, i18n::failed(lang, &safe::line(&e)));
                Vec::new()
            }
            Done::LastLookedSet(Ok(())) => Vec::new(),
            Done::Sources(sources) => {
                self.sources = Some(sources);
                Vec::new()
            }
            Done::Log(entries) => {
                self.log = Some(entries);
                Vec::new()
            }
            Done::Brief { generation, result } => self.brief_loaded(generation, result),
            Done::BriefEdited { change, result } => self.brief_edited(change, result),
            Done::BriefPreview(result) => self.brief_previewed(result),
            Done::BriefExported(result) => self.brief_exported(result),
            Done::Presence(present) => {
                self.present = present;
                Vec::new()
            }
            Done::Refused(permission) => {
                // A form waiting for its save is let go: the save will not come.
                match self.overlay.as_mut() {
                    Some(Overlay::Annotate(f)) => f.saving = false,
                    Some(Overlay::Text(f)) => f.saving = false,
                    _ => {}
                }
                self.refuse(permission);
                Vec::new()
            }
            Done::Choices(choices) => {
                if let Some(Overlay::Filter(menu)) = self.overlay.as_mut() {
                    menu.sources = choices.sources.clone();
                    menu.places = choices.places();
                }
                self.choices = choices;
                Vec::new()
            }
        }
    }

    pub(super) fn bus(&mut self, event: Event) -> Vec<Command> {
        match event {
            Event::IndexReady => {
                self.index_ready = true;
                vec![self.query()]
            }
            Event::Items { updated, .. } => self.changed(&updated),
            Event::Decided { item, .. } => self.changed(&[item]),
            Event::Log if self.log.is_some() => vec![Command::LoadLog],
            Event::Log => Vec::new(),
            Event::Polled { .. } => vec![Command::LoadSources { now: self.now }],
            Event::Polling { running } => {
                self.polling = running;
                if running {
                    Vec::new()
                } else {
                    vec![Command::LoadSources { now: self.now }]
                }
            }
            Event::Presence => vec![Command::LoadPresence],
            Event::Rules => {
                self.list.clear_rows();
                let mut out = vec![self.query()];
                if let Some(id) = self.detail.as_ref().map(|d| d.id) {
                    out.push(self.load_detail(id));
                }
                out
            }
        }
    }

    /// Items changed: their rows and detail are read again, and the query runs again (they may
    /// now pass or fail the filter, and new ones may have arrived).
    fn changed(&mut self, ids: &[u64]) -> Vec<Command> {
        self.list.invalidate(ids);
        let mut out = vec![self.query()];
        if let Some(id) = self.detail.as_ref().map(|d| d.id)
            && ids.contains(&id)
            && self.screen == Screen::Detail
        {
            out.push(self.load_detail(id));
        }
        out
    }

    /// An item's title as far as it is known (for confirmations).
    fn title_of(&self, id: u64) -> String {
        let from_detail = self
            .detail
            .as_ref()
            .filter(|d| d.id == id)
            .and_then(|d| d.data.as_ref())
            .map(|d| d.item.title.clone());
        let title = from_detail
            .or_else(|| self.list.rows.get(&id).map(|r| r.title.clone()))
            .unwrap_or_else(|| crate::item::id_string(id));
        safe::truncate(&safe::line(&title), 40)
    }
}
