//! Who is signed in. The account always comes from here, never from a request body or query.
//!
//! The reference keeps sessions on the server (the `sessions` table): a small sign-in page picks
//! one of the demo connected accounts and sets a signed cookie holding a random session id. A
//! session lasts `--session-hours` and ends on the server at sign-out, so a copied cookie stops
//! working then. A platform plugs in its own authentication by replacing
//! [`SignedInAccount::from_request_parts`]: look up the user from its own session and return the
//! connected account (`acct_…`) that user belongs to. Nothing else needs to change.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum_extra::extract::SignedCookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};

use crate::error::AppError;
use crate::state::AppState;

pub const COOKIE: &str = "capital_session";

/// The signed-in user's connected account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedInAccount(pub String);

/// The signed-in user's session and connected account (for what is bounded per session).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedInSession {
    pub session: String,
    pub account: String,
}

impl<S> FromRequestParts<S> for SignedInSession
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    /// The session of the request's session cookie, while it lasts.
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let jar = SignedCookieJar::from_headers(&parts.headers, state.cookie_key.clone());
        let session = jar
            .get(COOKIE)
            .map(|cookie| cookie.value().to_owned())
            .ok_or(AppError::Unauthenticated)?;
        let account = state
            .store
            .session_account(&session, crate::clock::now())
            .await?
            .ok_or(AppError::Unauthenticated)?;
        // A session of an account that is no longer configured is not a session.
        if !state.accounts.iter().any(|known| known.id == account) {
            return Err(AppError::Unauthenticated);
        }
        Ok(SignedInSession { session, account })
    }
}

impl<S> FromRequestParts<S> for SignedInAccount
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let session = SignedInSession::from_request_parts(parts, state).await?;
        Ok(SignedInAccount(session.account))
    }
}

/// A new session id: 256 random bits.
pub fn new_session_id() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// The cookie for session `id`, for as long as the session lasts; `Secure` when the platform is
/// served over https.
pub fn session_cookie(id: &str, lifetime_seconds: i64, secure: bool) -> Cookie<'static> {
    Cookie::build((COOKIE, id.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(time::Duration::seconds(lifetime_seconds))
        .build()
}
