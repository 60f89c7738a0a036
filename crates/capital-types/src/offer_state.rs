//! The body of `GET {api-base}/offer`: what the element renders.

use serde::{Deserialize, Serialize};

use crate::{Branding, FinancingOffer, FinancingSummary, PlatformCopy};

/// `{"offer": ..., "summary": ..., "branding": ..., "copy": ...}`; each part may be null or absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OfferState {
    #[serde(default)]
    pub offer: Option<FinancingOffer>,
    #[serde(default)]
    pub summary: Option<FinancingSummary>,
    #[serde(default)]
    pub branding: Option<Branding>,
    /// The platform's approved text replacing the element's built-in copy
    /// ([`PlatformCopy`]); absent when the platform uses the built-in copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy: Option<PlatformCopy>,
}
