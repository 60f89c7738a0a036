//! The rules that need no I/O: which offer an account's view shows, what an offer notice is, the
//! clock in Stripe's unit, budgets' arithmetic, and Stripe's objects kept whole. Every layer above
//! reads these; they read nothing of the crate but each other.

pub(crate) mod accounts;
pub(crate) mod budgets;
pub mod clock;
pub mod offer_notice;
pub mod selection;
pub(crate) mod whole;
