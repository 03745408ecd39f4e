//! The `cap` kind: CAP (OASIS Common Alerting Protocol) 1.2, 1.1 and 1.0 as XML.
//!
//! Accepted documents:
//! - a single `<alert>`;
//! - an Atom or RSS index whose entries embed whole alerts (as elements, or escaped or CDATA
//!   text in `<content>`/`<description>`): each alert is read;
//! - an index whose entries carry `cap:` summary fields (the NOAA style: `cap:event`,
//!   `cap:status`, `cap:severity`, `cap:areaDesc`, ...): one item per entry from those fields
//!   and the entry's id, title, summary, link and update time;
//! - an index whose entries only link to alerts: the links go to [`Parsed::follow`] (at most
//!   50; http(s), or the index's own scheme) and the poll fetches each one as a single alert.
//!
//! Elements are matched by local name, so prefixes (`cap:alert`) and the 1.0/1.1/1.2
//! namespaces all read; XML signatures and other unknown elements are skipped. The bytes are
//! decoded to UTF-8 first (`fetch::charset`: BOM, declaration, HTTP charset), because real
//! alerts come in ISO-8859-1. Entities: only the five predefined ones and character
//! references are replaced. A `<!DOCTYPE>` is never read, so its entities (external
//! `SYSTEM "file:///..."` ones included) are never resolved; a reference to one rejects the
//! alert that uses it, and nothing of it reaches an item. Mapping to the item is
//! [`cap_model::to_raw_item`].
//!
//! | CAP                                        | severity                               |
//! |--------------------------------------------|----------------------------------------|
//! | a VMA (event or headline, or sender)       | critical                               |
//! | anything else                              | none: `grading` goes to the CAP table  |

use chrono::DateTime;
use quick_xml::NsReader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use serde::Deserialize;
use url::Url;

use super::cap_model::{self, CapAlert, CapArea, CapInfo};
use super::{Document, Kind, OptionError, ParseError, Parsed, read_options};
use crate::fetch::charset;
use crate::item::RawItem;

/// CAP alerts and alert indexes.
pub struct Cap;

/// `[source.options]` of a `cap` source.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    /// The language whose `info` block is shown ("sv" matches "sv-SE"); the first block when
    /// no block matches. Default "sv".
    #[serde(default = "default_language")]
    language: String,
}

fn default_language() -> String {
    "sv".into()
}

/// Deeper nesting than any alert or feed needs is refused, not followed.
const MAX_DEPTH: usize = 64;
/// Linked alerts followed from one index.
const MAX_FOLLOW: usize = 50;
/// Every CAP version's namespace starts so.
const CAP_NAMESPACE: &str = "urn:oasis:names:tc:emergency:cap:";
/// The `cap:` fields of an index entry that make it an alert summary (NOAA style).
const SUMMARY_FIELDS: &[&str] = &[
    "event",
    "status",
    "msgType",
    "urgency",
    "severity",
    "certainty",
    "areaDesc",
    "effective",
    "expires",
];

