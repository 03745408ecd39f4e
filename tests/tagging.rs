//! Tagging at ingest, end to end: a `Poller` polls a loopback fixture server into a real sled
//! store in a temp dir, with rule sets written inline in the test, and the test reads back what
//! was stored: tags with their evidence, re-tagging when an item changes, manual overrides that
//! outlive both, and rule sets swapped between polls.
//!
//! The rules follow `docs/rules.md`: `*brand*` (weight 3) meets the `brand` rule's threshold 3
//! alone; `räddningstjänst*` (weight 1) does not.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use tempfile::TempDir;

use common::{FixtureServer, write_config};
use lage::config::{Config, Env};
use lage::health::{PollStatus, SourceState};
use lage::item::{GeoArea, Item, MessageType, RawAlert, RawItem, RawText};
use lage::normalise::{Normalised, normalise};
use lage::poll::Poller;
use lage::rules::{RuleFile, RuleSet, SharedRules};
use lage::store::{FetchBatch, ItemQuery, Store, StoreError};
use lage::tags::{OverrideAction, TagOverride, Tagging, effective};

const FETCH: &str = r#"
[fetch]
contact = "lage-tests@stockholm.example"
timeout = "10s"
connect_timeout = "2s"
"#;

/// Fires on any word holding *brand*; the rescue service alone is too weak.
const BRAND: &str = r#"
[[rule]]
name = "brand"
tags = ["fokus/olyckor", "händelse/brand"]
threshold = 3

[rule.terms]
"*brand*" = 3
"rökutveckling" = 2
"räddningstjänst*" = 1
"#;

/// Burglaries.
const INBROTT: &str = r#"
[[rule]]
name = "inbrott"
tags = ["fokus/brott"]
threshold = 2

[rule.terms]
"inbrott*" = 2
"#;

/// A district, named in the item's place only.
const TENSTA: &str = r#"
[[rule]]
name = "tensta"
tags = ["plats/spånga-tensta"]
in = ["place"]

[rule.terms]
"tensta" = 1
"#;

/// Compiles rule text as the file `regler.toml`; panics with the rule errors otherwise.
fn rules(text: &str) -> RuleSet {
    RuleSet::from_files(&[RuleFile {
        path: PathBuf::from("regler.toml"),
        text: text.to_string(),
    }])
    .unwrap_or_else(|e| panic!("test rules do not compile:\n{e}"))
}

fn shared(set: RuleSet) -> SharedRules {
    Arc::new(RwLock::new(Arc::new(set)))
}

