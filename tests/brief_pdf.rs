//! The PDF export end to end: a hand-built briefing with Swedish text, long compounds and
//! hostile feed strings goes through the built-in Typst template, and poppler's `pdftotext` and
//! `pdfinfo` read back what a reader would see. The checks: every page carries the marking and
//! "Sida N av M", feed text comes out literally (never as Typst markup), the output is
//! byte-identical on a second export, the template cannot read files, and a broken template
//! names itself and the line.
//!
//! Needs poppler-utils (`pdftotext`, `pdfinfo`); `scripts/test` installs it.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::Command;

use lage::brief::labels::{BriefLang, Labels};
use lage::brief::render::{self, RenderError, Template, Templates};
use lage::brief::view::{
    BriefView, ChangeView, ChangesView, CountRowView, CountsView, EventRef, EventSourceView,
    EventView, SectionView, SourceView,
};

const MARKING: &str = "Begränsad delning – intern";
const TITLE: &str = "Veckolägesbild vecka 48 2026";

/// Feed strings that are Typst (or HTML) syntax; each must print as itself.
const HOSTILE: &[&str] = &[
    "#set page(fill: red)",
    "#eval(\"1+1\")",
    "$x$",
    "*bold*",
    "<script>alert(1)</script>",
    "] \\ [",
    "@ref _em_ `raw`",
];

fn labels(lang: BriefLang) -> BTreeMap<String, String> {
    Labels::new(lang, &BTreeMap::new()).map().clone()
}

fn section(key: &str, heading: &str, level: &'static str, events: &[(usize, &str)]) -> SectionView {
    let label = |level: &str| {
        match level {
            "serious" => "Allvarlig",
            "elevated" => "Förhöjd",
            _ => "Normal",
        }
        .to_string()
    };
    SectionView {
        key: key.to_string(),
        heading: heading.to_string(),
        level,
        level_label: label(level),
        suggested_label: label("normal"),
        differs: level != "normal",
        items_in_period: 3 + events.len() * 7,
        events: events
            .iter()
            .map(|(number, title)| EventRef {
                number: *number,
                title: title.to_string(),
                anchor: format!("e{number}"),
            })
            .collect(),
    }
}

/// The `number`th event; the first few carry the hostile strings in their titles.
fn event(number: usize) -> EventView {
    let title = match number {
        1 => "Brand i ställverk på Södermalm – strömavbrott för 12 000 hushåll".to_string(),
        2 => format!("Rubrik med {} och {}", HOSTILE[0], HOSTILE[1]),
        3 => format!("{} {} {}", HOSTILE[2], HOSTILE[3], HOSTILE[4]),
        4 => format!("Hakparentes {} och {}", HOSTILE[5], HOSTILE[6]),
        n => format!("Händelse nummer {n}: vattenläcka i Årsta, översvämmad källare"),
    };
    let long = "Krisberedskapsmyndigheten och länsstyrelsen bedömer att sårbarhetsanalysen \
                behöver uppdateras eftersom elförsörjningsavbrottet drabbade \
                vattenförsörjningsanläggningar, äldreboenden och kommunikationsinfrastruktur \
                under flera timmar.";
    EventView {
        number,
        anchor: format!("e{number}"),
        id: format!("polisen:{number}"),
        title,
        what: vec![
            format!("Räddningstjänsten larmades 03:12 till ett ställverk i Hammarbyhöjden. {long}"),
            "Elnätsbolaget räknar med att strömmen är tillbaka under förmiddagen; \
             reservkraft används vid två äldreboenden."
                .to_string(),
        ],
        when: "2026-11-26 03:12".to_string(),
        severity: ["critical", "high", "medium", "low", "info", "none"][number % 6],
        severity_label: ["Kritisk", "Hög", "Medel", "Låg", "Information", "Okänd"][number % 6]
            .to_string(),
        status_label: "Bevakas".to_string(),
        sections: "Olyckor, Stadens funktionalitet".to_string(),
        place: "Södermalm".to_string(),
        exercise: number == 3,
        consequences: if number % 2 == 1 {
            vec![format!("Strömavbrott för cirka 12 000 hushåll. {long}")]
        } else {
            Vec::new()
        },
        actions: if number == 1 {
            vec!["Stadens tjänsteperson i beredskap (TiB) har informerats.".to_string()]
        } else {
            Vec::new()
        },
        resources: Vec::new(),
        assessment: if number == 1 {
            vec!["Låg risk för spridning; följs upp vid nästa lägesbild.".to_string()]
        } else {
            Vec::new()
        },
        confidence: if number == 1 {
            "Medel".to_string()
        } else {
            String::new()
        },
        assessed_by: if number == 1 {
            "anna, 2026-11-26 08:40".to_string()
        } else {
            String::new()
        },
        link: format!("https://polisen.se/aktuellt/handelser/2026/november/{number}/"),
        sources: vec![
            EventSourceView {
                name: "Polisen – Stockholms län".to_string(),
                url: format!("https://polisen.se/aktuellt/handelser/{number}"),
                seen: "2026-11-26 03:20".to_string(),
            },
            EventSourceView {
                name: "Krisinformation.se".to_string(),
                url: String::new(),
                seen: "2026-11-26 04:02".to_string(),
            },
        ],
    }
}

