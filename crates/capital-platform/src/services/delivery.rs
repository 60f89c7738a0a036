//! Marking an offer delivered: at Stripe (or the sandbox), then in the store. One path for the
//! element's view (`POST /offer/mark_delivered`) and the offer email (`offer_emails.rs`).

use capital_types::FinancingOffer;

use crate::domain::whole::Whole;
use crate::http::error::AppError;
use crate::http::state::AppState;

/// Marks `offer` delivered and stores Stripe's answer.
pub async fn mark_delivered(
    state: &AppState,
    offer: &str,
) -> Result<Whole<FinancingOffer>, AppError> {
    let updated = state.capital.mark_delivered(offer).await?;
    // One clock orders an offer's writes: Stripe's. The answer has no event time, so it is stored
    // as of the event the stored offer came from; being a later stage, it wins at that time, and
    // any event Stripe creates after it still wins, whatever this machine's clock says.
    let as_of = state.store.offer_event_time(offer).await?.unwrap_or(0);
    state.store.upsert_offer(&updated, as_of).await?;
    Ok(updated)
}
