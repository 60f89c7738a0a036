//! The platform's own persistence through sqlx: SQLite (the default, one machine) or PostgreSQL
//! (many instances on one database), chosen by the database URL, and migrated on start by the
//! versioned migrations in `migrations/` (`sqlx::migrate!`, the same on both; PostgreSQL's run
//! under an advisory lock, so instances starting together apply each once).
//!
//! Its tables (`offers`, `processed_events`, `summaries`, `settings`, …) are fed only by webhooks
//! and API answers, exactly as with real Stripe. The sandbox keeps Stripe's side of the world in
//! tables of its own (`sandbox/store.rs`) in the same database. One set of queries runs on both
//! databases: `$n` parameters, upserts with `ON CONFLICT`, no database-specific functions but the
//! clock that job claims are leased on (`store/jobs.rs`, the one job mechanism).

use std::sync::Arc;
use std::time::Duration;

use capital_types::{FinancingOffer, FinancingSummary};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Executor, Row, Transaction};
use tokio::sync::OwnedMutexGuard;

use crate::domain::whole::Whole;

mod funnel;
mod jobs;

pub use funnel::{FunnelCount, STAGES, stages_reached};
pub use jobs::{Job, JobKind, Retried, backoff_seconds};

/// Why the store could not answer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored body no longer reads as the type it was written from.
    #[error("stored JSON: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error("offer {0} has no account")]
    OfferWithoutAccount(String),
    #[error("unsupported database URL (sqlite: or postgres:): {0}")]
    UnsupportedUrl(String),
}

/// One set of migrations for both databases while their SQL is the same (portable DDL only); a
/// step that must differ would split the folder per database.
static MIGRATIONS: Migrator = sqlx::migrate!();

/// Which database the store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(
                url.split('@').next_back().unwrap_or_default().to_owned(),
            ))
        }
    }
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    turns: WriteTurns,
}

/// Whose turn it is to write, on SQLite: one writer at a time takes the database's write lock,
/// and a transaction that waited for it in SQLite's busy handler would sleep in steps of up to
/// 100 ms. Transactions queue here instead, in order. (PostgreSQL locks rows, not the database:
/// no queue.)
#[derive(Clone, Default)]
pub struct WriteTurns(Option<Arc<tokio::sync::Mutex<()>>>);

impl WriteTurns {
    fn for_backend(backend: Backend) -> WriteTurns {
        WriteTurns((backend == Backend::Sqlite).then(Arc::default))
    }

    /// Waits for this writer's turn; it lasts until the guard is dropped.
    pub async fn take(&self) -> Option<OwnedMutexGuard<()>> {
        match &self.0 {
            Some(turn) => Some(turn.clone().lock_owned().await),
            None => None,
        }
    }
}

/// One offer email's record.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OfferEmailRow {
    pub offer: String,
    pub status: String,
    pub recipient: Option<String>,
    /// Stripe's copy (`--email-bcc`), as sent.
    pub bcc: Option<String>,
    pub subject: Option<String>,
    pub html: Option<String>,
    pub text: Option<String>,
    pub detail: Option<String>,
    pub attempts: i64,
    pub delivered_marked: bool,
    /// Why marking the offer delivered was given up, if it was.
    pub delivered_detail: Option<String>,
}

/// A signed event kept instead of ingested (`dead_letters`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeadLetter {
    pub event_id: String,
    pub event_type: Option<String>,
    pub reason: String,
    pub body: String,
    pub received_at: i64,
}

/// What became of one try of an offer email (`StoreTx::record_offer_email`).
pub struct EmailRecord<'a> {
    /// `sent`, `skipped`, `failed`, or `pending` (tried, and due again).
    pub status: &'a str,
    /// The mail server's answer, or why it was skipped or failed.
    pub detail: &'a str,
    pub message: Option<EmailMessage<'a>>,
    pub bcc: Option<&'a str>,
    /// Sends tried so far.
    pub attempts: i64,
    pub at: i64,
}

/// The message as written, kept with its record.
#[derive(Clone, Copy)]
pub struct EmailMessage<'a> {
    pub recipient: &'a str,
    pub subject: &'a str,
    pub html: &'a str,
    pub text: &'a str,
}

/// One transaction: what a webhook records and applies commits together, or not at all.
pub struct StoreTx {
    tx: Transaction<'static, Any>,
    _turn: Option<OwnedMutexGuard<()>>,
    backend: Backend,
    /// Accounts whose offer state this transaction changes (`announce`).
    announced: Vec<String>,
}

