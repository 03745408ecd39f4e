//! An SSH channel as a terminal: ratatui draws into a buffer, each flush becomes one chunk of
//! channel data, and the size is the one the client's pty and window-change requests gave,
//! never the server's own terminal.
//!
//! Output is queued on a bounded channel to a task that sends it with russh's flow control. A
//! client that stops reading fills the queue; the session then ends instead of holding memory
//! or blocking the others.

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use bytes::Bytes;
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use tokio::sync::mpsc;

use crate::tui::RawOutput;

/// The widest and tallest terminal a session may have; a larger request is clamped, so a client
/// asking for 65535×65535 cannot make the server allocate gigabytes of cells.
pub const MAX_COLS: u16 = 500;
/// See [`MAX_COLS`].
pub const MAX_ROWS: u16 = 200;

/// Frames a session may have queued before it counts as stuck.
pub const QUEUE: usize = 256;

/// Clamps a requested terminal size to `1..=MAX_COLS` × `1..=MAX_ROWS`.
pub fn clamp_size(cols: u32, rows: u32) -> (u16, u16) {
    let clamp = |v: u32, max: u16| v.clamp(1, u32::from(max)) as u16;
    (clamp(cols, MAX_COLS), clamp(rows, MAX_ROWS))
}

/// A session's terminal size, set by the SSH handler and read by the backend.
#[derive(Debug, Default)]
pub struct SharedSize(AtomicU32);

impl SharedSize {
    /// A size of `cols` × `rows` (clamped).
    pub fn new(cols: u32, rows: u32) -> SharedSize {
        let size = SharedSize::default();
        size.set(cols, rows);
        size
    }

    /// Sets the size (clamped); returns it.
    pub fn set(&self, cols: u32, rows: u32) -> (u16, u16) {
        let (c, r) = clamp_size(cols, rows);
        self.0
            .store((u32::from(c) << 16) | u32::from(r), Ordering::Relaxed);
        (c, r)
    }

    /// The size, columns × rows.
    pub fn get(&self) -> (u16, u16) {
        let v = self.0.load(Ordering::Relaxed);
        ((v >> 16) as u16, (v & 0xffff) as u16)
    }
}

/// Bytes for a channel: buffered until flushed, then queued as one chunk.
#[derive(Debug)]
pub struct ChannelWriter {
    buffer: Vec<u8>,
    queue: mpsc::Sender<Bytes>,
}

impl ChannelWriter {
    /// A writer that queues each flush on `queue`.
    pub fn new(queue: mpsc::Sender<Bytes>) -> ChannelWriter {
        ChannelWriter {
            buffer: Vec::new(),
            queue,
        }
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buffer));
        // try_send: the dashboard draws on an async task and must not block; a full queue means
        // the client has stopped reading.
        self.queue.try_send(chunk).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => io::Error::new(
                io::ErrorKind::WouldBlock,
                "the client is not reading its terminal",
            ),
            mpsc::error::TrySendError::Closed(_) => {
                io::Error::new(io::ErrorKind::BrokenPipe, "the channel is closed")
            }
        })
    }
}

/// The ratatui backend of one SSH session.
pub struct ChannelBackend {
    inner: CrosstermBackend<ChannelWriter>,
    size: Arc<SharedSize>,
}

impl ChannelBackend {
    /// A backend writing to `writer`, sized by `size`.
    pub fn new(writer: ChannelWriter, size: Arc<SharedSize>) -> ChannelBackend {
        ChannelBackend {
            inner: CrosstermBackend::new(writer),
            size,
        }
    }

    /// Switches the client's terminal to the alternate screen with bracketed paste.
    pub fn enter(&mut self) -> io::Result<()> {
        crossterm::execute!(self.inner, EnterAlternateScreen, EnableBracketedPaste)
    }

    /// Restores the client's terminal (main screen, cursor shown).
    pub fn leave(&mut self) -> io::Result<()> {
        crossterm::execute!(
            self.inner,
            DisableBracketedPaste,
            LeaveAlternateScreen,
            crossterm::cursor::Show
        )
    }
}

impl Backend for ChannelBackend {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.inner.draw(content)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        // Asking the client would need a reply on the input stream; the dashboard never needs it.
        Ok(Position::ORIGIN)
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        let (width, height) = self.size.get();
        Ok(Size { width, height })
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        let (width, height) = self.size.get();
        Ok(WindowSize {
            columns_rows: Size { width, height },
            pixels: Size {
                width: 0,
                height: 0,
            },
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

impl RawOutput for ChannelBackend {
    fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.inner.write_raw(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_clamped_to_sane_bounds() {
        assert_eq!(clamp_size(65535, 65535), (MAX_COLS, MAX_ROWS));
        assert_eq!(clamp_size(0, 0), (1, 1));
        assert_eq!(clamp_size(120, 40), (120, 40));
        let size = SharedSize::new(80, 24);
        assert_eq!(size.get(), (80, 24));
        assert_eq!(size.set(u32::MAX, 30), (MAX_COLS, 30));
    }

    #[test]
    fn a_flush_is_one_chunk_and_a_stuck_client_is_an_error() {
        let (tx, mut rx) = mpsc::channel(1);
        let mut w = ChannelWriter::new(tx);
        w.write_all(b"ab").expect("write");
        w.write_all(b"c").expect("write");
        w.flush().expect("flush");
        assert_eq!(rx.try_recv().expect("chunk"), Bytes::from_static(b"abc"));
        w.write_all(b"1").expect("write");
        w.flush().expect("queued");
        w.write_all(b"2").expect("write");
        let err = w.flush().expect_err("queue full");
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    }

    #[test]
    fn the_backend_reports_the_sessions_size_not_the_servers() {
        let (tx, _rx) = mpsc::channel(4);
        let size = Arc::new(SharedSize::new(100, 30));
        let mut backend = ChannelBackend::new(ChannelWriter::new(tx), size.clone());
        assert_eq!(backend.size().expect("size"), Size::new(100, 30));
        size.set(70_000, 70_000);
        assert_eq!(
            backend.window_size().expect("size").columns_rows,
            Size::new(MAX_COLS, MAX_ROWS)
        );
    }
}
