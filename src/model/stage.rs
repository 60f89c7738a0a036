//! Status → stage: where the account's offer is, as plain data the card is made from
//! (`card.rs`). The statuses are grouped by the shared lifecycle rules
//! ([`capital_types::lifecycle`]); formatting and markup happen later. Pure and tested natively.

use capital_types::{
    AccountLinkType, CampaignType, DisclaimerVariant, FinancingOffer, FinancingType,
    LifecyclePhase, OfferState, OfferStatus, RepaymentIntervalConfiguration,
};

use super::copy::Key;
use super::format::{Money, Progress, Rate, epoch_millis_from_seconds, repayment_progress};

/// What the tile renders.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// `undelivered`, `delivered`: the offer itself, when its lender's notice can be shown.
    Offer(OpenOffer),
    /// `accepted`: the application is under review.
    Review(Review),
    /// `paid_out`: repayment in progress.
    InProgress(Financing),
    /// `fully_repaid`, `completed`.
    Repaid(Closed),
    /// `rejected`.
    Rejected(Closed),
    /// Terminal, unknown or no offer, or an open offer whose lender's notice the element cannot
    /// give (no `disclaimer_variant`, or one it does not know): the element collapses to zero size.
    Hidden,
}

/// Fixed-term repayment intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalTerms {
    pub duration_days: Option<i64>,
    pub minimum: Option<Money>,
    pub maximum: Option<Money>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OpenOffer {
    pub offer_id: String,
    pub undelivered: bool,
    pub refill: bool,
    pub campaign: Option<CampaignType>,
    pub financing_type: Option<FinancingType>,
    pub amount: Option<Money>,
    pub fee: Option<Money>,
    pub withhold_rate: Option<Rate>,
    /// Refill offers only: the discount on the remaining fee of the current financing.
    pub discount_rate: Option<Rate>,
    pub expires_at_ms: Option<f64>,
    pub interval: Option<IntervalTerms>,
    pub target_payback_days: Option<i64>,
    pub disclaimer: Option<DisclaimerVariant>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub amount: Option<Money>,
    pub financing_type: Option<FinancingType>,
    pub disclaimer: Option<DisclaimerVariant>,
}

/// The current repayment interval from the summary.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrentInterval {
    pub paid: Option<Money>,
    pub remaining: Option<Money>,
    pub due_at_ms: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Financing {
    pub paid: Option<Money>,
    pub remaining: Option<Money>,
    /// Percent repaid, 0–100.
    pub progress: Option<Progress>,
    pub withhold_rate: Option<Rate>,
    pub current_interval: Option<CurrentInterval>,
    pub interval: Option<IntervalTerms>,
    pub financing_type: Option<FinancingType>,
    pub disclaimer: Option<DisclaimerVariant>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Closed {
    pub amount: Option<Money>,
    pub financing_type: Option<FinancingType>,
    pub disclaimer: Option<DisclaimerVariant>,
}

impl Stage {
    pub fn from_state(state: &OfferState) -> Stage {
        let Some(offer) = &state.offer else {
            return Stage::Hidden;
        };
        let disclaimer = offer.disclaimer_variant.clone();
        let financing_type = offer.effective_financing_type().cloned();
        let closed = || Closed {
            amount: financed_amount(offer),
            financing_type: financing_type.clone(),
            disclaimer: disclaimer.clone(),
        };
        match offer.status.phase() {
            // An offer is marketing: it is shown with its lender's notice, or not at all.
            LifecyclePhase::Open if disclaimer.as_ref().and_then(Key::notice).is_none() => {
                Stage::Hidden
            }
            LifecyclePhase::Open => Stage::Offer(open_offer(offer)),
            LifecyclePhase::UnderReview => Stage::Review(Review {
                amount: financed_amount(offer),
                financing_type,
                disclaimer,
            }),
            LifecyclePhase::InProgress => Stage::InProgress(financing(offer, state)),
            LifecyclePhase::PaidInFull => Stage::Repaid(closed()),
            LifecyclePhase::Rejected => Stage::Rejected(closed()),
            LifecyclePhase::Gone => Stage::Hidden,
        }
    }

    /// The Account Link type the call to action requests; `None` when nothing is shown.
    pub fn link_type(&self) -> Option<AccountLinkType> {
        match self {
            Stage::Offer(_) => Some(AccountLinkType::CapitalFinancingOffer),
            Stage::Review(_) | Stage::InProgress(_) | Stage::Repaid(_) | Stage::Rejected(_) => {
                Some(AccountLinkType::CapitalFinancingReporting)
            }
            Stage::Hidden => None,
        }
    }

    pub fn is_hidden(&self) -> bool {
        matches!(self, Stage::Hidden)
    }

    /// How much of the bar the repayment progress fills (`27.50%`; `0%` before any payment),
    /// while financing is in progress. The runtime sets it as the tile's `--_progress` through
    /// the CSSOM (`runtime/tile_style.rs`): no `style` attribute, which a strict
    /// Content-Security-Policy would refuse.
    pub fn progress_fill(&self) -> Option<String> {
        match self {
            Stage::InProgress(financing) => Some(
                financing
                    .progress
                    .map_or_else(|| "0%".to_owned(), |p| p.css_length()),
            ),
            _ => None,
        }
    }

    /// The element's custom state while this stage is shown (`capital-offer-tile:state(offer)`):
    /// one of [`CUSTOM_STATES`](super::interface::CUSTOM_STATES), one at a time.
    pub fn custom_state(&self) -> &'static str {
        match self {
            Stage::Offer(_) => "offer",
            Stage::Review(_) => "review",
            Stage::InProgress(_) => "financing",
            Stage::Repaid(_) => "paid",
            Stage::Rejected(_) => "rejected",
            Stage::Hidden => "collapsed",
        }
    }

    pub fn disclaimer(&self) -> Option<&DisclaimerVariant> {
        match self {
            Stage::Offer(v) => v.disclaimer.as_ref(),
            Stage::Review(v) => v.disclaimer.as_ref(),
            Stage::InProgress(v) => v.disclaimer.as_ref(),
            Stage::Repaid(v) | Stage::Rejected(v) => v.disclaimer.as_ref(),
            Stage::Hidden => None,
        }
    }
}

