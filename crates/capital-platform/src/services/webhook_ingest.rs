//! Webhook ingest: a signed event from Stripe (or the sandbox) verified against the endpoint's
//! secret, recorded once (a duplicate applies nothing) and applied in one transaction with the
//! work it leaves (a retrieval, an offer email); then the change is announced and the workers
//! woken. A signed event that can never be ingested is acknowledged and kept as a dead letter.

use std::sync::Arc;

use capital_types::{Event, FinancingOffer};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::Notify;

use crate::domain::whole::Whole;
use crate::services::changes::Changes;
use crate::store::{DeadLetter, Store, StoreError, StoreTx};
use crate::stripe::webhook_signature::{DEFAULT_TOLERANCE_SECONDS, verify};

/// What ingesting webhooks uses: a narrow handle, cloned into the route's state and the sandbox's
/// event worker.
#[derive(Clone)]
pub struct WebhookIngest {
    pub store: Store,
    pub changes: Changes,
    /// The endpoint's signing secret (`STRIPE_WEBHOOK_SECRET`).
    pub secret: SecretString,
    /// Wakes the retrieval worker (`workers/retrievals.rs`) when an event leaves one.
    pub retrievals: Arc<Notify>,
    /// Wakes the offer-email worker when an event queues an email; `None` without offer emails.
    pub emails: Option<Arc<Notify>>,
}

/// Why a delivery was not taken: Stripe will deliver it again.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("webhook signature verification failed")]
    BadSignature,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why an event was not applied.
#[derive(Debug)]
enum Unapplied {
    /// No retry will ever make it ingestible: a dead letter, with this reason.
    Never(String),
    Store(StoreError),
}

impl From<StoreError> for Unapplied {
    fn from(error: StoreError) -> Self {
        Unapplied::Store(error)
    }
}

impl WebhookIngest {
    /// Verifies and ingests one delivery: Stripe's through `POST /webhooks/stripe`
    /// (`http/webhooks.rs`), the sandbox's directly (`workers/sandbox_events.rs`). Answers what the
    /// route answers.
    pub async fn receive_signed(
        &self,
        signature: Option<&str>,
        body: &[u8],
    ) -> Result<Value, IngestError> {
        verify(
            signature,
            body,
            self.secret.expose_secret(),
            crate::domain::clock::now(),
            DEFAULT_TOLERANCE_SECONDS,
        )
        .map_err(|error| {
            tracing::warn!(%error, "webhook refused");
            crate::metrics::webhook("unknown", "refused");
            IngestError::BadSignature
        })?;
        let event: Event = match serde_json::from_slice(body) {
            Ok(event) => event,
            Err(error) => {
                return self
                    .dead_letter(None, body, format!("not a Stripe event: {error}"))
                    .await;
            }
        };
        if !storable(&event.id) || !storable(&event.event_type) {
            return self
                .dead_letter(
                    None,
                    body,
                    "the event's id or type has a NUL character".into(),
                )
                .await;
        }
        let created = event.created.unwrap_or(0);
        // Recorded and applied in one transaction: a crash (or an error) before the commit leaves
        // neither, the event is not acknowledged, and Stripe's redelivery applies it. Two instances
        // given the same event at once: the second's insert waits for the first's commit, then finds
        // the id taken and applies nothing.
        let mut tx = self.store.begin().await?;
        if !tx
            .record_event(&event.id, &event.event_type, created)
            .await?
        {
            crate::metrics::webhook(&event.event_type, "duplicate");
            return Ok(json!({"received": true, "duplicate": true}));
        }
        let queued = match ingest(&mut tx, &event, created, self.emails.is_some()).await {
            Ok(queued) => queued,
            // Signed, so Stripe sent it, but no retry will ever make it ingestible.
            Err(Unapplied::Never(reason)) => {
                drop(tx);
                return self.dead_letter(Some(&event), body, reason).await;
            }
            Err(Unapplied::Store(error)) => return Err(error.into()),
        };
        crate::failpoint::hit("webhook_before_commit").await;
        let changed = tx.commit().await?;
        self.changes.committed(changed);
        if queued.retrieval {
            self.retrievals.notify_one();
        }
        if let (true, Some(emails)) = (queued.email, &self.emails) {
            emails.notify_one();
        }
        crate::metrics::webhook(
            &event.event_type,
            if queued.stale { "stale" } else { "applied" },
        );
        tracing::info!(event = %event.id, kind = %event.event_type, "webhook applied");
        Ok(json!({"received": true}))
    }

