//! Work a webhook leaves for after its answer, kept in the store so that a restart resumes it:
//! retrieving a replaced offer's whole state from Stripe. A worker (started with the app) runs
//! what is due when woken and once a second; a failure is retried later, doubling, and given up
//! (logged) after [`ATTEMPTS`] tries. The offer was already marked replaced when the webhook
//! came, so the store is right meanwhile; the retrieval only completes it.

use std::sync::Weak;
use std::time::Duration;

use capital_types::OfferStatus;
use tokio::sync::Notify;

use crate::state::{AppState, Inner};

/// Tries before a retrieval is given up.
pub const ATTEMPTS: i64 = 8;

/// Runs due follow-ups until the app goes (it holds the app weakly).
pub async fn run(state: Weak<Inner>, wake: std::sync::Arc<Notify>) {
    loop {
        let Some(inner) = state.upgrade() else { return };
        run_due(&AppState::from_inner(inner)).await;
        // Woken by a new follow-up, or once a second for retries that come due.
        let _ = tokio::time::timeout(Duration::from_secs(1), wake.notified()).await;
    }
}

/// Runs every follow-up due now.
pub async fn run_due(state: &AppState) {
    let now = crate::clock::now();
    let due = match state.store.due_retrievals(now).await {
        Ok(due) => due,
        Err(error) => {
            tracing::error!(%error, "follow-ups could not be read");
            return;
        }
    };
    for (offer, account, event_created, attempts) in due {
        let outcome = match state.capital.retrieve_offer(&offer).await {
            Ok(retrieved)
                if retrieved.typed().account.as_deref() == Some(account.as_str())
                    && retrieved.typed().status == OfferStatus::Replaced =>
            {
                state
                    .store
                    .upsert_offer(&retrieved, event_created)
                    .await
                    .map(drop)
            }
            // Stripe does not have it replaced (yet): its own event will complete it.
            Ok(_) => Ok(()),
            Err(error) => {
                tracing::warn!(%error, offer, attempts, "retrieving a replaced offer failed");
                let given_up = attempts + 1 >= ATTEMPTS;
                if given_up {
                    tracing::error!(
                        offer,
                        "gave up retrieving a replaced offer; it stays marked replaced"
                    );
                    state.store.finish_retrieval(&offer).await
                } else {
                    let delay = 1_i64 << attempts.min(10);
                    state.store.retry_retrieval(&offer, now + delay).await
                }
                .map_err(|e| tracing::error!(%e, "follow-up not updated"))
                .ok();
                continue;
            }
        };
        if let Err(error) = outcome.and(state.store.finish_retrieval(&offer).await) {
            tracing::error!(%error, offer, "follow-up not stored");
        }
    }
}
