//! The tile's markup, and nothing else: the root [`Tile`] picks what to render for the current
//! load state; one file per piece in `views/`. State and effects belong to the controller.

// Leptos' `#[component]` makes each component's props struct `pub`, whatever the component's
// own visibility: the lint would flag the macro's output, not this code.
#![allow(unreachable_pub)]

mod card;
mod cta;
mod failure;
mod skeleton;

use leptos::prelude::*;

use crate::model::card::{Card, ghost, heading};
use crate::model::copy::Key;
use crate::runtime::controller::{Controller, LoadState};
use crate::runtime::launch::LaunchState;

/// The element's whole shadow content. The node with `part="tile"` carries `data-status`,
/// `data-layout` and `data-theme`, and the theme's colours as private custom properties.
#[component]
pub(crate) fn Tile(
    /// The element's state.
    controller: Controller,
) -> impl IntoView {
    let status = Memo::new(move |_| controller.load.with(LoadState::data_status));
    // One live region for the tile: loading, failure, the heading shown, and a link being opened
    // (the call to action stays focused while busy, so this is how the wait is heard).
    let announcement = move || {
        let key = match controller.load.get() {
            _ if controller.launch.get() == LaunchState::Busy => Some(Key::Opening),
            LoadState::Loading => Some(Key::Loading),
            LoadState::Failed(_) => Some(Key::LoadFailed),
            LoadState::Ready(loaded) => heading(&loaded.stage),
        };
        key.map(|key| controller.words().get(key).to_owned())
    };

    view! {
        <div
            part="tile"
            class="tile"
            node_ref=controller.tile
            data-status=move || status.get()
            data-layout=move || controller.attributes.layout().as_str()
            data-theme=move || controller.attributes.theme().as_str()
            lang=move || controller.formatter.get().locale
            aria-busy=move || (status.get() == "loading").to_string()
        >
            <div class="visually-hidden" role="status" aria-live="polite">{announcement}</div>
            {move || match controller.load.get() {
                LoadState::Loading => view! { <skeleton::Skeleton card=ghost(controller.lang(), &controller.formatter.get())/> }.into_any(),
                LoadState::Failed(_) => view! { <failure::Failure controller=controller/> }.into_any(),
                LoadState::Ready(loaded) => {
                    let format = controller.formatter.get();
                    Card::new(&loaded.stage, loaded.state.branding.as_ref(), &controller.words(), &format)
                        .map(|card| view! { <card::CardContent controller=controller card=card/> })
                        .into_any()
                }
            }}
        </div>
    }
}
