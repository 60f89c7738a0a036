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
//!
//! [`Store`] is the pool; [`StoreTx`] one transaction. Their queries live with their tables, each
//! written once: `offers.rs` (offers, summaries, listed accounts, read claims), `events.rs`
//! (processed events, dead letters), `emails.rs` (offer emails, unsubscribes, account addresses),
//! `sessions.rs`, `settings.rs`, `jobs.rs` and `funnel.rs`. A write that may share a transaction
//! is a `StoreTx` method; the `Store` method of the same name runs it in a transaction of its own.

use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Executor, Row, Transaction};
use tokio::sync::OwnedMutexGuard;

use crate::domain::whole::Whole;

mod emails;
mod events;
mod funnel;
mod jobs;
mod offers;
mod sessions;
mod settings;

pub use emails::{EmailMessage, EmailRecord, OfferEmailRow};
pub use events::DeadLetter;
pub use funnel::{FunnelCount, STAGES, stages_reached};
pub use jobs::{Job, JobKind, Retried, backoff_seconds};
pub use offers::StoredSummary;
pub use sessions::SessionRow;

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

impl StoreError {
    /// Whether the database is away for the moment rather than refusing this query: no
    /// connection to be had (refused, cut, the pool's wait over), or PostgreSQL restarting,
    /// shutting down or out of connections. Asked again shortly, the same query may well work:
    /// the edge answers `503` with `Retry-After`, never a `500`.
    pub fn is_unavailable(&self) -> bool {
        let StoreError::Database(error) = self else {
            return false;
        };
        match error {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => true,
            sqlx::Error::Protocol(message) => message.contains("connection"),
            sqlx::Error::Database(error) => error.code().is_some_and(|code| {
                // PostgreSQL's classes 08 (connection exception), 57 (operator intervention:
                // admin shutdown, crash shutdown, cannot connect now) and 53300 (too many
                // connections); SQLite's busy and locked (5, 6).
                code.starts_with("08")
                    || code.starts_with("57")
                    || code == "53300"
                    || code == "5"
                    || code == "6"
            }),
            _ => false,
        }
    }
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

/// One transaction: what a webhook records and applies commits together, or not at all.
pub struct StoreTx {
    tx: Transaction<'static, Any>,
    _turn: Option<OwnedMutexGuard<()>>,
    backend: Backend,
    /// Accounts whose offer state this transaction changes (`announce`).
    announced: Vec<String>,
}

/// The channel PostgreSQL carries offer-state changes on (`services/changes.rs`).
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

    /// Sends a change of `account` on PostgreSQL's channel at once (`services/changes.rs`); for changes
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
            // A database that is away is answered as such (`503`) within a few seconds, rather
            // than holding the request (and the element's skeleton) for longer.
            .acquire_timeout(Duration::from_secs(3))
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
}

impl StoreTx {
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

    /// Makes everything in the transaction permanent at once; returns the accounts announced.
    pub async fn commit(self) -> Result<Vec<String>, StoreError> {
        self.tx.commit().await?;
        Ok(self.announced)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_that_is_away_is_told_from_a_query_that_is_wrong() {
        let away = [
            sqlx::Error::PoolTimedOut,
            sqlx::Error::PoolClosed,
            sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused)),
            sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionReset)),
        ];
        for error in away {
            assert!(StoreError::from(error).is_unavailable());
        }
        let wrong = [
            StoreError::from(sqlx::Error::RowNotFound),
            StoreError::from(sqlx::Error::ColumnNotFound("body".into())),
            StoreError::OfferWithoutAccount("financingoffer_1".into()),
            StoreError::UnsupportedUrl("mysql://".into()),
        ];
        for error in wrong {
            assert!(!error.is_unavailable(), "{error}");
        }
    }
}
