//! Marking an offer delivered: at Stripe (or the sandbox), then in the store. One path for the
//! element's view (`POST /offer/mark_delivered`) and the offer email (`workers/offer_emails.rs`).

use capital_types::FinancingOffer;

use crate::domain::whole::Whole;
use crate::services::capital::{Capital, CapitalError};
use crate::store::{Store, StoreError};

/// Why an offer was not marked delivered.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error(transparent)]
    Capital(#[from] CapitalError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl DeliveryError {
    /// Whether asking again would be refused again (`CapitalError::is_refusal`).
    pub fn is_refusal(&self) -> bool {
        matches!(self, DeliveryError::Capital(error) if error.is_refusal())
    }

    /// What went wrong in a few words, for the record.
    pub fn brief(&self) -> String {
        match self {
            DeliveryError::Capital(error) => error.brief(),
            DeliveryError::Store(error) => format!("store: {error}"),
        }
    }
}

/// Marks `offer` delivered and stores Stripe's answer.
pub(crate) async fn mark_delivered(
    capital: &Capital,
    store: &Store,
    offer: &str,
) -> Result<Whole<FinancingOffer>, DeliveryError> {
    let updated = capital.mark_delivered(offer).await?;
    // One clock orders an offer's writes: Stripe's. The answer has no event time, so it is stored
    // as of the event the stored offer came from; being a later stage, it wins at that time, and
    // any event Stripe creates after it still wins, whatever this machine's clock says.
    let as_of = store.offer_event_time(offer).await?.unwrap_or(0);
    store.upsert_offer(&updated, as_of).await?;
    Ok(updated)
}
