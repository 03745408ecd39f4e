//! The editors and prompts: the annotation form (note, assessment, confidence, relevance), the
//! shift-log editor (note or handover), the one-line search and tag prompt, and the status menu.
//!
//! Multi-line text is edited with `ratatui-textarea`; keys reach it only after the key table
//! had its say (Ctrl-S, Tab, Esc), and typed or pasted text is made safe before it goes in, so
//! nothing a person pastes can carry a terminal command into the store.

use super::filter_menu::step;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Modifier, Style};
use ratatui_textarea::{Input, Key, TextArea, WrapMode};

use crate::curation::{Annotation, Confidence, Relevance, Status};
use crate::tui::safe;

/// A multi-line text area set up the way every editor of the dashboard uses it.
pub fn text_area(text: &str) -> TextArea<'static> {
    let lines: Vec<String> = if text.is_empty() {
        vec![String::new()]
    } else {
        safe::text(text).split('\n').map(str::to_string).collect()
    };
    let mut area = TextArea::new(lines);
    area.set_cursor_line_style(Style::default());
    area.set_cursor_style(Style::default().add_modifier(Modifier::REVERSED));
    area.set_wrap_mode(WrapMode::WordOrGlyph);
    area.move_cursor(ratatui_textarea::CursorMove::Bottom);
    area.move_cursor(ratatui_textarea::CursorMove::End);
    area
}

/// The text of a text area, trailing blank space removed.
pub fn area_text(area: &TextArea<'_>) -> String {
    area.lines().join("\n").trim_end().to_string()
}

/// Passes a key to a text area; returns whether it was one the area takes.
pub fn edit(area: &mut TextArea<'_>, key: &KeyEvent) -> bool {
    let k = match key.code {
        KeyCode::Char(c) if safe::is_unsafe(c) => return false,
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Delete => Key::Delete,
        KeyCode::Enter => Key::Enter,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        _ => return false,
    };
    area.input(Input {
        key: k,
        ctrl: key.modifiers.contains(KeyModifiers::CONTROL),
        alt: key.modifiers.contains(KeyModifiers::ALT),
        shift: key.modifiers.contains(KeyModifiers::SHIFT),
    });
    true
}

/// The fields of the annotation form, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The note.
    Note,
    /// The assessment.
    Assessment,
    /// The confidence of the assessment.
    Confidence,
    /// The relevance.
    Relevance,
}

impl Field {
    const ORDER: [Field; 4] = [
        Field::Note,
        Field::Assessment,
        Field::Confidence,
        Field::Relevance,
    ];

    fn step(self, delta: isize) -> Field {
        let i = Field::ORDER.iter().position(|f| *f == self).unwrap_or(0) as isize;
        let n = Field::ORDER.len() as isize;
        Field::ORDER[(i + delta).rem_euclid(n) as usize]
    }
}

/// The annotation form, prefilled with the item's current annotation so that saving makes a
/// new version of it.
#[derive(Debug, Clone)]
pub struct AnnotationForm {
    /// The item.
    pub item: u64,
    /// Its title, for the form's frame.
    pub title: String,
    /// The note being edited.
    pub note: TextArea<'static>,
    /// The assessment being edited.
    pub assessment: TextArea<'static>,
    /// The chosen confidence.
    pub confidence: Option<Confidence>,
    /// The chosen relevance.
    pub relevance: Option<Relevance>,
    /// The focused field.
    pub field: Field,
    /// The annotation as it was when the form opened.
    pub original: Annotation,
    /// Whether the "discard changes?" question is showing.
    pub confirm: bool,
    /// Whether a save is under way (the form closes when it is confirmed).
    pub saving: bool,
}

