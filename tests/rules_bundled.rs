//! The bundled rule sets in `config/rules/`: every file compiles, gives only the documented tags,
//! and tags realistic headlines as an analyst would, while near misses (a firewall is not a fire,
//! "Hammarby vann derbyt" is not Södermalm, a hotel opening is not a threat) stay untagged.
//!
//! One test per rule file; each is a table of items that must carry a tag and items that must
//! not. A failure lists every case that went wrong, with the rules that fired.

use std::path::Path;
use std::sync::OnceLock;

use chrono::{TimeZone, Utc};
use lage::item::{Item, LocalMatch, Location, MatchHow, RawItem, RawText};
use lage::normalise::normalise;
use lage::rules::RuleSet;

/// The bundled rules, loaded once for all tests.
fn bundled() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/rules");
        match RuleSet::load_dir(&dir) {
            Ok(set) => set,
            Err(e) => panic!("the bundled rules do not compile:\n{e}"),
        }
    })
}

/// An item from source `source` of kind `kind`, normalised as at ingest.
fn from(source: &str, kind: &str, title: &str, summary: &str, categories: &[&str]) -> Item {
    let raw = RawItem {
        guid: Some(title.to_string()),
        title: Some(RawText::plain(title)),
        summary: (!summary.is_empty()).then(|| RawText::plain(summary)),
        categories: categories.iter().map(|c| c.to_string()).collect(),
        ..RawItem::default()
    };
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
    normalise(raw, source, kind, now).item
}

/// A news item (RSS) from a general source.
fn news(title: &str, summary: &str) -> Item {
    from("nyheter", "rss", title, summary, &[])
}

/// A Polisen event in Stockholm: the event type arrives in `categories`.
fn polisen(event_type: &str, summary: &str) -> Item {
    // Polisen gives the municipality's centre, which the area of interest places in Södermalm.
    polisen_in(
        "Stockholm",
        (59.329324, 18.068581),
        "Södermalm",
        event_type,
        summary,
    )
}

/// A Polisen event in `municipality`, located (as Polisen does) at the municipality's centre,
/// which the area of interest matched to the district `local_district`.
fn polisen_in(
    municipality: &str,
    (lat, lon): (f64, f64),
    local_district: &str,
    event_type: &str,
    summary: &str,
) -> Item {
    let title = format!("25 november 01.52, {event_type}, {municipality}");
    let mut item = from(
        "polisen-stockholms-lan",
        "polisen",
        &title,
        summary,
        &[event_type],
    );
    item.location = Some(Location {
        name: Some(municipality.into()),
        lat: Some(lat),
        lon: Some(lon),
        approximate: false,
    });
    item.areas = vec![municipality.into()];
    item.local = Some(local(MatchHow::Distance, local_district));
    item
}

/// An item from the city's internal incident reports.
fn incident(category: &str, title: &str, summary: &str) -> Item {
    from(
        "stad-incidenter-api",
        "incidents",
        title,
        summary,
        &[category],
    )
}

/// A CERT-SE item (RSS).
fn cert_se(title: &str, summary: &str) -> Item {
    from("cert-se-rss", "rss", title, summary, &[])
}

fn local(how: MatchHow, place: &str) -> LocalMatch {
    LocalMatch {
        how,
        place: place.into(),
        distance_km: None,
    }
}

/// `item` with a location name and the district (or code) the area of interest matched.
fn placed(mut item: Item, name: &str, local_place: Option<(MatchHow, &str)>) -> Item {
    item.location = Some(Location {
        name: Some(name.into()),
        lat: None,
        lon: None,
        approximate: false,
    });
    item.areas = vec![name.into()];
    item.local = local_place.map(|(how, place)| local(how, place));
    item
}

