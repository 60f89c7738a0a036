//! The sandbox's stand-ins for the Capital dashboard's test tools (sandbox mode only; these
//! routes do not exist in Stripe mode). They act on Stripe's side of one account, and only for
//! whoever may: the signed-in user acts on their own account only (the sandbox page), and the
//! sandbox CLI, with the admin token it is given at start (`SandboxActor`), on any. So a page on
//! another site, or another local user's browser tab, cannot drive anyone's financing.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::{Json, Router};
use capital_types::FinancingOffer;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::http::error::AppError;
use crate::http::extract::{JsonBody, RawBody};
use crate::http::state::AppState;
use crate::sandbox::CreateOffer;
use crate::sandbox::machine::Action;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/sandbox/admin/offers", post(create_offer))
        .route("/sandbox/admin/offers/{offer}/{action}", post(act))
        .route("/sandbox/admin/accounts", get(accounts))
        .route("/sandbox/admin/accounts/{account}/offers", get(offers))
        .route("/sandbox/admin/accounts/{account}/emails", get(emails))
        .route("/sandbox/admin/accounts/{account}/refill", post(refill))
        .route("/sandbox/admin/expire_due", post(expire_due))
        .route("/sandbox/admin/funnel", get(funnel))
}

/// Who acts through the dashboard tools.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SandboxActor {
    /// The sandbox CLI (`Authorization: Bearer` with the admin token): any account.
    Admin,
    /// A signed-in user: their own account only.
    Account(String),
}

impl SandboxActor {
    /// Refuses an account that is not the actor's own, as if it did not exist: another
    /// account's offers are not even confirmed to be there.
    fn may_act_on(&self, account: &str) -> Result<(), AppError> {
        match self {
            SandboxActor::Admin => Ok(()),
            SandboxActor::Account(own) if own == account => Ok(()),
            SandboxActor::Account(_) => Err(AppError::NotFound("account")),
        }
    }

    fn is_admin(&self) -> Result<(), AppError> {
        match self {
            SandboxActor::Admin => Ok(()),
            SandboxActor::Account(_) => Err(AppError::Forbidden),
        }
    }
}

impl FromRequestParts<AppState> for SandboxActor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let bearer = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "));
        if let Some(token) = bearer
            && state.is_sandbox_admin_token(token.trim())
        {
            return Ok(SandboxActor::Admin);
        }
        let crate::http::session::SignedInAccount(account) =
            crate::http::session::SignedInAccount::from_request_parts(parts, state).await?;
        Ok(SandboxActor::Account(account))
    }
}

/// The account an offer of the sandbox belongs to, for [`SandboxActor::may_act_on`].
async fn account_of(state: &AppState, offer: &str) -> Result<String, AppError> {
    state
        .sandbox()?
        .retrieve_offer(offer)
        .await?
        .account
        .ok_or(AppError::NotFound("offer"))
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
    actor: SandboxActor,
    JsonBody(request): JsonBody<CreateOffer>,
) -> Result<Json<FinancingOffer>, AppError> {
    actor.may_act_on(&request.account)?;
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
    actor: SandboxActor,
    Path((offer, action)): Path<(String, String)>,
    RawBody(body): RawBody,
) -> Result<Json<FinancingOffer>, AppError> {
    let sandbox = state.sandbox()?;
    actor
        .may_act_on(&account_of(&state, &offer).await?)
        .map_err(|_| AppError::NotFound("offer"))?;
    let amount = optional_json::<ActionBody>(&body)?.amount;
    if action == "replace" {
        return Ok(Json(sandbox.replace(&offer, amount).await?));
    }
    let action = Action::named(&action, amount).map_err(AppError::InvalidRequest)?;
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
    actor: SandboxActor,
    Path(account): Path<String>,
    RawBody(body): RawBody,
) -> Result<Json<FinancingOffer>, AppError> {
    actor.may_act_on(&account)?;
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

/// The demo accounts: all of them for the CLI, the user's own for a signed-in user.
async fn accounts(State(state): State<AppState>, actor: SandboxActor) -> Json<Vec<AccountView>> {
    Json(
        state
            .accounts
            .iter()
            .filter(|a| actor.may_act_on(&a.id).is_ok())
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
    actor: SandboxActor,
    Path(account): Path<String>,
) -> Result<Json<Value>, AppError> {
    actor.may_act_on(&account)?;
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

/// Expires every account's due offers: the CLI's alone (it acts on all accounts at once).
async fn expire_due(
    State(state): State<AppState>,
    actor: SandboxActor,
) -> Result<Json<Value>, AppError> {
    actor.is_admin()?;
    Ok(Json(
        serde_json::json!({"expired": state.sandbox()?.expire_due().await?}),
    ))
}

/// The account's offer emails, as sent (the sandbox page shows them as the user sees them).
async fn emails(
    State(state): State<AppState>,
    actor: SandboxActor,
    Path(account): Path<String>,
) -> Result<Json<Vec<crate::store::OfferEmailRow>>, AppError> {
    state.sandbox()?;
    actor.may_act_on(&account)?;
    Ok(Json(state.store.offer_emails(&account).await?))
}

/// The Capital funnel, the program's (every account's) as the store has it: each stage's offers,
/// and the same by campaign, product and financing type (the sandbox page draws it).
async fn funnel(
    State(state): State<AppState>,
    _actor: SandboxActor,
) -> Result<Json<Value>, AppError> {
    state.sandbox()?;
    let rows = state.store.funnel().await?;
    let stages: Vec<Value> = crate::store::STAGES
        .iter()
        .map(|stage| {
            let offers: i64 = rows
                .iter()
                .filter(|row| row.stage == *stage)
                .map(|row| row.offers)
                .sum();
            serde_json::json!({"stage": stage, "offers": offers})
        })
        .collect();
    Ok(Json(serde_json::json!({"stages": stages, "by_type": rows})))
}
