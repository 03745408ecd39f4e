//! The Markdown export, for e-mail and wikis. Feed text must stay text: every value the template
//! prints is escaped so that nothing from a feed can open a heading, a list, a quote, a table, a
//! code block, a link, an image or raw HTML.

use super::jinja::{self, Escape};
use super::{RenderError, Template};
use crate::brief::view::BriefView;

/// Renders the briefing as Markdown with `template`.
pub fn markdown(view: &BriefView, template: &Template) -> Result<String, RenderError> {
    jinja::render(template, Escape::Markdown, view)
}

/// Escapes untrusted text for Markdown inline content (CommonMark and GitHub's tables).
///
/// Every character with inline meaning gets a backslash (emphasis, code, links, images, raw
/// HTML, tables, strikethrough, entities); a line that starts like a block (`#`, `>`, `-`, `+`,
/// `=`, `1.`) gets one before that too, since the template may put a value at a line's start;
/// line breaks become spaces so a value can never start a block of its own.
pub fn escape(text: &str) -> String {
    /// What the value has been so far, for block markers that only count at a line's start.
    #[derive(PartialEq)]
    enum Start {
        /// Only spaces: `#`, `-`, `+`, `=`, `>` would start a block.
        Spaces,
        /// Spaces, then digits: `.` or `)` would make an ordered list.
        Digits,
        /// Anything else: no block can start.
        Past,
    }
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut start = Start::Spaces;
    for c in text.chars() {
        let c = if matches!(c, '\n' | '\r') { ' ' } else { c };
        let escaped = match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '!' | '#' => true,
            '-' | '+' | '=' => start == Start::Spaces,
            '.' | ')' => start == Start::Digits,
            _ => false,
        };
        if escaped {
            out.push('\\');
        }
        out.push(c);
        start = match (start, c) {
            (Start::Spaces, ' ') => Start::Spaces,
            (Start::Spaces | Start::Digits, d) if d.is_ascii_digit() => Start::Digits,
            _ => Start::Past,
        };
    }
    out
}

/// A URL for `[text](url)`: the characters that would end or break the destination are
/// percent-encoded. The view has already kept only http and https URLs.
pub fn escape_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            ' ' => out.push_str("%20"),
            '\\' => out.push_str("%5C"),
            '`' => out.push_str("%60"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_syntax_is_escaped() {
        assert_eq!(escape("*a* _b_ `c`"), r"\*a\* \_b\_ \`c\`");
        assert_eq!(
            escape("[x](javascript:alert(1))"),
            r"\[x\](javascript:alert(1))"
        );
        assert_eq!(escape("![i](http://x/i.png)"), r"\!\[i\](http://x/i.png)");
        assert_eq!(escape("<script>&amp;"), r"\<script\>\&amp;");
        assert_eq!(escape("a | b"), r"a \| b");
    }

    #[test]
    fn block_starts_are_escaped() {
        assert_eq!(escape("# Rubrik"), r"\# Rubrik");
        assert_eq!(escape("> citat"), r"\> citat");
        assert_eq!(escape("- punkt"), r"\- punkt");
        assert_eq!(escape("  + punkt"), r"  \+ punkt");
        assert_eq!(escape("==="), r"\===");
        assert_eq!(escape("12. lista"), r"12\. lista");
        assert_eq!(escape("3) lista"), r"3\) lista");
    }

    #[test]
    fn ordinary_text_is_left_readable() {
        assert_eq!(
            escape("Brand i Farsta 2026-11-23, 3.5 km."),
            "Brand i Farsta 2026-11-23, 3.5 km."
        );
        assert_eq!(escape("a\nb"), "a b");
    }

    #[test]
    fn urls_cannot_close_the_link() {
        assert_eq!(escape_url("https://x.se/a_(b)"), "https://x.se/a_%28b%29");
    }
}
