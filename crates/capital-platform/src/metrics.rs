//! Prometheus metrics, on a listener of their own (`--metrics-listen`, off by default), in the
//! text exposition format (the `metrics` facade and its Prometheus exporter):
//!
//! - `http_requests_total` and `http_request_duration_seconds` by route template (never the raw
//!   path), method and status;
//! - `webhook_events_total` by event type and outcome (`applied`, `duplicate`, `stale`,
//!   `dead_lettered`, `refused`);
//! - `stripe_requests_total` and `stripe_request_duration_seconds` by endpoint and status, and
//!   `stripe_retries_total`;
//! - `offer_emails_total` by outcome (`sent`, `skipped`, `retried`, `failed`);
//! - `account_links_minted_total`;
//! - `live_streams_open`, `db_pool_connections` (`in_use`, `idle`), read at each scrape;
//! - `capital_funnel_total` by `stage`, `campaign_type`, `product_type` and `financing_type`,
//!   read from the store at each scrape: right after a restart, and the same on every instance.
//!
//! Without `--metrics-listen` no recorder is installed and every call here costs nothing. This
//! module records (every layer may call it; it names nothing of the crate); the listener and what
//! is read at each scrape are the HTTP layer's (`http/metrics.rs`).

use std::time::Duration;

use metrics::{counter, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Installs the process's recorder; `None` (and a warning) if one is installed already.
pub fn install() -> Result<PrometheusHandle, String> {
    let buckets = [
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
    ];
    PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_duration_seconds".into()), &buckets)
        .map_err(|e| e.to_string())?
        .install_recorder()
        .map_err(|e| format!("--metrics-listen: {e}"))
}

/// One answered request.
pub fn request(route: &str, method: &str, status: u16, took: Duration) {
    counter!(
        "http_requests_total",
        "route" => route.to_owned(),
        "method" => method.to_owned(),
        "status" => status.to_string()
    )
    .increment(1);
    histogram!(
        "http_request_duration_seconds",
        "route" => route.to_owned(),
        "method" => method.to_owned()
    )
    .record(took.as_secs_f64());
}

/// One webhook event, and what became of it.
pub fn webhook(event_type: &str, outcome: &'static str) {
    // Unknown types are counted under one name: the label set stays small whatever is sent.
    let event_type = if event_type.starts_with("capital.") && event_type.len() <= 64 {
        event_type.to_owned()
    } else {
        "other".to_owned()
    };
    counter!("webhook_events_total", "type" => event_type, "outcome" => outcome).increment(1);
}

/// One call to Stripe (one attempt).
pub fn stripe_call(endpoint: &str, status: u16, took: Duration) {
    let endpoint = endpoint_template(endpoint);
    counter!(
        "stripe_requests_total",
        "endpoint" => endpoint.clone(),
        "status" => status.to_string()
    )
    .increment(1);
    histogram!("stripe_request_duration_seconds", "endpoint" => endpoint)
        .record(took.as_secs_f64());
}

/// A call to Stripe tried again.
pub fn stripe_retry(endpoint: &str) {
    counter!("stripe_retries_total", "endpoint" => endpoint_template(endpoint)).increment(1);
}

/// What became of one try of an offer email.
pub fn offer_email(outcome: &'static str) {
    counter!("offer_emails_total", "outcome" => outcome).increment(1);
}

pub fn link_minted() {
    counter!("account_links_minted_total").increment(1);
}

/// A Stripe path with its ids taken out: `/v1/capital/financing_offers/{id}/mark_delivered`.
fn endpoint_template(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.contains('_') && segment.chars().any(|c| c.is_ascii_digit()) {
                "{id}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripe_endpoints_are_templates_without_ids() {
        assert_eq!(
            endpoint_template("/v1/capital/financing_offers/financingoffer_1Abc/mark_delivered"),
            "/v1/capital/financing_offers/{id}/mark_delivered"
        );
        assert_eq!(
            endpoint_template("/v1/accounts/acct_1Rocket"),
            "/v1/accounts/{id}"
        );
        assert_eq!(endpoint_template("/v1/account_links"), "/v1/account_links");
    }
}
