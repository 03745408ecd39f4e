//! Terminal escape sequences the dashboard sends on purpose: an OSC 8 hyperlink over a link shown
//! on screen, and an OSC 52 clipboard copy. They cannot go through a ratatui `Buffer` (a cell
//! holds text, and the sanitiser rightly drops ESC), so the app asks for them as data
//! ([`Osc`]) and the runtime writes the bytes through the backend ([`RawOutput`]) after the frame
//! that shows the link. Only links that pass [`safe_url`] are ever written.

use std::io::Write;

use ratatui::backend::{CrosstermBackend, TestBackend};

/// The longest URL the dashboard writes into an escape sequence.
const MAX_URL: usize = 2048;

/// A sequence to write to the terminal outside the cell buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Osc {
    /// Makes the cells at (`x`, `y`), which show `text`, a hyperlink to `url` (OSC 8).
    Hyperlink {
        /// The link target, already checked by [`safe_url`].
        url: String,
        /// Exactly the text the frame shows in those cells.
        text: String,
        /// Column of the first cell.
        x: u16,
        /// Row.
        y: u16,
    },
    /// Copies `text` to the clipboard of the user's terminal (OSC 52), even over SSH.
    Copy {
        /// What to copy, already checked by [`safe_url`].
        text: String,
    },
}

impl Osc {
    /// The bytes to write. The cursor is saved and restored around a hyperlink, so ratatui's
    /// idea of the cursor stays true.
    pub fn bytes(&self) -> Vec<u8> {
        match self {
            Osc::Hyperlink { url, text, x, y } => format!(
                "\u{1b}7\u{1b}[{};{}H\u{1b}]8;;{url}\u{1b}\\{text}\u{1b}]8;;\u{1b}\\\u{1b}8",
                u32::from(*y) + 1,
                u32::from(*x) + 1
            )
            .into_bytes(),
            Osc::Copy { text } => {
                format!("\u{1b}]52;c;{}\u{7}", base64(text.as_bytes())).into_bytes()
            }
        }
    }
}

/// A link that may be shown, linked and copied: `http` or `https`, printable ASCII only (a
/// canonical URL is percent-encoded, so nothing legitimate is lost), at most 2048 bytes.
/// Anything else (`javascript:`, `file:`, control characters, escape sequences) is refused.
pub fn safe_url(raw: &str) -> Option<String> {
    let url = raw.trim();
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let scheme_ok = lower.starts_with("http://") || lower.starts_with("https://");
    let chars_ok = url.bytes().all(|b| (0x21..=0x7e).contains(&b));
    let host_ok = url
        .split_once("://")
        .is_some_and(|(_, rest)| !rest.is_empty() && !rest.starts_with('/'));
    (scheme_ok && chars_ok && host_ok && url.len() <= MAX_URL).then(|| url.to_string())
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A backend that can take raw bytes besides cells: the local terminal and an SSH channel.
pub trait RawOutput {
    /// Writes `bytes` to the terminal as they are.
    fn write_raw(&mut self, bytes: &[u8]) -> std::io::Result<()>;
}

impl<W: Write> RawOutput for CrosstermBackend<W> {
    fn write_raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.write_all(bytes)?;
        Write::flush(self)
    }
}

/// The test backend has no byte stream; sequences are dropped (tests check the `Osc` commands).
impl RawOutput for TestBackend {
    fn write_raw(&mut self, _bytes: &[u8]) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_web_links_pass() {
        assert_eq!(
            safe_url("https://polisen.se/a?b=1").as_deref(),
            Some("https://polisen.se/a?b=1")
        );
        assert!(safe_url("HTTP://example.org/").is_some());
        assert!(safe_url("javascript:alert(1)").is_none());
        assert!(safe_url("file:///etc/passwd").is_none());
        assert!(safe_url("https://e.org/\u{1b}]0;x\u{7}").is_none());
        assert!(safe_url("https://e.org/a b").is_none());
        assert!(safe_url("https://e.org/\u{9b}2J").is_none());
        assert!(safe_url("https:///path").is_none());
        assert!(safe_url(&format!("https://e.org/{}", "a".repeat(3000))).is_none());
    }

    #[test]
    fn sequences_are_well_formed() {
        let copy = Osc::Copy {
            text: "https://e.org".into(),
        };
        assert_eq!(copy.bytes(), b"\x1b]52;c;aHR0cHM6Ly9lLm9yZw==\x07");
        let link = Osc::Hyperlink {
            url: "https://e.org".into(),
            text: "https://e.org".into(),
            x: 4,
            y: 23,
        };
        let s = String::from_utf8(link.bytes()).expect("utf8");
        assert_eq!(
            s,
            "\x1b7\x1b[24;5H\x1b]8;;https://e.org\x1b\\https://e.org\x1b]8;;\x1b\\\x1b8"
        );
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
        assert_eq!(base64(b""), "");
    }
}
