//! Who is signed in. The account always comes from here, never from a request body or query.
//!
//! The reference uses a signed cookie set by a small sign-in page that picks one of the demo
//! connected accounts. A platform plugs in its own authentication by replacing
//! [`SignedInAccount::from_request_parts`]: look up the user from its own session and return the
//! connected account (`acct_…`) that user belongs to. Nothing else needs to change.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum_extra::extract::SignedCookieJar;
use axum_extra::extract::cookie::{Cookie, Key, SameSite};

use crate::app::AppState;
use crate::error::AppError;

pub const COOKIE: &str = "capital_session";

/// A connected account a user may sign in as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub id: String,
    pub name: String,
}

/// Parses `acct_1=Name,acct_2=Other` (the `--accounts` flag).
pub fn parse_accounts(text: &str) -> Vec<DemoAccount> {
    text.split(',')
        .filter_map(|entry| {
            let (id, name) = entry.split_once('=').unwrap_or((entry, entry));
            let id = id.trim();
            (id.starts_with("acct_")
                && id.len() > 5
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            .then(|| DemoAccount {
                id: id.to_owned(),
                name: name.trim().to_owned(),
            })
        })
        .collect()
}

/// The signed-in user's connected account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedInAccount(pub String);

impl<S> FromRequestParts<S> for SignedInAccount
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let jar = SignedCookieJar::from_headers(&parts.headers, state.cookie_key.clone());
        let account = jar
            .get(COOKIE)
            .map(|cookie| cookie.value().to_owned())
            .ok_or(AppError::Unauthenticated)?;
        // A cookie for an account that is no longer configured is not a session.
        if !state.accounts.iter().any(|known| known.id == account) {
            return Err(AppError::Unauthenticated);
        }
        Ok(SignedInAccount(account))
    }
}

/// The session cookie for `account`.
pub fn session_cookie(account: &str, secure: bool) -> Cookie<'static> {
    Cookie::build((COOKIE, account.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build()
}

/// The cookie-signing key, persisted so that sessions survive a restart.
pub async fn load_key(store: &crate::store::Store) -> Result<Key, AppError> {
    let fresh: [u8; 64] = rand::random();
    let stored = store
        .setting_or_insert("cookie_key", &hex::encode(fresh))
        .await?;
    let bytes = hex::decode(stored).map_err(|e| AppError::Internal(format!("cookie key: {e}")))?;
    Key::try_from(bytes.as_slice()).map_err(|e| AppError::Internal(format!("cookie key: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_flag_parses_and_refuses_junk() {
        let accounts = parse_accounts(
            "acct_1Rocket=Rocket Rides, acct_2Plain ,not_an_account=X,acct_<script>=Y",
        );
        assert_eq!(
            accounts,
            vec![
                DemoAccount {
                    id: "acct_1Rocket".into(),
                    name: "Rocket Rides".into()
                },
                DemoAccount {
                    id: "acct_2Plain".into(),
                    name: "acct_2Plain".into()
                },
            ]
        );
    }
}
