//! The offer email's unsubscribe link: `GET` shows a confirmation with a button, `POST` (the
//! button, or a mail client's one-click `List-Unsubscribe-Post`) unsubscribes. The link carries
//! the account and an HMAC of it (`offer_emails::Mailer::unsubscribe_token`): it works without
//! signing in, and only for the account it was made for. Not behind the same-site check: the
//! one-click POST comes from the user's mail client.

use axum::Router;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::routing::get;
use maud::html;
use serde::Deserialize;

use crate::http::error::AppError;
use crate::http::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/email/unsubscribe", get(confirm).post(unsubscribe))
}

#[derive(Deserialize)]
struct Link {
    account: String,
    token: String,
}

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;max-width:480px;margin:48px auto;padding:0 16px;color:#1a1d24}
button{min-height:44px;padding:0 20px;border:0;border-radius:8px;background:#3d4eac;color:#fff;font:inherit;font-weight:650;cursor:pointer}";

fn checked(state: &AppState, link: &Link) -> Result<(), AppError> {
    let mailer = state.mailer.as_ref().ok_or(AppError::NotFound("route"))?;
    if !mailer.token_is_valid(&link.account, &link.token) {
        return Err(AppError::NotFound("unsubscribe link"));
    }
    Ok(())
}

async fn confirm(
    State(state): State<AppState>,
    Query(link): Query<Link>,
) -> Result<Html<String>, AppError> {
    checked(&state, &link)?;
    let business = state.config.business_name().to_owned();
    Ok(Html(
        crate::html::page(
            "Offer emails",
            STYLE,
            html! {
                h1 { "Stop offer emails from " (business) "?" }
                p { "You will no longer get emails about financing offers. Your dashboard still shows them." }
                form method="post" action={ "/email/unsubscribe?account=" (link.account) "&token=" (link.token) } {
                    button type="submit" { "Stop offer emails" }
                }
            },
        )
        .into_string(),
    ))
}

async fn unsubscribe(
    State(state): State<AppState>,
    Query(link): Query<Link>,
) -> Result<Html<String>, AppError> {
    checked(&state, &link)?;
    state
        .store
        .unsubscribe(&link.account, crate::domain::clock::now())
        .await?;
    tracing::info!(account = %link.account, "unsubscribed from offer emails");
    Ok(Html(
        crate::html::page(
            "Offer emails",
            STYLE,
            html! {
                h1 { "Done" }
                p { "You will no longer get emails about financing offers." }
            },
        )
        .into_string(),
    ))
}
