//! Offers and what is read with them: the `offers` table (each offer as Stripe sent it, as of
//! the event it came from), the financing `summaries`, which accounts were listed from Stripe
//! (`listed_accounts`) and the claims on a cold read (`read_claims`).

use capital_types::{FinancingOffer, FinancingSummary};
use sqlx::{Any, Executor, Row};

use super::{JobKind, Store, StoreError, StoreTx, funnel, stages_reached, whole};
use crate::domain::whole::Whole;

/// An account's financing summary as stored.
#[derive(Debug, Clone)]
pub struct StoredSummary {
    pub summary: Whole<FinancingSummary>,
    /// A webhook said it changed since: read a fresh one, and answer this one only while Stripe
    /// cannot be reached.
    pub stale: bool,
}

impl Store {
    /// [`StoreTx::upsert_offer`] in a transaction of its own: the offer and the funnel stages it
    /// reached are written together.
    pub async fn upsert_offer(
        &self,
        whole: &Whole<FinancingOffer>,
        event_created: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let written = tx.upsert_offer(whole, event_created).await?;
        tx.commit().await?;
        Ok(written)
    }

    /// The offer with `id`, only if it belongs to `account`.
    pub async fn offer_of_account(
        &self,
        id: &str,
        account: &str,
    ) -> Result<Option<Whole<FinancingOffer>>, StoreError> {
        offer_of_account(&self.pool, id, account).await
    }

    pub async fn offers_for_account(
        &self,
        account: &str,
    ) -> Result<Vec<Whole<FinancingOffer>>, StoreError> {
        let rows = sqlx::query("SELECT id, body FROM offers WHERE account = $1")
            .bind(account)
            .fetch_all(&self.pool)
            .await?;
        // A row that cannot be read (written by an older release, or damaged) is logged and left
        // out: the account's view answers with the rest instead of failing on every visit.
        Ok(rows
            .iter()
            .filter_map(|row| match whole(row.get::<&str, _>("body")) {
                Ok(offer) => Some(offer),
                Err(error) => {
                    let id = row.get::<&str, _>("id");
                    tracing::error!(%error, offer = id, account, "a stored offer cannot be read; left out of the view");
                    None
                }
            })
            .collect())
    }

    /// The Stripe event time the stored offer `id` is as of: the clock its next write is ordered
    /// by when Stripe's answer carries no event time of its own.
    pub async fn offer_event_time(&self, id: &str) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT event_created FROM offers WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| row.get::<i64, _>("event_created")))
    }

    /// The account's stored summary, and whether a webhook has since marked it stale.
    pub async fn summary(&self, account: &str) -> Result<Option<StoredSummary>, StoreError> {
        let row = sqlx::query("SELECT body, stale FROM summaries WHERE account = $1")
            .bind(account)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(StoredSummary {
                summary: whole(row.get::<&str, _>("body"))?,
                stale: row.get::<i64, _>("stale") != 0,
            })
        })
        .transpose()
    }

    pub async fn put_summary(
        &self,
        account: &str,
        summary: &Whole<FinancingSummary>,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO summaries (account, body, stale) VALUES ($1, $2, 0) ON CONFLICT (account) DO UPDATE SET body = excluded.body, stale = 0")
            .bind(account)
            .bind(summary.json().to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Whether the account's offers have been listed from Stripe (`services/offer_view.rs`).
    pub async fn is_listed(&self, account: &str) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 FROM listed_accounts WHERE account = $1")
            .bind(account)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    pub async fn mark_listed(&self, account: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO listed_accounts (account, listed_at) VALUES ($1, $2) ON CONFLICT (account) DO NOTHING")
            .bind(account)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Claims the read `key` for `owner` until `expires_at`, unless another owner holds it
    /// unexpired at `now`; `true` when this owner has it.
    pub async fn claim_read(
        &self,
        key: &str,
        owner: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "INSERT INTO read_claims (key, owner, expires_at) VALUES ($1, $2, $3)
             ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
             WHERE read_claims.expires_at <= $4 OR read_claims.owner = excluded.owner",
        )
        .bind(key)
        .bind(owner)
        .bind(expires_at)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() > 0)
    }

    pub async fn release_read(&self, key: &str, owner: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM read_claims WHERE key = $1 AND owner = $2")
            .bind(key)
            .bind(owner)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

impl StoreTx {
    /// Stores an offer as of an event created at `event_created`; an older event (or an earlier
    /// lifecycle stage from the same second) never overwrites newer state. Returns whether it
    /// was written.
    pub async fn upsert_offer(
        &mut self,
        whole: &Whole<FinancingOffer>,
        event_created: i64,
    ) -> Result<bool, StoreError> {
        let offer = whole.typed();
        let account = offer
            .account
            .clone()
            .ok_or_else(|| StoreError::OfferWithoutAccount(offer.id.clone()))?;
        let written = sqlx::query(
            "INSERT INTO offers (id, account, status, body, event_created, status_rank) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (id) DO UPDATE SET status = excluded.status, body = excluded.body,
                 event_created = excluded.event_created, status_rank = excluded.status_rank
             WHERE excluded.event_created > offers.event_created
                OR (excluded.event_created = offers.event_created AND excluded.status_rank >= offers.status_rank)",
        )
        .bind(&offer.id)
        .bind(&account)
        .bind(offer.status.as_str())
        .bind(whole.json().to_string())
        .bind(event_created)
        .bind(offer.status.order())
        .execute(&mut *self.tx)
        .await?
        .rows_affected()
            > 0;
        if written {
            funnel::record(
                &mut self.tx,
                offer,
                stages_reached(&offer.status),
                crate::domain::clock::now(),
            )
            .await?;
        }
        Ok(written)
    }

    /// The offer with `id`, only if it belongs to `account`.
    pub async fn offer_of_account(
        &mut self,
        id: &str,
        account: &str,
    ) -> Result<Option<Whole<FinancingOffer>>, StoreError> {
        offer_of_account(&mut *self.tx, id, account).await
    }

    /// Marks the stored summary stale: the next view reads a fresh one, and answers this one only
    /// while Stripe cannot be reached.
    pub async fn clear_summary(&mut self, account: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE summaries SET stale = 1 WHERE account = $1")
            .bind(account)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Queues the retrieval of `offer` from Stripe, to be stored as of `event_created`
    /// (`workers/retrievals.rs`, a job). Queued twice, it is retrieved once, as of the later event.
    pub async fn queue_retrieval(
        &mut self,
        offer: &str,
        account: &str,
        event_created: i64,
    ) -> Result<(), StoreError> {
        self.queue_job(JobKind::RetrieveOffer, offer, account, event_created)
            .await
            .map(drop)
    }
}

/// The offer with `id`, only if it belongs to `account`: on the pool or in a transaction.
async fn offer_of_account<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: &str,
    account: &str,
) -> Result<Option<Whole<FinancingOffer>>, StoreError> {
    let row = sqlx::query("SELECT body FROM offers WHERE id = $1 AND account = $2")
        .bind(id)
        .bind(account)
        .fetch_optional(executor)
        .await?;
    row.map(|row| whole(row.get::<&str, _>("body"))).transpose()
}
