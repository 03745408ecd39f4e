//! Composing editions: starting one, editing it, approving it, and resolving it into the
//! document that is exported. [`Briefs`] is the one way in for the CLI and the dashboard, so
//! both follow the same rules: only the latest version of a number changes, an edit to an
//! approved version makes a new version, and approval freezes the resolved document.

use crate::audit::AuditEvent;
use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::changes;
use super::document::{
    Assessment, Briefing, CountRow, Counts, Event, EventSource, SCHEMA, SECTIONS, Section,
    SectionDef, SourceHealth, State,
};
use super::edition::{BriefKind, Edition, EditionRef, Period};
use super::period;
use super::suggest::{SeverityCounts, suggest};
use crate::config::{BriefConfig, Config};
use crate::curation::{ItemState, Stamp};
use crate::item::Item;
use crate::normalise::text::sanitize_text;
use crate::store::{Store, StoreError};
use crate::tags::{TagOverride, effective, tag_under};

/// The most of an item's body kept as "what happened" when it has no summary.
const WHAT_MAX_CHARS: usize = 1_200;

/// Why a briefing operation failed.
#[derive(Debug, thiserror::Error)]
pub enum BriefError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No edition has this number (or version).
    #[error("no briefing edition {0} (editions are listed by `lage brief list`)")]
    Unknown(String),
    /// The version asked for is approved and cannot be approved again.
    #[error("edition {0} is already approved; edit it to start a new version")]
    AlreadyApproved(EditionRef),
    /// An older version was named where only the latest can change.
    #[error(
        "edition {given} is not the latest version ({latest}); only the latest version can change"
    )]
    NotLatest {
        /// The version named.
        given: EditionRef,
        /// The latest.
        latest: EditionRef,
    },
    /// An item id that the store does not have.
    #[error("no item with id '{0}' in the store (ids are listed by `lage items`)")]
    UnknownItem(String),
    /// An item that is not in the edition.
    #[error("item '{0}' is not in this edition")]
    NotInEdition(String),
    /// An export failed.
    #[error(transparent)]
    Render(#[from] super::render::RenderError),
    /// An export could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or directory.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A section key that does not exist.
    #[error("unknown section '{0}': expected one of {1}")]
    UnknownSection(String, String),
}

/// What composing needs from the config: the office's briefing settings and the sources.
pub struct Settings<'a> {
    /// `[brief]`.
    pub brief: &'a BriefConfig,
    /// The configured sources, for names and the health appendix.
    pub config: &'a Config,
}

/// The briefings of one store.
pub struct Briefs<'a> {
    store: &'a Store,
    settings: Settings<'a>,
}