impl Kind for Cap {
    fn name(&self) -> &'static str {
        "cap"
    }

    fn check_options(&self, options: &toml::Table) -> Result<(), OptionError> {
        read_options::<Options>(options).map(|_| ())
    }

    fn parse(&self, doc: &Document, options: &toml::Table) -> Result<Parsed, ParseError> {
        let options = read_options::<Options>(options)?;
        if doc.bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ParseError("empty document (0 bytes of content)".into()));
        }
        let http_charset = doc
            .content_type
            .as_deref()
            .and_then(charset::charset_from_content_type);
        let text = charset::decode_xml(&doc.bytes, http_charset).text;
        let root = read_tree(&text).map_err(ParseError)?;
        let language = options.language.as_str();
        let entries: Vec<&Element> = match root.name.as_str() {
            "alert" => {
                let item = alert_item(&root, language)
                    .map_err(|e| ParseError(format!("CAP alert: {e}")))?;
                return Ok(Parsed {
                    items: vec![item],
                    ..Parsed::default()
                });
            }
            "feed" => root.children("entry").collect(),
            "rss" => root
                .child("channel")
                .map(|c| c.children("item").collect())
                .unwrap_or_default(),
            "RDF" => root.children("item").collect(),
            other => {
                return Err(ParseError(format!(
                    "expected a CAP <alert> or an Atom/RSS index of CAP alerts; the root element is <{other}>"
                )));
            }
        };
        let base = doc.link_base.as_ref().unwrap_or(&doc.url);
        let mut parsed = Parsed::default();
        let mut not_followed = 0;
        for (index, entry) in entries.into_iter().enumerate() {
            let reject = |e: String| format!("{}: entry {}: {e}", doc.name, index + 1);
            match read_entry(entry, language) {
                Entry::Items(results) => {
                    for result in results {
                        match result {
                            Ok(item) => parsed.items.push(item),
                            Err(e) => parsed.rejected.push(reject(e)),
                        }
                    }
                }
                Entry::Link(href) => match follow_url(base, &doc.url, &href) {
                    Ok(url) if parsed.follow.contains(&url) => {}
                    Ok(_) if parsed.follow.len() >= MAX_FOLLOW => not_followed += 1,
                    Ok(url) => parsed.follow.push(url),
                    Err(e) => parsed.rejected.push(reject(e)),
                },
                Entry::Nothing => parsed.rejected.push(reject(
                    "no embedded <alert>, no cap: fields and no link to an alert".into(),
                )),
            }
        }
        if not_followed > 0 {
            parsed.rejected.push(format!(
                "{}: {not_followed} more linked alerts not followed (at most {MAX_FOLLOW} per index)",
                doc.name
            ));
        }
        Ok(parsed)
    }
}

/// What an index entry holds.
enum Entry {
    /// Alerts embedded in it, or its own `cap:` summary, each read or rejected.
    Items(Vec<Result<RawItem, String>>),
    /// Only a link to an alert.
    Link(String),
    /// Nothing to read.
    Nothing,
}

fn read_entry(entry: &Element, language: &str) -> Entry {
    let mut alerts = Vec::new();
    entry.find_all("alert", &mut alerts);
    if !alerts.is_empty() {
        return Entry::Items(alerts.iter().map(|a| alert_item(a, language)).collect());
    }
    // Some indexes escape the alert (or wrap it in CDATA) inside the entry's text.
    let escaped = entry
        .children
        .iter()
        .find(|c| c.children.is_empty() && c.text.contains("<alert"));
    if let Some(holder) = escaped {
        let item = read_tree(&holder.text).and_then(|root| match root.name.as_str() {
            "alert" => alert_item(&root, language),
            other => Err(format!(
                "<{}> holds XML whose root is <{other}>, not <alert>",
                holder.name
            )),
        });
        return Entry::Items(vec![item]);
    }
    if entry
        .children
        .iter()
        .any(|c| c.is_cap() && SUMMARY_FIELDS.contains(&c.name.as_str()))
    {
        return Entry::Items(vec![summary_item(entry, language)]);
    }
    entry_link(entry).map_or(Entry::Nothing, Entry::Link)
}

/// A whole `<alert>` element as an item.
fn alert_item(alert: &Element, language: &str) -> Result<RawItem, String> {
    refuse_undefined_entities(alert)?;
    cap_model::to_raw_item(&cap_alert(alert), language)
}

fn refuse_undefined_entities(element: &Element) -> Result<(), String> {
    match element.undefined_entity() {
        Some(name) => Err(format!(
            "undefined entity '&{name};': only the five XML entities and character references \
             are read, DTD and external entities never"
        )),
        None => Ok(()),
    }
}

fn cap_alert(alert: &Element) -> CapAlert {
    CapAlert {
        identifier: alert.text_of("identifier"),
        sender: alert.text_of("sender"),
        sent: alert.text_of("sent"),
        status: alert.text_of("status"),
        msg_type: alert.text_of("msgType"),
        scope: alert.text_of("scope"),
        references: alert.opt_text("references"),
        note: alert.opt_text("note"),
        info: alert.children("info").map(cap_info).collect(),
    }
}

