//! `fully_repaid` / `completed` and `rejected`: financing that is over, one way or the other.

use capital_types::{AccountLinkType, Branding};
use leptos::prelude::*;

use super::parts::{Cta, Disclaimer, Header};
use crate::controller::Controller;
use crate::i18n::fill;
use crate::view_model::ClosedView as Closed;

#[component]
pub fn ClosedView(
    controller: Controller,
    /// The financed amount.
    closed: Closed,
    /// `true` for paid in full, `false` for not approved.
    repaid: bool,
    /// The platform's branding.
    branding: Option<Branding>,
) -> impl IntoView {
    move || {
        let text = controller.text();
        let amount = controller.formatter.get().money(closed.amount.as_ref());
        let (heading, body, cta, dot) = if repaid {
            (
                text.repaid_heading,
                fill(text.repaid_body, &[("amount", &amount)]),
                text.cta_repaid,
                "status-dot done",
            )
        } else {
            (
                text.rejected_heading,
                text.rejected_body.to_owned(),
                text.cta_rejected,
                "status-dot stopped",
            )
        };
        view! {
            <div class="main">
                <Header controller=controller branding=branding.clone() financing_type=None/>
                <h2 part="heading" class="heading"><span class=dot aria-hidden="true"></span>{heading}</h2>
                <p class="lede">{body}</p>
            </div>
            <Cta controller=controller label=cta link_type=AccountLinkType::CapitalFinancingReporting/>
            <Disclaimer controller=controller variant=closed.disclaimer.clone()/>
        }
    }
}
