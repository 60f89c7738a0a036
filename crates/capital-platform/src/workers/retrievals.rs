//! Work a webhook leaves for after its answer, kept in the store so that a restart resumes it:
//! retrieving a replaced offer's whole state from Stripe. A worker (started with the app) runs
//! what is due when woken and once a second; a failure is retried later, doubling, and given up
//! (logged) after its kind's tries (`JobKind::attempts`, eight). It is a job (`store/jobs.rs`): one instance retrieves each.
//! The offer was already marked replaced when the webhook came, so the store is right meanwhile;
//! the retrieval only completes it.

use std::sync::Arc;
use std::time::Duration;

use capital_types::OfferStatus;
use tokio::sync::Notify;

use crate::services::capital::Capital;
use crate::store::{Job, JobKind, Retried, StoreError};
use crate::workers::supervise::{JobHandles, each_due_job};

/// Runs due retrievals until the shutdown: when woken, and once a second for retries that come
/// due.
pub(crate) async fn run(jobs: JobHandles, capital: Capital, wake: Arc<Notify>) {
    loop {
        if let Err(error) = run_due(&jobs, &capital).await {
            tracing::error!(%error, "follow-ups");
        }
        if !jobs.wait(&wake, Duration::from_secs(1)).await {
            return;
        }
    }
}

/// Runs every retrieval due now that this instance can claim (one instance retrieves each).
pub(crate) async fn run_due(jobs: &JobHandles, capital: &Capital) -> Result<(), StoreError> {
    let store = &jobs.store;
    each_due_job(jobs, JobKind::RetrieveOffer, |job| async move {
        let retrieving = capital.retrieve_offer(&job.subject);
        match store.hold_while(&job, jobs.lease_seconds, retrieving).await {
            Ok(retrieved) => {
                let offer = retrieved.typed();
                // Stripe does not have it replaced (yet): its own event will complete it.
                if offer.account.as_deref() == Some(job.account.as_str())
                    && offer.status == OfferStatus::Replaced
                {
                    store.upsert_offer(&retrieved, job.event_created).await?;
                }
                store.finish_job(&job).await?;
                Ok(())
            }
            Err(error) => retry(jobs, &job, &error.to_string()).await,
        }
    })
    .await
}

async fn retry(jobs: &JobHandles, job: &Job, error: &str) -> Result<(), StoreError> {
    let offer = job.subject.as_str();
    tracing::warn!(
        error,
        offer,
        attempts = job.attempts,
        "retrieving a replaced offer failed"
    );
    if jobs.store.retry_job(job, error).await? == Retried::GaveUp {
        tracing::error!(
            offer,
            "gave up retrieving a replaced offer; it stays marked replaced"
        );
    }
    Ok(())
}
