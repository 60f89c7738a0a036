//! The signed-in user of a request, as routes take it: [`SignedInAccount`] and, where live streams
//! are counted, [`SignedInSession`]. Both ask the identity in effect (`http/identity.rs`: `--identity`,
//! or the platform's own through the library); the account never comes from a request body, a
//! query string or a path. A refusal is a plain `401 not signed in`; its reason is logged here,
//! never sent.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;

use crate::http::error::AppError;
use crate::http::identity::{Refusal, SignedIn};
use crate::http::state::AppState;

pub(crate) use crate::http::identity::demo::{cookie_name, new_session_id, session_cookie};

/// The signed-in user's connected account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SignedInAccount(pub String);

/// The signed-in user's connected account and what their live streams are counted by (the
/// session where the identity has one, else the account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SignedInSession {
    pub session: String,
    pub account: String,
    /// What an open stream checks now and then: its demo session still open, its token not
    /// expired.
    pub lasts: Lasts,
}

/// How long a signed-in user's proof lasts, for live streams.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Lasts {
    pub demo_session: Option<String>,
    pub expires_at: Option<u64>,
}

async fn signed_in(parts: &Parts, state: &AppState) -> Result<SignedIn, AppError> {
    state
        .identity
        .identify(parts)
        .await
        .map_err(|refusal| match refusal {
            Refusal::NotSignedIn(reason) => {
                tracing::info!(%reason, path = %parts.uri.path(), "not signed in");
                AppError::Unauthenticated
            }
            Refusal::Unavailable(detail) => {
                tracing::warn!(%detail, "the identity cannot tell who this is for the moment");
                AppError::BrieflyUnavailable
            }
        })
}

impl<S> FromRequestParts<S> for SignedInSession
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let signed_in = signed_in(parts, &AppState::from_ref(state)).await?;
        Ok(SignedInSession {
            session: signed_in.stream_key().to_owned(),
            account: signed_in.account_id().to_owned(),
            lasts: Lasts {
                demo_session: signed_in.demo_session_id().map(str::to_owned),
                expires_at: signed_in.expires_at(),
            },
        })
    }
}

impl<S> FromRequestParts<S> for SignedInAccount
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let signed_in = signed_in(parts, &AppState::from_ref(state)).await?;
        Ok(SignedInAccount(signed_in.account_id().to_owned()))
    }
}
