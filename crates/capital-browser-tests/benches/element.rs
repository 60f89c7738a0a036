//! The element in headless Chromium against a hand-written vanilla JS element doing the same
//! fetch and render (`benches/vanilla-tile.js`), served the same way from the same server
//! (gzip-compressed, assets cacheable as a CDN serves them):
//! - throttled, as Lighthouse's mobile profile (150 ms round trip, 1.6 Mbps down, 750 kbps up,
//!   CPU 4× slower, through the DevTools Protocol): first box on screen and offer painted on a
//!   first visit (empty cache), and offer painted on a repeat visit (HTTP cache), medians; and
//!   the offer on screen before the wasm: a single-page app whose backend prerenders the tile
//!   (`GET /offer?prerender=…`), and a server-rendered page holding `GET /offer/fragment`'s HTML;
//! - on loopback, empty cache: load → painted of one element, and 1, 10 and 100 elements on one
//!   page: time until all are painted, JS heap and wasm memory.
//!
//! Every load is in a new tab, so a new renderer process, as a user's visit to a page gets (one
//! tab reused kept V8's `Intl` data and the font cache of the loads before warm). Loads alternate
//! between the two elements, so that drift on a busy machine hits both alike.
//! Needs `trunk build --release` first. Run with `cargo bench --bench element`; `THROTTLED=only`
//! runs the throttled table alone; `DIAGNOSE=1` prints resource timings of a page of 100
//! elements instead; `SERVE=1` only serves the pages (`/page/{kind}/{count}`), for other tools.

use capital_browser_tests as harness;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::extract::{Path, Query};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use capital_offer_tile::model::options::Layout;
use capital_offer_tile::server_render::{TileOptions, render_tile};
use capital_types::OfferState;
use harness::{Browser, root};
use serde_json::{Value, json};
use tower_http::services::{ServeDir, ServeFile};

const LOADS: usize = 20;
const LOADS_MANY: usize = 7;
const LOADS_THROTTLED: usize = 9;

/// The tags README's Embedding section recommends to start the element's downloads from the
/// page's head.
const PRELOAD_TAGS: &str = r#"<link rel="modulepreload" href="/embed/capital-offer-tile.js">
<link rel="modulepreload" href="/embed/capital-offer-tile-core.js">
<link rel="preload" href="/embed/capital-offer-tile-core_bg.wasm" as="fetch" type="application/wasm" crossorigin>"#;

/// The standard fixture, as `GET /offer` answers it.
fn standard_offer() -> String {
    std::fs::read_to_string(root().join("fixtures/standard/offer")).unwrap()
}

/// The fixture's tile rendered as the reference backend renders it (`http/fragment.rs`).
fn rendered_tile() -> capital_offer_tile::server_render::RenderedTile {
    let state: OfferState = serde_json::from_str(&standard_offer()).unwrap();
    let options = TileOptions {
        layout: Layout::Tile,
        locale: "en-US".to_owned(),
        ..TileOptions::default()
    };
    render_tile(&state, &options).unwrap()
}

/// `GET /offer/fragment`'s element for the fixture, as the reference backend writes it.
fn fragment() -> String {
    let tile = rendered_tile();
    let state = standard_offer()
        .trim()
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        r#"<capital-offer-tile api-base="/api" delivery="manual" locale="en-US"><template shadowrootmode="open"><style>{css}</style><div class="root" data-lang="{lang}" data-state="{state}">{html}</div></template></capital-offer-tile>"#,
        css = tile.shadow_stylesheet(),
        lang = tile.lang,
        html = tile.html,
    )
}

