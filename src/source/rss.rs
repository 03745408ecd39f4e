//! The `rss` kind: RSS 0.9x/1.0/2.0, Atom and JSON Feed, through feed-rs.
//!
//! feed-rs reads the XML declaration's encoding itself but does not sniff, so documents are first
//! decoded to UTF-8 by `fetch::charset` (BOM, declaration, HTTP charset, detection) and handed over
//! with the declaration rewritten to UTF-8. feed-rs would invent ids (uuids) for entries without
//! one; we ask it not to, because dedup needs to know when a feed gave no guid.

use feed_rs::model::{Entry, Feed, FeedType, Text};
use url::Url;

use super::{Document, Kind, ParseError, Parsed};
use crate::fetch::charset;
use crate::item::{RawItem, RawText};

/// RSS, Atom and JSON Feed.
pub struct Rss;

impl Kind for Rss {
    fn ids_are_authoritative(&self) -> bool {
        false
    }

    fn name(&self) -> &'static str {
        "rss"
    }

    fn parse(&self, doc: &Document, _options: &toml::Table) -> Result<Parsed, ParseError> {
        if doc.bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ParseError("empty document (0 bytes of content)".into()));
        }
        let http_charset = doc
            .content_type
            .as_deref()
            .and_then(charset::charset_from_content_type);
        let decoded = charset::decode_xml(&doc.bytes, http_charset);
        let feed = parse_lenient(&decoded.text)?;
        let items = items(&feed, doc.link_base.as_ref());
        let mut rejected = Vec::new();
        if items.is_empty() && mentions_entries(&decoded.text) {
            rejected.push(
                "the document has <item> or <entry> elements, but none could be read".to_string(),
            );
        }
        Ok(Parsed {
            items,
            rejected,
            follow: Vec::new(),
        })
    }
}

/// Parses with feed-rs; where a known deviation from what feed-rs accepts explains a failure or
/// an empty result, repairs the document and tries once more.
fn parse_lenient(text: &str) -> Result<Feed, ParseError> {
    // No base URI: feed-rs would resolve relative links against the document URL, where feed
    // readers use the feed's own site link (see `items`). xml:base is still honoured.
    let parser = feed_rs::parser::Builder::new()
        .id_generator(|_, _, _| String::new())
        .build();
    let first = parser.parse(text.as_bytes());
    if matches!(&first, Ok(feed) if !feed.entries.is_empty()) {
        return first.map_err(|e| ParseError(describe(&e, text)));
    }
    let repaired = with_rss_version(text)
        .or_else(|| atom03_as_atom10(text))
        .or_else(|| json_feed_repaired(text));
    if let Some(repaired) = repaired
        && let Ok(feed) = parser.parse(repaired.as_bytes())
    {
        return Ok(feed);
    }
    first.map_err(|e| ParseError(describe(&e, text)))
}

/// Whether the text looks like it holds feed entries (to flag a feed that parsed to nothing).
fn mentions_entries(text: &str) -> bool {
    text.contains("<item") || text.contains("<entry") || text.contains("\"items\"")
}

/// Atom 0.3 (namespace `http://purl.org/atom/ns#`, `issued`/`modified`, MIME types in the
/// `type` of text constructs) rewritten as Atom 1.0, which feed-rs reads.
fn atom03_as_atom10(text: &str) -> Option<String> {
    const ATOM_03: &str = "http://purl.org/atom/ns#";
    static TEXT_TYPE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"(<(?:title|subtitle|tagline|summary|content|info|copyright|rights)\b[^>]*?)\btype=["'](text/html|text/plain|application/xhtml\+xml)["']"#,
        )
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
    });
    if !text.contains(ATOM_03) {
        return None;
    }
    let text = text
        .replace(ATOM_03, "http://www.w3.org/2005/Atom")
        .replace("<issued>", "<published>")
        .replace("</issued>", "</published>")
        .replace("<modified>", "<updated>")
        .replace("</modified>", "</updated>")
        .replace("<tagline", "<subtitle")
        .replace("</tagline>", "</subtitle>");
    let text = TEXT_TYPE.replace_all(&text, |c: &regex::Captures| {
        let kind = match &c[2] {
            "text/html" => "html",
            "application/xhtml+xml" => "xhtml",
            _ => "text",
        };
        format!("{}type=\"{kind}\"", &c[1])
    });
    Some(text.into_owned())
}