impl AnnotationForm {
    /// A form for `item`, prefilled with `current`.
    pub fn new(item: u64, title: String, current: Option<Annotation>) -> AnnotationForm {
        let original = current.unwrap_or_default();
        AnnotationForm {
            item,
            title,
            note: text_area(&original.note),
            assessment: text_area(&original.assessment),
            confidence: original.confidence,
            relevance: original.relevance,
            field: Field::Note,
            original,
            confirm: false,
            saving: false,
        }
    }

    /// The annotation as the form now stands.
    pub fn annotation(&self) -> Annotation {
        Annotation {
            note: area_text(&self.note),
            assessment: area_text(&self.assessment),
            confidence: self.confidence,
            relevance: self.relevance,
        }
    }

    /// Whether anything differs from what the form opened with.
    pub fn changed(&self) -> bool {
        self.annotation() != self.original
    }

    /// Moves to the next (+1) or previous (-1) field.
    pub fn step_field(&mut self, delta: isize) {
        self.field = self.field.step(delta);
    }

    /// A key for the focused field: text for the text areas, a level change for the others.
    pub fn key(&mut self, key: &KeyEvent) {
        let delta = match key.code {
            KeyCode::Right | KeyCode::Char(' ' | 'l' | '+') => 1,
            KeyCode::Left | KeyCode::Char('h' | '-') => -1,
            _ => 0,
        };
        match self.field {
            Field::Note => {
                edit(&mut self.note, key);
            }
            Field::Assessment => {
                edit(&mut self.assessment, key);
            }
            Field::Confidence => self.confidence = step(&Confidence::ALL, self.confidence, delta),
            Field::Relevance => self.relevance = step(&Relevance::ALL, self.relevance, delta),
        }
    }

    /// Pasted text, into the focused text area.
    pub fn paste(&mut self, text: &str) {
        match self.field {
            Field::Note => self.note.insert_str(safe::text(text)),
            Field::Assessment => self.assessment.insert_str(safe::text(text)),
            _ => false,
        };
    }
}

/// What a multi-line text editor writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextPurpose {
    /// A shift-log note.
    Note,
    /// A shift-log handover (which also sets "last looked").
    Handover,
    /// A briefing edition's key messages.
    KeyMessages(crate::brief::edition::EditionRef),
}

/// A multi-line text editor: a shift-log note or handover, or a briefing's key messages
/// (prefilled with what is stored).
#[derive(Debug, Clone)]
pub struct TextForm {
    /// What the text is for.
    pub purpose: TextPurpose,
    /// The text.
    pub text: TextArea<'static>,
    /// The text as it was when the editor opened.
    pub original: String,
    /// Whether the "discard changes?" question is showing.
    pub confirm: bool,
    /// Whether a save is under way (the editor closes when it is confirmed).
    pub saving: bool,
}

impl TextForm {
    /// An editor for `purpose`, starting with `current`.
    pub fn new(purpose: TextPurpose, current: &str) -> TextForm {
        let text = text_area(current);
        TextForm {
            purpose,
            original: area_text(&text),
            text,
            confirm: false,
            saving: false,
        }
    }

    /// The text as it stands.
    pub fn content(&self) -> String {
        area_text(&self.text)
    }

    /// Whether anything differs from what the editor opened with.
    pub fn changed(&self) -> bool {
        self.content() != self.original
    }

    /// Whether saving now makes sense: a log entry needs text, key messages may be emptied.
    pub fn can_save(&self) -> bool {
        match self.purpose {
            TextPurpose::Note | TextPurpose::Handover => !self.content().is_empty(),
            TextPurpose::KeyMessages(_) => true,
        }
    }
}

/// What a one-line prompt is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptKind {
    /// A search over the whole store.
    Search,
    /// `+tag` or `-tag` on an item.
    Tag {
        /// The item.
        item: u64,
    },
}

/// A one-line prompt at the bottom of the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// What it is for.
    pub kind: PromptKind,
    /// The text typed so far.
    pub input: String,
}

