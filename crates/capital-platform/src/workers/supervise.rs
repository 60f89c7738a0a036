//! Background workers that outlive a panic. A worker that panics (a bug, a record nobody
//! foresaw) is logged and started again a second later instead of leaving its work undone until
//! the next restart; the process and every other worker carry on. A worker that returns is done.
//! Also what every job worker is handed ([`JobHandles`]) and the loop each runs
//! ([`each_due_job`]).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

use crate::store::{Job, JobKind, Store, StoreError};
use crate::workers::shutdown::Shutdown;

/// How long a panicked worker waits before it starts again (no busy loop on a bad record).
const RESTART_AFTER: Duration = Duration::from_secs(1);

/// Jobs one wake of a worker works at most, before it lets the others run.
const JOBS_PER_WAKE: usize = 64;

/// What every job worker is handed: the store its jobs are kept in, this instance's name in the
/// claims, the lease, the one shutdown signal, and the tally of jobs being worked on.
#[derive(Clone)]
pub struct JobHandles {
    pub store: Store,
    /// This instance, as the owner of its claims (`store/jobs.rs`).
    pub owner: String,
    /// How long a claim lasts unless renewed (`--job-lease-seconds`).
    pub lease_seconds: i64,
    pub shutdown: Shutdown,
    pub workers: Arc<Workers>,
}

impl JobHandles {
    /// Waits for a wake or `every`, whichever comes first; `false` once the shutdown has begun
    /// (the worker then returns).
    pub async fn wait(&self, wake: &Notify, every: Duration) -> bool {
        tokio::select! {
            _ = tokio::time::timeout(every, wake.notified()) => {}
            _ = self.shutdown.begun() => {}
        }
        !self.shutdown.is_begun()
    }

    /// After the server stopped: gives the workers until `grace` to finish the job at hand, then
    /// releases the claims this instance still holds.
    pub async fn finish_work(&self, grace: Duration) {
        self.shutdown.begin();
        let deadline = tokio::time::Instant::now() + grace;
        while self.workers.busy() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        match self.store.release_claims(&self.owner).await {
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
}

/// Claims due jobs of `kind` one at a time and hands each to `work`, until none is due, the
/// wake's share is done, or the app shuts down (the job at hand is finished, no new one taken).
/// Each is counted as being worked on while `work` runs.
pub async fn each_due_job<F, Fut>(
    jobs: &JobHandles,
    kind: JobKind,
    mut work: F,
) -> Result<(), StoreError>
where
    F: FnMut(Job) -> Fut,
    Fut: Future<Output = Result<(), StoreError>>,
{
    for _ in 0..JOBS_PER_WAKE {
        if jobs.shutdown.is_begun() {
            return Ok(());
        }
        let _working = jobs.workers.working();
        let Some(job) = jobs
            .store
            .claim_due_job(kind, &jobs.owner, jobs.lease_seconds)
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
