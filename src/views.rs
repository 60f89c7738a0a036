//! The tile's markup, and nothing else: the root [`Tile`] picks what to render for what is
//! shown; one file per piece in `views/`. Everything the views read or start goes through one
//! narrow input, [`TileSource`]: the element's controller in the browser (`element.rs`), one
//! rendered state on a server (`server_render.rs`). So the same views build for both, and the
//! server's markup is the wasm's (a browser test compares them).

// Leptos' `#[component]` makes each component's props struct `pub`, whatever the component's
// own visibility: the lint would flag the macro's output, not this code.
#![allow(unreachable_pub)]

mod card;
mod cta;
mod failure;
mod skeleton;

use capital_types::AccountLinkType;
use leptos::html::Div;
use leptos::prelude::*;

use crate::model::card::Card;
use crate::model::copy::{Key, Wording};

/// What the tile shows.
#[derive(Clone)]
// A server renders only states it has (`server_render.rs`); the element renders all three.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) enum Shown {
    /// The skeleton of the card the offer will most likely be.
    Loading(Option<Card>),
    /// The load failed: a message and a retry.
    Failed,
    /// The state's card; nothing when the state shows nothing.
    Ready(Option<Card>),
}

/// What the views read (reactively, in the browser) and the two things they start. Everything
/// is already decided (status, words, cards): the views only lay it out.
pub(crate) trait TileSource: Copy + Send + Sync + 'static {
    fn shown(&self) -> Shown;
    /// The `tile` part's `data-status`.
    fn status(&self) -> String;
    fn layout(&self) -> &'static str;
    fn theme(&self) -> &'static str;
    fn locale(&self) -> String;
    fn words(&self) -> Wording;
    /// What the live region says, but for a link being opened: loading, failure, the heading.
    fn announced(&self) -> Option<Key>;
    /// A link is being asked for.
    fn busy(&self) -> bool;
    /// Links open in a new tab.
    fn new_tab(&self) -> bool;
    /// Why the last link could not be opened.
    fn launch_message(&self) -> Option<String>;
    /// An icon URL from the backend, if it may be loaded.
    fn image_url(&self, url: &str) -> Option<String>;
    /// The `tile` node, for the element's observers and colours.
    fn tile(&self) -> NodeRef<Div>;
    /// The call to action (the element's button; a server's is a link, `link_href`).
    #[cfg(target_arch = "wasm32")]
    fn open_link(&self, link_type: AccountLinkType);
    /// The failure's retry.
    fn retry(&self);
    /// Where the server-rendered call to action links: the backend's refresh route, which mints
    /// a fresh link and redirects (the element's own button asks with `open_link`).
    #[cfg(not(target_arch = "wasm32"))]
    fn link_href(&self, link_type: &AccountLinkType) -> String;
}

/// The element's whole shadow content. The node with `part="tile"` carries `data-status`,
/// `data-layout` and `data-theme`, and the theme's colours as private custom properties.
#[component]
pub(crate) fn Tile<S: TileSource>(
    /// The element's state.
    source: S,
) -> impl IntoView {
    let status = Memo::new(move |_| source.status());
    // One live region for the tile: loading, failure, the heading shown, and a link being opened
    // (the call to action stays focused while busy, so this is how the wait is heard).
    let announcement = move || {
        let key = if source.busy() {
            Some(Key::Opening)
        } else {
            source.announced()
        };
        key.map(|key| source.words().get(key).to_owned())
    };

    view! {
        <div
            part="tile"
            class="tile"
            node_ref=source.tile()
            data-status=move || status.get()
            data-layout=move || source.layout()
            data-theme=move || source.theme()
            lang=move || source.locale()
            aria-busy=move || (status.get() == "loading").to_string()
        >
            <div class="visually-hidden" role="status" aria-live="polite">{announcement}</div>
            {move || match source.shown() {
                Shown::Loading(ghost) => view! { <skeleton::Skeleton card=ghost/> }.into_any(),
                Shown::Failed => view! { <failure::Failure source=source/> }.into_any(),
                Shown::Ready(card) => card
                    .map(|card| view! { <card::CardContent source=source card=card/> })
                    .into_any(),
            }}
        </div>
    }
}
