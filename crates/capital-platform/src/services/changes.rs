//! Offer-state changes, as they are committed: an account's id each time a webhook changes what
//! `GET /offer` answers for it, and the end of a session (sign-out), so that its live streams end
//! at once. The live stream of the element and anything else that must follow an account
//! subscribes here.
//!
//! With SQLite (one instance) a change is passed on in-process after its commit. With PostgreSQL
//! (many instances on one database) it travels through the database: the webhook's transaction
//! sends `pg_notify` (delivered with the commit, never for a rollback) and every instance,
//! the sender included, `LISTEN`s and passes what it hears on to its own subscribers. So a
//! webhook received by instance A reaches a stream held by instance B.
//!
//! The LISTEN connection is pinged every [`PING_EVERY`] (a query with a timeout: a connection cut
//! without a word, by a NAT or a failover, is found within seconds, not at the kernel's TCP
//! timeout). When it is lost it is opened again, with backoff, and subscribers are told to
//! [`Change::Resync`]: what was notified during the gap is lost, so every stream reads its
//! account's state again (and sends it only if it changed).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use sqlx::postgres::PgListener;
use tokio::sync::broadcast;

use crate::store::{Backend, CHANGES_CHANNEL, Store, StoreError};

/// How many changes a slow subscriber may fall behind before it is told it lagged.
const BACKLOG: usize = 1024;
/// How often the LISTEN connection is checked, and how long the check may take.
pub const PING_EVERY: Duration = Duration::from_secs(5);
const PING_TIMEOUT: Duration = Duration::from_secs(3);
/// The payload prefix of an ended session on the channel (account ids begin `acct_`).
const SESSION_ENDED: &str = "session_ended:";

/// What subscribers hear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// This account's offer state changed.
    Account(String),
    /// The session with this digest ([`session_digest`]) ended: its streams end.
    SessionEnded(String),
    /// Changes may have been missed (the database's notifications were cut off): read again.
    Resync,
}

impl Change {
    fn from_payload(payload: &str) -> Change {
        match payload.strip_prefix(SESSION_ENDED) {
            Some(digest) => Change::SessionEnded(digest.to_owned()),
            None => Change::Account(payload.to_owned()),
        }
    }
}

/// A session as changes name it: a digest, so the session id (a credential) never travels.
pub fn session_digest(session: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(session.as_bytes())[..16])
}

#[derive(Clone)]
pub struct Changes {
    sender: broadcast::Sender<Change>,
    backend: Backend,
    /// Whether the LISTEN connection is up (PostgreSQL; always on SQLite), for `GET /readyz`.
    listening: Arc<AtomicBool>,
}

impl Changes {
    /// Starts passing changes on; on PostgreSQL, listens on `database_url` (reconnecting after a
    /// lost connection) until the last subscriber and the state are gone.
    pub async fn start(
        backend: Backend,
        database_url: &SecretString,
    ) -> Result<Changes, StoreError> {
        let (sender, _) = broadcast::channel(BACKLOG);
        let listening = Arc::new(AtomicBool::new(true));
        if backend == Backend::Postgres {
            let listener = listen(database_url).await?;
            tokio::spawn(follow(
                listener,
                database_url.clone(),
                sender.downgrade(),
                listening.clone(),
            ));
        }
        Ok(Changes {
            sender,
            backend,
            listening,
        })
    }

    /// Whether changes from other instances reach this one now.
    pub fn is_listening(&self) -> bool {
        self.listening.load(Ordering::Relaxed)
    }

    /// The changes from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.sender.subscribe()
    }

    /// Passes on what a committed transaction announced (`StoreTx::announce`). On PostgreSQL the
    /// database already carries it to every instance, this one included.
    pub fn committed(&self, accounts: Vec<String>) {
        if self.backend == Backend::Sqlite {
            for account in accounts {
                let _ = self.sender.send(Change::Account(account));
            }
        }
    }
}

async fn listen(database_url: &SecretString) -> Result<PgListener, StoreError> {
    let mut listener = PgListener::connect(database_url.expose_secret()).await?;
    listener.listen(CHANGES_CHANNEL).await?;
    Ok(listener)
}

/// Passes on what the database notifies until nobody is left to tell; pings the connection,
/// and opens a new one (then says [`Change::Resync`]) when it is lost.
async fn follow(
    mut listener: PgListener,
    database_url: SecretString,
    sender: broadcast::WeakSender<Change>,
    listening: Arc<AtomicBool>,
) {
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + PING_EVERY, PING_EVERY);
    loop {
        let lost = tokio::select! {
            heard = listener.try_recv() => match heard {
                Ok(Some(notification)) => {
                    let Some(sender) = sender.upgrade() else { return };
                    let _ = sender.send(Change::from_payload(notification.payload()));
                    continue;
                }
                // `None`: the connection was lost (sqlx reconnects on the next call, silently).
                Ok(None) => "the connection was closed".to_owned(),
                Err(error) => error.to_string(),
            },
            _ = ping.tick() => {
                if sender.upgrade().is_none() {
                    return;
                }
                let pinged = tokio::time::timeout(
                    PING_TIMEOUT,
                    sqlx::query("SELECT 1").execute(&mut listener),
                )
                .await;
                match pinged {
                    Ok(Ok(_)) => continue,
                    Ok(Err(error)) => error.to_string(),
                    Err(_) => "no answer to a ping".to_owned(),
                }
            }
        };
        tracing::warn!(
            reason = lost,
            "the database's change notifications were cut off; reconnecting"
        );
        let mut wait = Duration::from_millis(200);
        listener = loop {
            if sender.upgrade().is_none() {
                return;
            }
            match listen(&database_url).await {
                Ok(listener) => break listener,
                Err(error) => {
                    tracing::warn!(%error, "listening for offer changes again");
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(5));
                }
            }
        };
        listening.store(true, Ordering::Relaxed);
        tracing::info!("listening for offer changes again; live streams read their state again");
        let Some(sender) = sender.upgrade() else {
            return;
        };
        let _ = sender.send(Change::Resync);
    }
}

impl Changes {
    /// Announces a change made outside a webhook's transaction: through the database on
    /// PostgreSQL, in-process on SQLite.
    pub async fn announce(&self, store: &Store, account: &str) -> Result<(), StoreError> {
        match self.backend {
            Backend::Postgres => store.notify_change(account).await?,
            Backend::Sqlite => self.committed(vec![account.to_owned()]),
        }
        Ok(())
    }

    /// Announces that a session ended (sign-out, or signing in again), to every instance: its
    /// live streams end at once.
    pub async fn announce_session_ended(
        &self,
        store: &Store,
        session: &str,
    ) -> Result<(), StoreError> {
        let digest = session_digest(session);
        match self.backend {
            Backend::Postgres => {
                store
                    .notify_change(&format!("{SESSION_ENDED}{digest}"))
                    .await?
            }
            Backend::Sqlite => {
                let _ = self.sender.send(Change::SessionEnded(digest));
            }
        }
        Ok(())
    }
}
