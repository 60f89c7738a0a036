//! Who the user is (`--identity`): session tokens (every way one can be wrong, each key kind, a
//! rotating JWKS), the proxy header from a trusted and an untrusted address over real sockets,
//! the demo sign-in refused in Stripe mode, and an account's token never reaching another's
//! offer. The same against the server binary: its `token` subcommand and its refusals at start.

use crate::harness;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use capital_platform::{Config, IdentityMode, Mode};
use harness::{BAKERY, ROCKET, TEST_IDENTITY_SECRET, TestApp, now_seconds, with_token_identity};
use http_body_util::BodyExt;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use tower::ServiceExt;

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/backend/keys");

fn key_file(name: &str) -> std::path::PathBuf {
    std::path::Path::new(KEYS).join(name)
}

fn sign(header: Header, claims: &Value, key: &EncodingKey) -> String {
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

fn hs256(claims: &Value) -> String {
    let key = EncodingKey::from_secret(TEST_IDENTITY_SECRET.as_bytes()).unwrap();
    sign(Header::new(Algorithm::HS256), claims, &key)
}

/// The claims of a good token for `account` and the test apps' audience (`--public-url`).
fn claims(account: &str) -> Value {
    let now = now_seconds();
    json!({"sub": account, "aud": "http://127.0.0.1:3000", "iat": now, "exp": now + 300})
}

fn with(mut claims: Value, changes: Value) -> Value {
    for (key, value) in changes.as_object().unwrap() {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(key);
        } else {
            claims[key] = value.clone();
        }
    }
    claims
}

async fn token_app() -> TestApp {
    TestApp::with_config(with_token_identity(Config::for_tests())).await
}

