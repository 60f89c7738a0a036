//! `<capital-offer-tile>`: an embeddable Stripe Capital offer widget.
//!
//! Three layers, one folder each:
//! - [`model`]: pure data and rules (attributes, figures, colours, copy, link policy, status →
//!   card). Builds and is tested natively.
//! - `runtime` (wasm only, no markup): the controller that loads and owns the element's state,
//!   the backend calls, `Intl`, events, delivery, launch.
//! - `views` (markup only): Leptos components that render what the model worked out, reading it
//!   through one narrow input (`views::TileSource`).
//!
//! Above them, `element` (wasm only): the handle the JS shim drives, which starts a runtime
//! controller and mounts the views over it, so that neither layer imports the one above; and
//! `server_render` (native, feature `server`), which renders the same views over one state for a
//! backend's first paint.

pub mod model;

/// The element's version, which the npm package carries too.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(target_arch = "wasm32")]
mod element;
#[cfg(target_arch = "wasm32")]
mod runtime;
#[cfg(all(not(target_arch = "wasm32"), feature = "server"))]
pub mod server_render;
#[cfg(any(target_arch = "wasm32", feature = "server"))]
mod views;

#[cfg(target_arch = "wasm32")]
pub use element::TileHandle;
#[cfg(target_arch = "wasm32")]
pub use runtime::custom_states::ElementInternals;

/// talc instead of the default dlmalloc: made for small single-threaded wasm, and smaller
/// (BENCHMARKS.md has the bytes).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// Called once when the wasm module starts: report panics on the console (the release build
/// aborts on panic, and a silent abort would be impossible to diagnose on a platform's page).
#[cfg(target_arch = "wasm32")]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&format!("capital-offer-tile: {info}").into());
    }));
}
