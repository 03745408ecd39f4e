//! Keys and pastes while something is open on top of the screen: help, the filter and status
//! menus, the search and tag line, and the two editors.

use crossterm::event::{KeyCode, KeyEvent};

use super::forms::{Prompt, PromptKind, TextForm, TextPurpose};
use super::{App, BriefChange, Command, Overlay, Tone};
use crate::curation::{Action, LogEntry, LogWhat, Status};
use crate::tags::{OverrideAction, validate_tag};
use crate::tui::i18n::{self, T};
use crate::tui::keys::{self, Act, Ctx};
use crate::tui::view;

impl App {
    pub(super) fn overlay_key(&mut self, key: &KeyEvent) -> Vec<Command> {
        let Some(overlay) = self.overlay.take() else {
            return Vec::new();
        };
        let (keep, out) = match overlay {
            Overlay::Help { scroll } => self.help_key(key, scroll),
            Overlay::Filter(mut menu) => match keys::lookup(key, &[Ctx::Menu]) {
                Some(Act::Apply) => {
                    self.filter = menu.draft;
                    (None, vec![self.query()])
                }
                Some(Act::Cancel) => (None, Vec::new()),
                act => {
                    match act {
                        Some(Act::Down) => menu.move_by(1),
                        Some(Act::Up) => menu.move_by(-1),
                        Some(Act::Right) => menu.change(1),
                        Some(Act::Left) => menu.change(-1),
                        Some(Act::Reset) => menu.reset(),
                        _ => {}
                    }
                    (Some(Overlay::Filter(menu)), Vec::new())
                }
            },
            Overlay::Status(mut menu) => {
                let n = Status::ALL.len();
                match keys::lookup(key, &[Ctx::Menu]) {
                    Some(Act::Down) => menu.cursor = (menu.cursor + 1) % n,
                    Some(Act::Up) => menu.cursor = (menu.cursor + n - 1) % n,
                    Some(Act::Pick) => {
                        if let KeyCode::Char(c) = key.code {
                            menu.cursor = (c.to_digit(10).unwrap_or(1) as usize).clamp(1, n) - 1;
                        }
                        let status = menu.status();
                        return vec![self.record(menu.item, Action::SetStatus { status }, None)];
                    }
                    Some(Act::Apply) => {
                        let status = menu.status();
                        return vec![self.record(menu.item, Action::SetStatus { status }, None)];
                    }
                    Some(Act::Cancel) => return Vec::new(),
                    _ => {}
                }
                (Some(Overlay::Status(menu)), Vec::new())
            }
            Overlay::Prompt(prompt) => self.prompt_key(key, prompt),
            Overlay::Annotate(mut form) => {
                let mut out = Vec::new();
                let mut open = true;
                if form.confirm {
                    match keys::lookup(key, &[Ctx::Confirm]) {
                        Some(Act::Yes) => open = false,
                        Some(Act::No) => form.confirm = false,
                        _ => {}
                    }
                } else if !form.saving {
                    match keys::lookup(key, &[Ctx::Editor]) {
                        Some(Act::Save) => {
                            form.saving = true;
                            let annotation = form.annotation();
                            out.push(self.record(form.item, Action::Annotate { annotation }, None));
                        }
                        Some(Act::NextField) => form.step_field(1),
                        Some(Act::PrevField) => form.step_field(-1),
                        Some(Act::Cancel) if form.changed() => form.confirm = true,
                        Some(Act::Cancel) => open = false,
                        _ => form.key(key),
                    }
                }
                (open.then_some(Overlay::Annotate(form)), out)
            }
            Overlay::Text(mut form) => {
                let mut out = Vec::new();
                let mut open = true;
                if form.confirm {
                    match keys::lookup(key, &[Ctx::Confirm]) {
                        Some(Act::Yes) => open = false,
                        Some(Act::No) => form.confirm = false,
                        _ => {}
                    }
                } else if !form.saving {
                    match keys::lookup(key, &[Ctx::Editor]) {
                        Some(Act::Save) if form.can_save() => {
                            form.saving = true;
                            out = self.save_text(&form);
                        }
                        Some(Act::Cancel) if form.changed() => form.confirm = true,
                        Some(Act::Cancel) => open = false,
                        Some(_) => {}
                        None => {
                            super::forms::edit(&mut form.text, key);
                        }
                    }
                }
                (open.then_some(Overlay::Text(form)), out)
            }
            Overlay::ConfirmApprove(edition) => match keys::lookup(key, &[Ctx::Confirm]) {
                Some(Act::Yes) => (None, self.change_brief(Some(edition), BriefChange::Approve)),
                Some(Act::No) => (None, Vec::new()),
                _ => (Some(Overlay::ConfirmApprove(edition)), Vec::new()),
            },
        };
        self.overlay = keep;
        out
    }

