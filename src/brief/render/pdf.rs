//! The PDF export: the briefing typeset in-process by Typst, used as a library.
//!
//! Typst gives a crisis-management document what hand-written PDF code would not: hyphenation
//! of long Swedish compounds, tables that break across pages with repeated headers, running page
//! headers and footers with "page N of M", and real fonts — all from one template
//! (`config/templates/brief.typ`) an office can restyle without touching Rust.
//!
//! This module owns the Typst *world*: the environment the compiler reads from. It is sealed.
//! The template is the only source (`/brief.typ`), the view as JSON is the only data file
//! (`/brief.json`), and the fonts are the ones bundled in `typst-assets`; every other file,
//! package or path is "not found", so a template cannot read the disk or the network. Feed text
//! reaches the template only as JSON strings, which Typst prints as text and never evaluates.
//!
//! The output is deterministic: the same view gives the same bytes. The PDF's creation date is
//! the briefing's `composed` time and its document id is derived from the edition, so no wall
//! clock leaks in.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Offset, TimeZone, Timelike};
use chrono_tz::Europe::Stockholm;
use typst::diag::{FileError, FileResult, PackageError, SourceDiagnostic, Warned};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_pdf::{PdfOptions, Timestamp};

use super::{RenderError, Template};
use crate::brief::view::BriefView;

/// The template's path inside the world.
const MAIN_PATH: &str = "/brief.typ";
/// The view's path inside the world: the template reads it with `json("/brief.json")`.
const DATA_PATH: &str = "/brief.json";

/// Comemo cache entries unused for this many exports are dropped after each export, so a
/// long-running process does not keep every past briefing's layout in memory.
const CACHE_MAX_AGE: usize = 3;

/// The bundled fonts, parsed once per process and shared by every export (their data is static;
/// parsing is only milliseconds, but there is no reason to repeat it).
static FONTS: LazyLock<(LazyHash<FontBook>, Vec<Font>)> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    (LazyHash::new(FontBook::from_fonts(&fonts)), fonts)
});

/// The standard library, built once (it is immutable and `sys.inputs` stays empty).
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// Typesets the briefing as an A4 PDF with the Typst template.
///
/// `template` is Typst markup that reads the view with `json("/brief.json")`. Errors in the
/// template come back as [`RenderError::Pdf`] naming the template and each error's line and
/// column.
pub fn pdf(view: &BriefView, template: &Template) -> Result<Vec<u8>, RenderError> {
    let data = serde_json::to_vec(view).map_err(|e| RenderError::Encode(e.to_string()))?;
    let world = BriefWorld::new(template, data, &view.composed)?;

    // `compile`'s output type is inferred from `typst_pdf::pdf`'s argument: `typst` 0.15 does
    // not re-export `PagedDocument`, and naming it would need `typst-layout` as a dependency.
    let Warned { output, warnings } = typst::compile(&world);
    for warning in &warnings {
        tracing::warn!(
            template = %template.name,
            "PDF template: {}",
            describe(&world, &template.name, warning)
        );
    }
    let result = output
        .and_then(|document| typst_pdf::pdf(&document, &options(view)))
        .map_err(|errors| RenderError::Pdf(describe_all(&world, &template.name, &errors)));
    typst::comemo::evict(CACHE_MAX_AGE);
    result
}

/// PDF options that keep the output reproducible.
fn options(view: &BriefView) -> PdfOptions {
    PdfOptions {
        // Stable across re-exports of the same edition, different between editions.
        ident: Smart::Custom(format!(
            "lage/{}/{}/{}.{}",
            view.office, view.kind, view.number, view.version
        )),
        // The creation date is the briefing's, never the clock's (`None` writes no date).
        timestamp: composed_timestamp(&view.composed),
        ..PdfOptions::default()
    }
}

