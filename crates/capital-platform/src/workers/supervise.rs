//! Background workers that outlive a panic. A worker that panics (a bug, a record nobody
//! foresaw) is logged and started again a second later instead of leaving its work undone until
//! the next restart; the process and every other worker carry on. A worker that returns is done.
//! Also the loop every job worker runs ([`each_due_job`]).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a panicked worker waits before it starts again (no busy loop on a bad record).
const RESTART_AFTER: Duration = Duration::from_secs(1);

/// Jobs one wake of a worker works at most, before it lets the others run.
const JOBS_PER_WAKE: usize = 64;

/// Claims due jobs of `kind` one at a time and hands each to `work`, until none is due, the
/// wake's share is done, or the app shuts down (the job at hand is finished, no new one taken).
/// Each is counted as being worked on while `work` runs.
pub async fn each_due_job<F, Fut>(
    state: &crate::http::state::AppState,
    kind: crate::store::JobKind,
    mut work: F,
) -> Result<(), crate::store::StoreError>
where
    F: FnMut(crate::store::Job) -> Fut,
    Fut: Future<Output = Result<(), crate::store::StoreError>>,
{
    let lease = state.config.job_lease_seconds;
    for _ in 0..JOBS_PER_WAKE {
        if state.shutdown.is_begun() {
            return Ok(());
        }
        let _working = state.workers.working();
        let Some(job) = state
            .store
            .claim_due_job(kind, state.reads.owner(), lease)
            .await?
        else {
            break;
        };
        work(job).await?;
    }
    Ok(())
}

/// Whether each supervised worker of one app is running (`GET /readyz`), and how many jobs they
/// are working on now (a graceful shutdown waits for them).
#[derive(Default)]
pub struct Workers {
    states: Mutex<BTreeMap<&'static str, WorkerState>>,
    working: AtomicUsize,
}

/// One job being worked on; counted until dropped.
pub struct Working<'a>(&'a Workers);

impl Drop for Working<'_> {
    fn drop(&mut self) {
        self.0.working.fetch_sub(1, Ordering::SeqCst);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkerState {
    Running,
    /// Panicked; starting again in a moment.
    Restarting,
    /// Returned: its work is over (the app is going).
    Done,
}

impl Workers {
    /// Counts a job as being worked on until the guard is dropped.
    pub fn working(&self) -> Working<'_> {
        self.working.fetch_add(1, Ordering::SeqCst);
        Working(self)
    }

    /// Whether any job is being worked on.
    pub fn busy(&self) -> bool {
        self.working.load(Ordering::SeqCst) > 0
    }

    fn set(&self, name: &'static str, state: WorkerState) {
        self.states
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name, state);
    }

    /// The first worker that is not running, if any.
    pub fn not_running(&self) -> Option<&'static str> {
        self.states
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .find(|(_, state)| **state != WorkerState::Running)
            .map(|(name, _)| *name)
    }
}

/// Spawns the worker `run` makes, and makes it again each time it panics; `workers` says how it
/// is doing.
pub fn supervise<F, Fut>(name: &'static str, workers: &Arc<Workers>, run: F)
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    supervise_with(name, workers.clone(), RESTART_AFTER, run);
}

fn supervise_with<F, Fut>(
    name: &'static str,
    workers: Arc<Workers>,
    restart_after: Duration,
    run: F,
) where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    workers.set(name, WorkerState::Running);
    tokio::spawn(async move {
        loop {
            workers.set(name, WorkerState::Running);
            match tokio::spawn(run()).await {
                Ok(()) => break,
                Err(error) if error.is_panic() => {
                    tracing::error!(worker = name, "worker panicked; starting it again");
                    workers.set(name, WorkerState::Restarting);
                    tokio::time::sleep(restart_after).await;
                }
                // Cancelled: the runtime is shutting down.
                Err(_) => break,
            }
        }
        workers.set(name, WorkerState::Done);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_worker_is_started_again_and_a_finished_one_is_not() {
        let starts = Arc::new(AtomicUsize::new(0));
        let counted = starts.clone();
        let workers = Arc::new(Workers::default());
        supervise_with(
            "test",
            workers.clone(),
            Duration::from_millis(10),
            move || {
                let starts = counted.clone();
                async move {
                    // Panics twice, then finishes.
                    if starts.fetch_add(1, Ordering::SeqCst) < 2 {
                        panic!("a bad record");
                    }
                }
            },
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(starts.load(Ordering::SeqCst), 3);
        assert_eq!(workers.not_running(), Some("test"), "finished: done");
    }
}
