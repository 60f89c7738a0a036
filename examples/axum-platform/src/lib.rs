//! An example platform: its own dashboard, its own sign-in (a signed cookie naming one of its
//! users), and the Capital routes of `capital-platform` mounted beside them with the platform's
//! identity: each of its users belongs to one connected account, and that is the account the
//! element's routes serve. Nothing of `capital-platform` is forked or edited.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Form, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Router, extract::FromRef};
use axum_extra::extract::SignedCookieJar;
use axum_extra::extract::cookie::{Cookie, Key, SameSite};
use capital_platform::{CapitalRoutes, Config, Identity, Refusal, SignedIn, StartError};
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;

/// The platform's own session cookie (its sign-in, not the reference's demo one).
pub const COOKIE: &str = "platform_user";

/// The platform's users and the connected account each belongs to.
#[derive(Clone)]
pub struct Users(Arc<HashMap<String, String>>);

impl Users {
    pub fn new(users: impl IntoIterator<Item = (&'static str, &'static str)>) -> Users {
        Users(Arc::new(
            users
                .into_iter()
                .map(|(user, account)| (user.to_owned(), account.to_owned()))
                .collect(),
        ))
    }

    fn account_of(&self, user: &str) -> Option<&str> {
        self.0.get(user).map(String::as_str)
    }
}

/// The platform's identity for the Capital routes: its own cookie, its own users.
pub struct PlatformSessions {
    key: Key,
    users: Users,
}

impl Identity for PlatformSessions {
    async fn identify(&self, request: &Parts) -> Result<SignedIn, Refusal> {
        let jar = SignedCookieJar::from_headers(&request.headers, self.key.clone());
        let user = jar
            .get(COOKIE)
            .ok_or_else(|| Refusal::not_signed_in("no platform session"))?;
        let account = self
            .users
            .account_of(user.value())
            .ok_or_else(|| Refusal::not_signed_in("no such platform user"))?;
        Ok(SignedIn::account(account).with_session(user.value().to_owned()))
    }
}

#[derive(Clone)]
struct Platform {
    key: Key,
    users: Users,
}

impl FromRef<Platform> for Key {
    fn from_ref(platform: &Platform) -> Key {
        platform.key.clone()
    }
}

/// The platform's app: `/` (its dashboard, with the tile), `/login`, `/logout`, and the Capital
/// routes (`/api/capital/…`, the webhook endpoint, …) from `capital-platform`.
pub async fn app(config: Config, key: Key, users: Users) -> Result<Router, StartError> {
    // The element's embed folder (`trunk build --release`), served by the platform like any asset.
    let embed = tower_http::services::ServeDir::new(config.dist_dir.join("embed"));
    let capital = CapitalRoutes::new(config)
        .identity(PlatformSessions {
            key: key.clone(),
            users: users.clone(),
        })
        .build()
        .await?;
    let platform = Router::new()
        .route("/", get(dashboard))
        .route("/login", post(login))
        .route("/logout", post(logout))
        .nest_service("/embed", embed)
        .with_state(Platform { key, users });
    Ok(platform.merge(capital))
}

fn page(body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "Example platform" }
                script type="module" src="/embed/capital-offer-tile.js" {}
            }
            body { (body) }
        }
    }
}

async fn dashboard(State(platform): State<Platform>, jar: SignedCookieJar) -> Markup {
    let user = jar
        .get(COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|user| platform.users.account_of(user).is_some());
    page(html! {
        @match user {
            Some(user) => {
                h1 { "Welcome back, " (user) }
                capital-offer-tile api-base="/api/capital" {}
                form method="post" action="/logout" { button { "Sign out" } }
            }
            None => {
                h1 { "Sign in to the example platform" }
                form method="post" action="/login" {
                    label { "User " input name="user" autocomplete="username"; }
                    button { "Sign in" }
                }
            }
        }
    })
}

#[derive(Deserialize)]
struct Login {
    user: String,
}

/// The platform's own sign-in (a real platform checks a password or an SSO assertion here).
async fn login(
    State(platform): State<Platform>,
    jar: SignedCookieJar,
    Form(login): Form<Login>,
) -> Response {
    if platform.users.account_of(&login.user).is_none() {
        return (axum::http::StatusCode::UNAUTHORIZED, "unknown user").into_response();
    }
    let cookie = Cookie::build((COOKIE, login.user))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .build();
    (jar.add(cookie), Redirect::to("/")).into_response()
}

async fn logout(jar: SignedCookieJar) -> impl IntoResponse {
    (
        jar.remove(Cookie::build(COOKIE).path("/")),
        Redirect::to("/"),
    )
}
