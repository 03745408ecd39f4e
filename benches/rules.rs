//! Tagging throughput (issue 5, "Speed"): items per second on one core with the bundled rules
//! (`config/rules/`) and with 10, 100 and 1,000 generated rules, over 100,000 generated items of
//! realistic length; and what tagging adds to ingest per item, next to `normalise` alone.
//!
//! Goals: at least 50,000 items/s with 1,000 rules, and the cost with 1,000 rules within 2× of
//! the cost with 10. Criterion would take far too long at 100,000 items per iteration, so this is
//! a plain harness: items are built first; each rule set tags the first 10,000 to warm up, then
//! all of them three times, timed, on the main thread (fewer passes once 12 s are spent, so that a
//! slow engine still finishes in about two minutes); the best and median pass are printed, with
//! how many items got tags and how many rules fired, so a change that speeds tagging up by
//! tagging less shows.
//!
//! Everything is generated from fixed seeds, so runs compare. The corpus mixes Swedish function
//! words, ordinary news words, the words rules care about (those of
//! `../shared/tools/gen_corpus.py` and more), compounds, Stockholm place names, fixed phrases and
//! a long tail of generated Swedish-looking words; items come from `rss`, `polisen` and
//! `krisinformation` sources, with categories, places and severities as those kinds give them.
//! Generated rules are shaped like the bundled ones: 5 to 15 weighted terms (words, `prefix*`,
//! `*infix*`, phrases), thresholds that need two or more terms, some `all`, `none` and `near`
//! groups, conditions on kinds, and a few (2%) regular expressions.
//!
//! `cargo bench --bench rules`; `LAGE_BENCH_ITEMS=20000 cargo bench --bench rules` for fewer
//! items.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use lage::item::{GeoArea, Item, Location, RawItem, RawText, Severity};
use lage::normalise::normalise;
use lage::rules::{RuleFile, RuleSet};

/// Items tagged per pass unless `LAGE_BENCH_ITEMS` says otherwise.
const DEFAULT_ITEMS: usize = 100_000;
/// Timed passes per rule set, after a warm-up.
const PASSES: usize = 3;
/// Generated Swedish-looking words (the long tail of the vocabulary).
const GENERATED_WORDS: usize = 20_000;
/// Items of the untimed warm-up pass.
const WARM_UP_ITEMS: usize = 10_000;
/// Time after which no further timed pass of a rule set starts.
const PASS_BUDGET: Duration = Duration::from_secs(12);
/// Goal: items per second with 1,000 rules.
const GOAL_ITEMS_PER_SEC: f64 = 50_000.0;
/// Goal: cost with 1,000 rules over cost with 10.
const GOAL_RATIO: f64 = 2.0;

const FUNCTION: &str = "och i på att det som en för med av till är har den inte om de var men \
    ett vid från kan efter under sig också så när hade ska enligt mot där eller inga flera två \
    tre sina kring strax runt cirka nu då bara redan än ännu även alla någon något";

const ORDINARY: &str = "polisen kvällen natten morgonen eftermiddagen uppgifter person personer \
    man kvinna mannen kvinnan bil bilen lägenhet lägenheten centrum området vittnen larmades \
    skadades misstänks utreds gripits anhållen kontaktade platsen vägen huset byggnaden \
    trapphuset gatan torget stationen boende invånare kommunen staden regionen länet \
    myndigheten verksamheten beslut arbetet rapporterar uppger meddelar klockan timmar minuter \
    dygnet veckan helgen måndag tisdag onsdag torsdag fredag lördag söndag pressekreterare \
    talesperson presstjänst ärendet utredning förundersökning läget åtgärder råd allmänheten \
    hemmet dörren fönster trafiken kön sträckan riktning körfält stängt öppnat fortsätter pågår \
    avslutad inledd skadad allvarligt lindrigt fördes patrull insatsen ungdomar vuxna barn \
    föräldrar elever grannar förare passagerare resenärer kunder butiken restaurangen parken \
    skogen sjön bron tunneln hamnen flygplatsen ledningen chefen ansvarig samarbete uppdrag \
    kostnader budget förslag nämnden fullmäktige politiker rapporten siffror ökning minskning \
    jämfört förra året senaste tiden snart senare tidigare igår idag ikväll imorgon";

