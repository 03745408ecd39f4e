//! One export of one edition in one format: the glue between the stored edition, the document,
//! the view and the renderers, shared by `lage brief export` and the dashboard.

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
