//! Decides the character encoding of a fetched document and decodes it to UTF-8 text.
//!
//! This module owns the byte-to-text step for feeds: which signal wins (BOM, XML declaration,
//! HTTP `charset`, UTF-8 validity, statistical guess), and the fix-ups that make the decoded text
//! safe to hand to a parser. It does no IO and never fails: undecodable bytes become U+FFFD and
//! are reported through [`Decoded::had_errors`], because one badly encoded feed must not stop a
//! poll. Labels are resolved with WHATWG rules (`encoding_rs`), as browsers do, so "ISO-8859-1"
//! means windows-1252 and the 0x80–0x9F bytes that Swedish CMSs emit for dashes and quotes come
//! out as `–` and `”` instead of invisible C1 controls.

use std::ops::Range;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, REPLACEMENT, UTF_8, UTF_16BE, UTF_16LE, X_USER_DEFINED};

/// How many leading bytes may hold the XML declaration.
const DECLARATION_WINDOW: usize = 1024;

/// How many bytes the statistical detector reads; more costs time without changing the guess.
const DETECTOR_WINDOW: usize = 1 << 20;

/// A document decoded to UTF-8, with the encoding that was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The decoded text, without a byte order mark.
    pub text: String,
    /// The WHATWG name of the encoding used, such as "UTF-8" or "windows-1252".
    pub encoding: &'static str,
    /// Whether some bytes were malformed and replaced by U+FFFD.
    pub had_errors: bool,
}

/// Decodes an XML document (RSS, Atom, RDF) and rewrites its declaration to say UTF-8.
///
/// The encoding is taken from, in order: a byte order mark; the XML declaration's `encoding`
/// (or the byte pattern of a UTF-16 declaration without BOM); `http_charset`; UTF-16 when the
/// first two bytes are one zero and one non-zero byte; UTF-8 when the bytes are valid UTF-8;
/// otherwise chardetng's guess. Unknown labels, `x-user-defined` and
/// labels that contradict the bytes fall through to the next rule. A declared single-byte
/// encoding on bytes that are valid, non-ASCII UTF-8 is taken to be a mislabel and UTF-8 wins:
/// CMSs that switched to UTF-8 but kept an `ISO-8859-1` template are common, and real
/// windows-1252 text almost never happens to form valid multi-byte UTF-8.
pub fn decode_xml(bytes: &[u8], http_charset: Option<&str>) -> Decoded {
    let (encoding, body) = match Encoding::for_bom(bytes) {
        Some((encoding, bom_len)) => (encoding, &bytes[bom_len..]),
        None => (xml_encoding_without_bom(bytes, http_charset), bytes),
    };
    let mut decoded = decode(encoding, body);
    // The XML parser downstream reads the declaration too and would decode our UTF-8 again.
    declare_utf8(&mut decoded.text);
    decoded
}

/// Decodes a JSON or NDJSON document: byte order mark, then `http_charset`, then UTF-16 by byte
/// pattern, then UTF-8 when valid, then chardetng's guess, with the same fall-through and
/// mislabel rules as [`decode_xml`]. Declarations in the text are left alone.
pub fn decode_text(bytes: &[u8], http_charset: Option<&str>) -> Decoded {
    match Encoding::for_bom(bytes) {
        Some((encoding, bom_len)) => decode(encoding, &bytes[bom_len..]),
        None => decode(fallback_encoding(bytes, http_charset), bytes),
    }
}

/// Extracts the `charset` parameter of a Content-Type header value, quoted or not.
pub fn charset_from_content_type(ct: &str) -> Option<&str> {
    ct.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let value = value.trim();
        let value = match value.strip_prefix('"') {
            Some(quoted) => quoted.split_once('"').map_or(quoted, |(inside, _)| inside),
            None => value,
        };
        let value = value.trim();
        (!value.is_empty()).then_some(value)
    })
}

