//! The server-rendered first paint, in headless Chromium through WebDriver against the release
//! embed folder: a tile rendered natively by `capital_offer_tile::server_render` (the element's
//! own views), in a Declarative Shadow DOM as `GET /offer/fragment` sends it, is on screen before
//! the module runs, and the wasm takes it over without asking for the offer again, without moving
//! anything, to the same text.
//!
//! A single-page app gets the same tile as `prerendered` in `GET /offer?prerender=…`'s answer: the
//! module paints it before the wasm, through its allowlist (hostile markup leaves the skeleton),
//! and the wasm takes it over as it takes over the server's.
//!
//! Needs `trunk build --release` first and `chromedriver` on PATH (the README's test command and
//! `.ci/run` take care of both).
#![cfg(not(target_arch = "wasm32"))]

use std::time::Duration;

use capital_browser_tests as harness;

use capital_offer_tile::server_render::{TileOptions, render_tile};
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
        r#"<capital-offer-tile id="{id}" api-base="/api/served" layout="{layout}" locale="{locale}" delivery="manual" live="off"><template shadowrootmode="open"><style>{css}</style><div class="root" data-lang="{lang}" data-state="{state}">{html}</div></template></capital-offer-tile>"#,
        css = tile.shadow_stylesheet(),
        lang = tile.lang,
        state = escaped(&state.to_string()),
        html = tile.html,
    )
}

/// `state` as `GET /offer?prerender={layout}&locale={locale}` answers it.
fn with_prerendered(state: &serde_json::Value, layout: &str, locale: &str) -> serde_json::Value {
    let offer: OfferState = serde_json::from_value(state.clone()).unwrap();
    let options = TileOptions {
        layout: capital_offer_tile::model::options::Layout::parse(Some(layout)),
        locale: locale.to_owned(),
        ..TileOptions::default()
    };
    let tile = render_tile(&offer, &options).unwrap();
    let mut answer = state.clone();
    answer["prerendered"] = json!({
        "layout": layout, "lang": tile.lang, "html": tile.html, "properties": tile.properties,
    });
    answer
}

/// Each element's tile: its text, box, call to action, and whether it is prerendered.
const LOOK: &str = r#"const out = {};
  for (const tile of document.querySelectorAll('capital-offer-tile')) {
    const box = tile.getBoundingClientRect();
    const cta = tile.shadowRoot.querySelector('[part~="cta"]');
    out[tile.id] = { text: tile.shadowRoot.querySelector('[part~="tile"]').innerText,
      width: box.width, height: box.height, cta: cta?.tagName, href: cta?.getAttribute('href'),
      prerendered: tile.shadowRoot.querySelector('.root').dataset.prerendered ?? null,
      loading: Boolean(tile.shadowRoot.querySelector('.root > .tile[data-status="loading"]')),
      roots: tile.shadowRoot.querySelectorAll('.root').length };
  }
  return out;"#;

