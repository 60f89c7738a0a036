//! Accessibility in headless Chromium through WebDriver, against the release build: axe-core over
//! every gallery state (open shadow roots included), the call to action by keyboard, reduced
//! motion and forced colours (the banner's geometry is tests/layout.rs'). Screenshots go to `test-artifacts/`.
//!
//! Needs `trunk build --release`, `chromedriver` and axe-core (`.ci/install` puts it in the tools
//! prefix); the README's test command takes care of all three.
#![cfg(not(target_arch = "wasm32"))]

use capital_browser_tests as harness;

use std::time::Duration;

use harness::{Bench, Scenario};
use serde_json::{Value, json};

fn offer(status: &str) -> Value {
    json!({
        "id": "financingoffer_a11y", "object": "capital.financing_offer", "account": "acct_1A11y", "created": 1795000000,
        "expires_after": 1797811200.0, "financing_type": "flex_loan", "livemode": false, "product_type": "standard",
        "status": status, "disclaimer_variant": "celtic_us_loan",
        "offered_terms": {"advance_amount": 1500000, "campaign_type": "newly_eligible_user", "currency": "usd",
                          "fee_amount": 150000, "previous_financing_fee_discount_rate": null, "withhold_rate": 0.12},
        "accepted_terms": {"advance_amount": 1500000, "currency": "usd", "fee_amount": 150000, "withhold_rate": 0.12},
    })
}

fn state(offer: Value) -> Value {
    json!({"offer": offer, "summary": {"details": {"advance_amount": 1500000, "currency": "usd", "fee_amount": 150000,
                                                    "paid_amount": 412500, "remaining_amount": 1237500, "withhold_rate": 0.12}},
           "branding": {"business_name": "Rocket Rides", "icon": null, "primary_color": "#0a7cff", "secondary_color": "#1a1a1a"}})
}

#[tokio::test]
async fn every_gallery_state_passes_axe() {
    let bench = Bench::start().await;
    bench.open_gallery().await;
    bench
        .until("[...document.querySelectorAll('capital-offer-tile')].every(t => { const s = t.shadowRoot?.querySelector('[part~=tile]')?.dataset.status; return s && (s !== 'loading' || t.id === 'loading-tile'); })")
        .await;
    // The loading example (its skeleton) is audited too.
    bench
        .until("document.querySelector('#loading-tile')?.shadowRoot?.querySelector('[part~=tile]')?.dataset.status === 'loading'")
        .await;
    let violations = bench.axe_violations().await;
    assert!(violations.is_empty(), "{violations:#?}");
    bench.finish().await;
}

#[tokio::test]
async fn the_call_to_action_works_by_keyboard_and_keeps_the_focus() {
    let bench = Bench::start().await;
    let mut scenario = Scenario::ok(state(offer("delivered")));
    scenario.link_delay = Duration::from_millis(600);
    bench.scenario("keys", scenario);
    bench
        .open(r#"<capital-offer-tile id="keys" api-base="/api/keys" delivery="manual" link-target="_self"></capital-offer-tile>
                 <script>document.addEventListener('capital-offer-launch', (e) => e.preventDefault());</script>"#)
        .await;
    bench.settled("#keys").await;
    // Tab reaches the call to action, and its focus is visible.
    let body = bench
        .client
        .find(fantoccini::Locator::Css("body"))
        .await
        .unwrap();
    body.send_keys("\u{E004}").await.unwrap();
    let focused = "document.querySelector('#keys').shadowRoot.activeElement?.getAttribute('part')";
    assert_eq!(bench.js(&format!("return {focused}")).await, json!("cta"));
    let outline = bench
        .js("return getComputedStyle(document.querySelector('#keys').shadowRoot.activeElement).outlineStyle")
        .await;
    assert_eq!(outline, json!("solid"), "a visible focus ring");
    // Enter: busy, announced, and the focus stays on the button (not on <body>).
    let active = bench.client.active_element().await.unwrap();
    active.send_keys("\u{E007}").await.unwrap();
    bench
        .until("document.querySelector('#keys').shadowRoot.querySelector('[part~=cta]').getAttribute('aria-disabled') === 'true'")
        .await;
    assert_eq!(bench.js(&format!("return {focused}")).await, json!("cta"));
    let announced = bench
        .js("return document.querySelector('#keys').shadowRoot.querySelector('.tile > [role=status]').textContent")
        .await;
    assert_eq!(announced, json!("Opening…"));
    bench
        .until("document.querySelector('#keys').shadowRoot.querySelector('[part~=cta]').getAttribute('aria-disabled') === 'false'")
        .await;
    assert_eq!(bench.js(&format!("return {focused}")).await, json!("cta"));
    // Space works too.
    let active = bench.client.active_element().await.unwrap();
    active.send_keys(" ").await.unwrap();
    bench
        .until("window.__events.filter(e => e.name === 'capital-offer-launch').length === 2")
        .await;
    assert_eq!(bench.posts("keys", "account_links").len(), 2);
    bench.finish().await;
}

#[tokio::test]
async fn reduced_motion_stops_the_skeleton_and_forced_colours_keep_the_button_and_bar() {
    let bench = Bench::start().await;
    let mut loading = Scenario::ok(state(offer("delivered")));
    loading.offer_delay = Duration::from_secs(30);
    bench.scenario("loading", loading);
    bench.scenario("paid", Scenario::ok(state(offer("paid_out"))));
    bench
        .cdp(
            "Emulation.setEmulatedMedia",
            json!({"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]}),
        )
        .await;
    bench
        .open(r#"<capital-offer-tile id="loading" api-base="/api/loading"></capital-offer-tile>"#)
        .await;
    bench
        .until("document.querySelector('#loading').shadowRoot?.querySelector('.skeleton')")
        .await;
    let animation = bench
        .js("return getComputedStyle(document.querySelector('#loading').shadowRoot.querySelector('.skeleton')).animationName")
        .await;
    assert_eq!(animation, json!("none"));

    bench
        .cdp(
            "Emulation.setEmulatedMedia",
            json!({"features": [{"name": "forced-colors", "value": "active"}]}),
        )
        .await;
    bench
        .open(r#"<capital-offer-tile id="paid" api-base="/api/paid" delivery="manual"></capital-offer-tile>"#)
        .await;
    bench.settled("#paid").await;
    let looks = bench
        .js("const root = document.querySelector('#paid').shadowRoot;
             const cta = getComputedStyle(root.querySelector('[part~=cta]'));
             const fill = getComputedStyle(root.querySelector('.progress-fill'));
             const bar = getComputedStyle(root.querySelector('[part~=progress]'));
             return {cta: cta.borderTopStyle, fill: fill.backgroundColor, bar: bar.backgroundColor};")
        .await;
    assert_eq!(looks["cta"], "solid", "the button has an outline: {looks}");
    assert_ne!(
        looks["fill"], looks["bar"],
        "the fill stands out from the bar: {looks}"
    );
    bench.save_screenshot("forced-colours").await;
    bench.finish().await;
}