    /// Acknowledges a signed event that can never be ingested, and keeps it with the reason. A
    /// refusal would make Stripe retry it for days and then disable the endpoint, holding back every
    /// good event behind it; it is not marked processed, so a corrected event with its id is still
    /// applied. Only a failure to keep it (the database is down) is an error: then Stripe retries.
    async fn dead_letter(
        &self,
        event: Option<&Event>,
        body: &[u8],
        reason: String,
    ) -> Result<Value, IngestError> {
        let event_id = match event {
            Some(event) => event.id.clone(),
            None => format!("sha256:{}", hex::encode(Sha256::digest(body))),
        };
        let event_type = event.map(|event| event.event_type.clone());
        crate::metrics::webhook(event_type.as_deref().unwrap_or("unknown"), "dead_lettered");
        // PostgreSQL's text holds no NUL: the body is kept as near to what came as text allows.
        let body = String::from_utf8_lossy(body).replace('\0', "\u{fffd}");
        tracing::warn!(
            event = %event_id,
            kind = event_type.as_deref().unwrap_or("unknown"),
            reason,
            "a signed webhook that can never be ingested was kept as a dead letter"
        );
        self.store
            .put_dead_letter(&DeadLetter {
                event_id: event_id.clone(),
                event_type,
                reason: reason.clone(),
                body,
                received_at: crate::domain::clock::now(),
            })
            .await?;
        Ok(json!({"received": true, "dead_letter": {"id": event_id, "reason": reason}}))
    }
}

/// Whether `text` can be stored as it is: PostgreSQL's text refuses the NUL character.
fn storable(text: &str) -> bool {
    !text.contains('\0')
}

/// Work an event left for after its commit, when the workers are woken.
#[derive(Default)]
struct Queued {
    /// A retrieval from Stripe, for the follow-up worker.
    retrieval: bool,
    /// An offer email, for the mailer.
    email: bool,
    /// An offer event older than what is stored: nothing was written.
    stale: bool,
}

/// Applies one event inside its transaction; with `emails`, a created offer's email is queued in
/// it too (the guide's flow: sent once, whatever happens to the delivery).
async fn ingest(
    tx: &mut StoreTx,
    event: &Event,
    created: i64,
    emails: bool,
) -> Result<Queued, Unapplied> {
    let kind = event.event_type.as_str();
    let mut queued = Queued::default();
    if let Some(stage) = kind.strip_prefix("capital.financing_offer.") {
        let mut offer: Whole<FinancingOffer> = Whole::from_json(event.data.object.clone())
            .map_err(|e| {
                Unapplied::Never(format!(
                    "event {} carries no financing offer: {e}",
                    event.id
                ))
            })?;
        let account = offer
            .typed()
            .account
            .clone()
            .or_else(|| event.account.clone())
            .ok_or_else(|| Unapplied::Never("offer without account".into()))?;
        if !crate::domain::accounts::is_account_id(&account) {
            return Err(Unapplied::Never(
                "the offer's account is not a connected account id".into(),
            ));
        }
        if !storable(&offer.typed().id) {
            return Err(Unapplied::Never(
                "the offer's id has a NUL character".into(),
            ));
        }
        offer.set_account(&account);
        if tx.upsert_offer(&offer, created).await? {
            tx.announce(&account).await?;
        } else {
            queued.stale = true;
        }
        if stage == "replacement_created" {
            queued.retrieval = mark_replaced(tx, offer.typed(), created).await?;
        }
        if stage == "created" && emails {
            queued.email = tx
                .queue_offer_email(&offer.typed().id, &account, crate::domain::clock::now())
                .await?;
        }
        if offer.typed().status.changes_summary() {
            tx.clear_summary(&account).await?;
            tx.announce(&account).await?;
        }
    } else if kind == "capital.financing_transaction.created" {
        if let Some(account) = event.data.object["account"]
            .as_str()
            .or(event.account.as_deref())
            .filter(|account| crate::domain::accounts::is_account_id(account))
        {
            tx.clear_summary(account).await?;
            tx.announce(account).await?;
        }
    } else {
        tracing::debug!(kind, "event ignored");
    }
    Ok(queued)
}

/// The offer a replacement replaces is `replaced` from now on: the account's active offer is the
/// replacement. It is marked so here, at once; its whole current state is then retrieved from
/// Stripe (as the replacements guide does) by `workers/retrievals.rs`, after the webhook is answered, so a
/// slow Stripe never holds the answer (Stripe would retry a slow one).
async fn mark_replaced(
    tx: &mut StoreTx,
    replacement: &FinancingOffer,
    created: i64,
) -> Result<bool, Unapplied> {
    let (Some(old_id), Some(account)) = (
        replacement.replacement_for.as_deref(),
        replacement.account.as_deref(),
    ) else {
        return Ok(false);
    };
    let Some(mut old) = tx.offer_of_account(old_id, account).await? else {
        return Ok(false);
    };
    old.mark_replaced(&replacement.id);
    tx.upsert_offer(&old, created).await?;
    tx.queue_retrieval(old_id, account, created).await?;
    Ok(true)
}