fn xml_encoding_without_bom(bytes: &[u8], http_charset: Option<&str>) -> &'static Encoding {
    // A UTF-16 document without BOM still starts with "<?" as 16-bit units (XML 1.0, appendix F).
    if bytes.starts_with(b"<\0?\0") {
        return UTF_16LE;
    }
    if bytes.starts_with(b"\0<\0?") {
        return UTF_16BE;
    }
    let head = &bytes[..bytes.len().min(DECLARATION_WINDOW)];
    declared_encoding(head)
        .and_then(|label| usable(&head[label], bytes))
        .unwrap_or_else(|| fallback_encoding(bytes, http_charset))
}

/// The rules after the in-document ones: HTTP charset, UTF-16 by byte pattern, UTF-8, guess.
fn fallback_encoding(bytes: &[u8], http_charset: Option<&str>) -> &'static Encoding {
    if let Some(encoding) = http_charset.and_then(|label| usable(label.as_bytes(), bytes)) {
        return encoding;
    }
    // Checked before UTF-8 validity, since ASCII-only UTF-16 is valid UTF-8 full of NULs.
    if let Some(encoding) = utf16_by_pattern(bytes) {
        return encoding;
    }
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    guess(bytes)
}

/// Resolves a label, or returns None when the next rule should decide instead.
fn usable(label: &[u8], bytes: &[u8]) -> Option<&'static Encoding> {
    let encoding = Encoding::for_label(label)?;
    if encoding == REPLACEMENT || encoding == X_USER_DEFINED {
        // REPLACEMENT (ISO-2022-KR and friends) would turn the whole feed into one U+FFFD, and
        // x-user-defined is a browser hack for binary data, never a real feed encoding.
        return None;
    }
    if encoding == UTF_16LE || encoding == UTF_16BE {
        // A "UTF-16" label on bytes that do not look like UTF-16 is a lie; the byte pattern
        // also decides the endianness that the bare "utf-16" label leaves open.
        return utf16_by_pattern(bytes);
    }
    if encoding.is_single_byte() && !bytes.is_ascii() && std::str::from_utf8(bytes).is_ok() {
        return Some(UTF_8);
    }
    Some(encoding)
}

/// Feeds start with an ASCII character (`<`, `{`, `[` or whitespace), which in UTF-16 without
/// BOM is one zero byte and one non-zero byte.
fn utf16_by_pattern(bytes: &[u8]) -> Option<&'static Encoding> {
    match bytes {
        [a, 0, ..] if *a != 0 => Some(UTF_16LE),
        [0, b, ..] if *b != 0 => Some(UTF_16BE),
        _ => None,
    }
}

fn guess(bytes: &[u8]) -> &'static Encoding {
    let sample = &bytes[..bytes.len().min(DETECTOR_WINDOW)];
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    // `last` only when the sample is the whole document, so a character cut at the window's
    // edge does not count against the multi-byte encodings.
    detector.feed(sample, sample.len() == bytes.len());
    detector.guess(None, Utf8Detection::Deny)
}

fn decode(encoding: &'static Encoding, body: &[u8]) -> Decoded {
    let (text, had_errors) = encoding.decode_without_bom_handling(body);
    let mut text = text.into_owned();
    // A second BOM after the one we consumed (or one in a label-decoded document) is not text.
    let bom_bytes = text.len() - text.trim_start_matches('\u{feff}').len();
    text.drain(..bom_bytes);
    Decoded {
        text,
        encoding: encoding.name(),
        had_errors,
    }
}

/// Replaces the declaration's encoding value with "UTF-8", in place.
fn declare_utf8(text: &mut String) {
    let head = &text.as_bytes()[..text.len().min(DECLARATION_WINDOW)];
    if let Some(value) = declared_encoding(head)
        && !head[value.clone()].eq_ignore_ascii_case(b"UTF-8")
    {
        // The range lies between ASCII quotes, so it is on char boundaries.
        text.replace_range(value, "UTF-8");
    }
}

