//! The call to action: a fresh Account Link per click, and the message when one fails.

use capital_types::AccountLinkType;
use leptos::prelude::*;

use crate::model::copy::Key;
use crate::model::options::LinkTarget;
use crate::runtime::controller::Controller;
use crate::runtime::launch::LaunchState;

/// The call to action: asks the backend for a fresh Account Link on every click.
#[component]
pub(super) fn Cta(
    /// The element's state.
    controller: Controller,
    /// The button's label.
    label: String,
    /// The Account Link type to request.
    link_type: AccountLinkType,
) -> impl IntoView {
    let busy = move || controller.launch.get() == LaunchState::Busy;
    let new_tab = move || controller.attributes.link_target() == LinkTarget::Blank;
    let message = move || match controller.launch.get() {
        LaunchState::Failed(failure) => Some(controller.launch_message(failure)),
        _ => None,
    };
    let on_click = move |_| controller.open_link(link_type.clone());
    view! {
        <div class="actions">
            // Busy is aria-disabled, not disabled: a disabled button drops the keyboard focus to
            // the page. A click while busy sends nothing (runtime/launch.rs).
            <button
                part="cta"
                class="cta"
                type="button"
                aria-disabled=move || busy().to_string()
                on:click=on_click
            >
                <span class="cta-label">{move || if busy() { controller.words().get(Key::Opening).to_owned() } else { label.clone() }}</span>
                {move || new_tab().then(|| view! {
                    <svg class="cta-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
                        <path d="M6 3H3.5A1.5 1.5 0 0 0 2 4.5v8A1.5 1.5 0 0 0 3.5 14h8a1.5 1.5 0 0 0 1.5-1.5V10M9 2h5v5M14 2 7.5 8.5" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"/>
                    </svg>
                    <span class="visually-hidden">{move || format!(" ({})", controller.words().get(Key::NewTab))}</span>
                })}
            </button>
            {move || message().map(|message| view! { <p part="message" class="message" role="alert">{message}</p> })}
        </div>
    }
}