/// A JSON Feed with the common spec violations repaired: a missing feed title, numeric item ids
/// (JSON Feed 1.0 exporters), a missing version.
fn json_feed_repaired(text: &str) -> Option<String> {
    if !text.trim_start().starts_with('{') {
        return None;
    }
    let mut feed: serde_json::Value = serde_json::from_str(text).ok()?;
    let object = feed.as_object_mut()?;
    let mut changed = false;
    for (key, default) in [
        ("title", ""),
        ("version", "https://jsonfeed.org/version/1.1"),
    ] {
        if !object.get(key).is_some_and(serde_json::Value::is_string) {
            object.insert(key.into(), default.into());
            changed = true;
        }
    }
    if let Some(items) = object.get_mut("items").and_then(|i| i.as_array_mut()) {
        for item in items.iter_mut().filter_map(|i| i.as_object_mut()) {
            if let Some(id) = item
                .get("id")
                .filter(|id| id.is_number())
                .map(|id| id.to_string())
            {
                item.insert("id".into(), id.into());
                changed = true;
            }
        }
    }
    changed.then(|| feed.to_string())
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
    let version = version_attribute(tag);
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
fn version_attribute(tag: &str) -> Option<String> {
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
        // Quote the start only when it is markup (an HTML login page, say): never plain text,
        // which could be any file's content.
        ParseFeedError::ParseError(ParseErrorKind::NoFeedRoot)
            if text.trim_start().starts_with('<') =>
        {
            let start: String = text.trim_start().chars().take(40).collect();
            let start = crate::normalise::text::sanitize_line(&start, 40);
            format!(
                "not a feed: no RSS, Atom or JSON Feed root element (document starts with '{start}')"
            )
        }
        ParseFeedError::ParseError(ParseErrorKind::NoFeedRoot) => {
            "not a feed: no RSS, Atom or JSON Feed root element".to_string()
        }
        other => format!("malformed feed: {other}"),
    }
}

