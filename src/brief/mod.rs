//! Briefings: the weekly situational picture (*veckolägesbild*) and the incident situation
//! report (*samlad lägesbild*) that go to crisis management (*krisledning*).
//!
//! The flow: an [`edition::Edition`] is what the analyst decides (stored per version by the
//! store's `briefs` tree); [`compose`] resolves it against the items, their annotations and the
//! sources into a [`document::Briefing`] (the `json` export, frozen into the edition when it is
//! approved); [`view::BriefView`] makes that printable in one language; `render` writes the
//! formats. Nothing here names the terminal, and the only IO is reading the store and template
//! files.

pub mod changes;
pub mod compose;
pub mod document;
pub mod edition;
pub mod export;
pub mod labels;
pub mod period;
pub mod render;
pub mod suggest;
pub mod view;

pub use compose::{BriefError, Briefs, EditionId, Settings};
