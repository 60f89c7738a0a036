//! The routes `<capital-offer-tile>` calls (contract section 2), for the signed-in account only.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use capital_types::{
    AccountLink, AccountLinkRequest, AccountLinkType, ErrorEnvelope, FinancingOffer,
    MarkDeliveredRequest, OfferState, OfferStatus,
};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::http::error::AppError;
use crate::http::extract::JsonBody;
use crate::http::fragment::{self, PrerenderQuery, TileQuery};
use crate::http::live;
use crate::http::origin_check;
use crate::http::session::{SignedInAccount, SignedInSession};
use crate::http::state::AppState;
use crate::services::capital::CapitalLinkType;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/offer", get(offer))
        .route("/offer/events", get(offer_events))
        .route("/account_links", post(account_links))
        .route(
            "/account_links/refresh",
            get(refresh_link).post(refresh_link_confirmed),
        )
        .route("/offer/mark_delivered", post(mark_delivered))
        .route("/session", get(session))
}

#[utoipa::path(
    get,
    path = "/offer",
    tag = "element",
    operation_id = "getOffer",
    summary = "The signed-in account's offer state",
    description = "The account's current offer (the backend follows replacements to the newest offer and prefers \
in-progress financing over an open offer), the financing summary while financing is in progress, \
the platform's branding and, when the platform has approved text of its own, `copy`. With \
`prerender=tile|banner`, also `prerendered` (the `Prerendered` schema): the tile rendered by the element's \
own views for the element to paint before its wasm, in the locale, colours and link target the other \
parameters give (as `/offer/fragment` takes them). It is absent for a locale whose text only the browser \
can write, and from backends that do not render; the element then renders the state itself.",
    params(PrerenderQuery, TileQuery),
    responses(
        (status = 200, description = "What the element renders", body = OfferState),
        (status = 401, description = "Nobody is signed in (`authentication_error`, `not signed in`).", body = ErrorEnvelope, content_type = "application/json"),
        (status = 502, description = "Stripe could not be reached or answered an error (`api_error`).", body = ErrorEnvelope, content_type = "application/json"),
        (status = 503, description = "Past this instance's budget of calls to Stripe, or its database away for a moment (`api_error`, with `Retry-After`).", body = ErrorEnvelope, content_type = "application/json",
            headers(("Retry-After" = u64, description = "Seconds to wait before asking again"))),
        (status = 500, description = "The backend failed (`api_error`); the element offers a retry.", body = ErrorEnvelope, content_type = "application/json"),
    ),
)]
/// `GET /offer`: the account's current offer, its financing summary while financing is in
/// progress, and the platform's branding. Served from the webhook-fed store; when Stripe is asked
/// is `services/offer_view.rs`'s business.
pub(crate) async fn offer(
    State(state): State<AppState>,
    SignedInAccount(account): SignedInAccount,
    Query(prerender): Query<PrerenderQuery>,
    Query(tile): Query<TileQuery>,
    headers: HeaderMap,
) -> Result<Json<Value>, AppError> {
    let mut value = state.offer_view().state(&account).await?;
    if let Some(tile) = fragment::prerendered(&value, &prerender, &tile, &headers)
        && let Value::Object(members) = &mut value
    {
        members.insert("prerendered".to_owned(), serde_json::to_value(tile)?);
    }
    Ok(Json(value))
}

#[utoipa::path(
    get,
    path = "/offer/events",
    tag = "element",
    operation_id = "getOfferEvents",
    summary = "The offer state as a live stream",
    description = "Server-sent events named `offer`, each carrying in `data` the same JSON as `GET /offer` \
(the `OfferState` schema) and as `id` a digest of that state. On connect the current state is sent, \
unless `Last-Event-ID` is its id; then a new state each time it changes, on any instance. Comments \
keep the connection alive every 15 s; the first event carries `retry: 2000`. The stream ends when \
the session does, when its session token expires, or with a last `retry:` hint when the backend \
shuts down gracefully; the element reconnects.",
    params(("Last-Event-ID" = Option<String>, Header, description = "The id of the last state the client has")),
    responses(
        (status = 200, description = "`text/event-stream` of `offer` events whose `data` is an `OfferState`", content_type = "text/event-stream", body = String),
        (status = 401, description = "Nobody is signed in (`authentication_error`, `not signed in`).", body = ErrorEnvelope, content_type = "application/json"),
        (status = 429, description = "Beyond the streams one session or one instance may hold (`rate_limit_error`)", body = ErrorEnvelope, content_type = "application/json"),
        (status = 500, description = "The backend failed (`api_error`); the element offers a retry.", body = ErrorEnvelope, content_type = "application/json"),
    ),
)]
/// `GET /offer/events`: the same state as a stream, sent again whenever it changes (`http/live.rs`).
pub(crate) async fn offer_events(
    State(state): State<AppState>,
    SignedInSession {
        session,
        account,
        lasts,
    }: SignedInSession,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let slot = state.streams.take(
        &session,
        state.config.max_streams,
        state.config.max_streams_per_session,
    )?;
    let mut response =
        live::stream(state, lasts, account, live::last_event_id(&headers), slot).into_response();
    // Proxies that buffer (nginx) would hold the events back, and so would one that compresses
    // (Next.js's server, Express's `compression`) until its buffer fills: `no-transform` keeps
    // them from touching the stream.
    response.headers_mut().insert(
        "x-accel-buffering",
        axum::http::HeaderValue::from_static("no"),
    );
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store, no-transform"),
    );
    Ok(response)
}

