//! A failed load: a short message (never the server's text) and a retry button.

use leptos::prelude::*;

use crate::model::copy::Key;
use crate::runtime::controller::Controller;

#[component]
pub(super) fn Failure(
    /// The element's state (for the retry).
    controller: Controller,
) -> impl IntoView {
    move || {
        let words = controller.words();
        view! {
            <div class="main failure">
                <svg class="failure-icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true">
                    <circle cx="12" cy="12" r="10" fill="none" stroke="currentColor" stroke-width="1.8"/>
                    <path d="M12 7v6M12 16.5v.5" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/>
                </svg>
                <p part="message" class="message">{words.get(Key::LoadFailed).to_owned()}</p>
                <button part="retry" class="retry" type="button" on:click=move |_| controller.load()>{words.get(Key::Retry).to_owned()}</button>
            </div>
        }
    }
}