impl<'a> Briefs<'a> {
    /// Briefings kept in `store`, composed with `config`.
    pub fn new(store: &'a Store, config: &'a Config) -> Briefs<'a> {
        Briefs {
            store,
            settings: Settings {
                brief: &config.brief,
                config,
            },
        }
    }

    /// Starts a new edition: the next number, version 1, the office's marking and distribution,
    /// the latest approved edition of the same kind as its previous one, and the items already
    /// picked for the briefing in its period. Stored and flushed before it returns.
    pub fn create(
        &self,
        kind: BriefKind,
        period: Period,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Edition, BriefError> {
        let numbers = self.numbers()?;
        let number = numbers.first().copied().unwrap_or(0) + 1;
        let mut previous = None;
        for n in numbers {
            if let Some(e) = self.latest_approved(n)?
                && e.kind == kind
            {
                previous = Some(e.reference());
                break;
            }
        }
        let stamp = Stamp {
            author: by.to_string(),
            at: now,
        };
        let mut edition = Edition {
            number,
            version: 1,
            kind,
            period,
            prepared: stamp.clone(),
            updated: stamp,
            approved: None,
            marking: self.settings.brief.marking.clone(),
            distribution: self.settings.brief.distribution.clone(),
            previous,
            key_messages: String::new(),
            levels: BTreeMap::new(),
            items: Vec::new(),
            excluded: Vec::new(),
            notes: BTreeMap::new(),
            frozen: None,
        };
        edition.take_picks(self.picks(&edition.period)?);
        self.store.put_edition(&edition)?;
        Ok(edition)
    }

    /// Every edition's latest version, newest number first.
    pub fn list(&self) -> Result<Vec<Edition>, BriefError> {
        let mut out = Vec::new();
        for n in self.numbers()? {
            out.extend(self.store.latest_edition(n)?);
        }
        Ok(out)
    }

    /// Every version of edition `number`, oldest first.
    pub fn versions(&self, number: u32) -> Result<Vec<Edition>, BriefError> {
        Ok(self.store.edition_versions(number)?)
    }

    /// The edition named `N` (its latest version) or `N.V`.
    pub fn get(&self, id: &EditionId) -> Result<Edition, BriefError> {
        let found = match id.version {
            Some(version) => self.store.edition(EditionRef {
                number: id.number,
                version,
            })?,
            None => self.store.latest_edition(id.number)?,
        };
        found.ok_or_else(|| BriefError::Unknown(id.to_string()))
    }

    /// Changes the latest version of edition `id` with `change`, and stores it. An approved
    /// version is not touched: the change goes into a new version. Items picked in the
    /// dashboard since the last edit are taken in first, so the order the analyst sets covers
    /// them.
    pub fn edit(
        &self,
        id: &EditionId,
        by: &str,
        now: DateTime<Utc>,
        change: impl FnOnce(&mut Edition) -> Result<(), BriefError>,
    ) -> Result<Edition, BriefError> {
        let latest = self.latest_of(id)?;
        let stamp = Stamp {
            author: by.to_string(),
            at: now,
        };
        let mut edition = if latest.is_approved() {
            latest.next_version(stamp.clone())
        } else {
            latest
        };
        edition.take_picks(self.picks(&edition.period)?);
        change(&mut edition)?;
        edition.updated = stamp;
        self.store.put_edition(&edition)?;
        Ok(edition)
    }

    /// Adds items (checked to exist) to edition `id`.
    pub fn add(
        &self,
        id: &EditionId,
        items: &[String],
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Edition, BriefError> {
        for item in items {
            if self.store.item(item)?.is_none() {
                return Err(BriefError::UnknownItem(item.clone()));
            }
        }
        self.edit(id, by, now, |e| {
            e.add_items(items);
            Ok(())
        })
    }

    /// Removes items from edition `id`; they stay out even though they are picked.
    pub fn remove(
        &self,
        id: &EditionId,
        items: &[String],
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Edition, BriefError> {
        self.edit(id, by, now, |e| {
            if let Some(missing) = items.iter().find(|i| !e.items.contains(i)) {
                return Err(BriefError::NotInEdition(missing.clone()));
            }
            e.remove_items(items);
            Ok(())
        })
    }

    /// Approves the latest version of edition `id`: resolves the document now, freezes it into
    /// the edition, and stores it. Later exports of this version render the frozen document.
    pub fn approve(
        &self,
        id: &EditionId,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Edition, BriefError> {
        let mut edition = self.latest_of(id)?;
        if edition.is_approved() {
            return Err(BriefError::AlreadyApproved(edition.reference()));
        }
        edition.take_picks(self.picks(&edition.period)?);
        edition.approved = Some(Stamp {
            author: by.to_string(),
            at: now,
        });
        let doc = self.compose(&edition, now)?;
        edition.frozen = Some(Box::new(doc));
        self.store.put_edition(&edition)?;
        self.store.audit().record(AuditEvent::BriefApproved {
            user: by.to_string(),
            edition: edition.reference().to_string(),
        });
        Ok(edition)
    }

    /// The document of an edition: the frozen one when approved, else resolved now (with the
    /// items picked since the last edit taken in, without storing anything).
    pub fn document(&self, edition: &Edition, now: DateTime<Utc>) -> Result<Briefing, BriefError> {
        if let Some(frozen) = &edition.frozen {
            return Ok((**frozen).clone());
        }
        let mut draft = edition.clone();
        draft.take_picks(self.picks(&draft.period)?);
        self.compose(&draft, now)
    }

    /// The approved editions up to and including `upto` (by number), newest first, at most
    /// `limit`: what the Atom feed carries.
    pub fn approved_upto(&self, upto: u32, limit: usize) -> Result<Vec<Briefing>, BriefError> {
        let mut out = Vec::new();
        for n in self.numbers()?.into_iter().filter(|n| *n <= upto) {
            if out.len() == limit {
                break;
            }
            if let Some(doc) = self.latest_approved(n)?.and_then(|e| e.frozen) {
                out.push(*doc);
            }
        }
        Ok(out)
    }

    /// Every edition number, highest first.
    fn numbers(&self) -> Result<Vec<u32>, BriefError> {
        let mut numbers: Vec<u32> = self
            .store
            .edition_refs()?
            .iter()
            .map(|r| r.number)
            .collect();
        numbers.dedup();
        numbers.reverse();
        Ok(numbers)
    }

    /// The latest approved version of edition `number`: the latest version, or the one before
    /// it when the latest is a draft (only the latest version can be one).
    fn latest_approved(&self, number: u32) -> Result<Option<Edition>, BriefError> {
        let Some(latest) = self.store.latest_edition(number)? else {
            return Ok(None);
        };
        if latest.is_approved() {
            return Ok(Some(latest));
        }
        let Some(before) = latest.version.checked_sub(1).filter(|v| *v > 0) else {
            return Ok(None);
        };
        Ok(self
            .store
            .edition(EditionRef {
                number,
                version: before,
            })?
            .filter(Edition::is_approved))
    }

    fn latest_of(&self, id: &EditionId) -> Result<Edition, BriefError> {
        let latest = self
            .store
            .latest_edition(id.number)?
            .ok_or_else(|| BriefError::Unknown(id.to_string()))?;
        if let Some(version) = id.version
            && version != latest.version
        {
            return Err(BriefError::NotLatest {
                given: EditionRef {
                    number: id.number,
                    version,
                },
                latest: latest.reference(),
            });
        }
        Ok(latest)
    }

    /// Items whose latest briefing decision includes them, published in the period or picked
    /// in it (an ongoing event from before the period that the analyst picks this week belongs
    /// in this week's picture), most severe first, then oldest first.
    fn picks(&self, period: &Period) -> Result<Vec<String>, BriefError> {
        let mut by_item: HashMap<String, Vec<crate::curation::Decision>> = HashMap::new();
        for (id, d) in self.store.all_decisions()? {
            if matches!(d.action, crate::curation::Action::Briefing { .. }) {
                by_item.entry(id).or_default().push(d);
            }
        }
        let mut picked = Vec::new();
        for (id, decisions) in by_item {
            let picked_at = decisions.last().map(|d| d.at);
            if !ItemState::fold(&decisions).in_briefing {
                continue;
            }
            if let Some(summary) = self.store.summary(&id)?
                && (period.contains(summary.published)
                    || picked_at.is_some_and(|t| period.contains(t)))
            {
                picked.push((std::cmp::Reverse(summary.severity), summary.published, id));
            }
        }
        picked.sort();
        Ok(picked.into_iter().map(|(_, _, id)| id).collect())
    }

    /// Resolves an edition against the store now.
    fn compose(&self, edition: &Edition, now: DateTime<Utc>) -> Result<Briefing, BriefError> {
        let mut events = Vec::with_capacity(edition.items.len());
        for id in &edition.items {
            // Items are never deleted; an id that is gone was never stored and is skipped.
            if let Some(item) = self.store.item(id)? {
                events.push(self.event(&item, edition, now)?);
            }
        }
        let overrides = group_overrides(self.store.all_tag_overrides()?);
        let stats = self.period_stats(&edition.period, &overrides)?;
        let sections: Vec<Section> = SECTIONS
            .iter()
            .zip(&stats.sections)
            .map(|(def, counts)| Section {
                key: def.key.to_string(),
                kind: def.kind,
                level: edition.level(def.key),
                suggested: suggest(counts),
                items_in_period: counts.total,
                max_severity: counts.max(),
                events: events
                    .iter()
                    .filter(|e| e.sections.iter().any(|s| s == def.key))
                    .map(|e| e.id.clone())
                    .collect(),
            })
            .collect();
        let previous = match edition.previous {
            Some(r) => self.store.edition(r)?.and_then(|e| e.frozen),
            None => None,
        };
        let changes = previous
            .as_deref()
            .map(|p| changes::compare(&events, &sections, p))
            .unwrap_or_default();
        let sources = self.source_health(&edition.period, &stats.per_source)?;
        Ok(Briefing {
            schema: SCHEMA.to_string(),
            office: self.settings.brief.office.clone(),
            kind: edition.kind,
            edition: edition.reference(),
            state: if edition.is_approved() {
                State::Approved
            } else {
                State::Draft
            },
            period: edition.period.clone(),
            prepared: edition.prepared.clone(),
            approved: edition.approved.clone(),
            marking: edition.marking.clone(),
            distribution: edition.distribution.clone(),
            previous: edition.previous,
            key_messages: edition.key_messages.clone(),
            sections,
            events,
            changes,
            sources,
            counts: stats.counts,
            composed_at: now,
        })
    }

    fn event(
        &self,
        item: &Item,
        edition: &Edition,
        now: DateTime<Utc>,
    ) -> Result<Event, BriefError> {
        let state = ItemState::fold(&self.store.decisions(&item.id)?);
        let overrides = self.store.tag_overrides(&item.id)?;
        let (tags, _) = effective(&item.tagging, &overrides);
        let tag_names: Vec<&str> = tags.iter().map(|t| t.tag.as_str()).collect();
        let notes = edition.notes.get(&item.id).cloned().unwrap_or_default();
        let what = if item.summary.trim().is_empty() {
            sanitize_text(&item.body, WHAT_MAX_CHARS)
        } else {
            item.summary.clone()
        };
        let place = item
            .location
            .as_ref()
            .and_then(|l| l.name.clone())
            .or_else(|| item.local.as_ref().map(|l| l.place.clone()))
            .or_else(|| (!item.areas.is_empty()).then(|| item.areas.join(", ")));
        Ok(Event {
            id: item.id.clone(),
            title: item.title.clone(),
            what,
            published: item.published,
            severity: item.effective_severity(),
            status: state.status,
            lifecycle: item.lifecycle(now),
            exercise: item.is_exercise(),
            sections: sections_of(&tag_names),
            place,
            local: item.local.is_some(),
            consequences: notes.consequences,
            actions: notes.actions,
            resources: notes.resources,
            // An annotation with only a relevance says nothing to print.
            assessment: state
                .annotation
                .filter(|(a, _)| !a.assessment.trim().is_empty() || !a.note.trim().is_empty())
                .map(|(a, by)| Assessment {
                    text: a.assessment,
                    confidence: a.confidence,
                    relevance: a.relevance,
                    note: a.note,
                    by,
                }),
            link: item.url.clone(),
            sources: item
                .sightings
                .iter()
                .map(|s| EventSource {
                    source: s.source.clone(),
                    name: self.source_name(&s.source),
                    url: s.url.clone(),
                    first_seen: s.first_seen,
                })
                .collect(),
        })
    }

    fn source_name(&self, id: &str) -> String {
        self.settings
            .config
            .source(id)
            .map(|s| s.name.clone())
            .unwrap_or_else(|| id.to_string())
    }

    /// One scan of the period's summaries: per section severity counts, per section and day
    /// counts, and items per source.
    fn period_stats(
        &self,
        period: &Period,
        overrides: &HashMap<String, Vec<TagOverride>>,
    ) -> Result<PeriodStats, BriefError> {
        let days = period::days(period);
        let day_index: HashMap<chrono::NaiveDate, usize> =
            days.iter().enumerate().map(|(i, d)| (*d, i)).collect();
        let mut sections = vec![SeverityCounts::default(); SECTIONS.len()];
        let mut rows = vec![vec![0usize; days.len()]; SECTIONS.len()];
        let mut totals = vec![0usize; days.len()];
        let mut per_source: HashMap<String, usize> = HashMap::new();
        for summary in self.store.summaries_between(period.from, period.to) {
            let summary = summary?;
            if !period.contains(summary.published) {
                continue;
            }
            for source in &summary.sources {
                *per_source.entry(source.clone()).or_default() += 1;
            }
            if summary.exercise || summary.cancelled {
                continue;
            }
            let tags = effective_tag_names(&summary.tags, overrides.get(&summary.id));
            let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
            let day = day_index
                .get(&crate::time::local_date(summary.published))
                .copied();
            if let Some(d) = day
                && let Some(t) = totals.get_mut(d)
            {
                *t += 1;
            }
            for (i, def) in SECTIONS.iter().enumerate() {
                if !in_section(&tags, def) {
                    continue;
                }
                sections[i].add(summary.severity);
                if let Some(d) = day
                    && let Some(c) = rows[i].get_mut(d)
                {
                    *c += 1;
                }
            }
        }
        let rows = SECTIONS
            .iter()
            .zip(rows)
            .map(|(def, per_day)| CountRow {
                section: def.key.to_string(),
                total: per_day.iter().sum(),
                per_day,
            })
            .collect();
        Ok(PeriodStats {
            sections,
            per_source,
            counts: Counts { days, rows, totals },
        })
    }

    fn source_health(
        &self,
        period: &Period,
        per_source: &HashMap<String, usize>,
    ) -> Result<Vec<SourceHealth>, BriefError> {
        let mut out = Vec::new();
        for source in &self.settings.config.sources {
            let state = self.store.source_state(&source.id)?;
            let failing = state.consecutive_failures > 0;
            let days = self.store.poll_days(
                &source.id,
                crate::time::local_date(period.from),
                crate::time::local_date(period.to - chrono::Duration::milliseconds(1)),
            )?;
            let error_relevant = failing || state.last_error_at.is_some_and(|t| period.contains(t));
            out.push(SourceHealth {
                id: source.id.clone(),
                name: source.name.clone(),
                kind: source.kind.clone(),
                items_in_period: per_source.get(&source.id).copied().unwrap_or(0),
                polls: days.iter().map(|(_, d)| d.polls()).sum(),
                failed_polls: days.iter().map(|(_, d)| d.errors).sum(),
                error_days: days
                    .iter()
                    .filter(|(_, d)| d.errors > 0)
                    .map(|(day, _)| *day)
                    .collect(),
                last_success: state.last_success,
                last_error: state.last_error.clone().filter(|_| error_relevant),
                last_error_at: state.last_error_at.filter(|_| error_relevant),
                failing,
                silent: state.last_success.is_none_or(|t| t < period.from),
            });
        }
        Ok(out)
    }
}

struct PeriodStats {
    sections: Vec<SeverityCounts>,
    per_source: HashMap<String, usize>,
    counts: Counts,
}

fn in_section(tags: &[&str], def: &SectionDef) -> bool {
    tags.iter().any(|t| tag_under(t, def.tag))
}

/// The section keys these tags put an item in.
fn sections_of(tags: &[&str]) -> Vec<String> {
    SECTIONS
        .iter()
        .filter(|def| in_section(tags, def))
        .map(|def| def.key.to_string())
        .collect()
}

fn group_overrides(all: Vec<(String, TagOverride)>) -> HashMap<String, Vec<TagOverride>> {
    let mut map: HashMap<String, Vec<TagOverride>> = HashMap::new();
    for (id, o) in all {
        map.entry(id).or_default().push(o);
    }
    map
}

/// A summary's rule tags with the manual decisions applied (the latest on a tag wins).
fn effective_tag_names(rule_tags: &[String], overrides: Option<&Vec<TagOverride>>) -> Vec<String> {
    let Some(overrides) = overrides else {
        return rule_tags.to_vec();
    };
    let mut tags: HashSet<String> = rule_tags.iter().cloned().collect();
    for o in crate::tags::latest_decisions(overrides) {
        match o.action {
            crate::tags::OverrideAction::Add => {
                tags.insert(o.tag.clone());
            }
            crate::tags::OverrideAction::Remove => {
                tags.remove(&o.tag);
            }
        }
    }
    let mut tags: Vec<String> = tags.into_iter().collect();
    tags.sort();
    tags
}

/// An edition as named on the command line: `3` (the latest version) or `3.2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EditionId {
    /// The number.
    pub number: u32,
    /// The version, when one was named.
    pub version: Option<u32>,
}

impl std::str::FromStr for EditionId {
    type Err = String;

    fn from_str(s: &str) -> Result<EditionId, String> {
        let bad =
            || format!("'{s}' is not an edition: expected a number (3) or number.version (3.2)");
        let (number, version) = match s.trim().split_once('.') {
            Some((n, v)) => (n, Some(v.parse::<u32>().map_err(|_| bad())?)),
            None => (s.trim(), None),
        };
        let number = number.parse::<u32>().map_err(|_| bad())?;
        if number == 0 || version == Some(0) {
            return Err(bad());
        }
        Ok(EditionId { number, version })
    }
}

impl std::fmt::Display for EditionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.version {
            Some(v) => write!(f, "{}.{v}", self.number),
            None => write!(f, "{}", self.number),
        }
    }
}

impl From<EditionRef> for EditionId {
    fn from(r: EditionRef) -> EditionId {
        EditionId {
            number: r.number,
            version: Some(r.version),
        }
    }
}
