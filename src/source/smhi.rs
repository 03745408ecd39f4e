//! The `smhi-warnings` kind (stub, being written).

use super::{Document, Kind, ParseError, Parsed};

/// The `smhi-warnings` kind.
pub struct SmhiWarnings;

impl Kind for SmhiWarnings {
    fn name(&self) -> &'static str {
        "smhi-warnings"
    }

    fn parse(&self, _doc: &Document, _options: &toml::Table) -> Result<Parsed, ParseError> {
        Err(ParseError("not yet implemented".into()))
    }
}
