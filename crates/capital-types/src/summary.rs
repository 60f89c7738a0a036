//! `capital.financing_summary`: the connected account's in-progress financing.

use serde::{Deserialize, Serialize};

use crate::money::Currency;
use crate::offer::DisclaimerVariant;
use crate::open_enum;

open_enum! {
    /// The summary's top-level `status`.
    pub enum SummaryStatus {
        Accepted = "accepted",
        Delivered = "delivered",
        None = "none",
    }
}

/// `details.current_repayment_interval`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurrentRepaymentInterval {
    /// Seconds since the epoch (a number in the spec).
    #[serde(default)]
    pub due_at: Option<f64>,
    #[serde(default)]
    pub paid_amount: Option<i64>,
    #[serde(default)]
    pub remaining_amount: Option<i64>,
}

/// `details`: amounts of the financing in progress.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SummaryDetails {
    #[serde(default)]
    pub advance_amount: Option<i64>,
    /// Described by Stripe as milliseconds since the epoch, unlike the other timestamps.
    #[serde(default)]
    pub advance_paid_out_at: Option<f64>,
    #[serde(default)]
    pub currency: Option<Currency>,
    #[serde(default)]
    pub current_repayment_interval: Option<CurrentRepaymentInterval>,
    #[serde(default)]
    pub disclaimer_variant: Option<DisclaimerVariant>,
    #[serde(default)]
    pub fee_amount: Option<i64>,
    #[serde(default)]
    pub paid_amount: Option<i64>,
    #[serde(default)]
    pub remaining_amount: Option<i64>,
    #[serde(default)]
    pub repayments_begin_at: Option<f64>,
    #[serde(default)]
    pub withhold_rate: Option<f64>,
}

/// A `capital.financing_summary`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FinancingSummary {
    #[serde(default)]
    pub object: Option<String>,
    #[serde(default)]
    pub details: Option<SummaryDetails>,
    #[serde(default)]
    pub financing_offer: Option<String>,
    #[serde(default)]
    pub status: Option<SummaryStatus>,
}
