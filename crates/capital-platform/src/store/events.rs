//! Stripe's events as received: the ids already applied (`processed_events`, so a redelivery
//! applies nothing) and the signed events kept instead of ingested (`dead_letters`).

use sqlx::Row;

use super::{Store, StoreError, StoreTx};

/// A signed event kept instead of ingested (`dead_letters`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeadLetter {
    pub event_id: String,
    pub event_type: Option<String>,
    pub reason: String,
    pub body: String,
    pub received_at: i64,
}

impl Store {
    /// Keeps a signed event that can never be ingested, with why (`services/webhook_ingest.rs`); the
    /// same event again is kept once.
    pub async fn put_dead_letter(&self, letter: &DeadLetter) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO dead_letters (event_id, event_type, reason, body, received_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING",
        )
        .bind(&letter.event_id)
        .bind(&letter.event_type)
        .bind(&letter.reason)
        .bind(&letter.body)
        .bind(letter.received_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The newest dead letters, newest first, at most `limit`.
    pub async fn dead_letters(&self, limit: i64) -> Result<Vec<DeadLetter>, StoreError> {
        let rows = sqlx::query(
            "SELECT event_id, event_type, reason, body, received_at FROM dead_letters
             ORDER BY received_at DESC, event_id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| DeadLetter {
                event_id: r.get("event_id"),
                event_type: r.get("event_type"),
                reason: r.get("reason"),
                body: r.get("body"),
                received_at: r.get("received_at"),
            })
            .collect())
    }
}

impl StoreTx {
    /// Records an event id; `false` when it was processed before (webhooks are retried).
    pub async fn record_event(
        &mut self,
        id: &str,
        event_type: &str,
        created: i64,
    ) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "INSERT INTO processed_events (id, event_type, created) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(event_type)
        .bind(created)
        .execute(&mut *self.tx)
        .await?;
        Ok(result.rows_affected() > 0)
    }
}