/// An RSS 2.0 document with `(guid, title, description)` items, each linking to its own page.
fn rss(items: &[(&str, &str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(guid, title, description)| {
            format!(
                "<item><guid>{guid}</guid><title>{title}</title>\
                 <link>https://example.se/nyheter/{guid}</link>\
                 <description>{description}</description>\
                 <pubDate>Wed, 25 Nov 2026 08:00:00 GMT</pubDate></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>Nyheter</title><link>https://example.se/</link><description>test</description>\
         {items}</channel></rss>\n"
    )
}

/// One test's world: a server serving the documents the test writes, a config naming one RSS
/// source per document, and a data dir.
struct World {
    server: FixtureServer,
    docs: TempDir,
    dir: TempDir,
}

/// An open store and a poller writing into it.
struct Session {
    store: Arc<Store>,
    poller: Poller,
}

impl World {
    fn new() -> World {
        let docs = tempfile::tempdir().expect("temp dir");
        World {
            server: FixtureServer::start(docs.path()),
            docs,
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Serves `body` as `/feed/{source}.xml`.
    fn serve(&self, source: &str, body: &str) {
        std::fs::write(self.docs.path().join(format!("{source}.xml")), body)
            .expect("write fixture");
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Opens the store and a poller for RSS sources `sources` (one document each), tagging
    /// with `rules`.
    fn open(&self, sources: &[&str], rules: &SharedRules) -> Session {
        let tables: String = sources
            .iter()
            .map(|id| {
                format!(
                    "[[source]]\nid = \"{id}\"\nkind = \"rss\"\nurl = \"{}\"\n",
                    self.server.url(&format!("/feed/{id}.xml"))
                )
            })
            .collect();
        let path = write_config(self.dir.path(), &format!("{FETCH}\n{tables}"));
        let config = Config::load(&path, Env::process()).expect("valid test config");
        let store = Arc::new(Store::open(&self.data_dir()).expect("open the store"));
        let poller = Poller::new(Arc::new(config), store.clone())
            .expect("poller")
            .with_rules(rules.clone());
        Session { store, poller }
    }
}

impl Session {
    /// Polls `source` once and checks that it was fetched and stored.
    async fn poll(&self, source: &str) {
        let report = self
            .poller
            .poll_source(source)
            .await
            .expect("the store works");
        assert_eq!(report.status, PollStatus::Ok, "{report:?}");
    }

    /// The stored item with `guid`.
    fn item(&self, guid: &str) -> Item {
        self.store
            .items(&ItemQuery::default())
            .expect("read items")
            .into_iter()
            .find(|i| i.guid.as_deref() == Some(guid))
            .unwrap_or_else(|| panic!("no stored item with guid {guid}"))
    }

    /// Drops the poller and waits until its writer thread has let go of the store, then closes
    /// the store, so that the data dir can be opened again.
    async fn close(self) {
        let Session { store, poller } = self;
        drop(poller);
        let mut store = store;
        for _ in 0..500 {
            match Arc::try_unwrap(store) {
                Ok(store) => {
                    drop(store);
                    return;
                }
                Err(still_shared) => store = still_shared,
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the store writer never let go of the store");
    }
}

fn tags(tagging: &Tagging) -> Vec<&str> {
    tagging.tags.iter().map(String::as_str).collect()
}

fn manual(tag: &str, action: OverrideAction, minute: u32) -> TagOverride {
    TagOverride {
        tag: tag.to_string(),
        action,
        author: "anna".to_string(),
        at: Utc
            .with_ymd_and_hms(2026, 11, 25, 10, minute, 0)
            .single()
            .expect("valid time"),
        note: Some("fel stadsdel".to_string()),
    }
}

/// The tags an item carries once the overrides are applied.
fn carried(store: &Store, item: &Item) -> Vec<String> {
    let overrides = store.tag_overrides(&item.id).expect("read overrides");
    effective(&item.tagging, &overrides)
        .0
        .into_iter()
        .map(|t| t.tag)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polled_items_are_stored_with_their_tags_and_evidence() {
    let world = World::new();
    world.serve(
        "a",
        &rss(&[
            (
                "g1",
                "Skolbrand i Skärholmen",
                "Räddningstjänsten är på plats.",
            ),
            ("g2", "Räddningstjänsten ryckte ut", "Inget mer är känt."),
            ("g3", "Inbrott i villa i Bromma", "Polisen utreder."),
        ]),
    );
    let set = rules(&format!("{BRAND}\n{INBROTT}"));
    let version = set.version().to_string();
    let session = world.open(&["a"], &shared(set));
    session.poll("a").await;

    let fire = session.item("g1");
    assert_eq!(tags(&fire.tagging), ["fokus/olyckor", "händelse/brand"]);
    assert_eq!(fire.tagging.rules_version, version);
    assert_eq!(fire.tagging.matches.len(), 1, "{:?}", fire.tagging);
    let brand = &fire.tagging.matches[0];
    assert_eq!(brand.rule, "brand");
    assert_eq!(
        (brand.score, brand.threshold),
        (4, 3),
        "*brand* 3 + räddningstjänst* 1"
    );
    let term = brand
        .evidence
        .iter()
        .find(|e| e.term == "*brand*")
        .unwrap_or_else(|| panic!("no *brand* evidence in {:?}", brand.evidence));
    assert_eq!(
        (
            term.field.as_str(),
            term.text.as_str(),
            term.weight,
            term.count
        ),
        ("title", "skolbrand", 3, 1)
    );
    let rescue = brand
        .evidence
        .iter()
        .find(|e| e.term == "räddningstjänst*")
        .unwrap_or_else(|| panic!("no räddningstjänst* evidence in {:?}", brand.evidence));
    assert_eq!((rescue.field.as_str(), rescue.weight), ("summary", 1));

    let weak = session.item("g2");
    assert!(
        weak.tagging.is_empty(),
        "one weak term is below the threshold: {:?}",
        weak.tagging
    );
    assert_eq!(tags(&session.item("g3").tagging), ["fokus/brott"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_item_whose_content_changes_is_tagged_again() {
    let world = World::new();
    world.serve(
        "a",
        &rss(&[
            (
                "g1",
                "Skolbrand i Skärholmen",
                "Räddningstjänsten är på plats.",
            ),
            ("g2", "Räddningstjänsten ryckte ut", "Inget mer är känt."),
        ]),
    );
    let session = world.open(&["a"], &shared(rules(&format!("{BRAND}\n{INBROTT}"))));
    session.poll("a").await;
    assert_eq!(
        tags(&session.item("g1").tagging),
        ["fokus/olyckor", "händelse/brand"]
    );
    assert!(session.item("g2").tagging.is_empty());

    world.serve(
        "a",
        &rss(&[
            ("g1", "Inbrott i skola i Skärholmen", "Polisen är på plats."),
            (
                "g2",
                "Räddningstjänsten ryckte ut till en bilbrand",
                "Ingen skadad.",
            ),
        ]),
    );
    session.poll("a").await;
    let first = session.item("g1");
    assert_eq!(first.revision, 2);
    assert_eq!(tags(&first.tagging), ["fokus/brott"]);
    let second = session.item("g2");
    assert_eq!(tags(&second.tagging), ["fokus/olyckor", "händelse/brand"]);
    let evidence = &second.tagging.matches[0].evidence;
    assert!(
        evidence.iter().any(|e| e.text == "bilbrand"),
        "{evidence:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manual_override_outlives_retagging_and_replay() {
    let world = World::new();
    world.serve(
        "a",
        &rss(&[(
            "g1",
            "Skolbrand i Skärholmen",
            "Räddningstjänsten är på plats.",
        )]),
    );
    let session = world.open(&["a"], &shared(rules(BRAND)));
    session.poll("a").await;
    let item = session.item("g1");
    let store = &session.store;
    store
        .add_tag_override(
            &item.id,
            &manual("händelse/brand", OverrideAction::Remove, 1),
        )
        .expect("override");
    store
        .add_tag_override(
            &item.id,
            &manual("plats/skärholmen", OverrideAction::Add, 2),
        )
        .expect("override");
    assert_eq!(carried(store, &item), ["fokus/olyckor", "plats/skärholmen"]);

    // The source edits the item: the rules tag it afresh, the person's decisions stand.
    world.serve(
        "a",
        &rss(&[(
            "g1",
            "Skolbranden i Skärholmen släckt",
            "Rökutveckling kvar.",
        )]),
    );
    session.poll("a").await;
    let edited = session.item("g1");
    assert_eq!(edited.id, item.id);
    assert_eq!(edited.revision, 2);
    let evidence = &edited.tagging.matches[0].evidence;
    assert!(
        evidence.iter().any(|e| e.text == "skolbranden"),
        "tagged afresh: {evidence:?}"
    );
    assert_eq!(tags(&edited.tagging), ["fokus/olyckor", "händelse/brand"]);
    assert_eq!(
        carried(store, &edited),
        ["fokus/olyckor", "plats/skärholmen"]
    );

    // A replay writes new rule tags; the overrides are still applied on top.
    let replayed = rules(&format!("{BRAND}\n{INBROTT}")).tag(&Item {
        title: "Skolbrand efter inbrott".into(),
        ..edited.clone()
    });
    assert_eq!(
        tags(&replayed),
        ["fokus/brott", "fokus/olyckor", "händelse/brand"]
    );
    assert_eq!(
        store
            .put_taggings(&[(edited.id.clone(), replayed.clone())])
            .expect("put"),
        1
    );
    let after = session.item("g1");
    assert_eq!(after.tagging, replayed);
    assert_eq!(
        carried(store, &after),
        ["fokus/brott", "fokus/olyckor", "plats/skärholmen"]
    );
    assert_eq!(store.tag_overrides(&item.id).expect("read").len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_and_overrides_survive_reopening_the_store_in_the_order_written() {
    let world = World::new();
    world.serve(
        "a",
        &rss(&[
            (
                "g1",
                "Skolbrand i Skärholmen",
                "Räddningstjänsten är på plats.",
            ),
            ("g2", "Inbrott i villa i Bromma", "Polisen utreder."),
        ]),
    );
    let rules = shared(rules(&format!("{BRAND}\n{INBROTT}")));
    let session = world.open(&["a"], &rules);
    session.poll("a").await;
    let fire = session.item("g1");
    let burglary = session.item("g2");
    let decisions = [
        manual("plats/skärholmen", OverrideAction::Add, 9),
        // Dated earlier but written later: the log keeps the order written.
        manual("händelse/brand", OverrideAction::Remove, 3),
        manual("plats/skärholmen", OverrideAction::Remove, 5),
    ];
    for d in &decisions {
        session
            .store
            .add_tag_override(&fire.id, d)
            .expect("override");
    }
    let replay = Tagging {
        rules_version: "replayed".into(),
        ..fire.tagging.clone()
    };
    session
        .store
        .put_taggings(&[(fire.id.clone(), replay.clone())])
        .expect("put");
    session.close().await;

    let store = Store::open(&world.data_dir()).expect("reopen the store");
    let fire_again = store.item(&fire.id).expect("read").expect("stored");
    assert_eq!(fire_again.tagging, replay);
    let burglary_again = store.item(&burglary.id).expect("read").expect("stored");
    assert_eq!(burglary_again.tagging, burglary.tagging);
    assert_eq!(tags(&burglary_again.tagging), ["fokus/brott"]);
    assert_eq!(store.tag_overrides(&fire.id).expect("read"), decisions);
    assert!(store.tag_overrides(&burglary.id).expect("read").is_empty());
    // The last decision on plats/skärholmen removed it again.
    assert_eq!(carried(&store, &fire_again), ["fokus/olyckor"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_override_for_an_unknown_item_is_refused_clearly() {
    let world = World::new();
    world.serve("a", &rss(&[("g1", "Skolbrand i Skärholmen", "")]));
    let session = world.open(&["a"], &shared(rules(BRAND)));
    session.poll("a").await;
    let err = session
        .store
        .add_tag_override(
            "0123456789abcdef",
            &manual("fokus/brott", OverrideAction::Add, 1),
        )
        .expect_err("no such item");
    assert!(matches!(&err, StoreError::UnknownItem(id) if id == "0123456789abcdef"));
    let message = err.to_string();
    assert!(
        message.contains("no item") && message.contains("'0123456789abcdef'"),
        "{message}"
    );
    assert!(
        session
            .store
            .tag_overrides("0123456789abcdef")
            .expect("read")
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rule_set_swapped_between_polls_tags_the_next_new_items() {
    let world = World::new();
    world.serve("a", &rss(&[("g1", "Skolbrand i Skärholmen", "")]));
    let old = rules(BRAND);
    let old_version = old.version().to_string();
    let session = world.open(&["a"], &shared(old));
    session.poll("a").await;
    assert_eq!(
        tags(&session.item("g1").tagging),
        ["fokus/olyckor", "händelse/brand"]
    );

    // A reload: the poller's shared rules are swapped whole.
    let new = rules(&format!("{BRAND}\n{INBROTT}"));
    let new_version = new.version().to_string();
    assert_ne!(new_version, old_version);
    *session
        .poller
        .rules()
        .write()
        .unwrap_or_else(|e| e.into_inner()) = Arc::new(new);

    world.serve(
        "a",
        &rss(&[
            ("g1", "Skolbrand i Skärholmen", ""),
            ("g4", "Inbrott i förskola i Kista", ""),
        ]),
    );
    session.poll("a").await;
    let burglary = session.item("g4");
    assert_eq!(tags(&burglary.tagging), ["fokus/brott"]);
    assert_eq!(burglary.tagging.rules_version, new_version);
    // An unchanged item keeps its tags until a replay.
    let fire = session.item("g1");
    assert_eq!(fire.revision, 1);
    assert_eq!(fire.tagging.rules_version, old_version);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_sources_sighting_keeps_the_owners_tags() {
    let world = World::new();
    world.serve("a", &rss(&[("g1", "Skolbrand i Skärholmen", "")]));
    // The same page, under another guid and title, from a second source.
    world.serve("b", &rss(&[("g1", "Larm i Skärholmen", "")]));
    let session = world.open(&["a", "b"], &shared(rules(BRAND)));
    session.poll("a").await;
    session.poll("b").await;
    let items = session.store.items(&ItemQuery::default()).expect("read");
    assert_eq!(items.len(), 1, "one item, two sightings");
    let item = &items[0];
    assert_eq!(item.sightings.len(), 2);
    assert_eq!(item.title, "Skolbrand i Skärholmen");
    assert_eq!(tags(&item.tagging), ["fokus/olyckor", "händelse/brand"]);
}

/// An alert message from `sr-vma` referring to `A1`, tagged by `set` as the poll tags it.
fn vma(
    set: &RuleSet,
    id: &str,
    msg_type: MessageType,
    title: &str,
    area: &str,
    at: DateTime<Utc>,
) -> Normalised {
    let mut normalised = normalise(
        RawItem {
            guid: Some(id.into()),
            title: (!title.is_empty()).then(|| RawText::plain(title)),
            published: Some(at),
            areas: vec![GeoArea {
                name: Some(area.into()),
                ..GeoArea::default()
            }],
            alert: Some(RawAlert {
                version: id.into(),
                msg_type,
                sent: Some(at),
                references: vec!["A1".into()],
                ..RawAlert::default()
            }),
            ..RawItem::default()
        },
        "sr-vma",
        "sr-vma",
        at,
    );
    normalised.item.tagging = set.tag(&normalised.item);
    normalised
}

/// One fetch of `sr-vma` holding `message`, tagged with `set`.
fn vma_batch(set: &Arc<RuleSet>, message: Normalised, now: DateTime<Utc>) -> FetchBatch {
    FetchBatch {
        source: "sr-vma".into(),
        items: vec![message],
        state: SourceState::default(),
        now,
        rules: Some(set.clone()),
    }
}

#[test]
fn an_alert_update_that_mixes_old_text_and_a_new_place_is_tagged_afresh() {
    let set = Arc::new(rules(&format!("{BRAND}\n{TENSTA}")));
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open the store");
    let eight = Utc
        .with_ymd_and_hms(2026, 11, 25, 8, 0, 0)
        .single()
        .expect("valid time");
    let nine = eight + chrono::Duration::hours(1);

    let alert = vma(
        &set,
        "A1",
        MessageType::Alert,
        "Brand i skola",
        "Kista",
        eight,
    );
    let id = alert.item.id.clone();
    assert_eq!(
        tags(&alert.item.tagging),
        ["fokus/olyckor", "händelse/brand"]
    );
    store.apply(&vma_batch(&set, alert, eight)).expect("apply");

    // An update without text that moves the alert to Tensta: the first message's text stays on
    // screen, the place is the update's, and neither message's tags fit what is stored.
    let update = vma(&set, "A2", MessageType::Update, "", "Tensta", nine);
    assert_eq!(tags(&update.item.tagging), ["plats/spånga-tensta"]);
    let report = store.apply(&vma_batch(&set, update, nine)).expect("apply");
    assert_eq!(
        report.updated_ids,
        std::slice::from_ref(&id),
        "the update folds into the alert"
    );

    let stored = store.item(&id).expect("read").expect("stored");
    assert_eq!(stored.title, "Brand i skola");
    assert_eq!(stored.areas, ["Tensta"]);
    assert_eq!(
        tags(&stored.tagging),
        ["fokus/olyckor", "händelse/brand", "plats/spånga-tensta"]
    );
}

/// Where the config says the rules are.
fn rules_dir_of(main: &Path) -> Option<PathBuf> {
    Config::load(main, Env::process())
        .unwrap_or_else(|e| panic!("config: {e}"))
        .rules_dir
}

#[test]
fn the_rules_directory_is_relative_to_the_file_that_names_it_else_beside_the_config() {
    let dir = tempfile::tempdir().expect("temp dir");
    let main = write_config(dir.path(), "");
    assert_eq!(rules_dir_of(&main), None, "no key, no rules/ directory");

    std::fs::create_dir(dir.path().join("rules")).expect("mkdir");
    assert_eq!(rules_dir_of(&main), Some(dir.path().join("rules")));

    std::fs::create_dir_all(dir.path().join("conf/regler")).expect("mkdir");
    std::fs::write(dir.path().join("conf/extra.toml"), "rules = \"regler\"\n").expect("write");
    let main = write_config(dir.path(), "include = [\"conf/extra.toml\"]\n");
    assert_eq!(rules_dir_of(&main), Some(dir.path().join("conf/regler")));
}

/// Regression: the same content fetched again after the area config changed is "unchanged",
/// but its `local` place follows the config, so its place tags must follow too.
#[test]
fn an_unchanged_item_whose_place_moved_is_tagged_again() {
    let set = Arc::new(rules(
        r#"
[[rule]]
name = "farsta"
tags = ["plats/farsta"]
in = ["place"]
[rule.terms]
"farsta" = 1
"#,
    ));
    let dir = TempDir::new().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let t = Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap();
    let fetched = |local: Option<&str>| {
        let mut n = normalise(
            RawItem {
                guid: Some("g1".into()),
                title: Some(RawText::plain("Trafikolycka")),
                published: Some(t),
                ..RawItem::default()
            },
            "s",
            "rss",
            t,
        );
        n.item.local = local.map(|place| lage::item::LocalMatch {
            how: lage::item::MatchHow::Distance,
            place: place.into(),
            distance_km: Some(1.0),
        });
        n.item.tagging = set.tag(&n.item);
        n
    };
    let batch = |n: Normalised| FetchBatch {
        source: "s".into(),
        items: vec![n],
        state: SourceState::default(),
        now: t,
        rules: Some(set.clone()),
    };
    let first = fetched(Some("Farsta"));
    let id = first.item.id.clone();
    store.apply(&batch(first)).unwrap();
    assert_eq!(
        store.item(&id).unwrap().unwrap().tagging.tags,
        ["plats/farsta"]
    );
    store.apply(&batch(fetched(None))).unwrap();
    let stored = store.item(&id).unwrap().unwrap();
    assert!(stored.local.is_none());
    assert!(
        stored.tagging.tags.is_empty(),
        "stale: {:?}",
        stored.tagging.tags
    );
}