/// A week's briefing with `events` events and `days` days in the counts table.
fn view(events: usize, days: usize) -> BriefView {
    let events: Vec<EventView> = (1..=events).map(event).collect();
    let refs = |numbers: &[usize]| -> Vec<(usize, &str)> {
        numbers
            .iter()
            .filter_map(|n| events.get(n - 1).map(|e| (*n, e.title.as_str())))
            .collect()
    };
    let day_names = ["mån", "tis", "ons", "tor", "fre", "lör", "sön"];
    let row = |heading: &str, seed: usize| CountRowView {
        heading: heading.to_string(),
        per_day: (0..days).map(|d| (d * 7 + seed) % 13).collect(),
        total: (0..days).map(|d| (d * 7 + seed) % 13).sum(),
    };
    let rows: Vec<CountRowView> = [
        "Olyckor",
        "Brott",
        "Otillåten påverkan, hot och våld",
        "Motståndskraft och krishantering",
        "Säkerhetsskydd",
        "Människors trygghet och säkerhet",
        "Stadens funktionalitet",
        "Miljö och egendom",
        "Grundläggande värden",
    ]
    .iter()
    .enumerate()
    .map(|(i, h)| row(h, i))
    .collect();
    let totals = CountRowView {
        heading: "Alla poster".to_string(),
        per_day: (0..days)
            .map(|d| rows.iter().map(|r| r.per_day[d]).sum())
            .collect(),
        total: rows.iter().map(|r| r.total).sum(),
    };
    BriefView {
        lang: "sv",
        labels: labels(BriefLang::Sv),
        title: TITLE.to_string(),
        office: "Stockholms stad – Säkerhetsavdelningen".to_string(),
        kind: "week",
        number: 12,
        version: 3,
        draft: true,
        period: "2026-11-23 00:00 – 2026-11-30 00:00".to_string(),
        prepared: "Åsa Öberg, 2026-11-30 09:12".to_string(),
        approved: "Ej godkänd (utkast)".to_string(),
        marking: MARKING.to_string(),
        distribution: vec![
            "Krisledningsnämnden".to_string(),
            "Stadsledningskontoret".to_string(),
            "Tjänsteperson i beredskap".to_string(),
        ],
        previous: "11.2".to_string(),
        key_messages: vec![
            "Veckan präglades av ett större strömavbrott på Södermalm. Krisberedskapsmyndigheten \
             följer läget och sårbarhetsanalysen ses över; åtgärderna bedöms räcka."
                .to_string(),
            format!(
                "Fritext från flöde som ska synas ordagrant: {}",
                HOSTILE.join(" ")
            ),
        ],
        areas: vec![
            section("olyckor", "Olyckor", "elevated", &refs(&[1, 4])),
            section("brott", "Brott", "normal", &refs(&[2])),
            section(
                "hot-och-vald",
                "Otillåten påverkan, hot och våld",
                "serious",
                &refs(&[3]),
            ),
            section("kris", "Motståndskraft och krishantering", "normal", &[]),
            section("sakerhetsskydd", "Säkerhetsskydd", "normal", &[]),
        ],
        values: vec![section(
            "funktionalitet",
            "Stadens funktionalitet",
            "elevated",
            &refs(&[1]),
        )],
        changes: ChangesView {
            has_previous: true,
            any: true,
            new: events
                .iter()
                .take(2)
                .map(|e| ChangeView {
                    title: e.title.clone(),
                    detail: String::new(),
                })
                .collect(),
            escalated: vec![ChangeView {
                title: "Vattenläcka i Årsta".to_string(),
                detail: "Medel → Hög".to_string(),
            }],
            deescalated: Vec::new(),
            closed: vec![ChangeView {
                title: "VMA Norrtälje".to_string(),
                detail: "larmet återkallat".to_string(),
            }],
            levels: vec!["Olyckor: Normal → Förhöjd".to_string()],
        },
        events,
        sources: vec![
            SourceView {
                name: "Polisen – händelser".to_string(),
                kind: "polisen".to_string(),
                health: "ok",
                health_label: "OK".to_string(),
                items: 143,
                polls: 2016,
                failed_polls: 0,
                error_days: String::new(),
                last_success: "2026-11-30 08:55".to_string(),
                last_error: String::new(),
            },
            SourceView {
                name: "SMHI varningar".to_string(),
                kind: "smhi".to_string(),
                health: "failing",
                health_label: "Fel".to_string(),
                items: 0,
                polls: 672,
                failed_polls: 41,
                error_days: "ons 25/11, tor 26/11".to_string(),
                last_success: "2026-11-27 14:00".to_string(),
                last_error: "2026-11-28 03:00: timeout efter 10 s".to_string(),
            },
            SourceView {
                name: "Krisinformation.se".to_string(),
                kind: "krisinformation".to_string(),
                health: "silent",
                health_label: "Tyst".to_string(),
                items: 2,
                polls: 336,
                failed_polls: 0,
                error_days: String::new(),
                last_success: "2026-11-30 08:50".to_string(),
                last_error: String::new(),
            },
        ],
        counts: CountsView {
            days: (0..days)
                .map(|d| format!("{} {}/{}", day_names[d % 7], (23 + d) % 30 + 1, 11))
                .collect(),
            rows,
            totals,
        },
        composed: "2026-11-30 10:00".to_string(),
    }
}

