//! The element at run time, in the browser: no markup here (that is `views`), and nothing of the
//! views either (`element.rs`, above both, mounts them). The JS shim drives `TileHandle`
//! (`element.rs`); the [`controller::Controller`] owns one element's state and the effects that
//! follow it; the other modules each do one job for it, taking only the narrow input they need.

pub mod api;
pub mod attributes;
pub mod collapsed;
pub mod controller;
pub mod delivery;
pub mod events;
pub mod host_colours;
pub mod intl;
pub mod launch;
pub mod page_urls;
