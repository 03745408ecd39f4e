//! Folding text for term matching: lowercase words separated by single spaces.
//!
//! Terms and item text go through the same fold, so `Hägersten-Liljeholmen`, `HÄGERSTEN
//! liljeholmen` and `hägersten/liljeholmen` all become `hägersten liljeholmen`, and a word
//! boundary is always a space or an end of the string. Å, ä and ö are letters of their own in
//! Swedish and stay; other accents fold to the base letter (`é` → `e`), and the Danish and
//! Norwegian `æ`, `ø` fold to `ä`, `ö`. Decomposed å, ä, ö (a letter plus a combining mark, as
//! some feeds send them) fold like the composed ones.

/// Folds `text` into `out` (cleared first).
pub fn fold_into(text: &str, out: &mut String) {
    out.clear();
    fold_append(text, out);
}

/// Folds `text` onto the end of `out`, as words of their own.
pub fn fold_append(text: &str, out: &mut String) {
    out.reserve(text.len());
    let start = out.len();
    let bytes = text.as_bytes();
    let mut pending_space = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // Most feed text is ASCII: fold it byte by byte, unless a combining mark follows (a
        // decomposed å, ä, ö; marks U+0300–U+036F start with byte 0xCC or 0xCD).
        if b.is_ascii() && !matches!(bytes.get(i + 1), Some(0xCC | 0xCD)) {
            if b.is_ascii_alphanumeric() {
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                }
                out.push(char::from(b.to_ascii_lowercase()));
            } else {
                pending_space = out.len() > start;
            }
            i += 1;
            continue;
        }
        let rest = &text[i..];
        let mut chars = rest.chars();
        let Some(c) = chars.next() else {
            break;
        };
        i += c.len_utf8();
        let mark = chars.next().filter(|m| is_combining(*m));
        // Å, ä, ö are most of the rest of Swedish text: they need no tables either.
        if let Some(lower) = swedish_lower(c).filter(|_| mark.is_none()) {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(lower);
            continue;
        }
        if !c.is_alphanumeric() {
            // Combining marks are not alphanumeric; they only matter right after a letter
            // (handled below), elsewhere they separate like punctuation.
            pending_space = out.len() > start;
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        if let Some(mark) = mark {
            i += mark.len_utf8();
            if let Some(composed) = compose(c, mark) {
                out.push(composed);
                i = skip_marks(text, i);
                continue;
            }
        }
        for lower in c.to_lowercase() {
            if lower.is_alphanumeric() {
                out.push(base_letter(lower));
            }
        }
        // Further marks on the same letter are dropped.
        i = skip_marks(text, i);
    }
}

/// The byte offset after any combining marks at `i`.
fn skip_marks(text: &str, mut i: usize) -> usize {
    while let Some(m) = text[i..].chars().next().filter(|m| is_combining(*m)) {
        i += m.len_utf8();
    }
    i
}

/// Folds `text` into a new string.
pub fn fold(text: &str) -> String {
    let mut out = String::new();
    fold_into(text, &mut out);
    out
}

fn swedish_lower(c: char) -> Option<char> {
    match c {
        'å' | 'Å' => Some('å'),
        'ä' | 'Ä' => Some('ä'),
        'ö' | 'Ö' => Some('ö'),
        'é' | 'É' => Some('e'),
        _ => None,
    }
}

fn is_combining(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// A letter followed by a combining ring or diaeresis that makes å, ä or ö.
fn compose(letter: char, mark: char) -> Option<char> {
    match (letter.to_ascii_lowercase(), mark) {
        ('a', '\u{30a}') => Some('å'),
        ('a', '\u{308}') => Some('ä'),
        ('o', '\u{308}') => Some('ö'),
        _ => None,
    }
}

fn base_letter(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ā' => 'a',
        'æ' => 'ä',
        'ç' | 'č' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' | 'ń' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' => 'o',
        'ø' => 'ö',
        'š' | 'ś' => 's',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        'ž' | 'ź' | 'ż' => 'z',
        'ł' => 'l',
        _ => c,
    }
}

/// Byte offsets of the spaces in a folded string, to turn a byte offset into a word number.
pub struct WordIndex {
    spaces: Vec<u32>,
}

impl WordIndex {
    /// Indexes a folded string.
    pub fn new(folded: &str) -> WordIndex {
        WordIndex {
            spaces: folded
                .bytes()
                .enumerate()
                .filter(|(_, b)| *b == b' ')
                .map(|(i, _)| i as u32)
                .collect(),
        }
    }

    /// The number of the word at byte `offset` (0 for the first word).
    pub fn word_at(&self, offset: usize) -> u32 {
        self.spaces.partition_point(|&s| (s as usize) < offset) as u32
    }

