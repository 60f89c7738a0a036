//! examples/nextjs as a platform runs it: `next start` on the build scripts/examples made, beside
//! the reference backend (in this process) in `--identity token`. The app's server component
//! fetches the tile from `GET /offer/fragment` with a session token it mints itself, so the offer
//! is in the page's HTML (a Declarative Shadow DOM); the npm package then takes that state over in
//! the browser without asking for it again; the call to action (a fresh Account Link through the
//! app's token route) and the live stream go through the app's proxy to the backend.
//!
//! Needs `scripts/examples` first (the README's test command runs it) and `node` on PATH.
#![cfg(not(target_arch = "wasm32"))]

use capital_browser_tests as harness;

use std::process::Stdio;
use std::time::{Duration, Instant};

use capital_platform::sandbox::CreateOffer;
use capital_platform::sandbox::machine::Action;
use harness::{Browser, Platform, free_port, root};

const BAKERY: &str = "acct_1SunsetBakery";
const SECRET: &str = "nextjs-example-identity-secret-0123456789";
const TILE: &str = "capital-offer-tile";

/// The reference backend in `--identity token` with the secret the app signs with. Its public URL
/// is the app's origin (`app`), which passes the element's routes and the sandbox's hosted pages
/// on to it, as the example's README says to run it; the app reaches it at its own address.
async fn backend(app: &str) -> Platform {
    Platform::start_with(|config| {
        config.public_url = app.to_owned();
        config.identity = Some(capital_platform::IdentityMode::Token);
        config.identity_secret = Some(SECRET.to_owned().into());
    })
    .await
}

/// `next start` in examples/nextjs, talking to `backend`; killed when dropped.
struct NextApp {
    origin: String,
    _server: tokio::process::Child,
}

/// The app's origin, on a free port.
fn app_origin() -> (u16, String) {
    let port = free_port();
    (port, format!("http://127.0.0.1:{port}"))
}

async fn next_start(port: u16, backend: &str) -> NextApp {
    let app = root().join("examples").join("nextjs");
    assert!(
        app.join(".next").join("BUILD_ID").exists(),
        "examples/nextjs/.next is missing: run scripts/examples (the README's test command does)"
    );
    let server = tokio::process::Command::new("node")
        .args([
            "node_modules/next/dist/bin/next",
            "start",
            "--hostname",
            "127.0.0.1",
            "--port",
        ])
        .arg(port.to_string())
        .current_dir(&app)
        .env("CAPITAL_BACKEND_URL", backend)
        .env("CAPITAL_IDENTITY_SECRET", SECRET)
        .env("CAPITAL_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("CAPITAL_EXAMPLE_ACCOUNT", BAKERY)
        .env("NEXT_TELEMETRY_DISABLED", "1")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("node: the Next.js example runs on Node.js (.ci/install has it)");
    let deadline = Instant::now() + Duration::from_secs(30);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            Instant::now() < deadline,
            "next start did not listen on {port}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    NextApp {
        origin: format!("http://127.0.0.1:{port}"),
        _server: server,
    }
}

fn offer(amount: i64) -> CreateOffer {
    serde_json::from_value(serde_json::json!({
        "account": BAKERY, "advance_amount": amount, "fee_amount": amount / 10, "withhold_rate": 0.1, "status": "delivered",
    }))
    .unwrap()
}

/// `GET /api/capital/offer` requests the page made (the served state needs none).
async fn offer_requests(browser: &Browser) -> serde_json::Value {
    browser
        .js("return performance.getEntriesByType('resource').filter(e => new URL(e.name).pathname === '/api/capital/offer').length")
        .await
}

#[tokio::test(flavor = "current_thread")]
async fn the_nextjs_example_server_renders_the_offer_and_the_package_takes_it_over() {
    let (port, app_origin) = app_origin();
    let platform = backend(&app_origin).await;
    let created = platform
        .sandbox()
        .create_offer(offer(1_000_000))
        .await
        .unwrap();
    let app = next_start(port, &platform.origin).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}/", app.origin))
        .await
        .unwrap();

    // The HTML the server component sent: the tile, its stylesheet and state, before any script.
    let html = browser
        .js("return fetch('/', {headers: {'accept-language': 'en-US'}}).then(r => r.text())")
        .await;
    let html = html.as_str().unwrap();
    for expected in [
        r##"<capital-offer-tile api-base="/api/capital" layout="banner" brand-color="#0070f3"><template shadowrootmode="open">"##,
        "$10,000",
        // Before the wasm, and with scripts off, the call to action is a link to the refresh route.
        r#"href="/api/capital/account_links/refresh?type="#,
    ] {
        assert!(
            html.contains(expected),
            "{expected} is not in the page: {html}"
        );
    }

    // The package took the served state over (the app heard `capital-offer-loaded`), and showed
    // the offer without a `GET /offer`.
    browser
        .until("document.querySelector('#status').textContent === 'Offer status: delivered'")
        .await;
    assert_eq!(browser.settled(TILE).await, "delivered");
    assert_eq!(browser.part_text(TILE, "amount").await, "$10,000");
    assert_eq!(offer_requests(&browser).await, 0);
    // The copy and the token function the app set before the element upgraded are its own.
    assert_eq!(
        browser
            .js("const tile = document.querySelector('capital-offer-tile'); return [typeof tile.fetchSessionToken, tile.strings?.['offer.cta']]")
            .await,
        serde_json::json!(["function", "See your offer"])
    );
    // The sandbox's branding icon came through the app too.
    browser
        .until("document.querySelector('capital-offer-tile').shadowRoot.querySelector('img')?.naturalWidth > 0")
        .await;
    let cta = browser.part_text(TILE, "cta").await;
    assert!(cta.starts_with("See your offer"), "{cta}");
    browser.save_screenshot("nextjs-example").await;

    // The call to action, the wasm's way: a fresh Account Link minted with the app's token, in
    // a new tab on the backend's hosted page.
    let dashboard = browser.client.window().await.unwrap();
    browser.click_for_real(TILE, "cta").await;
    let hosted = browser.new_window(&dashboard).await;
    browser.client.switch_to_window(hosted).await.unwrap();
    browser
        .until(&format!("location.origin === '{}' && location.pathname.startsWith('/sandbox/hosted/') && document.querySelector('form') !== null", app.origin))
        .await;
    browser.client.close_window().await.unwrap();
    browser.client.switch_to_window(dashboard).await.unwrap();

    // The live stream, through the app's proxy: a change on Stripe's side shows by itself.
    platform
        .sandbox()
        .act(
            &created.id,
            Action::Accept {
                advance_amount: 1_000_000,
            },
        )
        .await
        .unwrap();
    browser
        .until("document.querySelector('capital-offer-tile').shadowRoot.querySelector('[part~=tile]').dataset.status === 'accepted'")
        .await;
    browser
        .until("document.querySelector('#status').textContent === 'Offer status: accepted'")
        .await;

    // The app's refresh button reloads through the element's `reload()`: now one `GET /offer`.
    browser
        .js("document.querySelector('main button').click();")
        .await;
    browser
        .until("performance.getEntriesByType('resource').some(e => new URL(e.name).pathname === '/api/capital/offer')")
        .await;
    assert_eq!(browser.settled(TILE).await, "accepted");
    browser.finish().await;
}