const TOPICAL: &str = "brand branden bränder rökutveckling explosion detonation skottlossning \
    skjuten knivskuren misshandel misshandlad rån rånet stöld stölden inbrott inbrottet \
    skadegörelse klotter hot hotad hotfull hoten våld våldet anställd anställda personal \
    personalen lärare handläggare socialsekreterare skola skolan förskola förskolan elavbrott \
    strömavbrott vattenläcka storm stormen snöoväder översvämning skyfall värmebölja \
    it-incident nätfiske intrång överbelastningsattack sårbarhet ransomware cyberattack \
    demonstration manifestation extremism extremister radikalisering terrorism polis \
    räddningstjänsten ambulans sjukhus evakuering avspärrning störning störningar \
    kollektivtrafik tunnelbana pendeltåg buss väg e4 essingeleden centralen rapport händelse \
    larm varning meddelande vma krisberedskap beredskap säkerhetsskydd spionage underrättelse \
    påverkan desinformation trafikolycka kollision frontalkrock påkörd narkotika vapen gripen \
    åtal dom";

const COMPOUND_HEADS: &str = "brand inbrott stöld olycka avbrott läcka larm attack hot våld \
    skada störning rån";

const COMPOUND_PREFIXES: &str = "skol bil lägenhets villa gräs skogs bostads butiks cykel el \
    vatten tele trafik tåg buss nät it kniv gäng grov hem person sjukhus tunnelbane bank affärs";

/// Stockholm's districts and neighbourhoods, and towns nearby.
const PLACES: &str = "Rinkeby|Kista|Husby|Akalla|Tensta|Spånga|Hässelby|Vällingby|Bromma|Alvik|\
    Kungsholmen|Fridhemsplan|Norrmalm|Vasastan|Östermalm|Södermalm|Hornstull|Hägersten|\
    Liljeholmen|Älvsjö|Skärholmen|Sätra|Enskede|Årsta|Vantör|Högdalen|Skarpnäck|Farsta|\
    Hökarängen|Bagarmossen|Slussen|T-Centralen|Gamla stan|Hägersten-Liljeholmen|Solna|\
    Sundbyberg|Nacka|Huddinge|Södertälje|Uppsala|Göteborg|Malmö";

/// Multi-word units that occur as such in the text (and as phrase terms in rules).
const PHRASES: &str = "hot och våld|enligt polisen|räddningstjänsten larmades|\
    hot mot anställda|våld mot personal|misstänkt mordbrand|farligt utsläpp|\
    viktigt meddelande till allmänheten|grov misshandel|försök till mord|bombhot mot skola|\
    cyberattack mot kommunen|stängs av|ingen person skadades|vid tiotiden|stadens funktionalitet";

/// Polisen's event types, which are also the items' categories.
const POLICE_TYPES: &str = "Trafikolycka|Trafikolycka, personskada|Brand|Stöld|Inbrott|\
    Misshandel|Rattfylleri|Trafikkontroll|Skottlossning|Mord/dråp, försök|Rån|Bedrägeri|\
    Uppdatering|Sammanfattning natt|Skadegörelse|Försvunnen person|Olaga hot";

const KRIS_CATEGORIES: &str = "Brand|Väder|Trafik|Vatten|Elavbrott|Samhällsstörning|Hälsa|IT";

const RSS_CATEGORIES: &str =
    "Inrikes|Stockholm|Brott|Nyheter|Lokalt|Ekonomi|Politik|Sport|Kultur|Teknik";

const RSS_SOURCES: &[&str] = &["dn-sthlm", "svt-abc", "sr-p4-sthlm", "mitti", "aftonbladet"];

/// The word lists, split once.
struct Vocabulary {
    function: Vec<&'static str>,
    ordinary: Vec<&'static str>,
    topical: Vec<&'static str>,
    heads: Vec<&'static str>,
    prefixes: Vec<&'static str>,
    places: Vec<&'static str>,
    phrases: Vec<&'static str>,
    police_types: Vec<&'static str>,
    kris_categories: Vec<&'static str>,
    rss_categories: Vec<&'static str>,
    /// Generated stems; rank 0 is the most frequent.
    generated: Vec<String>,
}