/// Writes `pdf` to `$LAGE_PDF_DUMP/NAME.pdf` when that is set, for looking at the layout.
fn dump(name: &str, pdf: &[u8]) {
    if let Some(dir) = std::env::var_os("LAGE_PDF_DUMP") {
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.pdf")), pdf)
            .expect("write the dump");
    }
}

fn builtin() -> Template {
    Templates::builtin().typst
}

fn require(tool: &str) {
    let found = Command::new(tool).arg("-v").output().is_ok();
    assert!(
        found,
        "`{tool}` is missing: install poppler-utils (apt-get install poppler-utils) to run the \
         PDF tests"
    );
}

fn write_temp(pdf: &[u8]) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new()
        .suffix(".pdf")
        .tempfile()
        .expect("temp file");
    file.write_all(pdf).expect("write PDF");
    file
}

/// The PDF's text as `pdftotext -layout` reads it; pages end with a form feed.
fn pdftotext(pdf: &[u8]) -> String {
    require("pdftotext");
    let file = write_temp(pdf);
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(file.path())
        .arg("-")
        .output()
        .expect("run pdftotext (install poppler-utils)");
    assert!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 text")
}

/// `pdfinfo`'s fields.
fn pdfinfo(pdf: &[u8]) -> BTreeMap<String, String> {
    require("pdfinfo");
    let file = write_temp(pdf);
    let out = Command::new("pdfinfo")
        .arg(file.path())
        .output()
        .expect("run pdfinfo (install poppler-utils)");
    assert!(
        out.status.success(),
        "pdfinfo: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// Runs of whitespace as one space, so justified and wrapped lines compare as running text.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The pages of `pdftotext` output.
fn pages(text: &str) -> Vec<&str> {
    let mut pages: Vec<&str> = text.split('\u{c}').collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

#[test]
fn a_briefing_prints_with_header_footer_and_swedish_text() {
    let view = view(6, 7);
    let pdf = render::pdf(&view, &builtin()).expect("PDF");
    dump("week", &pdf);
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");

    let info = pdfinfo(&pdf);
    let count: usize = info["Pages"].parse().expect("page count");
    assert!((2..=12).contains(&count), "{count} pages");
    assert!(info["Page size"].contains("(A4)"), "{}", info["Page size"]);
    assert_eq!(info["Title"], TITLE);

    let text = pdftotext(&pdf);
    let pages = pages(&text);
    assert_eq!(pages.len(), count);
    for (i, page) in pages.iter().enumerate() {
        let page = squash(page);
        assert!(
            page.contains(MARKING),
            "page {} lacks the marking:\n{page}",
            i + 1
        );
        let footer = format!("Sida {} av {count}", i + 1);
        assert!(
            page.contains(&footer),
            "page {} lacks `{footer}`:\n{page}",
            i + 1
        );
        assert!(
            page.contains("UTKAST"),
            "page {} lacks the draft mark",
            i + 1
        );
    }

    let all = squash(&text);
    for needle in [
        TITLE,
        "Sammanfattning",
        "Läget per fokusområde",
        "Läget per skyddsvärde",
        "Förändringar sedan föregående lägesbild",
        "Källor och deras hälsa under perioden",
        "Brand i ställverk på Södermalm",
        "Åsa Öberg",
        "ÖVNING",
        "Förhöjd",
        "Allvarlig",
        "larmet återkallat",
        // Table cells wrap, so short needles.
        "timeout",
        "tor 26/11",
    ] {
        assert!(all.contains(needle), "missing {needle:?} in:\n{text}");
    }
    for c in ['å', 'ä', 'ö', 'Å', 'Ö'] {
        assert!(text.contains(c), "missing {c}");
    }
}

#[test]
fn feed_text_prints_literally_and_never_as_markup() {
    let view = view(5, 7);
    let text = squash(&pdftotext(&render::pdf(&view, &builtin()).expect("PDF")));
    for hostile in HOSTILE {
        // Once in the key messages and once in an event title at least.
        assert!(
            text.matches(&squash(hostile)).count() >= 2,
            "{hostile:?} not printed literally twice in:\n{text}"
        );
    }
    // `#eval("1+1")` must not have been evaluated into a lone 2.
    assert!(!text.contains("Rubrik med #set page(fill: red) och 2"));
}

#[test]
fn exporting_twice_gives_the_same_bytes() {
    let view = view(8, 7);
    let first = render::pdf(&view, &builtin()).expect("PDF");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = render::pdf(&view, &builtin()).expect("PDF");
    assert!(first == second, "two exports of one view differ");
    // The creation date is the briefing's, not the clock's.
    let info = pdfinfo(&first);
    assert!(
        info.get("CreationDate").is_some_and(|d| d.contains("2026")),
        "{info:?}"
    );
}

#[test]
fn an_english_briefing_uses_english_labels() {
    let mut view = view(2, 7);
    view.lang = "en";
    view.labels = labels(BriefLang::En);
    view.draft = false;
    let pdf = render::pdf(&view, &builtin()).expect("PDF");
    dump("english", &pdf);
    let text = squash(&pdftotext(&pdf));
    assert!(text.contains("Page 1 of"), "{text}");
    assert!(text.contains("Key messages"), "{text}");
    assert!(!text.contains("DRAFT"), "{text}");
}

#[test]
fn an_empty_briefing_prints_its_placeholders() {
    let mut view = view(0, 0);
    view.key_messages.clear();
    view.values.clear();
    view.sources.clear();
    view.distribution.clear();
    view.previous.clear();
    view.changes = ChangesView {
        has_previous: false,
        any: false,
        new: Vec::new(),
        escalated: Vec::new(),
        deescalated: Vec::new(),
        closed: Vec::new(),
        levels: Vec::new(),
    };
    let pdf = render::pdf(&view, &builtin()).expect("PDF");
    let text = squash(&pdftotext(&pdf));
    for needle in [
        "Ingen sammanfattning skriven.",
        "Inga händelser valda.",
        "Ingen föregående lägesbild att jämföra med.",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    assert!(!text.contains("Läget per skyddsvärde"), "{text}");
}

#[test]
fn a_month_of_days_fits_the_counts_table() {
    let view = view(3, 31);
    let pdf = render::pdf(&view, &builtin()).expect("PDF");
    dump("month", &pdf);
    let text = squash(&pdftotext(&pdf));
    for day in &view.counts.days {
        assert!(text.contains(day.as_str()), "day {day} missing");
    }
    let total = view.counts.totals.total.to_string();
    assert!(text.contains(&total), "grand total {total} missing");
}

#[test]
fn a_template_syntax_error_names_the_template_and_line() {
    let template = Template {
        name: "kontoret/brief.typ".to_string(),
        text: "#let b = json(\"/brief.json\")\n= Rubrik\n#let x = (1, 2\n".to_string(),
    };
    let err = render::pdf(&view(1, 7), &template).expect_err("a syntax error");
    let RenderError::Pdf(message) = &err else {
        panic!("expected RenderError::Pdf, got {err:?}");
    };
    assert!(message.contains("kontoret/brief.typ:3:"), "{message}");
}

#[test]
fn the_template_cannot_read_files_or_packages() {
    for (text, what) in [
        ("#read(\"/etc/passwd\")", "a file"),
        ("#read(\"../../Cargo.toml\")", "a relative file"),
        ("#image(\"/etc/hostname\")", "an image"),
        ("#import \"@preview/cetz:0.3.0\"", "a package"),
    ] {
        let template = Template {
            name: "probe.typ".to_string(),
            text: text.to_string(),
        };
        let err = render::pdf(&view(1, 7), &template).expect_err(what);
        let RenderError::Pdf(message) = &err else {
            panic!("expected RenderError::Pdf for {what}, got {err:?}");
        };
        assert!(message.contains("probe.typ:1:"), "{what}: {message}");
    }
}
