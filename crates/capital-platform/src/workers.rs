//! The background workers: retrievals of replaced offers, offer emails and mark-delivered, and
//! the sandbox's events. Each is supervised (a panic restarts it), handed exactly the handles it
//! uses, and stopped by one shutdown signal.

pub(crate) mod offer_emails;
pub(crate) mod retrievals;
pub(crate) mod sandbox_events;
pub(crate) mod shutdown;
pub mod supervise;
