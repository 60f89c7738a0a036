//! One error type at the HTTP edge, answered in Stripe's error envelope. The layers below keep
//! their own errors ([`StoreError`], [`StripeError`], [`SandboxError`]); they become an
//! [`AppError`] here, once. Internal details are logged, never sent.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use capital_types::ErrorEnvelope;

use crate::domain::budgets::TooManyStreams;
use crate::sandbox::SandboxError;
use crate::services::capital::{CapitalError, NotACapitalLink};
use crate::services::delivery::DeliveryError;
use crate::services::offer_view::ReadError;
use crate::services::webhook_ingest::IngestError;
use crate::store::StoreError;
use crate::stripe::client::StripeError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    InvalidRequest(String),
    #[error("not signed in")]
    Unauthenticated,
    #[error("this request must come from the platform's own pages")]
    Forbidden,
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
    /// Stripe could not be reached, or failed (5xx, rate limits after the retries).
    #[error("Stripe answered {status}")]
    Upstream { status: u16 },
    /// Stripe refused the platform's request (a 4xx): a bug or a missing permission on the
    /// platform's side, not something the user can fix.
    #[error("Stripe refused a request ({status})")]
    UpstreamRefused { status: u16 },
    /// The request's `Host` is not a name this server is published under (DNS rebinding).
    #[error("this server answers as {0} (--public-url) and its --cors-origins, not this Host")]
    MisdirectedHost(String),
    /// The account asked for more links than its budget (`domain/budgets.rs`): try again in this many
    /// seconds.
    #[error("too many links were asked for; try again in {retry_after} seconds")]
    RateLimited { retry_after: u64 },
    /// `GET /readyz`: this check fails.
    #[error("not ready: {0}")]
    NotReady(&'static str),
    /// This instance's budget of calls to Stripe is spent for the moment.
    #[error("the platform is busy; please try again in a moment")]
    Busy,
    /// What the request needs is away for the moment (the database restarting, failing over or
    /// cut off; the identity's session store or key set): try again shortly.
    #[error("the platform is briefly unavailable; please try again in a moment")]
    BrieflyUnavailable,
    /// Too many of something at once (live streams): try again later.
    #[error("{0}")]
    TooMany(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        if error.is_unavailable() {
            tracing::warn!(%error, "the database is away");
            return AppError::BrieflyUnavailable;
        }
        AppError::Internal(format!("store: {error}"))
    }
}

impl From<StripeError> for AppError {
    fn from(error: StripeError) -> Self {
        match error {
            StripeError::Status {
                status,
                request_id,
                message,
            } if (400..500).contains(&status) && status != 429 => {
                tracing::error!(
                    status,
                    ?request_id,
                    ?message,
                    "Stripe refused the platform's request"
                );
                AppError::UpstreamRefused { status }
            }
            StripeError::Status {
                status,
                request_id,
                message,
            } => {
                tracing::warn!(status, ?request_id, ?message, "Stripe failed");
                AppError::Upstream { status }
            }
            StripeError::OverBudget(_) => {
                tracing::warn!("a call to Stripe was not made: the instance's budget is spent");
                AppError::Busy
            }
            StripeError::Unreachable(source) => {
                tracing::warn!(%source, "Stripe could not be reached");
                AppError::Upstream { status: 0 }
            }
            other => {
                AppError::Internal(format!("{other}: {:?}", std::error::Error::source(&other)))
            }
        }
    }
}

impl From<SandboxError> for AppError {
    fn from(error: SandboxError) -> Self {
        match error {
            SandboxError::InvalidRequest(message) => AppError::InvalidRequest(message),
            SandboxError::Conflict(message) => AppError::Conflict(message),
            SandboxError::NotFound(what) => AppError::NotFound(what),
            SandboxError::Store(error) => error.into(),
            delivery @ SandboxError::Delivery { .. } => AppError::Internal(delivery.to_string()),
        }
    }
}

impl From<CapitalError> for AppError {
    fn from(error: CapitalError) -> Self {
        match error {
            CapitalError::Stripe(error) => error.into(),
            CapitalError::Sandbox(error) => error.into(),
        }
    }
}

