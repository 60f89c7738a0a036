//! HTTP routes, one file per audience.

pub mod element;
pub mod email;
pub mod hosted;
pub mod probes;
pub mod sandbox_admin;
pub mod sign_in;
pub mod webhooks;
