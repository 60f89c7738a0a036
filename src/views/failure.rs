//! A failed load: a short message (never the server's text) and a retry button.

use leptos::prelude::*;

use super::TileSource;
use crate::model::copy::Key;

#[component]
pub(super) fn Failure<S: TileSource>(
    /// The element's state (for the retry).
    source: S,
) -> impl IntoView {
    move || {
        let words = source.words();
        view! {
            <div class="main failure">
                <svg class="failure-icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true">
                    <circle cx="12" cy="12" r="10" fill="none" stroke="currentColor" stroke-width="1.8"/>
                    <path d="M12 7v6M12 16.5v.5" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/>
                </svg>
                <p part="message" class="message">{words.get(Key::LoadFailed).to_owned()}</p>
                <button part="retry" class="retry" type="button" on:click=move |_| source.retry()>{words.get(Key::Retry).to_owned()}</button>
            </div>
        }
    }
}
