//! `AppState`: everything the routes share, opened once at start (`startup.rs`), and the narrow
//! handles the layers below are given instead of it (`offer_view`, `job_handles`, …).

use std::sync::Arc;

use axum::extract::FromRef;
use axum_extra::extract::cookie::Key;
use secrecy::SecretString;

use crate::config::approved_copy::ApprovedCopy;
use crate::config::{Config, DemoAccount};
use crate::http::error::AppError;
use crate::http::identity::IdentityHandle;
use crate::sandbox::Sandbox;
use crate::services::capital::Capital;
use crate::services::changes::Changes;
use crate::services::offer_emails::{Mailer, OfferEmails};
use crate::services::offer_view::{OfferView, StripeReads};
use crate::services::webhook_ingest::WebhookIngest;
use crate::store::{Store, StoreError};
use crate::workers::shutdown::Shutdown;
use crate::workers::supervise::{JobHandles, Workers};

/// Everything the routes share.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub store: Store,
    pub capital: Capital,
    pub sandbox: Option<Arc<Sandbox>>,
    pub cookie_key: Key,
    pub accounts: Vec<DemoAccount>,
    /// Who is reading what from Stripe, and what failed lately.
    pub reads: StripeReads,
    /// Webhook ingest (`services/webhook_ingest.rs`), for the route and the sandbox's events.
    pub ingest: WebhookIngest,
    /// The platform's approved copy, sent with every offer (`--copy-file`).
    pub copy: Option<ApprovedCopy>,
    /// Offer-state changes as they are committed, from every instance (`services/changes.rs`).
    pub changes: Changes,
    /// Open live streams (`http/live.rs`, bounded by `domain/budgets.rs`).
    pub streams: Arc<crate::domain::budgets::StreamSlots>,
    /// Offer emails (`services/offer_emails.rs`), when `--offer-notice` sends them.
    pub mailer: Option<Arc<Mailer>>,
    /// Who the signed-in user is (`--identity`, or the platform's own: `http/identity.rs`).
    pub identity: IdentityHandle,
    /// What the sandbox CLI proves itself with (sandbox mode only): made once, kept in the
    /// database, written to `--data-dir` and printed at start by `main.rs`.
    pub sandbox_admin_token: Option<SecretString>,
    /// Account Links per account (`domain/budgets.rs`).
    pub link_budget: crate::domain::budgets::LinkBudget,
    /// The supervised workers, and whether each runs (`GET /readyz`).
    pub workers: Arc<Workers>,
    /// Set on SIGTERM (`workers/shutdown.rs`), and when the state is dropped: streams end, the
    /// workers take no new job and return.
    pub shutdown: Shutdown,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // The workers hold no state, only their handles: this is what ends them.
        self.shutdown.begin();
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl FromRef<AppState> for Key {
    fn from_ref(state: &AppState) -> Key {
        state.cookie_key.clone()
    }
}

impl AppState {
    /// Wraps what startup opened (`startup.rs`).
    pub(crate) fn from_inner(inner: Inner) -> AppState {
        AppState(Arc::new(inner))
    }

    /// What an account's view is read from (`GET /offer`, the live stream).
    pub fn offer_view(&self) -> OfferView<'_> {
        OfferView {
            store: &self.store,
            capital: &self.capital,
            reads: &self.reads,
            branding: self.config.branding(),
            copy: self.copy.as_ref(),
        }
    }

    /// What the job workers are handed.
    pub fn job_handles(&self) -> JobHandles {
        JobHandles {
            store: self.store.clone(),
            owner: self.reads.owner().to_owned(),
            lease_seconds: self.config.job_lease_seconds,
            shutdown: self.shutdown.clone(),
            workers: self.workers.clone(),
        }
    }

    /// What sending offer emails uses, when `--offer-notice` sends them.
    pub fn offer_emails(&self) -> Option<OfferEmails> {
        let mailer = self.mailer.clone()?;
        Some(OfferEmails {
            mailer,
            store: self.store.clone(),
            capital: self.capital.clone(),
            public_url: self.config.public_url.clone(),
            branding: self.config.branding(),
            known_emails: Arc::new(
                self.accounts
                    .iter()
                    .filter_map(|a| Some((a.id.clone(), a.email.clone()?)))
                    .collect(),
            ),
        })
    }

    /// Sends the offer emails due now and marks delivered what was sent, at once (the worker does
    /// it every second): for tests that follow one email.
    pub async fn run_due_offer_emails(&self) -> Result<(), StoreError> {
        match self.offer_emails() {
            Some(emails) => {
                crate::workers::offer_emails::run_due(&self.job_handles(), &emails, &self.changes)
                    .await
            }
            None => Ok(()),
        }
    }

    /// Whether `token` is the sandbox CLI's admin token (compared in constant time).
    pub fn is_sandbox_admin_token(&self, token: &str) -> bool {
        use secrecy::ExposeSecret;
        use subtle::ConstantTimeEq;
        self.sandbox_admin_token.as_ref().is_some_and(|expected| {
            bool::from(expected.expose_secret().as_bytes().ct_eq(token.as_bytes()))
        })
    }

    pub fn is_sandbox(&self) -> bool {
        self.sandbox.is_some()
    }

    /// The sandbox, for routes that exist only in sandbox mode.
    pub fn sandbox(&self) -> Result<&Sandbox, AppError> {
        self.sandbox.as_deref().ok_or(AppError::NotFound("route"))
    }
}
