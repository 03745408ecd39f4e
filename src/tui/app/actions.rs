//! What the keys of the screens do: moving, opening, switching screens, and the decisions on an
//! item (acknowledge, status, briefing, annotate, tag, link). A decision becomes a
//! `Command::Record` authored by the session's user; it is confirmed on the status line only when
//! the record comes back Ok.

use crossterm::event::{KeyCode, KeyEvent};

use super::forms::{AnnotationForm, Prompt, PromptKind, StatusMenu, TextForm, TextPurpose};
use super::{App, Command, DetailState, Overlay, Screen, StatusLine, Tone};
use crate::curation::{Action, Decision, ItemState};
use crate::index::Focus;
use crate::tui::i18n::{self, T};
use crate::tui::keys::Act;
use crate::tui::{osc, view};

impl App {
    pub(super) fn act(&mut self, act: Act, key: &KeyEvent) -> Vec<Command> {
        match act {
            Act::Quit => self.quit(),
            Act::Help => {
                self.overlay = Some(Overlay::Help { scroll: 0 });
                Vec::new()
            }
            Act::Back => self.back(),
            Act::Sources => {
                self.screen = Screen::Sources;
                vec![Command::LoadSources { now: self.now }]
            }
            Act::Log => {
                self.screen = Screen::Log;
                self.log_scroll = usize::MAX;
                vec![Command::LoadLog]
            }
            Act::BriefScreen => self.open_brief(),
            Act::BriefNew
            | Act::MoveDown
            | Act::MoveUp
            | Act::RemoveEvent
            | Act::KeyMessages
            | Act::Level
            | Act::Preview
            | Act::Export
            | Act::Approve => self.brief_act(act, key),
            Act::PollNow => {
                self.set_status(Tone::Info, T::PollStarted.get(self.lang()));
                vec![Command::PollNow]
            }
            Act::Down => self.scroll(1),
            Act::Up => self.scroll(-1),
            Act::PageDown => self.scroll(self.page()),
            Act::PageUp => self.scroll(-self.page()),
            Act::Top => self.scroll(isize::MIN),
            Act::Bottom => self.scroll(isize::MAX),
            Act::Open => match self.list.selected {
                Some(id) => {
                    self.screen = Screen::Detail;
                    self.detail = Some(DetailState {
                        id,
                        data: None,
                        scroll: 0,
                    });
                    vec![self.load_detail(id)]
                }
                None => Vec::new(),
            },
            Act::Search => {
                self.overlay = Some(Overlay::Prompt(Prompt {
                    kind: PromptKind::Search,
                    input: self.search.clone().unwrap_or_default(),
                }));
                Vec::new()
            }
            Act::Focus => {
                let digit = match key.code {
                    KeyCode::Char(c) => c.to_digit(10).unwrap_or(0),
                    _ => 0,
                };
                self.filter.focus = u8::try_from(digit).ok().and_then(Focus::from_number);
                vec![self.query()]
            }
            Act::AllAreas => {
                self.filter.focus = None;
                vec![self.query()]
            }
            Act::FilterMenu => {
                let menu = super::FilterMenu::new(
                    &self.filter,
                    self.choices.sources.clone(),
                    self.choices.places(),
                );
                self.overlay = Some(Overlay::Filter(menu));
                vec![Command::LoadChoices]
            }
            Act::Ack => self.acknowledge(None),
            Act::AckCritical => match self.critical.first().copied() {
                Some(id) => self.acknowledge(Some(id)),
                None => Vec::new(),
            },
            Act::Status => self.with_target(|app, id, state, _| {
                let cursor = crate::curation::Status::ALL
                    .iter()
                    .position(|s| *s == state.status)
                    .unwrap_or(0);
                app.overlay = Some(Overlay::Status(StatusMenu { item: id, cursor }));
                Vec::new()
            }),
            Act::Annotate => self.with_target(|app, id, state, title| {
                let current = state.annotation.as_ref().map(|(a, _)| a.clone());
                let form = AnnotationForm::new(id, title.to_string(), current);
                app.overlay = Some(Overlay::Annotate(Box::new(form)));
                Vec::new()
            }),
            Act::Tag => self.with_target(|app, id, _, _| {
                app.overlay = Some(Overlay::Prompt(Prompt {
                    kind: PromptKind::Tag { item: id },
                    input: String::new(),
                }));
                vec![Command::LoadChoices]
            }),
            Act::Briefing => self.with_target(|app, id, state, _| {
                let include = !state.in_briefing;
                vec![app.record(id, Action::Briefing { include }, None)]
            }),
            Act::Link => self.open_link(),
            Act::Note | Act::Handover => {
                let purpose = match act {
                    Act::Handover => TextPurpose::Handover,
                    _ => TextPurpose::Note,
                };
                let form = TextForm::new(purpose, "");
                self.overlay = Some(Overlay::Text(Box::new(form)));
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn back(&mut self) -> Vec<Command> {
        match self.screen {
            Screen::List => {
                self.status = None;
                if self.search.take().is_some() {
                    return vec![self.query()];
                }
            }
            // Esc closes the preview first, then the screen.
            Screen::Brief if self.brief.preview.take().is_some() => {}
            Screen::Detail | Screen::Sources | Screen::Log | Screen::Brief => {
                self.screen = Screen::List;
                self.detail = None;
            }
        }
        Vec::new()
    }

    fn page(&self) -> isize {
        let rows = match self.screen {
            Screen::List => self.list_height(),
            _ => self.scroll_height(),
        };
        isize::try_from(rows.saturating_sub(1).max(1)).unwrap_or(1)
    }

    /// Rows of a scrolling screen's body.
    pub(crate) fn scroll_height(&self) -> usize {
        let areas = view::layout::areas(self.size, !self.critical.is_empty(), false);
        usize::from(areas.body.height).max(1)
    }

    fn scroll(&mut self, delta: isize) -> Vec<Command> {
        if self.screen == Screen::List {
            let height = self.list_height();
            match delta {
                isize::MIN => self.list.select_at(0, height),
                isize::MAX => self.list.select_at(usize::MAX, height),
                d => self.list.move_by(d, height),
            }
            return Vec::new();
        }
        if self.screen == Screen::Brief {
            self.brief_scroll(delta);
            return Vec::new();
        }
        let max = view::scroll_lines(self)
            .len()
            .saturating_sub(self.scroll_height());
        let pos = match self.screen {
            Screen::Detail => match self.detail.as_mut() {
                Some(d) => &mut d.scroll,
                None => return Vec::new(),
            },
            Screen::Sources => &mut self.sources_scroll,
            Screen::Log => &mut self.log_scroll,
            Screen::List | Screen::Brief => return Vec::new(),
        };
        *pos = step(*pos, delta, max);
        Vec::new()
    }

    /// The item the keys act on: the detail's item on the detail screen, else the selection;
    /// with its state, title and link once loaded.
    pub(super) fn target(&self) -> Option<(u64, Option<Loaded>)> {
        if self.screen == Screen::Detail {
            let d = self.detail.as_ref()?;
            let loaded = d.data.as_ref().map(|data| {
                (
                    data.state.clone(),
                    data.item.title.clone(),
                    data.item.url.clone(),
                )
            });
            return Some((d.id, loaded));
        }
        let id = self.list.selected?;
        let loaded = self
            .list
            .rows
            .get(&id)
            .map(|r| (r.state.clone(), r.title.clone(), r.url.clone()));
        Some((id, loaded))
    }

    fn with_target(
        &mut self,
        f: impl FnOnce(&mut App, u64, &ItemState, &str) -> Vec<Command>,
    ) -> Vec<Command> {
        match self.target() {
            None => {
                self.set_status(Tone::Info, T::NothingSelected.get(self.lang()));
                Vec::new()
            }
            Some((_, None)) => {
                self.set_status(Tone::Info, T::NotLoadedYet.get(self.lang()));
                Vec::new()
            }
            Some((id, Some((state, title, _)))) => f(self, id, &state, &title),
        }
    }

    fn acknowledge(&mut self, id: Option<u64>) -> Vec<Command> {
        if let Some(id) = id {
            return vec![self.record(id, Action::Acknowledge, None)];
        }
        self.with_target(|app, id, state, _| match &state.acknowledged {
            Some(stamp) => {
                let text = i18n::already_acked(app.lang(), &crate::tui::safe::line(&stamp.author));
                app.set_status(Tone::Info, text);
                Vec::new()
            }
            None => vec![app.record(id, Action::Acknowledge, None)],
        })
    }

    /// A decision by this session's user, now; "Saving…" until the store confirms it.
    pub(super) fn record(&mut self, item: u64, action: Action, note: Option<String>) -> Command {
        self.set_status(Tone::Info, T::Saving.get(self.lang()));
        Command::Record {
            item,
            decision: Decision {
                action,
                author: self.session.user.clone(),
                at: self.now,
            },
            note,
        }
    }

    fn open_link(&mut self) -> Vec<Command> {
        let lang = self.lang();
        let url = match self.target() {
            Some((_, Some((_, _, url)))) => url,
            Some((_, None)) => {
                self.set_status(Tone::Info, T::NotLoadedYet.get(lang));
                return Vec::new();
            }
            None => {
                self.set_status(Tone::Info, T::NothingSelected.get(lang));
                return Vec::new();
            }
        };
        let Some(url) = url else {
            self.set_status(Tone::Info, T::NoLink.get(lang));
            return Vec::new();
        };
        let Some(url) = osc::safe_url(&url) else {
            self.set_status(Tone::Error, T::BadLink.get(lang));
            return Vec::new();
        };
        self.show(StatusLine::Link(url.clone()));
        let (x, text) = view::status::link_cells(lang, &url, self.size.0);
        let y = self.size.1.saturating_sub(1);
        vec![
            Command::Emit(osc::Osc::Copy { text: url.clone() }),
            Command::Emit(osc::Osc::Hyperlink { url, text, x, y }),
        ]
    }
}

/// What is known of the target item once it is loaded: its state, title and link.
pub(super) type Loaded = (ItemState, String, Option<String>);

/// `pos` moved by `delta`, within `0..=max` (`isize::MIN`/`MAX` go to the ends).
pub(super) fn step(pos: usize, delta: isize, max: usize) -> usize {
    let pos = pos.min(max);
    if delta < 0 {
        pos.saturating_sub(delta.unsigned_abs())
    } else {
        pos.saturating_add(delta.unsigned_abs()).min(max)
    }
}
