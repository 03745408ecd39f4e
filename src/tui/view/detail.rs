//! The detail screen: everything known about one item, as scrollable lines wrapped to the
//! width: title, marks, handling state, times, source and place, link, the full text, every
//! sighting, the alert history, the tags with their evidence (why tagged), every annotation
//! version and every decision.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::curation::Action;
use crate::item::MatchHow;
use crate::time::local_time;
use crate::tui::app::App;
use crate::tui::data::Detail;
use crate::tui::i18n::{self, T};
use crate::tui::safe;
use crate::tui::theme::Theme;

/// Lines wrapped to a width.
pub(crate) struct Out {
    pub(crate) lines: Vec<Line<'static>>,
    pub(crate) width: usize,
    pub(crate) theme: Theme,
}

impl Out {
    pub(crate) fn new(width: usize, theme: Theme) -> Out {
        Out {
            lines: Vec::new(),
            width: width.max(1),
            theme,
        }
    }

    /// A section heading after a blank line.
    pub(crate) fn heading(&mut self, text: &str) {
        self.lines.push(Line::raw(""));
        let rule = format!("── {text} ");
        let fill = self.width.saturating_sub(safe::width(&rule));
        self.lines.push(Line::styled(
            safe::truncate(&format!("{rule}{}", "─".repeat(fill)), self.width),
            self.theme.heading(),
        ));
    }

    /// Safe multi-line text, wrapped, every line indented by `indent`.
    pub(crate) fn para(&mut self, text: &str, indent: usize, style: Style) {
        let pad = " ".repeat(indent);
        for l in safe::wrap(&safe::text(text), self.width.saturating_sub(indent)) {
            self.lines.push(Line::styled(format!("{pad}{l}"), style));
        }
    }

    /// `label: value`, the value wrapped under itself.
    pub(crate) fn field(&mut self, label: &str, value: &str, style: Style) {
        let head = format!("{label}: ");
        let indent = safe::width(&head);
        let wrapped = safe::wrap(
            &safe::line(value),
            self.width.saturating_sub(indent).max(10),
        );
        for (i, l) in wrapped.into_iter().enumerate() {
            let first = if i == 0 {
                head.clone()
            } else {
                " ".repeat(indent)
            };
            self.lines.push(Line::from(vec![
                Span::styled(first, self.theme.dim()),
                Span::styled(l, style),
            ]));
        }
    }
}

/// The detail screen's lines for the app's current item.
pub fn lines(app: &App, width: usize) -> Vec<Line<'static>> {
    let mut out = Out::new(width, app.theme);
    match app.detail.as_ref().and_then(|d| d.data.as_deref()) {
        Some(d) => detail(&mut out, app, d),
        None => out.para(T::Loading.get(app.lang()), 1, app.theme.dim()),
    }
    out.lines
}

