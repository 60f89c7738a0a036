//! The HTTP layer: the router, the state the routes share, the one error answered at the edge,
//! extractors, who the user is, same-site checks, and one file per audience (the element, Stripe's
//! webhooks, the demo sign-in, the offer email's unsubscribe link, the sandbox's hosted pages and
//! dashboard tools, probes). Only this layer and startup name [`state::AppState`].

pub(crate) mod element;
pub(crate) mod email;
pub(crate) mod error;
pub(crate) mod extract;
pub(crate) mod fragment;
pub(crate) mod hosted;
pub mod identity;
pub(crate) mod live;
pub mod metrics;
pub mod openapi;
pub(crate) mod origin_check;
pub(crate) mod probes;
pub mod router;
pub(crate) mod sandbox_admin;
pub mod serve;
pub(crate) mod session;
pub(crate) mod sign_in;
pub mod state;
pub(crate) mod webhooks;
