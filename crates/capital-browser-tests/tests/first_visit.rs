//! The first visit, in headless Chromium through WebDriver against the release embed folder: the
//! element is defined and painted before the wasm arrives, `GET /offer` starts beside the wasm and
//! is not sent twice, elements share one request in flight, and the skeleton has the size of the
//! offer that replaces it.
//!
//! Needs `trunk build --release` first and `chromedriver` on PATH (the README's test command and
//! `.ci/run` take care of both).
#![cfg(not(target_arch = "wasm32"))]

use capital_browser_tests as harness;

use std::time::Duration;

use capital_offer_tile::model::card::GHOST_EXPIRY_MS;
use capital_offer_tile::model::format::{Formats, Money, Rate};
use capital_offer_tile::model::options::Attribute;
use capital_offer_tile::model::server_intl::ServerIntl;
use harness::{Bench, Scenario, delivered_offer as state};
use serde_json::{Value, json};

fn offer_gets(bench: &Bench, scenario: &str) -> usize {
    bench
        .calls(scenario)
        .iter()
        .filter(|c| c.method == "GET" && c.route == "offer")
        .count()
}

/// The skeleton's markup inside the `tile` part, without the live region (whose text only Rust
/// knows, in the page's language) and comments (Leptos's list markers, which render nothing).
const SKELETON_MARKUP: &str = "return [...document.querySelector('#first').shadowRoot.querySelectorAll('.tile > .skeleton')].map(e => e.outerHTML).join('').replace(/<!--.*?-->/g, '')";

