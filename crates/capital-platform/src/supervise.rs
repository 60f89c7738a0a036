//! Background workers that outlive a panic. A worker that panics (a bug, a record nobody
//! foresaw) is logged and started again a second later instead of leaving its work undone until
//! the next restart; the process and every other worker carry on. A worker that returns is done.

use std::future::Future;
use std::time::Duration;

/// How long a panicked worker waits before it starts again (no busy loop on a bad record).
const RESTART_AFTER: Duration = Duration::from_secs(1);

/// Spawns the worker `run` makes, and makes it again each time it panics.
pub fn supervise<F, Fut>(name: &'static str, run: F)
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    supervise_with(name, RESTART_AFTER, run);
}

fn supervise_with<F, Fut>(name: &'static str, restart_after: Duration, run: F)
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        loop {
            match tokio::spawn(run()).await {
                Ok(()) => return,
                Err(error) if error.is_panic() => {
                    tracing::error!(worker = name, "worker panicked; starting it again");
                    tokio::time::sleep(restart_after).await;
                }
                // Cancelled: the runtime is shutting down.
                Err(_) => return,
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn a_panicking_worker_is_started_again_and_a_finished_one_is_not() {
        let starts = Arc::new(AtomicUsize::new(0));
        let counted = starts.clone();
        supervise_with("test", Duration::from_millis(10), move || {
            let starts = counted.clone();
            async move {
                // Panics twice, then finishes.
                if starts.fetch_add(1, Ordering::SeqCst) < 2 {
                    panic!("a bad record");
                }
            }
        });
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(starts.load(Ordering::SeqCst), 3);
    }
}
