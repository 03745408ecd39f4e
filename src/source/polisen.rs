//! The `polisen` kind (stub, being written).

use super::{Document, Kind, ParseError, Parsed};

/// The `polisen` kind.
pub struct Polisen;

impl Kind for Polisen {
    fn name(&self) -> &'static str {
        "polisen"
    }

    fn parse(&self, _doc: &Document, _options: &toml::Table) -> Result<Parsed, ParseError> {
        Err(ParseError("not yet implemented".into()))
    }
}