fn cap_info(info: &Element) -> CapInfo {
    CapInfo {
        language: info.opt_text("language"),
        categories: info.children("category").map(|c| c.trimmed()).collect(),
        event: info.text_of("event"),
        urgency: info.text_of("urgency"),
        severity: info.text_of("severity"),
        certainty: info.text_of("certainty"),
        effective: info.opt_text("effective"),
        onset: info.opt_text("onset"),
        expires: info.opt_text("expires"),
        sender_name: info.opt_text("senderName"),
        headline: info.opt_text("headline"),
        description: info.opt_text("description"),
        instruction: info.opt_text("instruction"),
        web: info.opt_text("web"),
        parameters: info.children("parameter").map(name_value).collect(),
        areas: info
            .children("area")
            .map(|area| CapArea {
                area_desc: area.text_of("areaDesc"),
                polygons: area.children("polygon").map(|p| p.trimmed()).collect(),
                circles: area.children("circle").map(|c| c.trimmed()).collect(),
                geocodes: area.children("geocode").map(name_value).collect(),
            })
            .collect(),
    }
}

fn name_value(pair: &Element) -> (String, String) {
    (pair.text_of("valueName"), pair.text_of("value"))
}

/// An index entry's `cap:` summary fields (NOAA style) as an item.
fn summary_item(entry: &Element, language: &str) -> Result<RawItem, String> {
    refuse_undefined_entities(entry)?;
    let cap = |name: &'static str| {
        entry
            .children
            .iter()
            .filter(move |c| c.is_cap() && c.name == name)
    };
    let cap_text = |name| cap(name).next().map(Element::trimmed).unwrap_or_default();
    let link = entry_link(entry);
    let id = entry
        .opt_text("id")
        .or(entry.opt_text("guid"))
        .or(link.clone())
        .ok_or("no <id>, <guid> or link to name the alert by")?;
    let updated = ["updated", "pubDate", "published", "date"]
        .iter()
        .find_map(|name| entry.opt_text(name))
        .map(|t| rfc3339(&t))
        .unwrap_or_default();
    let msg_type = match cap_text("msgType") {
        t if t.is_empty() => "Alert".to_string(),
        t => t,
    };
    let alert = CapAlert {
        identifier: id.clone(),
        sent: updated.clone(),
        status: cap_text("status"),
        msg_type,
        references: None,
        info: vec![CapInfo {
            language: Some(cap_text("language")).filter(|l| !l.is_empty()),
            categories: cap("category").map(Element::trimmed).collect(),
            event: cap_text("event"),
            urgency: cap_text("urgency"),
            severity: cap_text("severity"),
            certainty: cap_text("certainty"),
            effective: Some(cap_text("effective")),
            onset: Some(cap_text("onset")),
            expires: Some(cap_text("expires")),
            headline: entry.opt_text("title"),
            description: entry.opt_text("summary").or(entry.opt_text("description")),
            web: link,
            areas: vec![CapArea {
                area_desc: cap_text("areaDesc"),
                polygons: cap("polygon").map(Element::trimmed).collect(),
                circles: cap("circle").map(Element::trimmed).collect(),
                geocodes: cap("geocode").map(name_value).collect(),
            }],
            ..CapInfo::default()
        }],
        ..CapAlert::default()
    };
    let mut item = cap_model::to_raw_item(&alert, language)?;
    // The entry is revised in place under one id: its update time tells the versions apart.
    if let Some(raw) = item.alert.as_mut()
        && !updated.is_empty()
    {
        raw.version = format!("{id}@{updated}");
    }
    item.updated = item.published;
    Ok(item)
}

/// An RSS date (RFC 2822) as RFC 3339; other text unchanged.
fn rfc3339(text: &str) -> String {
    DateTime::parse_from_rfc2822(text.trim()).map_or_else(|_| text.to_string(), |t| t.to_rfc3339())
}

