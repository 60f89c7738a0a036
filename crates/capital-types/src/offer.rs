//! `capital.financing_offer`: an offer of financing from Stripe Capital to a connected account.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::money::Currency;
use crate::open_enum;

open_enum! {
    /// The offer's status (`status`).
    pub enum OfferStatus {
        Undelivered = "undelivered",
        Delivered = "delivered",
        Accepted = "accepted",
        PaidOut = "paid_out",
        FullyRepaid = "fully_repaid",
        /// No longer used by Stripe (replaced by `fully_repaid`) but still accepted.
        Completed = "completed",
        Rejected = "rejected",
        Expired = "expired",
        Canceled = "canceled",
        Replaced = "replaced",
    }
}

open_enum! {
    /// `financing_type` (and the deprecated `type`).
    pub enum FinancingType {
        CashAdvance = "cash_advance",
        FixedTermLoan = "fixed_term_loan",
        FlexLoan = "flex_loan",
    }
}

open_enum! {
    /// `product_type`: a standard offer or a refill of in-progress financing.
    pub enum ProductType {
        Standard = "standard",
        Refill = "refill",
    }
}

open_enum! {
    /// `offered_terms.campaign_type`: who the offer is extended to.
    pub enum CampaignType {
        NewlyEligibleUser = "newly_eligible_user",
        PreviouslyEligibleUser = "previously_eligible_user",
        RepeatUser = "repeat_user",
    }
}

open_enum! {
    /// `disclaimer_variant`: which lender's legal notice applies.
    pub enum DisclaimerVariant {
        CelticUsLoan = "celtic_us_loan",
        FundboxAuFinancing = "fundbox_au_financing",
        YoulendDeFinancing = "youlend_de_financing",
        YoulendFrFinancing = "youlend_fr_financing",
        YoulendUkMca = "youlend_uk_mca",
        YoulendUsMca = "youlend_us_mca",
    }
}

/// `repayment_interval_configuration`: fixed-term repayment intervals (seeds only, not in the spec).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RepaymentIntervalConfiguration {
    #[serde(default)]
    pub duration_days: Option<i64>,
    #[serde(default)]
    pub maximum_amount: Option<i64>,
    #[serde(default)]
    pub minimum_amount: Option<i64>,
}

/// `offered_terms`: what the account may accept. Every field is optional here so that a partial or
/// synthetic object still parses; the element shows what it has.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfferedTerms {
    #[serde(default)]
    pub advance_amount: Option<i64>,
    #[serde(default)]
    pub campaign_type: Option<CampaignType>,
    #[serde(default)]
    pub currency: Option<Currency>,
    #[serde(default)]
    pub fee_amount: Option<i64>,
    #[serde(default)]
    pub previous_financing_fee_discount_rate: Option<f64>,
    #[serde(default)]
    pub repayment_interval_configuration: Option<RepaymentIntervalConfiguration>,
    #[serde(default)]
    pub target_payback_days: Option<i64>,
    #[serde(default)]
    pub withhold_rate: Option<f64>,
}

/// `accepted_terms`: what the account accepted (the amount chosen on the application).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcceptedTerms {
    #[serde(default)]
    pub advance_amount: Option<i64>,
    #[serde(default)]
    pub currency: Option<Currency>,
    #[serde(default)]
    pub fee_amount: Option<i64>,
    #[serde(default)]
    pub previous_financing_fee_discount_amount: Option<i64>,
    #[serde(default)]
    pub repayment_interval_configuration: Option<RepaymentIntervalConfiguration>,
    #[serde(default)]
    pub target_payback_days: Option<i64>,
    #[serde(default)]
    pub withhold_rate: Option<f64>,
}

/// `status_transitions`: when the offer entered each status (seconds since the epoch).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusTransitions {
    #[serde(default)]
    pub accepted_at: Option<i64>,
    #[serde(default)]
    pub canceled_at: Option<i64>,
    #[serde(default)]
    pub fully_repaid_at: Option<i64>,
    #[serde(default)]
    pub paid_out_at: Option<i64>,
    #[serde(default)]
    pub rejected_at: Option<i64>,
    #[serde(default)]
    pub replaced_at: Option<i64>,
}

/// A `capital.financing_offer`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FinancingOffer {
    pub id: String,
    #[serde(default)]
    pub object: Option<String>,
    #[serde(default)]
    pub account: Option<String>,
    #[serde(default)]
    pub accepted_terms: Option<AcceptedTerms>,
    #[serde(default)]
    pub charged_off_at: Option<i64>,
    #[serde(default)]
    pub created: Option<i64>,
    #[serde(default)]
    pub disclaimer_variant: Option<DisclaimerVariant>,
    /// Seconds since the epoch; a float in Stripe's spec.
    #[serde(default)]
    pub expires_after: Option<f64>,
    #[serde(default)]
    pub financing_type: Option<FinancingType>,
    #[serde(default)]
    pub livemode: Option<bool>,
    #[serde(default)]
    pub metadata: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub offered_terms: Option<OfferedTerms>,
    #[serde(default)]
    pub product_type: Option<ProductType>,
    #[serde(default)]
    pub replacement: Option<String>,
    #[serde(default)]
    pub replacement_for: Option<String>,
    pub status: OfferStatus,
    #[serde(default)]
    pub status_transitions: Option<StatusTransitions>,
    /// The deprecated `type`, which alone knows `fixed_term_loan` in Stripe's spec.
    #[serde(default, rename = "type")]
    pub legacy_type: Option<FinancingType>,
}

impl FinancingOffer {
    /// `financing_type`, falling back to the deprecated `type`.
    pub fn effective_financing_type(&self) -> Option<&FinancingType> {
        self.financing_type.as_ref().or(self.legacy_type.as_ref())
    }

    pub fn is_refill(&self) -> bool {
        self.product_type == Some(ProductType::Refill)
    }
}

/// Body of `POST {api-base}/offer/mark_delivered`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MarkDeliveredRequest {
    pub offer: String,
}