fn detail(out: &mut Out, app: &App, d: &Detail) {
    let lang = app.lang();
    let t = app.theme;
    let item = &d.item;
    out.para(&safe::line(&item.title), 0, t.heading());
    let mut marks = Vec::new();
    if item.is_exercise() {
        marks.push(Span::styled(
            format!("{} ", T::Exercise.get(lang)),
            t.exercise(),
        ));
    }
    if let Some(l) = item.lifecycle(app.now) {
        marks.push(Span::styled(
            format!("[{}] ", i18n::lifecycle(lang, l)),
            t.dim(),
        ));
    }
    if item.local.is_some() {
        marks.push(Span::styled(
            format!("◆ {} ", T::Local.get(lang)),
            t.local_mark(),
        ));
    }
    if !marks.is_empty() {
        out.lines.push(Line::from(marks));
    }
    let sev = item.effective_severity();
    let sev_text = sev.map_or("–", |s| i18n::severity(lang, s));
    out.lines.push(Line::from(vec![
        Span::styled(format!("{}: ", T::Severity.get(lang)), t.dim()),
        Span::styled(sev_text.to_string(), t.severity(sev)),
        Span::styled(format!("  {}: ", T::Status.get(lang)), t.dim()),
        Span::raw(i18n::status(lang, d.state.status).to_string()),
        Span::raw(if d.state.in_briefing {
            format!("  ★ {}", T::InBriefing.get(lang))
        } else {
            String::new()
        }),
    ]));
    let ack = match &d.state.acknowledged {
        Some(s) => format!(
            "✓ {} {} {}",
            T::AckedBy.get(lang),
            safe::line(&s.author),
            local_time(s.at)
        ),
        None => format!("· {}", T::NotAcked.get(lang)),
    };
    out.para(
        &ack,
        0,
        if d.state.acknowledged.is_some() {
            t.ok()
        } else {
            t.normal()
        },
    );
    out.field(
        T::Published.get(lang),
        &local_time(item.published),
        t.normal(),
    );
    out.field(
        T::FirstSeen.get(lang),
        &local_time(item.first_seen),
        t.normal(),
    );
    if let Some(u) = item.updated {
        out.field(T::Updated.get(lang), &local_time(u), t.normal());
    }
    out.field(
        T::Source.get(lang),
        &format!("{} ({})", item.source, item.kind),
        t.normal(),
    );
    let place = item.location.as_ref().and_then(|l| l.name.clone());
    if let Some(p) = place {
        out.field(T::Place.get(lang), &p, t.normal());
    }
    if !item.areas.is_empty() {
        out.field(T::Area.get(lang), &item.areas.join(", "), t.normal());
    }
    if let Some(m) = &item.local {
        let how = match m.how {
            MatchHow::Geocode => T::Geocode,
            MatchHow::Shape => T::Shape,
            MatchHow::Distance => T::Distance,
            MatchHow::Name => T::Name,
        };
        let km = m
            .distance_km
            .map(|k| format!(" ({k:.1} km)"))
            .unwrap_or_default();
        out.field(
            T::LocalBy.get(lang),
            &format!("{} {}{km}", how.get(lang), m.place),
            t.local_mark(),
        );
    }
    if let Some(url) = &item.url {
        out.field(T::Link.get(lang), url, t.key());
    }
    out.heading(T::Text.get(lang));
    if !item.summary.is_empty() {
        out.para(&item.summary, 0, t.normal());
    }
    if !item.body.is_empty() && item.body != item.summary {
        out.lines.push(Line::raw(""));
        out.para(&item.body, 0, t.normal());
    }
    out.heading(T::Sightings.get(lang));
    for s in &item.sightings {
        let mut text = format!(
            "{} · {} – {}",
            s.source,
            local_time(s.first_seen),
            local_time(s.last_seen),
        );
        if let Some(url) = &s.url {
            text.push_str(" · ");
            text.push_str(url);
        }
        out.para(&text, 1, t.normal());
    }
    if let Some(alert) = &item.alert {
        out.heading(T::AlertHistory.get(lang));
        for e in &alert.history {
            let sev = e.severity.map_or("–", |s| i18n::severity(lang, s));
            let text = format!(
                "{} · {} · {sev} · {}",
                local_time(e.sent),
                e.msg_type.as_str(),
                e.headline
            );
            out.para(&text, 1, t.normal());
        }
    }
    tags(out, app, d);
    annotations(out, app, d);
    out.heading(T::Decisions.get(lang));
    for dec in &d.decisions {
        if matches!(dec.action, Action::Annotate { .. }) {
            continue;
        }
        let text = format!(
            "{} · {} · {}",
            local_time(dec.at),
            dec.author,
            i18n::action(lang, &dec.action)
        );
        out.para(&text, 1, t.normal());
    }
}

fn tags(out: &mut Out, app: &App, d: &Detail) {
    let lang = app.lang();
    let t = app.theme;
    out.heading(T::TagsEvidence.get(lang));
    for tag in &d.tags {
        let mut why = Vec::new();
        if tag.manual {
            let who = tag.author.clone().unwrap_or_default();
            let when = tag.at.map(local_time).unwrap_or_default();
            why.push(format!("{} ({who} {when})", T::Manual.get(lang)));
        }
        for r in &tag.rules {
            why.push(format!("{} {r}", T::Rule.get(lang)));
        }
        out.para(&format!("{} · {}", tag.tag, why.join(", ")), 1, t.heading());
        for m in d
            .item
            .tagging
            .matches
            .iter()
            .filter(|m| tag.rules.contains(&m.rule))
        {
            for e in &m.evidence {
                let text = format!(
                    "{}: {} · {} · «{}» ({:+}, {}×)",
                    m.rule, e.term, e.field, e.text, e.weight, e.count
                );
                out.para(&text, 4, t.dim());
            }
        }
    }
    for o in &d.removed {
        let text = format!(
            "-{} · {} {} {}",
            o.tag,
            T::RemovedBy.get(lang),
            o.author,
            local_time(o.at)
        );
        out.para(&text, 1, t.dim());
    }
}

fn annotations(out: &mut Out, app: &App, d: &Detail) {
    let lang = app.lang();
    let t = app.theme;
    out.heading(T::Annotations.get(lang));
    let versions: Vec<_> = d
        .decisions
        .iter()
        .filter_map(|dec| match &dec.action {
            Action::Annotate { annotation } => Some((dec, annotation)),
            _ => None,
        })
        .collect();
    for (n, (dec, a)) in versions.iter().enumerate().rev() {
        let head = format!(
            "{} {} · {} {} · {}: {} · {}: {}",
            T::Version.get(lang),
            n + 1,
            dec.author,
            local_time(dec.at),
            T::ConfidenceL.get(lang),
            i18n::confidence(lang, a.confidence),
            T::RelevanceL.get(lang),
            i18n::relevance(lang, a.relevance),
        );
        out.para(
            &head,
            1,
            if n + 1 == versions.len() {
                t.heading()
            } else {
                t.dim()
            },
        );
        if !a.note.is_empty() {
            out.para(&format!("{}:", T::Note.get(lang)), 3, t.dim());
            out.para(&a.note, 5, t.normal());
        }
        if !a.assessment.is_empty() {
            out.para(&format!("{}:", T::Assessment.get(lang)), 3, t.dim());
            out.para(&a.assessment, 5, t.normal());
        }
    }
}
