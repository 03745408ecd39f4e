//! One export of one edition in one format: the glue between the stored edition, the document,
//! the view and the renderers, shared by `lage brief export` and the dashboard.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::compose::{BriefError, Briefs};
use super::edition::Edition;
use super::labels::{BriefLang, Labels};
use super::render::{self, Format, Templates};
use super::view::BriefView;
use crate::config::Config;

/// How many approved editions the Atom feed carries.
pub const FEED_EDITIONS: usize = 20;

/// The labels for `lang` with the office's heading overrides.
pub fn labels(config: &Config, lang: BriefLang) -> Labels {
    let overrides = match lang {
        BriefLang::Sv => &config.brief.headings_sv,
        BriefLang::En => &config.brief.headings_en,
    };
    Labels::new(lang, overrides)
}

/// The office's templates, or the built-in ones.
pub fn templates(config: &Config) -> Result<Templates, BriefError> {
    match &config.brief.templates {
        Some(dir) => Ok(Templates::load(dir)?),
        None => Ok(Templates::builtin()),
    }
}

/// The edition exported in `format`. An approved version renders its frozen document, so it
/// comes out the same every time; a draft is resolved at `now`. The Atom feed carries the
/// approved editions up to this one's number.
pub fn export(
    briefs: &Briefs<'_>,
    config: &Config,
    edition: &Edition,
    format: Format,
    lang: BriefLang,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, BriefError> {
    let labels = labels(config, lang);
    if format == Format::Atom {
        let docs = briefs.approved_upto(edition.number, FEED_EDITIONS)?;
        return Ok(render::atom(&docs, lang, &labels)?);
    }
    let doc = briefs.document(edition, now)?;
    if format == Format::Json {
        return Ok(render::json(&doc)?);
    }
    let view = BriefView::new(&doc, lang, &labels);
    Ok(render::render_view(format, &view, &templates(config)?)?)
}

/// The directory the dashboard exports to: `[brief] exports`, else `exports/` in `data_dir`.
pub fn export_dir(config: &Config, data_dir: &Path) -> PathBuf {
    config
        .brief
        .exports
        .clone()
        .unwrap_or_else(|| data_dir.join("exports"))
}

/// Writes the edition in every format to `dir/lagesbild-N.V.EXT` (creating `dir`); returns the
/// files written.
pub fn export_all(
    briefs: &Briefs<'_>,
    config: &Config,
    edition: &Edition,
    dir: &Path,
    lang: BriefLang,
    now: DateTime<Utc>,
) -> Result<Vec<PathBuf>, BriefError> {
    std::fs::create_dir_all(dir).map_err(|source| BriefError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::with_capacity(Format::ALL.len());
    for format in Format::ALL {
        let bytes = export(briefs, config, edition, format, lang, now)?;
        let path = dir.join(format!(
            "lagesbild-{}.{}",
            edition.reference(),
            format.extension()
        ));
        write_whole(&path, &bytes).map_err(|source| BriefError::Write {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}

/// Writes `bytes` to a temporary file beside `path`, then renames it into place, so a reader
/// never sees half an export.
pub fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}
