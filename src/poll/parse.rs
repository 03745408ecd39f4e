//! Turning one fetch's documents into normalised items: a pure function, run on the blocking
//! pool by the poll.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::normalise::{Normalised, disambiguate, normalise};
use crate::source::{Document, Kind};

/// What the documents of one fetch gave.
#[derive(Debug, Default)]
pub(super) struct ParsedFetch {
    /// Normalised items of all readable documents.
    pub items: Vec<Normalised>,
    /// Records skipped inside readable documents.
    pub warnings: Vec<String>,
    /// Documents that could not be read at all, with the reason.
    pub failures: Vec<String>,
    /// Spool files whose items are in `items`.
    pub stored_files: Vec<PathBuf>,
    /// Spool files that could not be read.
    pub rejected_files: Vec<PathBuf>,
    documents: usize,
}

impl ParsedFetch {
    /// Whether every document failed (an empty spool is not a failure).
    pub fn nothing_usable(&self) -> bool {
        self.documents > 0 && self.failures.len() == self.documents
    }
}

/// Parses and normalises each document; a bad document is recorded, the others still count.
pub(super) fn parse_documents(
    kind: &dyn Kind,
    docs: &[Document],
    unreadable: Vec<(PathBuf, String)>,
    source_id: &str,
    now: DateTime<Utc>,
) -> ParsedFetch {
    let mut out = ParsedFetch {
        documents: docs.len() + unreadable.len(),
        ..ParsedFetch::default()
    };
    for (path, why) in unreadable {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        out.failures
            .push(format!("{}: {why}", name.unwrap_or_default()));
        out.rejected_files.push(path);
    }
    for doc in docs {
        match kind.parse(doc) {
            Ok(parsed) => {
                let mut items: Vec<Normalised> = parsed
                    .items
                    .into_iter()
                    .map(|raw| normalise(raw, source_id, kind.name(), now))
                    .collect();
                if !kind.ids_are_authoritative() {
                    disambiguate(&mut items);
                }
                out.items.extend(items);
                out.warnings.extend(parsed.rejected);
                out.stored_files.extend(doc.spool_file.clone());
            }
            Err(e) => {
                out.failures
                    .push(if docs.len() > 1 || doc.spool_file.is_some() {
                        format!("{}: {e}", doc.name)
                    } else {
                        e.to_string()
                    });
                out.rejected_files.extend(doc.spool_file.clone());
            }
        }
    }
    out
}