fn items(feed: &Feed, link_base: Option<&Url>) -> Vec<RawItem> {
    // Relative item links are resolved against the feed's own site link when it is absolute,
    // as feed readers commonly do, else against the document URL (when it may be used: a URL
    // holding secrets never is, see `Document::link_base`).
    let site = feed
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .and_then(|l| Url::parse(&l.href).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"));
    let base = site.as_ref().or(link_base);
    // RSS has no way to say "plain text" and its text is HTML in practice (escaped markup in
    // titles is common); Atom and JSON Feed say which it is.
    let typed = matches!(feed.feed_type, FeedType::Atom | FeedType::JSON);
    feed.entries
        .iter()
        .map(|e| {
            let mut raw = item(e, base, typed);
            // A link to the feed itself ("#top", "") is no link to the story.
            let to_feed = |link: &str| {
                Url::parse(link).is_ok_and(|mut l| {
                    l.set_fragment(None);
                    Some(&l) == link_base
                })
            };
            if raw.link.as_deref().is_some_and(to_feed) {
                raw.link = None;
            }
            raw
        })
        .collect()
}

fn item(entry: &Entry, base: Option<&Url>, typed: bool) -> RawItem {
    let link = entry
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or_else(|| entry.links.first())
        .and_then(|l| {
            let href = l.href.trim();
            match base {
                Some(base) => base.join(href).ok().map(String::from),
                None => Url::parse(href).ok().map(String::from),
            }
        });
    RawItem {
        guid: Some(entry.id.trim().to_string()).filter(|g| !g.is_empty()),
        link,
        title: entry.title.as_ref().map(|t| text(t, typed)),
        summary: entry.summary.as_ref().map(|t| text(t, typed)),
        body: entry.content.as_ref().and_then(|c| {
            let body = c.body.clone()?;
            let plain = typed && c.content_type.as_str() == "text/plain";
            Some(if plain {
                RawText::plain(body)
            } else {
                RawText::html(body)
            })
        }),
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

fn text(t: &Text, typed: bool) -> RawText {
    if typed && t.content_type.as_str() == "text/plain" {
        RawText::plain(t.content.clone())
    } else {
        RawText::html(t.content.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(xml: &str) -> Result<Parsed, ParseError> {
        Rss.parse(
            &Document {
                name: "t".into(),
                bytes: xml.as_bytes().to_vec(),
                content_type: None,
                url: Url::parse("http://127.0.0.1/f.xml").unwrap(),
                link_base: None,
                spool_file: None,
            },
            &toml::Table::new(),
        )
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
            assert_eq!(parsed.items[0].title, Some(RawText::html("Brand i Kista")));
        }
    }

    #[test]
    fn atom_0_3_is_read() {
        let xml = r#"<?xml version="1.0"?><feed version="0.3" xmlns="http://purl.org/atom/ns#">
            <title>K</title><entry><title>Storm</title><id>tag:a</id>
            <issued>2026-11-24T10:00:00Z</issued><modified>2026-11-24T11:00:00Z</modified>
            </entry></feed>"#;
        let parsed = parse(xml).unwrap();
        assert_eq!(parsed.items.len(), 1);
        assert!(parsed.items[0].published.is_some());
        assert!(parsed.rejected.is_empty());
    }

    #[test]
    fn json_feed_without_title_and_with_numeric_ids_is_read() {
        let json = r#"{"version":"https://jsonfeed.org/version/1","items":[
            {"id":1,"content_text":"Brand i Kista"},{"id":2,"content_text":"Storm"}]}"#;
        let parsed = parse(json).unwrap();
        assert_eq!(parsed.items.len(), 2);
        assert_eq!(parsed.items[0].guid.as_deref(), Some("1"));
    }

    #[test]
    fn relative_links_use_the_channel_link() {
        let xml = r#"<rss version="2.0"><channel><link>https://example.stockholm/</link>
            <item><title>A</title><link>/nyheter/a</link></item></channel></rss>"#;
        let parsed = parse(xml).unwrap();
        assert_eq!(
            parsed.items[0].link.as_deref(),
            Some("https://example.stockholm/nyheter/a")
        );
    }

    #[test]
    fn relative_links_resolve_against_the_link_base_only() {
        let xml = r#"<rss version="2.0"><channel><title>K</title>
            <item><title>A</title><link>#top</link><guid>a</guid></item>
            <item><title>B</title><link>b.html</link><guid>b</guid></item></channel></rss>"#;
        let doc = |link_base: Option<&str>| Document {
            name: "t".into(),
            bytes: xml.as_bytes().to_vec(),
            content_type: None,
            url: Url::parse("https://api.example.se/k/SECRET/c.xml?api_key=SECRET").unwrap(),
            link_base: link_base.map(|b| Url::parse(b).unwrap()),
            spool_file: None,
        };
        let public = Rss
            .parse(
                &doc(Some("https://api.example.se/feed/c.xml")),
                &toml::Table::new(),
            )
            .unwrap();
        assert_eq!(
            public.items[0].link, None,
            "a link to the feed itself is no link"
        );
        assert_eq!(
            public.items[1].link.as_deref(),
            Some("https://api.example.se/feed/b.html")
        );
        // A URL holding secrets gives no base: relative links are dropped, never resolved.
        let private = Rss.parse(&doc(None), &toml::Table::new()).unwrap();
        assert_eq!(private.items[1].link, None);
    }

    #[test]
    fn html_page_is_a_clear_error() {
        let err = parse("<!DOCTYPE html><html><body>Logga in</body></html>").unwrap_err();
        assert!(err.0.starts_with("not a feed"), "{err}");
    }
}
