//! Briefings end to end over a real sled store: an edition composed from picked and annotated
//! items, approved and exported in every format; golden files for Markdown, HTML and JSON in
//! Swedish and English; hostile feed text that must stay text in every format; approved exports
//! that never change; a second edition that says what changed; the Atom feed read back by
//! feed-rs and by `lage` itself from a loopback server; and the CLI as a script would use it.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use tempfile::TempDir;

use common::{FixtureServer, ingest, json_output, lage_cmd, write_config};
use lage::brief::document::{Briefing, State};
use lage::brief::edition::{BriefKind, Level};
use lage::brief::export::export;
use lage::brief::labels::{BriefLang, Labels};
use lage::brief::render::{self, Format, Templates};
use lage::brief::view::BriefView;
use lage::brief::{Briefs, EditionId, period};
use lage::config::{Config, Env};
use lage::curation::{Action, Annotation, Confidence, Decision, Relevance, Status};
use lage::item::{RawItem, RawText, Severity};
use lage::normalise::{Normalised, normalise};
use lage::store::Store;

/// A title written to break every output format at once.
const HOSTILE: &str = "<script>alert(1)</script> # Rubrik | a | b [x](javascript:alert(1)) ![i](http://evil.example/x.png) \"citat\" ```kod``` <img src=x onerror=alert(1)> =cmd|' /C calc'!A0 #set page(fill: red)";

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0)
        .single()
        .expect("valid test time")
}

const CONFIG: &str = r#"
[brief]
office = "Farsta stadsdelsförvaltning"
marking = "Begränsad delning"
distribution = ["Krisledningsgruppen", "Stadsledningskontoret"]

[[source]]
id = "nyheter"
name = "Lokala nyheter"
kind = "rss"
url = "http://127.0.0.1:9/feed.xml"

[[source]]
id = "tyst"
name = "Tyst källa"
kind = "rss"
url = "http://127.0.0.1:9/tyst.xml"
"#;

struct Fixture {
    dir: TempDir,
    store: Store,
    config: Config,
}

/// One item as the nyheter source serves it, tagged as the rules would.
fn item(
    guid: &str,
    title: &str,
    body: &str,
    severity: Option<Severity>,
    tags: &[&str],
    day: u32,
    hour: u32,
) -> Normalised {
    let mut n = normalise(
        RawItem {
            guid: Some(guid.into()),
            link: Some(format!("https://nyheter.example.se/{guid}")),
            title: Some(RawText::plain(title)),
            summary: Some(RawText::plain(body)),
            published: Some(at(day, hour)),
            severity,
            ..RawItem::default()
        },
        "nyheter",
        "rss",
        at(day, hour),
    );
    // As a rule set would tag it: a tagging without a firing rule is not stored.
    let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
    n.item.tagging.matches = vec![lage::tags::RuleMatch {
        rule: "test".into(),
        tags: tags.clone(),
        score: 1,
        threshold: 1,
        evidence: Vec::new(),
    }];
    n.item.tagging.tags = tags;
    n
}

fn decide(store: &Store, id: &str, action: Action, at: DateTime<Utc>) {
    store
        .record(
            id,
            &Decision {
                action,
                author: "anna".into(),
                at,
            },
            None,
        )
        .expect("record");
}

/// Ids of the fixture's items, by name.
struct Ids {
    fire: String,
    burglary: String,
    threat: String,
    heating: String,
    hostile: String,
}

