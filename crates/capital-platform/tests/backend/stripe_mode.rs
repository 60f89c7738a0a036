//! Stripe mode against a fake Stripe written here: the platform calls Stripe exactly as the
//! seeds show (method, path, auth, headers, form bodies), retries with one idempotency key, and
//! serves `GET /offer` from its store after the first (cold) read.

use crate::harness;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::IntoResponse;
use capital_platform::{Config, Mode};
use harness::{ROCKET, TestApp};
use serde_json::{Value, json};

#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    uri: String,
    headers: HeaderMap,
    body: String,
}

#[derive(Default)]
struct Fake {
    seen: Vec<Seen>,
    /// Answer the next N account link requests with a 500.
    fail_links: usize,
    /// Answer the next N account link requests with a 429.
    throttle_links: usize,
    /// Let account link requests hang this long.
    stall_links: Duration,
    /// What listing the account's offers answers, instead of the one paid-out offer.
    list: Option<Vec<Value>>,
    /// Let listing hang this long.
    stall_lists: Duration,
    /// Answer the next N list requests with a 500.
    fail_lists: usize,
    /// Answer the next N summary requests with a 500.
    fail_summaries: usize,
    /// Answer account link requests with this 4xx and a raw message.
    refuse_links: Option<StatusCode>,
    /// Let retrieving one offer hang this long.
    stall_retrievals: Duration,
    /// What marking an offer delivered answers, instead of the paid-out offer.
    delivered: Option<Value>,
}

type Shared = Arc<Mutex<Fake>>;

async fn fake(
    State(fake): State<Shared>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    // Decide the answer under the lock; stall (if asked to) only after releasing it.
    let (status, body, stall) = {
        let mut guard = fake.lock().unwrap();
        guard.seen.push(Seen {
            method: method.clone(),
            uri: uri.to_string(),
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        });
        let path = uri.path();
        let offer = json!({"id": "financingoffer_live1", "object": "capital.financing_offer", "account": ROCKET, "status": "paid_out",
                           "created": 1_795_000_000, "expires_after": 1.8e9,
                           "accepted_terms": {"advance_amount": 100000, "currency": "usd", "fee_amount": 10000, "withhold_rate": 0.1}});
        let link = json!({"object": "account_link", "created": 1, "expires_at": 301, "url": "https://connect.stripe.com/capital/offer/xyz"});
        let boom = || {
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"error": {"type": "api_error", "message": "boom"}}),
            )
        };
        let (status, body) = match (method, path) {
            (Method::GET, "/v1/capital/financing_offers") if guard.fail_lists > 0 => {
                guard.fail_lists -= 1;
                boom()
            }
            (Method::GET, "/v1/capital/financing_offers") => (
                StatusCode::OK,
                json!({"object": "list", "data": guard.list.clone().unwrap_or_else(|| vec![offer.clone()]), "has_more": false}),
            ),
            (Method::GET, "/v1/capital/financing_summary") if guard.fail_summaries > 0 => {
                guard.fail_summaries -= 1;
                boom()
            }
            (Method::GET, "/v1/capital/financing_summary") => (
                StatusCode::OK,
                json!({"object": "capital.financing_summary",
                "details": {"advance_amount": 100000, "currency": "usd", "fee_amount": 10000, "paid_amount": 2500, "remaining_amount": 107500, "withhold_rate": 0.1}}),
            ),
            (Method::GET, "/v1/capital/financing_offers/financingoffer_old") => (
                StatusCode::OK,
                json!({
                "id": "financingoffer_old", "object": "capital.financing_offer", "account": ROCKET, "status": "replaced",
                "replacement": "financingoffer_new", "created": 1_795_000_000, "expires_after": 1.8e9}),
            ),
            (Method::POST, "/v1/account_links") if guard.throttle_links > 0 => {
                guard.throttle_links -= 1;
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    json!({"error": {"type": "rate_limit_error", "message": "slow down"}}),
                )
            }
            (Method::POST, "/v1/account_links") if guard.refuse_links.is_some() => (
                guard.refuse_links.unwrap(),
                json!({"error": {"type": "invalid_request_error", "message": "secret internal detail: key sk_live_… lacks permission"}}),
            ),
            (Method::POST, "/v1/account_links") if guard.fail_links > 0 => {
                guard.fail_links -= 1;
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!({"error": {"type": "api_error", "message": "boom"}}),
                )
            }
            (Method::POST, "/v1/account_links") => (StatusCode::OK, link),
            (Method::GET, p) if p.starts_with("/v1/accounts/") => (
                StatusCode::OK,
                json!({"id": p.trim_start_matches("/v1/accounts/"), "object": "account", "email": "finance@rocketcourier.example"}),
            ),
            (Method::POST, p) if p.ends_with("/mark_delivered") => {
                (StatusCode::OK, guard.delivered.clone().unwrap_or(offer))
            }
            _ => (
                StatusCode::NOT_FOUND,
                json!({"error": {"type": "invalid_request_error"}}),
            ),
        };
        let stall = match path {
            "/v1/account_links" => guard.stall_links,
            "/v1/capital/financing_offers" => guard.stall_lists,
            p if p.starts_with("/v1/capital/financing_offers/")
                && !p.ends_with("/mark_delivered") =>
            {
                guard.stall_retrievals
            }
            _ => Duration::ZERO,
        };
        (status, body, stall)
    };
    tokio::time::sleep(stall).await;
    (status, axum::Json(body))
}