async fn create_link(
    state: &AppState,
    account: &str,
    link_type: AccountLinkType,
) -> Result<AccountLink, AppError> {
    let link_type = CapitalLinkType::try_from(link_type)?;
    state
        .link_budget
        .take(account)
        .map_err(|retry_after| AppError::RateLimited { retry_after })?;
    let public = state.config.public_url.trim_end_matches('/');
    let refresh_url = format!(
        "{public}/api/capital/account_links/refresh?type={}",
        link_type.get().as_str()
    );
    let link = state
        .capital
        .create_account_link(
            account,
            &link_type,
            &refresh_url,
            &state.config.return_url(),
        )
        .await?;
    // The funnel: a link minted for the offer the tile shows (a failure here costs no link).
    match state.store.offers_for_account(account).await {
        Ok(offers) => {
            if let Some(offer) = crate::domain::selection::current_offer(&offers)
                && let Err(error) = state.store.record_link_minted(offer.typed()).await
            {
                tracing::warn!(%error, "the funnel's link_minted was not recorded");
            }
        }
        Err(error) => tracing::warn!(%error, "the funnel's link_minted was not recorded"),
    }
    crate::metrics::link_minted();
    Ok(link)
}

#[utoipa::path(
    post,
    path = "/account_links",
    tag = "element",
    operation_id = "createAccountLink",
    summary = "A fresh Account Link for the signed-in account",
    description = "A single-use, short-lived link into Stripe's hosted pages: `capital_financing_offer` for the \
application, `capital_financing_reporting` for financing in progress. The element opens it at once.",
    request_body(content = AccountLinkRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Stripe's `account_link` object", body = AccountLink),
        (status = 400, description = "The body is not the JSON described (`invalid_request_error`, with `param` where one field is at fault).", body = ErrorEnvelope, content_type = "application/json"),
        (status = 401, description = "Nobody is signed in (`authentication_error`, `not signed in`).", body = ErrorEnvelope, content_type = "application/json"),
        (status = 403, description = "A write from another site: not the platform's page nor one of its configured origins (`invalid_request_error`).", body = ErrorEnvelope, content_type = "application/json"),
        (status = 413, description = "The body is larger than 16 KiB (`invalid_request_error`).", body = ErrorEnvelope, content_type = "application/json"),
        (status = 415, description = "The body is not `application/json` (`invalid_request_error`).", body = ErrorEnvelope, content_type = "application/json"),
        (status = 429, description = "Past the account's Account Link budget: a burst, then one every few seconds (`rate_limit_error`).", body = ErrorEnvelope, content_type = "application/json",
            headers(("Retry-After" = u64, description = "Seconds to wait before asking again"))),
        (status = 502, description = "Stripe could not be reached or answered an error (`api_error`).", body = ErrorEnvelope, content_type = "application/json"),
        (status = 503, description = "Past this instance's budget of calls to Stripe, or its database away for a moment (`api_error`, with `Retry-After`).", body = ErrorEnvelope, content_type = "application/json",
            headers(("Retry-After" = u64, description = "Seconds to wait before asking again"))),
        (status = 500, description = "The backend failed (`api_error`); the element offers a retry.", body = ErrorEnvelope, content_type = "application/json"),
    ),
)]
/// `POST /account_links`: a fresh link for the signed-in account.
pub(crate) async fn account_links(
    State(state): State<AppState>,
    SignedInAccount(account): SignedInAccount,
    JsonBody(request): JsonBody<AccountLinkRequest>,
) -> Result<Json<AccountLink>, AppError> {
    Ok(Json(
        create_link(&state, &account, request.link_type).await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct RefreshQuery {
    /// The type of the link to open again.
    #[serde(rename = "type")]
    #[param(value_type = AccountLinkType)]
    link_type: AccountLinkType,
}

#[utoipa::path(
    get,
    path = "/account_links/refresh",
    tag = "element",
    operation_id = "refreshAccountLink",
    summary = "Where an expired or used Account Link comes back",
    description = "Every link's `refresh_url`. A same-site navigation is redirected to a fresh link. A navigation \
from another site (Stripe's redirect) gets a page whose button asks again from this origin (`POST`), \
so that no other site can mint a link. With a session token, which a navigation does not carry, the \
page leads back to the platform's dashboard.",
    params(RefreshQuery),
    responses(
        (status = 303, description = "To the fresh link", headers(("Location" = String, description = "The new Account Link's URL"))),
        (status = 200, description = "A page to continue from this origin, or back to the dashboard", content_type = "text/html", body = String),
        (status = 400, description = "`type` is not `capital_financing_offer` or `capital_financing_reporting` (`invalid_request_error`).", body = ErrorEnvelope, content_type = "application/json"),
        (status = 401, description = "Nobody is signed in (`authentication_error`, `not signed in`).", body = ErrorEnvelope, content_type = "application/json"),
        (status = 429, description = "Past the account's Account Link budget: a burst, then one every few seconds (`rate_limit_error`).", body = ErrorEnvelope, content_type = "application/json",
            headers(("Retry-After" = u64, description = "Seconds to wait before asking again"))),
        (status = 502, description = "Stripe could not be reached or answered an error (`api_error`).", body = ErrorEnvelope, content_type = "application/json"),
        (status = 503, description = "Past this instance's budget of calls to Stripe, or its database away for a moment (`api_error`, with `Retry-After`).", body = ErrorEnvelope, content_type = "application/json",
            headers(("Retry-After" = u64, description = "Seconds to wait before asking again"))),
        (status = 500, description = "The backend failed (`api_error`); the element offers a retry.", body = ErrorEnvelope, content_type = "application/json"),
    ),
)]
/// The `refresh_url` of every link: an expired or used link comes back here for a new one. A
/// navigation from another site (Stripe's redirect, or any page linking here) does not mint a
/// link by itself: it gets a page whose button asks again from this origin.
///
/// With a session token (`--identity token`) a navigation carries no identity (the token lives in
/// the element's page, not in a cookie): the page then leads back to the platform's dashboard,
/// whose tile opens a fresh link.
pub(crate) async fn refresh_link(
    State(state): State<AppState>,
    signed_in: Result<SignedInAccount, AppError>,
    Query(query): Query<RefreshQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let account = match signed_in {
        Ok(SignedInAccount(account)) => account,
        Err(AppError::Unauthenticated)
            if state.config.identity_mode() == Some(crate::config::IdentityMode::Token) =>
        {
            return Ok(back_to_dashboard_page(&state.config.return_url()).into_response());
        }
        Err(other) => return Err(other),
    };
    if origin_check::cross_site(&headers) {
        return Ok(continue_page(&query.link_type).into_response());
    }
    let link = create_link(&state, &account, query.link_type).await?;
    Ok(Redirect::to(&link.url).into_response())
}

#[utoipa::path(
    post,
    path = "/account_links/refresh",
    tag = "element",
    operation_id = "refreshAccountLinkConfirmed",
    summary = "The continue page's button: a fresh link",
    params(RefreshQuery),
    responses(
        (status = 303, description = "To the fresh link", headers(("Location" = String, description = "The new Account Link's URL"))),
        (status = 400, description = "`type` is not `capital_financing_offer` or `capital_financing_reporting` (`invalid_request_error`).", body = ErrorEnvelope, content_type = "application/json"),
        (status = 401, description = "Nobody is signed in (`authentication_error`, `not signed in`).", body = ErrorEnvelope, content_type = "application/json"),
        (status = 403, description = "A write from another site: not the platform's page nor one of its configured origins (`invalid_request_error`).", body = ErrorEnvelope, content_type = "application/json"),
        (status = 429, description = "Past the account's Account Link budget: a burst, then one every few seconds (`rate_limit_error`).", body = ErrorEnvelope, content_type = "application/json",
            headers(("Retry-After" = u64, description = "Seconds to wait before asking again"))),
        (status = 502, description = "Stripe could not be reached or answered an error (`api_error`).", body = ErrorEnvelope, content_type = "application/json"),
        (status = 503, description = "Past this instance's budget of calls to Stripe, or its database away for a moment (`api_error`, with `Retry-After`).", body = ErrorEnvelope, content_type = "application/json",
            headers(("Retry-After" = u64, description = "Seconds to wait before asking again"))),
        (status = 500, description = "The backend failed (`api_error`); the element offers a retry.", body = ErrorEnvelope, content_type = "application/json"),
    ),
)]
/// The button of [`continue_page`]: a same-origin POST (the Origin check has passed).
pub(crate) async fn refresh_link_confirmed(
    State(state): State<AppState>,
    SignedInAccount(account): SignedInAccount,
    Query(query): Query<RefreshQuery>,
) -> Result<Redirect, AppError> {
    let link = create_link(&state, &account, query.link_type).await?;
    Ok(Redirect::to(&link.url))
}

