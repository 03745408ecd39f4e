//! The briefing as the templates see it: every string ready to print, in one language, with
//! times in Stockholm time. The Markdown, HTML and PDF templates all read this one shape
//! (`docs/briefing.md` lists it), so an office restyling a template needs no Rust.
//!
//! Text from feeds is untrusted. It is cleaned here of control, escape, bidi and zero-width
//! characters; each output format escapes what is left for its own syntax (minijinja's
//! auto-escape for HTML and Markdown, Typst strings for the PDF). Links are kept only when they
//! are http or https.

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Europe::Stockholm;
use serde::Serialize;
use url::Url;

use super::document::{Briefing, Change, Event, SectionKind, State};
use super::edition::{BriefKind, Level};
use super::labels::{BriefLang, Labels};
use crate::curation::{Confidence, Status};
use crate::item::Severity;
use crate::normalise::text::{sanitize_line, sanitize_text};

/// The longest line or text kept from one field; longer text is cut.
const MAX_LINE: usize = 500;
const MAX_TEXT: usize = 20_000;

/// The briefing ready for a template.
#[derive(Debug, Clone, Serialize)]
pub struct BriefView {
    /// `sv` or `en`.
    pub lang: &'static str,
    /// Every heading and label by key (`labels.key_messages`).
    pub labels: std::collections::BTreeMap<String, String>,
    /// "Veckolägesbild vecka 48 2026".
    pub title: String,
    /// The issuing office.
    pub office: String,
    /// `week` or `incident`.
    pub kind: &'static str,
    /// The edition's number.
    pub number: u32,
    /// The version.
    pub version: u32,
    /// Whether it is still a draft (templates mark every page).
    pub draft: bool,
    /// "2026-11-23 00:00 – 2026-11-30 00:00".
    pub period: String,
    /// "anna, 2026-11-30 09:12".
    pub prepared: String,
    /// "bo, 2026-11-30 10:00", or the "not approved" label.
    pub approved: String,
    /// The classification marking.
    pub marking: String,
    /// Who receives it.
    pub distribution: Vec<String>,
    /// "2.1", or empty.
    pub previous: String,
    /// The key messages as paragraphs.
    pub key_messages: Vec<String>,
    /// The five focus areas.
    pub areas: Vec<SectionView>,
    /// The protected values that have events or a level above normal.
    pub values: Vec<SectionView>,
    /// The events, numbered in order.
    pub events: Vec<EventView>,
    /// What changed since the previous edition.
    pub changes: ChangesView,
    /// The source list.
    pub sources: Vec<SourceView>,
    /// Items per section and day.
    pub counts: CountsView,
    /// "2026-11-30 10:00": when the document was resolved or approved.
    pub composed: String,
}

/// One focus area or protected value.
#[derive(Debug, Clone, Serialize)]
pub struct SectionView {
    /// The section's key.
    pub key: String,
    /// Its heading.
    pub heading: String,
    /// `normal`, `elevated` or `serious`.
    pub level: &'static str,
    /// The level's label.
    pub level_label: String,
    /// The suggested level's label.
    pub suggested_label: String,
    /// Whether the analyst's level differs from the suggestion.
    pub differs: bool,
    /// Items in the period tagged to it.
    pub items_in_period: usize,
    /// The briefing's events in it.
    pub events: Vec<EventRef>,
}

/// A reference to an event of the briefing.
#[derive(Debug, Clone, Serialize)]
pub struct EventRef {
    /// Its number in the events list (1-based).
    pub number: usize,
    /// Its title.
    pub title: String,
    /// The anchor of its section in HTML (`e3`).
    pub anchor: String,
}

/// One event.
#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    /// 1-based number.
    pub number: usize,
    /// `e1`, `e2`, ... for HTML anchors.
    pub anchor: String,
    /// The item's id.
    pub id: String,
    /// Title.
    pub title: String,
    /// What happened, as paragraphs.
    pub what: Vec<String>,
    /// Published, Stockholm time.
    pub when: String,
    /// Severity code (`critical`, ..., `none`), for styling.
    pub severity: &'static str,
    /// Severity label.
    pub severity_label: String,
    /// Handling status label.
    pub status_label: String,
    /// Section headings, comma-separated.
    pub sections: String,
    /// Place, or empty.
    pub place: String,
    /// Whether it is an exercise.
    pub exercise: bool,
    /// Consequences as paragraphs.
    pub consequences: Vec<String>,
    /// Actions as paragraphs.
    pub actions: Vec<String>,
    /// Resources as paragraphs.
    pub resources: Vec<String>,
    /// The assessment as paragraphs (empty when none).
    pub assessment: Vec<String>,
    /// The confidence label, or empty.
    pub confidence: String,
    /// "anna, 2026-11-29 14:02", or empty.
    pub assessed_by: String,
    /// The link (http/https), or empty.
    pub link: String,
    /// Its sources.
    pub sources: Vec<EventSourceView>,
}