impl From<TooManyStreams> for AppError {
    fn from(error: TooManyStreams) -> Self {
        AppError::TooMany(error.0)
    }
}

impl From<ReadError> for AppError {
    fn from(error: ReadError) -> Self {
        match error {
            ReadError::Store(error) => error.into(),
            ReadError::Capital(error) => error.into(),
            ReadError::Unavailable { status } => AppError::Upstream { status },
        }
    }
}

impl From<IngestError> for AppError {
    fn from(error: IngestError) -> Self {
        match error {
            IngestError::BadSignature => AppError::BadSignature,
            IngestError::Store(error) => error.into(),
        }
    }
}

impl From<DeliveryError> for AppError {
    fn from(error: DeliveryError) -> Self {
        match error {
            DeliveryError::Capital(error) => error.into(),
            DeliveryError::Store(error) => error.into(),
        }
    }
}

impl From<NotACapitalLink> for AppError {
    fn from(error: NotACapitalLink) -> Self {
        AppError::InvalidRequest(error.to_string())
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
            AppError::Forbidden => (StatusCode::FORBIDDEN, "invalid_request_error"),
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, "invalid_request_error"),
            AppError::Conflict(_) => (StatusCode::CONFLICT, "invalid_request_error"),
            AppError::BadSignature => (StatusCode::BAD_REQUEST, "signature_verification_error"),
            AppError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "invalid_request_error"),
            AppError::TooMany(_) => (StatusCode::TOO_MANY_REQUESTS, "rate_limit_error"),
            AppError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limit_error"),
            AppError::Busy | AppError::BrieflyUnavailable => {
                (StatusCode::SERVICE_UNAVAILABLE, "api_error")
            }
            AppError::NotReady(_) => (StatusCode::SERVICE_UNAVAILABLE, "api_error"),
            AppError::MisdirectedHost(_) => {
                (StatusCode::MISDIRECTED_REQUEST, "invalid_request_error")
            }
            AppError::UnsupportedMediaType => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "invalid_request_error")
            }
            AppError::Upstream { .. } => (StatusCode::BAD_GATEWAY, "api_error"),
            AppError::UpstreamRefused { .. } => (StatusCode::INTERNAL_SERVER_ERROR, "api_error"),
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
            AppError::UpstreamRefused { .. } => {
                "The platform could not complete this with Stripe. Please contact the platform if it persists."
                    .to_owned()
            }
            other => other.to_string(),
        };
        let retry_after = match &self {
            AppError::RateLimited { retry_after } => Some(*retry_after),
            AppError::Busy => Some(1),
            AppError::BrieflyUnavailable => Some(2),
            _ => None,
        };
        let mut response = (status, Json(ErrorEnvelope::new(error_type, message))).into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

/// Every error the router answers, in Stripe's envelope: axum's own rejections (a wrong method,
/// a query string or form that does not parse, a missing header) are plain text or empty;
/// they are rewritten here, keeping their status and headers. JSON answers (already the envelope) and HTML pages (the sandbox's, the sign-in page)
/// pass as they are.
pub(crate) async fn in_envelope(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let method = request.method().clone();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let content_type = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("application/json") || content_type.starts_with("text/html") {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // Rejections are a line of text; anything longer is cut, never read whole.
    let text = axum::body::to_bytes(body, 2048).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_owned();
    let message = if status == StatusCode::METHOD_NOT_ALLOWED {
        format!("{method} is not allowed on this route")
    } else if text.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("the request was refused")
            .to_lowercase()
    } else {
        text
    };
    let error_type = match status {
        StatusCode::TOO_MANY_REQUESTS => "rate_limit_error",
        StatusCode::UNAUTHORIZED => "authentication_error",
        status if status.is_server_error() => "api_error",
        _ => "invalid_request_error",
    };
    parts.headers.remove(axum::http::header::CONTENT_TYPE);
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    let envelope = Json(ErrorEnvelope::new(error_type, message)).into_response();
    let (envelope_parts, envelope_body) = envelope.into_parts();
    parts.headers.extend(envelope_parts.headers);
    Response::from_parts(parts, envelope_body)
}
