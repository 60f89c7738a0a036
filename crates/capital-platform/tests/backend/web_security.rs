//! What the backend does about the browser around it: sessions that end (lifetime, sign-out on the
//! server), writes only from the platform's own pages, a refresh route that mints no link for
//! another site's navigation, headers on every answer, and a sandbox whose dashboard tools act
//! only for their own account and answer only for the names it is published under.

use crate::harness;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use capital_platform::Config;
use harness::{BAKERY, ROCKET, TestApp};
use serde_json::json;

/// A request as a browser page would send it: the session cookie and `headers`.
fn browser_request(
    method: &str,
    path: &str,
    cookie: &str,
    headers: &[(&str, &str)],
) -> Request<Body> {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("cookie", cookie);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = TestApp::new().await;
    let cookie = app.sign_in(ROCKET).await;
    assert_eq!(
        app.get("/api/capital/offer", Some(&cookie)).await.status,
        StatusCode::OK
    );
    let out = app
        .send(browser_request("POST", "/sign-out", &cookie, &[]))
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    // A copy of the cookie kept elsewhere no longer works.
    let after = app.get("/api/capital/offer", Some(&cookie)).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED, "{}", after.text);
}

#[tokio::test]
async fn sessions_expire_and_say_so_in_the_cookie() {
    let app = TestApp::new().await;
    let answer = app
        .send(
            Request::post("/sign-in")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(format!("account={ROCKET}")))
                .unwrap(),
        )
        .await;
    let set_cookie = answer.headers["set-cookie"].to_str().unwrap();
    assert!(set_cookie.contains("Max-Age=43200"), "{set_cookie}");
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    assert_eq!(
        app.get("/api/capital/offer", Some(&cookie)).await.status,
        StatusCode::OK
    );
    // Twelve hours pass.
    sqlx::query("UPDATE sessions SET expires_at = expires_at - 43201")
        .execute(app.state.store.pool())
        .await
        .unwrap();
    assert_eq!(
        app.get("/api/capital/offer", Some(&cookie)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_session_cookie_is_secure_over_https() {
    let mut config = Config::for_tests();
    config.public_url = "https://platform.example".into();
    let app = TestApp::with_config(config).await;
    let answer = app
        .send(
            Request::post("/sign-in")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(format!("account={ROCKET}")))
                .unwrap(),
        )
        .await;
    let set_cookie = answer.headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(set_cookie.contains("Secure"));
    // `__Host-`: the browser keeps it only Secure, for `/`, without a Domain.
    assert!(
        set_cookie.starts_with("__Host-capital_session="),
        "{set_cookie}"
    );
    assert!(
        set_cookie.contains("Path=/") && !set_cookie.contains("Domain"),
        "{set_cookie}"
    );
    // The cookie signs in; the unprefixed name (planted by a sibling subdomain) does not.
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    assert_eq!(
        app.get("/api/capital/offer", Some(&cookie)).await.status,
        StatusCode::OK
    );
    let planted = cookie.replacen("__Host-", "", 1);
    assert_eq!(
        app.get("/api/capital/offer", Some(&planted)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn signing_in_again_ends_the_browsers_previous_session() {
    let app = TestApp::new().await;
    let first = app.sign_in(ROCKET).await;
    let answer = app
        .send(
            Request::post("/sign-in")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", &first)
                .body(Body::from(format!("account={BAKERY}")))
                .unwrap(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let second = answer.headers["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(first, second);
    // A copy of the first cookie no longer signs anybody in; the new one does.
    assert_eq!(
        app.get("/api/capital/offer", Some(&first)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/capital/offer", Some(&second)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn writes_from_another_site_are_refused() {
    let app = TestApp::new().await;
    let cookie = app.sign_in(ROCKET).await;
    let link = |origin: Option<&str>, site: Option<&str>| {
        let mut request = Request::post("/api/capital/account_links")
            .header("content-type", "application/json")
            .header("cookie", &cookie);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        if let Some(site) = site {
            request = request.header("sec-fetch-site", site);
        }
        request
            .body(Body::from(
                json!({"type": "capital_financing_offer"}).to_string(),
            ))
            .unwrap()
    };
    app.admin("/offers", json!({"account": ROCKET, "status": "delivered"}))
        .await;
    let evil = app
        .send(link(Some("https://evil.example"), Some("cross-site")))
        .await;
    assert_eq!(evil.status, StatusCode::FORBIDDEN, "{}", evil.text);
    assert_eq!(evil.json()["error"]["type"], "invalid_request_error");
    let no_origin_cross_site = app.send(link(None, Some("cross-site"))).await;
    assert_eq!(no_origin_cross_site.status, StatusCode::FORBIDDEN);
    let ours = app
        .send(link(Some("http://127.0.0.1:3000"), Some("same-origin")))
        .await;
    assert_eq!(ours.status, StatusCode::OK, "{}", ours.text);
    // Sign-out from another site is refused too (it would be a nuisance, not a theft).
    let out = app
        .send(browser_request(
            "POST",
            "/sign-out",
            &cookie,
            &[("origin", "https://evil.example")],
        ))
        .await;
    assert_eq!(out.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_refresh_route_mints_no_link_for_another_sites_navigation() {
    let app = TestApp::new().await;
    let cookie = app.sign_in(ROCKET).await;
    app.admin("/offers", json!({"account": ROCKET, "status": "delivered"}))
        .await;
    let path = "/api/capital/account_links/refresh?type=capital_financing_offer";
    let count_links = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sandbox_links")
            .fetch_one(app.state.store.pool())
            .await
            .unwrap()
    };
    let cross = app
        .send(browser_request(
            "GET",
            path,
            &cookie,
            &[("sec-fetch-site", "cross-site")],
        ))
        .await;
    assert_eq!(cross.status, StatusCode::OK);
    assert!(cross.text.contains("Continue to Stripe"), "{}", cross.text);
    assert_eq!(count_links().await, 0, "no link minted");
    // The page's button: a same-origin POST, which mints one and goes there.
    let confirmed = app
        .send(browser_request(
            "POST",
            path,
            &cookie,
            &[
                ("origin", "http://127.0.0.1:3000"),
                ("sec-fetch-site", "same-origin"),
            ],
        ))
        .await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.text
    );
    assert_eq!(count_links().await, 1);
    // From the platform's own pages, the route goes straight to a new link.
    let same = app
        .send(browser_request(
            "GET",
            path,
            &cookie,
            &[("sec-fetch-site", "same-origin")],
        ))
        .await;
    assert_eq!(same.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn answers_carry_the_headers_that_keep_them_private() {
    let app = TestApp::new().await;
    let cookie = app.sign_in(ROCKET).await;
    let offer = app.get("/api/capital/offer", Some(&cookie)).await;
    assert_eq!(offer.headers["cache-control"], "no-store");
    assert_eq!(offer.headers["x-content-type-options"], "nosniff");
    let unauthenticated = app.get("/api/capital/offer", None).await;
    assert_eq!(unauthenticated.headers["cache-control"], "no-store");
    let sign_in = app.get("/sign-in", None).await;
    assert_eq!(sign_in.headers["x-frame-options"], "DENY");
    assert_eq!(
        sign_in.headers["content-security-policy"],
        "frame-ancestors 'none'"
    );
}

/// The sandbox's dashboard tools: nothing without a credential, a signed-in user's own account
/// only, every account with the CLI's admin token.
#[tokio::test]
async fn the_sandboxs_dashboard_tools_act_only_on_the_signed_in_users_own_account() {
    let app = TestApp::new().await;
    let bakery_offer = app.admin("/offers", json!({"account": BAKERY})).await;
    let bakery_offer = bakery_offer["id"].as_str().unwrap().to_owned();
    let rocket = app.sign_in(ROCKET).await;
    let as_rocket = |method: &str, path: &str, body: serde_json::Value| {
        Request::builder()
            .method(method)
            .uri(path)
            .header("cookie", &rocket)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    // Its own account: as the sandbox page does it.
    let own = app
        .send(as_rocket(
            "POST",
            "/sandbox/admin/offers",
            json!({"account": ROCKET}),
        ))
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text);
    let listed = app
        .send(as_rocket("GET", "/sandbox/admin/accounts", json!({})))
        .await
        .json();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    // Anyone else's: as if it did not exist.
    for (method, path, body) in [
        (
            "POST",
            "/sandbox/admin/offers".to_owned(),
            json!({"account": BAKERY}),
        ),
        (
            "POST",
            format!("/sandbox/admin/offers/{bakery_offer}/expire"),
            json!({}),
        ),
        (
            "POST",
            format!("/sandbox/admin/offers/{bakery_offer}/replace"),
            json!({}),
        ),
        (
            "GET",
            format!("/sandbox/admin/accounts/{BAKERY}/offers"),
            json!({}),
        ),
        (
            "GET",
            format!("/sandbox/admin/accounts/{BAKERY}/emails"),
            json!({}),
        ),
        (
            "POST",
            format!("/sandbox/admin/accounts/{BAKERY}/refill"),
            json!({}),
        ),
    ] {
        let answer = app.send(as_rocket(method, &path, body)).await;
        assert_eq!(
            answer.status,
            StatusCode::NOT_FOUND,
            "{method} {path}: {}",
            answer.text
        );
    }
    // What acts on every account at once is the CLI's alone.
    let expire_all = app
        .send(as_rocket("POST", "/sandbox/admin/expire_due", json!({})))
        .await;
    assert_eq!(expire_all.status, StatusCode::FORBIDDEN);
    // No credential, or a guessed token: not signed in.
    for credential in [None, Some("Bearer sbx_admin_guessed")] {
        let mut request =
            Request::post("/sandbox/admin/offers").header("content-type", "application/json");
        if let Some(credential) = credential {
            request = request.header("authorization", credential);
        }
        let answer = app
            .send(
                request
                    .body(Body::from(json!({"account": ROCKET}).to_string()))
                    .unwrap(),
            )
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{credential:?}");
        assert_eq!(answer.json()["error"]["type"], "authentication_error");
    }
    // The Bakery's offer is as it was.
    let bakery = app
        .get(
            &format!("/sandbox/admin/accounts/{BAKERY}/offers"),
            Some(&app.admin_credential()),
        )
        .await
        .json();
    assert_eq!(
        bakery["offers"][0]["offer"]["status"], "undelivered",
        "{bakery}"
    );
}

/// DNS rebinding: a page on another site whose name resolves to this machine reaches the
/// sandbox same-origin; its requests name that site in `Host`, and are refused.
#[tokio::test]
async fn the_sandbox_answers_only_for_the_names_it_is_published_under() {
    let app = TestApp::new().await;
    for (host, status) in [
        ("127.0.0.1:3000", StatusCode::OK),
        ("localhost:3000", StatusCode::OK),
        (
            "rebind.attacker.example:3000",
            StatusCode::MISDIRECTED_REQUEST,
        ),
        ("127.0.0.1:4000", StatusCode::MISDIRECTED_REQUEST),
    ] {
        for path in [
            "/sign-in",
            "/api/capital/session",
            "/sandbox/admin/accounts",
        ] {
            let request = Request::get(path)
                .header("host", host)
                .body(Body::empty())
                .unwrap();
            let answer = app.send(request).await;
            if status == StatusCode::OK {
                assert_ne!(
                    answer.status,
                    StatusCode::MISDIRECTED_REQUEST,
                    "{host} {path}"
                );
            } else {
                assert_eq!(answer.status, status, "{host} {path}: {}", answer.text);
                assert!(
                    answer.json()["error"]["message"]
                        .as_str()
                        .unwrap()
                        .contains("--public-url")
                );
            }
        }
    }
}

/// Behind a platform's app that passes the element's routes and the hosted pages on (its origin
/// the `--public-url`), the sandbox is reached at the address it listens on: that name passes,
/// the app's passes, and any other still does not.
#[tokio::test]
async fn the_sandbox_behind_an_app_answers_at_its_listening_address_too() {
    let mut config = Config::for_tests();
    config.public_url = "http://127.0.0.1:3001".to_owned();
    config.listen = "127.0.0.1:3900".parse().unwrap();
    let app = TestApp::with_config(config).await;
    for (host, allowed) in [
        ("127.0.0.1:3001", true),
        ("127.0.0.1:3900", true),
        ("localhost:3900", true),
        ("127.0.0.1:3000", false),
        ("rebind.attacker.example:3900", false),
    ] {
        let request = Request::get("/api/capital/session")
            .header("host", host)
            .body(Body::empty())
            .unwrap();
        let answer = app.send(request).await;
        assert_eq!(
            answer.status != StatusCode::MISDIRECTED_REQUEST,
            allowed,
            "{host}: {}",
            answer.status
        );
    }
}
