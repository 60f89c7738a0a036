//! Stripe mode: the real API over reqwest (rustls), as the seeds show it. Form-encoded bodies, a
//! pinned `Stripe-Version`, `Stripe-Account` for the financing summary, timeouts, and retries
//! (429, 5xx, network) that reuse one `Idempotency-Key` per POST.

use std::time::Duration;

use capital_types::{AccountLink, AccountLinkType, FinancingOffer, FinancingSummary};

use crate::domain::budgets::StripeBudget;
use crate::domain::whole::Whole;
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// Why a Stripe call failed, with what caused it.
#[derive(Debug, thiserror::Error)]
pub enum StripeError {
    /// Stripe answered, with a status that is not a success.
    #[error("Stripe answered {status} (request {request_id:?}): {message:?}")]
    Status {
        status: u16,
        /// Stripe's `Request-Id`, for its support and logs.
        request_id: Option<String>,
        /// Stripe's `error.message`, for the logs only: never sent to the browser.
        message: Option<String>,
    },
    /// No answer: connection refused or reset, DNS, or the timeout.
    #[error("Stripe could not be reached")]
    Unreachable(#[source] reqwest::Error),
    /// A success whose body is not what the API reference says.
    #[error("Stripe's answer could not be read")]
    Decode(#[source] reqwest::Error),
    #[error("the request body could not be encoded")]
    Encode(#[source] serde_urlencoded::ser::Error),
    #[error("the HTTP client could not be built")]
    Client(#[source] reqwest::Error),
    /// Not made: the instance's budget of calls to Stripe is spent (`domain/budgets.rs`).
    #[error(transparent)]
    OverBudget(#[from] crate::domain::budgets::OverBudget),
}

impl StripeError {
    /// The HTTP status Stripe answered, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            StripeError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// The API version this integration was written against.
pub const STRIPE_VERSION: &str = "2025-07-30.basil";
const ATTEMPTS: u32 = 3;

#[derive(Clone)]
pub struct StripeClient {
    http: reqwest::Client,
    api_base: String,
    secret_key: SecretString,
    /// Every call of this instance, retries included, takes its turn here.
    budget: StripeBudget,
}

#[derive(Deserialize)]
struct List<T> {
    data: Vec<T>,
    #[serde(default)]
    has_more: bool,
}

impl StripeClient {
    pub fn new(
        api_base: &str,
        secret_key: SecretString,
        timeout: Duration,
        budget: StripeBudget,
    ) -> Result<StripeClient, StripeError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5).min(timeout))
            .timeout(timeout)
            .user_agent(concat!("capital-platform/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(StripeError::Client)?;
        Ok(StripeClient {
            http,
            api_base: api_base.trim_end_matches('/').to_owned(),
            secret_key,
            budget,
        })
    }

    pub async fn list_offers(
        &self,
        account: &str,
    ) -> Result<Vec<Whole<FinancingOffer>>, StripeError> {
        let mut offers = Vec::new();
        let mut starting_after: Option<String> = None;
        loop {
            let mut query = vec![
                ("connected_account", account.to_owned()),
                ("limit", "100".to_owned()),
            ];
            if let Some(after) = &starting_after {
                query.push(("starting_after", after.clone()));
            }
            let page: List<Whole<FinancingOffer>> = self
                .send(
                    Method::GET,
                    "/v1/capital/financing_offers",
                    &query,
                    &[],
                    None,
                )
                .await?;
            starting_after = page.data.last().map(|o| o.typed().id.clone());
            offers.extend(page.data);
            if !page.has_more || starting_after.is_none() {
                return Ok(offers);
            }
        }
    }

    pub async fn retrieve_offer(&self, offer: &str) -> Result<Whole<FinancingOffer>, StripeError> {
        self.send(
            Method::GET,
            &format!("/v1/capital/financing_offers/{offer}"),
            &[],
            &[],
            None,
        )
        .await
    }

    /// `GET /v1/accounts/{account}`'s `email`.
    pub async fn account_email(&self, account: &str) -> Result<Option<String>, StripeError> {
        let account: serde_json::Value = self
            .send(
                Method::GET,
                &format!("/v1/accounts/{account}"),
                &[],
                &[],
                None,
            )
            .await?;
        Ok(account["email"].as_str().map(str::to_owned))
    }

    pub async fn mark_delivered(&self, offer: &str) -> Result<Whole<FinancingOffer>, StripeError> {
        let path = format!("/v1/capital/financing_offers/{offer}/mark_delivered");
        self.send(Method::POST, &path, &[], &[], None).await
    }

    pub async fn financing_summary(
        &self,
        account: &str,
    ) -> Result<Whole<FinancingSummary>, StripeError> {
        self.send(
            Method::GET,
            "/v1/capital/financing_summary",
            &[],
            &[],
            Some(account),
        )
        .await
    }

    pub async fn create_account_link(
        &self,
        account: &str,
        link_type: &AccountLinkType,
        refresh_url: &str,
        return_url: &str,
    ) -> Result<AccountLink, StripeError> {
        let form = [
            ("account", account.to_owned()),
            ("refresh_url", refresh_url.to_owned()),
            ("return_url", return_url.to_owned()),
            ("type", link_type.as_str().to_owned()),
        ];
        self.send(Method::POST, "/v1/account_links", &[], &form, None)
            .await
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        form: &[(&str, String)],
        stripe_account: Option<&str>,
    ) -> Result<T, StripeError> {
        let idempotency_key = (method == Method::POST)
            .then(|| format!("capital-platform-{}", rand::random::<u128>()));
        let body = serde_urlencoded::to_string(form).map_err(StripeError::Encode)?;
        let mut attempt = 0;
        loop {
            if attempt > 0 {
                crate::metrics::stripe_retry(path);
                tokio::time::sleep(Duration::from_millis(200 * 2u64.pow(attempt - 1))).await;
            }
            self.budget.take().await?;
            let started = std::time::Instant::now();
            let mut request = self
                .http
                .request(method.clone(), format!("{}{path}", self.api_base))
                .basic_auth(self.secret_key.expose_secret(), None::<&str>)
                .header("Stripe-Version", STRIPE_VERSION)
                .query(query);
            if method == Method::POST {
                request = request
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(body.clone());
            }
            if let Some(key) = &idempotency_key {
                request = request.header("Idempotency-Key", key);
            }
            if let Some(account) = stripe_account {
                request = request.header("Stripe-Account", account);
            }
            let sent = request.send().await;
            crate::metrics::stripe_call(
                path,
                sent.as_ref()
                    .map_or(0, |response| response.status().as_u16()),
                started.elapsed(),
            );
            let error = match sent {
                Ok(response) if response.status().is_success() => {
                    return response.json::<T>().await.map_err(StripeError::Decode);
                }
                Ok(response) => {
                    let status = response.status();
                    let request_id = response
                        .headers()
                        .get("request-id")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let message = response
                        .json::<capital_types::ErrorEnvelope>()
                        .await
                        .ok()
                        .and_then(|envelope| envelope.error.message);
                    let error = StripeError::Status {
                        status: status.as_u16(),
                        request_id,
                        message,
                    };
                    let retryable =
                        status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
                    if !retryable {
                        return Err(error);
                    }
                    error
                }
                Err(error) => {
                    tracing::warn!(%error, attempt, "Stripe request failed");
                    StripeError::Unreachable(error)
                }
            };
            attempt += 1;
            if attempt >= ATTEMPTS {
                return Err(error);
            }
        }
    }
}