/// One source of an event.
#[derive(Debug, Clone, Serialize)]
pub struct EventSourceView {
    /// The source's name.
    pub name: String,
    /// Its URL for the item (http/https), or empty.
    pub url: String,
    /// When it first served the item.
    pub seen: String,
}

/// What changed.
#[derive(Debug, Clone, Serialize)]
pub struct ChangesView {
    /// Whether there was a previous edition to compare with.
    pub has_previous: bool,
    /// Whether anything changed.
    pub any: bool,
    /// New events.
    pub new: Vec<ChangeView>,
    /// Escalated.
    pub escalated: Vec<ChangeView>,
    /// De-escalated.
    pub deescalated: Vec<ChangeView>,
    /// Closed.
    pub closed: Vec<ChangeView>,
    /// Level changes: "Olyckor: Normal → Förhöjd".
    pub levels: Vec<String>,
}

/// One changed event.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeView {
    /// Title.
    pub title: String,
    /// "Medel → Hög", "larmet återkallat", or empty.
    pub detail: String,
}

/// One source in the appendix.
#[derive(Debug, Clone, Serialize)]
pub struct SourceView {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// `ok`, `failing` or `silent`.
    pub health: &'static str,
    /// Its label.
    pub health_label: String,
    /// Items in the period.
    pub items: usize,
    /// Polls in the period.
    pub polls: u32,
    /// Failed polls in the period.
    pub failed_polls: u32,
    /// The days with failures: "tis 24/11, ons 25/11", or empty.
    pub error_days: String,
    /// Last success, or the "none" label.
    pub last_success: String,
    /// "2026-11-28 03:00: timeout", or empty.
    pub last_error: String,
}

/// The counts table.
#[derive(Debug, Clone, Serialize)]
pub struct CountsView {
    /// Column headings: "mån 23/11".
    pub days: Vec<String>,
    /// One row per section.
    pub rows: Vec<CountRowView>,
    /// The all-items row.
    pub totals: CountRowView,
}

/// One row of the counts table.
#[derive(Debug, Clone, Serialize)]
pub struct CountRowView {
    /// The section's heading.
    pub heading: String,
    /// Per day.
    pub per_day: Vec<usize>,
    /// Sum.
    pub total: usize,
}

/// A UTC time in Stockholm time, `2026-11-25 11:00`.
fn local(t: DateTime<Utc>) -> String {
    crate::time::local_time(t)
}

fn line(s: &str) -> String {
    sanitize_line(s, MAX_LINE)
}

