//! End to end in headless Chromium through WebDriver, against the release build: the embed folder
//! copied to an unrelated path, a plain host page with only the module script, a fake backend.
//!
//! Needs `trunk build --release` first and `chromedriver` on PATH (the README's test command and
//! `.ci/run` take care of both).
#![cfg(not(target_arch = "wasm32"))]

use capital_browser_tests as harness;

use std::time::Duration;

use harness::{Bench, Scenario};
use serde_json::{Value, json};

fn offer(id: &str, status: &str, currency: &str, amount: i64) -> Value {
    json!({
        "id": id, "object": "capital.financing_offer", "account": "acct_1WebDriver", "created": 1795000000,
        "expires_after": 1797811200.0, "financing_type": "flex_loan", "livemode": false,
        "product_type": "standard", "status": status, "disclaimer_variant": "celtic_us_loan",
        "offered_terms": {"advance_amount": amount, "campaign_type": "newly_eligible_user", "currency": currency,
                          "fee_amount": amount / 10, "previous_financing_fee_discount_rate": null, "withhold_rate": 0.12},
        "accepted_terms": null, "replacement": null, "replacement_for": null, "charged_off_at": null,
    })
}

fn state(offer: Value) -> Value {
    json!({"offer": offer, "summary": null, "branding": {"business_name": "Rocket Rides", "icon": null, "logo": null,
           "primary_color": "#0a7cff", "secondary_color": "#1a1a1a"}})
}

fn tile(id: &str, scenario: &str, extra: &str) -> String {
    format!(
        r#"<capital-offer-tile id="{id}" api-base="/api/{scenario}" locale="en-US" {extra}></capital-offer-tile>"#
    )
}

#[tokio::test]
async fn copied_embed_folder_renders_usd_jpy_and_refill_on_a_plain_page() {
    let bench = Bench::start().await;
    bench.scenario(
        "usd",
        Scenario::ok(state(offer(
            "financingoffer_usd",
            "delivered",
            "usd",
            1500000,
        ))),
    );
    bench.scenario(
        "jpy",
        Scenario::ok(state(offer(
            "financingoffer_jpy",
            "delivered",
            "jpy",
            1500000,
        ))),
    );
    let mut refill = offer("financingoffer_refill", "delivered", "usd", 2500000);
    refill["product_type"] = json!("refill");
    refill["offered_terms"]["previous_financing_fee_discount_rate"] = json!(0.25);
    bench.scenario("refill", Scenario::ok(state(refill)));
    bench
        .open(
            &[
                tile("usd", "usd", ""),
                tile("jpy", "jpy", ""),
                tile("refill", "refill", ""),
            ]
            .join("\n"),
        )
        .await;

    assert_eq!(bench.settled("#usd").await, "delivered");
    assert_eq!(bench.part_text("#usd", "amount").await, "$15,000");
    assert_eq!(bench.settled("#jpy").await, "delivered");
    assert_eq!(bench.part_text("#jpy", "amount").await, "¥1,500,000");
    assert_eq!(bench.settled("#refill").await, "delivered");
    assert_eq!(
        bench.part_text("#refill", "discount").await,
        "25% off the remaining fee of your current financing"
    );
    assert!(
        bench
            .js("return document.querySelector('#usd').shadowRoot.mode")
            .await
            == "open"
    );
    bench.save_screenshot("webdriver-plain-page").await;
    assert_eq!(bench.page_errors().await, Vec::<Value>::new());
    bench.finish().await;
}

#[tokio::test]
async fn accepted_opens_a_reporting_link_in_a_new_tab_without_opener() {
    let bench = Bench::start().await;
    let mut accepted = offer("financingoffer_acc", "accepted", "usd", 1500000);
    accepted["accepted_terms"] = json!({"advance_amount": 1000000, "currency": "usd", "fee_amount": 100000, "withhold_rate": 0.12});
    bench.scenario("acc", Scenario::ok(state(accepted)));
    bench.open(&tile("t", "acc", "")).await;
    assert_eq!(bench.settled("#t").await, "accepted");

    let platform_tab = bench.client.window().await.unwrap();
    bench.click_for_real("#t", "cta").await;
    bench
        .until("window.__events.some(e => e.name === 'capital-offer-launch')")
        .await;

    let posts = bench.posts("acc", "account_links");
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].body, r#"{"type":"capital_financing_reporting"}"#);
    // A new tab opened (not blocked by the popup blocker).
    let tab = bench.new_window(&platform_tab).await;
    bench.client.switch_to_window(tab).await.unwrap();
    bench
        .until("location.pathname === '/stripe/capital/offer/test'")
        .await;
    assert_eq!(
        bench.js("return window.opener").await,
        Value::Null,
        "the link cannot reach back"
    );
    bench.finish().await;
}

