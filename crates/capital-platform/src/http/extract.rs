//! `JsonBody`: axum's `Json` with every rejection answered in Stripe's error envelope.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::http::error::AppError;

pub(crate) struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(JsonBody(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::UnsupportedMediaType),
            Err(JsonRejection::JsonSyntaxError(_)) => Err(AppError::InvalidRequest(
                "the body is not valid JSON".into(),
            )),
            Err(JsonRejection::JsonDataError(error)) => {
                Err(AppError::InvalidRequest(data_error(&error.body_text())))
            }
            Err(JsonRejection::BytesRejection(_)) => Err(AppError::TooLarge),
            Err(other) => Err(AppError::InvalidRequest(other.body_text())),
        }
    }
}

/// serde's message without axum's prefix: "unknown field `account`, expected `type` at line 1".
fn data_error(text: &str) -> String {
    let message = text.rsplit_once(": ").map_or(text, |(_, rest)| rest);
    format!("invalid request body: {message}")
}

/// The raw request body (webhooks need the exact bytes that were signed), with a body over the
/// route's limit answered in Stripe's envelope like every other error.
pub(crate) struct RawBody(pub axum::body::Bytes);

impl<S> FromRequest<S> for RawBody
where
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::body::Bytes::from_request(request, state)
            .await
            .map(RawBody)
            .map_err(|_| AppError::TooLarge)
    }
}
