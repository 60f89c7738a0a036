//! The element at run time, in the browser: no markup here (that is `views`). The JS shim drives
//! [`element::TileHandle`]; the [`controller::Controller`] owns one element's state and the
//! effects that follow it; the other modules each do one job for it, taking only the narrow input
//! they need.

pub mod api;
pub mod attributes;
pub mod collapsed;
pub mod controller;
pub mod delivery;
pub mod element;
pub mod events;
pub mod host_colours;
pub mod intl;
pub mod launch;
pub mod page_urls;
