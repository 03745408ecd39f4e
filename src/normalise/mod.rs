//! Normalisation: one clean [`Item`] from whatever a source kind extracted.
//!
//! This is the single place where untrusted text is cleaned: HTML becomes plain text, entities
//! are decoded, control characters, escape sequences, bidi overrides and zero-width characters
//! are removed, and lengths are capped. Everything after this point may assume safe text.
//! It also decides the item's dedup key and content hash, since both depend on the clean fields.

pub mod html;
mod identity;
pub mod text;
pub mod url;

pub use identity::{Alias, Match, disambiguate, item_id};

use chrono::{DateTime, Duration, Utc};
use xxhash_rust::xxh3::xxh3_128;

use crate::item::{
    Alert, AlertEvent, DateOrigin, GeoArea, Item, Location, RawAlert, RawItem, RawText, Sighting,
};
use crate::tags::Tagging;

/// Caps on field lengths, in characters: enough for any real item, bounded for hostile ones.
pub mod limits {
    /// Title.
    pub const TITLE: usize = 400;
    /// Summary.
    pub const SUMMARY: usize = 4_000;
    /// Body.
    pub const BODY: usize = 100_000;
    /// One author, category, place name or extra value.
    pub const SHORT: usize = 200;
    /// How many authors or categories are kept.
    pub const LIST: usize = 32;
    /// The guid.
    pub const GUID: usize = 1_000;
    /// Characters of body used as a summary when the source has none.
    pub const DERIVED_SUMMARY: usize = 400;
}

/// How far in the future a published date may lie before it is treated as bogus.
const FUTURE_SLACK_HOURS: i64 = 24;

/// A normalised item plus the key dedup uses to recognise it on the next poll.
#[derive(Debug, Clone)]
pub struct Normalised {
    /// The item, with an id derived from the source and the key.
    pub item: Item,
    /// Which identity the item was recognised by: guid, link, title+date or content hash.
    pub key: String,
    /// Whether `key` was made specific by [`disambiguate`] (so a stored item under it is
    /// exactly this one); a plain key may be one a feed reuses for several stories.
    pub key_is_specific: bool,
    /// Other keys an earlier poll of the same source may have stored this item under (see
    /// `identity`); the store takes a hit under an alias only when it is the same story.
    pub aliases: Vec<Alias>,
    /// Whether the item may be one item with another source's item of the same URL. Not for
    /// kinds whose ids are authoritative (an incident report is its own record, whatever it
    /// links to); see `Kind::ids_are_authoritative`.
    pub merges_by_url: bool,
}

/// Cleans an item that did not come through `normalise` (a bulk import from another system or
/// an older export): its text fields, lists and tagging evidence get the same removal of control,
/// escape, bidi and zero-width characters and the same length caps, and tags that are not valid
/// tags are dropped.
pub fn resanitise(item: &mut Item) {
    use text::{sanitize_line, sanitize_text};
    item.title = sanitize_line(&item.title, limits::TITLE);
    item.summary = sanitize_text(&item.summary, limits::SUMMARY);
    item.body = sanitize_text(&item.body, limits::BODY);
    item.source = sanitize_line(&item.source, limits::SHORT);
    item.kind = sanitize_line(&item.kind, limits::SHORT);
    item.guid = item.guid.as_deref().map(|g| sanitize_line(g, limits::GUID));
    item.url = item
        .url
        .as_deref()
        .and_then(|u| url::canonical_url(u, None));
    let lines = |values: &mut Vec<String>| {
        for v in values.iter_mut() {
            *v = sanitize_line(v, limits::SHORT);
        }
        values.retain(|v| !v.is_empty());
    };
    lines(&mut item.authors);
    lines(&mut item.categories);
    lines(&mut item.areas);
    lines(&mut item.geocodes);
    if let Some(location) = &mut item.location {
        location.name = location
            .name
            .as_deref()
            .map(|n| sanitize_line(n, limits::SHORT));
    }
    item.extra = std::mem::take(&mut item.extra)
        .into_iter()
        .map(|(k, v)| {
            (
                sanitize_line(&k, limits::SHORT),
                sanitize_line(&v, limits::SHORT),
            )
        })
        .collect();
    for sighting in &mut item.sightings {
        sighting.source = sanitize_line(&sighting.source, limits::SHORT);
    }
    let tagging = &mut item.tagging;
    tagging
        .tags
        .retain(|t| crate::tags::validate_tag(t).is_ok());
    for m in &mut tagging.matches {
        m.rule = sanitize_line(&m.rule, limits::SHORT);
        m.tags.retain(|t| crate::tags::validate_tag(t).is_ok());
        for e in &mut m.evidence {
            e.term = sanitize_line(&e.term, limits::SHORT);
            e.field = sanitize_line(&e.field, limits::SHORT);
            e.text = sanitize_line(&e.text, limits::SHORT);
        }
    }
}