/// Finds the value of `encoding="..."` in an XML declaration at the start of `head` (after
/// optional whitespace), as a byte range of `head`. Works on any ASCII-compatible bytes.
fn declared_encoding(head: &[u8]) -> Option<Range<usize>> {
    let start = head.iter().position(|c| !c.is_ascii_whitespace())?;
    let open = head.get(start..start + 6)?;
    // The whitespace after "<?xml" keeps "<?xml-stylesheet" from counting.
    if !open[..5].eq_ignore_ascii_case(b"<?xml") || !open[5].is_ascii_whitespace() {
        return None;
    }
    let body_start = start + 6;
    let end = body_start + find(&head[body_start..], b"?>")?;
    let decl = &head[..end];
    let mut from = body_start;
    while let Some(off) = find(&decl[from..], b"encoding") {
        let name = from + off;
        from = name + 8;
        if !decl[name - 1].is_ascii_whitespace() {
            continue;
        }
        let mut i = skip_space(decl, name + 8);
        if decl.get(i) != Some(&b'=') {
            continue;
        }
        i = skip_space(decl, i + 1);
        let quote = *decl.get(i).filter(|q| matches!(q, b'"' | b'\''))?;
        let value_start = i + 1;
        let value_len = decl[value_start..].iter().position(|&c| c == quote)?;
        return Some(value_start..value_start + value_len);
    }
    None
}

