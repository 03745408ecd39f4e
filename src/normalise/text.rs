//! Character-level cleaning of untrusted feed text before it reaches a terminal or the store.
//!
//! This module owns the rule for which characters may never be shown: control characters that
//! can drive the terminal (ESC, bare CR, C1 controls), bidi overrides that make text read
//! differently from what it says, and invisible characters that let two different strings look
//! identical. It also owns whitespace shape: titles become one line, bodies keep their paragraphs.
//! Everything here is a pure function over `&str`, runs in one linear pass, and never fails,
//! because it sees every title and summary of every feed, and feed text is hostile.
//!
//! Only the ESC character of an escape sequence is removed, not its printable tail: once ESC is
//! gone, `"[2J"` is three harmless characters, while guessing where a hostile sequence ends could
//! swallow real text.

/// Appended when a string is cut at its character limit.
const ELLIPSIS: char = '…';

/// Cleans a title or name: removes unsafe characters, turns every whitespace run (including
/// line breaks and Unicode spaces) into one space, trims, and caps the result at `max_chars`
/// characters, ending in '…' when cut.
pub fn sanitize_line(s: &str, max_chars: usize) -> String {
    let mut out = Capped::new(s.len(), max_chars);
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            pending_space = true;
        } else if is_unsafe(c) {
            // Removed without a trace, so "a\u{200b}b" stays one word.
        } else {
            if pending_space && !out.is_empty() && !out.push(' ') {
                break;
            }
            pending_space = false;
            if !out.push(c) {
                break;
            }
        }
    }
    out.finish()
}

/// Cleans a summary or body: removes unsafe characters, normalises line breaks to `\n`,
/// collapses spaces within a line, trims each line, keeps at most one blank line in a row,
/// trims the whole, and caps the result at `max_chars` characters, ending in '…' when cut.
pub fn sanitize_text(s: &str, max_chars: usize) -> String {
    let mut out = Capped::new(s.len(), max_chars);
    // Line breaks seen since the last visible character; 2 or more means a blank line.
    let mut pending_breaks = 0u8;
    let mut pending_space = false;
    let mut prev_cr = false;
    for c in s.chars() {
        // "\r\n" is one line break, not two (which would read as a blank line).
        let crlf = prev_cr && c == '\n';
        prev_cr = c == '\r';
        if crlf {
            continue;
        }
        if is_line_break(c) {
            // Dropping the pending space here is what trims each line's end.
            pending_space = false;
            pending_breaks = pending_breaks.saturating_add(1).min(2);
        } else if c.is_whitespace() {
            // Ignored at the start of a line, which trims each line's start.
            pending_space = pending_breaks == 0;
        } else if is_unsafe(c) {
            // Removed without a trace.
        } else {
            // Separators are only written once visible text follows, which trims the whole.
            let sep_ok = if out.is_empty() {
                true
            } else if pending_breaks > 0 {
                out.push('\n') && (pending_breaks < 2 || out.push('\n'))
            } else {
                !pending_space || out.push(' ')
            };
            pending_breaks = 0;
            pending_space = false;
            if !sep_ok || !out.push(c) {
                break;
            }
        }
    }
    out.finish()
}

/// Reports whether `s` contains any character that the sanitizers never let through.
///
/// A bare `\r` counts, because it moves the terminal cursor back over text already drawn; the
/// sanitizers turn it into a line break or a space rather than dropping it.
pub fn has_unsafe_chars(s: &str) -> bool {
    s.chars().any(is_unsafe)
}

/// The set of characters that must not reach the terminal or be stored as visible text.
fn is_unsafe(c: char) -> bool {
    matches!(
        c,
        // C0 controls other than tab and newline, DEL and the C1 controls: terminal control.
        '\0'..='\u{8}'
            | '\u{b}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            // Soft hyphen, invisible unless a line happens to wrap there.
            | '\u{ad}'
            // Arabic letter mark and the bidi marks, embeddings, overrides and isolates.
            | '\u{61c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            // Zero-width space, non-joiner, joiner, word joiner and BOM: invisible spoofing.
            | '\u{200b}'..='\u{200d}'
            | '\u{2060}'
            | '\u{feff}'
            // Interlinear annotation controls and the object replacement character.
            | '\u{fff9}'..='\u{fffc}'
            // Tag characters, which can hide a whole invisible message.
            | '\u{e0000}'..='\u{e007f}'
    )
}

/// Mandatory line breaks (Unicode line-breaking classes BK, CR, LF and NL).
///
/// VT, FF and NEL are line breaks here rather than removed controls, so that text separated by
/// them does not fuse into one word.
fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{b}' | '\u{c}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// An output string that refuses characters beyond a limit and remembers that it did.
struct Capped {
    out: String,
    len: usize,
    max: usize,
    cut: bool,
}