/// Cleans a raw item from `source_id` (of kind `kind`), seen at `now`.
pub fn normalise(raw: RawItem, source_id: &str, kind: &str, now: DateTime<Utc>) -> Normalised {
    let url = raw
        .link
        .as_deref()
        .and_then(|link| url::canonical_url(link, None));
    let mut title = raw
        .title
        .as_ref()
        .map(|t| text::sanitize_line(&plain(t), limits::TITLE))
        .unwrap_or_default();
    let summary_text = raw
        .summary
        .as_ref()
        .map(|s| text::sanitize_text(&plain(s), limits::SUMMARY))
        .unwrap_or_default();
    let mut body = raw
        .body
        .as_ref()
        .map(|s| text::sanitize_text(&plain(s), limits::BODY))
        .unwrap_or_default();
    let summary = if summary_text.is_empty() {
        text::sanitize_line(&body, limits::DERIVED_SUMMARY)
    } else {
        summary_text
    };
    if body == summary {
        body.clear();
    }
    if title.is_empty() {
        title = text::sanitize_line(&summary, 80);
    }

    let latest_plausible = now + Duration::hours(FUTURE_SLACK_HOURS);
    let plausible = |t: Option<DateTime<Utc>>| t.filter(|t| *t <= latest_plausible);
    let (published, date_origin) = match (plausible(raw.published), plausible(raw.updated)) {
        (Some(p), _) => (p, DateOrigin::Published),
        (None, Some(u)) => (u, DateOrigin::Updated),
        (None, None) => (now, DateOrigin::FirstSeen),
    };
    let updated = plausible(raw.updated).filter(|u| *u != published);

    let guid = raw
        .guid
        .map(|g| text::sanitize_line(&g, limits::GUID))
        .filter(|g| !g.is_empty());
    let short_list = |values: Vec<String>| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for v in values {
            let v = text::sanitize_line(&html::html_to_text(&v), limits::SHORT);
            if !v.is_empty() && !out.contains(&v) && out.len() < limits::LIST {
                out.push(v);
            }
        }
        out
    };
    let authors = short_list(raw.authors);
    let categories = short_list(raw.categories);
    let location = raw.location.map(|l| Location {
        name: l
            .name
            .map(|n| text::sanitize_line(&n, limits::SHORT))
            .filter(|n| !n.is_empty()),
        lat: l.lat.filter(|v| v.is_finite()),
        lon: l.lon.filter(|v| v.is_finite()),
        approximate: l.approximate,
    });
    let extra = raw
        .extra
        .into_iter()
        .map(|(k, v)| {
            (
                text::sanitize_line(&k, limits::SHORT),
                text::sanitize_line(&v, limits::SHORT),
            )
        })
        .collect();

    let (areas, geocodes) = area_names_and_codes(&raw.areas);
    let references: Vec<String> = raw
        .alert
        .as_ref()
        .map(|a| {
            a.references
                .iter()
                .map(|r| text::sanitize_line(r, limits::GUID))
                .filter(|r| !r.is_empty() && Some(r) != guid.as_ref())
                .collect()
        })
        .unwrap_or_default();
    let alert = raw.alert.map(|a| alert(a, &title, raw.severity, published));

    let mut item = Item {
        id: String::new(),
        source: source_id.to_string(),
        kind: kind.to_string(),
        guid: guid.clone(),
        url: url.clone(),
        title,
        summary,
        body,
        published,
        updated,
        date_origin,
        first_seen: now,
        last_seen: now,
        authors,
        categories,
        location,
        severity: raw.severity,
        extra,
        content_hash: String::new(),
        revision: 1,
        sightings: Vec::new(),
        cluster: None,
        alert,
        areas,
        geocodes,
        local: None,
        // Tagged by the poll once the area check has set `local` (rules may ask for it).
        tagging: Tagging::default(),
    };
    item.content_hash = content_hash(&item);
    let key = identity::dedup_key(&item);
    item.id = item_id(source_id, &key);
    item.sightings.push(Sighting {
        source: source_id.to_string(),
        guid,
        url,
        first_seen: now,
        last_seen: now,
        content_hash: Some(item.content_hash.clone()),
    });
    let mut aliases = identity::plain_aliases(&key, &item);
    aliases.extend(identity::reference_aliases(&references));
    Normalised {
        item,
        key,
        key_is_specific: false,
        aliases,
        merges_by_url: true,
    }
}

