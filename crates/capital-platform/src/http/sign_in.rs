//! The demo sign-in page (`--identity demo`, sandbox mode only): pick one of the configured
//! connected accounts (`identity/demo.rs` keeps the session). A platform signs its users in its
//! own way instead (`--identity token` or `header`, or its own `Identity`: `http/identity.rs`).

use axum::Router;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum_extra::extract::SignedCookieJar;
use axum_extra::extract::cookie::Cookie;
use maud::{Markup, html};
use serde::Deserialize;

use crate::http::error::AppError;
use crate::http::session::{cookie_name, new_session_id, session_cookie};
use crate::http::state::AppState;

const STYLE: &str = "body{margin:0;min-height:100vh;display:grid;place-items:center;background:#f4f5f8;font:16px/1.5 ui-sans-serif,system-ui,sans-serif;color:#1a1d24}
main{width:min(420px,92vw);padding:28px;background:#fff;border-radius:16px;box-shadow:0 4px 24px rgb(16 24 40/.08)}
form{display:grid;gap:10px} button{display:grid;text-align:left;padding:12px 14px;border:1px solid #dfe2e8;border-radius:10px;background:#fff;font:inherit;cursor:pointer}
button:hover{border-color:#0a7cff} button:focus-visible{border-color:#0a7cff;outline:3px solid #0a7cff;outline-offset:2px}
span{color:#5b6170;font-size:13px}";

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/sign-in", get(page).post(sign_in))
        .route("/sign-out", post(sign_out))
}

async fn page(State(state): State<AppState>) -> Markup {
    let business = state.config.business_name();
    crate::html::page(
        &format!("Sign in · {business}"),
        STYLE,
        html! {
            main {
                h1 { "Sign in to " (business) }
                p { "Demo users: each belongs to one connected account." }
                form method="post" action="/sign-in" {
                    @for account in &state.accounts {
                        button name="account" value=(account.id) {
                            strong { (account.name) }
                            span { (account.id) }
                        }
                    }
                }
            }
        },
    )
}

#[derive(Deserialize)]
struct SignIn {
    account: String,
}

async fn sign_in(
    State(state): State<AppState>,
    jar: SignedCookieJar,
    Form(form): Form<SignIn>,
) -> Result<impl IntoResponse, AppError> {
    if !state.accounts.iter().any(|a| a.id == form.account) {
        return Err(AppError::InvalidRequest("unknown account".into()));
    }
    let secure = state.config.served_over_https();
    let lifetime = state.config.session_hours.saturating_mul(3600);
    // Signing in again ends the browser's previous session on the server: a copy of its old
    // cookie stops working, and sessions do not pile up.
    if let Some(previous) = jar.get(cookie_name(secure)) {
        state.store.end_session(previous.value()).await?;
        state
            .changes
            .announce_session_ended(&state.store, previous.value())
            .await?;
    }
    let id = new_session_id();
    let now = crate::domain::clock::now();
    state
        .store
        .create_session(&id, &form.account, now, now + lifetime)
        .await?;
    Ok((
        jar.add(session_cookie(&id, lifetime, secure)),
        Redirect::to("/sandbox.html"),
    ))
}

/// Ends the session on the server too: the cookie stops working wherever a copy of it is.
async fn sign_out(
    State(state): State<AppState>,
    jar: SignedCookieJar,
) -> Result<impl IntoResponse, AppError> {
    let secure = state.config.served_over_https();
    let name = cookie_name(secure);
    if let Some(cookie) = jar.get(name) {
        state.store.end_session(cookie.value()).await?;
        // Its live streams end now, on every instance.
        state
            .changes
            .announce_session_ended(&state.store, cookie.value())
            .await?;
    }
    Ok((
        jar.remove(Cookie::build(name).path("/").secure(secure)),
        Redirect::to("/sign-in"),
    ))
}
