//! `POST /webhooks/stripe`: Stripe's events, verified and ingested (`services/webhook_ingest.rs`).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::Value;

use crate::http::error::AppError;
use crate::http::extract::RawBody;
use crate::http::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/webhooks/stripe", post(receive))
}

async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Json<Value>, AppError> {
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    Ok(Json(state.ingest.receive_signed(signature, &body).await?))
}
