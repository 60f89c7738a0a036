//! Budgets: what one user, and one instance, may spend of what costs the platform. Both are GCRA
//! rate limiters (governor), in memory, per instance.
//!
//! - **Account Links per account** (`--account-link-burst`, `--account-link-every-seconds`): a
//!   burst of a few, then one every ten seconds. Each link is a call to Stripe and a single-use
//!   credential; a user (or a script holding their session) clicking on and on gets `429` with
//!   `Retry-After`, and the element its retry message.
//! - **Calls to Stripe per instance** (`--stripe-calls-per-second`), in `stripe/client.rs`: every
//!   call of every user shares it, below Stripe's own rate limit (100 operations a second in live
//!   mode, 25 in a sandbox), so one user cannot spend the platform's quota for everyone. A call
//!   waits up to [`STRIPE_BUDGET_WAIT`] for its turn, else it is not made (`503`, `Retry-After`).
//! - **Live streams** (`--max-streams` per instance, `--max-streams-per-session`): counted places
//!   ([`StreamSlots`]), each freed when its stream ends; one more is `429`.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};

/// How long a call to Stripe waits for the instance's budget before it is given up.
pub(crate) const STRIPE_BUDGET_WAIT: Duration = Duration::from_secs(2);

/// Accounts the link budget remembers before it forgets the ones that are full again.
const REMEMBERED_ACCOUNTS: usize = 10_000;

/// Account Links per account.
pub struct LinkBudget {
    limiter: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl LinkBudget {
    /// `burst` links at once, then one every `every`.
    pub fn new(burst: u32, every: Duration) -> LinkBudget {
        let quota = Quota::with_period(every.max(Duration::from_millis(1)))
            .expect("a period above zero")
            .allow_burst(NonZeroU32::new(burst.max(1)).expect("at least one"));
        LinkBudget {
            limiter: RateLimiter::keyed(quota),
            clock: DefaultClock::default(),
        }
    }

    /// Takes one link from `account`'s budget, or says in how many seconds the next one is.
    pub fn take(&self, account: &str) -> Result<(), u64> {
        if self.limiter.len() > REMEMBERED_ACCOUNTS {
            // Bounded: accounts whose budget is full again are as good as new.
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(&account.to_owned())
            .map_err(|not_until| {
                not_until
                    .wait_time_from(self.clock.now())
                    .as_secs_f64()
                    .ceil()
                    .max(1.0) as u64
            })
    }
}

/// Calls to Stripe, per instance.
#[derive(Clone)]
pub struct StripeBudget(Arc<DefaultDirectRateLimiter>);

/// The instance's Stripe budget is spent for now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("this instance's budget of calls to Stripe is spent for now")]
pub struct OverBudget;

impl StripeBudget {
    /// `per_second` calls a second, as a burst too.
    pub fn new(per_second: u32) -> StripeBudget {
        let per_second = NonZeroU32::new(per_second.max(1)).expect("at least one");
        StripeBudget(Arc::new(RateLimiter::direct(Quota::per_second(per_second))))
    }

    /// Waits for one call's turn, at most [`STRIPE_BUDGET_WAIT`].
    pub async fn take(&self) -> Result<(), OverBudget> {
        tokio::time::timeout(STRIPE_BUDGET_WAIT, self.0.until_ready())
            .await
            .map_err(|_| OverBudget)
    }
}

/// A live stream beyond the bounds (`--max-streams`, `--max-streams-per-session`): what the user
/// is told.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TooManyStreams(pub String);

/// Open streams, in total and per session.
#[derive(Default)]
pub struct StreamSlots {
    open: Mutex<(usize, HashMap<String, usize>)>,
}

/// One open stream's place; freed when the stream ends.
pub struct StreamSlot {
    slots: Arc<StreamSlots>,
    session: String,
}

impl StreamSlots {
    /// A place for one more stream of `session`, if both bounds allow it.
    pub fn take(
        self: &Arc<Self>,
        session: &str,
        total: usize,
        per_session: usize,
    ) -> Result<StreamSlot, TooManyStreams> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let of_session = open.1.get(session).copied().unwrap_or(0);
        if of_session >= per_session {
            return Err(TooManyStreams(format!(
                "This session already has {of_session} live streams open; close one first."
            )));
        }
        if open.0 >= total {
            return Err(TooManyStreams(
                "Too many live streams are open right now. Please try again later.".into(),
            ));
        }
        open.0 += 1;
        *open.1.entry(session.to_owned()).or_default() += 1;
        Ok(StreamSlot {
            slots: self.clone(),
            session: session.to_owned(),
        })
    }

    /// Streams open now.
    pub fn open(&self) -> usize {
        self.open.lock().unwrap_or_else(|e| e.into_inner()).0
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.slots.open.lock().unwrap_or_else(|e| e.into_inner());
        open.0 = open.0.saturating_sub(1);
        if let Some(count) = open.1.get_mut(&self.session) {
            *count -= 1;
            if *count == 0 {
                open.1.remove(&self.session);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_gets_a_burst_of_links_then_waits_and_others_are_not_held_back() {
        let budget = LinkBudget::new(3, Duration::from_secs(10));
        for _ in 0..3 {
            assert_eq!(budget.take("acct_1"), Ok(()));
        }
        let wait = budget.take("acct_1").unwrap_err();
        assert!((1..=10).contains(&wait), "{wait}");
        assert_eq!(
            budget.take("acct_2"),
            Ok(()),
            "another account's budget is its own"
        );
    }

    #[tokio::test]
    async fn the_stripe_budget_is_shared_and_refuses_past_its_wait() {
        let budget = StripeBudget::new(1);
        assert_eq!(budget.take().await, Ok(()));
        let started = std::time::Instant::now();
        // The next turn is a second away: within the wait.
        assert_eq!(budget.take().await, Ok(()));
        assert!(started.elapsed() >= Duration::from_millis(900));
    }
}
