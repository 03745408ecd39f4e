//! The filter menu (`f`): a draft [`Filter`] edited field by field, applied with Enter. The focus
//! area is kept as it was (keys 1–5 and 0 set it); everything else is chosen here.

use chrono::Duration;

use crate::curation::Status;
use crate::index::{Filter, Place};
use crate::item::{Lifecycle, Severity};

/// The menu's fields, top to bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterField {
    /// The lowest severity shown.
    Severity,
    /// One source.
    Source,
    /// One handling status.
    Status,
    /// Local, or a `plats/` tag.
    Place,
    /// How far back.
    Span,
    /// Active, cancelled or expired alerts.
    Lifecycle,
    /// Only unacknowledged items.
    Unacknowledged,
    /// Only items in the briefing.
    Briefing,
}

impl FilterField {
    /// Every field, in menu order.
    pub const ALL: [FilterField; 8] = [
        FilterField::Severity,
        FilterField::Source,
        FilterField::Status,
        FilterField::Place,
        FilterField::Span,
        FilterField::Lifecycle,
        FilterField::Unacknowledged,
        FilterField::Briefing,
    ];
}

/// The time spans offered, in hours.
pub const SPANS: [i64; 4] = [1, 24, 24 * 7, 24 * 30];

const SEVERITIES: [Severity; 5] = [
    Severity::Info,
    Severity::Low,
    Severity::Medium,
    Severity::High,
    Severity::Critical,
];

const LIFECYCLES: [Lifecycle; 3] = [Lifecycle::Active, Lifecycle::Cancelled, Lifecycle::Expired];

/// The menu's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterMenu {
    /// The filter being edited.
    pub draft: Filter,
    /// The highlighted field.
    pub cursor: usize,
    /// The sources to choose from.
    pub sources: Vec<String>,
    /// The `plats/` tags to choose from.
    pub places: Vec<String>,
}

impl FilterMenu {
    /// A menu starting from the filter in force.
    pub fn new(current: &Filter, sources: Vec<String>, places: Vec<String>) -> FilterMenu {
        FilterMenu {
            draft: current.clone(),
            cursor: 0,
            sources,
            places,
        }
    }

    /// The highlighted field.
    pub fn field(&self) -> FilterField {
        FilterField::ALL[self.cursor.min(FilterField::ALL.len() - 1)]
    }

    /// Moves the highlight by `delta` fields, wrapping.
    pub fn move_by(&mut self, delta: isize) {
        let n = FilterField::ALL.len() as isize;
        self.cursor = (self.cursor as isize + delta).rem_euclid(n) as usize;
    }

    /// Changes the highlighted field's value by `delta` steps through its choices (the first
    /// choice of every field is "no restriction").
    pub fn change(&mut self, delta: isize) {
        let field = self.field();
        let d = &mut self.draft;
        match field {
            FilterField::Severity => d.min_severity = step(&SEVERITIES, d.min_severity, delta),
            FilterField::Source => d.source = step(&self.sources, d.source.clone(), delta),
            FilterField::Status => d.status = step(&Status::ALL, d.status, delta),
            FilterField::Place => {
                let mut places = vec![Place::Local];
                places.extend(self.places.iter().cloned().map(Place::Tag));
                d.place = step(&places, d.place.clone(), delta);
            }
            FilterField::Span => {
                let spans: Vec<Duration> = SPANS.iter().map(|h| Duration::hours(*h)).collect();
                d.span = step(&spans, d.span, delta);
            }
            FilterField::Lifecycle => d.lifecycle = step(&LIFECYCLES, d.lifecycle, delta),
            FilterField::Unacknowledged => d.unacknowledged = !d.unacknowledged,
            FilterField::Briefing => d.in_briefing = !d.in_briefing,
        }
    }

    /// Clears every restriction but the focus area.
    pub fn reset(&mut self) {
        self.draft = Filter {
            focus: self.draft.focus,
            ..Filter::default()
        };
    }
}

/// The value `delta` steps from `current` in `none, all[0], all[1], ...`, wrapping. A current
/// value not among the choices counts as "none".
pub(super) fn step<V: Clone + PartialEq>(all: &[V], current: Option<V>, delta: isize) -> Option<V> {
    let n = all.len() as isize + 1;
    let i = current
        .and_then(|c| all.iter().position(|v| *v == c))
        .map_or(0, |p| p as isize + 1);
    let j = (i + delta).rem_euclid(n);
    if j == 0 {
        None
    } else {
        all.get((j - 1) as usize).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_field_cycles_through_its_choices() {
        let mut m = FilterMenu::new(
            &Filter::default(),
            vec!["polisen".into()],
            vec!["plats/farsta".into()],
        );
        m.change(1);
        assert_eq!(m.draft.min_severity, Some(Severity::Info));
        m.change(-2);
        assert_eq!(m.draft.min_severity, Some(Severity::Critical));
        m.move_by(1);
        m.change(1);
        assert_eq!(m.draft.source.as_deref(), Some("polisen"));
        m.change(1);
        assert_eq!(m.draft.source, None);
        m.move_by(2);
        m.change(2);
        assert_eq!(m.draft.place, Some(Place::Tag("plats/farsta".into())));
        m.move_by(1);
        m.change(2);
        assert_eq!(m.draft.span, Some(Duration::hours(24)));
        m.move_by(1);
        m.change(2);
        assert_eq!(m.draft.lifecycle, Some(Lifecycle::Cancelled));
        m.move_by(1);
        m.change(1);
        assert!(m.draft.unacknowledged);
        m.move_by(1);
        assert_eq!(m.field(), FilterField::Briefing);
        m.reset();
        assert_eq!(m.draft, Filter::default());
    }
}
