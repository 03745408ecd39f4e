//! Ingest throughput: parse → normalise → dedup → store, in items per second, on a generated
//! corpus shaped like `../shared/tools/gen_corpus.py` (RSS 2.0, 50 items, Swedish text, HTML
//! descriptions, utm parameters on links).
//!
//! `cargo bench --bench ingest`. The end-to-end comparison with newsboat over loopback HTTP is
//! `../shared/tools/vs-newsboat target/release/lage`.

use std::hint::black_box;

use chrono::Utc;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use lage::health::SourceState;
use lage::normalise::{disambiguate, normalise};
use lage::source::{Document, Kind, rss::Rss};
use lage::store::{FetchBatch, Store};

const ITEMS: usize = 50;

const WORDS: &[&str] = &[
    "brand",
    "trafikolycka",
    "stöld",
    "inbrott",
    "skadegörelse",
    "hot",
    "våld",
    "anställd",
    "skola",
    "förskola",
    "elavbrott",
    "vattenläcka",
    "storm",
    "snöoväder",
    "översvämning",
    "it-incident",
    "nätfiske",
    "intrång",
    "demonstration",
    "polis",
    "räddningstjänst",
    "hägersten",
    "liljeholmen",
    "södermalm",
    "kungsholmen",
    "spånga",
    "tensta",
    "rinkeby",
    "kista",
    "skarpnäck",
    "farsta",
    "bromma",
    "varning",
    "evakuering",
    "tunnelbana",
    "e4",
];

fn sentence(rng: &mut fastrand::Rng, n: usize) -> String {
    let words: Vec<&str> = (0..n).map(|_| WORDS[rng.usize(..WORDS.len())]).collect();
    words.join(" ")
}

/// One RSS 2.0 feed of `ITEMS` items.
fn feed(index: usize, rng: &mut fastrand::Rng) -> Vec<u8> {
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>Källa {index}</title><link>http://127.0.0.1/k{index}</link>\
         <description>Syntetisk källa</description>"
    );
    for i in 0..ITEMS {
        xml.push_str(&format!(
            "<item><title>{}</title><link>http://127.0.0.1/k{index}/a{i}?utm_source=rss</link>\
             <guid isPermaLink=\"false\">k{index}-a{i}</guid>\
             <pubDate>Mon, 23 Nov 2026 0{}:{:02}:00 +0000</pubDate>\
             <description>&lt;p&gt;{}&lt;/p&gt;</description></item>",
            sentence(rng, 7),
            i % 10,
            i % 60,
            sentence(rng, 30)
        ));
    }
    xml.push_str("</channel></rss>\n");
    xml.into_bytes()
}

fn document(bytes: Vec<u8>) -> Document {
    Document {
        name: "bench".into(),
        bytes,
        content_type: Some("application/rss+xml".into()),
        url: url::Url::parse("http://127.0.0.1/feed.xml").expect("static URL"),
        link_base: None,
        spool_file: None,
    }
}

fn batch(source: &str, doc: &Document) -> FetchBatch {
    let now = Utc::now();
    let parsed = Rss
        .parse(doc, &toml::Table::new())
        .expect("generated feed parses");
    let mut items: Vec<_> = parsed
        .items
        .into_iter()
        .map(|raw| normalise(raw, source, "rss", now))
        .collect();
    disambiguate(&mut items);
    FetchBatch {
        source: source.to_string(),
        items,
        state: SourceState::default(),
        now,
    }
}

fn benches(c: &mut Criterion) {
    let mut rng = fastrand::Rng::with_seed(7);
    let docs: Vec<Document> = (0..20).map(|i| document(feed(i, &mut rng))).collect();

    let mut group = c.benchmark_group("ingest");
    group.throughput(Throughput::Elements(ITEMS as u64));

    group.bench_function("parse+normalise (items)", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % docs.len();
            black_box(batch("s", &docs[i]))
        })
    });

    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("store opens");
    let mut counter = 100;
    group.bench_function("parse+normalise+dedup+store+flush, new items", |b| {
        b.iter_batched(
            || {
                // A feed never seen before: new guids and new URLs.
                counter += 1;
                (counter, document(feed(counter, &mut rng)))
            },
            |(n, doc)| {
                let batch = batch(&format!("src{n}"), &doc);
                let report = store.apply(&batch).expect("apply");
                store.flush().expect("flush");
                assert_eq!(report.new, ITEMS);
            },
            BatchSize::SmallInput,
        )
    });

    let known = batch("known", &docs[0]);
    store.apply(&known).expect("apply");
    group.bench_function("parse+normalise+dedup+store+flush, unchanged items", |b| {
        b.iter(|| {
            let batch = batch("known", &docs[0]);
            let report = store.apply(&batch).expect("apply");
            store.flush().expect("flush");
            assert_eq!(report.new, 0);
        })
    });
    group.finish();
}

criterion_group!(ingest, benches);
criterion_main!(ingest);
