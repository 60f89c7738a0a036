//! The tile rendered on a server (feature `server`, native only): the same `views` the element
//! mounts, over one state instead of the element's controller, to the markup the wasm renders for
//! that state, layout, theme, locale and branding, with its text written as the browser's `Intl`
//! writes it (`model::server_intl`). A backend puts it in a Declarative Shadow DOM, so the offer
//! is on screen before any script runs (`capital-platform`'s `GET /offer/fragment`); the element
//! then takes the state over from it without asking again.
//!
//! What the server cannot know it leaves to the browser: a locale outside `server_intl`'s table
//! is not rendered at all, and dates are written for UTC (the element writes the reader's time
//! zone when it takes over).

use std::sync::{Arc, OnceLock};

use capital_types::{AccountLinkType, OfferState};
use leptos::html::Div;
use leptos::prelude::*;

use crate::model::card::{Card, heading};
use crate::model::copy::{Key, Lang, Wording};
use crate::model::options::{Layout, LinkTarget, ThemeMode, api_base, route};
use crate::model::palette::Palette;
use crate::model::server_intl::ServerIntl;
use crate::model::stage::{Stage, shown_status};
use crate::views::{Shown, Tile, TileSource};

/// How the tile is to look: what the element's attributes would say.
#[derive(Debug, Clone, Default)]
pub struct TileOptions {
    pub layout: Layout,
    pub theme: ThemeMode,
    /// The BCP 47 tag in effect (the `locale` attribute, or the reader's language).
    pub locale: String,
    pub link_target: LinkTarget,
    /// `brand-color` and `accent-color`, over the backend's branding.
    pub brand_color: Option<String>,
    pub accent_color: Option<String>,
    /// The element's `api-base` as the page will use it: the call to action links to its
    /// `/account_links/refresh` route.
    pub api_base: String,
}

/// One tile, rendered.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedTile {
    /// The `tile` part and everything in it, as the element's shadow root holds it.
    pub html: String,
    /// The tile's private custom properties (colours, the progress bar's fill), as declarations:
    /// hex colours and a percentage only, for a stylesheet rule on `.tile`.
    pub properties: String,
    /// The language of the copy (`en`, `fr`, `de`).
    pub lang: &'static str,
    /// `data-status`.
    pub status: String,
}

/// `state` as the element would show it with `options`; `None` when the locale's text cannot be
/// written here exactly as the browser would (the element then renders it itself).
pub fn render_tile(state: &OfferState, options: &TileOptions) -> Option<RenderedTile> {
    let locale = options.locale.trim();
    let format = ServerIntl::for_locale(locale).filter(|_| !locale.contains('_'))?;
    let stage = Stage::from_state(state);
    let status = shown_status(state, &stage);
    let words = Wording::new(locale, [None, state.copy.clone().map(Arc::new)]);
    let branding = state.branding.clone().unwrap_or_default();
    let palette = Palette::resolve(
        [
            options.brand_color.as_deref(),
            None,
            branding.primary_color.as_deref(),
        ],
        [
            options.accent_color.as_deref(),
            None,
            branding.secondary_color.as_deref(),
        ],
    );
    let properties = format!(
        "{};--_progress:{}",
        palette.css_vars(),
        stage.progress_fill().as_deref().unwrap_or("0%")
    );
    let snapshot = Snapshot {
        shown: Shown::Ready(Card::new(&stage, state.branding.as_ref(), &words, &format)),
        announced: heading(&stage),
        status: status.clone(),
        layout: options.layout.as_str(),
        theme: options.theme.as_str(),
        locale: locale.to_owned(),
        new_tab: options.link_target == LinkTarget::Blank,
        refresh: route(&api_base(Some(&options.api_base)), "account_links/refresh"),
        lang: match words.lang() {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::De => "de",
        },
        words,
    };
    let lang = snapshot.lang;
    let owner = Owner::new();
    let html = owner.with(|| {
        let source = Rendered(StoredValue::new(snapshot));
        view! { <Tile source=source/> }.to_html()
    });
    owner.cleanup();
    Some(RenderedTile {
        html,
        properties,
        lang,
        status,
    })
}