/// The entry's link to its alert: a CAP-typed link first, then Atom's alternate link, then
/// RSS's `<link>` text or enclosure.
fn entry_link(entry: &Element) -> Option<String> {
    let links: Vec<&Element> = entry.children("link").collect();
    let href = |l: &Element| {
        l.attribute("href")
            .filter(|h| !h.is_empty())
            .map(str::to_string)
    };
    let typed = |l: &&&Element| l.attribute("type").is_some_and(|t| t.contains("cap"));
    let alternate = |l: &&&Element| matches!(l.attribute("rel"), None | Some("alternate"));
    links
        .iter()
        .filter(typed)
        .find_map(|l| href(l))
        .or_else(|| links.iter().filter(alternate).find_map(|l| href(l)))
        .or_else(|| links.iter().map(|l| l.trimmed()).find(|t| !t.is_empty()))
        .or_else(|| {
            entry
                .children("enclosure")
                .find_map(|e| e.attribute("url").filter(|u| !u.is_empty()))
                .map(str::to_string)
        })
}

/// A link to follow, made absolute; only http(s), or the index's own scheme (a `file:` index
/// may link its neighbours), so an index cannot make the poll read other local files.
fn follow_url(base: &Url, doc_url: &Url, href: &str) -> Result<Url, String> {
    let url = base
        .join(href.trim())
        .map_err(|e| format!("link '{href}' is not a URL: {e}"))?;
    if matches!(url.scheme(), "http" | "https") || url.scheme() == doc_url.scheme() {
        Ok(url)
    } else {
        Err(format!(
            "link '{href}' has scheme '{}'; only http and https alerts are followed",
            url.scheme()
        ))
    }
}

/// An element of the document: local name, namespace, attributes, children and its own text.
#[derive(Debug, Default)]
struct Element {
    /// Local name (prefix removed).
    name: String,
    /// The resolved namespace URI, if any.
    namespace: Option<String>,
    /// The prefix as written.
    prefix: Option<String>,
    /// Attributes by local name, predefined entities replaced.
    attributes: Vec<(String, String)>,
    children: Vec<Element>,
    /// Direct text, CDATA and references, concatenated.
    text: String,
    /// The first entity reference in the direct text that was not replaced.
    undefined_entity: Option<String>,
}

impl Element {
    fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    fn trimmed(&self) -> String {
        self.text.trim().to_string()
    }

    /// The trimmed text of the first child `name`; empty when there is none.
    fn text_of(&self, name: &str) -> String {
        self.child(name).map(Element::trimmed).unwrap_or_default()
    }

    /// The trimmed text of the first child `name`, when not empty.
    fn opt_text(&self, name: &str) -> Option<String> {
        Some(self.text_of(name)).filter(|t| !t.is_empty())
    }

    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
    }

    /// Whether it is a CAP element (by namespace, or by the customary `cap:` prefix).
    fn is_cap(&self) -> bool {
        self.namespace
            .as_deref()
            .is_some_and(|ns| ns.starts_with(CAP_NAMESPACE))
            || self.prefix.as_deref() == Some("cap")
    }

    /// The outermost descendants named `name`.
    fn find_all<'a>(&'a self, name: &str, out: &mut Vec<&'a Element>) {
        for child in &self.children {
            if child.name == name {
                out.push(child);
            } else {
                child.find_all(name, out);
            }
        }
    }

    /// The first unreplaced entity reference anywhere inside.
    fn undefined_entity(&self) -> Option<&str> {
        self.undefined_entity
            .as_deref()
            .or_else(|| self.children.iter().find_map(Element::undefined_entity))
    }
}

