//! One error type for every route, answered in Stripe's error envelope. Internal details are
//! logged, never sent.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use capital_types::ErrorEnvelope;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    InvalidRequest(String),
    #[error("not signed in")]
    Unauthenticated,
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("webhook signature verification failed")]
    BadSignature,
    #[error("request body too large")]
    TooLarge,
    #[error("unsupported content type; send application/json")]
    UnsupportedMediaType,
    #[error("Stripe answered {status}")]
    Upstream { status: u16 },
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        AppError::Internal(format!("database: {error}"))
    }
}

impl From<serde_json::Error> for AppError {
    fn from(error: serde_json::Error) -> Self {
        AppError::Internal(format!("json: {error}"))
    }
}

impl AppError {
    fn status_and_type(&self) -> (StatusCode, &'static str) {
        match self {
            AppError::InvalidRequest(_) => (StatusCode::BAD_REQUEST, "invalid_request_error"),
            AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, "authentication_error"),
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, "invalid_request_error"),
            AppError::Conflict(_) => (StatusCode::CONFLICT, "invalid_request_error"),
            AppError::BadSignature => (StatusCode::BAD_REQUEST, "signature_verification_error"),
            AppError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "invalid_request_error"),
            AppError::UnsupportedMediaType => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "invalid_request_error")
            }
            AppError::Upstream { .. } => (StatusCode::BAD_GATEWAY, "api_error"),
            AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "api_error"),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, error_type) = self.status_and_type();
        let message = match &self {
            AppError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                "Something went wrong on our side. Please try again.".to_owned()
            }
            AppError::Upstream { status } => {
                tracing::warn!(status, "Stripe request failed");
                "Stripe could not be reached. Please try again.".to_owned()
            }
            other => other.to_string(),
        };
        (status, Json(ErrorEnvelope::new(error_type, message))).into_response()
    }
}
