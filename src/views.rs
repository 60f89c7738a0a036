//! The tile's markup: the root [`Tile`] picks the view for the current phase and status. One file
//! per state view in `views/`.

mod card;
mod cta;
mod failure;
mod skeleton;

use leptos::html::Div;
use leptos::prelude::*;

use crate::card::{self as card_model, Card};
use crate::controller::{Controller, Phase};
use crate::delivery;
use crate::host_state;
use crate::theme_style;

/// The element's whole shadow content. The node with `part="tile"` carries `data-status`,
/// `data-layout` and `data-theme`, and the theme's colours as private custom properties.
#[component]
pub fn Tile(
    /// The element's state.
    controller: Controller,
) -> impl IntoView {
    let tile = NodeRef::<Div>::new();
    delivery::mark_when_seen(controller, tile);
    host_state::reflect_collapsed(controller);

    let status = Memo::new(move |_| controller.phase.with(Phase::data_status));
    let text = move || controller.text();
    let announcement = move || match controller.phase.get() {
        Phase::Loading => text().loading.to_owned(),
        Phase::Failed(_) => text().load_failed.to_owned(),
        Phase::Ready(loaded) => card_model::heading(text(), &loaded.view)
            .unwrap_or_default()
            .to_owned(),
    };

    view! {
        <div
            part="tile"
            class="tile"
            node_ref=tile
            data-status=move || status.get()
            data-layout=move || controller.settings.layout().as_str()
            data-theme=move || controller.settings.theme().as_str()
            lang=move || controller.formatter.get().locale
            aria-busy=move || (status.get() == "loading").to_string()
            style=move || theme_style::tile_style(controller)
        >
            <div class="visually-hidden" role="status" aria-live="polite">{announcement}</div>
            {move || match controller.phase.get() {
                Phase::Loading => view! { <skeleton::Skeleton/> }.into_any(),
                Phase::Failed(_) => view! { <failure::Failure controller=controller/> }.into_any(),
                Phase::Ready(loaded) => {
                    let format = controller.formatter.get();
                    Card::new(&loaded.view, loaded.state.branding.as_ref(), controller.text(), &format)
                        .map(|card| view! { <card::CardView controller=controller card=card/> })
                        .into_any()
                }
            }}
        </div>
    }
}