/// The `data-status` value and the `status` of `capital-offer-loaded`: the offer's own status for
/// what is shown, `"none"` for anything collapsed.
pub fn shown_status(state: &OfferState, stage: &Stage) -> String {
    match (&state.offer, stage) {
        (Some(offer), stage) if !stage.is_hidden() => offer.status.as_str().to_owned(),
        _ => "none".to_owned(),
    }
}

fn open_offer(offer: &FinancingOffer) -> OpenOffer {
    let terms = offer.offered_terms.clone().unwrap_or_default();
    let currency = terms.currency.as_ref();
    let refill = offer.is_refill();
    OpenOffer {
        offer_id: offer.id.clone(),
        undelivered: offer.status == OfferStatus::Undelivered,
        refill,
        campaign: terms.campaign_type.clone(),
        financing_type: offer.effective_financing_type().cloned(),
        amount: Money::new(terms.advance_amount, currency),
        fee: Money::new(terms.fee_amount, currency),
        withhold_rate: Rate::new(terms.withhold_rate),
        discount_rate: if refill {
            Rate::new(terms.previous_financing_fee_discount_rate)
        } else {
            None
        },
        expires_at_ms: epoch_millis_from_seconds(offer.expires_after),
        interval: interval_terms(terms.repayment_interval_configuration.as_ref(), currency),
        target_payback_days: terms.target_payback_days.filter(|days| *days > 0),
        disclaimer: offer.disclaimer_variant.clone(),
    }
}

/// The accepted amount, else the offered one.
fn financed_amount(offer: &FinancingOffer) -> Option<Money> {
    let accepted = offer
        .accepted_terms
        .as_ref()
        .and_then(|t| Money::new(t.advance_amount, t.currency.as_ref()));
    accepted.or_else(|| {
        offer
            .offered_terms
            .as_ref()
            .and_then(|t| Money::new(t.advance_amount, t.currency.as_ref()))
    })
}