async fn screenshot(bench: &Bench, id: &str) -> Vec<u8> {
    bench
        .client
        .find(fantoccini::Locator::Css(&format!("#{id}")))
        .await
        .unwrap()
        .screenshot()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_single_page_apps_tile_is_prerendered_before_the_wasm_and_taken_over_unchanged() {
    let bench = Bench::start().await;
    bench.delay_wasm(Duration::from_secs(3));
    let state = delivered_offer();
    let mut body = String::new();
    for (id, layout, locale) in VARIANTS {
        bench.scenario(id, Scenario::ok(with_prerendered(&state, layout, locale)));
        body.push_str(&format!(
            r#"<capital-offer-tile id="{id}" api-base="/api/{id}" layout="{layout}" locale="{locale}" delivery="manual" live="off"></capital-offer-tile>"#
        ));
    }
    bench.open(&body).await;
    bench
        .until(r#"[...document.querySelectorAll('capital-offer-tile')].every(t => t.shadowRoot?.querySelector('.root[data-prerendered]'))"#)
        .await;
    let before = bench.js(LOOK).await;
    let mut shots = Vec::new();
    for (id, ..) in VARIANTS {
        shots.push(screenshot(&bench, id).await);
    }
    // A user tabs to the first call to action before the wasm has come.
    bench
        .js(r#"document.querySelector('#tile-en').shadowRoot.querySelector('[part~="cta"]').focus()"#)
        .await;
    for (id, ..) in VARIANTS {
        bench
            .until(&format!(
                "__events.some(e => e.name === 'capital-offer-loaded' && e.id === '{id}')"
            ))
            .await;
    }
    let focus = bench
        .js(r#"const tile = document.querySelector('#tile-en');
               const focused = tile.shadowRoot.activeElement;
               const out = [document.activeElement.id, focused?.tagName, focused?.getAttribute('part')];
               focused?.blur();
               return out;"#)
        .await;
    assert_eq!(
        focus,
        json!(["tile-en", "BUTTON", "cta"]),
        "the focus moves to the wasm's call to action"
    );
    let after = bench.js(LOOK).await;
    for (n, (id, layout, locale)) in VARIANTS.into_iter().enumerate() {
        let (first, wasm) = (&before[id], &after[id]);
        assert_eq!(
            (&first["cta"], &first["href"], &first["prerendered"]),
            (
                &json!("A"),
                &json!(format!(
                    "/api/{id}/account_links/refresh?type=capital_financing_offer"
                )),
                &json!(layout)
            ),
            "{id}: before the wasm, the prerendered tile, its call to action the element's own refresh link"
        );
        assert_eq!(first["text"], wasm["text"], "{id}: the same text");
        assert_eq!(
            (&first["width"], &first["height"]),
            (&wasm["width"], &wasm["height"]),
            "{id}: nothing moved"
        );
        assert_eq!(
            (&wasm["cta"], &wasm["roots"]),
            (&json!("BUTTON"), &json!(1))
        );
        let shot = screenshot(&bench, id).await;
        if shot != shots[n] {
            let target = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target");
            std::fs::write(format!("{target}/prerendered-{id}-module.png"), &shots[n]).unwrap();
            std::fs::write(format!("{target}/prerendered-{id}-wasm.png"), &shot).unwrap();
        }
        assert!(
            shot == shots[n],
            "{id}: the wasm's tile differs from the prerendered one"
        );
        let calls = bench.calls(id);
        assert_eq!(calls.len(), 1, "{id}: one GET /offer, {calls:?}");
        assert!(
            calls[0]
                .query
                .starts_with(&format!("prerender={layout}&locale={locale}")),
            "{id}: {}",
            calls[0].query
        );
    }
    bench.finish().await;
}

/// Markup that is not the element's own: each refused whole (the skeleton stays until the wasm
/// renders the state), nothing runs, nothing is fetched.
const HOSTILE: [&str; 14] = [
    r#"<div part="tile" class="tile"><script>__pwned = 1</script></div>"#,
    r#"<div part="tile" class="tile"><img src="/api/evil/offer" onerror="__pwned = 1"></div>"#,
    r#"<div part="tile" class="tile" style="background: url(/api/evil/offer)"></div>"#,
    r#"<div part="tile" class="tile" onclick="__pwned = 1"></div>"#,
    r#"<div part="tile" class="tile"><a part="cta" class="cta" href="javascript:__pwned = 1">Go</a></div>"#,
    r#"<div part="tile" class="tile"><a part="cta" class="cta" href="/account_links/refresh?type=capital_financing_offer" target="_top">Go</a></div>"#,
    r#"<div part="tile" class="tile"><svg><use href="/api/evil/offer#x"></use></svg></div>"#,
    r#"<div part="tile" class="tile"><svg><path fill="url(/api/evil/offer#g)" d="M0 0h9"></path></svg></div>"#,
    r#"<div part="tile" class="tile"><iframe src="/api/evil/offer"></iframe></div>"#,
    r#"<div part="tile" class="tile"><img class="brand-icon" src="https://evil.example/icon.png" alt=""></div>"#,
    r#"<style>*{background:url(/api/evil/offer)}</style><div part="tile" class="tile"></div>"#,
    r#"<div part="tile" class="tile"><math><mtext><table><mglyph><style><img src="/api/evil/offer" onerror="__pwned = 1"></style></mglyph></table></mtext></math></div>"#,
    r#"<div part="tile" class="tile" data-state="{}"></div>"#,
    r#"<div part="tile" class="tile"></div><div part="tile" class="tile"></div>"#,
];

#[tokio::test]
async fn prerendered_markup_that_is_not_the_elements_own_is_refused_whole() {
    let bench = Bench::start().await;
    bench.delay_wasm(Duration::from_secs(3));
    let state = delivered_offer();
    let good = with_prerendered(&state, "tile", "en-US");
    let mut body = String::new();
    let mut cases: Vec<(String, serde_json::Value)> = HOSTILE
        .iter()
        .map(|html| {
            let mut answer = good.clone();
            answer["prerendered"]["html"] = json!(html);
            answer
        })
        .enumerate()
        .map(|(n, answer)| (format!("hostile-{n}"), answer))
        .collect();
    // Good markup with a colour that would fetch, and a good tile in the wrong language.
    let mut colours = good.clone();
    colours["prerendered"]["properties"] = json!("--_brand:url(/api/evil/offer)");
    cases.push(("colours".into(), colours));
    let mut language = good.clone();
    language["prerendered"]["lang"] = json!("de");
    cases.push(("language".into(), language));
    for (id, answer) in &cases {
        bench.scenario(id, Scenario::ok(answer.clone()));
        body.push_str(&format!(
            r#"<capital-offer-tile id="{id}" api-base="/api/{id}" locale="en-US" delivery="manual" live="off"></capital-offer-tile>"#
        ));
    }
    // A link whose type is read and whose rest is ignored: the element's own link, rebuilt.
    let mut rebuilt = good.clone();
    let html = rebuilt["prerendered"]["html"].as_str().unwrap().replace(
        "/api/capital/account_links/refresh?",
        "javascript:__pwned=1//?",
    );
    rebuilt["prerendered"]["html"] = json!(html);
    bench.scenario("rebuilt", Scenario::ok(rebuilt));
    body.push_str(r#"<capital-offer-tile id="rebuilt" api-base="/api/rebuilt" locale="en-US" delivery="manual" live="off"></capital-offer-tile>"#);
    bench.open(&body).await;
    bench
        .until(r#"document.querySelector('#rebuilt').shadowRoot?.querySelector('.root[data-prerendered]')"#)
        .await;
    // Every answer is in (the backend has them all) and has had its chance to be painted.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let look = bench.js(LOOK).await;
    assert_eq!(
        look["rebuilt"]["href"],
        json!("/api/rebuilt/account_links/refresh?type=capital_financing_offer")
    );
    for (id, _) in &cases {
        assert_eq!(bench.calls(id).len(), 1, "{id}");
        assert_eq!(
            (&look[id]["prerendered"], &look[id]["loading"]),
            (&json!(null), &json!(true)),
            "{id}: refused, the skeleton stays"
        );
    }
    for (id, _) in &cases {
        bench
            .until(&format!(
                "__events.some(e => e.name === 'capital-offer-loaded' && e.id === '{id}')"
            ))
            .await;
    }
    assert_eq!(bench.js("return window.__pwned ?? null").await, json!(null));
    assert_eq!(bench.calls("evil").len(), 0, "nothing was fetched");
    assert_eq!(bench.js("return __errors").await, json!([]));
    bench.finish().await;
}

/// A state with nothing to show (an expired offer) takes no space before the wasm either, on both
/// paths: the server's tile and the prerendered one say `data-status="none"`, which the element's
/// stylesheet gives no box; the wasm then collapses the element (`:state(collapsed)`).
#[tokio::test]
async fn a_state_with_nothing_to_show_takes_no_space_before_the_wasm_either() {
    let bench = Bench::start().await;
    bench.delay_wasm(Duration::from_secs(3));
    let mut state = delivered_offer();
    state["offer"]["status"] = json!("expired");
    bench.scenario("served", Scenario::ok(state.clone()));
    bench.scenario(
        "gone",
        Scenario::ok(with_prerendered(&state, "tile", "en-US")),
    );
    bench
        .open(&format!(
            r#"{served}<capital-offer-tile id="prerendered" api-base="/api/gone" locale="en-US" delivery="manual" live="off"></capital-offer-tile>"#,
            served = served("served", "tile", "en-US", &state)
        ))
        .await;
    bench
        .until("document.querySelector('#prerendered').shadowRoot?.querySelector('.root[data-prerendered]')")
        .await;
    const HEIGHTS: &str = "return [...document.querySelectorAll('capital-offer-tile')].map(t => [t.id, t.getBoundingClientRect().height])";
    let before = bench.js(HEIGHTS).await;
    let wasm_arrived = bench
        .js("return performance.getEntriesByType('resource').some(e => e.name.endsWith('.wasm') && e.responseEnd > 0)")
        .await;
    assert_eq!(wasm_arrived, json!(false), "measured before the wasm");
    assert_eq!(before, json!([["served", 0], ["prerendered", 0]]));
    bench
        .until("[...document.querySelectorAll('capital-offer-tile')].every(t => t.matches(':state(collapsed)'))")
        .await;
    assert_eq!(bench.js(HEIGHTS).await, before);
    assert_eq!(bench.page_errors().await, Vec::<serde_json::Value>::new());
    bench.finish().await;
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
/// same place on the page, as PNG screenshots of the host: every state of the gallery
/// (`fixtures/*/offer`) in both layouts and the three languages.
#[tokio::test]
async fn the_wasms_tile_is_the_servers_pixel_for_pixel() {
    let bench = Bench::start().await;
    // Padded: a tile with nothing to show takes no space, and a screenshot needs some.
    bench
        .open(r#"<div id="stage" style="padding: 4px"></div>"#)
        .await;
    let mut fixtures: Vec<_> = std::fs::read_dir(harness::root().join("fixtures"))
        .unwrap()
        .filter_map(|entry| {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(path.join("offer")).ok()?;
            let state: serde_json::Value = serde_json::from_str(&text).ok()?;
            // A state the server cannot read back is left to the element (the fragment's rule).
            serde_json::from_value::<OfferState>(state.clone()).ok()?;
            Some((path.file_name()?.to_string_lossy().into_owned(), state))
        })
        .collect();
    fixtures.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(
        fixtures.len() >= 20,
        "the gallery's states: {}",
        fixtures.len()
    );
    let mut differ = Vec::new();
    let mut compared = 0;
    for (fixture, state) in &fixtures {
        for layout in ["tile", "banner"] {
            for locale in ["en-US", "fr-FR", "de-DE"] {
                let id = format!("{fixture}-{layout}-{locale}");
                let live = served(&id, layout, locale, state);
                let still = live
                    .replacen("<capital-offer-tile ", "<div ", 1)
                    .replace("</capital-offer-tile>", "</div>");
                let server = stage_shot(&bench, &id, still).await;
                let wasm = stage_shot(&bench, &id, live).await;
                compared += 1;
                if server != wasm {
                    // For a look: target/server-rendered-{id}-{server,wasm}.png.
                    let target = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target");
                    std::fs::write(format!("{target}/server-rendered-{id}-server.png"), &server)
                        .unwrap();
                    std::fs::write(format!("{target}/server-rendered-{id}-wasm.png"), &wasm)
                        .unwrap();
                    differ.push(id);
                }
            }
        }
    }
    assert!(
        differ.is_empty(),
        "of {compared}, the wasm's tile differs from the server's in {differ:?}"
    );
    bench.finish().await;
}

/// `markup` in the page's stage, once it is a plain host or its element has loaded, as a PNG.
async fn stage_shot(bench: &Bench, id: &str, markup: String) -> Vec<u8> {
    bench
        .js(&format!(
            "document.querySelector('#stage').setHTMLUnsafe({});",
            serde_json::to_string(&markup).unwrap()
        ))
        .await;
    bench
        .until(&format!(
            "document.getElementById('{id}').localName === 'div' || __events.some(e => e.name === 'capital-offer-loaded' && e.id === '{id}')"
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
