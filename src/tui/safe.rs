//! The one gate every item-derived string passes before it reaches a `Buffer`, and display-width
//! arithmetic for fitting text into columns.
//!
//! Feed text is sanitised at ingest, but the dashboard does not trust that: a record written by
//! an older build, a bulk import or a bug upstream must still never drive the terminal. So every
//! title, place, source name, error message and note goes through [`line`] or [`text`] here,
//! which drop control characters (C0, DEL, C1 including the one-byte CSI U+009B), whole escape
//! sequences, bidi overrides and isolates, and invisible zero-width characters. Widths are
//! measured in terminal cells (`unicode-width`), so wide CJK and emoji columns line up.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Appended when text is cut to fit.
pub const ELLIPSIS: char = '…';

/// The longest escape sequence skipped whole; a longer "sequence" is most likely real text after
/// a stray ESC, so only the introducer is dropped.
const MAX_SEQUENCE: usize = 256;

/// A single-line, terminal-safe version of `s`: unsafe characters and escape sequences removed,
/// every line break and tab turned into a space.
pub fn line(s: &str) -> String {
    clean(s, false)
}

/// A multi-line, terminal-safe version of `s`: as [`line`], but line breaks are kept as `\n`
/// (a `\r\n` pair or a lone `\r` becomes one `\n`).
pub fn text(s: &str) -> String {
    clean(s, true)
}

fn clean(s: &str, keep_breaks: bool) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\u{1b}' => i += escape_len(&chars[i + 1..]) + 1,
            // The one-character C1 introducers: CSI and OSC (and DCS, SOS, PM, APC strings).
            '\u{9b}' => i += csi_len(&chars[i + 1..]).unwrap_or(0) + 1,
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => {
                i += string_len(&chars[i + 1..]).unwrap_or(0) + 1
            }
            '\r' => {
                out.push(if keep_breaks { '\n' } else { ' ' });
                i += if chars.get(i + 1) == Some(&'\n') {
                    2
                } else {
                    1
                };
            }
            '\n' => {
                out.push(if keep_breaks { '\n' } else { ' ' });
                i += 1;
            }
            '\t' => {
                out.push(' ');
                i += 1;
            }
            c if is_unsafe(c) => i += 1,
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// How many characters after an ESC belong to its sequence (0 when it is not one we know).
fn escape_len(rest: &[char]) -> usize {
    match rest.first() {
        Some('[') => csi_len(&rest[1..]).map_or(0, |n| n + 1),
        Some(']' | 'P' | 'X' | '^' | '_') => string_len(&rest[1..]).map_or(0, |n| n + 1),
        // Two-character sequences such as ESC c (reset) or ESC 7 (save cursor).
        Some(c) if ('\u{20}'..='\u{7e}').contains(c) => 1,
        _ => 0,
    }
}

/// The length of a CSI sequence's parameters, intermediates and final byte, if well formed.
fn csi_len(rest: &[char]) -> Option<usize> {
    for (n, c) in rest.iter().take(MAX_SEQUENCE).enumerate() {
        match c {
            '\u{30}'..='\u{3f}' | '\u{20}'..='\u{2f}' => {}
            '\u{40}'..='\u{7e}' => return Some(n + 1),
            _ => return None,
        }
    }
    None
}

/// The length of an OSC/DCS-style string up to and including its terminator (BEL, ST or
/// ESC `\`), if it ends within [`MAX_SEQUENCE`] characters.
fn string_len(rest: &[char]) -> Option<usize> {
    for (n, c) in rest.iter().take(MAX_SEQUENCE).enumerate() {
        match c {
            '\u{7}' | '\u{9c}' => return Some(n + 1),
            '\u{1b}' => {
                return Some(if rest.get(n + 1) == Some(&'\\') {
                    n + 2
                } else {
                    n + 1
                });
            }
            _ => {}
        }
    }
    None
}

/// Characters that never reach the screen: controls, bidi controls and invisible characters.
pub fn is_unsafe(c: char) -> bool {
    matches!(
        c,
        '\0'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{ad}'
            | '\u{61c}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{e0000}'..='\u{e007f}'
    )
}

/// The width of `s` in terminal cells.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` cut to at most `max` cells, ending in `…` when cut. A wide character that would straddle
/// the edge is left out rather than split.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push(ELLIPSIS);
    out
}

/// `s` cut or padded with spaces to exactly `cells` cells.
pub fn fit(s: &str, cells: usize) -> String {
    let mut out = truncate(s, cells);
    let w = width(&out);
    out.extend(std::iter::repeat_n(' ', cells.saturating_sub(w)));
    out
}

/// `s` cut or left-padded with spaces to exactly `cells` cells (for numbers).
pub fn fit_right(s: &str, cells: usize) -> String {
    let cut = truncate(s, cells);
    let pad = cells.saturating_sub(width(&cut));
    let mut out: String = std::iter::repeat_n(' ', pad).collect();
    out.push_str(&cut);
    out
}

/// Wraps already safe text into lines of at most `max` cells: paragraphs break at `\n`, lines
/// break between words, and a word wider than a line is split by characters.
pub fn wrap(s: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    for para in s.split('\n') {
        let mut current = String::new();
        let mut used = 0;
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let w = width(word);
            if used > 0 && used + 1 + w <= max {
                current.push(' ');
                current.push_str(word);
                used += 1 + w;
                continue;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut current));
                used = 0;
            }
            if w <= max {
                current.push_str(word);
                used = w;
                continue;
            }
            for c in word.chars() {
                let cw = c.width().unwrap_or(0);
                if used + cw > max && used > 0 {
                    lines.push(std::mem::take(&mut current));
                    used = 0;
                }
                current.push(c);
                used += cw;
            }
        }
        lines.push(current);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_controls_are_removed_whole() {
        let hostile = "A\u{1b}]0;evil\u{7}B\u{1b}[2JC\u{9b}31mD\u{202e}E\u{2066}F\u{200b}G\u{7f}H";
        assert_eq!(line(hostile), "ABCDEFGH");
        assert_eq!(line("x\u{1b}]8;;http://e\u{1b}\\y"), "xy");
        // Two-character sequences (save and restore the cursor) go whole.
        assert_eq!(line("a\u{1b}7b\u{1b}8c"), "abc");
        assert_eq!(line("tab\there\nnext"), "tab here next");
        assert_eq!(text("a\r\nb\rc\nd"), "a\nb\nc\nd");
    }

    #[test]
    fn an_unterminated_osc_does_not_swallow_the_rest() {
        let long = format!("\u{1b}]{}", "x".repeat(400));
        assert_eq!(line(&long), format!("]{}", "x".repeat(400)));
    }

    #[test]
    fn widths_count_cells_not_chars() {
        assert_eq!(width("漢字"), 4);
        assert_eq!(truncate("漢字漢字", 5), "漢字…");
        assert_eq!(truncate("Södermalm", 4), "Söd…");
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(fit("漢", 3), "漢 ");
        assert_eq!(fit_right("7", 3), "  7");
    }

    #[test]
    fn wrapping_respects_words_and_widths() {
        assert_eq!(wrap("brand i en skola", 8), ["brand i", "en skola"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("漢字漢字", 5), ["漢字", "漢字"]);
        assert_eq!(wrap("a\n\nb", 10), ["a", "", "b"]);
    }
}
