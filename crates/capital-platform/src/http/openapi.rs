//! The element's routes as an OpenAPI 3.1 document, for the teams that implement them in their own
//! backend: generated from the very types the routes serve (`capital-types`' `openapi` feature)
//! and the `#[utoipa::path]` of each handler in `http/element.rs`. Served at
//! `GET {api-base}/openapi.json` (no session: it describes the contract, not an account), printed
//! by `capital-platform openapi`, and kept in `docs/openapi.json`, which a test holds current.

use capital_types::{
    AccountLink, AccountLinkRequest, AccountLinkType, ApiError, Branding, ErrorEnvelope,
    FinancingOffer, FinancingSummary, MarkDeliveredRequest, OfferState,
};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, Server};
use utoipa::{Modify, OpenApi};

use crate::http::identity::demo;
use crate::http::state::AppState;

/// `GET {api-base}/openapi.json`.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new().route("/openapi.json", axum::routing::get(serve))
}

/// These routes' contract, for anybody: it names no account.
async fn serve() -> axum::Json<Document> {
    axum::Json(document())
}

/// Where the element's routes live in this backend (the element's `api-base`).
pub const API_BASE: &str = "/api/capital";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "capital-offer-tile platform routes",
        description = "The routes `<capital-offer-tile>` calls on a platform's backend (docs/contract.md, \
section 2), relative to the element's `api-base`. The backend knows which connected account the \
signed-in user belongs to: the element never sends an account id, and the backend ignores one if \
sent. Objects are Stripe's own shapes, passed through whole: clients keep fields they do not know. \
Every non-2xx answer carries Stripe's error envelope.",
        license(name = "MIT OR Apache-2.0"),
    ),
    paths(
        crate::http::element::offer,
        crate::http::element::offer_events,
        crate::http::fragment::offer_fragment,
        crate::http::element::account_links,
        crate::http::element::refresh_link,
        crate::http::element::refresh_link_confirmed,
        crate::http::element::mark_delivered,
    ),
    components(schemas(
        OfferState, FinancingOffer, FinancingSummary, Branding, AccountLink, AccountLinkRequest,
        AccountLinkType, MarkDeliveredRequest, ErrorEnvelope, ApiError,
        crate::http::fragment::Prerendered,
    )),
    security(("session_cookie" = []), ("session_token" = []), ("proxy_header" = [])),
    modifiers(&Identities, &ApiBase),
    tags((name = "element", description = "What `<capital-offer-tile>` asks for.")),
)]
struct ElementRoutes;

/// The three ways a backend may know the signed-in user (README, "Identity"); a route accepts
/// whichever the backend is configured with.
struct Identities;

impl Modify for Identities {
    fn modify(&self, document: &mut Document) {
        let components = document.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                demo::COOKIE,
                &format!(
                    "A cookie session (`--identity demo`, or a platform's own sessions through the \
                     library). Over https the reference backend names it `{}`.",
                    demo::SECURE_COOKIE
                ),
            ))),
        );
        let mut bearer = Http::new(HttpAuthScheme::Bearer);
        bearer.bearer_format = Some("JWT".to_owned());
        bearer.description = Some(
            "A short-lived session token the platform's backend mints for its signed-in user \
             (`--identity token`; the element's `fetchSessionToken`). Read from this header only, \
             never from a query string or a cookie; a `401` makes the element fetch a new one once."
                .to_owned(),
        );
        components.add_security_scheme("session_token", SecurityScheme::Http(bearer));
        components.add_security_scheme(
            "proxy_header",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Capital-Account",
                "An authenticating proxy names the account (`--identity header`): the header is \
                 the one `--identity-header` names (this name is an example), believed only from \
                 `--trusted-proxies`. The browser never sends it.",
            ))),
        );
    }
}

/// The routes are relative to `api-base`; this backend serves them under [`API_BASE`].
struct ApiBase;

impl Modify for ApiBase {
    fn modify(&self, document: &mut Document) {
        let mut server = Server::new(API_BASE);
        server.description = Some(
            "The reference backend's api-base (a platform's own backend chooses its own)"
                .to_owned(),
        );
        document.servers = Some(vec![server]);
    }
}

/// The document.
pub fn document() -> Document {
    ElementRoutes::openapi()
}

/// The document as `docs/openapi.json` holds it: pretty, with a final newline.
pub fn document_json() -> String {
    let mut json = document()
        .to_pretty_json()
        .expect("an OpenAPI document always serializes");
    json.push('\n');
    json
}
