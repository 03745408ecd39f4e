//! A year of realistic stored items for the dashboard benchmark: Swedish news and authority
//! text over a few hundred sources, some local to the area of interest, a share of warnings with
//! alert lifecycles (a few critical, a few cancelled or expired), tagged by the bundled rules
//! like ingest tags them.

use chrono::{DateTime, Duration, Utc};
use lage::item::{
    AlertStatus, Item, LocalMatch, MatchHow, MessageType, RawAlert, RawItem, RawText, Severity,
};
use lage::normalise::normalise;
use lage::rules::RuleSet;

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
    "extremism",
    "polis",
    "räddningstjänst",
    "ambulans",
    "sjukhus",
    "kommun",
    "stadsdel",
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
    "enskede",
    "årsta",
    "vantör",
    "skärholmen",
    "bromma",
    "hässelby",
    "vällingby",
    "norrmalm",
    "östermalm",
    "varning",
    "meddelande",
    "information",
    "evakuering",
    "avspärrning",
    "störning",
    "kollektivtrafik",
    "tunnelbana",
    "pendeltåg",
    "buss",
    "väg",
    "e4",
    "essingeleden",
    "centralen",
    "rapport",
    "händelse",
    "larm",
    "och",
    "i",
    "på",
    "vid",
    "efter",
    "under",
    "natten",
    "morgonen",
    "kvällen",
    "personer",
    "skadade",
    "gripen",
    "misstänkt",
    "utreds",
    "sårbarhet",
    "cyberattack",
    "överbelastning",
    "leverantör",
    "myndighet",
    "beredskap",
    "kris",
    "samverkan",
    "säkerhetsskydd",
    "hotbild",
    "påverkan",
    "valet",
    "demokrati",
];

/// Everyday words that carry no rule's meaning; most of a real text is these.
const FILLER: &[&str] = &[
    "det",
    "var",
    "en",
    "som",
    "har",
    "till",
    "med",
    "för",
    "att",
    "den",
    "inte",
    "om",
    "man",
    "kan",
    "efter",
    "enligt",
    "också",
    "när",
    "mot",
    "sedan",
    "flera",
    "några",
    "under",
    "dagen",
    "tisdag",
    "onsdag",
    "uppger",
    "skriver",
    "berättar",
    "området",
    "platsen",
    "gatan",
    "bostad",
    "centrum",
    "invånare",
    "bilen",
    "huset",
    "klockan",
    "timmar",
    "vittnen",
    "arbetet",
    "kontakt",
    "uppgifter",
    "tidigare",
    "senare",
    "fortfarande",
    "oklart",
    "nya",
    "stora",
];

const KINDS: &[&str] = &[
    "rss",
    "rss",
    "rss",
    "polisen",
    "krisinformation",
    "smhi",
    "incidents",
];

/// How many sources the items come from.
pub const SOURCES: u64 = 300;

fn sentence(rng: &mut fastrand::Rng, words: usize) -> String {
    let mut s = String::with_capacity(words * 9);
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        // About one word in eight carries meaning, like a news text.
        let word = if rng.u8(..8) == 0 {
            WORDS[rng.usize(..WORDS.len())]
        } else {
            FILLER[rng.usize(..FILLER.len())]
        };
        s.push_str(word);
    }
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>() + ".",
        None => s,
    }
}

/// Item number `n` of the corpus, published within the year before `now`, newer for higher `n`
/// on average.
pub fn item(
    n: u64,
    total: u64,
    rng: &mut fastrand::Rng,
    rules: &RuleSet,
    now: DateTime<Utc>,
) -> Item {
    let source = rng.u64(..SOURCES);
    let kind = KINDS[(source % KINDS.len() as u64) as usize];
    let age_secs = (total - n) as i64 * 365 * 86_400 / total as i64 + rng.i64(0..3_600);
    let published = now - Duration::seconds(age_secs);
    let warning = kind != "rss" && rng.u8(..100) < 20;
    let severity = if warning {
        Some(match rng.u16(..1000) {
            0..=4 => Severity::Critical,
            5..=99 => Severity::High,
            100..=499 => Severity::Medium,
            _ => Severity::Low,
        })
    } else {
        None
    };
    let alert = warning.then(|| RawAlert {
        version: format!("v{n}"),
        status: if rng.u8(..100) == 0 {
            AlertStatus::Exercise
        } else {
            AlertStatus::Actual
        },
        msg_type: if rng.u8(..20) == 0 {
            MessageType::Cancel
        } else {
            MessageType::Alert
        },
        sent: Some(published),
        references: Vec::new(),
        onset: Some(published),
        expires: Some(published + Duration::hours(rng.i64(1..72))),
    });
    let raw = RawItem {
        guid: Some(format!("item-{n}")),
        link: Some(format!(
            "https://källa{source}.example.se/nyheter/{n}?utm_source=rss"
        )),
        title: Some(RawText::plain(sentence(rng, 7))),
        summary: Some(RawText::plain(sentence(rng, 20))),
        // Most feeds give a summary only; a third also carry a longer text.
        body: (rng.u8(..3) == 0).then(|| {
            RawText::html(format!(
                "<p>{}</p><p>{}</p>",
                sentence(rng, 25),
                sentence(rng, 25)
            ))
        }),
        published: Some(published),
        categories: vec![WORDS[rng.usize(..WORDS.len())].to_string()],
        severity,
        alert,
        ..RawItem::default()
    };
    let mut item = normalise(raw, &format!("källa-{source:03}"), kind, published).item;
    if rng.u8(..100) < 15 {
        item.local = Some(LocalMatch {
            how: MatchHow::Name,
            place: "Farsta".into(),
            distance_km: None,
        });
    }
    item.tagging = rules.tag(&item);
    item
}
