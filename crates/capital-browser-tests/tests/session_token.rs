//! `fetchSessionToken` in a real browser against the reference backend in `--identity token`:
//! the release element on a page of a stand-in platform whose own route mints the tokens (as a
//! platform's backend does for its signed-in user). Two elements share one token; the live stream
//! is read with the bearer token and follows a change; a token that expires mid-session is
//! fetched again once and the view carries on; a rejecting function is an `auth` error with a
//! retry.
#![cfg(not(target_arch = "wasm32"))]

use capital_browser_tests as harness;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use capital_platform::sandbox::CreateOffer;
use capital_platform::sandbox::machine::Action;
use harness::{Browser, root};

const ROCKET: &str = "acct_1RocketCourier";
const SECRET: &str = "browser-test-identity-secret-0123456789";

/// How the stand-in platform's token route answers.
#[derive(Clone, Copy, PartialEq)]
enum Minting {
    /// A token for ten minutes.
    Fresh,
    /// A token that the backend takes for about two more seconds (exp and the 30 s leeway).
    AboutToExpire,
}

struct StandIn {
    origin: String,
    platform: capital_platform::AppState,
    mints: Arc<AtomicUsize>,
    minting: Arc<Mutex<Minting>>,
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

async fn start() -> StandIn {
    start_with_cors(&[]).await
}

async fn start_with_cors(cors_origins: &[String]) -> StandIn {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let mut config = capital_platform::Config::for_tests();
    config.dist_dir = root().join("dist");
    config.public_url = origin.clone();
    config.identity = Some(capital_platform::IdentityMode::Token);
    config.identity_secret = Some(SECRET.to_owned().into());
    config.cors_origins = cors_origins.to_vec();
    let platform = capital_platform::AppState::new(config).await.unwrap();
    let mints = Arc::new(AtomicUsize::new(0));
    let minting = Arc::new(Mutex::new(Minting::Fresh));
    let secret = secret();
    let audience = origin.clone();
    let (counter, mode) = (mints.clone(), minting.clone());
    // The platform's own route: its user is signed in to it, and it mints for their account.
    let token_route = get(move || {
        let (counter, mode, secret, audience) = (
            counter.clone(),
            mode.clone(),
            secret.clone(),
            audience.clone(),
        );
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            let (iat, ttl) = match *mode.lock().unwrap() {
                Minting::Fresh => (now(), 600),
                Minting::AboutToExpire => (now() - 60, 32),
            };
            let token = capital_platform::http::identity::token::mint_hs256(
                &secret, ROCKET, &audience, iat, ttl,
            )
            .unwrap();
            axum::Json(serde_json::json!({ "token": token })).into_response()
        }
    });
    let router = Router::new()
        .route("/platform/session-token", token_route)
        .route("/platform/dashboard", get(|| async { Html(PAGE) }))
        .merge(capital_platform::app(platform.clone()));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    StandIn {
        origin,
        platform,
        mints,
        minting,
    }
}

impl StandIn {
    /// Gives the account an offer of `amount` (delivered), as the sandbox's dashboard would.
    async fn offer(&self, amount: i64) -> capital_types::FinancingOffer {
        let sandbox = self.platform.sandbox().unwrap();
        sandbox.create_offer(offer(amount)).await.unwrap()
    }

    /// A browser on the platform's dashboard at `origin`.
    async fn open(origin: &str) -> Browser {
        let browser = Browser::start().await;
        let dashboard = format!("{origin}/platform/dashboard");
        browser.client.goto(&dashboard).await.unwrap();
        browser
    }
}

fn secret() -> secrecy::SecretString {
    SECRET.to_owned().into()
}

