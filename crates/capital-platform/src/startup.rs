//! Startup: opens the store, picks Stripe's side (the sandbox, or the real API) and the identity,
//! checks the configuration (refusing what Stripe mode must not run with, before anything
//! listens), builds the [`AppState`] and starts the workers. For the binary (`main.rs`) and the
//! library (`library.rs`).

use std::sync::Arc;
use std::time::Duration;

use axum_extra::extract::cookie::Key;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::{Mutex, Notify};

use crate::config::approved_copy::ApprovedCopy;
use crate::config::{Config, Mode, SANDBOX_WEBHOOK_SECRET};
use crate::domain::budgets::{LinkBudget, StripeBudget};
use crate::http::identity::{self, IdentityHandle};
use crate::http::state::{AppState, Inner};
use crate::sandbox::store::SandboxStore;
use crate::sandbox::{Sandbox, SandboxEvents};
use crate::services::capital::Capital;
use crate::services::changes::Changes;
use crate::services::offer_emails::Mailer;
use crate::services::offer_view::StripeReads;
use crate::services::webhook_ingest::WebhookIngest;
use crate::store::{Store, StoreError};
use crate::stripe::client::{StripeClient, StripeError};
use crate::workers;
use crate::workers::supervise::supervise;

/// Why the server could not start. Each is a problem with the configuration or the machine,
/// reported before anything listens.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("configuration: {0}")]
    Config(String),
    #[error("data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("Stripe client: {0}")]
    Stripe(#[from] StripeError),
    #[error("session key: {0}")]
    SessionKey(String),
}

impl AppState {
    /// Opens the store and picks Stripe's side (the sandbox, or the real API) and the identity
    /// `--identity` asks for.
    pub async fn new(config: Config) -> Result<AppState, StartError> {
        AppState::start(config, None).await
    }

    /// As [`AppState::new`], with the platform's own identity instead of `--identity`'s when
    /// `identity` is given (the library, `library.rs`).
    pub async fn start(
        config: Config,
        identity: Option<IdentityHandle>,
    ) -> Result<AppState, StartError> {
        if identity.is_none()
            && let Some(refusal) = identity::refused_in_stripe_mode(&config)
        {
            return Err(StartError::Config(refusal));
        }
        check_cors_origins(&config.cors_origins).map_err(StartError::Config)?;
        let copy = match &config.copy_file {
            Some(path) => Some(
                ApprovedCopy::load(path)
                    .map_err(|error| StartError::Config(format!("copy file: {error}")))?,
            ),
            None => None,
        };
        let database_url = config.database_url();
        if let Some(parent) = database_url
            .expose_secret()
            .strip_prefix("sqlite://")
            .and_then(|path| std::path::Path::new(path).parent())
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|source| StartError::DataDir {
                path: parent.display().to_string(),
                source,
            })?;
        }
        let store = Store::open(database_url.expose_secret()).await?;
        let changes = Changes::start(store.backend(), &database_url).await?;
        let (capital, sandbox) = match config.mode {
            Mode::Sandbox => {
                let sandbox_store = SandboxStore::open(store.pool().clone(), store.write_turns());
                let (sandbox, events) = Sandbox::new(
                    sandbox_store,
                    config.stripe_webhook_secret.expose_secret(),
                    &config.public_url,
                );
                let sandbox = Arc::new(sandbox);
                (Capital::Sandbox(sandbox.clone()), Some((sandbox, events)))
            }
            Mode::Stripe => {
                let key = config
                    .stripe_secret_key
                    .clone()
                    .filter(|k| !k.expose_secret().is_empty())
                    .ok_or_else(|| {
                        StartError::Config("Stripe mode needs STRIPE_SECRET_KEY".into())
                    })?;
                if config
                    .business_name
                    .as_deref()
                    .is_none_or(|name| name.trim().is_empty())
                {
                    return Err(StartError::Config(
                        "Stripe mode needs CAPITAL_BUSINESS_NAME (--business-name): your \
                         platform's name, which the tile and the offer emails show your users"
                            .into(),
                    ));
                }
                let secret = config.stripe_webhook_secret.expose_secret().trim();
                if secret.is_empty() || secret == SANDBOX_WEBHOOK_SECRET {
                    return Err(StartError::Config(
                        "Stripe mode needs STRIPE_WEBHOOK_SECRET: the signing secret (whsec_…) of \
                         the webhook endpoint, from Stripe's Dashboard; the sandbox's public \
                         default proves nothing"
                            .into(),
                    ));
                }
                let client = StripeClient::new(
                    &config.stripe_api_base,
                    key,
                    Duration::from_millis(config.stripe_timeout_ms),
                    StripeBudget::new(config.stripe_calls_per_second),
                )?;
                (Capital::Stripe(client), None)
            }
        };
        store.backfill_funnel().await?;
        let cookie_key = load_cookie_key(&store).await?;
        let mailer = if config.offer_notice.sends_email() {
            if config.mode == Mode::Stripe && config.smtp_url.is_none() {
                return Err(StartError::Config(
                    "--offer-notice email or both needs --smtp-url in Stripe mode (or choose \
                     --offer-notice element)"
                        .into(),
                ));
            }
            let fresh: [u8; 32] = rand::random();
            let key = store
                .setting_or_insert("unsubscribe_key", &hex::encode(fresh))
                .await?;
            let key = hex::decode(key).map_err(|e| StartError::SessionKey(e.to_string()))?;
            Some(Arc::new(
                Mailer::new(
                    config.smtp_url.as_ref().map(|url| url.expose_secret()),
                    &config.email_from,
                    Some(config.email_bcc.as_str()).filter(|bcc| !bcc.trim().is_empty()),
                    config.dashboard_url(),
                    key,
                )
                .map_err(|e| StartError::Config(e.to_string()))?,
            ))
        } else {
            None
        };
        let accounts = config.accounts();
        let identity = match identity {
            Some(identity) => identity,
            None => identity::from_config(&config, || identity::demo::DemoSessions {
                store: store.clone(),
                cookie_key: cookie_key.clone(),
                accounts: accounts.iter().map(|a| a.id.clone()).collect(),
                secure: config.served_over_https(),
            })
            .map_err(StartError::Config)?,
        };
        let sandbox_admin_token = match &sandbox {
            Some(_) => Some(load_sandbox_admin_token(&store).await?),
            None => None,
        };
        let retrievals = Arc::new(Notify::new());
        let ingest = WebhookIngest {
            store: store.clone(),
            changes: changes.clone(),
            secret: config.stripe_webhook_secret.clone(),
            retrievals: retrievals.clone(),
            emails: mailer.as_ref().map(|mailer| mailer.wake.clone()),
        };
        let reads = StripeReads::new(Duration::from_millis(config.stripe_backoff_ms));
        let link_budget = LinkBudget::new(
            config.account_link_burst,
            Duration::from_secs(config.account_link_every_seconds),
        );
        let (sandbox, events) = sandbox.unzip();
        let state = AppState::from_inner(Inner {
            config,
            store,
            capital,
            sandbox,
            cookie_key,
            accounts,
            reads,
            ingest,
            copy,
            changes,
            streams: Arc::default(),
            mailer,
            identity,
            sandbox_admin_token,
            link_budget,
            workers: Arc::default(),
            shutdown: Default::default(),
        });
        start_workers(&state, retrievals, events);
        Ok(state)
    }
}

