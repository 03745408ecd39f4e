//! The briefing screen (`B`): the latest draft edition with its key messages, the five focus
//! areas' levels and the ordered events, and the keys that change it. Every change becomes a
//! `Command::EditBrief` authored by the session's user; the screen shows the edition the store
//! answers with, and "saved" only once that answer is Ok.

use crossterm::event::{KeyCode, KeyEvent};

use super::forms::{TextForm, TextPurpose};
use super::{App, BriefChange, BriefFault, Command, Overlay, Screen, Tone};
use crate::brief::document::SECTIONS;
use crate::brief::edition::EditionRef;
use crate::brief::labels::BriefLang;
use crate::tui::Lang;
use crate::tui::data::BriefData;
use crate::tui::i18n::{self, T};
use crate::tui::keys::Act;
use crate::tui::safe;

/// How many sections the digit keys reach: the five focus areas.
pub const FOCUS_SECTIONS: usize = 5;

/// What the briefing screen knows of its edition.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum BriefLoad {
    /// Not read yet.
    #[default]
    Loading,
    /// There is no draft edition (`n` starts one).
    NoDraft,
    /// The edition and its document.
    Loaded(Box<BriefData>),
}

/// The Markdown preview shown instead of the screen after `p`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BriefPreview {
    /// The text once rendered.
    pub text: Option<String>,
    /// First line shown.
    pub scroll: usize,
}

/// The briefing screen's state.
#[derive(Debug, Clone, Default)]
pub struct BriefState {
    /// The edition.
    pub load: BriefLoad,
    /// The selected event (index into the document's events).
    pub selected: usize,
    /// The preview, while it is open.
    pub preview: Option<BriefPreview>,
    /// The generation of the latest read or change; an older read's answer is dropped.
    pub(crate) generation: u64,
}

impl BriefState {
    /// The loaded edition, if any.
    pub fn data(&self) -> Option<&BriefData> {
        match &self.load {
            BriefLoad::Loaded(d) => Some(d),
            _ => None,
        }
    }

    fn selected_item(&self) -> Option<String> {
        self.data()
            .and_then(|d| d.doc.events.get(self.selected))
            .map(|e| e.id.clone())
    }
}

/// The briefing's language for the session's.
pub fn brief_lang(lang: Lang) -> BriefLang {
    match lang {
        Lang::Sv => BriefLang::Sv,
        Lang::En => BriefLang::En,
    }
}

impl App {
    /// The briefing state (for views and tests).
    pub fn brief(&self) -> &BriefState {
        &self.brief
    }

    /// Opens the briefing screen and reads its edition.
    pub(super) fn open_brief(&mut self) -> Vec<Command> {
        self.screen = Screen::Brief;
        self.brief.preview = None;
        vec![self.load_brief()]
    }

    pub(super) fn load_brief(&mut self) -> Command {
        self.brief.generation += 1;
        Command::LoadBrief {
            generation: self.brief.generation,
            now: self.now,
        }
    }

    /// The keys of the briefing screen that are not plain movement.
    pub(super) fn brief_act(&mut self, act: Act, key: &KeyEvent) -> Vec<Command> {
        let lang = self.lang();
        if act == Act::BriefNew {
            return match self.brief.load {
                BriefLoad::NoDraft => self.change_brief(None, BriefChange::Create),
                BriefLoad::Loading => {
                    self.set_status(Tone::Info, T::Loading.get(lang));
                    Vec::new()
                }
                BriefLoad::Loaded(_) => {
                    self.set_status(Tone::Info, T::BriefDraftExists.get(lang));
                    Vec::new()
                }
            };
        }
        let Some(data) = self.brief.data() else {
            let text = match self.brief.load {
                BriefLoad::Loading => T::Loading,
                _ => T::BriefNoDraft,
            };
            self.set_status(Tone::Info, text.get(lang));
            return Vec::new();
        };
        let edition = data.edition.reference();
        match act {
            Act::Preview => {
                if self.brief.preview.take().is_some() {
                    return Vec::new();
                }
                self.brief.preview = Some(BriefPreview::default());
                vec![self.preview_command(edition)]
            }
            Act::Export => {
                self.set_status(Tone::Info, T::Exporting.get(lang));
                vec![Command::ExportBrief {
                    edition,
                    lang: brief_lang(lang),
                    now: self.now,
                }]
            }
            Act::KeyMessages => {
                let form = TextForm::new(
                    TextPurpose::KeyMessages(edition),
                    &data.edition.key_messages,
                );
                self.overlay = Some(Overlay::Text(Box::new(form)));
                Vec::new()
            }
            Act::Approve => {
                if data.edition.is_approved() {
                    self.set_status(Tone::Info, T::BriefAlreadyApproved.get(lang));
                } else {
                    self.overlay = Some(Overlay::ConfirmApprove(edition));
                }
                Vec::new()
            }
            Act::Level => {
                let digit = match key.code {
                    KeyCode::Char(c) => c.to_digit(10).unwrap_or(0) as usize,
                    _ => 0,
                };
                let Some(def) = digit
                    .checked_sub(1)
                    .filter(|i| *i < FOCUS_SECTIONS)
                    .and_then(|i| SECTIONS.get(i))
                else {
                    return Vec::new();
                };
                let level = data.edition.level(def.key).next();
                let change = BriefChange::Level {
                    section: def.key.to_string(),
                    level,
                };
                self.change_brief(Some(edition), change)
            }
            Act::MoveDown | Act::MoveUp | Act::RemoveEvent => {
                let Some(item) = self.brief.selected_item() else {
                    self.set_status(Tone::Info, T::BriefNoEvents.get(lang));
                    return Vec::new();
                };
                let count = data.doc.events.len();
                let change = match act {
                    Act::RemoveEvent => BriefChange::Remove { item },
                    Act::MoveDown if self.brief.selected + 1 < count => {
                        BriefChange::Move { item, by: 1 }
                    }
                    Act::MoveUp if self.brief.selected > 0 => BriefChange::Move { item, by: -1 },
                    // Already first or last: nothing to store.
                    _ => return Vec::new(),
                };
                self.change_brief(Some(edition), change)
            }
            _ => Vec::new(),
        }
    }

