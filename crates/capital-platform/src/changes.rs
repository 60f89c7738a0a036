//! Offer-state changes, as they are committed: an account's id each time a webhook changes what
//! `GET /offer` answers for it. The live stream of the element (the live-update issue) and
//! anything else that must follow an account subscribes here.
//!
//! With SQLite (one instance) a change is passed on in-process after its commit. With PostgreSQL
//! (many instances on one database) it travels through the database: the webhook's transaction
//! sends `pg_notify` (delivered with the commit, never for a rollback) and every instance,
//! the sender included, `LISTEN`s and passes what it hears on to its own subscribers. So a
//! webhook received by instance A reaches a stream held by instance B.

use std::time::Duration;

use sqlx::postgres::PgListener;
use tokio::sync::broadcast;

use crate::store::{Backend, CHANGES_CHANNEL, StoreError};

/// How many changes a slow subscriber may fall behind before it is told it lagged.
const BACKLOG: usize = 1024;

#[derive(Clone)]
pub struct Changes {
    sender: broadcast::Sender<String>,
    backend: Backend,
}

impl Changes {
    /// Starts passing changes on; on PostgreSQL, listens on `database_url` (reconnecting after a
    /// lost connection) until the last subscriber and the state are gone.
    pub async fn start(backend: Backend, database_url: &str) -> Result<Changes, StoreError> {
        let (sender, _) = broadcast::channel(BACKLOG);
        if backend == Backend::Postgres {
            let mut listener = PgListener::connect(database_url).await?;
            listener.listen(CHANGES_CHANNEL).await?;
            let weak = sender.downgrade();
            tokio::spawn(async move {
                loop {
                    match listener.recv().await {
                        Ok(notification) => {
                            let Some(sender) = weak.upgrade() else { break };
                            let _ = sender.send(notification.payload().to_owned());
                        }
                        Err(error) => {
                            // PgListener reconnects on the next `recv`; changes sent meanwhile are
                            // lost, so subscribers should re-read after a gap (the stream does).
                            tracing::warn!(%error, "listening for offer changes");
                            if weak.upgrade().is_none() {
                                break;
                            }
                            tokio::time::sleep(Duration::from_millis(500)).await;
                        }
                    }
                }
            });
        }
        Ok(Changes { sender, backend })
    }

    /// The accounts changed from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<String> {
        self.sender.subscribe()
    }

    /// Passes on what a committed transaction announced (`StoreTx::announce`). On PostgreSQL the
    /// database already carries it to every instance, this one included.
    pub fn committed(&self, accounts: Vec<String>) {
        if self.backend == Backend::Sqlite {
            for account in accounts {
                let _ = self.sender.send(account);
            }
        }
    }
}

/// Announces a change made outside a webhook's transaction (an offer marked delivered after its
/// email): through the database on PostgreSQL, in-process on SQLite.
pub async fn announce(state: &crate::state::AppState, account: &str) -> Result<(), StoreError> {
    match state.store.backend() {
        Backend::Postgres => state.store.notify_change(account).await?,
        Backend::Sqlite => state.changes.committed(vec![account.to_owned()]),
    }
    Ok(())
}