/// Reads the document element into a tree (comments, processing instructions and the
/// DOCTYPE skipped); `Err` says what is wrong with the XML.
fn read_tree(text: &str) -> Result<Element, String> {
    let mut reader = NsReader::from_str(text);
    // Alerts written by hand carry bare '&' in URLs; a lone '&' is kept as text.
    reader.config_mut().allow_dangling_amp = true;
    let mut stack: Vec<Element> = Vec::new();
    loop {
        let (namespace, event) = match reader.read_resolved_event() {
            Ok((ResolveResult::Bound(ns), event)) => (Some(ns.into_inner().to_string()), event),
            Ok((_, event)) => (None, event),
            Err(e) => {
                return Err(format!(
                    "not well-formed XML at byte {}: {e}",
                    reader.error_position()
                ));
            }
        };
        let finished = match event {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!("elements nest deeper than {MAX_DEPTH} levels"));
                }
                stack.push(element(&start, namespace));
                None
            }
            Event::Empty(start) => close(&mut stack, element(&start, namespace)),
            Event::End(_) => match stack.pop() {
                Some(done) => close(&mut stack, done),
                None => return Err("an end tag without a start tag".into()),
            },
            Event::Text(text) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&text.xml10_content());
                }
                None
            }
            Event::CData(data) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&data.xml10_content());
                }
                None
            }
            Event::GeneralRef(reference) => {
                if let Some(top) = stack.last_mut() {
                    match reference.resolve_char_ref() {
                        Ok(Some(c)) => top.text.push(c),
                        _ => match resolve_predefined_entity(&reference) {
                            Some(replacement) => top.text.push_str(replacement),
                            None => {
                                // Never resolved (a DTD is not read): kept out and reported.
                                top.undefined_entity
                                    .get_or_insert_with(|| reference.to_string());
                            }
                        },
                    }
                }
                None
            }
            Event::Eof => {
                return Err(match stack.last() {
                    Some(open) => format!("the document ends inside <{}>", open.name),
                    None => "no root element: expected a CAP <alert> or an Atom/RSS index".into(),
                });
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => None,
        };
        if let Some(root) = finished {
            return Ok(root);
        }
    }
}

/// Attaches a finished element to its parent; returns it when it is the document element.
fn close(stack: &mut [Element], done: Element) -> Option<Element> {
    match stack.last_mut() {
        Some(parent) => {
            parent.children.push(done);
            None
        }
        None => Some(done),
    }
}

