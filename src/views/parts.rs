//! Pieces every state view uses: the platform header, a term row, the call to action with its
//! message, and the lender's legal notice.

use capital_types::{AccountLinkType, Branding, DisclaimerVariant, FinancingType};
use leptos::prelude::*;

use crate::controller::{Controller, Launch};
use crate::format::Rate;
use crate::i18n::{Text, fill};
use crate::intl::Formatter;
use crate::launch;
use crate::settings::LinkTarget;
use crate::view_model::TileView;

/// The heading a view shows, also announced through the live region.
pub fn heading_text(text: &Text, view: &TileView) -> Option<String> {
    Some(
        match view {
            TileView::Offer(offer) => text.offer_heading(offer.campaign.as_ref(), offer.refill),
            TileView::Review(_) => text.review_heading,
            TileView::InProgress(_) => text.progress_heading,
            TileView::Repaid(_) => text.repaid_heading,
            TileView::Rejected(_) => text.rejected_heading,
            TileView::Hidden => return None,
        }
        .to_owned(),
    )
}

/// "12% of daily sales", or a dash when the rate is missing or invalid.
pub fn withhold_text(text: &Text, format: &Formatter, rate: Option<&Rate>) -> String {
    match rate {
        Some(rate) => fill(text.withhold_value, &[("rate", &format.rate(Some(rate)))]),
        None => "—".to_owned(),
    }
}

/// The platform's icon and business name (from the backend's branding) and the financing type.
#[component]
pub fn Header(
    controller: Controller,
    /// The backend's branding, if any.
    branding: Option<Branding>,
    /// Shown as a small label beside the name when known.
    financing_type: Option<FinancingType>,
) -> impl IntoView {
    let branding = branding.unwrap_or_default();
    let name = branding
        .business_name
        .filter(|name| !name.trim().is_empty());
    let icon = branding
        .icon
        .and_then(|url| crate::launch::safe_image_url(&url));
    let type_label = move || controller.text().financing_type(financing_type.as_ref());
    (name.is_some() || icon.is_some() || type_label().is_some()).then(move || {
        view! {
            <div class="brand">
                {icon.map(|src| view! { <img class="brand-icon" src=src alt="" width="28" height="28" loading="lazy"/> })}
                {name.map(|name| view! { <span class="brand-name">{name}</span> })}
                {move || type_label().map(|label| view! { <span class="chip">{label}</span> })}
            </div>
        }
    })
}

/// One labelled figure in the terms list.
#[component]
pub fn Term(
    /// The label (`dt`).
    label: &'static str,
    /// The `part` name of the value.
    part: &'static str,
    /// The value, already formatted.
    value: String,
    /// Extra class for emphasis (`discount`).
    #[prop(optional)]
    class: &'static str,
) -> impl IntoView {
    view! {
        <div class=format!("term {class}")>
            <dt>{label}</dt>
            <dd part=part>{value}</dd>
        </div>
    }
}

/// The call to action: asks the backend for a fresh Account Link on every click.
#[component]
pub fn Cta(
    controller: Controller,
    /// The button's label.
    label: &'static str,
    /// The Account Link type to request.
    link_type: AccountLinkType,
) -> impl IntoView {
    let busy = move || controller.launch.get() == Launch::Busy;
    let new_tab = move || controller.settings.link_target() == LinkTarget::Blank;
    let message = move || match controller.launch.get() {
        Launch::Failed { unsafe_link: true } => Some(controller.text().unsafe_link),
        Launch::Failed { unsafe_link: false } => Some(controller.text().link_failed),
        _ => None,
    };
    let on_click = move |_| launch::launch(controller, link_type.clone());
    view! {
        <div class="actions">
            <button
                part="cta"
                class="cta"
                type="button"
                disabled=busy
                aria-disabled=move || busy().to_string()
                on:click=on_click
            >
                <span class="cta-label">{move || if busy() { controller.text().opening } else { label }}</span>
                {move || new_tab().then(|| view! {
                    <svg class="cta-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
                        <path d="M6 3H3.5A1.5 1.5 0 0 0 2 4.5v8A1.5 1.5 0 0 0 3.5 14h8a1.5 1.5 0 0 0 1.5-1.5V10M9 2h5v5M14 2 7.5 8.5" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"/>
                    </svg>
                    <span class="visually-hidden">{format!(" ({})", controller.text().new_tab)}</span>
                })}
            </button>
            {move || message().map(|message| view! { <p part="message" class="message" role="alert">{message}</p> })}
        </div>
    }
}

/// The lender's legal notice. Deliberately not a `part`: the host page must not be able to hide it.
#[component]
pub fn Disclaimer(controller: Controller, variant: Option<DisclaimerVariant>) -> impl IntoView {
    variant.map(
        |variant| view! { <p class="legal">{move || controller.text().disclaimer(&variant)}</p> },
    )
}