async fn start_fake() -> (String, Shared) {
    let shared: Shared = Arc::default();
    let router = Router::new().fallback(fake).with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{address}"), shared)
}

/// A fake Stripe, a Stripe-mode app on it, and a session of ROCKET.
async fn signed_in_stripe_app() -> (TestApp, Shared, String) {
    let (api, fake) = start_fake().await;
    let app = stripe_app(&api).await;
    let cookie = app.sign_in(ROCKET).await;
    (app, fake, cookie)
}

/// The webhook secret of the Stripe-mode apps here (Stripe mode refuses the sandbox's).
const STRIPE_MODE_SECRET: &str = "whsec_stripe_mode_test_5f3a";

async fn stripe_app(api_base: &str) -> TestApp {
    stripe_app_with_backoff(api_base, 2_000).await
}

async fn stripe_app_with_backoff(api_base: &str, backoff_ms: u64) -> TestApp {
    stripe_app_on(api_base, backoff_ms, None).await
}

/// A Stripe-mode app; on `database_url` when given (instances sharing a database).
async fn stripe_app_on(api_base: &str, backoff_ms: u64, database_url: Option<&str>) -> TestApp {
    TestApp::with_config(stripe_config(api_base, backoff_ms, database_url)).await
}

/// The configuration of [`stripe_app_on`]: Stripe's requests time out after 300 ms.
fn stripe_config(api_base: &str, backoff_ms: u64, database_url: Option<&str>) -> Config {
    let mut config = Config::for_tests();
    if let Some(url) = database_url {
        config.database_url = Some(url.to_owned().into());
    }
    config.stripe_backoff_ms = backoff_ms;
    config.mode = Mode::Stripe;
    config.business_name = Some("Rocket Rides".into());
    config = harness::with_token_identity(config);
    config.stripe_secret_key = Some("sk_test_123".into());
    config.stripe_webhook_secret = STRIPE_MODE_SECRET.into();
    config.stripe_api_base = api_base.to_owned();
    config.public_url = "https://platform.example".into();
    config.stripe_timeout_ms = 300;
    config
}

fn header<'a>(seen: &'a Seen, name: &str) -> &'a str {
    seen.headers
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

