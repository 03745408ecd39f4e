//! The HTML export: one self-contained file to read on screen and print. The template inlines
//! its CSS and carries a Content-Security-Policy that allows no script, no external request and
//! no form; every value is HTML-escaped (text and attributes) and the view keeps only http and
//! https links, so a feed's `<script>`, `onerror=` or `javascript:` stays text.

use super::jinja::{self, Escape};
use super::{RenderError, Template};
use crate::brief::view::BriefView;

/// Renders the briefing as HTML with `template`.
pub fn html(view: &BriefView, template: &Template) -> Result<String, RenderError> {
    jinja::render(template, Escape::Html, view)
}