fn page(kind: &str, count: usize) -> String {
    let (script, tag) = match kind {
        "vanilla" => ("/vanilla/vanilla-tile.js", "vanilla-tile"),
        _ => ("/embed/capital-offer-tile.js", "capital-offer-tile"),
    };
    let preload = if kind == "capital-preload" {
        PRELOAD_TAGS
    } else {
        ""
    };
    // The plain backend (`/api`) cannot render; `/api-prerender` adds `prerendered` when asked.
    let api = if kind == "capital-prerender" {
        "/api-prerender"
    } else {
        "/api"
    };
    let tiles = if kind == "capital-fragment" {
        fragment().repeat(count)
    } else {
        format!(r#"<{tag} api-base="{api}" delivery="manual" locale="en-US"></{tag}>"#)
            .repeat(count)
    };
    format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><title>bench</title>
<script>
window.__painted = new Promise((resolve) => {{
  let loaded = 0;
  document.addEventListener('capital-offer-loaded', () => {{
    if (++loaded === {count}) requestAnimationFrame(() => setTimeout(() => resolve(performance.now())));
  }});
}});
</script>
{preload}
<script type="module" src="{script}"></script>
<style>body {{ display: grid; grid-template-columns: repeat(4, 300px); gap: 12px; }}</style>
</head><body>{tiles}
<script>
// The first frame in which an element has a box (skeleton or content).
window.__firstBox = new Promise((resolve) => {{
  const observer = new ResizeObserver((entries) => {{
    if (entries.some((entry) => entry.target.getBoundingClientRect().height > 0)) {{
      observer.disconnect();
      requestAnimationFrame(() => setTimeout(() => resolve(performance.now())));
    }}
  }});
  for (const element of document.querySelectorAll('{tag}')) observer.observe(element);
}});
// The first frame in which an element shows the offer's amount (before the wasm, when the server
// rendered or prerendered it; the vanilla element has no parts: its offer is `__painted`).
window.__offerShown = new Promise((resolve) => {{
  const check = () => {{
    const shown = [...document.querySelectorAll('{tag}')].some((element) =>
      element.shadowRoot?.querySelector('[part~="amount"]')?.textContent.trim());
    if (shown) setTimeout(() => resolve(performance.now()));
    else requestAnimationFrame(check);
  }};
  requestAnimationFrame(check);
}});
</script></body></html>"#
    )
}

async fn serve() -> String {
    let dist: PathBuf = root().join("dist");
    let router =
        Router::new()
            .route(
                "/page/{kind}/{count}",
                get(|Path((kind, count)): Path<(String, usize)>| async move {
                    Html(page(&kind, count))
                }),
            )
            .route_service(
                "/api/offer",
                ServeFile::new(root().join("fixtures/standard/offer")),
            )
            .route(
                "/api-prerender/offer",
                get(
                    |Query(query): Query<std::collections::HashMap<String, String>>| async move {
                        let mut state: Value = serde_json::from_str(&standard_offer()).unwrap();
                        if query.get("prerender").map(String::as_str) == Some("tile") {
                            let tile = rendered_tile();
                            state["prerendered"] = json!({"layout": "tile", "lang": tile.lang,
                            "html": tile.html, "properties": tile.properties});
                        }
                        axum::Json(state)
                    },
                ),
            )
            .route_service(
                "/vanilla/vanilla-tile.js",
                ServeFile::new(
                    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/vanilla-tile.js"),
                ),
            )
            .nest_service("/embed", ServeDir::new(dist.join("embed")))
            // Scripts and wasm are cacheable, as a CDN serves them; pages and answers are not.
            .layer(axum::middleware::map_response(
                |mut response: Response| async move {
                    let script = response
                        .headers()
                        .get(header::CONTENT_TYPE)
                        .is_some_and(|t| {
                            t.to_str()
                                .is_ok_and(|t| t.contains("javascript") || t.contains("wasm"))
                        });
                    let cache = if script {
                        "public, max-age=3600"
                    } else {
                        "no-store"
                    };
                    response
                        .headers_mut()
                        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
                    response.into_response()
                },
            ))
            .layer(tower_http::compression::CompressionLayer::new().gzip(true));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    origin
}

struct Load {
    first_box_ms: f64,
    painted_ms: f64,
    /// The frame that first shows the offer's amount (ours only).
    offer_shown_ms: f64,
    js_heap: f64,
    wasm_memory: f64,
}