#[tokio::test]
async fn double_click_posts_once_and_the_next_click_posts_again() {
    let bench = Bench::start().await;
    let mut scenario = Scenario::ok(state(offer(
        "financingoffer_dc",
        "delivered",
        "usd",
        1500000,
    )));
    scenario.link_delay = Duration::from_millis(300);
    bench.scenario("dc", scenario);
    bench
        .open(&tile(
            "t",
            "dc",
            r#"delivery="manual" link-target="_blank""#,
        ))
        .await;
    bench.settled("#t").await;
    bench.double_click("#t", "cta").await;
    bench
        .until("window.__events.filter(e => e.name === 'capital-offer-launch').length === 1")
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        bench.posts("dc", "account_links").len(),
        1,
        "a second click while in flight sends nothing"
    );
    bench
        .until("!document.querySelector('#t').shadowRoot.querySelector('[part=cta]').disabled")
        .await;
    bench.click("#t", "cta").await;
    bench
        .until("window.__events.filter(e => e.name === 'capital-offer-launch').length === 2")
        .await;
    assert_eq!(
        bench.posts("dc", "account_links").len(),
        2,
        "every click asks for a fresh link"
    );
    let urls: Vec<Value> = bench
        .events("capital-offer-launch")
        .await
        .iter()
        .map(|e| e["detail"]["url"].clone())
        .collect();
    assert_ne!(urls[0], urls[1]);
    bench.finish().await;
}

