//! The npm package as a user installs it: scripts/examples packed it, installed the tarball into
//! the example apps in examples/, type-checked them and built them with Vite. Here each build is
//! served beside a stub backend and opened in headless Chromium: the element must render the
//! offer, with the wasm the bundler emitted, the properties and copy the app set, and the app's
//! typed event handler must have heard `capital-offer-loaded`.

#![cfg(not(target_arch = "wasm32"))]

use capital_browser_tests as harness;

use std::net::SocketAddr;

use axum::Router;
use axum::response::IntoResponse;
use axum::routing::get;
use harness::{Browser, delivered_offer, root};

/// The token the stub platform mints (its shape does not matter to the element).
const SESSION_TOKEN: &str = "example-session-token-for-acct_1SunsetBakery";

/// Serves `examples/{example}/dist` with the contract's `GET /offer` under `/api/capital`, as the
/// example's own page expects; returns the origin.
async fn serve(example: &str) -> String {
    let dist = root().join("examples").join(example).join("dist");
    assert!(
        dist.join("index.html").exists(),
        "examples/{example}/dist is missing: run scripts/examples (the README's test command does)"
    );
    // As the reference backend in `--identity token`: the offer only with the session token that
    // the app's platform backend (here, `/platform/session-token`) handed out.
    let app = Router::new()
        .route(
            "/platform/session-token",
            get(|| async { axum::Json(serde_json::json!({ "token": SESSION_TOKEN })) }),
        )
        .route(
            "/api/capital/offer",
            get(|headers: axum::http::HeaderMap| async move {
                let bearer = format!("Bearer {SESSION_TOKEN}");
                if headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&bearer) {
                    axum::Json(delivered_offer()).into_response()
                } else {
                    let refusal = serde_json::json!({"error": {"type": "authentication_error", "message": "not signed in"}});
                    (axum::http::StatusCode::UNAUTHORIZED, axum::Json(refusal)).into_response()
                }
            }),
        )
        .fallback_service(tower_http::services::ServeDir::new(dist));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

/// Where an example's bundler put the wasm: Vite emits it as a hashed asset; the Angular CLI's
/// esbuild does not follow `new URL(…, import.meta.url)`, so that app copies it beside its bundle
/// (angular.json's `assets`).
fn wasm_location(example: &str) -> &'static str {
    match example {
        "angular" => "/capital-offer-tile-core_bg.wasm",
        _ => "/assets/capital-offer-tile-core_bg-",
    }
}

/// Opens the example and checks what every example must show.
async fn opened(example: &str) -> Browser {
    let origin = serve(example).await;
    let browser = Browser::start().await;
    browser.client.goto(&format!("{origin}/")).await.unwrap();
    assert_eq!(browser.settled("capital-offer-tile").await, "delivered");
    assert_eq!(
        browser.part_text("capital-offer-tile", "amount").await,
        "$15,000"
    );
    // The copy the app gave through the `strings` property.
    let cta = browser.part_text("capital-offer-tile", "cta").await;
    assert!(cta.starts_with("See your offer"), "{cta}");
    // The wasm is the asset the bundler emitted, not a file beside the package.
    let wasm = browser
        .js("return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.endsWith('.wasm'));")
        .await;
    let wasm = wasm.as_array().unwrap();
    assert_eq!(wasm.len(), 1, "{wasm:?}");
    assert!(
        wasm[0].as_str().unwrap().contains(wasm_location(example)),
        "{wasm:?}"
    );
    // The first request already carried the token: one `GET /offer`, no 401 and retry.
    let offers = browser
        .js("return performance.getEntriesByType('resource').filter(e => new URL(e.name).pathname === '/api/capital/offer').length")
        .await;
    assert_eq!(offers, 1);
    browser
        .save_screenshot(&format!("npm-example-{example}"))
        .await;
    browser
}

#[tokio::test]
async fn the_vite_typescript_example_renders_the_offer() {
    let browser = opened("vite-ts").await;
    // Its typed `capital-offer-loaded` handler ran.
    browser
        .until("document.querySelector('#status').textContent === 'Offer status: delivered (flex_loan)'")
        .await;
    brand_color_is(&browser, "#635bff").await;
    browser.finish().await;
}

#[tokio::test]
async fn the_react_example_renders_the_offer() {
    let browser = opened("react").await;
    browser
        .until("document.querySelector('#status').textContent === 'Offer status: delivered'")
        .await;
    // React 19 set `layout` as an attribute (reflected), `strings` and `fetchSessionToken` as
    // properties.
    assert_eq!(
        browser
            .js("return document.querySelector('capital-offer-tile').shadowRoot.querySelector('[part~=tile]').dataset.layout")
            .await,
        "banner"
    );
    properties_are_properties(&browser).await;
    reloads_through_its_button(&browser).await;
    browser.finish().await;
}

/// The app's button calls the element's typed `reload()` (through a ref, a template ref or a
/// bound variable): the offer is asked for again, and shown again.
async fn reloads_through_its_button(browser: &Browser) {
    let before = browser
        .js("return performance.getEntriesByType('resource').filter(e => new URL(e.name).pathname === '/api/capital/offer').length")
        .await;
    browser
        .js("document.querySelector('button').click();")
        .await;
    browser
        .until(&format!(
            "performance.getEntriesByType('resource').filter(e => new URL(e.name).pathname === '/api/capital/offer').length > {before}"
        ))
        .await;
    assert_eq!(browser.settled("capital-offer-tile").await, "delivered");
}

/// What the app set as properties reached the element as properties: `strings` an object,
/// `fetchSessionToken` a function (the token on the first request proves it was called).
async fn properties_are_properties(browser: &Browser) {
    assert_eq!(
        browser
            .js("const tile = document.querySelector('capital-offer-tile'); return [typeof tile.strings, typeof tile.fetchSessionToken, tile.hasAttribute('strings'), tile.hasAttribute('fetchsessiontoken')]")
            .await,
        serde_json::json!(["object", "function", false, false])
    );
}

/// The brand colour the app gave as an attribute is the element's.
async fn brand_color_is(browser: &Browser, color: &str) {
    assert_eq!(
        browser
            .js("return document.querySelector('capital-offer-tile').brandColor")
            .await,
        color
    );
}

/// A framework app (its status line written by its typed `capital-offer-loaded` handler, its
/// button calling `reload()` through its kind of ref): everything it set reached the element.
async fn framework_example_renders_the_offer(example: &str, brand_color: &str) {
    let browser = opened(example).await;
    browser
        .until("document.querySelector('#status').textContent.trim() === 'Offer status: delivered'")
        .await;
    properties_are_properties(&browser).await;
    brand_color_is(&browser, brand_color).await;
    reloads_through_its_button(&browser).await;
    browser.finish().await;
}

#[tokio::test]
async fn the_vue_example_renders_the_offer() {
    // `@capital-offer-loaded`, a template ref.
    framework_example_renders_the_offer("vue", "#41b883").await;
}

#[tokio::test]
async fn the_svelte_example_renders_the_offer() {
    // `oncapital-offer-loaded`, `bind:this`.
    framework_example_renders_the_offer("svelte", "#ff3e00").await;
}

#[tokio::test]
async fn the_angular_example_renders_the_offer() {
    // `(capital-offer-loaded)`, the template's `#tile`.
    framework_example_renders_the_offer("angular", "#dd0031").await;
}
