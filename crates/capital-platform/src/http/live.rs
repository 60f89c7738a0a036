//! `GET {api-base}/offer/events`: the signed-in account's offer state as a server-sent event
//! stream, for the element's `live` mode.
//!
//! On connect the stream sends the current state (the JSON of `GET /offer`), then the new state
//! each time it changes, whatever changed it: a webhook from Stripe, a sandbox action (which is a
//! webhook too), an expiry, a replacement. It follows `services/changes.rs`, so a change committed by any
//! instance reaches every instance's streams. Each event's id is a digest of the state it
//! carries: a client that reconnects with `Last-Event-ID` is sent the current state unless it is
//! the one it already has, so no change is missed and none is sent twice.
//!
//! The publisher never waits for a stream: changes go out on a broadcast channel, and a stream
//! that has fallen behind it (a slow or stuck client) skips to the current state when it is read
//! again. Streams are bounded per session and in total (`--max-streams`,
//! `--max-streams-per-session`); beyond that the answer is `429`. A stream ends when its session
//! does: at once on sign-out (announced to every instance, `services/changes.rs`), to the second at the
//! session's or the token's expiry, and within [`SESSION_CHECK`] of anything else that ends it.
//! After the database's notifications were cut off, every stream reads its state again.

use std::convert::Infallible;
use std::time::Duration;

use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use sha2::{Digest, Sha256};
use tokio::sync::broadcast::error::RecvError;

use crate::domain::budgets::StreamSlot;
use crate::http::state::AppState;
use crate::services::changes::{Change, session_digest};

/// How often a stream checks that its session still lasts.
const SESSION_CHECK: Duration = Duration::from_secs(30);
/// Comments that keep proxies from closing an idle stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// What the element's `EventSource` waits before reconnecting after the stream ends.
const RETRY: Duration = Duration::from_secs(2);

/// The `Last-Event-ID` a reconnecting client sends.
pub(crate) fn last_event_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The stream of `account`'s states for `session`, for a client that has the state `last_sent`.
pub(crate) fn stream(
    state: AppState,
    lasts: crate::http::session::Lasts,
    account: String,
    last_sent: Option<String>,
    slot: StreamSlot,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    // Subscribed before the first read, so that no change between the two is missed.
    let changes = state.changes.subscribe();
    let lasts_expiry = lasts.expires_at;
    let session_digest = lasts.demo_session.as_deref().map(session_digest);
    let live = Live {
        session_digest,
        state,
        lasts,
        account,
        changes,
        last_sent,
        started: false,
        session_check: tokio::time::interval_at(
            tokio::time::Instant::now() + SESSION_CHECK,
            SESSION_CHECK,
        ),
        expires: expiry_instant(lasts_expiry),
        closing: false,
        _slot: slot,
    };
    let events = futures_util::stream::unfold(live, |mut live| async move {
        let event = live.next().await?;
        Some((Ok(event), live))
    });
    Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive"))
}

struct Live {
    state: AppState,
    lasts: crate::http::session::Lasts,
    account: String,
    changes: tokio::sync::broadcast::Receiver<Change>,
    /// The stream's session as changes name it, when it has one to end.
    session_digest: Option<String>,
    /// The id (digest) of the state the client has.
    last_sent: Option<String>,
    started: bool,
    session_check: tokio::time::Interval,
    /// The server is shutting down: the last event (a `retry:` hint) was sent.
    closing: bool,
    /// When the stream's session token expires: the stream ends then, to the second, and the
    /// element comes back with a fresh token.
    expires: Option<tokio::time::Instant>,
    _slot: StreamSlot,
}

/// `expires_at` (unix seconds) as an instant of tokio's clock.
fn expiry_instant(expires_at: Option<u64>) -> Option<tokio::time::Instant> {
    let expires_at = i64::try_from(expires_at?).ok()?;
    let left = expires_at
        .saturating_sub(crate::domain::clock::now())
        .max(0);
    Some(tokio::time::Instant::now() + Duration::from_secs(u64::try_from(left).unwrap_or(0)))
}

impl Live {
    /// The next state to send; `None` ends the stream.
    async fn next(&mut self) -> Option<Event> {
        if self.closing {
            return None;
        }
        if !self.started {
            self.started = true;
            if let Some(event) = self.changed_state().await? {
                return Some(event.retry(RETRY));
            }
        }
        loop {
            tokio::select! {
                change = self.changes.recv() => match change {
                    Ok(Change::Account(account)) if account == self.account => {}
                    Ok(Change::SessionEnded(ended)) if Some(&ended) == self.session_digest.as_ref() => {
                        return None;
                    }
                    // Notifications were lost: the current state covers whatever they said.
                    Ok(Change::Resync) => {}
                    Ok(_) => continue,
                    // Fallen behind: whatever was missed, the current state covers it.
                    Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return None,
                },
                _ = async {
                    match self.expires {
                        Some(at) => tokio::time::sleep_until(at).await,
                        None => std::future::pending().await,
                    }
                } => return None,
                // A graceful shutdown: the element reconnects after `retry`, to another instance.
                () = self.state.shutdown.begun() => {
                    self.closing = true;
                    return Some(Event::default().retry(RETRY).comment("the server is restarting"));
                }
                _ = self.session_check.tick() => {
                    if !self.still_signed_in().await {
                        return None;
                    }
                    continue;
                }
            }
            if let Some(event) = self.changed_state().await? {
                return Some(event);
            }
        }
    }

    /// Whether the stream's user is still signed in: the demo session still open, the token not
    /// expired (the element reconnects with a fresh one).
    async fn still_signed_in(&self) -> bool {
        let now = crate::domain::clock::now();
        if let Some(expires_at) = self.lasts.expires_at
            && u64::try_from(now).is_ok_and(|now| now >= expires_at)
        {
            return false;
        }
        if let Some(session) = &self.lasts.demo_session {
            let current = self.state.store.session_account(session, now).await;
            return matches!(current, Ok(Some(ref account)) if *account == self.account);
        }
        true
    }

    /// The current state as an event, unless the client has it already (`Ok(None)`); `None`
    /// when it cannot be read (the stream ends; the client reconnects).
    async fn changed_state(&mut self) -> Option<Option<Event>> {
        let current = match self.state.offer_view().state(&self.account).await {
            Ok(current) => current,
            Err(error) => {
                tracing::warn!(%error, account = %self.account, "live stream ends");
                return None;
            }
        };
        let text = current.to_string();
        let id = digest(&text);
        if self.last_sent.as_deref() == Some(id.as_str()) {
            return Some(None);
        }
        self.last_sent = Some(id.clone());
        Some(Some(Event::default().event("offer").id(id).data(text)))
    }
}

/// A short digest of a state's JSON: its event id.
fn digest(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..12])
}
