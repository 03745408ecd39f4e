//! Briefing export speed: a 200-event edition over a real sled store (2,000 items in the week,
//! 200 of them picked and annotated), composed and exported in every format, as a draft (resolved
//! from the store on every export) and approved (rendered from the frozen document). Prints the
//! first, median and slowest of a few runs per format; the targets (issue 7) are Markdown and
//! HTML well under 100 ms and the PDF under 2 s. The first PDF includes parsing the fonts.
//!
//! `cargo bench --bench brief`.

use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use lage::brief::edition::BriefKind;
use lage::brief::export::export;
use lage::brief::labels::BriefLang;
use lage::brief::render::Format;
use lage::brief::{Briefs, EditionId, period};
use lage::config::{Config, Env};
use lage::curation::{Action, Annotation, Confidence, Decision};
use lage::health::SourceState;
use lage::item::{RawItem, RawText, Severity};
use lage::normalise::normalise;
use lage::store::{FetchBatch, Store};

const ITEMS: usize = 2_000;
const PICKED: usize = 200;
const RUNS: usize = 7;

const TAGS: &[&str] = &[
    "fokus/olyckor",
    "fokus/brott",
    "fokus/hot-och-våld",
    "fokus/kris",
    "fokus/säkerhetsskydd",
    "värde/trygghet",
    "värde/funktionalitet",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::TempDir::new()?;
    let config_path = dir.path().join("lage.toml");
    std::fs::write(
        &config_path,
        "[brief]\noffice = \"Farsta stadsdelsförvaltning\"\n[[source]]\nid = \"nyheter\"\nname = \"Nyheter\"\nkind = \"rss\"\nurl = \"http://127.0.0.1:9/f.xml\"\n",
    )?;
    let config = Config::load(&config_path, Env::default())?;
    let store = Store::open(&dir.path().join("data"))?;
    let week = period::week("2026-W48")?;
    let start: DateTime<Utc> = week.from;
    let severities = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Info,
    ];
    let items: Vec<_> = (0..ITEMS)
        .map(|i| {
            let published = start + Duration::minutes(i as i64 * 5);
            let mut n = normalise(
                RawItem {
                    guid: Some(format!("g{i}")),
                    link: Some(format!("https://nyheter.example.se/artikel/{i}")),
                    title: Some(RawText::plain(format!("Händelse {i}: brand i flerfamiljshus, räddningstjänsten på plats i Farsta"))),
                    summary: Some(RawText::plain("Räddningstjänsten larmades till en brand i ett flerfamiljshus. Tre personer fördes till sjukhus med lättare rökskador. Polisen utreder brandorsaken och har spärrat av området runt torget under eftermiddagen.")),
                    published: Some(published),
                    severity: Some(severities[i % severities.len()]),
                    ..RawItem::default()
                },
                "nyheter",
                "rss",
                published,
            );
            n.item.tagging.tags = vec![TAGS[i % TAGS.len()].to_string(), TAGS[(i / 7) % TAGS.len()].to_string()];
            n
        })
        .collect();
    let ids: Vec<String> = items.iter().map(|n| n.item.id.clone()).collect();
    let now = week.to;
    for chunk in items.chunks(500) {
        store.apply(&FetchBatch {
            source: "nyheter".into(),
            items: chunk.to_vec(),
            state: SourceState::default(),
            now,
            rules: None,
        })?;
    }
    for id in ids.iter().step_by(ITEMS / PICKED) {
        let decide = |action| Decision {
            action,
            author: "anna".into(),
            at: now,
        };
        store.record(id, &decide(Action::Briefing { include: true }), None)?;
        store.record(
            id,
            &decide(Action::Annotate {
                annotation: Annotation {
                    note: String::new(),
                    assessment: "Bedömningen är att händelsen inte påverkar stadens verksamhet men att oron bland boende kan öka. Följs upp med bostadsbolaget.".into(),
                    confidence: Some(Confidence::Medium),
                    relevance: None,
                },
            }),
            None,
        )?;
    }
    let briefs = Briefs::new(&store, &config);
    let edition = briefs.create(BriefKind::Week, week, "anna", now)?;
    println!(
        "edition {} with {} events over {} items in the week",
        edition.number,
        edition.items.len(),
        ITEMS
    );
    let id = EditionId {
        number: edition.number,
        version: None,
    };

    // Every run exports a document that differs from the last (new key messages), because
    // Typst memoizes: the same document typeset twice costs next to nothing the second time,
    // which no real export enjoys.
    let mut run = 0u32;
    let mut time = |label: &str,
                    approved: bool,
                    format: Option<Format>|
     -> Result<(), Box<dyn std::error::Error>> {
        let mut times: Vec<StdDuration> = Vec::with_capacity(RUNS);
        let mut size = 0;
        for _ in 0..RUNS {
            run += 1;
            let edition = briefs.edit(&id, "anna", now, |e| {
                e.key_messages = format!("Lägesbild, körning {run}.");
                Ok(())
            })?;
            let edition = if approved {
                briefs.approve(&id, "bo", now)?
            } else {
                edition
            };
            let t = Instant::now();
            size = match format {
                Some(format) => {
                    export(&briefs, &config, &edition, format, BriefLang::Sv, now)?.len()
                }
                None => briefs.document(&edition, now)?.events.len(),
            };
            times.push(t.elapsed());
        }
        let first = times[0];
        times.sort();
        println!(
            "{label:<24} first {:>8.1} ms  median {:>8.1} ms  max {:>8.1} ms  {:>8} bytes",
            ms(first),
            ms(times[RUNS / 2]),
            ms(times[RUNS - 1]),
            size
        );
        Ok(())
    };
    time("compose a draft", false, None)?;
    for format in Format::ALL {
        time(
            &format!("export {} (draft)", format.extension()),
            false,
            Some(format),
        )?;
    }
    for format in Format::ALL {
        time(
            &format!("export {} (approved)", format.extension()),
            true,
            Some(format),
        )?;
    }
    Ok(())
}

fn ms(d: StdDuration) -> f64 {
    d.as_secs_f64() * 1000.0
}