impl Prompt {
    /// Applies an editing key: a character, Backspace, or Ctrl-U to clear.
    pub fn key(&mut self, key: &KeyEvent) {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('u') if ctrl => self.input.clear(),
            KeyCode::Char('w') if ctrl => {
                let keep = self.input.trim_end().rfind(' ').map_or(0, |i| i + 1);
                self.input.truncate(keep);
            }
            KeyCode::Char(c) if !ctrl && !safe::is_unsafe(c) && self.input.len() < 200 => {
                self.input.push(c)
            }
            KeyCode::Backspace => {
                self.input.pop();
            }
            _ => {}
        }
    }

    /// Pasted text, as one line.
    pub fn paste(&mut self, text: &str) {
        self.input.push_str(&safe::line(text));
        let cut: String = self.input.chars().take(200).collect();
        self.input = cut;
    }

    /// Completes a `+tag`/`-tag` to the longest prefix shared by the known tags it starts.
    pub fn complete(&mut self, tags: &[String]) {
        let (sign, partial) = match self.input.chars().next() {
            Some(c @ ('+' | '-')) => (c, self.input[1..].to_string()),
            _ => ('+', self.input.clone()),
        };
        let matching: Vec<&String> = tags.iter().filter(|t| t.starts_with(&partial)).collect();
        let Some(first) = matching.first() else {
            return;
        };
        let mut common = first.as_str();
        for t in &matching[1..] {
            let n = common
                .char_indices()
                .zip(t.chars())
                .find(|((_, a), b)| a != b)
                .map_or(common.len().min(t.len()), |((i, _), _)| i);
            common = &common[..n];
        }
        if common.len() >= partial.len() {
            self.input = format!("{sign}{common}");
        }
    }
}

/// The status menu for an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMenu {
    /// The item.
    pub item: u64,
    /// The highlighted status.
    pub cursor: usize,
}

impl StatusMenu {
    /// The highlighted status.
    pub fn status(&self) -> Status {
        Status::ALL[self.cursor.min(Status::ALL.len() - 1)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn levels_cycle_through_none() {
        assert_eq!(step(&Confidence::ALL, None, 1), Some(Confidence::Low));
        assert_eq!(step(&Confidence::ALL, Some(Confidence::High), 1), None);
        assert_eq!(step(&Confidence::ALL, None, -1), Some(Confidence::High));
    }

    #[test]
    fn the_form_edits_the_focused_field_and_knows_when_it_changed() {
        let current = Annotation {
            note: "Rad ett".into(),
            ..Annotation::default()
        };
        let mut form = AnnotationForm::new(1, "t".into(), Some(current));
        assert!(!form.changed());
        form.key(&key('!'));
        form.step_field(1);
        form.key(&key('B'));
        form.step_field(1);
        form.key(&KeyEvent::new(KeyCode::Right, KeyModifiers::NONE));
        let a = form.annotation();
        assert_eq!(a.note, "Rad ett!");
        assert_eq!(a.assessment, "B");
        assert_eq!(a.confidence, Some(Confidence::Low));
        assert!(form.changed());
    }

    #[test]
    fn pasted_escape_sequences_never_reach_the_text() {
        let mut form = AnnotationForm::new(1, "t".into(), None);
        form.paste("a\u{1b}[2Jb\nc\u{202e}");
        assert_eq!(form.annotation().note, "ab\nc");
    }

    #[test]
    fn tags_complete_to_the_shared_prefix() {
        let tags = vec![
            "plats/farsta".to_string(),
            "plats/fruängen".to_string(),
            "fokus/brott".into(),
        ];
        let mut p = Prompt {
            kind: PromptKind::Search,
            input: "-plats/f".into(),
        };
        p.complete(&tags);
        assert_eq!(p.input, "-plats/f");
        p.input = "+fo".into();
        p.complete(&tags);
        assert_eq!(p.input, "+fokus/brott");
        p.input = "pla".into();
        p.complete(&tags);
        assert_eq!(p.input, "+plats/f");
    }
}
