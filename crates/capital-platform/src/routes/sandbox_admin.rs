//! The sandbox's stand-ins for the Capital dashboard's test tools (sandbox mode only; these
//! routes do not exist in Stripe mode). Like Stripe's dashboard, they name accounts and offers
//! directly: they act on Stripe's side, not on behalf of a signed-in user.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use capital_types::FinancingOffer;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::AppError;
use crate::extract::{JsonBody, RawBody};
use crate::sandbox::CreateOffer;
use crate::sandbox::machine::Action;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sandbox/admin/offers", post(create_offer))
        .route("/sandbox/admin/offers/{offer}/{action}", post(act))
        .route("/sandbox/admin/accounts", get(accounts))
        .route("/sandbox/admin/accounts/{account}/offers", get(offers))
        .route("/sandbox/admin/accounts/{account}/emails", get(emails))
        .route("/sandbox/admin/accounts/{account}/refill", post(refill))
        .route("/sandbox/admin/expire_due", post(expire_due))
}

/// An optional JSON body: empty means all defaults.
fn optional_json<T: Default + serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body)
        .map_err(|e| AppError::InvalidRequest(format!("invalid request body: {e}")))
}

async fn create_offer(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<CreateOffer>,
) -> Result<Json<FinancingOffer>, AppError> {
    if !state.accounts.iter().any(|a| a.id == request.account) {
        return Err(AppError::InvalidRequest(format!(
            "unknown account {}",
            request.account
        )));
    }
    let offer = state.sandbox()?.create_offer(request).await?;
    tracing::info!(offer = %offer.id, account = ?offer.account, "sandbox: offer created");
    Ok(Json(offer))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionBody {
    #[serde(default)]
    amount: Option<i64>,
}

async fn act(
    State(state): State<AppState>,
    Path((offer, action)): Path<(String, String)>,
    RawBody(body): RawBody,
) -> Result<Json<FinancingOffer>, AppError> {
    let sandbox = state.sandbox()?;
    let amount = optional_json::<ActionBody>(&body)?.amount;
    let needs_amount =
        || amount.ok_or_else(|| AppError::InvalidRequest(format!("{action} needs an amount")));
    let action = match action.as_str() {
        "replace" => return Ok(Json(sandbox.replace(&offer, amount).await?)),
        "accept" => Action::Accept {
            advance_amount: needs_amount()?,
        },
        "approve" => Action::PayOut,
        "repay" => Action::Repay {
            amount: needs_amount()?,
        },
        "repay_in_full" => Action::RepayInFull,
        "reject" => Action::Reject,
        "cancel" => Action::Cancel,
        "expire" => Action::Expire,
        other => {
            return Err(AppError::InvalidRequest(format!(
                "unknown sandbox action {other}"
            )));
        }
    };
    let done = sandbox.act(&offer, action.clone()).await?;
    tracing::info!(offer = %offer, ?action, status = %done.status.as_str(), "sandbox: action");
    Ok(Json(done))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RefillBody {
    #[serde(default)]
    advance_amount: Option<i64>,
    #[serde(default)]
    discount_rate: Option<f64>,
}

async fn refill(
    State(state): State<AppState>,
    Path(account): Path<String>,
    RawBody(body): RawBody,
) -> Result<Json<FinancingOffer>, AppError> {
    let body = optional_json::<RefillBody>(&body)?;
    Ok(Json(
        state
            .sandbox()?
            .create_refill(&account, body.advance_amount, body.discount_rate)
            .await?,
    ))
}

#[derive(Serialize)]
struct AccountView {
    id: String,
    name: String,
}

async fn accounts(State(state): State<AppState>) -> Json<Vec<AccountView>> {
    Json(
        state
            .accounts
            .iter()
            .map(|a| AccountView {
                id: a.id.clone(),
                name: a.name.clone(),
            })
            .collect(),
    )
}

#[derive(Serialize)]
struct FinancingView {
    offer: FinancingOffer,
    paid_amount: i64,
    remaining_amount: i64,
}

async fn offers(
    State(state): State<AppState>,
    Path(account): Path<String>,
) -> Result<Json<Value>, AppError> {
    let sandbox = state.sandbox()?;
    let financings: Vec<FinancingView> = sandbox
        .financings(&account)
        .await?
        .into_iter()
        .map(|f| FinancingView {
            remaining_amount: f.remaining(),
            paid_amount: f.paid,
            offer: f.offer,
        })
        .collect();
    Ok(Json(
        serde_json::json!({"offers": financings, "transactions": sandbox.transactions(&account).await?}),
    ))
}

async fn expire_due(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    Ok(Json(
        serde_json::json!({"expired": state.sandbox()?.expire_due().await?}),
    ))
}

/// The account's offer emails, as sent (the sandbox page shows them as the user sees them).
async fn emails(
    State(state): State<AppState>,
    Path(account): Path<String>,
) -> Result<Json<Vec<crate::store::OfferEmailRow>>, AppError> {
    state.sandbox()?;
    Ok(Json(state.store.offer_emails(&account).await?))
}
