//! The signed-in account's tile rendered here, by the element's own views
//! (`capital_offer_tile::server_render`), so that the offer is on screen before the wasm:
//! - `GET /offer/fragment`, for a server-rendered page to include: the element with a Declarative
//!   Shadow DOM (`<template shadowrootmode="open">`) holding the tile, its stylesheet, and the
//!   state it shows, on screen before any script runs; the element, once its module loads, takes
//!   that state over without asking again. Its call to action links to `/account_links/refresh`,
//!   which works without scripts.
//! - `GET /offer?prerender=tile|banner`, for a single-page app: the same tile as the
//!   `prerendered` member of the JSON ([`prerendered`]), which the module paints in place of its
//!   skeleton through its allowlist of the element's own tags and attributes.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use capital_offer_tile::model::options::{DEFAULT_API_BASE, Layout, LinkTarget, ThemeMode};
use capital_offer_tile::server_render::{RenderedTile, TileOptions, render_tile};
use capital_types::OfferState;
use maud::{Markup, PreEscaped, html};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::http::error::AppError;
use crate::http::session::SignedInAccount;
use crate::http::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/offer/fragment", get(offer_fragment))
}

/// The element's attributes, as the page will set them (all optional).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct TileQuery {
    /// `tile` (default) or `banner`.
    layout: Option<String>,
    /// A BCP 47 tag; without it, the first language of `Accept-Language`, as the browser's.
    locale: Option<String>,
    /// `light`, `dark` or `auto` (default).
    theme: Option<String>,
    /// The element's `api-base` on the page (default `/api/capital`).
    #[serde(rename = "api-base")]
    #[param(rename = "api-base")]
    api_base: Option<String>,
    /// `blank` (default) or `same-tab`.
    #[serde(rename = "link-target")]
    #[param(rename = "link-target")]
    link_target: Option<String>,
    #[serde(rename = "brand-color")]
    #[param(rename = "brand-color")]
    brand_color: Option<String>,
    #[serde(rename = "accent-color")]
    #[param(rename = "accent-color")]
    accent_color: Option<String>,
}

impl TileQuery {
    /// The options the element would render with; the locale falls back to the reader's first
    /// language (`Accept-Language`, as `navigator.language` would say), then English.
    fn options(&self, layout: Layout, headers: &HeaderMap) -> TileOptions {
        let reader_language = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .and_then(first_language);
        TileOptions {
            layout,
            theme: ThemeMode::parse(self.theme.as_deref()),
            locale: self
                .locale
                .clone()
                .or(reader_language)
                .unwrap_or_else(|| "en".to_owned()),
            link_target: LinkTarget::parse(self.link_target.as_deref()),
            brand_color: self.brand_color.clone(),
            accent_color: self.accent_color.clone(),
            api_base: self
                .api_base
                .clone()
                .unwrap_or_else(|| DEFAULT_API_BASE.to_owned()),
        }
    }
}

/// `GET /offer`'s own parameter: the layout to prerender the tile in.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PrerenderQuery {
    /// `tile` or `banner`: the answer then carries the tile in that layout as `prerendered`
    /// (with the other parameters as in `/offer/fragment`). Any other value is ignored.
    prerender: Option<String>,
}

/// The `prerendered` member of `GET /offer?prerender=…`'s answer: the tile as the element's views
/// render it for `state`, with what the module needs to show it before the wasm.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Prerendered {
    /// `tile` or `banner`.
    layout: &'static str,
    /// The language of the copy (`en`, `fr`, `de`): the element shows it only in that language.
    lang: &'static str,
    /// The element's `tile` part and everything in it. Taken by the element only through its
    /// allowlist of its own tags and attributes, never as markup of the backend's choosing.
    html: String,
    /// The tile's colours and progress fill as custom-property declarations (`--_brand:#0a7cff;…`):
    /// hex colours and one percentage only.
    properties: String,
}

/// The tile for `state` in the layout `prerender` asks for; `None` for any other layout, a state
/// this backend cannot read back (the element then renders it itself), or a locale whose text
/// only the browser can write.
pub(crate) fn prerendered(
    state: &Value,
    prerender: &PrerenderQuery,
    tile: &TileQuery,
    headers: &HeaderMap,
) -> Option<Prerendered> {
    let layout = match prerender.prerender.as_deref()? {
        "tile" => Layout::Tile,
        "banner" => Layout::Banner,
        _ => return None,
    };
    let offer: OfferState = serde_json::from_value(state.clone()).ok()?;
    let rendered = render_tile(&offer, &tile.options(layout, headers))?;
    Some(Prerendered {
        layout: layout.as_str(),
        lang: rendered.lang,
        html: rendered.html,
        properties: rendered.properties,
    })
}

