//! The `json` kind (stub, being written).

use super::{Document, Kind, ParseError, Parsed};

/// The `json` kind.
pub struct Json;

impl Kind for Json {
    fn name(&self) -> &'static str {
        "json"
    }

    fn parse(&self, _doc: &Document, _options: &toml::Table) -> Result<Parsed, ParseError> {
        Err(ParseError("not yet implemented".into()))
    }
}
