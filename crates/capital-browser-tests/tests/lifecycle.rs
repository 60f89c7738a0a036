//! The whole Capital lifecycle in a real browser: the release build of the element on the live
//! sandbox page, served by the reference backend in sandbox mode. A screenshot of the tile is
//! saved at every step (`test-artifacts/lifecycle-*.png`; the README shows the sequence).
#![cfg(not(target_arch = "wasm32"))]

use capital_browser_tests as harness;

use capital_platform::sandbox::CreateOffer;
use capital_platform::sandbox::machine::Action;
use fantoccini::Locator;
use harness::{Browser, Platform, root, sign_in};

const ROCKET: &str = "acct_1RocketCourier";
const BAKERY: &str = "acct_1SunsetBakery";

fn offer_request(account: &str, amount: i64, status: &str) -> CreateOffer {
    serde_json::from_value(serde_json::json!({
        "account": account, "advance_amount": amount, "fee_amount": amount / 10, "withhold_rate": 0.12, "status": status,
    }))
    .unwrap()
}

const TILE: &str = "#tile";

/// Waits for the tile to show `status` by itself (its live stream: nothing reloads it) and says
/// how long that took.
async fn shows(browser: &Browser, status: &str) -> std::time::Duration {
    let began = std::time::Instant::now();
    browser
        .until(&format!("document.querySelector('#tile').shadowRoot?.querySelector('[part~=tile]')?.dataset.status === '{status}'"))
        .await;
    began.elapsed()
}

/// As `shows`, for a change made elsewhere: the tile follows it within a second.
async fn follows(browser: &Browser, status: &str) {
    let took = shows(browser, status).await;
    assert!(
        took < std::time::Duration::from_secs(1),
        "{status} took {took:?}"
    );
}

