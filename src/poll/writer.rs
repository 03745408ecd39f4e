//! The store writer: one thread owns all writes, so dedup lookups and writes never race, and
//! batches that arrive together share one flush (group commit). A batch is acknowledged only
//! after the flush that made it durable.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::health::SourceState;
use crate::store::{BatchReport, FetchBatch, Store, StoreError};

/// A write request.
pub enum Write {
    /// A fetch with content: items plus the source's new state.
    Batch(FetchBatch),
    /// Only the source's state changed (304, failure).
    State(String, SourceState),
}

type Reply = oneshot::Sender<Result<BatchReport, Arc<StoreError>>>;

/// Handle for sending writes to the writer thread.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<(Write, Reply)>,
}

/// Writes that may wait for the writer; bounded so fast fetchers cannot outrun the disk.
const QUEUE: usize = 64;

impl Writer {
    /// Starts the writer thread for `store`. It ends when every `Writer` handle is dropped;
    /// nothing needs joining, since every write is answered only after its flush.
    pub fn start(store: Arc<Store>) -> Writer {
        let (tx, rx) = mpsc::channel(QUEUE);
        std::thread::Builder::new()
            .name("lage-store-writer".into())
            .spawn(move || run(store, rx))
            .unwrap_or_else(|e| panic!("cannot start the store writer thread: {e}"));
        Writer { tx }
    }

    /// Sends a write and waits until it is durable.
    pub async fn write(&self, write: Write) -> Result<BatchReport, Arc<StoreError>> {
        let (reply, answer) = oneshot::channel();
        if self.tx.send((write, reply)).await.is_err() {
            return Err(Arc::new(writer_gone()));
        }
        answer
            .await
            .unwrap_or_else(|_| Err(Arc::new(writer_gone())))
    }
}

fn writer_gone() -> StoreError {
    StoreError::Corrupt {
        tree: "-",
        message: "the store writer stopped".into(),
    }
}

fn run(store: Arc<Store>, mut rx: mpsc::Receiver<(Write, Reply)>) {
    while let Some(first) = rx.blocking_recv() {
        let mut pending = vec![first];
        while let Ok(next) = rx.try_recv() {
            pending.push(next);
        }
        let mut done = Vec::with_capacity(pending.len());
        for (write, reply) in pending {
            let result = match write {
                Write::Batch(batch) => store.apply(&batch),
                Write::State(source, state) => store
                    .put_source_state(&source, &state)
                    .map(|()| BatchReport::default()),
            };
            done.push((result, reply));
        }
        let flushed = store.flush().map_err(Arc::new);
        for (result, reply) in done {
            let answer = match (&flushed, result) {
                (Err(e), _) => Err(e.clone()),
                (Ok(()), result) => result.map_err(Arc::new),
            };
            let _ = reply.send(answer);
        }
    }
}
