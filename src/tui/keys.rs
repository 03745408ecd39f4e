//! The key table: which key does what where. Key handling looks actions up here and the help
//! overlay lists this same table, so help can never drift from what the keys really do.
//! [`Act::needs`] says which permission a key's action needs, so the app refuses it (before
//! any form opens) and help leaves it out for a role that may not.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::i18n::T;
use crate::access::Permission;

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ctx {
    /// Everywhere, even while typing (Ctrl-C).
    Always,
    /// Every screen when no editor, prompt or menu is open.
    Global,
    /// The item list and the detail screen (acting on the selected or shown item).
    Item,
    /// The item list only.
    List,
    /// Scrolling screens: detail, sources, shift log.
    Scroll,
    /// The shift log.
    Log,
    /// The briefing screen.
    Brief,
    /// The annotation and shift-log editors.
    Editor,
    /// The question whether to discard an edit.
    Confirm,
    /// The filter and status menus.
    Menu,
    /// The search and tag line.
    Prompt,
}

impl Ctx {
    /// The heading in the help overlay.
    pub fn title(self) -> T {
        match self {
            Ctx::Always | Ctx::Global => T::CtxGlobal,
            Ctx::Item => T::CtxItem,
            Ctx::List => T::CtxList,
            Ctx::Scroll => T::CtxDetail,
            Ctx::Log => T::CtxLog,
            Ctx::Brief => T::CtxBrief,
            Ctx::Editor | Ctx::Confirm => T::CtxEditor,
            Ctx::Menu => T::CtxMenu,
            Ctx::Prompt => T::CtxPrompt,
        }
    }
}

/// What a key asks for. Each variant is named for what it does; what it means to a person is
/// the help text of its binding in [`KEYS`].
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    Quit,
    Help,
    Back,
    Sources,
    Log,
    BriefScreen,
    PollNow,
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
    Open,
    Search,
    /// A digit 1–5: the focus area is the digit on the key.
    Focus,
    AllAreas,
    FilterMenu,
    Ack,
    AckCritical,
    Status,
    Annotate,
    Tag,
    Briefing,
    Link,
    Note,
    Handover,
    BriefNew,
    MoveDown,
    MoveUp,
    RemoveEvent,
    KeyMessages,
    /// A digit 1–5 on the briefing screen: the focus area is the digit on the key.
    Level,
    Preview,
    Export,
    Approve,
    Save,
    NextField,
    PrevField,
    Left,
    Right,
    Reset,
    Apply,
    Complete,
    Cancel,
    Yes,
    No,
    /// A digit in a menu: the entry with that number.
    Pick,
}

impl Act {
    /// The permission the action needs: what the command it leads to needs
    /// (`Command::permission`), asked when the key is pressed.
    pub fn needs(self) -> Permission {
        match self {
            Act::Ack | Act::AckCritical => Permission::Acknowledge,
            Act::Status => Permission::SetStatus,
            Act::Note | Act::Handover => Permission::WriteLog,
            Act::PollNow => Permission::PollNow,
            Act::Annotate => Permission::Annotate,
            Act::Tag => Permission::OverrideTags,
            Act::Briefing
            | Act::BriefNew
            | Act::MoveDown
            | Act::MoveUp
            | Act::RemoveEvent
            | Act::KeyMessages
            | Act::Level
            | Act::Export
            | Act::Approve => Permission::ComposeBriefing,
            Act::Quit
            | Act::Help
            | Act::Back
            | Act::Sources
            | Act::Log
            | Act::BriefScreen
            | Act::Down
            | Act::Up
            | Act::PageDown
            | Act::PageUp
            | Act::Top
            | Act::Bottom
            | Act::Open
            | Act::Search
            | Act::Focus
            | Act::AllAreas
            | Act::FilterMenu
            | Act::Link
            | Act::Preview
            | Act::Save
            | Act::NextField
            | Act::PrevField
            | Act::Left
            | Act::Right
            | Act::Reset
            | Act::Apply
            | Act::Complete
            | Act::Cancel
            | Act::Yes
            | Act::No
            | Act::Pick => Permission::Read,
        }
    }
}

/// One key of a binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum K {
    /// A character, with or without Shift.
    Ch(char),
    /// A special key without Ctrl or Alt.
    Code(KeyCode),
    /// Ctrl and a letter.
    Ctrl(char),
}

impl K {
    fn matches(self, key: &KeyEvent) -> bool {
        let ctrl_alt = key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match self {
            K::Ch(c) => !ctrl_alt && key.code == KeyCode::Char(c),
            K::Code(code) => !ctrl_alt && key.code == code,
            K::Ctrl(c) => {
                key.modifiers.contains(KeyModifiers::CONTROL)
                    && matches!(key.code, KeyCode::Char(k) if k.eq_ignore_ascii_case(&c))
            }
        }
    }

