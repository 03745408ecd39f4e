//! OPML import and export: the subscription lists that every feed reader can write and read.
//!
//! This module owns the translation between OPML documents and [`Subscription`]s, and from
//! subscriptions to `[[source]]` tables that a user pastes into `lage.toml`. It does no IO and
//! knows nothing of fetching or of the config loader: callers hand it strings and get strings.
//!
//! OPML files come from other programs and sometimes from strangers, so parsing is strict about
//! safety and lenient about dialect. A `<!DOCTYPE>` is skipped and its entities are never
//! expanded (no external entities, no "billion laughs"); an undeclared entity is an error with
//! a line number rather than a silent guess. Attribute-name case (`xmlUrl` vs `xmlurl`) and a
//! missing `type` are tolerated because real exporters differ on both.

use std::collections::HashSet;
use std::fmt::Write as _;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

/// Longest attribute value kept (titles, URLs).
const MAX_ATTRIBUTE_CHARS: usize = 2_048;

/// One feed subscription found in or written to an OPML document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// Display title: the outline's `title`, else its `text`, else the feed URL.
    pub title: String,
    /// Address of the feed document itself (the outline's `xmlUrl`).
    pub xml_url: String,
    /// Address of the site the feed belongs to (the outline's `htmlUrl`), if given.
    pub html_url: Option<String>,
    /// Titles of the enclosing folder outlines, outermost first; empty at top level.
    pub folder: Vec<String>,
}

/// Why an OPML document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OpmlError {
    /// The XML itself is malformed (bad syntax, mismatched tags, bad attribute).
    #[error("line {line}, column {column}: malformed XML: {source}")]
    Xml {
        /// 1-based line of the offending markup.
        line: usize,
        /// 1-based column (in characters) of the offending markup.
        column: usize,
        /// What quick-xml found wrong.
        #[source]
        source: quick_xml::Error,
    },
    /// An outline attribute value could not be decoded, usually because of an entity that is
    /// not one of XML's five predefined ones.
    #[error(
        "line {line}, column {column}: attribute '{attribute}' of <outline>: {source} \
         (expected plain text or one of &amp; &lt; &gt; &quot; &apos; &#NN;; DOCTYPE entities are never expanded)"
    )]
    Attribute {
        /// 1-based line of the `<outline>` carrying the attribute.
        line: usize,
        /// 1-based column of the `<outline>` carrying the attribute.
        column: usize,
        /// Name of the attribute, e.g. `text`.
        attribute: String,
        /// What quick-xml found wrong.
        #[source]
        source: quick_xml::Error,
    },
    /// The document ended while an element was still open.
    #[error(
        "line {line}, column {column}: document ended inside <{element}>, expected </{element}>"
    )]
    Truncated {
        /// 1-based line where the input ended.
        line: usize,
        /// 1-based column where the input ended.
        column: usize,
        /// The innermost element still open.
        element: String,
    },
    /// The root element is not `<opml>` (or there is no element at all).
    #[error("not an OPML document: expected an <opml> root element, found {found}")]
    NotOpml {
        /// What was found instead, e.g. `<rss>` or `no elements`.
        found: String,
    },
}

/// One element that is open while parsing: its name and, if it is a folder outline, its title.
struct Open {
    name: String,
    folder: Option<String>,
}

/// Parses an OPML 1.0 or 2.0 document into the feed subscriptions it lists, in document order.
///
/// Outlines with an `xmlUrl` and a `type` of `rss`, `atom` or none are feeds; outlines without
/// an `xmlUrl` are folders whose titles end up in [`Subscription::folder`]. Other outlines
/// (links, includes) are skipped.
pub fn parse(opml: &str) -> Result<Vec<Subscription>, OpmlError> {
    let mut reader = Reader::from_str(opml);
    reader.config_mut().trim_text(true);

    let mut open: Vec<Open> = Vec::new();
    let mut seen_root = false;
    let mut subs = Vec::new();

    loop {
        let event = reader.read_event().map_err(|source| {
            let (line, column) = line_col(opml, reader.error_position());
            OpmlError::Xml {
                line,
                column,
                source,
            }
        })?;
        let (element, has_children) = match event {
            Event::Start(e) => (e, true),
            Event::Empty(e) => (e, false),
            Event::End(_) => {
                open.pop();
                continue;
            }
            Event::Eof => break,
            // DocType is skipped on purpose: its entities are never expanded (see module doc).
            _ => continue,
        };
        let name = element.local_name().as_ref().to_owned();
        if !seen_root {
            if !name.eq_ignore_ascii_case("opml") {
                return Err(OpmlError::NotOpml {
                    found: format!("<{name}>"),
                });
            }
            seen_root = true;
        }
        let mut folder = None;
        if name.eq_ignore_ascii_case("outline") {
            let at = element_position(opml, &reader);
            match read_outline(&element, at, opml)? {
                OutlineKind::Feed {
                    title,
                    xml_url,
                    html_url,
                } => subs.push(Subscription {
                    title,
                    xml_url,
                    html_url,
                    folder: open.iter().filter_map(|o| o.folder.clone()).collect(),
                }),
                OutlineKind::Folder(title) => folder = Some(title),
                OutlineKind::Other => {}
            }
        }
        if has_children {
            open.push(Open { name, folder });
        }
    }

    if let Some(inner) = open.last() {
        let (line, column) = line_col(opml, reader.buffer_position());
        return Err(OpmlError::Truncated {
            line,
            column,
            element: inner.name.clone(),
        });
    }
    if !seen_root {
        return Err(OpmlError::NotOpml {
            found: "no elements".to_owned(),
        });
    }
    Ok(subs)
}