fn fixture() -> (Fixture, Ids) {
    let dir = TempDir::new().expect("temp dir");
    let config_path = write_config(dir.path(), CONFIG);
    let config = Config::load(&config_path, Env::default()).expect("config");
    let store = Store::open(&dir.path().join("data")).expect("store");
    let ids = ingest(
        &store,
        vec![
            item(
                "brand",
                "Brand i flerfamiljshus i Farsta",
                "Räddningstjänsten släckte en brand i ett flerfamiljshus vid Farsta torg. Tre personer fördes till sjukhus med rökskador.",
                Some(Severity::High),
                &["fokus/olyckor", "värde/trygghet"],
                24,
                8,
            ),
            item(
                "inbrott",
                "Inbrottsvåg i Sköndal",
                "Polisen varnar för en serie inbrott i villor i Sköndal under veckan.",
                Some(Severity::Medium),
                &["fokus/brott", "värde/miljö-egendom"],
                25,
                9,
            ),
            item(
                "hot",
                "Hot mot personal på fritidsgård",
                "En anställd hotades av en besökare. Polisanmälan är gjord.",
                Some(Severity::High),
                &["fokus/hot-och-våld"],
                26,
                19,
            ),
            item(
                "fjarrvarme",
                "Störning i fjärrvärmen i Hökarängen",
                "Fjärrvärmen var avbruten i fyra timmar.",
                Some(Severity::Low),
                &["fokus/kris", "värde/funktionalitet"],
                27,
                6,
            ),
            item(
                "fientlig",
                HOSTILE,
                "# Inte en rubrik\n\n| inte | en tabell |\n\n```\nkod\n```\n\n<div onclick=\"x()\">html</div> & &amp; \u{1b}[2J\u{202e}",
                None,
                &["fokus/brott"],
                27,
                12,
            ),
        ],
        at(28, 12),
    );
    let [fire, burglary, threat, heating, hostile] =
        <[String; 5]>::try_from(ids).expect("five items");
    // The source's week: a failed poll on Thursday, a 304 on Friday (the ingest above counted
    // one good poll on Saturday).
    let interval = std::time::Duration::from_secs(300);
    let mut state = store.source_state("nyheter").expect("state");
    state.failed(
        at(26, 3),
        interval,
        "HTTP 503 from nyheter.example.se".into(),
        None,
    );
    store
        .put_source_state("nyheter", &state)
        .expect("failed poll");
    state.not_modified(at(27, 3), interval);
    store.put_source_state("nyheter", &state).expect("304");
    store.flush().expect("flush");
    for id in [&fire, &burglary, &hostile] {
        decide(&store, id, Action::Briefing { include: true }, at(28, 13));
    }
    decide(
        &store,
        &fire,
        Action::Annotate {
            annotation: Annotation {
                note: "Följs upp med bostadsbolaget.".into(),
                assessment: "Ingen spridningsrisk. Förhöjd oro bland boende i området.".into(),
                confidence: Some(Confidence::High),
                relevance: Some(Relevance::High),
            },
        },
        at(28, 14),
    );
    (
        Fixture { dir, store, config },
        Ids {
            fire,
            burglary,
            threat,
            heating,
            hostile,
        },
    )
}

fn week48() -> lage::brief::edition::Period {
    period::week("2026-W48").expect("week")
}

/// Edition 1: the picks, key messages, two levels, notes on the fire; approved by bo.
fn approved_first(f: &Fixture, ids: &Ids) -> EditionId {
    let briefs = Briefs::new(&f.store, &f.config);
    let e = briefs
        .create(BriefKind::Week, week48(), "anna", at(29, 9))
        .expect("create");
    let id = EditionId {
        number: e.number,
        version: None,
    };
    briefs
        .edit(&id, "anna", at(29, 10), |e| {
            e.key_messages =
                "Veckan präglades av en brand i Farsta.\n\nInbrotten i Sköndal fortsätter.".into();
            e.levels.insert("olyckor".into(), Level::Elevated);
            e.levels.insert("brott".into(), Level::Elevated);
            let notes = e.notes.entry(ids.fire.clone()).or_default();
            notes.consequences = "Tolv hushåll evakuerade.".into();
            notes.actions = "Krisstöd på plats.".into();
            notes.resources = "Två räddningsenheter.".into();
            Ok(())
        })
        .expect("edit");
    briefs.approve(&id, "bo", at(29, 11)).expect("approve");
    id
}

fn export_all(f: &Fixture, id: &EditionId, format: Format, lang: BriefLang) -> Vec<u8> {
    let briefs = Briefs::new(&f.store, &f.config);
    let edition = briefs.get(id).expect("edition");
    export(&briefs, &f.config, &edition, format, lang, at(30, 12)).expect("export")
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("UTF-8")
}

