//! Stripe's `event` envelope, as webhooks deliver it.

use serde::{Deserialize, Serialize};

/// A webhook event. `data.object` is kept as raw JSON: its type depends on `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(default)]
    pub object: Option<String>,
    #[serde(rename = "type")]
    pub event_type: String,
    /// Seconds since the epoch; orders events for the same object.
    #[serde(default)]
    pub created: Option<i64>,
    #[serde(default)]
    pub api_version: Option<String>,
    #[serde(default)]
    pub livemode: Option<bool>,
    /// The connected account the event is about (Connect events).
    #[serde(default)]
    pub account: Option<String>,
    pub data: EventData,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventData {
    pub object: serde_json::Value,
}
