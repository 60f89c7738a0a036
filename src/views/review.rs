//! `accepted`: the application is under review.

use capital_types::{AccountLinkType, Branding};
use leptos::prelude::*;

use super::parts::{Cta, Disclaimer, Header};
use crate::controller::Controller;
use crate::i18n::fill;
use crate::view_model::ReviewView as Review;

#[component]
pub fn ReviewView(
    controller: Controller,
    /// The applied-for amount.
    review: Review,
    /// The platform's branding.
    branding: Option<Branding>,
) -> impl IntoView {
    move || {
        let text = controller.text();
        let amount = controller.formatter.get().money(review.amount.as_ref());
        view! {
            <div class="main">
                <Header controller=controller branding=branding.clone() financing_type=None/>
                <h2 part="heading" class="heading"><span class="status-dot pending" aria-hidden="true"></span>{text.review_heading}</h2>
                <p class="lede">{fill(text.review_body, &[("amount", &amount)])}</p>
            </div>
            <div class="figures">
                <div class="amount-block">
                    <span part="amount" class="amount">{amount.clone()}</span>
                </div>
            </div>
            <Cta controller=controller label=text.cta_review link_type=AccountLinkType::CapitalFinancingReporting/>
            <Disclaimer controller=controller variant=review.disclaimer.clone()/>
        }
    }
}
