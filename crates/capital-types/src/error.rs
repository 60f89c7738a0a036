//! Stripe's error envelope, used for every non-2xx answer of the backend.

use serde::{Deserialize, Serialize};

/// Stripe's error envelope, `{"error": {"type": …, "message": …}}`: the body of every non-2xx
/// answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorEnvelope {
    pub error: ApiError,
}

/// The inside of the envelope: `type` (`authentication_error`, `invalid_request_error`,
/// `rate_limit_error`, `api_error`), a message for people, and `param` when one field is at fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    #[serde(rename = "type", default)]
    pub error_type: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
}

impl ErrorEnvelope {
    pub fn new(error_type: impl Into<String>, message: impl Into<String>) -> Self {
        ErrorEnvelope {
            error: ApiError {
                error_type: Some(error_type.into()),
                message: Some(message.into()),
                code: None,
                param: None,
            },
        }
    }
}
