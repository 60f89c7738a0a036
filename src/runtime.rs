//! The element at run time, in the browser: no markup here (that is `views`), and nothing of the
//! views either (`element.rs`, above both, mounts them). The JS shim drives `TileHandle`
//! (`element.rs`); the [`controller::Controller`] owns one element's state and the effects that
//! follow it; the other modules each do one job for it, taking only the narrow input they need.

pub(crate) mod api;
pub(crate) mod attributes;
pub(crate) mod controller;
pub(crate) mod custom_states;
pub(crate) mod delivery;
pub(crate) mod events;
pub(crate) mod host_colours;
pub(crate) mod intl;
pub(crate) mod launch;
pub(crate) mod named_colours;
pub(crate) mod page_urls;
pub(crate) mod tile_style;