#[tokio::test]
async fn javascript_and_foreign_links_are_refused() {
    let bench = Bench::start().await;
    for (name, url) in [
        ("js", "javascript:alert(document.domain)"),
        ("foreign", "https://evil.example/capital"),
    ] {
        let mut scenario = Scenario::ok(state(offer(
            "financingoffer_x",
            "delivered",
            "usd",
            1500000,
        )));
        scenario.link_url = url.into();
        bench.scenario(name, scenario);
    }
    bench
        .open(
            &[
                tile("js", "js", r#"delivery="manual""#),
                tile("foreign", "foreign", r#"delivery="manual""#),
            ]
            .join(""),
        )
        .await;
    for id in ["js", "foreign"] {
        bench.settled(&format!("#{id}")).await;
        bench.click(&format!("#{id}"), "cta").await;
        bench
            .until(&format!(
                "window.__events.some(e => e.name === 'capital-offer-error' && e.id === '{id}')"
            ))
            .await;
        assert_eq!(
            bench.part_text(&format!("#{id}"), "message").await,
            "That link can’t be opened safely, so it was blocked."
        );
    }
    let errors = bench.events("capital-offer-error").await;
    assert!(
        errors.iter().all(|e| e["detail"]["kind"] == "unsafe_link"),
        "{errors:?}"
    );
    assert!(bench.events("capital-offer-launch").await.is_empty());
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        bench.client.windows().await.unwrap().len(),
        1,
        "nothing stays open"
    );
    bench.finish().await;
}

#[tokio::test]
async fn html_in_branding_is_rendered_as_text() {
    let bench = Bench::start().await;
    let mut s = state(offer("financingoffer_h", "delivered", "usd", 1500000));
    s["branding"]["business_name"] = json!(
        "<img src=x onerror=\"window.__pwned=true\">Rides<script>window.__pwned=true</script>"
    );
    bench.scenario("html", Scenario::ok(s));
    bench.open(&tile("t", "html", "")).await;
    bench.settled("#t").await;
    let name = bench.js("return document.querySelector('#t').shadowRoot.querySelector('.brand-name').textContent").await;
    assert_eq!(
        name,
        "<img src=x onerror=\"window.__pwned=true\">Rides<script>window.__pwned=true</script>"
    );
    assert_eq!(bench.js("return document.querySelector('#t').shadowRoot.querySelectorAll('img, script').length").await, 0);
    assert_eq!(bench.js("return window.__pwned === undefined").await, true);
    bench.finish().await;
}

#[tokio::test]
async fn server_error_then_retry_recovers() {
    let bench = Bench::start().await;
    let mut scenario = Scenario::ok(state(offer(
        "financingoffer_r",
        "delivered",
        "usd",
        1500000,
    )));
    scenario.offer_status = 500;
    scenario.offer_body = "Traceback (most recent call last): secret_key=sk_live_123".into();
    bench.scenario("flaky", scenario);
    bench.open(&tile("t", "flaky", "")).await;
    assert_eq!(bench.settled("#t").await, "error");
    assert_eq!(
        bench.part_text("#t", "message").await,
        "Your financing offer couldn’t be loaded."
    );
    let text = bench
        .js("return document.querySelector('#t').shadowRoot.textContent")
        .await;
    assert!(
        !text.as_str().unwrap().contains("sk_live"),
        "raw server text is never shown"
    );
    let error = &bench.events("capital-offer-error").await[0]["detail"];
    assert_eq!(error["kind"], "http");
    assert_eq!(error["status"], 500);

    bench.update("flaky", |s| {
        s.offer_status = 200;
        s.offer_body = state(offer("financingoffer_r", "delivered", "usd", 1500000)).to_string();
    });
    bench.click("#t", "retry").await;
    bench.until("document.querySelector('#t').shadowRoot.querySelector('[part~=tile]').dataset.status === 'delivered'").await;
    assert_eq!(bench.part_text("#t", "amount").await, "$15,000");
    bench.finish().await;
}

#[tokio::test]
async fn removal_mid_fetch_causes_no_error() {
    let bench = Bench::start().await;
    let mut slow = Scenario::ok(state(offer(
        "financingoffer_s",
        "delivered",
        "usd",
        1500000,
    )));
    slow.offer_delay = Duration::from_millis(800);
    bench.scenario("slow", slow);
    bench.open(&tile("t", "slow", "")).await;
    bench.until("document.querySelector('#t')?.shadowRoot?.querySelector('[part~=tile]')?.dataset.status === 'loading'").await;
    bench.js("document.querySelector('#t').remove();").await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(bench.page_errors().await, Vec::<Value>::new());
    assert!(
        bench
            .js("return window.__events")
            .await
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing reported after removal"
    );
    // Re-adding the same element starts afresh.
    bench.update("slow", |s| s.offer_delay = Duration::ZERO);
    bench.js("const t = document.createElement('capital-offer-tile'); t.id = 'again'; t.setAttribute('api-base', '/api/slow'); document.body.append(t);").await;
    assert_eq!(bench.settled("#again").await, "delivered");
    bench.finish().await;
}

#[tokio::test]
async fn three_elements_on_one_page_stay_independent() {
    let bench = Bench::start().await;
    bench.scenario(
        "a",
        Scenario::ok(state(offer("financingoffer_a", "delivered", "usd", 100000))),
    );
    let mut broken = Scenario::ok(Value::Null);
    broken.offer_status = 503;
    bench.scenario("b", broken);
    bench.scenario(
        "c",
        Scenario::ok(state(offer("financingoffer_c", "expired", "usd", 100000))),
    );
    bench
        .open(
            &[
                tile("a", "a", r##"brand-color="#e03131""##),
                tile("b", "b", ""),
                tile("c", "c", ""),
            ]
            .join(""),
        )
        .await;
    assert_eq!(bench.settled("#a").await, "delivered");
    assert_eq!(bench.settled("#b").await, "error");
    assert_eq!(bench.settled("#c").await, "none");
    assert_eq!(
        bench
            .js("return document.querySelector('#c').getBoundingClientRect().height")
            .await,
        0
    );
    assert!(
        bench
            .js("return document.querySelector('#a').getBoundingClientRect().height")
            .await
            .as_f64()
            .unwrap()
            > 100.0
    );
    // Properties win over attributes, per element.
    bench
        .js("document.querySelector('#a').brandColor = '#2f9e44';")
        .await;
    bench.until("document.querySelector('#a').shadowRoot.querySelector('[part~=tile]').style.getPropertyValue('--_brand') === '#2f9e44'").await;
    assert_eq!(
        bench
            .js("return document.querySelector('#a').getAttribute('brand-color')")
            .await,
        "#e03131"
    );
    bench.click("#b", "retry").await;
    bench
        .until("window.__events.filter(e => e.name === 'capital-offer-error').length === 2")
        .await;
    assert_eq!(
        bench.part_text("#a", "amount").await,
        "$1,000",
        "a retry elsewhere leaves this one alone"
    );
    bench.finish().await;
}

#[tokio::test]
async fn loading_the_module_twice_is_harmless_and_undelivered_offers_get_marked() {
    let bench = Bench::start().await;
    bench.scenario(
        "u",
        Scenario::ok(state(offer(
            "financingoffer_u",
            "undelivered",
            "usd",
            1500000,
        ))),
    );
    bench
        .open(&format!(
            "{}<script type=\"module\" src=\"{}/capital-offer-tile.js?again\"></script>",
            tile("t", "u", ""),
            harness::EMBED_PATH
        ))
        .await;
    bench.settled("#t").await;
    bench.until("document.querySelector('#t').shadowRoot.querySelector('[part~=tile]').dataset.status === 'delivered'").await;
    let marks = bench.posts("u", "mark_delivered");
    assert_eq!(marks.len(), 1);
    assert_eq!(marks[0].body, r#"{"offer":"financingoffer_u"}"#);
    assert_eq!(bench.page_errors().await, Vec::<Value>::new());
    assert_eq!(bench.events("capital-offer-loaded").await.len(), 1);
    bench.finish().await;
}

#[tokio::test]
async fn the_gallery_shows_every_state_and_its_buttons_work() {
    let bench = Bench::start().await;
    bench.open_gallery().await;
    let expected = [
        ("standard", "delivered"),
        ("refill", "delivered"),
        ("accepted", "accepted"),
        ("paid-out", "paid_out"),
        ("fixed-term-offer", "delivered"),
        ("cash-advance", "delivered"),
        ("cash-advance-refill", "delivered"),
        ("fixed-term", "paid_out"),
        ("cash-advance-paid-out", "paid_out"),
        ("fully-repaid", "fully_repaid"),
        ("cash-advance-paid", "fully_repaid"),
        ("rejected", "rejected"),
        ("platform-copy", "delivered"),
        ("jpy", "delivered"),
        ("broken", "error"),
        ("expired", "none"),
        ("none", "none"),
        ("no-notice", "none"),
    ];
    for (fixture, status) in expected {
        let selector = format!("capital-offer-tile[api-base='./fixtures/{fixture}']");
        assert_eq!(bench.settled(&selector).await, status, "{fixture}");
    }
    // A cash advance in progress shows no loan concepts, though its summary has a period.
    let shown = |selector: &str| {
        format!(
            "return document.querySelector({selector:?}).shadowRoot.querySelector('[part~=tile]').innerText"
        )
    };
    let cash_advance = bench
        .js(&shown(
            "capital-offer-tile[api-base='./fixtures/cash-advance-paid-out']",
        ))
        .await;
    let cash_advance = cash_advance.as_str().unwrap();
    assert!(cash_advance.contains("Unpaid advance"), "{cash_advance}");
    for loan_word in ["due", "period", "Remaining", "loan", "repa"] {
        assert!(
            !cash_advance.contains(loan_word),
            "{loan_word:?} in {cash_advance}"
        );
    }
    // The platform's copy, from its backend and from the page's `strings` property.
    assert_eq!(
        bench
            .part_text(
                "capital-offer-tile[api-base='./fixtures/platform-copy']",
                "heading"
            )
            .await,
        "Rocket Rides Capital: your business is prequalified"
    );
    assert_eq!(
        bench.part_text("#strings-example", "cta").await.trim(),
        "Check my offer (opens in a new tab)"
    );
    // The stand-in backend (a service worker) answers the POST routes once it controls the page.
    bench
        .until("navigator.serviceWorker.controller !== null")
        .await;
    // The loading example: its answer is held back, so the skeleton shows.
    bench
        .until("document.querySelector('#loading-tile')?.shadowRoot?.querySelector('[part~=tile]')?.dataset.status === 'loading'")
        .await;
    let gallery_tab = bench.client.window().await.unwrap();
    bench
        .click("capital-offer-tile[api-base='./fixtures/standard']", "cta")
        .await;
    let tab = bench.new_window(&gallery_tab).await;
    bench.client.switch_to_window(tab).await.unwrap();
    bench
        .until("location.pathname.endsWith('/stripe-hosted-page.html')")
        .await;
    assert_eq!(
        bench
            .js("return new URLSearchParams(location.search).get('type')")
            .await,
        "capital_financing_offer"
    );
    bench.finish().await;
}

/// The gallery under the strict policy a fintech dashboard runs (`harness::STRICT_CSP`: nothing
/// inline, `'wasm-unsafe-eval'` the one addition to `'self'`): every state renders, the call to
/// action keeps its brand colour (set through the CSSOM, not a `style` attribute), and the
/// browser reports no violation. The gallery is quiet too: no failed request (its tiles follow
/// no live stream: the fixtures are files) and no console error.
#[tokio::test]
async fn the_gallery_runs_under_a_strict_content_security_policy_quietly() {
    let bench = Bench::start().await;
    // Before any of the page's own scripts: every violation the page sees (shadow roots'
    // included), every console error and uncaught error.
    bench.cdp("Page.enable", json!({})).await;
    bench
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({"source": "window.__violations = []; window.__consoleErrors = [];\
                document.addEventListener('securitypolicyviolation', (e) => __violations.push(e.violatedDirective + ' ' + e.blockedURI), true);\
                const error = console.error.bind(console);\
                console.error = (...args) => { __consoleErrors.push(args.map(String).join(' ')); error(...args); };\
                addEventListener('error', (e) => __consoleErrors.push(String(e.message)));\
                addEventListener('unhandledrejection', (e) => __consoleErrors.push(String(e.reason)));"}),
        )
        .await;
    bench.open_strict_gallery().await;
    for (fixture, status) in [
        ("standard", "delivered"),
        ("refill", "delivered"),
        ("accepted", "accepted"),
        ("paid-out", "paid_out"),
        ("fully-repaid", "fully_repaid"),
        ("rejected", "rejected"),
        ("platform-copy", "delivered"),
        ("broken", "error"),
        ("expired", "none"),
    ] {
        let selector = format!("capital-offer-tile[api-base='./fixtures/{fixture}']");
        assert_eq!(bench.settled(&selector).await, status, "{fixture}");
    }
    // The loading example (the stand-in answers it after 12 s) is there, as its skeleton.
    bench
        .until("!!document.querySelector('#loading-tile')")
        .await;
    let cta_background = bench
        .js("return getComputedStyle(document.querySelector(\"capital-offer-tile[brand-color='#7048e8']\")\
             .shadowRoot.querySelector('[part~=cta]')).backgroundColor")
        .await;
    assert_eq!(
        cta_background, "rgb(112, 72, 232)",
        "the brand colour under the policy"
    );
    bench
        .js("document.querySelector(\"capital-offer-tile[brand-color='#7048e8']\").scrollIntoView({block: 'center'})")
        .await;
    bench.save_screenshot("strict-csp-gallery").await;
    // Reports are sent shortly after the violation; give them a moment.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(bench.js("return window.__violations").await, json!([]));
    assert!(bench.csp_reports().is_empty(), "{:?}", bench.csp_reports());
    let failed = bench
        .js("return performance.getEntriesByType('resource')\
             .filter((e) => e.responseStatus >= 400).map((e) => e.responseStatus + ' ' + e.name)")
        .await;
    assert_eq!(failed, json!([]), "failed requests");
    assert_eq!(bench.js("return window.__consoleErrors").await, json!([]));
    bench.finish().await;
}
