//! The Atom export: a feed of approved editions and their events, so another office's `lage`
//! (another district, the city's central function) can subscribe with the ordinary `rss` kind:
//! federation without a central server.
//!
//! One entry per edition (its key messages and the level per focus area) and one per event
//! (title, link, what happened and the assessment, the sections as categories). Ids are
//! `urn:lage:brief:OFFICE:N.V[:ITEM]` with OFFICE a hash of the office's name, so they stay
//! the same across exports and a subscriber keeps each entry once. Every time in the feed is an
//! approval time, so the same editions give the same bytes.

use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::RenderError;
use crate::brief::document::{Briefing, section};
use crate::brief::labels::{BriefLang, Labels};
use crate::brief::view::{BriefView, title};

/// The feed of `docs` (approved editions, newest first).
pub fn atom(docs: &[Briefing], lang: BriefLang, labels: &Labels) -> Result<Vec<u8>, RenderError> {
    let encode = |e: io::Error| RenderError::Encode(e.to_string());
    let office = docs.first().map(|d| d.office.as_str()).unwrap_or_default();
    let office_id = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(office.as_bytes()));
    let updated = docs
        .iter()
        .filter_map(|d| d.approved.as_ref().map(|a| a.at))
        .max()
        .unwrap_or_default();
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))
        .map_err(encode)?;
    w.create_element("feed")
        .with_attribute(("xmlns", "http://www.w3.org/2005/Atom"))
        .with_attribute(("xml:lang", lang.code()))
        .write_inner_content(|w| {
            text(w, "id", &format!("urn:lage:brief:{office_id}"))?;
            let feed_title = match docs.first() {
                Some(d) => format!(
                    "{}: {}",
                    BriefView::new(d, lang, labels).office,
                    labels.get("title_week")
                ),
                None => labels.get("title_week").to_string(),
            };
            text(w, "title", &feed_title)?;
            text(w, "updated", &updated.to_rfc3339())?;
            w.create_element("generator")
                .write_text_content(BytesText::new("lage"))?;
            for doc in docs {
                entries(w, doc, lang, labels, &office_id)?;
            }
            Ok(())
        })
        .map_err(encode)?;
    let mut out = w.into_inner();
    out.push(b'\n');
    Ok(out)
}

fn text(w: &mut Writer<Vec<u8>>, name: &str, value: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(value))?;
    Ok(())
}

fn author(w: &mut Writer<Vec<u8>>, name: &str) -> io::Result<()> {
    w.create_element("author")
        .write_inner_content(|w| text(w, "name", name))?;
    Ok(())
}

/// The edition's entry and one entry per event.
fn entries(
    w: &mut Writer<Vec<u8>>,
    doc: &Briefing,
    lang: BriefLang,
    labels: &Labels,
    office_id: &str,
) -> io::Result<()> {
    let Some(approved) = &doc.approved else {
        return Ok(());
    };
    let view = BriefView::new(doc, lang, labels);
    let at = approved.at.to_rfc3339();
    let edition_id = format!("urn:lage:brief:{office_id}:{}", doc.edition);
    let by = crate::normalise::text::sanitize_line(&approved.author, 64);

    let mut body = String::new();
    for p in &view.key_messages {
        body.push_str(p);
        body.push_str("\n\n");
    }
    body.push_str(labels.get("areas"));
    body.push('\n');
    for s in &view.areas {
        body.push_str(&format!("- {}: {}\n", s.heading, s.level_label));
    }
    body.push('\n');
    body.push_str(labels.get("events"));
    body.push('\n');
    for e in &view.events {
        body.push_str(&format!(
            "{}. {} ({})\n",
            e.number, e.title, e.severity_label
        ));
    }
    w.create_element("entry").write_inner_content(|w| {
        text(w, "id", &edition_id)?;
        text(
            w,
            "title",
            &format!(
                "{} – {} {}, {} {}",
                title(doc, labels),
                labels.get("edition"),
                doc.edition.number,
                labels.get("version"),
                doc.edition.version
            ),
        )?;
        text(w, "published", &at)?;
        text(w, "updated", &at)?;
        author(w, &by)?;
        for s in view.areas.iter().filter(|s| s.level != "normal") {
            w.create_element("category")
                .with_attribute(("term", format!("läge/{}/{}", s.key, s.level).as_str()))
                .with_attribute((
                    "label",
                    format!("{}: {}", s.heading, s.level_label).as_str(),
                ))
                .write_empty()?;
        }
        w.create_element("content")
            .with_attribute(("type", "text"))
            .write_text_content(BytesText::new(body.trim_end()))?;
        Ok(())
    })?;

    for (event, ev) in doc.events.iter().zip(&view.events) {
        let mut summary = ev.what.join("\n\n");
        if !ev.assessment.is_empty() {
            summary.push_str(&format!(
                "\n\n{}: {}",
                labels.get("assessment"),
                ev.assessment.join("\n\n")
            ));
            if !ev.confidence.is_empty() {
                summary.push_str(&format!(
                    " ({}: {})",
                    labels.get("confidence"),
                    ev.confidence
                ));
            }
        }
        w.create_element("entry").write_inner_content(|w| {
            text(w, "id", &format!("{edition_id}:{}", ev.id))?;
            text(w, "title", &ev.title)?;
            if !ev.link.is_empty() {
                w.create_element("link")
                    .with_attribute(("rel", "alternate"))
                    .with_attribute(("href", ev.link.as_str()))
                    .write_empty()?;
            }
            text(w, "published", &event.published.to_rfc3339())?;
            text(w, "updated", &at)?;
            author(w, &by)?;
            // The section's tag (fokus/brott), which a subscribing office's rules know.
            for def in event.sections.iter().filter_map(|k| section(k)) {
                w.create_element("category")
                    .with_attribute(("term", def.tag))
                    .write_empty()?;
            }
            if let Some(severity) = event.severity {
                w.create_element("category")
                    .with_attribute(("term", format!("severity/{}", severity.as_str()).as_str()))
                    .write_empty()?;
            }
            w.create_element("summary")
                .with_attribute(("type", "text"))
                .write_text_content(BytesText::new(&summary))?;
            Ok(())
        })?;
    }
    Ok(())
}