#[test]
fn golden_markdown_html_and_json_in_swedish_and_english() {
    let (f, ids) = fixture();
    let id = approved_first(&f, &ids);
    for (lang, name) in [(BriefLang::Sv, "sv"), (BriefLang::En, "en")] {
        insta::assert_snapshot!(
            format!("md_{name}"),
            text(export_all(&f, &id, Format::Markdown, lang))
        );
        insta::assert_snapshot!(
            format!("html_{name}"),
            text(export_all(&f, &id, Format::Html, lang))
        );
    }
    // JSON is data: the same in both languages.
    let json = text(export_all(&f, &id, Format::Json, BriefLang::Sv));
    assert_eq!(json, text(export_all(&f, &id, Format::Json, BriefLang::En)));
    insta::assert_snapshot!("json", json);
}

#[test]
fn the_document_has_the_picks_in_order_with_annotations_notes_and_levels() {
    let (f, ids) = fixture();
    let id = approved_first(&f, &ids);
    let json: serde_json::Value =
        serde_json::from_slice(&export_all(&f, &id, Format::Json, BriefLang::Sv)).expect("json");
    assert_eq!(json["schema"], "lage.briefing/1");
    assert_eq!(json["state"], "approved");
    assert_eq!(json["approved"]["author"], "bo");
    let events: Vec<&str> = json["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["id"].as_str().expect("id"))
        .collect();
    // Picks: most severe first; the threat and the heating were never picked.
    assert_eq!(
        events,
        [
            ids.fire.as_str(),
            ids.burglary.as_str(),
            ids.hostile.as_str()
        ]
    );
    let fire = &json["events"][0];
    assert_eq!(fire["consequences"], "Tolv hushåll evakuerade.");
    assert_eq!(fire["assessment"]["confidence"], "high");
    assert_eq!(fire["assessment"]["by"]["author"], "anna");
    assert_eq!(fire["sections"], serde_json::json!(["olyckor", "trygghet"]));
    let olyckor = &json["sections"][0];
    assert_eq!(olyckor["key"], "olyckor");
    assert_eq!(olyckor["level"], "elevated");
    assert_eq!(
        olyckor["suggested"], "elevated",
        "one high item suggests elevated"
    );
    // Counts cover every item of the period, picked or not: the threat is in hot-och-vald.
    let hot = json["counts"]["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["section"] == "hot-och-vald")
        .expect("row");
    assert_eq!(hot["total"], 1);
    assert_eq!(json["counts"]["days"].as_array().map(Vec::len), Some(7));
    // Source health: the silent source is flagged, the polled one is not.
    let sources = json["sources"].as_array().expect("sources");
    assert_eq!(sources[0]["items_in_period"], 5);
    assert_eq!(
        sources[0]["polls"], 3,
        "ok, failed, not modified: {}",
        sources[0]
    );
    assert_eq!(sources[0]["failed_polls"], 1);
    assert_eq!(sources[0]["error_days"], serde_json::json!(["2026-11-26"]));
    assert_eq!(sources[1]["polls"], 0);
    assert_eq!(sources[0]["silent"], false);
    assert_eq!(sources[1]["silent"], true);
}

#[test]
fn hostile_feed_text_stays_text_in_html() {
    let (f, ids) = fixture();
    let id = approved_first(&f, &ids);
    let html = text(export_all(&f, &id, Format::Html, BriefLang::Sv));
    assert_no_active_html(&html, &["https://nyheter.example.se/"]);
    // The title is there, as text.
    let doc = scraper::Html::parse_document(&html);
    assert!(doc.errors.is_empty(), "HTML parse errors: {:?}", doc.errors);
    let h3 = scraper::Selector::parse("article h3").expect("selector");
    let titles: Vec<String> = doc.select(&h3).map(|e| e.text().collect()).collect();
    assert!(
        titles
            .iter()
            .any(|t| t.contains("<script>alert(1)</script>") && t.contains("onerror=alert(1)")),
        "{titles:?}"
    );
    assert!(html.contains("Content-Security-Policy"));
    assert!(html.contains("default-src 'none'"));
}

/// No script, no event handler, no link or source other than in-page anchors and `allowed`
/// prefixes, no `javascript:` anywhere in an attribute.
fn assert_no_active_html(html: &str, allowed: &[&str]) {
    assert!(!html.to_lowercase().contains("<script"), "a script tag");
    let doc = scraper::Html::parse_document(html);
    let all = scraper::Selector::parse("*").expect("selector");
    for element in doc.select(&all) {
        let name = element.value().name();
        assert!(
            !matches!(
                name,
                "script" | "img" | "iframe" | "object" | "embed" | "div"
            ),
            "element <{name}> from feed text"
        );
        for (attr, value) in element.value().attrs() {
            assert!(!attr.starts_with("on"), "event handler {attr}={value}");
            assert!(
                !value.to_lowercase().contains("javascript:"),
                "{attr}={value}"
            );
            if matches!(attr, "href" | "src") {
                assert!(
                    value.starts_with('#') || allowed.iter().any(|a| value.starts_with(a)),
                    "{attr}={value} is not an item link"
                );
            }
        }
    }
}

/// A document whose links are hostile too (the store only keeps web links, so this one is made
/// by hand): the renderers must still link nothing but http and https.
fn hostile_document(f: &Fixture, ids: &Ids) -> Briefing {
    let id = approved_first(f, ids);
    let briefs = Briefs::new(&f.store, &f.config);
    let mut doc = briefs
        .document(&briefs.get(&id).expect("edition"), at(30, 12))
        .expect("document");
    doc.events[0].link = Some("javascript:alert(1)".into());
    doc.events[0].sources[0].url = Some("javascript:alert(document.cookie)".into());
    doc.events[1].sources[0].url = Some("data:text/html,<script>alert(1)</script>".into());
    doc.events[2].sources[0].url = Some("https://ok.example/a\" onmouseover=\"alert(1)".into());
    doc.key_messages =
        "Första stycket <b>fet</b>.\n\n# Rubrik?\n\n1. lista?\n\n> citat?\n\n---".into();
    doc.marking = "\"><script>alert(1)</script>".into();
    doc
}

#[test]
fn hostile_links_never_become_links() {
    let (f, ids) = fixture();
    let doc = hostile_document(&f, &ids);
    let labels = Labels::new(BriefLang::Sv, &BTreeMap::new());
    let view = BriefView::new(&doc, BriefLang::Sv, &labels);
    let html = render::html(&view, &Templates::builtin().html).expect("html");
    assert_no_active_html(
        &html,
        &["https://nyheter.example.se/", "https://ok.example/"],
    );
    assert!(scraper::Html::parse_document(&html).errors.is_empty());
    let md = render::markdown(&view, &Templates::builtin().markdown).expect("markdown");
    assert!(!md.contains("javascript:alert(document"), "{md}");
    assert!(!md.contains("data:text/html"), "{md}");
}

#[test]
fn hostile_feed_text_stays_text_in_markdown() {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let (f, ids) = fixture();
    let doc = hostile_document(&f, &ids);
    for lang in [BriefLang::Sv, BriefLang::En] {
        let labels = Labels::new(lang, &BTreeMap::new());
        let view = BriefView::new(&doc, lang, &labels);
        let md = render::markdown(&view, &Templates::builtin().markdown).expect("markdown");
        let mut headings = 0;
        let mut tables = 0;
        for event in Parser::new_ext(&md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
            match event {
                Event::Html(h) | Event::InlineHtml(h) => panic!("raw HTML in Markdown: {h}"),
                Event::Start(Tag::CodeBlock(_)) | Event::Code(_) => panic!("code from feed text"),
                Event::Start(Tag::Image { dest_url, .. }) => panic!("an image: {dest_url}"),
                Event::Start(Tag::Link { dest_url, .. }) => assert!(
                    dest_url.starts_with("https://nyheter.example.se/")
                        || dest_url.starts_with("https://ok.example/"),
                    "a link to {dest_url}"
                ),
                Event::Start(Tag::Heading { .. }) => headings += 1,
                Event::Start(Tag::Table(_)) => tables += 1,
                Event::Start(Tag::List(_)) => {} // The template's change lists only.
                _ => {}
            }
        }
        // The template's own: title, key messages, areas, values, events, the 3 events, changes,
        // appendix and its two tables' headings. Feed text adds none.
        assert_eq!(headings, 12, "{md}");
        // Header, areas, values, sources, counts.
        assert_eq!(tables, 5, "{md}");
        assert!(md.contains(r"\<script\>alert(1)\</script\>"), "{md}");
        assert!(md.contains(r"\# Rubrik?"), "{md}");
    }
}

#[test]
fn an_approved_edition_exports_the_same_bytes_whatever_happens_later() {
    let (f, ids) = fixture();
    let id = approved_first(&f, &ids);
    let first: Vec<Vec<u8>> = Format::ALL
        .iter()
        .map(|fmt| export_all(&f, &id, *fmt, BriefLang::Sv))
        .collect();
    // Later: a new annotation, a status, a new poll that changes the fire's text and severity.
    decide(
        &f.store,
        &ids.fire,
        Action::SetStatus {
            status: Status::Handled,
        },
        at(30, 8),
    );
    ingest(
        &f.store,
        vec![item(
            "brand",
            "Brand i flerfamiljshus i Farsta – uppdaterad",
            "Ny text.",
            Some(Severity::Critical),
            &["fokus/olyckor"],
            24,
            8,
        )],
        at(30, 9),
    );
    for (fmt, before) in Format::ALL.iter().zip(&first) {
        assert_eq!(
            &export_all(&f, &id, *fmt, BriefLang::Sv),
            before,
            "{fmt:?} changed"
        );
    }
    assert!(first[2].starts_with(b"%PDF"), "the PDF is a PDF");
}

#[test]
fn an_edit_after_approval_makes_a_new_version_and_keeps_the_approved_one() {
    let (f, ids) = fixture();
    let id = approved_first(&f, &ids);
    let briefs = Briefs::new(&f.store, &f.config);
    let approved = export_all(&f, &id, Format::Json, BriefLang::Sv);
    let e = briefs
        .add(&id, std::slice::from_ref(&ids.threat), "anna", at(30, 9))
        .expect("add");
    assert_eq!((e.number, e.version), (1, 2));
    assert!(!e.is_approved());
    assert_eq!(e.items.last(), Some(&ids.threat));
    let v1 = EditionId {
        number: 1,
        version: Some(1),
    };
    assert_eq!(export_all(&f, &v1, Format::Json, BriefLang::Sv), approved);
    // The feed still carries the approved 1.1 while 1.2 is a draft.
    let feed = text(export_all(&f, &id, Format::Atom, BriefLang::Sv));
    assert!(feed.contains(":1.1</id>"), "{feed}");
    assert!(!feed.contains(":1.2"), "{feed}");
    let listed = briefs.list().expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].reference().to_string(), "1.2");
    assert_eq!(briefs.versions(1).expect("versions").len(), 2);
    // Only the latest version can change.
    let err = briefs
        .add(&v1, std::slice::from_ref(&ids.heating), "anna", at(30, 10))
        .expect_err("an old version is frozen");
    assert!(err.to_string().contains("not the latest version"), "{err}");
    let err = briefs
        .approve(&v1, "bo", at(30, 10))
        .expect_err("not latest");
    assert!(err.to_string().contains("1.1"), "{err}");
    let err = briefs
        .add(&id, &["0000000000000000".to_string()], "anna", at(30, 10))
        .expect_err("unknown item");
    assert!(err.to_string().contains("0000000000000000"), "{err}");
}

