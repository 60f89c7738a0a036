//! Pure data and rules: no DOM, no `Intl`, no Leptos. Everything here builds natively and is
//! tested with `cargo test`; the runtime and the views only wire it to the browser.

pub mod card;
pub mod colour;
pub mod copy;
pub mod format;
pub mod interface;
pub mod link_policy;
pub mod options;
pub mod palette;
pub mod stage;
