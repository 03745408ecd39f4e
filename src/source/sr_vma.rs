//! The `sr-vma` kind (stub, being written).

use super::{Document, Kind, ParseError, Parsed};

/// The `sr-vma` kind.
pub struct SrVma;

impl Kind for SrVma {
    fn name(&self) -> &'static str {
        "sr-vma"
    }

    fn parse(&self, _doc: &Document, _options: &toml::Table) -> Result<Parsed, ParseError> {
        Err(ParseError("not yet implemented".into()))
    }
}