#[test]
fn a_second_edition_says_what_changed_since_the_first() {
    let (f, ids) = fixture();
    approved_first(&f, &ids);
    // Since: the burglaries are handled, the fire escalated, the threat is picked, the hostile
    // item is dropped from the picture.
    decide(
        &f.store,
        &ids.burglary,
        Action::SetStatus {
            status: Status::Handled,
        },
        at(30, 8),
    );
    ingest(
        &f.store,
        vec![item(
            "brand",
            "Brand i flerfamiljshus i Farsta",
            "Branden har spridit sig.",
            Some(Severity::Critical),
            &["fokus/olyckor", "värde/trygghet"],
            24,
            8,
        )],
        at(30, 9),
    );
    decide(
        &f.store,
        &ids.threat,
        Action::Briefing { include: true },
        at(30, 9),
    );
    decide(
        &f.store,
        &ids.hostile,
        Action::Briefing { include: false },
        at(30, 9),
    );
    let briefs = Briefs::new(&f.store, &f.config);
    let second = briefs
        .create(BriefKind::Week, week48(), "anna", at(30, 10))
        .expect("second edition");
    assert_eq!(second.number, 2);
    assert_eq!(second.previous.map(|p| (p.number, p.version)), Some((1, 1)));
    let id = EditionId {
        number: 2,
        version: None,
    };
    briefs
        .edit(&id, "anna", at(30, 11), |e| {
            e.levels.insert("olyckor".into(), Level::Serious);
            Ok(())
        })
        .expect("edit");
    let doc = briefs
        .document(&briefs.get(&id).expect("edition"), at(30, 12))
        .expect("document");
    assert_eq!(doc.state, State::Draft);
    let ids_of = |list: &[lage::brief::document::Change]| {
        list.iter().map(|c| c.id.clone()).collect::<Vec<_>>()
    };
    assert_eq!(ids_of(&doc.changes.new), [ids.threat.as_str()]);
    assert_eq!(ids_of(&doc.changes.escalated), [ids.fire.as_str()]);
    let closed: Vec<(String, Option<String>)> = doc
        .changes
        .closed
        .iter()
        .map(|c| (c.id.clone(), c.reason.clone()))
        .collect();
    assert_eq!(
        closed,
        [
            (ids.burglary.clone(), Some("handled".into())),
            (ids.hostile.clone(), Some("dropped".into()))
        ]
    );
    assert_eq!(
        doc.changes.levels.len(),
        2,
        "olyckor up, brott back to normal"
    );
    let md = text(export_all(&f, &id, Format::Markdown, BriefLang::Sv));
    assert!(
        md.contains("**Upptrappade**") && md.contains("Hög → Kritisk"),
        "{md}"
    );
    assert!(md.contains("Olyckor: Förhöjd → Allvarlig"), "{md}");
    let md = text(export_all(&f, &id, Format::Markdown, BriefLang::En));
    assert!(
        md.contains("**Escalated**") && md.contains("High → Critical"),
        "{md}"
    );
}

