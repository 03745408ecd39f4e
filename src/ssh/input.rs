//! Bytes from an SSH channel to dashboard [`Input`]s. `terminput`'s parser (crossterm's, lifted
//! out so it works on bytes from anywhere) reads each event; this file only frames the stream:
//! an escape sequence or a paste may arrive split over several packets, and a lone ESC at the
//! end of a packet is the Esc key (clients send a whole sequence in one packet).

use crossterm::event::KeyEventKind;
use terminput::Event;

use crate::tui::Input;

/// A paste longer than this is dropped whole (the rest up to its end marker too), never typed.
const MAX_PASTE: usize = 64 * 1024;
/// No key's escape sequence is longer; an unfinished one this long is garbage and skipped.
const MAX_SEQUENCE: usize = 64;

const PASTE_START: &[u8] = b"\x1b[200~";
const PASTE_END: &[u8] = b"\x1b[201~";

/// Turns a channel's bytes into inputs, keeping an unfinished sequence for the next packet.
#[derive(Debug, Default)]
pub struct Decoder {
    pending: Vec<u8>,
    // Inside a paste that grew past MAX_PASTE: everything up to its end marker is dropped.
    discarding: bool,
}

impl Decoder {
    /// A decoder with nothing pending.
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// Feeds one packet's bytes; returns the inputs completed by it.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Input> {
        self.pending.extend_from_slice(bytes);
        let mut out = Vec::new();
        let mut start = 0;
        'events: while start < self.pending.len() {
            let rest = &self.pending[start..];
            if self.discarding {
                match find(rest, PASTE_END) {
                    Some(at) => {
                        self.discarding = false;
                        start += at + PASTE_END.len();
                        continue 'events;
                    }
                    None => {
                        // Keep only what could be the start of the end marker.
                        start += rest.len().saturating_sub(PASTE_END.len() - 1);
                        break;
                    }
                }
            }
            // A paste is parsed once it is complete, not prefix by prefix.
            let (first, last) = if rest.starts_with(PASTE_START) {
                match find(rest, PASTE_END) {
                    Some(at) => (at + PASTE_END.len(), at + PASTE_END.len()),
                    None if rest.len() > MAX_PASTE => {
                        self.discarding = true;
                        start += PASTE_START.len();
                        continue 'events;
                    }
                    None => break,
                }
            } else {
                (1, rest.len().min(MAX_SEQUENCE))
            };
            for end in first..=last {
                let prefix = &rest[..end];
                let more = end < rest.len();
                // ESC followed by more bytes in this packet starts a sequence, not the Esc key.
                if prefix == b"\x1b" && more {
                    continue;
                }
                match Event::parse_from(prefix) {
                    Ok(Some(event)) => {
                        out.extend(to_input(event));
                        start += end;
                        continue 'events;
                    }
                    Ok(None) => {}
                    // Bytes no terminal sends for a key: skip them, and go on after.
                    Err(_) => {
                        start += end;
                        continue 'events;
                    }
                }
            }
            if last == MAX_SEQUENCE {
                // An escape sequence that never ends: skip its first byte and go on.
                start += 1;
                continue 'events;
            }
            // The rest is an unfinished sequence: keep it for the next packet.
            break;
        }
        self.pending.drain(..start);
        out
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn to_input(event: Event) -> Option<Input> {
    match terminput_crossterm::to_crossterm(event).ok()? {
        crossterm::event::Event::Key(key) if key.kind != KeyEventKind::Release => {
            Some(Input::Key(key))
        }
        crossterm::event::Event::Paste(text) => Some(Input::Paste(text)),
        // Window size comes from the SSH window-change request, never from the byte stream.
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyModifiers};

    use super::*;

    fn keys(inputs: &[Input]) -> Vec<(KeyCode, KeyModifiers)> {
        inputs
            .iter()
            .filter_map(|i| match i {
                Input::Key(k) => Some((k.code, k.modifiers)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn letters_arrows_enter_and_ctrl_keys() {
        let mut d = Decoder::new();
        let got = d.feed(b"a\x1b[A\r\x03");
        assert_eq!(
            keys(&got),
            vec![
                (KeyCode::Char('a'), KeyModifiers::NONE),
                (KeyCode::Up, KeyModifiers::NONE),
                (KeyCode::Enter, KeyModifiers::NONE),
                (KeyCode::Char('c'), KeyModifiers::CONTROL),
            ]
        );
    }

    #[test]
    fn a_sequence_split_over_packets_is_one_key() {
        let mut d = Decoder::new();
        assert!(d.feed(b"\x1b[").is_empty());
        assert_eq!(
            keys(&d.feed(b"B")),
            vec![(KeyCode::Down, KeyModifiers::NONE)]
        );
    }

    #[test]
    fn a_lone_esc_is_the_esc_key_and_utf8_letters_arrive_whole() {
        let mut d = Decoder::new();
        assert_eq!(
            keys(&d.feed(b"\x1b")),
            vec![(KeyCode::Esc, KeyModifiers::NONE)]
        );
        let mut split = "ö".as_bytes().to_vec();
        let last = split.split_off(1);
        assert!(d.feed(&split).is_empty());
        assert_eq!(
            keys(&d.feed(&last)),
            vec![(KeyCode::Char('ö'), KeyModifiers::NONE)]
        );
    }

    #[test]
    fn a_bracketed_paste_is_one_paste_even_when_split() {
        let mut d = Decoder::new();
        assert!(d.feed(b"\x1b[200~hej ").is_empty());
        assert_eq!(
            d.feed(b"d\xc3\xa5\x1b[201~x"),
            vec![
                Input::Paste("hej då".into()),
                Input::Key(crossterm::event::KeyEvent::new(
                    KeyCode::Char('x'),
                    KeyModifiers::NONE
                )),
            ]
        );
    }

    #[test]
    fn garbage_is_skipped_and_an_endless_sequence_is_bounded() {
        let mut d = Decoder::new();
        // An invalid UTF-8 byte, then a key.
        assert_eq!(
            keys(&d.feed(b"\xffq")),
            vec![(KeyCode::Char('q'), KeyModifiers::NONE)]
        );
        // A CSI that never ends, a digit at a time, stays bounded.
        d.feed(b"\x1b[1");
        for _ in 0..1000 {
            d.feed(b"1");
            assert!(d.pending.len() <= MAX_SEQUENCE, "{}", d.pending.len());
        }
    }

    #[test]
    fn an_endless_paste_is_dropped_whole_and_never_typed() {
        let mut d = Decoder::new();
        let mut typed = Vec::new();
        typed.extend(d.feed(b"\x1b[200~"));
        for _ in 0..100 {
            // Letters that would be dashboard keys if they were taken as typed.
            typed.extend(d.feed(&[b'x'; 1024]));
            assert!(d.pending.len() <= MAX_PASTE + 1024);
        }
        typed.extend(d.feed(b"xx\x1b[201"));
        typed.extend(d.feed(b"~q"));
        assert_eq!(keys(&typed), vec![(KeyCode::Char('q'), KeyModifiers::NONE)]);
    }
}