/// An alert with its first message as history; `published` stands in for a missing `sent`.
fn alert(
    raw: RawAlert,
    title: &str,
    severity: Option<crate::item::Severity>,
    published: DateTime<Utc>,
) -> Alert {
    let sent = raw.sent.unwrap_or(published);
    let version = text::sanitize_line(&raw.version, limits::GUID);
    Alert {
        status: raw.status,
        msg_type: raw.msg_type,
        version: version.clone(),
        sent,
        onset: raw.onset,
        expires: raw.expires,
        history: vec![AlertEvent {
            version,
            msg_type: raw.msg_type,
            sent,
            headline: title.to_string(),
            severity,
        }],
    }
}

/// The sanitised, de-duplicated names and geocodes of an item's areas.
fn area_names_and_codes(areas: &[GeoArea]) -> (Vec<String>, Vec<String>) {
    let mut names: Vec<String> = Vec::new();
    let mut codes: Vec<String> = Vec::new();
    for area in areas {
        if let Some(name) = &area.name {
            let name = text::sanitize_line(name, limits::SHORT);
            if !name.is_empty() && !names.contains(&name) && names.len() < limits::LIST {
                names.push(name);
            }
        }
        for code in &area.geocodes {
            let code = text::sanitize_line(code, limits::SHORT);
            if !code.is_empty() && !codes.contains(&code) && codes.len() < limits::LIST * 8 {
                codes.push(code);
            }
        }
    }
    (names, codes)
}

/// The text of a field: HTML converted, plain text as it is (sanitising comes after).
fn plain(text: &RawText) -> std::borrow::Cow<'_, str> {
    if text.html {
        std::borrow::Cow::Owned(html::html_to_text(&text.text))
    } else {
        std::borrow::Cow::Borrowed(&text.text)
    }
}

