//! Work a webhook leaves for after its answer, kept in the store so that a restart resumes it:
//! retrieving a replaced offer's whole state from Stripe. A worker (started with the app) runs
//! what is due when woken and once a second; a failure is retried later, doubling, and given up
//! (logged) after [`ATTEMPTS`] tries. It is a job (`store/jobs.rs`): one instance retrieves each. The offer was already marked replaced when the webhook
//! came, so the store is right meanwhile; the retrieval only completes it.

use std::sync::Weak;
use std::time::Duration;

use capital_types::OfferStatus;
use tokio::sync::Notify;

use crate::http::state::{AppState, Inner};
use crate::store::{Job, JobKind, Retried, StoreError};

/// Tries before a retrieval is given up.
pub const ATTEMPTS: i64 = JobKind::RetrieveOffer.attempts();

/// Runs due follow-ups until the app goes (it holds the app weakly).
pub async fn run(state: Weak<Inner>, wake: std::sync::Arc<Notify>) {
    loop {
        let Some(inner) = state.upgrade() else { return };
        let state = AppState::from_inner(inner);
        if state.shutdown.is_begun() {
            return;
        }
        if let Err(error) = run_due(&state).await {
            tracing::error!(%error, "follow-ups");
        }
        // Woken by a new follow-up, or once a second for retries that come due.
        let _ = tokio::time::timeout(Duration::from_secs(1), wake.notified()).await;
    }
}

/// Runs every follow-up due now that this instance can claim (one instance retrieves each).
pub async fn run_due(state: &AppState) -> Result<(), StoreError> {
    let lease = state.config.job_lease_seconds;
    crate::workers::supervise::each_due_job(state, JobKind::RetrieveOffer, |job| async move {
        let retrieving = state.capital.retrieve_offer(&job.subject);
        match state.store.hold_while(&job, lease, retrieving).await {
            Ok(retrieved) => {
                let offer = retrieved.typed();
                // Stripe does not have it replaced (yet): its own event will complete it.
                if offer.account.as_deref() == Some(job.account.as_str())
                    && offer.status == OfferStatus::Replaced
                {
                    state
                        .store
                        .upsert_offer(&retrieved, job.event_created)
                        .await?;
                }
                state.store.finish_job(&job).await?;
                Ok(())
            }
            Err(error) => retry(state, &job, &error.to_string()).await,
        }
    })
    .await
}

async fn retry(state: &AppState, job: &Job, error: &str) -> Result<(), StoreError> {
    let offer = job.subject.as_str();
    tracing::warn!(
        error,
        offer,
        attempts = job.attempts,
        "retrieving a replaced offer failed"
    );
    if state.store.retry_job(job, error).await? == Retried::GaveUp {
        tracing::error!(
            offer,
            "gave up retrieving a replaced offer; it stays marked replaced"
        );
    }
    Ok(())
}
