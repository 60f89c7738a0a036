//! The hosted pages Account Links lead to in the sandbox. A link works once and for five
//! minutes; after that it redirects to its `refresh_url`, which mints a new one.

use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use capital_types::{AccountLinkType, OfferStatus};
use serde::Deserialize;

use crate::http::error::AppError;
use crate::http::state::AppState;
use crate::sandbox::machine::Action;
use crate::sandbox::store::LinkState;
use crate::sandbox::{now, pages};

/// An opened application may be submitted for this long after the link was created.
const APPLICATION_WINDOW_SECONDS: i64 = 3600;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/sandbox/hosted/{token}", get(open))
        .route("/sandbox/hosted/{token}/submit", post(submit))
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html("<!doctype html><title>Link not found</title><h1>This link does not exist.</h1>"),
    )
        .into_response()
}

async fn open(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let sandbox = state.sandbox()?;
    let Some(link) = sandbox.link(&token).await? else {
        return Ok(not_found());
    };
    if now() > link.expires_at
        || link.state != LinkState::Fresh
        || !sandbox.advance_link(&token, LinkState::Fresh).await?
    {
        return Ok(Redirect::to(&link.refresh_url).into_response());
    }
    let financings = sandbox.financings(&link.account).await?;
    let page = match link.link_type {
        AccountLinkType::CapitalFinancingOffer => {
            match financings.iter().find(|f| f.offer.status.is_open()) {
                Some(open) => pages::application(&token, &open.offer, &link.return_url),
                None => pages::reporting(
                    &financings,
                    &sandbox.transactions(&link.account).await?,
                    &link.return_url,
                ),
            }
        }
        _ => pages::reporting(
            &financings,
            &sandbox.transactions(&link.account).await?,
            &link.return_url,
        ),
    };
    Ok(Html(page).into_response())
}

#[derive(Deserialize)]
struct Submit {
    advance_amount: i64,
}

async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<Submit>,
) -> Result<Response, AppError> {
    let sandbox = state.sandbox()?;
    let Some(link) = sandbox.link(&token).await? else {
        return Ok(not_found());
    };
    let in_window = now()
        <= link.expires_at - crate::sandbox::LINK_LIFETIME_SECONDS + APPLICATION_WINDOW_SECONDS;
    if link.link_type != AccountLinkType::CapitalFinancingOffer
        || link.state != LinkState::Opened
        || !in_window
    {
        return Ok(Redirect::to(&link.refresh_url).into_response());
    }
    let financings = sandbox.financings(&link.account).await?;
    let open = financings
        .iter()
        .find(|f| f.offer.status.is_open())
        .ok_or(AppError::Conflict("the offer is no longer open".into()))?;
    let accepted = sandbox
        .act(
            &open.offer.id,
            Action::Accept {
                advance_amount: form.advance_amount,
            },
        )
        .await?;
    sandbox.advance_link(&token, LinkState::Opened).await?;
    debug_assert_eq!(accepted.status, OfferStatus::Accepted);
    Ok(Html(pages::submitted(&accepted, &link.return_url)).into_response())
}
