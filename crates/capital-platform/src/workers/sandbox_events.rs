//! The sandbox's events, delivered: each signed event the sandbox makes goes to webhook ingest
//! as Stripe's deliveries reach the route (`services/webhook_ingest.rs`), and the sandbox is told
//! how it went. Ends when the sandbox is gone (its sending end with it) or the shutdown begins.

use std::sync::Arc;

use tokio::sync::Mutex;

use crate::sandbox::SandboxEvents;
use crate::services::webhook_ingest::WebhookIngest;
use crate::workers::shutdown::Shutdown;

pub(crate) async fn run(
    ingest: WebhookIngest,
    events: Arc<Mutex<SandboxEvents>>,
    shutdown: Shutdown,
) {
    let mut events = events.lock().await;
    loop {
        let event = tokio::select! {
            event = events.recv() => event,
            _ = shutdown.begun() => None,
        };
        let Some(event) = event else { break };
        let outcome = ingest
            .receive_signed(Some(&event.signature), event.body.as_bytes())
            .await
            .map(drop)
            .map_err(|error| format!("{} refused: {error}", event.event_type));
        let _ = event.taken.send(outcome);
    }
}