/// Hash of what a reader sees (text, link, categories, authors, severity, place and the kind's
/// fields such as an incident's status); when it changes, the item counts as updated. Dates
/// are left out: some feeds restamp every item on every request.
fn content_hash(item: &Item) -> String {
    use std::fmt::Write as _;
    let mut input =
        String::with_capacity(item.title.len() + item.summary.len() + item.body.len() + 128);
    for part in [
        item.title.as_str(),
        &item.summary,
        &item.body,
        item.url.as_deref().unwrap_or(""),
        item.severity.map(|s| s.as_str()).unwrap_or(""),
    ] {
        input.push_str(part);
        input.push('\u{1f}');
    }
    for part in item.categories.iter().chain(&item.authors) {
        input.push_str(part);
        input.push('\u{1e}');
    }
    if let Some(l) = &item.location {
        let _ = write!(input, "{:?}|{:?}|{:?}", l.name, l.lat, l.lon);
    }
    for (k, v) in &item.extra {
        let _ = write!(input, "\u{1d}{k}={v}");
    }
    for part in item.areas.iter().chain(&item.geocodes) {
        input.push_str(part);
        input.push('\u{1c}');
    }
    if let Some(a) = &item.alert {
        let _ = write!(
            input,
            "\u{1c}{}|{}|{}|{:?}|{:?}",
            a.version,
            a.status.as_str(),
            a.msg_type.as_str(),
            a.onset,
            a.expires
        );
    }
    format!("{:032x}", xxh3_128(input.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap()
    }

    #[test]
    fn html_and_hostile_text_are_cleaned() {
        let raw = RawItem {
            guid: Some("g1".into()),
            title: Some(RawText::html("<b>Brand</b> i Kista\u{1b}[2J\u{202e}")),
            summary: Some(RawText::html(
                "<p>Rök &amp; eld</p><script>alert(1)</script>",
            )),
            link: Some("https://example.se/a?utm_source=rss#top".into()),
            ..RawItem::default()
        };
        let n = normalise(raw, "s", "rss", now());
        assert_eq!(n.item.title, "Brand i Kista[2J");
        assert_eq!(n.item.summary, "Rök & eld");
        assert_eq!(n.item.url.as_deref(), Some("https://example.se/a"));
        assert_eq!(n.key, "g:g1");
    }

    #[test]
    fn plain_text_is_kept_as_written() {
        let raw = RawItem {
            guid: Some("i1".into()),
            title: Some(RawText::plain("Temp <minus 5, halka & is")),
            body: Some(RawText::plain("Vid <Rinkeby torg>\x1b[31m")),
            ..RawItem::default()
        };
        let n = normalise(raw, "s", "incidents", now());
        assert_eq!(n.item.title, "Temp <minus 5, halka & is");
        assert_eq!(n.item.summary, "Vid <Rinkeby torg>[31m");
    }

    #[test]
    fn missing_date_uses_first_seen_and_says_so() {
        let n = normalise(
            RawItem {
                title: Some(RawText::html("Utan datum")),
                ..RawItem::default()
            },
            "s",
            "rss",
            now(),
        );
        assert_eq!(n.item.published, now());
        assert!(n.item.date_is_first_seen());
        assert!(n.key.starts_with("h:"));
    }

    #[test]
    fn key_falls_back_from_guid_to_link_to_title_and_date() {
        let date = Some(now() - Duration::hours(1));
        let link_only = RawItem {
            link: Some("https://example.se/x".into()),
            title: Some(RawText::html("T")),
            published: date,
            ..RawItem::default()
        };
        assert_eq!(
            normalise(link_only, "s", "rss", now()).key,
            "u:https://example.se/x"
        );
        let title_date = RawItem {
            title: Some(RawText::html("T")),
            published: date,
            ..RawItem::default()
        };
        assert!(
            normalise(title_date, "s", "rss", now())
                .key
                .starts_with("t:T|")
        );
    }

    #[test]
    fn reused_guids_are_told_apart_but_exact_repeats_are_not() {
        let raw = |link: &str, title: &str| RawItem {
            guid: Some("https://example.se/".into()),
            link: Some(link.into()),
            title: Some(RawText::html(title)),
            published: Some(now() - Duration::hours(2)),
            ..RawItem::default()
        };
        let mut items: Vec<Normalised> = [
            raw("https://example.se/a", "A"),
            raw("https://example.se/b", "B"),
            raw("https://example.se/b", "B"),
        ]
        .into_iter()
        .map(|r| normalise(r, "s", "rss", now()))
        .collect();
        disambiguate(&mut items);
        assert_ne!(items[0].key, items[1].key);
        assert_ne!(items[0].item.id, items[1].item.id);
        assert_eq!(items[1].key, items[2].key);
    }

    #[test]
    fn far_future_dates_are_not_trusted() {
        let n = normalise(
            RawItem {
                guid: Some("x".into()),
                published: Some(now() + Duration::days(400)),
                ..RawItem::default()
            },
            "s",
            "rss",
            now(),
        );
        assert_eq!(n.item.date_origin, DateOrigin::FirstSeen);
    }

    #[test]
    fn an_imported_item_is_cleaned_like_a_fetched_one() {
        let mut item = normalise(
            RawItem {
                title: Some(RawText::plain("Brand")),
                ..RawItem::default()
            },
            "s",
            "rss",
            Utc::now(),
        )
        .item;
        let evil = "a\u{1b}]0;PWNED\u{7}b\u{1b}[2J\u{9b}31m\u{202e}c\u{200b}d";
        item.title = evil.into();
        item.summary = evil.into();
        item.body = evil.into();
        item.source = evil.into();
        item.authors = vec![evil.into()];
        item.categories = vec![evil.into()];
        item.areas = vec![evil.into()];
        item.extra.insert(evil.into(), evil.into());
        item.url = Some("javascript:alert(1)".into());
        item.tagging.tags = vec!["fokus/brott".into(), evil.into()];
        item.tagging.matches = vec![crate::tags::RuleMatch {
            rule: evil.into(),
            tags: vec![evil.into()],
            score: 1,
            threshold: 1,
            evidence: vec![crate::tags::Evidence {
                term: evil.into(),
                field: "title".into(),
                text: evil.into(),
                weight: 1,
                count: 1,
            }],
        }];
        resanitise(&mut item);
        let json = serde_json::to_string(&item).expect("encode");
        let back: serde_json::Value = serde_json::from_str(&json).expect("decode");
        let mut strings = Vec::new();
        collect_strings(&back, &mut strings);
        for s in &strings {
            assert!(!text::has_unsafe_chars(s), "unsafe text left: {s:?}");
        }
        assert!(
            item.title.contains('a') && item.title.contains('d'),
            "{:?}",
            item.title
        );
        assert_eq!(item.url, None, "only web links are kept");
        assert_eq!(item.tagging.tags, ["fokus/brott"]);
        assert!(item.tagging.matches[0].tags.is_empty());
    }

    fn collect_strings(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|v| collect_strings(v, out)),
            serde_json::Value::Object(o) => o.iter().for_each(|(k, v)| {
                out.push(k.clone());
                collect_strings(v, out);
            }),
            _ => {}
        }
    }
}
