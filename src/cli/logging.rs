//! Where the log goes: stderr normally, a file in the data dir while the dashboard owns the
//! terminal (a log line on stderr would be drawn over the dashboard and scroll it).

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Mutex;

/// The file the log goes to instead of stderr, while one is set. The log is process-wide by
/// nature (tracing has one global subscriber), so its destination is too.
static FILE: Mutex<Option<File>> = Mutex::new(None);

/// The log writer for the tracing subscriber.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sink;

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Sink {
    type Writer = Sink;

    fn make_writer(&'a self) -> Sink {
        Sink
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match FILE.lock().ok().as_mut().and_then(|f| f.as_mut()) {
            Some(file) => file.write(buf),
            None => io::stderr().write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match FILE.lock().ok().as_mut().and_then(|f| f.as_mut()) {
            Some(file) => file.flush(),
            None => io::stderr().flush(),
        }
    }
}

/// Sends the log to `path` (appending) until the returned guard is dropped.
pub fn to_file(path: &Path) -> io::Result<FileGuard> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    if let Ok(mut slot) = FILE.lock() {
        *slot = Some(file);
    }
    Ok(FileGuard)
}

/// While alive, the log goes to the file; dropped, back to stderr.
pub struct FileGuard;

impl Drop for FileGuard {
    fn drop(&mut self) {
        if let Ok(mut slot) = FILE.lock() {
            *slot = None;
        }
    }
}