    /// Moves the selection, or scrolls the preview while it is open.
    pub(super) fn brief_scroll(&mut self, delta: isize) {
        if let Some(preview) = self.brief.preview.as_ref() {
            let max = crate::tui::view::scroll_lines(self)
                .len()
                .saturating_sub(self.scroll_height());
            let pos = preview.scroll;
            if let Some(p) = self.brief.preview.as_mut() {
                p.scroll = super::actions::step(pos, delta, max);
            }
            return;
        }
        let count = self.brief.data().map_or(0, |d| d.doc.events.len());
        let max = count.saturating_sub(1);
        self.brief.selected = super::actions::step(self.brief.selected, delta, max);
    }

    /// A change to the edition, "Saving…" until the store confirms it.
    pub(super) fn change_brief(
        &mut self,
        edition: Option<EditionRef>,
        change: BriefChange,
    ) -> Vec<Command> {
        self.set_status(Tone::Info, T::Saving.get(self.lang()));
        // A read still on its way would show the edition from before this change.
        self.brief.generation += 1;
        vec![Command::EditBrief {
            edition,
            change,
            by: self.session.user.clone(),
            now: self.now,
        }]
    }

    fn preview_command(&self, edition: EditionRef) -> Command {
        Command::PreviewBrief {
            edition,
            lang: brief_lang(self.lang()),
            now: self.now,
        }
    }

    /// The edition read for the screen.
    pub(super) fn brief_loaded(
        &mut self,
        generation: u64,
        result: Result<Option<Box<BriefData>>, BriefFault>,
    ) -> Vec<Command> {
        if generation != self.brief.generation {
            return Vec::new();
        }
        match result {
            Ok(Some(data)) => self.show_brief(data),
            Ok(None) => self.brief.load = BriefLoad::NoDraft,
            Err(e) => self.brief_failed(&e),
        }
        Vec::new()
    }

    /// A change came back from the store.
    pub(super) fn brief_edited(
        &mut self,
        change: BriefChange,
        result: Result<Box<BriefData>, BriefFault>,
    ) -> Vec<Command> {
        let lang = self.lang();
        let saving_form = matches!(change, BriefChange::KeyMessages(_))
            && matches!(&self.overlay, Some(Overlay::Text(f)) if f.saving);
        match result {
            Ok(data) => {
                let reference = data.edition.reference();
                let moved = match &change {
                    BriefChange::Move { item, .. } => Some(item.clone()),
                    _ => None,
                };
                self.show_brief(data);
                if let Some(item) = moved
                    && let Some(at) = self
                        .brief
                        .data()
                        .and_then(|d| d.doc.events.iter().position(|e| e.id == item))
                {
                    self.brief.selected = at;
                }
                if saving_form {
                    self.overlay = None;
                }
                self.set_status(Tone::Ok, i18n::brief_saved(lang, &change, reference));
                // The preview shows the edition as it now is.
                if self.brief.preview.is_some() {
                    return vec![self.preview_command(reference)];
                }
                Vec::new()
            }
            Err(e) => {
                if let Some(Overlay::Text(f)) = self.overlay.as_mut()
                    && saving_form
                {
                    f.saving = false;
                }
                self.brief_failed(&e);
                Vec::new()
            }
        }
    }

    /// The preview's text came back.
    pub(super) fn brief_previewed(&mut self, result: Result<String, BriefFault>) -> Vec<Command> {
        match result {
            Ok(text) => {
                if let Some(p) = self.brief.preview.as_mut() {
                    p.text = Some(text);
                }
            }
            Err(e) => {
                self.brief.preview = None;
                self.brief_failed(&e);
            }
        }
        Vec::new()
    }

    /// The export came back.
    pub(super) fn brief_exported(&mut self, result: Result<String, BriefFault>) -> Vec<Command> {
        match result {
            Ok(dir) => {
                let text = i18n::brief_exported(self.lang(), &safe::line(&dir));
                self.set_status(Tone::Ok, text);
            }
            Err(e) => self.brief_failed(&e),
        }
        Vec::new()
    }

    fn show_brief(&mut self, data: Box<BriefData>) {
        let count = data.doc.events.len();
        self.brief.selected = self.brief.selected.min(count.saturating_sub(1));
        self.brief.load = BriefLoad::Loaded(data);
    }

    fn brief_failed(&mut self, fault: &BriefFault) {
        let text = i18n::brief_fault(self.lang(), fault);
        self.set_status(Tone::Error, i18n::failed(self.lang(), &safe::line(&text)));
    }
}
