//! Pure data and rules: no DOM, no `Intl`, no Leptos. Everything here builds natively and is
//! tested with `cargo test`; the runtime and the views only wire it to the browser.
//! `server_intl` (native only) writes what `Intl` would, for text rendered on a server.

pub mod card;
pub mod colour;
pub mod copy;
pub mod format;
pub mod interface;
pub mod link_policy;
pub mod options;
pub mod palette;
#[cfg(not(target_arch = "wasm32"))]
pub mod server_intl;
pub mod stage;