/// A first visit: the HTTP cache emptied, then the page loaded.
async fn first_visit(browser: &Browser, origin: &str, kind: &str, count: usize) -> Load {
    visit(browser, origin, kind, count, true).await
}

/// A load with the HTTP cache as the loads before left it.
async fn load(browser: &Browser, origin: &str, kind: &str, count: usize) -> Load {
    visit(browser, origin, kind, count, false).await
}

/// Whether loads run under Lighthouse's mobile profile: each load's tab is set up the same way.
static THROTTLED_PROFILE: AtomicBool = AtomicBool::new(false);

/// Lighthouse's mobile profile (`on`), or none, for this load and the ones after it.
async fn throttle(browser: &Browser, on: bool) {
    THROTTLED_PROFILE.store(on, Ordering::Relaxed);
    emulate_network(browser).await;
}

/// The network and CPU of the profile `throttle` chose, in the current tab.
async fn emulate_network(browser: &Browser) {
    browser.cdp("Network.enable", json!({})).await;
    let (latency, down, up, cpu) = if THROTTLED_PROFILE.load(Ordering::Relaxed) {
        (150, 1_600_000 / 8, 750_000 / 8, 4)
    } else {
        (0, -1, -1, 1)
    };
    browser
        .cdp(
            "Network.emulateNetworkConditions",
            json!({"offline": false, "latency": latency, "downloadThroughput": down, "uploadThroughput": up}),
        )
        .await;
    browser
        .cdp("Emulation.setCPUThrottlingRate", json!({"rate": cpu}))
        .await;
}

/// Every load in a new tab, the one before closed: a new renderer process, as a user's visit to a
/// page gets. One tab reused for every load kept the renderer of the loads before warm (V8's
/// `Intl` data, the font cache's matches and strikes) and hid up to 190 ms of the element's first
/// box under the throttled profile (1.13 × where a new renderer shows 1.45 ×).
async fn new_tab(browser: &Browser) {
    let tab = browser.client.new_window(true).await.unwrap();
    browser.client.close_window().await.unwrap();
    browser.client.switch_to_window(tab.handle).await.unwrap();
    emulate_network(browser).await;
}

