//! Load on loopback against the release server (its own process, sandbox mode):
//! `GET /api/capital/offer` and `POST /webhooks/stripe` (signed, unique events), each with
//! `BENCH_CLIENTS` (default 32) concurrent clients for ten seconds. Prints throughput and latency
//! percentiles as a Markdown table for BENCHMARKS.md.
//!
//! - `cargo bench -p capital-platform --bench backend`: one instance, SQLite on disk.
//! - `BENCH_POSTGRES=postgres://… BENCH_INSTANCES=2 cargo bench -p capital-platform --bench
//!   backend`: N instances on one fresh database of that PostgreSQL cluster (`scripts/postgres
//!   start` makes one), the requests spread over them in turn, as a load balancer would.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use capital_platform::stripe::webhook_signature::sign;
use serde_json::json;

/// Concurrent clients (`BENCH_CLIENTS`, default 32).
fn concurrency() -> usize {
    std::env::var("BENCH_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32)
}
const DURATION: Duration = Duration::from_secs(10);
#[path = "support/server.rs"]
mod server;

use server::SECRET;

struct Run {
    requests: u64,
    errors: u64,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Run {
    fn percentile(&self, p: f64) -> Duration {
        let index = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies.get(index).copied().unwrap_or_default()
    }

    fn row(&self, name: &str) -> String {
        format!(
            "| {name} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {} |",
            concurrency(),
            self.requests as f64 / self.elapsed.as_secs_f64(),
            self.percentile(0.50).as_secs_f64() * 1000.0,
            self.percentile(0.99).as_secs_f64() * 1000.0,
            self.percentile(0.999).as_secs_f64() * 1000.0,
            self.errors
        )
    }
}

/// Runs `make` requests from `CONCURRENCY` workers for `DURATION`.
async fn load<F, Fut>(make: F) -> Run
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let make = Arc::new(make);
    let counter = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let workers: Vec<_> = (0..concurrency())
        .map(|_| {
            let (make, counter) = (make.clone(), counter.clone());
            tokio::spawn(async move {
                let (mut latencies, mut errors) = (Vec::new(), 0u64);
                while start.elapsed() < DURATION {
                    let n = counter.fetch_add(1, Ordering::Relaxed);
                    let began = Instant::now();
                    let ok = make(n).await;
                    latencies.push(began.elapsed());
                    errors += u64::from(!ok);
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut run = Run {
        requests: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        latencies: Vec::new(),
    };
    for worker in workers {
        let (latencies, errors) = worker.await.unwrap();
        run.requests += latencies.len() as u64;
        run.errors += errors;
        run.latencies.extend(latencies);
    }
    run.elapsed = start.elapsed();
    run.latencies.sort();
    run
}

/// A fresh database on the cluster at `admin`, for one bench run.
async fn fresh_postgres(admin: &str) -> String {
    use sqlx::{Connection, Executor};
    let name = format!("bench_{}", std::process::id());
    let mut connection = sqlx::PgConnection::connect(admin)
        .await
        .expect("BENCH_POSTGRES");
    connection
        .execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
        .await
        .unwrap();
    connection
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// Gives acct_1RocketCourier financing in progress on `base`: `GET /offer` serves an offer and a
/// summary.
async fn seed_financing(client: &reqwest::Client, base: &str, data: &std::path::Path) {
    let admin = server::admin_token(data);
    let offer: serde_json::Value = client
        .post(format!("{base}/sandbox/admin/offers"))
        .bearer_auth(&admin)
        .json(&json!({"account": "acct_1RocketCourier", "advance_amount": 1_000_000, "status": "delivered"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = offer["id"].as_str().unwrap().to_owned();
    for (action, body) in [
        ("accept", json!({"amount": 1_000_000})),
        ("approve", json!({})),
        ("repay", json!({"amount": 100_000})),
    ] {
        client
            .post(format!("{base}/sandbox/admin/offers/{id}/{action}"))
            .bearer_auth(&admin)
            .json(&body)
            .send()
            .await
            .unwrap();
    }
}

/// One server process on `database` (`None`: SQLite in `data`).
async fn start_server(
    data: &std::path::Path,
    database: Option<&str>,
) -> (tokio::process::Child, String) {
    let extra: Vec<String> = database
        .map(|url| vec!["--database-url".to_owned(), url.to_owned()])
        .unwrap_or_default();
    server::start(data, &extra).await
}

#[tokio::main]
async fn main() {
    let data = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("capital-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let database = match std::env::var("BENCH_POSTGRES") {
        Ok(admin) => Some(fresh_postgres(&admin).await),
        Err(_) => None,
    };
    let instances: usize = std::env::var("BENCH_INSTANCES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let mut servers = Vec::new();
    let mut bases = Vec::new();
    for _ in 0..instances {
        // One at a time: the first migrates; the others find it done (or wait on its lock).
        let (server, base) = start_server(&data, database.as_deref()).await;
        servers.push(server);
        bases.push(base);
    }
    let bases = Arc::new(bases);
    let base = bases[0].clone();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    // A signed-in user whose account has financing in progress (offer and summary to serve).
    let cookie = server::sign_in(&client, &base, "acct_1RocketCourier").await;
    seed_financing(&client, &base, &data).await;

    let offers = {
        let (client, bases, cookie) = (client.clone(), bases.clone(), cookie.clone());
        load(move |n| {
            let base = &bases[n as usize % bases.len()];
            let request = client
                .get(format!("{base}/api/capital/offer"))
                .header("cookie", cookie.clone());
            async move { request.send().await.is_ok_and(|r| r.status().is_success()) }
        })
        .await
    };

    let webhooks = {
        let (client, bases) = (client.clone(), bases.clone());
        let now = capital_platform::sandbox::now();
        load(move |n| {
            let base = &bases[n as usize % bases.len()];
            // Unique events over 10,000 offers of 100 accounts: inserts, then updates.
            let event = json!({
                "id": format!("evt_bench_{n}"), "object": "event", "type": "capital.financing_offer.created", "created": now + n as i64,
                "data": {"object": {"id": format!("financingoffer_bench_{}", n % 10_000), "object": "capital.financing_offer",
                                    "account": format!("acct_bench{}", n % 100), "status": "delivered", "created": now,
                                    "offered_terms": {"advance_amount": 100_000, "currency": "usd", "fee_amount": 10_000, "withhold_rate": 0.1}}},
            })
            .to_string();
            let request = client
                .post(format!("{base}/webhooks/stripe"))
                .header("content-type", "application/json")
                .header("Stripe-Signature", sign(event.as_bytes(), SECRET, capital_platform::sandbox::now()))
                .body(event);
            async move { request.send().await.is_ok_and(|r| r.status().is_success()) }
        })
        .await
    };

    // The same view with `--identity token`: an HS256 session token verified on every request
    // instead of the session looked up in the database. On its own server and data, after the
    // others are done.
    let token_data = data.join("token");
    let identity_secret = "bench-identity-secret-0123456789abcdef";
    let extra: Vec<String> = ["--identity", "token", "--identity-secret", identity_secret]
        .map(str::to_owned)
        .into();
    let (mut token_server, token_base) = server::start(&token_data, &extra).await;
    seed_financing(&client, &token_base, &token_data).await;
    let token = capital_platform::http::identity::token::mint_hs256(
        &identity_secret.to_owned().into(),
        "acct_1RocketCourier",
        &token_base,
        jsonwebtoken::get_current_timestamp(),
        3600,
    )
    .unwrap();
    let bearer_offers = {
        let (client, base, bearer) = (
            client.clone(),
            token_base.clone(),
            format!("Bearer {token}"),
        );
        load(move |_| {
            let request = client
                .get(format!("{base}/api/capital/offer"))
                .header("authorization", bearer.clone());
            async move { request.send().await.is_ok_and(|r| r.status().is_success()) }
        })
        .await
    };
    token_server.kill().await.ok();

    let setup = match &database {
        Some(_) => format!("{instances} instance(s) on one PostgreSQL"),
        None => format!("{instances} instance(s) on SQLite"),
    };
    println!("| route ({setup}) | clients | requests/s | p50 ms | p99 ms | p99.9 ms | errors |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    println!(
        "{}",
        offers.row("`GET /api/capital/offer` (demo session cookie)")
    );
    println!(
        "{}",
        bearer_offers.row("`GET /api/capital/offer` (HS256 session token; SQLite, one instance)")
    );
    println!(
        "{}",
        webhooks.row(
            "`POST /webhooks/stripe` (each event recorded and applied in one committed transaction)"
        )
    );
    for mut server in servers {
        server.kill().await.ok();
    }
    let _ = std::fs::remove_dir_all(&data);
}