#[tokio::test]
async fn the_element_paints_before_the_wasm_and_fetches_the_offer_beside_it() {
    let bench = Bench::start().await;
    let mut scenario = Scenario::ok(state());
    // The offer answers after the wasm has started, so that Rust's own skeleton can be seen too.
    scenario.offer_delay = Duration::from_millis(2500);
    bench.scenario("first", scenario);
    bench.delay_wasm(Duration::from_millis(1500));
    bench
        .open(r#"<capital-offer-tile id="first" api-base="/api/first" locale="en-US" delivery="manual"></capital-offer-tile>"#)
        .await;

    // Before the wasm: defined, a skeleton of real size in the element's styles, the offer asked for.
    let early = bench
        .js("const tile = document.querySelector('#first').shadowRoot?.querySelector('[part~=tile]');
             return {defined: !!customElements.get('capital-offer-tile'), status: tile?.dataset.status,
                     height: document.querySelector('#first').getBoundingClientRect().height,
                     styled: getComputedStyle(tile).borderTopStyle,
                     wasm: performance.getEntriesByType('resource').some(e => e.name.endsWith('.wasm') && e.responseEnd > 0)}")
        .await;
    assert_eq!(early["defined"], true, "{early}");
    assert_eq!(early["status"], "loading", "{early}");
    assert_eq!(
        early["wasm"], false,
        "the wasm is still on its way: {early}"
    );
    assert_eq!(
        early["styled"], "solid",
        "the element's own styles apply: {early}"
    );
    assert!(early["height"].as_f64().unwrap() > 200.0, "{early}");
    assert_eq!(
        offer_gets(&bench, "first"),
        1,
        "GET /offer started beside the wasm"
    );
    let shim_skeleton = bench.js(SKELETON_MARKUP).await;
    let shim_height = early["height"].as_f64().unwrap();

    // Rust takes over while the offer is still on its way: the same skeleton, the same size.
    bench
        .until("performance.getEntriesByType('resource').some(e => e.name.endsWith('.wasm') && e.responseEnd > 0) && document.querySelector('#first').shadowRoot.querySelector('.visually-hidden').textContent !== ''")
        .await;
    assert_eq!(bench.status("#first").await, "loading");
    assert_eq!(bench.js(SKELETON_MARKUP).await, shim_skeleton);
    let rust_height = bench
        .js("return document.querySelector('#first').getBoundingClientRect().height")
        .await
        .as_f64()
        .unwrap();
    assert!(
        (rust_height - shim_height).abs() < 0.5,
        "{shim_height} → {rust_height}"
    );

    // The offer arrives once: Rust used the shim's request instead of sending its own.
    assert_eq!(bench.settled("#first").await, "delivered");
    assert_eq!(bench.part_text("#first", "amount").await, "$15,000");
    assert_eq!(offer_gets(&bench, "first"), 1, "one GET /offer in all");
    assert_eq!(bench.page_errors().await, Vec::<Value>::new());
    bench.finish().await;
}

#[tokio::test]
async fn the_shims_attribute_list_is_rusts() {
    let bench = Bench::start().await;
    bench.scenario("attributes", Scenario::ok(state()));
    bench
        .open(r#"<capital-offer-tile id="attributes" api-base="/api/attributes"></capital-offer-tile>"#)
        .await;
    bench.settled("#attributes").await;
    let observed = bench
        .js("return customElements.get('capital-offer-tile').observedAttributes")
        .await;
    let rust: Vec<&str> = Attribute::ALL.iter().map(|a| a.name()).collect();
    assert_eq!(observed, json!(rust));
    bench.finish().await;
}

#[tokio::test]
async fn elements_that_share_a_backend_share_one_request_in_flight() {
    let bench = Bench::start().await;
    let mut scenario = Scenario::ok(state());
    scenario.offer_delay = Duration::from_millis(400);
    bench.scenario("shared", scenario.clone());
    bench.scenario("other", scenario);
    let tiles: String = (0..6)
        .map(|i| {
            format!(r#"<capital-offer-tile id="t{i}" api-base="/api/shared" delivery="manual"></capital-offer-tile>"#)
        })
        .collect();
    bench
        .open(&format!(
            r#"{tiles}<capital-offer-tile id="apart" api-base="/api/other" delivery="manual"></capital-offer-tile>
               <capital-offer-tile id="with-credentials" api-base="/api/shared" credentials="include" delivery="manual"></capital-offer-tile>"#
        ))
        .await;
    for i in 0..6 {
        assert_eq!(bench.settled(&format!("#t{i}")).await, "delivered");
    }
    bench.settled("#apart").await;
    bench.settled("#with-credentials").await;
    // Six elements, one request; another backend and other credentials are requests of their own.
    assert_eq!(offer_gets(&bench, "shared"), 2);
    assert_eq!(offer_gets(&bench, "other"), 1);

    // Reloads at the same moment share one request too (now Rust's, the wasm being ready)...
    bench
        .js("for (let i = 0; i < 6; i++) document.querySelector('#t' + i).reload();")
        .await;
    bench
        .until("[0,1,2,3,4,5].every(i => document.querySelector('#t' + i).shadowRoot.querySelector('[part~=tile]').dataset.status === 'delivered')")
        .await;
    assert_eq!(offer_gets(&bench, "shared"), 3);
    // ...and it is not a cache: a later reload asks again.
    bench.js("document.querySelector('#t0').reload();").await;
    bench.settled("#t0").await;
    bench
        .until("document.querySelector('#t0').shadowRoot.querySelector('[part~=tile]').dataset.status === 'delivered'")
        .await;
    assert_eq!(offer_gets(&bench, "shared"), 4);

    // An element removed while its request is shared leaves the others their answer.
    bench.update("shared", |s| s.offer_delay = Duration::from_millis(800));
    bench
        .js("document.querySelector('#t1').reload(); document.querySelector('#t2').reload(); document.querySelector('#t1').remove();")
        .await;
    bench
        .until("document.querySelector('#t2').shadowRoot.querySelector('[part~=tile]').dataset.status === 'delivered'")
        .await;
    assert_eq!(bench.page_errors().await, Vec::<Value>::new());
    bench.finish().await;
}

/// For the elements the page's HTML holds, `GET /offer` is the module's first act after asking for
/// the glue and the wasm: it starts before the stylesheet is parsed and any skeleton is built, and
/// each element then uses that one request (a token function set on an element before the module
/// ran included).
#[tokio::test]
async fn the_offer_is_asked_for_before_the_stylesheet_is_parsed() {
    let bench = Bench::start().await;
    bench.scenario("early", Scenario::ok(state()));
    bench.scenario("token", Scenario::ok(state()));
    bench
        .open(
            r#"<capital-offer-tile id="early" api-base="/api/early" locale="en-US" delivery="manual"></capital-offer-tile>
               <capital-offer-tile id="early-too" api-base="/api/early" locale="en-US" delivery="manual"></capital-offer-tile>
               <capital-offer-tile id="token" api-base="/api/token" locale="en-US" delivery="manual"></capital-offer-tile>
               <script>
                 window.__order = [];
                 const parse = CSSStyleSheet.prototype.replaceSync;
                 CSSStyleSheet.prototype.replaceSync = function (text) { __order.push('stylesheet'); return parse.call(this, text); };
                 const send = window.fetch;
                 window.fetch = function (url, init) {
                   const path = new URL(String(url), location.href).pathname;
                   if (path.endsWith('/offer')) __order.push(path + (init?.headers?.Authorization ? ' with token' : ''));
                   return send.call(this, url, init);
                 };
                 // Set before the module runs, as a page's own script may.
                 document.querySelector('#token').fetchSessionToken = () => { __order.push('token asked'); return 'early-token'; };
               </script>"#,
        )
        .await;
    bench.settled("#early").await;
    bench.settled("#early-too").await;
    bench.settled("#token").await;
    let order = bench.js("return window.__order").await;
    assert_eq!(
        order,
        // The token function is asked at once too; its request waits for the token, which a
        // platform's function gives asynchronously.
        json!([
            "/api/early/offer",
            "token asked",
            "stylesheet",
            "/api/token/offer with token"
        ]),
        "{order}"
    );
    assert_eq!(offer_gets(&bench, "early"), 1, "two elements, one request");
    assert_eq!(offer_gets(&bench, "token"), 1);
    bench.finish().await;
}

/// The module reads a `locale` attribute as Rust does (the tag when `Intl` takes it, else the
/// browser's language), without building an `Intl` formatter before every element has painted:
/// a renderer's first formatter loads ICU's data, 70 to 100 ms of a slow phone's main thread that
/// the skeleton and `GET /offer` would wait for. (It checks the tag with
/// `Intl.getCanonicalLocales`, Rust with `new Intl.NumberFormat`: this holds them to the same
/// answers, in Chromium, for tags of every kind.)
#[tokio::test]
async fn the_module_reads_a_locale_as_rust_does_and_builds_no_formatter_before_painting() {
    let tags = [
        "en-US",
        "fr-CA",
        "de-CH",
        " de-AT ",
        "EN-gb",
        "zh-Hant-TW",
        "es-419",
        "de-DE-u-nu-arab",
        "en-US-x-twain",
        "i-klingon",
        "art-lojban",
        "und",
        "fr_FR",
        "x-private",
        "en-",
        "123",
        "",
        "a-very-long-tag-that-intl-refuses-to-read-at-all-xxxxxxxxxxxxxxxxxxxxxxxx",
    ];
    let bench = Bench::start().await;
    let elements: String = tags
        .iter()
        .enumerate()
        .map(|(i, tag)| {
            bench.scenario(&format!("locale{i}"), Scenario::ok(state()));
            format!(
                r#"<capital-offer-tile id="l{i}" api-base="/api/locale{i}" locale="{tag}" delivery="manual"></capital-offer-tile>"#
            )
        })
        .collect();
    bench
        .open(&format!(
            r#"{elements}
               <script>
                 // How many elements had not painted (each paints as it connects, once the module
                 // has defined the element) when the first formatter was built.
                 window.__unpaintedAtFirstFormatter = null;
                 for (const name of ['NumberFormat', 'DateTimeFormat', 'PluralRules', 'RelativeTimeFormat']) {{
                   Intl[name] = new Proxy(Intl[name], {{ construct(target, args) {{
                     window.__unpaintedAtFirstFormatter ??= customElements.get('capital-offer-tile')
                       ? [...document.querySelectorAll('capital-offer-tile')].filter((tile) => !tile.shadowRoot).length
                       : 'the element was not defined yet';
                     return Reflect.construct(target, args);
                   }} }});
                 }}
               </script>"#
        ))
        .await;
    for i in 0..tags.len() {
        bench.settled(&format!("#l{i}")).await;
    }
    assert_eq!(
        bench.js("return window.__unpaintedAtFirstFormatter").await,
        json!(0)
    );
    for (i, tag) in tags.iter().enumerate() {
        let queries: Vec<String> = bench
            .calls(&format!("locale{i}"))
            .into_iter()
            .filter(|call| call.method == "GET" && call.route == "offer")
            .map(|call| call.query)
            .collect();
        let [query] = queries.as_slice() else {
            panic!("{tag:?}: one GET /offer, not {queries:?}");
        };
        let asked = url::form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == "locale")
            .map(|(_, value)| value.into_owned());
        let rendered = bench
            .js(&format!(
                "return document.querySelector('#l{i}').shadowRoot.querySelector('[part~=tile]').lang"
            ))
            .await;
        assert_eq!(asked.as_deref(), rendered.as_str(), "{tag:?}");
    }
    assert_eq!(bench.page_errors().await, Vec::<Value>::new());
    bench.finish().await;
}

/// The skeleton's figures are what Chromium's `Intl` writes for the ghost offer, with the
/// element's own options, in the main region of each language's copy: so the skeleton has the
/// offer's widths where the figures flow side by side (the banner).
#[tokio::test]
async fn the_skeletons_figures_are_what_intl_writes() {
    let bench = Bench::start().await;
    bench.open("<p>Intl</p>").await;
    for (locale, currency) in [("en-US", "usd"), ("fr-FR", "eur"), ("de-DE", "eur")] {
        // What `src/js/skeleton-copy.json` is written with (`model::card`'s tests).
        let figures = ServerIntl::for_locale(locale).unwrap();
        let money = |minor| Money::new(Some(minor), Some(&currency.into()));
        let native = json!([
            figures.money(money(1_500_000).as_ref()),
            figures.money(money(150_000).as_ref()),
            figures.rate(Rate::new(Some(0.12)).as_ref()),
            figures.integer(1_234_567),
            figures.date(Some(GHOST_EXPIRY_MS)),
        ]);
        let code = currency.to_uppercase();
        let intl = bench
            .js(&format!(
                "const money = new Intl.NumberFormat('{locale}', {{style: 'currency', currency: '{code}', minimumFractionDigits: 0, maximumFractionDigits: 0}});
                 const rate = new Intl.NumberFormat('{locale}', {{style: 'percent', minimumFractionDigits: 0, maximumFractionDigits: 0}});
                 const date = new Intl.DateTimeFormat('{locale}', {{dateStyle: 'medium'}});
                 return [money.format('15000'), money.format('1500'), rate.format('0.12'),
                         new Intl.NumberFormat('{locale}').format('1234567'), date.format(new Date({GHOST_EXPIRY_MS}))];"
            ))
            .await;
        assert_eq!(native, intl, "{locale}");
    }
    bench.finish().await;
}

const WIDTHS: [u32; 9] = [280, 320, 360, 420, 520, 640, 760, 960, 1200];

/// The height of every element's box, by id: `{id: height}`.
const HEIGHTS: &str = "return Object.fromEntries([...document.querySelectorAll('capital-offer-tile')].map(t => [t.id, t.getBoundingClientRect().height]))";

#[tokio::test]
async fn the_skeleton_has_the_offers_size_at_every_width() {
    let bench = Bench::start().await;
    let mut scenario = Scenario::ok(state());
    scenario.offer_delay = Duration::from_millis(1500);
    bench.scenario("sizes", scenario);
    let tiles: String = ["tile", "banner"]
        .iter()
        .flat_map(|layout| {
            WIDTHS.iter().map(move |width| {
                format!(r#"<div style="width:{width}px;margin-block:8px"><capital-offer-tile id="{layout}-{width}" api-base="/api/sizes" layout="{layout}" locale="en-US" delivery="manual"></capital-offer-tile></div>"#)
            })
        })
        .collect();
    bench
        .open(&format!("<div style=\"width:1300px\">{tiles}</div>"))
        .await;
    bench
        .until("[...document.querySelectorAll('capital-offer-tile')].every(t => t.shadowRoot?.querySelector('.visually-hidden')?.textContent)")
        .await;
    let loading = bench.js(HEIGHTS).await;
    bench.save_screenshot("first-visit-skeleton").await;

    bench
        .until("[...document.querySelectorAll('capital-offer-tile')].every(t => t.shadowRoot.querySelector('[part~=tile]').dataset.status === 'delivered')")
        .await;
    let loaded = bench.js(HEIGHTS).await;
    bench.save_screenshot("first-visit-offer").await;
    let mut jumps = Vec::new();
    for layout in ["tile", "banner"] {
        for width in WIDTHS {
            let id = format!("{layout}-{width}");
            let (before, after) = (
                loading[&id].as_f64().unwrap(),
                loaded[&id].as_f64().unwrap(),
            );
            println!("{id}: skeleton {before:.1} px, offer {after:.1} px");
            if (before - after).abs() > 1.0 {
                jumps.push(format!("{id}: {before:.1} → {after:.1}"));
            }
        }
    }
    assert!(jumps.is_empty(), "the layout moves: {jumps:#?}");
    bench.finish().await;
}

#[tokio::test]
async fn layout_and_theme_reflect_to_their_attributes() {
    let bench = Bench::start().await;
    bench.scenario("reflect", Scenario::ok(state()));
    bench
        .open(r#"<capital-offer-tile id="reflect" api-base="/api/reflect" delivery="manual"></capital-offer-tile>"#)
        .await;
    bench.settled("#reflect").await;
    let seen = bench
        .js("const t = document.querySelector('#reflect');
             t.theme = 'dark'; t.layout = 'banner'; t.locale = 'fr-FR';
             return {theme: t.getAttribute('theme'), layout: t.getAttribute('layout'),
                     locale: t.getAttribute('locale'), selected: document.querySelector('capital-offer-tile[theme=dark]') === t}")
        .await;
    assert_eq!(
        seen,
        json!({"theme": "dark", "layout": "banner", "locale": null, "selected": true}),
        "layout and theme reflect; other properties do not"
    );
    bench
        .until("document.querySelector('#reflect').shadowRoot.querySelector('[part~=tile]').dataset.theme === 'dark'")
        .await;
    bench
        .js("document.querySelector('#reflect').theme = null;")
        .await;
    assert_eq!(
        bench
            .js("return document.querySelector('#reflect').hasAttribute('theme')")
            .await,
        json!(false)
    );
    bench
        .until("document.querySelector('#reflect').shadowRoot.querySelector('[part~=tile]').dataset.theme === 'auto'")
        .await;
    bench.finish().await;
}