impl RenderedTile {
    /// The stylesheet of a shadow root a server writes (a Declarative Shadow DOM): the element's
    /// own (which gives a tile with nothing to show no box, as the element collapses once its
    /// script runs) and the tile's colours (hex values and a percentage only, from `Palette`; the
    /// element sets them through the CSSOM).
    pub fn shadow_stylesheet(&self) -> String {
        format!("{}.root>.tile{{{}}}", stylesheet(), self.properties)
    }
}

/// The element's stylesheet, minified as the module carries it.
pub fn stylesheet() -> &'static str {
    static MINIFIED: OnceLock<String> = OnceLock::new();
    MINIFIED.get_or_init(|| minify_css(include_str!("../style/tile.css")))
}

/// One rendered state, read by the views once.
struct Snapshot {
    shown: Shown,
    announced: Option<Key>,
    status: String,
    layout: &'static str,
    theme: &'static str,
    locale: String,
    words: Wording,
    new_tab: bool,
    refresh: String,
    lang: &'static str,
}

#[derive(Clone, Copy)]
struct Rendered(StoredValue<Snapshot>);

impl TileSource for Rendered {
    fn shown(&self) -> Shown {
        self.0.with_value(|s| s.shown.clone())
    }

    fn status(&self) -> String {
        self.0.with_value(|s| s.status.clone())
    }

    fn layout(&self) -> &'static str {
        self.0.with_value(|s| s.layout)
    }

    fn theme(&self) -> &'static str {
        self.0.with_value(|s| s.theme)
    }

    fn locale(&self) -> String {
        self.0.with_value(|s| s.locale.clone())
    }

    fn words(&self) -> Wording {
        self.0.with_value(|s| s.words.clone())
    }

    fn announced(&self) -> Option<Key> {
        self.0.with_value(|s| s.announced)
    }

    fn busy(&self) -> bool {
        false
    }

    fn new_tab(&self) -> bool {
        self.0.with_value(|s| s.new_tab)
    }

    fn launch_message(&self) -> Option<String> {
        None
    }

    /// What the element loads: `https:` icons, and the page's own (a reference relative to the
    /// page, written as it is, so that the browser resolves it against the page, as the element
    /// does). A reference that leaves the page's origin (`//host/…`, `/\\host/…`) is refused,
    /// and so is an absolute `http:` URL, whose origin the server cannot compare with the page's.
    fn image_url(&self, url: &str) -> Option<String> {
        let url = url.trim();
        // Written as given (the element's allowlist takes the state's own icon only).
        if let Ok(parsed) = url::Url::parse(url) {
            return (parsed.scheme() == "https").then(|| url.to_owned());
        }
        let page = url::Url::parse("https://page.invalid/a/b").ok()?;
        let resolved = page.join(url).ok()?;
        (resolved.origin() == page.origin()).then(|| url.to_owned())
    }

    fn tile(&self) -> NodeRef<Div> {
        NodeRef::new()
    }

    fn retry(&self) {}

    fn link_href(&self, link_type: &AccountLinkType) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("type", link_type.as_str())
            .finish();
        self.0.with_value(|s| format!("{}?{query}", s.refresh))
    }
}

