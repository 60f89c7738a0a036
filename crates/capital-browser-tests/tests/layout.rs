//! The element's geometry in headless Chromium through WebDriver, against the release build: the
//! banner at the top of a dashboard (its height at 760 px and 1200 px for every state, stacked
//! below 640 px), and the platform's name beside the financing-type chip at every width from
//! 240 px in every language. Screenshots go to `test-artifacts/`.
//!
//! Needs `trunk build --release` and `chromedriver`; the README's test command takes care of both.
#![cfg(not(target_arch = "wasm32"))]

use capital_browser_tests as harness;

use std::time::Duration;

use harness::{Bench, Scenario};
use serde_json::{Value, json};

/// The gallery's fixtures (`fixtures/*/offer`, served under `/gallery/`) that show a state, as
/// the gallery shows them: every stage with an offer, and a backend that answers garbage.
const STATES: [(&str, &str); 14] = [
    ("refill", "refill with its discount"),
    ("paid-out", "financing"),
    ("fixed-term", "fixed-term financing"),
    ("standard", "offer"),
    ("undelivered", "offer, undelivered"),
    ("fixed-term-offer", "fixed-term offer"),
    ("cash-advance", "cash advance"),
    ("jpy", "JPY"),
    ("platform-copy", "the platform's copy"),
    ("accepted", "review"),
    ("fully-repaid", "paid"),
    ("cash-advance-paid", "cash advance paid"),
    ("rejected", "rejected"),
    ("broken", "error"),
];

/// One banner per state, each in a box of `width` px, in `locale`, plus a loading one (its
/// skeleton); waits until every one has settled.
async fn open_banners(bench: &Bench, width: u32, locale: &str) {
    let mut body = String::new();
    for (fixture, _) in STATES {
        body += &format!(
            r#"<div style="width:{width}px;margin-bottom:8px"><capital-offer-tile id="{fixture}" api-base="/gallery/fixtures/{fixture}" layout="banner" locale="{locale}" live="off" delivery="manual"></capital-offer-tile></div>"#
        );
    }
    body += &format!(
        r#"<div style="width:{width}px"><capital-offer-tile id="loading" api-base="/api/loading" layout="banner" locale="{locale}" live="off"></capital-offer-tile></div>"#
    );
    bench.open(&body).await;
    bench
        .until("[...document.querySelectorAll('capital-offer-tile:not(#loading)')].every(t => { const s = t.shadowRoot?.querySelector('[part~=tile]')?.dataset.status; return s && s !== 'loading'; })")
        .await;
    bench
        .until("document.querySelector('#loading').shadowRoot?.querySelector('.skeleton')")
        .await;
}

/// Each banner's height, by id.
async fn banner_heights(bench: &Bench) -> Value {
    bench
        .js("return Object.fromEntries([...document.querySelectorAll('capital-offer-tile')].map(t => [t.id, Math.round(t.shadowRoot.querySelector('[part~=tile]').getBoundingClientRect().height * 10) / 10]));")
        .await
}

/// One line of the terms: what German may take more than English.
async fn one_line(bench: &Bench) -> f64 {
    bench
        .js("return parseFloat(getComputedStyle(document.querySelector('#standard').shadowRoot.querySelector('.terms')).lineHeight);")
        .await
        .as_f64()
        .unwrap()
}

fn loading_scenario() -> Scenario {
    let mut loading = Scenario::ok(json!({"offer": null}));
    loading.offer_delay = Duration::from_secs(60);
    loading
}

