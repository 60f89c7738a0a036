//! The server-rendered first paint, in headless Chromium through WebDriver against the release
//! embed folder: a tile rendered natively by `capital_offer_tile::server_render` (the element's
//! own views), in a Declarative Shadow DOM as `GET /offer/fragment` sends it, is on screen before
//! the module runs, and the wasm takes it over without asking for the offer again, without moving
//! anything, to the same text.
//!
//! Needs `trunk build --release` first and `chromedriver` on PATH (the README's test command and
//! `.ci/run` take care of both).
#![cfg(not(target_arch = "wasm32"))]

use capital_browser_tests as harness;

use capital_offer_tile::server_render::{TileOptions, render_tile, stylesheet};
use capital_types::OfferState;
use harness::{Bench, Scenario, delivered_offer};
use serde_json::json;

/// The attribute-safe text of `value` (what maud writes in `http/fragment.rs`).
fn escaped(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const VARIANTS: [(&str, &str, &str); 3] = [
    ("tile-en", "tile", "en-US"),
    ("banner-fr", "banner", "fr-FR"),
    ("tile-de", "tile", "de-DE"),
];

/// The element as `GET /offer/fragment` sends it, rendered for `state`.
fn served(id: &str, layout: &str, locale: &str, state: &serde_json::Value) -> String {
    let offer: OfferState = serde_json::from_value(state.clone()).unwrap();
    let options = TileOptions {
        layout: capital_offer_tile::model::options::Layout::parse(Some(layout)),
        locale: locale.to_owned(),
        api_base: "/api/served".to_owned(),
        ..TileOptions::default()
    };
    let tile = render_tile(&offer, &options).unwrap();
    format!(
        r#"<capital-offer-tile id="{id}" api-base="/api/served" layout="{layout}" locale="{locale}" delivery="manual" live="off"><template shadowrootmode="open"><style>{css}.root>.tile{{{properties}}}</style><div class="root" data-lang="{lang}" data-state="{state}">{html}</div></template></capital-offer-tile>"#,
        css = stylesheet(),
        properties = tile.properties,
        lang = tile.lang,
        state = escaped(&state.to_string()),
        html = tile.html,
    )
}

#[tokio::test]
async fn a_server_rendered_tile_is_taken_over_without_a_request_or_a_shift() {
    let bench = Bench::start().await;
    let state = delivered_offer();
    bench.scenario("served", Scenario::ok(state.clone()));
    let mut body = String::new();
    for (id, layout, locale) in VARIANTS {
        body.push_str(&served(id, layout, locale, &state));
    }
    // Measured as the parser leaves them, before the module (deferred) runs.
    body.push_str(
        r#"<script>
             window.__served = {};
             for (const tile of document.querySelectorAll('capital-offer-tile')) {
               const part = tile.shadowRoot.querySelector('[part~="tile"]');
               const box = tile.getBoundingClientRect();
               __served[tile.id] = { text: part.innerText, width: box.width, height: box.height,
                 cta: tile.shadowRoot.querySelector('[part~="cta"]').getAttribute('href') };
             }
           </script>"#,
    );
    bench.open(&body).await;
    for id in ["tile-en", "banner-fr", "tile-de"] {
        bench
            .until(&format!(
                "__events.some(e => e.name === 'capital-offer-loaded' && e.id === '{id}')"
            ))
            .await;
    }
    let before = bench.js("return window.__served").await;
    let after = bench
        .js(r#"const out = {};
               for (const tile of document.querySelectorAll('capital-offer-tile')) {
                 const box = tile.getBoundingClientRect();
                 out[tile.id] = { text: tile.shadowRoot.querySelector('[part~="tile"]').innerText,
                   width: box.width, height: box.height,
                   button: tile.shadowRoot.querySelector('[part~="cta"]').tagName,
                   roots: tile.shadowRoot.querySelectorAll('.root').length };
               }
               return out;"#)
        .await;
    for id in ["tile-en", "banner-fr", "tile-de"] {
        let (server, wasm) = (&before[id], &after[id]);
        assert_eq!(
            server["cta"],
            json!("/api/served/account_links/refresh?type=capital_financing_offer"),
            "{id}: before the wasm, the call to action is a link to the refresh route"
        );
        assert_eq!(server["text"], wasm["text"], "{id}: the same text");
        assert_eq!(
            (&server["width"], &server["height"]),
            (&wasm["width"], &wasm["height"]),
            "{id}: nothing moved"
        );
        assert_eq!(
            wasm["button"],
            json!("BUTTON"),
            "{id}: the wasm's own button"
        );
        assert_eq!(wasm["roots"], json!(1), "{id}");
    }
    assert_eq!(
        bench
            .calls("served")
            .iter()
            .filter(|c| c.method == "GET" && c.route == "offer")
            .count(),
        0,
        "the served state is taken over, not asked for again"
    );
    bench.finish().await;
}

/// Pixel for pixel: the server's tile (in a plain host no script touches) and the wasm's, at the
/// same place on the page, as PNG screenshots of the host.
#[tokio::test]
async fn the_wasms_tile_is_the_servers_pixel_for_pixel() {
    let bench = Bench::start().await;
    let state = delivered_offer();
    bench.scenario("served", Scenario::ok(state.clone()));
    bench.open(r#"<div id="stage"></div>"#).await;
    for (id, layout, locale) in VARIANTS {
        let live = served(id, layout, locale, &state);
        let still = live
            .replacen("<capital-offer-tile ", "<div ", 1)
            .replace("</capital-offer-tile>", "</div>");
        let shot = |markup: String| {
            let bench = &bench;
            async move {
                bench
                    .js(&format!(
                        "document.querySelector('#stage').setHTMLUnsafe({});",
                        serde_json::to_string(&markup).unwrap()
                    ))
                    .await;
                bench
                    .until(&format!(
                        "document.querySelector('#{id}').localName === 'div' || __events.some(e => e.name === 'capital-offer-loaded' && e.id === '{id}')"
                    ))
                    .await;
                bench
                    .client
                    .find(fantoccini::Locator::Css("#stage"))
                    .await
                    .unwrap()
                    .screenshot()
                    .await
                    .unwrap()
            }
        };
        let server = shot(still).await;
        let wasm = shot(live).await;
        if server != wasm {
            // For a look: target/server-rendered-{id}-{server,wasm}.png.
            let target = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target");
            std::fs::write(format!("{target}/server-rendered-{id}-server.png"), &server).unwrap();
            std::fs::write(format!("{target}/server-rendered-{id}-wasm.png"), &wasm).unwrap();
        }
        assert!(
            server == wasm,
            "{id}: the wasm's tile differs from the server's ({} and {} B of PNG)",
            server.len(),
            wasm.len()
        );
    }
    bench.finish().await;
}