/// Checks every case and panics once, listing all that failed: `tagged` items must carry their
/// tag, `untagged` items must not.
fn check(tagged: &[(Item, &str)], untagged: &[(Item, &str)]) {
    let mut failures = Vec::new();
    for (item, tag) in tagged {
        let tagging = bundled().tag(item);
        if !tagging.tags.iter().any(|t| t == tag) {
            failures.push(format!(
                "MISSING {tag} on {:?} / {:?}: got {:?}",
                item.title, item.summary, tagging.tags
            ));
        }
    }
    for (item, tag) in untagged {
        let tagging = bundled().tag(item);
        if tagging.tags.iter().any(|t| t == tag) {
            failures.push(format!(
                "UNEXPECTED {tag} on {:?} / {:?}: from rules {:?}",
                item.title,
                item.summary,
                tagging.rules_for(tag)
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_file_compiles_and_gives_only_documented_tags() {
    let documented = [
        "fokus/olyckor",
        "fokus/brott",
        "fokus/hot-och-våld",
        "fokus/kris",
        "fokus/säkerhetsskydd",
        "värde/trygghet",
        "värde/funktionalitet",
        "värde/miljö-egendom",
        "värde/grundläggande",
        "tema/extremism",
        "it/incident",
        "it/sårbarhet",
        "it/nätfiske",
        "it/överbelastning",
        "it/intrång",
        "plats/rinkeby-kista",
        "plats/spånga-tensta",
        "plats/hässelby-vällingby",
        "plats/bromma",
        "plats/kungsholmen",
        "plats/norrmalm",
        "plats/östermalm",
        "plats/södermalm",
        "plats/hägersten-älvsjö",
        "plats/skärholmen",
        "plats/enskede-årsta-vantör",
        "plats/skarpnäck",
        "plats/farsta",
    ];
    let mut expected = documented.to_vec();
    expected.sort_unstable();
    assert_eq!(bundled().tags(), expected);
    let files: Vec<String> = bundled()
        .files()
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    for name in [
        "extremism.toml",
        "fokus-brott.toml",
        "fokus-hot-och-vald.toml",
        "fokus-kris.toml",
        "fokus-olyckor.toml",
        "fokus-sakerhetsskydd.toml",
        "it.toml",
        "platser.toml",
        "varden.toml",
    ] {
        assert!(
            files.iter().any(|f| f == name),
            "{name} not loaded: {files:?}"
        );
    }
    assert!(
        bundled()
            .rules()
            .iter()
            .all(|r| r.description.as_deref().is_some_and(|d| !d.is_empty())),
        "every bundled rule has a description"
    );
}

#[test]
fn fokus_olyckor() {
    let tag = "fokus/olyckor";
    check(
        &[
            (
                polisen(
                    "Brand",
                    "Lägenhetsbrand i Skärholmen, en person till sjukhus.",
                ),
                tag,
            ),
            (news("Skolbranden i Farsta släckt under natten", ""), tag),
            (
                polisen("Trafikolycka", "Två bilar har krockat i rondellen."),
                tag,
            ),
            (
                news(
                    "Man drunknade vid Långholmen",
                    "Räddningstjänsten larmades.",
                ),
                tag,
            ),
            (news("Gasläcka i industrilokal – området spärrat", ""), tag),
            (
                news(
                    "Byggnadsarbetare föll från ställning",
                    "Han halkade på en isig planka.",
                ),
                tag,
            ),
        ],
        &[
            (
                news(
                    "Brandväggen uppdaterad i ny version",
                    "Bättre VPN och regler.",
                ),
                tag,
            ),
            (
                news(
                    "Brandman, deltid, till brandstationen i Farsta",
                    "Sök senast 31 mars.",
                ),
                tag,
            ),
            (
                news(
                    "Olyckligtvis ställs konserten in",
                    "Biljetterna återbetalas.",
                ),
                tag,
            ),
            (
                polisen("Brand automatlarm", "Automatlarm på en skola, ingen brand."),
                tag,
            ),
            (
                polisen(
                    "Explosion",
                    "En kraftig detonation vid en port i Bagarmossen.",
                ),
                tag,
            ),
        ],
    );
}

#[test]
fn fokus_brott() {
    let tag = "fokus/brott";
    let shooting = polisen("Skottlossning", "Flera skott har avlossats i Rinkeby.");
    assert_eq!(
        bundled().tag(&shooting).severity,
        Some(lage::item::Severity::High),
        "a shooting raises the severity"
    );
    check(
        &[
            (shooting.clone(), tag),
            (
                polisen("Inbrott", "Inbrott i en villa i Bromma under natten."),
                tag,
            ),
            (
                news(
                    "Sprängning vid port i Vårberg",
                    "Polisen utreder händelsen.",
                ),
                tag,
            ),
            (news("Klotter och skadegörelse på skola i Tensta", ""), tag),
            (news("Man åtalas för grovt bedrägeri mot äldre", ""), tag),
            (
                polisen(
                    "Rattfylleri",
                    "En kvinna stoppades misstänkt för rattfylleri.",
                ),
                tag,
            ),
        ],
        &[
            (news("Invigningen är uppskjuten till våren", ""), tag),
            (
                news(
                    "Planerade sprängningar vid Slussen i veckan",
                    "Sprängningsarbete.",
                ),
                tag,
            ),
            (
                news(
                    "Mordgåta på Stadsteatern i vår",
                    "En deckare för hela familjen.",
                ),
                tag,
            ),
            (
                news(
                    "Strömavbrott i Farsta",
                    "Elavbrottet berörde 4 000 hushåll.",
                ),
                tag,
            ),
            (
                polisen(
                    "Trafikkontroll",
                    "212 förare blåste, en misstänks för rattfylleri.",
                ),
                tag,
            ),
        ],
    );
}

#[test]
fn fokus_hot_och_vald() {
    let tag = "fokus/hot-och-våld";
    check(
        &[
            (
                news("Rapport: hot och våld mot offentligt anställda ökar", ""),
                tag,
            ),
            (
                polisen(
                    "Olaga hot",
                    "En busschaufför har blivit hotad av en passagerare.",
                ),
                tag,
            ),
            (
                incident("hot_och_vald", "Hotfullt beteende i receptionen", ""),
                tag,
            ),
            (
                news("Bombhot mot gymnasieskola i Kista", "Skolan utrymdes."),
                tag,
            ),
            (
                news(
                    "Kriminella försöker infiltrera kommunen",
                    "Tjänstemän utsätts.",
                ),
                tag,
            ),
            (news("Ledamot utsatt för otillåten påverkan", ""), tag),
        ],
        &[
            (
                news(
                    "Nytt hotell öppnar vid Hötorget",
                    "Personalen rekryteras nu.",
                ),
                tag,
            ),
            (
                polisen(
                    "Rån väpnat",
                    "Två män hotade personalen i en butik med kniv.",
                ),
                tag,
            ),
            (news("Korruptionsindex: Sverige på sjätte plats", ""), tag),
            (
                news(
                    "Våldsam storm drog in över kusten",
                    "Personalen fick stanna hemma.",
                ),
                tag,
            ),
        ],
    );
}

#[test]
fn fokus_kris() {
    let tag = "fokus/kris";
    let vma = from(
        "sr-vma",
        "sr-vma",
        "Viktigt meddelande till allmänheten i Stockholms kommun",
        "Det brinner i en transformatorstation. Gå inomhus.",
        &["Fire", "Safety"],
    );
    assert_eq!(
        bundled().tag(&vma).severity,
        Some(lage::item::Severity::High),
        "a VMA raises the severity"
    );
    check(
        &[
            (vma.clone(), tag),
            (
                from(
                    "smhi-varningar",
                    "smhi-warnings",
                    "Gul varning: Vind",
                    "",
                    &[],
                ),
                tag,
            ),
            (
                news("Strömavbrott i Bromma – 4 000 hushåll utan el", ""),
                tag,
            ),
            (news("Stadens krisledning aktiverad inför stormen", ""), tag),
            (news("Koka dricksvattnet på östra Södermalm", ""), tag),
            (
                news("Länsstyrelsen höjer beredskapen", "Höjd beredskap i länet."),
                tag,
            ),
        ],
        &[
            (news("Kris för AIK efter tredje raka förlusten", ""), tag),
            (news("Kristineberg får ny lekplats", ""), tag),
            (
                news(
                    "Soligt och varmt i helgen",
                    "Enligt SMHI blir det 24 grader.",
                ),
                tag,
            ),
            (
                news(
                    "Eldningsförbudet i länet upphävs",
                    "Var försiktig med grillen.",
                ),
                tag,
            ),
        ],
    );
    // The quarterly test of the signal is crisis information, but no alarm: no severity bump.
    let signal_test = from(
        "krisinformation-nyheter",
        "krisinformation",
        "Signalen Viktigt meddelande till allmänheten testas",
        "Hesa Fredrik testas klockan 15.00.",
        &["News"],
    );
    assert_eq!(bundled().tag(&signal_test).severity, None);
}

#[test]
fn fokus_sakerhetsskydd() {
    let tag = "fokus/säkerhetsskydd";
    check(
        &[
            (
                news("Man gripen misstänkt för spioneri", "Säpo utreder."),
                tag,
            ),
            (news("Drönare observerades över Bromma flygplats", ""), tag),
            (news("Misstänkt sabotage mot fiberkabel", ""), tag),
            (news("Säkerhetspolisen höjer terrorhotnivån", ""), tag),
            (
                incident("sakerhetsskydd", "Larm från passersystem, Östermalm", ""),
                tag,
            ),
        ],
        &[
            (
                news(
                    "Ny spionthriller på bio i helgen",
                    "Spionage i kalla krigets Berlin.",
                ),
                tag,
            ),
            (
                news("Räddningstjänsten använder drönare i sökandet", ""),
                tag,
            ),
            (
                polisen(
                    "Sabotage mot blåljusverksamhet",
                    "Stenar kastades mot en ambulans.",
                ),
                tag,
            ),
            (news("Säkerhetsuppdatering för Firefox", ""), tag),
        ],
    );
}

#[test]
fn varden() {
    let tryggt = "värde/trygghet";
    let funktion = "värde/funktionalitet";
    let egendom = "värde/miljö-egendom";
    let grund = "värde/grundläggande";
    check(
        &[
            (
                polisen("Misshandel", "En man misshandlades vid Medborgarplatsen."),
                tryggt,
            ),
            (
                polisen("Trafikolycka", "En cyklist lindrigt skadad."),
                tryggt,
            ),
            (
                polisen("Försvunnen person", "En 84-årig man saknas sedan i går."),
                tryggt,
            ),
            (
                news("Signalfel: inställda avgångar på röda linjen", ""),
                funktion,
            ),
            (news("Strömavbrott på äldreboende i Farsta", ""), funktion),
            (
                news("Ett körfält avstängt på Essingeleden", "Räkna med köer."),
                funktion,
            ),
            (
                polisen("Skadegörelse", "Flera rutor krossades på en skola."),
                egendom,
            ),
            (
                news("Oljeutsläpp i Saltsjön", "Ett fartyg har läckt olja."),
                egendom,
            ),
            (
                news("Hatbrott: hakkors på moskén", "Polisen utreder hatbrott."),
                grund,
            ),
            (
                incident(
                    "hot_och_vald",
                    "Hot mot handläggare",
                    "En besökare hotade handläggaren efter beslut om avslag.",
                ),
                grund,
            ),
        ],
        &[
            (
                polisen("Trafikolycka", "Två bilar krockade. Ingen person skadad."),
                tryggt,
            ),
            (
                news(
                    "Trygghetspunkter öppnar vid kris",
                    "Vid ett strömavbrott öppnas de.",
                ),
                funktion,
            ),
            (
                news(
                    "Inför vintern: se över din hemberedskap",
                    "Vid strömavbrott…",
                ),
                funktion,
            ),
            (
                news(
                    "Ny förskola invigd i Hagastaden",
                    "Förskolan har sex avdelningar.",
                ),
                funktion,
            ),
            (
                news("Valet 2026: så röstar du", "Förtidsröstningen börjar."),
                grund,
            ),
            (
                polisen("Trafikolycka", "En personbil kolliderade med ett rådjur."),
                egendom,
            ),
        ],
    );
}

#[test]
fn extremism() {
    let tag = "tema/extremism";
    check(
        &[
            (
                news("Stöd till anhöriga som oroar sig för radikalisering", ""),
                tag,
            ),
            (
                news("Nordiska motståndsrörelsen delade ut flygblad i Bromma", ""),
                tag,
            ),
            (news("Terrorhotnivån sänks till förhöjt hot", ""), tag),
            (
                news(
                    "Högerextrema grupper växer",
                    "Våldsbejakande extremism ökar.",
                ),
                tag,
            ),
        ],
        &[
            (news("Grannen terroriserade hela trappuppgången", ""), tag),
            (
                news(
                    "Extrem värme väntas i helgen",
                    "SMHI varnar för höga temperaturer.",
                ),
                tag,
            ),
            (news("Is på sjöarna: var försiktig", "Isen är tunn."), tag),
        ],
    );
}

#[test]
fn it() {
    check(
        &[
            (
                cert_se(
                    "Kritisk sårbarhet i Exchange (CVE-2026-41877)",
                    "Uppdatera.",
                ),
                "it/sårbarhet",
            ),
            (
                cert_se(
                    "Microsoft Patch Tuesday",
                    "Security updates for 98 vulnerabilities.",
                ),
                "it/sårbarhet",
            ),
            (
                cert_se(
                    "Nätfiskekampanj riktad mot kommuner",
                    "Falska mejl från Skatteverket.",
                ),
                "it/nätfiske",
            ),
            (
                cert_se("Phishing campaign impersonating BankID", "Fake website."),
                "it/nätfiske",
            ),
            (
                news(
                    "Överbelastningsattacker mot kommunernas webbplatser",
                    "DDoS.",
                ),
                "it/överbelastning",
            ),
            (
                news("Ransomware attack on IT supplier", "Services disrupted."),
                "it/intrång",
            ),
            (
                incident("it", "Störning i e-tjänster", "Inloggningen fungerar inte."),
                "it/incident",
            ),
            (
                news(
                    "Intrång hos leverantör av HR-system",
                    "Personuppgifter har exponerats.",
                ),
                "it/incident",
            ),
        ],
        &[
            // CERT-SE news that is no vulnerability, and an advisory that is no incident.
            (
                cert_se(
                    "CERT-SE söker analytiker",
                    "Tjänsten är placerad i Stockholm.",
                ),
                "it/sårbarhet",
            ),
            (
                cert_se("Sårbarhet i OpenSSH – uppdatera", "Fjärrkörning av kod."),
                "it/incident",
            ),
            (
                news(
                    "Ökad risk för cyberangrepp mot kommuner",
                    "Se över beredskapen.",
                ),
                "it/incident",
            ),
            (
                news("Ny risk- och sårbarhetsanalys för staden", ""),
                "it/sårbarhet",
            ),
            (news("Fiske i Mälaren: nya regler", ""), "it/nätfiske"),
            (
                polisen("Olaga intrång", "En man tog sig in i ett förråd."),
                "it/intrång",
            ),
            (
                news("Elnätet klarade överbelastningen", ""),
                "it/överbelastning",
            ),
        ],
    );
}

#[test]
fn platser() {
    let tensta_incident = placed(
        incident("hot_och_vald", "Hot mot personal på biblioteket", ""),
        "Tensta bibliotek, Spånga-Tensta",
        Some((MatchHow::Distance, "Spånga-Tensta")),
    );
    let road_point = placed(
        from(
            "trafikverket-vag",
            "json",
            "Vägarbete",
            "Ett körfält avstängt.",
            &[],
        ),
        "Västberga allé",
        Some((MatchHow::Distance, "Hägersten-Älvsjö")),
    );
    // Krisinformation gives the county's centre as the point of a county-wide item.
    let county = placed(
        from(
            "krisinformation-nyheter",
            "krisinformation",
            "Orange varning för snö",
            "",
            &[],
        ),
        "Stockholms län",
        Some((MatchHow::Distance, "Södermalm")),
    );
    let county_polygon = placed(
        from(
            "smhi-varningar",
            "smhi-warnings",
            "Orange varning: Snö",
            "",
            &[],
        ),
        "Stockholms län",
        Some((MatchHow::Shape, "Rinkeby-Kista +12")),
    );
    check(
        &[
            (
                news("Brand i flerbostadshus i Tensta", ""),
                "plats/spånga-tensta",
            ),
            (tensta_incident, "plats/spånga-tensta"),
            (road_point, "plats/hägersten-älvsjö"),
            (
                polisen("Skottlossning", "Skott avlossades vid Rinkebystråket."),
                "plats/rinkeby-kista",
            ),
            (
                news("Signalfel vid Slussen", "Förseningar i Gamla stan."),
                "plats/södermalm",
            ),
            (news("VMA i Hammarby sjöstad", ""), "plats/södermalm"),
            (news("Ny simhall i Husby invigd", ""), "plats/rinkeby-kista"),
            (news("Drönare över Bromma flygplats", ""), "plats/bromma"),
            (
                news("Översvämning i Årsta, Stockholm", ""),
                "plats/enskede-årsta-vantör",
            ),
            (news("Inbrott i Hökarängen", ""), "plats/farsta"),
            (news("Krock vid Sergels torg", ""), "plats/norrmalm"),
            (news("Bråk på Stureplan", ""), "plats/östermalm"),
        ],
        &[
            (
                news(
                    "Hammarby vann derbyt mot Djurgården",
                    "2-1 inför fullsatt arena.",
                ),
                "plats/södermalm",
            ),
            (
                news("Hammarby vann derbyt mot Djurgården", ""),
                "plats/östermalm",
            ),
            (news("Brommapojkarna vann hemma", ""), "plats/bromma"),
            (
                news("Trafikolycka i Årsta i Uppsala", ""),
                "plats/enskede-årsta-vantör",
            ),
            (
                news("Welcome to the city of the future", "City life."),
                "plats/norrmalm",
            ),
            (
                polisen("Rån", "En man rånades vid Farsta centrum."),
                "plats/södermalm",
            ),
            (county, "plats/södermalm"),
            // Sundbyberg's centre lies within Bromma's radius: the event is not in Bromma.
            (
                polisen_in(
                    "Sundbyberg",
                    (59.361347, 17.971594),
                    "Bromma",
                    "Försvunnen person",
                    "En 15-årig flicka saknas.",
                ),
                "plats/bromma",
            ),
            (county_polygon, "plats/rinkeby-kista"),
            (news("Kistan bars ut ur kyrkan", ""), "plats/rinkeby-kista"),
            (
                news("Inbrott i förskola i Vårby gård", "Huddinge."),
                "plats/skärholmen",
            ),
        ],
    );
}