    /// How the key is written in help.
    pub fn label(self) -> String {
        match self {
            K::Ch(' ') => "Space".into(),
            K::Ch(c) => c.to_string(),
            K::Ctrl(c) => format!("Ctrl-{}", c.to_ascii_uppercase()),
            K::Code(code) => match code {
                KeyCode::Up => "↑".into(),
                KeyCode::Down => "↓".into(),
                KeyCode::Left => "←".into(),
                KeyCode::Right => "→".into(),
                KeyCode::PageUp => "PgUp".into(),
                KeyCode::PageDown => "PgDn".into(),
                KeyCode::Home => "Home".into(),
                KeyCode::End => "End".into(),
                KeyCode::Enter => "Enter".into(),
                KeyCode::Esc => "Esc".into(),
                KeyCode::Tab => "Tab".into(),
                KeyCode::BackTab => "Shift-Tab".into(),
                KeyCode::Backspace => "Backspace".into(),
                other => format!("{other:?}"),
            },
        }
    }
}

/// A line of the key table.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// Where it applies.
    pub ctx: Ctx,
    /// The keys.
    pub keys: &'static [K],
    /// What they do.
    pub act: Act,
    /// The help text.
    pub help: T,
}

use Act as A;
use K::{Ch, Code, Ctrl};
use KeyCode as C;

const fn b(ctx: Ctx, keys: &'static [K], act: Act, help: T) -> Binding {
    Binding {
        ctx,
        keys,
        act,
        help,
    }
}

/// Every binding, in the order help shows them.
pub const KEYS: &[Binding] = &[
    b(Ctx::Always, &[Ctrl('c')], A::Quit, T::KQuit),
    b(Ctx::Global, &[Ch('q')], A::Quit, T::KQuit),
    b(Ctx::Global, &[Ch('?')], A::Help, T::KHelp),
    b(Ctx::Global, &[Code(C::Esc)], A::Back, T::KBack),
    b(Ctx::Global, &[Ch('S')], A::Sources, T::KSources),
    b(Ctx::Global, &[Ch('L')], A::Log, T::KLog),
    b(Ctx::Global, &[Ch('B')], A::BriefScreen, T::KBriefScreen),
    b(Ctx::Global, &[Ch('r')], A::PollNow, T::KPoll),
    b(Ctx::Global, &[Ch('X')], A::AckCritical, T::KAckCritical),
    b(Ctx::List, &[Ch('j'), Code(C::Down)], A::Down, T::KDown),
    b(Ctx::List, &[Ch('k'), Code(C::Up)], A::Up, T::KUp),
    b(
        Ctx::List,
        &[Code(C::PageDown), Ctrl('f')],
        A::PageDown,
        T::KPageDown,
    ),
    b(
        Ctx::List,
        &[Code(C::PageUp), Ctrl('b')],
        A::PageUp,
        T::KPageUp,
    ),
    b(Ctx::List, &[Ch('g'), Code(C::Home)], A::Top, T::KTop),
    b(Ctx::List, &[Ch('G'), Code(C::End)], A::Bottom, T::KBottom),
    b(Ctx::List, &[Code(C::Enter)], A::Open, T::KOpen),
    b(Ctx::List, &[Ch('/')], A::Search, T::KSearch),
    b(
        Ctx::List,
        &[Ch('1'), Ch('2'), Ch('3'), Ch('4'), Ch('5')],
        A::Focus,
        T::KFocus,
    ),
    b(Ctx::List, &[Ch('0')], A::AllAreas, T::KAll),
    b(Ctx::List, &[Ch('f')], A::FilterMenu, T::KFilter),
    b(Ctx::Item, &[Ch('x')], A::Ack, T::KAck),
    b(Ctx::Item, &[Ch('s')], A::Status, T::KStatus),
    b(Ctx::Item, &[Ch('a')], A::Annotate, T::KAnnotate),
    b(Ctx::Item, &[Ch('t')], A::Tag, T::KTag),
    b(Ctx::Item, &[Ch('b')], A::Briefing, T::KBriefing),
    b(Ctx::Item, &[Ch('o')], A::Link, T::KLink),
    b(Ctx::Scroll, &[Ch('j'), Code(C::Down)], A::Down, T::KDown),
    b(Ctx::Scroll, &[Ch('k'), Code(C::Up)], A::Up, T::KUp),
    b(
        Ctx::Scroll,
        &[Code(C::PageDown), Ch(' '), Ctrl('f')],
        A::PageDown,
        T::KPageDown,
    ),
    b(
        Ctx::Scroll,
        &[Code(C::PageUp), Ctrl('b')],
        A::PageUp,
        T::KPageUp,
    ),
    b(Ctx::Scroll, &[Ch('g'), Code(C::Home)], A::Top, T::KTop),
    b(Ctx::Scroll, &[Ch('G'), Code(C::End)], A::Bottom, T::KBottom),
    b(Ctx::Log, &[Ch('n')], A::Note, T::KNote),
    b(Ctx::Log, &[Ch('h')], A::Handover, T::KHandover),
    b(
        Ctx::Brief,
        &[Ch('j'), Code(C::Down)],
        A::Down,
        T::KBriefDown,
    ),
    b(Ctx::Brief, &[Ch('k'), Code(C::Up)], A::Up, T::KBriefUp),
    b(
        Ctx::Brief,
        &[Code(C::PageDown), Ch(' ')],
        A::PageDown,
        T::KPageDown,
    ),
    b(Ctx::Brief, &[Code(C::PageUp)], A::PageUp, T::KPageUp),
    b(Ctx::Brief, &[Ch('J')], A::MoveDown, T::KMoveDown),
    b(Ctx::Brief, &[Ch('K')], A::MoveUp, T::KMoveUp),
    b(Ctx::Brief, &[Ch('d')], A::RemoveEvent, T::KRemoveEvent),
    b(Ctx::Brief, &[Ch('e')], A::KeyMessages, T::KKeyMessages),
    b(
        Ctx::Brief,
        &[Ch('1'), Ch('2'), Ch('3'), Ch('4'), Ch('5')],
        A::Level,
        T::KLevel,
    ),
    b(Ctx::Brief, &[Ch('p')], A::Preview, T::KPreview),
    b(Ctx::Brief, &[Ch('E')], A::Export, T::KExport),
    b(Ctx::Brief, &[Ch('A')], A::Approve, T::KApprove),
    b(Ctx::Brief, &[Ch('n')], A::BriefNew, T::KBriefNew),
    b(Ctx::Editor, &[Ctrl('s')], A::Save, T::KSave),
    b(Ctx::Editor, &[Code(C::Tab)], A::NextField, T::KNextField),
    b(
        Ctx::Editor,
        &[Code(C::BackTab)],
        A::PrevField,
        T::KPrevField,
    ),
    b(Ctx::Editor, &[Code(C::Esc)], A::Cancel, T::KCancel),
    b(Ctx::Confirm, &[Ch('j'), Ch('y')], A::Yes, T::KDiscardYes),
    b(Ctx::Confirm, &[Ch('n'), Code(C::Esc)], A::No, T::KDiscardNo),
    b(Ctx::Menu, &[Ch('j'), Code(C::Down)], A::Down, T::KDown),
    b(Ctx::Menu, &[Ch('k'), Code(C::Up)], A::Up, T::KUp),
    b(Ctx::Menu, &[Ch('h'), Code(C::Left)], A::Left, T::KChange),
    b(
        Ctx::Menu,
        &[Ch('l'), Code(C::Right), Ch(' ')],
        A::Right,
        T::KChange,
    ),
    b(Ctx::Menu, &[Code(C::Enter)], A::Apply, T::KApply),
    b(
        Ctx::Menu,
        &[Ch('1'), Ch('2'), Ch('3'), Ch('4')],
        A::Pick,
        T::KPick,
    ),
    b(Ctx::Menu, &[Ch('c')], A::Reset, T::KReset),
    b(Ctx::Menu, &[Code(C::Esc), Ch('q')], A::Cancel, T::KCancel),
    b(Ctx::Prompt, &[Code(C::Enter)], A::Apply, T::KApply),
    b(Ctx::Prompt, &[Code(C::Tab)], A::Complete, T::KComplete),
    b(Ctx::Prompt, &[Code(C::Esc)], A::Cancel, T::KCancel),
];