/// The platform's dashboard: two tiles sharing `api-base`, given the token function before they
/// are connected (so that the module's first `GET /offer` carries it too).
const PAGE: &str = r#"<!doctype html><html><head><meta charset=utf-8><title>dashboard</title>
<script>window.__errors=[];window.__events=[];window.__tokenCalls=0;
addEventListener('error',e=>__errors.push(String(e.message)));
addEventListener('unhandledrejection',e=>__errors.push(String(e.reason)));
for(const n of ['capital-offer-loaded','capital-offer-error'])document.addEventListener(n,e=>__events.push({name:n,id:e.target.id,detail:e.detail}));
window.platformToken=async()=>{__tokenCalls++;const r=await fetch('/platform/session-token');return (await r.json()).token;};
</script>
<script type="module" src="/embed/capital-offer-tile.js"></script>
</head><body style="margin:24px;width:420px"><div id="place"></div>
<script type="module">
for (const id of ['tile', 'second']) {
  const tile = document.createElement('capital-offer-tile');
  tile.id = id;
  tile.fetchSessionToken = window.platformToken;
  document.querySelector('#place').append(tile);
}
</script></body></html>"#;

fn offer(amount: i64) -> CreateOffer {
    serde_json::from_value(serde_json::json!({
        "account": ROCKET, "advance_amount": amount, "fee_amount": amount / 10, "withhold_rate": 0.12, "status": "delivered",
    }))
    .unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn the_element_signs_in_with_a_session_token_and_follows_the_live_stream() {
    let stand_in = start().await;
    let created = stand_in.offer(1_500_000).await;
    let browser = StandIn::open(&stand_in.origin).await;
    assert_eq!(browser.settled("#tile").await, "delivered");
    assert_eq!(browser.settled("#second").await, "delivered");
    assert!(
        browser
            .part_text("#tile", "amount")
            .await
            .contains("15,000")
    );
    // Two elements, one api-base: one token, one call of the platform's function.
    assert_eq!(browser.js("return window.__tokenCalls").await, 1);
    assert_eq!(stand_in.mints.load(Ordering::SeqCst), 1);
    // Nothing but the header carried it: no cookie was set by anyone.
    assert_eq!(browser.js("return document.cookie").await, "");
    browser.save_screenshot("session-token-offer").await;

    // The live stream, read with the bearer token: a change shows by itself.
    stand_in
        .platform
        .sandbox()
        .unwrap()
        .act(
            &created.id,
            Action::Accept {
                advance_amount: 1_500_000,
            },
        )
        .await
        .unwrap();
    browser
        .until("document.querySelector('#tile').shadowRoot.querySelector('[part~=tile]').dataset.status === 'accepted'")
        .await;
    assert_eq!(
        stand_in.mints.load(Ordering::SeqCst),
        1,
        "the stream reused the token"
    );
    assert_eq!(browser.page_errors().await, Vec::<serde_json::Value>::new());
    browser.finish().await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_token_expiring_mid_session_is_fetched_again_once_and_the_view_carries_on() {
    let stand_in = start().await;
    stand_in.offer(2_000_000).await;
    *stand_in.minting.lock().unwrap() = Minting::AboutToExpire;
    let browser = StandIn::open(&stand_in.origin).await;
    assert_eq!(browser.settled("#tile").await, "delivered");
    assert_eq!(stand_in.mints.load(Ordering::SeqCst), 1);
    // The token runs out; the next load gets a 401, fetches one new token, and carries on.
    *stand_in.minting.lock().unwrap() = Minting::Fresh;
    tokio::time::sleep(Duration::from_secs(3)).await;
    browser
        .js("window.__events = []; document.querySelector('#tile').reload();")
        .await;
    browser
        .until("window.__events.some(e => e.name === 'capital-offer-loaded' && e.id === 'tile')")
        .await;
    assert_eq!(browser.status("#tile").await, "delivered");
    assert_eq!(
        stand_in.mints.load(Ordering::SeqCst),
        2,
        "fetched again once"
    );
    assert!(browser.events("capital-offer-error").await.is_empty());
    browser.finish().await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_rejecting_token_function_is_an_auth_error_with_a_retry() {
    let stand_in = start().await;
    stand_in.offer(1_000_000).await;
    let browser = StandIn::open(&stand_in.origin).await;
    browser.settled("#tile").await;
    // The platform's session ended: its function now rejects.
    browser
        .js("window.__events = []; document.querySelector('#tile').fetchSessionToken = () => Promise.reject(new Error('signed out'));")
        .await;
    browser
        .until("window.__events.some(e => e.name === 'capital-offer-error' && e.id === 'tile')")
        .await;
    let error = browser.events("capital-offer-error").await.remove(0);
    assert_eq!(error["detail"]["kind"], "auth", "{error}");
    assert_eq!(browser.status("#tile").await, "error");
    let retry = browser
        .js("return document.querySelector('#tile').shadowRoot.querySelector('button')?.textContent ?? ''")
        .await;
    assert!(
        retry.as_str().unwrap().to_lowercase().contains("try again"),
        "{retry}"
    );
    browser.save_screenshot("session-token-auth-error").await;
    // Signed in again: a working function, and the view comes back.
    browser
        .js("document.querySelector('#tile').fetchSessionToken = window.platformToken;")
        .await;
    browser
        .until("document.querySelector('#tile').shadowRoot.querySelector('[part~=tile]').dataset.status === 'delivered'")
        .await;
    browser.finish().await;
}

/// The dashboard on another origin than the backend: the element's `api-base` is absolute, and
/// the platform's token route lives beside the page.
fn cross_origin_page(api_base: &str) -> String {
    PAGE.replace(
        "tile.fetchSessionToken = window.platformToken;",
        &format!("tile.fetchSessionToken = window.platformToken; tile.apiBase = '{api_base}';"),
    )
}

#[tokio::test(flavor = "current_thread")]
async fn across_origins_the_token_needs_no_cookie_and_the_stream_passes_cors() {
    // The dashboard's origin, known before the backend starts (its --cors-origins).
    let page_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let page_origin = format!("http://{}", page_listener.local_addr().unwrap());
    let stand_in = start_with_cors(std::slice::from_ref(&page_origin)).await;
    let created = stand_in.offer(3_000_000).await;
    let page = cross_origin_page(&format!("{}/api/capital", stand_in.origin));
    let backend = stand_in.origin.clone();
    let dashboard = Router::new()
        .route(
            "/platform/dashboard",
            get(move || async move { Html(page) }),
        )
        // The platform's token route proxies to the stand-in's minting (same secret, same audience).
        .route(
            "/platform/session-token",
            get(move || {
                let backend = backend.clone();
                async move {
                    let answer = get_text(&format!("{backend}/platform/session-token")).await;
                    ([("content-type", "application/json")], answer)
                }
            }),
        )
        .nest_service(
            "/embed",
            tower_http::services::ServeDir::new(root().join("dist/embed")),
        );
    tokio::spawn(async move { axum::serve(page_listener, dashboard).await.unwrap() });

    let browser = StandIn::open(&page_origin).await;
    assert_eq!(browser.settled("#tile").await, "delivered");
    assert!(
        browser
            .part_text("#tile", "amount")
            .await
            .contains("30,000")
    );
    stand_in
        .platform
        .sandbox()
        .unwrap()
        .act(
            &created.id,
            Action::Accept {
                advance_amount: 3_000_000,
            },
        )
        .await
        .unwrap();
    browser
        .until("document.querySelector('#tile').shadowRoot.querySelector('[part~=tile]').dataset.status === 'accepted'")
        .await;
    assert_eq!(stand_in.mints.load(Ordering::SeqCst), 1);
    assert_eq!(browser.page_errors().await, Vec::<serde_json::Value>::new());
    browser.finish().await;
}

/// A GET through hyper's client (as the harness talks to chromedriver), for the page server's
/// token route.
async fn get_text(url: &str) -> String {
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<axum::body::Body>();
    let response = client.get(url.parse().unwrap()).await.unwrap();
    let body = axum::body::to_bytes(axum::body::Body::new(response.into_body()), 64 * 1024)
        .await
        .unwrap();
    String::from_utf8_lossy(&body).into_owned()
}