/// Comments and whitespace out, nothing reordered or rewritten: `scripts/embed-styles.mjs`'s
/// `minify`, which writes the module's copy (a test holds the two equal).
fn minify_css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut pending_space = false;
    let chars: Vec<char> = css.chars().collect();
    let mut i = 0;
    let flush = |out: &mut String, pending: &mut bool, next: char| {
        if *pending
            && !out.is_empty()
            && !"{};,".contains(next)
            && !out.ends_with(|c: char| "{};:, ".contains(c))
        {
            out.push(' ');
        }
        *pending = false;
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '/' && chars.get(i + 1) == Some(&'*') {
            let rest: String = chars[i + 2..].iter().collect();
            i = match rest.find("*/") {
                Some(end) => i + 2 + rest[..end].chars().count() + 2,
                None => chars.len(),
            };
            pending_space = true;
            continue;
        } else if c.is_whitespace() {
            pending_space = true;
        } else if c == '"' || c == '\'' {
            flush(&mut out, &mut pending_space, c);
            let end = chars[i + 1..].iter().position(|&d| d == c);
            let stop = end.map_or(chars.len(), |end| i + 1 + end + 1);
            out.extend(&chars[i..stop]);
            i = stop;
            continue;
        } else {
            if c == '}' && out.ends_with(';') {
                out.pop();
            }
            flush(&mut out, &mut pending_space, c);
            out.push(c);
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> OfferState {
        let path = format!("{}/fixtures/{name}/offer", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn options(locale: &str) -> TileOptions {
        TileOptions {
            locale: locale.to_owned(),
            api_base: "https://platform.example/api/capital/".to_owned(),
            ..TileOptions::default()
        }
    }

    #[test]
    fn an_offer_renders_with_its_figures_and_a_link_that_works_without_the_wasm() {
        let tile = render_tile(&fixture("standard"), &options("en-US")).unwrap();
        assert_eq!((tile.status.as_str(), tile.lang), ("delivered", "en"));
        let html = &tile.html;
        assert!(html.starts_with(r#"<div part="tile" data-status="delivered" data-layout="tile" data-theme="auto" lang="en-US" aria-busy="false" class="tile">"#), "{html}");
        assert!(html.contains(r#"class="amount">$15,000<"#), "{html}");
        assert!(
            html.contains(r#"<a part="cta" href="https://platform.example/api/capital/account_links/refresh?type=capital_financing_offer" target="_blank" rel="noopener" class="cta">"#),
            "{html}"
        );
        assert!(!html.contains("<button"), "{html}");
        assert!(
            tile.properties.starts_with("--_brand:#"),
            "{}",
            tile.properties
        );
    }

    #[test]
    fn the_text_is_the_locales() {
        let tile = render_tile(&fixture("euro-de"), &options("de-DE")).unwrap();
        assert_eq!(tile.lang, "de");
        assert!(tile.html.contains(">20.000,50\u{a0}€<"), "{}", tile.html);
    }

    #[test]
    fn a_locale_the_server_cannot_write_as_the_browser_is_left_to_the_browser() {
        for locale in ["ja-JP", "fr_CA", "", "en-US<script>"] {
            assert_eq!(
                render_tile(&fixture("standard"), &options(locale)),
                None,
                "{locale}"
            );
        }
    }

    #[test]
    fn backend_text_is_never_markup() {
        let mut state = fixture("standard");
        let mut branding = state.branding.clone().unwrap_or_default();
        branding.business_name = Some("<img src=x onerror=alert(1)>Rides".to_owned());
        branding.icon = Some("javascript:alert(1)".to_owned());
        state.branding = Some(branding);
        let html = render_tile(&state, &options("en")).unwrap().html;
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;Rides"),
            "{html}"
        );
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn icons_are_https_or_the_pages_own() {
        let icon = |url: &str| {
            let mut state = fixture("standard");
            let mut branding = state.branding.clone().unwrap_or_default();
            branding.icon = Some(url.to_owned());
            state.branding = Some(branding);
            let html = render_tile(&state, &options("en")).unwrap().html;
            html.split_once(r#"<img src=""#)
                .map(|(_, rest)| rest.split('"').next().unwrap().to_owned())
        };
        assert_eq!(
            icon("https://cdn.example/i.png").as_deref(),
            Some("https://cdn.example/i.png")
        );
        assert_eq!(
            icon(" ./fixtures/icon.svg ").as_deref(),
            Some("./fixtures/icon.svg")
        );
        assert_eq!(icon("/brand/icon.svg").as_deref(), Some("/brand/icon.svg"));
        for elsewhere in [
            "http://cdn.example/i.png",
            "//evil.example/i.png",
            "/\\evil.example/i.png",
            "data:image/svg+xml,<svg/>",
            "javascript:alert(1)",
        ] {
            assert_eq!(icon(elsewhere), None, "{elsewhere}");
        }
    }

    #[test]
    fn minified_css_drops_comments_and_space_only() {
        assert_eq!(
            minify_css("/* x */ .a  .b {\n  color: red;\n}\n.c::after { content: \"a  b\"; }"),
            ".a .b{color:red}.c::after{content:\"a  b\"}"
        );
    }
}