#[utoipa::path(
    get,
    path = "/offer/fragment",
    tag = "element",
    operation_id = "getOfferFragment",
    summary = "The signed-in account's tile, server-rendered",
    description = "`<capital-offer-tile …attributes…><template shadowrootmode=\"open\">…</template></capital-offer-tile>`: \
the tile the element renders for the account's state, in its stylesheet, with the state embedded, for a \
server-rendered page to include. The call to action links to `/account_links/refresh`. For a locale whose \
text the backend cannot write exactly as the browser does, the element comes without its shadow root and \
renders itself. Dates are written for UTC until the element takes over.",
    params(TileQuery),
    responses(
        (status = 200, description = "The element, as HTML", content_type = "text/html", body = String),
        (status = 401, description = "Nobody is signed in (`authentication_error`, `not signed in`).", body = capital_types::ErrorEnvelope, content_type = "application/json"),
        (status = 502, description = "Stripe could not be reached or answered an error (`api_error`).", body = capital_types::ErrorEnvelope, content_type = "application/json"),
        (status = 500, description = "The backend failed (`api_error`).", body = capital_types::ErrorEnvelope, content_type = "application/json"),
    ),
)]
/// `GET /offer/fragment`: the same state as `GET /offer`, rendered.
pub(crate) async fn offer_fragment(
    State(state): State<AppState>,
    SignedInAccount(account): SignedInAccount,
    Query(query): Query<TileQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let value = state.offer_view().state(&account).await?;
    let text = serde_json::to_string(&value)?;
    let options = query.options(Layout::parse(query.layout.as_deref()), &headers);
    // A state this backend cannot read back leaves the element to render (and report) it.
    let rendered = serde_json::from_value::<OfferState>(value)
        .ok()
        .and_then(|offer| render_tile(&offer, &options));
    let markup = fragment(&query, rendered, &text);
    Ok((
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        markup.into_string(),
    )
        .into_response())
}

/// `de-DE,de;q=0.9,en;q=0.8` → `de-DE`: what `navigator.language` would most likely say.
fn first_language(accept: &str) -> Option<String> {
    let tag = accept.split(',').next()?.split(';').next()?.trim();
    (!tag.is_empty() && tag != "*").then(|| tag.to_owned())
}

/// The element and its shadow root. Every attribute is the query's own text, escaped; the tile
/// is the element's views' output; the state is JSON in an attribute (escaped, never markup).
fn fragment(query: &TileQuery, rendered: Option<RenderedTile>, text: &str) -> Markup {
    html! {
        capital-offer-tile
            api-base=[query.api_base.as_deref()]
            layout=[query.layout.as_deref()]
            locale=[query.locale.as_deref()]
            theme=[query.theme.as_deref()]
            link-target=[query.link_target.as_deref()]
            brand-color=[query.brand_color.as_deref()]
            accent-color=[query.accent_color.as_deref()] {
            @if let Some(tile) = rendered {
                template shadowrootmode="open" {
                    style { (PreEscaped(tile.shadow_stylesheet())) }
                    div class="root" data-lang=(tile.lang) data-state=(text) {
                        (PreEscaped(&tile.html))
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readers_first_language_is_the_locale() {
        assert_eq!(
            first_language("de-DE,de;q=0.9,en;q=0.8").as_deref(),
            Some("de-DE")
        );
        assert_eq!(first_language("fr;q=0.8").as_deref(), Some("fr"));
        assert_eq!(first_language("*"), None);
        assert_eq!(first_language(""), None);
    }

    #[test]
    fn attributes_and_state_are_escaped_and_an_unknown_locale_leaves_the_element_to_render() {
        let query = TileQuery {
            locale: Some("ja\"><script>alert(1)</script>".to_owned()),
            ..TileQuery::default()
        };
        let options = query.options(Layout::Tile, &HeaderMap::new());
        let rendered = render_tile(&OfferState::default(), &options);
        assert_eq!(rendered, None);
        let html = fragment(&query, rendered, "{\"x\":\"</template><script>\"}").into_string();
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<template"), "{html}");
        assert!(
            html.starts_with("<capital-offer-tile locale=\"ja&quot;&gt;"),
            "{html}"
        );
    }
}
