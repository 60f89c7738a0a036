//! The reference platform backend for `<capital-offer-tile>`: the routes the element calls, Stripe
//! webhooks into a SQLite store, a local Capital sandbox that plays Stripe's side, and a Stripe
//! mode that talks to the real API.

pub mod app;
pub mod approved_copy;
pub mod budgets;
pub mod capital;
pub mod changes;
pub mod cli;
pub mod clock;
pub mod config;
pub mod delivery;
pub mod error;
pub mod extract;
pub mod failpoint;
pub mod followups;
pub mod html;
pub mod identity;
pub mod library;
pub mod live;
pub mod metrics;
pub mod offer_emails;
pub mod openapi;
pub mod origin_check;
pub mod routes;
pub mod sandbox;
pub mod selection;
pub mod serve;
pub mod session;
pub mod shutdown;
pub mod state;
pub mod store;
pub mod stripe_client;
pub mod stripe_reads;
pub mod supervise;
pub mod webhook_signature;
pub mod whole;

pub use app::app;
pub use config::{Cli, Command, Config, IdentityMode, Mode};
pub use identity::{Identity, IdentityHandle, Refusal, SignedIn};
pub use library::CapitalRoutes;
pub use state::{AppState, StartError};
