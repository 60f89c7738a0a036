//! The body of `GET {api-base}/offer`: what the element renders.

use serde::{Deserialize, Serialize};

use crate::{Branding, FinancingOffer, FinancingSummary, PlatformCopy};

/// What the element renders: the body of `GET {api-base}/offer` and the data of each `offer`
/// event of the live stream. Each part may be null or absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfferState {
    /// The account's current offer, Stripe's object whole; null when the account has none. The
    /// backend follows replacements to the newest offer and prefers in-progress financing over an
    /// open offer.
    #[serde(default)]
    pub offer: Option<FinancingOffer>,
    /// Stripe's financing summary while financing is in progress, else null.
    #[serde(default)]
    pub summary: Option<FinancingSummary>,
    /// The platform's branding; may be null.
    #[serde(default)]
    pub branding: Option<Branding>,
    /// The platform's approved text, replacing the element's built-in copy key by key; absent
    /// when the platform uses the built-in copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy: Option<PlatformCopy>,
}