impl Vocabulary {
    fn new(rng: &mut fastrand::Rng) -> Vocabulary {
        let split = |s: &'static str| s.split_whitespace().collect::<Vec<_>>();
        let bars = |s: &'static str| s.split('|').collect::<Vec<_>>();
        let mut seen = std::collections::HashSet::new();
        let mut generated = Vec::with_capacity(GENERATED_WORDS);
        while generated.len() < GENERATED_WORDS {
            let stem = swedish_looking(rng);
            if seen.insert(stem.clone()) {
                generated.push(stem);
            }
        }
        Vocabulary {
            function: split(FUNCTION),
            ordinary: split(ORDINARY),
            topical: split(TOPICAL),
            heads: split(COMPOUND_HEADS),
            prefixes: split(COMPOUND_PREFIXES),
            places: bars(PLACES),
            phrases: bars(PHRASES),
            police_types: bars(POLICE_TYPES),
            kris_categories: bars(KRIS_CATEGORIES),
            rss_categories: bars(RSS_CATEGORIES),
            generated,
        }
    }

    /// A generated word with a Zipf-like rank (rank r has probability about 1/r).
    fn rare(&self, rng: &mut fastrand::Rng) -> &str {
        let rank = (self.generated.len() as f64).powf(rng.f64()) as usize - 1;
        &self.generated[rank.min(self.generated.len() - 1)]
    }

    /// A generated word as a rule writer would pick it: not among the 30 most frequent (those
    /// are as common as function words), log-uniform in rank beyond.
    fn distinctive(&self, rng: &mut fastrand::Rng) -> &str {
        let span = self.generated.len() as f64 / 30.0;
        let rank = (30.0 * span.powf(rng.f64())) as usize;
        &self.generated[rank.min(self.generated.len() - 1)]
    }

    fn compound(&self, rng: &mut fastrand::Rng) -> String {
        let head = pick(rng, &self.heads);
        let ending = match (rng.u8(..10), head.ends_with('a')) {
            (0..=6, _) => "",
            (_, true) => "n",
            (_, false) => "en",
        };
        format!("{}{head}{ending}", pick(rng, &self.prefixes))
    }

    /// One word (or fixed phrase) of running text, by class in thousandths: a third function
    /// words, a third ordinary words, a fifth the long tail, a few percent each of places,
    /// compounds, numbers and topical words; `topical` (titles, police summaries) adds some.
    fn word(&self, rng: &mut fastrand::Rng, topical: bool) -> String {
        let boost = if topical { 60 } else { 0 };
        let roll = rng.u32(..1000 + boost);
        let inflect = |rng: &mut fastrand::Rng, stem: &str| {
            let ending = *pick(
                rng,
                &["", "", "", "en", "et", "ar", "arna", "er", "s", "ning"],
            );
            format!("{stem}{ending}")
        };
        match roll {
            0..=329 => pick(rng, &self.function).to_string(),
            330..=689 => pick(rng, &self.ordinary).to_string(),
            690..=899 => {
                let stem = self.rare(rng);
                inflect(rng, stem)
            }
            900..=914 => pick(rng, &self.places).to_string(),
            915..=926 => self.compound(rng),
            927..=930 => pick(rng, &self.phrases).to_string(),
            931 => format!("CVE-2026-{}", rng.u32(1000..99_999)),
            932..=964 => rng.u32(2..60).to_string(),
            _ => pick(rng, &self.topical).to_string(),
        }
    }

    /// Sentences of `words` words in all, 6 to 16 words each, capitalised and punctuated.
    fn text(
        &self,
        rng: &mut fastrand::Rng,
        words: std::ops::RangeInclusive<usize>,
        topical: bool,
    ) -> String {
        let words = rng.usize(words);
        let mut out = String::with_capacity(words * 8);
        let mut left = words;
        while left > 0 {
            let n = rng.usize(6..=16).min(left);
            left -= n;
            for i in 0..n {
                let word = self.word(rng, topical);
                if i == 0 {
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    let mut chars = word.chars();
                    out.extend(chars.next().into_iter().flat_map(char::to_uppercase));
                    out.push_str(chars.as_str());
                } else {
                    out.push_str(if rng.u8(..12) == 0 { ", " } else { " " });
                    out.push_str(&word);
                }
            }
            out.push('.');
        }
        out
    }
}