/// What an `<outline>` element turned out to be.
enum OutlineKind {
    Feed {
        title: String,
        xml_url: String,
        html_url: Option<String>,
    },
    /// A folder with a non-empty title; untitled folders are transparent.
    Folder(String),
    Other,
}

/// Classifies one `<outline>` element; `at` is its byte offset, for error messages.
fn read_outline(element: &BytesStart, at: u64, opml: &str) -> Result<OutlineKind, OpmlError> {
    let (line, column) = line_col(opml, at);
    let (mut title, mut text, mut xml_url, mut html_url, mut kind) = (None, None, None, None, None);
    for attr in element.attributes() {
        let attr = attr.map_err(|e| OpmlError::Xml {
            line,
            column,
            source: e.into(),
        })?;
        let key = attr.key.local_name().as_ref().to_owned();
        let slot = match key.to_ascii_lowercase().as_str() {
            "title" => &mut title,
            "text" => &mut text,
            "xmlurl" => &mut xml_url,
            "htmlurl" => &mut html_url,
            "type" => &mut kind,
            _ => continue,
        };
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|source| OpmlError::Attribute {
                line,
                column,
                attribute: key,
                source,
            })?;
        // OPML from elsewhere is untrusted: no control or bidi characters in titles or URLs.
        let value = crate::normalise::text::sanitize_line(&value, MAX_ATTRIBUTE_CHARS);
        if !value.is_empty() {
            *slot = Some(value);
        }
    }

    let Some(xml_url) = xml_url else {
        return Ok(match title.or(text) {
            Some(name) => OutlineKind::Folder(name),
            None => OutlineKind::Other,
        });
    };
    let is_feed = kind
        .as_deref()
        .is_none_or(|k| k.eq_ignore_ascii_case("rss") || k.eq_ignore_ascii_case("atom"));
    if !is_feed {
        return Ok(OutlineKind::Other);
    }
    Ok(OutlineKind::Feed {
        title: title.or(text).unwrap_or_else(|| xml_url.clone()),
        xml_url,
        html_url,
    })
}

/// Byte offset where the element just read begins (its `<`), for error messages.
fn element_position(opml: &str, reader: &Reader<&[u8]>) -> u64 {
    let end = usize::try_from(reader.buffer_position()).unwrap_or(opml.len());
    let before = opml.get(..end).unwrap_or(opml);
    before.rfind('<').map_or(0, |i| i as u64)
}

