//! The loading placeholder: the card the offer will most likely be (`model::card::ghost`), its
//! text hidden and drawn as bones, so that it wraps, and so measures, as the card that replaces
//! it. The JS shim paints the same markup before the wasm arrives (a browser test compares them).

use leptos::prelude::*;

use crate::model::card::Card;

#[component]
pub(super) fn Skeleton(
    /// The card the skeleton stands for; nothing when there is none.
    card: Option<Card>,
) -> impl IntoView {
    card.map(|card| {
        let amount = card.amount;
        view! {
            <div class="main skeleton" aria-hidden="true">
                <div class="brand">{card.brand.chip.map(|chip| view! { <span class="chip"><span>{chip}</span></span> })}</div>
                <h2 class="heading">{bone(card.heading)}</h2>
                {card.lede.map(|lede| view! { <p class="lede">{bone(lede)}</p> })}
            </div>
            <div class="figures skeleton" aria-hidden="true">
                {amount.map(|amount| view! {
                    <div class="amount-block">
                        {amount.label.map(|label| view! { <span class="amount-label">{bone(label)}</span> })}
                        <span class="amount">{bone(amount.value)}</span>
                    </div>
                })}
                <dl class="terms">
                    {card.terms.into_iter().map(|term| view! {
                        <div class="term">
                            {term.label.map(|label| view! { <dt>{bone(label)}</dt> })}
                            <dd>{bone(term.value)}</dd>
                        </div>
                    }).collect_view()}
                </dl>
            </div>
            <div class="actions skeleton" aria-hidden="true">
                <span class="cta"><span>{card.cta_label}</span></span>
            </div>
            {card.legal.map(|legal| view! { <p class="legal skeleton" aria-hidden="true">{bone(legal)}</p> })}
        }
    })
}

/// Invisible text (`visibility: hidden`), whose bone is drawn on each of its lines by the span
/// around it.
fn bone(text: impl Into<String>) -> impl IntoView {
    view! { <span class="bone"><span>{text.into()}</span></span> }
}
