//! The element in headless Chromium against a hand-written vanilla JS element doing the same
//! fetch and render (`benches/vanilla-tile.js`), served the same way from the same server with
//! caching off, so every load is a first visit:
//! - load → painted: median of 20 fresh loads of a page with one element, and the ratio;
//! - 1, 10 and 100 elements on one page: time until all are painted, JS heap and wasm memory.
//!
//! Needs `trunk build --release` first. Run with `cargo bench --bench element`; `DIAGNOSE=1`
//! prints resource timings of a page of 100 elements instead.

#[path = "../tests/webdriver/harness.rs"]
mod harness;

use std::path::PathBuf;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use harness::{Browser, root};
use serde_json::Value;
use tower_http::services::{ServeDir, ServeFile};

const LOADS: usize = 20;
const LOADS_MANY: usize = 7;

fn page(kind: &str, count: usize) -> String {
    let (script, tag) = match kind {
        "capital" => ("/embed/capital-offer-tile.js", "capital-offer-tile"),
        _ => ("/vanilla/vanilla-tile.js", "vanilla-tile"),
    };
    let tiles = format!(r#"<{tag} api-base="/api" delivery="manual" locale="en-US"></{tag}>"#)
        .repeat(count);
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
<script type="module" src="{script}"></script>
<style>body {{ display: grid; grid-template-columns: repeat(4, 300px); gap: 12px; }}</style>
</head><body>{tiles}</body></html>"#
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
            .route_service(
                "/vanilla/vanilla-tile.js",
                ServeFile::new(root().join("benches/vanilla-tile.js")),
            )
            .nest_service("/embed", ServeDir::new(dist.join("embed")))
            .layer(axum::middleware::map_response(
                |mut response: Response| async move {
                    response
                        .headers_mut()
                        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                    response.into_response()
                },
            ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    origin
}

struct Load {
    painted_ms: f64,
    js_heap: f64,
    wasm_memory: f64,
}

async fn load(browser: &Browser, origin: &str, kind: &str, count: usize) -> Load {
    browser.client.goto("about:blank").await.unwrap();
    browser
        .client
        .goto(&format!("{origin}/page/{kind}/{count}"))
        .await
        .unwrap();
    let script = r#"
        const done = arguments[arguments.length - 1];
        window.__painted.then(async (ms) => {
          let wasm = 0;
          if (customElements.get('capital-offer-tile')) {
            const glue = await import('/embed/capital-offer-tile-core.js');
            wasm = (await glue.default()).memory.buffer.byteLength;
          }
          done([ms, performance.memory.usedJSHeapSize, wasm]);
        });"#;
    let result: Value = browser.client.execute_async(script, vec![]).await.unwrap();
    let number = |i: usize| result[i].as_f64().unwrap();
    Load {
        painted_ms: number(0),
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
    let browser = Browser::start().await;
    // One warm-up load each, so that both start from a running browser.
    load(&browser, &origin, "capital", 1).await;
    load(&browser, &origin, "vanilla", 1).await;

    // `DIAGNOSE=1`: where the time goes on a page of 100 (resource timings), instead of the tables.
    if std::env::var("DIAGNOSE").is_ok() {
        for kind in ["capital", "vanilla"] {
            load(&browser, &origin, kind, 100).await;
            let timing = browser.js(r#"
                const r = performance.getEntriesByType('resource');
                const api = r.filter(e => e.name.endsWith('/api/offer'));
                const wasm = r.find(e => e.name.endsWith('.wasm'));
                const script = r.find(e => e.name.endsWith('tile.js'));
                return {script: script?.responseEnd, wasm: wasm?.responseEnd, apiFirstStart: Math.min(...api.map(e => e.startTime)),
                        apiLastStart: Math.max(...api.map(e => e.startTime)), apiLastEnd: Math.max(...api.map(e => e.responseEnd)),
                        apiCount: api.length, dcl: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd};"#).await;
            let painted = browser.js("return window.__painted").await;
            println!("{kind}: {timing} painted {painted}");
        }
        return;
    }
    // Loads alternate between the two elements, so that drift on a busy machine hits both alike.
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..LOADS {
        ours.push(load(&browser, &origin, "capital", 1).await.painted_ms);
        theirs.push(load(&browser, &origin, "vanilla", 1).await.painted_ms);
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
    for count in [1, 10, 100] {
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for _ in 0..LOADS_MANY {
            ours.push(load(&browser, &origin, "capital", count).await);
            theirs.push(load(&browser, &origin, "vanilla", count).await);
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
        }
    }
    browser.finish().await;
}
