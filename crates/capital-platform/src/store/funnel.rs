//! The Capital funnel: how many offers were created, delivered (by the element or by email),
//! had an Account Link minted, were applied for (`accepted`), paid out, fully repaid, expired or
//! rejected, by `campaign_type`, `product_type` and `financing_type`. Each stage an offer reaches
//! is kept once (`funnel`), with the write that moved it; an offer first seen at a later stage
//! (a webhook missed, an account listed late) is counted at every stage before it too.

use capital_types::{FinancingOffer, OfferStatus};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

use super::{Store, StoreError};

/// The funnel's stages, in order.
pub const STAGES: [&str; 8] = [
    "created",
    "delivered",
    "link_minted",
    "accepted",
    "paid_out",
    "fully_repaid",
    "expired",
    "rejected",
];

/// The stages an offer in `status` has reached (besides `link_minted`, which is recorded when it
/// happens).
pub fn stages_reached(status: &OfferStatus) -> &'static [&'static str] {
    match status {
        OfferStatus::Undelivered | OfferStatus::Replaced => &["created"],
        OfferStatus::Delivered => &["created", "delivered"],
        OfferStatus::Accepted | OfferStatus::Canceled => &["created", "delivered", "accepted"],
        OfferStatus::PaidOut => &["created", "delivered", "accepted", "paid_out"],
        OfferStatus::FullyRepaid | OfferStatus::Completed => &[
            "created",
            "delivered",
            "accepted",
            "paid_out",
            "fully_repaid",
        ],
        OfferStatus::Rejected => &["created", "delivered", "accepted", "rejected"],
        OfferStatus::Expired => &["created", "expired"],
        _ => &["created"],
    }
}

/// One row of the funnel: how many offers with these labels reached `stage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunnelCount {
    pub stage: String,
    pub campaign_type: String,
    pub product_type: String,
    pub financing_type: String,
    pub offers: i64,
}

fn labels(offer: &FinancingOffer) -> [String; 3] {
    let campaign = offer
        .offered_terms
        .as_ref()
        .and_then(|terms| terms.campaign_type.as_ref())
        .map_or("unknown", |c| c.as_str());
    let product = offer
        .product_type
        .as_ref()
        .map_or("unknown", |p| p.as_str());
    let financing = offer
        .effective_financing_type()
        .map_or("unknown", |f| f.as_str());
    [
        campaign.to_owned(),
        product.to_owned(),
        financing.to_owned(),
    ]
}

/// Records that `offer` reached `stages` (each once), on `connection` (a transaction's, or
/// the pool's).
pub(crate) async fn record(
    connection: &mut AnyConnection,
    offer: &FinancingOffer,
    stages: &[&str],
    at: i64,
) -> Result<(), StoreError> {
    let Some(account) = offer.account.as_deref() else {
        return Ok(());
    };
    let [campaign, product, financing] = labels(offer);
    for stage in stages {
        sqlx::query(
            "INSERT INTO funnel (offer, stage, account, campaign_type, product_type, financing_type, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (offer, stage) DO NOTHING",
        )
        .bind(&offer.id)
        .bind(*stage)
        .bind(account)
        .bind(&campaign)
        .bind(&product)
        .bind(&financing)
        .bind(at)
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

impl Store {
    /// The funnel as it stands, every stage by its three labels.
    pub async fn funnel(&self) -> Result<Vec<FunnelCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT stage, campaign_type, product_type, financing_type, COUNT(*) AS offers
             FROM funnel GROUP BY stage, campaign_type, product_type, financing_type",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|row| FunnelCount {
                stage: row.get("stage"),
                campaign_type: row.get("campaign_type"),
                product_type: row.get("product_type"),
                financing_type: row.get("financing_type"),
                offers: row.get("offers"),
            })
            .collect())
    }

    /// An Account Link was minted for the offer the account's tile shows.
    pub async fn record_link_minted(&self, offer: &FinancingOffer) -> Result<(), StoreError> {
        let mut connection = self.pool().acquire().await?;
        record(
            &mut connection,
            offer,
            &["link_minted"],
            crate::domain::clock::now(),
        )
        .await
    }

    /// Counts the offers stored before the funnel existed, once (each at the stages its status
    /// implies).
    pub async fn backfill_funnel(&self) -> Result<(), StoreError> {
        if self.setting("funnel_backfilled").await?.is_some() {
            return Ok(());
        }
        let rows = sqlx::query("SELECT body FROM offers")
            .fetch_all(self.pool())
            .await?;
        let mut connection = self.pool().acquire().await?;
        for row in rows {
            let Ok(offer) = serde_json::from_str::<FinancingOffer>(row.get::<&str, _>("body"))
            else {
                continue;
            };
            record(&mut connection, &offer, stages_reached(&offer.status), 0).await?;
        }
        // Back to the pool first: an in-memory database has one connection.
        drop(connection);
        self.setting_or_insert("funnel_backfilled", "1").await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_later_status_has_reached_every_stage_before_it() {
        assert_eq!(stages_reached(&OfferStatus::Undelivered), ["created"]);
        assert_eq!(
            stages_reached(&OfferStatus::FullyRepaid),
            [
                "created",
                "delivered",
                "accepted",
                "paid_out",
                "fully_repaid"
            ]
        );
        assert_eq!(
            stages_reached(&OfferStatus::Expired),
            ["created", "expired"]
        );
        for status in [OfferStatus::Rejected, OfferStatus::PaidOut] {
            assert!(stages_reached(&status).iter().all(|s| STAGES.contains(s)));
        }
    }
}
