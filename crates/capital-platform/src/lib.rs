//! The reference platform backend for `<capital-offer-tile>`: the routes the element calls, Stripe
//! webhooks into its own store (SQLite, or PostgreSQL for several instances), a local Capital sandbox that plays Stripe's side, and a Stripe
//! mode that talks to the real API.

pub mod cli;
pub mod config;
pub mod domain;
pub(crate) mod failpoint;
pub(crate) mod html;
pub mod http;
pub mod library;
pub mod metrics;
pub mod sandbox;
pub mod services;
pub mod startup;
pub mod store;
pub mod stripe;
pub mod workers;

pub use cli::{Cli, Command};
pub use config::{Config, IdentityMode, Mode};
pub use http::identity::{Identity, IdentityHandle, Refusal, SignedIn};
pub use http::router::app;
pub use http::state::AppState;
pub use library::CapitalRoutes;
pub use startup::StartError;