fn skip_space(b: &[u8], from: usize) -> usize {
    from + b.get(from..).map_or(0, |rest| {
        rest.iter().take_while(|c| c.is_ascii_whitespace()).count()
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str, bom: bool, little_endian: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend_from_slice(if little_endian {
                b"\xFF\xFE"
            } else {
                b"\xFE\xFF"
            });
        }
        for unit in s.encode_utf16() {
            let pair = if little_endian {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            };
            out.extend_from_slice(&pair);
        }
        out
    }

    const UTF8_DECL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

    #[test]
    fn windows_1252_declaration_with_en_dash() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"windows-1252\"?>\n\
            <rss><item><title>Vattenl\xe4cka p\xe5 S\xf6dermalm \x96 gatan</title></item></rss>";
        let d = decode_xml(bytes, Some("utf-8"));
        assert_eq!(d.encoding, "windows-1252");
        assert!(!d.had_errors);
        assert!(
            d.text
                .contains("<title>Vattenläcka på Södermalm – gatan</title>")
        );
        assert!(d.text.starts_with(UTF8_DECL), "{}", d.text);
    }

    #[test]
    fn iso_8859_1_label_means_windows_1252() {
        let bytes = b"<?xml version='1.0' encoding = 'ISO-8859-1' ?><t>a \x96 b \x93c\x94</t>";
        let d = decode_xml(bytes, None);
        assert_eq!(d.encoding, "windows-1252");
        assert!(d.text.contains("a – b “c”"));
        assert!(
            d.text
                .starts_with("<?xml version='1.0' encoding = 'UTF-8' ?>")
        );
    }

    #[test]
    fn http_charset_used_when_declaration_has_no_encoding() {
        let bytes = b"<?xml version=\"1.0\"?><rss><title>\xd6versv\xe4mning</title></rss>";
        let d = decode_xml(bytes, Some("ISO-8859-1"));
        assert_eq!(d.encoding, "windows-1252");
        assert!(d.text.contains("<title>Översvämning</title>"));
        assert!(d.text.starts_with("<?xml version=\"1.0\"?>"));
    }

    #[test]
    fn utf16_with_bom_both_endians() {
        let doc = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><title>Brand – Årsta</title>";
        for (le, name) in [(true, "UTF-16LE"), (false, "UTF-16BE")] {
            let d = decode_xml(&utf16(doc, true, le), None);
            assert_eq!(d.encoding, name);
            assert!(!d.had_errors);
            assert_eq!(
                d.text,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><title>Brand – Årsta</title>"
            );
        }
    }

    #[test]
    fn utf16_without_bom_is_recognised_by_the_declaration_pattern() {
        let doc = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><t>Kista</t>";
        for (le, name) in [(true, "UTF-16LE"), (false, "UTF-16BE")] {
            let d = decode_xml(&utf16(doc, false, le), None);
            assert_eq!(d.encoding, name);
            assert!(d.text.ends_with("<t>Kista</t>") && d.text.contains("\"UTF-8\""));
        }
    }

    #[test]
    fn utf8_bom_is_stripped() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice("<?xml version=\"1.0\"?><t>Å</t>".as_bytes());
        let d = decode_xml(&bytes, Some("windows-1252"));
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.text, "<?xml version=\"1.0\"?><t>Å</t>");
    }

    #[test]
    fn koi8_r_declaration() {
        let (body, _, _) = encoding_rs::KOI8_R.encode("<t>Пожар в Москве</t>");
        let mut bytes = b"<?xml version=\"1.0\" encoding=\"KOI8-R\"?>".to_vec();
        bytes.extend_from_slice(&body);
        let d = decode_xml(&bytes, None);
        assert_eq!(d.encoding, "KOI8-R");
        assert_eq!(d.text, format!("{UTF8_DECL}<t>Пожар в Москве</t>"));
    }

    #[test]
    fn single_byte_declaration_on_utf8_bytes_is_a_mislabel() {
        let doc = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><t>Vattenläcka – Södermalm</t>";
        let d = decode_xml(doc.as_bytes(), None);
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.text, format!("{UTF8_DECL}<t>Vattenläcka – Södermalm</t>"));
        // Same mistake in an HTTP header.
        let d = decode_text("{\"t\":\"Översvämning\"}".as_bytes(), Some("iso-8859-1"));
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.text, "{\"t\":\"Översvämning\"}");
    }

    #[test]
    fn ascii_only_document_keeps_its_single_byte_label() {
        let d = decode_xml(
            b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><t>a</t>",
            None,
        );
        assert_eq!(d.encoding, "windows-1252");
    }

    #[test]
    fn invalid_utf8_without_labels_is_guessed_as_windows_1252() {
        let swedish = "<rss><item><title>Vattenläcka på Södermalm – gatan avstängd</title>\
            <description>Räddningstjänsten är på plats vid översvämningen. Trafiken på \
            Götgatan påverkas och bussar leds om. Undvik området så länge arbetet pågår; \
            nästa uppdatering kommer i eftermiddag.</description></item></rss>";
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(swedish);
        assert!(std::str::from_utf8(&bytes).is_err());
        let d = decode_xml(&bytes, None);
        assert_eq!(d.encoding, "windows-1252");
        assert_eq!(d.text, swedish);
        let d = decode_text(&bytes, Some("x-no-such-charset"));
        assert_eq!(d.encoding, "windows-1252");
    }

    #[test]
    fn valid_utf8_without_labels_is_utf8() {
        let d = decode_xml("<t>Årsta</t>".as_bytes(), None);
        assert_eq!((d.encoding, d.text.as_str()), ("UTF-8", "<t>Årsta</t>"));
    }

    #[test]
    fn unknown_and_x_user_defined_labels_fall_through() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"x-user-defined\"?><t>\xd6</t>";
        assert_eq!(decode_xml(bytes, Some("latin1")).encoding, "windows-1252");
        let bytes = b"<?xml version=\"1.0\" encoding=\"klingon-8\"?><t>\xd6</t>";
        assert_eq!(
            decode_xml(bytes, Some("x-user-defined")).encoding,
            "windows-1252"
        );
        let d = decode_xml(
            "<?xml version=\"1.0\" encoding=\"bogus\"?><t>ö</t>".as_bytes(),
            None,
        );
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.text.contains("encoding=\"UTF-8\""));
    }

    #[test]
    fn utf16_label_on_ascii_compatible_bytes_falls_through() {
        let d = decode_xml(
            "<?xml version=\"1.0\" encoding=\"UTF-16\"?><t>ö</t>".as_bytes(),
            Some("utf-16"),
        );
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.text, format!("{UTF8_DECL}<t>ö</t>"));
    }

    #[test]
    fn declaration_wins_over_http_charset() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"windows-1251\"?><t>\xcf</t>";
        let d = decode_xml(bytes, Some("iso-8859-1"));
        assert_eq!(
            (d.encoding, d.text.ends_with("<t>П</t>")),
            ("windows-1251", true)
        );
    }

    #[test]
    fn declaration_after_leading_whitespace_is_found() {
        let d = decode_xml(
            b"\r\n  <?xml version=\"1.0\" encoding=\"latin1\"?><t>\xe5</t>",
            None,
        );
        assert_eq!(d.encoding, "windows-1252");
        assert!(d.text.contains("encoding=\"UTF-8\"") && d.text.ends_with("<t>å</t>"));
    }

    #[test]
    fn stylesheet_instruction_is_not_a_declaration() {
        let d = decode_xml(b"<?xml-stylesheet encoding=\"koi8-r\"?><t>\xe5</t>", None);
        assert_eq!(d.encoding, "windows-1252");
        assert!(d.text.starts_with("<?xml-stylesheet encoding=\"koi8-r\"?>"));
    }

    #[test]
    fn declaration_beyond_the_window_is_ignored() {
        let mut bytes = vec![b' '; DECLARATION_WINDOW];
        bytes.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"koi8-r\"?><t>\xe5</t>");
        assert_eq!(decode_xml(&bytes, None).encoding, "windows-1252");
    }

    #[test]
    fn malformed_declarations_do_not_panic() {
        for head in [
            &b"<?xml"[..],
            b"<?xml ",
            b"<?xml encoding",
            b"<?xml encoding=",
            b"<?xml encoding=\"",
            b"<?xml encoding=\"koi8-r",
            b"<?xml encoding=\"koi8-r?>",
            b"<?xml xencoding=\"koi8-r\"?>",
            b"<?xml encoding=koi8-r?>",
            b"",
            b"\0",
            b"\xff",
        ] {
            let _ = decode_xml(head, None);
            let _ = decode_text(head, None);
        }
    }

    #[test]
    fn declared_utf8_with_bad_bytes_reports_errors() {
        let d = decode_xml(
            b"<?xml version=\"1.0\" encoding=\"utf-8\"?><t>\xff</t>",
            None,
        );
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.had_errors);
        assert!(d.text.contains('\u{fffd}'));
    }

    #[test]
    fn decode_text_bom_and_http_charset() {
        let d = decode_text(&utf16("{\"t\":\"Å\"}", true, false), Some("iso-8859-1"));
        assert_eq!((d.encoding, d.text.as_str()), ("UTF-16BE", "{\"t\":\"Å\"}"));
        let d = decode_text(b"\xEF\xBB\xBF[1]", None);
        assert_eq!((d.encoding, d.text.as_str()), ("UTF-8", "[1]"));
        let d = decode_text(b"{\"t\":\"\xd6\"}", Some("ISO-8859-1"));
        assert_eq!(
            (d.encoding, d.text.as_str()),
            ("windows-1252", "{\"t\":\"Ö\"}")
        );
    }

    #[test]
    fn decode_text_utf16_without_bom() {
        let d = decode_text(&utf16("{\"t\":\"Å\"}", false, true), Some("utf-16"));
        assert_eq!((d.encoding, d.text.as_str()), ("UTF-16LE", "{\"t\":\"Å\"}"));
        let d = decode_text(&utf16("[1]", false, false), None);
        assert_eq!((d.encoding, d.text.as_str()), ("UTF-16BE", "[1]"));
    }

    #[test]
    fn decode_text_does_not_touch_declarations() {
        let d = decode_text(b"<?xml version=\"1.0\" encoding=\"koi8-r\"?>", None);
        assert_eq!(d.text, "<?xml version=\"1.0\" encoding=\"koi8-r\"?>");
    }

    #[test]
    fn charset_parameter_is_extracted() {
        let cases = [
            ("text/xml; charset=ISO-8859-1", Some("ISO-8859-1")),
            ("application/rss+xml;charset=\"utf-8\"", Some("utf-8")),
            (
                "text/xml; Charset = windows-1252 ; foo=bar",
                Some("windows-1252"),
            ),
            ("text/xml; CHARSET=\" koi8-r \"", Some("koi8-r")),
            ("text/xml; foo=bar; charset=utf-8", Some("utf-8")),
            ("text/xml", None),
            ("text/xml; charset=", None),
            ("text/xml; charset=\"\"", None),
            ("text/xml; xcharset=utf-8", None),
            ("charset=utf-8", None),
            ("", None),
        ];
        for (ct, want) in cases {
            assert_eq!(charset_from_content_type(ct), want, "{ct}");
        }
    }
}
