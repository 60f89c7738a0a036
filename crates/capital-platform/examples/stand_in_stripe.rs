//! A stand-in Stripe for trying Stripe mode without Stripe: the Capital API the backend calls
//! (`/v1/capital/financing_offers`, `…/mark_delivered`, `/v1/capital/financing_summary`,
//! `/v1/account_links`, `/v1/accounts/{id}`), played by the same Capital sandbox the backend's
//! sandbox mode runs, on a database of its own. Its events go out as Stripe's do: signed with
//! the endpoint's secret, POSTed to the webhook endpoints (`--webhook-url`, one or more: each
//! event to one of them at random, as a load balancer spreads Stripe's deliveries), concurrently
//! and so in no promised order, each retried with backoff until it gets a 2xx.
//!
//! ```sh
//! cargo run --release -p capital-platform --example stand_in_stripe -- \
//!   --listen 127.0.0.1:12111 --webhook-url http://127.0.0.1:3000/webhooks/stripe \
//!   --webhook-secret whsec_…
//! # then the backend: CAPITAL_MODE=stripe STRIPE_API_BASE=http://127.0.0.1:12111 …
//! ```
//!
//! The dashboard's test tools are under `/_stand_in/` (the same bodies as the sandbox's
//! `/sandbox/admin/…`): `POST /_stand_in/offers`, `POST /_stand_in/offers/{offer}/{action}`
//! (`accept`, `approve`, `repay`, `repay_in_full`, `reject`, `cancel`, `expire`, `replace`),
//! `GET /_stand_in/offers/{offer}` (the offer as it is, whatever fault the API plays),
//! `POST /_stand_in/accounts/{account}/refill`. And for fault tests: `POST /_stand_in/faults`
//! (`{"status": 500, "seconds": 10}`: every API call answers that status for that long; 429
//! carries `Retry-After`), `GET /_stand_in/calls` (the API calls answered, by route and status,
//! and every offer marked delivered, in order; `…/calls/{offer}`: how often that one was),
//! `GET /_stand_in/deliveries` (events sent,
//! attempts, failures, pending, duplicates delivered), `GET /_stand_in/events` (every event
//! sent, in the order Stripe made them: its id, type, object and the object's status).
//!
//! Stripe promises at-least-once delivery in no order, and the fault suite plays both:
//! `--duplicate-share 0.2` sends a fifth of the events to every endpoint at once and then once
//! more a few seconds after the first acknowledgement; `--delivery-jitter-ms 2000` holds each
//! event back a random while before its first attempt, so later events often arrive first.
//!
//! Not a product: nothing here is what a platform deploys. Every request but `/_stand_in/` needs
//! a secret key (`Authorization: Bearer sk_…`, or Basic with the key as the user), as Stripe's
//! API does.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine;
use capital_platform::sandbox::machine::Action;
use capital_platform::sandbox::store::SandboxStore;
use capital_platform::sandbox::{CreateOffer, Sandbox, SandboxError, SandboxEvents};
use capital_platform::store::Store;
use capital_types::AccountLinkType;
use clap::Parser;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Parser)]
struct Args {
    /// Where the API listens.
    #[arg(long, env = "STAND_IN_LISTEN", default_value = "127.0.0.1:12111")]
    listen: SocketAddr,
    /// The platform's webhook endpoints (comma-separated or repeated); each event goes to one.
    #[arg(
        long,
        env = "STAND_IN_WEBHOOK_URLS",
        value_delimiter = ',',
        required = true
    )]
    webhook_url: Vec<String>,
    /// The endpoint's signing secret (the backend's `STRIPE_WEBHOOK_SECRET`).
    #[arg(long, env = "STAND_IN_WEBHOOK_SECRET", hide_env_values = true)]
    webhook_secret: String,
    /// The stand-in's database (its offers survive a restart of the backend, not of this).
    #[arg(long, env = "STAND_IN_DATABASE_URL", default_value = "sqlite::memory:")]
    database_url: String,
    /// Where Account Links point (only their shape matters here).
    #[arg(long, default_value = "https://connect.stripe.example")]
    links_url: String,
    /// Events in flight at once.
    #[arg(long, default_value_t = 16)]
    concurrent_deliveries: usize,
    /// The share of events (0 to 1) delivered to every endpoint at once, and again later.
    #[arg(long, default_value_t = 0.0)]
    duplicate_share: f64,
    /// Each event waits a random while up to this long before its first attempt (milliseconds).
    #[arg(long, default_value_t = 0)]
    delivery_jitter_ms: u64,
}