#[test]
fn the_atom_feed_parses_and_another_lage_subscribes_to_it() {
    let (f, ids) = fixture();
    let id = approved_first(&f, &ids);
    let atom = export_all(&f, &id, Format::Atom, BriefLang::Sv);
    assert_eq!(
        atom,
        export_all(&f, &id, Format::Atom, BriefLang::Sv),
        "stable bytes"
    );
    let feed = feed_rs::parser::parse(atom.as_slice()).expect("feed-rs parses the feed");
    assert_eq!(feed.entries.len(), 4, "the edition and its three events");
    assert!(
        feed.entries[0]
            .title
            .as_ref()
            .expect("title")
            .content
            .contains("Veckolägesbild vecka 48 2026")
    );
    assert!(
        feed.entries
            .iter()
            .any(|e| e.title.as_ref().is_some_and(|t| t.content == HOSTILE))
    );

    // Another office's lage polls it with the rss kind from a loopback server.
    let fixtures = TempDir::new().expect("fixtures");
    std::fs::write(fixtures.path().join("lagesbild.atom"), &atom).expect("write feed");
    let server = FixtureServer::start(fixtures.path());
    let other = TempDir::new().expect("other office");
    let config = write_config(
        other.path(),
        &format!(
            "[[source]]\nid = \"farsta-lagesbild\"\nname = \"Farsta lägesbild\"\nkind = \"rss\"\nurl = \"{}\"\n",
            server.url("/feed/lagesbild.atom")
        ),
    );
    let data = other.path().join("data");
    let poll = lage_cmd(&config, &data)
        .args(["poll", "--once"])
        .output()
        .expect("poll");
    assert!(
        poll.status.success(),
        "{}",
        String::from_utf8_lossy(&poll.stderr)
    );
    let items = json_output(
        &lage_cmd(&config, &data)
            .args(["items", "--json"])
            .output()
            .expect("items"),
        "items",
    );
    let titles: Vec<&str> = items
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["title"].as_str())
        .collect();
    assert_eq!(titles.len(), 4, "{titles:?}");
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("Brand i flerfamiljshus i Farsta")),
        "{titles:?}"
    );
    let fire = items
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["title"] == "Brand i flerfamiljshus i Farsta")
        .expect("the fire");
    assert_eq!(fire["url"], format!("https://nyheter.example.se/brand"));
    assert!(
        fire["summary"]
            .as_str()
            .unwrap_or_default()
            .contains("Ingen spridningsrisk"),
        "{fire}"
    );
}

