//! `<capital-offer-tile>`: an embeddable Stripe Capital offer widget.
//!
//! The pure modules (`format`, `theme`, `i18n`, `settings`, `link_policy`, `view_model`) build and
//! test natively; everything that touches the DOM is compiled for `wasm32` only.

pub mod card;
pub mod format;
pub mod i18n;
pub mod link_policy;
pub mod settings;
pub mod theme;
pub mod view_model;

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod controller;
#[cfg(target_arch = "wasm32")]
mod delivery;
#[cfg(target_arch = "wasm32")]
pub mod element;
#[cfg(target_arch = "wasm32")]
mod events;
#[cfg(target_arch = "wasm32")]
mod host_state;
#[cfg(target_arch = "wasm32")]
mod intl;
#[cfg(target_arch = "wasm32")]
mod launch;
#[cfg(target_arch = "wasm32")]
mod theme_style;
#[cfg(target_arch = "wasm32")]
mod views;

#[cfg(target_arch = "wasm32")]
pub use element::TileHandle;
#[cfg(target_arch = "wasm32")]
pub use host_state::ElementInternals;

/// Called once when the wasm module starts: report panics on the console (the release build
/// aborts on panic, and a silent abort would be impossible to diagnose on a platform's page).
#[cfg(target_arch = "wasm32")]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&format!("capital-offer-tile: {info}").into());
    }));
}
