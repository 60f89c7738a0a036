//! Who the signed-in user is: the one place a request's connected account comes from (never a
//! body, a query string or a path), chosen with `--identity` (README, "Identity"):
//! - `demo` ([`demo`]): the reference's sign-in page and server-side sessions. Sandbox mode only:
//!   anybody may pick any configured account there, so Stripe mode refuses to start with it.
//! - `token` ([`token`]): a short-lived JWT the platform's backend mints for its signed-in user,
//!   sent by the element as `Authorization: Bearer …` (`fetchSessionToken`).
//! - `header` ([`header`]): an authenticating proxy in front of the backend names the account in
//!   a header, believed only from the proxies' addresses.
//!
//! A Rust platform that mounts the routes into its own axum app ([`crate::library`]) implements
//! [`Identity`] over its own sessions instead. Whatever the mode, a refusal reaches the browser as
//! a plain `401 not signed in`; why goes to the log.

pub mod demo;
pub mod header;
pub mod token;

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::http::request::Parts;

use crate::config::{Config, IdentityMode, Mode};

pub use crate::domain::accounts::is_account_id;

/// The signed-in user: their connected account and, where the identity has one, the session
/// (live streams are bounded per session, else per account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    account: String,
    session: Option<String>,
    /// When the proof ends (a token's `exp`, unix seconds): live streams end then, and the
    /// element comes back with a fresh token.
    expires_at: Option<u64>,
    /// Whether `session` is a demo session, which streams check is still open.
    demo_session: bool,
}

impl SignedIn {
    /// The user belongs to `account` (`acct_…`; anything else is refused when the request is
    /// served).
    pub fn account(account: impl Into<String>) -> SignedIn {
        SignedIn {
            account: account.into(),
            session: None,
            expires_at: None,
            demo_session: false,
        }
    }

    /// … in the session `session` (an opaque key of the platform's, for per-session bounds).
    pub fn with_session(mut self, session: impl Into<String>) -> SignedIn {
        self.session = Some(session.into());
        self
    }

    /// … until `expires_at` (unix seconds): live streams end then.
    pub fn until(mut self, expires_at: u64) -> SignedIn {
        self.expires_at = Some(expires_at);
        self
    }

    pub(crate) fn demo_session(mut self, session: String) -> SignedIn {
        self.session = Some(session);
        self.demo_session = true;
        self
    }

    pub fn expires_at(&self) -> Option<u64> {
        self.expires_at
    }

    /// The demo session to check while a stream is open, if the identity is the demo sign-in.
    pub(crate) fn demo_session_id(&self) -> Option<&str> {
        self.demo_session
            .then_some(self.session.as_deref())
            .flatten()
    }

    pub fn account_id(&self) -> &str {
        &self.account
    }

    /// What live streams are counted by: the session, or the account without one.
    pub fn stream_key(&self) -> &str {
        self.session.as_deref().unwrap_or(&self.account)
    }
}

/// Why a request has no signed-in user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Nobody, or nobody this backend believes: `401`. The reason is logged, never sent.
    #[error("not signed in: {0}")]
    NotSignedIn(Cow<'static, str>),
    /// The identity could not be checked (its database or key server is away): `503` with
    /// `Retry-After`, as the user may well be signed in and asking again shortly may work.
    #[error("identity unavailable: {0}")]
    Unavailable(String),
}

impl Refusal {
    pub fn not_signed_in(reason: impl Into<Cow<'static, str>>) -> Refusal {
        Refusal::NotSignedIn(reason.into())
    }
}

/// How the backend learns who the user is: from the request's parts (headers, extensions such as
/// `ConnectInfo`), the user's connected account, or a refusal.
pub trait Identity: Send + Sync + 'static {
    fn identify(&self, request: &Parts) -> impl Future<Output = Result<SignedIn, Refusal>> + Send;
}

type Identified<'a> = Pin<Box<dyn Future<Output = Result<SignedIn, Refusal>> + Send + 'a>>;

/// [`Identity`] behind a pointer, so that the state holds whichever the platform chose.
trait ErasedIdentity: Send + Sync {
    fn identify_boxed<'a>(&'a self, request: &'a Parts) -> Identified<'a>;
}

impl<T: Identity> ErasedIdentity for T {
    fn identify_boxed<'a>(&'a self, request: &'a Parts) -> Identified<'a> {
        Box::pin(self.identify(request))
    }
}