/// The channel PostgreSQL carries offer-state changes on (`changes.rs`).
pub const CHANGES_CHANNEL: &str = "capital_offer_changes";

impl Store {
    /// The pool, for the sandbox's own store in the same database (an in-memory database exists
    /// only inside its one connection) and for tests that close it (a restart).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Sends a change of `account` on PostgreSQL's channel at once (`changes.rs`); for changes
    /// made outside a transaction.
    pub async fn notify_change(&self, account: &str) -> Result<(), StoreError> {
        notify_change(&self.pool, account).await
    }

    /// The write queue, for the sandbox's transactions on the same database.
    pub fn write_turns(&self) -> WriteTurns {
        self.turns.clone()
    }

    /// Opens and migrates the database at `url` (`sqlite://path`, created if missing,
    /// `sqlite::memory:`, or `postgres://…`).
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url)?;
        let url = match backend {
            // Created if missing, as before (sqlx's SQLite URLs default to "must exist").
            Backend::Sqlite if !url.contains(":memory:") && !url.contains("mode=") => {
                let separator = if url.contains('?') { '&' } else { '?' };
                format!("{url}{separator}mode=rwc")
            }
            _ => url.to_owned(),
        };
        let options: AnyConnectOptions = url.parse()?;
        // Every connection to `:memory:` is its own database, so tests use one connection.
        let connections = if url.contains(":memory:") { 1 } else { 8 };
        let pool = AnyPoolOptions::new()
            .max_connections(connections)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |connection, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // Readers beside one writer; a writer waits its turn instead of failing.
                        connection
                            .execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                                 PRAGMA busy_timeout = 5000;",
                            )
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        MIGRATIONS.run(&pool).await?;
        Ok(Store {
            pool,
            backend,
            turns: WriteTurns::for_backend(backend),
        })
    }

    /// Why this store cannot serve now, if it cannot: `database` (no answer within two seconds)
    /// or `migrations` (this release's are not all applied), for `GET /readyz`.
    pub async fn not_ready(&self) -> Option<&'static str> {
        let applied = tokio::time::timeout(
            Duration::from_secs(2),
            sqlx::query("SELECT COUNT(*) AS applied FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool),
        )
        .await;
        match applied {
            Ok(Ok(row)) => {
                let applied: i64 = row.get("applied");
                (applied < MIGRATIONS.iter().count() as i64).then_some("migrations")
            }
            _ => Some("database"),
        }
    }

    /// Starts a transaction (`StoreTx`).
    pub async fn begin(&self) -> Result<StoreTx, StoreError> {
        let turn = self.turns.take().await;
        Ok(StoreTx {
            tx: self.pool.begin().await?,
            _turn: turn,
            backend: self.backend,
            announced: Vec::new(),
        })
    }

    /// Stores an offer as of an event created at `event_created`; an older event (or an earlier
    /// lifecycle stage from the same second) never overwrites newer state. Returns whether it
    /// was written.
    pub async fn upsert_offer(
        &self,
        whole: &Whole<FinancingOffer>,
        event_created: i64,
    ) -> Result<bool, StoreError> {
        let written = upsert_offer(&self.pool, whole, event_created).await?;
        if written {
            let mut connection = self.pool.acquire().await?;
            let offer = whole.typed();
            funnel::record(
                &mut connection,
                offer,
                stages_reached(&offer.status),
                crate::domain::clock::now(),
            )
            .await?;
        }
        Ok(written)
    }

    /// Records an event id; `false` when it was processed before (webhooks are retried).
    pub async fn record_event(
        &self,
        id: &str,
        event_type: &str,
        created: i64,
    ) -> Result<bool, StoreError> {
        record_event(&self.pool, id, event_type, created).await
    }

    /// The offer with `id`, only if it belongs to `account`.
    pub async fn offer_of_account(
        &self,
        id: &str,
        account: &str,
    ) -> Result<Option<Whole<FinancingOffer>>, StoreError> {
        offer_of_account(&self.pool, id, account).await
    }

    /// Marks the stored summary stale: the next view reads a fresh one, and answers this one only
    /// while Stripe cannot be reached.
    pub async fn clear_summary(&self, account: &str) -> Result<(), StoreError> {
        clear_summary(&self.pool, account).await
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
    pub async fn summary(
        &self,
        account: &str,
    ) -> Result<Option<(Whole<FinancingSummary>, bool)>, StoreError> {
        let row = sqlx::query("SELECT body, stale FROM summaries WHERE account = $1")
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
        sqlx::query("INSERT INTO summaries (account, body, stale) VALUES ($1, $2, 0) ON CONFLICT (account) DO UPDATE SET body = excluded.body, stale = 0")
            .bind(account)
            .bind(summary.json().to_string())
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
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (id, account, created_at, expires_at) VALUES ($1, $2, $3, $4)",
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
    /// The account of session `id` and when the session expires, if it is open at `now`.
    pub async fn session(&self, id: &str, now: i64) -> Result<Option<(String, i64)>, StoreError> {
        let row = sqlx::query(
            "SELECT account, expires_at FROM sessions WHERE id = $1 AND expires_at > $2",
        )
        .bind(id)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| (row.get("account"), row.get("expires_at"))))
    }

    pub async fn session_account(&self, id: &str, now: i64) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT account FROM sessions WHERE id = $1 AND expires_at > $2")
            .bind(id)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| row.get("account")))
    }

    pub async fn end_session(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id)
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

    /// The account's offer emails, newest first: `(offer, status, recipient, subject, html,
    /// detail)`, for the sandbox page and the tests.
    pub async fn offer_emails(&self, account: &str) -> Result<Vec<OfferEmailRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT offer, status, recipient, bcc, subject, html, text_body, detail, attempts, delivered_marked, delivered_detail
             FROM offer_emails WHERE account = $1 ORDER BY created DESC, offer DESC",
        )
        .bind(account)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| OfferEmailRow {
                offer: r.get("offer"),
                status: r.get("status"),
                recipient: r.get("recipient"),
                bcc: r.get("bcc"),
                subject: r.get("subject"),
                html: r.get("html"),
                text: r.get("text_body"),
                detail: r.get("detail"),
                attempts: r.get("attempts"),
                delivered_marked: r.get::<i64, _>("delivered_marked") != 0,
                delivered_detail: r.get("delivered_detail"),
            })
            .collect())
    }

    pub async fn unsubscribe(&self, account: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO unsubscribed (account, at) VALUES ($1, $2) ON CONFLICT (account) DO NOTHING")
            .bind(account)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn is_unsubscribed(&self, account: &str) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 FROM unsubscribed WHERE account = $1")
            .bind(account)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    pub async fn account_email(&self, account: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT email FROM account_emails WHERE account = $1")
            .bind(account)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.get("email")))
    }

    pub async fn put_account_email(&self, account: &str, email: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO account_emails (account, email) VALUES ($1, $2) ON CONFLICT (account) DO UPDATE SET email = excluded.email",
        )
        .bind(account)
        .bind(email)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Whether the account's offers have been listed from Stripe (`stripe_reads.rs`).
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

    /// Keeps a signed event that can never be ingested, with why (`routes/webhooks.rs`); the
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

    pub async fn setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT value FROM settings WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| row.get::<String, _>("value")))
    }

    /// Sets `name` unless it is set already; returns the value in effect.
    pub async fn setting_or_insert(&self, name: &str, value: &str) -> Result<String, StoreError> {
        sqlx::query(
            "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
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

impl StoreTx {
    /// Stores an offer as of an event created at `event_created`; an older event (or an earlier
    /// lifecycle stage from the same second) never overwrites newer state. Returns whether it
    /// was written.
    pub async fn upsert_offer(
        &mut self,
        whole: &Whole<FinancingOffer>,
        event_created: i64,
    ) -> Result<bool, StoreError> {
        let written = upsert_offer(&mut *self.tx, whole, event_created).await?;
        if written {
            let offer = whole.typed();
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

    /// Records an event id; `false` when it was processed before (webhooks are retried).
    pub async fn record_event(
        &mut self,
        id: &str,
        event_type: &str,
        created: i64,
    ) -> Result<bool, StoreError> {
        record_event(&mut *self.tx, id, event_type, created).await
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
        clear_summary(&mut *self.tx, account).await
    }

    /// Queues the retrieval of `offer` from Stripe, to be stored as of `event_created`
    /// (`followups.rs`, a job). Queued twice, it is retrieved once, as of the later event.
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

    /// Says that `account`'s offer state changes with this transaction. On PostgreSQL the
    /// notification goes out with the commit, to every instance listening (and never for a
    /// rolled-back transaction); the accounts are also returned by `commit`.
    pub async fn announce(&mut self, account: &str) -> Result<(), StoreError> {
        if self.announced.iter().any(|a| a == account) {
            return Ok(());
        }
        if self.backend == Backend::Postgres {
            notify_change(&mut *self.tx, account).await?;
        }
        self.announced.push(account.to_owned());
        Ok(())
    }

    /// Queues the offer email of `offer` (`offer_emails.rs`): one per offer, however often its
    /// created event is delivered. Its record, and the job that sends it.
    pub async fn queue_offer_email(
        &mut self,
        offer: &str,
        account: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "INSERT INTO offer_emails (offer, account, status, created) VALUES ($1, $2, 'pending', $3)
             ON CONFLICT (offer) DO NOTHING",
        )
        .bind(offer)
        .bind(account)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        if result.rows_affected() == 0 {
            return Ok(false);
        }
        self.queue_job(JobKind::OfferEmail, offer, account, 0)
            .await?;
        Ok(true)
    }

    /// Records what became of an offer email: `sent` (with the message, and the BCC it went
    /// to), `skipped` or `failed` for good, or still `pending` after a failed try. Only while
    /// the email is pending: a late answer never turns a sent email back.
    pub async fn record_offer_email(
        &mut self,
        offer: &str,
        outcome: &EmailRecord<'_>,
    ) -> Result<(), StoreError> {
        let (recipient, subject, html, text) = match outcome.message {
            Some(message) => (
                Some(message.recipient),
                Some(message.subject),
                Some(message.html),
                Some(message.text),
            ),
            None => (None, None, None, None),
        };
        sqlx::query(
            "UPDATE offer_emails SET status = $1, detail = $2,
                 recipient = COALESCE($3, recipient), subject = COALESCE($4, subject),
                 html = COALESCE($5, html), text_body = COALESCE($6, text_body),
                 attempts = $7, sent_at = CASE WHEN $1 = 'sent' THEN $8 ELSE sent_at END,
                 bcc = COALESCE($9, bcc)
             WHERE offer = $10 AND status = 'pending'",
        )
        .bind(outcome.status)
        .bind(outcome.detail)
        .bind(recipient)
        .bind(subject)
        .bind(html)
        .bind(text)
        .bind(outcome.attempts)
        .bind(outcome.at)
        .bind(outcome.bcc)
        .bind(offer)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Records that the emailed `offer` was marked delivered at Stripe, or why that was given up.
    pub async fn record_offer_delivered(
        &mut self,
        offer: &str,
        given_up: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE offer_emails SET delivered_marked = $1, delivered_detail = $2 WHERE offer = $3",
        )
        .bind(i64::from(given_up.is_none()))
        .bind(given_up)
        .bind(offer)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Makes everything in the transaction permanent at once; returns the accounts announced.
    pub async fn commit(self) -> Result<Vec<String>, StoreError> {
        self.tx.commit().await?;
        Ok(self.announced)
    }
}

/// Stores an offer as of an event created at `event_created`; an older event (or an earlier
/// lifecycle stage from the same second) never overwrites newer state. Returns whether it
/// was written.
async fn upsert_offer<'e>(
    executor: impl Executor<'e, Database = Any>,
    whole: &Whole<FinancingOffer>,
    event_created: i64,
) -> Result<bool, StoreError> {
    let offer = whole.typed();
    let account = offer
        .account
        .clone()
        .ok_or_else(|| StoreError::OfferWithoutAccount(offer.id.clone()))?;
    let result = sqlx::query(
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
        .execute(executor)
        .await?;
    Ok(result.rows_affected() > 0)
}

/// Records an event id; `false` when it was processed before (webhooks are retried).
async fn record_event<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: &str,
    event_type: &str,
    created: i64,
) -> Result<bool, StoreError> {
    let result = sqlx::query("INSERT INTO processed_events (id, event_type, created) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING")
            .bind(id)
            .bind(event_type)
            .bind(created)
            .execute(executor)
            .await?;
    Ok(result.rows_affected() > 0)
}

/// The offer with `id`, only if it belongs to `account`.
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

/// Marks the stored summary stale: the next view reads a fresh one, and answers this one only
/// while Stripe cannot be reached.
async fn clear_summary<'e>(
    executor: impl Executor<'e, Database = Any>,
    account: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE summaries SET stale = 1 WHERE account = $1")
        .bind(account)
        .execute(executor)
        .await?;
    Ok(())
}

/// `pg_notify` on the changes channel: delivered with `executor`'s commit (PostgreSQL only).
async fn notify_change<'e>(
    executor: impl Executor<'e, Database = Any>,
    account: &str,
) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANGES_CHANNEL)
        .bind(account)
        .execute(executor)
        .await?;
    Ok(())
}

/// A stored body: the object as Stripe sent it.
fn whole<T: serde::de::DeserializeOwned + serde::Serialize>(
    body: &str,
) -> Result<Whole<T>, StoreError> {
    Ok(Whole::from_json(serde_json::from_str(body)?)?)
}
