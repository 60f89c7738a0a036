//! `<capital-offer-tile>`: an embeddable Stripe Capital offer widget.
//!
//! The pure modules (`format`, `theme`, `i18n`, `settings`, `link_policy`, `view_model`) build and
//! test natively; everything that touches the DOM is compiled for `wasm32` only.

pub mod format;
pub mod i18n;
pub mod link_policy;
pub mod settings;
pub mod theme;
pub mod view_model;
