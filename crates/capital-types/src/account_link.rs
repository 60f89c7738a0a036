//! `account_link`: a single-use, short-lived URL into Stripe's hosted pages.

use serde::{Deserialize, Serialize};

use crate::open_enum;

open_enum! {
    /// Account Link `type`.
    pub enum AccountLinkType {
        AccountOnboarding = "account_onboarding",
        AccountUpdate = "account_update",
        CapitalFinancingOffer = "capital_financing_offer",
        CapitalFinancingReporting = "capital_financing_reporting",
    }
}

/// An `account_link` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountLink {
    #[serde(default)]
    pub object: Option<String>,
    #[serde(default)]
    pub created: Option<i64>,
    #[serde(default)]
    pub expires_at: Option<i64>,
    pub url: String,
}

/// Body of `POST {api-base}/account_links`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AccountLinkRequest {
    /// `capital_financing_offer` (the application) or `capital_financing_reporting` (financing
    /// in progress); a backend refuses the other types.
    #[serde(rename = "type")]
    pub link_type: AccountLinkType,
}
