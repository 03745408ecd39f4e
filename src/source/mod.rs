//! Source kinds: each turns the documents fetched for a source into [`RawItem`]s.
//!
//! A kind knows a format, nothing about HTTP, the store or the UI. Adding a kind is one new file
//! here implementing [`Kind`] and one line in [`KINDS`]. Kinds must never panic on input: feed text
//! is untrusted, and a bad document becomes a [`ParseError`] for that source only.

pub mod cap;
pub mod cap_model;
pub mod common;
pub mod incidents;
pub mod json;
pub mod krisinformation;
pub mod polisen;
pub mod rss;
pub mod smhi;
pub mod sr_vma;

use std::time::Duration;

use serde::de::DeserializeOwned;
use url::Url;

use crate::item::RawItem;

/// One fetched document: a response body or a file from a spool directory.
#[derive(Debug, Clone)]
pub struct Document {
    /// A name for messages: the URL or the file name.
    pub name: String,
    /// The raw bytes as received (already decompressed).
    pub bytes: Vec<u8>,
    /// The `Content-Type` the server sent, if any.
    pub content_type: Option<String>,
    /// The final URL after redirects.
    pub url: Url,
    /// What relative links resolve against: the final URL without query or credentials, or
    /// nothing when the source's URL holds secrets (they must not end up in stored links).
    pub link_base: Option<Url>,
    /// The spool file it came from, when the source is a spool directory; such files are
    /// moved aside once their items are stored.
    pub spool_file: Option<std::path::PathBuf>,
}

/// What a kind made of one document.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Items in document order.
    pub items: Vec<RawItem>,
    /// Records that were skipped, each with the reason (the rest of the document still counts).
    pub rejected: Vec<String>,
    /// Absolute links to further documents of the same kind that hold the items themselves
    /// (CAP alerts an index only links to); the poll fetches them, within limits.
    pub follow: Vec<Url>,
}

/// A document that could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

/// A bad kind-specific option, with the key so config can point at its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionError {
    /// The option key.
    pub key: String,
    /// What is wrong and what is expected.
    pub message: String,
}

impl From<OptionError> for ParseError {
    /// Options are checked when the config loads; one that fails at parse time is still named.
    fn from(e: OptionError) -> ParseError {
        ParseError(format!("option '{}': {}", e.key, e.message))
    }
}

/// A format `lage` can read.
pub trait Kind: Sync {
    /// The name used in config (`kind = "rss"`).
    fn name(&self) -> &'static str;

    /// Checks the `[source.options]` table; by default a kind takes no options.
    fn check_options(&self, options: &toml::Table) -> Result<(), OptionError> {
        match options.keys().next() {
            Some(key) => Err(OptionError {
                key: key.clone(),
                message: format!("unknown option for kind '{}'", self.name()),
            }),
            None => Ok(()),
        }
    }

    /// Whether a `file://` URL of this kind may name a directory of documents (a spool).
    fn reads_directories(&self) -> bool {
        false
    }

    /// Whether the source's ids always name one item, so that a repeated id is a new version
    /// of it (incident reports, authority APIs), rather than a feed reusing one guid for
    /// several items (RSS in the wild).
    fn ids_are_authoritative(&self) -> bool {
        true
    }

    /// Rules the publisher sets for its API, which configuration cannot go below.
    fn etiquette(&self) -> Etiquette {
        Etiquette::default()
    }

    /// Parses one document with the source's `[source.options]` (already checked by
    /// [`Kind::check_options`]).
    fn parse(&self, doc: &Document, options: &toml::Table) -> Result<Parsed, ParseError>;
}

/// A publisher's rules of use for its API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Etiquette {
    /// The least time between two calls, whatever the config says (also for retries and
    /// manual polls).
    pub min_interval: Duration,
    /// Whether the publisher accepts HTTPS only (plain http is refused, loopback aside).
    pub https_only: bool,
    /// The published rule, for messages.
    pub rule: &'static str,
}

/// Reads a kind's typed options from the `[source.options]` table; an error names the key.
pub fn read_options<T: DeserializeOwned>(options: &toml::Table) -> Result<T, OptionError> {
    T::deserialize(toml::Value::Table(options.clone())).map_err(|e| {
        let message = e.message().trim().to_string();
        // serde names the field between backticks ("unknown field `x`", "missing field `y`").
        let key = message
            .split('`')
            .nth(1)
            .filter(|k| options.contains_key(*k))
            .map(str::to_string)
            .or_else(|| options.keys().next().cloned())
            .unwrap_or_default();
        OptionError { key, message }
    })
}

/// Every kind `lage` knows. Add new kinds here.
pub static KINDS: &[&dyn Kind] = &[
    &rss::Rss,
    &incidents::Incidents,
    &krisinformation::Krisinformation,
    &sr_vma::SrVma,
    &smhi::SmhiWarnings,
    &polisen::Polisen,
    &cap::Cap,
    &json::Json,
];

/// Looks a kind up by its config name.
pub fn kind(name: &str) -> Option<&'static dyn Kind> {
    KINDS.iter().copied().find(|k| k.name() == name)
}

/// Whether `name` is a known kind.
pub fn is_known_kind(name: &str) -> bool {
    kind(name).is_some()
}

/// The names of all kinds, for error messages.
pub fn kind_names() -> Vec<&'static str> {
    KINDS.iter().map(|k| k.name()).collect()
}

/// Checks kind-specific options; an unknown kind has already been reported by config.
pub fn check_options(kind_name: &str, options: &toml::Table) -> Result<(), OptionError> {
    match kind(kind_name) {
        Some(k) => k.check_options(options),
        None => Ok(()),
    }
}