/// Untrusted text as paragraphs: cleaned, split at blank lines, each paragraph's lines joined.
pub fn paragraphs(s: &str) -> Vec<String> {
    let text = sanitize_text(s, MAX_TEXT);
    text.split("\n\n")
        .map(|p| {
            p.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|p| !p.is_empty())
        .collect()
}

/// The link when it is an absolute http or https URL, else empty.
pub fn web_link(link: Option<&str>) -> String {
    link.and_then(|l| Url::parse(l.trim()).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .map(|u| u.to_string())
        .unwrap_or_default()
}

fn severity_code(s: Option<Severity>) -> &'static str {
    s.map(Severity::as_str).unwrap_or("none")
}

impl BriefView {
    /// The view of `doc` in the language of `labels`.
    pub fn new(doc: &Briefing, lang: BriefLang, labels: &Labels) -> BriefView {
        let l = |key: &str| labels.get(key).to_string();
        let level_label = |level: Level| l(&format!("level_{}", level.as_str()));
        let severity_label = |s: Option<Severity>| l(&format!("severity_{}", severity_code(s)));
        let heading = |key: &str| l(&format!("section_{key}"));
        let stamp = |s: &crate::curation::Stamp| format!("{}, {}", line(&s.author), local(s.at));

        let numbers: std::collections::HashMap<&str, usize> = doc
            .events
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.as_str(), i + 1))
            .collect();
        let event_ref = |id: &String| {
            let number = numbers.get(id.as_str()).copied()?;
            let event = doc.events.get(number - 1)?;
            Some(EventRef {
                number,
                title: line(&event.title),
                anchor: format!("e{number}"),
            })
        };
        let section_view = |s: &super::document::Section| SectionView {
            key: s.key.clone(),
            heading: heading(&s.key),
            level: s.level.as_str(),
            level_label: level_label(s.level),
            suggested_label: level_label(s.suggested),
            differs: s.level != s.suggested,
            items_in_period: s.items_in_period,
            events: s.events.iter().filter_map(event_ref).collect(),
        };
        let areas = doc
            .sections
            .iter()
            .filter(|s| s.kind == SectionKind::Focus)
            .map(section_view)
            .collect();
        let values = doc
            .sections
            .iter()
            .filter(|s| {
                s.kind == SectionKind::Value && (!s.events.is_empty() || s.level != Level::Normal)
            })
            .map(section_view)
            .collect();

        let events = doc
            .events
            .iter()
            .enumerate()
            .map(|(i, e)| event_view(i + 1, e, labels))
            .collect();

        let change = |c: &Change| {
            let detail = match (&c.reason, c.before, c.after) {
                (Some(reason), _, _) => l(&format!("closed_{reason}")),
                (None, Some(_), Some(_)) | (None, None, Some(_)) | (None, Some(_), None)
                    if c.before != c.after =>
                {
                    format!("{} → {}", severity_label(c.before), severity_label(c.after))
                }
                _ => String::new(),
            };
            ChangeView {
                title: line(&c.title),
                detail,
            }
        };
        let changes = ChangesView {
            has_previous: doc.previous.is_some(),
            any: !doc.changes.is_empty(),
            new: doc.changes.new.iter().map(change).collect(),
            escalated: doc.changes.escalated.iter().map(change).collect(),
            deescalated: doc.changes.deescalated.iter().map(change).collect(),
            closed: doc.changes.closed.iter().map(change).collect(),
            levels: doc
                .changes
                .levels
                .iter()
                .map(|c| {
                    format!(
                        "{}: {} → {}",
                        heading(&c.section),
                        level_label(c.before),
                        level_label(c.after)
                    )
                })
                .collect(),
        };

        let sources = doc
            .sources
            .iter()
            .map(|s| {
                let health = if s.failing {
                    "failing"
                } else if s.silent {
                    "silent"
                } else {
                    "ok"
                };
                SourceView {
                    name: line(&s.name),
                    kind: line(&s.kind),
                    health,
                    health_label: l(&format!("health_{health}")),
                    items: s.items_in_period,
                    polls: s.polls,
                    failed_polls: s.failed_polls,
                    error_days: s
                        .error_days
                        .iter()
                        .map(|d| day_label(*d, labels))
                        .collect::<Vec<_>>()
                        .join(", "),
                    last_success: s.last_success.map(local).unwrap_or_else(|| l("none")),
                    last_error: match (&s.last_error, s.last_error_at) {
                        (Some(e), Some(at)) => format!("{}: {}", local(at), line(e)),
                        (Some(e), None) => line(e),
                        _ => String::new(),
                    },
                }
            })
            .collect();

        let counts = CountsView {
            days: doc
                .counts
                .days
                .iter()
                .map(|d| day_label(*d, labels))
                .collect(),
            rows: doc
                .counts
                .rows
                .iter()
                .map(|r| CountRowView {
                    heading: heading(&r.section),
                    per_day: r.per_day.clone(),
                    total: r.total,
                })
                .collect(),
            totals: CountRowView {
                heading: l("all_items"),
                per_day: doc.counts.totals.clone(),
                total: doc.counts.totals.iter().sum(),
            },
        };

        BriefView {
            lang: lang.code(),
            labels: labels.map().clone(),
            title: title(doc, labels),
            office: line(&doc.office),
            kind: doc.kind.as_str(),
            number: doc.edition.number,
            version: doc.edition.version,
            draft: doc.state == State::Draft,
            period: format!("{} – {}", local(doc.period.from), local(doc.period.to)),
            prepared: stamp(&doc.prepared),
            approved: doc
                .approved
                .as_ref()
                .map(stamp)
                .unwrap_or_else(|| l("not_approved")),
            marking: line(&doc.marking),
            distribution: doc.distribution.iter().map(|d| line(d)).collect(),
            previous: doc.previous.map(|p| p.to_string()).unwrap_or_default(),
            key_messages: paragraphs(&doc.key_messages),
            areas,
            values,
            events,
            changes,
            sources,
            counts,
            composed: local(doc.composed_at),
        }
    }
}