    fn help_key(&mut self, key: &KeyEvent, scroll: usize) -> (Option<Overlay>, Vec<Command>) {
        let lines =
            view::help::lines(self.lang(), self.theme, self.session.role, self.size.0).len();
        let max = lines.saturating_sub(usize::from(self.size.1.saturating_sub(4)));
        let page = usize::from(self.size.1.saturating_sub(5)).max(1);
        let scroll = match keys::lookup(key, &[Ctx::Scroll, Ctx::Global]) {
            Some(Act::Help | Act::Back | Act::Quit) => return (None, Vec::new()),
            Some(Act::Down) => (scroll + 1).min(max),
            Some(Act::Up) => scroll.saturating_sub(1),
            Some(Act::PageDown) => (scroll + page).min(max),
            Some(Act::PageUp) => scroll.saturating_sub(page),
            Some(Act::Top) => 0,
            Some(Act::Bottom) => max,
            _ => scroll,
        };
        (Some(Overlay::Help { scroll }), Vec::new())
    }

    fn prompt_key(
        &mut self,
        key: &KeyEvent,
        mut prompt: Prompt,
    ) -> (Option<Overlay>, Vec<Command>) {
        let lang = self.lang();
        match (keys::lookup(key, &[Ctx::Prompt]), &prompt.kind) {
            (Some(Act::Apply), PromptKind::Search) => {
                let q = prompt.input.trim();
                self.search = (!q.is_empty()).then(|| q.to_string());
                self.list.reset_selection();
                (None, vec![self.query()])
            }
            (Some(Act::Apply), PromptKind::Tag { item }) => {
                let item = *item;
                let input = prompt.input.trim();
                let (change, tag) = match input.chars().next() {
                    Some('+') => (OverrideAction::Add, input[1..].trim()),
                    Some('-') => (OverrideAction::Remove, input[1..].trim()),
                    _ => {
                        self.set_status(Tone::Error, T::TagSyntax.get(lang));
                        return (Some(Overlay::Prompt(prompt)), Vec::new());
                    }
                };
                if validate_tag(tag).is_err() {
                    self.set_status(Tone::Error, i18n::bad_tag(lang, tag));
                    return (Some(Overlay::Prompt(prompt)), Vec::new());
                }
                let action = Action::Tag {
                    tag: tag.to_string(),
                    change,
                };
                (None, vec![self.record(item, action, None)])
            }
            (Some(Act::Cancel), PromptKind::Search) => {
                let had = self.search.take().is_some();
                (None, if had { vec![self.query()] } else { Vec::new() })
            }
            (Some(Act::Cancel), PromptKind::Tag { .. }) => (None, Vec::new()),
            (Some(Act::Complete), PromptKind::Tag { .. }) => {
                prompt.complete(&self.choices.tags);
                (Some(Overlay::Prompt(prompt)), Vec::new())
            }
            _ => {
                prompt.key(key);
                (Some(Overlay::Prompt(prompt)), Vec::new())
            }
        }
    }

    /// The commands that save an editor's text: a shift-log entry, or the key messages.
    fn save_text(&mut self, form: &TextForm) -> Vec<Command> {
        let text = form.content();
        match form.purpose {
            TextPurpose::Note | TextPurpose::Handover => {
                self.set_status(Tone::Info, T::Saving.get(self.lang()));
                let handover = form.purpose == TextPurpose::Handover;
                let what = match handover {
                    true => LogWhat::Handover { text },
                    false => LogWhat::Note { text },
                };
                let entry = LogEntry {
                    at: self.now,
                    author: self.session.user.clone(),
                    what,
                };
                vec![Command::AddLog { entry, handover }]
            }
            TextPurpose::KeyMessages(edition) => {
                self.change_brief(Some(edition), BriefChange::KeyMessages(text))
            }
        }
    }

    pub(super) fn paste(&mut self, text: &str) {
        match self.overlay.as_mut() {
            Some(Overlay::Prompt(p)) => p.paste(text),
            Some(Overlay::Annotate(form)) if !form.saving && !form.confirm => form.paste(text),
            Some(Overlay::Text(form)) if !form.saving && !form.confirm => {
                form.text.insert_str(crate::tui::safe::text(text));
            }
            _ => {}
        }
    }
}
