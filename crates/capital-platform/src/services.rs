//! What the platform does, whoever asks: the offer view an account's page sees, webhook ingest,
//! delivery, offer emails, and the changes streams follow. Each service takes the handles it uses
//! (the store, Stripe's side, the change feed) and returns its own error; the HTTP layer turns
//! those into answers, once (`http/error.rs`).

pub(crate) mod capital;
pub mod changes;
pub(crate) mod delivery;
pub mod offer_emails;
pub(crate) mod offer_view;
pub(crate) mod webhook_ingest;
