//! Stripe as the platform talks to it in Stripe mode: the API client ([`client`]) and the
//! webhook signature scheme ([`webhook_signature`]), which the sandbox signs its events with too.

pub mod client;
pub mod webhook_signature;