#[tokio::test]
async fn the_banner_is_a_banner_at_the_top_of_a_page() {
    let bench = Bench::start().await;
    bench.scenario("loading", loading_scenario());
    let mut report = Vec::new();
    for (width, limit) in [(1200, 130.0), (760, 160.0)] {
        for locale in ["en-US", "de-DE"] {
            open_banners(&bench, width, locale).await;
            let heights = banner_heights(&bench).await;
            bench
                .save_screenshot(&format!("banner-{width}-{locale}"))
                .await;
            // German's longer words may take one more line.
            let allowed = if locale == "en-US" {
                limit
            } else {
                limit + one_line(&bench).await
            };
            for (id, height) in heights.as_object().unwrap() {
                let height = height.as_f64().unwrap();
                report.push(format!("{width} px {locale} {id}: {height} px"));
                assert!(
                    height <= allowed,
                    "{id} at {width} px in {locale} is {height} px tall, over {allowed} px: {heights}"
                );
            }
            // No lede and no platform header; the heading, the amount, the button and the
            // notice are there.
            let shown = bench
                .js("const root = document.querySelector('#standard').shadowRoot;
                     const visible = (s) => { const e = root.querySelector(s); return !!e && e.getClientRects().length > 0; };
                     return ['.heading', '[part~=amount]', '[part~=fee]', '[part~=cta]', '.legal', '.lede', '.brand'].map(visible);")
                .await;
            assert_eq!(
                shown,
                json!([true, true, true, true, true, false, false]),
                "{width} px {locale}"
            );
            // The amount and the terms share one line, beside the button.
            let line = bench
                .js("const root = document.querySelector('#standard').shadowRoot;
                     const box = (s) => root.querySelector(s).getBoundingClientRect();
                     const amount = box('[part~=amount]'), fee = box('[part~=fee]'), cta = box('[part~=cta]');
                     return {same_line: Math.abs(amount.bottom - fee.bottom) < 6, beside: cta.left > fee.right};")
                .await;
            assert_eq!(
                line,
                json!({"same_line": true, "beside": true}),
                "{width} px {locale}"
            );
        }
    }
    println!("{}", report.join("\n"));
    bench.finish().await;
}

#[tokio::test]
async fn below_640_px_the_banner_stacks_cleanly() {
    let bench = Bench::start().await;
    bench.scenario("loading", loading_scenario());
    for width in [600, 390] {
        open_banners(&bench, width, "en-US").await;
        let stacks = bench
            .js("return [...document.querySelectorAll('capital-offer-tile:not(#loading)')].map(t => {
                   const root = t.shadowRoot;
                   const tile = root.querySelector('[part~=tile]').getBoundingClientRect();
                   const blocks = [...root.querySelector('[part~=tile]').children]
                     .filter(e => e.getClientRects().length > 0 && !e.classList.contains('visually-hidden'))
                     .map(e => e.getBoundingClientRect());
                   const inside = [...root.querySelectorAll('[part~=tile] *')]
                     .filter(e => e.getClientRects().length > 0 && !e.closest('.visually-hidden'))
                     .every(e => { const b = e.getBoundingClientRect(); return b.left >= tile.left - 0.5 && b.right <= tile.right + 0.5; });
                   const ordered = blocks.every((b, i) => i === 0 || b.top >= blocks[i - 1].bottom - 0.5);
                   const cta = root.querySelector('[part~=cta]')?.getBoundingClientRect();
                   const actions = root.querySelector('.actions')?.getBoundingClientRect();
                   return {id: t.id, inside, ordered, full_width_button: !cta || Math.abs(cta.width - actions.width) < 1};
                 });")
            .await;
        for stack in stacks.as_array().unwrap() {
            assert_eq!(
                (
                    &stack["inside"],
                    &stack["ordered"],
                    &stack["full_width_button"]
                ),
                (&json!(true), &json!(true), &json!(true)),
                "{width} px: {stack}"
            );
        }
        bench.save_screenshot(&format!("banner-{width}")).await;
    }
    bench.finish().await;
}

fn branded(name: &str, financing_type: &str) -> Value {
    let mut state = harness::delivered_offer();
    state["branding"]["business_name"] = json!(name);
    state["branding"]["icon"] = json!("/gallery/fixtures/rocket-rides-icon.svg");
    state["offer"]["financing_type"] = json!(financing_type);
    state
}

#[tokio::test]
async fn the_platform_name_is_whole_wherever_it_fits_alone() {
    let bench = Bench::start().await;
    // A short name, a longer one, and a cash advance, whose chip is another length.
    let platforms = [
        ("rocket", "Rocket Rides", "flex_loan"),
        ("sakura", "Sakura Market Kyoto", "flex_loan"),
        ("brot", "Brotmanufaktur", "cash_advance"),
    ];
    for (id, name, financing_type) in platforms {
        bench.scenario(id, Scenario::ok(branded(name, financing_type)));
    }
    let mut checked = 0;
    for locale in ["en-US", "fr-FR", "de-DE"] {
        let mut body = String::new();
        for width in (240..=480).step_by(10) {
            for (id, _, _) in platforms {
                body += &format!(
                    r#"<div style="width:{width}px"><capital-offer-tile class="{id}" api-base="/api/{id}" locale="{locale}" live="off" delivery="manual"></capital-offer-tile></div>"#
                );
            }
        }
        bench.open(&body).await;
        bench
            .until("[...document.querySelectorAll('capital-offer-tile')].every(t => t.shadowRoot?.querySelector('[part~=tile]')?.dataset.status === 'delivered')")
            .await;
        let rows = bench
            .js("return [...document.querySelectorAll('capital-offer-tile')].map(t => {
                   const root = t.shadowRoot;
                   const brand = root.querySelector('.brand'), name = root.querySelector('.brand-name');
                   const icon = root.querySelector('.brand-icon'), chip = root.querySelector('.chip');
                   const gap = parseFloat(getComputedStyle(brand).columnGap);
                   const row = brand.getBoundingClientRect(), nameBox = name.getBoundingClientRect(), chipBox = chip.getBoundingClientRect();
                   const fitsAlone = icon.getBoundingClientRect().width + gap + name.scrollWidth <= brand.clientWidth + 0.5;
                   const chipShown = chipBox.top < row.bottom;
                   return {platform: t.className, width: t.parentElement.style.width, fitsAlone,
                           whole: name.scrollWidth <= name.clientWidth + 0.5,
                           height: row.height,
                           chip: chipShown ? (chip.scrollWidth <= chip.clientWidth + 0.5 ? 'whole' : 'shortened') : 'hidden',
                           apart: !chipShown || chipBox.left >= nameBox.right + gap - 0.5,
                           chipInside: !chipShown || chipBox.right <= row.right + 0.5};
                 });")
            .await;
        for row in rows.as_array().unwrap() {
            checked += 1;
            assert_eq!(
                row["height"],
                json!(28),
                "{locale}: one row, as the skeleton's: {row}"
            );
            if row["fitsAlone"] == json!(true) {
                assert_eq!(
                    row["whole"],
                    json!(true),
                    "{locale}: the name is cut: {row}"
                );
            }
            assert_eq!(
                row["apart"],
                json!(true),
                "{locale}: the chip covers the name: {row}"
            );
            assert_eq!(
                row["chipInside"],
                json!(true),
                "{locale}: the chip leaves the row: {row}"
            );
        }
        bench
            .save_screenshot(&format!("platform-name-{locale}"))
            .await;
    }
    assert_eq!(checked, 3 * 25 * 3);
    bench.finish().await;
}
