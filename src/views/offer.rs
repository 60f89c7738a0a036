//! `undelivered` and `delivered`: the offer, its terms and the call to view it.

use capital_types::{AccountLinkType, Branding};
use leptos::prelude::*;

use super::parts::{Cta, Disclaimer, Header, Term, withhold_text};
use crate::controller::Controller;
use crate::i18n::fill;
use crate::view_model::{IntervalTerms, OfferView as Offer};

#[component]
pub fn OfferView(
    controller: Controller,
    /// The offer's terms, from the view model.
    offer: Offer,
    /// The platform's branding.
    branding: Option<Branding>,
) -> impl IntoView {
    let Offer {
        refill,
        campaign,
        financing_type,
        amount,
        fee,
        withhold_rate,
        discount_rate,
        expires_at_ms,
        interval,
        target_payback_days,
        disclaimer,
        ..
    } = offer;
    move || {
        let text = controller.text();
        let format = controller.formatter.get();
        let withhold = withhold_text(text, &format, withhold_rate.as_ref());
        let discount = discount_rate
            .map(|rate| fill(text.discount_value, &[("rate", &format.rate(Some(&rate)))]));
        let expiry_iso = expires_at_ms.map(|ms| {
            js_sys::Date::new(&ms.into())
                .to_iso_string()
                .as_string()
                .unwrap_or_default()
        });
        let interval_line = interval
            .as_ref()
            .map(|terms| interval_text(controller, terms));
        let payback = target_payback_days
            .map(|days| fill(text.payback_estimate, &[("days", &format.integer(days))]));
        view! {
            <div class="main">
                <Header controller=controller branding=branding.clone() financing_type=financing_type.clone()/>
                <h2 part="heading" class="heading">{text.offer_heading(campaign.as_ref(), refill)}</h2>
                <p class="lede">{text.offer_lede(campaign.as_ref(), refill)}</p>
            </div>
            <div class="figures">
                <div class="amount-block">
                    <span class="amount-label">{text.amount_label}</span>
                    <span part="amount" class="amount">{format.money(amount.as_ref())}</span>
                </div>
                <dl class="terms">
                    <Term label=text.fee_label part="fee" value=format.money(fee.as_ref())/>
                    <Term label=text.withhold_label part="withhold-rate" value=withhold/>
                    {discount.map(|value| view! { <Term label=text.discount_label part="discount" value=value class="discount"/> })}
                    {interval_line.map(|line| view! { <div class="term wide"><dd class="note">{line}</dd></div> })}
                    {payback.map(|line| view! { <div class="term wide"><dd class="note">{line}</dd></div> })}
                    <div class="term">
                        <dt>{text.expiry_label}</dt>
                        <dd part="expiry"><time datetime=expiry_iso>{format.date(expires_at_ms)}</time></dd>
                    </div>
                </dl>
            </div>
            <Cta controller=controller label=text.cta_offer link_type=AccountLinkType::CapitalFinancingOffer/>
            <Disclaimer controller=controller variant=disclaimer.clone()/>
        }
    }
}

/// "Repayments every 60 days, at least $500 per period, at most $2,000 per period".
pub fn interval_text(controller: Controller, terms: &IntervalTerms) -> String {
    let text = controller.text();
    let format = controller.formatter.get();
    let mut pieces = Vec::new();
    if let Some(days) = terms.duration_days {
        pieces.push(fill(
            text.interval_every,
            &[("days", &format.integer(days))],
        ));
    }
    if let Some(minimum) = &terms.minimum {
        pieces.push(fill(
            text.interval_minimum,
            &[("amount", &format.money(Some(minimum)))],
        ));
    }
    if let Some(maximum) = &terms.maximum {
        pieces.push(fill(
            text.interval_maximum,
            &[("amount", &format.money(Some(maximum)))],
        ));
    }
    pieces.join(", ")
}