    /// The byte range of words `first..=last`.
    pub fn span(&self, folded: &str, first: u32, last: u32) -> std::ops::Range<usize> {
        let start = match first {
            0 => 0,
            n => self
                .spaces
                .get(n as usize - 1)
                .map_or(0, |&s| s as usize + 1),
        };
        let end = self
            .spaces
            .get(last as usize)
            .map_or(folded.len(), |&s| s as usize);
        start..end.max(start)
    }
}

/// Widens a byte range of a folded string to whole words, but at most [`MAX_WIDEN`] bytes
/// each way (a "word" of a text without spaces can be the whole text).
pub fn whole_words(folded: &str, start: usize, end: usize) -> std::ops::Range<usize> {
    let bytes = folded.as_bytes();
    let floor = start.saturating_sub(MAX_WIDEN);
    let start = bytes[floor..start]
        .iter()
        .rposition(|&b| b == b' ')
        .map_or(floor, |p| floor + p + 1);
    let ceiling = (end + MAX_WIDEN).min(bytes.len());
    let end = bytes[end..ceiling]
        .iter()
        .position(|&b| b == b' ')
        .map_or(ceiling, |p| end + p);
    // Snap to characters: the limits may fall inside one.
    let start = (0..=start)
        .rev()
        .find(|&i| folded.is_char_boundary(i))
        .unwrap_or(0);
    let end = (end..=folded.len())
        .find(|&i| folded.is_char_boundary(i))
        .unwrap_or(folded.len());
    start..end
}

/// How far evidence text reaches beyond a match to complete its words.
pub const MAX_WIDEN: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_punctuation_and_accents_fold() {
        assert_eq!(
            fold("  Hägersten-LILJEHOLMEN: Skolbrand!! "),
            "hägersten liljeholmen skolbrand"
        );
        assert_eq!(fold("ÅÄÖ åäö"), "åäö åäö");
        assert_eq!(fold("Café Señor Müller"), "cafe senor muller");
        assert_eq!(fold("Øvelse i Ærø"), "övelse i ärö");
        assert_eq!(fold("E4 södergående, 2 km"), "e4 södergående 2 km");
    }

    #[test]
    fn decomposed_swedish_letters_fold_like_composed_ones() {
        assert_eq!(fold("Ha\u{308}gersten A\u{30a}rsta"), "hägersten årsta");
        assert_eq!(fold("Bjo\u{308}rkhagen"), "björkhagen");
        assert_eq!(fold("cafe\u{301}"), "cafe");
    }

    /// The fold written plainly, char by char, to check the byte-level fast paths against.
    fn reference(text: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        let mut words: Vec<String> = vec![String::new()];
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            i += 1;
            if !c.is_alphanumeric() {
                if !words.last().is_some_and(String::is_empty) {
                    words.push(String::new());
                }
                continue;
            }
            let word = words.last_mut().expect("one word at least");
            let mark = chars.get(i).copied().filter(|m| is_combining(*m));
            match mark.and_then(|m| compose(c, m)) {
                Some(composed) => word.push(composed),
                None => word.extend(
                    c.to_lowercase()
                        .filter(|l| l.is_alphanumeric())
                        .map(base_letter),
                ),
            }
            while chars.get(i).is_some_and(|m| is_combining(*m)) {
                i += 1;
            }
        }
        words.retain(|w| !w.is_empty());
        words.join(" ")
    }

    #[test]
    fn the_fast_paths_fold_like_the_plain_fold() {
        let alphabet: Vec<char> = "aAoOzZ09 -,.åäöÅÄÖéÉüÜæøÆØß\u{30a}\u{308}\u{301}İŁ–”日本Σ\t"
            .chars()
            .collect();
        let mut rng = fastrand::Rng::with_seed(5);
        for _ in 0..5_000 {
            let text: String = (0..rng.usize(0..24))
                .map(|_| alphabet[rng.usize(..alphabet.len())])
                .collect();
            assert_eq!(fold(&text), reference(&text), "{text:?}");
        }
    }

    #[test]
    fn word_numbers_and_spans() {
        let folded = fold("hot mot en anställd");
        let index = WordIndex::new(&folded);
        assert_eq!(index.word_at(0), 0);
        assert_eq!(index.word_at(4), 1);
        assert_eq!(index.word_at(11), 3);
        assert_eq!(&folded[index.span(&folded, 1, 2)], "mot en");
        assert_eq!(&folded[index.span(&folded, 3, 3)], "anställd");
        assert_eq!(&folded[whole_words(&folded, 13, 15)], "anställd");
    }

    #[test]
    fn widening_is_bounded_and_stays_on_characters() {
        let folded = "ö".repeat(1_000);
        let range = whole_words(&folded, 1_000, 1_006);
        assert!(range.len() <= 6 + 2 * MAX_WIDEN + 2, "{range:?}");
        assert!(folded.is_char_boundary(range.start) && folded.is_char_boundary(range.end));
    }
}
