//! Stripe's side as the platform sees it: the few Capital and Connect API calls the platform
//! makes. Two implementations: the real API ([`StripeClient`]) and the local [`Sandbox`].

use std::sync::Arc;

use capital_types::{AccountLink, AccountLinkType, FinancingOffer, FinancingSummary};

use crate::error::AppError;
use crate::sandbox::Sandbox;
use crate::stripe_client::StripeClient;

#[derive(Clone)]
pub enum Capital {
    Sandbox(Arc<Sandbox>),
    Stripe(StripeClient),
}

impl Capital {
    /// All financing offers of a connected account.
    pub async fn list_offers(&self, account: &str) -> Result<Vec<FinancingOffer>, AppError> {
        match self {
            Capital::Sandbox(sandbox) => sandbox.list_offers(account).await,
            Capital::Stripe(stripe) => stripe.list_offers(account).await,
        }
    }

    /// One financing offer, as Stripe has it now.
    pub async fn retrieve_offer(&self, offer: &str) -> Result<FinancingOffer, AppError> {
        match self {
            Capital::Sandbox(sandbox) => sandbox.retrieve_offer(offer).await,
            Capital::Stripe(stripe) => stripe.retrieve_offer(offer).await,
        }
    }

    pub async fn mark_delivered(&self, offer: &str) -> Result<FinancingOffer, AppError> {
        match self {
            Capital::Sandbox(sandbox) => sandbox.mark_delivered(offer).await,
            Capital::Stripe(stripe) => stripe.mark_delivered(offer).await,
        }
    }

    pub async fn financing_summary(&self, account: &str) -> Result<FinancingSummary, AppError> {
        match self {
            Capital::Sandbox(sandbox) => sandbox.financing_summary(account).await,
            Capital::Stripe(stripe) => stripe.financing_summary(account).await,
        }
    }

    pub async fn create_account_link(
        &self,
        account: &str,
        link_type: &AccountLinkType,
        refresh_url: &str,
        return_url: &str,
    ) -> Result<AccountLink, AppError> {
        match self {
            Capital::Sandbox(sandbox) => {
                sandbox
                    .create_account_link(account, link_type, refresh_url, return_url)
                    .await
            }
            Capital::Stripe(stripe) => {
                stripe
                    .create_account_link(account, link_type, refresh_url, return_url)
                    .await
            }
        }
    }
}