/// The action of `key` among the bindings of `ctxs` (searched in order), if any.
pub fn lookup(key: &KeyEvent, ctxs: &[Ctx]) -> Option<Act> {
    ctxs.iter().find_map(|ctx| {
        KEYS.iter()
            .filter(|b| b.ctx == *ctx)
            .find(|b| b.keys.iter().any(|k| k.matches(key)))
            .map(|b| b.act)
    })
}

/// The label of the first key bound to `act` in `ctx` (for hints shown on screen).
pub fn label(ctx: Ctx, act: Act) -> String {
    KEYS.iter()
        .find(|b| b.ctx == ctx && b.act == act)
        .and_then(|b| b.keys.first())
        .map(|k| k.label())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn keys_resolve_by_context_in_order() {
        let j = key(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(lookup(&j, &[Ctx::List, Ctx::Global]), Some(Act::Down));
        assert_eq!(lookup(&j, &[Ctx::Editor]), None);
        assert_eq!(lookup(&j, &[Ctx::Confirm]), Some(Act::Yes));
        let q = key(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(lookup(&q, &[Ctx::Prompt, Ctx::Always]), None);
        let ctrl_c = key(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(
            lookup(&ctrl_c, &[Ctx::Prompt, Ctx::Always]),
            Some(Act::Quit)
        );
        let shift_s = key(KeyCode::Char('S'), KeyModifiers::SHIFT);
        assert_eq!(
            lookup(&shift_s, &[Ctx::List, Ctx::Global]),
            Some(Act::Sources)
        );
        assert_eq!(label(Ctx::Editor, Act::Save), "Ctrl-S");
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for (i, a) in KEYS.iter().enumerate() {
            for b in &KEYS[i + 1..] {
                if a.ctx == b.ctx {
                    for k in a.keys {
                        assert!(!b.keys.contains(k), "{k:?} twice in {:?}", a.ctx);
                    }
                }
            }
        }
    }
}