/// The identity in effect, shared by every route.
#[derive(Clone)]
pub struct IdentityHandle {
    inner: Arc<dyn ErasedIdentity>,
    /// The demo sign-in, whose routes exist only then.
    demo: bool,
}

impl IdentityHandle {
    pub fn new(identity: impl Identity) -> IdentityHandle {
        IdentityHandle {
            inner: Arc::new(identity),
            demo: false,
        }
    }

    pub(crate) fn demo(identity: demo::DemoSessions) -> IdentityHandle {
        IdentityHandle {
            inner: Arc::new(identity),
            demo: true,
        }
    }

    pub fn is_demo(&self) -> bool {
        self.demo
    }

    /// The signed-in user of `request`, with a well-formed account id.
    pub async fn identify(&self, request: &Parts) -> Result<SignedIn, Refusal> {
        let signed_in = self.inner.identify_boxed(request).await?;
        if !is_account_id(&signed_in.account) {
            return Err(Refusal::not_signed_in(
                "the identity named no well-formed connected account",
            ));
        }
        Ok(signed_in)
    }
}

/// Why `config` cannot run with `--identity`'s choice in Stripe mode, checked before anything
/// else starts: Stripe mode has no way in but the platform's own identity, so `demo` (anybody
/// picks any account) is refused there, and so is starting without `--identity`.
pub(crate) fn refused_in_stripe_mode(config: &Config) -> Option<String> {
    if config.mode != Mode::Stripe {
        return None;
    }
    match config.identity_mode() {
        None => Some(
            "Stripe mode needs --identity token or --identity header (README, \"Identity\"): \
             the demo sign-in lets anybody in as any account"
                .into(),
        ),
        Some(IdentityMode::Demo) => Some(
            "--identity demo is refused in Stripe mode: its sign-in page lets anybody in as any \
             account. Choose --identity token or --identity header (README, \"Identity\")"
                .into(),
        ),
        Some(_) => None,
    }
}

/// The identity `config` asks for, or why the server cannot start with it. Stripe mode's refusals
/// ([`refused_in_stripe_mode`]) are checked before this, when the server starts.
pub(crate) fn from_config(
    config: &Config,
    demo_sessions: impl FnOnce() -> demo::DemoSessions,
) -> Result<IdentityHandle, String> {
    match config.identity_mode() {
        None => Err(refused_in_stripe_mode(config).unwrap_or_else(|| "no --identity".into())),
        Some(IdentityMode::Demo) => Ok(IdentityHandle::demo(demo_sessions())),
        Some(IdentityMode::Token) => {
            let given = [
                config.identity_secret.is_some(),
                config.identity_public_key.is_some(),
                config.identity_jwks_url.is_some(),
            ];
            if given.iter().filter(|g| **g).count() != 1 {
                return Err(
                    "--identity token needs exactly one key: --identity-secret (HS256), \
                     --identity-public-key FILE (EdDSA, ES256 or RS256) or --identity-jwks-url URL"
                        .into(),
                );
            }
            let keys = if let Some(secret) = &config.identity_secret {
                token::SessionTokens::hs256(secret)?
            } else if let Some(path) = &config.identity_public_key {
                let pem = std::fs::read(path)
                    .map_err(|e| format!("--identity-public-key {}: {e}", path.display()))?;
                token::SessionTokens::public_key(&pem)?
            } else {
                let url = config.identity_jwks_url.as_deref().unwrap_or_default();
                token::SessionTokens::jwks(url, token::JWKS_REFRESH_INTERVAL)?
            };
            Ok(IdentityHandle::new(token::SessionTokens::new(
                keys,
                &config.identity_audience(),
                config.identity_max_ttl_seconds,
            )))
        }
        Some(IdentityMode::Header) => {
            let name = config.identity_header.as_deref().ok_or(
                "--identity header needs --identity-header (the header the proxy names the account in)",
            )?;
            let trusted = config
                .trusted_proxies
                .iter()
                .filter(|entry| !entry.trim().is_empty())
                .map(|entry| header::parse_trusted_proxy(entry))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(IdentityHandle::new(header::ProxyHeader::new(
                name, trusted,
            )?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_are_acct_and_letters_and_digits() {
        assert!(is_account_id("acct_1RocketCourier"));
        for bad in [
            "",
            "acct_",
            "acct_1_2",
            "acct_1<script>",
            "ACCT_1",
            "acct_1 ",
            "cus_1",
            "acct_é",
            &format!("acct_{}", "a".repeat(251)),
        ] {
            assert!(!is_account_id(bad), "{bad:?}");
        }
    }
}