/// A sandbox-mode app whose tokens are verified with the PEM public key `file`.
async fn public_key_app(file: &str) -> TestApp {
    let mut config = Config::for_tests();
    config.identity = Some(IdentityMode::Token);
    config.identity_public_key = Some(key_file(file));
    TestApp::with_config(config).await
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// `GET /api/capital/offer` with `Authorization: Bearer token`.
async fn offer_with(app: &TestApp, token: &str) -> harness::Answer {
    app.get("/api/capital/offer", Some(&bearer(token))).await
}

fn assert_not_signed_in(answer: &harness::Answer, case: &str) {
    assert_eq!(
        answer.status,
        StatusCode::UNAUTHORIZED,
        "{case}: {}",
        answer.text
    );
    let body = answer.json();
    assert_eq!(body["error"]["type"], "authentication_error", "{case}");
    // Why the token failed is logged, never sent.
    assert_eq!(body["error"]["message"], "not signed in", "{case}");
}

#[tokio::test]
async fn a_session_token_signs_in_and_every_bad_token_is_refused_plainly() {
    let app = token_app().await;
    let answer = offer_with(&app, &hs256(&claims(ROCKET))).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json()["offer"], Value::Null);

    let now = now_seconds();
    let other_secret = EncodingKey::from_secret(b"another-secret-that-is-long-enough!!").unwrap();
    let cases = [
        (
            "expired",
            hs256(&with(
                claims(ROCKET),
                json!({"iat": now - 400, "exp": now - 40}),
            )),
        ),
        (
            "not yet valid",
            hs256(&with(claims(ROCKET), json!({"nbf": now + 120}))),
        ),
        (
            "wrong audience",
            hs256(&with(
                claims(ROCKET),
                json!({"aud": "https://evil.example"}),
            )),
        ),
        (
            "no audience",
            hs256(&with(claims(ROCKET), json!({"aud": null}))),
        ),
        ("no iat", hs256(&with(claims(ROCKET), json!({"iat": null})))),
        (
            "TTL above the maximum",
            hs256(&with(claims(ROCKET), json!({"exp": now + 3601}))),
        ),
        (
            "malformed sub",
            hs256(&with(claims(ROCKET), json!({"sub": "acct_1<script>"}))),
        ),
        ("no sub", hs256(&with(claims(ROCKET), json!({"sub": null})))),
        (
            "wrong signature",
            sign(
                Header::new(Algorithm::HS256),
                &claims(ROCKET),
                &other_secret,
            ),
        ),
        ("garbage", "not-a-token".to_owned()),
    ];
    for (case, token) in &cases {
        assert_not_signed_in(&offer_with(&app, token).await, case);
    }
    // alg: none, with and without an empty signature.
    let good = hs256(&claims(ROCKET));
    let payload = good.split('.').nth(1).unwrap();
    for none in [
        format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}."),
        format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}"),
    ] {
        assert_not_signed_in(&offer_with(&app, &none).await, "alg none");
    }
    // The token from anywhere but the Authorization header is nobody.
    for path in [
        format!("/api/capital/offer?access_token={good}"),
        format!("/api/capital/offer?token={good}"),
    ] {
        assert_not_signed_in(&app.get(&path, None).await, "query string");
    }
    let as_cookie = format!("capital_session={good}");
    assert_not_signed_in(
        &app.get("/api/capital/offer", Some(&as_cookie)).await,
        "cookie",
    );
    let basic = app
        .send(
            Request::get("/api/capital/offer")
                .header("authorization", format!("Basic {good}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_not_signed_in(&basic, "another scheme");
    // The demo sign-in does not exist beside tokens.
    assert_eq!(
        app.get("/sign-in", None).await.status,
        StatusCode::NOT_FOUND
    );
    let sign_in = app
        .send(
            Request::post("/sign-in")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(format!("account={ROCKET}")))
                .unwrap(),
        )
        .await;
    assert_eq!(sign_in.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn each_public_key_kind_verifies_its_own_algorithm_only() {
    let cases = [
        ("ed25519", Algorithm::EdDSA),
        ("p256", Algorithm::ES256),
        ("rsa", Algorithm::RS256),
    ];
    for (name, algorithm) in cases {
        let app = public_key_app(&format!("{name}.pub.pem")).await;
        let private = std::fs::read(key_file(&format!("{name}.pem"))).unwrap();
        let key = match algorithm {
            Algorithm::EdDSA => EncodingKey::from_ed_pem(&private),
            Algorithm::ES256 => EncodingKey::from_ec_pem(&private),
            _ => EncodingKey::from_rsa_pem(&private),
        }
        .unwrap();
        let good = sign(Header::new(algorithm), &claims(ROCKET), &key);
        assert_eq!(
            offer_with(&app, &good).await.status,
            StatusCode::OK,
            "{name}"
        );
        // HS/RS confusion: HS256 "signed" with the public key as its secret.
        let public = std::fs::read(key_file(&format!("{name}.pub.pem"))).unwrap();
        let confused = sign(
            Header::new(Algorithm::HS256),
            &claims(ROCKET),
            &EncodingKey::from_secret(&public).unwrap(),
        );
        assert_not_signed_in(
            &offer_with(&app, &confused).await,
            &format!("{name}: HS256 with the public key"),
        );
        // Another key of the same kind.
        if name == "ed25519" {
            let other = std::fs::read(key_file("ed25519-rotated.pem")).unwrap();
            let forged = sign(
                Header::new(algorithm),
                &claims(ROCKET),
                &EncodingKey::from_ed_pem(&other).unwrap(),
            );
            assert_not_signed_in(&offer_with(&app, &forged).await, "another Ed25519 key");
        }
    }
    // A file that is no public key stops the start.
    let mut config = Config::for_tests();
    config.identity = Some(IdentityMode::Token);
    config.identity_public_key = Some(key_file("README.md"));
    let error = capital_platform::AppState::new(config)
        .await
        .err()
        .expect("refused");
    assert!(
        error.to_string().contains("--identity-public-key"),
        "{error}"
    );
}

/// A JWKS endpoint serving `keys`, counting its fetches.
async fn jwks_server(keys: Arc<std::sync::Mutex<Value>>, fetches: Arc<AtomicUsize>) -> String {
    let router = Router::new().route(
        "/.well-known/jwks.json",
        axum::routing::get(move || {
            let keys = keys.clone();
            let fetches = fetches.clone();
            async move {
                fetches.fetch_add(1, Ordering::SeqCst);
                axum::Json(keys.lock().unwrap().clone())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{address}/.well-known/jwks.json")
}

/// The public halves of `ed25519.pem` and `ed25519-rotated.pem` as JWKs.
fn jwk(kid: &str) -> Value {
    let x = match kid {
        "k1" => "Cn4UrSMwwg7l3JoPRpVWo4CYYeSMCAOBl20KV6u9sYc",
        _ => "lsj9IbJK7pstX_pY9FaOpDqDVyBuJV_F_4uOJuGMp38",
    };
    json!({"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "use": "sig", "alg": "EdDSA"})
}

fn ed25519_token(file: &str, kid: &str, account: &str) -> String {
    let private = std::fs::read(key_file(file)).unwrap();
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.to_owned());
    sign(
        header,
        &claims(account),
        &EncodingKey::from_ed_pem(&private).unwrap(),
    )
}

#[tokio::test]
async fn a_rotating_jwks_is_followed_by_kid_and_unknown_kids_refetch_at_most_once_a_minute() {
    // A symmetric key and a key of an unknown kind sit beside the signing key: skipped, not fatal.
    let keys = Arc::new(std::sync::Mutex::new(json!({"keys": [
        jwk("k1"),
        {"kty": "oct", "k": "c2VjcmV0", "kid": "sym"},
        {"kty": "future-kind", "kid": "new"},
    ]})));
    let fetches = Arc::new(AtomicUsize::new(0));
    let url = jwks_server(keys.clone(), fetches.clone()).await;
    let mut config = Config::for_tests();
    config.identity = Some(IdentityMode::Token);
    config.identity_jwks_url = Some(url);
    let app = TestApp::with_config(config).await;

    let first = ed25519_token("ed25519.pem", "k1", ROCKET);
    assert_eq!(offer_with(&app, &first).await.status, StatusCode::OK);
    assert_eq!(offer_with(&app, &first).await.status, StatusCode::OK);
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        1,
        "cached after the first fetch"
    );

    // The key server rotates to k2: a token with k2 arrives within the minute: refused, and
    // a burst of made-up kids fetches nothing more.
    *keys.lock().unwrap() = json!({"keys": [jwk("k2")]});
    let rotated = ed25519_token("ed25519-rotated.pem", "k2", ROCKET);
    assert_not_signed_in(&offer_with(&app, &rotated).await, "k2 within the minute");
    for n in 0..20 {
        let made_up = ed25519_token("ed25519-rotated.pem", &format!("x{n}"), ROCKET);
        assert_not_signed_in(&offer_with(&app, &made_up).await, "a made-up kid");
    }
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        1,
        "no refetch within a minute"
    );
    // The symmetric key of the set never verifies anything.
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("sym".into());
    let symmetric = sign(
        header,
        &claims(ROCKET),
        &EncodingKey::from_secret(b"secret").unwrap(),
    );
    assert_not_signed_in(
        &offer_with(&app, &symmetric).await,
        "the set's symmetric key",
    );
    // k1 still verifies from the cache.
    assert_eq!(offer_with(&app, &first).await.status, StatusCode::OK);
}

#[tokio::test]
async fn after_the_refresh_interval_an_unknown_kid_fetches_the_rotated_set() {
    use capital_platform::http::identity::token::SessionTokens;
    let keys = Arc::new(std::sync::Mutex::new(json!({"keys": [jwk("k1")]})));
    let fetches = Arc::new(AtomicUsize::new(0));
    let url = jwks_server(keys.clone(), fetches.clone()).await;
    // The interval shortened (the binary's is a minute), to see the refetch in a test.
    let tokens = SessionTokens::new(
        SessionTokens::jwks(&url, Duration::from_millis(300)).unwrap(),
        "http://127.0.0.1:3000",
        3600,
    );
    let first = ed25519_token("ed25519.pem", "k1", ROCKET);
    assert_eq!(tokens.verify(&first).await.unwrap(), ROCKET);
    *keys.lock().unwrap() = json!({"keys": [jwk("k2")]});
    let rotated = ed25519_token("ed25519-rotated.pem", "k2", BAKERY);
    assert!(
        tokens.verify(&rotated).await.is_err(),
        "within the interval"
    );
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(tokens.verify(&rotated).await.unwrap(), BAKERY);
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
    // k1 left the set with the rotation.
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert!(tokens.verify(&first).await.is_err());
}

#[tokio::test]
async fn a_token_for_one_account_never_reaches_anothers_offer() {
    let app = token_app().await;
    let rocket_offer = app
        .admin(
            "/offers",
            json!({"account": ROCKET, "advance_amount": 1_000_000}),
        )
        .await;
    let bakery_offer = app
        .admin(
            "/offers",
            json!({"account": BAKERY, "advance_amount": 2_500_000}),
        )
        .await;
    let rocket = app.sign_in(ROCKET).await;
    assert!(rocket.starts_with("Bearer "));

    let state = app.offer_state(&rocket).await;
    assert_eq!(state["offer"]["id"], rocket_offer["id"]);
    // Marking the other account's offer is answered as if it did not exist.
    let marked = app
        .post_json(
            "/api/capital/offer/mark_delivered",
            Some(&rocket),
            json!({"offer": bakery_offer["id"]}),
        )
        .await;
    assert_eq!(marked.status, StatusCode::NOT_FOUND, "{}", marked.text);
    let bakery = app
        .get(
            &format!("/sandbox/admin/accounts/{BAKERY}/offers"),
            Some(&app.admin_credential()),
        )
        .await;
    assert!(bakery.text.contains("\"undelivered\""), "{}", bakery.text);
    // A link is minted for the token's account, whatever the body says.
    let link = app
        .post_json(
            "/api/capital/account_links",
            Some(&rocket),
            json!({"type": "capital_financing_offer", "account": BAKERY}),
        )
        .await;
    assert_eq!(
        link.status,
        StatusCode::BAD_REQUEST,
        "unknown fields are refused: {}",
        link.text
    );
    let link = app
        .post_json(
            "/api/capital/account_links",
            Some(&rocket),
            json!({"type": "capital_financing_offer"}),
        )
        .await;
    assert_eq!(link.status, StatusCode::OK, "{}", link.text);
    let url = link.json()["url"].as_str().unwrap().to_owned();
    // The sandbox's hosted page behind the link shows the token's account's offer.
    let path = url.strip_prefix("http://127.0.0.1:3000").unwrap();
    let hosted = app.get(path, None).await;
    assert!(
        hosted.text.contains("10,000") && !hosted.text.contains("25,000"),
        "{}",
        hosted.text
    );

    // The live stream with a bearer token: the token's account's state.
    let response = app
        .router
        .clone()
        .oneshot(
            Request::get("/api/capital/offer/events")
                .header("authorization", &rocket)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut body = response.into_body();
    let frame = tokio::time::timeout(Duration::from_secs(5), body.frame())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(frame.data_ref().unwrap()).into_owned();
    assert!(text.contains("event: offer"), "{text}");
    assert!(
        text.contains(rocket_offer["id"].as_str().unwrap()),
        "{text}"
    );
    assert!(
        !text.contains(bakery_offer["id"].as_str().unwrap()),
        "{text}"
    );
    // Without a token, the stream is refused like every other route.
    let refused = app.get("/api/capital/offer/events", None).await;
    assert_not_signed_in(&refused, "stream without a token");
}

#[tokio::test]
async fn bearer_requests_from_allowed_origins_pass_cors_and_the_refresh_page_leads_back() {
    let mut config = with_token_identity(Config::for_tests());
    config.cors_origins = vec!["https://dashboard.example".into()];
    let app = TestApp::with_config(config).await;
    let preflight = app
        .send(
            Request::options("/api/capital/offer/events")
                .header("origin", "https://dashboard.example")
                .header("access-control-request-method", "GET")
                .header(
                    "access-control-request-headers",
                    "authorization,last-event-id",
                )
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let allowed = preflight.headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        allowed.contains("authorization") && allowed.contains("last-event-id"),
        "{allowed}"
    );
    // A write with a bearer token from the allowed origin is not held to the same-site rule.
    let rocket = app.sign_in(ROCKET).await;
    let answer = app
        .send(
            Request::post("/api/capital/account_links")
                .header("authorization", &rocket)
                .header("origin", "https://dashboard.example")
                .header("sec-fetch-site", "cross-site")
                .header("content-type", "application/json")
                .body(Body::from(r#"{"type":"capital_financing_offer"}"#))
                .unwrap(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    // Stripe's redirect to the refresh URL carries no token: a page back to the dashboard.
    let refresh = app
        .get(
            "/api/capital/account_links/refresh?type=capital_financing_offer",
            None,
        )
        .await;
    assert_eq!(refresh.status, StatusCode::OK);
    assert!(
        refresh.text.contains("Back to the dashboard"),
        "{}",
        refresh.text
    );
}

/// The app of `config` served on a real socket with peer addresses (`ConnectInfo`), as the
/// binary serves it, and published at that socket's address.
async fn serve_with_peers(mut config: Config) -> (TestApp, std::net::SocketAddr) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    config.public_url = format!("http://{address}");
    let app = TestApp::with_config(config).await;
    let router = app.router.clone();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap()
    });
    (app, address)
}

async fn get_from(
    local: &str,
    server: std::net::SocketAddr,
    account: Option<&str>,
) -> (u16, Value) {
    let client = reqwest::Client::builder()
        .local_address(local.parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap();
    let mut request = client.get(format!("http://{server}/api/capital/offer"));
    if let Some(account) = account {
        request = request.header("x-capital-account", account);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn the_proxy_header_is_believed_from_trusted_proxies_only() {
    let mut config = Config::for_tests();
    config.identity = Some(IdentityMode::Header);
    config.identity_header = Some("X-Capital-Account".into());
    config.trusted_proxies = vec!["127.0.0.2/32".into()];
    let (app, server) = serve_with_peers(config).await;
    app.admin(
        "/offers",
        json!({"account": BAKERY, "advance_amount": 1_000_000}),
    )
    .await;

    let (status, body) = get_from("127.0.0.2", server, Some(BAKERY)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["offer"]["account"], BAKERY);
    // The same header from an address that is not a proxy is ignored.
    let (status, body) = get_from("127.0.0.1", server, Some(BAKERY)).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["message"], "not signed in");
    // From the proxy without the header, or with a malformed account: nobody.
    assert_eq!(get_from("127.0.0.2", server, None).await.0, 401);
    assert_eq!(
        get_from("127.0.0.2", server, Some("acct_1 OR 1=1")).await.0,
        401
    );
    // In-process, without a peer address, nobody is believed.
    let answer = app
        .send(
            Request::get("/api/capital/offer")
                .header("x-capital-account", BAKERY)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get("/sign-in", None).await.status,
        StatusCode::NOT_FOUND
    );

    // Without trusted proxies the server does not start.
    let mut config = Config::for_tests();
    config.identity = Some(IdentityMode::Header);
    config.identity_header = Some("X-Capital-Account".into());
    let error = capital_platform::AppState::new(config)
        .await
        .err()
        .expect("refused");
    assert!(error.to_string().contains("--trusted-proxies"), "{error}");
}

#[tokio::test]
async fn stripe_mode_refuses_the_demo_sign_in_and_starting_without_an_identity() {
    for identity in [None, Some(IdentityMode::Demo)] {
        let mut config = Config::for_tests();
        config.mode = Mode::Stripe;
        config.business_name = Some("Rocket Rides".into());
        config.stripe_secret_key = Some("sk_test_123".into());
        config.stripe_webhook_secret = "whsec_real_looking_secret".into();
        config.identity = identity;
        let error = capital_platform::AppState::new(config)
            .await
            .err()
            .expect("refused");
        let message = error.to_string();
        assert!(
            message.contains("--identity token") && message.contains("--identity header"),
            "{message}"
        );
    }
    // A short HS256 secret, or two keys at once, stop the start too.
    let mut config = Config::for_tests();
    config.identity = Some(IdentityMode::Token);
    config.identity_secret = Some("too-short".to_owned().into());
    let error = capital_platform::AppState::new(config)
        .await
        .err()
        .expect("refused");
    assert!(error.to_string().contains("at least 32 bytes"), "{error}");
    let mut config = with_token_identity(Config::for_tests());
    config.identity_public_key = Some(key_file("ed25519.pub.pem"));
    let error = capital_platform::AppState::new(config)
        .await
        .err()
        .expect("refused");
    assert!(error.to_string().contains("exactly one key"), "{error}");
}

/// The server binary's `token` subcommand and the server it mints for.
#[tokio::test]
async fn the_binary_mints_tokens_that_its_server_accepts_and_refuses_demo_in_stripe_mode() {
    let binary = harness::server_binary();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("capital-identity-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let public = format!("http://127.0.0.1:{port}");
    let environment = [
        ("CAPITAL_IDENTITY", "token"),
        ("CAPITAL_IDENTITY_SECRET", TEST_IDENTITY_SECRET),
        ("CAPITAL_PUBLIC_URL", public.as_str()),
    ];
    let mint = |account: &str, ttl: &str| {
        std::process::Command::new(&binary)
            .args(["token", "--account", account, "--ttl-seconds", ttl])
            .envs(environment)
            .output()
            .unwrap()
    };
    let minted = mint(ROCKET, "600");
    assert!(
        minted.status.success(),
        "{}",
        String::from_utf8_lossy(&minted.stderr)
    );
    let token = String::from_utf8(minted.stdout).unwrap().trim().to_owned();
    let refused = mint("not-an-account", "600");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not a connected account id"));
    let refused = mint(ROCKET, "7200");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--identity-max-ttl-seconds"));

    let mut server = tokio::process::Command::new(&binary)
        .args(["--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(&dir)
        .envs(environment)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let offer = format!("{public}/api/capital/offer");
    let mut answered = None;
    for _ in 0..200 {
        if let Ok(response) = client.get(&offer).bearer_auth(&token).send().await {
            answered = Some(response.status().as_u16());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(answered, Some(200));
    let nobody = client.get(&offer).send().await.unwrap();
    assert_eq!(nobody.status().as_u16(), 401);
    let sign_in = client
        .get(format!("{public}/sign-in"))
        .send()
        .await
        .unwrap();
    assert_eq!(sign_in.status().as_u16(), 404);
    server.kill().await.unwrap();
    let mut log = String::new();
    if let Some(mut stderr) = server.stderr.take() {
        use tokio::io::AsyncReadExt;
        let _ = stderr.read_to_string(&mut log).await;
    }
    // Neither the secret nor the token reach the log.
    assert!(
        !log.contains(TEST_IDENTITY_SECRET) && !log.contains(&token),
        "{log}"
    );

    // Stripe mode with the demo sign-in does not start, and says why.
    let refused = std::process::Command::new(&binary)
        .args(["--mode", "stripe", "--identity", "demo", "--data-dir"])
        .arg(&dir)
        .env("STRIPE_SECRET_KEY", "sk_test_123")
        .env("STRIPE_WEBHOOK_SECRET", "whsec_real_looking_secret")
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("--identity demo is refused in Stripe mode"),
        "{message}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_live_stream_ends_when_its_session_token_expires() {
    let app = token_app().await;
    app.admin("/offers", json!({"account": ROCKET})).await;
    // Taken for about two more seconds: `exp` 28 s ago, and the 30 s leeway.
    let now = now_seconds();
    let token = hs256(
        &json!({"sub": ROCKET, "aud": "http://127.0.0.1:3000", "iat": now - 60, "exp": now - 28}),
    );
    let response = app
        .router
        .clone()
        .oneshot(
            Request::get("/api/capital/offer/events")
                .header("authorization", bearer(&token))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let began = std::time::Instant::now();
    let mut body = response.into_body();
    // The current state, then the end of the stream (keep-alives aside) within a second of expiry.
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(frame) = body.frame().await {
            frame.unwrap();
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream outlived its token");
    let took = began.elapsed();
    assert!(took < Duration::from_secs(4), "{took:?}");
}