async fn visit(
    browser: &Browser,
    origin: &str,
    kind: &str,
    count: usize,
    empty_cache: bool,
) -> Load {
    new_tab(browser).await;
    if empty_cache {
        browser.cdp("Network.clearBrowserCache", json!({})).await;
    }
    browser
        .client
        .goto(&format!("{origin}/page/{kind}/{count}"))
        .await
        .unwrap();
    let script = r#"
        const done = arguments[arguments.length - 1];
        const shown = customElements.get('vanilla-tile') ? Promise.resolve(0) : window.__offerShown;
        Promise.all([window.__painted, window.__firstBox, shown]).then(async ([ms, box, offer]) => {
          let wasm = 0;
          if (customElements.get('capital-offer-tile')) {
            const glue = await import('/embed/capital-offer-tile-core.js');
            wasm = (await glue.default()).memory.buffer.byteLength;
          }
          done([ms, performance.memory.usedJSHeapSize, wasm, box, offer]);
        });"#;
    let result: Value = browser.client.execute_async(script, vec![]).await.unwrap();
    let number = |i: usize| result[i].as_f64().unwrap();
    Load {
        first_box_ms: number(3),
        painted_ms: number(0),
        offer_shown_ms: number(4),
        js_heap: number(1),
        wasm_memory: number(2),
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[tokio::main]
async fn main() {
    assert!(
        root().join("dist/embed/capital-offer-tile.js").exists(),
        "run `trunk build --release` first"
    );
    let origin = serve().await;
    // `SERVE=1`: only the bench's server, for a look with another tool (a trace, a profiler).
    if std::env::var("SERVE").is_ok() {
        println!("serving the bench's pages at {origin}/page/{{kind}}/{{count}}; Ctrl-C ends");
        tokio::signal::ctrl_c().await.unwrap();
        return;
    }
    let browser = Browser::start_for_first_visits().await;
    // One warm-up load each, so that both start from a running browser.
    first_visit(&browser, &origin, "capital", 1).await;
    first_visit(&browser, &origin, "vanilla", 1).await;

    throttled(&browser, &origin).await;
    if std::env::var("THROTTLED").is_ok_and(|v| v == "only") {
        browser.finish().await;
        return;
    }

    // `DIAGNOSE=N` (default 100): where the time goes on a page of N elements (resource timings),
    // instead of the tables; with `THROTTLED=on`, under the throttled profile.
    if let Ok(count) = std::env::var("DIAGNOSE") {
        let count = count.parse().unwrap_or(100);
        throttle(
            &browser,
            std::env::var("THROTTLED").is_ok_and(|v| v == "on"),
        )
        .await;
        for kind in ["capital", "vanilla"] {
            first_visit(&browser, &origin, kind, count).await;
            let timing = browser.js(r#"
                const r = performance.getEntriesByType('resource');
                const api = r.filter(e => new URL(e.name).pathname.endsWith('offer'));
                const wasm = r.find(e => e.name.endsWith('.wasm'));
                const script = r.find(e => e.name.endsWith('tile.js'));
                const glue = r.find(e => e.name.endsWith('core.js'));
                return {script: script?.responseEnd, glueStart: glue?.startTime, glue: glue?.responseEnd, wasmStart: wasm?.startTime, wasm: wasm?.responseEnd, apiFirstStart: Math.min(...api.map(e => e.startTime)),
                        apiLastStart: Math.max(...api.map(e => e.startTime)), apiLastEnd: Math.max(...api.map(e => e.responseEnd)),
                        apiCount: api.length, dcl: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd};"#).await;
            let painted = browser.js("return window.__painted").await;
            let first_box = browser.js("return window.__firstBox").await;
            println!("{kind}: {timing} first box {first_box} painted {painted}");
        }
        return;
    }
    // Loads alternate between the two elements, so that drift on a busy machine hits both alike.
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..LOADS {
        ours.push(
            first_visit(&browser, &origin, "capital", 1)
                .await
                .painted_ms,
        );
        theirs.push(
            first_visit(&browser, &origin, "vanilla", 1)
                .await
                .painted_ms,
        );
    }
    let (ours, theirs) = (median(ours), median(theirs));
    println!("| one element, {LOADS} fresh loads each | median load → painted |");
    println!("|---|---:|");
    println!("| `<capital-offer-tile>` (release embed folder) | {ours:.1} ms |");
    println!("| vanilla JS element (`benches/vanilla-tile.js`) | {theirs:.1} ms |");
    println!("| ratio | {:.2} × |", ours / theirs);
    println!();
    println!(
        "| elements on the page | element | median time until all painted | JS heap | wasm memory |"
    );
    println!("|---:|---|---:|---:|---:|");
    let mut all_painted = Vec::new();
    for count in [1, 10, 100] {
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for _ in 0..LOADS_MANY {
            ours.push(first_visit(&browser, &origin, "capital", count).await);
            theirs.push(first_visit(&browser, &origin, "vanilla", count).await);
        }
        for (kind, loads) in [("capital", ours), ("vanilla", theirs)] {
            let time = median(loads.iter().map(|l| l.painted_ms).collect());
            let heap = median(loads.iter().map(|l| l.js_heap).collect()) / 1024.0 / 1024.0;
            let wasm = median(loads.iter().map(|l| l.wasm_memory).collect()) / 1024.0 / 1024.0;
            let wasm = if kind == "capital" {
                format!("{wasm:.1} MiB")
            } else {
                "—".to_owned()
            };
            println!("| {count} | {kind} | {time:.1} ms | {heap:.1} MiB | {wasm} |");
            all_painted.push((count, kind, time));
        }
    }
    let time_of = |count: usize, kind: &str| {
        all_painted
            .iter()
            .find(|(c, k, _)| *c == count && *k == kind)
            .map_or(f64::NAN, |(_, _, t)| *t)
    };
    println!();
    println!("| element | 100 elements ÷ 1 element |");
    println!("|---|---:|");
    for kind in ["capital", "vanilla"] {
        println!(
            "| {kind} | {:.2} × |",
            time_of(100, kind) / time_of(1, kind)
        );
    }
    browser.finish().await;
}

/// First and repeat visits of a page with one element, under Lighthouse's mobile throttling.
async fn throttled(browser: &Browser, origin: &str) {
    throttle(browser, true).await;
    let (mut ours, mut theirs, mut preloaded) = (Vec::new(), Vec::new(), Vec::new());
    let (mut prerendered, mut served) = (Vec::new(), Vec::new());
    for _ in 0..LOADS_THROTTLED {
        ours.push(first_visit(browser, origin, "capital", 1).await);
        theirs.push(first_visit(browser, origin, "vanilla", 1).await);
        preloaded.push(first_visit(browser, origin, "capital-preload", 1).await);
        prerendered.push(first_visit(browser, origin, "capital-prerender", 1).await);
        served.push(first_visit(browser, origin, "capital-fragment", 1).await);
    }
    // The preload tags must not make the browser download the wasm twice.
    let wasm_downloads = browser
        .js("return performance.getEntriesByType('resource').filter(e => e.name.endsWith('.wasm')).length")
        .await;
    assert_eq!(
        wasm_downloads,
        json!(1),
        "the preloaded wasm is used, not fetched again"
    );
    // Repeat visits: each page once to fill the HTTP cache, then loads that use it.
    let (mut ours_again, mut theirs_again) = (Vec::new(), Vec::new());
    load(browser, origin, "capital", 1).await;
    load(browser, origin, "vanilla", 1).await;
    for _ in 0..LOADS_THROTTLED {
        ours_again.push(load(browser, origin, "capital", 1).await.painted_ms);
        theirs_again.push(load(browser, origin, "vanilla", 1).await.painted_ms);
    }
    throttle(browser, false).await;
    let first_box = |loads: &[Load]| median(loads.iter().map(|l| l.first_box_ms).collect());
    let painted = |loads: &[Load]| median(loads.iter().map(|l| l.painted_ms).collect());
    let shown = |loads: &[Load]| median(loads.iter().map(|l| l.offer_shown_ms).collect());
    let rows = [
        (
            "first box on screen (skeleton or content)",
            first_box(&ours),
            first_box(&theirs),
        ),
        ("offer painted", painted(&ours), painted(&theirs)),
        (
            "repeat visit (HTTP cache), offer painted",
            median(ours_again),
            median(theirs_again),
        ),
        (
            "first visit, the page has the preload tags (README), offer painted",
            painted(&preloaded),
            painted(&theirs),
        ),
        (
            "single-page app, the backend prerenders (`prerendered`): offer on screen",
            shown(&prerendered),
            painted(&theirs),
        ),
        (
            "… and the wasm's tile in its place",
            painted(&prerendered),
            painted(&theirs),
        ),
        (
            "server-rendered page (`/offer/fragment`): offer on screen",
            shown(&served),
            painted(&theirs),
        ),
        (
            "… and the wasm's tile in its place",
            painted(&served),
            painted(&theirs),
        ),
    ];
    println!(
        "| throttled (150 ms RTT, 1.6 Mbps down, 750 kbps up, CPU 4×), gzip, median of {LOADS_THROTTLED} | ours | vanilla | ratio |"
    );
    println!("|---|---:|---:|---:|");
    for (what, ours, theirs) in rows {
        println!(
            "| {what} | {ours:.0} ms | {theirs:.0} ms | {:.2} × |",
            ours / theirs
        );
    }
    println!();
}
