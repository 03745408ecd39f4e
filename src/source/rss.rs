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
        let feed = match parser.parse(decoded.text.as_bytes()) {
            Ok(feed) => feed,
            // feed-rs only accepts <rss> with a version it knows; in the wild the attribute is
            // often missing or odd ("0.94", "2.01"). Read those as RSS 2.0, as feed readers do.
            Err(feed_rs::parser::ParseFeedError::ParseError(
                feed_rs::parser::ParseErrorKind::NoFeedRoot,
            )) if with_rss_version(&decoded.text).is_some() => {
                let fixed = with_rss_version(&decoded.text).unwrap_or_default();
                parser
                    .parse(fixed.as_bytes())
                    .map_err(|e| ParseError(describe(&e, &decoded.text)))?
            }
            Err(e) => return Err(ParseError(describe(&e, &decoded.text))),
        };
        Ok(Parsed {
            items: items(&feed, &doc.url),
            rejected: Vec::new(),
        })
    }
}

/// The document with its root `<rss ...>` tag's version set to "2.0", when the root is `<rss>`
/// with a missing or unknown version; `None` otherwise.
fn with_rss_version(text: &str) -> Option<String> {
    let start = root_start(text)?;
    let rest = &text[start..];
    let after_name = rest.strip_prefix("<rss")?;
    if !after_name.starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/') {
        return None;
    }
    let tag_end = start + rest.find('>')?;
    let tag = &text[start + 4..tag_end];
    let version = regex_lite_version(tag);
    if matches!(version.as_deref(), Some("2.0" | "0.91" | "0.92")) {
        return None;
    }
    let attrs = match &version {
        Some(v) => tag.replacen(&format!("version=\"{v}\""), "", 1).replacen(
            &format!("version='{v}'"),
            "",
            1,
        ),
        None => tag.to_string(),
    };
    Some(format!(
        "{}<rss version=\"2.0\"{attrs}{}",
        &text[..start],
        &text[tag_end..]
    ))
}

/// The `version` attribute's value inside an opening tag's attribute text.
fn regex_lite_version(tag: &str) -> Option<String> {
    let at = tag.find("version")?;
    let rest = tag[at + "version".len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    Some(value[..value.find(quote)?].to_string())
}

/// Byte offset of the root element's `<`, skipping the declaration, comments, PIs and DOCTYPE.
fn root_start(text: &str) -> Option<usize> {
    let mut pos = 0;
    loop {
        let rest = &text[pos..];
        let offset = rest.find('<')?;
        let at = pos + offset;
        let tail = &text[at..];
        let skip_to = |end: &str| tail.find(end).map(|e| at + e + end.len());
        pos = if tail.starts_with("<?") {
            skip_to("?>")?
        } else if tail.starts_with("<!--") {
            skip_to("-->")?
        } else if tail.starts_with("<!") {
            skip_to(">")?
        } else {
            return Some(at);
        };
    }
}

/// Turns feed-rs errors into a sentence a duty officer can act on.
fn describe(error: &feed_rs::parser::ParseFeedError, text: &str) -> String {
    use feed_rs::parser::{ParseErrorKind, ParseFeedError};
    match error {
        ParseFeedError::ParseError(ParseErrorKind::NoFeedRoot) => {
            let start: String = text.trim_start().chars().take(40).collect();
            let start = crate::normalise::text::sanitize_line(&start, 40);
            format!(
                "not a feed: no RSS, Atom or JSON Feed root element (document starts with '{start}')"
            )
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(xml: &str) -> Result<Parsed, ParseError> {
        Rss.parse(&Document {
            name: "t".into(),
            bytes: xml.as_bytes().to_vec(),
            content_type: None,
            url: Url::parse("http://127.0.0.1/f.xml").unwrap(),
            path: None,
        })
    }

    #[test]
    fn rss_without_or_with_odd_version_is_read_as_rss2() {
        for root in [
            "<rss>",
            "<rss version=\"0.94\">",
            "<rss version='2.01' xmlns:dc=\"x\">",
        ] {
            let xml = format!(
                "<?xml version=\"1.0\"?><!-- c -->{root}<channel><title>K</title>\
                 <item><title>Brand i Kista</title><guid>a</guid></item></channel></rss>"
            );
            let parsed = parse(&xml).unwrap_or_else(|e| panic!("{root}: {e}"));
            assert_eq!(parsed.items.len(), 1, "{root}");
            assert_eq!(parsed.items[0].title.as_deref(), Some("Brand i Kista"));
        }
    }

    #[test]
    fn html_page_is_a_clear_error() {
        let err = parse("<!DOCTYPE html><html><body>Logga in</body></html>").unwrap_err();
        assert!(err.0.starts_with("not a feed"), "{err}");
    }
}
