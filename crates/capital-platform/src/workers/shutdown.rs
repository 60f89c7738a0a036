//! Graceful shutdown, for a rolling restart behind a load balancer (SIGTERM or SIGINT): stop
//! accepting connections, finish what is in flight (requests and webhooks) within
//! `--shutdown-grace-seconds`, end live streams with a `retry:` hint so the element reconnects (to
//! another instance), let the workers finish the job at hand and take no new one, and release the
//! claims of whatever is still held when the grace is over, so another instance takes it at once
//! instead of after its lease (`JobHandles::finish_work`, `workers/supervise.rs`). Then the process
//! exits 0. This module is the signal every part follows.

use tokio::sync::watch;

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
