//! Item summaries: the binary form round-trips, bad bytes are an error and never a panic, and
//! `by_time` follows every change ingest and re-tagging make.

use super::*;
use crate::item::{Alert, AlertStatus, LocalMatch, MatchHow, MessageType, RawAlert, Severity};

fn plain(title: &str, minute: u32) -> Item {
    normalise(raw(title, title, "", at(minute)), "s", "rss", at(minute)).item
}

/// An alert with every summarised field set: an exercise, cancelled, expiring, local, tagged,
/// raised by a rule, seen by a second source.
fn rich() -> Item {
    let mut item = normalise(
        RawItem {
            alert: Some(RawAlert {
                version: "v1".into(),
                status: AlertStatus::Exercise,
                msg_type: MessageType::Alert,
                sent: Some(at(1)),
                expires: Some(at(50)),
                ..RawAlert::default()
            }),
            severity: Some(Severity::Medium),
            ..raw("v1", "Övning: VMA Stockholm", "", at(1))
        },
        "sr-vma",
        "sr_vma",
        at(2),
    )
    .item;
    if let Some(alert) = item.alert.as_mut() {
        alert.msg_type = MessageType::Cancel;
    }
    item.tagging = tagging("fokus/kris");
    item.tagging.tags.push("plats/farsta".into());
    item.tagging.severity = Some(Severity::Critical);
    item.local = Some(LocalMatch {
        how: MatchHow::Geocode,
        place: "0180".into(),
        distance_km: None,
    });
    let mut second = item.sightings[0].clone();
    second.source = "krisinformation".into();
    item.sightings.push(second);
    item
}

#[test]
fn a_summary_says_what_the_index_needs_and_round_trips() {
    let item = rich();
    let s = ItemSummary::of(&item);
    assert_eq!(s.id, item.id);
    assert_eq!(s.severity, Some(Severity::Critical), "raised by the rule");
    assert_eq!(s.sources, ["sr-vma", "krisinformation"]);
    assert_eq!(s.tags, ["fokus/kris", "plats/farsta"]);
    assert!(s.local && s.exercise && s.cancelled);
    assert_eq!(s.expires, Some(at(50)));
    assert_eq!(ItemSummary::decode(&s.encode()).expect("decode"), s);

    let p = ItemSummary::of(&plain("Brand", 3));
    assert_eq!(p.sources, ["s"]);
    assert!(p.tags.is_empty() && p.severity.is_none() && p.expires.is_none());
    assert!(!p.local && !p.exercise && !p.cancelled);
    assert_eq!(ItemSummary::decode(&p.encode()).expect("decode"), p);

    // An alert without an end and not cancelled, real.
    let mut real = rich();
    real.alert = Some(Alert {
        status: AlertStatus::Actual,
        msg_type: MessageType::Update,
        expires: None,
        ..real.alert.clone().expect("alert")
    });
    let r = ItemSummary::of(&real);
    assert!(!r.exercise && !r.cancelled && r.expires.is_none());
    assert_eq!(ItemSummary::decode(&r.encode()).expect("decode"), r);
}

#[test]
fn bad_summary_bytes_are_an_error_not_a_panic() {
    let good = ItemSummary::of(&rich()).encode();
    for end in 0..good.len() {
        assert!(
            ItemSummary::decode(&good[..end]).is_err(),
            "cut at {end} decoded"
        );
    }
    let mut trailing = good.clone();
    trailing.push(0);
    let mut version = good.clone();
    version[0] = 9;
    let mut severity = good.clone();
    severity[2] = 6;
    let mut flags = good.clone();
    flags[1] |= 0x80;
    let mut time = good.clone();
    time[3..11].copy_from_slice(&i64::MAX.to_be_bytes());
    let mut utf8 = good.clone();
    let id_at = 3 + 8 + 8 + 8 + 1;
    utf8[id_at] = 0xff;
    for (what, bytes) in [
        ("trailing byte", trailing),
        ("unknown version", version),
        ("unknown severity", severity),
        ("unknown flag", flags),
        ("time out of range", time),
        ("bad UTF-8", utf8),
    ] {
        let err = ItemSummary::decode(&bytes).expect_err(what);
        assert!(
            matches!(
                err,
                StoreError::Corrupt {
                    tree: "by_time",
                    ..
                }
            ),
            "{what}: {err}"
        );
    }
    // Whatever the bytes, decoding returns.
    let mut rng = fastrand::Rng::with_seed(6);
    for _ in 0..20_000 {
        let mut bytes = good.clone();
        for _ in 0..rng.usize(1..4) {
            let at = rng.usize(..bytes.len());
            bytes[at] = rng.u8(..);
        }
        let _ = ItemSummary::decode(&bytes);
    }
}

#[test]
fn summaries_list_every_item_newest_first_as_stored() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    let items = [plain("Äldst", 0), rich(), plain("Nyast", 30)];
    store.import(&items).expect("import");
    let listed: Vec<ItemSummary> = store
        .summaries()
        .collect::<Result<_, _>>()
        .expect("summaries");
    let expected: Vec<ItemSummary> = [&items[2], &items[1], &items[0]]
        .into_iter()
        .map(ItemSummary::of)
        .collect();
    assert_eq!(listed, expected);
    assert_eq!(
        store.summary(&items[1].id).expect("summary"),
        Some(ItemSummary::of(&items[1]))
    );
    assert_eq!(store.summary("00000000deadbeef").expect("summary"), None);
}

#[test]
fn ingest_and_retagging_keep_the_summary_current() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    let link = "https://example.se/nyheter/brand-i-tensta";
    let first = RawItem {
        link: Some(link.into()),
        ..raw("a-1", "Brand i Tensta", "", at(1))
    };
    let ids = ingest(&store, "a", vec![first], at(2));
    let summary = |store: &Store| {
        store
            .summaries()
            .next()
            .expect("one item")
            .expect("decodes")
    };
    assert_eq!(summary(&store).sources, ["a"]);

    // The same story from another source is one item with a second sighting.
    let second = RawItem {
        link: Some(link.into()),
        ..raw("b-1", "Brand i Tensta", "", at(1))
    };
    ingest(&store, "b", vec![second], at(3));
    assert_eq!(summary(&store).sources, ["a", "b"]);

    store
        .put_taggings(&[(ids[0].clone(), tagging("fokus/olyckor"))])
        .expect("retag");
    assert_eq!(summary(&store).tags, ["fokus/olyckor"]);
    assert_eq!(store.summaries().count(), 1);
}

#[test]
fn an_item_that_moves_in_time_keeps_one_summary() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    ingest(&store, "s", vec![raw("g", "Vattenläcka", "", at(1))], at(2));
    ingest(
        &store,
        "s",
        vec![raw("g", "Vattenläcka", "Ny text", at(20))],
        at(21),
    );
    let listed: Vec<ItemSummary> = store.summaries().collect::<Result<_, _>>().expect("read");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].published, at(20));
}
