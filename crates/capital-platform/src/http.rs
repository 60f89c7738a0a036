//! The HTTP layer: the router, the state the routes share, the one error answered at the edge,
//! extractors, who the user is, same-site checks, and one file per audience (the element, Stripe's
//! webhooks, the demo sign-in, the offer email's unsubscribe link, the sandbox's hosted pages and
//! dashboard tools, probes). Only this layer and startup name [`state::AppState`].

pub mod element;
pub mod email;
pub mod error;
pub mod extract;
pub mod hosted;
pub mod identity;
pub mod live;
pub mod metrics;
pub mod openapi;
pub mod origin_check;
pub mod probes;
pub mod router;
pub mod sandbox_admin;
pub mod serve;
pub mod session;
pub mod sign_in;
pub mod state;
pub mod webhooks;