#[test]
fn the_pdf_is_a4_and_carries_the_marking() {
    let (f, ids) = fixture();
    let id = approved_first(&f, &ids);
    let pdf = export_all(&f, &id, Format::Pdf, BriefLang::Sv);
    let dir = TempDir::new().expect("dir");
    let path = dir.path().join("b.pdf");
    std::fs::write(&path, &pdf).expect("write");
    let text = pdftotext(&path);
    for page in text.split('\u{c}').filter(|p| !p.trim().is_empty()) {
        assert!(
            page.contains("Begränsad delning"),
            "a page without the marking:\n{page}"
        );
    }
    assert!(text.contains("Veckolägesbild vecka 48 2026"));
    assert!(text.contains("Tolv hushåll evakuerade."));
    let info = command_output("pdfinfo", &[path.as_os_str()]);
    assert!(
        info.contains("595.276 x 841.89") || info.contains("A4"),
        "{info}"
    );
}

fn command_output(program: &str, args: &[&std::ffi::OsStr]) -> String {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run {program} ({e}): install poppler-utils (scripts/test does)")
        });
    assert!(
        out.status.success(),
        "{program}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn pdftotext(path: &Path) -> String {
    command_output(
        "pdftotext",
        &[
            std::ffi::OsStr::new("-layout"),
            path.as_os_str(),
            std::ffi::OsStr::new("-"),
        ],
    )
}

