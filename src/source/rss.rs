//! The `rss` kind: RSS 0.9x/1.0/2.0, Atom and JSON Feed, through feed-rs.
//!
//! feed-rs reads the XML declaration's encoding itself but does not sniff, so documents are first
//! decoded to UTF-8 by `fetch::charset` (BOM, declaration, HTTP charset, detection) and handed over
//! with the declaration rewritten to UTF-8. feed-rs would invent ids (uuids) for entries without
//! one; we ask it not to, because dedup needs to know when a feed gave no guid.

use feed_rs::model::{Entry, Feed, Text};
use url::Url;

use super::{Document, Kind, ParseError, Parsed};
use crate::fetch::charset;
use crate::item::RawItem;

/// RSS, Atom and JSON Feed.
pub struct Rss;

impl Kind for Rss {
    fn name(&self) -> &'static str {
        "rss"
    }

    fn parse(&self, doc: &Document) -> Result<Parsed, ParseError> {
        if doc.bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ParseError("empty document (0 bytes of content)".into()));
        }
        let http_charset = doc
            .content_type
            .as_deref()
            .and_then(charset::charset_from_content_type);
        let decoded = charset::decode_xml(&doc.bytes, http_charset);
        let parser = feed_rs::parser::Builder::new()
            .base_uri(Some(doc.url.as_str()))
            .id_generator(|_, _, _| String::new())
            .build();
        let feed = parser
            .parse(decoded.text.as_bytes())
            .map_err(|e| ParseError(describe(&e, &decoded.text)))?;
        Ok(Parsed {
            items: items(&feed, &doc.url),
            rejected: Vec::new(),
        })
    }
}

/// Turns feed-rs errors into a sentence a duty officer can act on.
fn describe(error: &feed_rs::parser::ParseFeedError, text: &str) -> String {
    use feed_rs::parser::{ParseErrorKind, ParseFeedError};
    match error {
        ParseFeedError::ParseError(ParseErrorKind::NoFeedRoot) => {
            let start: String = text.trim_start().chars().take(40).collect();
            let start = crate::normalise::text::sanitize_line(&start, 40);
            format!("not a feed: no RSS, Atom or JSON Feed root element (document starts with '{start}')")
        }
        other => format!("malformed feed: {other}"),
    }
}

fn items(feed: &Feed, doc_url: &Url) -> Vec<RawItem> {
    // Relative item links are resolved against the feed's own site link when it is absolute,
    // as feed readers commonly do, else against the document URL.
    let base = feed
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .and_then(|l| Url::parse(&l.href).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .unwrap_or_else(|| doc_url.clone());
    feed.entries.iter().map(|e| item(e, &base)).collect()
}

fn item(entry: &Entry, base: &Url) -> RawItem {
    let link = entry
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or_else(|| entry.links.first())
        .map(|l| {
            base.join(l.href.trim())
                .map(String::from)
                .unwrap_or_else(|_| l.href.clone())
        });
    RawItem {
        guid: Some(entry.id.trim().to_string()).filter(|g| !g.is_empty()),
        link,
        title: entry.title.as_ref().map(text),
        summary: entry.summary.as_ref().map(text),
        body: entry.content.as_ref().and_then(|c| c.body.clone()),
        published: entry.published,
        updated: entry.updated,
        authors: entry
            .authors
            .iter()
            .filter_map(|p| p.name.clone().or_else(|| p.email.clone()))
            .filter(|n| !n.trim().is_empty())
            .collect(),
        categories: entry
            .categories
            .iter()
            .map(|c| c.label.clone().unwrap_or_else(|| c.term.clone()))
            .filter(|c| !c.trim().is_empty())
            .collect(),
        ..RawItem::default()
    }
}

fn text(t: &Text) -> String {
    t.content.clone()
}