/// How events go out: where, how many at once, and how Stripe's promises are played.
#[derive(Clone)]
struct Delivery {
    endpoints: Arc<Vec<String>>,
    secret: String,
    concurrent: usize,
    duplicate_share: f64,
    jitter: Duration,
}

/// What the API has answered, and the fault it is told to play.
#[derive(Default)]
struct Record {
    /// `METHOD route status` → count.
    calls: BTreeMap<String, u64>,
    /// Offers marked delivered through the API, in order (each time it was called).
    marked_delivered: Vec<String>,
    /// Until when every API call answers `status`.
    fault: Option<(StatusCode, Instant)>,
    deliveries: Deliveries,
    /// Every event sent, in the order it was made.
    events: Vec<SentEvent>,
}

/// One event as the suite checks it against what the platform stored.
#[derive(serde::Serialize)]
struct SentEvent {
    id: String,
    #[serde(rename = "type")]
    event_type: String,
    created: i64,
    object: String,
    account: Option<String>,
    status: Option<String>,
}

impl SentEvent {
    fn read(body: &str) -> Option<SentEvent> {
        let event: Value = serde_json::from_str(body).ok()?;
        let object = &event["data"]["object"];
        Some(SentEvent {
            id: event["id"].as_str()?.to_owned(),
            event_type: event["type"].as_str()?.to_owned(),
            created: event["created"].as_i64().unwrap_or(0),
            object: object["id"].as_str().unwrap_or_default().to_owned(),
            account: event["account"]
                .as_str()
                .or(object["account"].as_str())
                .map(str::to_owned),
            status: object["status"].as_str().map(str::to_owned),
        })
    }
}

#[derive(Default, serde::Serialize)]
struct Deliveries {
    events: u64,
    attempts: u64,
    failed_attempts: u64,
    delivered: u64,
    /// Events with a delivery still to make (a duplicate's later one included).
    pending: u64,
    /// Extra deliveries of an event already delivered (`--duplicate-share`), acknowledged.
    duplicates: u64,
}

#[derive(Clone)]
struct StandIn {
    sandbox: Arc<Sandbox>,
    record: Arc<Mutex<Record>>,
}

#[tokio::main]
async fn main() -> Result<(), String> {
    tracing_subscriber::fmt()
        .with_target(false)
        .with_env_filter("info,sqlx=warn")
        .init();
    let args = Args::parse();
    let store = Store::open(&args.database_url)
        .await
        .map_err(|e| format!("the stand-in's database: {e}"))?;
    let (sandbox, events) = Sandbox::new(
        SandboxStore::open(store.pool().clone(), store.write_turns()),
        &args.webhook_secret,
        &args.links_url,
    );
    let stand_in = StandIn {
        sandbox: Arc::new(sandbox),
        record: Arc::default(),
    };
    let delivery = Delivery {
        endpoints: Arc::new(args.webhook_url.clone()),
        secret: args.webhook_secret.clone(),
        concurrent: args.concurrent_deliveries.max(1),
        duplicate_share: args.duplicate_share.clamp(0.0, 1.0),
        jitter: Duration::from_millis(args.delivery_jitter_ms),
    };
    tokio::spawn(deliver(events, delivery, stand_in.record.clone()));
    let api = Router::new()
        .route("/v1/capital/financing_offers", get(list_offers))
        .route("/v1/capital/financing_offers/{offer}", get(retrieve_offer))
        .route(
            "/v1/capital/financing_offers/{offer}/mark_delivered",
            post(mark_delivered),
        )
        .route("/v1/capital/financing_summary", get(financing_summary))
        .route("/v1/account_links", post(account_link))
        .route("/v1/accounts/{account}", get(account))
        .route_layer(axum::middleware::from_fn_with_state(
            stand_in.clone(),
            as_stripe,
        ));
    let tools = Router::new()
        .route("/_stand_in/offers", post(create_offer))
        .route("/_stand_in/offers/{offer}", get(retrieve_offer))
        .route("/_stand_in/offers/{offer}/{action}", post(act))
        .route("/_stand_in/accounts/{account}/refill", post(refill))
        .route("/_stand_in/faults", post(fault))
        .route("/_stand_in/calls", get(calls))
        .route("/_stand_in/calls/{offer}", get(calls_about))
        .route("/_stand_in/deliveries", get(deliveries))
        .route("/_stand_in/events", get(sent_events));
    let app = api.merge(tools).with_state(stand_in);
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("listening on {}: {e}", args.listen))?;
    tracing::info!(listen = %args.listen, endpoints = ?args.webhook_url, "stand-in Stripe ready");
    axum::serve(listener, app)
        .await
        .map_err(|e| format!("serving: {e}"))
}

