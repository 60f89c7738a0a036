//! The example platform mounts the Capital routes with its own sign-in: its users see their own
//! account's offer, nobody else gets in, and the reference's demo sign-in is not there.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum_extra::extract::cookie::Key;
use capital_example_platform::{Users, app};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

async fn send(router: &Router, request: Request<Body>) -> (StatusCode, String, Option<String>) {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let cookie = response
        .headers()
        .get("set-cookie")
        .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_owned());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned(), cookie)
}

async fn platform() -> Router {
    let users = Users::new([
        ("ada", "acct_1RocketCourier"),
        ("grace", "acct_1SunsetBakery"),
    ]);
    app(
        capital_platform::Config::for_tests(),
        Key::generate(),
        users,
    )
    .await
    .unwrap()
}

async fn login(router: &Router, user: &str) -> (StatusCode, Option<String>) {
    let request = Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!("user={user}")))
        .unwrap();
    let (status, _, cookie) = send(router, request).await;
    (status, cookie)
}

async fn offer(router: &Router, cookie: Option<&str>) -> (StatusCode, Value) {
    let mut request = Request::get("/api/capital/offer");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let (status, body, _) = send(router, request.body(Body::empty()).unwrap()).await;
    (status, serde_json::from_str(&body).unwrap())
}

#[tokio::test]
async fn the_platforms_users_see_their_own_accounts_offer_and_nobody_else_gets_in() {
    let router = platform().await;
    let (status, ada) = login(&router, "ada").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let ada = ada.expect("the platform's session cookie");
    let (_, grace) = login(&router, "grace").await;
    let grace = grace.expect("the platform's session cookie");
    // The sandbox's dashboard tools act for the platform's signed-in user, on their account only.
    for (cookie, account, amount, expected) in [
        (&ada, "acct_1RocketCourier", 1_000_000, StatusCode::OK),
        (&grace, "acct_1SunsetBakery", 2_500_000, StatusCode::OK),
        (&ada, "acct_1SunsetBakery", 1, StatusCode::NOT_FOUND),
    ] {
        let request = Request::post("/sandbox/admin/offers")
            .header("content-type", "application/json")
            .header("cookie", cookie)
            .body(Body::from(
                json!({"account": account, "advance_amount": amount}).to_string(),
            ))
            .unwrap();
        assert_eq!(send(&router, request).await.0, expected, "{account}");
    }

    let (status, state) = offer(&router, Some(&ada)).await;
    assert_eq!(status, StatusCode::OK, "{state}");
    assert_eq!(state["offer"]["account"], "acct_1RocketCourier");
    assert_eq!(state["offer"]["offered_terms"]["advance_amount"], 1_000_000);

    let (_, grace) = login(&router, "grace").await;
    let (_, state) = offer(&router, grace.as_deref()).await;
    assert_eq!(state["offer"]["account"], "acct_1SunsetBakery");

    // No session, a forged cookie, an unknown user: not signed in.
    assert_eq!(offer(&router, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        offer(&router, Some("platform_user=ada")).await.0,
        StatusCode::UNAUTHORIZED,
        "an unsigned cookie"
    );
    assert_eq!(login(&router, "mallory").await.0, StatusCode::UNAUTHORIZED);
    // The platform's own dashboard greets its user and has the tile.
    let request = Request::get("/")
        .header("cookie", &ada)
        .body(Body::empty())
        .unwrap();
    let (status, page, _) = send(&router, request).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Welcome back, ada") && page.contains("<capital-offer-tile"),
        "{page}"
    );
    // The reference's demo sign-in is not mounted beside the platform's own.
    let request = Request::get("/sign-in").body(Body::empty()).unwrap();
    assert_eq!(send(&router, request).await.0, StatusCode::NOT_FOUND);
}
