//! The loading placeholder: the offer view's shape in grey, so the element keeps its final size.

use leptos::prelude::*;

#[component]
pub fn Skeleton() -> impl IntoView {
    view! {
        <div class="main skeleton" aria-hidden="true">
            <span class="bone brand-bone"></span>
            <span class="bone heading-bone"></span>
            <span class="bone line-bone"></span>
            <span class="bone line-bone"></span>
            <span class="bone line-bone short"></span>
        </div>
        <div class="figures skeleton" aria-hidden="true">
            <span class="bone label-bone"></span>
            <span class="bone amount-bone"></span>
            <span class="bone row-bone"></span>
            <span class="bone row-bone"></span>
            <span class="bone row-bone"></span>
        </div>
        <div class="actions skeleton" aria-hidden="true">
            <span class="bone cta-bone"></span>
        </div>
        <div class="legal skeleton" aria-hidden="true">
            <span class="bone legal-bone"></span>
            <span class="bone legal-bone short"></span>
        </div>
    }
}
