//! The call to action: a fresh Account Link per click, and the message when one fails.
//!
//! In the element it is a button that asks the backend for a link (`runtime/launch.rs`). Rendered
//! on a server, it is a link to the backend's refresh route, which mints a fresh Account Link and
//! redirects: it works before the wasm, in a webview and with scripts off, and looks the same
//! (`.cta` styles both), so the wasm's button replaces it without a visible change.

use capital_types::AccountLinkType;
use leptos::prelude::*;

use super::TileSource;
use crate::model::copy::Key;

/// The call to action: asks the backend for a fresh Account Link on every click.
#[component]
pub(super) fn Cta<S: TileSource>(
    /// The element's state.
    source: S,
    /// The button's label.
    label: String,
    /// The Account Link type to request.
    link_type: AccountLinkType,
) -> impl IntoView {
    let message = move || source.launch_message();
    view! {
        <div class="actions">
            {control(source, label, link_type)}
            {move || message().map(|message| view! { <p part="message" class="message" role="alert">{message}</p> })}
        </div>
    }
}

#[cfg(target_arch = "wasm32")]
fn control(source: impl TileSource, label: String, link_type: AccountLinkType) -> impl IntoView {
    let busy = move || source.busy();
    let on_click = move |_| source.open_link(link_type.clone());
    view! {
        // Busy is aria-disabled, not disabled: a disabled button drops the keyboard focus to
        // the page. A click while busy sends nothing (runtime/launch.rs).
        <button
            part="cta"
            class="cta"
            type="button"
            aria-disabled=move || busy().to_string()
            on:click=on_click
        >
            <span class="cta-label">{move || if busy() { source.words().get(Key::Opening).to_owned() } else { label.clone() }}</span>
            {new_tab_icon(source)}
        </button>
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn control(source: impl TileSource, label: String, link_type: AccountLinkType) -> impl IntoView {
    let href = source.link_href(&link_type);
    let target = source.new_tab().then_some("_blank");
    view! {
        <a part="cta" class="cta" href=href target=target rel=target.map(|_| "noopener")>
            <span class="cta-label">{label}</span>
            {new_tab_icon(source)}
        </a>
    }
}

/// Marks a link that opens in a new tab, for the eye and for screen readers.
fn new_tab_icon(source: impl TileSource) -> impl IntoView {
    move || {
        source.new_tab().then(|| view! {
        <svg class="cta-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
            <path d="M6 3H3.5A1.5 1.5 0 0 0 2 4.5v8A1.5 1.5 0 0 0 3.5 14h8a1.5 1.5 0 0 0 1.5-1.5V10M9 2h5v5M14 2 7.5 8.5" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"/>
        </svg>
        <span class="visually-hidden">{move || format!(" ({})", source.words().get(Key::NewTab))}</span>
    })
    }
}