/// "mån 23/11".
fn day_label(d: chrono::NaiveDate, labels: &Labels) -> String {
    format!(
        "{} {}/{}",
        labels.get(&format!("day_{}", d.weekday().number_from_monday())),
        d.day(),
        d.month()
    )
}

/// "Veckolägesbild vecka 48 2026", or "Samlad lägesbild 2026-12-01 08:00" for an incident.
pub fn title(doc: &Briefing, labels: &Labels) -> String {
    match doc.kind {
        BriefKind::Week => {
            let start = doc.period.from.with_timezone(&Stockholm);
            let week = start.iso_week();
            format!(
                "{} {} {} {}",
                labels.get("title_week"),
                labels.get("week"),
                week.week(),
                week.year()
            )
        }
        BriefKind::Incident => format!(
            "{} {}",
            labels.get("title_incident"),
            local(doc.period.from)
        ),
    }
}

fn event_view(number: usize, e: &Event, labels: &Labels) -> EventView {
    let l = |key: &str| labels.get(key).to_string();
    let (assessment, confidence, assessed_by) = match &e.assessment {
        Some(a) => (
            paragraphs(&a.text),
            a.confidence
                .map(|c| {
                    l(match c {
                        Confidence::Low => "confidence_low",
                        Confidence::Medium => "confidence_medium",
                        Confidence::High => "confidence_high",
                    })
                })
                .unwrap_or_default(),
            format!("{}, {}", line(&a.by.author), local(a.by.at)),
        ),
        None => (Vec::new(), String::new(), String::new()),
    };
    let what = {
        let p = paragraphs(&e.what);
        if p.is_empty() {
            vec![line(&e.title)]
        } else {
            p
        }
    };
    EventView {
        number,
        anchor: format!("e{number}"),
        id: line(&e.id),
        title: line(&e.title),
        what,
        when: local(e.published),
        severity: severity_code(e.severity),
        severity_label: l(&format!("severity_{}", severity_code(e.severity))),
        status_label: l(match e.status {
            Status::New => "status_new",
            Status::Watching => "status_watching",
            Status::Handled => "status_handled",
            Status::Dismissed => "status_dismissed",
        }),
        sections: e
            .sections
            .iter()
            .map(|s| l(&format!("section_{s}")))
            .collect::<Vec<_>>()
            .join(", "),
        place: e.place.as_deref().map(line).unwrap_or_default(),
        exercise: e.exercise,
        consequences: paragraphs(&e.consequences),
        actions: paragraphs(&e.actions),
        resources: paragraphs(&e.resources),
        assessment,
        confidence,
        assessed_by,
        link: web_link(e.link.as_deref()),
        sources: e
            .sources
            .iter()
            .map(|s| EventSourceView {
                name: line(&s.name),
                url: web_link(s.url.as_deref()),
                seen: local(s.first_seen),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_links_survive() {
        assert_eq!(web_link(Some("https://x.se/a?b=1")), "https://x.se/a?b=1");
        assert_eq!(web_link(Some("javascript:alert(1)")), "");
        assert_eq!(web_link(Some("data:text/html,<script>")), "");
        assert_eq!(web_link(Some("file:///etc/passwd")), "");
        assert_eq!(web_link(Some("//x.se/a")), "");
        assert_eq!(web_link(None), "");
    }

    #[test]
    fn paragraphs_split_at_blank_lines_and_lose_control_characters() {
        let p = paragraphs("Ett\ntvå\n\n\u{1b}[2Jtre\u{202e}\n\n\n");
        // Only the ESC goes (normalise::text): "[2J" is harmless text once it has.
        assert_eq!(p, ["Ett två", "[2Jtre"]);
    }
}
