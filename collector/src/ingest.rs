//! The one batching writer every response goes through.
//!
//! Requests queue here; the writer takes everything queued, writes it in one
//! transaction with its rollup updates, and only then acknowledges each
//! request (group commit). While one transaction commits the next batch
//! gathers, so under load many responses share one fsync, and a lone
//! response waits for no timer.

use crate::store::{Inserted, NewResponse, Store, StoreError};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// Most responses written in one transaction.
const MAX_BATCH: usize = 256;
/// Requests that may wait for the writer before new ones are turned away.
const QUEUE_DEPTH: usize = 4096;

type Reply = oneshot::Sender<Result<Inserted, StoreError>>;

/// A handle for submitting responses; cheap to clone. The writer stops when
/// every handle is dropped, after writing what was queued.
#[derive(Clone)]
pub struct Ingest {
    queue: mpsc::Sender<(NewResponse, Reply)>,
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("the writer is overloaded")]
    Overloaded,
    #[error("the writer has stopped")]
    Stopped,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Ingest {
    pub fn start(store: Arc<dyn Store>) -> (Self, JoinHandle<()>) {
        let (queue, rx) = mpsc::channel(QUEUE_DEPTH);
        let writer = tokio::spawn(write_batches(store, rx));
        (Self { queue }, writer)
    }

    /// Resolves once the response is durably committed (or known to be stored already).
    pub async fn submit(&self, response: NewResponse) -> Result<Inserted, IngestError> {
        let (reply, done) = oneshot::channel();
        self.queue
            .try_send((response, reply))
            .map_err(|e| match e {
                mpsc::error::TrySendError::Full(_) => IngestError::Overloaded,
                mpsc::error::TrySendError::Closed(_) => IngestError::Stopped,
            })?;
        Ok(done.await.map_err(|_| IngestError::Stopped)??)
    }
}

async fn write_batches(store: Arc<dyn Store>, mut rx: mpsc::Receiver<(NewResponse, Reply)>) {
    let mut rows = Vec::with_capacity(MAX_BATCH);
    let mut replies = Vec::with_capacity(MAX_BATCH);
    while let Some((row, reply)) = rx.recv().await {
        rows.push(row);
        replies.push(reply);
        while rows.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok((row, reply)) => {
                    rows.push(row);
                    replies.push(reply);
                }
                Err(_) => break,
            }
        }
        metrics::gauge!("sori_ingest_queue_depth").set(rx.len() as f64);
        metrics::histogram!("sori_ingest_batch_size").record(rows.len() as f64);
        let started = std::time::Instant::now();
        match store.insert_responses(&rows).await {
            Ok(outcomes) => {
                metrics::histogram!("sori_ingest_commit_seconds")
                    .record(started.elapsed().as_secs_f64());
                for (reply, outcome) in replies.drain(..).zip(outcomes) {
                    count_stored(Ok(outcome));
                    let _ = reply.send(Ok(outcome));
                }
            }
            Err(batch_error) => {
                // One bad row must not fail its neighbours: write each alone.
                tracing::warn!(error = %batch_error, size = rows.len(), "batch failed; writing one by one");
                for (row, reply) in rows.iter().zip(replies.drain(..)) {
                    let single = store
                        .insert_responses(std::slice::from_ref(row))
                        .await
                        .map(|o| o.first().copied().unwrap_or(Inserted::Duplicate));
                    count_stored(single.as_ref().map(|o| *o));
                    let _ = reply.send(single);
                }
            }
        }
        rows.clear();
    }
}

/// Counts what the writer did with a response, for `/metrics`.
fn count_stored(outcome: Result<Inserted, &StoreError>) {
    let outcome = match outcome {
        Ok(Inserted::New) => "new",
        Ok(Inserted::Updated) => "updated",
        Ok(Inserted::Duplicate) => "duplicate",
        Ok(Inserted::Conflict) => "conflict",
        Err(_) => "failed",
    };
    metrics::counter!("sori_responses_stored_total", "outcome" => outcome).increment(1);
}
