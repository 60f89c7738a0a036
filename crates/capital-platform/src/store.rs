//! The platform's own persistence: SQLite through sqlx, created and migrated on start.
//!
//! Its tables (`offers`, `processed_events`, `summaries`, `settings`) are fed only by webhooks and
//! API answers, exactly as with real Stripe. The sandbox keeps Stripe's side of the world in
//! tables of its own (`sandbox/store.rs`) in the same database. Only portable SQL is used
//! (upserts with `ON CONFLICT`, no SQLite-only functions).

use std::str::FromStr;
use std::time::Duration;

use capital_types::{FinancingOffer, FinancingSummary};

use crate::whole::Whole;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

/// Why the store could not answer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A stored body no longer reads as the type it was written from.
    #[error("stored JSON: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error("offer {0} has no account")]
    OfferWithoutAccount(String),
}

const MIGRATIONS: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS offers (
        id TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        status TEXT NOT NULL,
        body TEXT NOT NULL,
        event_created BIGINT NOT NULL,
        status_rank INTEGER NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS offers_by_account ON offers (account)",
    "CREATE TABLE IF NOT EXISTS processed_events (
        id TEXT PRIMARY KEY,
        event_type TEXT NOT NULL,
        created BIGINT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS summaries (account TEXT PRIMARY KEY, body TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS listed_accounts (account TEXT PRIMARY KEY, listed_at BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sessions (
        id TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS pending_retrievals (
        offer TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        event_created BIGINT NOT NULL,
        due_at BIGINT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0
    )",
    "CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
];

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// The pool, for the sandbox's own store in the same database (an in-memory database exists
    /// only inside its one connection) and for tests that close it (a restart).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Opens (creating if needed) and migrates the database at `url`.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5));
        // Every connection to `:memory:` is its own database, so tests use one connection.
        let connections = if url.contains(":memory:") { 1 } else { 8 };
        let pool = SqlitePoolOptions::new()
            .max_connections(connections)
            .connect_with(options)
            .await?;
        for statement in MIGRATIONS {
            sqlx::query(statement).execute(&pool).await?;
        }
        // Databases from before summaries could be stale get the column.
        let has_stale: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pragma_table_info('summaries') WHERE name = 'stale'",
        )
        .fetch_one(&pool)
        .await?;
        if has_stale == 0 {
            sqlx::query("ALTER TABLE summaries ADD COLUMN stale INTEGER NOT NULL DEFAULT 0")
                .execute(&pool)
                .await?;
        }
        Ok(Store { pool })
    }

    /// Stores an offer as of an event created at `event_created`; an older event (or an earlier
    /// lifecycle stage from the same second) never overwrites newer state. Returns whether it
    /// was written.
    pub async fn upsert_offer(
        &self,
        whole: &Whole<FinancingOffer>,
        event_created: i64,
    ) -> Result<bool, StoreError> {
        let offer = whole.typed();
        let account = offer
            .account
            .clone()
            .ok_or_else(|| StoreError::OfferWithoutAccount(offer.id.clone()))?;
        let result = sqlx::query(
            "INSERT INTO offers (id, account, status, body, event_created, status_rank) VALUES (?, ?, ?, ?, ?, ?)
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
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() > 0)
    }

    /// Records an event id; `false` when it was processed before (webhooks are retried).
    pub async fn record_event(
        &self,
        id: &str,
        event_type: &str,
        created: i64,
    ) -> Result<bool, StoreError> {
        let result = sqlx::query("INSERT INTO processed_events (id, event_type, created) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING")
            .bind(id)
            .bind(event_type)
            .bind(created)
            .execute(&self.pool)
            .await?;
        Ok(result.rows_affected() > 0)
    }

    /// Forgets an event, so that a retry processes it again after a failure.
    pub async fn forget_event(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM processed_events WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn offers_for_account(
        &self,
        account: &str,
    ) -> Result<Vec<Whole<FinancingOffer>>, StoreError> {
        let rows = sqlx::query("SELECT body FROM offers WHERE account = ?")
            .bind(account)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| whole(row.get::<&str, _>("body")))
            .collect()
    }

    /// The offer with `id`, only if it belongs to `account`.
    pub async fn offer_of_account(
        &self,
        id: &str,
        account: &str,
    ) -> Result<Option<Whole<FinancingOffer>>, StoreError> {
        let row = sqlx::query("SELECT body FROM offers WHERE id = ? AND account = ?")
            .bind(id)
            .bind(account)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| whole(row.get::<&str, _>("body"))).transpose()
    }

    /// The Stripe event time the stored offer `id` is as of: the clock its next write is ordered
    /// by when Stripe's answer carries no event time of its own.
    pub async fn offer_event_time(&self, id: &str) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT event_created FROM offers WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| row.get::<i64, _>("event_created")))
    }

    /// The account's stored summary, and whether a webhook has since marked it stale.
    pub async fn summary(
        &self,
        account: &str,
    ) -> Result<Option<(Whole<FinancingSummary>, bool)>, StoreError> {
        let row = sqlx::query("SELECT body, stale FROM summaries WHERE account = ?")
            .bind(account)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok((
                whole(row.get::<&str, _>("body"))?,
                row.get::<i64, _>("stale") != 0,
            ))
        })
        .transpose()
    }

    pub async fn put_summary(
        &self,
        account: &str,
        summary: &Whole<FinancingSummary>,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO summaries (account, body, stale) VALUES (?, ?, 0) ON CONFLICT (account) DO UPDATE SET body = excluded.body, stale = 0")
            .bind(account)
            .bind(summary.json().to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Marks the stored summary stale: the next view reads a fresh one, and answers this one only
    /// while Stripe cannot be reached.
    pub async fn clear_summary(&self, account: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE summaries SET stale = 1 WHERE account = ?")
            .bind(account)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn create_session(
        &self,
        id: &str,
        account: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        // Expired sessions go as new ones come.
        sqlx::query("DELETE FROM sessions WHERE expires_at <= ?")
            .bind(now)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (id, account, created_at, expires_at) VALUES (?, ?, ?, ?)",
        )
        .bind(id)
        .bind(account)
        .bind(now)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The account of session `id` while it lasts; `None` once it expired or ended.
    pub async fn session_account(&self, id: &str, now: i64) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT account FROM sessions WHERE id = ? AND expires_at > ?")
            .bind(id)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| row.get("account")))
    }

    pub async fn end_session(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Queues the retrieval of `offer` from Stripe, to be stored as of `event_created`
    /// (`followups.rs`). Queued twice, it is retrieved once, as of the later event.
    pub async fn queue_retrieval(
        &self,
        offer: &str,
        account: &str,
        event_created: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO pending_retrievals (offer, account, event_created, due_at, attempts) VALUES (?, ?, ?, ?, 0)
             ON CONFLICT (offer) DO UPDATE SET event_created = MAX(pending_retrievals.event_created, excluded.event_created),
                 due_at = excluded.due_at, attempts = 0",
        )
        .bind(offer)
        .bind(account)
        .bind(event_created)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Retrievals due at `now`: `(offer, account, event_created, attempts)`.
    pub async fn due_retrievals(
        &self,
        now: i64,
    ) -> Result<Vec<(String, String, i64, i64)>, StoreError> {
        let rows = sqlx::query("SELECT offer, account, event_created, attempts FROM pending_retrievals WHERE due_at <= ? ORDER BY due_at LIMIT 16")
            .bind(now)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    r.get("offer"),
                    r.get("account"),
                    r.get("event_created"),
                    r.get("attempts"),
                )
            })
            .collect())
    }

    pub async fn finish_retrieval(&self, offer: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM pending_retrievals WHERE offer = ?")
            .bind(offer)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn retry_retrieval(&self, offer: &str, due_at: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE pending_retrievals SET attempts = attempts + 1, due_at = ? WHERE offer = ?",
        )
        .bind(due_at)
        .bind(offer)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Whether the account's offers have been listed from Stripe (`stripe_reads.rs`).
    pub async fn is_listed(&self, account: &str) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 FROM listed_accounts WHERE account = ?")
            .bind(account)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    pub async fn mark_listed(&self, account: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO listed_accounts (account, listed_at) VALUES (?, ?) ON CONFLICT (account) DO NOTHING")
            .bind(account)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT value FROM settings WHERE name = ?")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| row.get::<String, _>("value")))
    }

    /// Sets `name` unless it is set already; returns the value in effect.
    pub async fn setting_or_insert(&self, name: &str, value: &str) -> Result<String, StoreError> {
        sqlx::query(
            "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(self
            .setting(name)
            .await?
            .unwrap_or_else(|| value.to_owned()))
    }
}

/// A stored body: the object as Stripe sent it.
fn whole<T: serde::de::DeserializeOwned>(body: &str) -> Result<Whole<T>, StoreError> {
    Ok(Whole::from_json(serde_json::from_str(body)?)?)
}