/// 1-based line and column (in characters) of a byte offset into `text`.
fn line_col(text: &str, offset: u64) -> (usize, usize) {
    let mut end = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// Writes `subs` as a deterministic OPML 2.0 document titled `title`.
///
/// Consecutive subscriptions that share a folder path share nested folder outlines, so
/// `parse(&export(subs, t))` gives back `subs` whenever titles and folder names are non-empty,
/// already trimmed and free of control characters other than tab, newline and carriage return.
/// `<dateCreated>` is left out so that the same input always gives the same bytes.
pub fn export(subs: &[Subscription], title: &str) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n");
    let _ = writeln!(
        out,
        "  <head>\n    <title>{}</title>\n  </head>\n  <body>",
        escape_xml(title)
    );

    let mut path: &[String] = &[];
    for sub in subs {
        let shared = path
            .iter()
            .zip(&sub.folder)
            .take_while(|(a, b)| a == b)
            .count();
        for depth in (shared..path.len()).rev() {
            let _ = writeln!(out, "{}</outline>", indent(depth));
        }
        for (depth, name) in sub.folder.iter().enumerate().skip(shared) {
            let name = escape_xml(name);
            let _ = writeln!(
                out,
                "{}<outline text=\"{name}\" title=\"{name}\">",
                indent(depth)
            );
        }
        path = &sub.folder;

        let title = escape_xml(&sub.title);
        let _ = write!(
            out,
            "{}<outline type=\"rss\" text=\"{title}\" title=\"{title}\" xmlUrl=\"{}\"",
            indent(path.len()),
            escape_xml(&sub.xml_url)
        );
        if let Some(html) = &sub.html_url {
            let _ = write!(out, " htmlUrl=\"{}\"", escape_xml(html));
        }
        out.push_str("/>\n");
    }
    for depth in (0..path.len()).rev() {
        let _ = writeln!(out, "{}</outline>", indent(depth));
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

/// Indentation for an outline at folder depth `depth` (inside `<body>`).
fn indent(depth: usize) -> String {
    " ".repeat(4 + 2 * depth)
}

/// Escapes text for use in XML content or a double-quoted attribute.
///
/// Tab, newline and carriage return become character references so that attribute-value
/// normalisation on the way back in does not turn them into spaces. Other C0 controls cannot be
/// represented in XML 1.0 at all and are dropped.
fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if c.is_control() && (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

/// Picks a source id for `sub`: a lowercase ASCII slug of its title, unique against `taken`.
///
/// Swedish and common Latin letters are folded (`å`→`a`, `ö`→`o`, `é`→`e`), anything else that
/// is not ASCII alphanumeric becomes a single `-`, and the result is at most 40 characters. An
/// empty slug becomes `feed`. Clashes get `-2`, `-3`, … (still within 40 characters).
pub fn source_id_for(sub: &Subscription, taken: &HashSet<String>) -> String {
    let base = slug(&sub.title);
    if !taken.contains(&base) {
        return base;
    }
    (2u64..)
        .map(|n| {
            let suffix = format!("-{n}");
            let stem = truncate_slug(&base, MAX_ID_LEN.saturating_sub(suffix.len()));
            format!("{stem}{suffix}")
        })
        .find(|id| !taken.contains(id))
        .unwrap_or(base)
}

/// Longest source id [`source_id_for`] produces.
const MAX_ID_LEN: usize = 40;

/// Lowercase ASCII slug of `title`, at most [`MAX_ID_LEN`] characters, never empty.
fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        match fold_letter(c) {
            Some(ascii) => out.push_str(ascii),
            None if c.is_ascii_alphanumeric() => out.push(c),
            None if !out.is_empty() && !out.ends_with('-') => out.push('-'),
            None => {}
        }
    }
    let out = truncate_slug(&out, MAX_ID_LEN);
    if out.is_empty() {
        "feed".to_owned()
    } else {
        out
    }
}

/// The ASCII spelling of a lowercase accented Latin letter, if it is one we fold.
fn fold_letter(c: char) -> Option<&'static str> {
    Some(match c {
        'å' | 'ä' | 'á' | 'à' | 'â' | 'ã' => "a",
        'ö' | 'ø' | 'ó' | 'ò' | 'ô' | 'õ' => "o",
        'é' | 'è' | 'ê' | 'ë' => "e",
        'ü' | 'ú' | 'ù' | 'û' => "u",
        'í' | 'ì' | 'î' | 'ï' => "i",
        'ç' => "c",
        'ñ' => "n",
        'ý' | 'ÿ' => "y",
        'æ' => "ae",
        'ß' => "ss",
        _ => return None,
    })
}

/// Cuts an ASCII slug to at most `max` characters and strips dashes from both ends.
fn truncate_slug(slug: &str, max: usize) -> String {
    let cut = slug.get(..max.min(slug.len())).unwrap_or(slug);
    cut.trim_matches('-').to_owned()
}

/// Renders `subs` as `[[source]]` tables for `lage.toml`, with ids unique against `taken`
/// and against each other.
///
/// Each table has exactly `id`, `name`, `kind = "rss"`, `url`, `interval = "30m"` and
/// `enabled = true`; a `# folder: A / B` comment above it records where the feed lived.
pub fn to_source_toml(subs: &[Subscription], taken: &HashSet<String>) -> String {
    let mut taken = taken.clone();
    let mut out = String::new();
    for sub in subs {
        let id = source_id_for(sub, &taken);
        if !out.is_empty() {
            out.push('\n');
        }
        if !sub.folder.is_empty() {
            // A newline in a folder name would end the comment and inject TOML.
            let folder: String = sub
                .folder
                .join(" / ")
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            let _ = writeln!(out, "# folder: {folder}");
        }
        let _ = writeln!(
            out,
            "[[source]]\nid = {}\nname = {}\nkind = \"rss\"\nurl = {}\ninterval = \"30m\"\nenabled = true",
            toml_string(&id),
            toml_string(&sub.title),
            toml_string(&sub.xml_url),
        );
        taken.insert(id);
    }
    out
}