#[tokio::test]
async fn stripe_is_called_as_the_seeds_show() {
    let (app, fake, cookie) = signed_in_stripe_app().await;

    let state = app.offer_state(&cookie).await;
    assert_eq!(state["offer"]["id"], "financingoffer_live1");
    assert_eq!(state["summary"]["details"]["paid_amount"], 2500);
    {
        let seen = fake.lock().unwrap().seen.clone();
        assert_eq!(seen.len(), 2, "{seen:?}");
        let list = &seen[0];
        assert_eq!(list.method, Method::GET);
        assert_eq!(
            list.uri,
            format!("/v1/capital/financing_offers?connected_account={ROCKET}&limit=100")
        );
        assert_eq!(
            header(list, "authorization"),
            "Basic c2tfdGVzdF8xMjM6",
            "basic auth with the secret key"
        );
        assert_eq!(
            header(list, "stripe-version"),
            capital_platform::stripe::client::STRIPE_VERSION
        );
        let summary = &seen[1];
        assert_eq!(summary.uri, "/v1/capital/financing_summary");
        assert_eq!(header(summary, "stripe-account"), ROCKET);
    }
    // Page views after that are served from the store: no more calls to Stripe.
    for _ in 0..5 {
        app.offer_state(&cookie).await;
    }
    assert_eq!(fake.lock().unwrap().seen.len(), 2);

    // Account links: a form-encoded POST, retried after a 500 with the same idempotency key.
    fake.lock().unwrap().fail_links = 1;
    let answer = app
        .post_json(
            "/api/capital/account_links",
            Some(&cookie),
            json!({"type": "capital_financing_reporting"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(
        answer.json()["url"],
        "https://connect.stripe.com/capital/offer/xyz"
    );
    let seen = fake.lock().unwrap().seen.clone();
    let links: Vec<&Seen> = seen
        .iter()
        .filter(|s| s.uri == "/v1/account_links")
        .collect();
    assert_eq!(links.len(), 2, "one retry");
    assert_eq!(
        header(links[0], "content-type"),
        "application/x-www-form-urlencoded"
    );
    assert!(!header(links[0], "idempotency-key").is_empty());
    assert_eq!(
        header(links[0], "idempotency-key"),
        header(links[1], "idempotency-key")
    );
    let form: Vec<(String, String)> = serde_urlencoded::from_str(&links[1].body).unwrap();
    assert_eq!(form, vec![
        ("account".to_owned(), ROCKET.to_owned()),
        ("refresh_url".to_owned(), "https://platform.example/api/capital/account_links/refresh?type=capital_financing_reporting".to_owned()),
        ("return_url".to_owned(), "https://platform.example/sandbox.html".to_owned()),
        ("type".to_owned(), "capital_financing_reporting".to_owned()),
    ]);
}

#[tokio::test]
async fn stripe_failures_are_reported_without_internals() {
    let (app, fake, cookie) = signed_in_stripe_app().await;
    app.offer_state(&cookie).await;
    fake.lock().unwrap().fail_links = 10;
    let answer = app
        .post_json(
            "/api/capital/account_links",
            Some(&cookie),
            json!({"type": "capital_financing_offer"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_GATEWAY);
    assert_eq!(
        answer.json(),
        json!({"error": {"type": "api_error", "message": "Stripe could not be reached. Please try again."}})
    );
    let attempts = fake
        .lock()
        .unwrap()
        .seen
        .iter()
        .filter(|s| s.uri == "/v1/account_links")
        .count();
    assert_eq!(attempts, 3, "three attempts, then give up");
}

#[tokio::test]
async fn stripe_mode_has_no_sandbox_routes() {
    let (api, _fake) = start_fake().await;
    let app = stripe_app(&api).await;
    let answer = app
        .post_json("/sandbox/admin/offers", None, json!({"account": ROCKET}))
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_replacement_retrieves_the_replaced_offer_and_becomes_current() {
    let (app, fake, cookie) = signed_in_stripe_app().await;
    let now = capital_platform::sandbox::now();
    let old = json!({"id": "financingoffer_old", "object": "capital.financing_offer", "account": ROCKET, "status": "delivered",
                     "created": 1_795_000_000, "expires_after": 1.8e9});
    // Stripe's side: the account has only these two offers.
    fake.lock().unwrap().list = Some(vec![old.clone()]);
    assert!(app.send(signed(json!({"id": "evt_a", "type": "capital.financing_offer.created", "created": now - 10, "data": {"object": old}}))).await.status.is_success());
    let new = json!({"id": "financingoffer_new", "object": "capital.financing_offer", "account": ROCKET, "status": "delivered",
                     "replacement_for": "financingoffer_old", "created": 1_795_000_100, "expires_after": 1.8e9});
    assert!(app.send(signed(json!({"id": "evt_b", "type": "capital.financing_offer.replacement_created", "created": now, "data": {"object": new}}))).await.status.is_success());

    // Retrieved after the webhook's answer, by the follow-up worker.
    let retrieved = || {
        fake.lock().unwrap().seen.iter().any(|s| {
            s.method == Method::GET && s.uri == "/v1/capital/financing_offers/financingoffer_old"
        })
    };
    for _ in 0..40 {
        if retrieved() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(retrieved(), "the replaced offer is retrieved from Stripe");
    let state = app.offer_state(&cookie).await;
    assert_eq!(state["offer"]["id"], "financingoffer_new");
}

#[tokio::test]
async fn cors_allows_only_configured_origins() {
    let (api, _fake) = start_fake().await;
    let mut config = Config::for_tests();
    config.mode = Mode::Stripe;
    config.business_name = Some("Rocket Rides".into());
    config = harness::with_token_identity(config);
    config.stripe_secret_key = Some("sk_test_123".into());
    config.stripe_webhook_secret = STRIPE_MODE_SECRET.into();
    config.stripe_api_base = api;
    config.cors_origins = vec!["https://dashboard.platform.example".into()];
    let app = TestApp::with_config(config).await;
    let preflight = |origin: &str| {
        axum::http::Request::options("/api/capital/offer")
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let allowed = app
        .send(preflight("https://dashboard.platform.example"))
        .await;
    assert_eq!(
        allowed.headers.get("access-control-allow-origin").unwrap(),
        "https://dashboard.platform.example"
    );
    assert_eq!(
        allowed
            .headers
            .get("access-control-allow-credentials")
            .unwrap(),
        "true"
    );
    let refused = app.send(preflight("https://evil.example")).await;
    assert!(refused.headers.get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn rate_limits_are_retried_and_a_hanging_stripe_times_out() {
    let (app, fake, cookie) = signed_in_stripe_app().await;
    app.offer_state(&cookie).await;

    fake.lock().unwrap().throttle_links = 2;
    let answer = app
        .post_json(
            "/api/capital/account_links",
            Some(&cookie),
            json!({"type": "capital_financing_offer"}),
        )
        .await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "two 429s, then success: {}",
        answer.text
    );

    fake.lock().unwrap().stall_links = Duration::from_secs(5);
    let started = std::time::Instant::now();
    let answer = app
        .post_json(
            "/api/capital/account_links",
            Some(&cookie),
            json!({"type": "capital_financing_offer"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_GATEWAY);
    assert_eq!(
        answer.json()["error"]["message"],
        "Stripe could not be reached. Please try again."
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "three timed-out attempts, not a hang: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_account_without_offers_does_not_reach_stripe_on_every_view() {
    let (api, fake) = start_fake().await;
    let app = stripe_app(&api).await;
    // The fake's offers belong to the rocket account: the bakery has none.
    let cookie = app.sign_in(harness::BAKERY).await;
    for _ in 0..5 {
        assert_eq!(app.offer_state(&cookie).await["offer"], Value::Null);
    }
    let lists = fake
        .lock()
        .unwrap()
        .seen
        .iter()
        .filter(|s| s.uri.starts_with("/v1/capital/financing_offers?"))
        .count();
    assert_eq!(lists, 1, "one cold read, then at most one per ten minutes");
}

#[tokio::test]
async fn stripe_mode_refuses_to_start_without_a_real_webhook_secret() {
    for secret in ["", "   ", capital_platform::config::SANDBOX_WEBHOOK_SECRET] {
        let mut config = Config::for_tests();
        config.mode = Mode::Stripe;
        config.business_name = Some("Rocket Rides".into());
        config = harness::with_token_identity(config);
        config.stripe_secret_key = Some("sk_test_123".into());
        config.stripe_webhook_secret = secret.into();
        let error = capital_platform::AppState::new(config)
            .await
            .err()
            .unwrap_or_else(|| panic!("started with webhook secret {secret:?}"));
        assert!(
            error.to_string().contains("STRIPE_WEBHOOK_SECRET"),
            "{error}"
        );
    }
}

/// The sandbox's demo platform stays in the sandbox: Stripe mode does not start without the
/// platform's own name, shows no demo icon, and knows no demo account (an offer email for a demo
/// account id goes to Stripe's address for it, not to the demo's).
#[tokio::test]
async fn stripe_mode_has_no_demo_platform() {
    for name in [None, Some(""), Some("  ")] {
        let mut config = Config::for_tests();
        config.mode = Mode::Stripe;
        config.business_name = name.map(str::to_owned);
        config = harness::with_token_identity(config);
        config.stripe_secret_key = Some("sk_test_123".into());
        config.stripe_webhook_secret = STRIPE_MODE_SECRET.into();
        let error = capital_platform::AppState::new(config)
            .await
            .err()
            .unwrap_or_else(|| panic!("started with the business name {name:?}"));
        assert!(
            error.to_string().contains("CAPITAL_BUSINESS_NAME"),
            "{error}"
        );
    }
    let (app, _fake, token) = signed_in_stripe_app().await;
    let state = app.offer_state(&token).await;
    assert_eq!(state["branding"]["business_name"], "Rocket Rides");
    assert_eq!(state["branding"]["icon"], Value::Null, "no demo icon");
    assert!(app.state.accounts.is_empty(), "no demo accounts");
    assert_eq!(app.state.config.accounts().len(), 0);
    let mut sandbox = Config::for_tests();
    sandbox.business_name = None;
    assert_eq!(
        sandbox.business_name(),
        "Rocket Rides",
        "the sandbox keeps its demo"
    );
    assert_eq!(sandbox.accounts().len(), 3);
}

#[tokio::test]
async fn stripe_mode_refuses_events_signed_with_the_sandbox_secret() {
    let (api, _fake) = start_fake().await;
    let app = stripe_app(&api).await;
    let now = capital_platform::sandbox::now();
    let event = json!({"id": "evt_forged", "type": "capital.financing_offer.created", "created": now,
                       "data": {"object": {"id": "financingoffer_forged", "account": ROCKET, "status": "delivered"}}});
    for secret in [capital_platform::config::SANDBOX_WEBHOOK_SECRET, ""] {
        let answer = app.send(signed_with(event.clone(), secret)).await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{secret:?}: {}",
            answer.text
        );
    }
}

/// A webhook delivery of `event`, signed now with the Stripe-mode apps' secret.
fn signed(event: Value) -> axum::http::Request<axum::body::Body> {
    signed_with(event, STRIPE_MODE_SECRET)
}

fn signed_with(event: Value, secret: &str) -> axum::http::Request<axum::body::Body> {
    let now = capital_platform::sandbox::now();
    let body = event.to_string();
    axum::http::Request::post("/webhooks/stripe")
        .header("content-type", "application/json")
        .header(
            "stripe-signature",
            capital_platform::stripe::webhook_signature::sign(body.as_bytes(), secret, now),
        )
        .body(axum::body::Body::from(body))
        .unwrap()
}

fn calls(fake: &Shared, path: &str) -> usize {
    fake.lock()
        .unwrap()
        .seen
        .iter()
        .filter(|s| s.uri.split('?').next() == Some(path))
        .count()
}

#[tokio::test]
async fn a_webhook_before_the_first_view_does_not_hide_the_accounts_history() {
    let (app, fake, cookie) = signed_in_stripe_app().await;
    // At Stripe: financing paid out, and now a refill offer. The refill's event arrives first.
    let refill = json!({"id": "financingoffer_refill", "object": "capital.financing_offer", "account": ROCKET,
                        "status": "delivered", "product_type": "refill", "created": 1_795_100_000, "expires_after": 1.8e9,
                        "offered_terms": {"advance_amount": 150000, "currency": "usd", "fee_amount": 15000, "withhold_rate": 0.1,
                                          "previous_financing_fee_discount_rate": 0.5}});
    let paid_out = json!({"id": "financingoffer_live1", "object": "capital.financing_offer", "account": ROCKET, "status": "paid_out",
                          "created": 1_795_000_000, "expires_after": 1.8e9,
                          "accepted_terms": {"advance_amount": 100000, "currency": "usd", "fee_amount": 10000, "withhold_rate": 0.1}});
    fake.lock().unwrap().list = Some(vec![paid_out, refill.clone()]);
    let now = capital_platform::sandbox::now();
    assert!(
        app.send(signed(
            json!({"id": "evt_refill", "type": "capital.financing_offer.created", "created": now,
                                   "data": {"object": refill}})
        ))
        .await
        .status
        .is_success()
    );
    let state = app.offer_state(&cookie).await;
    assert_eq!(state["offer"]["id"], "financingoffer_refill");
    assert_eq!(
        state["summary"]["details"]["paid_amount"], 2500,
        "the refilled financing's summary: {state}"
    );
    assert_eq!(calls(&fake, "/v1/capital/financing_offers"), 1);
    // Listed once: later views come from the store.
    app.offer_state(&cookie).await;
    assert_eq!(calls(&fake, "/v1/capital/financing_offers"), 1);
}

/// A `GET /offer` answer showing the fake Stripe's live offer.
fn assert_shows_live_offer(answer: &harness::Answer) {
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(
        answer.json()["offer"]["id"],
        "financingoffer_live1",
        "{}",
        answer.text
    );
}

#[tokio::test]
async fn concurrent_first_views_wait_for_the_one_read() {
    let (app, fake, cookie) = signed_in_stripe_app().await;
    // Slow, but inside the test app's 300 ms timeout.
    fake.lock().unwrap().stall_lists = Duration::from_millis(250);
    let view = || app.get("/api/capital/offer", Some(&cookie));
    let (a, b, c, d, e, f) = tokio::join!(view(), view(), view(), view(), view(), view());
    for answer in [a, b, c, d, e, f] {
        assert_shows_live_offer(&answer);
    }
    assert_eq!(
        calls(&fake, "/v1/capital/financing_offers"),
        1,
        "one list call"
    );
}

#[tokio::test]
async fn a_failed_cold_read_is_tried_again_once_stripe_is_back() {
    let (api, fake) = start_fake().await;
    let app = stripe_app_with_backoff(&api, 100).await;
    let cookie = app.sign_in(ROCKET).await;
    fake.lock().unwrap().fail_lists = 3;
    let failed = app.get("/api/capital/offer", Some(&cookie)).await;
    assert_eq!(failed.status, StatusCode::BAD_GATEWAY, "{}", failed.text);
    assert_eq!(
        calls(&fake, "/v1/capital/financing_offers"),
        3,
        "three attempts"
    );
    // Within the backoff, views do not ask Stripe again.
    let again = app.get("/api/capital/offer", Some(&cookie)).await;
    assert_eq!(again.status, StatusCode::BAD_GATEWAY);
    assert_eq!(
        calls(&fake, "/v1/capital/financing_offers"),
        3,
        "no call during the backoff"
    );
    // Stripe is back; after the backoff the next view reads and shows the offer.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let state = app.offer_state(&cookie).await;
    assert_eq!(state["offer"]["id"], "financingoffer_live1", "{state}");
    assert_eq!(calls(&fake, "/v1/capital/financing_offers"), 4);
}

#[tokio::test]
async fn a_summary_outage_answers_the_stored_offer_without_multiplying_calls() {
    let (app, fake, cookie) = signed_in_stripe_app().await;
    let first = app.offer_state(&cookie).await;
    assert_eq!(first["summary"]["details"]["paid_amount"], 2500);
    assert_eq!(calls(&fake, "/v1/capital/financing_summary"), 1);
    // A payment arrives: the stored summary is stale. Then Stripe's summary fails.
    fake.lock().unwrap().fail_summaries = 100;
    let now = capital_platform::sandbox::now();
    assert!(app.send(signed(json!({"id": "evt_txn", "type": "capital.financing_transaction.created", "created": now,
                                   "account": ROCKET, "data": {"object": {"id": "cptxn_1", "account": ROCKET}}}))).await.status.is_success());
    for _ in 0..5 {
        let state = app.get("/api/capital/offer", Some(&cookie)).await;
        assert_eq!(state.status, StatusCode::OK, "{}", state.text);
        let state = state.json();
        assert_eq!(state["offer"]["id"], "financingoffer_live1");
        assert_eq!(
            state["summary"]["details"]["paid_amount"], 2500,
            "the last summary, stale: {state}"
        );
    }
    assert_eq!(
        calls(&fake, "/v1/capital/financing_summary"),
        1 + 3,
        "one failed read (three attempts), then the backoff"
    );
}

#[tokio::test]
async fn a_refusal_from_stripe_is_the_platforms_error_and_never_shows_stripes_message() {
    let (app, fake, cookie) = signed_in_stripe_app().await;
    fake.lock().unwrap().refuse_links = Some(StatusCode::FORBIDDEN);
    let answer = app
        .post_json(
            "/api/capital/account_links",
            Some(&cookie),
            json!({"type": "capital_financing_offer"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer.json()["error"]["type"], "api_error");
    assert!(
        !answer.text.contains("secret internal detail"),
        "{}",
        answer.text
    );
    assert!(!answer.text.contains("sk_live"), "{}", answer.text);
    assert_eq!(
        calls(&fake, "/v1/account_links"),
        1,
        "a refusal is not retried"
    );
    assert_eq!(answer.headers["cache-control"], "no-store");
    assert_eq!(answer.headers["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn a_hanging_stripe_does_not_hold_the_replacement_webhooks_answer() {
    let (app, fake, cookie) = signed_in_stripe_app().await;
    let old = json!({"id": "financingoffer_old", "object": "capital.financing_offer", "account": ROCKET, "status": "delivered",
                     "created": 1_795_000_000, "expires_after": 1.8e9});
    fake.lock().unwrap().list = Some(vec![old.clone()]);
    app.offer_state(&cookie).await;
    fake.lock().unwrap().stall_retrievals = Duration::from_secs(5);
    let now = capital_platform::sandbox::now();
    assert!(
        app.send(signed(
            json!({"id": "evt_old", "type": "capital.financing_offer.created", "created": now - 10,
                                   "data": {"object": old}})
        ))
        .await
        .status
        .is_success()
    );
    let new = json!({"id": "financingoffer_new", "object": "capital.financing_offer", "account": ROCKET, "status": "delivered",
                     "replacement_for": "financingoffer_old", "created": 1_795_000_100, "expires_after": 1.8e9});
    let started = std::time::Instant::now();
    let answer = app
        .send(signed(json!({"id": "evt_new", "type": "capital.financing_offer.replacement_created", "created": now,
                            "data": {"object": new}})))
        .await;
    assert!(answer.status.is_success(), "{}", answer.text);
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "answered in {:?}",
        started.elapsed()
    );
    // The replacement is current at once; the old offer is marked replaced meanwhile.
    let state = app.offer_state(&cookie).await;
    assert_eq!(state["offer"]["id"], "financingoffer_new");
}

#[tokio::test]
async fn stripes_objects_pass_through_whole() {
    let (app, fake, cookie) = signed_in_stripe_app().await;
    let offer = json!({"id": "financingoffer_new_api", "object": "capital.financing_offer", "account": ROCKET,
                       "status": "delivered", "created": 1_795_000_000, "expires_after": 1.8e9,
                       "offered_terms": {"advance_amount": 100000, "currency": "usd", "fee_amount": 10000,
                                         "withhold_rate": 0.1, "a_term_from_2027": {"value": 7}},
                       "a_field_from_2027": ["kept", {"as": "sent"}]});
    fake.lock().unwrap().list = Some(vec![offer.clone()]);
    let state = app.offer_state(&cookie).await;
    assert_eq!(state["offer"], offer, "listed: {state}");
    // A webhook's object passes through whole too.
    let mut updated = offer.clone();
    updated["a_field_from_2027"] = json!("changed");
    updated["another_new_field"] = json!(true);
    let now = capital_platform::sandbox::now();
    assert!(
        app.send(signed(
            json!({"id": "evt_new_api", "type": "capital.financing_offer.delivered", "created": now,
                                   "data": {"object": updated.clone()}})
        ))
        .await
        .status
        .is_success()
    );
    assert_eq!(app.offer_state(&cookie).await["offer"], updated);
}

#[tokio::test]
async fn marking_delivered_is_ordered_by_stripes_clock_whatever_this_machines_says() {
    let (app, fake, cookie) = signed_in_stripe_app().await;
    // Stripe's clock is an hour behind this machine's.
    let stripe_now = capital_platform::sandbox::now() - 3600;
    let offer = json!({"id": "financingoffer_skew", "object": "capital.financing_offer", "account": ROCKET,
                       "status": "undelivered", "created": stripe_now, "expires_after": 1.8e9});
    fake.lock().unwrap().list = Some(vec![]);
    app.offer_state(&cookie).await;
    assert!(app.send(signed(json!({"id": "evt_created", "type": "capital.financing_offer.created", "created": stripe_now,
                                   "data": {"object": offer.clone()}}))).await.status.is_success());
    let mut delivered = offer.clone();
    delivered["status"] = json!("delivered");
    fake.lock().unwrap().delivered = Some(delivered);
    let marked = app
        .post_json(
            "/api/capital/offer/mark_delivered",
            Some(&cookie),
            json!({"offer": "financingoffer_skew"}),
        )
        .await;
    assert_eq!(marked.json()["status"], "delivered", "{}", marked.text);
    // The user applies a few seconds later, by Stripe's clock: that event must win.
    let mut accepted = offer;
    accepted["status"] = json!("accepted");
    assert!(app.send(signed(json!({"id": "evt_accepted", "type": "capital.financing_offer.accepted", "created": stripe_now + 5,
                                   "data": {"object": accepted}}))).await.status.is_success());
    assert_eq!(
        app.offer_state(&cookie).await["offer"]["status"],
        "accepted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_on_one_database_make_one_cold_read_between_them() {
    let (api, fake) = start_fake().await;
    let url = harness::shared_database_url("claims").await;
    let (a, b, c) = (
        stripe_app_on(&api, 2_000, Some(&url)).await,
        stripe_app_on(&api, 2_000, Some(&url)).await,
        stripe_app_on(&api, 2_000, Some(&url)).await,
    );
    let cookies = (
        a.sign_in(ROCKET).await,
        b.sign_in(ROCKET).await,
        c.sign_in(ROCKET).await,
    );
    // Slow, so that every instance's first view arrives while the read is in flight.
    fake.lock().unwrap().stall_lists = Duration::from_millis(250);
    let (x, y, z) = tokio::join!(
        a.get("/api/capital/offer", Some(&cookies.0)),
        b.get("/api/capital/offer", Some(&cookies.1)),
        c.get("/api/capital/offer", Some(&cookies.2)),
    );
    for answer in [x, y, z] {
        assert_shows_live_offer(&answer);
    }
    assert_eq!(
        calls(&fake, "/v1/capital/financing_offers"),
        1,
        "one list call for three instances ({})",
        harness::database_kind()
    );
}

/// An instance that died in the middle of a cold read (its claim on the read left in the
/// database, as `kill -9` leaves it) holds the others' views for seconds, not a minute: the
/// claim lapses unless its reader renews it, and the waiting view reads Stripe itself. A living
/// reader keeps its claim however long Stripe takes (a read slower than the claim is one call).
#[tokio::test]
async fn a_cold_read_claimed_by_an_instance_that_died_is_taken_over_within_seconds() {
    let (api, fake) = start_fake().await;
    let url = harness::shared_database_url("dead_claims").await;
    // Patient with Stripe: a read may take longer than a claim lives.
    let patient = || {
        let mut config = stripe_config(&api, 2_000, Some(&url));
        config.stripe_timeout_ms = 20_000;
        TestApp::with_config(config)
    };
    let (a, b) = (patient().await, patient().await);
    // Instance A dies in the middle of its cold read: the read is stalled at Stripe when the
    // request is dropped, leaving A's claim in the database as a killed process leaves it.
    fake.lock().unwrap().stall_lists = Duration::from_secs(30);
    let cookie = a.sign_in(ROCKET).await;
    let dying = {
        let a_router = a.router.clone();
        let request = axum::http::Request::get("/api/capital/offer")
            .header(harness::credential_header(&cookie), &cookie)
            .body(axum::body::Body::empty())
            .unwrap();
        tokio::spawn(async move { tower::ServiceExt::oneshot(a_router, request).await })
    };
    while calls(&fake, "/v1/capital/financing_offers") == 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    dying.abort();
    fake.lock().unwrap().stall_lists = Duration::ZERO;
    // B's view waits for the dead claim to lapse (seconds), then reads Stripe itself.
    let cookie = b.sign_in(ROCKET).await;
    let began = std::time::Instant::now();
    let answer = b.get("/api/capital/offer", Some(&cookie)).await;
    assert_shows_live_offer(&answer);
    let waited = began.elapsed();
    assert!(waited < Duration::from_secs(10), "waited {waited:?}");
    assert_eq!(calls(&fake, "/v1/capital/financing_offers"), 2);

    // A reader slower than the claim's life keeps it: the other instance waits, no second call.
    fake.lock().unwrap().stall_lists = Duration::from_secs(9);
    let cookie = a.sign_in(harness::BAKERY).await;
    let other = b.sign_in(harness::BAKERY).await;
    let (first, second) = tokio::join!(a.get("/api/capital/offer", Some(&cookie)), async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        b.get("/api/capital/offer", Some(&other)).await
    });
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(second.status, StatusCode::OK, "{}", second.text);
    assert_eq!(
        calls(&fake, "/v1/capital/financing_offers"),
        3,
        "one more list call for the second account ({})",
        harness::database_kind()
    );
}

#[tokio::test]
async fn stripe_mode_emails_an_offer_to_the_accounts_stripe_address_then_marks_it_delivered() {
    let Some(sink) = harness::SmtpSink::start().await else {
        return;
    };
    let (api, fake) = start_fake().await;
    let mut config = Config::for_tests();
    config.mode = Mode::Stripe;
    config.business_name = Some("Rocket Rides".into());
    config = harness::with_token_identity(config);
    config.stripe_secret_key = Some("sk_test_123".into());
    config.stripe_webhook_secret = STRIPE_MODE_SECRET.into();
    config.stripe_api_base = api.clone();
    config.public_url = "https://platform.example".into();
    config.offer_notice = capital_platform::domain::offer_notice::OfferNotice::Email;
    // No address in the configuration: Stripe's account email is used.
    config.accounts = Some(format!("{ROCKET}=Rocket Courier"));

    // Stripe mode will not start to send emails without a mail server.
    let refused = capital_platform::AppState::new(config.clone())
        .await
        .err()
        .unwrap();
    assert!(refused.to_string().contains("--smtp-url"), "{refused}");

    config.smtp_url = Some(sink.url().into());
    let app = TestApp::with_config(config).await;
    for (event, offer) in [
        ("evt_mail_1", "financingoffer_mail1"),
        ("evt_mail_2", "financingoffer_mail2"),
    ] {
        let created = json!({
            "id": event, "object": "event", "type": "capital.financing_offer.created", "created": capital_platform::sandbox::now(),
            "account": ROCKET,
            "data": {"object": {"id": offer, "object": "capital.financing_offer", "account": ROCKET, "status": "undelivered",
                                "created": 1_795_000_000, "expires_after": 1.8e9, "disclaimer_variant": "celtic_us_loan",
                                "offered_terms": {"advance_amount": 100000, "currency": "usd", "fee_amount": 10000, "withhold_rate": 0.1}}},
        });
        assert_eq!(app.send(signed(created)).await.status, StatusCode::OK);
    }
    let marks = || {
        fake.lock()
            .unwrap()
            .seen
            .iter()
            .filter(|s| s.uri.ends_with("/mark_delivered"))
            .count()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while sink.messages().len() < 2 || marks() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "{} emails, {} marks",
            sink.messages().len(),
            marks()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for message in sink.messages() {
        assert!(
            harness::decoded(&message).contains("X-Envelope-To: finance@rocketcourier.example")
        );
    }
    // The address was read from Stripe once, then kept.
    assert_eq!(calls(&fake, &format!("/v1/accounts/{ROCKET}")), 1);
}

/// One instance's calls to Stripe share one budget: twelve users asking for links at once, with a
/// budget of two calls a second, are not all sent to Stripe; the ones left over are told to try
/// again (`503`, `Retry-After`) after at most the budget's wait, and Stripe saw no more calls
/// than the budget allows.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn all_users_share_one_budget_of_calls_to_stripe() {
    let (api, fake) = start_fake().await;
    let mut config = Config::for_tests();
    config.mode = Mode::Stripe;
    config.business_name = Some("Rocket Rides".into());
    config = harness::with_token_identity(config);
    config.stripe_secret_key = Some("sk_test_123".into());
    config.stripe_webhook_secret = STRIPE_MODE_SECRET.into();
    config.stripe_api_base = api;
    config.public_url = "https://platform.example".into();
    config.stripe_calls_per_second = 2;
    let app = TestApp::with_config(config).await;
    let accounts: Vec<String> = (0..12).map(|n| format!("acct_1Budget{n}")).collect();
    let mut tokens = Vec::new();
    for account in &accounts {
        tokens.push(app.sign_in(account).await);
    }
    let started = std::time::Instant::now();
    let answers = futures_util::future::join_all(tokens.iter().map(|token| {
        app.post_json(
            "/api/capital/account_links",
            Some(token),
            json!({"type": "capital_financing_offer"}),
        )
    }))
    .await;
    let elapsed = started.elapsed();
    let made = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    let busy: Vec<_> = answers
        .iter()
        .filter(|a| a.status == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert_eq!(made + busy.len(), 12, "only links and busy answers");
    // A burst of two, then two a second for the two-second wait: at most six.
    assert!((2..=7).contains(&made), "{made} links made");
    assert!(!busy.is_empty());
    for answer in &busy {
        assert_eq!(answer.headers["retry-after"], "1");
        assert_eq!(answer.json()["error"]["type"], "api_error");
    }
    let calls = fake
        .lock()
        .unwrap()
        .seen
        .iter()
        .filter(|s| s.uri.starts_with("/v1/account_links"))
        .count();
    assert_eq!(calls, made, "Stripe saw only the calls the budget allowed");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

/// The stand-in Stripe (`examples/stand_in_stripe.rs`; `harness::stand_in_stripe_binary`) plays
/// Stripe for a Stripe-mode backend: its signed events reach the webhook endpoint, its
/// answers are what the backend shows, it records what it was asked, and it plays faults.
#[tokio::test]
async fn the_stand_in_stripe_plays_stripe_for_a_stripe_mode_backend() {
    let binary = harness::stand_in_stripe_binary();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let stand_in = format!("http://127.0.0.1:{port}");
    // The backend, serving its webhook endpoint on a real socket.
    let app = stripe_app(&stand_in).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let webhooks = format!("http://{}/webhooks/stripe", listener.local_addr().unwrap());
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let mut child = tokio::process::Command::new(&binary)
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--webhook-url",
            &webhooks,
        ])
        .args(["--webhook-secret", STRIPE_MODE_SECRET])
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let tool = |path: &str| format!("{stand_in}/_stand_in{path}");
    let mut up = false;
    for _ in 0..100 {
        if client.get(tool("/calls")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "the stand-in answers");
    // Its API wants a secret key, as Stripe's does.
    let anonymous = client
        .get(format!(
            "{stand_in}/v1/capital/financing_offers?connected_account={ROCKET}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);

    let token = app.sign_in(ROCKET).await;
    let created: Value = client
        .post(tool("/offers"))
        .json(&json!({"account": ROCKET, "advance_amount": 2_500_000, "fee_amount": 250_000}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let offer = created["id"].as_str().unwrap().to_owned();
    // The signed `created` event reaches the endpoint; the backend then shows the offer.
    let mut shown = Value::Null;
    for _ in 0..100 {
        shown = app.offer_state(&token).await;
        if shown["offer"]["id"] == offer.as_str() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(shown["offer"]["id"], offer.as_str(), "{shown}");
    assert_eq!(shown["offer"]["offered_terms"]["advance_amount"], 2_500_000);
    let delivered = app
        .post_json(
            "/api/capital/offer/mark_delivered",
            Some(&token),
            json!({"offer": offer}),
        )
        .await;
    assert_eq!(delivered.status, StatusCode::OK, "{}", delivered.text);
    assert_eq!(delivered.json()["status"], "delivered");

    // An application submitted at "Stripe" arrives as its event.
    let accepted = client
        .post(tool(&format!("/offers/{offer}/accept")))
        .json(&json!({"amount": 2_000_000}))
        .send()
        .await
        .unwrap();
    assert!(accepted.status().is_success());
    for _ in 0..100 {
        if app.offer_state(&token).await["offer"]["status"] == "accepted" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(app.offer_state(&token).await["offer"]["status"], "accepted");

    // A fault: every API call answers 500 for a while; a link then fails as Stripe's outage.
    let fault = client
        .post(tool("/faults"))
        .json(&json!({"status": 500, "seconds": 30}))
        .send()
        .await
        .unwrap();
    assert!(fault.status().is_success());
    let link = app
        .post_json(
            "/api/capital/account_links",
            Some(&token),
            json!({"type": "capital_financing_offer"}),
        )
        .await;
    assert_eq!(link.status, StatusCode::BAD_GATEWAY, "{}", link.text);
    client
        .post(tool("/faults"))
        .json(&json!({"status": 500, "seconds": 0}))
        .send()
        .await
        .unwrap();
    let link = app
        .post_json(
            "/api/capital/account_links",
            Some(&token),
            json!({"type": "capital_financing_offer"}),
        )
        .await;
    assert_eq!(link.status, StatusCode::OK, "{}", link.text);

    let calls: Value = client
        .get(tool("/calls"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(calls["marked_delivered"], json!([offer]));
    assert_eq!(
        calls["calls"]["POST /v1/capital/financing_offers/{offer}/mark_delivered 200"],
        1
    );
    assert!(
        calls["calls"]["POST /v1/account_links 500"]
            .as_u64()
            .unwrap()
            >= 1
    );
    assert_eq!(calls["calls"]["POST /v1/account_links 200"], 1);
    let deliveries: Value = client
        .get(tool("/deliveries"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(deliveries["events"], 2, "{deliveries}");
    assert_eq!(deliveries["delivered"], 2, "{deliveries}");
    assert_eq!(deliveries["pending"], 0, "{deliveries}");
    child.kill().await.unwrap();
}