/// Stripe's side of every API call: the secret key, the fault being played, the record.
async fn as_stripe(State(stand_in): State<StandIn>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|path| path.as_str().to_owned())
        .unwrap_or_default();
    let method = request.method().clone();
    let keyed = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .is_some_and(is_secret_key);
    let fault = {
        let mut record = stand_in.record.lock().unwrap();
        match record.fault {
            Some((_, until)) if Instant::now() >= until => {
                record.fault = None;
                None
            }
            other => other.map(|(status, _)| status),
        }
    };
    let response = if !keyed {
        stripe_error(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            "No API key provided.",
        )
    } else if let Some(status) = fault {
        let mut response = stripe_error(status, "api_error", "the stand-in is playing a fault");
        if status == StatusCode::TOO_MANY_REQUESTS {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    } else {
        next.run(request).await
    };
    let key = format!("{method} {route} {}", response.status().as_u16());
    *stand_in
        .record
        .lock()
        .unwrap()
        .calls
        .entry(key)
        .or_default() += 1;
    response
}

/// A secret key as Stripe takes it: `Bearer sk_…`, or HTTP Basic with the key as the user name.
fn is_secret_key(authorization: &str) -> bool {
    if let Some(key) = authorization.strip_prefix("Bearer ") {
        return key.starts_with("sk_");
    }
    authorization
        .strip_prefix("Basic ")
        .and_then(|encoded| {
            base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok()
        })
        .is_some_and(|decoded| decoded.starts_with(b"sk_"))
}

fn stripe_error(status: StatusCode, kind: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"type": kind, "message": message}})),
    )
        .into_response()
}

/// The sandbox's refusals as Stripe words them.
struct ApiError(SandboxError);

impl From<SandboxError> for ApiError {
    fn from(error: SandboxError) -> Self {
        ApiError(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match &self.0 {
            SandboxError::InvalidRequest(_) | SandboxError::Conflict(_) => StatusCode::BAD_REQUEST,
            SandboxError::NotFound(_) => StatusCode::NOT_FOUND,
            SandboxError::Store(_) | SandboxError::Delivery { .. } => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let kind = if status.is_server_error() {
            "api_error"
        } else {
            "invalid_request_error"
        };
        stripe_error(status, kind, &self.0.to_string())
    }
}

#[derive(Deserialize)]
struct ListQuery {
    connected_account: String,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    starting_after: Option<String>,
}

async fn list_offers(
    State(stand_in): State<StandIn>,
    Query(query): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let mut offers = stand_in
        .sandbox
        .list_offers(&query.connected_account)
        .await?;
    // Newest first, as Stripe lists; pages by `starting_after`.
    offers.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| b.id.cmp(&a.id)));
    if let Some(after) = &query.starting_after {
        let skip = offers
            .iter()
            .position(|o| &o.id == after)
            .map_or(0, |i| i + 1);
        offers.drain(..skip);
    }
    let limit = query.limit.unwrap_or(10).clamp(1, 100);
    let has_more = offers.len() > limit;
    offers.truncate(limit);
    Ok(Json(json!({
        "object": "list",
        "url": "/v1/capital/financing_offers",
        "data": offers,
        "has_more": has_more,
    })))
}

async fn retrieve_offer(
    State(stand_in): State<StandIn>,
    Path(offer): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(stand_in.sandbox.retrieve_offer(&offer).await?)))
}

