//! A test terminal whose screen the test can read while `tui::run` draws on it: ratatui's
//! `TestBackend` behind a shared lock, so several dashboard sessions can run at once and each
//! be watched from outside.

use std::sync::{Arc, Mutex, MutexGuard};

use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

/// A shared `TestBackend`; clones draw on and read the same screen.
#[derive(Clone)]
pub struct SharedScreen(Arc<Mutex<TestBackend>>);

impl SharedScreen {
    /// A blank screen of `width` × `height` cells.
    pub fn new(width: u16, height: u16) -> SharedScreen {
        SharedScreen(Arc::new(Mutex::new(TestBackend::new(width, height))))
    }

    fn lock(&self) -> MutexGuard<'_, TestBackend> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The screen's text, one line per row.
    pub fn text(&self) -> String {
        let backend = self.lock();
        let buffer = backend.buffer();
        let width = usize::from(buffer.area.width).max(1);
        buffer
            .content()
            .chunks(width)
            .map(|row| row.iter().map(Cell::symbol).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The top row.
    pub fn header(&self) -> String {
        self.text().lines().next().unwrap_or_default().to_string()
    }
}

impl Backend for SharedScreen {
    type Error = std::convert::Infallible;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.lock().draw(content)
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.lock().hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.lock().show_cursor()
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.lock().get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.lock().set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.lock().clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.lock().clear_region(clear_type)
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.lock().size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.lock().window_size()
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.lock().flush()
    }
}

/// Escape sequences have nowhere to go on a test screen (tests check the `Osc` commands).
impl lage::tui::RawOutput for SharedScreen {
    fn write_raw(&mut self, _bytes: &[u8]) -> std::io::Result<()> {
        Ok(())
    }
}
