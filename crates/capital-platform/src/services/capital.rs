//! Stripe's side as the platform sees it: the few Capital and Connect API calls the platform
//! makes. Two implementations: the real API ([`StripeClient`]) and the local [`Sandbox`].

use std::sync::Arc;

use capital_types::{AccountLink, AccountLinkType, FinancingOffer, FinancingSummary};

use crate::domain::whole::Whole;
use crate::sandbox::{Sandbox, SandboxError};
use crate::stripe::client::{StripeClient, StripeError};

#[derive(Clone)]
pub enum Capital {
    Sandbox(Arc<Sandbox>),
    Stripe(StripeClient),
}

/// A Capital call failed on Stripe's side or the sandbox's.
#[derive(Debug, thiserror::Error)]
pub enum CapitalError {
    #[error(transparent)]
    Stripe(#[from] StripeError),
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
}

impl CapitalError {
    /// Whether Stripe (or the sandbox) refused the call for good: a 4xx other than 429, or a
    /// sandbox refusal. Asking again would be refused again.
    pub fn is_refusal(&self) -> bool {
        match self {
            CapitalError::Stripe(StripeError::Status { status, .. }) => {
                (400..500).contains(status) && *status != 429
            }
            CapitalError::Sandbox(error) => matches!(
                error,
                SandboxError::InvalidRequest(_)
                    | SandboxError::Conflict(_)
                    | SandboxError::NotFound(_)
            ),
            CapitalError::Stripe(_) => false,
        }
    }

    /// The status of a call Stripe failed, or could not take (`0`: unreachable): 5xx and 429
    /// after the retries. `None` for a refusal and for the platform's own failures.
    pub fn unavailable_status(&self) -> Option<u16> {
        match self {
            CapitalError::Stripe(StripeError::Status { status, .. }) if !self.is_refusal() => {
                Some(*status)
            }
            CapitalError::Stripe(StripeError::Unreachable(_)) => Some(0),
            _ => None,
        }
    }

    /// What went wrong in a few words, without Stripe's message (which is for the logs only).
    pub fn brief(&self) -> String {
        match self {
            CapitalError::Stripe(StripeError::Status { status, .. }) if self.is_refusal() => {
                format!("Stripe refused a request ({status})")
            }
            CapitalError::Stripe(StripeError::Status { status, .. }) => {
                format!("Stripe answered {status}")
            }
            other => other.to_string(),
        }
    }
}

/// An Account Link type the element may ask for: one of the two Capital pages. Parsed once at
/// the edge, so nothing further in can mint an onboarding or account-update link by mistake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapitalLinkType(AccountLinkType);

/// The type asked for is not a Capital page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("type must be capital_financing_offer or capital_financing_reporting, not {0}")]
pub struct NotACapitalLink(pub String);

impl TryFrom<AccountLinkType> for CapitalLinkType {
    type Error = NotACapitalLink;

    fn try_from(link_type: AccountLinkType) -> Result<Self, Self::Error> {
        match link_type {
            AccountLinkType::CapitalFinancingOffer | AccountLinkType::CapitalFinancingReporting => {
                Ok(CapitalLinkType(link_type))
            }
            other => Err(NotACapitalLink(other.as_str().to_owned())),
        }
    }
}

impl CapitalLinkType {
    pub fn get(&self) -> &AccountLinkType {
        &self.0
    }
}

impl Capital {
    /// All financing offers of a connected account.
    pub async fn list_offers(
        &self,
        account: &str,
    ) -> Result<Vec<Whole<FinancingOffer>>, CapitalError> {
        Ok(match self {
            Capital::Sandbox(sandbox) => sandbox
                .list_offers(account)
                .await?
                .into_iter()
                .map(made_by_sandbox)
                .collect::<Result<_, _>>()?,
            Capital::Stripe(stripe) => stripe.list_offers(account).await?,
        })
    }

    /// One financing offer, as Stripe has it now.
    pub async fn retrieve_offer(&self, offer: &str) -> Result<Whole<FinancingOffer>, CapitalError> {
        Ok(match self {
            Capital::Sandbox(sandbox) => made_by_sandbox(sandbox.retrieve_offer(offer).await?)?,
            Capital::Stripe(stripe) => stripe.retrieve_offer(offer).await?,
        })
    }

    /// The connected account's email address, where Stripe has one (the sandbox's accounts
    /// carry theirs in the configuration).
    pub async fn account_email(&self, account: &str) -> Result<Option<String>, CapitalError> {
        Ok(match self {
            Capital::Sandbox(_) => None,
            Capital::Stripe(stripe) => stripe.account_email(account).await?,
        })
    }

    pub async fn mark_delivered(&self, offer: &str) -> Result<Whole<FinancingOffer>, CapitalError> {
        Ok(match self {
            Capital::Sandbox(sandbox) => made_by_sandbox(sandbox.mark_delivered(offer).await?)?,
            Capital::Stripe(stripe) => stripe.mark_delivered(offer).await?,
        })
    }

    pub async fn financing_summary(
        &self,
        account: &str,
    ) -> Result<Whole<FinancingSummary>, CapitalError> {
        Ok(match self {
            Capital::Sandbox(sandbox) => {
                made_by_sandbox(sandbox.financing_summary(account).await?)?
            }
            Capital::Stripe(stripe) => stripe.financing_summary(account).await?,
        })
    }

    pub async fn create_account_link(
        &self,
        account: &str,
        link_type: &CapitalLinkType,
        refresh_url: &str,
        return_url: &str,
    ) -> Result<AccountLink, CapitalError> {
        Ok(match self {
            Capital::Sandbox(sandbox) => {
                sandbox
                    .create_account_link(account, link_type.get(), refresh_url, return_url)
                    .await?
            }
            Capital::Stripe(stripe) => {
                stripe
                    .create_account_link(account, link_type.get(), refresh_url, return_url)
                    .await?
            }
        })
    }
}

/// The sandbox's objects are its types, whole.
fn made_by_sandbox<T: serde::Serialize>(typed: T) -> Result<Whole<T>, SandboxError> {
    Whole::from_typed(typed).map_err(SandboxError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_two_capital_pages_are_capital_links() {
        for name in ["capital_financing_offer", "capital_financing_reporting"] {
            let parsed = CapitalLinkType::try_from(AccountLinkType::from(name)).unwrap();
            assert_eq!(parsed.get().as_str(), name);
        }
        for name in [
            "account_onboarding",
            "account_update",
            "capital_something_new",
        ] {
            assert_eq!(
                CapitalLinkType::try_from(AccountLinkType::from(name)),
                Err(NotACapitalLink(name.to_owned()))
            );
        }
    }
}
