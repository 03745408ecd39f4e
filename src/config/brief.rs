//! The `[brief]` table: how this office's briefings are headed, marked and styled.
//!
//! ```toml
//! [brief]
//! office = "Farsta stadsdelsförvaltning"
//! marking = "Ej sekretess"
//! distribution = ["Krisledningsgruppen", "Stadsledningskontoret"]
//! templates = "templates"          # relative to this file
//! exports = "/srv/lage/lagesbilder" # where the dashboard writes exports (default DATA_DIR/exports)
//! [brief.headings.sv]
//! key_messages = "Budskap"          # any key of src/brief/labels.rs
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::{ConfigError, line_of};

/// The office's briefing settings, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BriefConfig {
    /// The issuing office, in every header.
    pub office: String,
    /// The classification marking new editions start with.
    pub marking: String,
    /// Who new editions go to.
    pub distribution: Vec<String>,
    /// A directory of the office's own templates; `None` uses the built-in ones.
    pub templates: Option<PathBuf>,
    /// Where the dashboard writes exports; `None` means `exports/` in the data dir.
    pub exports: Option<PathBuf>,
    /// Swedish headings that replace the built-in ones, by label key.
    pub headings_sv: BTreeMap<String, String>,
    /// English headings that replace the built-in ones, by label key.
    pub headings_en: BTreeMap<String, String>,
}

impl Default for BriefConfig {
    fn default() -> BriefConfig {
        BriefConfig {
            office: "Stockholms stad".into(),
            marking: "Ej sekretess".into(),
            distribution: Vec::new(),
            templates: None,
            exports: None,
            headings_sv: BTreeMap::new(),
            headings_en: BTreeMap::new(),
        }
    }
}

/// `[brief]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBrief {
    office: Option<Spanned<String>>,
    marking: Option<Spanned<String>>,
    #[serde(default)]
    distribution: Vec<Spanned<String>>,
    templates: Option<Spanned<String>>,
    exports: Option<Spanned<String>>,
    #[serde(default)]
    headings: RawHeadings,
}

/// `[brief.headings.sv]` and `[brief.headings.en]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeadings {
    #[serde(default)]
    sv: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    en: BTreeMap<String, Spanned<String>>,
}

/// The longest office name, marking or heading accepted.
const MAX_TEXT: usize = 200;

/// Checks `[brief]` from `path` (whose text is `text`).
pub(super) fn brief(raw: RawBrief, text: &str, path: &Path) -> Result<BriefConfig, ConfigError> {
    let at = |span: std::ops::Range<usize>, message: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        line: line_of(text, span.start),
        message,
    };
    let plain = |key: &str, value: &Spanned<String>| -> Result<String, ConfigError> {
        let v = value.get_ref().trim();
        if v.is_empty() || v.chars().count() > MAX_TEXT || v.chars().any(char::is_control) {
            return Err(at(
                value.span(),
                format!(
                    "[brief] {key}: '{}' is not usable: expected one line of 1 to {MAX_TEXT} characters",
                    v.escape_default()
                ),
            ));
        }
        Ok(v.to_string())
    };
    let mut config = BriefConfig::default();
    if let Some(office) = &raw.office {
        config.office = plain("office", office)?;
    }
    if let Some(marking) = &raw.marking {
        config.marking = plain("marking", marking)?;
    }
    config.distribution = raw
        .distribution
        .iter()
        .map(|d| plain("distribution", d))
        .collect::<Result<_, _>>()?;
    if let Some(dir) = &raw.templates {
        let base = path.parent().unwrap_or(Path::new("."));
        let full = base.join(dir.get_ref().trim());
        if !full.is_dir() {
            return Err(at(
                dir.span(),
                format!(
                    "[brief] templates: '{}' is not a directory (relative to {}): expected the directory holding brief.md.j2, brief.html.j2 and brief.typ",
                    dir.get_ref(),
                    base.display()
                ),
            ));
        }
        config.templates = Some(full);
    }
    if let Some(dir) = &raw.exports {
        let written = dir.get_ref().trim();
        if written.is_empty() {
            return Err(at(
                dir.span(),
                "[brief] exports: empty value: expected a directory for the dashboard's exports"
                    .into(),
            ));
        }
        // Created on the first export; relative to the file that names it.
        config.exports = Some(path.parent().unwrap_or(Path::new(".")).join(written));
    }
    for (lang, raw_map, map) in [
        ("sv", &raw.headings.sv, &mut config.headings_sv),
        ("en", &raw.headings.en, &mut config.headings_en),
    ] {
        for (key, value) in raw_map {
            if !crate::brief::labels::is_key(key) {
                return Err(at(
                    value.span(),
                    format!(
                        "[brief.headings.{lang}] unknown heading '{key}': expected one of {}",
                        crate::brief::labels::keys().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
            map.insert(
                key.clone(),
                plain(&format!("headings.{lang}.{key}"), value)?,
            );
        }
    }
    Ok(config)
}