/// Quotes `s` as a TOML basic string, escaping quotes, backslashes and every control character.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(title: &str, url: &str, folder: &[&str]) -> Subscription {
        Subscription {
            title: title.to_owned(),
            xml_url: url.to_owned(),
            html_url: None,
            folder: folder.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn control_and_bidi_characters_in_titles_are_removed() {
        let doc = "<opml version=\"2.0\"><body><outline text=\"Polisen&#x202E;\u{1b}[2J nyheter\" \
                   xmlUrl=\"https://polisen.se/rss\"/></body></opml>";
        let subs = parse(doc).unwrap();
        assert_eq!(subs[0].title, "Polisen[2J nyheter");
    }

    #[test]
    fn nested_folders_are_recorded_outermost_first() {
        let doc = r#"<?xml version="1.0"?>
<opml version="1.0"><head><title>x</title></head><body>
  <outline text="Myndigheter">
    <outline title="Polisen" text="ignored">
      <outline type="rss" text="Händelser" xmlUrl="https://polisen.se/rss"/>
    </outline>
    <outline text="SMHI" type="atom" xmlUrl="https://smhi.se/atom" htmlUrl="https://smhi.se"/>
  </outline>
  <outline xmlUrl="https://top.example/feed"/>
  <outline type="link" text="Not a feed" xmlUrl="https://x.example"/>
</body></opml>"#;
        let subs = parse(doc).expect("valid OPML");
        assert_eq!(
            subs,
            vec![
                sub(
                    "Händelser",
                    "https://polisen.se/rss",
                    &["Myndigheter", "Polisen"]
                ),
                Subscription {
                    html_url: Some("https://smhi.se".to_owned()),
                    ..sub("SMHI", "https://smhi.se/atom", &["Myndigheter"])
                },
                sub("https://top.example/feed", "https://top.example/feed", &[]),
            ]
        );
    }

    #[test]
    fn entities_and_swedish_letters_in_titles_are_decoded() {
        let doc = r#"<opml version="2.0"><body>
<outline text="Räddning &amp; Brand"><outline text="Å&#228;ö &lt;live&gt;" xmlUrl="https://e.se/?a=1&amp;b=2"/></outline>
</body></opml>"#;
        let subs = parse(doc).expect("valid OPML");
        assert_eq!(
            subs,
            vec![sub(
                "Åäö <live>",
                "https://e.se/?a=1&b=2",
                &["Räddning & Brand"]
            )]
        );
    }

    #[test]
    fn export_then_parse_round_trips() {
        let subs = vec![
            sub("Top & \"quoted\" 'feed'", "https://a.se/rss?x=1&y=2", &[]),
            sub("Brand <i>", "https://b.se/rss", &["Räddning", "Söder"]),
            Subscription {
                html_url: Some("https://c.se/?q=<>".to_owned()),
                ..sub("Åre tab", "https://c.se/rss", &["Räddning", "Söder"])
            },
            sub("Norr", "https://d.se/rss", &["Räddning", "Norr"]),
            sub("Again top", "https://e.se/rss", &[]),
            sub("Back in Räddning", "https://f.se/rss", &["Räddning"]),
        ];
        let doc = export(&subs, "lage & co");
        assert!(doc.contains("<title>lage &amp; co</title>"), "{doc}");
        assert!(!doc.contains("dateCreated"));
        assert_eq!(parse(&doc).expect("export writes valid OPML"), subs);
        assert_eq!(doc, export(&subs, "lage & co"), "export is deterministic");
    }

    #[test]
    fn malformed_xml_reports_the_line() {
        let doc = "<opml version=\"2.0\">\n<body>\n<outline text=\"a\">\n</body>\n</opml>\n";
        let err = parse(doc).expect_err("mismatched end tag");
        let msg = err.to_string();
        assert!(matches!(err, OpmlError::Xml { line: 4, .. }), "{msg}");
        assert!(
            msg.contains("line 4") && msg.contains("expected `</outline>`"),
            "{msg}"
        );
    }

    #[test]
    fn truncated_document_says_what_is_missing() {
        let err = parse("<opml>\n<body>\n<outline text=\"a\">").expect_err("truncated");
        assert!(err.to_string().contains("expected </outline>"), "{err}");
    }

    #[test]
    fn bad_attribute_value_reports_the_line() {
        let doc = "<opml>\n<body>\n\n<outline text=\"a &nbsp; b\" xmlUrl=\"u\"/></body></opml>";
        let err = parse(doc).expect_err("undeclared entity");
        assert!(matches!(err, OpmlError::Attribute { line: 4, .. }), "{err}");
        assert!(err.to_string().contains("'text'"), "{err}");
    }

    #[test]
    fn doctype_entities_are_never_expanded() {
        let doc = r#"<?xml version="1.0"?>
<!DOCTYPE opml [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> <!ENTITY hi "expanded"> ]>
<opml version="2.0"><body>
<outline text="&xxe;" xmlUrl="https://a.se/rss"/>
</body></opml>"#;
        let err = parse(doc).expect_err("external entity must not resolve");
        assert!(matches!(err, OpmlError::Attribute { line: 4, .. }), "{err}");
        let internal = doc.replace("&xxe;", "&hi;");
        assert!(
            parse(&internal).is_err(),
            "internal DTD entities are not expanded either"
        );
        let plain = doc.replace("&xxe;", "Safe");
        assert_eq!(
            parse(&plain).expect("DOCTYPE itself is fine")[0].title,
            "Safe"
        );
    }

    #[test]
    fn a_non_opml_root_is_rejected() {
        let err = parse("<rss version=\"2.0\"><channel/></rss>").expect_err("rss");
        assert!(err.to_string().starts_with("not an OPML document"), "{err}");
        let err = parse("  ").expect_err("empty");
        assert!(err.to_string().starts_with("not an OPML document"), "{err}");
    }

    #[test]
    fn ids_are_folded_slugs_made_unique() {
        let taken: HashSet<String> = ["brand-i-sodermalm".to_owned()].into();
        let s = sub("  Brand i Södermalm!! ", "u", &[]);
        assert_eq!(source_id_for(&s, &HashSet::new()), "brand-i-sodermalm");
        assert_eq!(source_id_for(&s, &taken), "brand-i-sodermalm-2");
        assert_eq!(
            source_id_for(&sub("Åäö Café", "u", &[]), &taken),
            "aao-cafe"
        );
        assert_eq!(source_id_for(&sub("«»", "u", &[]), &taken), "feed");
        let long = sub(&"x".repeat(60), "u", &[]);
        let taken: HashSet<String> = ["x".repeat(40)].into();
        assert_eq!(
            source_id_for(&long, &taken),
            format!("{}-2", "x".repeat(38))
        );
    }

    #[test]
    fn source_toml_parses_and_has_unique_ids() {
        let subs = vec![
            sub(
                "Polisen \"Stockholm\" \\ C:\\",
                "https://p.se/?a=1&b=\"2\"",
                &["Myndigheter", "Ny\nrad"],
            ),
            sub("Polisen \"Stockholm\" \\ C:\\", "https://p2.se/", &[]),
            sub("Ctrl\u{1}\u{7f}\ttab", "https://c.se/", &[]),
        ];
        let taken: HashSet<String> = ["polisen-stockholm-c".to_owned()].into();
        let text = to_source_toml(&subs, &taken);
        assert!(
            text.contains("# folder: Myndigheter / Ny rad\n[[source]]"),
            "{text}"
        );

        let table: toml::Table = text.parse().expect("valid TOML");
        let sources = table["source"].as_array().expect("array of tables");
        assert_eq!(sources.len(), 3);
        let ids: Vec<&str> = sources.iter().filter_map(|s| s["id"].as_str()).collect();
        assert_eq!(
            ids,
            ["polisen-stockholm-c-2", "polisen-stockholm-c-3", "ctrl-tab"]
        );
        for (source, sub) in sources.iter().zip(&subs) {
            let keys: Vec<&str> = source
                .as_table()
                .expect("table")
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(keys.len(), 6, "{keys:?}");
            assert_eq!(source["name"].as_str(), Some(sub.title.as_str()));
            assert_eq!(source["url"].as_str(), Some(sub.xml_url.as_str()));
            assert_eq!(source["kind"].as_str(), Some("rss"));
            assert_eq!(source["interval"].as_str(), Some("30m"));
            assert_eq!(source["enabled"].as_bool(), Some(true));
        }
    }
}