/// `composed` ("YYYY-MM-DD HH:MM", Stockholm time) as a PDF timestamp with its UTC offset.
fn composed_timestamp(composed: &str) -> Option<Timestamp> {
    let local = NaiveDateTime::parse_from_str(composed, "%Y-%m-%d %H:%M").ok()?;
    let offset = Stockholm
        .offset_from_local_datetime(&local)
        .earliest()?
        .fix()
        .local_minus_utc()
        / 60;
    let date = local.date();
    let time = local.time();
    let datetime = Datetime::from_ymd_hms(
        date.year(),
        u8::try_from(date.month()).ok()?,
        u8::try_from(date.day()).ok()?,
        u8::try_from(time.hour()).ok()?,
        u8::try_from(time.minute()).ok()?,
        0,
    )?;
    Timestamp::new_local(datetime, offset)
}

/// Every error as "TEMPLATE:LINE:COLUMN: message", joined.
fn describe_all(world: &BriefWorld, name: &str, errors: &[SourceDiagnostic]) -> String {
    let all: Vec<String> = errors.iter().map(|e| describe(world, name, e)).collect();
    if all.is_empty() {
        format!("{name}: typesetting failed")
    } else {
        all.join("; ")
    }
}

/// One diagnostic with its place: the template's name for the main file, the path otherwise.
fn describe(world: &BriefWorld, name: &str, diagnostic: &SourceDiagnostic) -> String {
    let file = match diagnostic.span.id() {
        Some(id) if id != world.main => id.vpath().get_with_slash().to_string(),
        _ => name.to_string(),
    };
    let place = diagnostic
        .span
        .id()
        .zip(world.range(diagnostic.span))
        .and_then(|(id, range)| world.line_column(id, range.start))
        .map(|(line, column)| format!(":{}:{}", line + 1, column + 1))
        .unwrap_or_default();
    let mut message = format!("{file}{place}: {}", diagnostic.message);
    for hint in &diagnostic.hints {
        message.push_str(&format!(" (hint: {})", hint.v));
    }
    message
}

/// The sealed environment one export compiles in.
struct BriefWorld {
    main: FileId,
    data: FileId,
    source: Source,
    json: Bytes,
    today: Option<Datetime>,
}

impl BriefWorld {
    fn new(template: &Template, json: Vec<u8>, composed: &str) -> Result<BriefWorld, RenderError> {
        let id = |path: &str| {
            VirtualPath::new(path)
                .map(|vpath| RootedPath::new(VirtualRoot::Project, vpath).intern())
                .map_err(|e| RenderError::Pdf(format!("{path}: {e}")))
        };
        let main = id(MAIN_PATH)?;
        let today = composed
            .get(..10)
            .and_then(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok())
            .and_then(|day| {
                Datetime::from_ymd(
                    day.year(),
                    u8::try_from(day.month()).ok()?,
                    u8::try_from(day.day()).ok()?,
                )
            });
        Ok(BriefWorld {
            main,
            data: id(DATA_PATH)?,
            source: Source::new(main, template.text.clone()),
            json: Bytes::new(json),
            today,
        })
    }

    /// The 0-based line and column of a byte offset in one of the world's two files.
    fn line_column(&self, id: FileId, offset: usize) -> Option<(usize, usize)> {
        if id == self.main {
            self.source.lines().byte_to_line_column(offset)
        } else if id == self.data {
            let text = std::str::from_utf8(self.json.as_slice()).ok()?;
            typst::syntax::Lines::new(text.to_string()).byte_to_line_column(offset)
        } else {
            None
        }
    }

    /// Every other file: not found, and packages (another root) not loaded at all.
    fn not_found(id: FileId) -> FileError {
        match id.root() {
            VirtualRoot::Package(_) => FileError::Package(PackageError::Other(Some(
                "a briefing template cannot use packages".into(),
            ))),
            VirtualRoot::Project => FileError::NotFound(id.vpath().get_with_slash().into()),
        }
    }
}

impl World for BriefWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.0
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main {
            Ok(self.source.clone())
        } else {
            Err(Self::not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data {
            Ok(self.json.clone())
        } else if id == self.main {
            Ok(Bytes::from_string(self.source.text().to_string()))
        } else {
            Err(Self::not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.1.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // The briefing's own date, so `datetime.today()` in a template is reproducible.
        self.today
    }
}
