//! The offer view an account's page sees (`GET /offer`, and each state of the live stream): the
//! current offer, the financing summary while financing is in progress, the branding and the
//! approved copy; and when the backend asks Stripe for it (the README's "Stripe mode" section
//! states these rules for platforms):
//! - An account's offers are listed from Stripe once, the first time the account is viewed (a
//!   cold read), whatever the store already holds: a webhook that arrived first may be only the
//!   latest chapter of the account's history. After a successful list, webhooks keep the store
//!   current and page views do not call Stripe.
//! - Views of one account that arrive together wait for one read (single flight), and answer
//!   what it found. Across instances on one database the cold read is claimed in the database
//!   (`read_claims`): one instance calls Stripe, the others wait for what it stores.
//! - A failed read is remembered for a while, doubling per failure (capped): views in that window
//!   answer without calling Stripe, so an outage never multiplies Stripe calls. The read is tried
//!   again after it, and succeeds as soon as Stripe is back.
//! - The financing summary is read when the store has none or a webhook marked it stale. If Stripe
//!   cannot be reached, the view answers with the last summary it had (stale) or none; never an
//!   error, since the offer itself is in the store.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use capital_types::{Branding, FinancingSummary};
use serde_json::{Value, json};

use crate::config::approved_copy::ApprovedCopy;
use crate::domain::selection;
use crate::domain::whole::Whole;
use crate::services::capital::{Capital, CapitalError};
use crate::store::{Store, StoreError, StoredSummary};

/// Why an account's view could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Capital(#[from] CapitalError),
    /// The same read failed lately with this status (`0`: unreachable), and is not tried again
    /// before its backoff is over.
    #[error("Stripe answered {status} lately")]
    Unavailable { status: u16 },
}

impl ReadError {
    /// The status of a read Stripe failed or could not take, now or lately.
    pub fn unavailable_status(&self) -> Option<u16> {
        match self {
            ReadError::Capital(error) => error.unavailable_status(),
            ReadError::Unavailable { status } => Some(*status),
            ReadError::Store(_) => None,
        }
    }
}

/// What one account's view is read from: a narrow handle over the state (`AppState::offer_view`).
pub struct OfferView<'a> {
    pub store: &'a Store,
    pub capital: &'a Capital,
    pub reads: &'a StripeReads,
    pub branding: Branding,
    pub copy: Option<&'a ApprovedCopy>,
}

impl OfferView<'_> {
    /// What `GET /offer` answers for `account` (the live stream sends the same).
    pub async fn state(&self, account: &str) -> Result<Value, ReadError> {
        if matches!(self.capital, Capital::Stripe(_)) {
            self.ensure_listed(account).await?;
        }
        let offers = self.store.offers_for_account(account).await?;
        let current = selection::current_offer(&offers).map(|o| o.json().clone());
        let summary = match selection::financing_in_progress(&offers) {
            Some(_) => self.summary(account).await?,
            None => None,
        };
        // Stripe's objects whole, as Stripe sent them (newer fields included).
        let mut answer = json!({
            "offer": current,
            "summary": summary.map(Whole::into_json),
            "branding": self.branding,
        });
        if let Some(copy) = self.copy {
            answer["copy"] = json!(copy.get());
        }
        Ok(answer)
    }
}

/// The longest a remembered failure keeps page views from asking Stripe.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// How long a claim on a cold read lasts unless its reader renews it. Short, so that views
/// waiting on an instance that died mid-read (`kill -9`, a lost host) take the read over within
/// seconds; the living reader renews it every [`CLAIM_RENEWAL`] however long Stripe takes.
const CLAIM_SECONDS: i64 = 8;

/// How often a reader renews its claim while its Stripe read runs.
const CLAIM_RENEWAL: Duration = Duration::from_secs(2);

/// How often an instance waiting for another's cold read looks for its result.
const CLAIM_POLL: Duration = Duration::from_millis(50);

/// Per account and kind of read: who is reading now, and what failed lately.
pub struct StripeReads {
    first_backoff: Duration,
    flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    failures: Mutex<HashMap<String, Failure>>,
    /// Accounts known to be listed. Listed stays listed, so once seen here, a view needs no query.
    listed: Mutex<HashSet<String>>,
    /// This instance, as the owner of claimed reads.
    owner: String,
}

struct Failure {
    /// No new attempt before this.
    until: Instant,
    /// Failures in a row, for the doubling.
    count: u32,
    /// What the last attempt answered, to answer again meanwhile.
    status: u16,
}

impl StripeReads {
    pub fn new(first_backoff: Duration) -> Self {
        StripeReads {
            first_backoff,
            flights: Mutex::default(),
            failures: Mutex::default(),
            listed: Mutex::default(),
            owner: format!("instance_{:016x}", rand::random::<u64>()),
        }
    }

