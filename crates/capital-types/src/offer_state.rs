//! The body of `GET {api-base}/offer`: what the element renders.

use serde::{Deserialize, Serialize};

use crate::{Branding, FinancingOffer, FinancingSummary};

/// `{"offer": ..., "summary": ..., "branding": ...}`; each part may be null.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OfferState {
    #[serde(default)]
    pub offer: Option<FinancingOffer>,
    #[serde(default)]
    pub summary: Option<FinancingSummary>,
    #[serde(default)]
    pub branding: Option<Branding>,
}
