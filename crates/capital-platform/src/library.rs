//! The backend as a library, for a Rust platform that mounts the routes into its own axum app
//! and signs its users in its own way (README, "Identity"):
//!
//! ```ignore
//! let capital = CapitalRoutes::new(config).identity(MySessions::new(pool)).build().await?;
//! let app = Router::new().route("/", get(dashboard)).merge(capital);
//! ```
//!
//! The router has the element's routes under `/api/capital`, the webhook endpoint, the offer
//! emails' unsubscribe link and, in sandbox mode, the sandbox; the platform's identity replaces
//! `--identity` (and with it the demo sign-in). The workers (offer emails, retrievals, sandbox
//! events) start with it and live as long as the router.

use axum::Router;

use crate::config::Config;
use crate::http::identity::{Identity, IdentityHandle};
use crate::http::state::AppState;
use crate::startup::StartError;

/// A builder for the backend's routes.
pub struct CapitalRoutes {
    config: Config,
    identity: Option<IdentityHandle>,
}

impl CapitalRoutes {
    /// The routes configured by `config` (the same flags and environment as the binary; parse
    /// them with `capital_platform::Cli`, or build a `Config` in code).
    pub fn new(config: Config) -> CapitalRoutes {
        CapitalRoutes {
            config,
            identity: None,
        }
    }

    /// Who the signed-in user is, the platform's way (instead of `--identity`).
    pub fn identity(mut self, identity: impl Identity) -> CapitalRoutes {
        self.identity = Some(IdentityHandle::new(identity));
        self
    }

    /// Opens the store, starts the workers and returns the router to merge.
    pub async fn build(self) -> Result<Router, StartError> {
        Ok(self.build_with_state().await?.0)
    }

    /// As [`CapitalRoutes::build`], with the state (for tests and tools that reach the store).
    pub async fn build_with_state(self) -> Result<(Router, AppState), StartError> {
        let state = AppState::start(self.config, self.identity).await?;
        Ok((crate::http::router::routes(state.clone()), state))
    }
}