#[test]
fn the_cli_composes_approves_and_exports_as_a_script_would() {
    let (f, ids) = fixture();
    let data = f.store.dir().to_path_buf();
    let config = f.config.path.clone();
    // The CLI takes the data dir's lock: the fixture's store lets go of it, its files stay.
    let Fixture {
        dir: _dir, store, ..
    } = f;
    drop(store);
    let run = |args: &[&str]| {
        let out = lage_cmd(&config, &data)
            .args(args)
            .env("USER", "cecilia")
            .output()
            .expect("run lage");
        assert!(
            out.status.success(),
            "lage {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };
    assert_eq!(
        run(&["brief", "new", "--period", "2026-W48"]),
        "1\n",
        "new prints the id alone"
    );
    assert_eq!(run(&["brief", "add", "1", &ids.threat]), "1.1\n");
    assert_eq!(run(&["brief", "remove", "1", &ids.hostile]), "1.1\n");
    assert_eq!(
        run(&[
            "brief",
            "set",
            "1",
            "--key-messages",
            "Lugnt.",
            "--level",
            "brott=förhöjd",
            "--move",
            &format!("{}=up", ids.threat)
        ]),
        "1.1\n"
    );
    assert_eq!(
        run(&["brief", "event", "1", &ids.fire, "--actions", "Krisstöd."]),
        "1.1\n"
    );
    assert_eq!(run(&["brief", "approve", "1"]), "1.1\n");
    let list = run(&["brief", "list", "--json"]);
    let line: serde_json::Value = serde_json::from_str(list.trim()).expect("json line");
    assert_eq!(line["state"], "approved");
    assert_eq!(line["approved_by"], "cecilia");
    let dir = TempDir::new().expect("out");
    for fmt in ["md", "html", "pdf", "json", "atom"] {
        let out = dir.path().join(format!("b.{fmt}"));
        run(&[
            "brief",
            "export",
            "1",
            "--format",
            fmt,
            "-o",
            out.to_str().expect("path"),
        ]);
        assert!(
            std::fs::metadata(&out).expect("written").len() > 200,
            "{fmt}"
        );
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("b.json")).expect("json"))
            .expect("parse");
    let order: Vec<&str> = json["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["id"].as_str())
        .collect();
    assert_eq!(
        order,
        [
            ids.fire.as_str(),
            ids.threat.as_str(),
            ids.burglary.as_str()
        ],
        "threat moved up one"
    );
    assert_eq!(json["key_messages"], "Lugnt.");
    let md = run(&["--lang", "en", "brief", "export", "1", "--format", "md"]);
    assert!(
        md.starts_with("# Weekly situational picture week 48 2026"),
        "{md}"
    );

    // Mistakes are explained.
    let out = lage_cmd(&config, &data)
        .args(["brief", "set", "1", "--level", "brand=hög"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown section 'brand'") && err.contains("olyckor"),
        "{err}"
    );
    let out = lage_cmd(&config, &data)
        .args(["brief", "new", "--period", "2026-48"])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected YYYY-Www"));
    let out = lage_cmd(&config, &data)
        .args(["brief", "show", "9"])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no briefing edition 9"));
}

#[test]
fn a_bad_brief_config_line_names_file_line_and_what_is_expected() {
    let dir = TempDir::new().expect("dir");
    // The config, then what the error must say.
    let cases: [(&str, &[&str]); 4] = [
        (
            "[brief]\noffice = \"Farsta\"\n\n[brief.headings.sv]\nnyckel = \"x\"\n",
            &["lage.toml:5", "unknown heading 'nyckel'", "key_messages"],
        ),
        (
            "[brief]\ntemplates = \"finns-inte\"\n",
            &["lage.toml:2", "finns-inte", "brief.typ"],
        ),
        (
            "[brief]\nmarkering = \"x\"\n",
            &["lage.toml:2", "markering"],
        ),
        (
            "[brief]\nmarking = \"\"\n",
            &["lage.toml:2", "marking", "1 to 200 characters"],
        ),
    ];
    for (text, expected) in cases {
        let path = write_config(dir.path(), text);
        let message = Config::load(&path, Env::default())
            .expect_err(text)
            .to_string();
        for part in expected {
            assert!(message.contains(part), "{text:?}: {message}");
        }
    }
}

#[test]
fn an_office_template_and_heading_override_are_used_and_a_broken_one_is_named() {
    let dir = TempDir::new().expect("dir");
    let templates = dir.path().join("mallar");
    std::fs::create_dir(&templates).expect("dir");
    std::fs::write(
        templates.join("brief.md.j2"),
        "{{ labels.key_messages }}: {{ title }}\n",
    )
    .expect("write");
    let config_path = write_config(
        dir.path(),
        "[brief]\ntemplates = \"mallar\"\n[brief.headings.sv]\nkey_messages = \"Budskap\"\n",
    );
    let config = Config::load(&config_path, Env::default()).expect("config");
    let store = Store::open(&dir.path().join("data")).expect("store");
    let briefs = Briefs::new(&store, &config);
    let e = briefs
        .create(BriefKind::Week, week48(), "anna", at(29, 9))
        .expect("create");
    let md = export(
        &briefs,
        &config,
        &e,
        Format::Markdown,
        BriefLang::Sv,
        at(29, 9),
    )
    .expect("md");
    assert_eq!(text(md), "Budskap: Veckolägesbild vecka 48 2026\n");
    // HTML falls back to the built-in template.
    let html = export(&briefs, &config, &e, Format::Html, BriefLang::Sv, at(29, 9)).expect("html");
    assert!(text(html).contains("<!DOCTYPE html>"));
    std::fs::write(templates.join("brief.md.j2"), "ok\n{{ titel }}\n").expect("write");
    let err = export(
        &briefs,
        &config,
        &e,
        Format::Markdown,
        BriefLang::Sv,
        at(29, 9),
    )
    .expect_err("undefined");
    let message = err.to_string();
    assert!(
        message.contains("brief.md.j2") && message.contains("line 2"),
        "{message}"
    );
}

#[test]
fn an_older_item_picked_in_the_period_is_taken_in_and_one_picked_before_it_is_not() {
    let (f, ids) = fixture();
    let older = ingest(
        &f.store,
        vec![
            item(
                "storm",
                "Stormvarning inför helgen",
                "SMHI varnar för storm.",
                Some(Severity::High),
                &["fokus/kris"],
                20,
                8,
            ),
            item(
                "gammal",
                "Förra veckans vattenläcka",
                "Lagad.",
                Some(Severity::Low),
                &["fokus/kris"],
                19,
                8,
            ),
        ],
        at(20, 9),
    );
    // The storm is picked during week 48, the leak during week 47.
    decide(
        &f.store,
        &older[0],
        Action::Briefing { include: true },
        at(28, 8),
    );
    decide(
        &f.store,
        &older[1],
        Action::Briefing { include: true },
        at(20, 10),
    );
    let briefs = Briefs::new(&f.store, &f.config);
    let e = briefs
        .create(BriefKind::Week, week48(), "anna", at(29, 9))
        .expect("create");
    assert!(e.items.contains(&older[0]), "picked in the period");
    assert!(
        !e.items.contains(&older[1]),
        "picked and published before it"
    );
    assert!(e.items.contains(&ids.fire));
}