fn pick<'a, T>(rng: &mut fastrand::Rng, list: &'a [T]) -> &'a T {
    &list[rng.usize(..list.len())]
}

/// A stem of two or three syllables that reads like Swedish.
fn swedish_looking(rng: &mut fastrand::Rng) -> String {
    const ONSETS: &[&str] = &[
        "b", "br", "d", "f", "fl", "fr", "g", "gr", "h", "j", "k", "kl", "kr", "l", "m", "n", "p",
        "pl", "r", "s", "sk", "sl", "sm", "sn", "sp", "st", "str", "sv", "t", "tr", "v",
    ];
    const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "y", "å", "ä", "ö", "a", "e", "o"];
    const CODAS: &[&str] = &[
        "", "", "d", "g", "k", "l", "ll", "m", "n", "nd", "ng", "r", "rd", "s", "st", "t", "tt",
    ];
    let mut stem = String::new();
    for _ in 0..rng.usize(2..=3) {
        for part in [ONSETS, VOWELS, CODAS] {
            let chosen: &&str = pick(rng, part);
            stem.push_str(chosen);
        }
    }
    stem
}

/// A raw item with its source id and kind, ready for `normalise`.
type RawEntry = (RawItem, &'static str, &'static str);

/// The fixed "now" of the generated items.
fn bench_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0)
        .single()
        .unwrap_or_else(Utc::now)
}

/// The raw items, as the three source kinds would deliver them.
fn raw_items(vocab: &Vocabulary, count: usize, rng: &mut fastrand::Rng) -> Vec<RawEntry> {
    let base = bench_now();
    (0..count)
        .map(|i| {
            let published = base - chrono::Duration::minutes(i as i64 % 40_000);
            let place = *pick(rng, &vocab.places);
            let mut raw = RawItem {
                guid: Some(format!("bench-{i}")),
                link: Some(format!("https://example.se/nyheter/{i}?utm_source=rss")),
                published: Some(published),
                ..RawItem::default()
            };
            let (source, kind) = match rng.u8(..10) {
                0..=4 => {
                    raw.title = Some(RawText::plain(vocab.text(rng, 6..=10, true)));
                    raw.summary = Some(RawText::plain(vocab.text(rng, 15..=35, false)));
                    raw.body = Some(RawText::html(format!(
                        "<p>{}</p><p>{}</p>",
                        vocab.text(rng, 25..=55, false),
                        vocab.text(rng, 25..=55, false)
                    )));
                    if rng.u8(..10) < 4 {
                        raw.categories = (0..rng.usize(1..=3))
                            .map(|_| pick(rng, &vocab.rss_categories).to_string())
                            .collect();
                    }
                    (*pick(rng, RSS_SOURCES), "rss")
                }
                5..=7 => {
                    let category = *pick(rng, &vocab.police_types);
                    raw.title = Some(RawText::plain(format!(
                        "{} november {:02}.{:02}, {category}, {place}",
                        published.format("%d"),
                        rng.u8(..24),
                        rng.u8(..60)
                    )));
                    raw.summary = Some(RawText::plain(vocab.text(rng, 12..=25, true)));
                    raw.body = Some(RawText::html(format!(
                        "<p>{}</p>",
                        vocab.text(rng, 45..=100, false)
                    )));
                    raw.categories = vec![category.to_string()];
                    raw.location = Some(Location {
                        name: Some(place.to_string()),
                        lat: Some(59.3 + rng.f64() * 0.1),
                        lon: Some(18.0 + rng.f64() * 0.1),
                        approximate: false,
                    });
                    ("polisen-sthlm", "polisen")
                }
                _ => {
                    raw.title = Some(RawText::plain(format!(
                        "{} i {place}",
                        vocab.text(rng, 5..=8, true).trim_end_matches('.')
                    )));
                    raw.summary = Some(RawText::plain(vocab.text(rng, 20..=35, true)));
                    raw.body = Some(RawText::html(format!(
                        "<p>{}</p><h2>Råd</h2><ul><li>{}</li></ul><p>{}</p>",
                        vocab.text(rng, 30..=50, false),
                        vocab.text(rng, 6..=10, false),
                        vocab.text(rng, 20..=45, false)
                    )));
                    raw.categories = (0..rng.usize(1..=2))
                        .map(|_| pick(rng, &vocab.kris_categories).to_string())
                        .collect();
                    raw.severity = Some(*pick(
                        rng,
                        &[Severity::Low, Severity::Medium, Severity::High],
                    ));
                    raw.areas = vec![GeoArea {
                        name: Some(format!("{place}, Stockholms län")),
                        geocodes: vec!["01".into(), "0180".into()],
                        ..GeoArea::default()
                    }];
                    ("krisinformation", "krisinformation")
                }
            };
            (raw, source, kind)
        })
        .collect()
}

