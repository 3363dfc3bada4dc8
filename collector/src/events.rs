//! News of stored responses, for pages that update live. A response is
//! announced once it is committed, to every listener of its site on this
//! collector. Several collectors in front of one database each announce
//! what they stored themselves; a listener that must see every response of
//! such a deployment also re-reads what it shows now and then.

use serde::Serialize;
use sori_protocol::{ResponseId, Slug};
use tokio::sync::broadcast;

/// Announcements a slow listener may fall behind by before it is told to
/// re-read instead.
const BACKLOG: usize = 1024;

/// One stored response, as announced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stored {
    #[serde(skip)]
    pub site: Slug,
    pub id: ResponseId,
    pub survey: Slug,
    pub finished: bool,
    /// `false` for a later save of a response already announced.
    pub new: bool,
}

/// The announcer; cheap to clone.
#[derive(Clone)]
pub struct Events {
    tx: broadcast::Sender<Stored>,
}

impl Default for Events {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(BACKLOG);
        Self { tx }
    }
}

impl Events {
    /// Announces a committed response; nobody listening is fine.
    pub fn publish(&self, stored: Stored) {
        let _ = self.tx.send(stored);
    }

    /// Every announcement from now on, of every site: filter by `site`.
    pub fn subscribe(&self) -> broadcast::Receiver<Stored> {
        self.tx.subscribe()
    }
}