impl Capped {
    fn new(input_len: usize, max: usize) -> Self {
        // Output is never longer than the input plus the ellipsis, nor than `max` 4-byte chars.
        let cap = input_len.min(max.saturating_mul(4)).saturating_add(3);
        Capped {
            out: String::with_capacity(cap),
            len: 0,
            max,
            cut: false,
        }
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends `c`, or returns false (and marks the text as cut) when the limit is reached.
    fn push(&mut self, c: char) -> bool {
        if self.len == self.max {
            self.cut = true;
            return false;
        }
        self.out.push(c);
        self.len += 1;
        true
    }

    fn finish(mut self) -> String {
        if self.cut && self.max > 0 {
            // Make room for the ellipsis and keep it attached to the last word.
            self.out.pop();
            let kept = self.out.trim_end_matches([' ', '\n']).len();
            self.out.truncate(kept);
            self.out.push(ELLIPSIS);
        }
        self.out
    }
}

/// Longest message (an error, a warning) kept or shown on one line.
pub const MESSAGE_CHARS: usize = 2_000;

/// A message for storage or the terminal: errors can quote feed text, file names or config
/// values, so they are cleaned like any untrusted line.
pub fn sanitize_message(message: &str) -> String {
    sanitize_line(message, MESSAGE_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIG: usize = usize::MAX;

    #[test]
    fn escape_and_bidi_override_are_removed_from_a_title() {
        assert_eq!(
            sanitize_line("Falsk\u{1b}[2J larm\u{202e} i Kista", 200),
            "Falsk[2J larm i Kista"
        );
    }

    #[test]
    fn line_collapses_all_whitespace_kinds_to_one_space() {
        let s = "  Brand\t\ti\r\n\u{a0}Rinkeby\u{2003}\u{3000}centrum\n ";
        assert_eq!(sanitize_line(s, BIG), "Brand i Rinkeby centrum");
    }

    #[test]
    fn line_removes_every_listed_character() {
        let bad = [
            '\0',
            '\u{7}',
            '\u{8}',
            '\u{1b}',
            '\u{1f}',
            '\u{7f}',
            '\u{80}',
            '\u{9b}',
            '\u{9f}',
            '\u{ad}',
            '\u{61c}',
            '\u{200b}',
            '\u{200c}',
            '\u{200d}',
            '\u{200e}',
            '\u{200f}',
            '\u{202a}',
            '\u{202b}',
            '\u{202c}',
            '\u{202d}',
            '\u{202e}',
            '\u{2060}',
            '\u{2066}',
            '\u{2067}',
            '\u{2068}',
            '\u{2069}',
            '\u{feff}',
            '\u{fff9}',
            '\u{fffa}',
            '\u{fffb}',
            '\u{fffc}',
            '\u{e0000}',
            '\u{e0041}',
            '\u{e007f}',
        ];
        for c in bad {
            let s = format!("a{c}b");
            assert!(has_unsafe_chars(&s), "{:?} should be unsafe", c);
            assert_eq!(sanitize_line(&s, BIG), "ab", "line, {:?}", c);
            assert_eq!(sanitize_text(&s, BIG), "ab", "text, {:?}", c);
        }
    }

    #[test]
    fn ordinary_text_is_safe_and_unchanged() {
        let s = "Vattenläcka på Södermalm – gatan avstängd 🚒 (Ü, ß, 東京, עברית)";
        assert!(!has_unsafe_chars(s));
        assert_eq!(sanitize_line(s, BIG), s);
        assert_eq!(sanitize_text(s, BIG), s);
    }

    #[test]
    fn tab_and_newline_are_not_unsafe_but_bare_cr_is() {
        assert!(!has_unsafe_chars("a\tb\nc"));
        assert!(has_unsafe_chars("a\rb"));
    }

    #[test]
    fn removed_chars_between_spaces_leave_one_space() {
        assert_eq!(sanitize_line("a \u{200b} \u{202e} b", BIG), "a b");
    }

    #[test]
    fn form_feed_and_nel_separate_words_instead_of_joining_them() {
        assert_eq!(sanitize_line("a\u{c}b\u{85}c", BIG), "a b c");
        assert_eq!(sanitize_text("a\u{c}b\u{85}c", BIG), "a\nb\nc");
    }

    #[test]
    fn line_cap_counts_chars_and_includes_the_ellipsis() {
        assert_eq!(sanitize_line("åäöåäö", 6), "åäöåäö");
        assert_eq!(sanitize_line("åäöåäöx", 6), "åäöåä…");
        assert_eq!(sanitize_line("åäöåäöx", 6).chars().count(), 6);
    }

    #[test]
    fn cut_does_not_leave_a_space_before_the_ellipsis() {
        assert_eq!(sanitize_line("Brand i Kista centrum", 9), "Brand i…");
        assert_eq!(sanitize_line("Brand  ix", 7), "Brand…");
    }

    #[test]
    fn trailing_whitespace_does_not_count_as_cut() {
        assert_eq!(sanitize_line("Brand   \n\t ", 5), "Brand");
        assert_eq!(sanitize_text("Brand\n\n\n  ", 5), "Brand");
    }

    #[test]
    fn tiny_caps() {
        assert_eq!(sanitize_line("abc", 0), "");
        assert_eq!(sanitize_line("abc", 1), "…");
        assert_eq!(sanitize_line("a", 1), "a");
        assert_eq!(sanitize_text("abc", 0), "");
        assert_eq!(sanitize_text("abc", 2), "a…");
    }

    #[test]
    fn empty_and_blank_inputs_give_empty_output() {
        for s in ["", "   ", "\n\r\n\t", "\u{200b}\u{feff}", " \u{1b} "] {
            assert_eq!(sanitize_line(s, BIG), "");
            assert_eq!(sanitize_text(s, BIG), "");
        }
    }

    #[test]
    fn text_keeps_lines_and_normalises_breaks() {
        assert_eq!(sanitize_text("a\r\nb\rc\nd", BIG), "a\nb\nc\nd");
    }

    #[test]
    fn text_collapses_spaces_and_trims_each_line() {
        let s = "  Polisen   larmades\t\tkl 14.\u{a0} \n\t  Ingen skadad.  ";
        assert_eq!(
            sanitize_text(s, BIG),
            "Polisen larmades kl 14.\nIngen skadad."
        );
    }

    #[test]
    fn text_keeps_at_most_one_blank_line() {
        let s = "\n\nett\n\n\n\n  \n\t\ntvå\r\n\r\n\r\ntre\n\n";
        assert_eq!(sanitize_text(s, BIG), "ett\n\ntvå\n\ntre");
    }

    #[test]
    fn text_line_of_only_invisible_chars_is_blank() {
        assert_eq!(sanitize_text("a\n\u{200b}\u{202e}\nb", BIG), "a\n\nb");
    }

    #[test]
    fn text_cut_at_a_line_break_trims_before_the_ellipsis() {
        assert_eq!(sanitize_text("abc\n\ndef", 6), "abc…");
        assert_eq!(sanitize_text("abc\n\ndef", 7), "abc\n\nd…");
        assert_eq!(sanitize_text("abc\n\ndef", 8), "abc\n\ndef");
    }

    #[test]
    fn crlf_split_by_removed_char_is_still_at_most_a_blank_line() {
        assert_eq!(sanitize_text("a\r\u{200b}\nb", BIG), "a\n\nb");
    }

    /// Tiny deterministic generator so the property test needs no extra crate.
    fn next(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    #[test]
    fn random_hostile_input_always_comes_out_clean_and_capped() {
        let alphabet = [
            'a',
            'Ö',
            ' ',
            ' ',
            '\t',
            '\n',
            '\r',
            '\u{a0}',
            '\u{1b}',
            '\u{202e}',
            '\u{200b}',
            '\u{85}',
            '\u{2028}',
            '\u{feff}',
            '\u{e0041}',
            '…',
            '😀',
            '\u{7f}',
            '[',
        ];
        let mut seed = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..2000 {
            let len = (next(&mut seed) % 40) as usize;
            let s: String = (0..len)
                .map(|_| alphabet[(next(&mut seed) % alphabet.len() as u64) as usize])
                .collect();
            let max = (next(&mut seed) % 30) as usize;
            for out in [sanitize_line(&s, max), sanitize_text(&s, max)] {
                assert!(!has_unsafe_chars(&out), "{s:?} -> {out:?}");
                assert!(out.chars().count() <= max, "{s:?} -> {out:?}");
                assert_eq!(out.trim(), out, "{s:?} -> {out:?}");
            }
            let line = sanitize_line(&s, BIG);
            assert!(!line.contains("  ") && !line.contains('\n'));
            assert_eq!(sanitize_line(&line, BIG), line, "idempotent");
            let text = sanitize_text(&s, BIG);
            assert!(!text.contains("\n\n\n") && !text.contains(" \n") && !text.contains("\n "));
            assert_eq!(sanitize_text(&text, BIG), text, "idempotent");
        }
    }
}
