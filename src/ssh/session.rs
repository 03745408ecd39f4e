//! What runs on an accepted channel: the dashboard (the same `tui::run` as the local terminal,
//! on the channel's backend) or one command, and how each ends (exit status, EOF, close).

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::Bytes;
use futures_util::Stream;
use ratatui::Terminal;
use russh::ChannelId;
use russh::server::Handle;
use tokio::sync::{OwnedSemaphorePermit, mpsc};

use super::channel::{ChannelBackend, ChannelWriter, QUEUE, SharedSize};
use super::handler::Claim;
use super::server::Shared;
use crate::tui::{self, Input};

/// Output of a command is sent in chunks of at most this many bytes.
const CHUNK: usize = 32 * 1024;

/// Runs the dashboard on `channel` until the user quits, the client goes away or no input
/// arrives for the idle timeout.
pub(super) async fn dashboard(
    shared: Arc<Shared>,
    handle: Handle,
    channel: ChannelId,
    session: tui::Session,
    size: Arc<SharedSize>,
    input: mpsc::Receiver<Input>,
    _running: OwnedSemaphorePermit,
) {
    let core = shared.core.clone();
    let idle = shared.limits.idle_timeout;
    let user = session.user.clone();
    let (tx, rx) = mpsc::channel::<Bytes>(QUEUE);
    let forward = tokio::spawn(forward(handle.clone(), channel, rx));
    let idled = Arc::new(AtomicBool::new(false));
    let mut backend = ChannelBackend::new(ChannelWriter::new(tx), size);
    let outcome = match backend.enter().and_then(|()| Terminal::new(backend)) {
        Ok(mut terminal) => {
            let result = tui::run(
                &mut terminal,
                until_idle(input, idle, idled.clone()),
                core,
                session,
            )
            .await;
            let _ = terminal.backend_mut().leave();
            result.map_err(|e| e.to_string())
        }
        Err(e) => Err(e.to_string()),
    };
    // The terminal (and its queue) is gone: the forwarder sends what is left, then ends; a
    // client that stopped reading gets no more than a few seconds.
    let mut forward = forward;
    if tokio::time::timeout(Duration::from_secs(5), &mut forward)
        .await
        .is_err()
    {
        forward.abort();
    }
    let (status, message) = match outcome {
        Ok(()) if idled.load(Ordering::Relaxed) => (
            0,
            Some(format!(
                "lage: closed after {} without input\r\n",
                humantime::format_duration(idle)
            )),
        ),
        Ok(()) => (0, None),
        Err(e) => {
            tracing::warn!("dashboard of {user} ended: {e}");
            (1, Some(format!("lage: the dashboard stopped: {e}\r\n")))
        }
    };
    if let Some(message) = message {
        let _ = handle.extended_data(channel, 1, Bytes::from(message)).await;
    }
    finish(&handle, channel, status).await;
}

/// The input stream, ending when nothing arrives for `idle` (and saying so in `idled`).
fn until_idle(
    input: mpsc::Receiver<Input>,
    idle: Duration,
    idled: Arc<AtomicBool>,
) -> impl Stream<Item = Input> + Unpin + Send {
    Box::pin(futures_util::stream::unfold(
        (input, idled),
        move |(mut input, idled)| async move {
            match tokio::time::timeout(idle, input.recv()).await {
                Ok(Some(i)) => Some((i, (input, idled))),
                Ok(None) => None,
                Err(_) => {
                    idled.store(true, Ordering::Relaxed);
                    None
                }
            }
        },
    ))
}

/// Runs one command line for the claim's user on the blocking pool, streaming its stdout and
/// stderr; at most [`Shared::commands`] run at once in the whole server, so the pool keeps room
/// for the dashboards' reads.
pub(super) async fn command(
    shared: Arc<Shared>,
    handle: Handle,
    channel: ChannelId,
    line: String,
    claim: Claim,
    terminal: bool,
) {
    let Claim {
        user,
        role,
        permit: _running,
    } = claim;
    let Ok(_turn) = shared.commands.clone().acquire_owned().await else {
        return;
    };
    let exec = shared.exec.clone();
    let (tx, mut rx) = mpsc::channel::<(bool, Bytes)>(64);
    let job = tokio::task::spawn_blocking(move || {
        let mut out = BlockingWriter::new(tx.clone(), false, terminal);
        let mut err = BlockingWriter::new(tx, true, terminal);
        let status = exec(&line, &user, role, terminal, &mut out, &mut err);
        let _ = out.flush();
        let _ = err.flush();
        status
    });
    while let Some((is_err, bytes)) = rx.recv().await {
        let sent = if is_err {
            handle.extended_data(channel, 1, bytes).await
        } else {
            handle.data(channel, bytes).await
        };
        // The client is gone; the command's writes now fail and it ends.
        if sent.is_err() {
            rx.close();
        }
    }
    let status = job.await.unwrap_or(1);
    finish(&handle, channel, status).await;
}

/// Writes `message` to the channel's stderr and closes it with `status`.
pub(super) async fn refuse(handle: Handle, channel: ChannelId, message: String, status: u32) {
    let _ = handle.extended_data(channel, 1, Bytes::from(message)).await;
    finish(&handle, channel, status).await;
}

async fn finish(handle: &Handle, channel: ChannelId, status: u32) {
    let _ = handle.exit_status_request(channel, status).await;
    let _ = handle.eof(channel).await;
    let _ = handle.close(channel).await;
}

async fn forward(handle: Handle, channel: ChannelId, mut rx: mpsc::Receiver<Bytes>) {
    while let Some(bytes) = rx.recv().await {
        if handle.data(channel, bytes).await.is_err() {
            break;
        }
    }
}

/// A writer for a command on the blocking pool: buffers, and blocks while the client is slow.
/// On a pty (`ssh -t`) the client's terminal is raw, so a line feed becomes CR LF, as a pty's
/// output processing would make it.
struct BlockingWriter {
    buffer: Vec<u8>,
    queue: mpsc::Sender<(bool, Bytes)>,
    stderr: bool,
    terminal: bool,
}

impl BlockingWriter {
    fn new(queue: mpsc::Sender<(bool, Bytes)>, stderr: bool, terminal: bool) -> BlockingWriter {
        BlockingWriter {
            buffer: Vec::new(),
            queue,
            stderr,
            terminal,
        }
    }
}

impl Write for BlockingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.terminal {
            for &b in buf {
                if b == b'\n' {
                    self.buffer.push(b'\r');
                }
                self.buffer.push(b);
            }
        } else {
            self.buffer.extend_from_slice(buf);
        }
        if self.buffer.len() >= CHUNK {
            self.flush()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buffer));
        self.queue
            .blocking_send((self.stderr, chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_a_pty_line_feeds_become_cr_lf_and_elsewhere_bytes_pass_as_they_are() {
        for (terminal, expected) in [(true, &b"a\r\nb\r\n"[..]), (false, &b"a\nb\n"[..])] {
            let (tx, mut rx) = mpsc::channel(4);
            let mut w = BlockingWriter::new(tx, false, terminal);
            w.write_all(b"a\nb\n").expect("write");
            w.flush().expect("flush");
            assert_eq!(
                rx.try_recv().expect("chunk").1,
                Bytes::from_static(expected)
            );
        }
    }
}
