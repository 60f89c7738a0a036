//! The tile's markup: the root [`Tile`] picks the view for the current phase and status. One file
//! per state view in `views/`.

mod closed;
mod failure;
mod offer;
mod parts;
mod progress;
mod review;
mod skeleton;

use leptos::html::Div;
use leptos::prelude::*;

use crate::controller::{Controller, Phase};
use crate::delivery;
use crate::host_state;
use crate::theme_style;
use crate::view_model::TileView;

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
        Phase::Ready(loaded) => parts::heading_text(text(), &loaded.view).unwrap_or_default(),
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
                Phase::Ready(loaded) => match &loaded.view {
                    TileView::Offer(offer) => view! { <offer::OfferView controller=controller offer=offer.clone() branding=loaded.state.branding.clone()/> }.into_any(),
                    TileView::Review(review) => view! { <review::ReviewView controller=controller review=review.clone() branding=loaded.state.branding.clone()/> }.into_any(),
                    TileView::InProgress(progress) => view! { <progress::ProgressView controller=controller progress=progress.clone() branding=loaded.state.branding.clone()/> }.into_any(),
                    TileView::Repaid(closed) => view! { <closed::ClosedView controller=controller closed=closed.clone() repaid=true branding=loaded.state.branding.clone()/> }.into_any(),
                    TileView::Rejected(closed) => view! { <closed::ClosedView controller=controller closed=closed.clone() repaid=false branding=loaded.state.branding.clone()/> }.into_any(),
                    TileView::Hidden => ().into_any(),
                },
            }}
        </div>
    }
}
