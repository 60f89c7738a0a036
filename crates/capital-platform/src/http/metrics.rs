//! `GET /metrics` on `--metrics-listen` (what is recorded: `metrics.rs`), with the gauges and the
//! funnel read from the state at each scrape.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use metrics::{counter, gauge};
use metrics_exporter_prometheus::PrometheusHandle;

use crate::http::state::AppState;

/// Serves `GET /metrics` on `listen` until the process ends.
pub async fn serve(
    listen: SocketAddr,
    state: AppState,
    handle: PrometheusHandle,
) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen} (--metrics-listen): {e}"))?;
    let router = Router::new()
        .route("/metrics", get(scrape))
        .with_state((state, handle));
    tracing::info!("metrics on http://{listen}/metrics");
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router).await {
            tracing::error!(%error, "the metrics listener stopped");
        }
    });
    Ok(())
}

async fn scrape(State((state, handle)): State<(AppState, PrometheusHandle)>) -> String {
    gauge!("live_streams_open").set(state.streams.open() as f64);
    let pool = state.store.pool();
    let idle = pool.num_idle() as f64;
    gauge!("db_pool_connections", "state" => "idle").set(idle);
    gauge!("db_pool_connections", "state" => "in_use").set((pool.size() as f64 - idle).max(0.0));
    match tokio::time::timeout(Duration::from_secs(2), state.store.funnel()).await {
        Ok(Ok(funnel)) => {
            for row in funnel {
                counter!(
                    "capital_funnel_total",
                    "stage" => row.stage,
                    "campaign_type" => row.campaign_type,
                    "product_type" => row.product_type,
                    "financing_type" => row.financing_type
                )
                .absolute(row.offers.max(0) as u64);
            }
        }
        Ok(Err(error)) => tracing::warn!(%error, "the funnel could not be read for the metrics"),
        Err(_) => tracing::warn!("the funnel could not be read for the metrics in 2 s"),
    }
    handle.render()
}
