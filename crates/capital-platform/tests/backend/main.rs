//! The backend's integration suites, as one test binary: one link after a change instead of ten,
//! one copy of the dependencies on disk. Each module is one suite (TESTING.md says which promise
//! it holds); `cargo test -p capital-platform --test backend <module>::` runs one.
//!
//! What they share: [`harness`] (the app in-process, sign-in, the OpenAPI contract check, the
//! PostgreSQL databases, the SMTP sink, the binaries), [`hostile_inputs`] (proptest strategies)
//! and [`server`] (the release binary as a child process, shared with the benches).

mod harness;
mod hostile_inputs;
#[path = "../../benches/support/server.rs"]
mod server;

mod api;
mod faults;
mod hostile;
mod identity;
mod instances;
mod live;
mod offer_emails;
mod operations;
mod stripe_mode;
mod web_security;
mod webhooks;