fn continue_page(link_type: &AccountLinkType) -> Markup {
    crate::html::page(
        "Continue to Stripe",
        "body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:15vh auto;padding:0 1rem}",
        html! {
            h1 { "Your link has expired" }
            p { "Continue to open a new one." }
            form method="post" action={ "?type=" (link_type.as_str()) } {
                button type="submit" { "Continue to Stripe" }
            }
        },
    )
}

fn back_to_dashboard_page(dashboard: &str) -> Markup {
    crate::html::page(
        "Continue on the dashboard",
        "body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:15vh auto;padding:0 1rem}",
        html! {
            h1 { "Your link has expired" }
            p { "Go back to the dashboard and open your financing offer again." }
            p { a href=(dashboard) { "Back to the dashboard" } }
        },
    )
}

#[utoipa::path(
    post,
    path = "/offer/mark_delivered",
    tag = "element",
    operation_id = "markOfferDelivered",
    summary = "Record that the account has seen the offer",
    description = "Called once the offer has been on screen. Idempotent: an offer already delivered is answered \
as it is. Only the signed-in account's own offers: another account's is answered exactly like one \
that does not exist.",
    request_body(content = MarkDeliveredRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The offer as it is now", body = FinancingOffer),
        (status = 400, description = "The body is not the JSON described (`invalid_request_error`, with `param` where one field is at fault).", body = ErrorEnvelope, content_type = "application/json"),
        (status = 401, description = "Nobody is signed in (`authentication_error`, `not signed in`).", body = ErrorEnvelope, content_type = "application/json"),
        (status = 403, description = "A write from another site: not the platform's page nor one of its configured origins (`invalid_request_error`).", body = ErrorEnvelope, content_type = "application/json"),
        (status = 404, description = "No such offer for this account (`invalid_request_error`)", body = ErrorEnvelope, content_type = "application/json"),
        (status = 413, description = "The body is larger than 16 KiB (`invalid_request_error`).", body = ErrorEnvelope, content_type = "application/json"),
        (status = 415, description = "The body is not `application/json` (`invalid_request_error`).", body = ErrorEnvelope, content_type = "application/json"),
        (status = 502, description = "Stripe could not be reached or answered an error (`api_error`).", body = ErrorEnvelope, content_type = "application/json"),
        (status = 503, description = "Past this instance's budget of calls to Stripe, or its database away for a moment (`api_error`, with `Retry-After`).", body = ErrorEnvelope, content_type = "application/json",
            headers(("Retry-After" = u64, description = "Seconds to wait before asking again"))),
        (status = 500, description = "The backend failed (`api_error`); the element offers a retry.", body = ErrorEnvelope, content_type = "application/json"),
    ),
)]
/// `POST /offer/mark_delivered`: idempotent, and only for the signed-in account's own offers.
pub(crate) async fn mark_delivered(
    State(state): State<AppState>,
    SignedInAccount(account): SignedInAccount,
    JsonBody(request): JsonBody<MarkDeliveredRequest>,
) -> Result<Json<Value>, AppError> {
    // Another account's offer is answered exactly like one that does not exist.
    let offer = state
        .store
        .offer_of_account(&request.offer, &account)
        .await?
        .ok_or(AppError::NotFound("financing offer"))?;
    // Already delivered, or delivered only by the offer email here (`--offer-notice email`).
    if offer.typed().status != OfferStatus::Undelivered
        || !state.config.offer_notice.element_marks()
    {
        return Ok(Json(offer.into_json()));
    }
    let updated =
        crate::services::delivery::mark_delivered(&state.capital, &state.store, &offer.typed().id)
            .await?;
    Ok(Json(updated.into_json()))
}

#[derive(Serialize)]
struct Session {
    account: Option<String>,
    name: Option<String>,
}

/// Who is signed in (for the live sandbox page's control panel); nobody is an answer too
/// (`account: null`), not an error, so a signed-out page makes no failed request.
async fn session(
    State(state): State<AppState>,
    signed_in: Result<SignedInAccount, AppError>,
) -> Result<Json<Session>, AppError> {
    let account = match signed_in {
        Ok(SignedInAccount(account)) => account,
        Err(AppError::Unauthenticated) => {
            return Ok(Json(Session {
                account: None,
                name: None,
            }));
        }
        Err(other) => return Err(other),
    };
    let name = state
        .accounts
        .iter()
        .find(|a| a.id == account)
        .map(|a| a.name.clone());
    Ok(Json(Session {
        account: Some(account),
        name,
    }))
}
