//! The `cap` kind (stub, being written).

use super::{Document, Kind, ParseError, Parsed};

/// The `cap` kind.
pub struct Cap;

impl Kind for Cap {
    fn name(&self) -> &'static str {
        "cap"
    }

    fn parse(&self, _doc: &Document, _options: &toml::Table) -> Result<Parsed, ParseError> {
        Err(ParseError("not yet implemented".into()))
    }
}