fn element(start: &BytesStart, namespace: Option<String>) -> Element {
    let name = start.name();
    let attributes = start
        .attributes()
        .flatten()
        .filter_map(|a| {
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()?;
            Some((
                a.key.local_name().into_inner().to_string(),
                value.into_owned(),
            ))
        })
        .collect();
    Element {
        name: name.local_name().into_inner().to_string(),
        namespace,
        prefix: name.prefix().map(|p| p.into_inner().to_string()),
        attributes,
        ..Element::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::{AlertStatus, MessageType, Severity};

    fn doc(bytes: &[u8], url: &str) -> Document {
        Document {
            name: "cap".into(),
            bytes: bytes.to_vec(),
            content_type: Some("application/xml".into()),
            url: Url::parse(url).unwrap(),
            link_base: None,
            spool_file: None,
        }
    }

    fn parse_with(bytes: &[u8], language: &str) -> Result<Parsed, ParseError> {
        let mut options = toml::Table::new();
        options.insert("language".into(), language.into());
        Cap.parse(&doc(bytes, "https://cap.example.se/index.atom"), &options)
    }

    fn parse(bytes: &[u8]) -> Parsed {
        parse_with(bytes, "sv").unwrap()
    }

    fn only(parsed: &Parsed) -> &RawItem {
        assert_eq!(parsed.items.len(), 1, "{:?}", parsed.rejected);
        &parsed.items[0]
    }

    macro_rules! fixture {
        ($name:literal) => {
            include_bytes!(concat!("../../tests/fixtures/authorities/cap/", $name))
        };
    }

    #[test]
    fn single_alert_with_swedish_block_chosen() {
        let parsed = parse(fixture!("storm.xml"));
        let item = only(&parsed);
        assert_eq!(item.guid.as_deref(), Some("SE-VARN-20261124-0042"));
        assert_eq!(
            item.title.as_ref().unwrap().text,
            "Storm i Stockholms skärgård"
        );
        // Predefined entities and character references replaced; nothing else.
        assert_eq!(
            item.summary.as_ref().unwrap().text,
            "Stormbyar upp till 25 m/s i ytterskärgården, <främst> kring Sandhamn & Möja.\nHögt vattenstånd vid Slussen!"
        );
        assert!(
            item.body
                .as_ref()
                .unwrap()
                .text
                .ends_with("\n\nUndvik båtresor. Säkra lösa föremål.")
        );
        assert_eq!(item.categories, vec!["Met", "Transport", "Storm"]);
        assert_eq!(item.authors, vec!["Regional vädertjänst (fiktiv)"]);
        assert_eq!(
            item.link.as_deref(),
            Some("https://www.example.se/varningar/SE-VARN-20261124-0042")
        );
        assert_eq!(
            item.published.unwrap().to_rfc3339(),
            "2026-11-24T15:00:00+00:00"
        );
        let raw = item.alert.as_ref().unwrap();
        assert_eq!(
            (raw.status, raw.msg_type),
            (AlertStatus::Actual, MessageType::Alert)
        );
        assert_eq!(raw.onset.unwrap().to_rfc3339(), "2026-11-25T02:00:00+00:00");
        assert_eq!(
            raw.expires.unwrap().to_rfc3339(),
            "2026-11-25T20:00:00+00:00"
        );
        assert_eq!(item.severity, None);
        let grading = item.grading.as_ref().unwrap();
        assert_eq!(
            (grading.urgency.as_str(), grading.severity.as_str()),
            ("Expected", "Severe")
        );
        assert_eq!(
            item.extra.get("cap_note").map(String::as_str),
            Some("Gäller hela Stockholms skärgård.")
        );
        let area = &item.areas[0];
        assert_eq!(area.name.as_deref(), Some("Stockholms skärgård"));
        assert_eq!(area.geocodes, vec!["01", "0120", "0187"]);
        // CAP writes lat,lon: the first point is north of Stockholm, in the sea to the east.
        assert_eq!(area.polygons[0].len(), 6);
        assert_eq!(area.polygons[0][0], (59.70, 18.60));
        assert_eq!(area.circles, vec![(59.2786, 18.9158, 8.0)]);
    }

    #[test]
    fn english_block_on_request() {
        let parsed = parse_with(fixture!("storm.xml"), "en").unwrap();
        let item = only(&parsed);
        assert_eq!(
            item.title.as_ref().unwrap().text,
            "Storm in the Stockholm archipelago"
        );
        assert_eq!(
            item.extra.get("cap_language").map(String::as_str),
            Some("en-GB")
        );
        assert!(item.areas[0].geocodes.is_empty());
    }

    #[test]
    fn update_references_the_alert_and_prefixes_are_ignored() {
        let parsed = parse(fixture!("update.xml"));
        let item = only(&parsed);
        let raw = item.alert.as_ref().unwrap();
        assert_eq!(raw.msg_type, MessageType::Update);
        assert_eq!(raw.version, "SE-VARN-20261125-0007");
        assert_eq!(raw.references, vec!["SE-VARN-20261124-0042"]);
        assert!(
            item.summary
                .as_ref()
                .unwrap()
                .text
                .starts_with("Vindbyar över 30 m/s")
        );
        assert_eq!(item.grading.as_ref().unwrap().severity, "Extreme");
    }

    #[test]
    fn cancel_without_info_still_carries_the_alert() {
        let parsed = parse(fixture!("cancel.xml"));
        let item = only(&parsed);
        assert!(item.title.is_none() && item.grading.is_none());
        let raw = item.alert.as_ref().unwrap();
        assert_eq!(raw.msg_type, MessageType::Cancel);
        assert_eq!(
            raw.references,
            vec!["SE-VARN-20261124-0042", "SE-VARN-20261125-0007"]
        );
    }

    #[test]
    fn latin1_alert_decodes_swedish_letters() {
        let bytes: &[u8] = fixture!("latin1.xml");
        // "ä" as the single latin-1 byte 0xE4, not UTF-8's 0xC3 0xA4.
        assert!(bytes.contains(&0xE4) && !bytes.contains(&0xC3));
        let parsed = parse(bytes);
        let item = only(&parsed);
        assert_eq!(
            item.title.as_ref().unwrap().text,
            "Vattenläcka på Götgatan - kokningsrekommendation i Södermalm"
        );
        assert!(
            item.summary
                .as_ref()
                .unwrap()
                .text
                .contains("söder om Åsögatan")
        );
        assert_eq!(item.areas[0].circles, vec![(59.3126, 18.0722, 1.5)]);
        let location = item.location.as_ref().unwrap();
        assert_eq!((location.lat, location.lon), (Some(59.3126), Some(18.0722)));
    }

    #[test]
    fn external_entity_is_never_resolved() {
        let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
        let err = parse_with(fixture!("xxe.xml"), "sv").unwrap_err();
        assert!(err.0.contains("undefined entity '&lol2;'"), "{err}");
        // Inside an index the alert alone is rejected, and nothing of the file shows.
        let atom = format!(
            "<!DOCTYPE feed [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\
             <feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><content>{}</content></entry></feed>",
            include_str!("../../tests/fixtures/authorities/cap/xxe.xml")
                .split_once("]>")
                .unwrap()
                .1
                .replace("&lol2;", "")
        );
        let parsed = parse(atom.as_bytes());
        assert!(parsed.items.is_empty());
        assert!(
            parsed.rejected[0].contains("entry 1: undefined entity '&xxe;'"),
            "{:?}",
            parsed.rejected
        );
        let everything = format!("{parsed:?} {err}");
        assert!(!everything.contains("root:x:0:0"));
        if let Some(first_line) = passwd.lines().next() {
            assert!(!everything.contains(first_line));
        }
    }

    #[test]
    fn atom_index_embedding_alerts() {
        let parsed = parse(fixture!("embedded.atom"));
        assert_eq!(parsed.items.len(), 2);
        assert_eq!(parsed.items[0].guid.as_deref(), Some("SE-ISHALKA-1"));
        assert_eq!(parsed.items[0].areas[0].geocodes, vec!["0184"]);
        let exercise = &parsed.items[1];
        assert_eq!(
            exercise.alert.as_ref().unwrap().status,
            AlertStatus::Exercise
        );
        assert_eq!(parsed.rejected.len(), 1);
        assert!(
            parsed.rejected[0].contains("entry 3: missing 'identifier'"),
            "{:?}",
            parsed.rejected
        );
        assert!(parsed.follow.is_empty());
    }

    #[test]
    fn rss_item_with_escaped_alert() {
        let alert = String::from_utf8_lossy(fixture!("cancel.xml"))
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        let rss = format!(
            "<rss version=\"2.0\"><channel><title>x</title><item><title>Avblåst</title>\
             <description>{alert}</description></item></channel></rss>"
        );
        let parsed = parse(rss.as_bytes());
        let item = only(&parsed);
        assert_eq!(item.alert.as_ref().unwrap().msg_type, MessageType::Cancel);
    }

    #[test]
    fn noaa_style_summary_fields() {
        let parsed = parse(fixture!("summary.atom"));
        assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
        let [water, test] = parsed.items.as_slice() else {
            panic!("expected 2 items");
        };
        assert_eq!(
            water.guid.as_deref(),
            Some("https://varningar.example.se/cap/SE-VATTEN-77")
        );
        assert_eq!(
            water.title.as_ref().unwrap().text,
            "Högt vattenstånd vid Slussen"
        );
        assert!(
            water
                .summary
                .as_ref()
                .unwrap()
                .text
                .starts_with("Vattenståndet")
        );
        assert_eq!(
            water.link.as_deref(),
            Some("https://varningar.example.se/cap/SE-VATTEN-77")
        );
        // Atom's <category term> is not CAP's category.
        assert_eq!(water.categories, vec!["Met", "Högt vattenstånd"]);
        let raw = water.alert.as_ref().unwrap();
        assert_eq!(
            raw.version,
            "https://varningar.example.se/cap/SE-VATTEN-77@2026-11-24T17:45:00+01:00"
        );
        assert_eq!(
            raw.expires.unwrap().to_rfc3339(),
            "2026-11-25T11:00:00+00:00"
        );
        assert_eq!(raw.onset.unwrap().to_rfc3339(), "2026-11-24T16:45:00+00:00");
        assert_eq!(water.updated, water.published);
        assert_eq!(water.grading.as_ref().unwrap().severity, "Moderate");
        let area = &water.areas[0];
        assert_eq!(area.name.as_deref(), Some("Stockholms innerstad; Saltsjön"));
        assert_eq!(area.geocodes, vec!["0180"]);
        assert_eq!(area.polygons[0][1], (59.33, 18.12));
        assert_eq!(test.alert.as_ref().unwrap().status, AlertStatus::Test);
    }

    #[test]
    fn link_only_index_gives_follow() {
        let parsed = parse(fixture!("links.atom"));
        assert!(parsed.items.is_empty());
        let follow: Vec<&str> = parsed.follow.iter().map(Url::as_str).collect();
        assert_eq!(
            follow,
            vec![
                "https://cap.example.se/cap/SE-VARN-20261124-0042.xml",
                "https://cap.example.se/alerts/SE-LATIN1-20261125-1.xml",
            ]
        );
        assert_eq!(parsed.rejected.len(), 2, "{:?}", parsed.rejected);
        assert!(
            parsed.rejected[0].contains("entry 4: link 'file:///etc/passwd' has scheme 'file'")
        );
        assert!(parsed.rejected[1].contains("entry 5: no embedded <alert>"));
    }

    #[test]
    fn follow_is_capped() {
        let entries: String = (0..MAX_FOLLOW + 3)
            .map(|i| format!("<entry><link href=\"a/{i}.xml\"/></entry>"))
            .collect();
        let parsed = parse(
            format!("<feed xmlns=\"http://www.w3.org/2005/Atom\">{entries}</feed>").as_bytes(),
        );
        assert_eq!(parsed.follow.len(), MAX_FOLLOW);
        assert!(parsed.rejected[0].contains("3 more linked alerts not followed"));
    }

    #[test]
    fn vma_by_event_is_critical() {
        let xml = String::from_utf8_lossy(fixture!("storm.xml")).replace(
            "<event>Storm</event>",
            "<event>Viktigt meddelande till allmänheten</event>",
        );
        let parsed = parse(xml.as_bytes());
        assert_eq!(only(&parsed).severity, Some(Severity::Critical));
    }

    #[test]
    fn unreadable_documents_are_errors() {
        let error = |bytes: &[u8]| parse_with(bytes, "sv").unwrap_err().0;
        assert!(error(b"  \n").contains("empty document"));
        assert!(error(b"<alert><identifier>x</alert>").contains("not well-formed XML"));
        assert!(error(b"<alert><identifier>x</identifier>").contains("ends inside <alert>"));
        assert!(error(b"<html><body/></html>").contains("root element is <html>"));
        assert!(error(b"<!-- nothing -->").contains("no root element"));
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert!(error(deep.as_bytes()).contains("nest deeper"));
        let mut bad = toml::Table::new();
        bad.insert("lang".into(), "sv".into());
        assert_eq!(Cap.check_options(&bad).unwrap_err().key, "lang");
    }

    #[test]
    fn demo_snapshot_reads() {
        let parsed = parse(include_bytes!("../../feeds/demo/cap-alerts.atom"));
        assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
        assert_eq!(parsed.items.len(), 3);
        assert_eq!(
            parsed.items[1].alert.as_ref().unwrap().references,
            vec!["SE-VARN-20261124-0042"]
        );
        assert!(!parsed.items[0].areas[0].polygons.is_empty());
    }
}