/// A term of a generated rule, as written, and whether it is a weak one (a common word or a
/// phrase, which rule writers weigh 1 so that it only ever helps another term).
fn rule_term(vocab: &Vocabulary, rng: &mut fastrand::Rng) -> (String, bool) {
    let (word, weak) = match rng.u8(..100) {
        0..=64 => (vocab.distinctive(rng).to_string(), false),
        65..=81 => (pick(rng, &vocab.topical).to_string(), false),
        82..=89 => (
            format!("{}{}", pick(rng, &vocab.prefixes), pick(rng, &vocab.heads)),
            false,
        ),
        90..=95 => (pick(rng, &vocab.places).to_string(), false),
        96..=97 => (pick(rng, &vocab.phrases).to_string(), true),
        _ => (pick(rng, &vocab.ordinary).to_string(), true),
    };
    let stem_ok = !word.contains(' ') && word.chars().filter(|c| c.is_alphanumeric()).count() >= 5;
    let written = match rng.u8(..100) {
        0..=49 => word,
        50..=74 if stem_ok => format!("{word}*"),
        75..=89 if stem_ok => format!("*{word}*"),
        90..=99 if stem_ok => format!("*{word}"),
        _ => word,
    };
    (written, weak)
}

/// `n` generated rules as one TOML file.
fn generated_rules(vocab: &Vocabulary, n: usize, seed: u64, with_regexes: bool) -> String {
    const REGEXES: &[&str] = &[
        r"re:\bCVE-\d{4}-\d{4,}",
        r"re:\b[Ee]\s?\d{1,2}\b",
        r"re:\d{1,2} (personer|bilar|lägenheter)",
        r"re:(?-i)\b[A-ZÅÄÖ]{3,}\b",
    ];
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut toml = String::with_capacity(n * 400);
    for i in 0..n {
        let mut terms: Vec<(String, i64)> = Vec::new();
        let wanted = rng.usize(5..=15);
        while terms.len() < wanted {
            let (term, weak) = rule_term(vocab, &mut rng);
            if !terms.iter().any(|(t, _)| *t == term) {
                let weight = match (weak, rng.u8(..10)) {
                    (true, _) => 1,
                    (false, 0) => -rng.i64(1..=3),
                    (false, _) => rng.i64(1..=4),
                };
                terms.push((term, weight));
            }
        }
        if with_regexes && i % 50 == 49 {
            terms.push((pick(&mut rng, REGEXES).to_string(), 2));
        }
        let mut positive: Vec<i64> = terms.iter().map(|t| t.1).filter(|w| *w > 0).collect();
        positive.sort_unstable_by(|a, b| b.cmp(a));
        let top = |k: usize| positive.get(k).copied().unwrap_or(0);
        // Never one term alone: at least the strongest term and something more.
        let threshold = match rng.u8(..10) {
            0..=4 => top(0) + top(1),
            5..=7 => top(0) + 1,
            _ => (top(1) + top(2)).max(top(0) + 1),
        }
        .clamp(1, positive.iter().sum::<i64>().max(1));
        toml.push_str(&format!(
            "[[rule]]\nname = \"gen-{i:04}\"\ntags = [\"gen/g{:02}\", \"gen/r{i:04}\"]\n\
             description = \"Genererad regel {i}\"\nthreshold = {threshold}\n",
            i % 40
        ));
        if rng.u8(..100) < 3 {
            toml.push_str("kinds = [\"polisen\", \"krisinformation\"]\n");
        }
        toml.push_str("\n[rule.terms]\n");
        for (term, weight) in &terms {
            let key = if term.starts_with("re:") {
                format!("'{term}'")
            } else {
                format!("\"{term}\"")
            };
            if rng.u8(..20) == 0 && !term.starts_with("re:") {
                toml.push_str(&format!(
                    "{key} = {{ weight = {weight}, in = [\"title\", \"summary\"] }}\n"
                ));
            } else {
                toml.push_str(&format!("{key} = {weight}\n"));
            }
        }
        let quoted = |rng: &mut fastrand::Rng, k: usize| {
            (0..k)
                .map(|_| format!("\"{}\"", rule_term(vocab, rng).0))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if rng.u8(..100) < 15 {
            let k = rng.usize(2..=4);
            let any = quoted(&mut rng, k);
            toml.push_str(&format!("\n[[rule.all]]\nany = [{any}]\n"));
        }
        if rng.u8(..100) < 10 {
            let k = rng.usize(1..=3);
            let any = quoted(&mut rng, k);
            toml.push_str(&format!("\n[[rule.none]]\nany = [{any}]\n"));
        }
        if rng.u8(..100) < 10 {
            let near: Vec<String> = terms
                .iter()
                .take(3)
                .filter(|t| !t.0.starts_with("re:"))
                .map(|t| format!("\"{}\"", t.0))
                .collect();
            let other = quoted(&mut rng, 2);
            toml.push_str(&format!(
                "\n[[rule.near]]\ngroups = [[{}], [{other}]]\nwithin = {}\nweight = 2\n",
                near.join(", "),
                rng.u8(4..=10)
            ));
        }
        toml.push('\n');
    }
    toml
}

/// What one rule set did to the items, and how long it took.
struct Measured {
    label: String,
    rules: usize,
    compile: Duration,
    passes: Vec<Duration>,
    tagged: usize,
    fired: usize,
    tags: usize,
    evidence: usize,
}

impl Measured {
    fn best(&self) -> Duration {
        self.passes.iter().copied().min().unwrap_or_default()
    }

    fn median(&self) -> Duration {
        let mut sorted = self.passes.clone();
        sorted.sort_unstable();
        sorted.get(sorted.len() / 2).copied().unwrap_or_default()
    }
}

/// Runs `pass` over the first `WARM_UP_ITEMS` items as a warm-up and then over all of them,
/// `PASSES` times, or fewer once `PASS_BUDGET` is spent, so that a slow engine still finishes
/// in reasonable time. `pass(count)` returns the time its work took; those are returned.
fn timed_passes(n: usize, mut pass: impl FnMut(usize) -> Duration) -> Vec<Duration> {
    pass(n.min(WARM_UP_ITEMS));
    let mut passes: Vec<Duration> = Vec::with_capacity(PASSES);
    while passes.len() < PASSES && passes.iter().sum::<Duration>() < PASS_BUDGET {
        passes.push(pass(n));
    }
    passes
}

/// Tags the items with one rule set; the counts come from the last pass (every pass is alike).
fn measure(label: &str, set: &RuleSet, compile: Duration, items: &[Item]) -> Measured {
    let mut counts = [0usize; 4];
    let passes = timed_passes(items.len(), |upto| {
        counts = [0; 4];
        let start = Instant::now();
        for item in &items[..upto] {
            let tagging = set.tag(black_box(item));
            counts[0] += usize::from(!tagging.tags.is_empty());
            counts[1] += tagging.matches.len();
            counts[2] += tagging.tags.len();
            counts[3] += tagging
                .matches
                .iter()
                .map(|m| m.evidence.len())
                .sum::<usize>();
            black_box(tagging);
        }
        start.elapsed()
    });
    let [tagged, fired, tags, evidence] = counts;
    Measured {
        label: label.to_string(),
        rules: set.rules().len(),
        compile,
        passes,
        tagged,
        fired,
        tags,
        evidence,
    }
}

fn compile(files: &[RuleFile]) -> Result<(RuleSet, Duration), String> {
    let start = Instant::now();
    let set = RuleSet::from_files(files).map_err(|e| e.to_string())?;
    Ok((set, start.elapsed()))
}

fn per_sec(items: usize, d: Duration) -> f64 {
    items as f64 / d.as_secs_f64().max(1e-9)
}

fn micros(items: usize, d: Duration) -> f64 {
    d.as_secs_f64() * 1e6 / items.max(1) as f64
}

fn print_header() {
    println!(
        "tagged: items with at least one tag; fired, tags, evid: firing rules, tags and evidence \
         entries per item; n: timed passes"
    );
    let row = |cells: [&str; 12]| {
        println!(
            "{:<15} {:>5} {:>8} {:>7} {:>6} {:>6} {:>6} {:>10} {:>10} {:>8} {:>8} {:>2}",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            cells[4],
            cells[5],
            cells[6],
            cells[7],
            cells[8],
            cells[9],
            cells[10],
            cells[11]
        )
    };
    row([
        "", "", "compile", "", "", "", "", "items/s", "items/s", "µs/item", "µs/item", "",
    ]);
    row([
        "rule set", "rules", "ms", "tagged", "fired", "tags", "evid", "best", "median", "best",
        "median", "n",
    ]);
}

fn print_row(m: &Measured, n: usize) {
    let per_item = |count: usize| count as f64 / n.max(1) as f64;
    println!(
        "{:<15} {:>5} {:>8.1} {:>6.1}% {:>6.2} {:>6.2} {:>6.2} {:>10.0} {:>10.0} {:>8.2} {:>8.2} {:>2}",
        m.label,
        m.rules,
        m.compile.as_secs_f64() * 1e3,
        100.0 * per_item(m.tagged),
        per_item(m.fired),
        per_item(m.tags),
        per_item(m.evidence),
        per_sec(n, m.best()),
        per_sec(n, m.median()),
        micros(n, m.best()),
        micros(n, m.median()),
        m.passes.len(),
    );
}

/// The best pass of `normalise` alone and of `normalise` plus tagging, over the same raw
/// items (cloned before each pass, outside the timing).
fn ingest_cost(raw: &[RawEntry], set: &RuleSet, now: DateTime<Utc>) -> (Duration, Duration) {
    let run = |tag: bool| {
        let passes = timed_passes(raw.len(), |upto| {
            let batch: Vec<RawEntry> = raw[..upto].to_vec();
            let start = Instant::now();
            for (raw, source, kind) in batch {
                let mut item = normalise(raw, source, kind, now).item;
                if tag {
                    item.tagging = set.tag(&item);
                }
                black_box(item);
            }
            start.elapsed()
        });
        passes.into_iter().min().unwrap_or_default()
    };
    (run(false), run(true))
}

/// A note when other work shares the machine, since the times are wall-clock times.
fn load_note() -> Option<String> {
    let load: f64 = std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    (load > cpus as f64 * 0.75).then(|| {
        format!(
            "note: load average {load:.1} on {cpus} CPUs: other work competes, times are inflated"
        )
    })
}

fn main() {
    let n = std::env::var("LAGE_BENCH_ITEMS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(DEFAULT_ITEMS);
    let started = Instant::now();
    let mut rng = fastrand::Rng::with_seed(5);
    let vocab = Vocabulary::new(&mut rng);
    let raw = raw_items(&vocab, n, &mut rng);
    let now = bench_now();
    let items: Vec<Item> = raw
        .iter()
        .map(|(r, source, kind)| normalise(r.clone(), source, kind, now).item)
        .collect();
    let mean = |f: fn(&Item) -> usize| items.iter().map(f).sum::<usize>() as f64 / n as f64;
    let (title, summary, body) = (
        mean(|i| i.title.len()),
        mean(|i| i.summary.len()),
        mean(|i| i.body.len()),
    );
    let share =
        |kind: &str| items.iter().filter(|i| i.kind == kind).count() as f64 * 100.0 / n as f64;
    println!(
        "lage rules benchmark: {n} items, mean {:.0} bytes of text (title {title:.0}, summary \
         {summary:.0}, body {body:.0}); rss {:.0}%, polisen {:.0}%, krisinformation {:.0}%",
        title + summary + body,
        share("rss"),
        share("polisen"),
        share("krisinformation"),
    );
    println!(
        "one thread; per rule set a warm-up over {} items, then up to {PASSES} timed passes over \
         all items (fewer once {} s are spent)",
        n.min(WARM_UP_ITEMS),
        PASS_BUDGET.as_secs()
    );
    if let Some(note) = load_note() {
        println!("{note}");
    }
    println!();
    print_header();

    let dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/rules");
    let bundled = lage::rules::read_dir(&dir)
        .map_err(|e| e.to_string())
        .and_then(|files| match files.is_empty() {
            true => Err(format!("{}: no rule files", dir.display())),
            false => compile(&files),
        });
    let bundled = match bundled {
        Ok((set, took)) => {
            print_row(&measure("bundled", &set, took, &items), n);
            Some(set)
        }
        Err(e) => {
            let first = e.lines().next().unwrap_or_default();
            println!("{:<15} skipped: {first}", "bundled");
            None
        }
    };
    let mut generated: Vec<(usize, Measured)> = Vec::new();
    let mut largest: Option<RuleSet> = None;
    // The same rules with and without their 2% of regexes: regexes run one by one and cost
    // in proportion to their number, word terms share one automaton.
    let mut words_only: Vec<(usize, Measured)> = Vec::new();
    for (rules, with_regexes) in [(10, true), (100, true), (1_000, true), (1_000, false)] {
        let file = RuleFile {
            path: PathBuf::from(format!("generated-{rules}.toml")),
            text: generated_rules(&vocab, rules, 1_000 + rules as u64, with_regexes),
        };
        let label = if with_regexes {
            format!("generated {rules}")
        } else {
            format!("gen {rules} words")
        };
        match compile(std::slice::from_ref(&file)) {
            Ok((set, took)) => {
                let m = measure(&label, &set, took, &items);
                print_row(&m, n);
                if with_regexes {
                    generated.push((rules, m));
                    largest = Some(set);
                } else {
                    words_only.push((rules, m));
                }
            }
            Err(e) => println!("{label}: does not compile: {e}"),
        }
    }

    println!();
    let cost = |rules: usize| {
        generated
            .iter()
            .find(|(r, _)| *r == rules)
            .map(|(_, m)| micros(n, m.median()))
    };
    if let (Some(ten), Some(thousand)) = (cost(10), cost(1_000)) {
        let verdict = |met: bool| if met { "met" } else { "MISSED" };
        let rate = 1e6 / thousand;
        let ratio = thousand / ten;
        println!(
            "goal ≥ {GOAL_ITEMS_PER_SEC:.0} items/s with 1,000 rules: {rate:.0} items/s (median): {}",
            verdict(rate >= GOAL_ITEMS_PER_SEC)
        );
        println!(
            "goal cost(1,000 rules) / cost(10 rules) ≤ {GOAL_RATIO:.1}: {thousand:.2} µs / \
             {ten:.2} µs = {ratio:.2}: {}",
            verdict(ratio <= GOAL_RATIO)
        );
        if let Some((_, words)) = words_only.first() {
            let words = micros(n, words.median());
            println!(
                "without the regexes, 1,000 rules: {:.0} items/s, {words:.2} µs / {ten:.2} µs = {:.2} \
                 (the 10-rule set has none)",
                1e6 / words,
                words / ten
            );
        }
    }

    let (label, set) = match (&bundled, &largest) {
        (Some(set), _) => ("the bundled rules", set),
        (None, Some(set)) => ("1,000 generated rules (no bundled rules)", set),
        (None, None) => return,
    };
    let (alone, tagged) = ingest_cost(&raw, set, now);
    let (alone, tagged) = (micros(n, alone), micros(n, tagged));
    println!(
        "ingest, best pass: normalise {alone:.2} µs/item; normalise + tag with {label} \
         {tagged:.2} µs/item; tagging adds {:.2} µs/item ({:+.0}%)",
        tagged - alone,
        100.0 * (tagged - alone) / alone.max(1e-9)
    );
    println!("bench time {:.0} s", started.elapsed().as_secs_f64());
}
