//! The element follows the offer by itself, in a real browser: through the backend's live stream
//! (against the reference backend), after the stream is dropped and back, without a stream
//! (a backend without the route: re-fetched on return to the page), and never across accounts.
#![cfg(not(target_arch = "wasm32"))]

use capital_browser_tests as harness;

use std::time::{Duration, Instant};

use capital_platform::sandbox::CreateOffer;
use harness::{Bench, Browser, Platform, Scenario, sign_in};
use serde_json::{Value, json};

const ROCKET: &str = "acct_1RocketCourier";
const BAKERY: &str = "acct_1SunsetBakery";

fn create(account: &str, amount: i64) -> CreateOffer {
    serde_json::from_value(
        json!({"account": account, "advance_amount": amount, "status": "delivered"}),
    )
    .unwrap()
}

const STATUS: &str =
    "document.querySelector('#tile').shadowRoot?.querySelector('[part~=tile]')?.dataset.status";

/// Pretends the page is hidden (as a switch to another tab does), or shown again.
async fn set_hidden(browser: &Browser, hidden: bool) {
    let state = if hidden { "hidden" } else { "visible" };
    browser
        .js(&format!(
            "Object.defineProperty(document, 'visibilityState', {{configurable: true, get: () => '{state}'}});
             document.dispatchEvent(new Event('visibilitychange'));"
        ))
        .await;
}

async fn shows_within(browser: &Browser, status: &str, limit: Duration) {
    let began = Instant::now();
    browser.until(&format!("{STATUS} === '{status}'")).await;
    assert!(
        began.elapsed() < limit,
        "{status} after {:?}",
        began.elapsed()
    );
}

#[tokio::test]
async fn the_tile_follows_the_stream_and_misses_nothing_while_it_is_closed() {
    let platform = Platform::start().await;
    let browser = Browser::start().await;
    sign_in(&browser, &platform, ROCKET).await;
    browser.until(&format!("{STATUS} === 'none'")).await;
    // One stream for the page, open.
    let deadline = Instant::now() + Duration::from_secs(5);
    while platform.state.streams.open() != 1 {
        assert!(
            Instant::now() < deadline,
            "{} streams open",
            platform.state.streams.open()
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }

    let offer = platform
        .sandbox()
        .create_offer(create(ROCKET, 1_000_000))
        .await
        .unwrap();
    shows_within(&browser, "delivered", Duration::from_secs(1)).await;

    // Hidden: the stream closes. A change meanwhile is shown as soon as the page is back.
    set_hidden(&browser, true).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while platform.state.streams.open() != 0 {
        assert!(
            Instant::now() < deadline,
            "the hidden page's stream is still open"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    platform
        .sandbox()
        .act(
            &offer.id,
            capital_platform::sandbox::machine::Action::Accept {
                advance_amount: 500_000,
            },
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        browser.js(&format!("return {STATUS}")).await,
        "delivered",
        "nothing while hidden"
    );
    set_hidden(&browser, false).await;
    shows_within(&browser, "accepted", Duration::from_secs(1)).await;

    // The network drops under the open stream, and comes back: the change made meanwhile shows.
    browser.cdp("Network.enable", json!({})).await;
    browser
        .cdp("Network.emulateNetworkConditions", json!({"offline": true, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    platform
        .sandbox()
        .act(
            &offer.id,
            capital_platform::sandbox::machine::Action::PayOut,
        )
        .await
        .unwrap();
    browser
        .cdp("Network.emulateNetworkConditions", json!({"offline": false, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}))
        .await;
    browser.until(&format!("{STATUS} === 'paid_out'")).await;

    let errors = browser.js("return window.__errors ?? []").await;
    assert!(errors.as_array().is_none_or(Vec::is_empty), "{errors}");

    // Removed from the page, the element lets go of its stream.
    browser
        .js("document.querySelector('#tile').remove();")
        .await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while platform.state.streams.open() != 0 {
        assert!(
            Instant::now() < deadline,
            "the removed element's stream is still open"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    browser.finish().await;
}

#[tokio::test]
async fn two_accounts_in_two_browsers_never_see_each_others_states() {
    let platform = Platform::start().await;
    let rocket = Browser::start().await;
    let bakery = Browser::start_another().await;
    sign_in(&rocket, &platform, ROCKET).await;
    sign_in(&bakery, &platform, BAKERY).await;
    for browser in [&rocket, &bakery] {
        browser.until(&format!("{STATUS} === 'none'")).await;
    }
    platform
        .sandbox()
        .create_offer(create(ROCKET, 1_000_000))
        .await
        .unwrap();
    shows_within(&rocket, "delivered", Duration::from_secs(1)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(bakery.js(&format!("return {STATUS}")).await, "none");

    platform
        .sandbox()
        .create_offer(create(BAKERY, 700_000))
        .await
        .unwrap();
    shows_within(&bakery, "delivered", Duration::from_secs(1)).await;
    assert_eq!(bakery.part_text("#tile", "amount").await, "$7,000");
    assert_eq!(rocket.part_text("#tile", "amount").await, "$10,000");
    rocket.finish().await;
    bakery.finish().await;
}

#[tokio::test]
async fn without_a_stream_the_element_works_and_re_fetches_on_return() {
    let bench = Bench::start().await;
    let offer = |status: &str| {
        json!({"offer": {"id": "financingoffer_nostream", "object": "capital.financing_offer", "status": status,
                         "financing_type": "flex_loan", "disclaimer_variant": "celtic_us_loan", "expires_after": 1797811200.0,
                         "offered_terms": {"advance_amount": 1500000, "currency": "usd", "fee_amount": 150000, "withhold_rate": 0.12,
                                           "campaign_type": "newly_eligible_user"}},
               "summary": null, "branding": null})
    };
    bench.scenario("nostream", Scenario::ok(offer("delivered")));
    bench
        .open(r#"<capital-offer-tile id="tile" api-base="/api/nostream" delivery="manual"></capital-offer-tile>"#)
        .await;
    assert_eq!(bench.settled("#tile").await, "delivered");
    let gets = || {
        bench
            .calls("nostream")
            .iter()
            .filter(|c| c.method == "GET" && c.route == "offer")
            .count()
    };
    let before = gets();
    let asked_for_stream =
        "performance.getEntriesByType('resource').some(e => e.name.endsWith('/offer/events'))";
    bench.until(asked_for_stream).await;

    // Stripe's tab changed the offer; back on the page (after more than a moment away), the
    // element asks GET /offer once, as it has no stream to tell it.
    bench.update("nostream", |s| s.offer_body = offer("accepted").to_string());
    set_hidden(&bench, true).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    set_hidden(&bench, false).await;
    shows_within(&bench, "accepted", Duration::from_secs(2)).await;
    assert_eq!(gets(), before + 1);
    assert_eq!(bench.page_errors().await, Vec::<Value>::new());

    // live="off": never a stream.
    bench
        .open(r#"<capital-offer-tile id="tile" api-base="/api/nostream" live="off" delivery="manual"></capital-offer-tile>"#)
        .await;
    assert_eq!(bench.settled("#tile").await, "accepted");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(bench.js(&format!("return {asked_for_stream}")).await, false);
    bench.finish().await;
}
