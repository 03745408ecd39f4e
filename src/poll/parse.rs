//! Turning one fetch's documents into normalised items: a pure function, run on the blocking
//! pool by the poll.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use url::Url;

use crate::config::Config;
use crate::item::RawItem;
use crate::normalise::{Normalised, disambiguate, normalise};
use crate::rules::RuleSet;
use crate::source::{Document, Kind};

/// What parsing needs besides the documents: the kind, the source, the config's rules for
/// judging items (area of interest, CAP grading) and the tagging rules of this poll.
#[derive(Clone)]
pub(super) struct ParseSettings {
    pub kind: &'static dyn Kind,
    pub source_id: String,
    pub options: toml::Table,
    pub config: Arc<Config>,
    /// The poll's snapshot of the tagging rules: every item of one poll is tagged by one set,
    /// even if the rules are swapped meanwhile.
    pub rules: Arc<RuleSet>,
}

impl ParseSettings {
    /// Severity from the CAP grading where the kind gave none, then the area check, then
    /// normalisation, then tagging (last, since rules may ask whether the item is local).
    fn judge(&self, mut raw: RawItem, now: DateTime<Utc>) -> Normalised {
        if raw.severity.is_none()
            && let Some(grading) = &raw.grading
        {
            raw.severity = self.config.cap_severity.level(grading);
        }
        let local = self.config.area.locate(&raw.areas, raw.location.as_ref());
        let mut normalised = normalise(raw, &self.source_id, self.kind.name(), now);
        normalised.item.local = local;
        normalised.item.tagging = self.rules.tag(&normalised.item);
        normalised
    }
}

/// Items read from one document; the rest are dropped with a warning. Real feeds hold at most
/// a few hundred; a hostile 10 MiB document of tiny items would otherwise hold hundreds of
/// thousands, all in one store transaction.
pub(super) const MAX_ITEMS_PER_DOCUMENT: usize = 5_000;

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
    /// Links to further documents holding the items (see `Parsed::follow`).
    pub follow: Vec<Url>,
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
    settings: &ParseSettings,
    docs: &[Document],
    unreadable: Vec<(PathBuf, String)>,
    now: DateTime<Utc>,
) -> ParsedFetch {
    let kind = settings.kind;
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
        match kind.parse(doc, &settings.options) {
            // Records with authoritative ids (incident reports) and spool exports must not be
            // cut, or the rest would be lost for good: such a document is refused whole (a
            // spool file set aside for a person to split). A feed is cut: its oldest go.
            Ok(parsed)
                if parsed.items.len() > MAX_ITEMS_PER_DOCUMENT
                    && (doc.spool_file.is_some() || kind.ids_are_authoritative()) =>
            {
                out.failures.push(format!(
                    "{}: {} records, more than {MAX_ITEMS_PER_DOCUMENT} in one document; \
                     split the file or page the endpoint (e.g. ?since=)",
                    doc.name,
                    parsed.items.len()
                ));
                out.rejected_files.extend(doc.spool_file.clone());
            }
            Ok(mut parsed) => {
                if parsed.items.len() > MAX_ITEMS_PER_DOCUMENT {
                    out.warnings.push(format!(
                        "{}: {} items, only the first {MAX_ITEMS_PER_DOCUMENT} were read",
                        doc.name,
                        parsed.items.len()
                    ));
                    parsed.items.truncate(MAX_ITEMS_PER_DOCUMENT);
                }
                let mut items: Vec<Normalised> = parsed
                    .items
                    .into_iter()
                    .map(|raw| settings.judge(raw, now))
                    .collect();
                // Messages of an alert fold into the first: store them oldest first, whatever
                // order the document lists them in (newest first is common).
                items.sort_by_key(|n| n.item.alert.as_ref().map(|a| a.sent));
                if kind.ids_are_authoritative() {
                    for n in &mut items {
                        n.merges_by_url = false;
                    }
                } else {
                    disambiguate(&mut items);
                }
                out.items.extend(items);
                out.warnings.extend(parsed.rejected);
                out.follow.extend(parsed.follow);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::incidents::Incidents;
    use crate::source::rss::Rss;

    fn settings(kind: &'static dyn Kind) -> ParseSettings {
        let config = Config::from_str_at("", std::path::Path::new("t.toml"), Default::default())
            .expect("empty config is valid");
        ParseSettings {
            kind,
            source_id: "s".into(),
            options: toml::Table::new(),
            config: Arc::new(config),
            rules: Arc::new(RuleSet::empty()),
        }
    }

    #[test]
    fn too_many_incident_reports_are_refused_whole_not_cut() {
        let reports: Vec<String> = (0..MAX_ITEMS_PER_DOCUMENT + 1)
            .map(|i| format!(r#"{{"id":"R{i}","reported_at":"2026-11-24T08:00:00Z","title":"t"}}"#))
            .collect();
        let doc = Document {
            name: "api".into(),
            bytes: format!("[{}]", reports.join(",")).into_bytes(),
            content_type: None,
            url: url::Url::parse("http://127.0.0.1/api").unwrap(),
            link_base: None,
            spool_file: None,
        };
        let parsed = parse_documents(&settings(&Incidents), &[doc], Vec::new(), Utc::now());
        assert!(parsed.items.is_empty());
        assert!(parsed.nothing_usable());
        assert!(
            parsed.failures[0].contains("page the endpoint"),
            "{:?}",
            parsed.failures
        );
    }

    #[test]
    fn a_document_with_too_many_items_is_cut_with_a_warning() {
        let items: String = (0..MAX_ITEMS_PER_DOCUMENT + 10)
            .map(|i| format!("<item><title>t{i}</title><guid>g{i}</guid></item>"))
            .collect();
        let doc = Document {
            name: "big".into(),
            bytes: format!("<rss version=\"2.0\"><channel><title>x</title>{items}</channel></rss>")
                .into_bytes(),
            content_type: None,
            url: url::Url::parse("http://127.0.0.1/big.xml").unwrap(),
            link_base: None,
            spool_file: None,
        };
        let parsed = parse_documents(&settings(&Rss), &[doc], Vec::new(), Utc::now());
        assert_eq!(parsed.items.len(), MAX_ITEMS_PER_DOCUMENT);
        assert!(
            parsed.warnings[0].contains("only the first"),
            "{:?}",
            parsed.warnings
        );
    }
}