/// Starts the supervised workers, each with exactly the handles it uses; they return once the
/// shutdown begins (SIGTERM, or the state dropped).
fn start_workers(state: &AppState, retrievals: Arc<Notify>, events: Option<SandboxEvents>) {
    let jobs = state.job_handles();
    if let (Some(emails), Some(mailer)) = (state.offer_emails(), &state.mailer) {
        let (jobs, changes, wake) = (jobs.clone(), state.changes.clone(), mailer.wake.clone());
        supervise("offer emails", &state.workers, move || {
            workers::offer_emails::run(jobs.clone(), emails.clone(), changes.clone(), wake.clone())
        });
    }
    let (retrieval_jobs, capital) = (jobs.clone(), state.capital.clone());
    supervise("follow-ups", &state.workers, move || {
        workers::retrievals::run(retrieval_jobs.clone(), capital.clone(), retrievals.clone())
    });
    if let Some(events) = events {
        // The queue outlives a panicked delivery: the restarted worker drains the same one.
        let (ingest, events) = (state.ingest.clone(), Arc::new(Mutex::new(events)));
        let shutdown = state.shutdown.clone();
        supervise("sandbox events", &state.workers, move || {
            workers::sandbox_events::run(ingest.clone(), events.clone(), shutdown.clone())
        });
    }
}

/// `--cors-origins` as origins: `scheme://host[:port]` each. A wildcard would let any site read an
/// account's offer with its user's credentials (and tower-http refuses it with a panic).
fn check_cors_origins(origins: &[String]) -> Result<(), String> {
    for origin in origins.iter().map(|o| o.trim()).filter(|o| !o.is_empty()) {
        let parsed = reqwest::Url::parse(origin).ok();
        let is_origin = parsed.as_ref().is_some_and(|url| {
            matches!(url.scheme(), "http" | "https")
                && url.host_str().is_some()
                && url.path() == "/"
                && url.query().is_none()
                && url.username().is_empty()
                && !origin.ends_with('/')
        });
        if origin.contains('*') || !is_origin {
            return Err(format!(
                "--cors-origins {origin:?}: list each origin that embeds the element as \
                 scheme://host[:port] (https://dashboard.example); a wildcard would let any site \
                 read your users' offers"
            ));
        }
    }
    Ok(())
}

/// The sandbox CLI's admin token, persisted so that a restart keeps the one it was given.
async fn load_sandbox_admin_token(store: &Store) -> Result<SecretString, StartError> {
    let fresh = format!("sbx_admin_{}", hex::encode(rand::random::<[u8; 24]>()));
    Ok(SecretString::from(
        store
            .setting_or_insert("sandbox_admin_token", &fresh)
            .await?,
    ))
}

/// The cookie-signing key, persisted so that sessions survive a restart.
async fn load_cookie_key(store: &Store) -> Result<Key, StartError> {
    let fresh: [u8; 64] = rand::random();
    let stored = store
        .setting_or_insert("cookie_key", &hex::encode(fresh))
        .await?;
    let bytes = hex::decode(stored).map_err(|e| StartError::SessionKey(e.to_string()))?;
    Key::try_from(bytes.as_slice()).map_err(|e| StartError::SessionKey(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::check_cors_origins;

    #[test]
    fn cors_origins_are_origins_and_never_a_wildcard() {
        let ok = |list: &[&str]| {
            check_cors_origins(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        };
        assert!(ok(&["https://dashboard.example", "http://localhost:5173", ""]).is_ok());
        for bad in [
            "*",
            "https://*.example",
            "dashboard.example",
            "https://dashboard.example/",
            "https://dashboard.example/path",
            "ftp://x.example",
            "null",
        ] {
            assert!(ok(&[bad]).is_err(), "{bad}");
        }
    }
}
