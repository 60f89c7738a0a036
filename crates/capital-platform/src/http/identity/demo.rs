//! `--identity demo`: the reference's sign-in page (`http/sign_in.rs`) picks one of the
//! configured accounts (`--accounts`) and sets a signed cookie holding a random session id; the
//! session lives on the server (the `sessions` table) for `--session-hours` and ends there at
//! sign-out, so a copied cookie stops working then. Anybody may sign in as any configured account,
//! which is why Stripe mode refuses this mode (`startup`).

use axum::http::request::Parts;
use axum_extra::extract::SignedCookieJar;
use axum_extra::extract::cookie::{Cookie, Key, SameSite};

use super::{Identity, Refusal, SignedIn};
use crate::store::{SessionRow, Store};

/// The session cookie over http (local development and the sandbox).
pub const COOKIE: &str = "capital_session";

/// The session cookie over https: the `__Host-` prefix makes the browser refuse it unless it is
/// `Secure`, for `/` and for this host only, so a sibling subdomain cannot plant or shadow it.
pub const SECURE_COOKIE: &str = "__Host-capital_session";

/// The session cookie's name when the platform is served over https (`secure`) or not.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure { SECURE_COOKIE } else { COOKIE }
}

/// The sessions of the demo sign-in.
pub struct DemoSessions {
    pub(crate) store: Store,
    pub(crate) cookie_key: Key,
    /// The configured accounts: a session of an account no longer configured is not a session.
    pub(crate) accounts: Vec<String>,
    /// Served over https: the cookie is `__Host-` prefixed.
    pub(crate) secure: bool,
}

impl Identity for DemoSessions {
    async fn identify(&self, request: &Parts) -> Result<SignedIn, Refusal> {
        let jar = SignedCookieJar::from_headers(&request.headers, self.cookie_key.clone());
        let session = jar
            .get(cookie_name(self.secure))
            .map(|cookie| cookie.value().to_owned())
            .ok_or_else(|| Refusal::not_signed_in("no session cookie"))?;
        let SessionRow {
            account,
            expires_at,
        } = self
            .store
            .session(&session, crate::domain::clock::now())
            .await
            .map_err(|error| Refusal::Unavailable(format!("sessions: {error}")))?
            .ok_or_else(|| Refusal::not_signed_in("the session ended or never was"))?;
        if !self.accounts.contains(&account) {
            return Err(Refusal::not_signed_in(
                "the session's account is no longer configured",
            ));
        }
        // Its live streams end when it expires, to the second.
        let signed_in = SignedIn::account(account).demo_session(session);
        Ok(match u64::try_from(expires_at) {
            Ok(expires_at) => signed_in.until(expires_at),
            Err(_) => signed_in,
        })
    }
}

/// A new session id: 256 random bits.
pub fn new_session_id() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// The cookie for session `id`, for as long as the session lasts; `Secure` when the platform is
/// served over https.
pub fn session_cookie(id: &str, lifetime_seconds: i64, secure: bool) -> Cookie<'static> {
    Cookie::build((cookie_name(secure), id.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(time::Duration::seconds(lifetime_seconds))
        .build()
}
