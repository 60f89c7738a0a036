//! Probes for an orchestrator or a load balancer, outside every other rule (no session, no
//! `Host` check, no CORS), and revealing nothing of the configuration:
//! - `GET /healthz`: the process answers (`200 {"status":"ok"}`).
//! - `GET /readyz`: the database answers, this release's migrations are applied, PostgreSQL's
//!   change notifications are connected and every background worker runs: `200`, else `503` in
//!   the envelope naming the failing check (`database`, `migrations`, `listener`, `worker`).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::http::error::AppError;
use crate::http::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    if let Some(check) = state.store.not_ready().await {
        return Err(AppError::NotReady(check));
    }
    if !state.changes.is_listening() {
        return Err(AppError::NotReady("listener"));
    }
    if let Some(worker) = state.workers.not_running() {
        tracing::warn!(worker, "not ready: a worker is not running");
        return Err(AppError::NotReady("worker"));
    }
    Ok(Json(json!({"status": "ready"})))
}