async fn mark_delivered(
    State(stand_in): State<StandIn>,
    Path(offer): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let current = stand_in.sandbox.retrieve_offer(&offer).await?;
    // Stripe answers an offer that is past `undelivered` as it is.
    let answer = if current.status == capital_types::OfferStatus::Undelivered {
        stand_in.sandbox.mark_delivered(&offer).await?
    } else {
        current
    };
    stand_in.record.lock().unwrap().marked_delivered.push(offer);
    Ok(Json(json!(answer)))
}

async fn financing_summary(
    State(stand_in): State<StandIn>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let account = headers
        .get("stripe-account")
        .and_then(|value| value.to_str().ok())
        .ok_or_else(|| {
            SandboxError::InvalidRequest("the Stripe-Account header is required".into())
        })?;
    Ok(Json(json!(
        stand_in.sandbox.financing_summary(account).await?
    )))
}

#[derive(Deserialize)]
struct LinkForm {
    account: String,
    #[serde(rename = "type")]
    link_type: String,
    refresh_url: String,
    return_url: String,
}

async fn account_link(
    State(stand_in): State<StandIn>,
    Form(form): Form<LinkForm>,
) -> Result<Json<Value>, ApiError> {
    let link = stand_in
        .sandbox
        .create_account_link(
            &form.account,
            &AccountLinkType::from(form.link_type),
            &form.refresh_url,
            &form.return_url,
        )
        .await?;
    Ok(Json(json!(link)))
}

/// An account's email, where the offer emails go.
async fn account(Path(account): Path<String>) -> Json<Value> {
    let local = account.trim_start_matches("acct_").to_ascii_lowercase();
    Json(json!({"id": account, "object": "account", "email": format!("finance@{local}.example")}))
}

async fn create_offer(
    State(stand_in): State<StandIn>,
    Json(request): Json<CreateOffer>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(stand_in.sandbox.create_offer(request).await?)))
}

#[derive(Default, Deserialize)]
struct ActionBody {
    #[serde(default)]
    amount: Option<i64>,
}

async fn act(
    State(stand_in): State<StandIn>,
    Path((offer, action)): Path<(String, String)>,
    body: Option<Json<ActionBody>>,
) -> Result<Json<Value>, ApiError> {
    let amount = body.and_then(|Json(body)| body.amount);
    if action == "replace" {
        return Ok(Json(json!(stand_in.sandbox.replace(&offer, amount).await?)));
    }
    let action = Action::named(&action, amount).map_err(SandboxError::InvalidRequest)?;
    Ok(Json(json!(stand_in.sandbox.act(&offer, action).await?)))
}

async fn refill(
    State(stand_in): State<StandIn>,
    Path(account): Path<String>,
    body: Option<Json<ActionBody>>,
) -> Result<Json<Value>, ApiError> {
    let amount = body.and_then(|Json(body)| body.amount);
    Ok(Json(json!(
        stand_in
            .sandbox
            .create_refill(&account, amount, None)
            .await?
    )))
}

#[derive(Deserialize)]
struct Fault {
    status: u16,
    seconds: f64,
}

async fn fault(State(stand_in): State<StandIn>, Json(fault): Json<Fault>) -> Response {
    let Ok(status) = StatusCode::from_u16(fault.status) else {
        return stripe_error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "no such status",
        );
    };
    let seconds = fault.seconds.clamp(0.0, 3600.0);
    stand_in.record.lock().unwrap().fault =
        Some((status, Instant::now() + Duration::from_secs_f64(seconds)));
    tracing::info!(status = status.as_u16(), seconds, "playing a fault");
    Json(json!({"status": status.as_u16(), "seconds": seconds})).into_response()
}

async fn calls(State(stand_in): State<StandIn>) -> Json<Value> {
    let record = stand_in.record.lock().unwrap();
    Json(json!({"calls": record.calls, "marked_delivered": record.marked_delivered}))
}

/// How often the platform marked `offer` delivered.
async fn calls_about(State(stand_in): State<StandIn>, Path(offer): Path<String>) -> Json<Value> {
    let record = stand_in.record.lock().unwrap();
    let times = record
        .marked_delivered
        .iter()
        .filter(|id| **id == offer)
        .count();
    Json(json!({"marked_delivered": times}))
}

async fn deliveries(State(stand_in): State<StandIn>) -> Json<Value> {
    Json(json!(stand_in.record.lock().unwrap().deliveries))
}