fn financing(offer: &FinancingOffer, state: &OfferState) -> Financing {
    let details = state
        .summary
        .as_ref()
        .and_then(|s| s.details.clone())
        .unwrap_or_default();
    let accepted = offer.accepted_terms.clone().unwrap_or_default();
    let currency = details.currency.as_ref().or(accepted.currency.as_ref());
    let current_interval =
        details
            .current_repayment_interval
            .as_ref()
            .map(|interval| CurrentInterval {
                paid: Money::new(interval.paid_amount, currency),
                remaining: Money::new(interval.remaining_amount, currency),
                due_at_ms: epoch_millis_from_seconds(interval.due_at),
            });
    Financing {
        paid: Money::new(details.paid_amount, currency),
        remaining: Money::new(details.remaining_amount, currency),
        progress: repayment_progress(details.paid_amount, details.remaining_amount),
        withhold_rate: Rate::new(details.withhold_rate.or(accepted.withhold_rate)),
        current_interval,
        interval: interval_terms(accepted.repayment_interval_configuration.as_ref(), currency),
        financing_type: offer.effective_financing_type().cloned(),
        disclaimer: details
            .disclaimer_variant
            .clone()
            .or_else(|| offer.disclaimer_variant.clone()),
    }
}

fn interval_terms(
    config: Option<&RepaymentIntervalConfiguration>,
    currency: Option<&capital_types::Currency>,
) -> Option<IntervalTerms> {
    let config = config?;
    let terms = IntervalTerms {
        duration_days: config.duration_days.filter(|days| *days > 0),
        minimum: Money::new(config.minimum_amount, currency),
        maximum: Money::new(config.maximum_amount, currency),
    };
    (terms.duration_days.is_some() || terms.minimum.is_some() || terms.maximum.is_some())
        .then_some(terms)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use serde_json::json;

    fn state(value: serde_json::Value) -> OfferState {
        serde_json::from_value(value).unwrap()
    }

    fn offer(status: &str) -> serde_json::Value {
        json!({
            "id": "financingoffer_1", "object": "capital.financing_offer", "status": status,
            "expires_after": 1690934400.0, "financing_type": "flex_loan", "product_type": "standard",
            "disclaimer_variant": "celtic_us_loan",
            "offered_terms": {"advance_amount": 1000000, "fee_amount": 100000, "currency": "usd",
                              "withhold_rate": 0.15, "campaign_type": "newly_eligible_user",
                              "previous_financing_fee_discount_rate": null},
        })
    }

    #[test]
    fn each_status_maps_to_its_stage_and_link() {
        let cases = [
            (
                "undelivered",
                Some(AccountLinkType::CapitalFinancingOffer),
                "undelivered",
            ),
            (
                "delivered",
                Some(AccountLinkType::CapitalFinancingOffer),
                "delivered",
            ),
            (
                "accepted",
                Some(AccountLinkType::CapitalFinancingReporting),
                "accepted",
            ),
            (
                "paid_out",
                Some(AccountLinkType::CapitalFinancingReporting),
                "paid_out",
            ),
            (
                "fully_repaid",
                Some(AccountLinkType::CapitalFinancingReporting),
                "fully_repaid",
            ),
            (
                "completed",
                Some(AccountLinkType::CapitalFinancingReporting),
                "completed",
            ),
            (
                "rejected",
                Some(AccountLinkType::CapitalFinancingReporting),
                "rejected",
            ),
            ("expired", None, "none"),
            ("canceled", None, "none"),
            ("replaced", None, "none"),
            ("revoked", None, "none"),
            ("something_new", None, "none"),
        ];
        for (status, link, shown) in cases {
            let state = state(json!({"offer": offer(status)}));
            let view = Stage::from_state(&state);
            assert_eq!(view.link_type(), link, "{status}");
            assert_eq!(shown_status(&state, &view), shown, "{status}");
        }
    }

    #[test]
    fn each_status_has_its_custom_state_and_every_state_is_in_the_contract() {
        let cases = [
            ("undelivered", "offer"),
            ("delivered", "offer"),
            ("accepted", "review"),
            ("paid_out", "financing"),
            ("fully_repaid", "paid"),
            ("completed", "paid"),
            ("rejected", "rejected"),
            ("expired", "collapsed"),
            ("replaced", "collapsed"),
            ("something_new", "collapsed"),
        ];
        let listed: Vec<&str> = crate::model::interface::CUSTOM_STATES
            .iter()
            .map(|(name, _)| *name)
            .collect();
        for (status, custom) in cases {
            let stage = Stage::from_state(&state(json!({"offer": offer(status)})));
            assert_eq!(stage.custom_state(), custom, "{status}");
            assert!(listed.contains(&custom), "{custom}");
        }
        // The states no stage has: the load's own.
        assert!(listed.contains(&"loading") && listed.contains(&"error"));
    }

    #[test]
    fn only_financing_in_progress_fills_the_bar() {
        let mut paid_out = offer("paid_out");
        paid_out["accepted_terms"] =
            json!({"advance_amount": 1000000, "fee_amount": 100000, "currency": "usd"});
        let with_summary = state(json!({"offer": paid_out.clone(),
            "summary": {"details": {"currency": "usd", "paid_amount": 275000, "remaining_amount": 825000}}}));
        assert_eq!(
            Stage::from_state(&with_summary).progress_fill().as_deref(),
            Some("25.00%")
        );
        let without = state(json!({"offer": paid_out}));
        assert_eq!(
            Stage::from_state(&without).progress_fill().as_deref(),
            Some("0%")
        );
        for status in ["delivered", "accepted", "fully_repaid", "expired"] {
            let stage = Stage::from_state(&state(json!({"offer": offer(status)})));
            assert_eq!(stage.progress_fill(), None, "{status}");
        }
    }

    #[test]
    fn no_offer_is_hidden() {
        let state = state(json!({"offer": null, "summary": null, "branding": null}));
        assert_eq!(Stage::from_state(&state), Stage::Hidden);
        assert_eq!(shown_status(&state, &Stage::Hidden), "none");
    }

    #[test]
    fn an_open_offer_carries_the_terms() {
        let Stage::Offer(view) = Stage::from_state(&state(json!({"offer": offer("undelivered")})))
        else {
            panic!("an open offer expected")
        };
        assert!(view.undelivered);
        assert_eq!(view.amount.unwrap().decimal(), "10000.00");
        assert_eq!(view.fee.unwrap().decimal(), "1000.00");
        assert_eq!(view.withhold_rate.unwrap().plain(), "15%");
        assert_eq!(view.discount_rate, None);
        assert_eq!(view.expires_at_ms, Some(1690934400000.0));
        assert_eq!(view.campaign, Some(CampaignType::NewlyEligibleUser));
    }

    #[test]
    fn refill_offers_show_the_discount_and_standard_ones_never_do() {
        let mut refill = offer("delivered");
        refill["product_type"] = json!("refill");
        refill["offered_terms"]["previous_financing_fee_discount_rate"] = json!(0.5);
        let Stage::Offer(view) = Stage::from_state(&state(json!({"offer": refill}))) else {
            panic!()
        };
        assert!(view.refill);
        assert_eq!(view.discount_rate.unwrap().plain(), "50%");

        let mut standard = offer("delivered");
        standard["offered_terms"]["previous_financing_fee_discount_rate"] = json!(0.5);
        let Stage::Offer(view) = Stage::from_state(&state(json!({"offer": standard}))) else {
            panic!()
        };
        assert_eq!(view.discount_rate, None);
    }

    #[test]
    fn paid_out_uses_the_summary() {
        let mut paid_out = offer("paid_out");
        paid_out["accepted_terms"] = json!({"advance_amount": 1000000, "fee_amount": 100000, "currency": "usd",
            "withhold_rate": 0.2, "repayment_interval_configuration": {"duration_days": 60, "minimum_amount": 50000}});
        let state = state(json!({
            "offer": paid_out,
            "summary": {"object": "capital.financing_summary", "details": {
                "currency": "usd", "advance_amount": 1000000, "fee_amount": 100000, "withhold_rate": 0.2,
                "paid_amount": 275000, "remaining_amount": 825000,
                "current_repayment_interval": {"due_at": 1700000000, "paid_amount": 20000, "remaining_amount": 30000},
            }},
        }));
        let Stage::InProgress(view) = Stage::from_state(&state) else {
            panic!()
        };
        assert_eq!(view.paid.unwrap().decimal(), "2750.00");
        assert_eq!(view.remaining.unwrap().decimal(), "8250.00");
        assert_eq!(
            view.progress,
            Some(Progress {
                basis_points: 2_500
            })
        );
        assert_eq!(view.withhold_rate.unwrap().plain(), "20%");
        let interval = view.current_interval.unwrap();
        assert_eq!(interval.remaining.unwrap().decimal(), "300.00");
        assert_eq!(interval.due_at_ms, Some(1_700_000_000_000.0));
        let terms = view.interval.unwrap();
        assert_eq!(terms.duration_days, Some(60));
        assert_eq!(terms.minimum.unwrap().decimal(), "500.00");
    }

    #[test]
    fn paid_out_without_summary_still_renders() {
        let Stage::InProgress(view) =
            Stage::from_state(&state(json!({"offer": offer("paid_out")})))
        else {
            panic!()
        };
        assert_eq!(view.progress, None);
        assert_eq!(view.paid, None);
    }

    #[test]
    fn review_and_closed_views_prefer_accepted_terms() {
        let mut accepted = offer("accepted");
        accepted["accepted_terms"] = json!({"advance_amount": 500000, "currency": "usd", "fee_amount": 50000, "withhold_rate": 0.1});
        let Stage::Review(view) = Stage::from_state(&state(json!({"offer": accepted}))) else {
            panic!()
        };
        assert_eq!(view.amount.unwrap().decimal(), "5000.00");
        let Stage::Rejected(view) = Stage::from_state(&state(json!({"offer": offer("rejected")})))
        else {
            panic!()
        };
        assert_eq!(view.amount.unwrap().decimal(), "10000.00");
    }

    #[test]
    fn synthetic_and_missing_terms_never_panic() {
        let fixture = state(json!({
            "offer": {"account": "account", "created": 1028554472, "expires_after": 2021972241,
                      "id": "obj_123", "livemode": true, "object": "capital.financing_offer", "status": "paid_out"},
            "summary": {"details": {"advance_amount": 1304981173, "advance_paid_out_at": null, "currency": "currency",
                "current_repayment_interval": {"due_at": 1320896930, "paid_amount": null, "remaining_amount": 1811538239},
                "fee_amount": 490987313, "paid_amount": 1695771947, "remaining_amount": 1811538239,
                "repayments_begin_at": null, "withhold_rate": 65076826}, "financing_offer": null,
                "object": "capital.financing_summary", "status": null},
        }));
        let Stage::InProgress(view) = Stage::from_state(&fixture) else {
            panic!()
        };
        assert_eq!(view.withhold_rate, None, "65076826 is not a rate");
        assert_eq!(view.paid.unwrap().iso_code(), None, "placeholder currency");
        for status in ["undelivered", "accepted", "fully_repaid", "rejected"] {
            let bare = state(
                json!({"offer": {"id": "o", "status": status, "offered_terms": null,
                "disclaimer_variant": "youlend_uk_mca"}}),
            );
            assert!(!Stage::from_state(&bare).is_hidden(), "{status}");
        }
        let negative = state(
            json!({"offer": {"id": "o", "status": "delivered", "disclaimer_variant": "celtic_us_loan",
            "offered_terms": {"advance_amount": -5, "currency": "usd", "fee_amount": 0, "withhold_rate": 0.1}}}),
        );
        let Stage::Offer(view) = Stage::from_state(&negative) else {
            panic!()
        };
        assert_eq!(view.amount, None);
        assert_eq!(view.fee.unwrap().decimal(), "0.00");
    }

    #[test]
    fn legacy_type_and_unknown_product_types() {
        let bare = state(
            json!({"offer": {"id": "o", "status": "delivered", "type": "fixed_term_loan", "product_type": "top_up",
                "disclaimer_variant": "celtic_us_loan"}}),
        );
        let Stage::Offer(view) = Stage::from_state(&bare) else {
            panic!()
        };
        assert_eq!(view.financing_type, Some(FinancingType::FixedTermLoan));
        assert!(!view.refill);
    }

    #[test]
    fn an_offer_whose_notice_cannot_be_shown_is_not_shown() {
        for variant in [json!(null), json!("new_lender_xx_financing")] {
            let mut open = offer("delivered");
            open["disclaimer_variant"] = variant.clone();
            let state = state(json!({"offer": open}));
            let stage = Stage::from_state(&state);
            assert_eq!(stage, Stage::Hidden, "{variant}");
            assert_eq!(shown_status(&state, &stage), "none");
        }
        // Reporting is not marketing: financing in progress is shown with or without a notice.
        let mut paid_out = offer("paid_out");
        paid_out["disclaimer_variant"] = json!(null);
        assert!(matches!(
            Stage::from_state(&state(json!({"offer": paid_out}))),
            Stage::InProgress(_)
        ));
    }
}
