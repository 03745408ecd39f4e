//! Turning a briefing into files: Markdown, HTML and PDF from templates over one
//! [`BriefView`], JSON straight from the document, and an Atom feed of approved editions for
//! other offices' `lage` to subscribe to.
//!
//! Templates live in `config/templates/` and are compiled in as the defaults, so a binary
//! without the repository still exports; `[brief] templates = "DIR"` in the config points at an
//! office's own copies (any of the three files missing there falls back to the built-in one).

mod atom;
mod html;
mod jinja;
mod markdown;
mod pdf;

use std::path::{Path, PathBuf};

pub use atom::atom;
pub use html::html;
pub use markdown::markdown;
pub use pdf::pdf;

use super::document::Briefing;
use super::view::BriefView;

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Markdown, for e-mail and wikis.
    Markdown,
    /// One self-contained HTML file.
    Html,
    /// A4 PDF.
    Pdf,
    /// The structured document.
    Json,
    /// An Atom feed of approved editions.
    Atom,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 5] = [
        Format::Markdown,
        Format::Html,
        Format::Pdf,
        Format::Json,
        Format::Atom,
    ];

    /// The name on the command line and the file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Json => "json",
            Format::Atom => "atom",
        }
    }
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template file could not be read.
    #[error("cannot read template {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
    /// A template has a syntax error or failed while rendering.
    #[error("template {name}: {message}")]
    Template {
        /// The template's name.
        name: String,
        /// What went wrong, with the line.
        message: String,
    },
    /// The PDF could not be typeset.
    #[error("PDF: {0}")]
    Pdf(String),
    /// The document could not be encoded.
    #[error("encoding: {0}")]
    Encode(String),
}

/// The Markdown, HTML and Typst templates in use.
#[derive(Debug, Clone)]
pub struct Templates {
    /// `brief.md.j2`.
    pub markdown: Template,
    /// `brief.html.j2`.
    pub html: Template,
    /// `brief.typ`.
    pub typst: Template,
}

/// One template's text and where it came from (for error messages).
#[derive(Debug, Clone)]
pub struct Template {
    /// The file name, or `built-in NAME`.
    pub name: String,
    /// The template.
    pub text: String,
}

const BUILTIN_MARKDOWN: &str = include_str!("../../../config/templates/brief.md.j2");
const BUILTIN_HTML: &str = include_str!("../../../config/templates/brief.html.j2");
const BUILTIN_TYPST: &str = include_str!("../../../config/templates/brief.typ");

impl Templates {
    /// The templates compiled into the binary.
    pub fn builtin() -> Templates {
        let builtin = |file: &str, text: &str| Template {
            name: format!("built-in {file}"),
            text: text.to_string(),
        };
        Templates {
            markdown: builtin("brief.md.j2", BUILTIN_MARKDOWN),
            html: builtin("brief.html.j2", BUILTIN_HTML),
            typst: builtin("brief.typ", BUILTIN_TYPST),
        }
    }

    /// The templates in `dir`, each missing file replaced by the built-in one.
    pub fn load(dir: &Path) -> Result<Templates, RenderError> {
        let mut templates = Templates::builtin();
        for (file, slot) in [
            ("brief.md.j2", &mut templates.markdown),
            ("brief.html.j2", &mut templates.html),
            ("brief.typ", &mut templates.typst),
        ] {
            let path = dir.join(file);
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    *slot = Template {
                        name: path.display().to_string(),
                        text,
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(RenderError::Read { path, source }),
            }
        }
        Ok(templates)
    }
}

/// The document as pretty JSON with a final newline: the `json` export.
pub fn json(doc: &Briefing) -> Result<Vec<u8>, RenderError> {
    let mut out = serde_json::to_vec_pretty(doc).map_err(|e| RenderError::Encode(e.to_string()))?;
    out.push(b'\n');
    Ok(out)
}

/// Renders `view` in a text format (Markdown, HTML) or the PDF.
pub fn render_view(
    format: Format,
    view: &BriefView,
    templates: &Templates,
) -> Result<Vec<u8>, RenderError> {
    match format {
        Format::Markdown => markdown(view, &templates.markdown).map(String::into_bytes),
        Format::Html => html(view, &templates.html).map(String::into_bytes),
        Format::Pdf => pdf(view, &templates.typst),
        Format::Json | Format::Atom => Err(RenderError::Encode(format!(
            "{} is not rendered from the view",
            format.extension()
        ))),
    }
}