async fn sent_events(State(stand_in): State<StandIn>) -> Json<Value> {
    Json(json!(stand_in.record.lock().unwrap().events))
}

/// Stripe's deliveries: each event acknowledged to the sandbox at once (Stripe's API does not
/// wait for the platform), then POSTed to one endpoint at random, signed afresh on each attempt,
/// retried with backoff (0.5 s doubling to 30 s) until a 2xx. At most `concurrent` attempts in
/// flight; a jittered event waits outside that limit. A duplicated event goes to every endpoint
/// at once, each retried until it takes it, and then once more to one of them.
async fn deliver(mut events: SandboxEvents, delivery: Delivery, record: Arc<Mutex<Record>>) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("an HTTP client");
    let slots = Arc::new(tokio::sync::Semaphore::new(delivery.concurrent));
    while let Some(event) = events.recv().await {
        let _ = event.taken.send(Ok(()));
        {
            let mut record = record.lock().unwrap();
            record.deliveries.events += 1;
            record.deliveries.pending += 1;
            record.events.extend(SentEvent::read(&event.body));
        }
        let (client, delivery, record, slots) = (
            client.clone(),
            delivery.clone(),
            record.clone(),
            slots.clone(),
        );
        tokio::spawn(async move {
            let jitter = delivery.jitter.mul_f64(rand::random::<f64>());
            tokio::time::sleep(jitter).await;
            let attempt = Attempt {
                client: &client,
                delivery: &delivery,
                record: &record,
                slots: &slots,
                event_type: &event.event_type,
                body: &event.body,
            };
            if rand::random::<f64>() < delivery.duplicate_share {
                let everywhere = delivery
                    .endpoints
                    .iter()
                    .enumerate()
                    .map(|(n, endpoint)| attempt.until_taken(Some(endpoint), n > 0));
                futures_util::future::join_all(everywhere).await;
                let later = Duration::from_millis(rand::random_range(1_000..10_000));
                tokio::time::sleep(later).await;
                attempt.until_taken(None, true).await;
            } else {
                attempt.until_taken(None, false).await;
            }
            record.lock().unwrap().deliveries.pending -= 1;
        });
    }
}

/// One event's deliveries.
struct Attempt<'a> {
    client: &'a reqwest::Client,
    delivery: &'a Delivery,
    record: &'a Mutex<Record>,
    slots: &'a tokio::sync::Semaphore,
    event_type: &'a str,
    body: &'a str,
}

impl Attempt<'_> {
    /// Sends the event to `endpoint` (else one at random each time) until a 2xx; `duplicate`
    /// when another delivery of it counts as the event's own.
    async fn until_taken(&self, endpoint: Option<&String>, duplicate: bool) {
        let endpoints = &self.delivery.endpoints;
        let mut backoff = Duration::from_millis(500);
        loop {
            let endpoint =
                endpoint.unwrap_or_else(|| &endpoints[rand::random_range(0..endpoints.len())]);
            let answer = {
                let Ok(_slot) = self.slots.acquire().await else {
                    return;
                };
                let now = capital_platform::sandbox::now();
                let signature = capital_platform::stripe::webhook_signature::sign(
                    self.body.as_bytes(),
                    &self.delivery.secret,
                    now,
                );
                self.client
                    .post(endpoint)
                    .header("content-type", "application/json")
                    .header("stripe-signature", signature)
                    .body(self.body.to_owned())
                    .send()
                    .await
            };
            let delivered = matches!(&answer, Ok(response) if response.status().is_success());
            {
                let mut record = self.record.lock().unwrap();
                record.deliveries.attempts += 1;
                if !delivered {
                    record.deliveries.failed_attempts += 1;
                } else if duplicate {
                    record.deliveries.duplicates += 1;
                } else {
                    record.deliveries.delivered += 1;
                }
            }
            if delivered {
                return;
            }
            let event = self.event_type;
            match answer {
                Ok(response) => {
                    tracing::warn!(event, %endpoint, status = %response.status(), "delivery refused; retrying")
                }
                Err(error) => {
                    tracing::warn!(event, %endpoint, %error, "delivery failed; retrying")
                }
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(30));
        }
    }
}
