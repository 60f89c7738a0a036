//! Graceful shutdown, for a rolling restart behind a load balancer (SIGTERM or SIGINT): stop
//! accepting connections, finish what is in flight (requests and webhooks) within
//! `--shutdown-grace-seconds`, end live streams with a `retry:` hint so the element reconnects (to
//! another instance), let the workers finish the job at hand and take no new one, and release the
//! claims of whatever is still held when the grace is over, so another instance takes it at once
//! instead of after its lease. Then the process exits 0.

use std::time::Duration;

use tokio::sync::watch;

use crate::http::state::AppState;

/// Whether the app is shutting down; cheap to clone and to ask.
#[derive(Clone)]
pub struct Shutdown {
    sender: std::sync::Arc<watch::Sender<bool>>,
    receiver: watch::Receiver<bool>,
}

impl Default for Shutdown {
    fn default() -> Self {
        let (sender, receiver) = watch::channel(false);
        Shutdown {
            sender: std::sync::Arc::new(sender),
            receiver,
        }
    }
}

impl Shutdown {
    /// Starts the shutdown: streams end, workers take no new job.
    pub fn begin(&self) {
        self.sender.send_replace(true);
    }

    pub fn is_begun(&self) -> bool {
        *self.receiver.borrow()
    }

    /// Completes once the shutdown has begun.
    pub async fn begun(&self) {
        let mut receiver = self.receiver.clone();
        let _ = receiver.wait_for(|begun| *begun).await;
    }
}

/// After the server stopped: gives the workers until `grace` to finish the job at hand, then
/// releases the claims this instance still holds.
pub async fn finish_work(state: &AppState, grace: Duration) {
    state.shutdown.begin();
    let deadline = tokio::time::Instant::now() + grace;
    while state.workers.busy() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    match state.store.release_claims(state.reads.owner()).await {
        Ok(0) => {}
        Ok(released) => {
            tracing::info!(
                released,
                "claims released for the other instances to take at once"
            )
        }
        Err(error) => tracing::warn!(%error, "releasing this instance's claims at shutdown"),
    }
}
