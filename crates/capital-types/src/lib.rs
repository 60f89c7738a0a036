//! Serde models of Stripe Capital's objects, shared by the `<capital-offer-tile>` element and the
//! reference platform backend.
//!
//! Two rules run through every type here, because Stripe's objects evolve and its fixtures are
//! synthetic:
//! - absent and `null` fields are treated alike (`Option` with `#[serde(default)]`), and
//! - enums keep values they do not know ([`open_enum!`]) instead of failing to parse.

mod open_enum;

pub mod account_link;
pub mod branding;
pub mod error;
pub mod event;
pub mod json;
pub mod lifecycle;
pub mod money;
pub mod offer;
pub mod offer_state;
#[cfg(feature = "openapi")]
mod openapi;
pub mod platform_copy;
pub mod summary;
pub mod transaction;

pub use account_link::{AccountLink, AccountLinkRequest, AccountLinkType};
pub use branding::Branding;
pub use error::{ApiError, ErrorEnvelope};
pub use event::{Event, EventData};
pub use lifecycle::LifecyclePhase;
pub use money::{Currency, MinorUnits};
pub use offer::{
    AcceptedTerms, CampaignType, DisclaimerVariant, FinancingOffer, FinancingType,
    MarkDeliveredRequest, OfferStatus, OfferedTerms, ProductType, RepaymentIntervalConfiguration,
    StatusTransitions,
};
pub use offer_state::OfferState;
pub use platform_copy::PlatformCopy;
pub use summary::{CurrentRepaymentInterval, FinancingSummary, SummaryDetails, SummaryStatus};
pub use transaction::{FinancingTransaction, TransactionDetails, TransactionType};