async fn snapshot(browser: &Browser, step: &str) {
    let element = browser.client.find(Locator::Css(TILE)).await.unwrap();
    let png = element.screenshot().await.unwrap();
    let dir = root().join("test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("lifecycle-{step}.png")), png).unwrap();
}

/// Runs the backend's sandbox CLI (`capital-platform sandbox …`) against the running platform.
/// Asynchronously: the platform serves from this test's own (single-threaded) runtime.
async fn cli(platform: &Platform, args: &[&str]) {
    // The binary next to this test's own directory (target/debug), built if missing.
    let dir = std::env::current_exe().unwrap();
    let binary = dir
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("capital-platform");
    if !binary.exists() {
        let built = tokio::process::Command::new(env!("CARGO"))
            .args(["build", "-q", "-p", "capital-platform"])
            .status()
            .await
            .unwrap();
        assert!(built.success());
    }
    let output = tokio::process::Command::new(&binary)
        .args(["sandbox", "--server", &platform.origin])
        // The token the server would print at start and leave in its data directory.
        .env(
            "CAPITAL_SANDBOX_ADMIN_TOKEN",
            secrecy::ExposeSecret::expose_secret(
                platform.state.sandbox_admin_token.as_ref().unwrap(),
            ),
        )
        .args(args)
        .output()
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Clicks the tile's call to action (a real click), fills in the hosted application for
/// `amount` and submits it, then comes back to the platform's tab.
async fn apply_through_hosted_page(browser: &Browser, amount: i64, step: &str) {
    let platform_tab = browser.client.window().await.unwrap();
    browser.click_for_real(TILE, "cta").await;
    let hosted = browser.new_window(&platform_tab).await;
    browser.client.switch_to_window(hosted).await.unwrap();
    browser.until("location.pathname.startsWith('/sandbox/hosted/') && document.querySelector('input[type=range]') !== null").await;
    browser.js(&format!("const r = document.querySelector('input[type=range]'); r.value = {amount}; r.dispatchEvent(new Event('input'));")).await;
    // A screen reader hears the amount in money, not in cents.
    let spoken = browser
        .js("return document.querySelector('input[type=range]').getAttribute('aria-valuetext')")
        .await;
    assert!(
        spoken
            .as_str()
            .is_some_and(|s| s.contains('$') || s.contains("USD")),
        "{spoken}"
    );
    let png = browser.client.screenshot().await.unwrap();
    std::fs::write(
        root()
            .join("test-artifacts")
            .join(format!("lifecycle-{step}.png")),
        png,
    )
    .unwrap();
    browser
        .client
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .until("document.querySelector('h1')?.textContent === 'Application submitted'")
        .await;
    // "Back to the platform" closes this tab: the user returns to the platform's, not a copy.
    browser
        .client
        .find(Locator::Css("a[data-back]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while browser.client.windows().await.unwrap().len() > 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "the hosted tab did not close"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    browser.client.switch_to_window(platform_tab).await.unwrap();
}

fn platform_status(offers: &[capital_types::FinancingOffer], id: &str) -> String {
    offers
        .iter()
        .find(|o| o.id == id)
        .map(|o| o.status.as_str().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn an_offer_through_its_whole_life_in_the_browser() {
    let platform = Platform::start().await;
    let browser = Browser::start().await;
    std::fs::create_dir_all(root().join("test-artifacts")).unwrap();
    // Signed out, the sandbox page asks to sign in and shows nothing else: no element, no 401.
    browser
        .client
        .goto(&format!("{}/sandbox.html", platform.origin))
        .await
        .unwrap();
    browser
        .until("!document.getElementById('signin').hidden")
        .await;
    let signed_out = browser
        .js("return {app: getComputedStyle(document.getElementById('app')).display,
                     tile: !!document.querySelector('capital-offer-tile'),
                     offer: performance.getEntriesByType('resource').some(e => e.name.includes('/api/capital/offer'))}")
        .await;
    assert_eq!(
        signed_out,
        serde_json::json!({"app": "none", "tile": false, "offer": false})
    );
    sign_in(&browser, &platform, ROCKET).await;
    shows(&browser, "none").await;
    // The create form checks in its own units and names the field; the next try clears it.
    browser
        .js("const form = document.getElementById('create'); form.elements.amount.value = ''; form.requestSubmit();")
        .await;
    assert_eq!(
        browser
            .js("return document.getElementById('message').textContent")
            .await,
        "Amount: enter more than 0 USD."
    );

    // 1. An offer is created; the tile shows it and, once seen, marks it delivered.
    let offer = platform
        .sandbox()
        .create_offer(offer_request(ROCKET, 2_000_000, "undelivered"))
        .await
        .unwrap();
    browser.until("['undelivered', 'delivered'].includes(document.querySelector('#tile').shadowRoot.querySelector('[part~=tile]').dataset.status)").await;
    shows(&browser, "delivered").await;
    // The control panel's table follows: the element's delivery shows there without a reload.
    browser
        .until("[...document.querySelectorAll('#offers .status')].some(s => s.textContent === 'delivered')")
        .await;
    let offers = platform
        .state
        .store
        .offers_for_account(ROCKET)
        .await
        .unwrap()
        .into_iter()
        .map(|whole| whole.typed().clone())
        .collect::<Vec<_>>();
    assert_eq!(
        platform_status(&offers, &offer.id),
        "delivered",
        "the platform marked it delivered"
    );
    assert_eq!(browser.part_text(TILE, "amount").await, "$20,000");
    snapshot(&browser, "01-offer").await;

    // 2. The button opens the sandbox application; submitting accepts the offer.
    apply_through_hosted_page(&browser, 1_500_000, "02-application").await;
    shows(&browser, "accepted").await;
    snapshot(&browser, "03-under-review").await;

    // 3. Approved and disbursed from the control panel: the tile follows within a second, with
    // no reload (its live stream); payments move the bar.
    browser.until("[...document.querySelectorAll('#offers button')].some(b => b.textContent === 'Approve & disburse')").await;
    browser
        .js("[...document.querySelectorAll('#offers button')].find(b => b.textContent === 'Approve & disburse').click();")
        .await;
    follows(&browser, "paid_out").await;
    assert_eq!(browser.js("return document.querySelector('#tile').shadowRoot.querySelector('[part=progress]').getAttribute('aria-valuenow')").await, "0");
    snapshot(&browser, "04-paid-out").await;
    // The sandbox page and the hosted reporting page pass axe-core too.
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "sandbox page: {violations:#?}");
    let platform_tab = browser.client.window().await.unwrap();
    browser.click_for_real(TILE, "cta").await;
    let reporting = browser.new_window(&platform_tab).await;
    browser.client.switch_to_window(reporting).await.unwrap();
    browser
        .until("document.querySelector('h1')?.textContent === 'Financing reporting'")
        .await;
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "reporting page: {violations:#?}");
    browser.client.close_window().await.unwrap();
    browser.client.switch_to_window(platform_tab).await.unwrap();
    // A payment recorded with the CLI against the running server, as Stripe's CLI would.
    // Timed from the CLI's answer (the payment is recorded), not from the CLI's start: a cold
    // start of a freshly built debug binary is not what the live stream promises.
    cli(&platform, &["repay", &offer.id, "1000000"]).await;
    let began = std::time::Instant::now();
    browser.until("document.querySelector('#tile').shadowRoot.querySelector('[part=progress]').getAttribute('aria-valuenow') === '60'").await;
    assert!(
        began.elapsed() < std::time::Duration::from_secs(1),
        "{:?}",
        began.elapsed()
    );
    snapshot(&browser, "05-repaying").await;

    // 4. A refill offer appears with its discount; accepting it closes the old financing.
    let refill = platform
        .sandbox()
        .create_refill(ROCKET, Some(2_500_000), Some(0.5))
        .await
        .unwrap();
    follows(&browser, "delivered").await;
    assert_eq!(
        browser.part_text(TILE, "discount").await,
        "50% off the remaining fee of your current financing"
    );
    snapshot(&browser, "06-refill-offer").await;
    apply_through_hosted_page(&browser, 2_500_000, "07-refill-application").await;
    platform
        .sandbox()
        .act(&refill.id, Action::PayOut)
        .await
        .unwrap();
    follows(&browser, "paid_out").await;
    let offers = platform
        .state
        .store
        .offers_for_account(ROCKET)
        .await
        .unwrap()
        .into_iter()
        .map(|whole| whole.typed().clone())
        .collect::<Vec<_>>();
    assert_eq!(
        platform_status(&offers, &offer.id),
        "fully_repaid",
        "the refilled financing is closed"
    );
    let refilled = offers.iter().find(|o| o.id == refill.id).unwrap();
    // 650,000 of 1,650,000 remained: 150,000 × 650/1650 = 59,090 of fee; half is the discount.
    assert_eq!(
        refilled
            .accepted_terms
            .as_ref()
            .unwrap()
            .previous_financing_fee_discount_amount,
        Some(29_545)
    );
    snapshot(&browser, "08-refilled").await;

    // 5. Another account: a replacement arrives and the tile follows it; expiry collapses it.
    browser
        .js("return fetch('/sign-out', {method: 'POST'}).then(r => r.status)")
        .await;
    sign_in(&browser, &platform, BAKERY).await;
    let original = platform
        .sandbox()
        .create_offer(offer_request(BAKERY, 800_000, "delivered"))
        .await
        .unwrap();
    follows(&browser, "delivered").await;
    assert_eq!(browser.part_text(TILE, "amount").await, "$8,000");
    let replacement = platform
        .sandbox()
        .replace(&original.id, Some(1_200_000))
        .await
        .unwrap();
    shows(&browser, "delivered").await;
    browser.until("document.querySelector('#tile').shadowRoot.querySelector('[part=amount]').textContent === '$12,000'").await;
    snapshot(&browser, "09-replacement").await;
    platform
        .sandbox()
        .act(&replacement.id, Action::Expire)
        .await
        .unwrap();
    follows(&browser, "none").await;
    assert_eq!(
        browser
            .js("return document.querySelector('#tile').getBoundingClientRect().height")
            .await,
        0
    );
    browser.finish().await;
}
