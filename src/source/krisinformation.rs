//! The `krisinformation` kind (stub, being written).

use super::{Document, Kind, ParseError, Parsed};

/// The `krisinformation` kind.
pub struct Krisinformation;

impl Kind for Krisinformation {
    fn name(&self) -> &'static str {
        "krisinformation"
    }

    fn parse(&self, _doc: &Document, _options: &toml::Table) -> Result<Parsed, ParseError> {
        Err(ParseError("not yet implemented".into()))
    }
}