    /// This instance's name in the database's claims (reads, jobs).
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Runs `read` for `key` unless another caller is running it (then waits for that one and
    /// returns `None`, as the answer is in the store by then) or it failed lately (then answers
    /// that failure again).
    async fn single_flight<T, F>(&self, key: &str, read: F) -> Result<Option<T>, ReadError>
    where
        F: AsyncFnOnce() -> Result<T, ReadError>,
    {
        let flight = {
            let mut flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
            flights.entry(key.to_owned()).or_default().clone()
        };
        let running = flight.try_lock();
        let result = match running {
            Ok(_guard) => match self.remembered_failure(key) {
                Some(status) => Err(ReadError::Unavailable { status }),
                None => read().await.map(Some),
            },
            // Someone else is reading: wait for them, then the store has what they found.
            Err(_) => {
                let _done = flight.lock().await;
                match self.remembered_failure(key) {
                    Some(status) => Err(ReadError::Unavailable { status }),
                    None => Ok(None),
                }
            }
        };
        match &result {
            Ok(Some(_)) => self.forget_failure(key),
            Err(error) => {
                if let Some(status) = error.unavailable_status() {
                    self.remember_failure(key, status)
                }
            }
            Ok(None) => {}
        }
        let mut flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
        if Arc::strong_count(&flight) <= 2 {
            flights.remove(key);
        }
        result
    }

    fn remembered_failure(&self, key: &str) -> Option<u16> {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures
            .get(key)
            .filter(|f| Instant::now() < f.until)
            .map(|f| f.status)
    }

    fn remember_failure(&self, key: &str, status: u16) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let count = failures.get(key).map_or(0, |f| f.count) + 1;
        if failures.get(key).is_some_and(|f| Instant::now() < f.until) {
            return; // already remembered by the flight that failed
        }
        let delay = self
            .first_backoff
            .saturating_mul(1 << (count - 1).min(16))
            .min(MAX_BACKOFF);
        failures.insert(
            key.to_owned(),
            Failure {
                until: Instant::now() + delay,
                count,
                status,
            },
        );
    }

    fn is_listed(&self, account: &str) -> bool {
        let listed = self.listed.lock().unwrap_or_else(|e| e.into_inner());
        listed.contains(account)
    }

    fn remember_listed(&self, account: &str) {
        let mut listed = self.listed.lock().unwrap_or_else(|e| e.into_inner());
        listed.insert(account.to_owned());
    }

    fn forget_failure(&self, key: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(key);
    }
}

/// Makes sure the account's offers have been listed from Stripe once (see the module's rules).
impl OfferView<'_> {
    async fn ensure_listed(&self, account: &str) -> Result<(), ReadError> {
        if self.reads.is_listed(account) {
            return Ok(());
        }
        if self.store.is_listed(account).await? {
            self.reads.remember_listed(account);
            return Ok(());
        }
        let key = format!("list:{account}");
        self.reads
            .single_flight(&key, async || {
                // The flight before this one may have listed the account meanwhile.
                if self.store.is_listed(account).await? {
                    return Ok(());
                }
                // Another instance may be reading it: then wait for its result, or its claim to
                // lapse (it crashed), instead of calling Stripe too.
                let owner = &self.reads.owner;
                loop {
                    let now = crate::domain::clock::now();
                    if self
                        .store
                        .claim_read(&key, owner, now, now + CLAIM_SECONDS)
                        .await?
                    {
                        break;
                    }
                    tokio::time::sleep(CLAIM_POLL).await;
                    if self.store.is_listed(account).await? {
                        return Ok(());
                    }
                }
                let listed = self.list_renewing(account, &key).await;
                self.store.release_read(&key, owner).await?;
                listed
            })
            .await
            .map(drop)
    }

    /// [`Self::list`] while renewing this instance's claim on the read `key`, so that it
    /// lapses soon after this instance stops (dies), never while it reads.
    async fn list_renewing(&self, account: &str, key: &str) -> Result<(), ReadError> {
        let list = self.list(account);
        tokio::pin!(list);
        let mut renewal = tokio::time::interval(CLAIM_RENEWAL);
        renewal.tick().await; // the first tick is at once; the claim is fresh
        loop {
            tokio::select! {
                listed = &mut list => return listed,
                _ = renewal.tick() => {
                    let now = crate::domain::clock::now();
                    if let Err(error) = self
                        .store
                        .claim_read(key, &self.reads.owner, now, now + CLAIM_SECONDS)
                        .await
                    {
                        tracing::warn!(%error, key, "a cold read's claim could not be renewed");
                    }
                }
            }
        }
    }

    /// Lists the account's offers from Stripe into the store, and marks it listed.
    async fn list(&self, account: &str) -> Result<(), ReadError> {
        let offers = self.capital.list_offers(account).await?;
        for offer in offers {
            // Event time 0: any webhook is newer than this snapshot.
            if offer.typed().account.as_deref() == Some(account) {
                self.store.upsert_offer(&offer, 0).await?;
            }
        }
        self.store
            .mark_listed(account, crate::domain::clock::now())
            .await?;
        Ok(())
    }

    /// The account's financing summary: the stored one while it is fresh, else Stripe's; during an
    /// outage the last one the store had (stale), or none.
    async fn summary(&self, account: &str) -> Result<Option<Whole<FinancingSummary>>, ReadError> {
        let stored = self.store.summary(account).await?;
        if let Some(StoredSummary {
            summary,
            stale: false,
        }) = &stored
        {
            return Ok(Some(summary.clone()));
        }
        let key = format!("summary:{account}");
        let read = self
            .reads
            .single_flight(&key, async || {
                let summary = self.capital.financing_summary(account).await?;
                self.store.put_summary(account, &summary).await?;
                Ok(summary)
            })
            .await;
        let stale = || stored.map(|stored| stored.summary);
        match read {
            Ok(Some(summary)) => Ok(Some(summary)),
            // Another view read it: the store has it now.
            Ok(None) => Ok(self
                .store
                .summary(account)
                .await?
                .map(|stored| stored.summary)
                .or_else(stale)),
            Err(error) if let Some(status) = error.unavailable_status() => {
                tracing::warn!(
                    %error,
                    account,
                    status,
                    "financing summary unavailable; answering the stored one"
                );
                Ok(stale())
            }
            Err(other) => Err(other),
        }
    }
}
